//! Decoding a page's rows by column position rather than by name.
//!
//! SeaORM's derived `FromQueryResult` finds every column by name: a hash lookup per column per
//! row, and for a joined relation (`stage__name`) a `format!` of the prefixed name first. On a
//! 50-deal page with its stage, company, contact and owner that was 2,700 lookups and 1,400
//! allocations, 29 % of the server's CPU under load (perf, Q1). Here the columns of a statement
//! are found once ([`Layout::of`]), and each row is decoded by position.
//!
//! [`DecodeAt`] is implemented with [`decode_at!`], which lists a model's fields in column order;
//! the same list names the columns a relation selects ([`DecodeAt::COLUMNS`]), and a unit test
//! checks it against the entity's own column order.

use crate::error::{AppError, AppResult};
use sea_orm::{DbErr, QueryResult};

/// A model read from consecutive columns of a row.
pub trait DecodeAt: Sized {
    /// Its columns, in the order [`DecodeAt::decode_at`] reads them.
    const COLUMNS: &'static [&'static str];

    /// The model from the columns starting at position `at`.
    fn decode_at(row: &QueryResult, at: usize) -> Result<Self, DbErr>;

    /// The model from the columns starting at `at`, or None when its id (the first column) is
    /// null: a left-joined relation the row does not have.
    fn decode_joined_at(row: &QueryResult, at: usize) -> Result<Option<Self>, DbErr> {
        let id: Option<sea_orm::prelude::Uuid> = row.try_get_by_index(at)?;
        match id {
            Some(_) => Self::decode_at(row, at).map(Some),
            None => Ok(None),
        }
    }
}

/// Implements [`DecodeAt`] for a model from its fields, listed in column order.
macro_rules! decode_at {
    ($model:path { $($field:ident),+ $(,)? }) => {
        impl $crate::graphql::row_decode::DecodeAt for $model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn decode_at(
                row: &sea_orm::QueryResult,
                at: usize,
            ) -> Result<Self, sea_orm::DbErr> {
                let mut position = at..;
                Ok(Self {
                    $($field: row.try_get_by_index(position.next().unwrap_or_default())?,)+
                })
            }
        }
    };
}

/// Where each part of a statement's rows starts.
#[derive(Debug, Default)]
pub struct Layout {
    names: Vec<String>,
}

impl Layout {
    /// The layout of `rows` (read from the first; every row of a statement has the same).
    pub fn of(rows: &[QueryResult]) -> Self {
        Self {
            names: rows
                .first()
                .map(QueryResult::column_names)
                .unwrap_or_default(),
        }
    }

    /// Where `M`'s columns start when each is named `prefix` + its name: the first such
    /// position, checked to hold all of `M`'s columns in order (any position when there are
    /// no rows).
    pub fn start_of<M: DecodeAt>(&self, prefix: &str) -> AppResult<usize> {
        self.start_of_after::<M>(prefix, 0)
    }

    /// [`Layout::start_of`], looking only at positions from `from` on: the part of a
    /// statement that selects several lists side by side.
    pub fn start_of_after<M: DecodeAt>(&self, prefix: &str, from: usize) -> AppResult<usize> {
        if self.names.is_empty() {
            // No rows: nothing will be decoded.
            return Ok(0);
        }
        let named = |position: usize, column: &str| {
            self.names.get(position).is_some_and(|name| {
                name.len() == prefix.len() + column.len()
                    && name.starts_with(prefix)
                    && name.ends_with(column)
            })
        };
        let start = (from..self.names.len())
            .find(|&position| named(position, M::COLUMNS[0]))
            .ok_or_else(|| AppError::internal("a page's columns are not where expected"))?;
        let in_order = M::COLUMNS
            .iter()
            .enumerate()
            .all(|(offset, column)| named(start + offset, column));
        if in_order {
            Ok(start)
        } else {
            Err(AppError::internal(
                "a page's columns are not in the expected order",
            ))
        }
    }

    /// The positions of the columns named `name`, in order.
    pub fn positions_of(&self, name: &str) -> Vec<usize> {
        (0..self.names.len())
            .filter(|&position| self.names[position] == name)
            .collect()
    }
}

decode_at!(entity::deal::Model {
    id,
    organization_id,
    title,
    value,
    currency,
    status,
    pipeline_id,
    stage_id,
    contact_id,
    company_id,
    owner_id,
    expected_close_date,
    priority,
    source,
    custom_fields,
    lost_reason,
    won_at,
    lost_at,
    closed_at,
    stage_changed_at,
    last_activity_at,
    archived_at,
    deleted_at,
    created_at,
    updated_at,
    version,
    created_by_id,
    value_adjustment,
});

