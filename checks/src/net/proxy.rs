//! The proxy decision, shared by `dns-resolution`, `proxy-config`, `tls-connection` and the
//! live probe.
//!
//! The variables are read as curl reads them, which is also how libcurl (PHP), Python
//! (requests, httpx, urllib, aiohttp), axios and Node read them: the lower-case name first
//! (`https_proxy`, then `HTTPS_PROXY`) for https targets, `http_proxy`/`HTTP_PROXY` for http
//! targets, `all_proxy`/`ALL_PROXY` for both when the specific one is unset, and
//! `no_proxy`/`NO_PROXY` to exclude hosts, domain suffixes, IPs and CIDR ranges (`*`
//! excludes everything). Go's net/http is the exception: its upper-case name wins, so when
//! the two names hold different proxies the decision says so ([`Decision::differing`]).
//! Loopback is **not** excluded automatically. The matching itself is hyper-util's
//! [`Matcher`] (the code reqwest uses), fed from `cx.net.proxy_env` instead of the process
//! environment so that tests are deterministic; the probe's client is given the same
//! decision instead of reading the environment itself.
//!
//! `--proxy URL` replaces the environment's proxy for every scheme (`NO_PROXY` still
//! applies, as with curl); `--no-proxy` turns proxies off.
//!
//! Proxy credentials (`user:pass@`) are never part of anything printable here: use
//! [`redact_proxy_value`] for display and [`Proxy::display`] for the chosen proxy.

use crate::context::NetOptions;
use crate::net::endpoint::{Target, host_port};
use http::HeaderValue;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};

/// The variable names that are honoured, lower case first (the first one set wins, as
/// with curl).
const HTTPS_VARS: [&str; 2] = ["https_proxy", "HTTPS_PROXY"];
const HTTP_VARS: [&str; 2] = ["http_proxy", "HTTP_PROXY"];
const ALL_VARS: [&str; 2] = ["all_proxy", "ALL_PROXY"];
const NO_VARS: [&str; 2] = ["no_proxy", "NO_PROXY"];

/// Where the chosen proxy comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxySource {
    /// `--proxy URL`.
    Flag,
    /// An environment variable (its name).
    Env(String),
}

impl ProxySource {
    /// `--proxy` or the variable name.
    pub fn describe(&self) -> String {
        match self {
            ProxySource::Flag => "--proxy".into(),
            ProxySource::Env(n) => n.clone(),
        }
    }
}

/// The proxy a request to the target goes through.
#[derive(Clone)]
pub struct Proxy {
    /// `http`, `https`, `socks5`, …
    pub scheme: String,
    /// Proxy host (no credentials).
    pub host: String,
    /// Proxy port (default 80 for http, 443 for https, 1080 for socks).
    pub port: u16,
    /// Where it was configured.
    pub source: ProxySource,
    /// Whether credentials were given in the URL (they are never shown).
    pub has_credentials: bool,
    auth: Option<HeaderValue>,
    /// Username and password for a SOCKS proxy (percent-decoded). Never print them.
    raw_auth: Option<(String, String)>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("proxy", &self.display())
            .field("source", &self.source)
            .field("has_credentials", &self.has_credentials)
            .finish()
    }
}

impl Proxy {
    /// `scheme://host:port`, never with credentials.
    pub fn display(&self) -> String {
        format!("{}://{}", self.scheme, host_port(&self.host, self.port))
    }

    /// `host:port` of the proxy.
    pub fn authority(&self) -> String {
        host_port(&self.host, self.port)
    }

    /// Whether it speaks HTTP (CONNECT tunnels are possible over plain TCP).
    pub fn is_http(&self) -> bool {
        self.scheme == "http"
    }

    /// Whether the connection engine can tunnel through it: HTTP CONNECT (over TCP or
    /// TLS to the proxy) or SOCKS5.
    pub fn is_tunnelled(&self) -> bool {
        matches!(
            self.scheme.as_str(),
            "http" | "https" | "socks5" | "socks5h"
        )
    }

    /// Whether the proxy resolves the API host's name (HTTP `CONNECT host:port` over TCP or
    /// TLS, `socks5h://`), so that this machine never resolves it. `socks5://` (and
    /// `socks4://`) send an address resolved here.
    pub fn resolves_target(&self) -> bool {
        matches!(self.scheme.as_str(), "http" | "https" | "socks5h")
    }

