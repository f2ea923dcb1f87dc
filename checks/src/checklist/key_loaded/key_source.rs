//! `key-source`: a key was found, where it came from, which source won and why.
//!
//! Every source is listed with its fingerprint, so "the .env holds a different key than
//! the shell" is visible without showing either key. When nothing is found, the report
//! lists every place that was looked at and the environment variables whose *names*
//! look like a misspelt key variable.

use crate::context::{Context, FoundKey, KeyState};
use crate::input::deploy::Kind;
use crate::input::loaders::Delivered;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::{Finding, Location, Severity, SourceKind};
use crate::model::secret::SecretKey;

crate::check! {
    /// The `key-source` check.
    KeySource: "key-source", KeyLoaded, "A key is found and it is clear which source is used",
    codes: &[NO_KEY, DEPLOYMENT_NO_KEY, SIMILAR_VARIABLE, SOURCES_DIFFER, ONLY_IN_DOTENV, NOT_UTF8],
}

pub const NO_KEY: Code = Code::fail(
    "no-key",
    "No key was found in any of the places sl-doctor looks",
);
pub const DEPLOYMENT_NO_KEY: Code = Code::fail(
    "deployment-no-key",
    "A deployment file defines the key, but delivers no value sl-doctor can read: compose would refuse to start or substitute nothing, or GitHub fills it in at run time",
);
pub const SIMILAR_VARIABLE: Code = Code::new(
    "similar-variable",
    &[Severity::Warn, Severity::Info],
    "Another environment variable with a key-like name is set: warns when no key was found, else noted",
);
pub const SOURCES_DIFFER: Code = Code::warn(
    "sources-differ",
    "Another source holds a different value than the one used",
);
pub const ONLY_IN_DOTENV: Code = Code::info(
    "only-in-dotenv",
    "Only the .env file defines the key, not the environment (not raised when --loader names the reader)",
);
pub const NOT_UTF8: Code = Code::fail("not-utf8", "The value used is not valid UTF-8");

impl KeySource {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let ks = &cx.key;
        let Some(chosen) = ks.chosen() else {
            return Ok(missing(ks));
        };
        // The run's analysis of the key has counted its characters already.
        let chosen_len =
            super::analyzed_key(cx).map_or_else(|_| chosen.value.char_len(), |a| a.char_len());
        let mut o = Outcome::pass(format!(
            "Key from {} ({} characters, {})",
            chosen.source.describe(),
            chosen_len,
            chosen.value.fingerprint()
        ));
        for (i, c) in ks.candidates.iter().enumerate() {
            o = o.detail(format!(
                "{} {}: {} characters, {}",
                if i == 0 { "used:    " } else { "shadowed:" },
                c.source.describe(),
                if i == 0 {
                    chosen_len
                } else {
                    c.value.char_len()
                },
                c.value.fingerprint()
            ));
        }
        // A definition another one overrides delivers nothing, but says where else the
        // key is written (a unit's `Environment=` under its `EnvironmentFile=`).
        for d in ks.deployments.iter().flat_map(|f| &f.overridden) {
            o = o.detail(format!(
                "overridden: {} ({} line {}): another definition wins",
                d.reader,
                crate::model::untrusted::neutralise(&d.path.display().to_string(), 200),
                d.line
            ));
        }
        o.findings.extend(differing_sources(ks, chosen));
        // Information, not a warning: a .env file is how most projects keep the key, and
        // after a successful run (or `sl-doctor fix`) nothing is wrong with it. With --loader
        // the user has said who reads the .env: the deployment ships it.
        if chosen.source.kind == SourceKind::Dotenv && ks.loader.is_none() {
            o = o.finding(
                Finding::new(
                    ONLY_IN_DOTENV,
                    format!(
                        "{} comes from the .env file only (it is not set in the environment): the application must load .env, or its deployment set {}",
                        ks.env_name, ks.env_name
                    ),
                )
                .with_fix(format!(
                    "An application that does not load .env itself (or a deployment that does not ship the file) sends no key: set {} in the deployment's environment or secret store, or load the .env file at start-up.",
                    ks.env_name
                )),
            );
        }
        if chosen.value.expose_str().is_none() {
            o = o.finding(not_utf8(&chosen.value));
        }
        for nm in &ks.near_misses {
            let same = nm.value == chosen.value;
            o = o.finding(Finding::with_severity(
                SIMILAR_VARIABLE,
                Severity::Info,
                format!(
                    "Environment variable {} is also set ({}, {} the key used)",
                    nm.name,
                    nm.value.fingerprint(),
                    if same { "same as" } else { "different from" }
                ),
            ));
        }
        Ok(o)
    }
}

