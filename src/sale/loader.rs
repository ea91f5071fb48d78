//! Loading sales and what hangs from them (contacts, quote lines, status events), in batches.

use super::Sale;
use crate::error::AppError;
use crate::graphql::loader::{DbLoader, load_by_id};
use async_graphql::dataloader::Loader;
use entity::{sale, sale_contact, sale_line_item, sale_status_event};
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use std::collections::HashMap;

load_by_id!(SaleId, sale, Sale);

/// Defines a key `$key(Uuid)` loading every `$module` row of a sale, ordered by `$order`.
macro_rules! rows_of_sale {
    ($key:ident, $module:ident, $($order:expr),+) => {
        /// Key: a sale whose rows to load.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub Uuid);

        impl Loader<$key> for DbLoader {
            type Value = Vec<$module::Model>;
            type Error = AppError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Vec<$module::Model>>, AppError> {
                let mut query = $module::Entity::find()
                    .filter($module::Column::OrganizationId.eq(self.organization_id))
                    .filter($module::Column::SaleId.is_in(keys.iter().map(|k| k.0)));
                $(query = query.order_by_asc($order);)+
                let mut rows: HashMap<$key, Vec<$module::Model>> =
                    keys.iter().map(|k| (*k, Vec::new())).collect();
                for row in query.all(&self.db).await? {
                    rows.entry($key(row.sale_id)).or_default().push(row);
                }
                Ok(rows)
            }
        }
    };
}

rows_of_sale!(SaleContacts, sale_contact, sale_contact::Column::ContactId);
rows_of_sale!(
    SaleLines,
    sale_line_item,
    sale_line_item::Column::Position,
    sale_line_item::Column::Id
);
rows_of_sale!(
    SaleEvents,
    sale_status_event,
    sale_status_event::Column::ChangedAt,
    sale_status_event::Column::Id
);

/// Key: the deal whose sale to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SaleOfDeal(pub Uuid);

impl Loader<SaleOfDeal> for DbLoader {
    type Value = Sale;
    type Error = AppError;

    async fn load(&self, keys: &[SaleOfDeal]) -> Result<HashMap<SaleOfDeal, Sale>, AppError> {
        let rows = sale::Entity::find()
            .filter(sale::Column::OrganizationId.eq(self.organization_id))
            .filter(sale::Column::DealId.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|s| s.deal_id.map(|d| (SaleOfDeal(d), Sale(s))))
            .collect())
    }
}
