//! `base-url`: the request is sent to the correct base URL.

pub mod dns_resolution;
pub mod proxy_config;
pub mod tls_connection;
pub mod url_format;
pub mod url_host;
pub mod url_path;
pub mod url_scheme;