/// No key anywhere: every place looked at, and the variables whose names look like a
/// misspelt key variable.
fn missing(ks: &KeyState) -> Outcome {
    let none = no_key(ks);
    let mut o = Outcome::from_findings("No key found", vec![none]);
    for place in &ks.looked_at {
        o = o.detail(format!("looked at: {place}"));
    }
    for nm in &ks.near_misses {
        o = o.finding(
            Finding::new(
                SIMILAR_VARIABLE,
                format!(
                    "Environment variable {} is set ({} characters, {}); its name looks like a misspelt or alternative key variable",
                    nm.name,
                    nm.value.char_len(),
                    nm.value.fingerprint()
                ),
            )
            .with_fix(format!(
                "If {} holds the key, rename it to {} or run with --key-env {}.",
                nm.name, ks.env_name, nm.name
            )),
        );
    }
    o
}

/// The no-key finding, with the fix for where the key nearly is: the `.env` line the
/// reader named by `--loader` sets nothing from, a `.env` line under a misspelt name, or
/// else the places to set it.
fn no_key(ks: &KeyState) -> Finding {
    let name = &ks.env_name;
    if let Some((r, why)) = ks.not_delivered() {
        // The .env defines the key, but the reader --loader names sets nothing from it:
        // that line is what to fix, not the environment.
        return Finding::new(
            NO_KEY,
            format!("{} defines {name}, but {} delivers nothing: {why}", r.place, r.reader),
        )
        .with_fix(format!(
            "Write {} as {name}=value, with no `export`, quotes, spaces, comment or CR after the value ({why}); `sl-doctor fix --loader {}` rewrites it so. Then run sl-doctor again.",
            r.place,
            ks.loader.map_or("dotenv", |l| l.info().id)
        ));
    }
    if let Some(f) = deployment_delivers_nothing(ks) {
        return f;
    }
    if let Some((file, e)) = ks.misspelt_in_dotenv() {
        let place = format!("{} line {}", file.display, e.line);
        let found = &e.name;
        return Finding::new(
            NO_KEY,
            format!("No key was found: {place} defines {found}, not {name}"),
        )
        .with_fix(format!(
            "Rename {found} to {name} on {place} ({name}=…), or run with --key-env {found}; then run sl-doctor again."
        ))
        .in_file(Location::line(file.display.clone(), e.line));
    }
    Finding::new(NO_KEY, "No API key was found in any of the places sl-doctor looks").with_fix(format!(
        "Set {name} in the environment of the process that calls the API (export {name}=… in a shell, a protected CI variable or a secret in a deployment), or pass --key-file PATH or --key-stdin.{}",
        other_env_files(ks)
    ))
}

/// A deployment file defines the key but delivers nothing sl-doctor can read: compose
/// would refuse to start (`${VAR:?}` unset) or substitute nothing, GitHub fills a secret
/// in at run time. The fix is where the value really comes from: the variable compose
/// reads, or a run of sl-doctor where the value is filled in.
fn deployment_delivers_nothing(ks: &KeyState) -> Option<Finding> {
    let name = &ks.env_name;
    let (kind, d, why) = ks.deployments.iter().find_map(|f| {
        f.definitions
            .iter()
            .filter(|d| d.shadowed.is_none())
            .find_map(|d| match &d.delivered {
                Delivered::Nothing(why) | Delivered::Unknown(why) => Some((f.kind, d, why)),
                Delivered::Value(_) => None,
            })
    })?;
    let place = format!("{} line {}", d.path.display(), d.line);
    let fix = match (&d.from_env, kind) {
        (Some(var), _) => format!(
            "Set {var} where compose runs (its environment, or the .env beside the compose file) to the key Sales Layer gave you; then run sl-doctor again with {var} set."
        ),
        (None, Kind::Workflow) => format!(
            "{why}, which sl-doctor cannot read here: run sl-doctor as a step of that job with the same `env:` ({name}), or pass the key with --key-file or --key-stdin."
        ),
        (None, _) => format!(
            "Run sl-doctor where the deployment runs, with {name} as the deployment sets it, or pass the key with --key-file or --key-stdin."
        ),
    };
    let msg = match &d.from_env {
        Some(var) if var != name => format!(
            "{place} sets {name} from {var}, and {} delivers nothing: {why}",
            d.reader
        ),
        _ => format!(
            "{place} defines {name}, but {} delivers nothing sl-doctor can read: {why}",
            d.reader
        ),
    };
    Some(
        Finding::new(DEPLOYMENT_NO_KEY, msg)
            .with_fix(fix)
            .in_file(Location::line(d.path.display().to_string(), d.line)),
    )
}

