//! `sl-doctor scan`: fixture trees built here, one per concern (places and encodings,
//! ignore files, binary files, symlink loops, unreadable and changing files, git
//! history), every output format, exit codes, and the canary in no output.

use crate::common::{CANARY, Run, assert_contains, assert_no_leak, sl_doctor, stable};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::path::Path;
use std::process::Command;

const TOKEN: &str = "[sl-key sha256:b45407a7e392]";

pub(crate) fn put(root: &Path, rel: &str, data: impl AsRef<[u8]>) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

/// Whether git runs here (`require_tool`: under CI a missing git fails the test).
pub(crate) fn has_git() -> bool {
    sl_doctor_checks::testing_support::require_tool("git", &["--version"])
}

pub(crate) fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t.invalid"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// Every output (stdout, stderr) is free of any 8-character piece of the canary.
fn no_leak(r: &Run) {
    assert_no_leak(CANARY, "stdout", &r.stdout);
    assert_no_leak(CANARY, "stderr", &r.stderr);
}

fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

/// The canary in each encoding, each in a typical leak place.
pub(crate) fn leaky_tree(root: &Path) -> Vec<(&'static str, &'static str, &'static str)> {
    let k = CANARY;
    let b64 = STANDARD.encode(format!("{k}\n"));
    let basic = URL_SAFE_NO_PAD.encode(format!("user:{k}"));
    put(
        root,
        "dist/assets/index.js",
        format!("var a=1;const k=\"{k}\";fetch(u)\n"),
    );
    put(
        root,
        "build/app.js.map",
        format!("{{\"sourcesContent\":[\"key='{k}'\"]}}\n"),
    );
    put(
        root,
        "logs/sync.log",
        "GET /ok 200\nGET /dam?key=SLDOCTORcanary7Qx9%2BZk%2F4mW2%3D 401\n",
    );
    put(root, "app.log", "key=SLDOCTORcanary7Qx9%2bZk/4mW2%3d\n");
    put(
        root,
        "notebooks/explore.ipynb",
        r#"{"cells":[{"source":["KEY = \"SLDOCTORcanary7Qx9+Zk\/4mW2=\""]}]}"#,
    );
    put(
        root,
        "docker-compose.prod.yml",
        format!("services:\n  app:\n    environment:\n      SECRET_B64: {b64}\n"),
    );
    put(
        root,
        ".github/workflows/sync.yml",
        format!("env:\n  AUTH: Basic {basic}\n"),
    );
    put(
        root,
        ".gitlab-ci.yml",
        format!("variables:\n  KEY: \"{k}\"\n"),
    );
    put(
        root,
        "src/settings.json",
        r#"{"apiKey": "SLDOCTORcanary7Qx9\u002BZk/4mW2="}"#,
    );
    // Issue 20's spellings: hex, HTML character references, double percent-encoding and
    // UTF-16 with a BOM (Windows PowerShell's `echo $env:KEY > key.txt`).
    put(
        root,
        "dump/key.hex",
        k.bytes().map(|b| format!("{b:02x}")).collect::<String>(),
    );
    put(
        root,
        "templates/error.html",
        format!(
            "<p>{}</p>\n",
            k.chars()
                .map(|c| format!("&#{};", c as u32))
                .collect::<String>()
        ),
    );
    put(
        root,
        "logs/proxy.log",
        "GET /dam?key=SLDOCTORcanary7Qx9%252BZk%252F4mW2%253D 401\n",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(format!("{k}\r\n").encode_utf16().flat_map(u16::to_le_bytes));
    put(root, "key.txt", utf16);
    put(
        root,
        "src/clean.py",
        "import os\nKEY = os.environ['SALESLAYER_API_KEY']\n",
    );
    vec![
        ("dist/assets/index.js", "plain", "frontend-bundle"),
        ("build/app.js.map", "plain", "frontend-bundle"),
        ("logs/sync.log", "url-encoded", "log"),
        ("app.log", "url-encoded", "log"),
        ("notebooks/explore.ipynb", "json-escaped", "notebook"),
        ("docker-compose.prod.yml", "base64", "container-config"),
        // The canary's base64 has no `+` or `/`, so URL-safe base64 is the same text.
        (".github/workflows/sync.yml", "base64", "ci-config"),
        (".gitlab-ci.yml", "plain", "ci-config"),
        ("src/settings.json", "json-escaped", "file"),
        ("dump/key.hex", "hex", "file"),
        ("templates/error.html", "html-references", "file"),
        ("logs/proxy.log", "double-url-encoded", "log"),
        ("key.txt", "utf-16", "file"),
    ]
}

pub(crate) fn scan_env() -> crate::common::SlDoctor {
    sl_doctor().env("SALESLAYER_API_KEY", CANARY)
}

#[test]
fn every_place_and_encoding_is_found_and_masked() {
    let cmd = scan_env();
    let want = leaky_tree(cmd.path());
    let (r, _d) = cmd.args(["scan", "--format", "json"]).run();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    no_leak(&r);
    let v = json(&r);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["verdict"], "found");
    assert_eq!(v["key"]["fingerprint"], "sha256:b45407a7e392");
    let findings = v["findings"].as_array().unwrap();
    for (path, enc, place) in &want {
        let f = findings
            .iter()
            .find(|f| f["path"] == *path)
            .unwrap_or_else(|| panic!("{path} not found in {findings:#?}"));
        assert_eq!(f["encoding"], *enc, "{path}");
        assert_eq!(f["place"]["id"], *place, "{path}");
        assert!(
            f["excerpt"].as_str().unwrap().contains(TOKEN),
            "{path}: {f}"
        );
    }
    assert_eq!(findings.len(), want.len(), "{findings:#?}");
    // Line and column (code points) of a match on line 2.
    let log = findings
        .iter()
        .find(|f| f["path"] == "logs/sync.log")
        .unwrap();
    assert_eq!(
        (log["line"].as_u64(), log["column"].as_u64()),
        (Some(2), Some(14))
    );
    assert_eq!(log["excerpt"], format!("GET /dam?key={TOKEN} 401"));
    assert!(!r.stdout.contains("clean.py"));
    assert!(!v["remediation"].as_array().unwrap().is_empty());
}

