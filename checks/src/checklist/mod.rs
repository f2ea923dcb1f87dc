//! The checks, one folder per item of the troubleshooting checklist, in checklist order;
//! one module per check (module name = check id in snake_case).

pub mod base_url;
pub mod header_present;
pub mod key_loaded;
pub mod no_quotes;
pub mod security;
pub mod works_in_curl;

/// "1 character", "2 characters": a count with its noun in the right number.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
