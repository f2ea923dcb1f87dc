//! `readers-agree`: every reader of the deployment delivers the same key.
//!
//! The same `.env` line reaches the application through different readers:
//! `NAME="abc"` is `abc` to the dotenv libraries and compose, `"abc"` to
//! `docker run --env-file`. Without `--loader`, sl-doctor does not know which one the
//! deployment uses, so it compares what each common reader delivers (`input::loaders`);
//! with `--from`, each deployment file's definition is one more reader. Where they
//! disagree, that is the cause: the check names who delivers what, where (file and
//! line), and the probes send each distinct value (`net::probe`).
//!
//! Fails when a reader delivers a value with a defect the value checks fail on (quotes,
//! whitespace, a line break, invisible characters): a deployment with that reader sends
//! a damaged key. Warns when they only differ otherwise, or when a reader delivers
//! nothing (it refuses the file, or leaves the variable unset). Warns too when the value
//! sl-doctor uses is damaged itself: that damage is the cause (its own check fails on it,
//! and the diagnosis names it first), and the disagreement is secondary, as the
//! diagnosis's `readers-disagree` cause then says (level warn).

use crate::analysis::value::{analyze, cleaned_key, no_key_in};
use crate::context::{Context, ReaderDelivery, readings_who};
use crate::input::loaders::{Delivered, LOADERS};
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::evidence::Repair;
use crate::model::report::{Finding, Severity};
use crate::model::secret::SecretKey;

crate::check! {
    /// The `readers-agree` check.
    ReadersAgree: "readers-agree", KeyLoaded, "Every reader of the deployment delivers the same key",
    codes: &[READERS_DISAGREE],
}

pub const READERS_DISAGREE: Code = Code::new(
    "readers-disagree",
    &[Severity::Fail, Severity::Warn],
    "The readers of the key (the .env loaders, the --from files) deliver different values: fails when one delivers a damaged value (quotes, whitespace, a line break…) and the value sl-doctor uses is not damaged itself, else warns",
);

/// The readers that deliver one value (or nothing, or an unknowable value).
struct Group<'a> {
    delivered: &'a Delivered,
    readers: Vec<&'a ReaderDelivery>,
}

/// The readings grouped by what they deliver, in the order first seen.
fn groups(readings: &[ReaderDelivery]) -> Vec<Group<'_>> {
    let mut out: Vec<Group> = Vec::new();
    for r in readings {
        match out.iter_mut().find(|g| *g.delivered == r.delivered) {
            Some(g) => g.readers.push(r),
            None => out.push(Group {
                delivered: &r.delivered,
                readers: vec![r],
            }),
        }
    }
    out
}

/// The defects of a delivered value that the value checks fail on.
fn defects(v: &SecretKey) -> Vec<Repair> {
    let a = analyze(v);
    if a.is_utf8() { a.repairs() } else { Vec::new() }
}

/// What one group delivers, in words: "the value with quotes (29 characters, sha256:…)".
fn what(g: &Group, used: Option<&SecretKey>) -> String {
    match g.delivered {
        Delivered::Value(v) => {
            let d = defects(v);
            // When the value sl-doctor uses is damaged itself, the others share its damage:
            // what they add to it is the difference.
            let used_damaged = used.is_some_and(|u| !defects(u).is_empty());
            let with = if let Some(without) = without_damage(v, used) {
                without
            } else if let Some(more) = used
                .filter(|u| used_damaged && *u != v)
                .and_then(|u| added(u, v))
            {
                more
            } else if !d.is_empty() {
                format!(
                    " with {}",
                    crate::model::prose::join_names(
                        &d.iter().map(|r| r.defect()).collect::<Vec<_>>()
                    )
                )
            } else {
                // No defect the value checks know (an inline comment kept inside, say):
                // how it differs from the value sl-doctor uses.
                match used {
                    Some(u) if u != v => added(u, v).unwrap_or_default(),
                    _ => String::new(),
                }
            };
            let note = if used == Some(v) {
                ", the value sl-doctor uses"
            } else {
                ""
            };
            // A value that is neither the one sl-doctor uses nor it with more after it is
            // another value altogether (a stale copy, say), not the key with damage.
            let what = match used {
                Some(u) if u != v && with.is_empty() => "a value other than the one sl-doctor uses",
                _ => "the key",
            };
            format!(
                "{what}{with} ({} characters, {}{note})",
                v.char_len(),
                v.fingerprint()
            )
        }
        Delivered::Nothing(why) => format!("nothing: {why}"),
        Delivered::Unknown(why) => format!("a value sl-doctor cannot tell: {why}"),
    }
}

