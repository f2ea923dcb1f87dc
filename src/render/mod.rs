//! Renderers: pure functions from a `Report` to text.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;

use crate::args::Format;
use sl_doctor_checks::model::report::Report;

/// Renders `report` in `format`. `style` matters for the human format only; the
/// `--strict` policy is in the report (`strict`, `effective_verdict`).
pub fn render(report: &Report, format: Format, style: &human::Style) -> String {
    match format {
        Format::Human => human::render(report, style),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    }
}

#[cfg(test)]
pub mod tests_support;

#[cfg(test)]
mod tests {
    use super::tests_support::{VERDICTS, report, strict};
    use super::*;

    /// Every format with the name its snapshots use.
    const FORMATS: [(Format, &str); 5] = [
        (Format::Human, "human"),
        (Format::Json, "json"),
        (Format::Junit, "junit"),
        (Format::Github, "github"),
        (Format::Markdown, "markdown"),
    ];

    fn style(quiet: bool) -> human::Style {
        human::Style {
            saved: false,
            quiet,
            ..Default::default()
        }
    }

    /// Every format, on the same four reports.
    #[test]
    fn snapshots_of_every_format_for_every_verdict() {
        for (verdict, name) in VERDICTS {
            let r = report(verdict);
            for (format, fname) in FORMATS {
                insta::assert_snapshot!(
                    format!("{fname}_{name}"),
                    render(&r, format, &style(false))
                );
            }
            insta::assert_snapshot!(
                format!("human_quiet_{name}"),
                render(&r, Format::Human, &style(true))
            );
        }
    }

    /// `report` with `text` appended to every string the model lets hold it: free text and
    /// the ids that are plain strings (check ids, codes, cause ids, API names); enums and
    /// fingerprints refuse it by their types and are left as they are.
    pub(crate) fn with_text_everywhere(report: &Report, text: &str) -> Report {
        let mut v = serde_json::to_value(report).unwrap();
        let mut paths = Vec::new();
        collect_strings(&v, String::new(), &mut paths);
        // Each string is changed in turn and kept when the report still reads back.
        for p in paths {
            let old = v.pointer(&p).cloned().unwrap();
            if let Some(serde_json::Value::String(s)) = v.pointer_mut(&p) {
                s.push_str(text);
            }
            if serde_json::from_value::<Report>(v.clone()).is_err() {
                *v.pointer_mut(&p).unwrap() = old;
            }
        }
        serde_json::from_value(v).unwrap()
    }

