//! The edits `fix` makes, as pure functions of the file's bytes: the key's `.env` line
//! rewritten (every other byte unchanged), or a key file's whole contents.
//!
//! A `.env` line is written as `[export ]NAME=value`: no quotes, no spaces around `=`,
//! no inline comment; the `export` goes when the reader of the file (`--loader`) sets
//! nothing from a line that has it (docker, kubectl and systemd, by the loader table). That one form is read identically by `docker run --env-file`
//! (which keeps quotes, spaces and `# comments` as part of the value), compose's
//! `env_file` and the dotenv libraries (which remove quotes and cut at ` #`; the libraries
//! expand `$VAR`), and systemd's `EnvironmentFile` (which treats a backslash and quotes
//! specially) — provided the value holds no space, `#`, quote, `$` or backslash. A value
//! that does is refused, not quoted: no quoting is read the same by all of them. The
//! readers' rules are the loader table (`sl_doctor_checks::input::loaders`).

use crate::args::LineEndings;
use sl_doctor_checks::input::dotenv::{DotenvEntry, DotenvFile};
use sl_doctor_checks::input::loaders::{self, Delivered, LOADERS, Loader};
use sl_doctor_checks::model::prose::join_names;
use sl_doctor_checks::model::secret::SecretKey;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A `.env` edit: the new file and what changed, for the diff.
#[derive(Debug)]
pub struct DotenvEdit {
    /// The whole new file.
    pub bytes: Vec<u8>,
    /// 1-based number of the key's line.
    pub line: usize,
    /// The line before and after, for the redacted diff.
    pub before: LineShape,
    /// See `before`.
    pub after: LineShape,
    /// What else the user should know (other lines with the same name, CR LF…).
    pub notes: Vec<String>,
}

/// The parts of a `NAME=value` line that the diff shows; the value itself only as the
/// value loaders read (which the diff describes by length and fingerprint).
#[derive(Debug, Clone)]
pub struct LineShape {
    /// The line starts with a byte order mark (line 1 only).
    pub bom: bool,
    /// Spaces or tabs before the name.
    pub indent: bool,
    /// `export ` before the name.
    pub export: bool,
    /// The variable name (a validated `[A-Za-z0-9_.-]+`: safe to print).
    pub name: String,
    /// Spaces around the `=`.
    pub space_around_eq: bool,
    /// The quote character around the value.
    pub quote: Option<char>,
    /// Spaces or tabs after the value.
    pub trailing_space: bool,
    /// An inline `# comment` after the value (its text is not shown).
    pub comment: bool,
    /// The line ends with CR LF.
    pub crlf: bool,
    /// The value as loaders read it.
    pub value: SecretKey,
}

/// Why `fix` will not write the line.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The variable is not (or no longer) in the file.
    #[error("{0} is not set in the file")]
    NotInFile(String),
    /// The repaired value holds a character that the `.env` readers read differently.
    #[error(
        "the repaired key holds {what} at character {at} of {of}: docker --env-file, systemd's \
         EnvironmentFile and the dotenv libraries read such a value differently in every \
         quoting, so sl-doctor does not write it to a .env file; store it where the value is \
         taken as is (a key file: --key-file, or a secret store)"
    )]
    UnsafeForDotenv {
        /// The kind of character ("a dollar sign ($)").
        what: &'static str,
        /// 1-based character position.
        at: usize,
        /// Length in characters.
        of: usize,
    },
    /// The value opens a quote that a later line closes: one value across lines to the
    /// dotenv libraries, the first line alone to docker and systemd. Rewriting the first
    /// line would leave the rest of the value (and its quote) as a dangling line.
    #[error(
        "the value of {name} opens a quote on line {line} that closes on line {closes}: the \
         dotenv libraries read one value across those lines (line breaks included), docker \
         --env-file and systemd read line {line} alone, so sl-doctor does not edit it; write \
         the key on one line, without quotes ({name}=value), and run sl-doctor again"
    )]
    SpansLines {
        /// The variable.
        name: String,
        /// The line that opens the quote.
        line: usize,
        /// The line that closes it.
        closes: usize,
    },
}

