//! Wording shared by findings and the diagnosis.

/// "DAM", "DAM and Catalog", "A, B and C".
pub fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `s` with its first word lowered when it is an ordinary capitalised word, to continue a
/// sentence ("The lookup failed" → "the lookup failed"); "DAM and Catalog…" stays.
pub fn lowercase_first(s: &str) -> String {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => a
            .to_lowercase()
            .chain(std::iter::once(b))
            .chain(it)
            .collect(),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_english() {
        // (names, joined)
        let table: &[(&[&str], &str)] = &[
            (&[], ""),
            (&["DAM"], "DAM"),
            (&["DAM", "Catalog"], "DAM and Catalog"),
            (&["a", "b", "c"], "a, b and c"),
        ];
        for (names, want) in table {
            assert_eq!(join_names(names), *want);
        }
    }

    #[test]
    fn only_an_ordinary_capitalised_word_is_lowered() {
        for (given, want) in [
            ("The lookup failed", "the lookup failed"),
            ("DAM and Catalog answered", "DAM and Catalog answered"),
            ("É", "É"),
            ("", ""),
        ] {
            assert_eq!(lowercase_first(given), want);
        }
    }
}