decode_at!(entity::stage::Model {
    id,
    organization_id,
    pipeline_id,
    name,
    position,
    probability,
    created_at,
    updated_at,
    deleted_at,
});

decode_at!(entity::pipeline::Model {
    id,
    organization_id,
    name,
    position,
    created_at,
    updated_at,
    stalled_after_days,
});

decode_at!(entity::company::Model {
    id,
    organization_id,
    name,
    domain,
    created_at,
    updated_at,
    deleted_at,
});

decode_at!(entity::contact::Model {
    id,
    organization_id,
    company_id,
    first_name,
    last_name,
    email,
    phone,
    created_at,
    updated_at,
    deleted_at,
});

decode_at!(entity::user::Model {
    id,
    organization_id,
    name,
    email,
    is_active,
    created_at,
    updated_at,
});

decode_at!(entity::deal_product::Model {
    id,
    organization_id,
    deal_id,
    position,
    name,
    sku,
    quantity,
    unit_price,
    discount_type,
    discount,
    tax_percentage,
    tax_method,
    created_at,
    updated_at,
    billing_frequency,
    billing_frequency_cycles,
    billing_start_date,
    comments,
    is_enabled,
});

decode_at!(entity::deal_discount::Model {
    id,
    organization_id,
    deal_id,
    position,
    description,
    discount_type,
    amount,
    updated_at,
    created_at,
});

decode_at!(entity::deal_installment::Model {
    id,
    organization_id,
    deal_id,
    description,
    amount,
    billing_date,
    created_at,
});

decode_at!(entity::stage_change::Model {
    id,
    organization_id,
    deal_id,
    from_stage_id,
    to_stage_id,
    changed_at,
    changed_by_id,
    note,
});

decode_at!(entity::activity::Model {
    id,
    organization_id,
    deal_id,
    user_id,
    activity_type,
    status,
    subject,
    note,
    occurred_at,
    created_at,
});

decode_at!(entity::task::Model {
    id,
    organization_id,
    deal_id,
    assignee_id,
    title,
    priority,
    status,
    due_at,
    completed_at,
    created_at,
    updated_at,
});

decode_at!(entity::deal_participant::Model {
    id,
    organization_id,
    deal_id,
    contact_id,
    added_by_id,
    created_at,
});

decode_at!(entity::deal_event::Model {
    id,
    organization_id,
    sequence,
    deal_id,
    event_type,
    changes,
    user_id,
    api_key_id,
    occurred_at,
    pipeline_id,
    stage_id,
    owner_id,
});

#[cfg(test)]
mod tests {
    use super::DecodeAt;
    use sea_orm::{EntityTrait, IdenStatic, Iterable};

    fn entity_columns<E: EntityTrait>() -> Vec<&'static str> {
        E::Column::iter().map(|c| c.as_str()).collect()
    }

    #[test]
    fn each_model_decodes_its_entitys_columns_in_the_entitys_order() {
        use entity::{activity, deal_event, deal_product, stage_change, task};
        use entity::{company, contact, deal, pipeline, stage, user};
        assert_eq!(deal::Model::COLUMNS, entity_columns::<deal::Entity>());
        assert_eq!(stage::Model::COLUMNS, entity_columns::<stage::Entity>());
        assert_eq!(
            pipeline::Model::COLUMNS,
            entity_columns::<pipeline::Entity>()
        );
        assert_eq!(company::Model::COLUMNS, entity_columns::<company::Entity>());
        assert_eq!(contact::Model::COLUMNS, entity_columns::<contact::Entity>());
        assert_eq!(user::Model::COLUMNS, entity_columns::<user::Entity>());
        assert_eq!(
            deal_product::Model::COLUMNS,
            entity_columns::<deal_product::Entity>()
        );
        assert_eq!(
            stage_change::Model::COLUMNS,
            entity_columns::<stage_change::Entity>()
        );
        assert_eq!(
            activity::Model::COLUMNS,
            entity_columns::<activity::Entity>()
        );
        assert_eq!(task::Model::COLUMNS, entity_columns::<task::Entity>());
        assert_eq!(
            deal_event::Model::COLUMNS,
            entity_columns::<deal_event::Entity>()
        );
        assert_eq!(
            entity::deal_participant::Model::COLUMNS,
            entity_columns::<entity::deal_participant::Entity>()
        );
        assert_eq!(
            entity::deal_discount::Model::COLUMNS,
            entity_columns::<entity::deal_discount::Entity>()
        );
        assert_eq!(
            entity::deal_installment::Model::COLUMNS,
            entity_columns::<entity::deal_installment::Entity>()
        );
    }
}
