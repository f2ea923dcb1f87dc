//! `sl-doctor support`: a share-safe bundle for a Sales Layer support ticket and a
//! ready-to-send email with the fields the docs ask for (account, environment, API
//! areas: "DAM, Catalog, or both", use case, technical contact).
//!
//! The bundle holds the JSON report (the diagnosis, the tool version and OS, the target,
//! the probes' request ids and timings), `bundle.json` (what the report does not hold:
//! the NAMES of the proxy variables that are set) and the email; no file repeats another.
//! It leaves out the key (even partly), every environment value and the home directory
//! (shown as `~`). Everything written or printed passes [`guard`] first: a text that
//! contains any 8-character piece of a key value seen in this run is refused, not written.

mod email;

pub use email::email;

use crate::args::{ApiAreas, SupportArgs};
use crate::files::{Links, WriteError, private_dir, write_private};
use sl_doctor_checks::Context;
use sl_doctor_checks::leak::Secrets;
use sl_doctor_checks::model::report::Report;
use sl_doctor_checks::model::secret::SecretKey;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Where Sales Layer support is reached.
pub use sl_doctor_checks::saleslayer::SUPPORT_ADDRESS;

/// The default bundle directory.
pub const DEFAULT_DIR: &str = "sl-doctor-support";

/// The report's file name in the bundle.
pub const REPORT_FILE: &str = "report.json";

/// The bundle's index: what the report does not hold.
pub const BUNDLE_FILE: &str = "bundle.json";

/// The email's file name in the bundle.
pub const EMAIL_FILE: &str = "email.txt";

/// The one line that says what the bundle holds and what it leaves out.
pub const CONTENTS: &str = "report.json holds the diagnosis, tool version, OS, target and the probes' request ids and timings, bundle.json the names of the proxy variables that are set; they leave out the key (even partly), every environment value and your home directory (shown as ~).";

/// Who the email is for. The requests went to the base URL's host: when that host is not
/// Sales Layer's (the sl-doctor mock on loopback, a proxy, a misspelt host), Sales Layer
/// support has no record of them, and the draft is for whoever runs that host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// Sales Layer support.
    SalesLayer,
    /// Whoever runs the host of `base_url`, which is not Sales Layer's.
    Host {
        /// The base URL (as in the report: redacted).
        base_url: String,
        /// What the host is, as `url-host` found it.
        kind: &'static str,
    },
}

impl Recipient {
    /// From `url-host`'s findings: the one place that classifies the host.
    pub fn of(report: &Report) -> Recipient {
        use sl_doctor_checks::checklist::UrlHost;
        use sl_doctor_checks::checklist::base_url::url_host as h;
        let Some(c) = report.check(UrlHost::ID) else {
            return Recipient::SalesLayer;
        };
        let kind = if c.has(h::LOOPBACK_HOST) {
            "a loopback host, such as the sl-doctor mock"
        } else if c.has(h::HOST_TYPO) || c.has(h::LOOKALIKE_HOST) {
            "a misspelling of Sales Layer's API host"
        } else if c.has(h::NOT_SALESLAYER_HOST) {
            "another host (a proxy or a mock, perhaps)"
        } else {
            return Recipient::SalesLayer;
        };
        Recipient::Host {
            base_url: report.target.base_url.clone(),
            kind,
        }
    }

    /// The email's `To:`.
    pub fn address(&self) -> String {
        match self {
            Recipient::SalesLayer => SUPPORT_ADDRESS.to_string(),
            Recipient::Host { base_url, .. } => format!(
                "<whoever runs {base_url}: not Sales Layer's API, so not {SUPPORT_ADDRESS}>"
            ),
        }
    }

    /// Who is asked, as a question's or a note's words.
    pub fn who(&self) -> String {
        match self {
            Recipient::SalesLayer => "Sales Layer support".into(),
            Recipient::Host { base_url, .. } => format!("whoever runs {base_url}"),
        }
    }

