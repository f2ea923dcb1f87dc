//! Loopback proxies for the tunnel tests: a tiny SOCKS5 server (no authentication or
//! username/password) and an HTTPS `CONNECT` proxy. Both relay every tunnel to one fixed
//! address (the test server), whatever was asked, and record what was asked.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The destination a client asked the SOCKS proxy for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// Address type 3: a host name (`socks5h://`).
    Domain(String, u16),
    /// Address types 1 and 4: an address resolved by the client (`socks5://`).
    Ip(IpAddr, u16),
}

/// A running proxy: its address, the connections it accepted, what each one asked for.
pub struct ProxyServer<T> {
    /// The bound address.
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    asked: Arc<Mutex<Vec<T>>>,
}

impl<T: Clone> ProxyServer<T> {
    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// What the tunnels asked for, in order.
    pub fn asked(&self) -> Vec<T> {
        self.asked.lock().unwrap().clone()
    }
}

async fn listen<T: Send + 'static, F, Fut>(serve: F) -> ProxyServer<T>
where
    F: Fn(TcpStream, Arc<Mutex<Vec<T>>>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let (n, log) = (connections.clone(), asked.clone());
    tokio::spawn(async move {
        while let Ok((c, _)) = l.accept().await {
            n.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve(c, log.clone()));
        }
    });
    ProxyServer {
        addr,
        connections,
        asked,
    }
}

async fn relay<S: AsyncRead + AsyncWrite + Unpin>(mut c: S, to: SocketAddr) {
    if let Ok(mut up) = TcpStream::connect(to).await {
        let _ = tokio::io::copy_bidirectional(&mut c, &mut up).await;
    }
}

/// A SOCKS5 server relaying to `to`; with `creds`, it requires username/password.
pub async fn socks5(creds: Option<(&str, &str)>, to: SocketAddr) -> ProxyServer<Asked> {
    let creds = creds.map(|(u, p)| (u.to_string(), p.to_string()));
    listen(move |c, log| {
        let creds = creds.clone();
        async move {
            let _ = socks_session(c, creds, log, to).await;
        }
    })
    .await
}

async fn socks_session(
    mut c: TcpStream,
    creds: Option<(String, String)>,
    log: Arc<Mutex<Vec<Asked>>>,
    to: SocketAddr,
) -> std::io::Result<()> {
    let mut head = [0u8; 2];
    c.read_exact(&mut head).await?;
    let mut methods = vec![0u8; head[1] as usize];
    c.read_exact(&mut methods).await?;
    let wanted = if creds.is_some() { 2 } else { 0 };
    if !methods.contains(&wanted) {
        return c.write_all(&[5, 0xff]).await;
    }
    c.write_all(&[5, wanted]).await?;
    if let Some((user, pass)) = creds {
        let mut v = [0u8; 2];
        c.read_exact(&mut v).await?;
        let mut u = vec![0u8; v[1] as usize];
        c.read_exact(&mut u).await?;
        let mut pl = [0u8; 1];
        c.read_exact(&mut pl).await?;
        let mut p = vec![0u8; pl[0] as usize];
        c.read_exact(&mut p).await?;
        let ok = u == user.as_bytes() && p == pass.as_bytes();
        c.write_all(&[1, if ok { 0 } else { 1 }]).await?;
        if !ok {
            return Ok(());
        }
    }
    let mut req = [0u8; 4];
    c.read_exact(&mut req).await?;
    let asked = match req[3] {
        1 => {
            let mut a = [0u8; 4];
            c.read_exact(&mut a).await?;
            Asked::Ip(IpAddr::from(a), c.read_u16().await?)
        }
        4 => {
            let mut a = [0u8; 16];
            c.read_exact(&mut a).await?;
            Asked::Ip(IpAddr::from(a), c.read_u16().await?)
        }
        _ => {
            let mut n = [0u8; 1];
            c.read_exact(&mut n).await?;
            let mut d = vec![0u8; n[0] as usize];
            c.read_exact(&mut d).await?;
            Asked::Domain(String::from_utf8_lossy(&d).into(), c.read_u16().await?)
        }
    };
    log.lock().unwrap().push(asked);
    c.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).await?;
    relay(c, to).await;
    Ok(())
}

/// One `CONNECT` as the HTTPS proxy saw it.
#[derive(Debug, Clone)]
pub struct Connect {
    /// The request line.
    pub line: String,
    /// The `Proxy-Authorization` value, when sent.
    pub auth: Option<String>,
}

/// An HTTPS proxy (TLS with a leaf for localhost/127.0.0.1 signed by a fresh CA) that
/// answers every `CONNECT` with 200 and relays to `to`. Returns the proxy and its CA (PEM).
pub async fn https_proxy(to: SocketAddr) -> (ProxyServer<Connect>, String) {
    let (cfg, ca) = super::tls_server_config(&[b"http/1.1"]);
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    let p = listen(move |c, log| {
        let acceptor = acceptor.clone();
        async move {
            if let Ok(s) = acceptor.accept(c).await {
                let _ = connect_session(s, log, to).await;
            }
        }
    })
    .await;
    (p, ca)
}

async fn connect_session<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    log: Arc<Mutex<Vec<Connect>>>,
    to: SocketAddr,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    // Byte by byte: nothing after the head may be consumed before the tunnel is up.
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        s.read_exact(&mut b).await?;
        head.push(b[0]);
    }
    let text = String::from_utf8_lossy(&head).to_string();
    let line = text.lines().next().unwrap_or("").to_string();
    let auth = text.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .starts_with("proxy-authorization:")
            .then(|| l[20..].trim().to_string())
    });
    log.lock().unwrap().push(Connect { line, auth });
    s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    relay(s, to).await;
    Ok(())
}
