//! The live probes against scripted loopback servers: every documented answer per API,
//! redirects (never followed), TLS with a test CA, transport failures, bounded bodies,
//! the differential retry with the cleaned key, and plain http without the key.

mod support;

use sl_doctor_checks::checklist::works_in_curl::catalog_probe::CatalogProbe;
use sl_doctor_checks::checklist::works_in_curl::dam_probe::DamProbe;
use sl_doctor_checks::checklist::works_in_curl::probe_findings;
use sl_doctor_checks::context::{Api, Context};
use sl_doctor_checks::model::report::{
    Answer, Differential, Evidence, KeyDelivery, KeyKind, Status,
};
use sl_doctor_checks::net::probe::{ApiProbe, CATALOG, DAM};
use sl_doctor_checks::{Check, Outcome, Skipped};
use std::time::{Duration, Instant};
use support::*;

fn cx(base: &str, key: &[u8]) -> Context {
    let mut cx = cx_at(base, key);
    // Loopback test servers speak plain http; the plain-http rule has its own test.
    cx.net.allow_http = true;
    cx
}

/// The repair candidates the checks use.
use sl_doctor_checks::analysis::value::candidates as stand_in;

/// Whether a detail line of the outcome starts with `prefix`.
fn has_detail(o: &Outcome, prefix: &str) -> bool {
    o.details.iter().any(|d| d.starts_with(prefix))
}

fn codes(o: &Outcome) -> Vec<&str> {
    o.findings.iter().map(|f| f.code.as_str()).collect()
}

fn both() -> [(&'static ApiProbe, &'static dyn Check); 2] {
    [(&DAM, &DamProbe), (&CATALOG, &CatalogProbe)]
}

async fn probe_with(
    check: &dyn Check,
    srv_base: &str,
    key: &[u8],
    f: impl FnOnce(&mut Context),
) -> Outcome {
    let mut c = cx(srv_base, key);
    f(&mut c);
    let o = check.run(&c).await.expect("the probe runs");
    sl_doctor_checks::testing_support::assert_codes_declared(check.meta(), &o.findings);
    assert_no_leak(&o);
    assert_no_leak(&o.evidence);
    o
}