    /// Why the email does not go to Sales Layer, and what to do to ask them; `None` when
    /// it does.
    pub fn warning(&self) -> Option<String> {
        let Recipient::Host { base_url, kind } = self else {
            return None;
        };
        Some(format!(
            "The base URL {base_url} is not Sales Layer's API ({kind}): Sales Layer support has \
             no record of these requests, so the email is addressed to whoever runs that host, \
             not to {SUPPORT_ADDRESS}. To ask Sales Layer, set the base URL to {} (--base-url \
             or SALESLAYER_BASE_URL) and run sl-doctor support again.",
            sl_doctor_checks::saleslayer::BASE_URL
        ))
    }
}

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
    /// From the flags.
    pub fn from_args(args: &SupportArgs) -> Fields {
        Fields {
            account: non_empty(&args.account),
            environment: non_empty(&args.environment),
            apis: args.apis,
            use_case: non_empty(&args.use_case),
            contact: non_empty(&args.contact),
        }
    }

    /// Fills the fields the flags left out with the answers `ask` gives (`None`: left
    /// out). The command asks on a terminal, once an email is due.
    pub fn ask_missing(mut self, mut ask: impl FnMut(&str) -> Option<String>) -> Fields {
        let f = &mut self;
        if f.account.is_none() {
            f.account = ask("Customer or account name");
        }
        if f.environment.is_none() {
            f.environment = ask("Environment (e.g. production, staging)");
        }
        let mut question = "API areas needed: dam, catalog or both";
        while f.apis.is_none() {
            let Some(answer) = ask(question) else {
                break;
            };
            f.apis = match answer.to_ascii_lowercase().as_str() {
                "dam" => Some(ApiAreas::Dam),
                "catalog" => Some(ApiAreas::Catalog),
                "both" | "all" => Some(ApiAreas::Both),
                _ => None,
            };
            question =
                "  please answer dam, catalog or both\nAPI areas needed: dam, catalog or both";
        }
        if f.use_case.is_none() {
            f.use_case = ask("Short description of the use case");
        }
        if f.contact.is_none() {
            f.contact = ask("Technical contact (name and email)");
        }
        self
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
/// `sl_doctor_checks::leak`).
pub fn guard(what: &str, text: String, cx: &Context) -> Result<String, String> {
    let keys: Vec<&SecretKey> = cx.key.candidates.iter().map(|c| &c.value).collect();
    if Secrets::of_run(&keys).leaks(&text) {
        return Err(format!(
            "refusing to write {what}: it would contain a piece of the key (please report this as a bug)"
        ));
    }
    Ok(text)
}

/// `bundle.json`: what the report does not hold, and nothing it does: which files the
/// bundle has, and the names (never the values) of the proxy variables that were set.
pub fn bundle_json(proxy_names: &[String]) -> serde_json::Value {
    serde_json::json!({
        "bundle_version": 2,
        "report": REPORT_FILE,
        "email": EMAIL_FILE,
        "proxy_variables_set": proxy_names,
        "left_out": "the key (even partly), every environment value (only proxy variable names), the home directory (shown as ~)",
    })
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
    let bundle = crate::render::json::pretty(&bundle_json(&proxy_names));
    let recipient = Recipient::of(report);
    let mail = crate::render::human::guard_lines(&tilde(&email(report, fields, &recipient), home));

    let files = [
        (REPORT_FILE, guard(REPORT_FILE, report_json, cx)?),
        (BUNDLE_FILE, guard(BUNDLE_FILE, bundle, cx)?),
        (EMAIL_FILE, guard("the email", mail.clone(), cx)?),
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
    let mut note = format!(
        "Support bundle written to {shown_dir}/ ({REPORT_FILE}, {BUNDLE_FILE}, {EMAIL_FILE}): send the email above to {} with the two JSON files attached. {CONTENTS}",
        recipient.who()
    );
    if let Some(w) = recipient.warning() {
        note = format!("{w}\n{note}");
    }
    Ok(Done { email: mail, note })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sl_doctor_checks::testing_support::TEST_CANARY;

    /// The recipient follows url-host's finding: Sales Layer support unless the host is
    /// loopback, misspelt or another host.
    #[test]
    fn the_recipient_follows_the_hosts_class() {
        use sl_doctor_checks::checklist::base_url::url_host as h;
        use sl_doctor_checks::model::report::{Finding, Verdict};
        let with = |code: Option<sl_doctor_checks::model::code::Code>| {
            let mut report = crate::render::tests_support::report(Verdict::Fail);
            report.target.base_url = "https://localhost:8443".into();
            let c = report
                .checklist
                .iter_mut()
                .flat_map(|i| i.checks.iter_mut())
                .find(|c| c.id == sl_doctor_checks::checklist::UrlHost::ID)
                .expect("the fixture has url-host");
            c.findings = code.map(|k| Finding::new(k, "m")).into_iter().collect();
            Recipient::of(&report)
        };
        assert_eq!(with(None), Recipient::SalesLayer);
        assert_eq!(with(Some(h::NON_DEFAULT_PORT)), Recipient::SalesLayer);
        for (code, kind) in [
            (h::LOOPBACK_HOST, "loopback"),
            (h::HOST_TYPO, "misspelling"),
            (h::NOT_SALESLAYER_HOST, "another host"),
        ] {
            let r = with(Some(code));
            assert!(
                matches!(&r, Recipient::Host { kind: k, .. } if k.contains(kind)),
                "{r:?}"
            );
            assert!(
                r.address()
                    .starts_with("<whoever runs https://localhost:8443")
            );
            let text = email(
                &crate::render::tests_support::report(Verdict::Fail),
                &Fields::default(),
                &r,
            );
            assert!(
                text.contains("\nHello,\n") && !text.contains("Sales Layer support,"),
                "{text}"
            );
            assert!(!text.contains("To: support@"), "{text}");
            assert!(r.warning().unwrap().contains("is not Sales Layer's API"));
        }
        assert_eq!(Recipient::SalesLayer.address(), SUPPORT_ADDRESS);
        assert_eq!(Recipient::SalesLayer.warning(), None);
    }

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
        cx.key.candidates.push(sl_doctor_checks::context::FoundKey {
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
}
