//! Collects every place a key can come from, in precedence order.
//!
//! Precedence (first wins): `--key`, `--key-stdin`, `--key-file`, the environment
//! variable, the `.env` file. Explicit beats implicit, and the process environment
//! beats `.env` because that is what dotenv loaders do (they never override a variable
//! that is already set). Every source is kept so the report can show that, say, the
//! `.env` holds a different key than the shell.

use crate::context::{FoundKey, KeyState, NearMiss, ReaderDelivery};
use crate::input::deploy;
use crate::input::dotenv::{DotenvEntry, DotenvFile};
use crate::input::files::{Deadline, Pipes, read_input};
use crate::input::loaders::{Delivered, LOADERS, Loader, deliver};
use crate::model::report::{Location, SourceKind, SourceRef};
use crate::model::secret::SecretKey;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Largest key file or stdin we accept: a key is tens of bytes; anything this large is
/// the wrong file.
pub const MAX_KEY_FILE: u64 = 64 * 1024;

/// Largest `.env` file we read.
pub const MAX_DOTENV_FILE: u64 = 1024 * 1024;

/// Where to look for the key.
#[derive(Debug, Default)]
pub struct KeySpec {
    /// Environment variable name (`--key-env`).
    pub key_env: String,
    /// `--key-file PATH`.
    pub key_file: Option<PathBuf>,
    /// Bytes read from standard input (`--key-stdin`); the binary reads them.
    pub key_stdin: Option<Vec<u8>>,
    /// `.env` path: explicit (`--dotenv`) or the default `./.env`.
    pub dotenv: Option<PathBuf>,
    /// Whether the `.env` path was given explicitly (then it must exist).
    pub dotenv_explicit: bool,
    /// `--key VALUE`.
    pub key_flag: Option<SecretKey>,
    /// `--loader`: who reads the `.env` (`None`: every common reader is compared).
    pub loader: Option<Loader>,
    /// `--from`: deployment files to read the key's definition from.
    pub from: Vec<PathBuf>,
    /// Read the compose file of the working directory when no `--from` is given (as
    /// `./.env` is read by default).
    pub default_compose: bool,
    /// Home directory, shown as `~` in paths.
    pub home: Option<PathBuf>,
    /// The run's deadline: a pipe named by `--key-file` or `--dotenv` (`<(pass show sl)`,
    /// `/dev/stdin`) is read until then. `None`: pipes are refused.
    pub deadline: Option<Deadline>,
}

impl KeySpec {
    /// Whether a path the user named may be a pipe (see [`KeySpec::deadline`]).
    fn explicit_pipes(&self) -> Pipes {
        self.deadline.map_or(Pipes::Refuse, Pipes::Within)
    }
}