fn ok_json() -> Reply {
    now(resp(200, Some("application/json"), r#"{"items":[]}"#, &[]))
}

#[tokio::test]
async fn ok_passes_and_sends_the_exact_key_once() {
    for (spec, check) in both() {
        let srv = serve(|_, _| ok_json());
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(o.status(), Status::Pass, "{}: {o:?}", spec.name);
        assert_eq!(codes(&o), ["key-accepted"]);
        let hits = srv.hits();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key.as_deref(), Some(CANARY.as_bytes()));
        let want = if spec.api == Api::Dam {
            "/dam/image?$top=1"
        } else {
            "/catalog/rest/Catalog/$metadata"
        };
        assert_eq!(hits[0].uri, want);
        assert!(has_detail(&o, "dns: "), "{o:?}");
    }
}

#[tokio::test]
async fn unauthorized_fails_as_missing_or_invalid_key() {
    for (_, check) in both() {
        let srv = serve(|_, _| unauthorized("application/json", &[("x-request-id", "req-123")]));
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(o.status(), Status::Fail);
        assert_eq!(codes(&o), ["key-rejected"]);
        assert!(o.findings[0].message.contains("missing or invalid key"));
        assert!(o.details.iter().any(|d| d == "x-request-id: req-123"));
        assert!(
            o.details
                .iter()
                .any(|d| d == "problem detail: A valid API key is required.")
        );
    }
}

/// An empty key, or a value that holds no key once cleaned (`""`), is not sent: the API
/// could only reject it, which says nothing about the key. The probe is skipped and says
/// why; no request reaches the server.
#[tokio::test]
async fn a_value_that_holds_no_key_is_not_sent() {
    for key in [&b""[..], b"\"\"", b"'  '", b"X-API-KEY:"] {
        for (_, check) in both() {
            let srv = serve(|_, _| unauthorized("application/json", &[]));
            let Err(Skipped(why)) = check.run(&cx(&srv.base, key)).await else {
                panic!("{key:?}: the probe ran");
            };
            assert!(why.starts_with("the value holds no key"), "{key:?}: {why}");
            assert!(srv.hits().is_empty(), "{key:?}: a request was sent");
        }
    }
}

/// Beside a value another reader delivers (a `.env` line that the empty variable
/// overrides), the empty key is sent too, and its rejection is read as what it is: the
/// header went out empty, which says nothing about the key and sends nobody to support.
/// So is a value that holds no key once cleaned (`""`): no repair is left to try.
#[tokio::test]
async fn an_empty_key_s_rejection_says_it_was_empty() {
    let cases: [(&[u8], &str, Differential); 4] = [
        (
            b"",
            "with the empty value it was given",
            Differential::NothingToClean,
        ),
        (b"\"\"", "which holds no key", Differential::NoKeyLeft),
        (b"'  '", "which holds no key", Differential::NoKeyLeft),
        (b"X-API-KEY:", "which holds no key", Differential::NoKeyLeft),
    ];
    let dotenv_line = |c: &mut Context| {
        c.key.readings = vec![sl_doctor_checks::context::ReaderDelivery {
            reader: "dotenv libraries".into(),
            place: ".env line 1".into(),
            path: None,
            line: 1,
            delivered: sl_doctor_checks::input::loaders::Delivered::Value(
                sl_doctor_checks::model::secret::SecretKey::from_string(CANARY.into()),
            ),
        }]
    };
    for (key, said, differential) in cases {
        for (_, check) in both() {
            let srv = serve(|_, _| unauthorized("application/json", &[]));
            let o = probe_with(check, &srv.base, key, dotenv_line).await;
            assert_eq!(codes(&o), ["key-rejected", "delivered-rejected"], "{key:?}");
            let f = &o.findings[0];
            assert!(f.message.contains(said), "{key:?}: {}", f.message);
            assert!(!f.message.contains("did send"), "{}", f.message);
            assert!(!f.fix.as_deref().unwrap_or("").contains("support"), "{f:?}");
            let Some(Evidence::Probe(ev)) = &o.evidence else {
                panic!("probe evidence")
            };
            assert_eq!(ev.differential, differential, "{key:?}");
            assert_eq!(
                srv.hits().len(),
                2,
                "{key:?}: the value and the delivered one, nothing else to try"
            );
        }
    }
}

#[tokio::test]
async fn bad_request_per_api() {
    let key_pd = problem(400, "Bad Request", "The request is invalid.", "/image");
    let query_pd = problem(
        400,
        "Bad Request",
        "The value of $top is invalid.",
        "/image",
    );
    let cases: [(&dyn Check, &str, &str); 3] = [
        (&DamProbe, &key_pd, "key-rejected"),
        (&DamProbe, &query_pd, "query-rejected"),
        (&CatalogProbe, &key_pd, "bad-request"),
    ];
    for (check, body, code) in cases {
        let body = body.to_string();
        let srv = serve(move |_, _| now(resp(400, Some("application/json"), &body, &[])));
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(o.status(), Status::Fail);
        assert_eq!(codes(&o), [code]);
    }
}

#[tokio::test]
async fn forbidden_per_api() {
    for (check, code) in [
        (&CatalogProbe as &dyn Check, "catalog-not-enabled"),
        (&DamProbe, "forbidden"),
    ] {
        let srv = serve(|_, _| now(resp(403, None, "", &[])));
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(o.status(), Status::Fail);
        assert_eq!(codes(&o), [code]);
    }
}

#[tokio::test]
async fn not_found_is_a_wrong_path() {
    for (_, check) in both() {
        let srv = serve(|_, _| now(resp(404, None, "", &[])));
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(codes(&o), ["not-found"]);
        assert!(o.findings[0].message.contains("wrong base path"));
    }
}

#[tokio::test]
async fn too_many_requests_with_short_retry_after_is_retried_once() {
    for (_, check) in both() {
        let srv = serve(|_, n| {
            if n == 1 {
                now(resp(429, None, "", &[("retry-after", "1")]))
            } else {
                ok_json()
            }
        });
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(o.status(), Status::Pass, "{o:?}");
        assert_eq!(srv.hits().len(), 2);
        assert!(o.details.iter().any(|d| d.contains("retrying once")));
    }
}

#[tokio::test]
async fn rate_limit_and_server_errors_are_inconclusive() {
    type Headers = &'static [(&'static str, &'static str)];
    let cases: [(u16, Headers, &str); 4] = [
        (503, &[], "server-error"),
        (429, &[("retry-after", "3600")], "rate-limited"),
        (500, &[], "server-error"),
        (502, &[], "server-error"),
    ];
    for (_, check) in both() {
        for (status, headers, code) in cases {
            let srv = serve(move |_, _| now(resp(status, None, "", headers)));
            let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
            assert_eq!(o.status(), Status::Error, "{status}: {o:?}");
            assert_eq!(codes(&o), [code]);
            assert_eq!(srv.hits().len(), 1, "{status} is not retried");
        }
    }
}

#[tokio::test]
async fn html_is_not_the_api() {
    for (_, check) in both() {
        let srv = serve(|_, _| {
            now(resp(
                200,
                Some("text/html"),
                "<!DOCTYPE html><html><body>Welcome to the hotel wifi</body></html>",
                &[],
            ))
        });
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(o.status(), Status::Fail);
        assert_eq!(codes(&o), ["not-the-api"]);
        assert!(
            o.findings[0].message.contains("the answer is HTML")
                || o.findings[0].message.contains("is HTML, not the API")
        );
    }
}

#[tokio::test]
async fn redirects_are_never_followed() {
    for (_, check) in both() {
        // Same host.
        let srv = serve(|_, _| now(resp(301, None, "", &[("location", "/elsewhere?token=abc")])));
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(codes(&o), ["redirect-not-followed"]);
        assert!(o.findings[0].message.contains("same host"), "{o:?}");
        assert!(o.findings[0].message.contains("token=[redacted]"));
        assert_eq!(srv.hits().len(), 1);

        // Another host: the second server must see nothing.
        let other = serve(|_, _| ok_json());
        let loc = format!("http://localhost:{}/dam/image", other.addr.port());
        let srv = serve(move |_, _| now(resp(302, None, "", &[("location", &loc)])));
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(codes(&o), ["redirect-not-followed"]);
        assert!(o.findings[0].message.contains("another host"), "{o:?}");
        assert!(other.hits().is_empty());
    }
}

async fn tls_server(
    script: impl Fn(&Hit, usize) -> Reply + Send + Sync + 'static,
) -> (Server, std::path::PathBuf) {
    let (srv, ca) = serve_tls(script).await;
    let p = sl_doctor_checks::testing_support::scratch_dir()
        .join(format!("probe-ca-{}.pem", srv.addr.port()));
    std::fs::write(&p, ca).unwrap();
    (srv, p)
}

#[tokio::test]
async fn https_to_http_redirect_is_not_followed() {
    for (_, check) in both() {
        let plain = serve(|_, _| ok_json());
        let loc = format!("http://127.0.0.1:{}/dam/image", plain.addr.port());
        let (srv, ca) =
            tls_server(move |_, _| now(resp(307, None, "", &[("location", &loc)]))).await;
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |c| {
            c.net.ca_cert = Some(ca.clone());
            c.net.allow_http = false;
        })
        .await;
        assert_eq!(codes(&o), ["redirect-not-followed"]);
        assert!(o.findings[0].message.contains("plain http"), "{o:?}");
        assert!(
            plain.hits().is_empty(),
            "the http server got no request and no key"
        );
        let _ = std::fs::remove_file(ca);
    }
}

