//! `key-in-deployment-file`: the key is not written literally in a deployment file.
//!
//! A key set with `ENV`/`ARG` in a Dockerfile is baked into the image, readable by anyone
//! who has it (`docker history`, `docker inspect`); one written in a workflow is in the
//! repository and not masked in the logs; one in a compose file, a Kubernetes manifest
//! (a Secret's `data:` is base64, not encryption; its `stringData:` and a ConfigMap
//! plain text) or a systemd unit (`Environment=` is
//! shown to every user by `systemctl show`) is exposed wherever the file goes, and in
//! git's history once committed. The definitions come from the `--from` files
//! (`input::deploy`); git is asked, bounded, whether each file is tracked.

use crate::checklist::security::key_file_in_git::{GitState, git_state};
use crate::context::Context;
use crate::input::deploy::{DeployFile, Kind};
use crate::input::exposure::KeyFile;
use crate::input::git::{Git, TIMEOUT};
use crate::input::loaders::Delivered;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::{Finding, Location, Severity};
use std::path::PathBuf;

crate::check! {
    /// The `key-in-deployment-file` check.
    KeyInDeploymentFile: "key-in-deployment-file", Security, "The key is not written in a Dockerfile, workflow, compose file, manifest or unit",
    codes: &[KEY_IN_DEPLOYMENT_FILE],
}

pub const KEY_IN_DEPLOYMENT_FILE: Code = Code::new(
    "key-in-deployment-file",
    &[Severity::Fail, Severity::Warn],
    "The key is written in a deployment file: fails for a Dockerfile (baked into the image), a workflow, or a file committed to git; else warns",
);

/// One literal definition: where, and in what kind of file.
struct Literal {
    kind: Kind,
    path: PathBuf,
    line: usize,
    reader: String,
    /// Another definition overrides it: the key is in the file, but not what is delivered.
    overridden: bool,
    /// How the key is exposed there, when the kind alone does not say it.
    exposure: Option<&'static str>,
}

fn literals(files: &[DeployFile]) -> Vec<Literal> {
    let mut out: Vec<Literal> = Vec::new();
    for f in files {
        let all = f.definitions.iter().map(|d| (d, false));
        for (d, overridden) in all.chain(f.overridden.iter().map(|d| (d, true))) {
            let written =
                matches!(&d.delivered, Delivered::Value(v) if !v.expose_bytes().is_empty());
            if d.literal && written && !out.iter().any(|l| l.path == d.path && l.line == d.line) {
                out.push(Literal {
                    kind: f.kind,
                    path: d.path.clone(),
                    line: d.line,
                    reader: d.reader.clone(),
                    overridden,
                    exposure: d.exposure,
                });
            }
        }
    }
    out
}

/// What the exposure is and its fix, per kind of file.
fn wording(kind: Kind, name: &str) -> (&'static str, String) {
    match kind {
        Kind::Dockerfile => (
            "the key is baked into the image: anyone who has the image reads it (`docker history`, `docker inspect`)",
            format!("Pass the key when the container starts (`docker run -e {name}` from a secret store, a compose or Kubernetes secret), never in the image; a build that needs it reads it with `RUN --mount=type=secret`. Then make a new key: the old one is in every copy of the image."),
        ),
        Kind::Workflow => (
            "the key is in the repository, readable by everyone who can read it, and GitHub does not mask it in the logs",
            format!("Store it as a repository or environment secret and write `{name}: ${{{{ secrets.{name} }}}}`; then ask for a new key: the old one is in the git history."),
        ),
        Kind::Compose => (
            "the key travels with the compose file",
            "Move it out of the compose file: an `env_file:` that git ignores, or compose `secrets:`, and `${VAR}` from the environment where compose runs.".into(),
        ),
        Kind::Kubernetes => (
            "the key is in the manifest",
            "Keep the key out of the manifests: create the Secret from a secret store (`kubectl create secret generic … --from-literal`, an external or sealed secret) and reference it with `valueFrom.secretKeyRef`.".into(),
        ),
        Kind::Systemd => (
            "`systemctl show` shows Environment= to every user of the machine",
            "Use `EnvironmentFile=` with a file only root can read (0600), or `LoadCredential=`, instead of `Environment=`.".into(),
        ),
    }
}

