//! The registry against the check registry and against `docs/checks.md`.

use super::*;
use std::collections::HashSet;

/// The published checks documentation: one `## <check-id>` section per check.
const CHECKS_MD: &str = include_str!("../../../../docs/checks.md");

const PARAGRAPH: &str = "**Finding codes.**";

#[test]
fn every_registered_check_has_an_entry_in_registry_order() {
    let ids: Vec<&str> = crate::registry().iter().map(|c| c.meta().id).collect();
    let entries: Vec<&str> = CODES.iter().map(|c| c.check).collect();
    assert_eq!(
        entries, ids,
        "codes::CODES must list every check of registry(), in the same order"
    );
}

#[test]
fn codes_are_kebab_case_unique_and_documented_in_one_line() {
    for c in CODES {
        assert!(
            !c.codes.is_empty(),
            "{}: a check without finding codes",
            c.check
        );
        let mut seen = HashSet::new();
        for code in c.codes {
            let at = format!("{} / {}", c.check, code.code);
            assert!(is_kebab_case(code.code), "{at}: not kebab-case");
            assert!(seen.insert(code.code), "{at}: listed twice");
            assert!(!code.severities.is_empty(), "{at}: no severity");
            assert!(
                code.severities.windows(2).all(|w| w[0] > w[1]),
                "{at}: severities must be distinct, worst first"
            );
            let m = code.meaning;
            assert!(!m.trim().is_empty(), "{at}: empty meaning");
            assert!(
                !m.contains('\n') && !m.contains('\r'),
                "{at}: one line only"
            );
            assert_eq!(m, m.trim(), "{at}: meaning has outer whitespace");
            assert!(!m.ends_with('.'), "{at}: meanings end without a period");
            assert!(
                m.starts_with(|ch: char| ch.is_uppercase()) || m.starts_with('/'),
                "{at}: meanings start with a capital letter"
            );
        }
    }
}

#[test]
fn lookups() {
    assert_eq!(codes_of("no-such-check"), None);
    assert!(is_known("hidden-characters", "zero-width"));
    assert!(!is_known("hidden-characters", "trailing-newline"));
    assert!(!is_known("no-such-check", "zero-width"));
    let c = lookup("key-source", "similar-variable").unwrap();
    assert!(c.allows(Severity::Warn) && c.allows(Severity::Info));
    assert!(!c.allows(Severity::Fail));
    assert_eq!(c.severities_text(), "warn or info");
    assert_eq!(
        checks_using("similar-variable"),
        ["key-source", "dotenv-file"]
    );
}

/// The `**Finding codes.**` list of a check, as `docs/checks.md` must write it.
fn expected_lines(c: &CheckCodes) -> Vec<String> {
    c.codes
        .iter()
        .map(|x| format!("- `{}` ({}): {}", x.code, x.severities_text(), x.meaning))
        .collect()
}

/// The `## <id>` sections of the docs, in order, with their text.
fn sections() -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let mut rest = CHECKS_MD;
    while let Some(start) = rest.find("\n## ") {
        let body = &rest[start + 4..];
        let id_end = body.find('\n').unwrap_or(body.len());
        let next = body.find("\n## ").unwrap_or(body.len());
        out.push((body[..id_end].trim(), &body[id_end..next]));
        rest = &body[next..];
    }
    out
}

#[test]
fn docs_list_each_checks_codes_with_the_registry_meaning() {
    let docs = sections();
    let mut problems = Vec::new();
    for c in CODES {
        let want = expected_lines(c);
        let body = docs
            .iter()
            .find(|(id, _)| *id == c.check)
            .map_or("", |(_, b)| *b);
        let at = body.find(PARAGRAPH);
        let fix = body.find("**How to fix.**");
        let example = body.find("**Example.**");
        let got: Vec<&str> = at.map_or(Vec::new(), |at| {
            body[at + PARAGRAPH.len()..]
                .trim_start_matches([' ', '\n'])
                .lines()
                .take_while(|l| l.starts_with("- "))
                .collect()
        });
        let placed = matches!((fix, at, example), (Some(f), Some(a), Some(e)) if f < a && a < e);
        if !placed || got != want {
            problems.push(format!(
                "## {}\n\n{PARAGRAPH}\n{}\n",
                c.check,
                want.join("\n")
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/checks.md must list each check's codes in a {PARAGRAPH} paragraph after **How to fix.** and before **Example.**, as follows:\n\n{}",
        problems.join("\n")
    );
}