/// A bad input: the run stops with exit code 2.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    /// The file does not exist.
    #[error("{what} {path}: no such file")]
    Missing {
        /// Which input.
        what: &'static str,
        /// Path as shown.
        path: String,
    },
    /// A directory was given.
    #[error("{what} {path}: is a directory, expected a file")]
    Directory {
        /// Which input.
        what: &'static str,
        /// Path as shown.
        path: String,
    },
    /// The file is larger than a key (or a .env) can be; nothing past the limit is read.
    #[error(
        "{what} {path}: {} is too large (limit {limit} bytes); is this the right file?",
        size_text(*.size, *.limit)
    )]
    TooLarge {
        /// Which input.
        what: &'static str,
        /// Path as shown.
        path: String,
        /// Its size, when known (a pipe's is not: it was not read past the limit).
        size: Option<u64>,
        /// The limit.
        limit: u64,
    },
    /// A FIFO, a device or a socket where a file was expected: not read (reading a FIFO
    /// waits for a writer forever).
    #[error("{what} {path}: is {kind}, not a regular file; it was not read")]
    NotRegular {
        /// Which input.
        what: &'static str,
        /// Path as shown.
        path: String,
        /// `a FIFO (named pipe)`, `a character device`…
        kind: &'static str,
    },
    /// A key where a variable name or a path goes (`input::misplaced`).
    #[error(transparent)]
    Misplaced(#[from] super::misplaced::MisplacedKey),
    /// A pipe given explicitly was not closed by its writer before the run's deadline.
    #[error(
        "{what} {path}: deadline of {deadline} reached before the pipe was closed by its writer; nothing was used"
    )]
    Deadline {
        /// Which input.
        what: &'static str,
        /// Path as shown.
        path: String,
        /// The deadline, as given (`3 s`).
        deadline: String,
    },
    /// A `--from` file that is none of the deployment files sl-doctor reads.
    #[error(
        "deployment file {path}: not recognised as a compose file, Kubernetes manifest, systemd unit, Dockerfile or GitHub Actions workflow (by its name or content)"
    )]
    NotDeployment {
        /// Path as shown.
        path: String,
    },
    /// A `--from` file that cannot be parsed.
    #[error("deployment file {path}: {reason}")]
    Unparsable {
        /// Path as shown.
        path: String,
        /// Why (`not valid YAML at line 3`).
        reason: String,
    },
    /// The file exists but cannot be read.
    #[error("{what} {path}: cannot be read: {reason}")]
    Unreadable {
        /// Which input.
        what: &'static str,
        /// Path as shown.
        path: String,
        /// The OS error.
        reason: String,
    },
}

fn size_text(size: Option<u64>, limit: u64) -> String {
    match size {
        Some(n) => format!("{n} bytes"),
        None => format!("more than {limit} bytes"),
    }
}

/// Shows a path with the home directory replaced by `~`.
pub fn display_path(path: &Path, home: Option<&Path>) -> String {
    if let Some(h) = home
        && !h.as_os_str().is_empty()
        && let Ok(rest) = path.strip_prefix(h)
    {
        return if rest.as_os_str().is_empty() {
            "~".into()
        } else {
            format!("~/{}", rest.display())
        };
    }
    path.display().to_string()
}

/// Collects the sources. `env` is a snapshot of the process environment.
pub fn collect(mut spec: KeySpec, env: &[(OsString, OsString)]) -> Result<KeyState, InputError> {
    // A key given where a name or a path goes stops the run before anything names it.
    super::misplaced::check_name("--key-env", &spec.key_env, env)?;
    if let Some(p) = &spec.key_file {
        super::misplaced::check_path("--key-file", p)?;
    }
    if let (true, Some(p)) = (spec.dotenv_explicit, &spec.dotenv) {
        super::misplaced::check_path("--dotenv", p)?;
    }
    let home = spec.home.as_deref();
    let mut st = KeyState {
        env_name: spec.key_env.clone(),
        loader: spec.loader,
        ..Default::default()
    };
    match spec.key_flag.take() {
        Some(v) => st.found(
            "--key (given on the command line)",
            SourceKind::Flag,
            "--key",
            v,
            None,
        ),
        None => st.looked_at.push("--key (not given)".into()),
    }
    match spec.key_stdin.take() {
        Some(bytes) => st.found(
            "standard input (--key-stdin)",
            SourceKind::Stdin,
            "stdin",
            SecretKey::from_bytes(bytes),
            None,
        ),
        None => st.looked_at.push("--key-stdin (not given)".into()),
    }
    match &spec.key_file {
        Some(path) => {
            let bytes = read_input("key file", path, MAX_KEY_FILE, home, spec.explicit_pipes())?;
            let shown = display_path(path, home);
            let value = SecretKey::from_bytes(bytes);
            st.found(
                &format!("key file {shown}"),
                SourceKind::File,
                &shown,
                value,
                Some(path.clone()),
            );
        }
        None => st.looked_at.push("--key-file (not given)".into()),
    }
    st.read_deployments(&spec, env, &spec.from, spec.explicit_pipes())?;
    let env_value = env
        .iter()
        .find(|(k, _)| k.as_os_str() == spec.key_env.as_str())
        .map(|(_, v)| v.clone());
    // A compose file that copies the variable made it a source already.
    let copied = st
        .candidates
        .iter()
        .any(|c| c.source.kind == SourceKind::Env && c.source.name == spec.key_env);
    match env_value {
        Some(_) if copied => {}
        Some(v) => st.found(
            &format!("environment variable {}", spec.key_env),
            SourceKind::Env,
            &spec.key_env,
            SecretKey::from_bytes(os_bytes(v)),
            None,
        ),
        None => st
            .looked_at
            .push(format!("environment variable {} (not set)", spec.key_env)),
    }
    st.dotenv_path = spec.dotenv.clone();
    if let Some(path) = &spec.dotenv {
        st.read_dotenv(path, &spec, home)?;
    }
    if spec.from.is_empty() && spec.default_compose {
        let found = deploy::COMPOSE_NAMES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file());
        if let Some(p) = found {
            st.read_deployments(&spec, env, &[p], Pipes::Refuse)?;
            st.drop_known_dotenv_readings();
        }
    }
    st.near_misses = near_misses(env, &spec.key_env);
    Ok(st)
}