#[test]
fn human_output_snapshot_and_no_leak_in_any_format() {
    for format in ["human", "json", "sarif"] {
        let cmd = scan_env();
        leaky_tree(cmd.path());
        let (r, d) = cmd
            .args(["scan", "--color", "never", "--format", format])
            .run();
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        no_leak(&r);
        if format == "human" {
            let text = stable(&r.stdout, d.path());
            insta::with_settings!({filters => vec![(r"in \d+\.\d\d s", "in [time]"), (r"\(\d+ B\)", "([size])")]}, {
                insta::assert_snapshot!("scan_human", text);
            });
        }
    }
}

#[test]
fn not_found_is_exit_0_and_no_key_is_exit_2() {
    let cmd = scan_env();
    put(cmd.path(), "src/a.js", "const k = process.env.KEY;\n");
    let (r, _d) = cmd.args(["scan"]).run();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_contains(&r.stdout, "The key was not found");

    let (r, _d) = sl_doctor().args(["scan"]).run();
    assert_eq!(r.code, 2);
    assert_contains(&r.stderr, "no key configured");

    let (r, _d) = scan_env().args(["scan", "no/such/dir"]).run();
    assert_eq!(r.code, 2);
    assert_contains(&r.stderr, "no such file or directory");

    // A key too short to search for, or a placeholder, is refused.
    for (key, why) in [("abc", "too short"), ("YOUR_API_KEY", "placeholder")] {
        let (r, _d) = sl_doctor()
            .env("SALESLAYER_API_KEY", key)
            .args(["scan"])
            .run();
        assert_eq!(r.code, 2, "{key}");
        assert_contains(&r.stderr, why);
    }

    let (r, _d) = scan_env().args(["scan", "--max-filesize", "lots"]).run();
    assert_eq!(r.code, 2);
}