    /// The proxy for the probe's HTTP client: the same proxy and credentials as the
    /// decision, so that the client never reads the environment with its own precedence.
    pub(crate) fn for_client(&self) -> Option<reqwest::Proxy> {
        let mut url = url::Url::parse(&self.display()).ok()?;
        if let Some((user, pass)) = &self.raw_auth {
            url.set_username(user).ok()?;
            url.set_password(Some(pass)).ok()?;
        }
        let proxy = reqwest::Proxy::all(url.as_str()).ok()?;
        Some(match &self.auth {
            Some(h) => proxy.custom_http_auth(h.clone()),
            None => proxy,
        })
    }

    /// Whether it is a SOCKS5 proxy (`socks5://` or `socks5h://`).
    pub fn is_socks5(&self) -> bool {
        matches!(self.scheme.as_str(), "socks5" | "socks5h")
    }

    /// The SOCKS username and password from the proxy URL. Never print them.
    pub fn socks_credentials(&self) -> Option<(&str, &str)> {
        self.raw_auth
            .as_ref()
            .map(|(u, p)| (u.as_str(), p.as_str()))
    }

    /// The `Proxy-Authorization: Basic …` value a client sends, when credentials were
    /// given. Marked sensitive; never print it.
    pub fn proxy_authorization(&self) -> Option<&HeaderValue> {
        self.auth.as_ref()
    }
}

/// Why the connection is direct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Direct {
    /// No proxy variable applies to the target's scheme.
    NoneConfigured,
    /// `--no-proxy`.
    DisabledByFlag,
    /// A proxy is configured but the host matches `NO_PROXY` (the variable's name).
    Excluded(String),
}

/// Direct or through a proxy.
#[derive(Debug, Clone)]
pub enum Route {
    /// No proxy.
    Direct(Direct),
    /// Through this proxy.
    Proxy(Proxy),
}

/// One proxy-related variable, safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownVar {
    /// The variable name as set.
    pub name: String,
    /// The value, redacted (credentials replaced by `***`).
    pub shown: String,
    /// Whether the value had credentials.
    pub has_credentials: bool,
}

/// The two names of one variable, set to different values: the lower-case one is used
/// (as by curl, PHP, Python and Node), Go's net/http uses the upper-case one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Differing {
    /// The lower-case name, which wins.
    pub used: ShownVar,
    /// The upper-case name, which Go programs use instead.
    pub upper: ShownVar,
}

/// The full decision for one target.
#[derive(Debug, Clone)]
pub struct Decision {
    /// What happens.
    pub route: Route,
    /// Every proxy variable that is set, redacted, in the order given.
    pub vars: Vec<ShownVar>,
    /// Variables that are set but ignored, with the reason.
    pub ignored: Vec<(String, String)>,
    /// Variables whose lower- and upper-case names hold different values.
    pub differing: Vec<Differing>,
}

/// Replaces `user:pass@` in a proxy URL by `***@` and drops path and query.
/// A value that is not a URL is described by its length only.
pub fn redact_proxy_value(raw: &str) -> (String, bool) {
    let v = raw.trim();
    if v.is_empty() {
        return ("(empty)".into(), false);
    }
    let (scheme, rest) = match v.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, v),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (creds, hostport) = match authority.rsplit_once('@') {
        Some((_, hp)) => (true, hp),
        None => (false, authority),
    };
    let ok = !hostport.is_empty()
        && hostport
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:[]".contains(c));
    if !ok {
        return (
            format!("(not a proxy URL, {} characters)", v.chars().count()),
            creds,
        );
    }
    let mut s = String::new();
    if let Some(sc) = scheme {
        s.push_str(sc);
        s.push_str("://");
    }
    if creds {
        s.push_str("***@");
    }
    s.push_str(hostport);
    (s, creds)
}

fn first_set<'a>(env: &'a [(String, String)], names: &[&str]) -> Option<(&'a str, &'a str)> {
    names.iter().find_map(|n| {
        env.iter()
            .find(|(k, _)| k == n)
            .map(|(k, v)| (k.as_str(), v.as_str()))
    })
}

fn target_uri(t: &Target) -> Option<http::Uri> {
    format!("{}://{}/", t.scheme, t.authority()).parse().ok()
}

/// Builds the matcher for `proxy` (one value, applied to the given scheme or both)
/// and `no`.
fn matcher(https: Option<&str>, http: Option<&str>, no: &str) -> Matcher {
    Matcher::builder()
        .https(https.unwrap_or("").to_string())
        .http(http.unwrap_or("").to_string())
        .no(no.to_string())
        .build()
}

/// Whether `value` is a proxy URL the client can use for `uri`.
fn usable(value: &str, uri: &http::Uri) -> bool {
    matcher(Some(value), Some(value), "")
        .intercept(uri)
        .is_some()
}

