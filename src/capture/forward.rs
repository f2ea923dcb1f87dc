//! `--forward`: relay a captured request unchanged to the real API over https, and the
//! real response unchanged back to the application.
//!
//! The request head is relayed byte for byte (so the API judges exactly what the
//! application sent, even a value a strict client library would refuse), except: the
//! target gets the upstream base path in front, `Host` names the upstream, a
//! `Connection: close` line follows the request line (any `Connection` and `Expect`
//! lines are dropped: capture already answered `100 Continue` itself). HTTP/1.1 only
//! (ALPN `http/1.1`), no proxy, redirects are relayed, never followed.

use super::parse::RawRequest;
use sl_doctor_checks::context::NetOptions;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;

/// Largest response relayed.
const MAX_RESPONSE: usize = 32 * 1024 * 1024;

/// Where to relay to.
#[derive(Clone)]
pub struct Upstream {
    /// `https://host[:port]` plus an optional base path, as shown.
    pub base_url: String,
    host: String,
    port: u16,
    prefix: String,
    tls: Arc<tokio_rustls::rustls::ClientConfig>,
    timeout: Duration,
}

/// What the real API answered.
pub struct Relayed {
    /// The status code, when a response arrived.
    pub status: Option<u16>,
    /// The response bytes to hand to the application.
    pub bytes: Vec<u8>,
    /// TCP + TLS connect time.
    pub connect_ms: u64,
    /// Time to the first response byte, from the start.
    pub ttfb_ms: Option<u64>,
    /// Time to the end of the response, from the start.
    pub total_ms: u64,
    /// What went wrong, when nothing (or only part) arrived.
    pub error: Option<String>,
}

