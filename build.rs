//! Build script: the version that `sl-doctor --version` prints (env `SL_DOCTOR_VERSION`).
//!
//! - A build of a release tag (`v<version>` points at HEAD, or GitHub Actions runs for that
//!   tag) prints the plain version.
//! - A build of the packaged crate (crates.io, `cargo install sl-doctor`) prints the plain
//!   version too: `cargo package` leaves a `.cargo_vcs_info.json` in it.
//! - Any other build from a git checkout names the commit: `0.1.0 (abc1234)`, so a bug
//!   report from a development build says which code it ran.
//! - Without git (a source archive, no git installed), the plain version.
//!
//! The JSON report's `tool.version` stays the plain crate version (`CARGO_PKG_VERSION`), so
//! reports and their snapshots do not change with every commit.
//!
//! It also lays out the release binary's code on Linux (`hot_path`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-changed=build.rs");
    let full = match commit(&dir, &version) {
        Some(c) => format!("{version} ({c})"),
        None => version,
    };
    println!("cargo:rustc-env=SL_DOCTOR_VERSION={full}");
    hot_path(&dir);
}

/// Passes link/hot-path.ld to the linker: it places the functions a diagnosis runs before
/// the rest of the code, so that a run touches fewer pages of it (docs/performance.md,
/// "Fourth round"). Only for release builds of Linux binaries by the toolchain's own choice
/// of linker (rust-lld or the system's GNU ld: both read a script that only inserts a
/// section). A linker someone chose (`RUSTC_LINKER`, `-C linker…`, `-fuse-ld` in the
/// flags) is left alone: mold, for one, reads no linker script. `SL_DOCTOR_NO_HOT_PATH=1`
/// turns it off.
fn hot_path(dir: &Path) {
    println!("cargo:rerun-if-env-changed=SL_DOCTOR_NO_HOT_PATH");
    let script = dir.join("link").join("hot-path.ld");
    let Some(path) = script.to_str().filter(|_| script.exists()) else {
        return;
    };
    // Only a file that exists: cargo reruns the script on every build for one that does not.
    println!("cargo:rerun-if-changed={path}");
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    let flags = env("CARGO_ENCODED_RUSTFLAGS");
    let chosen_linker = std::env::var_os("RUSTC_LINKER").is_some()
        || flags.split('\x1f').any(|f| {
            ["linker", "fuse-ld", "link-self-contained"]
                .iter()
                .any(|w| f.contains(w))
        });
    if env("PROFILE") == "release"
        && env("CARGO_CFG_TARGET_OS") == "linux"
        && !chosen_linker
        && env("SL_DOCTOR_NO_HOT_PATH") != "1"
    {
        // `-T` and the path as two arguments: the compiler driver hands both to the linker,
        // and a comma in the path cannot split it (as it would in `-Wl,-T,…`).
        println!("cargo:rustc-link-arg-bin=sl-doctor=-T");
        println!("cargo:rustc-link-arg-bin=sl-doctor={path}");
    }
}

/// The short commit to show, or None for a release or a build without git.
fn commit(dir: &Path, version: &str) -> Option<String> {
    if dir.join(".cargo_vcs_info.json").exists() {
        return None;
    }
    let release_tag = format!("v{version}");
    // A GitHub Actions run for the release tag (the release workflow) says so in its
    // environment, whatever the checkout's depth or tags.
    println!("cargo:rerun-if-env-changed=GITHUB_REF_TYPE");
    println!("cargo:rerun-if-env-changed=GITHUB_REF_NAME");
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    if env("GITHUB_REF_TYPE") == "tag" && env("GITHUB_REF_NAME") == release_tag {
        return None;
    }
    // Only this checkout's own repository counts: a packaged copy unpacked inside some
    // other repository (e.g. under its target/) must not borrow that repository's commit.
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(dir).ok()? {
        return None;
    }
    // Rebuild the string when HEAD moves, a branch advances or a tag appears. --git-path
    // resolves these inside a worktree's common directory too.
    for p in ["HEAD", "packed-refs", "refs/tags"] {
        watch(dir, p);
    }
    if let Some(r) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch(dir, &r);
    }
    let tags = git(dir, &["tag", "--points-at", "HEAD"]).unwrap_or_default();
    if tags.lines().any(|t| t.trim() == release_tag) {
        return None;
    }
    git(dir, &["rev-parse", "--short=7", "HEAD"])
}

fn watch(dir: &Path, git_path: &str) {
    // A path that does not exist (no packed-refs yet) would make cargo rerun this every build.
    if let Some(p) = git(
        dir,
        &[
            "rev-parse",
            "--path-format=absolute",
            "--git-path",
            git_path,
        ],
    ) && Path::new(&p).exists()
    {
        println!("cargo:rerun-if-changed={p}");
    }
}

/// Runs git in `dir`; its trimmed output, or None when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}
