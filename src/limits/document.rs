//! Structural limits of a parsed document, checked before validation: operations, aliases,
//! directives, and the size and depth of each operation once its fragments are expanded.
//!
//! A fragment's expanded size is computed once and reused wherever it is spread, so
//! `fragment F0 { ...F1 ...F1 } fragment F1 { ...F2 ...F2 } …` costs one visit per fragment,
//! not 2^n. Fragments are ordered by an explicit-stack depth-first walk, so a long chain of
//! fragments cannot exhaust the stack either.

use super::{
    MAX_ALIASES, MAX_DEPTH, MAX_DIRECTIVES_PER_FIELD, MAX_EXPANDED_FIELDS, MAX_OPERATIONS,
};
use crate::error::AppError;
use async_graphql::Positioned;
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use std::collections::HashMap;

/// Longest chain of fragments spreading fragments.
pub const MAX_FRAGMENT_CHAIN: usize = 50;

/// A selection set's size once expanded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    /// Fields selected, counting every spread of a fragment again.
    pub fields: u64,
    /// Deepest field nesting.
    pub depth: usize,
    /// Longest chain of fragment spreads.
    pub chain: usize,
}

/// LIMIT_EXCEEDED when `document` is too large in any of the ways above; a fragment cycle
/// is GRAPHQL_VALIDATION_FAILED.
pub fn check(document: &ExecutableDocument) -> Result<(), AppError> {
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(ops) => ops.values().collect(),
    };
    if operations.len() > MAX_OPERATIONS {
        return Err(limit(format!(
            "the document defines more than {MAX_OPERATIONS} operations"
        )));
    }
    let mut written = Written::default();
    for op in &operations {
        written.directives(&op.node.directives)?;
        written.visit(&op.node.selection_set.node)?;
    }
    for fragment in document.fragments.values() {
        written.directives(&fragment.node.directives)?;
        written.visit(&fragment.node.selection_set.node)?;
    }
    let fragments = expand_fragments(document)?;
    for op in operations {
        let size = expanded(&op.node.selection_set.node, &fragments);
        if size.fields > MAX_EXPANDED_FIELDS {
            return Err(limit(format!(
                "the query selects {} fields once fragments are expanded; at most \
                 {MAX_EXPANDED_FIELDS}",
                size.fields
            )));
        }
        if size.depth > MAX_DEPTH {
            return Err(limit(format!(
                "the query nests {} levels deep; at most {MAX_DEPTH}",
                size.depth
            )));
        }
        if size.chain > MAX_FRAGMENT_CHAIN {
            return Err(limit(format!(
                "fragments spread fragments {} levels deep; at most {MAX_FRAGMENT_CHAIN}",
                size.chain
            )));
        }
    }
    Ok(())
}

fn limit(message: String) -> AppError {
    AppError::LimitExceeded(message)
}

/// Counts of what the document writes (aliases), and directives per place.
#[derive(Default)]
struct Written {
    aliases: usize,
}

impl Written {
    fn directives(&self, directives: &[Positioned<Directive>]) -> Result<(), AppError> {
        if directives.len() > MAX_DIRECTIVES_PER_FIELD {
            return Err(limit(format!(
                "a field carries {} directives; at most {MAX_DIRECTIVES_PER_FIELD}",
                directives.len()
            )));
        }
        Ok(())
    }

    fn visit(&mut self, set: &SelectionSet) -> Result<(), AppError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    if field.node.alias.is_some() {
                        self.aliases += 1;
                        if self.aliases > MAX_ALIASES {
                            return Err(limit(format!(
                                "the document has more than {MAX_ALIASES} aliases"
                            )));
                        }
                    }
                    self.directives(&field.node.directives)?;
                    self.visit(&field.node.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => self.directives(&spread.node.directives)?,
                Selection::InlineFragment(inline) => {
                    self.directives(&inline.node.directives)?;
                    self.visit(&inline.node.selection_set.node)?;
                }
            }
        }
        Ok(())
    }
}

