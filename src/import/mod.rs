//! `dealgate import`: deals from another CRM, with their products and history (Pipedrive's
//! `status`, `add_time`, `won_time`/`lost_time`/`close_time`, `stage_change_time`), loaded
//! through the same checks and service as `createDeal` — each row a deal created in its own
//! transaction, with its event and, when won, its sale. Rows that cannot be imported are
//! listed with their reasons; the others go in.
//!
//! Two formats ([`records`]): JSON lines, one `CreateDealInput` object per line, as the API
//! takes it; and CSV, whose columns are the same fields (see [`csv_records`]).

mod csv_records;

use crate::auth::{self, ViewerCache};
use crate::deal::CreateDealInput;
use crate::error::AppError;
use async_graphql::InputType;
use sea_orm::DatabaseConnection;
use serde_json::Value as Json;
use std::io::Write;
use std::path::Path;

/// The formats an import file may have.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

impl Format {
    /// The format a file's name says (`.csv`, else JSON lines).
    pub fn of(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => Self::Csv,
            _ => Self::Jsonl,
        }
    }
}

/// Most rows one import reads.
pub const MAX_ROWS: usize = 1_000_000;

/// A row that was not imported: where it is and why.
#[derive(Debug, PartialEq, Eq)]
pub struct Rejected {
    /// The row's number in the file (the header of a CSV file is row 1).
    pub row: usize,
    /// Why, with the field at fault when there is one.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Deals created.
    pub imported: usize,
    /// Rows not imported.
    pub rejected: Vec<Rejected>,
}

/// The records of `text` in `format`: each with its row number, a JSON object or why it is
/// not one.
pub fn records(text: &str, format: Format) -> Vec<(usize, Result<Json, String>)> {
    match format {
        Format::Jsonl => text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| {
                let record = serde_json::from_str::<Json>(line)
                    .map_err(|e| format!("not a JSON object: {e}"))
                    .and_then(|json| match json {
                        Json::Object(_) => Ok(json),
                        _ => Err("not a JSON object".to_owned()),
                    });
                (i + 1, record)
            })
            .collect(),
        Format::Csv => csv_records::records(text),
    }
}

/// A reason for the operator: the error's code, its field (within the row) and message.
fn reason(err: &AppError, row_prefix: &str) -> String {
    match err {
        AppError::BadUserInput {
            message,
            field: Some(field),
        } => {
            let field = field.strip_prefix(row_prefix).unwrap_or(field);
            let field = field.trim_start_matches('.');
            let field = field.strip_prefix("input.").unwrap_or(field);
            format!("{}: {field}: {message}", err.code())
        }
        err => format!("{}: {}", err.code(), err.message()),
    }
}

/// Draws the progress line on standard error.
struct Progress {
    total: usize,
    drawn_at: std::time::Instant,
}

impl Progress {
    fn show(&mut self, done: usize, rejected: usize, force: bool) {
        if !force && self.drawn_at.elapsed() < std::time::Duration::from_millis(200) {
            return;
        }
        self.drawn_at = std::time::Instant::now();
        let width = 30;
        let filled = (done * width).checked_div(self.total).unwrap_or(width);
        let bar: String = "#".repeat(filled) + &".".repeat(width - filled);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{bar}] {done}/{} rows, {rejected} rejected",
            self.total
        );
        if force {
            let _ = writeln!(err);
        }
    }
}

/// Imports the deals of `text` (in `format`) as the holder of `api_key` (a read-write key of
/// the organisation to import into).
pub async fn run(
    db: &DatabaseConnection,
    api_key: &str,
    text: &str,
    format: Format,
) -> Result<Summary, AppError> {
    let viewer = auth::authenticate(
        db,
        &ViewerCache::new(std::time::Duration::ZERO),
        Some(api_key),
    )
    .await?;
    auth::authorize_mutation(&viewer)?;
    let records = records(text, format);
    if records.len() > MAX_ROWS {
        return Err(AppError::bad_input(
            "file",
            format!("an import holds at most {MAX_ROWS} rows"),
        ));
    }
    let mut summary = Summary::default();
    let mut progress = Progress {
        total: records.len(),
        drawn_at: std::time::Instant::now(),
    };
    for (done, (row, record)) in records.into_iter().enumerate() {
        let prefix = format!("row {row}");
        let created = match record {
            Err(reason) => Err(reason),
            Ok(json) => {
                let value = async_graphql::Value::from_json(json)
                    .map_err(|e| format!("BAD_USER_INPUT: {e}"));
                match value.and_then(|value| {
                    CreateDealInput::parse(Some(value)).map_err(|e| {
                        format!(
                            "BAD_USER_INPUT: {}",
                            e.into_server_error(Default::default()).message
                        )
                    })
                }) {
                    Err(reason) => Err(reason),
                    Ok(input) => match input.into_new(&prefix) {
                        Err(err) => Err(reason(&err, &prefix)),
                        Ok(new) => crate::deal::service::create(db, &viewer, new)
                            .await
                            .map_err(|err| reason(&err, &prefix)),
                    },
                }
            }
        };
        match created {
            Ok(_) => summary.imported += 1,
            Err(reason) => summary.rejected.push(Rejected { row, reason }),
        }
        progress.show(done + 1, summary.rejected.len(), false);
    }
    progress.show(progress.total, summary.rejected.len(), true);
    Ok(summary)
}
