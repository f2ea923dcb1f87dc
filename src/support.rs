//! `sl-doctor support`: a share-safe bundle for a Sales Layer support ticket and a
//! ready-to-send email with the fields the docs ask for (account, environment, API
//! areas: "DAM, Catalog, or both", use case, technical contact).
//!
//! The bundle holds the JSON report, the tool version, the OS, the target, the NAMES of
//! the proxy variables that are set, and the probes' request ids and timings. It leaves
//! out the key (even partly), every environment value and the home directory (shown as
//! `~`). Everything written or printed passes [`guard`] first: a text that contains any
//! 8-character piece of a key value seen in this run is refused, not written.

use crate::args::{ApiAreas, SupportArgs};
use crate::files::{Links, WriteError, private_dir, write_private};
use sl_doctor_checks::Context;
use sl_doctor_checks::model::leak::Secrets;
use sl_doctor_checks::model::report::{
    Evidence, Item, KeyDelivery, KeyKind, ProbeEvidence, Report, Status, Verdict,
};
use sl_doctor_checks::model::secret::SecretKey;
use std::ffi::OsString;
use std::fmt::Write;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Where Sales Layer support is reached.
pub use sl_doctor_checks::saleslayer::SUPPORT_ADDRESS;

/// The default bundle directory.
pub const DEFAULT_DIR: &str = "sl-doctor-support";

/// The one line that says what the bundle holds and what it leaves out.
pub const CONTENTS: &str = "It holds the JSON report, tool version, OS, target, proxy variable names and the probes' request ids and timings; it leaves out the key (even partly), every environment value and your home directory (shown as ~).";

/// The email fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// Customer or account name.
    pub account: Option<String>,
    /// Environment (production, staging…).
    pub environment: Option<String>,
    /// API areas needed.
    pub apis: Option<ApiAreas>,
    /// Short description of the use case.
    pub use_case: Option<String>,
    /// Technical contact.
    pub contact: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Fields {
    /// From the flags; on a terminal (`interactive`), asks on stderr for the missing ones.
    pub fn from_args(args: &SupportArgs, interactive: bool) -> Fields {
        let mut f = Fields {
            account: non_empty(&args.account),
            environment: non_empty(&args.environment),
            apis: args.apis,
            use_case: non_empty(&args.use_case),
            contact: non_empty(&args.contact),
        };
        if interactive {
            let stdin = std::io::stdin();
            let mut lines = stdin.lock().lines();
            let mut ask = |q: &str| -> Option<String> {
                eprint!("{q} (Enter to leave it out): ");
                lines
                    .next()
                    .and_then(Result::ok)
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
            };
            if f.account.is_none() {
                f.account = ask("Customer or account name");
            }
            if f.environment.is_none() {
                f.environment = ask("Environment (e.g. production, staging)");
            }
            while f.apis.is_none() {
                match ask("API areas needed: dam, catalog or both").as_deref() {
                    None => break,
                    Some(a) => {
                        f.apis = match a.to_ascii_lowercase().as_str() {
                            "dam" => Some(ApiAreas::Dam),
                            "catalog" => Some(ApiAreas::Catalog),
                            "both" | "all" => Some(ApiAreas::Both),
                            _ => {
                                eprintln!("  please answer dam, catalog or both");
                                None
                            }
                        }
                    }
                }
            }
            if f.use_case.is_none() {
                f.use_case = ask("Short description of the use case");
            }
            if f.contact.is_none() {
                f.contact = ask("Technical contact (name and email)");
            }
        }
        f
    }
}

