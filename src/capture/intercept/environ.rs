//! The command's environment: the user's own, plus the few settings that make common
//! HTTP clients send through the proxy and trust the run's CA. Each setting extends what
//! is there: a CA file the user already names is copied with the run's CA appended,
//! `NODE_OPTIONS` and `PHP_INI_SCAN_DIR` keep their value with ours added. sl-doctor
//! adds nothing else: not the key, not its own variables (docs/capture.md lists them).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// The proxy variables, both spellings: most clients read the lowercase one first, Go
/// the uppercase one, curl reads `http_proxy` only in lowercase.
pub(super) const PROXY_VARS: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

/// CA bundle variables whose file, when the user sets one, is extended (a copy with the
/// run's CA appended) rather than replaced: (variable, who reads it).
pub(super) const EXTENDED_CA_VARS: [&str; 3] = [
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
];

/// The files of the run's temporary directory the settings point at.
pub(super) struct Trust {
    /// The system bundle (where the TLS check finds it, `SSL_CERT_FILE` honoured) plus
    /// the run's CA.
    pub bundle: PathBuf,
    /// The run's CA alone.
    pub ca: PathBuf,
    /// For each variable of [`EXTENDED_CA_VARS`] the user set: the copy of their file
    /// with the run's CA appended.
    pub extended: Vec<(&'static str, PathBuf)>,
    /// A directory holding an ini file that points PHP's curl and openssl at `bundle`
    /// (absent when the path cannot be written safely into an ini value).
    pub php_ini_dir: Option<PathBuf>,
    /// The Node preload that routes Node 20/22's fetch through the proxy.
    pub node_preload: PathBuf,
}

/// The value of `name` in `env`, when set and not empty.
pub(super) fn get<'a>(env: &'a [(OsString, OsString)], name: &str) -> Option<&'a OsStr> {
    env.iter()
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.as_os_str())
}

/// The user's CA files to extend: (variable, file) for each of [`EXTENDED_CA_VARS`] set.
pub(super) fn user_ca_files(env: &[(OsString, OsString)]) -> Vec<(&'static str, PathBuf)> {
    EXTENDED_CA_VARS
        .iter()
        .filter_map(|v| get(env, v).map(|p| (*v, PathBuf::from(p))))
        .collect()
}

/// `value` followed by `more`, separated by `sep` when `value` is not empty.
fn appended(value: Option<&OsStr>, sep: &str, more: &OsStr) -> OsString {
    let mut out = OsString::new();
    if let Some(v) = value {
        out.push(v);
        out.push(sep);
    }
    out.push(more);
    out
}

/// A path as one `NODE_OPTIONS` word: double quotes, with `"` and `\` escaped.
fn node_quoted(p: &Path) -> OsString {
    let s = p
        .to_string_lossy()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    OsString::from(format!("\"{s}\""))
}

