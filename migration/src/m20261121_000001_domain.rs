//! The whole domain of DESIGN.md: organisations, keys, people, pipelines, deals and sales.
//!
//! Tenant isolation is enforced by the schema too: every tenant table carries
//! `organization_id` with a unique `(organization_id, id)`, and every reference between tenant
//! rows is a composite foreign key over `(organization_id, …_id)`, so a row can never point at
//! another organisation's row. Those composite keys also serve as the foreign-key indexes.
//! Money and quantities are `BIGINT` ten-thousandths (`entity::Scaled`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables in the order `up` creates them; `down` drops them in reverse.
const TABLES: [&str; 18] = [
    "organization",
    "user",
    "api_key",
    "company",
    "contact",
    "pipeline",
    "stage",
    "deal",
    "deal_tag",
    "deal_follower",
    "deal_product",
    "stage_change",
    "activity",
    "task",
    "sale",
    "sale_contact",
    "sale_line_item",
    "sale_status_event",
];

/// What happens to a child row when the row it points at is deleted.
#[derive(Clone, Copy)]
enum OnDelete {
    /// Deleting the parent is refused while children exist.
    Restrict,
    /// Children go with the parent (rows owned by a deal or a sale).
    Cascade,
}

/// A tenant table: `id` UUID primary key, `organization_id`, unique `(organization_id, id)`.
fn tenant_table(name: &'static str) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(name)
        .col(uuid("id").primary_key())
        .col(uuid("organization_id"))
        .index(
            Index::create()
                .name(format!("ux_{name}_org_id"))
                .col("organization_id")
                .col("id")
                .unique(),
        )
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_organization"))
                .from_col("organization_id")
                .to("organization", "id"),
        );
    table
}

/// A table keyed by its parent and one more column (tags, followers, sale contacts).
fn link_table(name: &'static str, key: [&'static str; 2]) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(name)
        .col(uuid(key[0]))
        .col(uuid("organization_id"))
        .primary_key(Index::create().col(key[0]).col(key[1]))
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_organization"))
                .from_col("organization_id")
                .to("organization", "id"),
        );
    table
}

/// A composite reference `(organization_id, column)` → `(organization_id, id)` of `target`.
fn tenant_ref(
    table: &mut TableCreateStatement,
    name: &str,
    column: &'static str,
    target: &'static str,
    on_delete: OnDelete,
) {
    let mut fk = ForeignKey::create();
    fk.name(format!("fk_{name}_{column}"))
        .from_col("organization_id")
        .from_col(column)
        .to_tbl(target)
        .to_col("organization_id")
        .to_col("id");
    if let OnDelete::Cascade = on_delete {
        fk.on_delete(ForeignKeyAction::Cascade);
    }
    table.foreign_key(&mut fk);
}

fn timestamps(table: &mut TableCreateStatement) {
    table
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"));
}

/// Money and other exact quantities: ten-thousandths in a 64-bit integer.
fn scaled(name: &'static str) -> ColumnDef {
    big_integer(name)
}

fn short(name: &'static str) -> ColumnDef {
    string_len(name, 16)
}