#[tokio::test]
async fn https_with_a_test_ca() {
    for (_, check) in both() {
        let (srv, ca) = tls_server(|_, _| ok_json()).await;
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |c| {
            c.net.ca_cert = Some(ca.clone());
        })
        .await;
        assert_eq!(o.status(), Status::Pass, "{o:?}");
        // Without the CA the certificate is not trusted: a TLS error, no verdict.
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(o.status(), Status::Error, "{o:?}");
        assert_eq!(codes(&o), ["tls-failed"]);
        let _ = std::fs::remove_file(ca);
    }
}

#[tokio::test]
async fn connection_refused_is_inconclusive() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    for (_, check) in both() {
        let o = probe_with(
            check,
            &format!("http://127.0.0.1:{port}"),
            CANARY.as_bytes(),
            |_| {},
        )
        .await;
        assert_eq!(o.status(), Status::Error);
        assert_eq!(codes(&o), ["connection-refused"]);
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    for (_, check) in both() {
        let srv = serve(|_, _| Box::pin(std::future::pending()));
        let t = Instant::now();
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |c| {
            c.net.timeout = Duration::from_millis(300);
        })
        .await;
        assert!(t.elapsed() < Duration::from_secs(3));
        assert_eq!(o.status(), Status::Error);
        assert_eq!(codes(&o), ["timeout"]);
    }
}

