//! Parsed documents, remembered by their text: a client sends the same few documents over
//! and over, and parsing one was a third of the server's work on a deal with its products and
//! history (callgrind, Q2 of the peer benchmark). A document is remembered once it has passed
//! the lexer and the document checks, so a remembered one skips them too; everything that
//! depends on the request's variables (inputs, cost, validation) runs on every request.
//!
//! The cache is per process, bounded by an estimate of the parsed documents' size
//! ([`MAX_BYTES`]), and holds nothing of any organisation: only the parse of a text, found
//! again by exactly that text.

use async_graphql::parser::types::ExecutableDocument;
use moka::sync::Cache;
use std::sync::Arc;

/// Most bytes the remembered documents may take (estimated).
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;
/// Longest text remembered: a longer document is parsed every time.
pub const MAX_TEXT: usize = 64 * 1024;
/// How many bytes a parsed document takes per byte of its text, about.
const PARSED_PER_TEXT_BYTE: usize = 12;

/// Documents by their text.
pub struct ParsedDocuments {
    documents: Cache<String, Arc<ExecutableDocument>>,
}

impl Default for ParsedDocuments {
    fn default() -> Self {
        let documents = Cache::builder()
            .max_capacity(MAX_BYTES)
            .weigher(|text: &String, _: &Arc<ExecutableDocument>| {
                u32::try_from(text.len() * (1 + PARSED_PER_TEXT_BYTE)).unwrap_or(u32::MAX)
            })
            .build();
        Self { documents }
    }
}

impl ParsedDocuments {
    /// The document of `text`, when it was parsed and admitted before.
    pub fn get(&self, text: &str) -> Option<Arc<ExecutableDocument>> {
        self.documents.get(text)
    }

    /// Remembers the parse of `text` (when it is at most [`MAX_TEXT`] long).
    pub fn remember(&self, text: String, document: &ExecutableDocument) {
        if text.len() <= MAX_TEXT {
            self.documents.insert(text, Arc::new(document.clone()));
        }
    }
}
