//! `deal_search`: each deal's words, per field — title, notes (its activities' subjects and
//! notes), custom-field values, contact (name, email), company (name, domain), products
//! (names, SKUs) — kept by triggers in the same transaction as every write that changes them
//! (deal, activity, deal_product, contact, company), for `searchDeals`.
//!
//! PostgreSQL: a `tsvector` per field and a weighted `document` of all of them under a GIN
//! index (title A, contact and company B, products and custom fields C, notes D). SQLite: an
//! FTS5 table with a column per field, whose rowid is a deal's number in `deal_search_key`.
//! Both read text the same way: the `simple` configuration / `unicode61` tokenizer (no stemming,
//! no stop words, case folded), punctuation splits words (`ada@example.com` is `ada`,
//! `example`, `com`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The deal columns whose change changes its words.
const DEAL_WORDS: [&str; 4] = ["title", "custom_fields", "contact_id", "company_id"];

/// The text of each field of deal `d`, as SQL (`concat` is the backend's concatenation of
/// texts separated by spaces, `agg` its string aggregate, `json_words` the text of the
/// custom-field values).
fn field_texts(
    concat: fn(&[&str]) -> String,
    agg: fn(&str) -> String,
    json_words: &str,
) -> [String; 6] {
    let same_org = "organization_id = d.organization_id";
    [
        "d.title".to_owned(),
        format!(
            "(SELECT {} FROM activity a WHERE a.{same_org} AND a.deal_id = d.id)",
            agg(&concat(&["a.subject", "a.note"]))
        ),
        json_words.to_owned(),
        format!(
            "(SELECT {} FROM contact c WHERE c.{same_org} AND c.id = d.contact_id)",
            concat(&["c.first_name", "c.last_name", "c.email"])
        ),
        format!(
            "(SELECT {} FROM company co WHERE co.{same_org} AND co.id = d.company_id)",
            concat(&["co.name", "co.domain"])
        ),
        format!(
            "(SELECT {} FROM deal_product p WHERE p.{same_org} AND p.deal_id = d.id)",
            agg(&concat(&["p.name", "p.sku"]))
        ),
    ]
}

const FIELDS: [&str; 6] = [
    "title",
    "notes",
    "custom_fields",
    "contact",
    "company",
    "product",
];

