//! Dockerfiles: `ENV NAME=value` (several pairs, shell-like quoting), the legacy
//! `ENV NAME value` (the rest of the line) and `ARG NAME=value`. A value set there is
//! baked into the image, readable by anyone who has it (`docker history`, `docker
//! inspect`). Quotes are removed and `\` escapes the next character, as the Dockerfile
//! reference describes; `$VAR` and `${VAR}` are substituted from the `ARG`s and `ENV`s
//! before (another form, or a variable with no value in the file, is not knowable here).
//! The running container gets the last `ENV`; an `ARG` only exists during the build.
//! Not run here (no Docker engine): see docs/deploy.md.

use super::{Definition, DeployFile, Env};
use crate::input::loaders::Delivered;
use crate::model::secret::SecretKey;

/// The instructions of a Dockerfile: (instruction, arguments, line), continuations
/// (`\` at the end of a line) joined and comment lines dropped.
fn instructions(text: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut acc = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if acc.is_empty() {
            if line.trim_start().starts_with('#') || line.trim().is_empty() {
                continue;
            }
            start = i + 1;
        } else if line.trim_start().starts_with('#') {
            continue;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(head) => acc.push_str(head),
            None => {
                acc.push_str(line);
                let t = acc.trim_start();
                let (ins, args) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
                out.push((ins.to_ascii_uppercase(), args.trim().to_string(), start));
                acc.clear();
            }
        }
    }
    out
}

/// `NAME=value` words, quotes removed; `None` when a quote is not closed.
fn pairs(args: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = args.chars().peekable();
    let flush = |cur: &mut String, out: &mut Vec<(String, String)>| {
        if let Some((k, v)) = cur.split_once('=') {
            out.push((k.to_string(), v.to_string()));
        }
        cur.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => flush(&mut cur, &mut out),
            '"' | '\'' => loop {
                match chars.next()? {
                    q if q == c => break,
                    '\\' if c == '"' => cur.push(chars.next()?),
                    o => cur.push(o),
                }
            },
            '\\' => cur.push(chars.next()?),
            o => cur.push(o),
        }
    }
    flush(&mut cur, &mut out);
    Some(out)
}

/// One `ENV` or `ARG` of the key, in file order.
struct Set {
    env: bool,
    line: usize,
    delivered: Delivered,
    literal: bool,
    /// The `ARG` a `$NAME` in an `ENV` copies.
    copies_arg: bool,
}

/// The `NAME=value` pairs of one `ENV` or `ARG` instruction (`ARG NAME` alone has no
/// value: `None`).
fn instruction_pairs(ins: &str, args: &str) -> Vec<(String, Option<String>)> {
    let first = args.split_whitespace().next().unwrap_or("");
    if ins == "ENV" && !first.contains('=') {
        // The legacy `ENV NAME value`: the rest of the line.
        return match args.split_once(char::is_whitespace) {
            Some((k, v)) => vec![(k.to_string(), Some(v.trim().to_string()))],
            None => Vec::new(),
        };
    }
    if ins == "ARG" && !first.contains('=') {
        return vec![(first.to_string(), None)];
    }
    pairs(args)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, Some(v)))
        .collect()
}

/// A value as the builder substitutes it: `$NAME` and `${NAME}` from the `ARG`s and
/// `ENV`s before it; `None` for another `$…` form or a variable with no known value.
fn substitute(value: &str, known: &[(String, Option<String>)]) -> Option<String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        let (var, after) = match rest.strip_prefix('{') {
            Some(r) => {
                let end = r.find('}')?;
                (&r[..end], &r[end + 1..])
            }
            None => {
                let n = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                (&rest[..n], &rest[n..])
            }
        };
        if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let (_, v) = known.iter().rev().find(|(k, _)| k == var)?;
        out.push_str(v.as_deref()?);
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// Every `ENV` and `ARG` of the key, its value substituted as the builder does.
fn sets(text: &str, name: &str) -> Vec<Set> {
    let mut known: Vec<(String, Option<String>)> = Vec::new();
    let mut out = Vec::new();
    for (ins, args, line) in instructions(text) {
        if ins != "ENV" && ins != "ARG" {
            continue;
        }
        for (k, v) in instruction_pairs(&ins, &args) {
            let substituted = v.as_deref().and_then(|v| substitute(v, &known));
            if k == name {
                let raw = v.clone().unwrap_or_default();
                let delivered = match (&v, &substituted) {
                    (None, _) => Delivered::Unknown(
                        "`ARG` without a value: the builder takes it from `--build-arg`".into(),
                    ),
                    (Some(_), Some(s)) => Delivered::Value(SecretKey::from_string(s.clone())),
                    (Some(_), None) => {
                        Delivered::Unknown("the builder substitutes `$…` in the value".into())
                    }
                };
                out.push(Set {
                    env: ins == "ENV",
                    line,
                    delivered,
                    literal: v.is_some() && !raw.contains('$'),
                    copies_arg: raw.contains('$'),
                });
            }
            // `ARG NAME` alone keeps a value an earlier `ARG NAME=…` gave.
            if v.is_some() || !known.iter().any(|(n, _)| *n == k) {
                known.push((k, substituted));
            }
        }
    }
    out
}

/// Reads the `ENV` and `ARG` instructions. The running container gets the last `ENV`
/// of the key; an `ARG` exists only while the image is built, so it is the value only
/// when no `ENV` sets the key, and is said to be build-time only.
pub fn read(file: &mut DeployFile, text: &str, env: &Env) {
    let sets = sets(text, env.name);
    let last_env = sets.iter().rposition(|s| s.env);
    let env_line = last_env.map_or(0, |l| sets[l].line);
    for (i, s) in sets.into_iter().enumerate() {
        let reader = match (s.env, s.copies_arg) {
            (true, true) => {
                "Dockerfile (ENV, substituted from the ARG and ENV before it; a --build-arg changes an ARG)"
            }
            (true, false) => "Dockerfile (ENV)",
            (false, _) => {
                "Dockerfile (ARG: build time only, not in the running container unless an ENV copies it)"
            }
        };
        let mut d = Definition::new(
            reader.into(),
            file.path.clone(),
            s.line,
            s.delivered,
            s.literal,
        );
        d.shadowed = match last_env {
            Some(l) if l != i && s.env => Some(format!(
                "the ENV at line {env_line} replaces it for the running container"
            )),
            Some(_) if !s.env => Some(format!(
                "an ARG exists only while the image is built: the running container gets the ENV at line {env_line}"
            )),
            _ => None,
        };
        file.definitions.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_forms() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("K=v A=b", &[("K", "v"), ("A", "b")]),
            ("K=\"a b\" A='c'", &[("K", "a b"), ("A", "c")]),
            ("K=a\\ b", &[("K", "a b")]),
        ];
        for (args, want) in cases {
            let want: Vec<(String, String)> = want
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(pairs(args).unwrap(), want, "{args}");
        }
        let ins = instructions("# x\nFROM a\nENV K=v \\\n  B=c\nRUN x\n");
        assert_eq!(ins[1], ("ENV".into(), "K=v   B=c".into(), 3));
    }
}