/// Why a `--proxy` value cannot be used (credentials shown as `***`), if it cannot. An
/// explicit flag that is wrong stops the run as a usage error: connecting some other way
/// would test a route the user did not ask for.
pub fn check_flag(value: &str) -> Result<(), String> {
    let uri = http::Uri::from_static("https://api2.saleslayer.com/");
    if usable(value, &uri) {
        return Ok(());
    }
    Err(format!(
        "--proxy {}: not a usable proxy URL; give http://host:port (or https://, socks5://, socks5h://), with user:password@ before the host if the proxy needs them",
        redact_proxy_value(value).0
    ))
}

fn has_userinfo(raw: &str) -> bool {
    let rest = raw.split_once("://").map_or(raw, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .is_some_and(|a| a.contains('@'))
}

/// Why a mixed-case proxy variable (`Https_Proxy`) is ignored, and who reads it anyway.
/// curl, Go's net/http and axios read only the lower- and upper-case names; Python's
/// urllib (hence requests) lower-cases every `*_proxy` name, lets the lower-case name win
/// and otherwise takes the last of the others in the environment (docs/proxies.md).
fn mixed_case_reason(name: &str, value: &str, env: &[(String, String)]) -> String {
    let (lower, upper) = (name.to_ascii_lowercase(), name.to_ascii_uppercase());
    let set = |n: &str| env.iter().any(|(k, v)| k == n && !v.is_empty());
    let readers = format!(
        "sl-doctor, curl, Go and axios read only {lower} and {upper} (the names are case-sensitive)"
    );
    if value.is_empty() {
        return format!("{readers}, and it is empty");
    }
    if set(&lower) {
        return format!("{readers}; Python reads it too but lets {lower} win");
    }
    let upper_too = if set(&upper) {
        format!(" (or {upper}, whichever comes later in the environment)")
    } else {
        String::new()
    };
    format!(
        "{readers}, but Python (urllib, requests) lower-cases every *_proxy name and uses it{upper_too}: a Python program may take another route than sl-doctor"
    )
}

/// Every proxy variable that is set (redacted), the ones that are ignored (names no client
/// reads), and the pairs whose two names hold different values.
fn shown_vars(env: &[(String, String)]) -> (Vec<ShownVar>, Vec<(String, String)>, Vec<Differing>) {
    let mut vars = Vec::new();
    let mut ignored = Vec::new();
    let honoured: Vec<&str> = HTTPS_VARS
        .iter()
        .chain(&HTTP_VARS)
        .chain(&ALL_VARS)
        .chain(&NO_VARS)
        .copied()
        .collect();
    for (k, v) in env {
        let is_no = k.eq_ignore_ascii_case("no_proxy");
        let (shown, has_credentials) = if is_no {
            (v.trim().to_string(), false)
        } else {
            redact_proxy_value(v)
        };
        vars.push(ShownVar {
            name: k.clone(),
            shown,
            has_credentials,
        });
        if !honoured.contains(&k.as_str()) {
            ignored.push((k.clone(), mixed_case_reason(k, v, env)));
        }
    }
    let shown = |name: &str| vars.iter().find(|v: &&ShownVar| v.name == name).cloned();
    let mut differing = Vec::new();
    for [lower, upper] in [HTTPS_VARS, HTTP_VARS, ALL_VARS, NO_VARS] {
        if let (Some((_, l)), Some((_, u))) = (first_set(env, &[lower]), first_set(env, &[upper]))
            && l.trim() != u.trim()
            && let (Some(used), Some(upper)) = (shown(lower), shown(upper))
        {
            differing.push(Differing { used, upper });
        }
    }
    (vars, ignored, differing)
}

/// The proxy value that applies to this target and where it comes from: `--proxy`, else
/// the scheme's variable, else `ALL_PROXY`. Unusable values are added to `ignored`.
fn chosen_proxy(
    net: &NetOptions,
    target: &Target,
    uri: &http::Uri,
    ignored: &mut Vec<(String, String)>,
) -> Option<(ProxySource, String)> {
    let usable = |v: &str| usable(v, uri);
    if let Some(flag) = net.proxy.as_deref() {
        // The commands refuse an unusable --proxy first (`check_flag`); this is the
        // library's own guard.
        if usable(flag) {
            return Some((ProxySource::Flag, flag.to_string()));
        }
        ignored.push((
            "--proxy".into(),
            format!("{} is not a usable proxy URL", redact_proxy_value(flag).0),
        ));
        return None;
    }
    let specific = if target.is_https() {
        &HTTPS_VARS
    } else {
        &HTTP_VARS
    };
    for names in [specific, &ALL_VARS] {
        if let Some((name, v)) = first_set(&net.proxy_env, names) {
            if usable(v) {
                return Some((ProxySource::Env(name.into()), v.into()));
            } else if !v.trim().is_empty() {
                ignored.push((
                    name.into(),
                    format!(
                        "{} is not a usable proxy URL, so it is ignored",
                        redact_proxy_value(v).0
                    ),
                ));
            }
        }
    }
    None
}

/// The proxy an intercept points to.
fn proxy_of(icpt: &Intercept, source: ProxySource, value: &str) -> Proxy {
    let puri = icpt.uri();
    let scheme = puri.scheme_str().unwrap_or("http").to_ascii_lowercase();
    let host = puri
        .host()
        .unwrap_or("")
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    let port = puri.port_u16().unwrap_or(match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => 1080,
    });
    Proxy {
        scheme,
        host,
        port,
        source,
        has_credentials: has_userinfo(value),
        auth: icpt.basic_auth().cloned(),
        raw_auth: icpt.raw_auth().map(|(u, p)| (u.to_string(), p.to_string())),
    }
}

