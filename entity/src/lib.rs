//! SeaORM entities of dealgate: one module per table, no GraphQL in here.
//!
//! Every tenant row carries `organization_id`. Primary keys are UUIDv7: ordered by creation,
//! not enumerable across tenants. Money and other exact quantities are stored as [`Scaled`]
//! integers (ten-thousandths), so sums and comparisons are exact on SQLite and PostgreSQL.

pub mod activity;
pub mod api_key;
pub mod company;
pub mod contact;
pub mod deal;
pub mod deal_discount;
pub mod deal_event;
pub mod deal_follower;
pub mod deal_installment;
pub mod deal_participant;
pub mod deal_product;
pub mod deal_tag;
pub mod enums;
pub mod organization;
pub mod pipeline;
pub mod sale;
pub mod sale_contact;
pub mod sale_line_item;
pub mod sale_status_event;
pub mod scaled;
pub mod stage;
pub mod stage_change;
pub mod task;
pub mod user;

pub use scaled::Scaled;
