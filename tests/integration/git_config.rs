//! A repository's own git configuration must not make sl-doctor run anything:
//! an extracted customer archive is enough to plant a `.git/config`. Each planted setting
//! runs a command that creates a marker file; plain git is run first to prove the plant
//! works, then every sl-doctor command that runs git (`check`, `fix`, `support`, `scan
//! --history`) must finish, still answer, and leave no marker.

use crate::common::{CANARY, sl_doctor};
use sl_doctor_checks::input::git::Git;
use sl_doctor_checks::testing_support::require_tool;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Runs setup git (the hardened runner, with an identity) and asserts it worked.
fn git(dir: &Path, args: &[&str]) -> String {
    let ident = ["-c", "user.name=t", "-c", "user.email=t@t.invalid"];
    let all: Vec<&str> = ident.iter().chain(args).copied().collect();
    let r = Git::default().run(dir, &all, Duration::from_secs(30), 1 << 20);
    match r {
        sl_doctor_checks::input::git::GitRun::Exited {
            code: Some(0),
            stdout,
        } => String::from_utf8_lossy(&stdout).trim().to_string(),
        other => panic!("git {args:?}: {other:?}"),
    }
}

/// An executable script that creates `markers/<name>` and fails.
#[cfg(unix)]
fn marker_script(path: &Path, markers: &Path, name: &str) {
    use std::os::unix::fs::PermissionsExt;
    let m = markers.join(name);
    std::fs::write(
        path,
        format!("#!/bin/sh\ntouch '{}'\nexit 1\n", m.display()),
    )
    .unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A repository with the key in an untracked `.env`, a commit that looks signed, a blob
/// missing as in a partial clone, and every setting that would run a program.
#[cfg(unix)]
fn planted_repository(root: &Path) -> (PathBuf, PathBuf) {
    let repo = root.join("repo");
    let markers = root.join("markers");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::create_dir_all(&markers).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join(".env"), format!("SALESLAYER_API_KEY={CANARY}\n")).unwrap();
    std::fs::write(repo.join("a.txt"), "hello\n").unwrap();
    std::fs::write(repo.join("b.txt"), "in a partial clone\n").unwrap();
    git(&repo, &["add", "a.txt", "b.txt"]);
    git(&repo, &["commit", "-qm", "one"]);
    // A commit with a signature header: showing it runs gpg.program.
    let tree = git(&repo, &["write-tree"]);
    let parent = git(&repo, &["rev-parse", "HEAD"]);
    let body = format!(
        "tree {tree}\nparent {parent}\nauthor t <t@t> 1700000000 +0000\ncommitter t <t@t> 1700000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n"
    );
    std::fs::write(root.join("commit.txt"), body).unwrap();
    let commit = git(
        &repo,
        &[
            "hash-object",
            "-t",
            "commit",
            "-w",
            root.join("commit.txt").to_str().unwrap(),
        ],
    );
    git(&repo, &["update-ref", "HEAD", &commit]);
    // A missing blob, promised by a remote: reading it fetches over ssh.
    let blob = git(&repo, &["rev-parse", "HEAD:b.txt"]);
    std::fs::remove_file(repo.join(".git/objects").join(&blob[..2]).join(&blob[2..])).unwrap();

    for name in ["gpg", "textconv", "diffcmd", "external", "clean", "smudge"] {
        marker_script(&root.join(format!("{name}.sh")), &markers, name);
    }
    let hooks = root.join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    for hook in [
        "post-index-change",
        "reference-transaction",
        "pre-commit",
        "post-checkout",
        "fsmonitor-watchman",
    ] {
        marker_script(&hooks.join(hook), &markers, &format!("hook-{hook}"));
        marker_script(
            &repo.join(".git/hooks").join(hook),
            &markers,
            &format!("hook-{hook}"),
        );
    }
    let m = |name: &str| format!("\"touch '{}'; false\"", markers.join(name).display());
    let s = |name: &str| root.join(format!("{name}.sh")).display().to_string();
    let config = format!(
        r#"
[core]
	repositoryformatversion = 1
	fsmonitor = {fsmonitor}
	hooksPath = {hooks}
	pager = {pager}
	sshCommand = {ssh}
	askPass = {askpass}
[extensions]
	partialClone = origin
[remote "origin"]
	url = ssh://example.invalid/repo
	promisor = true
[credential]
	helper = "!touch '{credential}'; false"
[log]
	showSignature = true
[gpg]
	program = {gpg}
[pager]
	log = {pager_log}
[diff]
	external = {external}
[diff "evil"]
	textconv = {textconv}
	command = {diffcmd}
[filter "evil"]
	clean = {clean}
	smudge = {smudge}
"#,
        fsmonitor = m("fsmonitor"),
        hooks = hooks.display(),
        pager = m("pager"),
        ssh = m("ssh"),
        askpass = m("askpass"),
        credential = markers.join("credential").display(),
        gpg = s("gpg"),
        pager_log = m("pager-log"),
        external = s("external"),
        textconv = s("textconv"),
        diffcmd = s("diffcmd"),
        clean = s("clean"),
        smudge = s("smudge"),
    );
    let path = repo.join(".git/config");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text = text.replace("repositoryformatversion = 0", "");
    text.push_str(&config);
    std::fs::write(&path, text).unwrap();
    std::fs::write(repo.join(".gitattributes"), "* diff=evil filter=evil\n").unwrap();
    (repo, markers)
}