#[test]
fn key_sources_are_those_of_check() {
    // Key file with a trailing newline: the cleaned value is searched, and said so.
    let cmd = sl_doctor();
    cmd.file("sl.key", format!("{CANARY}\n"));
    put(cmd.path(), "src/a.js", format!("k='{CANARY}'"));
    let (r, _d) = cmd
        .args(["scan", "--key-file", "sl.key", "src", "--format", "json"])
        .run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    no_leak(&r);
    let v = json(&r);
    assert_eq!(v["key"]["source"]["kind"], "file");
    assert_eq!(v["key"]["searched_fingerprint"], "sha256:b45407a7e392");
    assert_contains(&r.stdout, "cleaned value");

    // Standard input, and .env.
    let (r, _d) = sl_doctor()
        .stdin(CANARY)
        .args(["scan", "--key-stdin"])
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let cmd = sl_doctor();
    cmd.file(".env", format!("SALESLAYER_API_KEY={CANARY}\n"));
    let (r, _d) = cmd.args(["scan", "--format", "json"]).run();
    // No git repository: the .env itself is reported, as it is not ignored.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(json(&r)["findings"][0]["place"]["id"], "env-file");
}

#[test]
fn ignore_files_are_honoured_unless_no_ignore() {
    let cmd = scan_env();
    let root = cmd.path().to_path_buf();
    put(&root, ".ignore", "generated/\n");
    put(&root, "generated/out.js", format!("k='{CANARY}'"));
    put(&root, "src/ok.js", "nothing here\n");
    let git = has_git();
    if git {
        git_init(&root);
        put(&root, ".gitignore", "*.secret\n");
        put(&root, "local.secret", CANARY);
    }
    let (r, _d) = cmd.args(["scan", "--format", "json"]).run();
    assert_eq!(r.code, 0, "{}", r.stdout);
    let ignored = if git { 2 } else { 1 };
    assert_eq!(json(&r)["stats"]["ignored_skipped"], ignored);
    // "Not found" says what was left out, and how to search it.
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", CANARY)
        .args(["scan", "--color", "never"])
        .args([&root])
        .run();
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_contains(&r.stdout, "✔ The key was not found");
    assert_contains(
        &r.stdout,
        &format!(
            "{ignored} file{} not searched: .gitignore, .ignore or git excludes leave",
            if git { "s" } else { "" }
        ),
    );
    assert_contains(&r.stdout, "--no-ignore searches");
    no_leak(&r);
    let (r, _d) = sl_doctor()
        .env("SALESLAYER_API_KEY", CANARY)
        .args(["scan", "--no-ignore", "--format", "json"])
        .args([&root])
        .run();
    assert_eq!(r.code, 1);
    let n = json(&r)["findings"].as_array().unwrap().len();
    assert_eq!(n, if git { 2 } else { 1 });
}

pub(crate) fn git_init(root: &Path) {
    git(root, &["init", "-q"]);
}

/// Writes a file and commits it.
pub(crate) fn commit_file(root: &Path, rel: &str, data: impl AsRef<[u8]>, message: &str) {
    put(root, rel, data);
    git(root, &["add", rel]);
    git(root, &["commit", "-qm", message]);
}

#[test]
fn binary_files_are_skipped_unless_binary() {
    let cmd = scan_env();
    let mut data = b"\x7fELF\x00\x01\x02".to_vec();
    data.extend_from_slice(CANARY.as_bytes());
    put(cmd.path(), "bin/app", &data);
    let root = cmd.path().to_path_buf();
    let (r, _d) = cmd.args(["scan", "--format", "json"]).run();
    assert_eq!(r.code, 0);
    assert_eq!(json(&r)["stats"]["binary_skipped"], 1);
    let (r, _d) = scan_env()
        .args(["scan", "--binary", "--format", "json"])
        .args([&root])
        .run();
    assert_eq!(r.code, 1);
    no_leak(&r);
}