fn create_tables() -> Vec<TableCreateStatement> {
    use OnDelete::{Cascade, Restrict};
    let mut tables = Vec::new();

    let mut t = Table::create();
    t.table("organization")
        .col(uuid("id").primary_key())
        .col(string("name"))
        .col(char_len("default_currency", 3));
    timestamps(&mut t);
    tables.push(t);

    let mut t = tenant_table("user");
    t.col(string("name"))
        .col(string("email"))
        .col(boolean("is_active"));
    timestamps(&mut t);
    tables.push(t);

    let mut t = tenant_table("api_key");
    t.col(uuid_null("user_id"))
        .col(string("name"))
        .col(string_len("prefix", 32))
        .col(string_len_uniq("key_hash", 64))
        .col(short("scope"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone_null("revoked_at"));
    tenant_ref(&mut t, "api_key", "user_id", "user", Restrict);
    tables.push(t);

    let mut t = tenant_table("company");
    t.col(string("name")).col(string_null("domain"));
    timestamps(&mut t);
    t.col(timestamp_with_time_zone_null("deleted_at"));
    tables.push(t);

    let mut t = tenant_table("contact");
    t.col(uuid_null("company_id"))
        .col(string("first_name"))
        .col(string("last_name"))
        .col(string_null("email"))
        .col(string_null("phone"));
    timestamps(&mut t);
    t.col(timestamp_with_time_zone_null("deleted_at"));
    tenant_ref(&mut t, "contact", "company_id", "company", Restrict);
    tables.push(t);

    let mut t = tenant_table("pipeline");
    t.col(string("name")).col(integer("position"));
    timestamps(&mut t);
    tables.push(t);

    let mut t = tenant_table("stage");
    t.col(uuid("pipeline_id"))
        .col(string("name"))
        .col(integer("position"))
        .col(integer("probability"));
    timestamps(&mut t);
    tenant_ref(&mut t, "stage", "pipeline_id", "pipeline", Restrict);
    tables.push(t);

    let mut t = tenant_table("deal");
    t.col(string("title"))
        .col(scaled("value"))
        .col(char_len("currency", 3))
        .col(short("status"))
        .col(uuid("pipeline_id"))
        .col(uuid("stage_id"))
        .col(uuid_null("contact_id"))
        .col(uuid_null("company_id"))
        .col(uuid_null("owner_id"))
        .col(date_null("expected_close_date"))
        .col(short("priority"))
        .col(string_null("source"))
        .col(json_binary("custom_fields"))
        .col(text_null("lost_reason"))
        .col(timestamp_with_time_zone_null("won_at"))
        .col(timestamp_with_time_zone_null("lost_at"))
        .col(timestamp_with_time_zone_null("closed_at"))
        .col(timestamp_with_time_zone("stage_changed_at"))
        .col(timestamp_with_time_zone_null("last_activity_at"))
        .col(timestamp_with_time_zone_null("archived_at"))
        .col(timestamp_with_time_zone_null("deleted_at"));
    timestamps(&mut t);
    t.col(integer("version"));
    for (column, target) in [
        ("pipeline_id", "pipeline"),
        ("stage_id", "stage"),
        ("contact_id", "contact"),
        ("company_id", "company"),
        ("owner_id", "user"),
    ] {
        tenant_ref(&mut t, "deal", column, target, Restrict);
    }
    tables.push(t);

    let mut t = link_table("deal_tag", ["deal_id", "tag"]);
    t.col(string_len("tag", 64));
    tenant_ref(&mut t, "deal_tag", "deal_id", "deal", Cascade);
    tables.push(t);

    let mut t = link_table("deal_follower", ["deal_id", "user_id"]);
    t.col(uuid("user_id"))
        .col(timestamp_with_time_zone("created_at"));
    tenant_ref(&mut t, "deal_follower", "deal_id", "deal", Cascade);
    tenant_ref(&mut t, "deal_follower", "user_id", "user", Cascade);
    tables.push(t);

    let mut t = tenant_table("deal_product");
    t.col(uuid("deal_id"))
        .col(integer("position"))
        .col(string("name"))
        .col(string_null("sku"))
        .col(scaled("quantity"))
        .col(scaled("unit_price"))
        .col(short("discount_type"))
        .col(scaled("discount"))
        .col(scaled("tax_percentage"))
        .col(short("tax_method"));
    timestamps(&mut t);
    tenant_ref(&mut t, "deal_product", "deal_id", "deal", Cascade);
    tables.push(t);

    let mut t = tenant_table("stage_change");
    t.col(uuid("deal_id"))
        .col(uuid_null("from_stage_id"))
        .col(uuid("to_stage_id"))
        .col(timestamp_with_time_zone("changed_at"))
        .col(uuid_null("changed_by_id"))
        .col(text_null("note"));
    tenant_ref(&mut t, "stage_change", "deal_id", "deal", Cascade);
    tenant_ref(&mut t, "stage_change", "from_stage_id", "stage", Restrict);
    tenant_ref(&mut t, "stage_change", "to_stage_id", "stage", Restrict);
    tenant_ref(&mut t, "stage_change", "changed_by_id", "user", Restrict);
    tables.push(t);

    let mut t = tenant_table("activity");
    t.col(uuid("deal_id"))
        .col(uuid_null("user_id"))
        .col(short("activity_type"))
        .col(short("status"))
        .col(string("subject"))
        .col(text_null("note"))
        .col(timestamp_with_time_zone("occurred_at"))
        .col(timestamp_with_time_zone("created_at"));
    tenant_ref(&mut t, "activity", "deal_id", "deal", Cascade);
    tenant_ref(&mut t, "activity", "user_id", "user", Restrict);
    tables.push(t);

    let mut t = tenant_table("task");
    t.col(uuid("deal_id"))
        .col(uuid_null("assignee_id"))
        .col(string("title"))
        .col(short("priority"))
        .col(short("status"))
        .col(timestamp_with_time_zone_null("due_at"))
        .col(timestamp_with_time_zone_null("completed_at"));
    timestamps(&mut t);
    tenant_ref(&mut t, "task", "deal_id", "deal", Cascade);
    tenant_ref(&mut t, "task", "assignee_id", "user", Restrict);
    tables.push(t);

    let mut t = tenant_table("sale");
    t.col(uuid_null("deal_id").unique_key())
        .col(uuid_null("owner_id"))
        .col(uuid_null("company_id"))
        .col(char_len("currency", 3))
        .col(text_null("notes"))
        .col(json_binary("conversation_ids"));
    timestamps(&mut t);
    t.col(timestamp_with_time_zone("last_activity_at"));
    tenant_ref(&mut t, "sale", "deal_id", "deal", Restrict);
    tenant_ref(&mut t, "sale", "owner_id", "user", Restrict);
    tenant_ref(&mut t, "sale", "company_id", "company", Restrict);
    tables.push(t);

    let mut t = link_table("sale_contact", ["sale_id", "contact_id"]);
    t.col(uuid("contact_id")).col(boolean("is_primary"));
    tenant_ref(&mut t, "sale_contact", "sale_id", "sale", Cascade);
    tenant_ref(&mut t, "sale_contact", "contact_id", "contact", Restrict);
    tables.push(t);

    let mut t = tenant_table("sale_line_item");
    t.col(uuid("sale_id"))
        .col(integer("position"))
        .col(string("product_name"))
        .col(scaled("quantity"))
        .col(scaled("unit_price"))
        .col(scaled("total"));
    tenant_ref(&mut t, "sale_line_item", "sale_id", "sale", Cascade);
    tables.push(t);

    let mut t = tenant_table("sale_status_event");
    t.col(uuid("sale_id"))
        .col(string("label"))
        .col(string_len_null("status", 64))
        .col(timestamp_with_time_zone("changed_at"));
    tenant_ref(&mut t, "sale_status_event", "sale_id", "sale", Cascade);
    tables.push(t);

    tables
}

/// Secondary indexes: every foreign key not already leading a key, and every column the seeds
/// filter or sort on, each behind `organization_id` and followed by `id` for keyset paging.
const INDEXES: &[(&str, &[&str])] = &[
    ("user", &["organization_id", "email"]),
    ("user", &["organization_id", "name", "id"]),
    ("api_key", &["organization_id", "user_id"]),
    ("company", &["organization_id", "name", "id"]),
    ("company", &["organization_id", "deleted_at"]),
    ("contact", &["organization_id", "company_id", "id"]),
    (
        "contact",
        &["organization_id", "last_name", "first_name", "id"],
    ),
    ("contact", &["organization_id", "email"]),
    ("pipeline", &["organization_id", "position", "id"]),
    (
        "stage",
        &["organization_id", "pipeline_id", "position", "id"],
    ),
    ("deal", &["organization_id", "pipeline_id", "id"]),
    ("deal", &["organization_id", "stage_id", "id"]),
    ("deal", &["organization_id", "contact_id", "id"]),
    ("deal", &["organization_id", "company_id", "id"]),
    ("deal", &["organization_id", "owner_id", "id"]),
    ("deal", &["organization_id", "status", "id"]),
    ("deal", &["organization_id", "priority", "id"]),
    ("deal", &["organization_id", "title", "id"]),
    ("deal", &["organization_id", "value", "id"]),
    ("deal", &["organization_id", "created_at", "id"]),
    ("deal", &["organization_id", "updated_at", "id"]),
    ("deal", &["organization_id", "expected_close_date", "id"]),
    ("deal", &["organization_id", "stage_changed_at", "id"]),
    ("deal", &["organization_id", "last_activity_at", "id"]),
    ("deal", &["organization_id", "closed_at", "id"]),
    ("deal", &["organization_id", "archived_at"]),
    ("deal", &["organization_id", "deleted_at"]),
    ("deal_tag", &["organization_id", "tag", "deal_id"]),
    ("deal_follower", &["organization_id", "user_id"]),
    (
        "deal_product",
        &["organization_id", "deal_id", "position", "id"],
    ),
    (
        "stage_change",
        &["organization_id", "deal_id", "changed_at", "id"],
    ),
    ("stage_change", &["organization_id", "to_stage_id"]),
    ("stage_change", &["organization_id", "from_stage_id"]),
    ("stage_change", &["organization_id", "changed_by_id"]),
    (
        "activity",
        &["organization_id", "deal_id", "occurred_at", "id"],
    ),
    ("activity", &["organization_id", "user_id"]),
    ("task", &["organization_id", "deal_id", "due_at", "id"]),
    ("task", &["organization_id", "assignee_id"]),
    ("sale", &["organization_id", "last_activity_at", "id"]),
    (
        "sale",
        &["organization_id", "owner_id", "last_activity_at", "id"],
    ),
    (
        "sale",
        &["organization_id", "company_id", "last_activity_at", "id"],
    ),
    ("sale_contact", &["organization_id", "contact_id"]),
    (
        "sale_line_item",
        &["organization_id", "sale_id", "position", "id"],
    ),
    (
        "sale_status_event",
        &["organization_id", "sale_id", "changed_at", "id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in create_tables() {
            manager.create_table(table).await?;
        }
        for (table, columns) in INDEXES {
            let mut index = Index::create();
            index
                .name(format!("ix_{table}_{}", columns.join("_")))
                .table(*table);
            for column in *columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.into_iter().rev() {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