impl KeyState {
    /// Records a source that holds a value.
    fn found(
        &mut self,
        looked: &str,
        kind: SourceKind,
        name: &str,
        value: SecretKey,
        path: Option<PathBuf>,
    ) {
        self.looked_at.push(looked.to_string());
        self.candidates.push(FoundKey {
            source: SourceRef {
                kind,
                name: name.to_string(),
            },
            value,
            path,
        });
    }

    /// Reads the `.env` file (when it exists or was named explicitly) and records the
    /// key's effective value in it.
    fn read_dotenv(
        &mut self,
        path: &Path,
        spec: &KeySpec,
        home: Option<&Path>,
    ) -> Result<(), InputError> {
        let shown = display_path(path, home);
        if !path.exists() && !spec.dotenv_explicit {
            self.looked_at.push(format!("{shown} (no such file)"));
            return Ok(());
        }
        // The default ./.env is read only when it is a regular file: a FIFO there (or one
        // the repository's tooling made) would otherwise wait for a writer.
        let pipes = if spec.dotenv_explicit {
            spec.explicit_pipes()
        } else {
            Pipes::Refuse
        };
        let bytes = read_input(".env file", path, MAX_DOTENV_FILE, home, pipes)?;
        let file = DotenvFile::parse(shown.clone(), &bytes);
        match file.effective(&spec.key_env) {
            Some(e) => self.dotenv_definition(&shown, path, e, spec.loader),
            None => {
                // `--dotenv docker-compose.yml`: a deployment file is read with --from.
                let kind = deploy::recognise(path, &String::from_utf8_lossy(&bytes));
                self.looked_at.push(match kind {
                    Some(k) => format!(
                        "{shown} (no {}= line: it is a {}, read it with --from {})",
                        spec.key_env,
                        k.name(),
                        crate::shell::sh_quote_shown(&shown)
                    ),
                    None => format!("{shown} (no {} in it)", spec.key_env),
                })
            }
        }
        self.dotenv = Some(file);
        Ok(())
    }
}