/// The variables set for the command, in order, each with its new value.
pub(super) fn settings(
    user: &[(OsString, OsString)],
    proxy_url: &str,
    t: &Trust,
) -> Vec<(&'static str, OsString)> {
    let mut out: Vec<(&'static str, OsString)> = PROXY_VARS
        .iter()
        .map(|v| (*v, OsString::from(proxy_url)))
        .collect();
    let extended = |v: &str| t.extended.iter().find(|(n, _)| *n == v).map(|(_, p)| p);
    out.push(("SSL_CERT_FILE", t.bundle.clone().into()));
    let requests = extended("REQUESTS_CA_BUNDLE").unwrap_or(&t.bundle);
    out.push(("REQUESTS_CA_BUNDLE", requests.clone().into()));
    if let Some(p) = extended("CURL_CA_BUNDLE") {
        out.push(("CURL_CA_BUNDLE", p.clone().into()));
    }
    let node_ca = extended("NODE_EXTRA_CA_CERTS").unwrap_or(&t.ca);
    out.push(("NODE_EXTRA_CA_CERTS", node_ca.clone().into()));
    if get(user, "NODE_USE_ENV_PROXY").is_none() {
        out.push(("NODE_USE_ENV_PROXY", "1".into()));
    }
    let mut require = OsString::from("--require ");
    require.push(node_quoted(&t.node_preload));
    out.push((
        "NODE_OPTIONS",
        appended(get(user, "NODE_OPTIONS"), " ", &require),
    ));
    if let Some(dir) = &t.php_ini_dir {
        // A leading empty entry keeps PHP's default scan directory (else the curl
        // extension itself is not loaded).
        let scan = appended(
            Some(get(user, "PHP_INI_SCAN_DIR").unwrap_or_default()),
            ":",
            dir.as_os_str(),
        );
        out.push(("PHP_INI_SCAN_DIR", scan));
    }
    out
}

/// The command's whole environment: the user's, with `settings` replacing or adding
/// their variables.
pub(super) fn child_env(
    user: &[(OsString, OsString)],
    settings: &[(&'static str, OsString)],
) -> Vec<(OsString, OsString)> {
    let mut out: Vec<(OsString, OsString)> = user
        .iter()
        .filter(|(k, _)| !settings.iter().any(|(n, _)| k == n))
        .cloned()
        .collect();
    out.extend(settings.iter().map(|(n, v)| (OsString::from(n), v.clone())));
    out
}

/// The PHP ini that points the curl extension and the openssl functions at `bundle`;
/// `None` when the path holds a character an ini value cannot carry as is.
pub(super) fn php_ini(bundle: &Path) -> Option<String> {
    let p = bundle.to_str()?;
    let plain = p
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+~,@".contains(c));
    plain.then(|| {
        format!(
            "; sl-doctor capture: trust the run's CA\ncurl.cainfo=\"{p}\"\nopenssl.cafile=\"{p}\"\n"
        )
    })
}

/// Node 20 and 22's fetch (undici) reads no proxy variable; the `undici` package's
/// `EnvHttpProxyAgent` does. Loaded with `--require`, this sets it as the global
/// dispatcher when the application can load `undici` (from its working directory, its
/// script's directory or `NODE_PATH`); it prints nothing and never throws. Node 24 and
/// later honour the variables themselves (`NODE_USE_ENV_PROXY=1`).
pub(super) const NODE_PRELOAD: &str = r#"// sl-doctor capture: route Node 20/22's fetch through HTTPS_PROXY (removed when capture ends).
'use strict';
(() => {
  try {
    if (Number(process.versions.node.split('.')[0]) >= 24) return;
    const { createRequire } = require('module');
    const path = require('path');
    const from = [path.join(process.cwd(), 'index.js')];
    if (process.argv[1]) from.push(path.resolve(process.argv[1]));
    for (const f of from) {
      try {
        const undici = createRequire(f)('undici');
        if (undici.EnvHttpProxyAgent && undici.setGlobalDispatcher) {
          undici.setGlobalDispatcher(new undici.EnvHttpProxyAgent());
          return;
        }
      } catch (_) { /* not installed there */ }
    }
  } catch (_) { /* never break the application */ }
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use sl_doctor_checks::testing_support::env_of as env;

    fn trust(extended: Vec<(&'static str, PathBuf)>) -> Trust {
        Trust {
            bundle: "/run/d/bundle.pem".into(),
            ca: "/run/d/ca.pem".into(),
            extended,
            php_ini_dir: Some("/run/d/php".into()),
            node_preload: "/run/d/preload.cjs".into(),
        }
    }

    fn value(s: &[(&'static str, OsString)], name: &str) -> Option<String> {
        s.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string_lossy().into_owned())
    }

    #[test]
    fn a_bare_environment_gets_the_minimal_set() {
        let s = settings(&[], "http://127.0.0.1:5", &trust(Vec::new()));
        let names: Vec<&str> = s.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "HTTPS_PROXY",
                "https_proxy",
                "HTTP_PROXY",
                "http_proxy",
                "SSL_CERT_FILE",
                "REQUESTS_CA_BUNDLE",
                "NODE_EXTRA_CA_CERTS",
                "NODE_USE_ENV_PROXY",
                "NODE_OPTIONS",
                "PHP_INI_SCAN_DIR",
            ]
        );
        let table = [
            ("https_proxy", "http://127.0.0.1:5"),
            ("SSL_CERT_FILE", "/run/d/bundle.pem"),
            ("REQUESTS_CA_BUNDLE", "/run/d/bundle.pem"),
            ("NODE_EXTRA_CA_CERTS", "/run/d/ca.pem"),
            ("NODE_OPTIONS", "--require \"/run/d/preload.cjs\""),
            ("PHP_INI_SCAN_DIR", ":/run/d/php"),
        ];
        for (n, want) in table {
            assert_eq!(value(&s, n).as_deref(), Some(want), "{n}");
        }
    }

    #[test]
    fn what_the_user_has_is_extended_not_replaced() {
        let user = env(&[
            ("NODE_OPTIONS", "--max-old-space-size=64"),
            ("PHP_INI_SCAN_DIR", "/etc/php/custom"),
            ("NODE_USE_ENV_PROXY", "0"),
            ("NODE_EXTRA_CA_CERTS", "/corp/ca.pem"),
            ("CURL_CA_BUNDLE", "/corp/curl.pem"),
            ("HTTPS_PROXY", "http://corp:3128"),
        ]);
        let t = trust(vec![
            ("CURL_CA_BUNDLE", "/run/d/CURL_CA_BUNDLE.pem".into()),
            (
                "NODE_EXTRA_CA_CERTS",
                "/run/d/NODE_EXTRA_CA_CERTS.pem".into(),
            ),
        ]);
        let s = settings(&user, "http://127.0.0.1:5", &t);
        let table = [
            (
                "NODE_OPTIONS",
                Some("--max-old-space-size=64 --require \"/run/d/preload.cjs\""),
            ),
            ("PHP_INI_SCAN_DIR", Some("/etc/php/custom:/run/d/php")),
            ("NODE_USE_ENV_PROXY", None),
            (
                "NODE_EXTRA_CA_CERTS",
                Some("/run/d/NODE_EXTRA_CA_CERTS.pem"),
            ),
            ("CURL_CA_BUNDLE", Some("/run/d/CURL_CA_BUNDLE.pem")),
            ("HTTPS_PROXY", Some("http://127.0.0.1:5")),
        ];
        for (n, want) in table {
            assert_eq!(value(&s, n).as_deref(), want, "{n}");
        }
        assert_eq!(user_ca_files(&user).len(), 2);
        let all = child_env(&user, &s);
        let count = |n: &str| all.iter().filter(|(k, _)| k == n).count();
        assert_eq!(count("NODE_OPTIONS"), 1);
        assert_eq!(
            count("NODE_USE_ENV_PROXY"),
            1,
            "the user's own value is kept"
        );
    }

    #[test]
    fn odd_paths_are_quoted_or_left_out() {
        assert_eq!(node_quoted(Path::new("/a b/\"c\"")), "\"/a b/\\\"c\\\"\"");
        assert!(php_ini(Path::new("/tmp/sl-doctor-capture-x1/bundle.pem")).is_some());
        assert!(php_ini(Path::new("/tmp/a\"b/bundle.pem")).is_none());
        assert!(php_ini(Path::new("/tmp/${HOME}/bundle.pem")).is_none());
    }
}
