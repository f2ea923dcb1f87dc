//! Deployment files (`--from PATH`): what each deployment delivers as the key, read from
//! the file as it is — docker compose files, Kubernetes manifests, systemd units,
//! Dockerfiles and GitHub Actions workflows. Each definition of the key (`--key-env`)
//! becomes a key source and a reading (`readers-agree` compares them), and a key written
//! literally in such a file is an exposure (`key-in-deployment-file`).
//!
//! The kind is recognised from the name, then from the content ([`recognise`]). Files are
//! read bounded and without blocking (`input::files`); the YAML ones through the capped
//! tree of `input::yaml`. Nothing here runs a tool or expands anything from outside the
//! files but the variables compose itself would interpolate (the process environment,
//! then the `.env` beside the compose file). What each reader does, and how it was
//! verified, is in `docs/deploy.md`.

mod compose;
mod dockerfile;
mod kube;
mod systemd;
mod workflow;

use crate::input::dotenv::DotenvFile;
use crate::input::files::{Pipes, read_input};
use crate::input::loaders::{Delivered, Loader, deliver};
use crate::input::sources::{InputError, MAX_DOTENV_FILE, display_path};
use crate::model::untrusted::neutralise;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Largest deployment file read.
pub const MAX_DEPLOY_FILE: u64 = 1024 * 1024;

/// The kinds of deployment file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A docker compose file.
    Compose,
    /// Kubernetes manifests.
    Kubernetes,
    /// A systemd unit.
    Systemd,
    /// A Dockerfile (or Containerfile).
    Dockerfile,
    /// A GitHub Actions workflow.
    Workflow,
}

impl Kind {
    /// How the kind is named in messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Compose => "compose file",
            Kind::Kubernetes => "Kubernetes manifest",
            Kind::Systemd => "systemd unit",
            Kind::Dockerfile => "Dockerfile",
            Kind::Workflow => "GitHub Actions workflow",
        }
    }
}

/// One definition of the key in a deployment.
#[derive(Debug, Clone)]
pub struct Definition {
    /// Who delivers it: `docker compose (service api, environment)`.
    pub reader: String,
    /// The file that holds the value: the deployment file, or a file it reads
    /// (`env_file:`, `EnvironmentFile=`), as given.
    pub path: PathBuf,
    /// 1-based line of the value in that file.
    pub line: usize,
    /// What the deployment delivers.
    pub delivered: Delivered,
    /// The key is written in the deployment file itself (not a reference to a secret,
    /// a variable or another file).
    pub literal: bool,
    /// Why the running program does not get this value, when it does not (a Dockerfile
    /// `ARG` beside an `ENV`, a job's `env:` every step overrides): it is still written
    /// in the file (an exposure), but it is no reading and no key source.
    pub shadowed: Option<String>,
    /// The variable the whole value is interpolated from, when it comes from the
    /// environment compose runs in (`- NAME`, `${VAR}`): that variable is where the
    /// value is, and where a defect in it is fixed.
    pub from_env: Option<String>,
    /// How a key written here is exposed, when the kind of file does not say it alone
    /// (a Secret's `data:` or `stringData:`, a ConfigMap).
    pub exposure: Option<&'static str>,
}

impl Definition {
    /// A definition the deployment delivers, read from `path` line `line`.
    pub fn new(
        reader: String,
        path: PathBuf,
        line: usize,
        delivered: Delivered,
        literal: bool,
    ) -> Definition {
        Definition {
            reader,
            path,
            line,
            delivered,
            literal,
            shadowed: None,
            from_env: None,
            exposure: None,
        }
    }
}

/// A deployment file that was read.
#[derive(Debug, Clone)]
pub struct DeployFile {
    /// Its kind.
    pub kind: Kind,
    /// The path, as given.
    pub path: PathBuf,
    /// Every definition of the key, in file order.
    pub definitions: Vec<Definition>,
    /// Definitions another one overrides (systemd's `Environment=` under an
    /// `EnvironmentFile=`): they deliver nothing, but a key written in one is still in
    /// the file (`key-in-deployment-file`).
    pub overridden: Vec<Definition>,
    /// The `.env`-style files it reads with a known reader (compose `env_file:`, systemd
    /// `EnvironmentFile=`): their loader is no longer a question.
    pub env_files: Vec<PathBuf>,
}

/// What the readers need besides the file: the key's name, the process environment
/// (compose interpolates from it) and the home directory (for the paths shown).
pub struct Env<'a> {
    /// The variable that holds the key (`--key-env`).
    pub name: &'a str,
    /// The process environment.
    pub vars: &'a [(OsString, OsString)],
    /// The home directory, shown as `~`.
    pub home: Option<&'a Path>,
}