impl KeyState {
    /// Records what the readers deliver from the key's `.env` line: the one `--loader`
    /// names, or (without it) every common reader, the dotenv libraries' value used.
    fn dotenv_definition(
        &mut self,
        shown: &str,
        path: &Path,
        e: &DotenvEntry,
        loader: Option<Loader>,
    ) {
        // A deployment file that reads this .env (`env_file:`, `EnvironmentFile=`) says
        // who reads it: its reading is already among the deployment's.
        let known = self
            .deployments
            .iter()
            .flat_map(|d| &d.env_files)
            .any(|f| same_file(f, path));
        let readers: Vec<Loader> = match (loader, known) {
            (Some(l), _) => vec![l],
            (None, true) => Vec::new(),
            (None, false) => LOADERS.iter().map(|l| l.loader).collect(),
        };
        for l in &readers {
            self.readings.push(ReaderDelivery {
                reader: l.info().name.to_string(),
                place: format!("{shown} line {}", e.line),
                path: Some(path.to_path_buf()),
                line: e.line,
                delivered: deliver(*l, e),
            });
        }
        let used = loader.unwrap_or(Loader::Dotenv);
        let how = match loader {
            Some(l) => format!(", as {} reads it", l.info().name),
            None => String::new(),
        };
        match deliver(used, e) {
            Delivered::Value(v) => self.found(
                &format!("{shown} ({} at line {}{how})", self.env_name, e.line),
                SourceKind::Dotenv,
                &format!("{shown}:{}", e.line),
                v,
                Some(path.to_path_buf()),
            ),
            Delivered::Nothing(why) | Delivered::Unknown(why) => self.looked_at.push(format!(
                "{shown} ({} at line {}: {why})",
                self.env_name, e.line
            )),
        }
    }
}

impl KeyState {
    /// Reads deployment files: each definition of the key is a reading, and each value
    /// it delivers a key source.
    fn read_deployments(
        &mut self,
        spec: &KeySpec,
        env: &[(OsString, OsString)],
        paths: &[PathBuf],
        pipes: Pipes,
    ) -> Result<(), InputError> {
        let home = spec.home.as_deref();
        let denv = deploy::Env {
            name: &spec.key_env,
            vars: env,
            home,
        };
        for file in deploy::read_all(paths, &denv, pipes)? {
            let shown = display_path(&file.path, home);
            if file.definitions.is_empty() {
                self.looked_at.push(format!(
                    "{} {shown} (no {} in it)",
                    file.kind.name(),
                    spec.key_env
                ));
            }
            for d in &file.definitions {
                // A path named in the file (`env_file:`) is text from outside.
                let at = crate::model::untrusted::neutralise(&display_path(&d.path, home), 200);
                if let Some(why) = &d.shadowed {
                    // Written in the file, but not what the program gets: no reading.
                    self.looked_at
                        .push(format!("{} ({at} line {}: {why})", d.reader, d.line));
                    continue;
                }
                self.readings.push(ReaderDelivery {
                    reader: d.reader.clone(),
                    place: format!("{at} line {}", d.line),
                    path: Some(d.path.clone()),
                    line: d.line,
                    delivered: d.delivered.clone(),
                });
                match (&d.delivered, &d.from_env) {
                    // The value is that variable's, as the environment holds it: a
                    // defect in it is fixed there, not in the file.
                    (Delivered::Value(v), Some(var)) => self.found(
                        &format!(
                            "{} ({at} line {}: the environment variable {var})",
                            d.reader, d.line
                        ),
                        SourceKind::Env,
                        var,
                        v.clone(),
                        None,
                    ),
                    (Delivered::Value(v), None) => {
                        let name = format!("{at}:{} ({})", d.line, d.reader);
                        self.deployment_lines
                            .push((name.clone(), Location::line(at.clone(), d.line)));
                        self.found(
                            &format!("{} ({at} line {})", d.reader, d.line),
                            SourceKind::Deployment,
                            &name,
                            v.clone(),
                            Some(d.path.clone()),
                        );
                    }
                    (Delivered::Nothing(why) | Delivered::Unknown(why), _) => self
                        .looked_at
                        .push(format!("{} ({at} line {}: {why})", d.reader, d.line)),
                }
            }
            for d in &file.overridden {
                let at = crate::model::untrusted::neutralise(&display_path(&d.path, home), 200);
                self.looked_at.push(format!(
                    "{} ({at} line {}: overridden by another definition, delivers nothing)",
                    d.reader, d.line
                ));
            }
            self.deployments.push(file);
        }
        Ok(())
    }
}

