//! Everything a check may read: the key sources, the target and the network options
//! (the run's input, as `input`'s readers found it), the run's shared connection
//! (`net::shared`) and what the checks that finished before it found (`facts`).
//!
//! The binary builds one `Context` from the command line and the environment; checks
//! never read the process environment or the command line themselves, which keeps
//! them deterministic under test. It is not report data, so it lives above `model`.

pub mod facts;
pub mod memo;

use crate::analysis::value::{Analysis, analyze};
use crate::input::dotenv::{DotenvEntry, DotenvFile};
use crate::input::loaders::{Delivered, Loader};
use crate::input::sources::looks_like_key_var;
use crate::model::report::{Location, SourceKind, SourceRef};
use crate::model::secret::SecretKey;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use crate::saleslayer::Api;

/// A key value found in one source (one of the places the key is looked for).
#[derive(Debug, Clone)]
pub struct FoundKey {
    /// Where it came from.
    pub source: SourceRef,
    /// The value exactly as read.
    pub value: SecretKey,
    /// The file it was read from (key file or `.env`), as given; `None` for other sources.
    pub path: Option<PathBuf>,
}

/// An environment variable whose *name* looks like a misspelt or alternative key variable.
#[derive(Debug, Clone)]
pub struct NearMiss {
    /// The variable name.
    pub name: String,
    /// Its value (only ever fingerprinted).
    pub value: SecretKey,
}

/// What one reader of the deployment delivers as the key, and where it reads it: a
/// `.env` line as one loader reads it, or a deployment file's definition (`--from`).
#[derive(Debug, Clone)]
pub struct ReaderDelivery {
    /// Who reads it: `docker run --env-file`, `docker compose (service api)`…
    pub reader: String,
    /// Where: `.env line 3`, `k8s/secret.yaml line 8` (home as `~`).
    pub place: String,
    /// The file, as given.
    pub path: Option<PathBuf>,
    /// 1-based line of the definition.
    pub line: usize,
    /// What the reader delivers.
    pub delivered: Delivered,
}

impl ReaderDelivery {
    /// `docker run --env-file (.env line 3)`.
    pub fn who(&self) -> String {
        format!("{} ({})", self.reader, self.place)
    }

    /// The file and line of the definition, the file as `place` shows it (home as `~`).
    pub fn location(&self) -> Option<Location> {
        let (file, _) = self.place.rsplit_once(" line ")?;
        Some(Location::line(file, self.line))
    }
}

/// "docker run --env-file and kubectl --from-env-file (.env line 3)": the readers of one
/// group, their place said once when they share it.
pub fn readings_who(readers: &[&ReaderDelivery]) -> String {
    let same_place = readers.iter().all(|r| r.place == readers[0].place);
    let names: Vec<String> = readers
        .iter()
        .map(|r| {
            if same_place {
                r.reader.clone()
            } else {
                r.who()
            }
        })
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let joined = crate::model::prose::join_names(&names);
    if same_place {
        format!("{joined} ({})", readers[0].place)
    } else {
        joined
    }
}

/// What was found about the key before any check ran.
#[derive(Debug, Clone, Default)]
pub struct KeyState {
    /// Every source that held a value, in precedence order (the first one wins).
    pub candidates: Vec<FoundKey>,
    /// Human descriptions of every place that was looked at, in precedence order.
    pub looked_at: Vec<String>,
    /// Environment variables with key-like names other than the configured one.
    pub near_misses: Vec<NearMiss>,
    /// The `.env` file that was read, when one was.
    pub dotenv: Option<DotenvFile>,
    /// The `.env` path that was looked at (read or not), as given; its directory is where
    /// the other environment files (`.env.production`, …) live.
    pub dotenv_path: Option<PathBuf>,
    /// The environment variable name that was configured (`--key-env`).
    pub env_name: String,
    /// The reader of the `.env` named by `--loader`; `None`: the common readers are
    /// compared (`readings`) and the dotenv libraries' reading is used.
    pub loader: Option<Loader>,
    /// What each reader of the deployment delivers (the `.env` line per loader, the
    /// `--from` files' definitions), for `readers-agree` and the probes.
    pub readings: Vec<ReaderDelivery>,
    /// The deployment files that were read (`--from`, the working directory's compose
    /// file), with every definition of the key in them.
    pub deployments: Vec<crate::input::deploy::DeployFile>,
    /// The line each deployment-file source is written on, by the source's name (a
    /// definition in a compose file, a manifest, a unit…; or the `.env` line it reads).
    pub deployment_lines: Vec<(String, Location)>,
}

impl KeyState {
    /// The value of the winning source, if any.
    pub fn chosen(&self) -> Option<&FoundKey> {
        self.candidates.first()
    }

    /// The key that will be used, if any.
    pub fn key(&self) -> Option<&SecretKey> {
        self.chosen().map(|c| &c.value)
    }

