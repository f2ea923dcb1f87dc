//! JUnit XML for CI test reports (quick-junit): a `0. diagnosis` suite with one
//! `<testcase>` per cause, then one `<testsuite>` per checklist item, in order and always
//! all six, one `<testcase>` per check. The root's `failures` counts failing causes and
//! failing checks alike (a CI test view leads with the cause, as every format does); the
//! human "N failed" counts checks, which the item suites' `failures` add up to
//! (`docs/ci.md`).
//!
//! | check status | test case |
//! |---|---|
//! | pass | success |
//! | warn | success with the warning in `<system-out>`; a `<failure type="warn">` with `--strict` |
//! | fail | `<failure type="fail">`: message = summary, text = findings, details and fix |
//! | error | `<error type="inconclusive">`: the check could not reach a verdict |
//! | skip | `<skipped>` with the reason |
//!
//! An item without checks gets one skipped test case named after the item, so every item
//! shows up in CI. The XML is a pure function of the report (the JSON report stays the
//! source of truth).

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use sl_doctor_checks::diagnosis::CauseLevel;
use sl_doctor_checks::model::report::{CheckResult, Report, Severity, Status};
use sl_doctor_checks::model::untrusted::{Sink, guard_text};
use std::time::Duration;

/// The JUnit XML document, with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut junit = quick_junit::Report::new("sl-doctor");
    junit.set_time(Duration::from_millis(report.duration_ms));
    junit.add_test_suite(diagnosis_suite(report));
    for (n, item) in report.checklist.iter().enumerate() {
        let mut suite = TestSuite::new(format!("{}. {}", n + 1, item.id.id()));
        suite.add_property(Property::new("item", item.id.id()));
        suite.add_property(Property::new("title", item.title.as_str()));
        suite.add_property(Property::new("status", item.status.as_str()));
        if n == 0 {
            suite.add_property(Property::new("verdict", report.verdict.as_str()));
            suite.add_property(Property::new("target", report.target.base_url.as_str()));
            suite.add_property(Property::new(
                "tool",
                format!("{} {}", report.tool.name, report.tool.version),
            ));
        }
        if item.checks.is_empty() {
            let mut status = TestCaseStatus::skipped();
            if let Some(reason) = &item.reason {
                status.set_message(reason.as_str());
            }
            let mut case = TestCase::new(item.id.id(), status);
            case.set_classname(format!("sl-doctor.{}", item.id.id()));
            suite.add_test_case(case);
        }
        for c in &item.checks {
            let mut case = TestCase::new(c.id.as_str(), status_of(c, report));
            case.set_classname(format!("sl-doctor.{}", item.id.id()));
            case.set_time(Duration::from_millis(c.duration_ms));
            if c.status == Status::Warn && !report.counts_as_failure(c.status) {
                case.set_system_out(format!("warning: {}\n{}", c.summary, body(c)));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    let mut xml = junit
        .to_string()
        .expect("a JUnit report of plain strings always serialises");
    if !xml.ends_with('\n') {
        xml.push('\n');
    }
    // Printed to a CI log: workflow commands become character references (same text to
    // an XML reader).
    guard_text(&xml, Sink::Xml).into_owned()
}

fn status_of(c: &CheckResult, report: &Report) -> TestCaseStatus {
    let (kind, ty) = match c.status {
        Status::Pass => return TestCaseStatus::success(),
        Status::Warn if !report.counts_as_failure(c.status) => {
            return TestCaseStatus::success();
        }
        Status::Skip => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(c.summary.as_str());
            return s;
        }
        Status::Warn => (NonSuccessKind::Failure, "warn"),
        Status::Fail => (NonSuccessKind::Failure, "fail"),
        Status::Error => (NonSuccessKind::Error, "inconclusive"),
    };
    let mut s = TestCaseStatus::non_success(kind);
    s.set_message(c.summary.as_str());
    s.set_type(ty);
    s.set_description(body(c));
    s
}

/// The findings with their fixes, the details, the check's fix and where to read more.
fn body(c: &CheckResult) -> String {
    let mut out = format!("{}: {}\n", c.id, c.title);
    for f in &c.findings {
        let sev = match f.severity {
            Severity::Fail => "fail",
            Severity::Warn => "warn",
            Severity::Info => "info",
        };
        out.push_str(&format!("[{sev}] {}\n", f.message));
        if let (Some(fix), false) = (&f.fix, f.severity == Severity::Info) {
            out.push_str(&format!("  fix: {fix}\n"));
        }
    }
    for d in &c.details {
        out.push_str(&format!("{d}\n"));
    }
    if let Some(r) = &c.fix {
        out.push_str(&format!("remediation: {r}\n"));
    }
    out.push_str(&format!("more: sl-doctor explain {}\n", c.id));
    out
}

/// The diagnosis leads: a suite with one case per cause (a failure for a `fail` or
/// `inconclusive` cause, with its proof and fix), or one passing case when nothing is wrong.
fn diagnosis_suite(report: &Report) -> TestSuite {
    let d = &report.diagnosis;
    let mut suite = TestSuite::new("0. diagnosis");
    suite.add_property(Property::new("summary", d.summary.as_str()));
    if d.causes.is_empty() {
        let mut case = TestCase::new(d.summary.as_str(), TestCaseStatus::success());
        case.set_classname("sl-doctor.diagnosis");
        suite.add_test_case(case);
    }
    for c in &d.causes {
        let mut text = String::new();
        if let Some(p) = &c.proof {
            text.push_str(&format!("proof: {p}\n"));
        }
        text.push_str(&format!(
            "fix: {}\nchecks: {}\n",
            c.fix,
            c.checks.join(", ")
        ));
        let status = match c.level {
            CauseLevel::Warn if !report.strict => TestCaseStatus::success(),
            _ => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(c.title.as_str());
                s.set_description(text.clone());
                s
            }
        };
        let mut case = TestCase::new(format!("{}: {}", c.id, c.title), status);
        case.set_classname("sl-doctor.diagnosis");
        if c.level == CauseLevel::Warn && !report.strict {
            case.set_system_out(format!("warning: {}\n{text}", c.title));
        }
        suite.add_test_case(case);
    }
    suite
}
