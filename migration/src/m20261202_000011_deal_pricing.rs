//! Pricing as Pipedrive has it (issue 13):
//!
//! - product lines get a billing frequency (`ONE_TIME` by default, or WEEKLY … ANNUALLY) with
//!   a number of cycles and a start date, comments, and `is_enabled` (a disabled line counts
//!   nowhere);
//! - `deal_discount`: discounts of the whole deal (a percentage or an amount), applied in
//!   order to the total of its lines;
//! - `deal_installment`: how a deal of one-time products is billed, in parts whose sum is the
//!   deal's value;
//! - `deal.value_adjustment`: what a final value given when a deal with products was won
//!   adds to (or takes from) the value its products make;
//! - sale quote lines show their discount and tax, and what kind of line they are (a product,
//!   a deal discount, the adjustment).
//!
//! SQLite adds one column per ALTER TABLE.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn columns() -> Vec<(&'static str, ColumnDef)> {
    vec![
        (
            "deal_product",
            string_len("billing_frequency", 16)
                .default("ONE_TIME")
                .to_owned(),
        ),
        ("deal_product", integer_null("billing_frequency_cycles")),
        ("deal_product", date_null("billing_start_date")),
        ("deal_product", text_null("comments")),
        (
            "deal_product",
            boolean("is_enabled").default(true).to_owned(),
        ),
        ("deal", big_integer_null("value_adjustment")),
        (
            "sale_line_item",
            big_integer("discount").default(0).to_owned(),
        ),
        ("sale_line_item", big_integer("tax").default(0).to_owned()),
        (
            "sale_line_item",
            string_len("kind", 16).default("PRODUCT").to_owned(),
        ),
    ]
}

/// A table of rows of a deal: `id`, `organization_id`, `deal_id` (deleted with the deal),
/// unique `(organization_id, id)`, and the given columns.
fn deal_rows(name: &'static str, columns: Vec<ColumnDef>) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(name)
        .col(uuid("id").primary_key())
        .col(uuid("organization_id"))
        .col(uuid("deal_id"));
    for mut column in columns {
        table.col(&mut column);
    }
    table
        .col(timestamp_with_time_zone("created_at"))
        .index(
            Index::create()
                .name(format!("ux_{name}_org_id"))
                .col("organization_id")
                .col("id")
                .unique(),
        )
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{name}_deal_id"))
                .from_col("organization_id")
                .from_col("deal_id")
                .to_tbl("deal")
                .to_col("organization_id")
                .to_col("id")
                .on_delete(ForeignKeyAction::Cascade),
        );
    table.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in columns() {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        manager
            .create_table(deal_rows(
                "deal_discount",
                vec![
                    integer("position"),
                    string("description"),
                    string_len("discount_type", 16),
                    big_integer("amount"),
                    timestamp_with_time_zone("updated_at"),
                ],
            ))
            .await?;
        manager
            .create_table(deal_rows(
                "deal_installment",
                vec![
                    string("description"),
                    big_integer("amount"),
                    date("billing_date"),
                ],
            ))
            .await?;
        for (table, order) in [
            ("deal_discount", "position"),
            ("deal_installment", "billing_date"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(format!("ix_{table}_list"))
                        .table(table)
                        .col("organization_id")
                        .col("deal_id")
                        .col(order)
                        .col("id")
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["deal_installment", "deal_discount"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for (table, column) in columns().into_iter().rev() {
            let name = column.get_column_name();
            manager
                .alter_table(Table::alter().table(table).drop_column(name).to_owned())
                .await?;
        }
        Ok(())
    }
}