/// " without quotes" when `v` is the damaged value sl-doctor uses, cleaned: the key as it
/// should be, not "a value other than the one sl-doctor uses".
fn without_damage(v: &SecretKey, used: Option<&SecretKey>) -> Option<String> {
    let u = used?;
    let d = defects(u);
    (!d.is_empty() && cleaned_key(u).as_ref() == Some(v)).then(|| {
        format!(
            " without {}",
            crate::model::prose::join_names(&d.iter().map(|r| r.defect()).collect::<Vec<_>>())
        )
    })
}

/// " with 7 more characters after it" when `v` is `used` with more after it.
fn added(used: &SecretKey, v: &SecretKey) -> Option<String> {
    v.expose_bytes().starts_with(used.expose_bytes()).then(|| {
        let more = v.char_len().saturating_sub(used.char_len());
        format!(
            " with {} after it",
            crate::checklist::count(more, "more character", "more characters")
        )
    })
}

impl ReadersAgree {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let readings = &cx.key.readings;
        if readings.len() < 2 {
            let why = match (cx.key.loader, readings.as_slice()) {
                (Some(l), _) => format!("--loader {} names the one reader", l.info().id),
                (None, [one]) => format!("one reader only, nothing to compare: {}", one.who()),
                (None, _) => "no .env definition or deployment file to compare".into(),
            };
            return Err(Skipped(why));
        }
        let all = groups(readings);
        let used = cx.key.key();
        // A value only known at run time (`${{ secrets.X }}`, a shell's `$…`) neither
        // agrees nor disagrees: it is listed in the details only.
        let groups: Vec<Group> = all
            .into_iter()
            .filter(|g| !matches!(g.delivered, Delivered::Unknown(_)))
            .collect();
        if groups.is_empty() {
            return Err(Skipped(
                "no reader delivers a value known before run time".into(),
            ));
        }
        // Readers that differ only in how they deliver no key (empty, `""`, nothing) do
        // not disagree about a key: key-empty says what to put there.
        if groups.len() > 1
            && groups
                .iter()
                .all(|g| g.delivered.value().is_none_or(no_key_in))
        {
            return Err(Skipped(
                "no reader delivers a key: each delivers nothing, an empty value or only quotes or whitespace".into(),
            ));
        }
        let mut o = Outcome::pass(match groups.as_slice() {
            // The others deliver values known only at run time.
            [one] if one.readers.len() == 1 => format!(
                "One reader delivers a value known before run time: {}",
                what(one, used)
            ),
            [one] => format!(
                "The {} readers deliver the same value: {}",
                one.readers.len(),
                what(one, used)
            ),
            _ => headline(&groups, used),
        });
        for r in readings {
            let d = match &r.delivered {
                Delivered::Value(v) => format!("{} characters, {}", v.char_len(), v.fingerprint()),
                Delivered::Nothing(why) => format!("nothing ({why})"),
                Delivered::Unknown(why) => format!("unknown ({why})"),
            };
            o = o.detail(format!("{}: {d}", r.who()));
        }
        if groups.len() > 1 {
            o = o.finding(disagreement(&groups, used, !cx.key.deployments.is_empty()));
        }
        Ok(o)
    }
}

/// Whether a group delivers a damaged value or nothing at all.
fn bad(g: &Group) -> bool {
    g.delivered.value().is_none_or(|v| !defects(v).is_empty())
}

