//! `sl-doctor checks` and `sl-doctor explain [TOPIC]`: the same text as `docs/checks.md`
//! (checks), `docs/diagnosis.md` (causes) and `docs/fix.md`, and the meaning of every
//! finding code; without a topic, the list of them all.
//!
//! The docs files are compiled into the binary, so `explain` can never disagree with the
//! published documentation; tests keep the registry and the files' sections in step.

pub mod topics;

use sl_doctor_checks::Check;
use sl_doctor_checks::model::report::Item;

/// The checks documentation, one `## <id>` section per check.
pub const CHECKS_MD: &str = include_str!("../../docs/checks.md");

/// The `## <id>` sections of `docs/checks.md`, in order, with their text.
pub fn sections() -> Vec<(&'static str, &'static str)> {
    sections_of(CHECKS_MD)
}

/// The `## <title>` sections of a Markdown document, in order, with their text.
pub fn sections_of(md: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let mut rest = md;
    while let Some(start) = rest.find("\n## ") {
        let body = &rest[start + 4..];
        let id_end = body.find('\n').unwrap_or(body.len());
        let id = body[..id_end].trim();
        let next = body.find("\n## ").unwrap_or(body.len());
        out.push((id, body[id_end..next].trim()));
        rest = &body[next..];
    }
    out
}

/// `docs/fix.md`, compiled in like the checks' documentation: `explain fix` prints it.
pub const FIX_MD: &str = include_str!("../../docs/fix.md");

/// The text `explain` prints for a topic: a check or item id, `fix` (the command that
/// repairs a stored key), a cause of the diagnosis or a finding code, if it exists.
pub fn explain(id: &str, registry: &[Box<dyn Check>]) -> Option<String> {
    if id == "fix" {
        return Some(FIX_MD.to_string());
    }
    if let Some(text) = explain_check_or_item(id, registry) {
        return Some(text);
    }
    topics::explain_cause(id, registry).or_else(|| topics::explain_code(id, registry))
}

fn explain_check_or_item(id: &str, registry: &[Box<dyn Check>]) -> Option<String> {
    if let Some(c) = registry.iter().find(|c| *id == c.meta().id) {
        let m = c.meta();
        let body = sections()
            .into_iter()
            .find(|(s, _)| *s == id)
            .map(|(_, b)| b)?;
        return Some(format!("{} — {}\n\n{}\n", m.id, m.title, body));
    }
    let item = Item::from_id(id)?;
    let mut s = format!(
        "{} — {}\n\nChecklist item {} of 6. Its checks:\n",
        item.id(),
        item.title(),
        Item::ALL.iter().position(|i| *i == item).unwrap() + 1
    );
    let mut any = false;
    let width = id_width(registry);
    for c in registry.iter().filter(|c| c.meta().item == item) {
        any = true;
        s.push_str(&format!("  {:<width$}  {}\n", c.meta().id, c.meta().title));
    }
    if !any {
        s.push_str("  (none in this version)\n");
    }
    s.push_str("\n`sl-doctor explain <check-id>` explains one of them.\n");
    Some(s)
}

/// The Markdown of `docs/checks.md` as a terminal shows it: `**bold**` in bold, code
/// spans without their backticks (in cyan when painting), fenced examples indented and
/// without their fences, backslash escapes removed.
pub fn to_terminal(md: &str, t: &crate::term::Term) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            out.push_str("    ");
            out.push_str(line);
        } else if let Some(title) = line
            .strip_prefix('#')
            .map(|h| h.trim_start_matches('#').trim())
        {
            out.push_str(&t.bold(&inline(title, &crate::term::Term::default())));
        } else {
            out.push_str(&inline(line, t));
        }
        out.push('\n');
    }
    out
}

