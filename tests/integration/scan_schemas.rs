//! `sl-doctor scan`'s machine outputs against their schemas: the JSON against the published
//! `docs/scan.schema.json` (generated from the types), the SARIF against the official SARIF
//! 2.1.0 schema of OASIS (`tests/data/sarif-schema-2.1.0.json`, see `tests/data/README.md`),
//! over real scans: findings, no findings, the git history, many matches, hostile names.
//! Each validator is shown to reject a broken document, so a pass means something.

use crate::common::{CANARY, Run, assert_no_leak, sl_doctor};
use crate::scan::{commit_file, git, git_init, has_git, leaky_tree, put};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn load(rel: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The official schema, and the proof that it is the final 2.1.0 one.
fn sarif_validator() -> jsonschema::Validator {
    let schema = load("tests/data/sarif-schema-2.1.0.json");
    assert_eq!(
        schema["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn scan_validator() -> jsonschema::Validator {
    jsonschema::validator_for(&load("docs/scan.schema.json")).expect("a valid JSON Schema")
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator.iter_errors(doc).map(|e| e.to_string()).collect()
}

/// One scan case: its name, the directory it runs in, the arguments after `scan`, and
/// the key's value.
struct Case {
    name: &'static str,
    dir: tempfile::TempDir,
    args: Vec<String>,
    key: String,
}

impl Case {
    fn new(name: &'static str) -> Case {
        Case {
            name,
            dir: tempfile::tempdir().unwrap(),
            args: Vec::new(),
            key: CANARY.to_string(),
        }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    fn run(&self, format: &str) -> (Run, Value) {
        let (r, _d) = sl_doctor()
            .env("SALESLAYER_API_KEY", &self.key)
            .current_dir(self.dir.path())
            .args(["scan", "--no-dotenv", "--format", format])
            .args(&self.args)
            .run();
        // Only the case without findings is exit 0.
        let want = if self.name == "no findings" { 0 } else { 1 };
        assert_eq!(
            r.code, want,
            "{} {format}: {}{}",
            self.name, r.stdout, r.stderr
        );
        assert_no_leak(CANARY, "stdout", &r.stdout);
        assert_no_leak(CANARY, "stderr", &r.stderr);
        let v = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{} {format}: {e}: {}", self.name, r.stdout));
        (r, v)
    }
}

/// Real scans that between them write every part of both formats.
fn cases() -> Vec<Case> {
    let mut all = Vec::new();

    let findings = Case::new("findings");
    leaky_tree(&findings.root());
    put(&findings.root(), "dir with space/k.txt", CANARY);
    all.push(findings);

    // The key given with whitespace around it (a note), found nowhere.
    let mut none = Case::new("no findings");
    put(&none.root(), "src/a.js", "const k = process.env.KEY;\n");
    none.key = format!(" {CANARY}\n");
    all.push(none);

    // An absolute path: a file:// URI without %SRCROOT%; more matches than are listed.
    let mut many = Case::new("absolute path, matches not listed");
    put(
        &many.root(),
        "logs/app.log",
        format!("key={CANARY}\n").repeat(30),
    );
    many.args = vec![many.root().join("logs").display().to_string()];
    all.push(many);

    #[cfg(unix)]
    {
        let hostile = Case::new("hostile file names");
        put(
            &hostile.root(),
            "a\u{1b}]0;owned\u{7}\n::error::x.txt",
            format!("\u{202e}key={CANARY}\u{1b}[2K\n"),
        );
        put(
            &hostile.root(),
            "b ##[stop-commands]t0ken %41.txt",
            format!("x ##[add-mask]y key={CANARY}\n"),
        );
        all.push(hostile);
    }

    if has_git() {
        let mut history = Case::new("history");
        let root = history.root();
        git_init(&root);
        let settings = format!("API_KEY = \"{CANARY}\"\n");
        commit_file(&root, "config/settings.py", settings, "add settings");
        // The key moves to another file: one blob gone from HEAD, one still in it.
        git(&root, &["rm", "-q", "config/settings.py"]);
        commit_file(
            &root,
            "deploy/.env.production",
            format!("KEY={CANARY}\n"),
            "move the key",
        );
        history.args = vec!["--history".into()];
        all.push(history);
    }
    all
}

#[test]
fn published_scan_schema_is_the_generated_one() {
    let (r, _d) = sl_doctor().args(["schema", "scan"]).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let generated: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        generated,
        load("docs/scan.schema.json"),
        "docs/scan.schema.json is stale: run `cargo run -- schema scan > docs/scan.schema.json`"
    );
}

#[test]
fn real_scans_validate_against_their_schemas() {
    let (sarif, scan) = (sarif_validator(), scan_validator());
    let mut seen = std::collections::BTreeSet::new();
    for case in cases() {
        let (_, report) = case.run("json");
        let errs = errors(&scan, &report);
        assert!(errs.is_empty(), "{} json: {errs:#?}", case.name);
        let (r, log) = case.run("sarif");
        let sarif_text = r.stdout;
        let errs = errors(&sarif, &log);
        assert!(errs.is_empty(), "{} sarif: {errs:#?}", case.name);
        code_scanning_reads_it(case.name, &log, &report);
        if case.name == "findings" {
            // Every place and encoding of the tree, and the file under a name with a space.
            assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 14);
            assert!(
                sarif_text.contains("dir%20with%20space/k.txt"),
                "URIs are percent-encoded"
            );
        }
        for f in report["findings"].as_array().unwrap() {
            seen.insert(f["location"].as_str().unwrap().to_string());
        }
        if !report["notes"].as_array().unwrap().is_empty() {
            seen.insert("notes".to_string());
        }
    }
    let want: &[&str] = if has_git() {
        &["history", "notes", "working-tree"]
    } else {
        &["notes", "working-tree"]
    };
    assert_eq!(seen.iter().map(String::as_str).collect::<Vec<_>>(), want);
}

/// What GitHub code scanning needs beyond the standard, and the SARIF saying what the
/// JSON says: one result per finding, at the same place.
fn code_scanning_reads_it(name: &str, log: &Value, report: &Value) {
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&severity), "{name}: {rule}");
    }
    let results = run["results"].as_array().unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len(), "{name}");
    for (res, f) in results.iter().zip(findings) {
        // ruleIndex points at the rule named by ruleId.
        let i = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], res["ruleId"], "{name}");
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.contains(['\\', ' ']) && !uri.starts_with("./"),
            "{name}: {uri}"
        );
        // Relative URIs resolve against the checkout; absolute ones are file:// URIs.
        let relative = loc["artifactLocation"].get("uriBaseId").is_some();
        assert_eq!(relative, !uri.starts_with("file:///"), "{name}: {uri}");
        assert_eq!(loc["region"]["startLine"], f["line"], "{name}");
        assert_eq!(loc["region"]["startColumn"], f["column"], "{name}");
        assert_eq!(loc["region"]["snippet"]["text"], f["excerpt"], "{name}");
        assert_eq!(res["properties"]["place"], f["place"]["id"], "{name}");
        assert_eq!(res["properties"]["encoding"], f["encoding"], "{name}");
        if f["location"] == "working-tree" {
            let message = res["message"]["text"].as_str().unwrap();
            let label = f["place"]["label"].as_str().unwrap();
            assert!(
                message.contains(&format!("this {label} (")),
                "{name}: {message}"
            );
        }
    }
}