    /// Where the key in use is written: its `.env` line (the definition loaders keep),
    /// its key file, or its deployment file's line; `None` for the environment,
    /// standard input and `--key`.
    pub fn location(&self) -> Option<Location> {
        let chosen = self.chosen()?;
        match chosen.source.kind {
            SourceKind::Dotenv => {
                let file = self.dotenv.as_ref()?;
                let line = file.effective(&self.env_name)?.line;
                Some(Location::line(file.display.clone(), line))
            }
            SourceKind::File => Some(Location::file(chosen.source.name.clone())),
            SourceKind::Deployment => self
                .deployment_lines
                .iter()
                .find(|(name, _)| *name == chosen.source.name)
                .map(|(_, l)| l.clone()),
            _ => None,
        }
    }

    /// The reading of the reader `--loader` names when it sets nothing from the key's
    /// `.env` line (`export NAME=…` to `docker run --env-file`), and why; `None` without
    /// `--loader` or when it delivers a value.
    pub fn not_delivered(&self) -> Option<(&ReaderDelivery, &str)> {
        let reader = self.loader?.info().name;
        self.readings
            .iter()
            .filter(|r| r.reader == reader)
            .find_map(|r| match &r.delivered {
                Delivered::Nothing(why) | Delivered::Unknown(why) => Some((r, why.as_str())),
                Delivered::Value(_) => None,
            })
    }

    /// The `.env` that does not define the key but defines a variable whose name looks
    /// like a misspelt key variable (the first such line), as `dotenv-file` finds it.
    pub fn misspelt_in_dotenv(&self) -> Option<(&DotenvFile, &DotenvEntry)> {
        let file = self.dotenv.as_ref()?;
        if file.effective(&self.env_name).is_some() {
            return None;
        }
        let e = file
            .entries
            .iter()
            .find(|e| e.name != self.env_name && looks_like_key_var(&e.name, &self.env_name))?;
        Some((file, e))
    }

    /// Whether a value was given on the command line (`--key`).
    pub fn from_flag(&self) -> bool {
        self.candidates
            .iter()
            .any(|c| c.source.kind == SourceKind::Flag)
    }
}

/// Where the base URL came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlOrigin {
    /// `--base-url`.
    Flag,
    /// `SALESLAYER_BASE_URL`.
    Env,
    /// Built-in default.
    Default,
}

/// What is diagnosed.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    /// The base URL exactly as given (it may contain whitespace or hidden characters).
    pub base_url: String,
    /// Where the base URL came from.
    pub base_url_origin: UrlOrigin,
    /// A full request URL copied from the user's code (`--url`).
    pub url: Option<String>,
    /// The APIs to diagnose.
    pub apis: Vec<Api>,
}

impl Default for TargetSpec {
    fn default() -> Self {
        TargetSpec {
            base_url: crate::DEFAULT_BASE_URL.to_string(),
            base_url_origin: UrlOrigin::Default,
            url: None,
            apis: vec![Api::Dam, Api::Catalog],
        }
    }
}

/// Network options (used by the live checks).
#[derive(Debug, Clone)]
pub struct NetOptions {
    /// Network checks are skipped.
    pub offline: bool,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Extra CA certificate file (PEM) added to the system roots.
    pub ca_cert: Option<PathBuf>,
    /// Certificate verification turned off (flagged under security).
    pub insecure: bool,
    /// Explicit proxy URL.
    pub proxy: Option<String>,
    /// Environment proxies turned off.
    pub no_proxy: bool,
    /// `host:port:addr` overrides, like curl's `--resolve`.
    pub resolve: Vec<(String, u16, std::net::IpAddr)>,
    /// Send the key over plain http (off by default).
    pub allow_http: bool,
    /// Retry once with the cleaned key when the key as given is rejected.
    pub differential: bool,
    /// Proxy-related environment variables (name, value) as seen by the process.
    pub proxy_env: Vec<(String, String)>,
    /// A new connection per request (`--fresh-connections`) instead of the run's shared
    /// one: independent timings, more handshakes.
    pub fresh_connections: bool,
}

impl Default for NetOptions {
    fn default() -> Self {
        NetOptions {
            offline: false,
            timeout: Duration::from_secs(10),
            ca_cert: None,
            insecure: false,
            proxy: None,
            no_proxy: false,
            resolve: Vec::new(),
            allow_http: false,
            differential: true,
            proxy_env: Vec::new(),
            fresh_connections: false,
        }
    }
}

/// The input of every check.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Key sources and the chosen key.
    pub key: KeyState,
    /// The target URLs and APIs.
    pub target: TargetSpec,
    /// Network options.
    pub net: NetOptions,
    /// The run's shared connection to the API host (see [`crate::net::shared`]).
    pub conn: crate::net::shared::ConnSlot,
    /// What the checks that finished before this one found (a check reads those it
    /// declares in `after [..]`).
    pub earlier: facts::RunFacts,
    /// Analyses several checks read, computed once per run ([`memo`]).
    pub memo: memo::Memo,
}

impl Context {
    /// The character analysis of `value`: the run's own when it is the run's key (seven
    /// checks and the report read it), else computed now (the memo keeps the key's only,
    /// so another value does not push it out).
    pub fn analysis_of(&self, value: &SecretKey) -> Arc<Analysis> {
        let is_key = self
            .key
            .key()
            .is_some_and(|k| k.expose_bytes() == value.expose_bytes());
        if is_key {
            self.memo.key_analysis(value, || analyze(value))
        } else {
            Arc::new(analyze(value))
        }
    }
}
