//! `key-shared-across-environments`: each environment has its own key.
//!
//! The documentation recommends separate keys per environment, so a key leaked from a
//! laptop or a staging server can be rotated without touching production. We compare
//! key values by fingerprint across the environment files next to the `.env`
//! (`.env.production`, `.env.staging`, `.env.development`, …) and across key-like
//! environment variables named for an environment (`SALESLAYER_API_KEY_PROD`,
//! `SALESLAYER_API_KEY_STAGING`, …). A real key in a template file (`.env.example`),
//! which is made to be committed, is reported too.

use crate::analysis::value::{Analysis, analyze};
use crate::context::Context;
use crate::input::dotenv::DotenvFile;
use crate::input::exposure::parent_dir;
use crate::input::files::{Pipes, link_leaves_dir, read_input};
use crate::input::sources::{MAX_DOTENV_FILE, looks_like_key_var};
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::{Finding, SourceKind};
use crate::model::secret::{Fingerprint, SecretKey};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

crate::check! {
    /// The `key-shared-across-environments` check.
    KeySharedAcrossEnvironments: "key-shared-across-environments", Security, "Each environment has its own key",
    codes: &[SAME_KEY_IN_ENVIRONMENTS, KEY_IN_TEMPLATE_FILE],
}

pub const SAME_KEY_IN_ENVIRONMENTS: Code = Code::warn(
    "same-key-in-environments",
    "The same key (by fingerprint) is used in two or more environments",
);
pub const KEY_IN_TEMPLATE_FILE: Code = Code::fail(
    "key-in-template-file",
    "A template file such as .env.example holds a real key",
);

/// Names of environments, as they appear in file suffixes and variable names, with the
/// environment they stand for.
const ENVIRONMENTS: [(&str, &str); 19] = [
    ("prod", "production"),
    ("production", "production"),
    ("prd", "production"),
    ("live", "production"),
    ("staging", "staging"),
    ("stage", "staging"),
    ("stg", "staging"),
    ("preprod", "pre-production"),
    ("preproduction", "pre-production"),
    ("dev", "development"),
    ("develop", "development"),
    ("development", "development"),
    ("test", "test"),
    ("testing", "test"),
    ("qa", "qa"),
    ("uat", "uat"),
    ("sandbox", "sandbox"),
    ("demo", "demo"),
    ("ci", "ci"),
];

/// File suffixes of templates, which are meant to be committed.
const TEMPLATES: [&str; 6] = ["example", "sample", "template", "dist", "defaults", "tpl"];

/// The environment a name stands for: the first token that names one.
pub fn environment_of(tokens: &str) -> Option<&'static str> {
    tokens
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .find_map(|t| {
            let t = t.to_ascii_lowercase();
            ENVIRONMENTS
                .iter()
                .find(|(word, _)| *word == t)
                .map(|(_, env)| *env)
        })
}

/// What a `.env*` file name is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvFileKind {
    /// `.env`, `.env.local`: the default configuration.
    Default,
    /// `.env.production`, `.env.staging.local`…
    Environment(&'static str),
    /// `.env.example` and other templates.
    Template,
    /// Another `.env.*` name (`.env.backup`…): read, but not an environment.
    Other,
}

/// Classifies a file name; `None` when it is not a `.env*` file.
pub fn env_file_kind(name: &str) -> Option<EnvFileKind> {
    let rest = name.strip_prefix(".env")?;
    if rest.is_empty() || rest == ".local" {
        return Some(EnvFileKind::Default);
    }
    let rest = rest.strip_prefix('.')?;
    if rest
        .split('.')
        .any(|t| TEMPLATES.contains(&t.to_ascii_lowercase().as_str()))
    {
        return Some(EnvFileKind::Template);
    }
    Some(match environment_of(rest) {
        Some(env) => EnvFileKind::Environment(env),
        None => EnvFileKind::Other,
    })
}

/// One place that holds a key-like value.
#[derive(Debug, Clone)]
pub struct Place {
    /// Shown to the user: `.env.production (SALESLAYER_API_KEY, line 3)` or a variable name.
    pub label: String,
    /// The variable that holds the value.
    pub variable: String,
    /// The `.env*` file it is in, as shown (`None` for the environment).
    pub file: Option<String>,
    /// The environment it serves, when its name says.
    pub environment: Option<&'static str>,
    /// A template file.
    pub template: bool,
    /// Fingerprint of the (cleaned) value.
    pub fingerprint: Fingerprint,
}

