//! The finding codes: for every check, the codes its findings can carry, with their
//! severities and a one-line meaning.
//!
//! A [`Finding`](crate::model::report::Finding)'s `code` is a stable kebab-case word
//! that JSON consumers, `--format github` annotations and the diagnosis step match on,
//! so the set is closed and documented here, in one table. The same code may belong to
//! two checks (`similar-variable` in `key-source` and `dotenv-file`): a code is only
//! meaningful together with its check id.
//!
//! Three tests keep the set honest: the registry lists every check of
//! [`crate::registry`] in order, with unique kebab-case codes; `docs/checks.md` lists
//! each check's codes with the same meaning (its `**Finding codes.**` paragraph); and a
//! scan of the crate's sources finds no code that is emitted but not registered here
//! (see `scanner.rs`). The runner also checks every finding against [`is_known`] at run
//! time in debug builds.

#[cfg(test)]
mod scanner;
#[cfg(test)]
mod tests;

use crate::model::report::Severity::{self, Fail, Info, Warn};

/// One finding code of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The kebab-case code, as in `Finding::code`.
    pub code: &'static str,
    /// The severities a finding with this code can have, worst first.
    pub severities: &'static [Severity],
    /// What a finding with this code says, in one line (no final period).
    pub meaning: &'static str,
}

impl Code {
    /// A code whose findings always fail.
    pub const fn fail(code: &'static str, meaning: &'static str) -> Code {
        Code::new(code, &[Fail], meaning)
    }

    /// A code whose findings always warn.
    pub const fn warn(code: &'static str, meaning: &'static str) -> Code {
        Code::new(code, &[Warn], meaning)
    }

    /// A code whose findings are always informational.
    pub const fn info(code: &'static str, meaning: &'static str) -> Code {
        Code::new(code, &[Info], meaning)
    }

    /// A code whose severity depends on the case (the meaning says when).
    pub const fn new(
        code: &'static str,
        severities: &'static [Severity],
        meaning: &'static str,
    ) -> Code {
        Code {
            code,
            severities,
            meaning,
        }
    }

    /// Whether a finding with this code may have this severity.
    pub fn allows(&self, severity: Severity) -> bool {
        self.severities.contains(&severity)
    }