#[test]
fn large_files_are_skipped_and_counted() {
    let cmd = scan_env();
    let mut big = vec![b'a'; 10_000];
    big.extend_from_slice(CANARY.as_bytes());
    put(cmd.path(), "big.txt", &big);
    let (r, _d) = cmd
        .args(["scan", "--max-filesize", "4K", "--format", "json"])
        .run();
    assert_eq!(r.code, 0);
    assert_eq!(json(&r)["stats"]["large_skipped"], 1);
}

#[test]
fn key_across_chunk_boundaries_and_many_per_line() {
    let cmd = scan_env();
    // The key straddles the 256 KiB read boundary.
    let mut data = vec![b'x'; 256 * 1024 - 10];
    data.extend_from_slice(CANARY.as_bytes());
    data.extend_from_slice(b" and again ");
    data.extend_from_slice(CANARY.as_bytes());
    data.push(b'\n');
    put(cmd.path(), "minified.js", &data);
    let (r, _d) = cmd.args(["scan", "--format", "json"]).run();
    assert_eq!(r.code, 1);
    no_leak(&r);
    let v = json(&r);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 2);
    assert_eq!(f[0]["column"], 256 * 1024 - 10 + 1);
    assert!(f[0]["excerpt"].as_str().unwrap().starts_with('…'));
}

#[cfg(unix)]
#[test]
fn symlink_loop_unreadable_special_and_changing_files_do_not_crash() {
    use std::os::unix::fs::PermissionsExt;
    let cmd = scan_env();
    let root = cmd.path().to_path_buf();
    put(&root, "a/b/file.txt", "nothing\n");
    std::os::unix::fs::symlink("..", root.join("a/b/loop")).unwrap();
    std::os::unix::fs::symlink("missing-target", root.join("a/dangling")).unwrap();
    put(&root, "locked.txt", CANARY);
    std::fs::set_permissions(
        root.join("locked.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let fifo = root.join("pipe");
    let made_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());

    // Following links: the loop is reported, not followed forever.
    let (r, _d) = cmd.args(["scan", "-L", "--format", "json"]).run();
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    no_leak(&r);
    let v = json(&r);
    let notes = v["notes"].to_string();
    assert!(notes.contains("loop"), "{notes}");
    // root can read a mode-000 file; anyone else gets a note.
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if !root_user {
        assert!(notes.contains("locked.txt"), "{notes}");
    }

    // A FIFO and /proc files given explicitly: skipped, or read with a note; no hang.
    // /proc/self/mem cannot be read at offset 0, not even by root.
    let mut args: Vec<std::path::PathBuf> = vec!["/proc/self/status".into()];
    let proc_mem = Path::new("/proc/self/mem").exists();
    if proc_mem {
        args.push("/proc/self/mem".into());
    }
    if made_fifo {
        args.push(fifo.clone());
    }
    let (r, _d) = scan_env()
        .args(["scan", "--format", "json"])
        .args(&args)
        .run();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let notes = json(&r)["notes"].to_string();
    if Path::new("/proc/self/status").exists() {
        // stat says 0 bytes, reading gives more: a file that changed size while read.
        assert!(notes.contains("changed size while being read"), "{notes}");
    }
    if made_fifo {
        assert!(notes.contains("not a regular file"), "{notes}");
    }
    if proc_mem {
        assert!(notes.contains("read error"), "{notes}");
        assert_eq!(json(&r)["stats"]["errors"], 1, "{}", r.stdout);
    }
}

#[test]
fn a_scan_whose_every_named_file_was_skipped_is_an_input_error() {
    let cmd = scan_env();
    let root = cmd.path().to_path_buf();
    put(&root, "big.txt", format!("{CANARY}\n"));
    let fifo = root.join("pipe");
    let made_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let mut cases: Vec<(Vec<String>, &str)> = vec![(
        vec![
            "--max-filesize".into(),
            "1".into(),
            root.join("big.txt").display().to_string(),
        ],
        "1 over --max-filesize",
    )];
    if made_fifo {
        cases.push((
            vec![fifo.display().to_string()],
            "pipe: not a regular file: skipped",
        ));
    }
    for (args, why) in cases {
        for format in ["human", "json", "sarif"] {
            let (r, _d) = scan_env()
                .args(["scan", "--format", format])
                .args(&args)
                .run();
            assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
            assert!(
                r.stdout.is_empty() && !r.stdout.contains('✔'),
                "{}",
                r.stdout
            );
            assert_contains(
                &r.stderr,
                "nothing was searched: every path given was skipped",
            );
            assert_contains(&r.stderr, why);
            no_leak(&r);
        }
    }
    // The FIFO beside a file that was searched: a search happened, the note says the rest.
    if made_fifo {
        let (r, _d) = scan_env()
            .args(["scan"])
            .args([&fifo, &root.join("big.txt")])
            .run();
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        no_leak(&r);
    }
}

#[test]
fn a_file_growing_during_the_scan_does_not_crash() {
    let cmd = scan_env();
    let root = cmd.path().to_path_buf();
    put(&root, "growing.log", "start\n");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let p = root.join("growing.log");
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().append(true).open(p).unwrap();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = f.write_all(&[b'z'; 64 * 1024]);
            }
        })
    };
    for _ in 0..3 {
        let (r, _d) = scan_env()
            .args(["scan", "--max-filesize", "8M", "--format", "json"])
            .args([&root])
            .run();
        assert!(r.code == 0, "{}{}", r.stdout, r.stderr);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
}

