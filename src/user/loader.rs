//! Loading users by id, within the caller's organisation.

use super::User;
use crate::graphql::loader::load_by_id;
use entity::user;

load_by_id!(UserId, user, User);