/// `pointer` (a JSON pointer) set to `value`, or removed when `value` is `None`.
fn mutated(doc: &Value, pointer: &str, value: Option<Value>) -> Value {
    let mut doc = doc.clone();
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    let slot = doc
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("{pointer}"));
    match (slot, value) {
        (Value::Object(map), Some(v)) => {
            map.insert(last.to_string(), v);
        }
        (Value::Object(map), None) => {
            assert!(map.remove(last).is_some(), "{pointer}");
        }
        (other, _) => panic!("{pointer}: {other}"),
    }
    doc
}

/// Each validator rejects a document broken in one place, and accepts it whole.
#[test]
fn the_validators_reject_broken_documents() {
    let case = &cases()[0];
    let (sarif, scan) = (sarif_validator(), scan_validator());
    let (_, log) = case.run("sarif");
    assert!(errors(&sarif, &log).is_empty());
    let result = "/runs/0/results/0";
    let region = "/runs/0/results/0/locations/0/physicalLocation/region";
    let broken_logs = [
        ("/version".to_string(), Some(json!("2.2.0"))),
        ("/runs".to_string(), Some(json!({}))),
        ("/unknown".to_string(), Some(json!(1))),
        (format!("{result}/level"), Some(json!("fatal"))),
        (format!("{result}/message"), Some(json!({}))),
        (format!("{result}/ruleIndex"), Some(json!(-2))),
        (format!("{region}/startLine"), Some(json!(0))),
        // A region must say where it starts (SARIF 2.1.0 Errata 01).
        (format!("{region}/startLine"), None),
        ("/runs/0/tool/driver/name".to_string(), None),
        ("/runs/0/columnKind".to_string(), Some(json!("bytes"))),
    ];
    for (pointer, value) in broken_logs {
        let doc = mutated(&log, &pointer, value.clone());
        assert!(
            !errors(&sarif, &doc).is_empty(),
            "the SARIF schema accepted {pointer} = {value:?}"
        );
    }

    let (_, report) = case.run("json");
    assert!(errors(&scan, &report).is_empty());
    let broken_reports = [
        ("/verdict", Some(json!("maybe"))),
        ("/command", Some(json!("check"))),
        ("/findings", None),
        ("/findings/0/line", Some(json!(0))),
        ("/findings/0/encoding", Some(json!("rot13"))),
        ("/findings/0/place/id", Some(json!("container"))),
        ("/stats/files", Some(json!(-1))),
        ("/key/fingerprint", Some(json!(7))),
    ];
    for (pointer, value) in broken_reports {
        let doc = mutated(&report, pointer, value.clone());
        assert!(
            !errors(&scan, &doc).is_empty(),
            "the scan schema accepted {pointer} = {value:?}"
        );
    }
}
