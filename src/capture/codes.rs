//! Capture's finding codes, each with its severities and meaning (cargo-deny keeps its
//! `diags.rs` beside its checks the same way): the run and the transport (`capture`), each
//! request (`diagnose`), the comparison with the configured key (`diagnose::compare`), the
//! relay to the API (`--forward`), the command run behind the proxy (`intercept`). The
//! value checks and URL checks capture re-runs keep their own codes. `docs/capture.md`
//! lists [`CODES`]; a test keeps the two equal.

use sl_doctor_checks::model::code::Code;
use sl_doctor_checks::model::report::Severity;

// The run and the transport.
pub const NON_LOOPBACK_BIND: Code = Code::warn(
    "non-loopback-bind",
    "Capture listens on an address other than loopback: other machines can send requests to it",
);
pub const CONNECTIONS_OVER_CAP: Code = Code::warn(
    "connections-over-cap",
    "Connections beyond the number capture serves at once were closed unanswered",
);
pub const NO_REQUEST: Code = Code::fail(
    "no-request",
    "No request arrived before the timeout: the application does not use the capture base URL, or could not connect (with -- COMMAND: it reached only other hosts)",
);
pub const HEADER_REFUSED_BY_CLIENT: Code = Code::fail(
    "header-refused-by-client",
    "No request arrived, and the configured key holds a line break: Go, httpx and Python's http.client refuse to send such a value",
);
pub const FEWER_REQUESTS: Code = Code::info(
    "fewer-requests",
    "Fewer requests than `--count` arrived before the timeout or Ctrl-C",
);
pub const PLAIN_HTTP_TO_HTTPS: Code = Code::fail(
    "plain-http-to-https",
    "The application sent plain http:// to the `--https` capture: it will do the same to the API, which only serves https",
);
pub const TLS_HANDSHAKE_FAILED: Code = Code::fail(
    "tls-handshake-failed",
    "The application aborted the TLS handshake: it does not trust the CA of the `--https` capture (or, with -- COMMAND, the run's CA)",
);
pub const TLS_TO_PLAIN_HTTP: Code = Code::fail(
    "tls-to-plain-http",
    "The application started a TLS handshake (https://) on the plain-http capture",
);

// One request.
pub const MALFORMED_REQUEST_LINE: Code = Code::fail(
    "malformed-request-line",
    "The request line is not `METHOD /path HTTP/1.1` (an unencoded space in the URL, or not HTTP at all): servers answer 400",
);
pub const INCOMPLETE_REQUEST: Code = Code::fail(
    "incomplete-request",
    "The connection closed or stalled before the end of the request headers",
);
pub const HEAD_TOO_LARGE: Code = Code::fail(
    "head-too-large",
    "The request headers are larger than servers accept (431)",
);
pub const BARE_LF_LINE_ENDINGS: Code = Code::warn(
    "bare-lf-line-endings",
    "The request uses bare LF line endings instead of CR LF: tolerated by many servers, refused by strict ones",
);
pub const PROXY_CONNECT: Code = Code::fail(
    "proxy-connect",
    "The application sent CONNECT: it uses the capture address as an HTTPS proxy instead of as the API base URL",
);
pub const ABSOLUTE_FORM_TARGET: Code = Code::warn(
    "absolute-form-target",
    "The request line carries a full URL: the application uses the capture address as its proxy",
);
pub const MISSING_KEY_HEADER: Code = Code::fail(
    "missing-key-header",
    "No X-API-KEY header arrived: the API answers 401",
);
pub const MISSPELT_KEY_HEADER: Code = Code::new(
    "misspelt-key-header",
    &[Severity::Fail, Severity::Warn],
    "A header named like X-API-KEY with other punctuation (`X_API_KEY`, `XAPIKEY`): fails when X-API-KEY is missing, else warns",
);
pub const WRONG_KEY_HEADER: Code = Code::new(
    "wrong-key-header",
    &[Severity::Fail, Severity::Warn],
    "A header that looks like an API key header (`Api-Key`, `apikey`, `X-Api-Token`): fails when X-API-KEY is missing, else warns",
);
pub const AUTHORIZATION_HEADER: Code = Code::new(
    "authorization-header",
    &[Severity::Fail, Severity::Warn],
    "An `Authorization` header (only its scheme word is shown): fails when X-API-KEY is missing, else warns",
);
pub const DUPLICATE_KEY_HEADER: Code = Code::fail(
    "duplicate-key-header",
    "Several X-API-KEY headers arrived (shown by fingerprint): the server joins them or keeps one",
);
pub const SPACE_BEFORE_COLON: Code = Code::fail(
    "space-before-colon",
    "Whitespace between the header name and the colon (`X-API-KEY : …`): HTTP/1.1 servers must reject the request",
);
pub const KEY_IN_BODY: Code = Code::fail("key-in-body", "The key is in the request body");
pub const KEY_FIELD_IN_BODY: Code = Code::new(
    "key-field-in-body",
    &[Severity::Fail, Severity::Warn],
    "The request body holds a field named like a key: fails when X-API-KEY is missing, else warns",
);
pub const NOT_UTF8: Code = Code::fail(
    "not-utf8",
    "A received value is not UTF-8: it is read as Latin-1 (how Node's fetch and Python's http.client send characters up to U+00FF)",
);
pub const NON_ASCII: Code = Code::warn(
    "non-ascii",
    "Non-ASCII characters in a received value, sent as raw UTF-8 bytes (the first one is named)",
);
pub const REJECTED_BY_STRICT_SERVERS: Code = Code::fail(
    "rejected-by-strict-servers",
    "A received value holds control characters: a standard HTTP/1.1 server refuses the whole request",
);
pub const VALUE_SPANS_LINES: Code = Code::fail(
    "value-spans-lines",
    "A received value continues over more lines (a line break inside it, or obs-fold)",
);

