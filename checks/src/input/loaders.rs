//! Who reads a `.env` file, and what each reader delivers from the key's line.
//!
//! The same line `NAME="abc"` delivers `abc` to a dotenv library and `"abc"` to
//! `docker run --env-file`. [`LOADERS`] is the table of readers with their rule and how
//! the rule was verified (the same table is in `docs/deploy.md`; a test keeps the two
//! equal), and [`deliver`] computes what one reader delivers from one line, from the
//! line's bytes alone: no file is run as a script, nothing is expanded.
//!
//! Every rule marked "measured" is checked by a table test that runs the real reader on
//! the same lines (`tests/integration/loaders.rs`).

use crate::input::dotenv::DotenvEntry;
use crate::model::secret::SecretKey;

/// A reader of `.env` files (`--loader`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Loader {
    /// The dotenv libraries (python-dotenv, Node dotenv, vlucas/phpdotenv, dotenvy).
    Dotenv,
    /// docker compose `env_file:`.
    Compose,
    /// `docker run --env-file`.
    Docker,
    /// `kubectl create secret generic --from-env-file`.
    Kubectl,
    /// systemd `EnvironmentFile=`.
    Systemd,
    /// A POSIX shell: `set -a; . ./.env`.
    Shell,
}

/// One row of the loader table.
#[derive(Debug, Clone, Copy)]
pub struct LoaderInfo {
    /// Which reader.
    pub loader: Loader,
    /// Its `--loader` name.
    pub id: &'static str,
    /// Who it is, as named in findings.
    pub name: &'static str,
    /// What it does with a `NAME=value` line, in one sentence.
    pub rule: &'static str,
    /// How the rule was verified, with the version.
    pub verified: &'static str,
}

/// Every reader, in the order findings name them. `docs/deploy.md` holds the same table.
pub const LOADERS: [LoaderInfo; 6] = [
    LoaderInfo {
        loader: Loader::Dotenv,
        id: "dotenv",
        name: "dotenv libraries",
        rule: "quotes removed (escapes decoded inside double quotes), unquoted trailing whitespace and ` # comment` removed, CR LF read as LF, `export` accepted",
        verified: "measured: python-dotenv 1.2.2, Node dotenv 18.0.10, vlucas/phpdotenv 5.4.1 (phpdotenv refuses the whole file on `export` or an unquoted space; Node and PHP also cut an unquoted value at a `#` without a space before it)",
    },
    LoaderInfo {
        loader: Loader::Compose,
        id: "compose",
        name: "docker compose (env_file)",
        rule: "read like the dotenv libraries: quotes removed, unquoted trailing whitespace and ` # comment` removed, CR LF read as LF, `export` accepted",
        verified: "measured: docker-compose 1.29.2 (`docker-compose config`); compose v2 from its documentation, not run",
    },
    LoaderInfo {
        loader: Loader::Docker,
        id: "docker",
        name: "docker run --env-file",
        rule: "everything after the first `=` taken literally (quotes, trailing spaces and ` # comment` kept), CR LF read as LF, leading spaces of the line dropped; a name with a space (`export NAME`, `NAME =`) makes docker refuse the file",
        verified: "measured: docker CLI 28.2.2 against a loopback fake of the engine API (the CLI parses the file itself)",
    },
    LoaderInfo {
        loader: Loader::Kubectl,
        id: "kubectl",
        name: "kubectl --from-env-file",
        rule: "the same as docker run --env-file: the value after the first `=` taken literally, CR LF read as LF; a name with a space makes kubectl refuse the file",
        verified: "measured: kubectl 1.32 (`create secret generic --from-env-file --dry-run=client -o json`)",
    },
    LoaderInfo {
        loader: Loader::Systemd,
        id: "systemd",
        name: "systemd EnvironmentFile=",
        rule: "a value starting with a quote is unquoted, leading and trailing whitespace (space, tab, CR) removed, backslash escapes as in a shell, `#` only starts a comment at the start of a line",
        verified: "from the systemd.exec(5) documentation, not run (no systemd runs here)",
    },
    LoaderInfo {
        loader: Loader::Shell,
        id: "shell",
        name: "a shell (set -a; . ./.env)",
        rule: "shell words: quotes removed, a CR kept at the end of an unquoted value, `#` starts a comment only after a space, `NAME = value`, `NAME=a b` and a space before a CR LF line ending run a command and leave NAME unset, `$` expanded",
        verified: "measured: bash 5.2 (`set -a; . FILE`)",
    },
];