fn postgres() -> Vec<String> {
    let texts = field_texts(
        |parts| format!("concat_ws(' ', {})", parts.join(", ")),
        |text| format!("string_agg({text}, ' ')"),
        "(SELECT string_agg(v #>> '{}', ' ') FROM jsonb_path_query(d.custom_fields, 'strict $.**') v \
         WHERE jsonb_typeof(v) IN ('string', 'number'))",
    );
    let vectors = FIELDS
        .iter()
        .zip(&texts)
        .map(|(field, text)| format!("deal_search_words({text}) AS {field}"))
        .collect::<Vec<_>>()
        .join(",\n                ");
    let columns = FIELDS.join(", ");
    let updates = FIELDS
        .iter()
        .chain(&["document"])
        .map(|f| format!("{f} = excluded.{f}"))
        .collect::<Vec<_>>()
        .join(", ");
    let changed = |columns: &[&str]| {
        columns
            .iter()
            .map(|c| format!("OLD.{c} IS DISTINCT FROM NEW.{c}"))
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    let mut statements = vec![
        format!(
            "CREATE TABLE deal_search (
                deal_id uuid PRIMARY KEY,
                organization_id uuid NOT NULL,
                {},
                document tsvector NOT NULL,
                FOREIGN KEY (organization_id, deal_id) REFERENCES deal (organization_id, id)
                    ON DELETE CASCADE
            )",
            FIELDS
                .iter()
                .map(|f| format!("{f} tsvector NOT NULL"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "CREATE INDEX ix_deal_search_document ON deal_search USING GIN (document)".to_owned(),
        "CREATE INDEX ix_deal_search_organization_id ON deal_search (organization_id)".to_owned(),
        // Punctuation splits words, as SQLite's tokenizer does.
        "CREATE FUNCTION deal_search_words(text) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
            SELECT to_tsvector('simple', regexp_replace(coalesce($1, ''), '[[:punct:][:space:]]+', ' ', 'g'))
        $$"
        .to_owned(),
        // Set-based: a statement that writes many rows (an import, the demo) rewrites each
        // deal's words once, not once per row. PL/pgSQL keeps the statement's plan for the
        // session (an SQL function would plan it again on every call: 0.6 ms per deal update).
        format!(
            "CREATE FUNCTION deal_search_refresh(targets uuid[]) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
            -- Most deal updates change no words: return before planning anything.
            IF cardinality(targets) = 0 THEN RETURN; END IF;
            INSERT INTO deal_search (deal_id, organization_id, {columns}, document)
            SELECT id, organization_id, {columns},
                setweight(title, 'A') || setweight(contact, 'B') || setweight(company, 'B')
                || setweight(product, 'C') || setweight(custom_fields, 'C') || setweight(notes, 'D')
            FROM (SELECT d.id, d.organization_id,
                {vectors}
                FROM deal d WHERE d.id = ANY(targets)) AS words
            ON CONFLICT (deal_id) DO UPDATE SET {updates};
            END $$"
        ),
        // Statement triggers read the rows a statement wrote from its transition tables:
        // `written` (new rows) and `replaced` (old rows).
        "CREATE FUNCTION deal_search_deals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM deal_search_refresh(ARRAY(SELECT id FROM written)); RETURN NULL; END $$"
            .to_owned(),
        format!(
            "CREATE FUNCTION deal_search_deals_updated() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM deal_search_refresh(ARRAY(
                    SELECT w.id FROM written w JOIN replaced r ON r.id = w.id WHERE {}));
                RETURN NULL;
            END $$",
            DEAL_WORDS
                .iter()
                .map(|c| format!("r.{c} IS DISTINCT FROM w.{c}"))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
        "CREATE FUNCTION deal_search_children_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM deal_search_refresh(ARRAY(SELECT DISTINCT deal_id FROM written));
                RETURN NULL;
            END $$"
            .to_owned(),
        "CREATE FUNCTION deal_search_children_updated() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM deal_search_refresh(ARRAY(
                    SELECT deal_id FROM written UNION SELECT deal_id FROM replaced));
                RETURN NULL;
            END $$"
            .to_owned(),
        "CREATE FUNCTION deal_search_children_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM deal_search_refresh(ARRAY(SELECT DISTINCT deal_id FROM replaced));
                RETURN NULL;
            END $$"
            .to_owned(),
        "CREATE FUNCTION deal_search_on_contact() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM deal_search_refresh(ARRAY(SELECT d.id FROM deal d
                    WHERE d.organization_id = NEW.organization_id AND d.contact_id = NEW.id));
                RETURN NULL;
            END $$"
            .to_owned(),
        "CREATE FUNCTION deal_search_on_company() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM deal_search_refresh(ARRAY(SELECT d.id FROM deal d
                    WHERE d.organization_id = NEW.organization_id AND d.company_id = NEW.id));
                RETURN NULL;
            END $$"
            .to_owned(),
        "CREATE TRIGGER deal_search_deal_insert AFTER INSERT ON deal \
         REFERENCING NEW TABLE AS written FOR EACH STATEMENT \
         EXECUTE FUNCTION deal_search_deals_inserted()"
            .to_owned(),
        "CREATE TRIGGER deal_search_deal_update AFTER UPDATE ON deal \
         REFERENCING OLD TABLE AS replaced NEW TABLE AS written FOR EACH STATEMENT \
         EXECUTE FUNCTION deal_search_deals_updated()"
            .to_owned(),
    ];
    for table in ["activity", "deal_product"] {
        statements.extend([
            format!(
                "CREATE TRIGGER deal_search_{table}_insert AFTER INSERT ON {table} \
                 REFERENCING NEW TABLE AS written FOR EACH STATEMENT \
                 EXECUTE FUNCTION deal_search_children_inserted()"
            ),
            format!(
                "CREATE TRIGGER deal_search_{table}_update AFTER UPDATE ON {table} \
                 REFERENCING OLD TABLE AS replaced NEW TABLE AS written FOR EACH STATEMENT \
                 EXECUTE FUNCTION deal_search_children_updated()"
            ),
            format!(
                "CREATE TRIGGER deal_search_{table}_delete AFTER DELETE ON {table} \
                 REFERENCING OLD TABLE AS replaced FOR EACH STATEMENT \
                 EXECUTE FUNCTION deal_search_children_deleted()"
            ),
        ]);
    }
    statements.extend([
        format!(
            "CREATE TRIGGER deal_search_contact AFTER UPDATE ON contact FOR EACH ROW \
             WHEN ({}) EXECUTE FUNCTION deal_search_on_contact()",
            changed(&["first_name", "last_name", "email"])
        ),
        format!(
            "CREATE TRIGGER deal_search_company AFTER UPDATE ON company FOR EACH ROW \
             WHEN ({}) EXECUTE FUNCTION deal_search_on_company()",
            changed(&["name", "domain"])
        ),
        "SELECT deal_search_refresh(ARRAY(SELECT id FROM deal))".to_owned(),
    ]);
    statements
}