/// Rewrites the line that defines `name` (the last definition, the one the doctor read)
/// so that it holds `value` in the one portable form; every other byte stays, except
/// with `--line-endings lf`, which turns every CR LF of the file into LF. An `export`
/// stays unless `loader` sets nothing from the line with it.
pub fn dotenv(
    bytes: &[u8],
    name: &str,
    value: &SecretKey,
    endings: Option<LineEndings>,
    loader: Loader,
) -> Result<DotenvEdit, Refusal> {
    let file = DotenvFile::parse("", bytes);
    let entry = file
        .effective(name)
        .ok_or_else(|| Refusal::NotInFile(name.to_string()))?;
    check_portable(value)?;
    let body_start = if file.bom { BOM.len() } else { 0 };
    let (start, end) = line_span(&bytes[body_start..], entry.line);
    let (start, end) = (body_start + start, body_start + end);
    let raw_line = &bytes[start..end];
    if let Some(closes) = closing_line(entry, raw_line, &bytes[end..]) {
        return Err(Refusal::SpansLines {
            name: name.to_string(),
            line: entry.line,
            closes,
        });
    }
    let terminated = end < bytes.len();
    // The key's line keeps CR LF when its neighbours have it (a CR LF file), unless the
    // whole file goes to LF; a lone CR LF line in an LF file loses its CR.
    let crlf_file = mostly_crlf(&file);
    let to_lf = endings == Some(LineEndings::Lf);
    let keep_cr = !to_lf && crlf_file && terminated;
    let drop_bom = file.bom && entry.line == 1;
    let export_refused = refuses_export(loader, entry);
    let mut line = Vec::new();
    if entry.export && export_refused.is_none() {
        line.extend_from_slice(b"export ");
    }
    line.extend_from_slice(name.as_bytes());
    line.push(b'=');
    line.extend_from_slice(value.expose_bytes());
    if keep_cr {
        line.push(b'\r');
    }
    let head = if drop_bom {
        &bytes[BOM.len()..start]
    } else {
        &bytes[..start]
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&lf(head, to_lf));
    out.extend_from_slice(&line);
    out.extend_from_slice(&lf(&bytes[end..], to_lf));
    let before = shape(entry, raw_line, drop_bom);
    let mut after = shape(entry, &line, false);
    after.value = value.clone();
    let mut notes = notes(&file, entry, crlf_file, endings);
    if let Some(why) = export_refused {
        notes.insert(0, format!("`export` removed: {why}"));
    }
    Ok(DotenvEdit {
        bytes: out,
        line: entry.line,
        notes,
        before,
        after,
    })
}

/// Why `loader` sets nothing from the `export` line `entry` (its own words, from the
/// loader table's rule), when it does not.
fn refuses_export(loader: Loader, entry: &DotenvEntry) -> Option<String> {
    if !entry.export {
        return None;
    }
    match loaders::deliver(loader, entry) {
        Delivered::Nothing(why) => Some(why),
        _ => None,
    }
}

/// When the entry's value opens a quote its line does not close (the reader kept it as
/// text) and a later line holds that quote: the 1-based number of that line.
fn closing_line(entry: &DotenvEntry, raw_line: &[u8], rest: &[u8]) -> Option<usize> {
    let value = &raw_line[raw_line.iter().position(|&b| b == b'=')? + 1..];
    let q = *value.trim_ascii_start().first()?;
    if entry.quote.is_some() || !matches!(q, b'"' | b'\'' | b'`') {
        return None;
    }
    let later = rest
        .split(|&b| b == b'\n')
        .skip(1)
        .position(|l| l.contains(&q))?;
    Some(entry.line + 1 + later)
}

/// CR LF to LF in `b` when `to_lf`.
fn lf(b: &[u8], to_lf: bool) -> Vec<u8> {
    if !to_lf {
        return b.to_vec();
    }
    let mut out = Vec::with_capacity(b.len());
    for (i, &c) in b.iter().enumerate() {
        if !(c == b'\r' && b.get(i + 1) == Some(&b'\n')) {
            out.push(c);
        }
    }
    out
}