/// A probe the run's deadline stops is inconclusive with the runner's code and a fix
/// that says what to change, not a bare "see explain".
#[tokio::test]
async fn a_probe_the_deadline_stops_says_so_and_how_to_fix_it() {
    use sl_doctor_checks::runner::{DEADLINE_REACHED, RunOptions, run_checks};
    let srv = serve(|_, _| Box::pin(std::future::pending()));
    let checks: [Box<dyn Check>; 2] = [Box::new(DamProbe), Box::new(CatalogProbe)];
    let opts = RunOptions {
        deadline: Duration::from_millis(300),
        deadline_secs: 0.3,
        ..RunOptions::default()
    };
    let results = run_checks(&checks, &cx(&srv.base, CANARY.as_bytes()), &opts).await;
    for (r, c) in results.iter().zip(&checks) {
        sl_doctor_checks::testing_support::assert_codes_declared(c.meta(), &r.findings);
        assert_eq!(r.status, Status::Error, "{r:?}");
        assert!(r.has(DEADLINE_REACHED), "{r:?}");
        assert!(
            r.fix.as_deref().is_some_and(|f| f.starts_with(
                "Run sl-doctor again with a longer --deadline (this run allowed 0.3 s"
            )),
            "{r:?}"
        );
    }
}

fn endless_body(chunk: &'static [u8], every: Duration) -> Reply {
    let s = futures_util::stream::unfold(0u64, move |n| async move {
        if n > 0 {
            tokio::time::sleep(every).await;
        }
        let c: &'static [u8] = if n == 0 { b"{\"items\":[" } else { chunk };
        Some((
            Ok::<_, std::io::Error>(axum::body::Bytes::from_static(c)),
            n + 1,
        ))
    });
    let mut r = axum::response::Response::new(axum::body::Body::from_stream(s));
    r.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    Box::pin(async move { r })
}

#[tokio::test]
async fn endless_bodies_are_capped_or_time_out() {
    for (_, check) in both() {
        // Fast and endless: capped at 64 KiB.
        let srv = serve(|_, _| endless_body(&[b'0'; 1024], Duration::from_millis(0)));
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |_| {}).await;
        assert_eq!(o.status(), Status::Pass, "{o:?}");
        assert!(
            o.details
                .iter()
                .any(|d| d.contains("only the first 64 KiB"))
        );
        // A trickle: bounded by the request timeout.
        let srv = serve(|_, _| endless_body(b"0,", Duration::from_millis(50)));
        let t = Instant::now();
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |c| {
            c.net.timeout = Duration::from_millis(500);
        })
        .await;
        assert!(t.elapsed() < Duration::from_secs(3));
        assert!(
            o.details.iter().any(|d| d.contains("body read stopped")),
            "{o:?}"
        );
    }
}

/// Accepts only the healthy canary.
fn only_the_healthy_canary() -> Server {
    serve(|h, _| {
        if h.key.as_deref() == Some(CANARY.as_bytes()) {
            ok_json()
        } else {
            unauthorized("application/json", &[])
        }
    })
}

async fn diff(spec: &ApiProbe, base: &str, key: &[u8], differential: bool) -> Outcome {
    let mut c = cx(base, key);
    c.net.differential = differential;
    let o = probe_findings::run(&c, spec, stand_in).await.unwrap();
    assert_no_leak(&o);
    assert_no_leak(&o.evidence);
    o
}

/// One differential case: the key as given, whether the differential retry is on, whether
/// the server accepts the healthy canary (else it rejects every key), the codes, the number
/// of requests sent, and a phrase one finding says.
type DiffCase = (
    String,
    bool,
    bool,
    &'static [&'static str],
    usize,
    Option<&'static str>,
);