/// The statements that rewrite the words of the deals `d` that `which` selects (SQLite).
fn sqlite_refresh(which: &str) -> String {
    let texts = field_texts(
        |parts| {
            parts
                .iter()
                .map(|p| format!("coalesce({p}, '')"))
                .collect::<Vec<_>>()
                .join(" || ' ' || ")
        },
        |text| format!("group_concat({text}, ' ')"),
        "(SELECT group_concat(j.value, ' ') FROM json_tree(d.custom_fields) j \
         WHERE j.type IN ('text', 'integer', 'real'))",
    );
    let values = texts
        .iter()
        .map(|t| format!("coalesce({t}, '')"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT OR IGNORE INTO deal_search_key (organization_id, deal_id) \
             SELECT d.organization_id, d.id FROM deal d WHERE {which}; \
         DELETE FROM deal_search WHERE rowid IN \
             (SELECT k.id FROM deal_search_key k JOIN deal d ON d.id = k.deal_id WHERE {which}); \
         INSERT INTO deal_search (rowid, {columns}) \
             SELECT k.id, {values} FROM deal d JOIN deal_search_key k ON k.deal_id = d.id \
             WHERE {which};",
        columns = FIELDS.join(", ")
    )
}

fn sqlite() -> Vec<String> {
    let child = |table: &str| {
        vec![
            format!(
                "CREATE TRIGGER deal_search_{table}_insert AFTER INSERT ON {table} BEGIN {} END",
                sqlite_refresh("d.id = NEW.deal_id")
            ),
            format!(
                "CREATE TRIGGER deal_search_{table}_update AFTER UPDATE ON {table} BEGIN {} {} END",
                sqlite_refresh("d.id = OLD.deal_id"),
                sqlite_refresh("d.id = NEW.deal_id AND NEW.deal_id IS NOT OLD.deal_id")
            ),
            format!(
                "CREATE TRIGGER deal_search_{table}_delete AFTER DELETE ON {table} BEGIN {} END",
                sqlite_refresh("d.id = OLD.deal_id")
            ),
        ]
    };
    let mut statements = vec![
        "CREATE TABLE deal_search_key (
            id INTEGER PRIMARY KEY,
            organization_id uuid_text NOT NULL,
            deal_id uuid_text NOT NULL UNIQUE REFERENCES deal (id) ON DELETE CASCADE
        )"
        .to_owned(),
        format!(
            "CREATE VIRTUAL TABLE deal_search USING fts5({}, tokenize = 'unicode61 remove_diacritics 0')",
            FIELDS.join(", ")
        ),
        format!(
            "CREATE TRIGGER deal_search_deal_insert AFTER INSERT ON deal BEGIN {} END",
            sqlite_refresh("d.id = NEW.id")
        ),
        format!(
            "CREATE TRIGGER deal_search_deal_update AFTER UPDATE OF {} ON deal BEGIN {} END",
            DEAL_WORDS.join(", "),
            sqlite_refresh("d.id = NEW.id")
        ),
        "CREATE TRIGGER deal_search_deal_delete BEFORE DELETE ON deal BEGIN \
             DELETE FROM deal_search WHERE rowid IN \
                 (SELECT id FROM deal_search_key WHERE deal_id = OLD.id); \
         END"
        .to_owned(),
        format!(
            "CREATE TRIGGER deal_search_contact AFTER UPDATE OF first_name, last_name, email \
             ON contact BEGIN {} END",
            sqlite_refresh("d.organization_id = NEW.organization_id AND d.contact_id = NEW.id")
        ),
        format!(
            "CREATE TRIGGER deal_search_company AFTER UPDATE OF name, domain ON company BEGIN {} END",
            sqlite_refresh("d.organization_id = NEW.organization_id AND d.company_id = NEW.id")
        ),
    ];
    statements.extend(child("activity"));
    statements.extend(child("deal_product"));
    statements.push(sqlite_refresh("1 = 1"));
    statements
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => postgres(),
            _ => sqlite(),
        };
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let drops: Vec<String> = match manager.get_database_backend() {
            DbBackend::Postgres => vec![
                "DROP TABLE IF EXISTS deal_search".into(),
                "DROP TRIGGER IF EXISTS deal_search_deal_insert ON deal".into(),
                "DROP TRIGGER IF EXISTS deal_search_deal_update ON deal".into(),
                "DROP TRIGGER IF EXISTS deal_search_activity_insert ON activity".into(),
                "DROP TRIGGER IF EXISTS deal_search_activity_update ON activity".into(),
                "DROP TRIGGER IF EXISTS deal_search_activity_delete ON activity".into(),
                "DROP TRIGGER IF EXISTS deal_search_deal_product_insert ON deal_product".into(),
                "DROP TRIGGER IF EXISTS deal_search_deal_product_update ON deal_product".into(),
                "DROP TRIGGER IF EXISTS deal_search_deal_product_delete ON deal_product".into(),
                "DROP TRIGGER IF EXISTS deal_search_contact ON contact".into(),
                "DROP TRIGGER IF EXISTS deal_search_company ON company".into(),
                "DROP FUNCTION IF EXISTS deal_search_deals_inserted()".into(),
                "DROP FUNCTION IF EXISTS deal_search_deals_updated()".into(),
                "DROP FUNCTION IF EXISTS deal_search_children_inserted()".into(),
                "DROP FUNCTION IF EXISTS deal_search_children_updated()".into(),
                "DROP FUNCTION IF EXISTS deal_search_children_deleted()".into(),
                "DROP FUNCTION IF EXISTS deal_search_on_contact()".into(),
                "DROP FUNCTION IF EXISTS deal_search_on_company()".into(),
                "DROP FUNCTION IF EXISTS deal_search_refresh(uuid[])".into(),
                "DROP FUNCTION IF EXISTS deal_search_words(text)".into(),
            ],
            _ => {
                let mut drops: Vec<String> = [
                    "deal_insert",
                    "deal_update",
                    "deal_delete",
                    "contact",
                    "company",
                    "activity_insert",
                    "activity_update",
                    "activity_delete",
                    "deal_product_insert",
                    "deal_product_update",
                    "deal_product_delete",
                ]
                .iter()
                .map(|t| format!("DROP TRIGGER IF EXISTS deal_search_{t}"))
                .collect();
                drops.push("DROP TABLE IF EXISTS deal_search".into());
                drops.push("DROP TABLE IF EXISTS deal_search_key".into());
                drops
            }
        };
        for drop in drops {
            db.execute_unprepared(&drop).await?;
        }
        Ok(())
    }
}