/// Start and end (the LF excluded) of the 1-based line `n` of `body`.
fn line_span(body: &[u8], n: usize) -> (usize, usize) {
    let mut start = 0;
    for _ in 1..n {
        match body[start..].iter().position(|&b| b == b'\n') {
            Some(p) => start += p + 1,
            None => break,
        }
    }
    let end = body[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(body.len(), |p| start + p);
    (start, end)
}

fn shape(entry: &DotenvEntry, raw_line: &[u8], bom: bool) -> LineShape {
    // Only the form of the line is read here; the value comes from the entry.
    let reparsed = DotenvFile::parse("", raw_line);
    let e = reparsed.entries.first().unwrap_or(entry);
    let tail = quoted_tail(raw_line, e.quote);
    LineShape {
        bom,
        indent: raw_line.first().is_some_and(|b| *b == b' ' || *b == b'\t'),
        export: e.export,
        name: e.name.clone(),
        space_around_eq: e.space_around_eq,
        quote: e.quote,
        trailing_space: e.trailing_space || tail.starts_with(b" ") || tail.starts_with(b"\t"),
        comment: e.inline_comment || tail.contains(&b'#'),
        crlf: raw_line.ends_with(b"\r"),
        value: e.value.clone(),
    }
}

/// What follows the closing quote of a quoted value (CR excluded); empty when unquoted.
fn quoted_tail(raw_line: &[u8], quote: Option<char>) -> &[u8] {
    let l = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
    match quote {
        Some(q) => l
            .iter()
            .rposition(|&b| b == q as u8)
            .map_or(&[][..], |p| &l[p + 1..]),
        None => &[],
    }
}

/// A `.env` whose lines mostly end with CR LF: its key line keeps CR LF when rewritten,
/// so only `--line-endings lf` removes the CR.
fn mostly_crlf(file: &DotenvFile) -> bool {
    file.crlf_lines * 2 > file.lines
}

/// For a CR LF `.env` whose line needs no other change: who keeps the CR in the value and
/// the option that converts the file; `None` for a file of LF lines.
pub fn crlf_pointer(bytes: &[u8]) -> Option<String> {
    mostly_crlf(&DotenvFile::parse("", bytes)).then(|| {
        format!(
            "The file ends its lines with CR LF, which {} keeps in the value: \
             `sl-doctor fix --line-endings lf` converts them.\n",
            join_names(&readers_keeping_cr())
        )
    })
}

fn notes(
    file: &DotenvFile,
    entry: &DotenvEntry,
    crlf_file: bool,
    endings: Option<LineEndings>,
) -> Vec<String> {
    let mut notes = Vec::new();
    let others: Vec<String> = file
        .definitions(&entry.name)
        .filter(|e| e.line != entry.line)
        .map(|e| e.line.to_string())
        .collect();
    if !others.is_empty() {
        notes.push(format!(
            "{} also set on line {}: left unchanged (loaders disagree on which one wins; \
             remove the others)",
            entry.name,
            others.join(", ")
        ));
    }
    if crlf_file && endings.is_none() {
        notes.push(format!(
            "the file ends its lines with CR LF, and {} keeps the CR at the end of an unquoted \
             value (the other readers read CR LF as LF): --line-endings lf converts the whole file",
            join_names(&readers_keeping_cr())
        ));
    }
    notes
}

/// The readers of the loader table that keep the CR of a CR LF line in the value, as the
/// table's own rules deliver `NAME=value` CR LF (so the note cannot disagree with it).
fn readers_keeping_cr() -> Vec<&'static str> {
    let file = DotenvFile::parse("", b"NAME=value\r\n");
    let Some(entry) = file.definitions("NAME").next() else {
        return Vec::new();
    };
    LOADERS
        .iter()
        .filter(|l| {
            loaders::deliver(l.loader, entry)
                .value()
                .is_some_and(|v| v.expose_bytes().ends_with(b"\r"))
        })
        .map(|l| l.name)
        .collect()
}

