//! Partial updates: an optional, nullable input field means "leave", "clear" or "set".

use crate::error::AppResult;
use async_graphql::MaybeUndefined;

/// `None` when the field was left out, `Some(None)` for an explicit null, `Some(Some(v))` for
/// a value, converted (and checked) by `set`.
pub fn patch<T, U>(
    field: &MaybeUndefined<T>,
    set: impl FnOnce(&T) -> AppResult<U>,
) -> AppResult<Option<Option<U>>> {
    Ok(match field {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(set(value)?)),
    })
}

/// Like [`patch`], for conversions that may themselves clear the field (a blank text).
pub fn patch_optional<T, U>(
    field: &MaybeUndefined<T>,
    set: impl FnOnce(&T) -> AppResult<Option<U>>,
) -> AppResult<Option<Option<U>>> {
    Ok(patch(field, set)?.map(Option::flatten))
}
