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
/// decoded (systemd.syntax(7)), as bytes (`\xFF` is a raw byte). Like systemd, a quote
/// that is not closed or an escape it does not know ends the line: the words before it
/// are kept, that word and the rest are ignored ("Invalid syntax, ignoring").
fn words(v: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    let mut in_word = false;
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        let ok = match c {
            ' ' | '\t' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
                Some(())
            }
            '"' | '\'' => {
                in_word = true;
                quoted(c, &mut chars, &mut cur)
            }
            '\\' => {
                in_word = true;
                unescape(&mut chars, &mut cur)
            }
            o => {
                in_word = true;
                push_char(&mut cur, o);
                Some(())
            }
        };
        if ok.is_none() {
            return out;
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn push_char(out: &mut Vec<u8>, c: char) {
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
}

/// The rest of a word quoted with `q` (escapes decoded inside); `None` when it is not
/// closed or holds an escape systemd refuses.
fn quoted(q: char, chars: &mut Chars, cur: &mut Vec<u8>) -> Option<()> {
    loop {
        match chars.next()? {
            c if c == q => return Some(()),
            '\\' => unescape(chars, cur)?,
            o => push_char(cur, o),
        }
    }
}

/// The next `n` characters as a number in `radix`, when they all are its digits.
fn digits(chars: &mut Chars, n: usize, radix: u32) -> Option<u32> {
    let mut v = 0u32;
    for _ in 0..n {
        v = v * radix + chars.next()?.to_digit(radix)?;
    }
    Some(v)
}

/// Decodes the escape after a backslash into `cur`, as systemd's `cunescape_one` does:
/// `\a \b \f \n \r \t \v \\ \" \' \s`, `\xNN` and octal `\NNN` (a byte), `\uNNNN`
/// and `\UNNNNNNNN` (a code point, UTF-8 encoded). A NUL, an unknown escape or a
/// backslash at the end is refused (`None`).
fn unescape(chars: &mut Chars, cur: &mut Vec<u8>) -> Option<()> {
    let simple = |c| match c {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        's' => Some(' '),
        '\\' | '"' | '\'' => Some(c),
        _ => None,
    };
    let c = chars.next()?;
    if let Some(d) = simple(c) {
        push_char(cur, d);
        return Some(());
    }
    let byte = match c {
        'x' => digits(chars, 2, 16)?,
        '0'..='7' => c.to_digit(8)? * 64 + digits(chars, 2, 8)?,
        'u' | 'U' => {
            let n = digits(chars, if c == 'u' { 4 } else { 8 }, 16)?;
            let ch = char::from_u32(n).filter(|&ch| ch != '\0')?;
            push_char(cur, ch);
            return Some(());
        }
        _ => return None,
    };
    let byte = u8::try_from(byte).ok().filter(|&b| b != 0)?;
    cur.push(byte);
    Some(())
}

/// `%%` becomes `%`; any other specifier is expanded by systemd from the machine.
fn specifiers(v: &[u8]) -> Delivered {
    let mut out = Vec::with_capacity(v.len());
    let mut bytes = v.iter();
    while let Some(&b) = bytes.next() {
        if b != b'%' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'%') => out.push(b'%'),
            other => {
                let spec = other.map(|&b| char::from(b).to_string());
                return Delivered::Unknown(format!(
                    "systemd expands the specifier %{} from the machine it runs on",
                    spec.filter(|s| s.chars().all(|c| c.is_ascii_graphic()))
                        .unwrap_or_default()
                ));
            }
        }
    }
    Delivered::Value(SecretKey::from_bytes(out))
}

/// Reads a unit's `Environment=` and `EnvironmentFile=` settings.
pub fn read(file: &mut DeployFile, text: &str, env: &Env) -> Result<(), InputError> {
    let mut from_env: Option<Definition> = None;
    let mut from_file: Option<Definition> = None;
    for (key, value, line) in settings(text) {
        match key.as_str() {
            "Environment" => {
                let ws = words(&value);
                let prefix = format!("{}=", env.name);
                let prefix = prefix.as_bytes();
                if let Some(w) = ws.iter().rev().find(|w| w.starts_with(prefix)) {
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
    match (from_file, from_env) {
        (Some(f), env) => {
            file.definitions.push(f);
            file.overridden.extend(env);
        }
        (None, env) => file.definitions.extend(env),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_words() {
        let cases: &[(&str, &[&[u8]])] = &[
            ("A=1 B=2", &[b"A=1", b"B=2"]),
            ("\"A=a b\" B=2", &[b"A=a b", b"B=2"]),
            ("A=\"x\"", &[b"A=x"]),
            ("'A=x\\ty'", &[b"A=x\ty"]),
            // systemd.syntax(7)'s C escapes, in and out of quotes.
            ("A=k\\x20", &[b"A=k "]),
            ("\"A=k\\x20\"", &[b"A=k "]),
            (
                "A=\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'\\s",
                &[b"A=\x07\x08\x0c\n\r\t\x0b\\\"' "],
            ),
            ("A=\\101\\x42\\u0043\\U00000044", &[b"A=ABCD"]),
            ("A=\\u00e9 B=\\xe9", &[b"A=\xc3\xa9", b"B=\xe9"]),
            // What systemd refuses ends the line: the words before it are kept.
            ("\"A=open", &[]),
            ("B=1 A=\\q C=3", &[b"B=1"]),
            ("B=1 A=\\x0 C=3", &[b"B=1"]),
            ("B=1 A=\\x00", &[b"B=1"]),
            ("B=1 A=\\400", &[b"B=1"]),
            ("B=1 A=x\\", &[b"B=1"]),
        ];
        for (line, want) in cases {
            let want: Vec<Vec<u8>> = want.iter().map(|w| w.to_vec()).collect();
            assert_eq!(words(line), want, "{line}");
        }
    }

    #[test]
    fn service_settings_with_continuations_and_comments() {
        let unit = "[Unit]\nEnvironment=NOPE=1\n[Service]\n# c\nEnvironment=A=1 \\\n  B=2\nExecStart=/bin/true\n";
        let s = settings(unit);
        assert_eq!(s[0].0, "Environment");
        assert_eq!(s[0].2, 5);
        assert_eq!(words(&s[0].1), [b"A=1".to_vec(), b"B=2".to_vec()]);
        assert_eq!(s.len(), 2);
    }
}
