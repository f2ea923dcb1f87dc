//! The linker script release builds pass to the linker on Linux (`link/hot-path.ld`, written by
//! `bench/hot-path.sh`, passed by `build.rs`): every line is a section pattern, and both linkers
//! a Linux release meets (rust-lld, GNU ld) link a program with it and put a function it names
//! into `.text.hot_path`. No release build runs in CI; this is what keeps the script linkable.

use sl_doctor_checks::testing_support::{require_tool, scratch_dir};
use std::path::{Path, PathBuf};
use std::process::Command;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("link/hot-path.ld")
}

/// The lines inside `.text.hot_path : { … }`.
fn section_lines(text: &str) -> Vec<&str> {
    let body: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("SECTIONS"))
        .collect();
    assert_eq!(body[..2], ["SECTIONS {", "  .text.hot_path : {"]);
    assert_eq!(body[body.len() - 3..], ["  }", "}", "INSERT BEFORE .text;"]);
    body[2..body.len() - 3].to_vec()
}

#[test]
fn every_line_names_one_function_section() {
    let text = std::fs::read_to_string(script()).expect("link/hot-path.ld");
    let lines = section_lines(&text);
    assert!(lines.len() > 100, "{} lines", lines.len());
    let mut seen = std::collections::HashSet::new();
    for l in &lines {
        let symbol = l
            .strip_prefix("    *(.text.*")
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or_else(|| panic!("not a section pattern: {l}"));
        // A mangled Rust symbol (legacy `_ZN`, v0 `_R`), with `*` for what changes per build.
        assert!(symbol.starts_with("_ZN") || symbol.starts_with("_R"), "{l}");
        assert!(
            symbol
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_$.*".contains(&b)),
            "{l}"
        );
        assert!(seen.insert(symbol), "twice: {l}");
    }
}

#[test]
fn both_linux_linkers_link_with_it_and_place_what_it_names() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return;
    }
    if !require_tool("rustc", &["--version"]) {
        return;
    }
    // A crate named sl_doctor: its `main` is `sl_doctor::main`, which the script places.
    let text = std::fs::read_to_string(script()).expect("link/hot-path.ld");
    assert!(
        text.contains("*(.text.*_ZN9sl_doctor4main17h*)"),
        "the script no longer names sl_doctor::main: run bench/hot-path.sh"
    );
    let dir = scratch_dir().join("hot-path");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("main.rs");
    std::fs::write(&src, "fn main() { println!(\"linked\"); }\n").unwrap();
    let script_arg = format!("link-arg={}", script().display());
    for (linker, flags) in [
        ("rust-lld", &[][..]),
        ("GNU ld", &["-C", "linker-features=-lld"][..]),
    ] {
        let out = dir.join(linker.replace(' ', "-"));
        let built = Command::new("rustc")
            .args(["--crate-name", "sl_doctor", "--edition", "2021"])
            .args(["-C", "link-arg=-T", "-C", &script_arg])
            .args(flags)
            .arg("-o")
            .arg(&out)
            .arg(&src)
            .output()
            .expect("rustc runs");
        assert!(
            built.status.success(),
            "{linker}: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        let ran = Command::new(&out).output().expect("the program runs");
        assert_eq!(String::from_utf8_lossy(&ran.stdout), "linked\n", "{linker}");
        // The section's name is in the section header string table only when it holds code.
        let binary = std::fs::read(&out).unwrap();
        assert!(
            binary.windows(15).any(|w| w == b".text.hot_path\0"),
            "{linker}: no .text.hot_path section"
        );
    }
}