/// The other `.env.*` files beside the `.env` looked at that define the key (not
/// templates), as a sentence for the no-key fix: a deployment may load one of those.
fn other_env_files(ks: &KeyState) -> String {
    use crate::checklist::security::key_shared_across_environments::places_in_dir;
    let Some(dotenv) = &ks.dotenv_path else {
        return String::new();
    };
    let dir = crate::input::exposure::parent_dir(dotenv);
    let mut files: Vec<String> = places_in_dir(&dir, &ks.env_name, &mut Vec::new())
        .into_iter()
        .filter(|p| !p.template && p.variable == ks.env_name)
        .filter_map(|p| p.file)
        .collect();
    files.dedup();
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!(
            " {one} defines {}: if your deployment loads that file, run with --dotenv {}.",
            ks.env_name,
            crate::shell::sh_quote(one)
        ),
        [first, ..] => format!(
            " {} define {}: if your deployment loads one of them, run with --dotenv {} (or the other).",
            crate::model::prose::join_names(&names),
            ks.env_name,
            crate::shell::sh_quote(first)
        ),
    }
}

/// The shadowed sources that hold another value than the one used.
fn differing_sources(ks: &KeyState, chosen: &FoundKey) -> Vec<Finding> {
    ks.candidates
        .iter()
        .skip(1)
        // Deployment files are compared with each other by readers-agree.
        .filter(|c| {
            c.value != chosen.value
                && !(c.source.kind == SourceKind::Deployment
                    && chosen.source.kind == SourceKind::Deployment)
        })
        .map(|c| {
            Finding::new(
                SOURCES_DIFFER,
                format!(
                    "{} holds a different value ({}) than {} ({}), which is the one used",
                    c.source.describe(),
                    c.value.fingerprint(),
                    chosen.source.describe(),
                    chosen.value.fingerprint()
                ),
            )
            .with_fix("Make sure your application reads the same source as sl-doctor, and remove or update the stale copy of the key.")
        })
        .collect()
}