/// Whether a value is worth comparing: not empty, not a placeholder, not a toy value.
fn comparable(v: &SecretKey) -> Option<Fingerprint> {
    comparable_analysed(v, &analyze(v))
}

/// [`comparable`] of a value whose analysis `a` the caller has (the run's key's).
fn comparable_analysed(v: &SecretKey, a: &Analysis) -> Option<Fingerprint> {
    // The placeholder test reads the cleaned body, so one analysis answers for both forms.
    if a.placeholder.is_some() {
        return None;
    }
    let v = a.cleaned().unwrap_or_else(|| v.clone());
    (v.byte_len() >= 8).then(|| v.fingerprint())
}

/// The key-like variables of one parsed `.env*` file.
pub fn places_in_file(file: &DotenvFile, key_env: &str, kind: &EnvFileKind) -> Vec<Place> {
    let mut out = Vec::new();
    for e in &file.entries {
        if e.name != key_env && !looks_like_key_var(&e.name, key_env) {
            continue;
        }
        let Some(fingerprint) = comparable(&e.value) else {
            continue;
        };
        // A variable named for an environment wins over the file's name.
        let environment = environment_of(&e.name).or(match kind {
            EnvFileKind::Environment(env) => Some(*env),
            _ => None,
        });
        out.push(Place {
            label: format!("{} ({}, line {})", file.display, e.name, e.line),
            variable: e.name.clone(),
            file: Some(file.display.clone()),
            environment,
            template: *kind == EnvFileKind::Template,
            fingerprint,
        });
    }
    out
}

/// Reads every `.env*` file in `dir`; files not read are listed in `notes`: a FIFO or a
/// device (never opened for reading: a FIFO waits for a writer), an over-size file, a
/// symbolic link out of the directory (a repository can commit one to any file).
pub fn places_in_dir(dir: &Path, key_env: &str, notes: &mut Vec<String>) -> Vec<Place> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<(String, EnvFileKind)> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let kind = env_file_kind(&name)?;
            Some((name, kind))
        })
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for (name, kind) in names {
        // `.env.production`, not `./.env.production`, when the directory is the current one.
        let path = if dir == Path::new(".") {
            PathBuf::from(&name)
        } else {
            dir.join(&name)
        };
        let shown = path.display().to_string();
        if link_leaves_dir(dir, &path) {
            notes.push(format!(
                "not compared: {shown} is a symbolic link out of its directory; not followed"
            ));
            continue;
        }
        match read_input(".env file", &path, MAX_DOTENV_FILE, None, Pipes::Refuse) {
            Ok(bytes) => {
                let file = DotenvFile::parse(shown, &bytes);
                out.extend(places_in_file(&file, key_env, &kind));
            }
            Err(e) => notes.push(format!("not compared: {e}")),
        }
    }
    out
}

/// The outcome for a set of places.
pub fn outcome(places: &[Place], notes: Vec<String>) -> Outcome {
    let mut by_key: BTreeMap<&Fingerprint, Vec<&Place>> = BTreeMap::new();
    for p in places {
        by_key.entry(&p.fingerprint).or_default().push(p);
    }
    let mut findings = Vec::new();
    for (fp, ps) in &by_key {
        let mut envs: Vec<&str> = ps.iter().filter_map(|p| p.environment).collect();
        envs.sort();
        envs.dedup();
        if envs.len() >= 2 {
            let wheres: Vec<String> = ps
                .iter()
                .filter(|p| p.environment.is_some())
                .map(|p| format!("{} for {}", p.label, p.environment.unwrap_or("?")))
                .collect();
            findings.push(
                Finding::new(
                    SAME_KEY_IN_ENVIRONMENTS,
                    format!(
                        "The same key ({fp}) is used in {} environments: {}",
                        envs.len(),
                        wheres.join("; ")
                    ),
                )
                .with_fix(
                    "Ask Sales Layer for a separate key per environment (production, staging, development…) and give each environment its own, so that a key exposed in one can be rotated without touching the others.",
                ),
            );
        }
        for t in ps.iter().filter(|p| p.template) {
            findings.push(
                Finding::new(
                    KEY_IN_TEMPLATE_FILE,
                    format!(
                        "{} holds a key ({fp}); template files like this one are made to be committed and shared",
                        t.label
                    ),
                )
                .with_fix(
                    "Replace the value in the template with a placeholder such as YOUR_API_KEY; if the template was ever committed or shared, ask Sales Layer support to rotate the key.",
                ),
            );
        }
    }
    let summary = if findings.is_empty() {
        if places.is_empty() {
            "No other environment file or variable holds a key"
        } else {
            "No key is shared between environments"
        }
    } else if findings.iter().any(|f| f.code == "key-in-template-file") {
        "A template file holds a key"
    } else {
        "The same key is used in several environments"
    };
    let mut o = Outcome::from_findings(summary, findings);
    let mut labels: Vec<String> = places
        .iter()
        .map(|p| format!("{}: {}", p.label, p.fingerprint))
        .collect();
    labels.sort();
    labels.dedup();
    o.details = labels;
    o.details.extend(notes);
    o
}

