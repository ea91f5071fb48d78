//! The `dealgate` command line: serve (the default), migrate, export-schema, api-key, demo,
//! import.

use crate::api_key::service as api_keys;
use crate::config::Config;
use crate::graphql::ids::{NodeKind, parse_global_id};
use crate::{clock, db, demo, graphql, http};
use clap::{Args, Parser, Subcommand};
use entity::{enums::ApiKeyScope, organization};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use std::io::Write;
use std::path::PathBuf;

/// What a command can fail with.
pub type CliError = Box<dyn std::error::Error + Send + Sync>;

/// dealgate: a GraphQL API over sales deals.
#[derive(Parser, Debug)]
#[command(name = "dealgate", version, about)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub config: Config,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Migrate the database and serve the API (the default).
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the GraphQL SDL, or write it to a file.
    ExportSchema {
        /// File to write instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The Apollo Federation v2 subgraph SDL (`@link`, `@key`), as `_service { sdl }`
        /// answers it, instead of the plain schema.
        #[arg(long)]
        federation: bool,
    },
    /// Manage API keys.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// Seed the demo organisation (once) and print a new API key for it.
    Demo(DemoArgs),
    /// Import deals (with their products and history) from another CRM: a CSV or JSON-lines
    /// file of `createDeal` inputs, each row checked like the API checks it. Prints what was
    /// imported and every rejected row with its reason.
    Import(ImportArgs),
}

/// Options of `import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The file: `.csv` (a header of field names), else JSON lines.
    pub file: PathBuf,
    /// A read-write API key of the organisation to import into.
    #[arg(long, env = "DEALGATE_API_KEY", hide_env_values = true)]
    pub api_key: String,
    /// The file's format, when its name does not say it.
    #[arg(long, value_enum)]
    pub format: Option<crate::import::Format>,
}

/// Options of `serve`.
#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// Seed the demo organisation first (when missing) and print an API key for it.
    #[arg(long)]
    pub demo: bool,
    /// Size of the demo data.
    #[command(flatten)]
    pub demo_size: DemoArgs,
}

/// Size of the demo data.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How many deals the demo organisation gets.
    #[arg(long, default_value_t = demo::DEFAULT_DEALS)]
    pub deals: usize,
}

impl Default for DemoArgs {
    fn default() -> Self {
        Self {
            deals: demo::DEFAULT_DEALS,
        }
    }
}

/// `api-key` subcommands.
#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Create a key and print it (once).
    Create {
        /// The organisation: its name, or its id (`org_…`).
        #[arg(long)]
        org: String,
        /// Create the organisation (named by --org) when it does not exist.
        #[arg(long)]
        create_org: bool,
        /// A name to recognise the key by.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Make a key that can only query.
        #[arg(long)]
        read_only: bool,
    },
}

/// Writes one line for the operator on standard output (keys, schema).
#[allow(clippy::print_stdout)]
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

/// Runs the command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::ExportSchema { out, federation } => {
            let sdl = if federation {
                graphql::federation_sdl()
            } else {
                graphql::sdl()
            };
            match out {
                Some(path) => std::fs::write(path, sdl)?,
                None => say(&sdl),
            }
        }
        Command::Migrate => {
            db::migrate(&connect(&config).await?).await?;
            tracing::info!("migrations applied");
        }
        Command::ApiKey(ApiKeyCommand::Create {
            org,
            create_org,
            name,
            read_only,
        }) => {
            let db = connected(&config).await?;
            let org_id = find_or_create_org(&db, &org, create_org).await?;
            let scope = if read_only {
                ApiKeyScope::Read
            } else {
                ApiKeyScope::ReadWrite
            };
            let created = api_keys::create(&db, org_id, None, &name, scope)
                .await
                .map_err(|e| e.message())?;
            say(&created.plain_key);
        }
        Command::Demo(size) => {
            let db = connected(&config).await?;
            print_demo_key(&db, size.deals).await?;
        }
        Command::Import(args) => {
            let db = connected(&config).await?;
            let text = std::fs::read_to_string(&args.file)?;
            let format = args
                .format
                .unwrap_or_else(|| crate::import::Format::of(&args.file));
            let summary = crate::import::run(&db, &args.api_key, &text, format)
                .await
                .map_err(|e| format!("{}: {}", e.code(), e.message()))?;
            say(&format!(
                "imported {} deals, rejected {} rows",
                summary.imported,
                summary.rejected.len()
            ));
            for rejected in &summary.rejected {
                say(&format!("row {}: {}", rejected.row, rejected.reason));
            }
        }
        Command::Serve(args) => {
            let db = connected(&config).await?;
            if args.demo {
                print_demo_key(&db, args.demo_size.deals).await?;
            }
            let listener = tokio::net::TcpListener::bind(config.bind).await?;
            tracing::info!(
                "serving http://{}/graphql (GraphiQL at /graphiql)",
                listener.local_addr()?
            );
            http::serve(listener, http::AppState::new(db, config)).await?;
        }
    }
    Ok(())
}

/// The server's pool on the configured database.
async fn connect(config: &Config) -> Result<DatabaseConnection, sea_orm::DbErr> {
    db::connect_with(
        &config.database_url,
        config.pool_size(),
        None,
        Some(std::time::Duration::from_millis(config.request_timeout_ms)),
    )
    .await
}

async fn connected(config: &Config) -> Result<DatabaseConnection, CliError> {
    let db = connect(config).await?;
    db::migrate(&db).await?;
    Ok(db)
}

async fn print_demo_key(db: &DatabaseConnection, deals: usize) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    let seeded = demo::ensure_demo(db, deals).await?;
    if seeded.created {
        tracing::info!(
            deals,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo seeded"
        );
    }
    let key = api_keys::create(
        db,
        seeded.organization_id,
        seeded.user_id,
        "demo",
        ApiKeyScope::ReadWrite,
    )
    .await
    .map_err(|e| e.message())?;
    say(&format!(
        "Demo organisation \"{}\" — API key: {}",
        demo::DEMO_ORG_NAME,
        key.plain_key
    ));
    Ok(())
}

async fn find_or_create_org(
    db: &DatabaseConnection,
    org: &str,
    create: bool,
) -> Result<sea_orm::prelude::Uuid, CliError> {
    let by_id = match parse_global_id(org) {
        Some((NodeKind::Organization, id)) => organization::Entity::find_by_id(id).one(db).await?,
        _ => None,
    };
    let found = match by_id {
        Some(found) => Some(found),
        None => {
            organization::Entity::find()
                .filter(organization::Column::Name.eq(org))
                .one(db)
                .await?
        }
    };
    if let Some(found) = found {
        return Ok(found.id);
    }
    if !create {
        return Err(format!("no organisation \"{org}\" (pass --create-org to create it)").into());
    }
    let now = clock::now();
    let created = organization::ActiveModel {
        id: Set(sea_orm::prelude::Uuid::now_v7()),
        name: Set(org.to_owned()),
        default_currency: Set("USD".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    tracing::info!(organization = %created.name, "organisation created");
    Ok(created.id)
}
