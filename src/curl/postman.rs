//! The Postman files of `sl-doctor curl`: an environment with the official collection's
//! variable names (`--postman`) and a collection with the probes (`--postman-collection`).
//!
//! Neither holds the key: the environment's `apiKey` is an empty secret the user fills in
//! Postman (or newman's `--env-var`), and the collection's requests send `{{apiKey}}` to
//! `{{baseUrl}}`, so the two files work together (in Postman, or `newman run COLLECTION
//! -e ENVIRONMENT`) and each test fails unless the API answers 200.

use crate::args::{ApiChoice, CurlArgs};
use serde_json::{Value, json};
use sl_doctor_checks::net::probe::{self, ApiProbe};
use sl_doctor_checks::saleslayer::KEY_HEADER;
use std::fmt::Write;

/// The Postman environment name of the official template.
pub const POSTMAN_ENV_NAME: &str = "Sales Layer API - Template";

/// The collection's name.
pub const POSTMAN_COLLECTION_NAME: &str = "Sales Layer API - sl-doctor probes";

/// The Postman Collection format the file follows.
const COLLECTION_SCHEMA: &str =
    "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON values serialise");
    s.push('\n');
    s
}

/// A Postman environment with the official collection's variable names: `baseUrl` (the
/// origin of the base URL) and `apiKey` as an empty `secret`.
pub fn postman_environment(base_origin: &str) -> String {
    pretty(&json!({
        "name": POSTMAN_ENV_NAME,
        "values": [
            { "key": "baseUrl", "value": base_origin, "type": "default", "enabled": true },
            { "key": "apiKey", "value": "", "type": "secret", "enabled": true }
        ],
        "_postman_variable_scope": "environment",
        "_postman_exported_using": format!("sl-doctor/{}", env!("CARGO_PKG_VERSION")),
    }))
}

/// One probe as a collection item: `GET {{baseUrl}}<path>?<query>` with the key in
/// `X-API-KEY: {{apiKey}}`, and a test that the status is 200.
fn item(p: &ApiProbe) -> Value {
    let raw = format!(
        "{{{{baseUrl}}}}{}{}",
        p.path,
        p.query.map(|q| format!("?{q}")).unwrap_or_default()
    );
    let path: Vec<&str> = p.path.split('/').filter(|s| !s.is_empty()).collect();
    let query: Vec<Value> = p
        .query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            json!({ "key": k, "value": v })
        })
        .collect();
    let test = [
        format!(
            "pm.test(\"{} accepts the key (200)\", function () {{",
            p.name
        ),
        "    pm.response.to.have.status(200);".to_string(),
        "});".to_string(),
    ];
    json!({
        "name": format!("{} probe", p.name),
        "request": {
            "method": "GET",
            "header": [
                { "key": KEY_HEADER, "value": "{{apiKey}}", "type": "text" },
                { "key": "Accept", "value": "application/json", "type": "text" }
            ],
            "url": { "raw": raw, "host": ["{{baseUrl}}"], "path": path, "query": query }
        },
        "event": [
            { "listen": "test", "script": { "type": "text/javascript", "exec": test } }
        ]
    })
}

/// A Postman Collection v2.1 with the probes of `apis` (the requests `sl-doctor` makes),
/// for the `--postman` environment's `baseUrl` and `apiKey`.
pub fn postman_collection(probes: &[&ApiProbe]) -> String {
    pretty(&json!({
        "info": {
            "name": POSTMAN_COLLECTION_NAME,
            "description": "The requests sl-doctor makes to check a Sales Layer API key. Use it with the environment `sl-doctor curl --postman FILE` writes: put the key into its apiKey secret. Each request's test passes when the API answers 200.",
            "schema": COLLECTION_SCHEMA,
        },
        "item": probes.iter().map(|p| item(p)).collect::<Vec<_>>(),
    }))
}

/// Writes the files `--postman` and `--postman-collection` ask for, and says so at the
/// end of `out`.
pub fn write_files(args: &CurlArgs, base: &str, out: &mut String) -> Result<(), String> {
    let write = |path: &std::path::Path, text: &str| {
        crate::files::write_private(path, text.as_bytes(), crate::files::Links::Refuse)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    if let Some(path) = &args.postman {
        let parsed = url::Url::parse(base.trim()).map_err(|e| format!("--base-url: {e}"))?;
        let origin = parsed.origin().ascii_serialization();
        write(path, &postman_environment(&origin))?;
        let _ = writeln!(
            out,
            "\n# Postman environment \"{POSTMAN_ENV_NAME}\" written to {}: baseUrl = {origin},\n\
             # apiKey = an empty secret (paste the key into its Current value in Postman; it is not in the file).",
            path.display()
        );
    }
    if let Some(path) = &args.postman_collection {
        let probes: Vec<&ApiProbe> = match args.api {
            ApiChoice::Dam => vec![&probe::DAM],
            ApiChoice::Catalog => vec![&probe::CATALOG],
            ApiChoice::All => vec![&probe::DAM, &probe::CATALOG],
        };
        write(path, &postman_collection(&probes))?;
        let names: Vec<&str> = probes.iter().map(|p| p.name).collect();
        let _ = writeln!(
            out,
            "\n# Postman collection \"{POSTMAN_COLLECTION_NAME}\" written to {}: the {} probe{} on\n\
             # {{{{baseUrl}}}} with X-API-KEY: {{{{apiKey}}}}, each testing for a 200. Import it with the\n\
             # environment of --postman, or run: newman run {} -e ENVIRONMENT.json",
            path.display(),
            names.join(" and "),
            if names.len() == 1 { "" } else { "s" },
            path.display()
        );
    }
    Ok(())
}
