//! The Action's install step (`scripts/action-install.sh`, called by action.yml) against a
//! fake release on a loopback HTTP server: the locally built binary packed as a release
//! asset by `scripts/package-release.sh` (as the release workflow does), plus SHA256SUMS.
//!
//! Unix only: the script is bash and these tests drive it with Unix tools (tar, curl,
//! sha256sum). On Windows runners the Action runs the same script in Git Bash.
#![cfg(unix)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const TAG: &str = concat!("v", env!("CARGO_PKG_VERSION"));

/// Serves `files` (URL path → body) over HTTP/1.1 on 127.0.0.1; anything else is a 404.
fn serve(files: HashMap<String, Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Skip the headers up to the blank line.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
            let (status, body) = match files.get(&path) {
                Some(b) => ("200 OK", b.clone()),
                None => ("404 Not Found", b"not found".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    base
}

fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

struct Run {
    code: i32,
    /// stdout and stderr together, as the Actions log shows them.
    log: String,
    /// The step's outputs (GITHUB_OUTPUT).
    outputs: String,
}

/// A scratch directory with a stub `cargo` first on PATH: it records its arguments and
/// "installs" the real binary into `--root`, so the fallback needs no compilation.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let stub = dir.path().join("stub-bin");
        std::fs::create_dir(&stub).unwrap();
        let cargo = stub.join("cargo");
        std::fs::write(
            &cargo,
            format!(
                r#"#!/usr/bin/env bash
echo "$*" >> "{log}"
root=""
while [ "$#" -gt 0 ]; do
  if [ "$1" = --root ]; then root="$2"; fi
  shift
done
mkdir -p "$root/bin"
cp "{bin}" "$root/bin/sl-doctor"
"#,
                log = dir.path().join("cargo-calls.log").display(),
                bin = env!("CARGO_BIN_EXE_sl-doctor"),
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        Sandbox { dir }
    }

    fn install_root(&self) -> PathBuf {
        self.dir.path().join("install")
    }

    fn cargo_calls(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("cargo-calls.log")).unwrap_or_default()
    }

    fn script(&self, mode: &str, base: &str) -> Run {
        let out = self.dir.path().join("github_output");
        let _ = std::fs::remove_file(&out);
        let path = format!(
            "{}:{}",
            self.dir.path().join("stub-bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let o = Command::new("bash")
            .arg(Path::new(ROOT).join("scripts/action-install.sh"))
            .arg(mode)
            // No proxy variables, tokens or runner state from the outer environment.
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.dir.path())
            .env("GITHUB_OUTPUT", &out)
            .env("SL_SOURCE_DIR", ROOT)
            .env("SL_INSTALL_ROOT", self.install_root())
            .env("SL_DOWNLOAD_BASE", base)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        Run {
            code: o.status.code().unwrap_or(-1),
            log: format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
            outputs: std::fs::read_to_string(&out).unwrap_or_default(),
        }
    }
}

fn output<'a>(outputs: &'a str, key: &str) -> &'a str {
    outputs
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in {outputs:?}"))
}

/// Packs `binary` as the release asset for `target` with the release workflow's script.
fn pack(binary: &Path, target: &str, out: &Path) -> PathBuf {
    let o = Command::new("bash")
        .arg(Path::new(ROOT).join("scripts/package-release.sh"))
        .args([binary, Path::new(TAG), Path::new(target), out])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    PathBuf::from(String::from_utf8(o.stdout).unwrap().trim())
}