impl Env<'_> {
    /// A variable of the process environment, when set and UTF-8.
    pub fn var(&self, name: &str) -> Option<String> {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.to_str().map(str::to_string))
    }

    /// Reads a `.env`-style file a deployment names and returns what `loader` delivers
    /// from the key's definition in it: `Ok(None)` when it does not define the key.
    fn env_file(
        &self,
        path: &Path,
        loader: Loader,
    ) -> Result<Option<(usize, Delivered)>, InputError> {
        let bytes = read_input(".env file", path, MAX_DOTENV_FILE, self.home, Pipes::Refuse)?;
        let file = DotenvFile::parse(display_path(path, self.home), &bytes);
        Ok(file
            .effective(self.name)
            .map(|e| (e.line, deliver(loader, e))))
    }
}

/// The kind of a deployment file, from its name, then its content; `None` when it is
/// none of them.
pub fn recognise(path: &Path, text: &str) -> Option<Kind> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let in_workflows = path
        .to_string_lossy()
        .replace('\\', "/")
        .contains(".github/workflows/");
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    if name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
    {
        return Some(Kind::Dockerfile);
    }
    if name.ends_with(".service") || text.lines().any(|l| l.trim() == "[Service]") {
        return Some(Kind::Systemd);
    }
    if in_workflows && yaml {
        return Some(Kind::Workflow);
    }
    let starts = |key: &str| text.lines().any(|l| l.starts_with(key));
    if name.starts_with("compose.") || name.starts_with("docker-compose") || starts("services:") {
        return Some(Kind::Compose);
    }
    if starts("jobs:") && (starts("on:") || starts("\"on\":") || starts("'on':")) {
        return Some(Kind::Workflow);
    }
    if starts("apiVersion:") || starts("kind:") {
        return Some(Kind::Kubernetes);
    }
    None
}

/// Reads the deployment files (`--from PATH`…): the definitions of the key in each.
/// Kubernetes references resolve against the Secrets and ConfigMaps of every file given.
pub fn read_all(
    paths: &[PathBuf],
    env: &Env,
    explicit: Pipes,
) -> Result<Vec<DeployFile>, InputError> {
    let mut loaded = Vec::new();
    let mut store = kube::Store::default();
    for path in paths {
        let bytes = read_input("deployment file", path, MAX_DEPLOY_FILE, env.home, explicit)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let kind = recognise(path, &text).ok_or_else(|| InputError::NotDeployment {
            path: display_path(path, env.home),
        })?;
        if kind == Kind::Kubernetes {
            store
                .add(path, &text)
                .map_err(|e| unparsable(path, env, e))?;
        }
        loaded.push((path, kind, text));
    }
    loaded
        .into_iter()
        .map(|(path, kind, text)| read_one(path, kind, &text, env, &store))
        .collect()
}

fn unparsable(path: &Path, env: &Env, e: crate::input::yaml::YamlError) -> InputError {
    InputError::Unparsable {
        path: display_path(path, env.home),
        reason: e.to_string(),
    }
}

/// The definitions of the key in one deployment file.
fn read_one(
    path: &Path,
    kind: Kind,
    text: &str,
    env: &Env,
    store: &kube::Store,
) -> Result<DeployFile, InputError> {
    let mut file = DeployFile {
        kind,
        path: path.to_path_buf(),
        definitions: Vec::new(),
        overridden: Vec::new(),
        env_files: Vec::new(),
    };
    let syntax = |e| unparsable(path, env, e);
    match kind {
        Kind::Compose => compose::read(&mut file, text, env).map_err(syntax)??,
        Kind::Kubernetes => kube::read(&mut file, text, env, store).map_err(syntax)?,
        Kind::Workflow => workflow::read(&mut file, text, env).map_err(syntax)?,
        Kind::Systemd => systemd::read(&mut file, text, env)?,
        Kind::Dockerfile => dockerfile::read(&mut file, text, env),
    }
    // Names and reasons quote the file (service, container, job names): text from
    // outside, neutralised where it enters (a name may hold a line break, and the
    // curl script prints the reader in a comment).
    for d in file.definitions.iter_mut().chain(&mut file.overridden) {
        d.reader = neutralise(&d.reader, 200);
        if let Delivered::Nothing(why) | Delivered::Unknown(why) = &mut d.delivered {
            *why = neutralise(why, 300);
        }
    }
    Ok(file)
}

/// The directory a file is in (empty for a bare name, so that joining a name to it
/// gives the name as the user would write it).
fn dir_of(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The compose files of a directory, in the order compose looks for them.
pub const COMPOSE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

#[cfg(test)]
mod tests;