    /// The severities as written in `docs/checks.md`: `fail`, `warn or info`.
    pub fn severities_text(&self) -> String {
        self.severities
            .iter()
            .map(|s| severity_name(*s))
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// The codes of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckCodes {
    /// The check id, as in `CheckMeta::id`.
    pub check: &'static str,
    /// Its codes, in the order `docs/checks.md` lists them.
    pub codes: &'static [Code],
}

/// Every check's codes, in registry (checklist) order: one line per code, as in
/// `docs/checks.md`.
#[rustfmt::skip]
pub const CODES: &[CheckCodes] = &[
    CheckCodes { check: "url-format", codes: &[
        Code::fail("trailing-newline", "The URL ends with a line break (LF or CR), typical of a value read from a file or `$(cat …)`"),
        Code::fail("leading-whitespace", "Whitespace before the URL"),
        Code::fail("trailing-whitespace", "Whitespace other than a line break after the URL"),
        Code::fail("whitespace", "Whitespace inside the URL"),
        Code::fail("control-character", "A control character before, inside or at the end of the URL"),
        Code::fail("invisible-character", "An invisible or format character (zero-width space, bidi mark…) in the URL, typical of copy and paste"),
        Code::fail("base-has-query", "The base URL carries a query string, so every path appended to it lands inside the query"),
        Code::new("fragment", &[Fail, Warn], "The URL carries a fragment (`#…`), never sent to the server: fails in the base URL, warns in `--url`"),
        Code::fail("unparsable", "The URL is empty or cannot be parsed as a URL"),
    ] },
    CheckCodes { check: "url-scheme", codes: &[
        Code::fail("http-scheme", "The URL uses http:// on a host that is not loopback; the API is served over https://"),
        Code::fail("missing-scheme", "The URL has no scheme: libraries reject it or read it as a relative path, curl falls back to http://"),
        Code::fail("unsupported-scheme", "The URL uses a scheme other than https:// or http://"),
        Code::info("http-loopback", "The URL uses http:// on a loopback host (the sl-doctor mock or a local proxy)"),
    ] },
    CheckCodes { check: "url-host", codes: &[
        Code::warn("non-default-port", "The URL names an explicit port on api2.saleslayer.com, whose documented URL has none"),
        Code::fail("legacy-connector-host", "The host is api.saleslayer.com, the legacy Connector API, which does not take X-API-KEY keys"),
        Code::fail("internal-host", "The host is a *.kp.saleslayer.com host from an old docs example, not the API host"),
        Code::fail("host-typo", "The host is within two edits of api2.saleslayer.com: a misspelling"),
        Code::fail("lookalike-host", "The host looks like api2.saleslayer.com but holds non-ASCII look-alike characters"),
        Code::warn("other-saleslayer-host", "Another *.saleslayer.com host, not the documented API host"),
        Code::info("loopback-host", "A loopback host (localhost, 127.0.0.0/8, ::1), such as the sl-doctor mock"),
        Code::warn("not-saleslayer-host", "A host that is not Sales Layer's: fine for a proxy or mock that forwards to the API"),
    ] },
    CheckCodes { check: "url-path", codes: &[
        Code::warn("double-slash", "The path contains `//`, typically a base URL ending in `/` joined with a path starting with `/`"),
        Code::info("trailing-slash", "The base URL ends with `/`, so code that appends `/dam/...` produces `//`"),
        Code::warn("no-api-path", "The `--url` names no API resource: no path, or it stops at /dam or /catalog"),
        Code::warn("dam-images-plural", "The path uses /dam/images where the guides write /dam/image"),
        Code::fail("legacy-catalog-path", "The path uses the legacy /rest/Catalog/… without the /catalog prefix"),
        Code::warn("short-catalog-path", "The path uses /catalog/… without /rest/Catalog"),
        Code::warn("missing-api-prefix", "The path starts at a Catalog or DAM resource, without /catalog/rest/Catalog or /dam in front"),
        Code::warn("unknown-api-path", "The `--url` path on a Sales Layer host is neither a DAM nor a Catalog path"),
        Code::warn("path-case", "The Catalog prefix is written with other letter case than /catalog/rest/Catalog"),
        Code::fail("catalog-resource-missing", "The `--url` ends at /Catalog/: a shell expanded `$metadata` inside double quotes"),
        Code::warn("possibly-expanded-metadata", "The `--url` ends with `/` after a Catalog resource: maybe a shell expanded `$metadata`"),
        Code::info("percent-encoded-dollar", "The URL writes `$` as %24 in the path or in a `$top`-style parameter name"),
        Code::fail("shell-expanded-parameter", "A query parameter has an empty name: a shell expanded `$top`-style parameters inside double quotes"),
        Code::warn("odata-option-without-dollar", "A query parameter is named like an OData option without its `$` (`top` for `$top`): the API does not apply it"),
        Code::warn("empty-query", "The URL ends with a lone `?`: maybe a shell expanded a `$top`-style parameter"),
        Code::warn("base-has-path", "The base URL has an API path, or any path on a Sales Layer host: it should be the bare host"),
    ] },
    CheckCodes { check: "dns-resolution", codes: &[
        Code::info("resolve-override", "The `--resolve` option pins the host to an address, which your application does not know about"),
        Code::new("system-lookup-failed", &[Fail, Warn], "The system resolver cannot resolve the host: fails when DNS knows it or it is loopback, else inconclusive"),
        Code::warn("resolv-conf-unreadable", "The DNS configuration (/etc/resolv.conf) cannot be used: only the system resolver was asked"),
        Code::fail("no-address", "The host has no A or AAAA address"),
        Code::warn("nxdomain-documented-host", "NXDOMAIN for api2.saleslayer.com itself: this machine has no working internet DNS (inconclusive)"),
        Code::fail("nxdomain", "The host does not exist in DNS (NXDOMAIN): most likely a typo"),
        Code::warn("no-nameservers", "/etc/resolv.conf lists no name server"),
        Code::warn("hosts-override", "The hosts file pins the host to addresses that DNS does not give"),
        Code::info("hosts-entry", "The hosts file has a line for the host, so DNS changes for it do not reach this machine"),
        Code::info("system-differs", "The system resolver answers other addresses than DNS (load balancing, split DNS, a local cache)"),
        Code::warn("only-local-name", "Only the system resolver knows the host (e.g. from the hosts file); DNS has no address for it"),
        Code::warn("servfail", "The DNS server answered SERVFAIL (inconclusive)"),
        Code::warn("dns-timeout", "The DNS servers did not answer within the timeout (inconclusive)"),
        Code::warn("dns-error", "The DNS lookup failed for another reason (inconclusive)"),
    ] },
    CheckCodes { check: "proxy-config", codes: &[
        Code::warn("ignored-proxy-variable", "A proxy setting is ignored: a mis-cased name, a shadowed lower-case twin, or not a usable proxy URL"),
        Code::info("proxy-credentials", "A proxy variable contains credentials (user:password@, not shown)"),
        Code::warn("loopback-through-proxy", "Requests to a loopback target go through the proxy: NO_PROXY does not exclude it"),
        Code::warn("plain-http-through-proxy", "The base URL is http://, so the proxy sees the whole request, X-API-KEY included"),
        Code::info("proxy-scheme", "The proxy is not an http:// proxy (e.g. socks5://), which HTTP clients must support explicitly"),
        Code::warn("proxy-dns-timeout", "The proxy host did not resolve within the timeout (inconclusive)"),
        Code::fail("proxy-unresolvable", "The proxy host cannot be resolved"),
        Code::fail("proxy-timeout", "The proxy did not accept a TCP connection within the timeout"),
        Code::fail("proxy-unreachable", "The proxy refused the TCP connection or cannot be reached"),
    ] },
    CheckCodes { check: "tls-connection", codes: &[
        Code::warn("dns-timeout", "The host (or the proxy host) did not resolve within the timeout (inconclusive)"),
        Code::fail("dns", "The host (or the proxy host) cannot be resolved (see dns-resolution)"),
        Code::fail("connection-refused", "The TCP connection to the host was refused: nothing listens on that port"),
        Code::fail("proxy-refused", "The TCP connection to the proxy was refused"),
        Code::warn("connect-timeout", "No TCP connection within the timeout: a firewall drops the packets or the network is down (inconclusive)"),
        Code::warn("connect-failed", "The TCP connection failed for another reason (inconclusive)"),
        Code::warn("proxy-timeout", "The proxy accepted the connection but did not answer CONNECT in time (inconclusive)"),
        Code::fail("proxy-error", "The proxy connection failed during CONNECT"),
        Code::fail("proxy-not-http", "The proxy did not answer CONNECT with an HTTP response: it is not an HTTP proxy"),
        Code::fail("proxy-auth-required", "The proxy requires authentication (407), or rejected the credentials in the proxy URL"),
        Code::fail("proxy-html", "The proxy answered CONNECT with an HTML page: a captive portal, login or block page"),
        Code::fail("proxy-refused-tunnel", "The proxy refused to tunnel to the API (CONNECT answered with an error status)"),
        Code::fail("proxy-tls", "The TLS handshake with an https:// proxy failed (its certificate is not trusted, not TLS…)"),
        Code::warn("proxy-tls-timeout", "The https:// proxy did not complete the TLS handshake within the timeout (inconclusive)"),
        Code::warn("socks-timeout", "The SOCKS5 proxy did not complete the SOCKS5 exchange within the timeout (inconclusive)"),
        Code::fail("socks-error", "The SOCKS5 proxy connection failed during the SOCKS5 exchange"),
        Code::fail("socks-not-socks", "The proxy did not answer the SOCKS5 greeting: it is not a SOCKS5 proxy"),
        Code::fail("socks-auth-required", "The SOCKS5 proxy accepts none of the offered authentication methods (credentials missing from the proxy URL)"),
        Code::fail("socks-auth-failed", "The SOCKS5 proxy rejected the username and password in the proxy URL"),
        Code::fail("socks-not-allowed", "The SOCKS5 proxy does not allow the connection to the API (its rules)"),
        Code::fail("socks-unreachable", "The SOCKS5 proxy cannot reach the API host (network or host unreachable)"),
        Code::fail("socks-connection-refused", "The SOCKS5 proxy's connection to the API host was refused"),
        Code::fail("socks-failed", "The SOCKS5 proxy could not connect to the API for another reason (its reply code in words)"),
        Code::fail("ca-cert-unreadable", "The `--ca-cert` file cannot be read"),
        Code::fail("ca-cert-empty", "The `--ca-cert` file holds no PEM certificate"),
        Code::fail("ca-cert-invalid", "The `--ca-cert` file holds a certificate that cannot be used as a root"),
        Code::fail("no-ca-certificates", "No CA certificate could be loaded from the system, so no server can be trusted"),
        Code::fail("tls-setup", "The TLS client could not be configured"),
        Code::warn("insecure", "Certificate verification is off (`--insecure`)"),
        Code::warn("tls-timeout", "The TLS handshake did not complete within the timeout (inconclusive)"),
        Code::fail("handshake-closed", "The server closed the connection during the TLS handshake"),
        Code::fail("tls-error", "The TLS handshake failed for another reason"),
        Code::fail("unknown-issuer", "The certificate is not issued by a CA this machine trusts (often a TLS-inspecting proxy)"),
        Code::fail("name-mismatch", "The certificate is not valid for the host name"),
        Code::fail("expired", "The certificate has expired"),
        Code::fail("not-yet-valid", "The certificate is not valid yet (check this machine's clock)"),
        Code::fail("revoked", "The certificate has been revoked"),
        Code::fail("invalid-certificate", "The certificate was rejected for another reason"),
        Code::fail("not-tls", "The server does not speak TLS on that port (plain HTTP or another protocol)"),
        Code::fail("tls-alert", "The server aborted the TLS handshake with an alert"),
        Code::fail("tls-incompatible", "The server and sl-doctor have no TLS version or cipher suite in common"),
        Code::fail("no-certificate", "The server presented no certificate"),
        Code::warn("inspection-proxy", "The certificate chain names a TLS-inspecting proxy product: the connection is intercepted"),
        Code::info("would-fail-verification", "With `--insecure`: the handshake would fail certificate verification without it"),
        Code::info("tls12", "TLS 1.2 was negotiated (1.3 is preferred)"),
    ] },
    CheckCodes { check: "header-value", codes: &[
        Code::fail("not-utf8", "The value is not valid UTF-8, so it cannot be sent as a text header value"),
        Code::fail("empty-value", "The value is empty: the request would carry an empty X-API-KEY header"),
        Code::fail("line-break", "A CR or LF in the value: HTTP clients refuse the whole request"),
        Code::fail("nul", "A NUL (U+0000) in the value: HTTP clients refuse the whole request"),
        Code::fail("delete", "A DEL (U+007F) in the value: HTTP clients refuse the whole request"),
        Code::fail("control-character", "Another control character (not TAB) in the value: HTTP clients refuse the whole request"),
        Code::warn("non-ascii", "Non-ASCII characters in the value, sent as raw UTF-8 bytes (the first one is named)"),
    ] },
    CheckCodes { check: "pasted-label", codes: &[
        Code::fail("header-name", "The value starts with the header name `X-API-KEY:` (or `X-API-KEY=`)"),
        Code::fail("authorization-header", "The value starts with an `Authorization:` header name"),
        Code::fail("bearer-scheme", "The value starts with the `Bearer` authentication scheme"),
        Code::fail("basic-scheme", "The value starts with the `Basic` authentication scheme"),
        Code::fail("token-scheme", "The value starts with the `Token` authentication scheme"),
        Code::fail("variable-assignment", "The value starts with a variable assignment (`NAME=` or `NAME:`)"),
    ] },
    CheckCodes { check: "quoted-value", codes: &[
        Code::fail("surrounding-quotes", "The value is wrapped in quote characters (ASCII, typographic, guillemets…)"),
        Code::fail("escaped-quotes", "The value is wrapped in backslash-escaped quotes (`\\\"…\\\"`): it was quoted twice"),
        Code::fail("leading-quote", "The value starts with a quote that is not closed at the end"),
        Code::fail("trailing-quote", "The value ends with a quote that is not opened at the start"),
        Code::fail("inner-quote", "A quote character inside the value"),
        Code::warn("dotenv-quotes", "The key's .env line wraps the value in quotes, which `docker run --env-file` keeps in the key"),
    ] },
    CheckCodes { check: "key-source", codes: &[
        Code::fail("no-key", "No key was found in any of the places sl-doctor looks"),
        Code::new("similar-variable", &[Warn, Info], "Another environment variable with a key-like name is set: warns when no key was found, else noted"),
        Code::warn("sources-differ", "Another source holds a different value than the one used"),
        Code::info("only-in-dotenv", "Only the .env file defines the key, not the environment"),
        Code::fail("not-utf8", "The value used is not valid UTF-8"),
    ] },
    CheckCodes { check: "dotenv-file", codes: &[
        Code::warn("bom", "The .env file starts with a byte order mark"),
        Code::warn("crlf", "The key's line ends with CR LF, which `source .env` keeps in the key"),
        Code::warn("export", "The line starts with `export`, which `docker run --env-file` reads as part of the name"),
        Code::warn("space-around-equals", "The line has spaces around `=`"),
        Code::warn("inline-comment", "The line has a `# comment` after the value, which simple loaders keep in the key"),
        Code::warn("trailing-space", "The line has spaces or tabs after the value, which some loaders keep"),
        Code::new("duplicate", &[Warn, Info], "The key variable is defined more than once: warns when the values differ, else noted"),
        Code::warn("similar-variable", "The file does not define the key variable but defines one with a key-like name"),
        Code::info("unparsed-line", "A line is not a NAME=value assignment"),
    ] },
    CheckCodes { check: "extra-whitespace", codes: &[
        Code::fail("empty", "The value is empty (0 characters)"),
        Code::fail("only-whitespace", "The value is only whitespace"),
        Code::fail("leading-newline", "The value starts with whitespace that includes a line break"),
        Code::fail("leading-whitespace", "The value starts with spaces or tabs"),
        Code::fail("trailing-crlf", "The value ends with a Windows line ending (CR LF)"),
        Code::fail("trailing-newline", "The value ends with a line break (LF), alone or mixed with other whitespace"),
        Code::fail("trailing-cr", "The value ends with a carriage return (CR) without LF"),
        Code::fail("trailing-space", "The value ends with spaces"),
        Code::fail("trailing-tab", "The value ends with tabs"),
        Code::fail("trailing-whitespace", "The value ends with a mix of spaces and tabs"),
        Code::fail("inner-space", "A plain space inside the value"),
    ] },
    CheckCodes { check: "hidden-characters", codes: &[
        Code::fail("zero-width", "A zero-width space, joiner or non-joiner (U+200B–U+200D, U+2060, U+180E)"),
        Code::fail("byte-order-mark", "A byte order mark (U+FEFF)"),
        Code::fail("soft-hyphen", "A soft hyphen (U+00AD)"),
        Code::fail("bidi-control", "A text-direction control (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, U+061C)"),
        Code::fail("variation-selector", "A variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF, U+180B–U+180D, U+180F)"),
        Code::fail("tag-character", "A tag character (U+E0000–U+E007F)"),
        Code::fail("inner-line-break", "A CR or LF inside the value, not at either end"),
        Code::fail("inner-tab", "A TAB inside the value, not at either end"),
        Code::fail("control-character", "Another C0 or C1 control character, or DEL"),
        Code::fail("unusual-space", "A space other than U+0020 (no-break, thin, ideographic space…)"),
        Code::fail("line-separator", "A Unicode line or paragraph separator (U+2028, U+2029)"),
        Code::fail("hangul-filler", "A Hangul filler (U+115F, U+1160, U+3164, U+FFA0)"),
        Code::fail("format-character", "Any other invisible format or default-ignorable character"),
    ] },
    CheckCodes { check: "lookalike-characters", codes: &[
        Code::fail("fullwidth", "A fullwidth form of an ASCII character (U+FF01–U+FF5E), typed with a CJK input method"),
        Code::fail("typographic-dash", "A typographic dash or minus (U+2010–U+2015, U+2212…) where `-` was meant"),
        Code::fail("compatibility-form", "A compatibility form with an ASCII equivalent (superscript, ligature, circled…)"),
        Code::fail("confusable", "A letter of another script that looks like an ASCII one (Cyrillic а, Greek ο…)"),
        Code::fail("non-ascii", "Any other visible non-ASCII character"),
    ] },
    CheckCodes { check: "placeholder-value", codes: &[
        Code::fail("docs-placeholder", "The documentation's placeholder YOUR_API_KEY, or a variant of it"),
        Code::fail("shell-reference", "An unexpanded `${…}` shell or Compose reference"),
        Code::fail("shell-variable", "An unexpanded `$VAR` shell reference"),
        Code::fail("dollar-parens-reference", "An unexpanded `$(…)`: an Azure Pipelines macro, a Kubernetes env reference or a command substitution"),
        Code::fail("github-expression", "An unexpanded `${{ … }}` GitHub Actions expression"),
        Code::fail("postman-variable", "An unresolved Postman variable `{{…}}`, or another unrendered `{{…}}` template"),
        Code::fail("windows-variable", "An unexpanded `%VAR%` Windows cmd reference"),
        Code::fail("hash-brace-reference", "An unexpanded `#{…}` template reference (Octopus Deploy, Ruby…)"),
        Code::fail("angle-placeholder", "A bracketed placeholder: `<…>`, `[…]` or `{…}`"),
        Code::fail("null-word", "A missing value turned into text: `undefined`, `null`, `None`, `nil` or `NaN`"),
        Code::fail("placeholder-word", "A placeholder word such as `changeme`, `TODO`, `test` or `secret`"),
        Code::fail("masked-value", "A masked or redacted value (`xxxx`, `****`, `<redacted>`)"),
        Code::fail("truncated-value", "A value shortened with `...` or `…`"),
    ] },
    CheckCodes { check: "dam-probe", codes: &DAM_PROBE },
    CheckCodes { check: "catalog-probe", codes: &CATALOG_PROBE },
    CheckCodes { check: "key-on-command-line", codes: &[
        Code::warn("key-in-argv", "The key was given with `--key`: visible in the process list, shell history and CI logs"),
    ] },
    CheckCodes { check: "key-in-url", codes: &[
        Code::fail("key-value-in-url", "The key itself, raw or percent-encoded, is in the URL"),
        Code::fail("userinfo-in-url", "The URL carries user info (`user:password@`): a credential in a URL"),
        Code::fail("key-parameter-in-url", "A query parameter is named like a key or token (`api_key`, `token`…)"),
    ] },
    CheckCodes { check: "plain-http", codes: &[
        Code::info("http-loopback", "The URL uses http:// on a loopback host: the key does not leave this machine"),
        Code::fail("key-sent-over-http", "The URL uses http:// and `--allow-http` is set: sl-doctor sends the key unencrypted"),
        Code::warn("key-over-http", "The URL uses http://: an application using it sends the key unencrypted"),
        Code::warn("scheme-defaults-to-http", "The URL has no scheme: curl and some clients use http:// and send the key unencrypted"),
        Code::info("allow-http-unused", "The `--allow-http` option is set, but no URL uses http://"),
    ] },
    CheckCodes { check: "key-file-in-git", codes: &[
        Code::fail("tracked-by-git", "The key file or .env is tracked by git: the key is in the repository"),
        Code::warn("not-gitignored", "The key file or .env is not covered by .gitignore: one `git add .` commits it"),
    ] },
    CheckCodes { check: "key-file-permissions", codes: &[
        Code::warn("readable-by-others", "The key file or .env is readable by its group or by everyone, or writable by others"),
    ] },
    CheckCodes { check: "key-shared-across-environments", codes: &[
        Code::warn("same-key-in-environments", "The same key (by fingerprint) is used in two or more environments"),
        Code::fail("key-in-template-file", "A template file such as .env.example holds a real key"),
    ] },
];

// The two live probes share one engine (`net::probe`): the same codes, except for the
// answers the docs describe for one API only (DAM's 400 for an invalid key, Catalog's
// 403 for a disabled API).

/// The HTTP client cannot be set up, or the key cannot (or must not) be sent.
#[rustfmt::skip]
const PROBE_NOT_SENT: [Code; 10] = [
    Code::fail("ca-cert-unreadable", "The `--ca-cert` file cannot be read"),
    Code::fail("ca-cert-empty", "The `--ca-cert` file holds no PEM certificate"),
    Code::fail("ca-cert-invalid", "The `--ca-cert` file holds a certificate that cannot be used as a root"),
    Code::fail("no-ca-certificates", "No CA certificate could be loaded from the system, so no server can be trusted"),
    Code::fail("tls-setup", "The TLS client could not be configured"),
    Code::fail("proxy-invalid", "The `--proxy` value is not a valid proxy URL"),
    Code::fail("client-not-built", "The HTTP client could not be built"),
    Code::fail("key-not-sent-plain-http", "The base URL is plain http, so the key was not sent (no `--allow-http`)"),
    Code::info("keyless-answer", "What the endpoint answered to the request sent without the key over plain http"),
    Code::fail("key-not-sendable", "The key as given cannot be sent in a header (a line break or control character): no request was made"),
];

/// The answers both APIs can give.
#[rustfmt::skip]
const PROBE_ANSWER: [Code; 10] = [
    Code::info("key-accepted", "A 2xx answer with a JSON body (or XML, for Catalog): the key is accepted"),
    Code::warn("unexpected-body", "A 2xx answer whose body is not JSON: something may sit between you and the API"),
    Code::fail("redirect-not-followed", "A redirect, which sl-doctor never follows with the key"),
    Code::fail("not-the-api", "An HTML answer (not 429 or 5xx): a proxy, captive portal or wrong host answered"),
    Code::fail("key-rejected", "A 401 answer: missing or invalid key"),
    Code::fail("not-found", "A 404 answer: a wrong base path, or the tenant or model does not exist"),
    Code::warn("rate-limited", "A 429 answer: rate limited, no verdict"),
    Code::warn("unavailable", "A 503 answer: temporarily unavailable, no verdict"),
    Code::warn("server-error", "Another 5xx answer: a server error, no verdict"),
    Code::fail("unexpected-status", "A status the docs do not describe for this request"),
];

/// No answer (the transport failed), and the differential retry with the cleaned key.
#[rustfmt::skip]
const PROBE_NO_ANSWER_AND_RETRY: [Code; 11] = [
    Code::warn("timeout", "No answer within the timeout"),
    Code::fail("request-not-built", "The HTTP client refused to build the request"),
    Code::warn("tls-failed", "The TLS handshake failed (tls-connection says why)"),
    Code::warn("dns-failed", "The host name could not be resolved (dns-resolution says why)"),
    Code::warn("connection-refused", "The connection was refused: nothing listens on that host and port"),
    Code::warn("connect-failed", "The connection could not be established"),
    Code::warn("network-error", "Another transport error"),
    Code::info("differential-off", "The repaired key was not tried: differential diagnosis is off"),
    Code::fail("accepted-once-cleaned", "The key as given fails, but a repaired value is accepted (the finding names the repair): fix the stored value"),
    Code::fail("cleaned-rejected-too", "Every repaired value tried is rejected too: the key itself is invalid, revoked or not enabled"),
    Code::info("cleaned-untested", "The repaired key could not be tested: its request got no verdict"),
];

#[rustfmt::skip]
const DAM_PROBE: [Code; 35] = join(&[&PROBE_NOT_SENT, &PROBE_ANSWER, &[
    Code::fail("key-rejected-400", "A 400 answer with problem details: how the DAM reference answers an invalid key"),
    Code::fail("query-rejected", "A 400 answer whose problem details are about the query ($top=1), not the key"),
    Code::fail("bad-request", "A 400 answer without problem details, which may not come from the API"),
    Code::fail("forbidden", "A 403 answer, which DAM is documented never to give: a proxy, firewall or gateway may have answered"),
], &PROBE_NO_ANSWER_AND_RETRY]);

#[rustfmt::skip]
const CATALOG_PROBE: [Code; 33] = join(&[&PROBE_NOT_SENT, &PROBE_ANSWER, &[
    Code::fail("bad-request", "A 400 answer: the request was refused as malformed"),
    Code::fail("catalog-not-enabled", "A 403 answer: the key works, but the Catalog API is not enabled for this account"),
], &PROBE_NO_ANSWER_AND_RETRY]);

/// The codes of several lists, in order, as one array (`N` is their total length).
const fn join<const N: usize>(lists: &[&[Code]]) -> [Code; N] {
    let mut out = [Code::fail("", ""); N];
    let (mut i, mut n) = (0, 0);
    while i < lists.len() {
        let mut j = 0;
        while j < lists[i].len() {
            out[n] = lists[i][j];
            (n, j) = (n + 1, j + 1);
        }
        i += 1;
    }
    assert!(n == N, "join: N must be the total length of the lists");
    out
}

/// The codes a check can emit; `None` for an unknown check id.
pub fn codes_of(check: &str) -> Option<&'static [Code]> {
    CODES.iter().find(|c| c.check == check).map(|c| c.codes)
}

/// One code of one check, with its severities and meaning.
pub fn lookup(check: &str, code: &str) -> Option<&'static Code> {
    codes_of(check)?.iter().find(|c| c.code == code)
}

/// Whether `code` is a registered code of `check`.
pub fn is_known(check: &str, code: &str) -> bool {
    lookup(check, code).is_some()
}

/// The checks that use `code`, in registry order (most codes belong to one check).
pub fn checks_using(code: &str) -> Vec<&'static str> {
    CODES
        .iter()
        .filter(|c| c.codes.iter().any(|x| x.code == code))
        .map(|c| c.check)
        .collect()
}

/// Whether `s` has the form of a code: lowercase ASCII words and digits joined by `-`.
pub fn is_kebab_case(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The lowercase name of a severity, as in the JSON report.
pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warn => "warn",
        Severity::Fail => "fail",
    }
}