/// Refuses a value that some `.env` reader would read differently when unquoted.
fn check_portable(value: &SecretKey) -> Result<(), Refusal> {
    let chars: Vec<char> = String::from_utf8_lossy(value.expose_bytes())
        .chars()
        .collect();
    let of = chars.len();
    if of == 0 {
        return Err(Refusal::UnsafeForDotenv {
            what: "nothing (it is empty)",
            at: 0,
            of,
        });
    }
    for (i, &c) in chars.iter().enumerate() {
        let what = match c {
            ' ' | '\t' => "a space",
            '#' => "a number sign (#)",
            '"' | '\'' | '`' => "a quote",
            '$' => "a dollar sign ($)",
            '\\' => "a backslash (\\)",
            c if !c.is_ascii_graphic() => "a character outside printable ASCII",
            _ => continue,
        };
        return Err(Refusal::UnsafeForDotenv {
            what,
            at: i + 1,
            of,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: &str = "SALESLAYER_API_KEY";
    const V: &str = "abcDEF123+/=xyz";

    fn edit(src: &str, endings: Option<LineEndings>) -> Result<DotenvEdit, Refusal> {
        dotenv(
            src.as_bytes(),
            K,
            &SecretKey::from_string(V.into()),
            endings,
            Loader::Dotenv,
        )
    }

    fn written(src: &str, endings: Option<LineEndings>) -> String {
        String::from_utf8(edit(src, endings).unwrap().bytes).unwrap()
    }

    #[test]
    fn only_the_keys_line_changes() {
        // (file, written file)
        let cases: &[(&str, &str)] = &[
            (
                "A=1\nSALESLAYER_API_KEY=\"abcDEF123+/=xyz \"\n# c\nB=2\n",
                "A=1\nSALESLAYER_API_KEY=abcDEF123+/=xyz\n# c\nB=2\n",
            ),
            (
                "SALESLAYER_API_KEY='abcDEF123+/=xyz'\nB='kept'\n",
                "SALESLAYER_API_KEY=abcDEF123+/=xyz\nB='kept'\n",
            ),
            (
                "export SALESLAYER_API_KEY = abcDEF123+/=xyz   # prod key\nB=2",
                "export SALESLAYER_API_KEY=abcDEF123+/=xyz\nB=2",
            ),
            // The last line without a newline stays without one.
            (
                "A=1\nSALESLAYER_API_KEY=\"x\"",
                "A=1\nSALESLAYER_API_KEY=abcDEF123+/=xyz",
            ),
            // Duplicates: the last definition (the one read) changes.
            (
                "SALESLAYER_API_KEY=old\nSALESLAYER_API_KEY=\"x\"\n",
                "SALESLAYER_API_KEY=old\nSALESLAYER_API_KEY=abcDEF123+/=xyz\n",
            ),
            // A CR LF file keeps CR LF; a lone CR LF line in an LF file loses its CR.
            (
                "A=1\r\nSALESLAYER_API_KEY=\"x\"\r\nB=2\r\n",
                "A=1\r\nSALESLAYER_API_KEY=abcDEF123+/=xyz\r\nB=2\r\n",
            ),
            (
                "A=1\nSALESLAYER_API_KEY=x\r\nB=2\n",
                "A=1\nSALESLAYER_API_KEY=abcDEF123+/=xyz\nB=2\n",
            ),
            // A BOM stays unless it is on the key's line.
            (
                "\u{feff}A=1\nSALESLAYER_API_KEY=x\n",
                "\u{feff}A=1\nSALESLAYER_API_KEY=abcDEF123+/=xyz\n",
            ),
            (
                "\u{feff}SALESLAYER_API_KEY=x\nA=1\n",
                "SALESLAYER_API_KEY=abcDEF123+/=xyz\nA=1\n",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(written(src, None), *want, "{src:?}");
        }
        assert_eq!(
            written(
                "A=1\r\nSALESLAYER_API_KEY=x\r\nB=2\r\n",
                Some(LineEndings::Lf)
            ),
            "A=1\nSALESLAYER_API_KEY=abcDEF123+/=xyz\nB=2\n"
        );
    }

    #[test]
    fn the_shapes_and_notes_describe_the_change() {
        let e = edit(
            "SALESLAYER_API_KEY=1\r\nSALESLAYER_API_KEY=\"x\" # c\r\n",
            None,
        )
        .unwrap();
        assert_eq!(e.line, 2);
        assert_eq!(e.before.quote, Some('"'));
        assert!(e.before.comment && e.before.crlf && !e.after.comment && e.after.crlf);
        assert_eq!(e.after.quote, None);
        assert_eq!(e.before.value.expose_bytes(), b"x");
        assert_eq!(e.after.value.expose_bytes(), V.as_bytes());
        assert!(e.notes[0].contains("line 1"), "{:?}", e.notes);
        assert!(e.notes[1].contains("--line-endings lf"), "{:?}", e.notes);
    }

    /// `export` stays for the readers that accept it and goes, with the reader's own
    /// reason in a note, for those that set nothing from such a line (the loader table).
    #[test]
    fn export_goes_only_for_a_reader_that_refuses_it() {
        let src = format!("export {K}=\"x\"\nB=2\n");
        for l in LOADERS {
            let e = dotenv(
                src.as_bytes(),
                K,
                &SecretKey::from_string(V.into()),
                None,
                l.loader,
            )
            .unwrap();
            let text = String::from_utf8(e.bytes).unwrap();
            let refused = matches!(l.loader, Loader::Docker | Loader::Kubectl | Loader::Systemd);
            let want = if refused { "" } else { "export " };
            assert_eq!(text, format!("{want}{K}={V}\nB=2\n"), "{}", l.id);
            assert_eq!(e.after.export, !refused, "{}", l.id);
            let note = e.notes.iter().find(|n| n.starts_with("`export` removed: "));
            assert_eq!(note.is_some(), refused, "{}: {:?}", l.id, e.notes);
        }
    }

    /// The CR LF note names the readers the loader table says keep the CR (a shell), and
    /// not those that read CR LF as LF (docker, systemd).
    #[test]
    fn the_crlf_note_agrees_with_the_loader_table() {
        let e = edit("SALESLAYER_API_KEY=\"x\"\r\n", None).unwrap();
        let note = e.notes.iter().find(|n| n.contains("CR LF")).unwrap();
        assert!(
            note.contains("a shell (set -a; . ./.env) keeps the CR"),
            "{note}"
        );
        assert!(
            !note.contains("docker") && !note.contains("systemd"),
            "{note}"
        );
    }

    /// A quoted value continued on later lines is refused whole: rewriting its first line
    /// would leave `…"` behind as a line of its own.
    #[test]
    fn a_value_quoted_across_lines_is_refused() {
        let cases = [
            ("K=\"abc\ndef\"\nX=1\n", Some(2)),
            ("X=1\nK='abc\r\n\r\ndef'\n", Some(4)),
            ("K=\"abc\nX=1\n", None),
            ("K=\"abc\"\nX=\"1\"\n", None),
        ];
        for (src, closes) in cases {
            let src = &src.replace("K=", &format!("{K}="));
            let got = edit(src, None);
            match closes {
                Some(n) => {
                    let e = got.expect_err(src);
                    assert!(
                        matches!(e, Refusal::SpansLines { closes, .. } if closes == n),
                        "{src:?}: {e}"
                    );
                    assert!(e.to_string().contains("write the key on one line"), "{e}");
                }
                None => assert!(got.is_ok(), "{src:?}"),
            }
        }
    }

    #[test]
    fn values_some_reader_reads_differently_are_refused() {
        for (value, what) in [
            ("ab cd", "a space"),
            ("ab#cd", "a number sign (#)"),
            ("ab\"cd", "a quote"),
            ("ab'cd", "a quote"),
            ("ab$cd", "a dollar sign ($)"),
            ("ab\\cd", "a backslash (\\)"),
            ("ab\u{200b}cd", "a character outside printable ASCII"),
        ] {
            let r = dotenv(
                b"SALESLAYER_API_KEY=x\n",
                K,
                &SecretKey::from_string(value.into()),
                None,
                Loader::Dotenv,
            );
            assert_eq!(
                r.unwrap_err(),
                Refusal::UnsafeForDotenv { what, at: 3, of: 5 },
                "{value:?}"
            );
        }
        assert!(matches!(edit("A=1\n", None), Err(Refusal::NotInFile(_))));
    }
}