/// Where the value stops being UTF-8.
fn not_utf8(value: &SecretKey) -> Finding {
    let bytes = value.expose_bytes();
    let bad = match std::str::from_utf8(bytes) {
        Err(e) => e.valid_up_to(),
        Ok(_) => 0,
    };
    Finding::new(
        NOT_UTF8,
        format!(
            "The value is not valid UTF-8: byte {} of {} is 0x{:02X}",
            bad + 1,
            bytes.len(),
            bytes[bad]
        ),
    )
    .with_fix("The file or variable was saved in another encoding (e.g. Latin-1 or UTF-16) or the key is corrupted: copy the key again into a UTF-8 (or plain ASCII) file.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::NearMiss;
    use crate::input::dotenv::DotenvFile;
    use crate::model::report::{SourceRef, Status};
    use crate::testing_support::{cx_with_key, run};

    fn cand(kind: SourceKind, name: &str, v: &[u8]) -> FoundKey {
        FoundKey {
            source: SourceRef {
                kind,
                name: name.into(),
            },
            value: SecretKey::from_bytes(v.to_vec()),
            path: None,
        }
    }

    #[test]
    fn missing_lists_places_and_similar_names() {
        let mut cx = Context::default();
        cx.key.env_name = "SALESLAYER_API_KEY".into();
        cx.key.looked_at = vec![
            "--key (not given)".into(),
            "environment variable SALESLAYER_API_KEY (not set)".into(),
        ];
        cx.key.near_misses.push(NearMiss {
            name: "SL_API_KEY".into(),
            value: SecretKey::from_string("canary-value-1234".into()),
        });
        let o = run(&KeySource, &cx).unwrap();
        assert_eq!(o.status(), Status::Fail);
        insta::assert_yaml_snapshot!(o);
    }

    /// With --loader, a .env line that reader sets nothing from is named, with its reason.
    #[test]
    fn a_line_the_named_reader_reads_as_nothing_is_the_fix() {
        use crate::input::loaders::{Delivered, Loader};
        let mut cx = Context::default();
        cx.key.env_name = "SALESLAYER_API_KEY".into();
        cx.key.loader = Some(Loader::Shell);
        cx.key.readings.push(crate::context::ReaderDelivery {
            reader: Loader::Shell.info().name.to_string(),
            place: ".env line 2".into(),
            path: None,
            line: 2,
            delivered: Delivered::Nothing("a shell runs the CR as a command".into()),
        });
        let o = run(&KeySource, &cx).unwrap();
        let f = &o.findings[0];
        assert_eq!(f.code, "no-key");
        assert!(
            f.message
                .starts_with(".env line 2 defines SALESLAYER_API_KEY, but a shell"),
            "{}",
            f.message
        );
        assert!(
            f.message.ends_with("a shell runs the CR as a command"),
            "{}",
            f.message
        );
        assert!(
            f.fix
                .as_deref()
                .unwrap()
                .starts_with("Write .env line 2 as SALESLAYER_API_KEY=value")
        );
        let fix = f.fix.as_deref().unwrap();
        assert!(
            fix.contains("(a shell runs the CR as a command); `sl-doctor fix --loader shell`"),
            "{fix}"
        );
    }

    /// No key found, but the `.env` defines a misspelt name: the finding and the fix name
    /// the file, the line, the name found and the name expected (the first such line).
    #[test]
    fn a_misspelt_name_in_the_dotenv_is_named_with_its_line() {
        for (src, found, line) in [
            ("A=1\nSALESLAYER_APIKEY=abc\n", "SALESLAYER_APIKEY", 2),
            (
                "saleslayer_api_key=abc\nSL_TOKEN=x\n",
                "saleslayer_api_key",
                1,
            ),
            ("A=1\nSALESLAYER-API-KEY=abc\n", "SALESLAYER-API-KEY", 2),
        ] {
            let mut cx = Context::default();
            cx.key.env_name = "SALESLAYER_API_KEY".into();
            cx.key.dotenv = Some(DotenvFile::parse(".env", src.as_bytes()));
            let o = run(&KeySource, &cx).unwrap();
            let f = &o.findings[0];
            assert_eq!(f.code, "no-key");
            assert_eq!(
                f.message,
                format!(
                    "No key was found: .env line {line} defines {found}, not SALESLAYER_API_KEY"
                )
            );
            assert_eq!(
                f.fix.as_deref().unwrap(),
                format!(
                    "Rename {found} to SALESLAYER_API_KEY on .env line {line} (SALESLAYER_API_KEY=…), or run with --key-env {found}; then run sl-doctor again."
                )
            );
        }
        // Unrelated names get the generic fix.
        let mut cx = Context::default();
        cx.key.env_name = "SALESLAYER_API_KEY".into();
        cx.key.dotenv = Some(DotenvFile::parse(".env", b"API_KEY=abc\n"));
        let o = run(&KeySource, &cx).unwrap();
        assert!(
            o.findings[0]
                .message
                .starts_with("No API key was found in any")
        );
    }

    /// No key found, but `.env.production` beside the `.env` looked at defines it: the
    /// fix names that file (not the template).
    #[test]
    fn an_environment_file_that_defines_the_key_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let key = "SALESLAYER_API_KEY=abcdefgh12345678";
        std::fs::write(dir.path().join(".env.production"), format!("{key}\n")).unwrap();
        std::fs::write(
            dir.path().join(".env.example"),
            "SALESLAYER_API_KEY=your-key-here\n",
        )
        .unwrap();
        let mut cx = Context::default();
        cx.key.env_name = "SALESLAYER_API_KEY".into();
        cx.key.dotenv_path = Some(dir.path().join(".env"));
        let o = run(&KeySource, &cx).unwrap();
        let fix = o.findings[0].fix.as_deref().unwrap();
        let shown = dir.path().join(".env.production").display().to_string();
        assert!(
            fix.ends_with(&format!(" {shown} defines SALESLAYER_API_KEY: if your deployment loads that file, run with --dotenv {shown}.")),
            "{fix}"
        );
        assert!(!fix.contains(".env.example"), "{fix}");
    }

    #[test]
    fn sources_that_differ_are_shown_by_fingerprint() {
        let mut cx = cx_with_key(b"key-from-env");
        cx.key
            .candidates
            .push(cand(SourceKind::Dotenv, ".env:3", b"key-from-dotenv"));
        cx.key
            .candidates
            .push(cand(SourceKind::File, "k.txt", b"key-from-env"));
        let o = run(&KeySource, &cx).unwrap();
        assert_eq!(o.status(), Status::Warn);
        assert_eq!(
            o.findings
                .iter()
                .filter(|f| f.code == "sources-differ")
                .count(),
            1
        );
        insta::assert_yaml_snapshot!(o);
    }

    #[test]
    fn only_in_dotenv_and_not_utf8() {
        let mut cx = Context::default();
        cx.key.env_name = "SALESLAYER_API_KEY".into();
        cx.key
            .candidates
            .push(cand(SourceKind::Dotenv, ".env:1", b"ab\xffcd"));
        let o = run(&KeySource, &cx).unwrap();
        let codes: Vec<_> = o.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["only-in-dotenv", "not-utf8"]);
        assert!(o.findings[1].message.contains("byte 3 of 5 is 0xFF"));
    }
}