fn finding(l: &Literal, git: &GitState, name: &str) -> Finding {
    let (what, fix) = wording(l.kind, name);
    let what = match l.exposure {
        Some(how) => format!("{what} ({how})"),
        None => what.to_string(),
    };
    let tracked = matches!(git, GitState::Tracked { .. });
    let at = format!("{} line {}", l.path.display(), l.line);
    let msg = format!(
        "{name} is written in the {} {at} ({}{}): {what}{}",
        l.kind.name(),
        l.reader,
        if l.overridden {
            ", which another definition overrides: the key is still in the file"
        } else {
            ""
        },
        if tracked {
            "; the file is committed to git"
        } else {
            ""
        }
    );
    // An image or a workflow always exposes it; the other files when they are in git.
    let severity = if tracked || matches!(l.kind, Kind::Dockerfile | Kind::Workflow) {
        Severity::Fail
    } else {
        Severity::Warn
    };
    Finding::with_severity(KEY_IN_DEPLOYMENT_FILE, severity, msg)
        .with_fix(fix)
        .in_file(Location::line(l.path.display().to_string(), l.line))
}

impl KeyInDeploymentFile {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        if cx.key.deployments.is_empty() {
            return Err(Skipped("no deployment file was read (--from)".into()));
        }
        let found = literals(&cx.key.deployments);
        if found.is_empty() {
            return Ok(Outcome::pass(
                "No deployment file holds the key itself: they reference it",
            ));
        }
        let paths: Vec<PathBuf> = found.iter().map(|l| l.path.clone()).collect();
        // git is a child process: asked off the async workers.
        let states = tokio::task::spawn_blocking(move || {
            paths
                .into_iter()
                .map(|path| {
                    let f = KeyFile {
                        path,
                        what: "deployment file",
                    };
                    git_state(&Git::default(), &f, TIMEOUT)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let findings: Vec<Finding> = found
            .iter()
            .enumerate()
            .map(|(i, l)| {
                finding(
                    l,
                    states.get(i).unwrap_or(&GitState::NoGit),
                    &cx.key.env_name,
                )
            })
            .collect();
        let places: Vec<String> = found
            .iter()
            .map(|l| format!("{} line {}", l.path.display(), l.line))
            .collect();
        let places: Vec<&str> = places.iter().map(String::as_str).collect();
        let summary = format!(
            "The key is written in {}",
            crate::model::prose::join_names(&places)
        );
        Ok(Outcome::from_findings(summary, findings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(kind: Kind) -> Literal {
        Literal {
            kind,
            path: "deploy/file".into(),
            line: 3,
            reader: "reader".into(),
            overridden: false,
            exposure: None,
        }
    }

    /// Each place in a manifest says how it exposes the key: a Secret's `data:` (base64),
    /// its `stringData:` and a ConfigMap (plain text), a container's `env` value.
    #[test]
    fn manifest_wording_per_place() {
        use crate::input::deploy::{Env, read_all};
        use crate::input::files::Pipes;
        let dir = tempfile::tempdir().unwrap();
        let pod = |env: &str| {
            format!(
                "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n    - name: c\n      env:\n        - name: K\n{env}"
            )
        };
        let cases = [
            (
                "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  K: dmFsdWU=\n"
                    .to_string(),
                "(a Secret's data: is base64, not encryption)",
            ),
            (
                "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  K: value\n"
                    .to_string(),
                "(a Secret's stringData: is plain text)",
            ),
            (
                format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: m}}\ndata:\n  k: value\n{}",
                    pod("          valueFrom: {configMapKeyRef: {name: m, key: k}}\n")
                ),
                "(a ConfigMap is plain text, not meant for secrets)",
            ),
            (
                pod("          value: plain\n")
                    .trim_start_matches("---\n")
                    .to_string(),
                "(an env value is plain text in the pod spec)",
            ),
        ];
        for (i, (text, want)) in cases.iter().enumerate() {
            let path = dir.path().join(format!("m{i}.yaml"));
            std::fs::write(&path, text).unwrap();
            let env = Env {
                name: "K",
                vars: &[],
                home: None,
            };
            let files = read_all(&[path], &env, Pipes::Refuse).unwrap();
            let found = literals(&files);
            assert_eq!(found.len(), 1, "{text}");
            let f = finding(&found[0], &GitState::NoGit, "K");
            assert!(
                f.message
                    .ends_with(&format!("the key is in the manifest {want}")),
                "{}",
                f.message
            );
        }
    }

    #[test]
    fn severity_per_kind_and_git_state() {
        use crate::model::report::Severity::{Fail, Warn};
        let untracked = GitState::NotIgnored;
        let tracked = GitState::Tracked { ignored_too: false };
        let cases = [
            (Kind::Dockerfile, &untracked, Fail),
            (Kind::Workflow, &untracked, Fail),
            (Kind::Compose, &untracked, Warn),
            (Kind::Compose, &tracked, Fail),
            (Kind::Kubernetes, &tracked, Fail),
            (Kind::Systemd, &untracked, Warn),
        ];
        for (kind, git, want) in cases {
            let f = finding(&lit(kind), git, "SALESLAYER_API_KEY");
            assert_eq!(f.severity, want, "{kind:?} {git:?}");
            assert!(f.message.contains("deploy/file line 3"), "{}", f.message);
        }
    }
}
