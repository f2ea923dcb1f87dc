//! The grammar of the words a report holds besides its text: check ids, finding codes,
//! cause ids and API names. A report read back (`sl-doctor view`) may have been written
//! by someone else; a word that breaks its grammar (markup, a link, a `|`, a line break)
//! is refused before anything renders it. Enums and fingerprints are refused where they
//! are deserialised (their types); free text is escaped by every renderer.
//!
//! A report of this very version must name only the checks, codes and causes this
//! version has; a report of another version may name others, in the same grammar.

use crate::model::check::CheckMeta;
use crate::model::diagnosis::CauseId;
use crate::model::report::{Evidence, Report};
use crate::saleslayer::Api;

/// Longest word accepted (the longest sl-doctor writes is under 40 characters).
const MAX_WORD: usize = 64;

/// What a kebab-case word is, for the message that refuses another.
pub const KEBAB_GRAMMAR: &str = "lowercase letters and digits joined by single hyphens";

/// Whether `s` is a kebab-case word: `[a-z0-9]+(-[a-z0-9]+)*`, at most 64 characters.
pub fn is_kebab_word(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_WORD
        && s.split('-').all(|part| {
            !part.is_empty() && part.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9'))
        })
}

/// One word of a report that breaks its grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// Where, e.g. `checklist[2].checks[0].id`.
    pub at: String,
    /// What the field must be.
    pub expected: String,
    /// The word, neutralised and capped (safe to show).
    pub found: String,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is \"{}\", not {}",
            self.at, self.found, self.expected
        )
    }
}

/// The words of `report` that break their grammar, in report order (empty when none).
pub fn invalid_words(report: &Report) -> Vec<Invalid> {
    let same_version = report.tool.version == env!("CARGO_PKG_VERSION");
    let registry = crate::registry();
    let metas: Vec<&'static CheckMeta> = registry.iter().map(|c| c.meta()).collect();
    let audit = WordAudit {
        metas,
        same_version,
        found: Vec::new(),
    };
    audit.run(report)
}

/// The audit of a report's words: walks them, collecting each that breaks its grammar.
struct WordAudit {
    metas: Vec<&'static CheckMeta>,
    same_version: bool,
    found: Vec<Invalid>,
}

impl WordAudit {
    fn run(mut self, report: &Report) -> Vec<Invalid> {
        for (i, api) in report.target.apis.iter().enumerate() {
            self.api(format!("target.apis[{i}]"), api);
        }
        for (i, item) in report.checklist.iter().enumerate() {
            for (j, c) in item.checks.iter().enumerate() {
                let at = format!("checklist[{i}].checks[{j}]");
                let meta = self.check_id(format!("{at}.id"), &c.id);
                for (k, f) in c.findings.iter().enumerate() {
                    self.code(format!("{at}.findings[{k}].code"), &f.code, meta);
                }
                if let Some(Evidence::Probe(p)) = &c.evidence {
                    self.api(format!("{at}.evidence.api"), &p.api);
                }
            }
        }
        for (i, cause) in report.diagnosis.causes.iter().enumerate() {
            let at = format!("diagnosis.causes[{i}]");
            if let CauseId::Check(id) = &cause.id {
                self.check_id(format!("{at}.id"), id);
            }
            for (j, id) in cause.checks.iter().enumerate() {
                self.check_id(format!("{at}.checks[{j}]"), id);
            }
        }
        self.found
    }

    /// Checks a check id; the check's metadata when this version has it.
    fn check_id(&mut self, at: String, id: &str) -> Option<&'static CheckMeta> {
        let meta = self.metas.iter().copied().find(|m| m.id.as_str() == id);
        if meta.is_none() && (self.same_version || !is_kebab_word(id)) {
            let expected = if self.same_version {
                "a check id of this sl-doctor (`sl-doctor explain` lists them)".to_string()
            } else {
                format!("a check id ({KEBAB_GRAMMAR})")
            };
            self.refuse(at, expected, id);
        }
        meta
    }

    /// Checks a finding code: one of its check's codes when the check is known.
    fn code(&mut self, at: String, code: &str, meta: Option<&'static CheckMeta>) {
        let known = meta.is_some_and(|m| m.code(code).is_some());
        let refused = match meta {
            Some(m) if self.same_version && !known => Some(format!("a finding code of {}", m.id)),
            _ if !is_kebab_word(code) => Some(format!("a finding code ({KEBAB_GRAMMAR})")),
            _ => None,
        };
        if let Some(expected) = refused {
            self.refuse(at, expected, code);
        }
    }

    fn api(&mut self, at: String, api: &str) {
        if !Api::ALL.iter().any(|a| a.id() == api) {
            let known: Vec<&str> = Api::ALL.iter().map(|a| a.id()).collect();
            self.refuse(at, format!("an API name ({})", known.join(", ")), api);
        }
    }

    fn refuse(&mut self, at: String, expected: String, found: &str) {
        self.found.push(Invalid {
            at,
            expected,
            found: crate::model::untrusted::neutralise(found, 40),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_words() {
        crate::testing_support::assert_maps(
            is_kebab_word,
            [
                ("key-source", true),
                ("a", true),
                ("http2-probe", true),
                ("", false),
                ("-a", false),
                ("a-", false),
                ("a--b", false),
                ("Key-source", false),
                ("a b", false),
                ("a|b", false),
                ("a\nb", false),
                ("<b>", false),
                ("[l](https://e.vil)", false),
                (&"a".repeat(65), false),
            ],
        );
    }
}
