//! The network engines the live checks share: name resolution (`dns`), bounded TCP
//! connects and `--resolve` (`endpoint`), the proxy decision (`proxy`) and a refusing proxy's own diagnosis (`proxy_answer`), TLS trust and certificate facts (`tls`), the
//! connection and handshake record (`handshake`), the
//! HTTP client and exchange (`http`), the run's shared connection (`shared`) and the API
//! probe (`probe`, and `probe_readers`: the other readers' values, the other API). They return facts; the
//! checks make the findings.

pub mod dns;
pub mod endpoint;
pub mod handshake;
pub mod http;
pub mod probe;
pub mod probe_readers;
pub mod proxy;
pub mod proxy_answer;
pub mod shared;
pub mod socks;
pub mod tls;