/// The group the disagreement is about (the first that delivers a damaged value or
/// nothing), and the other groups that differ from the value sl-doctor uses.
fn suspects<'a>(
    groups: &'a [Group<'a>],
    used: Option<&SecretKey>,
) -> (&'a Group<'a>, Vec<&'a Group<'a>>) {
    let uses = |g: &Group| g.delivered.value() == used;
    let used_bad = groups.iter().any(|g| uses(g) && bad(g));
    let cleaned = |g: &&Group| {
        g.delivered
            .value()
            .is_some_and(|v| without_damage(v, used).is_some())
    };
    // When the value sl-doctor uses is damaged itself (its own check names that), the
    // disagreement is what another reader delivers instead; but when another reader
    // delivers it cleaned, the damaged definition is the news, not the good one.
    let g = if used_bad && groups.iter().any(|g| cleaned(&g)) {
        groups.iter().find(|g| uses(g))
    } else {
        groups.iter().find(|g| bad(g) && !(used_bad && uses(g)))
    };
    let g = g
        .or_else(|| groups.iter().find(|g| !uses(g)))
        .unwrap_or(&groups[0]);
    let rest: Vec<&'a Group<'a>> = groups
        .iter()
        .filter(|o| !std::ptr::eq(*o, g) && !uses(o))
        .collect();
    (g, rest)
}

/// "docker run --env-file and kubectl --from-env-file (.env line 3) deliver the key with
/// quotes, the others not": the suspect group, and the other groups that differ from the
/// value sl-doctor uses (named when there is one, so the headline names every reader the
/// probes' proof names).
fn headline(groups: &[Group], used: Option<&SecretKey>) -> String {
    let (g, rest) = suspects(groups, used);
    let others = match rest.as_slice() {
        [] => ", the others not".to_string(),
        [o] => format!("; {}", delivers(o, used)),
        // `export K=…` is nothing to docker, kubectl and systemd, each for its own reason.
        _ => "; other readers also deliver nothing or a damaged key".to_string(),
    };
    format!("{}{others}", delivers(g, used))
}

/// "docker run --env-file (.env line 3) delivers the key with quotes", without the length
/// and fingerprint (the finding has them).
fn delivers(g: &Group, used: Option<&SecretKey>) -> String {
    let verb = if g.readers.len() == 1 {
        "delivers"
    } else {
        "deliver"
    };
    let what = what(g, used);
    let what = what.split(" (").next().unwrap_or(&what);
    format!("{} {verb} {what}", readings_who(&g.readers))
}