/// Replaces the home directory with `~` (and a Windows-style home with `~` too).
pub fn tilde(text: &str, home: Option<&Path>) -> String {
    let Some(home) = home else {
        return text.to_string();
    };
    let h = home.display().to_string();
    let h = h.trim_end_matches(['/', '\\']);
    if h.len() < 2 {
        return text.to_string();
    }
    // Only whole path components: `/home/ana/x` and `/home/ana` become `~/x` and `~`,
    // `/home/anabel` stays.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(h) {
        let after = &rest[i + h.len()..];
        let boundary = after
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')));
        out.push_str(&rest[..i]);
        out.push_str(if boundary { "~" } else { h });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Refuses a text that contains a piece of any key value seen in this run (the rule of
/// `sl_doctor_checks::model::leak`).
pub fn guard(what: &str, text: String, cx: &Context) -> Result<String, String> {
    let keys: Vec<&SecretKey> = cx.key.candidates.iter().map(|c| &c.value).collect();
    if Secrets::of_run(&keys).leaks(&text) {
        return Err(format!(
            "refusing to write {what}: it would contain a piece of the key (please report this as a bug)"
        ));
    }
    Ok(text)
}

/// One probe check as support can look it up.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct ProbeTrace {
    /// The check, e.g. `dam-probe`.
    pub check: String,
    /// Its status.
    pub status: String,
    /// Its summary.
    pub summary: String,
    /// The request, then each answer's status, timings and request ids, one per line
    /// (`cleaned key: ` / `without key: ` before the lines of those requests).
    pub lines: Vec<String>,
    /// Wall time of the check in milliseconds.
    pub duration_ms: u64,
}

/// The lines support needs from a probe's evidence: request, statuses, timings and
/// request ids.
fn trace_lines(ev: &ProbeEvidence) -> Vec<String> {
    let mut lines = vec![format!("request: {} {}", ev.request.method, ev.request.url)];
    for a in &ev.attempts {
        let label = match a.key.variant {
            KeyKind::AsGiven => "",
            KeyKind::Cleaned => "cleaned key: ",
            KeyKind::None => "without key: ",
            KeyKind::Delivered => "delivered value: ",
        };
        if let Some(r) = &a.response {
            lines.push(format!("{label}status: {}", r.status_line));
        }
        lines.push(format!("{label}{}", a.timings));
        for id in a.response.iter().flat_map(|r| &r.request_ids) {
            lines.push(format!("{label}{}: {}", id.name, id.value));
        }
    }
    lines
}

/// The probes' requests, request ids and timings, from their evidence in the report.
pub fn probe_traces(report: &Report) -> Vec<ProbeTrace> {
    report
        .checklist
        .iter()
        .filter(|i| i.id == Item::WorksInCurl)
        .flat_map(|i| i.checks.iter())
        .map(|c| ProbeTrace {
            check: c.id.clone(),
            status: c.status.as_str().into(),
            summary: c.summary.clone(),
            lines: match &c.evidence {
                Some(Evidence::Probe(ev)) if ev.request.key != KeyDelivery::NoClient => {
                    trace_lines(ev)
                }
                _ => Vec::new(),
            },
            duration_ms: c.duration_ms,
        })
        .collect()
}

/// The OS as a short string (`linux x86_64`, plus the distribution on Linux).
pub fn os_description() -> String {
    let mut s = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    if let Ok(text) = std::fs::read_to_string("/etc/os-release")
        && let Some(name) = text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME="))
    {
        let _ = write!(s, " ({})", name.trim_matches('"'));
    }
    s
}

/// `bundle.json`: everything but the report, share-safe.
pub fn bundle_json(report: &Report, proxy_names: &[String], os: &str) -> serde_json::Value {
    serde_json::json!({
        "bundle_version": 1,
        "tool": { "name": report.tool.name, "version": report.tool.version },
        "generated_at": report.generated_at,
        "os": os,
        "target": report.target,
        "verdict": report.verdict,
        "key": {
            "present": report.key.present,
            "source": report.key.source,
            "length": report.key.length,
            "fingerprint": report.key.fingerprint,
        },
        "proxy_variables_set": proxy_names,
        "probes": probe_traces(report),
        "left_out": "the key (even partly), every environment value (only proxy variable names), the home directory (shown as ~)",
    })
}

fn or_placeholder(v: &Option<String>, what: &str) -> String {
    v.clone().unwrap_or_else(|| format!("<{what}>"))
}

/// The email to support, ready to send.
pub fn email(report: &Report, f: &Fields, bundle_dir: &str) -> String {
    let account = or_placeholder(&f.account, "customer or account name");
    let environment = or_placeholder(&f.environment, "environment, e.g. production");
    let apis = f
        .apis
        .map(|a| a.label().to_string())
        .unwrap_or_else(|| "<DAM, Catalog, or both>".into());
    let topic = match report.verdict {
        Verdict::Pass | Verdict::Warn => "API key request / check",
        Verdict::Fail => "API key problem",
        Verdict::Inconclusive => "API not reachable",
    };
    let mut out = String::new();
    let _ = writeln!(out, "To: {SUPPORT_ADDRESS}");
    let _ = writeln!(
        out,
        "Subject: Sales Layer REST API: {topic} ({account}, {environment})"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Hello Sales Layer support,");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "We are integrating with the Sales Layer REST API and need your help with our API key."
    );
    let _ = writeln!(out);
    write_diagnosis(&mut out, report);
    let _ = writeln!(out, "Customer or account name: {account}");
    let _ = writeln!(out, "Environment: {environment}");
    let _ = writeln!(out, "API areas needed: {apis}");
    let _ = writeln!(
        out,
        "Use case: {}",
        or_placeholder(&f.use_case, "short description of the use case")
    );
    let _ = writeln!(
        out,
        "Technical contact: {}",
        or_placeholder(&f.contact, "name and email")
    );
    let _ = writeln!(out);
    write_findings(&mut out, report);
    let traces = probe_traces(report);
    let with_lines: Vec<_> = traces.iter().filter(|t| !t.lines.is_empty()).collect();
    if !with_lines.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Requests, for your logs:");
        for t in with_lines {
            let _ = writeln!(out, "- {}: {}", t.check, t.lines.join("; "));
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Attached: {bundle_dir}/report.json (the full diagnosis) and {bundle_dir}/bundle.json (version, OS, probe request ids and timings). Neither contains the key."
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Thank you,");
    let _ = writeln!(out, "{}", or_placeholder(&f.contact, "name"));
    out
}

/// What the diagnosis found: verdict, key (described), target, and each check that did
/// not pass.
/// The diagnosis first: what sl-doctor concluded, each cause with its proof.
fn write_diagnosis(out: &mut String, report: &Report) {
    let d = &report.diagnosis;
    let _ = writeln!(out, "sl-doctor's diagnosis: {}", d.summary);
    for (n, c) in d.causes.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", n + 1, c.title);
        if let Some(p) = &c.proof {
            let _ = writeln!(out, "   Proof: {p}");
        }
    }
    let _ = writeln!(out);
}

fn write_findings(out: &mut String, report: &Report) {
    let s = &report.summary;
    let _ = writeln!(
        out,
        "What sl-doctor {} found ({}):",
        report.tool.version, report.generated_at
    );
    let _ = writeln!(
        out,
        "- Verdict: {} ({} failed, {} warnings, {} inconclusive, {} passed, {} skipped)",
        report.verdict.as_str(),
        s.fail,
        s.warn,
        s.error,
        s.pass,
        s.skip
    );
    if report.key.present {
        let _ = writeln!(
            out,
            "- Key: {} characters, fingerprint {} (sha256 of the exact bytes; the key itself is not included)",
            report.key.length,
            report
                .key
                .fingerprint
                .as_ref()
                .map(|f| f.as_str())
                .unwrap_or("-")
        );
    } else {
        let _ = writeln!(out, "- Key: not found where sl-doctor looked");
    }
    let _ = writeln!(
        out,
        "- Target: {} ({})",
        report.target.base_url,
        report.target.apis.join(", ")
    );
    for c in report
        .checks()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error | Status::Warn))
    {
        let _ = writeln!(out, "- {} {}: {}", c.status.as_str(), c.id, c.summary);
    }
}