#[test]
fn history_finds_the_commit_of_a_key_that_is_gone_now() {
    if !has_git() {
        return;
    }
    let cmd = scan_env();
    let root = cmd.path().to_path_buf();
    git_init(&root);
    commit_file(&root, "README.md", "hello\n", "first");
    let settings = format!("API_KEY = \"{CANARY}\"\n");
    commit_file(&root, "config/settings.py", settings, "add settings");
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&root)
        .output()
        .unwrap();
    let leak_commit = String::from_utf8(out.stdout).unwrap().trim().to_string();
    std::fs::remove_file(root.join("config/settings.py")).unwrap();
    git(&root, &["commit", "-qam", "remove settings"]);

    // The working tree is clean now.
    let (r, _d) = scan_env().args(["scan"]).args([&root]).run();
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_contains(&r.stdout, "--history");

    for format in ["json", "human", "sarif"] {
        let (r, _d) = scan_env()
            .args(["scan", "--history", "--color", "never", "--format", format])
            .args([&root])
            .run();
        assert_eq!(r.code, 1, "{format}: {}{}", r.stdout, r.stderr);
        no_leak(&r);
        match format {
            "json" => {
                let v = json(&r);
                let f = &v["findings"][0];
                assert_eq!(f["location"], "history");
                assert_eq!(f["commit"], leak_commit.as_str());
                assert_eq!(f["path"], "config/settings.py");
                assert_eq!(f["in_head"], false);
                assert_eq!(
                    (f["line"].as_u64(), f["column"].as_u64()),
                    (Some(1), Some(12))
                );
                assert_eq!(v["history"]["first"]["commit"], leak_commit.as_str());
            }
            "human" => {
                assert_contains(&r.stdout, &leak_commit[..12]);
                assert_contains(&r.stdout, "no longer in HEAD");
            }
            _ => {
                let v = json(&r);
                assert_eq!(
                    v["runs"][0]["results"][0]["ruleId"],
                    "sl-doctor/key-in-git-history"
                );
            }
        }
    }

    // Outside a repository, --history says so and still scans the files.
    let (r, _d) = scan_env().args(["scan", "--history"]).run();
    assert_eq!(r.code, 0);
    assert_contains(&r.stdout, "not inside a git repository");
}