/// The release assets, packed once per test run (the debug binary is large): the real
/// binary as the asset for `target`, and a decoy (a script that is not sl-doctor) as the
/// asset of another target. Each is (file name, sha256, bytes).
fn assets(target: &str) -> &'static [(String, String, Vec<u8>)] {
    static ASSETS: OnceLock<Vec<(String, String, Vec<u8>)>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        // Per process (test runners may run several), removed once the bytes are read.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("action-install-release-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let decoy = dir.join("decoy/sl-doctor");
        std::fs::create_dir_all(decoy.parent().unwrap()).unwrap();
        std::fs::write(&decoy, "#!/bin/sh\necho decoy\n").unwrap();
        let other = if target.starts_with("aarch64") {
            "x86_64-apple-darwin"
        } else {
            "aarch64-apple-darwin"
        };
        let out = dir.join("assets");
        let assets = [
            pack(Path::new(env!("CARGO_BIN_EXE_sl-doctor")), target, &out),
            pack(&decoy, other, &out),
        ]
        .iter()
        .map(|a| {
            let name = a.file_name().unwrap().to_string_lossy().into_owned();
            (name, sha256_hex(a), std::fs::read(a).unwrap())
        })
        .collect::<Vec<_>>();
        let _ = std::fs::remove_dir_all(&dir);
        assets
    })
}

/// A fake release of this version on loopback: the assets, and SHA256SUMS made by `sums`
/// from the assets' true (name, sha256) pairs.
fn release(target: &str, sums: impl Fn(&[(String, String)]) -> String) -> String {
    let mut files = HashMap::new();
    let mut pairs = Vec::new();
    for (name, hash, bytes) in assets(target) {
        pairs.push((name.clone(), hash.clone()));
        files.insert(format!("/{TAG}/{name}"), bytes.clone());
    }
    files.insert(format!("/{TAG}/SHA256SUMS"), sums(&pairs).into_bytes());
    serve(files)
}

fn sha256sums(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(n, h)| format!("{h}  {n}\n")).collect()
}

/// The target this machine resolves to (what a runner like it would download).
fn this_target(sb: &Sandbox) -> String {
    let r = sb.script("resolve", "http://127.0.0.1:9");
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(
        output(&r.outputs, "tag"),
        TAG,
        "the version comes from Cargo.toml"
    );
    output(&r.outputs, "target").to_string()
}

#[test]
fn action_install_detects_this_machine() {
    let sb = Sandbox::new();
    let target = this_target(&sb);
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    assert_eq!(target, "x86_64-unknown-linux-musl");
    #[cfg(all(target_os = "linux", target_arch = "aarch64"))]
    assert_eq!(target, "aarch64-unknown-linux-musl");
    #[cfg(all(target_os = "macos", target_arch = "aarch64"))]
    assert_eq!(target, "aarch64-apple-darwin");
    #[cfg(all(target_os = "macos", target_arch = "x86_64"))]
    assert_eq!(target, "x86_64-apple-darwin");
    let _ = target;
}

