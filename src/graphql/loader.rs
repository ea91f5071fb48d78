//! [`DbLoader`]: the one batch loader over the database, created per request.
//!
//! Each domain implements `Loader<K>` for it with its own newtype keys (`UserId`, …) in its
//! `loader.rs`. A loader carries the caller's organisation and filters every statement by
//! it, and lives for one request only, so neither its cache nor its scope crosses requests
//! (live subscriptions of one organisation share uncached loaders: [`DbLoader::shared`]).

use super::batching::BatchQueue;
use crate::db::reuse::ReadConnection;
use async_graphql::dataloader::{DataLoader, HashMapCache};
use sea_orm::prelude::Uuid;
use std::time::Duration;

/// Loads rows of one organisation in batches.
pub struct DbLoader {
    /// The pool to read from, reusing connections between statements.
    pub db: ReadConnection,
    /// The organisation every statement is filtered by.
    pub organization_id: Uuid,
}

/// The per-request loaders, as resolvers find them in the request data. They cache what they
/// load for the request's lifetime (a row asked twice is read once), never longer.
pub type Loaders = DataLoader<DbLoader, HashMapCache>;

impl DbLoader {
    /// Loaders for one request of `organization_id` whose batches are queued on `queue`, to
    /// be run by [`super::batching::run_with_batches`].
    pub fn queued(db: ReadConnection, organization_id: Uuid, queue: BatchQueue) -> Loaders {
        let loader = Self {
            db,
            organization_id,
        };
        DataLoader::with_cache(loader, queue.spawner(), HashMapCache::default())
            .delay(Duration::ZERO)
    }

    /// Loaders that all the live subscriptions of `organization_id` in this process share:
    /// nothing is cached (each event shows rows as they are when it is sent), but the same
    /// rows asked by many subscribers within [`SHARED_BATCH_DELAY`] are read once.
    pub fn shared(db: ReadConnection, organization_id: Uuid) -> Loaders {
        let loader = Self {
            db,
            organization_id,
        };
        let spawner = |batch| drop(tokio::spawn(batch));
        let loaders = DataLoader::with_cache(loader, spawner, HashMapCache::default())
            .delay(SHARED_BATCH_DELAY);
        loaders.enable_all_cache(false);
        loaders
    }
}

/// How long shared loaders wait for more keys before they read.
pub const SHARED_BATCH_DELAY: Duration = Duration::from_millis(2);

/// Defines a newtype key `$key(Uuid)` and a loader of `$module` rows by id, within the
/// caller's organisation, wrapped as `$wrapper`. `$module` must be in scope (`entity::…`).
macro_rules! load_by_id {
    ($key:ident, $module:ident, $wrapper:ident) => {
        /// Key: the id of a row to load.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub sea_orm::prelude::Uuid);

        impl async_graphql::dataloader::Loader<$key> for $crate::graphql::loader::DbLoader {
            type Value = $wrapper;
            type Error = $crate::error::AppError;

            async fn load(
                &self,
                keys: &[$key],
            ) -> Result<std::collections::HashMap<$key, $wrapper>, Self::Error> {
                use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
                if keys.is_empty() {
                    return Ok(std::collections::HashMap::new());
                }
                let rows = $module::Entity::find()
                    .filter($module::Column::OrganizationId.eq(self.organization_id))
                    .filter($module::Column::Id.is_in(keys.iter().map(|k| k.0)))
                    .all(&self.db)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|row| ($key(row.id), $wrapper(row)))
                    .collect())
            }
        }
    };
}
pub(crate) use load_by_id;