fn markers_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
#[cfg(unix)]
fn a_planted_git_config_runs_nothing_in_any_command() {
    if !require_tool("git", &["--version"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (repo, markers) = planted_repository(tmp.path());

    // The plant works: plain git runs the fsmonitor hook, gpg and the ssh command.
    for args in [
        &["status"][..],
        &["log", "-1"],
        &["rev-list", "--objects", "--all"],
    ] {
        let _ = Command::new("git")
            .args(args)
            .current_dir(&repo)
            .output()
            .unwrap();
    }
    let planted = markers_in(&markers);
    for m in ["fsmonitor", "gpg", "ssh"] {
        assert!(
            planted.contains(&m.to_string()),
            "plain git ran {planted:?}"
        );
    }
    for m in planted {
        std::fs::remove_file(markers.join(m)).unwrap();
    }

    let runs: [(&str, &[&str]); 6] = [
        ("check", &["--offline"]),
        ("check json", &["--offline", "--format", "json"]),
        ("fix", &["fix", "--offline"]),
        ("support", &["support", "--offline", "--anyway"]),
        ("scan --history", &["scan", "--history"]),
        (
            "scan --history json",
            &["scan", "--history", "--format", "json"],
        ),
    ];
    for (what, args) in runs {
        let cmd = sl_doctor()
            .env("SALESLAYER_API_KEY", CANARY)
            .args(args)
            .current_dir(&repo);
        let (r, _d) = cmd.run_within(Duration::from_secs(60));
        assert!(
            (0..=3).contains(&r.code),
            "{what}: exit {}\n{}{}",
            r.code,
            r.stdout,
            r.stderr
        );
        assert_eq!(
            markers_in(&markers),
            Vec::<String>::new(),
            "{what} ran a program"
        );
        if what == "check json" {
            // git still answered: the untracked .env is not ignored.
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            let git_check = v["checklist"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|i| i["checks"].as_array().unwrap())
                .find(|c| c["id"] == "key-file-in-git")
                .unwrap()
                .clone();
            assert_eq!(git_check["status"], "warn", "{git_check}");
        }
        if what == "scan --history" {
            assert!(r.stdout.contains("partial clone"), "{}", r.stdout);
            assert!(r.stdout.contains("a.txt") || r.code == 1, "{}", r.stdout);
        }
    }
}

/// A bare repository inside a directory (`safe.bareRepository=explicit`): git refuses it,
/// so its config never runs, and the key file reads as outside any repository.
#[test]
#[cfg(unix)]
fn an_embedded_bare_repository_is_not_used() {
    if !require_tool("git", &["--version"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let bare = tmp.path().join("emb");
    let markers = tmp.path().join("markers");
    std::fs::create_dir_all(&markers).unwrap();
    git(tmp.path(), &["init", "-q", "--bare", "emb"]);
    let cfg = bare.join("config");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text = text.replace("bare = true", "bare = false");
    text.push_str(&format!(
        "[core]\n\tfsmonitor = \"touch '{}'; false\"\n\tworktree = {}\n",
        markers.join("fsmonitor").display(),
        tmp.path().display()
    ));
    std::fs::write(&cfg, text).unwrap();
    std::fs::write(bare.join(".env"), format!("SALESLAYER_API_KEY={CANARY}\n")).unwrap();
    let (r, _d) = sl_doctor()
        .args(["--offline", "--format", "json"])
        .current_dir(&bare)
        .run_within(Duration::from_secs(60));
    assert!((0..=3).contains(&r.code), "{}{}", r.stdout, r.stderr);
    assert_eq!(markers_in(&markers), Vec::<String>::new());
}

/// A config that makes git read a FIFO (`include.path`) hangs git, not sl-doctor: git is
/// killed at its timeout and the check says git did not answer.
#[test]
#[cfg(unix)]
fn a_config_that_blocks_git_is_bounded() {
    if !require_tool("git", &["--version"]) || !require_tool("mkfifo", &["--version"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    let fifo = tmp.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let cfg = repo.join(".git/config");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str(&format!("[include]\n\tpath = {}\n", fifo.display()));
    std::fs::write(&cfg, text).unwrap();
    std::fs::write(repo.join(".env"), format!("SALESLAYER_API_KEY={CANARY}\n")).unwrap();
    let start = std::time::Instant::now();
    let (r, _d) = sl_doctor()
        .args(["--offline", "--format", "json", "--deadline", "20"])
        .current_dir(&repo)
        .run_within(Duration::from_secs(60));
    assert!((0..=3).contains(&r.code), "{}{}", r.stdout, r.stderr);
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    assert!(
        r.stdout.contains("git did not answer in time"),
        "{}",
        r.stdout
    );
}