#[tokio::test]
async fn differential_retry_for_each_kind_of_key() {
    let quoted = format!("\"{CANARY}\"");
    #[rustfmt::skip]
    let cases: [DiffCase; 5] = [
        // Not sendable as given: only the cleaned key is sent.
        (format!("{CANARY}\n"), true, true, &["key-not-sendable", "accepted-once-cleaned"], 1, Some("U+000A LINE FEED at character 28 of 28")),
        // Exactly one extra request.
        (quoted.clone(), true, true, &["key-rejected", "accepted-once-cleaned"], 2, Some("Your key is accepted once the quotes are removed (length 27, sha256:")),
        (format!(" {CANARY} "), true, false, &["key-rejected", "cleaned-rejected-too"], 2, Some("ask support for a new key")),
        // Differential off, or nothing to clean: no extra request.
        (quoted, false, true, &["key-rejected", "differential-off"], 1, None),
        (CANARY.to_string(), true, false, &["key-rejected"], 1, None),
    ];
    for spec in [&DAM, &CATALOG] {
        for (value, differential, accepts_healthy, want, requests, says) in &cases {
            let srv = if *accepts_healthy {
                only_the_healthy_canary()
            } else {
                serve(|_, _| now(resp(401, None, "", &[])))
            };
            let o = diff(spec, &srv.base, value.as_bytes(), *differential).await;
            assert_eq!(codes(&o), *want, "{value:?}");
            assert_eq!(o.status(), Status::Fail, "{value:?}");
            let hits = srv.hits();
            assert_eq!(hits.len(), *requests, "{value:?}");
            if want.contains(&"accepted-once-cleaned") {
                assert_eq!(hits.last().unwrap().key.as_deref(), Some(CANARY.as_bytes()));
            }
            if let Some(says) = says {
                assert!(o.findings.iter().any(|f| f.message.contains(says)), "{o:?}");
            }
        }
    }
}

/// A rate-limited repaired key proves nothing: the rejection of the key as given is not
/// read as an invalid key, and no finding sends the user to support for a new key.
#[tokio::test]
async fn a_rate_limited_repair_leaves_the_key_not_proven_invalid() {
    for spec in [&DAM, &CATALOG] {
        let srv = serve(|h, _| {
            if h.key.as_deref() == Some(CANARY.as_bytes()) {
                now(resp(429, Some("application/json"), "{}", &[]))
            } else {
                unauthorized("application/json", &[])
            }
        });
        let o = diff(spec, &srv.base, format!("\"{CANARY}\"").as_bytes(), true).await;
        assert_eq!(codes(&o), ["key-rejected", "cleaned-untested"], "{o:?}");
        assert!(
            o.findings[0]
                .message
                .contains("the key itself is not proven invalid"),
            "{}",
            o.findings[0].message
        );
        assert!(
            o.findings.iter().all(|f| f.fix.is_none()),
            "no fix says ask for a new key: {o:?}"
        );
    }
}

#[tokio::test]
async fn differential_details_name_the_key_as_given_and_the_repair() {
    for spec in [&DAM, &CATALOG] {
        let srv = only_the_healthy_canary();
        let o = diff(spec, &srv.base, format!("{CANARY}\n").as_bytes(), true).await;
        assert!(has_detail(&o, "key as given: 28 characters, sha256:"));
        assert!(has_detail(
            &o,
            "repaired key (trimmed): 27 characters, sha256:"
        ));
    }
}

#[tokio::test]
async fn differential_tries_the_repairs_in_turn_until_one_is_accepted() {
    let json = CANARY.replace('/', "\\/");
    let pct = CANARY
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    for (value, extra, once) in [
        (
            format!("\"{json}\""),
            2,
            "once the quotes are removed and its JSON escapes are decoded",
        ),
        (json.clone(), 1, "once its JSON escapes are decoded"),
        (pct.clone(), 1, "once it is percent-decoded"),
    ] {
        let srv = only_the_healthy_canary();
        let o = diff(&DAM, &srv.base, value.as_bytes(), true).await;
        assert_eq!(
            codes(&o),
            ["key-rejected", "accepted-once-cleaned"],
            "{value}"
        );
        assert!(
            o.findings[1].message.contains(once),
            "{}",
            o.findings[1].message
        );
        let hits = srv.hits();
        assert_eq!(hits.len(), 1 + extra, "{value}");
        assert_eq!(hits.last().unwrap().key.as_deref(), Some(CANARY.as_bytes()));
        let Some(Evidence::Probe(ev)) = &o.evidence else {
            panic!("probe evidence")
        };
        assert_eq!(ev.attempts.len(), 1 + extra);
    }
}