/// A repository can name a file with control characters, a line break and a workflow
/// command (also the legacy `##[` form mid-line), and put bidi controls in its lines:
/// scan shows them as visible escapes in every format.
#[test]
#[cfg(unix)]
fn hostile_file_names_and_lines_are_shown_not_obeyed() {
    use sl_doctor_checks::testing_support::{OutputRules, assert_output_safe};
    for format in ["human", "json", "sarif"] {
        let cmd = scan_env();
        put(
            cmd.path(),
            "a\u{1b}]0;owned\u{7}\n::error::x.txt",
            format!("\u{202e}key={CANARY}\u{1b}[2K\n"),
        );
        // The legacy workflow command mid-line, in a file name and in the line around a match.
        put(
            cmd.path(),
            "b ##[stop-commands]t0ken.txt",
            format!("x ##[add-mask]y key={CANARY}\n"),
        );
        let (r, _d) = cmd.args(["scan", "--format", format]).run();
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        let rules = OutputRules {
            log: true,
            ..Default::default()
        };
        assert_output_safe(CANARY, format, &r.stdout, rules);
        assert_output_safe(CANARY, "stderr", &r.stderr, rules);
    }
}

/// `scan -L` on a chain of directories each linked twice from the one above (2^24 paths,
/// no loop): each directory is searched once, and the run ends at once.
#[cfg(unix)]
#[test]
fn follow_visits_each_directory_once_on_a_doubly_linked_chain() {
    let cmd = scan_env();
    let root = cmd.path().to_path_buf();
    let levels = 24;
    for n in 0..levels {
        let dir = root.join(format!("d{n}"));
        std::fs::create_dir(&dir).unwrap();
        put(&dir, "file.txt", "nothing here\n");
        if n > 0 {
            let above = root.join(format!("d{}", n - 1));
            for link in ["left", "right"] {
                std::os::unix::fs::symlink(&dir, above.join(link)).unwrap();
            }
        }
    }
    put(&root, &format!("d{}/key.txt", levels - 1), CANARY);
    let started = std::time::Instant::now();
    let (r, _d) = cmd
        .args(["scan", "-L", "--format", "json", "d0"])
        .run_within(std::time::Duration::from_secs(60));
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(r.code, 1, "the key is found: {}{}", r.stdout, r.stderr);
    no_leak(&r);
    let v = json(&r);
    assert_eq!(
        v["stats"]["files"],
        levels + 1,
        "each file once: {}",
        r.stdout
    );
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{}", r.stdout);
    let notes = v["notes"].as_array().unwrap();
    assert_eq!(
        notes.len(),
        1,
        "one note for every second link: {}",
        r.stdout
    );
    let note = notes[0]["message"].as_str().unwrap();
    assert!(
        note.ends_with(&format!("(and {} more such links)", levels - 2)),
        "{note}"
    );
}

