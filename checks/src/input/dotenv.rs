//! A raw `.env` reader that keeps what ordinary loaders hide.
//!
//! dotenvy (and python-dotenv, Node's dotenv) silently strip quotes, `export`, CRLF,
//! spaces around `=`, trailing spaces and inline comments. Other loaders do not: bash's
//! `source .env` keeps a trailing CR, `docker --env-file` keeps quotes literally. So we
//! read the bytes ourselves, compute the value the common dotenv loaders would produce,
//! and record every trait of the line that another loader may keep.

use crate::model::secret::SecretKey;

/// One `NAME=value` line.
#[derive(Debug, Clone)]
pub struct DotenvEntry {
    /// 1-based line number.
    pub line: usize,
    /// Variable name (without `export`).
    pub name: String,
    /// The value as dotenv-style loaders produce it (quotes, CR, comment, spaces removed).
    pub value: SecretKey,
    /// Everything after the first `=` up to the line feed, exactly as in the file.
    pub raw_value: SecretKey,
    /// The whole line up to the line feed (a CR kept), exactly as in the file: what the
    /// loaders that read a line their own way start from (`input::loaders`).
    pub raw_line: SecretKey,
    /// Line starts with `export `.
    pub export: bool,
    /// Whitespace before or after the `=`.
    pub space_around_eq: bool,
    /// The value is wrapped in this quote character.
    pub quote: Option<char>,
    /// The line ends with CR LF.
    pub crlf: bool,
    /// An unquoted value followed by ` # comment`.
    pub inline_comment: bool,
    /// An unquoted value with trailing spaces or tabs (before any comment).
    pub trailing_space: bool,
}

/// A parsed `.env` file.
#[derive(Debug, Clone)]
pub struct DotenvFile {
    /// Path as shown to the user (home as `~`).
    pub display: String,
    /// Starts with a UTF-8 byte order mark.
    pub bom: bool,
    /// Number of lines that end in CR LF.
    pub crlf_lines: usize,
    /// Number of lines.
    pub lines: usize,
    /// Every assignment, in file order.
    pub entries: Vec<DotenvEntry>,
    /// Lines that are neither blank, comments nor assignments (1-based).
    pub bad_lines: Vec<usize>,
}

impl DotenvFile {
    /// Parses the raw bytes of a file.
    pub fn parse(display: impl Into<String>, bytes: &[u8]) -> DotenvFile {
        let bom = bytes.starts_with(b"\xEF\xBB\xBF");
        let body = if bom { &bytes[3..] } else { bytes };
        let mut file = DotenvFile {
            display: display.into(),
            bom,
            crlf_lines: 0,
            lines: 0,
            entries: Vec::new(),
            bad_lines: Vec::new(),
        };
        for (i, raw_line) in body.split(|&b| b == b'\n').enumerate() {
            let line_no = i + 1;
            // A final empty piece after the last newline is not a line.
            if raw_line.is_empty() && i > 0 && body.ends_with(b"\n") && i == count_lines(body) {
                break;
            }
            file.lines += 1;
            let crlf = raw_line.ends_with(b"\r");
            if crlf {
                file.crlf_lines += 1;
            }
            let line = if crlf {
                &raw_line[..raw_line.len() - 1]
            } else {
                raw_line
            };
            let trimmed = trim_ascii_start(line);
            if trimmed.is_empty() || trimmed.starts_with(b"#") {
                continue;
            }
            match parse_assignment(trimmed, raw_line, line_no, crlf) {
                Some(e) => file.entries.push(e),
                None => file.bad_lines.push(line_no),
            }
        }
        file
    }

    /// Every definition of `name`, in file order.
    pub fn definitions<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a DotenvEntry> + 'a {
        self.entries.iter().filter(move |e| e.name == name)
    }

    /// The definition that shell-like and most dotenv loaders end up with: the last one.
    pub fn effective(&self, name: &str) -> Option<&DotenvEntry> {
        self.entries.iter().rfind(|e| e.name == name)
    }
}

fn count_lines(body: &[u8]) -> usize {
    body.iter().filter(|&&b| b == b'\n').count()
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| **c == b' ' || **c == b'\t').count();
    &b[n..]
}

fn trim_ascii_end(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rev()
        .take_while(|c| **c == b' ' || **c == b'\t')
        .count();
    &b[..b.len() - n]
}

