//! The published JSON Schema is current, and real reports validate against it.

use crate::common::{CANARY, sl_doctor};
use sl_doctor_checks::model::report::Item;

fn published() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/report.schema.json"
    ))
    .expect("docs/report.schema.json exists");
    serde_json::from_str(&text).expect("the schema is JSON")
}

#[test]
fn published_schema_is_the_generated_one() {
    let (r, _d) = sl_doctor().args(["schema"]).run();
    assert_eq!(r.code, 0);
    let generated: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        generated,
        published(),
        "docs/report.schema.json is stale: run `cargo run -- schema > docs/report.schema.json`"
    );
}

#[test]
fn real_reports_validate_against_the_schema() {
    let validator = jsonschema::validator_for(&published()).expect("a valid JSON Schema");
    let scenarios: Vec<Vec<(&str, String)>> = vec![
        vec![],
        vec![("SALESLAYER_API_KEY", CANARY.to_string())],
        vec![("SALESLAYER_API_KEY", format!("\"{CANARY}\u{200b}\r\n"))],
        vec![
            ("SALESLAYER_API_KEY", String::new()),
            (
                "SALESLAYER_BASE_URL",
                "http://api.saleslayer.com/rest/Catalog".into(),
            ),
        ],
    ];
    for env in scenarios {
        let mut cmd = sl_doctor().args(["--offline", "--format", "json"]);
        for (k, v) in &env {
            cmd = cmd.env(k, v);
        }
        let (r, _d) = cmd.run();
        let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON on stdout");
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{env:?}: {errors:#?}");
        // The fields every report must carry (the README lists them).
        for field in [
            "schema_version",
            "tool",
            "generated_at",
            "verdict",
            "key",
            "target",
            "checklist",
            "summary",
        ] {
            assert!(report.get(field).is_some(), "missing {field}");
        }
        let items: Vec<&str> = report["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        // In checklist order (the model's unit test pins that order).
        let want: Vec<&str> = Item::ALL.iter().map(|i| i.id()).collect();
        assert_eq!(items, want);
    }
}