/// `scan -L` never follows a link into /proc, /sys or /dev (`/proc/kmsg` blocks on read),
/// nor opens a FIFO, device or socket a link points to.
#[cfg(unix)]
#[test]
fn follow_skips_links_to_special_files_and_kernel_trees() {
    let cmd = scan_env();
    let root = cmd.path().to_path_buf();
    put(&root, "plain.txt", "nothing\n");
    let links = [
        ("kmsg", "/proc/kmsg"),
        ("proc", "/proc/self"),
        ("sys", "/sys"),
        ("zero", "/dev/zero"),
        ("dev", "/dev"),
    ];
    for (name, target) in links {
        std::os::unix::fs::symlink(target, root.join(name)).unwrap();
    }
    let fifo = root.join("pipe");
    let made_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if made_fifo {
        std::os::unix::fs::symlink(&fifo, root.join("to-pipe")).unwrap();
    }
    let mut args: Vec<String> = ["kmsg", "proc", "sys", "zero", "dev"]
        .map(String::from)
        .to_vec();
    if made_fifo {
        args.push("to-pipe".into());
    }
    let (r, _d) = cmd
        .args(["scan", "-L", "--format", "json"])
        .args(&args)
        .run_within(std::time::Duration::from_secs(30));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let notes = json(&r)["notes"].to_string();
    for (name, target) in links {
        if Path::new(target).exists() {
            assert!(notes.contains(&format!("\"{name}\"")), "{name}: {notes}");
        }
    }
    assert!(notes.contains("leads into /proc"), "{notes}");
    if made_fifo {
        assert!(notes.contains("not a regular file"), "{notes}");
    }

    // A link whose name is an attack (a line break, workflow commands, markup), into
    // /proc: the note names it neutralised in every scan format.
    let evil = "x\n::error::pwn ##[add-mask]y [l](javascript:x) \u{202e}z";
    let planted = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/proc/self", planted.path().join(evil)).unwrap();
    let dir = planted.path().to_path_buf();
    for format in ["human", "json", "sarif"] {
        let (r, _d) = scan_env()
            .current_dir(&dir)
            .args(["scan", "-L", "--format", format])
            .run_within(std::time::Duration::from_secs(30));
        assert_eq!(r.code, 0, "{format}: {}{}", r.stdout, r.stderr);
        let rules = sl_doctor_checks::testing_support::OutputRules {
            log: true,
            ..Default::default()
        };
        for (what, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
            sl_doctor_checks::testing_support::assert_output_safe(
                CANARY,
                &format!("{format} {what}"),
                text,
                rules,
            );
        }
        if format != "sarif" {
            assert!(
                r.stdout.contains("leads into /proc"),
                "{format}: {}",
                r.stdout
            );
        }
    }
}

/// The steps fit what was found: a key only in `.env` files is where it belongs (keep them
/// private), anywhere else it is removed and rotated; `--history` is suggested only when
/// it was not already run.
#[test]
fn remediation_fits_the_places_found() {
    let steps = |files: &[(&str, String)], args: &[&str]| -> Vec<String> {
        let cmd = scan_env();
        for (rel, data) in files {
            put(cmd.path(), rel, data);
        }
        let (r, _d) = cmd.args(["scan", "--format", "json"]).args(args).run();
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        no_leak(&r);
        json(&r)["remediation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let env_line = format!("SALESLAYER_API_KEY={CANARY}\n");
    let only_env = steps(&[(".env", env_line.clone())], &[]);
    assert!(only_env[0].contains("place for the key"), "{only_env:#?}");
    assert!(only_env[1].starts_with("Rotate the key") && only_env[1].contains(" if "));
    assert!(!only_env.iter().any(|s| s.contains("Remove the key")));
    assert!(
        only_env
            .last()
            .unwrap()
            .contains("`sl-doctor scan --history`")
    );

    let script = format!("curl -H 'X-API-KEY: {CANARY}' https://api2.saleslayer.com\n");
    let mixed = steps(&[(".env", env_line), ("sync.sh", script)], &[]);
    assert!(
        mixed[0].starts_with(
            "Remove the key from every file listed except the environment files (.env…)"
        ),
        "{mixed:#?}"
    );
    assert!(mixed[1].contains("must be treated as exposed"));

    if has_git() {
        let cmd = scan_env();
        git_init(cmd.path());
        put(cmd.path(), "sync.sh", format!("KEY={CANARY}\n"));
        let (r, _d) = cmd.args(["scan", "--history", "--format", "json"]).run();
        no_leak(&r);
        let v = json(&r);
        let steps = v["remediation"].as_array().unwrap();
        assert!(
            !steps
                .iter()
                .any(|s| s.as_str().unwrap().contains("`sl-doctor scan --history`")),
            "{steps:#?}"
        );
    }
}
