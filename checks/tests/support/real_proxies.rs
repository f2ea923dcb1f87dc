//! Real proxies for the proxy tests: squid, microsocks and dante, each started by the test
//! itself on a free loopback port, with a configuration generated in a temporary folder of
//! its own (logs and pid file there too), run in the foreground and killed when the value
//! is dropped. Never a system service. A missing program skips the test, and fails it
//! under CI (`require_tool`); `.ci/tools/proxies.apt` installs them.
//!
//! Shared by `checks/tests` and the binary's integration tests (included by path), so it
//! uses the standard library only.

#![allow(dead_code)]

use sl_doctor_checks::testing_support::require_tool;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The proxy user of every test.
pub const USER: &str = "alice";
/// Its password; no output may contain it.
pub const PASSWORD: &str = "pr0xy-Secret-9";
/// [`PASSWORD`] in the MD5-crypt form squid's NCSA helper reads
/// (`openssl passwd -1 -salt sldoctor pr0xy-Secret-9`).
const PASSWORD_MD5_CRYPT: &str = "$1$sldoctor$DFOsTd01V/Kfaug/C8QDW/";

/// A proxy process, killed (and its folder removed) on drop.
pub struct RealProxy {
    /// Its loopback port.
    pub port: u16,
    /// Its folder: configuration, logs, pid file.
    pub dir: PathBuf,
    child: Child,
}

impl RealProxy {
    /// `127.0.0.1:PORT`.
    pub fn authority(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A log of its folder once it holds `text` (or after 5 s).
    pub fn wait_for_log(&self, name: &str, text: &str) -> String {
        let start = Instant::now();
        loop {
            let log = self.read(name);
            if log.contains(text) || start.elapsed() > Duration::from_secs(5) {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A file of its folder (a log), empty when missing.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }
}

impl Drop for RealProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A fresh folder the proxy can write to: squid started as root drops to its own user
/// (`proxy`), so the folder is open to it (it holds only test files).
fn folder(name: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sl-doctor-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    p
}

/// Waits until `ready()` or the process exits (then panics with its log).
fn wait_ready(mut p: RealProxy, log: &str, ready: impl Fn(&RealProxy) -> bool) -> RealProxy {
    let start = Instant::now();
    while !ready(&p) {
        if let Ok(Some(status)) = p.child.try_wait() {
            panic!("the proxy exited ({status}):\n{}", p.read(log));
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the proxy did not start:\n{}",
            p.read(log)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    p
}

/// What a test squid allows.
pub struct SquidRules<'a> {
    /// Basic authentication (NCSA helper, [`USER`] / [`PASSWORD`]) for every tunnel.
    pub auth: bool,
    /// Domains its access rules deny (before authentication).
    pub deny: &'a [&'a str],
    /// Names only squid resolves (its `hosts_file`), to 127.0.0.1.
    pub hosts: &'a [&'a str],
}

/// squid (5.7 on Debian 12) on a free loopback port: no cache, no ICMP pinger, a name
/// server nobody answers on loopback so that other names fail fast (squid's `500
/// ERR_CANNOT_FORWARD`), logs in its folder (`access.log`, `cache.log`). `None` when squid
/// is not installed (outside CI).
pub fn squid(rules: &SquidRules) -> Option<RealProxy> {
    if !require_tool("squid", &["-v"]) {
        return None;
    }
    let dir = folder("squid");
    let port = free_port();
    let d = dir.display();
    let hosts = match rules.hosts {
        [] => String::new(),
        names => format!("127.0.0.1 {}\n", names.join(" ")),
    };
    write(&dir, "hosts", &hosts);
    write(&dir, "passwd", &format!("{USER}:{PASSWORD_MD5_CRYPT}\n"));
    let mut conf = format!(
        "http_port 127.0.0.1:{port}
pid_filename {d}/squid.pid
cache_log {d}/cache.log
access_log stdio:{d}/access.log squid
cache_store_log none
cache deny all
cache_mem 0 MB
coredump_dir {d}
netdb_filename none
pinger_enable off
hosts_file {d}/hosts
dns_nameservers 127.0.0.1
dns_timeout 1 seconds
dns_retransmit_interval 100 milliseconds
shutdown_lifetime 0 seconds
"
    );
    if !rules.deny.is_empty() {
        conf.push_str(&format!(
            "acl blocked dstdomain {}\nhttp_access deny blocked\n",
            rules.deny.join(" ")
        ));
    }
    if rules.auth {
        conf.push_str(&format!(
            "auth_param basic program /usr/lib/squid/basic_ncsa_auth {d}/passwd
auth_param basic children 1 startup=1 idle=1
auth_param basic realm sl-doctor test
acl authed proxy_auth REQUIRED
http_access allow authed
http_access deny all
"
        ));
    } else {
        conf.push_str("http_access allow all\n");
    }
    let conf = write(&dir, "squid.conf", &conf);
    let child = Command::new("squid")
        .args(["-N", "-f"])
        .arg(&conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start squid");
    let p = RealProxy { port, dir, child };
    // squid logs "Accepting" as it opens the socket, which can be a moment before the
    // socket listens; a test connection would put an error line in the access log that
    // the tests read, so the listening socket is looked up in the kernel's table.
    Some(wait_ready(p, "cache.log", |p| {
        p.read("cache.log")
            .contains("Accepting HTTP Socket connections")
            && listens(p.port)
    }))
}

/// Whether a socket listens on 127.0.0.1:`port` (`/proc/net/tcp`: local address in hex,
/// state 0A is LISTEN), without connecting to it.
fn listens(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let local = format!("0100007F:{port:04X}");
    table.lines().skip(1).any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.get(1) == Some(&local.as_str()) && f.get(3) == Some(&"0A")
    })
}

/// Waits until the proxy accepts a TCP connection.
fn listening(p: &RealProxy) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", p.port)).is_ok()
}

/// microsocks (SOCKS5) on a free loopback port; with `auth`, username/password
/// ([`USER`] / [`PASSWORD`]) required.
pub fn microsocks(auth: bool) -> Option<RealProxy> {
    if !require_tool("microsocks", &["-h"]) {
        return None;
    }
    let dir = folder("microsocks");
    let port = free_port();
    let mut cmd = Command::new("microsocks");
    cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
    if auth {
        cmd.args(["-u", USER, "-P", PASSWORD]);
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start microsocks");
    Some(wait_ready(RealProxy { port, dir, child }, "", listening))
}

/// dante (SOCKS5, no authentication) on a free loopback port, whose rules refuse
/// connections to 127.0.0.1 port `blocked` and pass everything else.
pub fn dante(blocked: u16) -> Option<RealProxy> {
    if !require_tool("danted", &["-v"]) {
        return None;
    }
    let dir = folder("dante");
    let port = free_port();
    let d = dir.display();
    let conf = write(
        &dir,
        "danted.conf",
        &format!(
            "logoutput: {d}/danted.log
internal: 127.0.0.1 port = {port}
external: 127.0.0.1
socksmethod: none
clientmethod: none
client pass {{ from: 127.0.0.0/8 to: 0.0.0.0/0 }}
socks block {{ from: 0.0.0.0/0 to: 127.0.0.1/32 port = {blocked} log: error connect }}
socks pass {{ from: 0.0.0.0/0 to: 0.0.0.0/0 }}
"
        ),
    );
    let child = Command::new("danted")
        .args(["-N", "1", "-f"])
        .arg(&conf)
        .arg("-p")
        .arg(dir.join("danted.pid"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start danted");
    Some(wait_ready(
        RealProxy { port, dir, child },
        "danted.log",
        |p| p.read("danted.log").contains("running") && listening(p),
    ))
}
