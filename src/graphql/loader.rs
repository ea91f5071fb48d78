//! [`DbLoader`]: the one batch loader over the database, created per request.
//!
//! Each domain implements `Loader<K>` for it with its own newtype keys (`UserId`, …) in its
//! `loader.rs`. A loader carries the caller's organisation and filters every statement by
//! it, and lives for one request only, so neither its cache nor its scope crosses requests.

use async_graphql::dataloader::DataLoader;
use sea_orm::{DatabaseConnection, prelude::Uuid};

/// Loads rows of one organisation in batches.
pub struct DbLoader {
    /// The pool to read from.
    pub db: DatabaseConnection,
    /// The organisation every statement is filtered by.
    pub organization_id: Uuid,
}

/// The per-request loaders, as resolvers find them in the request data.
pub type Loaders = DataLoader<DbLoader>;

impl DbLoader {
    /// Loaders for one request of `organization_id`.
    pub fn for_request(db: DatabaseConnection, organization_id: Uuid) -> Loaders {
        DataLoader::new(
            Self {
                db,
                organization_id,
            },
            tokio::spawn,
        )
    }
}