impl KeySharedAcrossEnvironments {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        let key_env = cx.key.env_name.as_str();
        let mut places = Vec::new();
        let mut notes = Vec::new();
        for c in &cx.key.candidates {
            if c.source.kind != SourceKind::Env {
                continue;
            }
            // The run's key was analysed already.
            if let Some(fingerprint) = comparable_analysed(&c.value, &cx.analysis_of(&c.value)) {
                places.push(Place {
                    label: format!("environment variable {}", c.source.name),
                    variable: c.source.name.clone(),
                    file: None,
                    environment: environment_of(&c.source.name),
                    template: false,
                    fingerprint,
                });
            }
        }
        for n in &cx.key.near_misses {
            if let Some(fingerprint) = comparable(&n.value) {
                places.push(Place {
                    label: format!("environment variable {}", n.name),
                    variable: n.name.clone(),
                    file: None,
                    environment: environment_of(&n.name),
                    template: false,
                    fingerprint,
                });
            }
        }
        if let Some(dotenv) = &cx.key.dotenv_path {
            // Read in place, as the input reads regular files: no FIFO or device is
            // opened (see `places_in_dir`), and a hung file system is ended by the
            // run's watchdog. A helper thread per run cost a measurable part of an
            // offline run (docs/performance.md).
            places.extend(places_in_dir(&parent_dir(dotenv), key_env, &mut notes));
        }
        Ok(outcome(&places, notes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::NearMiss;
    use crate::model::report::Status;
    use crate::testing_support::{CANARY, assert_no_leak, cx_with_key, run};

    #[test]
    fn file_names() {
        let cases = [
            (".env", Some(EnvFileKind::Default)),
            (".env.local", Some(EnvFileKind::Default)),
            (
                ".env.production",
                Some(EnvFileKind::Environment("production")),
            ),
            (".env.prod", Some(EnvFileKind::Environment("production"))),
            (
                ".env.staging.local",
                Some(EnvFileKind::Environment("staging")),
            ),
            (
                ".env.development",
                Some(EnvFileKind::Environment("development")),
            ),
            (".env.example", Some(EnvFileKind::Template)),
            (".env.production.sample", Some(EnvFileKind::Template)),
            (".env.backup", Some(EnvFileKind::Other)),
            (".envrc", None),
            ("env.production", None),
        ];
        crate::testing_support::assert_maps(env_file_kind, cases);
    }

    #[test]
    fn variable_names() {
        let cases = [
            ("SALESLAYER_API_KEY_PROD", Some("production")),
            ("SALESLAYER_API_KEY_STAGING", Some("staging")),
            ("DEV_SALESLAYER_API_KEY", Some("development")),
            ("SALESLAYER_API_KEY", None),
            ("SL_PRODUCT_KEY", None),
        ];
        for (name, want) in cases {
            assert_eq!(environment_of(name), want, "{name}");
        }
    }

    fn with_dir(files: &[(&str, String)], vars: &[(&str, &str)]) -> (Outcome, tempfile::TempDir) {
        let tmp = tempfile::tempdir().unwrap();
        for (name, body) in files {
            std::fs::write(tmp.path().join(name), body).unwrap();
        }
        let mut cx = cx_with_key(CANARY.as_bytes());
        cx.key.dotenv_path = Some(tmp.path().join(".env"));
        for (k, v) in vars {
            cx.key.near_misses.push(NearMiss {
                name: k.to_string(),
                value: SecretKey::from_string(v.to_string()),
            });
        }
        let o = run(&KeySharedAcrossEnvironments, &cx).unwrap();
        assert_no_leak(&o, CANARY);
        (o, tmp)
    }

    fn kv(v: &str) -> String {
        format!("SALESLAYER_API_KEY={v}\n")
    }

    #[test]
    fn table() {
        let other = "ANOTHERkey0000+1111/2222==";
        type Case<'a> = (
            &'a str,
            Vec<(&'a str, String)>,
            Vec<(&'a str, &'a str)>,
            Status,
        );
        let cases: Vec<Case> = vec![
            ("nothing", vec![], vec![], Status::Pass),
            (
                "separate keys",
                vec![(".env.production", kv(CANARY)), (".env.staging", kv(other))],
                vec![],
                Status::Pass,
            ),
            (
                "same key in production and staging files",
                vec![
                    (".env.production", kv(CANARY)),
                    (".env.staging", kv(CANARY)),
                ],
                vec![],
                Status::Warn,
            ),
            (
                "quoted copy is the same key",
                vec![
                    (".env.production", kv(CANARY)),
                    (".env.development", kv(&format!("\"{CANARY}\""))),
                ],
                vec![],
                Status::Warn,
            ),
            (
                ".env and .env.production may share (.env is the default)",
                vec![(".env", kv(CANARY)), (".env.production", kv(CANARY))],
                vec![],
                Status::Pass,
            ),
            (
                "variables for two environments",
                vec![],
                vec![
                    ("SALESLAYER_API_KEY_PROD", CANARY),
                    ("SALESLAYER_API_KEY_STAGING", CANARY),
                ],
                Status::Warn,
            ),
            (
                "a variable and a file",
                vec![(".env.staging", kv(CANARY))],
                vec![("SALESLAYER_API_KEY_PROD", CANARY)],
                Status::Warn,
            ),
            (
                "placeholders are not keys",
                vec![
                    (".env.production", kv("YOUR_API_KEY")),
                    (".env.staging", kv("YOUR_API_KEY")),
                ],
                vec![],
                Status::Pass,
            ),
            (
                "a real key in .env.example",
                vec![(".env.example", kv(CANARY))],
                vec![],
                Status::Fail,
            ),
            (
                "a placeholder in .env.example",
                vec![(".env.example", kv("<your key here>"))],
                vec![],
                Status::Pass,
            ),
        ];
        for (name, files, vars, want) in cases {
            let (o, _tmp) = with_dir(&files, &vars);
            assert_eq!(o.status(), want, "{name}: {o:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_links_out_are_not_read() {
        let (_outer, dir, elsewhere) =
            crate::testing_support::folder_beside_file("p", "elsewhere", kv(CANARY));
        std::fs::write(dir.join(".env.production"), kv(CANARY)).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.join(".env.staging")).unwrap();
        crate::testing_support::mkfifo(&dir.join(".env.dev"));
        let mut notes = Vec::new();
        let places = places_in_dir(&dir, "SALESLAYER_API_KEY", &mut notes);
        let labels: Vec<&str> = places.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels.len(), 1, "{labels:?}");
        assert!(labels[0].contains(".env.production"), "{labels:?}");
        let notes = notes.join("\n");
        assert!(
            notes.contains(".env.dev: is a FIFO (named pipe)"),
            "{notes}"
        );
        assert!(
            notes.contains(".env.staging is a symbolic link out of its directory"),
            "{notes}"
        );
    }

    #[test]
    fn snapshot() {
        let (o, tmp) = with_dir(
            &[
                (".env.production", kv(CANARY)),
                (".env.staging", kv(CANARY)),
                (".env.example", kv(CANARY)),
            ],
            &[("SALESLAYER_API_KEY_DEV", CANARY)],
        );
        let dir = tmp.path().display().to_string();
        insta::with_settings!({filters => vec![(dir.as_str(), "[DIR]")]}, {
            insta::assert_yaml_snapshot!(o);
        });
    }
}
