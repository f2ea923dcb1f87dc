//! systemd units: `Environment=` in `[Service]` (each line a list of assignments, quoted
//! as in systemd.syntax(7): quotes removed, C escapes decoded, `%%` for `%`) and
//! `EnvironmentFile=` (read as systemd reads it, `input::loaders`; a `-` prefix makes a
//! missing file no error). Assignments from `EnvironmentFile=` win over `Environment=`
//! (systemd.exec(5)). Not run here (no systemd): see docs/deploy.md.

use super::{Definition, DeployFile, Env};
use crate::input::loaders::{Delivered, Loader};
use crate::input::sources::InputError;
use crate::model::secret::SecretKey;
use std::path::PathBuf;

/// The `[Service]` settings of a unit: (key, value, line), continuation lines joined.
fn settings(text: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending: Option<(String, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let (mut acc, start) = pending.take().unwrap_or((String::new(), i + 1));
        if acc.is_empty() {
            let t = line.trim_start();
            if t.starts_with('#') || t.starts_with(';') || t.is_empty() {
                continue;
            }
            if t.starts_with('[') {
                section = t.trim().to_string();
                continue;
            }
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                acc.push_str(head);
                acc.push(' ');
                pending = Some((acc, start));
            }
            None => {
                acc.push_str(line);
                if section == "[Service]"
                    && let Some((k, v)) = acc.split_once('=')
                {
                    out.push((k.trim().to_string(), v.trim().to_string(), start));
                }
            }
        }
    }
    out
}

/// The words of an `Environment=` line: whitespace-separated, quotes removed, C escapes
/// decoded; `None` when a quote is not closed.
fn words(v: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '"' | '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        q if q == c => break,
                        '\\' => cur.push(unescape(chars.next()?)),
                        o => cur.push(o),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(unescape(chars.next()?));
            }
            o => {
                in_word = true;
                cur.push(o);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    Some(out)
}

fn unescape(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        o => o,
    }
}

/// `%%` becomes `%`; any other specifier is expanded by systemd from the machine.
fn specifiers(v: &str) -> Delivered {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            other => {
                return Delivered::Unknown(format!(
                    "systemd expands the specifier %{} from the machine it runs on",
                    other.map(String::from).unwrap_or_default()
                ));
            }
        }
    }
    Delivered::Value(SecretKey::from_string(out))
}

/// Reads a unit's `Environment=` and `EnvironmentFile=` settings.
pub fn read(file: &mut DeployFile, text: &str, env: &Env) -> Result<(), InputError> {
    let mut from_env: Option<Definition> = None;
    let mut from_file: Option<Definition> = None;
    for (key, value, line) in settings(text) {
        match key.as_str() {
            "Environment" => {
                let Some(ws) = words(&value) else { continue };
                let prefix = format!("{}=", env.name);
                if let Some(w) = ws.iter().rev().find(|w| w.starts_with(&prefix)) {
                    from_env = Some(Definition {
                        reader: "systemd (Environment=)".into(),
                        path: file.path.clone(),
                        line,
                        delivered: specifiers(&w[prefix.len()..]),
                        literal: true,
                        shadowed: None,
                        from_env: None,
                        exposure: None,
                    });
                }
            }
            "EnvironmentFile" => {
                let optional = value.starts_with('-');
                let path = PathBuf::from(value.trim_start_matches('-'));
                file.env_files.push(path.clone());
                let def = |delivered, path, line| Definition {
                    reader: "systemd (EnvironmentFile=)".into(),
                    path,
                    line,
                    delivered,
                    literal: false,
                    shadowed: None,
                    from_env: None,
                    exposure: None,
                };
                match env.env_file(&path, Loader::Systemd) {
                    Ok(Some((l, d))) => from_file = Some(def(d, path, l)),
                    Ok(None) => {}
                    Err(InputError::Missing { .. }) if !optional => {
                        from_file = Some(def(
                            Delivered::Nothing(format!(
                                "EnvironmentFile {} does not exist here (give it with --dotenv PATH --loader systemd to check it)",
                                path.display()
                            )),
                            file.path.clone(),
                            line,
                        ));
                    }
                    Err(InputError::Missing { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            _ => {}
        }
    }
    file.definitions.extend(from_file.or(from_env));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_words() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            ("A=1 B=2", Some(&["A=1", "B=2"])),
            ("\"A=a b\" B=2", Some(&["A=a b", "B=2"])),
            ("A=\"x\"", Some(&["A=x"])),
            ("'A=x\\ty'", Some(&["A=x\ty"])),
            ("\"A=open", None),
        ];
        for (line, want) in cases {
            let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(words(line), want, "{line}");
        }
    }

    #[test]
    fn service_settings_with_continuations_and_comments() {
        let unit = "[Unit]\nEnvironment=NOPE=1\n[Service]\n# c\nEnvironment=A=1 \\\n  B=2\nExecStart=/bin/true\n";
        let s = settings(unit);
        assert_eq!(s[0].0, "Environment");
        assert_eq!(s[0].2, 5);
        assert_eq!(words(&s[0].1).unwrap(), ["A=1", "B=2"]);
        assert_eq!(s.len(), 2);
    }
}