    fn collect_strings(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(_) => out.push(at),
            serde_json::Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| collect_strings(x, format!("{at}/{i}"), out)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
                collect_strings(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                )
            }),
            _ => {}
        }
    }

    /// GitHub's runner reads `##[command]` anywhere in a line of any format printed to a
    /// log: every renderer escapes it, in its own spelling, and JSON readers get the text.
    #[test]
    fn legacy_workflow_commands_mid_line_are_escaped_in_every_format() {
        use sl_doctor_checks::testing_support::{OutputRules, assert_output_safe};
        let evil = " ##[stop-commands]t0ken ##[add-mask]x";
        for (verdict, name) in VERDICTS {
            let r = with_text_everywhere(&report(verdict), evil);
            let planted = serde_json::to_string(&r).unwrap().matches("##[").count();
            assert!(planted > 20, "{name}: {planted} strings hold the command");
            for (format, fname) in FORMATS {
                let text = render(&r, format, &style(false));
                let rules = OutputRules {
                    log: format != Format::Github,
                    markdown: format == Format::Markdown,
                    ..Default::default()
                };
                assert_output_safe("no key here", &format!("{name} {fname}"), &text, rules);
            }
            let json = render(&r, Format::Json, &style(false));
            let back: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert!(
                back["diagnosis"]["summary"]
                    .as_str()
                    .unwrap()
                    .ends_with(evil),
                "a JSON reader gets the text unchanged"
            );
        }
    }

    /// Markdown read as GitHub reads it (CommonMark + GFM tables): no HTML but the
    /// `<details>` sl-doctor writes, no link, no image, and every planted `marker` shown
    /// whole (a `|` that split a table cell would drop the rest of the row).
    fn assert_markdown_inert(what: &str, md: &str, marker: &str) {
        use pulldown_cmark::{Event, Options, Parser, Tag};
        let mut shown = String::new();
        for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
            match event {
                Event::Html(h) | Event::InlineHtml(h) => {
                    let h = h.trim();
                    let ours = h == "</details>"
                        || (h.starts_with("<details><summary>All ")
                            && h.ends_with(" checks</summary>")
                            && h.matches('<').count() == 3);
                    assert!(ours, "{what}: HTML from the report: {h:?}");
                }
                Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                    panic!("{what}: a link or an image to {dest_url}")
                }
                Event::Text(t) | Event::Code(t) => shown.push_str(&t),
                _ => {}
            }
        }
        assert_eq!(
            shown.matches(marker).count(),
            md.matches(marker).count(),
            "{what}: some planted text is not shown whole:\n{md}"
        );
    }

    /// A crafted report (as `view` would get without its grammar check): every id and
    /// every text holds markup, a link, an image, a table cell, line breaks and workflow
    /// commands. No format obeys any of it. (No other control character: the runner and
    /// `view` neutralise those before any renderer runs.)
    #[test]
    fn hostile_ids_and_text_are_inert_in_every_format() {
        use sl_doctor_checks::testing_support::{OutputRules, assert_output_safe};
        let evil = "x|y <img src=https://e.vil/p.png> <b>b</b> &amp; [l](https://e.vil) ![i](https://e.vil/i.png)\n::error::pwn\n::add-mask::k ##[stop-commands]t ENDMARK";
        for (verdict, name) in VERDICTS {
            let r = with_text_everywhere(&report(verdict), evil);
            let ids = r.checks().filter(|c| c.id.ends_with("ENDMARK")).count();
            assert_eq!(ids, r.checks().count(), "{name}: every check id holds it");
            for format in [
                Format::Human,
                Format::Json,
                Format::Junit,
                Format::Github,
                Format::Markdown,
            ] {
                let what = format!("{name} {format:?}");
                let text = render(&r, format, &style(false));
                // Markdown is read by a real parser below (its code spans may hold `](`).
                let rules = OutputRules {
                    log: format != Format::Github,
                    ..Default::default()
                };
                let text = text.replace("\u{26a0}\u{fe0f}", "\u{26a0}");
                assert_output_safe("no key here", &what, &text, rules);
                if format == Format::Github {
                    for line in text.lines() {
                        let ours = ["::error title=", "::warning title=", "::notice title="];
                        assert!(ours.iter().any(|c| line.starts_with(c)), "{what}: {line}");
                    }
                }
            }
            let md = render(&r, Format::Markdown, &style(false));
            assert_markdown_inert(name, &md, "ENDMARK");
            let json = render(&r, Format::Json, &style(false));
            let back: Report = serde_json::from_str(&json).unwrap();
            assert_eq!(
                serde_json::to_value(&back).unwrap(),
                serde_json::to_value(&r).unwrap(),
                "{name}: a JSON reader gets every string unchanged"
            );
        }
    }

    /// Backticks planted in every text: the code spans Markdown keeps for sl-doctor's own
    /// prose may move, but nothing becomes a link, an image or HTML, and no text is lost.
    #[test]
    fn backticks_in_outside_text_make_no_markup() {
        let evils = [
            "` [l](https://e.vil) `x` <img src=https://e.vil/p.png> ` ENDMARK",
            " `` ` <b>b</b> ![i](https://e.vil/i.png) ENDMARK `",
            "` ENDMARK",
        ];
        for (verdict, name) in VERDICTS {
            for evil in evils {
                let r = with_text_everywhere(&report(verdict), evil);
                let md = render(&r, Format::Markdown, &style(false));
                assert_markdown_inert(&format!("{name} {evil}"), &md, "ENDMARK");
            }
        }
    }

    #[test]
    fn junit_is_well_formed_xml_with_one_case_per_check_and_all_six_items() {
        use quick_xml::Reader;
        use quick_xml::events::Event;
        for (verdict, name) in VERDICTS {
            let r = report(verdict);
            for strict_run in [false, true] {
                let r = if strict_run {
                    strict(r.clone())
                } else {
                    r.clone()
                };
                let xml = junit::render(&r);
                let mut reader = Reader::from_str(&xml);
                let (mut suites, mut cases, mut failures, mut errors) = (0, 0, 0, 0);
                loop {
                    match reader.read_event() {
                        Ok(Event::Eof) => break,
                        Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.name().as_ref() {
                            b"testsuite" => suites += 1,
                            b"testcase" => cases += 1,
                            b"failure" => failures += 1,
                            b"error" => errors += 1,
                            _ => {}
                        },
                        Ok(_) => {}
                        Err(e) => panic!("{name}: JUnit is not XML: {e}\n{xml}"),
                    }
                }
                assert_eq!(suites, 7, "{name}: the diagnosis and the six items");
                let diagnosis_cases = r.diagnosis.causes.len().max(1);
                assert_eq!(
                    cases,
                    r.checks().count() + 1 + diagnosis_cases,
                    "{name}: one per cause (or one passing case), one per check + empty item"
                );
                let want_fail = r
                    .checks()
                    .filter(|c| {
                        c.status == sl_doctor_checks::model::report::Status::Fail
                            || (strict_run
                                && c.status == sl_doctor_checks::model::report::Status::Warn)
                    })
                    .count();
                let failing_causes = r
                    .diagnosis
                    .causes
                    .iter()
                    .filter(|c| {
                        c.level != sl_doctor_checks::diagnosis::CauseLevel::Warn || strict_run
                    })
                    .count();
                assert_eq!(
                    failures,
                    want_fail + failing_causes,
                    "{name} strict={strict_run}"
                );
                assert_eq!(errors, r.summary.error, "{name}");
            }
        }
    }

    #[test]
    fn github_commands_are_one_per_line_and_escaped() {
        assert_eq!(github::escape_data("50%\r\nx: y, z"), "50%25%0D%0Ax: y, z");
        assert_eq!(github::escape_property("a: b, 5%\n"), "a%3A b%2C 5%25%0A");
        for (verdict, name) in VERDICTS {
            let text = github::render(&report(verdict));
            for line in text.lines() {
                assert!(line.starts_with("::"), "{name}: not a command: {line:?}");
                let (props, msg) = line[2..].split_once("::").expect("two ::");
                let (_cmd, title) = props.split_once("title=").expect("a title");
                assert!(!title.contains([':', ',', '\r']), "{name}: {title:?}");
                assert!(!msg.contains('\r'), "{name}");
            }
        }
        let fail = github::render(&report(sl_doctor_checks::model::report::Verdict::Fail));
        assert!(
            fail.starts_with("::error title=sl-doctor%3A The key is wrapped in quotes::"),
            "one annotation per cause, the first cause first:\n{fail}"
        );
        let warn = github::render(&strict(report(
            sl_doctor_checks::model::report::Verdict::Warn,
        )));
        assert!(
            warn.contains("(100%25 of its loaders must read it)"),
            "{warn}"
        );
        assert!(
            warn.starts_with("::error "),
            "--strict makes warnings errors"
        );
    }

    /// With --strict a run with warnings exits 1, so its verdict line must say fail and
    /// why, in every format: "pass with warnings" beside exit code 1 reads as a bug.
    #[test]
    fn strict_verdict_says_fail_plainly() {
        let r = strict(report(sl_doctor_checks::model::report::Verdict::Warn));
        let human = render(&r, Format::Human, &style(false));
        assert!(
            human.contains("verdict: fail (strict: warnings count)"),
            "{human}"
        );
        let md = render(&r, Format::Markdown, &style(false));
        assert!(
            md.contains("sl-doctor: fail (strict: warnings count)"),
            "{md}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(&r, Format::Json, &style(false))).unwrap();
        assert_eq!(json["verdict"], "warn");
        assert_eq!(json["effective_verdict"], "fail");
        assert_eq!(json["strict"], true);
    }
}
