//! What `explain` knows besides the checks and checklist items: the causes the diagnosis
//! names (the rows of `docs/diagnosis.md`, compiled in), the finding codes of every check
//! and of `capture`, the list of every topic, and close matches for a mistyped one.

use sl_doctor_checks::Check;
use sl_doctor_checks::diagnosis::CauseId;
use sl_doctor_checks::model::code::Code;
use sl_doctor_checks::model::report::Item;

/// The diagnosis documentation: its "Rules" table is what `explain <cause>` prints.
pub const DIAGNOSIS_MD: &str = include_str!("../../docs/diagnosis.md");

/// One row of the rules table: the cause ids it covers, when it is named, its proof and
/// who can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseRow {
    pub ids: Vec<&'static str>,
    pub when: &'static str,
    pub proof: &'static str,
    pub self_fixable: &'static str,
}

/// The backticked words of a table cell.
fn ticked(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// The rows of the `| cause id | when | proof | self-fixable |` table.
pub fn cause_rows() -> Vec<CauseRow> {
    let Some(start) = DIAGNOSIS_MD.find("| cause id |") else {
        return Vec::new();
    };
    DIAGNOSIS_MD[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            match cells.as_slice() {
                [ids, when, proof, fixable] => Some(CauseRow {
                    ids: ticked(ids),
                    when,
                    proof,
                    self_fixable: fixable,
                }),
                _ => None,
            }
        })
        .collect()
}

/// Every check's codes, with the check that owns them.
fn check_codes(registry: &[Box<dyn Check>]) -> Vec<(&'static str, Code)> {
    registry
        .iter()
        .flat_map(|c| {
            let m = c.meta();
            m.codes.iter().map(move |code| (m.id.as_str(), *code))
        })
        .collect()
}

fn who_fixes(self_fixable: &str) -> String {
    match self_fixable {
        "yes" => "you (the fix is in the report)".into(),
        "no" => "Sales Layer support (`sl-doctor support` drafts the email)".into(),
        other => other.to_string(),
    }
}

/// `explain <cause id>`: the row of the rules table, and the finding codes of the same
/// name (a cause and a probe's finding may share a word).
pub fn explain_cause(id: &str, registry: &[Box<dyn Check>]) -> Option<String> {
    let row = cause_rows().into_iter().find(|r| r.ids.contains(&id))?;
    let mut s = format!(
        "{id} — a cause the diagnosis names (see docs/diagnosis.md)\n\nWhen: {}\n",
        row.when
    );
    if row.proof != "—" {
        s.push_str(&format!("Proof: {}\n", row.proof));
    }
    s.push_str(&format!("Who fixes it: {}\n", who_fixes(row.self_fixable)));
    if row.ids.len() > 1 {
        s.push_str(&format!(
            "Causes of the same rule: {}\n",
            row.ids.join(", ")
        ));
    }
    let codes = code_lines(id, registry);
    if !codes.is_empty() {
        s.push_str(&format!("\nAlso a finding code:\n{codes}"));
    }
    Some(s)
}

/// The lines naming every finding code `id`: whose it is, its severities and meaning.
fn code_lines(id: &str, registry: &[Box<dyn Check>]) -> String {
    let mut s = String::new();
    for (check, code) in check_codes(registry)
        .into_iter()
        .filter(|(_, c)| c.name == id)
    {
        s.push_str(&format!(
            "  - of the check {check} ({}): {}; `sl-doctor explain {check}` explains the check\n",
            code.severities_text(),
            code.meaning
        ));
    }
    for code in crate::capture::codes::CODES.iter().filter(|c| c.name == id) {
        s.push_str(&format!(
            "  - of `sl-doctor capture` ({}): {}; see docs/capture.md\n",
            code.severities_text(),
            code.meaning
        ));
    }
    s
}

/// `explain <finding code>`: a code of a check or of capture.
pub fn explain_code(id: &str, registry: &[Box<dyn Check>]) -> Option<String> {
    let lines = code_lines(id, registry);
    (!lines.is_empty()).then(|| format!("{id} — a finding code\n\n{lines}"))
}

