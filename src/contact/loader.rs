//! Loading contacts by id, within the caller's organisation.

use super::Contact;
use crate::graphql::loader::load_by_id;
use entity::contact;

load_by_id!(ContactId, contact, Contact);