/// One line of prose: bold, code spans and escapes.
fn inline(line: &str, t: &crate::term::Term) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(['`', '*', '\\']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(body) = tail.strip_prefix("**")
            && let Some(end) = body.find("**")
        {
            out.push_str(&t.bold(&body[..end]));
            rest = &body[end + 2..];
        } else if let Some(body) = tail.strip_prefix('`')
            && let Some(end) = body.find('`')
        {
            out.push_str(&t.paint(&body[..end], colored::Color::Cyan));
            rest = &body[end + 1..];
        } else if let Some(c) = tail.strip_prefix('\\').and_then(|b| b.chars().next())
            && c.is_ascii_punctuation()
        {
            out.push(c);
            rest = &tail[1 + c.len_utf8()..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The width of the id column: the longest check id, so every title lines up.
fn id_width(registry: &[Box<dyn Check>]) -> usize {
    registry
        .iter()
        .map(|c| c.meta().id.as_str().len())
        .max()
        .unwrap_or(0)
}

/// The `checks` listing.
pub fn list(registry: &[Box<dyn Check>]) -> String {
    let mut s = String::new();
    let width = id_width(registry);
    for item in Item::ALL {
        s.push_str(&format!("{}  {}\n", item.id(), item.title()));
        for c in registry.iter().filter(|c| c.meta().item == item) {
            let m = c.meta();
            s.push_str(&format!(
                "  {:<width$}  {}{}\n",
                m.id,
                m.title,
                if m.needs_network { " (network)" } else { "" }
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_docs_and_explain_are_in_step() {
        let reg = sl_doctor_checks::registry();
        let ids: Vec<&str> = reg.iter().map(|c| c.meta().id.as_str()).collect();
        let doc_ids: Vec<&str> = sections().iter().map(|(id, _)| *id).collect();
        assert_eq!(
            ids, doc_ids,
            "docs/checks.md sections must match the registry, in order"
        );
        for (id, body) in sections() {
            assert!(
                !body.contains("TODO: What it checks"),
                "docs/checks.md section {id} is unfinished"
            );
            for part in [
                "**What it checks.**",
                "**Why it matters.**",
                "**How to fix.**",
                "**Finding codes.**",
                "**Example.**",
            ] {
                assert!(body.contains(part), "section {id} lacks {part}");
            }
            let text = explain(id, &reg).expect("explain knows every documented id");
            assert!(text.contains(body), "explain {id} prints the docs section");
        }
    }

    /// The first list of `- \`code\` (severity): meaning` lines after `heading` in a
    /// section.
    pub(crate) fn code_lines<'a>(body: &'a str, heading: &str) -> Vec<&'a str> {
        body.find(heading).map_or(Vec::new(), |at| {
            body[at + heading.len()..]
                .lines()
                .skip_while(|l| !l.starts_with("- "))
                .take_while(|l| l.starts_with("- "))
                .collect()
        })
    }

    #[test]
    fn docs_list_each_checks_codes_from_its_metadata() {
        const PARAGRAPH: &str = "**Finding codes.**";
        let docs = sections();
        let mut problems = Vec::new();
        for c in sl_doctor_checks::registry() {
            let m = c.meta();
            let want: Vec<String> = m.codes.iter().map(|x| x.doc_line()).collect();
            let body = docs
                .iter()
                .find(|(id, _)| **id == m.id)
                .map_or("", |(_, b)| *b);
            let (fix, at, example) = (
                body.find("**How to fix.**"),
                body.find(PARAGRAPH),
                body.find("**Example.**"),
            );
            let placed =
                matches!((fix, at, example), (Some(f), Some(a), Some(e)) if f < a && a < e);
            if !placed || code_lines(body, PARAGRAPH) != want {
                problems.push(format!("## {}\n\n{PARAGRAPH}\n{}\n", m.id, want.join("\n")));
            }
        }
        assert!(
            problems.is_empty(),
            "docs/checks.md must list each check's codes in a {PARAGRAPH} paragraph after **How to fix.** and before **Example.**, as follows:\n\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn docs_list_captures_codes_from_its_metadata() {
        const CAPTURE_MD: &str = include_str!("../../docs/capture.md");
        let codes = crate::capture::codes::CODES;
        let problems = sl_doctor_checks::model::code::problems("capture", codes);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let want: Vec<String> = codes.iter().map(|c| c.doc_line()).collect();
        let body = sections_of(CAPTURE_MD)
            .into_iter()
            .find(|(title, _)| *title == "Finding codes")
            .map_or("", |(_, b)| b);
        assert_eq!(
            code_lines(body, ""),
            want,
            "docs/capture.md must have a `## Finding codes` section listing capture's codes (capture::CODES) as follows:\n\n{}\n",
            want.join("\n")
        );
    }

    #[test]
    fn markdown_is_shown_as_terminal_text() {
        let t = crate::term::Term::default();
        for (md, want) in [
            (
                "**What it checks.** The `X-API-KEY` value",
                "What it checks. The X-API-KEY value",
            ),
            ("a \\* star and `\\\"…\\\"`", "a * star and \\\"…\\\""),
            ("```\n✘ quoted-value  x\n```", "    ✘ quoted-value  x"),
            ("## `fix --emit`", "fix --emit"),
            (
                "an unclosed ` tick and * star",
                "an unclosed ` tick and * star",
            ),
        ] {
            assert_eq!(to_terminal(md, &t).trim_end(), want, "{md:?}");
        }
        let text = to_terminal(
            &explain("quoted-value", &sl_doctor_checks::registry()).unwrap(),
            &t,
        );
        assert!(!text.contains("**") && !text.contains("```"), "{text}");
    }

    #[test]
    fn every_title_of_the_checks_list_starts_in_one_column() {
        let text = list(&sl_doctor_checks::registry());
        let columns: std::collections::BTreeSet<usize> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  "))
            .map(|l| {
                let id = l.split(' ').next().unwrap();
                2 + id.len() + l[id.len()..].len() - l[id.len()..].trim_start().len()
            })
            .collect();
        assert_eq!(columns.len(), 1, "{text}");
    }

    #[test]
    fn explain_fix_prints_the_fix_docs() {
        let text = explain("fix", &sl_doctor_checks::registry()).unwrap();
        assert!(text.contains("--emit"), "{text}");
    }

    #[test]
    fn explain_items_and_unknown_ids() {
        let reg = sl_doctor_checks::registry();
        for item in Item::ALL {
            assert!(explain(item.id(), &reg).is_some());
        }
        assert!(explain("no-such-check", &reg).is_none());
    }
}
