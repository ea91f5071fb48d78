//! Every input value a request carries, checked before anything runs: variables and the
//! literal arguments of the document. Strings hold at most [`MAX_INPUT_STRING`] bytes and no
//! NUL byte (PostgreSQL cannot store one), lists at most [`MAX_INPUT_LIST`] items, lists and
//! objects nest at most [`MAX_INPUT_DEPTH`] deep, all inputs together at most
//! [`MAX_INPUT_VALUES`] values; a required variable must be given. Each
//! refusal is BAD_USER_INPUT naming the variable (`$filter.search`) or argument
//! (`deals.filter.search`). Fields check their own, narrower limits when they run.

use super::{MAX_INPUT_DEPTH, MAX_INPUT_LIST, MAX_INPUT_STRING, MAX_INPUT_VALUES};
use crate::error::AppError;
use async_graphql::Variables;
use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql_value::{ConstValue, Value};

/// BAD_USER_INPUT for the first input of `operation` (run with `variables`) that breaks a rule.
pub fn check(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
) -> Result<(), AppError> {
    let mut counter = Counter::default();
    for (name, value) in variables.iter() {
        counter.constant(value, &mut format!("${name}"), 0)?;
    }
    for definition in &operation.variable_definitions {
        let definition = &definition.node;
        let given = variables
            .get(&definition.name.node)
            .is_some_and(|v| *v != ConstValue::Null);
        if !definition.var_type.node.nullable && definition.default_value.is_none() && !given {
            return Err(AppError::bad_input(
                format!("${}", definition.name.node),
                format!(
                    "the variable ${} of type {} is required",
                    definition.name.node, definition.var_type.node
                ),
            ));
        }
    }
    counter.set(&operation.selection_set.node)?;
    for fragment in document.fragments.values() {
        counter.set(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

#[derive(Default)]
struct Counter {
    values: usize,
}

impl Counter {
    fn count(&mut self, path: &str) -> Result<(), AppError> {
        self.values += 1;
        if self.values > MAX_INPUT_VALUES {
            return Err(AppError::bad_input(
                path,
                format!("the request carries more than {MAX_INPUT_VALUES} input values"),
            ));
        }
        Ok(())
    }

    fn set(&mut self, set: &SelectionSet) -> Result<(), AppError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        let mut path = format!("{}.{}", field.node.name.node, name.node);
                        self.literal(&value.node, &mut path)?;
                    }
                    self.set(&field.node.selection_set.node)?;
                }
                Selection::FragmentSpread(_) => {}
                Selection::InlineFragment(inline) => self.set(&inline.node.selection_set.node)?,
            }
        }
        Ok(())
    }

    /// A literal argument, its variables (checked on their own) read as null.
    fn literal(&mut self, value: &Value, path: &mut String) -> Result<(), AppError> {
        let value = value
            .clone()
            .into_const_with(|_| Ok::<_, std::convert::Infallible>(ConstValue::Null))
            .unwrap_or(ConstValue::Null);
        self.constant(&value, path, 0)
    }

    fn constant(
        &mut self,
        value: &ConstValue,
        path: &mut String,
        depth: usize,
    ) -> Result<(), AppError> {
        self.count(path)?;
        if depth > MAX_INPUT_DEPTH {
            return Err(AppError::bad_input(
                crate::error::excerpt(path),
                format!("input lists and objects nest at most {MAX_INPUT_DEPTH} deep"),
            ));
        }
        match value {
            ConstValue::String(text) => string(text, path),
            ConstValue::List(items) => {
                list(items.len(), path)?;
                for item in items {
                    self.constant(item, path, depth + 1)?;
                }
                Ok(())
            }
            ConstValue::Object(fields) => {
                for (name, item) in fields {
                    string(name, path)?;
                    let len = path.len();
                    path.push('.');
                    path.push_str(name);
                    self.constant(item, path, depth + 1)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

fn string(text: &str, path: &str) -> Result<(), AppError> {
    if text.len() > MAX_INPUT_STRING {
        return Err(AppError::bad_input(
            path,
            format!("a text input may hold at most {MAX_INPUT_STRING} bytes"),
        ));
    }
    if text.contains('\0') {
        return Err(AppError::bad_input(path, "text must not contain NUL bytes"));
    }
    Ok(())
}

fn list(len: usize, path: &str) -> Result<(), AppError> {
    if len > MAX_INPUT_LIST {
        return Err(AppError::bad_input(
            path,
            format!("a list input may hold at most {MAX_INPUT_LIST} items"),
        ));
    }
    Ok(())
}
