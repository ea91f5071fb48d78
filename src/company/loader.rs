//! Loading companies by id, within the caller's organisation.

use super::Company;
use crate::graphql::loader::load_by_id;
use entity::company;

load_by_id!(CompanyId, company, Company);