/// Every fragment's expanded size, dependencies first; a cycle is an error.
fn expand_fragments(document: &ExecutableDocument) -> Result<HashMap<&str, Expanded>, AppError> {
    let mut done: HashMap<&str, Expanded> = HashMap::new();
    let mut open: HashMap<&str, ()> = HashMap::new();
    for root in document.fragments.keys() {
        let mut stack = vec![(root.as_str(), false)];
        while let Some((name, children_done)) = stack.pop() {
            if done.contains_key(name) {
                continue;
            }
            let Some(fragment) = document.fragments.get(name) else {
                continue; // an unknown fragment: validation reports it
            };
            let set = &fragment.node.selection_set.node;
            if children_done {
                open.remove(name);
                done.insert(name, expanded(set, &done));
                continue;
            }
            if open.insert(name, ()).is_some() {
                return Err(AppError::validation(format!(
                    "fragment \"{name}\" spreads itself (a fragment cycle)"
                )));
            }
            stack.push((name, true));
            let mut spreads = Vec::new();
            spread_names(set, &mut spreads);
            for spread in spreads {
                if open.contains_key(spread) {
                    return Err(AppError::validation(format!(
                        "fragment \"{spread}\" spreads itself (a fragment cycle)"
                    )));
                }
                if !done.contains_key(spread) {
                    stack.push((spread, false));
                }
            }
        }
    }
    Ok(done)
}

/// The names of the fragments `set` spreads, at any nesting of its own.
fn spread_names<'a>(set: &'a SelectionSet, out: &mut Vec<&'a str>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => spread_names(&field.node.selection_set.node, out),
            Selection::FragmentSpread(spread) => out.push(spread.node.fragment_name.node.as_str()),
            Selection::InlineFragment(inline) => spread_names(&inline.node.selection_set.node, out),
        }
    }
}

/// The expanded size of `set`, given the expanded sizes of the fragments it spreads.
fn expanded(set: &SelectionSet, fragments: &HashMap<&str, Expanded>) -> Expanded {
    let mut total = Expanded::default();
    for item in &set.items {
        let part = match &item.node {
            Selection::Field(field) => {
                let inner = expanded(&field.node.selection_set.node, fragments);
                Expanded {
                    fields: inner.fields.saturating_add(1),
                    depth: inner.depth + 1,
                    chain: inner.chain,
                }
            }
            Selection::FragmentSpread(spread) => {
                let inner = fragments
                    .get(spread.node.fragment_name.node.as_str())
                    .copied()
                    .unwrap_or_default();
                Expanded {
                    chain: inner.chain + 1,
                    ..inner
                }
            }
            Selection::InlineFragment(inline) => {
                expanded(&inline.node.selection_set.node, fragments)
            }
        };
        total.fields = total.fields.saturating_add(part.fields);
        total.depth = total.depth.max(part.depth);
        total.chain = total.chain.max(part.chain);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn run(query: &str) -> Result<(), String> {
        let document = parse_query(query).map_err(|e| e.to_string())?;
        check(&document).map_err(|e| e.message())
    }

    #[test]
    fn fragment_fan_out_is_measured_in_linear_time() {
        let mut query = String::from("{ ...F0 }\n");
        for i in 0..40 {
            query.push_str(&format!(
                "fragment F{i} on Query {{ ...F{n} ...F{n} }}\n",
                n = i + 1
            ));
        }
        query.push_str("fragment F40 on Query { viewer { scope } }\n");
        let err = run(&query).expect_err("2^40 fields");
        assert!(err.contains("fields once fragments are expanded"), "{err}");
    }

    #[test]
    fn cycles_and_chains_are_refused() {
        let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { viewer { ...C } } fragment C on Viewer { ...B }";
        assert!(run(cycle).expect_err("cycle").contains("cycle"));
        let self_spread = "{ ...A } fragment A on Query { ...A }";
        assert!(run(self_spread).expect_err("cycle").contains("cycle"));
        let mut chain = String::from("{ ...F0 }\n");
        for i in 0..60 {
            chain.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
        }
        chain.push_str("fragment F60 on Query { viewer { scope } }\n");
        assert!(run(&chain).expect_err("chain").contains("levels deep"));
    }

    #[test]
    fn ordinary_documents_pass() {
        assert_eq!(
            run(
                "query A { ...F ...F } query B { viewer { scope } } fragment F on Query { deals { nodes { id } } }"
            ),
            Ok(())
        );
    }

    #[test]
    fn aliases_and_directives_are_counted_as_written() {
        let aliases: String = (0..=MAX_ALIASES)
            .map(|i| format!("a{i}: viewer {{ scope }} "))
            .collect();
        assert!(run(&format!("{{ {aliases} }}")).is_err());
        let directives = "@skip(if: false) ".repeat(MAX_DIRECTIVES_PER_FIELD + 1);
        assert!(run(&format!("{{ viewer {directives} {{ scope }} }}")).is_err());
    }
}