/// Decides whether a request to `target` goes through a proxy, and which.
pub fn decide(net: &NetOptions, target: &Target) -> Decision {
    let env = &net.proxy_env;
    let (vars, mut ignored, differing) = shown_vars(env);
    let Some(uri) = target_uri(target) else {
        return Decision {
            route: Route::Direct(Direct::NoneConfigured),
            vars,
            ignored,
            differing,
        };
    };
    let chosen = chosen_proxy(net, target, &uri, &mut ignored);
    let no = first_set(env, &NO_VARS);
    let route = match chosen {
        _ if net.no_proxy => Route::Direct(Direct::DisabledByFlag),
        None => Route::Direct(Direct::NoneConfigured),
        Some((source, value)) => {
            let m = matcher(Some(&value), Some(&value), no.map_or("", |(_, v)| v));
            match m.intercept(&uri) {
                None => Route::Direct(Direct::Excluded(
                    no.map_or("no_proxy", |(k, _)| k).to_string(),
                )),
                Some(icpt) => Route::Proxy(proxy_of(&icpt, source, &value)),
            }
        }
    };
    Decision {
        route,
        vars,
        ignored,
        differing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> NetOptions {
        NetOptions {
            proxy_env: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    fn route(net: &NetOptions, url: &str) -> Route {
        decide(net, &Target::parse(url).unwrap()).route
    }

    #[test]
    fn a_mixed_case_name_says_python_reads_it() {
        let v = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let p = "http://127.0.0.1:3128";
        // (environment, words the reason must hold)
        let cases: [(Vec<(String, String)>, &str); 4] = [
            (
                v(&[("Https_Proxy", p)]),
                "Python (urllib, requests) lower-cases every *_proxy name and uses it: a Python program may take another route",
            ),
            (
                v(&[("Https_Proxy", p), ("HTTPS_PROXY", p)]),
                "(or HTTPS_PROXY, whichever comes later in the environment)",
            ),
            (
                v(&[("Https_Proxy", p), ("https_proxy", p)]),
                "Python reads it too but lets https_proxy win",
            ),
            (v(&[("Https_Proxy", "")]), "and it is empty"),
        ];
        for (env, words) in cases {
            let why = mixed_case_reason("Https_Proxy", &env[0].1, &env);
            assert!(why.contains(words), "{env:?}: {why}");
            assert!(
                why.starts_with(
                    "sl-doctor, curl, Go and axios read only https_proxy and HTTPS_PROXY"
                ),
                "{why}"
            );
        }
    }

    #[test]
    fn an_unusable_proxy_flag_is_refused_with_its_credentials_hidden() {
        for (value, ok) in [
            ("http://127.0.0.1:3128", true),
            ("127.0.0.1:3128", true),
            ("socks5h://u:p@127.0.0.1:1080", true),
            ("ftp://alice:s3cr3t@127.0.0.1:21", false),
            ("http://alice:s3cr3t@[::1", false),
        ] {
            let r = check_flag(value);
            assert_eq!(r.is_ok(), ok, "{value}: {r:?}");
            if let Err(e) = r {
                assert!(!e.contains("s3cr3t") && e.contains("***@"), "{e}");
            }
        }
    }

    #[test]
    fn redacts_credentials() {
        assert_eq!(
            redact_proxy_value("http://bob:s3cret@proxy.corp:3128/x?y"),
            ("http://***@proxy.corp:3128".into(), true)
        );
        assert_eq!(
            redact_proxy_value("proxy.corp:8080"),
            ("proxy.corp:8080".into(), false)
        );
        let (s, _) = redact_proxy_value("http://bob:pa ss word@@x y");
        assert!(!s.contains("bob") && !s.contains("pa ss"), "{s}");
    }

    #[test]
    fn scheme_specific_then_all() {
        let net = env(&[("HTTP_PROXY", "http://h:1"), ("ALL_PROXY", "http://a:2")]);
        let Route::Proxy(p) = route(&net, "https://api2.saleslayer.com") else {
            panic!()
        };
        assert_eq!(
            (p.authority().as_str(), p.source.describe().as_str()),
            ("a:2", "ALL_PROXY")
        );
        let Route::Proxy(p) = route(&net, "http://api2.saleslayer.com") else {
            panic!()
        };
        assert_eq!(p.source.describe(), "HTTP_PROXY");
    }

    #[test]
    fn lower_case_wins_as_with_curl_and_credentials_are_kept_private() {
        let net = env(&[
            ("HTTPS_PROXY", "http://up:2"),
            ("https_proxy", "http://u:p@low:1"),
        ]);
        let d = decide(&net, &Target::parse("https://x.test").unwrap());
        let Route::Proxy(p) = &d.route else { panic!() };
        assert_eq!(p.display(), "http://low:1");
        assert_eq!(p.source.describe(), "https_proxy");
        assert!(p.has_credentials && p.proxy_authorization().is_some());
        assert!(!format!("{d:?}").contains("u:p"));
        assert!(d.ignored.is_empty(), "{:?}", d.ignored);
        let [diff] = d.differing.as_slice() else {
            panic!("{:?}", d.differing)
        };
        assert_eq!(
            (diff.used.name.as_str(), diff.upper.name.as_str()),
            ("https_proxy", "HTTPS_PROXY")
        );
        assert_eq!(diff.used.shown, "http://***@low:1");
    }

    #[test]
    fn the_two_names_agreeing_is_no_conflict() {
        for (pairs, differs) in [
            (
                &[
                    ("HTTPS_PROXY", "http://p:1"),
                    ("https_proxy", " http://p:1"),
                ][..],
                false,
            ),
            (&[("NO_PROXY", "a"), ("no_proxy", "b")][..], true),
            (
                &[("HTTP_PROXY", "http://a:1"), ("http_proxy", "http://b:1")][..],
                true,
            ),
            (
                &[("Https_Proxy", "http://a:1"), ("https_proxy", "http://b:1")][..],
                false,
            ),
        ] {
            let d = decide(&env(pairs), &Target::parse("https://x.test").unwrap());
            assert_eq!(!d.differing.is_empty(), differs, "{pairs:?}");
        }
    }

    #[test]
    fn who_resolves_the_name() {
        for (proxy, remote) in [
            ("http://p:3128", true),
            ("https://p:443", true),
            ("socks5h://p:1080", true),
            ("socks5://p:1080", false),
            ("socks4://p:1080", false),
        ] {
            let net = env(&[("https_proxy", proxy)]);
            let Route::Proxy(p) = route(&net, "https://x.test") else {
                panic!("{proxy}")
            };
            assert_eq!(p.resolves_target(), remote, "{proxy}");
        }
    }

    #[test]
    fn no_proxy_forms() {
        for (no, url, excluded) in [
            ("localhost", "https://localhost:1", true),
            ("127.0.0.0/8", "https://127.0.0.1:1", true),
            (".saleslayer.com", "https://api2.saleslayer.com", true),
            ("saleslayer.com", "https://api2.saleslayer.com", true),
            ("*", "https://api2.saleslayer.com", true),
            ("notsaleslayer.com", "https://api2.saleslayer.com", false),
            ("", "https://localhost:1", false),
        ] {
            let net = env(&[("HTTPS_PROXY", "http://p:3128"), ("NO_PROXY", no)]);
            let r = route(&net, url);
            assert_eq!(
                matches!(r, Route::Direct(Direct::Excluded(_))),
                excluded,
                "{no} {url}: {r:?}"
            );
        }
    }

    #[test]
    fn flag_overrides_and_no_proxy_disables() {
        let mut net = env(&[("HTTPS_PROXY", "http://p:3128")]);
        net.proxy = Some("http://flag:8080".into());
        let Route::Proxy(p) = route(&net, "https://x.test") else {
            panic!()
        };
        assert_eq!(
            (p.authority().as_str(), p.source.clone()),
            ("flag:8080", ProxySource::Flag)
        );
        net.no_proxy = true;
        assert!(matches!(
            route(&net, "https://x.test"),
            Route::Direct(Direct::DisabledByFlag)
        ));
        assert!(matches!(
            route(&NetOptions::default(), "https://x.test"),
            Route::Direct(Direct::NoneConfigured)
        ));
    }
}
