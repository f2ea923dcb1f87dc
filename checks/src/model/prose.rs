//! Wording shared by findings and the diagnosis.

/// "DAM", "DAM and Catalog", "A, B and C".
pub fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
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
}
