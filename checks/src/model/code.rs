//! Finding codes: the stable kebab-case word a [`Finding`](crate::model::report::Finding)
//! carries, declared by the check that emits it, beside its logic.
//!
//! Each check module declares its codes as constants (`pub const ZERO_WIDTH: Code =
//! Code::fail("zero-width", "…")`), lists them in its `check!` declaration (`codes: &[…]`),
//! and builds its findings from those constants: a code, its severities and its meaning
//! are written once. `docs/checks.md` lists each check's codes; a test compares that list
//! with the registry's metadata. JSON consumers, `--format github` annotations and the
//! diagnosis match on the code, so a code is only ever added or collapsed (see
//! CHANGELOG), never reworded.
//!
//! The same word may name codes of two checks (`similar-variable` in `key-source` and in
//! `dotenv-file`): a code is only meaningful together with its check id.

use crate::model::report::Severity;

/// One finding code: its word, the severities its findings can have, its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The kebab-case word, as in `Finding::code`.
    pub name: &'static str,
    /// The severities a finding with this code can have, worst first; a finding built
    /// with [`Finding::new`](crate::model::report::Finding::new) takes the first.
    pub severities: &'static [Severity],
    /// What a finding with this code says, in one line (no final period).
    pub meaning: &'static str,
}

impl Code {
    /// A code whose findings always fail.
    pub const fn fail(name: &'static str, meaning: &'static str) -> Code {
        Code::new(name, &[Severity::Fail], meaning)
    }

    /// A code whose findings always warn.
    pub const fn warn(name: &'static str, meaning: &'static str) -> Code {
        Code::new(name, &[Severity::Warn], meaning)
    }

    /// A code whose findings are always informational.
    pub const fn info(name: &'static str, meaning: &'static str) -> Code {
        Code::new(name, &[Severity::Info], meaning)
    }

    /// A code whose severity depends on the case (the meaning says when), worst first.
    pub const fn new(
        name: &'static str,
        severities: &'static [Severity],
        meaning: &'static str,
    ) -> Code {
        Code {
            name,
            severities,
            meaning,
        }
    }

    /// The severity of a finding built from this code alone: the worst it allows.
    pub const fn severity(&self) -> Severity {
        self.severities[0]
    }

    /// Whether a finding with this code may have this severity.
    pub fn allows(&self, severity: Severity) -> bool {
        self.severities.contains(&severity)
    }

    /// The severities as `docs/checks.md` writes them: `fail`, `warn or info`.
    pub fn severities_text(&self) -> String {
        self.severities
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// The line `docs/checks.md` (and `docs/capture.md`) write for this code.
    pub fn doc_line(&self) -> String {
        format!(
            "- `{}` ({}): {}",
            self.name,
            self.severities_text(),
            self.meaning
        )
    }
}

/// Whether `s` has the form of a code: lowercase ASCII words and digits joined by `-`.
pub fn is_kebab_case(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Problems with a list of codes (one owner's: a check, or capture): not kebab-case,
/// listed twice, severities not distinct and worst first, a meaning that is not one
/// capitalised line without a final period. Empty when the list is sound.
pub fn problems(owner: &str, codes: &[Code]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for code in codes {
        let at = format!("{owner} / {}", code.name);
        let m = code.meaning;
        let checks = [
            (is_kebab_case(code.name), "not kebab-case"),
            (seen.insert(code.name), "listed twice"),
            (!code.severities.is_empty(), "no severity"),
            (
                code.severities.windows(2).all(|w| w[0] > w[1]),
                "severities must be distinct, worst first",
            ),
            (!m.trim().is_empty(), "empty meaning"),
            (!m.contains(['\n', '\r']), "meaning on more than one line"),
            (m == m.trim(), "meaning has outer whitespace"),
            (!m.ends_with('.'), "meanings end without a period"),
            (
                m.starts_with(|c: char| c.is_uppercase()) || m.starts_with('/'),
                "meanings start with a capital letter",
            ),
        ];
        out.extend(
            checks
                .into_iter()
                .filter(|(ok, _)| !ok)
                .map(|(_, what)| format!("{at}: {what}")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_and_doc_line() {
        const C: Code = Code::new(
            "similar-variable",
            &[Severity::Warn, Severity::Info],
            "Another variable",
        );
        assert_eq!(C.severity(), Severity::Warn);
        assert!(C.allows(Severity::Info) && !C.allows(Severity::Fail));
        assert_eq!(
            C.doc_line(),
            "- `similar-variable` (warn or info): Another variable"
        );
        assert!(problems("x", &[C]).is_empty());
    }

    #[test]
    fn problems_are_named() {
        let bad = [
            Code::fail("Not-Kebab", "fine"),
            Code::new(
                "order",
                &[Severity::Info, Severity::Fail],
                "Ends with a period.",
            ),
            Code::fail("order", "Two\nlines"),
        ];
        let p = problems("c", &bad);
        for want in [
            "c / Not-Kebab: not kebab-case",
            "c / Not-Kebab: meanings start with a capital letter",
            "c / order: severities must be distinct, worst first",
            "c / order: meanings end without a period",
            "c / order: listed twice",
            "c / order: meaning on more than one line",
        ] {
            assert!(p.iter().any(|x| x == want), "{want} in {p:?}");
        }
    }

    #[test]
    fn kebab_case() {
        for (s, ok) in [
            ("zero-width", true),
            ("tls12", true),
            ("", false),
            ("a--b", false),
            ("-a", false),
            ("A", false),
            ("a_b", false),
        ] {
            assert_eq!(is_kebab_case(s), ok, "{s:?}");
        }
    }
}
