//! The causes on the way to the API: a proxy that refused the tunnel, and a network
//! path that gave no answer.

use super::{cause, check_fix};
use crate::checklist::{
    CatalogProbe, DamProbe, DnsResolution, ProxyConfig, TlsConnection, UrlScheme,
};
use crate::diagnosis::facts::{Facts, KeyAnswer};
use crate::diagnosis::{Cause, CauseId, CauseLevel, Fixer};
use crate::model::check::CheckId;
use crate::model::evidence::{Evidence, ProxyRefusal, RefusalReason};
use crate::model::prose::join_names as join;
use crate::model::report::{CheckResult, Item, Status};
use crate::runner::DEADLINE_REACHED;
use crate::saleslayer::BASE_URL;

/// A proxy refused the tunnel: its own answer is the proof, and says who can change it.
pub(super) fn proxy_refused(f: &Facts) -> Option<Cause> {
    let (c, r) = refusal(f)?;
    let silent = f.apis(|p| p.given == KeyAnswer::Unreachable);
    let mut checks = vec![TlsConnection::ID];
    checks.extend(silent.iter().map(|p| p.check));
    let fixer = if r.needs_network_team() {
        Fixer::NetworkTeam
    } else {
        Fixer::You
    };
    Some(
        cause(
            CauseId::ProxyRefused,
            c.summary.trim_end_matches('.'),
            CauseLevel::Fail,
            &checks,
        )
        .proof(Some(refusal_proof(r)))
        .fix(check_fix(f, TlsConnection::ID, "Check the proxy setting."))
        .by(fixer),
    )
}

/// tls-connection's result and the proxy's refusal, when a proxy refused the tunnel.
fn refusal<'a>(f: &Facts<'a>) -> Option<(&'a CheckResult, &'a ProxyRefusal)> {
    let c = f.report.check(TlsConnection::ID)?;
    match &c.evidence {
        Some(Evidence::Tls(ev)) => Some((c, ev.proxy_refusal.as_ref()?)),
        _ => None,
    }
}

/// What the proxy answered, in one line: "squid answered 403 (ERR_ACCESS_DENIED) to
/// `CONNECT host:443`".
fn refusal_proof(r: &ProxyRefusal) -> String {
    let who = r
        .server
        .as_deref()
        .and_then(|s| s.split('/').next())
        .filter(|s| !s.is_empty())
        .map_or_else(
            || format!("the proxy {}", r.proxy),
            |s| format!("{s} at {}", r.proxy),
        );
    if let Some(status) = r.status {
        let code = match (&r.proxy_error, r.proxy_errno) {
            (Some(e), Some(n)) if n != 0 => format!(" ({e}, error {n})"),
            (Some(e), _) => format!(" ({e})"),
            (None, _) => String::new(),
        };
        return format!("{who} answered {status}{code} to `CONNECT {}`", r.target);
    }
    match (r.reason, r.socks_reply) {
        (RefusalReason::AuthRequired | RefusalReason::Other, Some(0xff)) => {
            format!("{who} accepted none of the SOCKS5 authentication methods offered")
        }
        (RefusalReason::CredentialsRejected, _) => {
            format!("{who} rejected the SOCKS5 username and password")
        }
        (_, reply) => {
            let reply = reply.unwrap_or(0);
            format!(
                "{who} answered the SOCKS5 connect request for {} with reply {reply} ({})",
                r.target,
                crate::net::socks::reply_words(reply)
            )
        }
    }
}

