//! Collects every place a key can come from, in precedence order.
//!
//! Precedence (first wins): `--key`, `--key-stdin`, `--key-file`, the environment
//! variable, the `.env` file. Explicit beats implicit, and the process environment
//! beats `.env` because that is what dotenv loaders do (they never override a variable
//! that is already set). Every source is kept so the report can show that, say, the
//! `.env` holds a different key than the shell.

use crate::input::dotenv::DotenvFile;
use crate::model::context::{Candidate, KeyState, NearMiss};
use crate::model::report::{SourceKind, SourceRef};
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
    /// Home directory, shown as `~` in paths.
    pub home: Option<PathBuf>,
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
    /// The file is larger than a key (or a .env) can be.
    #[error(
        "{what} {path}: {size} bytes is too large (limit {limit} bytes); is this the right file?"
    )]
    TooLarge {
        /// Which input.
        what: &'static str,
        /// Path as shown.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
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

/// Reads a small file completely, with the errors users need to see.
pub fn read_small_file(
    what: &'static str,
    path: &Path,
    limit: u64,
    home: Option<&Path>,
) -> Result<Vec<u8>, InputError> {
    let shown = display_path(path, home);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(InputError::Missing { what, path: shown });
        }
        Err(e) => {
            return Err(InputError::Unreadable {
                what,
                path: shown,
                reason: e.to_string(),
            });
        }
    };
    if meta.is_dir() {
        return Err(InputError::Directory { what, path: shown });
    }
    if meta.len() > limit {
        return Err(InputError::TooLarge {
            what,
            path: shown,
            size: meta.len(),
            limit,
        });
    }
    use std::io::Read;
    let mut buf = Vec::new();
    // Read at most limit+1 bytes: a special file (a FIFO, /dev/zero) reports size 0.
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut buf))
        .map_err(|e| InputError::Unreadable {
            what,
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    if buf.len() as u64 > limit {
        return Err(InputError::TooLarge {
            what,
            path: shown,
            size: buf.len() as u64,
            limit,
        });
    }
    Ok(buf)
}

/// Collects the sources. `env` is a snapshot of the process environment.
pub fn collect(mut spec: KeySpec, env: &[(OsString, OsString)]) -> Result<KeyState, InputError> {
    let home = spec.home.as_deref();
    let mut st = KeyState {
        env_name: spec.key_env.clone(),
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
            let bytes = read_small_file("key file", path, MAX_KEY_FILE, home)?;
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
    let env_value = env
        .iter()
        .find(|(k, _)| k.as_os_str() == spec.key_env.as_str())
        .map(|(_, v)| v.clone());
    match env_value {
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
        self.candidates.push(Candidate {
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
        let bytes = read_small_file(".env file", path, MAX_DOTENV_FILE, home)?;
        let file = DotenvFile::parse(shown.clone(), &bytes);
        match file.effective(&spec.key_env) {
            Some(e) => self.found(
                &format!("{shown} ({} at line {})", spec.key_env, e.line),
                SourceKind::Dotenv,
                &format!("{shown}:{}", e.line),
                e.value.clone(),
                Some(path.to_path_buf()),
            ),
            None => self
                .looked_at
                .push(format!("{shown} (no {} in it)", spec.key_env)),
        }
        self.dotenv = Some(file);
        Ok(())
    }
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

/// Whether an environment variable *name* looks like a misspelt or alternative Sales
/// Layer key variable.
pub fn looks_like_key_var(name: &str, configured: &str) -> bool {
    let norm = normalise(name);
    if norm == normalise(configured) {
        // Same letters, other case or separators: SALESLAYER_API_KEY vs saleslayer-api-key.
        return true;
    }
    let keyish = norm.contains("KEY") || norm.contains("TOKEN") || norm.contains("SECRET");
    if (norm.contains("SALESLAYER") || norm.starts_with("SL")) && keyish {
        return true;
    }
    if matches!(norm.as_str(), "XAPIKEY" | "APIKEY") {
        return true;
    }
    // A typo of the configured name; short names would match unrelated variables.
    configured.len() >= 8
        && edit_distance(&name.to_ascii_uppercase(), &configured.to_ascii_uppercase()) <= 2
}

fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs.iter().map(|(k, v)| (k.into(), v.into())).collect()
    }

    fn spec() -> KeySpec {
        KeySpec {
            key_env: "SALESLAYER_API_KEY".into(),
            ..Default::default()
        }
    }

    #[test]
    fn near_miss_names() {
        let yes = [
            "SALESLAYER_APIKEY",
            "SL_API_KEY",
            "SALES_LAYER_API_KEY",
            "X_API_KEY",
            "saleslayer_api_key",
            "SALESLAYER_API_KEY_PROD",
            "SALESLAYR_API_KEY",
            "API_KEY",
            "SL_TOKEN",
        ];
        let no = [
            "PATH",
            "HOME",
            "NOPE",
            "OPENAI_API_KEY",
            "SLACK_WEBHOOK",
            "AWS_SECRET",
        ];
        for n in yes {
            assert!(looks_like_key_var(n, "SALESLAYER_API_KEY"), "{n}");
        }
        for n in no {
            assert!(!looks_like_key_var(n, "SALESLAYER_API_KEY"), "{n}");
        }
        // Short configured names do not match everything two letters away.
        assert!(!looks_like_key_var("HOME", "NOPE"));
    }

    #[test]
    fn precedence_flag_stdin_file_env_dotenv() {
        let dir = std::env::temp_dir().join(format!("sld-src-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
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
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_files_are_input_errors() {
        let dir = std::env::temp_dir().join(format!("sld-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
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
        std::fs::remove_dir_all(&dir).unwrap();
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
