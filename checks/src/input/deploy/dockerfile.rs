//! Dockerfiles: `ENV NAME=value` (several pairs, shell-like quoting), the legacy
//! `ENV NAME value` (the rest of the line) and `ARG NAME=value`. A value set there is
//! baked into the image, readable by anyone who has it (`docker history`, `docker
//! inspect`). Quotes are removed and `\` escapes the next character, as the Dockerfile
//! reference describes; `$VAR` is substituted by the builder, so such a value is not
//! knowable here. Not run here (no Docker engine): see docs/deploy.md.

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

/// Reads the `ENV` and `ARG` instructions.
pub fn read(file: &mut DeployFile, text: &str, env: &Env) {
    for (ins, args, line) in instructions(text) {
        if ins != "ENV" && ins != "ARG" {
            continue;
        }
        let legacy = ins == "ENV" && !args.split_whitespace().next().unwrap_or("").contains('=');
        let value = if legacy {
            match args.split_once(char::is_whitespace) {
                Some((k, v)) if k == env.name => Some(v.trim().to_string()),
                _ => None,
            }
        } else {
            pairs(&args).and_then(|ps| {
                ps.into_iter()
                    .rev()
                    .find(|(k, _)| k == env.name)
                    .map(|(_, v)| v)
            })
        };
        let Some(value) = value else { continue };
        let delivered = if value.contains('$') {
            Delivered::Unknown("the builder substitutes `$…` in the value".into())
        } else {
            Delivered::Value(SecretKey::from_string(value))
        };
        file.definitions.push(Definition {
            reader: format!("Dockerfile ({ins})"),
            path: file.path.clone(),
            line,
            delivered,
            literal: true,
        });
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