pub(super) fn no_answer(f: &Facts) -> Option<Cause> {
    // A proxy's refusal is its own cause, with the proxy's answer as proof.
    if refusal(f).is_some() {
        return None;
    }
    let net_checks = [DnsResolution::ID, ProxyConfig::ID, TlsConnection::ID];
    let broken: Vec<CheckId> = net_checks
        .into_iter()
        .filter(|id| matches!(f.status(*id), Status::Fail | Status::Error))
        .collect();
    let silent = f.apis(|p| p.given == KeyAnswer::Unreachable);
    let first = broken
        .first()
        .copied()
        .or(silent.first().map(|p| p.check))?;
    let summary = f
        .report
        .check(first)
        .map(|c| c.summary.clone())
        .unwrap_or_default();
    let mut checks = broken.clone();
    checks.extend(silent.iter().map(|p| p.check));
    let item_failed = f
        .report
        .checklist
        .iter()
        .any(|i| i.id == Item::BaseUrl && i.status == Status::Fail);
    let level = if item_failed {
        CauseLevel::Fail
    } else {
        CauseLevel::Inconclusive
    };
    // The TLS handshake with the API host worked, and only the requests went unanswered:
    // the network path is not what to check, the wait is.
    if broken.is_empty() && f.status(TlsConnection::ID) == Status::Pass {
        return Some(
            cause(CauseId::Network, format!("The API did not answer: {}", lower(&summary)), level, &checks)
                .fix("The connection and the TLS handshake worked, but no answer came: run sl-doctor again with a longer --timeout; if the API still does not answer, try later or ask Sales Layer support (`sl-doctor support` drafts the email)."),
        );
    }
    Some(
        cause(CauseId::Network, format!("The API could not be reached: {}", lower(&summary)), level, &checks)
            .fix(check_fix(f, first, "Check the network path to the API (DNS, firewall, proxy, TLS), then run sl-doctor again.")),
    )
}

fn lower(s: &str) -> String {
    crate::model::prose::lowercase_first(s.trim_end_matches('.'))
}

/// The run's deadline stopped checks before they finished: one cause for all of them,
/// naming them, with the runner's fix (a longer --deadline).
pub(super) fn deadline_reached(f: &Facts) -> Option<Cause> {
    let stopped: Vec<&CheckResult> = f
        .report
        .checks()
        .filter(|c| c.has(DEADLINE_REACHED))
        .collect();
    let first = stopped.first()?;
    let probes = [(DamProbe::ID, "DAM"), (CatalogProbe::ID, "Catalog")];
    let apis: Vec<&str> = probes
        .iter()
        .filter(|(id, _)| stopped.iter().any(|c| c.id == *id))
        .map(|(_, api)| *api)
        .collect();
    let mut named: Vec<String> = match apis.as_slice() {
        [] => vec![],
        [one] => vec![format!("the {one} probe")],
        both => vec![format!("the {} probes", join(both))],
    };
    named.extend(
        stopped
            .iter()
            .filter(|c| !probes.iter().any(|(id, _)| c.id == *id))
            .map(|c| c.id.clone()),
    );
    let named = join(&named.iter().map(String::as_str).collect::<Vec<_>>());
    let mut k = cause(
        CauseId::DeadlineReached,
        format!("The run's deadline (--deadline) passed before {named} finished: no verdict"),
        CauseLevel::Inconclusive,
        &[],
    );
    k.checks = stopped.iter().map(|c| c.id.clone()).collect();
    Some(k.fix(first.fix.clone().unwrap_or_default()))
}

/// The base URL is plain http on a loopback host (url-scheme lets a local test server
/// pass) and `--allow-http` is not given: the probes did not send the key. One cause for
/// both probes, with the one fix. On any other host url-scheme fails, and the wrong-URL
/// cause explains the probes too.
pub(super) fn key_not_sent_over_http(f: &Facts) -> Option<Cause> {
    if f.status(UrlScheme::ID) == Status::Fail {
        return None;
    }
    let not_sent = f.apis(|p| p.given == KeyAnswer::NotSentOverHttp);
    if not_sent.is_empty() {
        return None;
    }
    let checks: Vec<CheckId> = not_sent.iter().map(|p| p.check).collect();
    Some(
        cause(
            CauseId::KeyNotSentOverHttp,
            "The key was not sent: the base URL is plain http://, and sl-doctor sends the key over http only with --allow-http",
            CauseLevel::Fail,
            &checks,
        )
        .fix(format!(
            "For a local test server you run (the sl-doctor mock over http), pass --allow-http; for the Sales Layer API, use {BASE_URL}."
        )),
    )
}