// The received key against the configured one.
pub const SAME_KEY_AS_CONFIGURED: Code = Code::info(
    "same-key-as-configured",
    "The application sends exactly the configured key",
);
pub const CONFIGURED_KEY_PLUS_EXTRA: Code = Code::fail(
    "configured-key-plus-extra",
    "The application sends the configured key with extra characters at one end (they are named when they are few)",
);
pub const CONFIGURED_KEY_WITH_DEFECTS: Code = Code::fail(
    "configured-key-with-defects",
    "The application sends the configured key with other surrounding or hidden characters",
);
pub const SENDS_CLEANED_CONFIGURED_KEY: Code = Code::warn(
    "sends-cleaned-configured-key",
    "The application sends the cleaned form of a configured key that has extra characters: other tools may not clean it",
);
pub const DIFFERENT_KEY_THAN_CONFIGURED: Code = Code::fail(
    "different-key-than-configured",
    "The application sends a different key than the configured one (both shown by fingerprint)",
);

// The relay (`--forward`).
pub const FORWARD_ACCEPTED: Code = Code::info(
    "forward-accepted",
    "With `--forward`: the API answered 2xx to the request as the application sent it",
);
pub const FORWARD_REJECTED: Code = Code::fail(
    "forward-rejected",
    "With `--forward`: the API answered 400, 401 or 403 to the request as the application sent it",
);
pub const FORWARD_INCONCLUSIVE: Code = Code::warn(
    "forward-inconclusive",
    "With `--forward`: the API answered 429 or 5xx, which says nothing about the key",
);
pub const FORWARD_STATUS: Code = Code::warn(
    "forward-status",
    "With `--forward`: the API answered another status",
);
pub const FORWARD_FAILED: Code = Code::warn(
    "forward-failed",
    "With `--forward`: the request could not be relayed to the API (no response)",
);

// The command run behind the proxy (`capture -- COMMAND`).
pub const NOTHING_PROXIED: Code = Code::fail(
    "nothing-proxied",
    "Nothing went through the proxy while the command ran: it sent no request, or its client ignores proxy variables",
);
pub const PROXY_BYPASSED: Code = Code::fail(
    "proxy-bypassed",
    "No request reached the API host, and NO_PROXY names it: clients connect to it directly",
);
pub const OTHER_SALESLAYER_HOST: Code = Code::new(
    "other-saleslayer-host",
    &[Severity::Fail, Severity::Warn],
    "The command connected to another Sales Layer host than the API host: fails when nothing reached the API host, else warns",
);
pub const PLAIN_HTTP_TO_API: Code = Code::fail(
    "plain-http-to-api",
    "The application sent plain http:// to the API host: the key crosses the network in clear",
);
pub const COMMAND_TIMEOUT: Code = Code::warn(
    "command-timeout",
    "The command was still running at --timeout: capture ended it and what it started",
);
pub const KEY_IN_COMMAND_ARGS: Code = Code::warn(
    "key-in-command-args",
    "The key is among the command's arguments: visible in the process list while it runs",
);
pub const NO_SYSTEM_BUNDLE: Code = Code::warn(
    "no-system-bundle",
    "No system CA bundle was found to extend: clients reading SSL_CERT_FILE trusted only the run's CA",
);
pub const TEMP_DIR_LEFT: Code = Code::warn(
    "temp-dir-left",
    "The run's temporary directory (public certificates and settings only) could not be removed",
);

/// Every finding code of capture, in the order `docs/capture.md` lists them: the run and
/// the transport, each request (`diagnose`), the relay, the command behind the proxy. The test that keeps
/// `docs/capture.md` in step reads it.
#[cfg_attr(not(test), allow(dead_code))]
pub const CODES: &[Code] = &[
    NON_LOOPBACK_BIND,
    CONNECTIONS_OVER_CAP,
    NO_REQUEST,
    HEADER_REFUSED_BY_CLIENT,
    FEWER_REQUESTS,
    PLAIN_HTTP_TO_HTTPS,
    TLS_HANDSHAKE_FAILED,
    TLS_TO_PLAIN_HTTP,
    MALFORMED_REQUEST_LINE,
    INCOMPLETE_REQUEST,
    HEAD_TOO_LARGE,
    BARE_LF_LINE_ENDINGS,
    PROXY_CONNECT,
    ABSOLUTE_FORM_TARGET,
    MISSING_KEY_HEADER,
    MISSPELT_KEY_HEADER,
    WRONG_KEY_HEADER,
    AUTHORIZATION_HEADER,
    DUPLICATE_KEY_HEADER,
    SPACE_BEFORE_COLON,
    KEY_IN_BODY,
    KEY_FIELD_IN_BODY,
    NOT_UTF8,
    NON_ASCII,
    REJECTED_BY_STRICT_SERVERS,
    VALUE_SPANS_LINES,
    SAME_KEY_AS_CONFIGURED,
    CONFIGURED_KEY_PLUS_EXTRA,
    CONFIGURED_KEY_WITH_DEFECTS,
    SENDS_CLEANED_CONFIGURED_KEY,
    DIFFERENT_KEY_THAN_CONFIGURED,
    FORWARD_ACCEPTED,
    FORWARD_REJECTED,
    FORWARD_INCONCLUSIVE,
    FORWARD_STATUS,
    FORWARD_FAILED,
    NOTHING_PROXIED,
    PROXY_BYPASSED,
    OTHER_SALESLAYER_HOST,
    PLAIN_HTTP_TO_API,
    COMMAND_TIMEOUT,
    KEY_IN_COMMAND_ARGS,
    NO_SYSTEM_BUNDLE,
    TEMP_DIR_LEFT,
];