#[tokio::test]
async fn differential_never_sends_more_than_three_repairs() {
    let srv = serve(|_, _| now(resp(401, None, "", &[])));
    let value = format!(" \"{}\" ", CANARY.replace('/', "\\/").replace('+', "%2B"));
    let o = diff(&DAM, &srv.base, value.as_bytes(), true).await;
    assert_eq!(codes(&o), ["key-rejected", "cleaned-rejected-too"]);
    assert!(srv.hits().len() <= 4, "{}", srv.hits().len());
    assert!(
        o.findings[1]
            .message
            .contains("repaired values tried are rejected too"),
        "{}",
        o.findings[1].message
    );
}

#[tokio::test]
async fn plain_http_sends_no_key_without_allow_http() {
    for (_, check) in both() {
        let srv = serve(|h, _| {
            if h.key.is_some() {
                ok_json()
            } else {
                now(resp(401, None, "", &[]))
            }
        });
        let o = probe_with(check, &srv.base, CANARY.as_bytes(), |c| {
            c.net.allow_http = false
        })
        .await;
        assert_eq!(o.status(), Status::Fail);
        assert_eq!(codes(&o), ["key-not-sent-plain-http", "keyless-answer"]);
        assert!(o.findings[1].message.contains("asking for a key"), "{o:?}");
        let hits = srv.hits();
        assert_eq!(hits.len(), 1);
        assert!(hits[0].key.is_none(), "no X-API-KEY over plain http");
    }
}

#[tokio::test]
async fn skipped_when_the_api_is_not_selected() {
    let mut c = cx("https://127.0.0.1:9", CANARY.as_bytes());
    c.target.apis = vec![Api::Dam];
    assert!(matches!(CatalogProbe.run(&c).await, Err(Skipped(r)) if r.contains("--api catalog")));
    c.target.apis = vec![Api::Catalog];
    assert!(matches!(DamProbe.run(&c).await, Err(Skipped(r)) if r.contains("--api dam")));
}

/// The two probes do not block each other: each server answers only once both requests
/// have arrived, so run one after the other they would time out.
#[tokio::test(flavor = "current_thread")]
async fn both_probes_are_in_flight_together() {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let srv = serve(move |_, _| {
        let b = barrier.clone();
        Box::pin(async move {
            b.wait().await;
            resp(200, Some("application/json"), "{}", &[])
        })
    });
    let c = cx(&srv.base, CANARY.as_bytes());
    let (d, k) = tokio::join!(DamProbe.run(&c), CatalogProbe.run(&c));
    assert_eq!(d.unwrap().status(), Status::Pass);
    assert_eq!(k.unwrap().status(), Status::Pass);
}

fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    s.add_filter(r"\d+ ms", "[n] ms");
    s
}

#[tokio::test]
async fn snapshot_dam_invalid_key_400() {
    let srv = serve(|_, _| {
        now(resp(
            400,
            Some("application/json"),
            &problem(400, "Bad Request", "The request is invalid.", "/image"),
            &[("x-request-id", "0f3c9a")],
        ))
    });
    let o = probe_with(&DamProbe, &srv.base, CANARY.as_bytes(), |_| {}).await;
    snapshot_settings().bind(|| insta::assert_yaml_snapshot!(o));
}

#[tokio::test]
async fn snapshot_catalog_not_enabled() {
    let srv = serve(|_, _| {
        now(resp(
            403,
            Some("application/json"),
            "",
            &[("cf-ray", "8a1b2c3d4e-MAD")],
        ))
    });
    let o = probe_with(&CatalogProbe, &srv.base, CANARY.as_bytes(), |_| {}).await;
    snapshot_settings().bind(|| insta::assert_yaml_snapshot!(o));
}

