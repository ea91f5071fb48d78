//! Counts a document's tokens and bracket nesting without parsing it, so a huge or deeply
//! nested document is refused before the parser spends time or stack on it.

use super::{MAX_NESTING, MAX_TOKENS};
use crate::error::AppError;

/// LIMIT_EXCEEDED when `query` has more than [`MAX_TOKENS`] tokens or nests brackets deeper
/// than [`MAX_NESTING`]. Linear in the length of `query`; stops at the first excess.
pub fn check(query: &str) -> Result<(), AppError> {
    let bytes = query.as_bytes();
    let (mut tokens, mut depth, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' => i = skip_string(bytes, i),
            b'{' | b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(AppError::LimitExceeded(format!(
                        "the document nests brackets deeper than {MAX_NESTING}"
                    )));
                }
                i += 1;
            }
            b'}' | b')' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            _ if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'-' | b'+'))
                {
                    i += 1;
                }
            }
            // Punctuators ($ ! : = @ | &) and anything else the parser will judge.
            _ => i += 1,
        }
        tokens += 1;
        if tokens > MAX_TOKENS {
            return Err(AppError::LimitExceeded(format!(
                "the document has more than {MAX_TOKENS} tokens"
            )));
        }
    }
    Ok(())
}

/// The index just past the string (or block string) that starts at `start`.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    if bytes[start..].starts_with(b"\"\"\"") {
        let mut i = start + 3;
        while i < bytes.len() {
            if bytes[i] == b'\\' && bytes[i..].starts_with(b"\\\"\"\"") {
                i += 4;
            } else if bytes[i..].starts_with(b"\"\"\"") {
                return i + 3;
            } else {
                i += 1;
            }
        }
        return bytes.len();
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' | b'\r' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens_ok(query: &str) -> bool {
        check(query).is_ok()
    }

    #[test]
    fn counts_tokens_not_characters() {
        assert!(tokens_ok(&format!(
            "{{ a(s: \"{}\") }}",
            "x".repeat(100_000)
        )));
        assert!(tokens_ok(&format!("# {}\n{{ a }}", "x".repeat(100_000))));
        assert!(!tokens_ok(&format!("{{ {} }}", "a ".repeat(MAX_TOKENS))));
        assert!(tokens_ok(&format!("{{ {} }}", "a ".repeat(MAX_TOKENS - 2))));
    }

    #[test]
    fn refuses_deep_nesting_before_parsing() {
        assert!(!tokens_ok(&"{a".repeat(MAX_NESTING + 1)));
        assert!(tokens_ok(&"[".repeat(MAX_NESTING)));
        assert!(tokens_ok(
            "{ a(s: \"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\") }"
        ));
    }
}