fn parse_assignment(
    trimmed: &[u8],
    raw_line: &[u8],
    line: usize,
    crlf: bool,
) -> Option<DotenvEntry> {
    let (export, rest) = match trimmed.strip_prefix(b"export") {
        Some(r) if r.first().is_some_and(|c| *c == b' ' || *c == b'\t') => {
            (true, trim_ascii_start(r))
        }
        _ => (false, trimmed),
    };
    let eq = rest.iter().position(|&b| b == b'=')?;
    let name_part = &rest[..eq];
    let name = std::str::from_utf8(trim_ascii_end(name_part)).ok()?;
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    if !valid_name {
        return None;
    }
    let after_eq = &rest[eq + 1..];
    let space_around_eq = name_part.ends_with(b" ")
        || name_part.ends_with(b"\t")
        || after_eq.starts_with(b" ")
        || after_eq.starts_with(b"\t");
    // raw value: from the first '=' in the raw line, CR included, LF excluded.
    let raw_eq = raw_line.iter().position(|&b| b == b'=').unwrap_or(0);
    let raw_value = raw_line[raw_eq + 1..].to_vec();
    let v = trim_ascii_start(after_eq);
    let (value, quote, inline_comment, trailing_space) = match v.first() {
        Some(&q @ (b'"' | b'\'' | b'`')) => match closing_quote(&v[1..], q) {
            Some(end) => {
                let inner = &v[1..1 + end];
                let value = if q == b'"' {
                    unescape_double(inner)
                } else {
                    inner.to_vec()
                };
                (value, Some(q as char), false, false)
            }
            // Unterminated quote: loaders differ; keep the text as is.
            None => (trim_ascii_end(v).to_vec(), None, false, false),
        },
        _ => {
            // An inline comment starts at " #" in an unquoted value.
            let cut = v
                .windows(2)
                .position(|w| (w[0] == b' ' || w[0] == b'\t') && w[1] == b'#');
            let (body, comment) = match cut {
                Some(p) => (&v[..p], true),
                None => (v, false),
            };
            let trailing = !comment && (body.ends_with(b" ") || body.ends_with(b"\t"));
            (trim_ascii_end(body).to_vec(), None, comment, trailing)
        }
    };
    Some(DotenvEntry {
        line,
        name: name.to_string(),
        value: SecretKey::from_bytes(value),
        raw_value: SecretKey::from_bytes(raw_value),
        raw_line: SecretKey::from_bytes(raw_line.to_vec()),
        export,
        space_around_eq,
        quote,
        crlf,
        inline_comment,
        trailing_space,
    })
}

/// Index of the closing quote `q` in `v`; inside double quotes a backslash escapes the next byte.
fn closing_quote(v: &[u8], q: u8) -> Option<usize> {
    let mut i = 0;
    while i < v.len() {
        if q == b'"' && v[i] == b'\\' {
            i += 2;
            continue;
        }
        if v[i] == q {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn unescape_double(inner: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(inner.len());
    let mut it = inner.iter().copied();
    while let Some(b) = it.next() {
        if b == b'\\' {
            match it.next() {
                Some(b'n') => out.push(b'\n'),
                Some(b'r') => out.push(b'\r'),
                Some(b't') => out.push(b'\t'),
                Some(o) => out.push(o),
                None => out.push(b'\\'),
            }
        } else {
            out.push(b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &[u8]) -> DotenvEntry {
        let f = DotenvFile::parse(".env", src);
        assert_eq!(f.entries.len(), 1, "entries of {src:?}");
        f.entries.into_iter().next().unwrap()
    }

    #[test]
    fn values_as_dotenv_loaders_see_them() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"K=abc\n", b"abc"),
            (b"K=abc\r\n", b"abc"),
            (b"export K=abc\n", b"abc"),
            (b"K = abc  \n", b"abc"),
            (b"K=\"abc\"\n", b"abc"),
            (b"K='abc'\n", b"abc"),
            (b"K=abc # comment\n", b"abc"),
            (b"K=\"a\\\"b\"\n", b"a\"b"),
            (b"K=a+b/c=\n", b"a+b/c="),
            (b"K=\n", b""),
        ];
        for (src, want) in cases {
            assert_eq!(one(src).value.expose_bytes(), *want, "{src:?}");
        }
    }

    #[test]
    fn traits_loaders_hide_are_recorded() {
        let e = one(b"export K = \"abc\"\r\n");
        assert!(e.export && e.space_around_eq && e.crlf);
        assert_eq!(e.quote, Some('"'));
        assert_eq!(e.raw_value.expose_bytes(), b" \"abc\"\r");
        let e = one(b"K=abc  \n");
        assert!(e.trailing_space && !e.inline_comment);
        let e = one(b"K=abc # note\n");
        assert!(e.inline_comment);
    }

    #[test]
    fn bom_crlf_duplicates_and_bad_lines() {
        let f = DotenvFile::parse(".env", b"\xEF\xBB\xBFA=1\r\n# c\r\nnot a line\r\nA=2\r\n");
        assert!(f.bom);
        assert_eq!(f.crlf_lines, 4);
        assert_eq!(f.lines, 4);
        assert_eq!(f.bad_lines, vec![3]);
        assert_eq!(f.definitions("A").count(), 2);
        assert_eq!(f.effective("A").unwrap().line, 4);
    }

    #[test]
    fn non_utf8_value_is_kept_as_bytes() {
        let e = one(b"K=ab\xffcd\n");
        assert_eq!(e.value.expose_bytes(), b"ab\xffcd");
    }
}