impl KeyState {
    /// Drops the per-loader readings of a `.env` that a deployment file reads
    /// (`env_file:`, `EnvironmentFile=`): that deployment says who reads it.
    fn drop_known_dotenv_readings(&mut self) {
        let known: Vec<PathBuf> = self
            .deployments
            .iter()
            .flat_map(|d| d.env_files.clone())
            .collect();
        let loader_names: Vec<&str> = LOADERS.iter().map(|l| l.name).collect();
        self.readings.retain(|r| {
            let of_dotenv = loader_names.contains(&r.reader.as_str());
            !(of_dotenv
                && r.path
                    .as_deref()
                    .is_some_and(|p| known.iter().any(|k| same_file(k, p))))
        });
    }
}

/// Whether two paths name the same file (as given, or once resolved).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

/// Other environment variables whose names look like the key's, sorted by name.
fn near_misses(env: &[(OsString, OsString)], key_env: &str) -> Vec<NearMiss> {
    let mut out: Vec<NearMiss> = env
        .iter()
        .filter_map(|(k, v)| {
            let name = k.to_str()?;
            (name != key_env && looks_like_key_var(name, key_env)).then(|| NearMiss {
                name: name.to_string(),
                value: SecretKey::from_bytes(os_bytes(v.clone())),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(unix)]
fn os_bytes(v: OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    v.into_vec()
}

#[cfg(not(unix))]
fn os_bytes(v: OsString) -> Vec<u8> {
    v.to_string_lossy().into_owned().into_bytes()
}

/// Whether a variable *name* looks like a misspelt or alternative Sales Layer key
/// variable (a "near miss", which the report names with a fingerprint of its value).
///
/// The rule, documented in docs/checks.md under `key-source`:
/// 1. the configured name in another case or with other separators
///    (`saleslayer-api-key`);
/// 2. a typo of the configured name (at most two edits, for names of 8+ characters);
/// 3. a name that says Sales Layer — `SALESLAYER` or `SALES_LAYER` anywhere, or `SL`
///    as a whole word (`SL_API_KEY`, `APP_SL_TOKEN`, `SLAPI_KEY`) — and says KEY, TOKEN
///    or SECRET.
///
/// Nothing else: `API_KEY`, `X_API_KEY`, `SLACK_BOT_TOKEN` or `SLOT_KEY` belong to other
/// services, and their values must not even be fingerprinted; nor the variables the shell
/// sets itself ([`shell_internal`]), nor a name without a letter or digit.
pub fn looks_like_key_var(name: &str, configured: &str) -> bool {
    if shell_internal(name) {
        return false;
    }
    // A run reads every variable of the environment (and of each `.env*` file), and most
    // are ruled out at once: the name is normalised on the stack (docs/performance.md).
    with_normalised(name, |norm| {
        if norm.is_empty() {
            return false;
        }
        if normalised(configured).eq(norm.iter().copied()) {
            return true;
        }
        let says = |word: &[u8]| {
            norm.windows(word.len())
                .any(|w| w[0] == word[0] && w == word)
        };
        let keyish = says(b"KEY") || says(b"TOKEN") || says(b"SECRET");
        let sl_word = || {
            name.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
                w.eq_ignore_ascii_case("SL")
                    || w.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("SLAPI"))
            })
        };
        if keyish && (says(b"SALESLAYER") || sl_word()) {
            return true;
        }
        // A typo of the configured name; short names would match unrelated variables.
        if configured.len() < 8 {
            return false;
        }
        // Most names are ruled out by a cheap bound before the distance is computed.
        edits_at_least(name, configured) <= 2 && {
            let upper = |s: &str| s.to_ascii_uppercase();
            strsim::levenshtein(&upper(name), &upper(configured)) <= 2
        }
    })
}

/// A lower bound of the edit distance of `a` and `b` once both are upper-cased, cheap to
/// compute: each edit changes the length by at most one and the character counts by at
/// most two. Counted by byte, which bounds the distance in characters only for ASCII;
/// otherwise the length bound.
fn edits_at_least(a: &str, b: &str) -> usize {
    let length = a.chars().count().abs_diff(b.chars().count());
    // Most names are ruled out by their length alone.
    if length > 2 || !a.is_ascii() || !b.is_ascii() {
        return length;
    }
    let mut counts = [0i32; 128];
    a.bytes()
        .for_each(|x| counts[usize::from(x.to_ascii_uppercase())] += 1);
    b.bytes()
        .for_each(|x| counts[usize::from(x.to_ascii_uppercase())] -= 1);
    // Each count is read once, from the characters that have one.
    let mut differ = 0;
    for x in a.bytes().chain(b.bytes()) {
        let c = &mut counts[usize::from(x.to_ascii_uppercase())];
        differ += c.unsigned_abs() as usize;
        *c = 0;
    }
    length.max(differ.div_ceil(2))
}

/// Variables a shell sets for itself: bash's `_` (the last argument), `PWD`, `SHLVL`,
/// `BASH_*`… A near miss is a variable someone named; these never are, and a typo
/// distance to a short configured name must not propose them.
fn shell_internal(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "_", "PWD", "OLDPWD", "SHLVL", "SHELL", "IFS", "PS1", "PS2", "PS4",
    ];
    NAMES.contains(&name) || name.starts_with("BASH_") || name.starts_with("ZSH_")
}