/// What `support` produced.
pub struct Done {
    /// The email, for standard output.
    pub email: String,
    /// One line for standard error: where the bundle is, what it holds and leaves out.
    pub note: String,
}

/// Writes `report.json`, `bundle.json` and `email.txt` into `dir` (default
/// `./sl-doctor-support`), each checked by [`guard`] and with the home directory as `~`.
/// The directory is created `0700`, the files `0600`; `links` says whether `dir` may be a
/// symbolic link (`--force`); a link in place of one of the files is never followed.
pub fn write_bundle(
    report: &Report,
    cx: &Context,
    fields: &Fields,
    dir: Option<&Path>,
    links: Links,
    env: &[(OsString, OsString)],
) -> Result<Done, String> {
    let home = crate::config::home_dir(env);
    let home = home.as_deref();
    let dir: PathBuf = dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| DEFAULT_DIR.into());
    let shown_dir = tilde(&dir.display().to_string(), home);
    let proxy_names: Vec<String> = cx.net.proxy_env.iter().map(|(k, _)| k.clone()).collect();

    let report_json = tilde(&crate::render::json::render(report), home);
    let bundle = crate::render::json::pretty(&bundle_json(report, &proxy_names, &os_description()));
    let bundle = tilde(&bundle, home);
    let mail = crate::render::human::guard_lines(&tilde(&email(report, fields, &shown_dir), home));

    let files = [
        ("report.json", guard("report.json", report_json, cx)?),
        ("bundle.json", guard("bundle.json", bundle, cx)?),
        ("email.txt", guard("the email", mail.clone(), cx)?),
    ];
    private_dir(&dir, links).map_err(|e| match e {
        WriteError::Link => {
            format!("cannot use the bundle directory {shown_dir}: {e} (--force writes through it)")
        }
        e => format!("cannot create the bundle directory {shown_dir}: {e}"),
    })?;
    for (name, text) in &files {
        write_private(&dir.join(name), text.as_bytes(), Links::Refuse)
            .map_err(|e| format!("cannot write {shown_dir}/{name}: {e}"))?;
    }
    Ok(Done {
        email: mail,
        note: format!(
            "Support bundle written to {shown_dir}/ (report.json, bundle.json, email.txt): send the email above to {SUPPORT_ADDRESS} with the two JSON files attached. {CONTENTS}"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sl_doctor_checks::testing_support::TEST_CANARY;

    #[test]
    fn tilde_replaces_home_only() {
        let home = Path::new("/home/ana");
        assert_eq!(
            tilde("/home/ana/x and /home/anb", Some(home)),
            "~/x and /home/anb"
        );
        assert_eq!(tilde("/x", Some(Path::new("/"))), "/x");
        assert_eq!(tilde("/home/ana", None), "/home/ana");
    }

    #[test]
    fn guard_refuses_a_piece_of_the_key() {
        let mut cx = sl_doctor_checks::Context::default();
        cx.key
            .candidates
            .push(sl_doctor_checks::model::context::Candidate {
                source: sl_doctor_checks::model::report::SourceRef {
                    kind: sl_doctor_checks::model::report::SourceKind::Env,
                    name: "SALESLAYER_API_KEY".into(),
                },
                value: SecretKey::from_string(TEST_CANARY.into()),
                path: None,
            });
        assert!(guard("x", "xx canary7Qx9+ yy".into(), &cx).is_err());
        assert_eq!(
            guard("x", "xx canary7 yy".into(), &cx).unwrap(),
            "xx canary7 yy"
        );
    }

    #[test]
    fn email_has_every_field_and_placeholders() {
        let report = crate::render::tests_support::report(Verdict::Fail);
        let f = Fields {
            account: Some("ACME Corp".into()),
            apis: Some(ApiAreas::Both),
            ..Fields::default()
        };
        let text = email(&report, &f, "sl-doctor-support");
        for needle in [
            "To: support@saleslayer.com",
            "Customer or account name: ACME Corp",
            "Environment: <environment, e.g. production>",
            "API areas needed: both (DAM and Catalog)",
            "Use case: <short description of the use case>",
            "Technical contact: <name and email>",
            "x-request-id: 5f0c2a",
        ] {
            assert!(text.contains(needle), "{needle:?} missing:\n{text}");
        }
    }
}
