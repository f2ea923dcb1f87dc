//! `base-url`: the request is sent to the correct base URL.

pub mod dns_resolution;
pub mod proxy_config;
mod proxy_tunnel;
pub mod tls_connection;
pub mod url_format;
pub mod url_host;
pub mod url_path;
pub mod url_scheme;

use crate::analysis::urls::{Role, UrlFacts, analyze_target};
use crate::context::Context;
use crate::model::check::Outcome;
use crate::model::code::Code;
use crate::model::report::{Finding, Severity};

/// Declares a URL check: its `check!` metadata, and a `run` that is [`url_outcome`] over
/// the module's `findings` function, with `pass` as the summary when nothing is found.
macro_rules! url_check {
    ($(#[$doc:meta])* $name:ident: $id:literal, $item:ident, $title:literal, pass: $pass:literal,
     codes: $codes:expr $(,)?) => {
        $crate::check! {
            $(#[$doc])*
            $name: $id, $item, $title, codes: $codes
        }

        impl $name {
            async fn run(
                &self,
                cx: &$crate::context::Context,
            ) -> Result<$crate::model::check::Outcome, $crate::model::check::Skipped> {
                Ok($crate::checklist::base_url::url_outcome(cx, $pass, findings))
            }
        }
    };
}
pub(crate) use url_check;

/// One finding of a URL check, with the few words the check summary uses.
#[derive(Debug, Clone)]
pub struct UrlFinding {
    /// A few words for the check summary (secret-free).
    pub short: String,
    /// The finding.
    pub finding: Finding,
}

impl UrlFinding {
    /// A finding with its summary words.
    pub fn new(short: impl Into<String>, finding: Finding) -> Self {
        UrlFinding {
            short: short.into(),
            finding,
        }
    }

    /// A finding from the words a URL check picked for one problem: summary words,
    /// code, message, and the fix when there is one. The checks pick these in one
    /// `match` per problem kind, and build the finding here once.
    pub fn worded(
        short: impl Into<String>,
        code: Code,
        message: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        let mut finding = Finding::new(code, message);
        finding.fix = fix;
        UrlFinding::new(short, finding)
    }
}

/// Appends the exact URL to use to the last problem's fix that does not name a URL yet:
/// the check's fix joins the findings' fixes, and says the URL once, at the end.
pub fn with_url_to_use(facts: &UrlFacts, mut found: Vec<UrlFinding>) -> Vec<UrlFinding> {
    if let Some(c) = &facts.canonical {
        let last = found.iter_mut().rev().find(|f| {
            f.finding.severity != Severity::Info
                && f.finding
                    .fix
                    .as_ref()
                    .is_some_and(|fix| !fix.contains("://"))
        });
        if let Some(fix) = last.and_then(|f| f.finding.fix.as_mut()) {
            if !fix.ends_with(['.', '…']) {
                fix.push('.');
            }
            fix.push_str(&format!(" Use {c}"));
        }
    }
    found
}

/// The outcome of one URL check (`url-*`, `key-in-url`, `plain-http`): its findings for
/// the base URL and the `--url`, the URLs as given (redacted), the URL to use when it
/// differs, and a summary naming the worst finding.
pub(crate) fn url_outcome(
    cx: &Context,
    pass_summary: &str,
    findings: impl Fn(&UrlFacts) -> Vec<UrlFinding>,
) -> Outcome {
    let mut o = Outcome::pass(pass_summary);
    let mut worst: Option<(Severity, String, usize)> = None;
    for facts in analyze_target(cx).iter() {
        o = o.detail(format!("{}: {}", facts.role.label(), facts.display));
        if let Some(c) = facts.canonical_if_different() {
            o = o.detail(match facts.role {
                Role::Base => format!("use: {c}"),
                Role::Request => format!("use (--url): {c}"),
            });
        }
        for f in with_url_to_use(facts, findings(facts)) {
            let s = f.finding.severity;
            match &mut worst {
                Some((w, _, n)) if *w >= s => *n += 1,
                _ => {
                    let extra = worst.as_ref().map_or(0, |(_, _, n)| n + 1);
                    worst = Some((s, format!("{}: {}", facts.role.label(), f.short), extra));
                }
            }
            o.findings.push(f.finding);
        }
    }
    if let Some((_, short, more)) = worst {
        o.summary = if more > 0 {
            format!("{short} (+{more} more)")
        } else {
            short
        };
    }
    o
}