/// The ASCII letters and digits of `name`, upper-cased (the bytes of other characters are
/// never ASCII).
fn normalised(name: &str) -> impl Iterator<Item = u8> + Clone + '_ {
    name.bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
}

/// Calls `f` with the [`normalised`] `name`, kept on the stack when it is short.
fn with_normalised<R>(name: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let mut buf = [0u8; 64];
    if name.len() > buf.len() {
        return f(&normalised(name).collect::<Vec<u8>>());
    }
    let mut n = 0;
    for b in normalised(name) {
        buf[n] = b;
        n += 1;
    }
    f(&buf[..n])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing_support::env_of as env;

    fn spec() -> KeySpec {
        KeySpec {
            key_env: "SALESLAYER_API_KEY".into(),
            ..Default::default()
        }
    }

    #[test]
    fn near_miss_names() {
        // (name, near miss of the default SALESLAYER_API_KEY?)
        let default_cases = [
            ("SALESLAYER_APIKEY", true),
            ("saleslayer_api_key", true),
            ("saleslayer-api-key", true),
            ("SALESLAYER_API_KEY_PROD", true),
            ("SALES_LAYER_API_KEY", true),
            ("SALESLAYR_API_KEY", true),
            ("SALESLAYER_TOKEN", true),
            ("SL_API_KEY", true),
            ("SL_TOKEN", true),
            ("APP_SL_SECRET", true),
            ("SLAPI_KEY", true),
            // Other services' secrets: never a near miss.
            ("SLACK_BOT_TOKEN", false),
            ("SLACK_SIGNING_SECRET", false),
            ("SLOT_KEY", false),
            ("SLSKEY", false),
            ("API_KEY", false),
            ("X_API_KEY", false),
            ("OPENAI_API_KEY", false),
            ("AWS_SECRET", false),
            ("SALESLAYER_BASE_URL", false),
            ("SL_REGION", false),
            ("PATH", false),
        ]
        .map(|(name, want)| (name, "SALESLAYER_API_KEY", want));
        // (name, configured with --key-env, near miss?)
        let configured_cases = [
            ("MY_SL_KEY", "MY_CUSTOM_KEY", true),
            ("MY_CUSTOM_KYE", "MY_CUSTOM_KEY", true),
            // Short configured names do not match everything two letters away.
            ("HOME", "NOPE", false),
            // Shell-internal names and names without a letter or digit never are.
            ("_", "SALESLAYER_API_KEY", false),
            ("_", "", false),
            ("__", "_", false),
            ("BASH_ARGV", "BASH_ARGC", false),
            ("OLDPWD", "OLDPWD_X", false),
        ];
        for (name, configured, want) in default_cases.into_iter().chain(configured_cases) {
            assert_eq!(
                looks_like_key_var(name, configured),
                want,
                "{name} vs {configured}"
            );
        }
    }

    proptest::proptest! {
        /// The shortcut never rules out a name that is within the distance.
        #[test]
        fn the_lower_bound_never_exceeds_the_distance(
            a in "[A-Da-d_é]{0,12}",
            b in "[A-Da-d_é]{0,12}",
        ) {
            let upper = |s: &str| s.to_ascii_uppercase();
            let distance = strsim::levenshtein(&upper(&a), &upper(&b));
            proptest::prop_assert!(edits_at_least(&a, &b) <= distance);
        }
    }

    #[test]
    fn unrelated_secrets_are_not_collected() {
        let st = collect(
            spec(),
            &env(&[
                ("SLACK_BOT_TOKEN", "xoxb-unrelated-secret-value"),
                ("SALESLAYER_APIKEY", "near-miss-value-123"),
            ]),
        )
        .unwrap();
        let names: Vec<&str> = st.near_misses.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["SALESLAYER_APIKEY"]);
    }

    #[test]
    fn precedence_flag_stdin_file_env_dotenv() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let kf = dir.join("key");
        std::fs::write(&kf, b"from-file").unwrap();
        let de = dir.join(".env");
        std::fs::write(&de, b"SALESLAYER_API_KEY=from-dotenv\n").unwrap();
        let mut s = spec();
        s.key_flag = Some(SecretKey::from_string("from-flag".into()));
        s.key_stdin = Some(b"from-stdin".to_vec());
        s.key_file = Some(kf);
        s.dotenv = Some(de);
        let st = collect(s, &env(&[("SALESLAYER_API_KEY", "from-env")])).unwrap();
        let kinds: Vec<_> = st.candidates.iter().map(|c| c.source.kind).collect();
        assert_eq!(
            kinds,
            [
                SourceKind::Flag,
                SourceKind::Stdin,
                SourceKind::File,
                SourceKind::Env,
                SourceKind::Dotenv
            ]
        );
        assert_eq!(st.key().unwrap().expose_bytes(), b"from-flag");
        assert!(st.from_flag());
    }

    #[test]
    fn bad_files_are_input_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let big = dir.join("big");
        std::fs::write(&big, vec![b'a'; 70_000]).unwrap();
        type IsExpected = fn(&InputError) -> bool;
        let cases: Vec<(PathBuf, IsExpected)> = vec![
            (dir.join("missing"), |e| {
                matches!(e, InputError::Missing { .. })
            }),
            (dir.clone(), |e| matches!(e, InputError::Directory { .. })),
            (big, |e| matches!(e, InputError::TooLarge { .. })),
        ];
        for (path, ok) in cases {
            let mut s = spec();
            s.key_file = Some(path.clone());
            let err = collect(s, &[]).unwrap_err();
            assert!(ok(&err), "{path:?}: {err}");
        }
        let mut s = spec();
        s.dotenv = Some(dir.join("nope.env"));
        s.dotenv_explicit = true;
        assert!(matches!(
            collect(s, &[]).unwrap_err(),
            InputError::Missing { .. }
        ));
    }

    #[test]
    fn default_dotenv_may_be_absent_and_home_is_tilde() {
        let mut s = spec();
        s.dotenv = Some(PathBuf::from("/nonexistent-dir/.env"));
        let st = collect(s, &[]).unwrap();
        assert!(st.candidates.is_empty());
        assert!(st.looked_at.iter().any(|l| l.contains("no such file")));
        assert_eq!(
            display_path(Path::new("/home/u/p/.env"), Some(Path::new("/home/u"))),
            "~/p/.env"
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_env_value_is_kept() {
        use std::os::unix::ffi::OsStringExt;
        let e = vec![(
            OsString::from("SALESLAYER_API_KEY"),
            OsString::from_vec(b"ab\xffcd".to_vec()),
        )];
        let st = collect(spec(), &e).unwrap();
        assert_eq!(st.key().unwrap().expose_bytes(), b"ab\xffcd");
    }
}