#[test]
fn action_install_downloads_verifies_and_caches_the_right_asset() {
    let sb = Sandbox::new();
    let target = this_target(&sb);
    let base = release(&target, sha256sums);

    let r = sb.script("install", &base);
    assert_eq!(r.code, 0, "{}", r.log);
    let asset = format!("sl-doctor-{TAG}-{target}.tar.gz");
    assert!(
        r.log.contains(&format!("{asset} matches SHA256SUMS")),
        "{}",
        r.log
    );
    let bin = PathBuf::from(output(&r.outputs, "bin"));
    assert!(bin.starts_with(sb.install_root()), "{}", bin.display());
    // The real binary, not the other target's decoy.
    let v = Command::new(&bin).arg("--version").output().unwrap();
    let v = String::from_utf8(v.stdout).unwrap();
    assert!(
        v.starts_with(&format!("sl-doctor {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    assert_eq!(sb.cargo_calls(), "", "no fallback when the asset exists");

    // A second job with the cached directory restored fetches SHA256SUMS only, checks the
    // cached archive against it and unpacks the binary anew.
    let real = sha256_hex(&bin);
    let r = sb.script("install", &base);
    assert_eq!(r.code, 0, "{}", r.log);
    assert!(r.log.contains("using the cached"), "{}", r.log);
    assert!(!r.log.contains("downloading"), "{}", r.log);
    assert_eq!(output(&r.outputs, "bin"), bin.to_str().unwrap());

    // A poisoned cache entry: a binary that prints the right --version is replaced by the
    // one the verified archive holds.
    let poison = format!("#!/bin/sh\necho sl-doctor {}\n", env!("CARGO_PKG_VERSION"));
    std::fs::write(&bin, &poison).unwrap();
    let r = sb.script("install", &base);
    assert_eq!(r.code, 0, "{}", r.log);
    assert_eq!(
        sha256_hex(&bin),
        real,
        "the cached binary is unpacked anew\n{}",
        r.log
    );

    // A poisoned archive: it does not match SHA256SUMS, so the release's is downloaded again.
    let archive = bin.parent().unwrap().join(&asset);
    assert!(archive.is_file(), "the archive is kept beside the binary");
    std::fs::write(&archive, b"not the release").unwrap();
    std::fs::write(&bin, &poison).unwrap();
    let r = sb.script("install", &base);
    assert_eq!(r.code, 0, "{}", r.log);
    assert!(
        r.log
            .contains("do not match SHA256SUMS: downloading them again"),
        "{}",
        r.log
    );
    assert_eq!(sha256_hex(&bin), real, "{}", r.log);

    // Without SHA256SUMS (the release server unreachable) a cache hit is not used blindly.
    let r = sb.script("install", "http://127.0.0.1:9");
    assert_ne!(r.code, 0, "{}", r.log);
    assert!(!r.outputs.contains("bin="), "{}", r.outputs);
}

#[test]
fn action_install_refuses_a_checksum_mismatch() {
    let sb = Sandbox::new();
    let target = this_target(&sb);
    // SHA256SUMS names our asset with another file's digest.
    let base = release(&target, |pairs| {
        let wrong = "0".repeat(64);
        pairs
            .iter()
            .map(|(n, _)| format!("{wrong}  {n}\n"))
            .collect()
    });
    let r = sb.script("install", &base);
    assert_ne!(r.code, 0, "{}", r.log);
    assert!(r.log.contains("checksum mismatch"), "{}", r.log);
    assert!(r.log.contains("::error"), "{}", r.log);
    assert!(!r.outputs.contains("bin="), "{}", r.outputs);
    // Nothing installed: no binary anywhere under the install root, no fallback build.
    let installed = walk(&sb.install_root());
    assert!(installed.is_empty(), "{installed:?}");
    assert_eq!(sb.cargo_calls(), "");
}

#[test]
fn action_install_falls_back_to_cargo_when_the_asset_is_missing() {
    let sb = Sandbox::new();
    let target = this_target(&sb);
    // The release exists but has no asset for this runner.
    let base = release(&target, |pairs| {
        sha256sums(
            &pairs
                .iter()
                .filter(|(n, _)| !n.contains(&target))
                .cloned()
                .collect::<Vec<_>>(),
        )
    });
    let r = sb.script("install", &base);
    assert_eq!(r.code, 0, "{}", r.log);
    assert!(
        r.log.contains("::warning title=sl-doctor install::")
            && r.log.contains("has no asset")
            && r.log.contains("falling back to cargo install"),
        "{}",
        r.log
    );
    let calls = sb.cargo_calls();
    assert!(
        calls.starts_with(&format!("install --locked --quiet --path {ROOT} --root ")),
        "{calls}"
    );
    let bin = output(&r.outputs, "bin");
    assert!(bin.ends_with("/source/bin/sl-doctor"), "{bin}");

    // No release at all (a version that was never released): the same fallback.
    let empty = serve(HashMap::new());
    let r = sb.script("install", &empty);
    assert_eq!(r.code, 0, "{}", r.log);
    assert!(r.log.contains("not found"), "{}", r.log);
    assert!(r.log.contains("falling back to cargo install"), "{}", r.log);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files
}