impl Loader {
    /// The row of this reader.
    pub fn info(self) -> &'static LoaderInfo {
        LOADERS
            .iter()
            .find(|l| l.loader == self)
            .expect("every loader has a row")
    }

    /// The reader of a `--loader` name.
    pub fn from_id(id: &str) -> Option<Loader> {
        LOADERS.iter().find(|l| l.id == id).map(|l| l.loader)
    }
}

/// What one reader delivers from one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// This value.
    Value(SecretKey),
    /// Nothing: the reader refuses the file or does not set the variable; why.
    Nothing(String),
    /// Not knowable from the file alone (a shell expands `$…`); why.
    Unknown(String),
}

impl Delivered {
    /// The value, when one is delivered.
    pub fn value(&self) -> Option<&SecretKey> {
        match self {
            Delivered::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// What `loader` delivers from the definition `e`.
pub fn deliver(loader: Loader, e: &DotenvEntry) -> Delivered {
    match loader {
        Loader::Dotenv | Loader::Compose => Delivered::Value(e.value.clone()),
        Loader::Docker | Loader::Kubectl => literal(loader, e),
        Loader::Systemd => systemd(e),
        Loader::Shell => shell(e),
    }
}

/// `docker run --env-file` and `kubectl --from-env-file`: the bytes after the first `=`,
/// without the CR of a CR LF ending.
fn literal(loader: Loader, e: &DotenvEntry) -> Delivered {
    let line = e.raw_line.expose_bytes();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let start = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let line = &line[start..];
    let eq = line.iter().position(|&b| b == b'=').unwrap_or(line.len());
    if line[..eq].iter().any(u8::is_ascii_whitespace) {
        return Delivered::Nothing(format!(
            "{} refuses the whole file: the name `{}` contains a space",
            loader.info().name,
            String::from_utf8_lossy(&line[..eq]).trim_end()
        ));
    }
    Delivered::Value(SecretKey::from_bytes(
        line.get(eq + 1..).unwrap_or_default().to_vec(),
    ))
}

/// systemd's `EnvironmentFile=`: the state machine of systemd's `parse_env_file_internal`
/// (src/basic/env-file.c) over one line. Whitespace is space, tab, CR and LF; a CR also
/// ends a line. After a closing quote the value goes on (`"a"b` is `ab`), whitespace
/// between the parts dropped. A name that is not a variable name is ignored.
fn systemd(e: &DotenvEntry) -> Delivered {
    let line = e.raw_line.expose_bytes();
    let eq = line.iter().position(|&b| b == b'=').unwrap_or(line.len());
    let name = line[..eq].trim_ascii();
    let valid = !name.is_empty()
        && !name[0].is_ascii_digit()
        && name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_');
    if !valid {
        return Delivered::Nothing(format!(
            "systemd ignores the line: `{}` is not a variable name",
            String::from_utf8_lossy(name)
        ));
    }
    let v = line.get(eq + 1..).unwrap_or_default();
    let ws = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let mut out = Vec::new();
    // Where trailing whitespace of an unquoted part starts, to chomp it at the end.
    let mut trailing: Option<usize> = None;
    let mut i = 0;
    while i < v.len() {
        match v[i] {
            b'\r' => break,
            q @ (b'\'' | b'"') => {
                let inner = &v[i + 1..];
                let Some(end) = closing(inner, q) else {
                    return Delivered::Unknown(
                        "the quote is not closed on this line: systemd reads on into the next lines"
                            .into(),
                    );
                };
                out.extend(if q == b'"' {
                    unescape(&inner[..end], b"\"\\`$")
                } else {
                    inner[..end].to_vec()
                });
                trailing = None;
                i += end + 2;
                // Back to "before a value": whitespace is dropped.
                while i < v.len() && ws(v[i]) && v[i] != b'\r' {
                    i += 1;
                }
            }
            b'\\' => {
                out.extend(v.get(i + 1));
                trailing = None;
                i += 2;
            }
            b if ws(b) && (out.is_empty() && trailing.is_none()) => i += 1,
            b => {
                if ws(b) {
                    trailing.get_or_insert(out.len());
                } else {
                    trailing = None;
                }
                out.push(b);
                i += 1;
            }
        }
    }
    if let Some(t) = trailing {
        out.truncate(t);
    }
    Delivered::Value(SecretKey::from_bytes(out))
}

/// Index of the closing quote `q`; inside double quotes a backslash escapes the next byte.
fn closing(v: &[u8], q: u8) -> Option<usize> {
    let mut i = 0;
    while i < v.len() {
        match v[i] {
            b'\\' if q == b'"' => i += 2,
            b if b == q => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Backslash escapes: `\x` becomes `x` when `only` is empty (unquoted text) or holds `x`
/// (double quotes); otherwise both bytes stay.
fn unescape(v: &[u8], only: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut it = v.iter().copied().peekable();
    while let Some(b) = it.next() {
        match (b, it.peek().copied()) {
            (b'\\', Some(n)) if only.is_empty() || only.contains(&n) => {
                out.push(n);
                it.next();
            }
            _ => out.push(b),
        }
    }
    out
}

/// A POSIX shell sourcing the file with `set -a`: the line as one simple command.
fn shell(e: &DotenvEntry) -> Delivered {
    let line = e.raw_line.expose_bytes();
    let mut rest = line.trim_ascii_start();
    if let Some(r) = rest.strip_prefix(b"export")
        && r.first().is_some_and(|&b| b == b' ' || b == b'\t')
    {
        rest = r.trim_ascii_start();
    }
    let eq = rest.iter().position(|&b| b == b'=');
    let name_ok = eq.is_some_and(|eq| {
        let n = &rest[..eq];
        !n.is_empty()
            && !n[0].is_ascii_digit()
            && n.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    });
    let Some(eq) = eq.filter(|_| name_ok) else {
        return Delivered::Nothing(format!(
            "a shell does not read `{}` as an assignment (it runs it as a command), so {} stays unset",
            String::from_utf8_lossy(&rest[..eq.unwrap_or(rest.len())]).trim_end(),
            e.name
        ));
    };
    let (word, after) = match shell_word(&rest[eq + 1..]) {
        Ok(w) => w,
        Err(why) => return Delivered::Unknown(why),
    };
    // Only spaces and tabs separate words: a CR after a space (a CR LF line ending) is a
    // word of its own, which the shell runs as a command (`$'\r': command not found`).
    let after = &after[after
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()..];
    if after == b"\r" {
        return Delivered::Nothing(format!(
            "a shell reads the carriage return after the space (a CR LF line ending) as a command to run (`$'\\r': command not found`), and sets {} only for that command",
            e.name
        ));
    }
    if !(after.is_empty() || after.starts_with(b"#")) {
        return Delivered::Nothing(format!(
            "a shell reads the text after the space as a command to run, and sets {} only for that command",
            e.name
        ));
    }
    Delivered::Value(SecretKey::from_bytes(word))
}

/// One shell word from the start of `v`: the word and what follows it. `$`, backquotes
/// and operators make the value unknowable from the file (the shell would run them).
fn shell_word(v: &[u8]) -> Result<(Vec<u8>, &[u8]), String> {
    let unknown = |what: &str| Err(format!("the value holds {what}, which the shell expands"));
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        match v[i] {
            b' ' | b'\t' => break,
            b'$' | b'`' => return unknown("`$` or a backquote"),
            b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => {
                return unknown("a shell operator");
            }
            b'\\' => {
                out.extend(v.get(i + 1));
                i += 2;
            }
            b'\'' => {
                let end = v[i + 1..]
                    .iter()
                    .position(|&b| b == b'\'')
                    .ok_or("an unclosed quote: the shell reports a syntax error")?;
                out.extend_from_slice(&v[i + 1..i + 1 + end]);
                i += end + 2;
            }
            b'"' => {
                let inner = &v[i + 1..];
                let end = closing(inner, b'"')
                    .ok_or("an unclosed quote: the shell reports a syntax error")?;
                if inner[..end].iter().any(|&b| b == b'$' || b == b'`') {
                    return unknown("`$` or a backquote");
                }
                out.extend(unescape(&inner[..end], b"\"\\`$"));
                i += end + 2;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok((out, &v[i.min(v.len())..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::dotenv::DotenvFile;

    /// What each reader delivers from one line, as text (`-` for nothing, `?` unknown).
    fn row(line: &[u8]) -> Vec<String> {
        let f = DotenvFile::parse(".env", line);
        let e = f.definitions("K").next().expect("a definition of K");
        LOADERS
            .iter()
            .map(|l| match deliver(l.loader, e) {
                Delivered::Value(v) => String::from_utf8_lossy(v.expose_bytes()).into_owned(),
                Delivered::Nothing(_) => "-".into(),
                Delivered::Unknown(_) => "?".into(),
            })
            .collect()
    }

    #[test]
    fn each_reader_reads_each_line() {
        // dotenv, compose, docker, kubectl, systemd, shell
        let cases: &[(&[u8], [&str; 6])] = &[
            (b"K=abc\n", ["abc", "abc", "abc", "abc", "abc", "abc"]),
            (
                b"K=\"abc\"\n",
                ["abc", "abc", "\"abc\"", "\"abc\"", "abc", "abc"],
            ),
            (b"K='abc'\n", ["abc", "abc", "'abc'", "'abc'", "abc", "abc"]),
            (b"K=abc \n", ["abc", "abc", "abc ", "abc ", "abc", "abc"]),
            (
                b"K=abc # c\n",
                ["abc", "abc", "abc # c", "abc # c", "abc # c", "abc"],
            ),
            (b"K=abc\r\n", ["abc", "abc", "abc", "abc", "abc", "abc\r"]),
            // bash and dash: `$'\r': command not found`, K unset.
            (b"K=abc \r\n", ["abc", "abc", "abc ", "abc ", "abc", "-"]),
            (
                b"K=abc\t# c\r\n",
                ["abc", "abc", "abc\t# c", "abc\t# c", "abc\t# c", "abc"],
            ),
            (b"export K=abc\n", ["abc", "abc", "-", "-", "-", "abc"]),
            (b"K = abc\n", ["abc", "abc", "-", "-", "abc", "-"]),
            (b" K=abc\n", ["abc", "abc", "abc", "abc", "abc", "abc"]),
            (b"K=a b\n", ["a b", "a b", "a b", "a b", "a b", "-"]),
            (
                b"K=\"a\\nb\"\n",
                ["a\nb", "a\nb", "\"a\\nb\"", "\"a\\nb\"", "a\\nb", "a\\nb"],
            ),
            (b"K=a$b\n", ["a$b", "a$b", "a$b", "a$b", "a$b", "?"]),
        ];
        for (line, want) in cases {
            assert_eq!(
                row(line),
                want.to_vec(),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn ids_round_trip() {
        for l in LOADERS {
            assert_eq!(Loader::from_id(l.id), Some(l.loader));
            assert_eq!(l.loader.info().id, l.id);
        }
        assert_eq!(Loader::from_id("nope"), None);
    }
}
