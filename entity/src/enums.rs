//! The closed sets of values stored as text: statuses, priorities, methods, scopes.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a deal stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DealStatus {
    /// In the pipeline.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Closed as won.
    #[sea_orm(string_value = "WON")]
    Won,
    /// Closed as lost.
    #[sea_orm(string_value = "LOST")]
    Lost,
}

/// How urgent a deal or a task is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Priority {
    /// Low.
    #[sea_orm(string_value = "LOW")]
    Low,
    /// Medium (the default).
    #[sea_orm(string_value = "MEDIUM")]
    Medium,
    /// High.
    #[sea_orm(string_value = "HIGH")]
    High,
}

/// How a line item's discount is expressed.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DiscountType {
    /// A percentage of quantity × unit price.
    #[sea_orm(string_value = "PERCENTAGE")]
    Percentage,
    /// A fixed amount off the line.
    #[sea_orm(string_value = "AMOUNT")]
    Amount,
}

/// How a line item's tax applies (Pipedrive's tax methods).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TaxMethod {
    /// Tax is added on top of the price.
    #[sea_orm(string_value = "EXCLUSIVE")]
    Exclusive,
    /// The price already includes the tax.
    #[sea_orm(string_value = "INCLUSIVE")]
    Inclusive,
    /// No tax.
    #[sea_orm(string_value = "NONE")]
    None,
}

/// How often a product line is billed (Pipedrive's billing frequency).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BillingFrequency {
    /// Once.
    #[sea_orm(string_value = "ONE_TIME")]
    OneTime,
    /// Every week.
    #[sea_orm(string_value = "WEEKLY")]
    Weekly,
    /// Every month.
    #[sea_orm(string_value = "MONTHLY")]
    Monthly,
    /// Every quarter.
    #[sea_orm(string_value = "QUARTERLY")]
    Quarterly,
    /// Every six months.
    #[sea_orm(string_value = "SEMI_ANNUALLY")]
    SemiAnnually,
    /// Every year.
    #[sea_orm(string_value = "ANNUALLY")]
    Annually,
}

/// What a line of a sale's quote stands for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum QuoteLineKind {
    /// A product line (or the deal itself, for a deal without products).
    #[sea_orm(string_value = "PRODUCT")]
    Product,
    /// A discount of the whole deal (a negative total).
    #[sea_orm(string_value = "DISCOUNT")]
    Discount,
    /// The difference between the final value a deal was won at and its products' value.
    #[sea_orm(string_value = "ADJUSTMENT")]
    Adjustment,
}

/// What an API key may do.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ApiKeyScope {
    /// Queries only.
    #[sea_orm(string_value = "READ")]
    Read,
    /// Queries and mutations.
    #[sea_orm(string_value = "READ_WRITE")]
    ReadWrite,
}

/// The kind of an activity logged on a deal (Rex).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ActivityType {
    /// A phone call.
    #[sea_orm(string_value = "CALL")]
    Call,
    /// A meeting.
    #[sea_orm(string_value = "MEETING")]
    Meeting,
    /// An email.
    #[sea_orm(string_value = "EMAIL")]
    Email,
    /// A note.
    #[sea_orm(string_value = "NOTE")]
    Note,
    /// A demo.
    #[sea_orm(string_value = "DEMO")]
    Demo,
    /// A status change of the deal itself (won, lost, reopened).
    #[sea_orm(string_value = "STATUS_CHANGE")]
    StatusChange,
}

/// Whether an activity has happened (Rex).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ActivityStatus {
    /// Planned.
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    /// Done.
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    /// Called off.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// Where a task stands (Rex).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TaskStatus {
    /// Not started.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Being worked on.
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    /// Done.
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
}