/// Every topic `explain` knows, each once: items, checks, `fix`, causes, finding codes.
pub fn all(registry: &[Box<dyn Check>]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Item::ALL.iter().map(|i| i.id()).collect();
    out.extend(registry.iter().map(|c| c.meta().id.as_str()));
    out.push("fix");
    out.extend(cause_rows().into_iter().flat_map(|r| r.ids));
    out.extend(check_codes(registry).into_iter().map(|(_, c)| c.name));
    out.extend(crate::capture::codes::CODES.iter().map(|c| c.name));
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|t| seen.insert(*t));
    out
}

/// Up to three topics close to a mistyped `id`: a small edit away (a typo, a swapped
/// pair), closest first; then topics containing it (or contained in it), in the order of
/// `topics` (items, checks and causes before finding codes).
pub fn suggestions(id: &str, topics: &[&'static str]) -> Vec<&'static str> {
    let id = id.trim().to_ascii_lowercase();
    let mut scored: Vec<(usize, usize, &'static str)> = topics
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let d = strsim::damerau_levenshtein(&id, t);
            let close = d <= 2.max(t.len() / 5);
            let part = id.len() >= 4 && (t.contains(id.as_str()) || id.contains(t));
            (close || part).then_some((if close { d } else { usize::MAX }, i, *t))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, _, t)| t).collect()
}

/// `explain` without a topic: what it explains, and every topic. One line per paragraph
/// (the terminal wraps it), the checks list as `sl-doctor checks` prints it.
pub fn overview(registry: &[Box<dyn Check>]) -> String {
    let mut s = String::from(
        "sl-doctor explain TOPIC prints the documentation of a checklist item, a check, a cause \
         of the diagnosis, a finding code, or `fix`.\n\nChecklist items and their checks:\n",
    );
    s.push_str(&super::list(registry));
    let causes: Vec<&str> = CauseId::RULES.iter().map(|c| c.as_str()).collect();
    s.push_str(&format!(
        "\nCauses the diagnosis names (when no rule fits, it names the failing check):\n  {}\n",
        causes.join(", ")
    ));
    let capture: Vec<&str> = crate::capture::codes::CODES
        .iter()
        .map(|c| c.name)
        .collect();
    s.push_str(&format!(
        "\nFinding codes: `sl-doctor explain CHECK` lists a check's codes, and each code is a topic \
         of its own (e.g. `sl-doctor explain dotenv-quotes`). The codes of `sl-doctor capture`:\n  {}\n",
        capture.join(", ")
    ));
    s.push_str("\nCommands: fix (`sl-doctor fix` repairs the stored key)\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_the_rules_name_has_a_row() {
        let rows = cause_rows();
        for c in CauseId::RULES {
            assert!(
                rows.iter().any(|r| r.ids.contains(&c.as_str())),
                "docs/diagnosis.md has no row for {c}"
            );
        }
        let reg = sl_doctor_checks::registry();
        let text = explain_cause("key-rejected", &reg).unwrap();
        assert!(
            text.contains("When: every probed API rejects the key"),
            "{text}"
        );
        assert!(text.contains("Who fixes it: Sales Layer support"), "{text}");
        assert!(text.contains("of the check dam-probe"), "{text}");
    }

    #[test]
    fn codes_of_checks_and_of_capture_are_explained() {
        let reg = sl_doctor_checks::registry();
        let text = explain_code("dotenv-quotes", &reg).unwrap();
        assert!(text.contains("of the check quoted-value (warn)"), "{text}");
        let text = explain_code("misspelt-key-header", &reg).unwrap();
        assert!(text.contains("of `sl-doctor capture`"), "{text}");
        assert!(explain_code("no-such-code", &reg).is_none());
    }

    #[test]
    fn a_mistyped_topic_gets_close_matches() {
        let topics = all(&sl_doctor_checks::registry());
        let cases: &[(&str, &[&str])] = &[
            ("hidden-charaters", &["hidden-characters"]),
            ("key-rejcted", &["key-rejected"]),
            ("Dotenv-Quotes", &["dotenv-quotes"]),
            ("qwertyuiop", &[]),
            ("proxy", &["proxy-config"]),
            ("rejected", &["key-rejected"]),
        ];
        for (typo, want) in cases {
            let got = suggestions(typo, &topics);
            assert_eq!(
                got.first().copied(),
                want.first().copied(),
                "{typo}: {got:?}"
            );
        }
    }
}