/// The same differential diagnosis through the checks, with the real `analysis::cleaned_key`.
#[tokio::test]
async fn checks_use_the_real_cleaned_key() {
    let newline = format!("{CANARY}\n");
    let quoted = format!("\"{CANARY}\"");
    for (_, check) in both() {
        let srv = only_the_healthy_canary();
        let o = probe_with(check, &srv.base, newline.as_bytes(), |_| {}).await;
        assert_eq!(codes(&o), ["key-not-sendable", "accepted-once-cleaned"]);
        assert_eq!(srv.hits().len(), 1);

        let srv = only_the_healthy_canary();
        let o = probe_with(check, &srv.base, quoted.as_bytes(), |_| {}).await;
        assert_eq!(codes(&o), ["key-rejected", "accepted-once-cleaned"]);
        assert_eq!(srv.hits().len(), 2, "exactly one extra request");

        let srv = only_the_healthy_canary();
        let o = probe_with(check, &srv.base, quoted.as_bytes(), |c| {
            c.net.differential = false
        })
        .await;
        assert_eq!(codes(&o), ["key-rejected", "differential-off"]);
        assert_eq!(srv.hits().len(), 1, "no extra request");
    }
}

fn evidence_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    s
}

/// The typed evidence of a differential diagnosis: the quoted key is rejected with a
/// request id, the cleaned key is accepted; a diagnosis reads all of it from fields.
#[tokio::test]
async fn snapshot_evidence_of_a_quoted_key_accepted_once_cleaned() {
    let srv = serve(|h, _| {
        if h.key.as_deref() == Some(CANARY.as_bytes()) {
            now(resp(
                200,
                Some("application/json"),
                r#"{"items":[]}"#,
                &[("x-request-id", "ok-1")],
            ))
        } else {
            unauthorized(
                "application/problem+json",
                &[("x-request-id", "rej-1"), ("cf-ray", "8a1b-MAD")],
            )
        }
    });
    let quoted = format!("\"{CANARY}\"");
    let o = probe_with(&DamProbe, &srv.base, quoted.as_bytes(), |_| {}).await;
    assert_eq!(codes(&o), ["key-rejected", "accepted-once-cleaned"]);
    let Some(Evidence::Probe(ev)) = &o.evidence else {
        panic!("a probe has probe evidence: {o:?}");
    };
    let kinds: Vec<_> = ev
        .attempts
        .iter()
        .map(|a| (a.key.variant, a.answer))
        .collect();
    assert_eq!(
        kinds,
        [
            (KeyKind::AsGiven, Answer::Rejected),
            (KeyKind::Cleaned, Answer::Accepted)
        ]
    );
    evidence_settings().bind(|| {
        insta::assert_json_snapshot!(ev, {
            ".attempts[].timings.*" => "[ms]",
            ".attempts[].response.remote" => "[remote]",
        })
    });
}

/// A 429 with a short Retry-After: two attempts with the key as given, the first one
/// says it was retried.
#[tokio::test]
async fn evidence_records_the_retry() {
    let srv = serve(|_, n| {
        if n == 1 {
            now(resp(429, None, "", &[("retry-after", "1")]))
        } else {
            ok_json()
        }
    });
    let o = probe_with(&CatalogProbe, &srv.base, CANARY.as_bytes(), |_| {}).await;
    let Some(Evidence::Probe(ev)) = &o.evidence else {
        panic!("a probe has probe evidence: {o:?}");
    };
    assert_eq!(ev.attempts.len(), 2);
    let first = &ev.attempts[0];
    assert_eq!(first.answer, Answer::RateLimited);
    assert_eq!(first.response.as_ref().unwrap().retry_after_s, Some(1));
    assert!(first.retry.unwrap().retried);
    assert_eq!(ev.attempts[1].answer, Answer::Accepted);
    assert_eq!(ev.differential, Differential::NotNeeded);
}

/// Plain http: the request went without the key, and the evidence says so.
#[tokio::test]
async fn evidence_of_plain_http_has_no_key() {
    let srv = only_the_healthy_canary();
    let o = probe_with(&DamProbe, &srv.base, CANARY.as_bytes(), |c| {
        c.net.allow_http = false
    })
    .await;
    let Some(Evidence::Probe(ev)) = &o.evidence else {
        panic!("a probe has probe evidence: {o:?}");
    };
    assert_eq!(ev.request.key, KeyDelivery::NotSentPlainHttp);
    assert_eq!(ev.attempts.len(), 1);
    assert_eq!(ev.attempts[0].key.variant, KeyKind::None);
    assert_eq!(ev.attempts[0].key.fingerprint, None);
}