impl Upstream {
    /// Parses an https base URL and builds the TLS client (`ca_cert` is added to the
    /// platform roots).
    pub fn new(base: &str, ca_cert: Option<PathBuf>, timeout: Duration) -> Result<Self, String> {
        let u = url::Url::parse(base).map_err(|e| format!("--forward-to {base}: {e}"))?;
        if u.scheme() != "https" {
            return Err(format!(
                "--forward-to {base}: only https is relayed (the key must not travel in clear)"
            ));
        }
        let host = u
            .host_str()
            .ok_or_else(|| format!("--forward-to {base}: no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = u.port_or_known_default().unwrap_or(443);
        let prefix = u.path().trim_end_matches('/').to_string();
        let net = NetOptions {
            ca_cert,
            ..NetOptions::default()
        };
        let mut cfg = sl_doctor_checks::net::tls::client_config(&net).map_err(|e| e.to_string())?;
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Upstream {
            base_url: base.trim_end_matches('/').to_string(),
            host,
            port,
            prefix,
            tls: Arc::new(cfg),
            timeout,
        })
    }

    fn authority(&self) -> String {
        let h = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == 443 {
            h
        } else {
            format!("{h}:{}", self.port)
        }
    }

    /// The request bytes to send upstream.
    fn request_bytes(&self, req: &RawRequest) -> zeroize::Zeroizing<Vec<u8>> {
        let sep: &[u8] = match req.line_ending {
            super::parse::LineEnding::Crlf => b"\r\n",
            super::parse::LineEnding::Lf => b"\n",
        };
        let mut out = zeroize::Zeroizing::new(Vec::with_capacity(req.head.len() + 256));
        let target = {
            let t = req.target.as_str();
            let origin = if !t.starts_with('/') && t.contains("://") {
                let rest = &t[t.find("://").map_or(0, |i| i + 3)..];
                rest.find('/').map_or("/", |j| &rest[j..])
            } else {
                t
            };
            format!("{}{origin}", self.prefix)
        };
        let version = if req.version.is_empty() {
            "HTTP/1.1"
        } else {
            req.version.as_str()
        };
        out.extend_from_slice(format!("{} {target} {version}", req.method).as_bytes());
        out.extend_from_slice(sep);
        out.extend_from_slice(b"Connection: close");
        out.extend_from_slice(sep);
        let head = &req.head[..];
        let mut lines: Vec<&[u8]> = Vec::new();
        let mut start = 0;
        while let Some(i) = head[start..].windows(sep.len()).position(|w| w == sep) {
            lines.push(&head[start..start + i]);
            start += i + sep.len();
        }
        lines.push(&head[start..]);
        let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
        for line in lines.iter().skip(first + 1) {
            let name: Vec<u8> = line
                .split(|b| *b == b':')
                .next()
                .unwrap_or_default()
                .iter()
                .filter(|b| !matches!(b, b' ' | b'\t'))
                .map(u8::to_ascii_lowercase)
                .collect();
            match name.as_slice() {
                b"host" => {
                    out.extend_from_slice(format!("Host: {}", self.authority()).as_bytes());
                }
                b"connection" | b"expect" | b"proxy-connection" => continue,
                _ => out.extend_from_slice(line),
            }
            out.extend_from_slice(sep);
        }
        out.extend_from_slice(sep);
        out.extend_from_slice(&req.body);
        out
    }

    /// Relays one request.
    pub async fn relay(&self, req: &RawRequest) -> Relayed {
        let start = Instant::now();
        let ms = |d: Duration| d.as_millis() as u64;
        let fail = |e: String, connect_ms: u64| Relayed {
            status: None,
            bytes: Vec::new(),
            connect_ms,
            ttfb_ms: None,
            total_ms: ms(start.elapsed()),
            error: Some(e),
        };
        let connect = async {
            let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| format!("cannot connect to {}: {e}", self.authority()))?;
            let name = ServerName::try_from(self.host.clone())
                .map_err(|e| format!("bad host name {}: {e}", self.host))?;
            TlsConnector::from(self.tls.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS handshake with {} failed: {e}", self.authority()))
        };
        let mut tls = match tokio::time::timeout(self.timeout, connect).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return fail(e, ms(start.elapsed())),
            Err(_) => {
                return fail(
                    format!("connecting to {} timed out", self.authority()),
                    ms(start.elapsed()),
                );
            }
        };
        let connect_ms = ms(start.elapsed());
        let bytes = self.request_bytes(req);
        if let Err(e) = tls.write_all(&bytes).await {
            return fail(format!("sending the request failed: {e}"), connect_ms);
        }
        let _ = tls.flush().await;
        let mut resp = Vec::new();
        let mut ttfb = None;
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut error = None;
        loop {
            let mut chunk = [0u8; 16384];
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, tls.read(&mut chunk)).await {
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => {
                    ttfb.get_or_insert_with(|| ms(start.elapsed()));
                    resp.extend_from_slice(&chunk[..n]);
                    if resp.len() > MAX_RESPONSE {
                        error = Some("response larger than 32 MiB: cut".to_string());
                        break;
                    }
                }
                // A server that closes without close_notify: keep what arrived.
                Ok(Err(e)) if !resp.is_empty() => {
                    let _ = e;
                    break;
                }
                Ok(Err(e)) => {
                    error = Some(format!("reading the response failed: {e}"));
                    break;
                }
                Err(_) => {
                    error = Some(format!(
                        "no complete response within {} s",
                        self.timeout.as_secs_f64()
                    ));
                    break;
                }
            }
        }
        Relayed {
            status: final_status(&resp),
            bytes: resp,
            connect_ms,
            ttfb_ms: ttfb,
            total_ms: ms(start.elapsed()),
            error,
        }
    }
}

/// The status of the final (non-1xx) response in `bytes`.
fn final_status(bytes: &[u8]) -> Option<u16> {
    let mut rest = bytes;
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&rest[..line_end]).ok()?;
        let code: u16 = line.split(' ').nth(1)?.parse().ok()?;
        if !(100..200).contains(&code) {
            return Some(code);
        }
        let end = rest.windows(4).position(|w| w == b"\r\n\r\n")?;
        rest = &rest[end + 4..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_status_skips_informational_responses() {
        assert_eq!(
            final_status(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\n\r\n"),
            Some(401)
        );
        assert_eq!(final_status(b"HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(final_status(b"garbage"), None);
    }

    #[test]
    fn request_is_relayed_with_host_and_prefix_only_changed() {
        let up = Upstream::new("https://127.0.0.1:9/base/", None, Duration::from_secs(1))
            .unwrap_or_else(|e| panic!("{e}"));
        let req = super::super::parse::parse_head(
            b"GET /dam/image?$top=1 HTTP/1.1\r\nHost: 127.0.0.1:5\r\nX-API-KEY: k\r\r\nConnection: keep-alive",
            super::super::parse::LineEnding::Crlf,
        );
        let out = up.request_bytes(&req);
        assert_eq!(
            &out[..],
            b"GET /base/dam/image?$top=1 HTTP/1.1\r\nConnection: close\r\nHost: 127.0.0.1:9\r\nX-API-KEY: k\r\r\n\r\n"
        );
    }
}
