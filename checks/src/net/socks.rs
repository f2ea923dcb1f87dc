//! A small SOCKS5 client (RFC 1928, with the username/password method of RFC 1929):
//! the step of [`crate::net::handshake`] that opens the tunnel through a `socks5://` or
//! `socks5h://` proxy, as the user's HTTP client would. The credentials come from the
//! proxy URL and only ever go to the proxy; nothing here prints them.

use crate::net::endpoint::remaining;
use std::net::IpAddr;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const VERSION: u8 = 5;
const NO_AUTH: u8 = 0x00;
const USER_PASS: u8 = 0x02;
const NO_ACCEPTABLE: u8 = 0xff;

/// The address the proxy is asked to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// Resolved here (`socks5://`, or an IP literal).
    Ip(IpAddr),
    /// Resolved by the proxy (`socks5h://`).
    Domain(String),
}

/// What went wrong in the SOCKS5 exchange.
#[derive(Debug)]
pub enum SocksError {
    /// No (complete) answer in time.
    Timeout,
    /// The connection failed during the exchange.
    Io(std::io::Error),
    /// The answer is not SOCKS5.
    NotSocks,
    /// The proxy accepts none of the offered methods.
    NoAcceptableMethod {
        /// Whether credentials were offered.
        offered_credentials: bool,
    },
    /// The proxy rejected the username and password.
    AuthFailed,
    /// The username, password or host name is longer than the 255 bytes SOCKS5 carries.
    TooLong(&'static str),
    /// The proxy answered the connect request with this reply code.
    Reply(u8),
}

/// A SOCKS5 reply code in words (RFC 1928, section 6).
pub fn reply_words(code: u8) -> &'static str {
    match code {
        0x01 => "general SOCKS server failure",
        0x02 => "connection not allowed by the proxy's rules",
        0x03 => "network unreachable",
        0x04 => "host unreachable",
        0x05 => "connection refused by the API host",
        0x06 => "TTL expired",
        0x07 => "command not supported",
        0x08 => "address type not supported",
        _ => "unknown reply code",
    }
}

impl From<std::io::Error> for SocksError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            SocksError::NotSocks
        } else {
            SocksError::Io(e)
        }
    }
}

/// Connects the proxy to `dest:port` over `s`, within `deadline`.
pub async fn connect<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    dest: &Dest,
    port: u16,
    credentials: Option<(&str, &str)>,
    deadline: Instant,
) -> Result<(), SocksError> {
    let request = connect_request(dest, port)?;
    match tokio::time::timeout(remaining(deadline), exchange(s, &request, credentials)).await {
        Err(_) => Err(SocksError::Timeout),
        Ok(r) => r,
    }
}

fn connect_request(dest: &Dest, port: u16) -> Result<Vec<u8>, SocksError> {
    let mut req = vec![VERSION, 0x01, 0x00];
    match dest {
        Dest::Ip(IpAddr::V4(a)) => {
            req.push(0x01);
            req.extend_from_slice(&a.octets());
        }
        Dest::Ip(IpAddr::V6(a)) => {
            req.push(0x04);
            req.extend_from_slice(&a.octets());
        }
        Dest::Domain(d) => {
            let len = u8::try_from(d.len()).map_err(|_| SocksError::TooLong("host name"))?;
            req.push(0x03);
            req.push(len);
            req.extend_from_slice(d.as_bytes());
        }
    }
    req.extend_from_slice(&port.to_be_bytes());
    Ok(req)
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    request: &[u8],
    credentials: Option<(&str, &str)>,
) -> Result<(), SocksError> {
    // Offer username/password only when the URL has credentials: a proxy then picks it.
    let greeting: &[u8] = if credentials.is_some() {
        &[VERSION, 2, NO_AUTH, USER_PASS]
    } else {
        &[VERSION, 1, NO_AUTH]
    };
    s.write_all(greeting).await?;
    let mut choice = [0u8; 2];
    s.read_exact(&mut choice).await?;
    if choice[0] != VERSION {
        return Err(SocksError::NotSocks);
    }
    match (choice[1], credentials) {
        (NO_AUTH, _) => {}
        (USER_PASS, Some((user, pass))) => authenticate(s, user, pass).await?,
        (NO_ACCEPTABLE, c) => {
            return Err(SocksError::NoAcceptableMethod {
                offered_credentials: c.is_some(),
            });
        }
        _ => return Err(SocksError::NotSocks),
    }
    s.write_all(request).await?;
    let mut head = [0u8; 4];
    s.read_exact(&mut head).await?;
    if head[0] != VERSION {
        return Err(SocksError::NotSocks);
    }
    if head[1] != 0 {
        return Err(SocksError::Reply(head[1]));
    }
    // The bound address is of no use here, but it must be read off the stream.
    let rest = match head[3] {
        0x01 => 4 + 2,
        0x04 => 16 + 2,
        0x03 => {
            let mut len = [0u8; 1];
            s.read_exact(&mut len).await?;
            len[0] as usize + 2
        }
        _ => return Err(SocksError::NotSocks),
    };
    let mut bound = vec![0u8; rest];
    s.read_exact(&mut bound).await?;
    Ok(())
}

/// RFC 1929: version 1, username, password; status 0 is success.
async fn authenticate<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    user: &str,
    pass: &str,
) -> Result<(), SocksError> {
    let ulen = u8::try_from(user.len()).map_err(|_| SocksError::TooLong("username"))?;
    let plen = u8::try_from(pass.len()).map_err(|_| SocksError::TooLong("password"))?;
    let mut msg = Vec::with_capacity(3 + user.len() + pass.len());
    msg.push(0x01);
    msg.push(ulen);
    msg.extend_from_slice(user.as_bytes());
    msg.push(plen);
    msg.extend_from_slice(pass.as_bytes());
    s.write_all(&msg).await?;
    let mut status = [0u8; 2];
    s.read_exact(&mut status).await?;
    if status[1] != 0 {
        return Err(SocksError::AuthFailed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_the_address_type() {
        let ip = connect_request(&Dest::Ip("10.0.0.1".parse().unwrap()), 443).unwrap();
        assert_eq!(ip, [5, 1, 0, 1, 10, 0, 0, 1, 1, 187]);
        let d = connect_request(&Dest::Domain("a.b".into()), 443).unwrap();
        assert_eq!(d, [5, 1, 0, 3, 3, b'a', b'.', b'b', 1, 187]);
        assert!(matches!(
            connect_request(&Dest::Domain("x".repeat(300)), 1),
            Err(SocksError::TooLong(_))
        ));
    }

    #[tokio::test]
    async fn a_refusal_is_the_reply_code() {
        let (mut a, mut b) = tokio::io::duplex(256);
        let server = async move {
            let mut buf = [0u8; 3];
            b.read_exact(&mut buf).await.unwrap();
            b.write_all(&[5, 0]).await.unwrap();
            let mut req = [0u8; 10];
            b.read_exact(&mut req).await.unwrap();
            b.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).await.unwrap();
        };
        let dest = Dest::Ip("127.0.0.1".parse().unwrap());
        let deadline = Instant::now() + std::time::Duration::from_secs(2);
        let (r, ()) = tokio::join!(connect(&mut a, &dest, 443, None, deadline), server);
        assert!(matches!(r, Err(SocksError::Reply(5))), "{r:?}");
        assert_eq!(reply_words(5), "connection refused by the API host");
    }
}
