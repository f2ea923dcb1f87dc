//! The human report of `capture -- COMMAND`, printed when the command has ended: how it
//! ended, one block per request to the API host, the other hosts by name, the run's
//! findings and the verdict.

use super::InterceptInfo;
use crate::capture::CaptureReport;
use crate::capture::render::{capture_block, summary};
use crate::render::human::count;
use crate::term::Term;

/// The whole report.
pub fn report(r: &CaptureReport, term: &Term) -> String {
    let mut s = String::new();
    if let Some(i) = &r.intercept {
        s.push_str(&heading(i));
    }
    if r.captures.is_empty() {
        s.push('\n');
    }
    for c in &r.captures {
        s.push_str(&capture_block(c, term));
        s.push('\n');
    }
    if let Some(i) = &r.intercept {
        s.push_str(&other_hosts(i));
    }
    s.push_str(&summary(r, term));
    s
}

fn heading(i: &InterceptInfo) -> String {
    let ended = match (i.ended.as_str(), i.exit_code, i.signal) {
        ("timeout", ..) => "was ended by capture at --timeout".to_string(),
        ("interrupted", ..) => "was ended by capture (interrupted)".to_string(),
        (_, Some(c), _) => format!("exited with status {c}"),
        (_, None, Some(sig)) => format!("was ended by signal {sig}"),
        _ => "ended".to_string(),
    };
    let secs = i.duration_ms as f64 / 1000.0;
    format!(
        "\nsl-doctor capture: {} {ended} after {secs:.1} s · requests to {} through the proxy {}\n",
        i.program, i.api_host, i.proxy
    )
}

fn other_hosts(i: &InterceptInfo) -> String {
    if i.other_hosts.is_empty() {
        return String::new();
    }
    let hosts: Vec<String> = i
        .other_hosts
        .iter()
        .map(|h| {
            let mut notes = vec![count(h.connections, "connection", "connections")];
            if h.failed > 0 {
                notes.push(format!("{} unreachable", h.failed));
            }
            if h.plain_http {
                notes.push("plain http".into());
            }
            format!(
                "{} ({})",
                super::proxy::authority(&h.host, h.port),
                notes.join(", ")
            )
        })
        .collect();
    let more = if i.other_hosts_more > 0 {
        format!(
            ", and {} to further hosts",
            count(i.other_hosts_more, "connection", "connections")
        )
    } else {
        String::new()
    };
    format!(
        "\nother hosts (tunnelled, not decrypted): {}{more}\n",
        hosts.join(", ")
    )
}