/// The places of the definitions that differ, in deployment files: `sl-doctor fix` does
/// not edit those, so the .env advice does not fit them.
fn deployed_places<'a>(groups: &'a [Group<'a>], used: Option<&SecretKey>) -> Vec<&'a str> {
    let (g, rest) = suspects(groups, used);
    // A group that delivers the damaged value sl-doctor uses, cleaned, is right already.
    let right = |g: &&Group| {
        g.delivered
            .value()
            .is_some_and(|v| without_damage(v, used).is_some())
    };
    let mut out: Vec<&str> = Vec::new();
    for r in std::iter::once(g)
        .chain(rest)
        .filter(|g| !right(g))
        .flat_map(|g| &g.readers)
    {
        if !LOADERS.iter().any(|l| l.name == r.reader) && !out.contains(&r.place.as_str()) {
            out.push(&r.place);
        }
    }
    out
}

/// The finding of readers that disagree: who delivers what, damaged values first.
fn disagreement(groups: &[Group], used: Option<&SecretKey>, from_given: bool) -> Finding {
    // A damaged value sl-doctor uses is its own cause (hidden-characters, quoted-value…):
    // the disagreement then only warns, whatever the other readers deliver.
    let used_damaged = used.is_some_and(|u| !defects(u).is_empty());
    let damaged = !used_damaged
        && groups
            .iter()
            .any(|g| g.delivered.value().is_some_and(|v| !defects(v).is_empty()));
    let mut parts: Vec<(bool, String)> = groups
        .iter()
        .map(|g| {
            let bad = bad(g);
            let verb = if g.readers.len() == 1 {
                "delivers"
            } else {
                "deliver"
            };
            (
                bad,
                format!("{} {verb} {}", readings_who(&g.readers), what(g, used)),
            )
        })
        .collect();
    parts.sort_by_key(|(bad, _)| !bad);
    let text = parts
        .into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join("; ");
    let msg = format!("The readers of the key disagree: {text}");
    let quoted = |g: &&Group| {
        g.delivered
            .value()
            .is_some_and(|v| defects(v).contains(&Repair::Unquoted))
    };
    let compose_list = groups
        .iter()
        .filter(quoted)
        .flat_map(|g| &g.readers)
        .find(|r| r.reader.contains("list syntax"));
    // A CR LF line: a shell keeps the CR in the value, the other readers drop it; only
    // converting the line ends helps (rewriting the line keeps them).
    let keeps_cr = groups.iter().find(|g| {
        g.delivered
            .value()
            .is_some_and(|v| v.expose_bytes().ends_with(b"\r"))
    });
    let deployed = deployed_places(groups, used);
    // "or its file with --from" only when no deployment file was given.
    let from = if from_given {
        ""
    } else {
        " or its file with --from"
    };
    let fix = match (compose_list, keeps_cr) {
        (None, Some(g)) => format!(
            "Convert the file's line ends from CR LF to LF (`sl-doctor fix --line-endings lf`, or your editor): {} keeps the CR as part of the value. Or name your deployment's reader with --loader (dotenv, compose, docker, kubectl, systemd, shell){from}.",
            crate::model::prose::join_names(
                &g.readers
                    .iter()
                    .map(|r| r.reader.as_str())
                    .collect::<Vec<_>>()
            )
        ),
        (Some(r), _) => format!(
            "In {}, write the entry without quotes (`- NAME=value`: the list syntax keeps them in the value) or in map syntax (`NAME: value`).",
            r.place
        ),
        (None, None) if !deployed.is_empty() => format!(
            "Make {} deliver the key itself, the same key as the other definitions: no quotes kept in the value, no whitespace, line break or comment, no stale copy, no `${{VAR:-…}}` default value. sl-doctor does not edit deployment files: `sl-doctor fix` says where, and gives the repaired value.",
            crate::model::prose::join_names(&deployed)
        ),
        (None, None) => format!(
            "Write the definition so every reader delivers the same bytes: NAME=value with no `export`, quotes, spaces, comment or CR (`sl-doctor fix` rewrites the value so; it removes an `export` only with --loader docker, kubectl or systemd); or name your deployment's reader with --loader (dotenv, compose, docker, kubectl, systemd, shell){from}."
        ),
    };
    let severity = if damaged {
        Severity::Fail
    } else {
        Severity::Warn
    };
    let finding = Finding::with_severity(READERS_DISAGREE, severity, msg).with_fix(fix);
    // The line to change: the first reader that delivers a damaged value or nothing.
    match groups
        .iter()
        .filter(|g| bad(g))
        .flat_map(|g| &g.readers)
        .find_map(|r| r.location())
    {
        Some(at) => finding.in_file(at),
        None => finding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::dotenv::DotenvFile;
    use crate::input::loaders::{LOADERS, deliver};
    use crate::model::report::Status;
    use crate::testing_support::TEST_CANARY;

    /// The context of a `.env` holding `line` for K, read by every common reader.
    fn cx_of(line: &str) -> Context {
        let f = DotenvFile::parse(".env", line.as_bytes());
        let e = f.definitions("K").next().unwrap();
        let mut cx = crate::testing_support::cx_with_key(e.value.expose_bytes());
        cx.key.readings = LOADERS
            .iter()
            .map(|l| ReaderDelivery {
                reader: l.name.into(),
                place: ".env line 1".into(),
                path: None,
                line: 1,
                delivered: deliver(l.loader, e),
            })
            .collect();
        cx
    }

    #[test]
    fn status_per_line() {
        let k = TEST_CANARY;
        let cases = [
            (format!("K={k}\n"), Status::Pass),
            (format!("K=\"{k}\"\n"), Status::Fail),
            (format!("K={k} \n"), Status::Fail),
            (format!("K={k}\r\n"), Status::Fail),
            (format!("export K={k}\n"), Status::Warn),
            // The value sl-doctor uses is damaged itself: that damage is the cause (its own
            // check fails), so what the other readers add only warns, as the diagnosis
            // says (trial 32, case c2).
            (
                format!("K={}\u{200b}{} # prod\n", &k[..8], &k[8..]),
                Status::Warn,
            ),
            (
                format!("K=\"{}\u{200b}{}\"\n", &k[..8], &k[8..]),
                Status::Warn,
            ),
        ];
        for (line, want) in cases {
            let o = crate::testing_support::run(&ReadersAgree, &cx_of(&line)).unwrap();
            assert_eq!(o.status(), want, "{line:?}: {o:?}");
        }
    }

    #[test]
    fn quoted_line_names_the_readers_that_keep_the_quotes_first() {
        let o =
            crate::testing_support::run(&ReadersAgree, &cx_of(&format!("K=\"{TEST_CANARY}\"\n")))
                .unwrap();
        let msg = &o.findings[0].message;
        assert!(
            msg.starts_with("The readers of the key disagree: docker run --env-file and kubectl --from-env-file (.env line 1) deliver the key with quotes"),
            "{msg}"
        );
        insta::assert_yaml_snapshot!(o);
    }

    /// `export K=…`: docker, kubectl and systemd each deliver nothing, for their own
    /// reasons; the headline does not say "the others not".
    #[test]
    fn the_headline_says_when_other_readers_fail_too() {
        let o = crate::testing_support::run(
            &ReadersAgree,
            &cx_of(&format!("export K={TEST_CANARY}\n")),
        )
        .unwrap();
        assert!(
            o.summary
                .ends_with("; other readers also deliver nothing or a damaged key"),
            "{}",
            o.summary
        );
        assert!(!o.summary.contains("the others not"), "{}", o.summary);
    }

    /// Two deployment definitions (`--from`): `first` is the value sl-doctor uses.
    fn cx_of_deployment(first: &str, second: &str) -> Context {
        let mut cx = crate::testing_support::cx_with_key(first.as_bytes());
        let reading = |reader: &str, line: usize, v: &str| ReaderDelivery {
            reader: reader.into(),
            place: format!("compose.yaml line {line}"),
            path: Some("compose.yaml".into()),
            line,
            delivered: Delivered::Value(SecretKey::from_string(v.into())),
        };
        cx.key.readings = vec![
            reading("docker compose (service a)", 5, first),
            reading("docker compose (service b)", 9, second),
        ];
        cx.key.deployments = vec![crate::input::deploy::DeployFile {
            kind: crate::input::deploy::Kind::Compose,
            path: "compose.yaml".into(),
            definitions: Vec::new(),
            overridden: Vec::new(),
            env_files: Vec::new(),
        }];
        cx
    }

    /// Deployment files given with --from: the fix names their definitions, not the
    /// .env advice (`sl-doctor fix` does not edit them, and --from was given).
    #[test]
    fn a_deployment_disagreement_gets_a_deployment_fix() {
        let stale = "SLDOCTORstale0000000000000=";
        let o = crate::testing_support::run(&ReadersAgree, &cx_of_deployment(TEST_CANARY, stale))
            .unwrap();
        let fix = o.findings[0].fix.as_deref().unwrap();
        assert!(
            fix.starts_with("Make compose.yaml line 9 deliver the key itself"),
            "{fix}"
        );
        for wrong in ["rewrites the value", "--from", "NAME=value"] {
            assert!(!fix.contains(wrong), "{wrong}: {fix}");
        }
        crate::testing_support::assert_no_leak(&o, TEST_CANARY);
    }

    /// The value sl-doctor uses is quoted and another definition delivers it cleaned: the
    /// headline names the quoted one as the problem, and the fix leaves the good one alone.
    #[test]
    fn the_definition_that_delivers_the_cleaned_key_is_not_the_problem() {
        let quoted = format!("\"{TEST_CANARY}\"");
        let o = crate::testing_support::run(&ReadersAgree, &cx_of_deployment(&quoted, TEST_CANARY))
            .unwrap();
        assert_eq!(
            o.summary,
            "docker compose (service a) (compose.yaml line 5) delivers the key with quotes; docker compose (service b) (compose.yaml line 9) delivers the key without quotes"
        );
        let fix = o.findings[0].fix.as_deref().unwrap();
        assert!(fix.starts_with("Make compose.yaml line 5 deliver"), "{fix}");
    }

    /// Two readers damage the value differently: the headline names both, as the probes'
    /// proof will.
    #[test]
    fn the_headline_names_a_second_reader_that_differs() {
        let line = format!("K='{TEST_CANARY}'  # c\r\n");
        let o = crate::testing_support::run(&ReadersAgree, &cx_of(&line)).unwrap();
        assert!(
            o.summary
                .contains("; systemd EnvironmentFile= (.env line 1) delivers the key with"),
            "{}",
            o.summary
        );
        assert!(!o.summary.contains("the others not"), "{}", o.summary);
    }

    #[test]
    fn an_inline_comment_kept_is_named_by_what_it_adds() {
        // docker, kubectl and systemd keep ` # prod` in the value: a value defect (the API
        // rejects it), and the headline names them and the comment, not the readers that
        // agree with the key.
        let line = format!("K={TEST_CANARY} # prod\n");
        let o = crate::testing_support::run(&ReadersAgree, &cx_of(&line)).unwrap();
        assert_eq!(o.status(), Status::Fail, "{o:?}");
        assert!(
            o.summary.starts_with(
                "docker run --env-file, kubectl --from-env-file and systemd EnvironmentFile= (.env line 1) deliver the key with the comment ` # …` after the value, the others not"
            ),
            "{}",
            o.summary
        );
    }

    #[test]
    fn a_damaged_value_and_a_comment_kept_name_what_the_comment_adds() {
        // Every reader delivers the zero-width space; docker, kubectl and systemd also keep
        // ` # prod`. The headline names what they add, and "the others not" is true of it.
        let (head, tail) = TEST_CANARY.split_at(8);
        let line = format!("K={head}\u{200b}{tail} # prod\n");
        let o = crate::testing_support::run(&ReadersAgree, &cx_of(&line)).unwrap();
        assert_eq!(
            o.summary,
            "docker run --env-file, kubectl --from-env-file and systemd EnvironmentFile= (.env line 1) deliver the key with 7 more characters after it, the others not"
        );
    }

    #[test]
    fn readers_that_all_deliver_no_key_do_not_disagree() {
        // Quotes and nothing else: dotenv delivers "" or nothing, docker the quotes; no
        // reader delivers a key, so there is no disagreement about one (key-empty).
        for line in ["K=\"\"\n", "K=''\n", "K='\"\"'\n", "K=\"\"\"\"\n"] {
            let cx = cx_of(line);
            let skipped = crate::testing_support::run(&ReadersAgree, &cx)
                .expect_err(line)
                .0;
            assert!(
                skipped.starts_with("no reader delivers a key"),
                "{line:?}: {skipped}"
            );
        }
        // One reader delivering the key is a disagreement as before.
        let line = format!("K=\"{TEST_CANARY}\"\n");
        assert!(crate::testing_support::run(&ReadersAgree, &cx_of(&line)).is_ok());
    }

    #[test]
    fn one_reader_is_skipped() {
        let mut cx = cx_of("K=abc\n");
        cx.key.readings.truncate(1);
        // The reason names the one reader, not "no deployment file".
        let Err(Skipped(why)) = crate::testing_support::run(&ReadersAgree, &cx) else {
            panic!("one reader is not compared");
        };
        assert!(why.starts_with("one reader only"), "{why}");
        assert!(why.contains(".env line 1"), "{why}");
    }
}
