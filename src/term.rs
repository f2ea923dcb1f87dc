//! The one terminal style: the status symbols (✔ ⚠ ✘ – ?, with an ASCII fallback) and
//! colour on or off, shared by the check, capture and scan renderers. Whether to paint
//! is decided per stream by the caller (`use_color`); renderers only ask `Term`.

use crate::args::ColorWhen;
use colored::{Color, Colorize};
use sl_doctor_checks::model::report::{Severity, Status};
use std::ffi::OsStr;
use std::io::IsTerminal;

/// How text is written to a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Term {
    /// Paint with ANSI colours.
    pub color: bool,
    /// ASCII symbols instead of Unicode ones.
    pub ascii: bool,
    /// Wrap lines to this many columns; `None` keeps every line whole (a pipe, a file, a
    /// CI log: whatever reads it does its own wrapping, and a grep finds whole lines).
    pub width: Option<usize>,
}

/// Narrower than this, wrapping helps nobody: lines are kept whole.
const MIN_WIDTH: usize = 20;

/// The width to wrap a stream to: none when it is not a terminal; on a terminal,
/// `COLUMNS` when it is set to a number (as the shell sets it, and as a user can, e.g.
/// for a narrow pane), else the terminal's own width, else 80.
pub fn wrap_width(is_tty: bool, columns: Option<&OsStr>, measured: Option<u16>) -> Option<usize> {
    if !is_tty {
        return None;
    }
    let from_env = columns
        .and_then(|c| c.to_str())
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    let width = from_env
        .or(measured.map(usize::from).filter(|&w| w > 0))
        .unwrap_or(80);
    (width >= MIN_WIDTH).then_some(width)
}

/// [`wrap_width`] for standard error.
pub fn stderr_width() -> Option<usize> {
    stream_width(std::io::stderr().is_terminal(), console::Term::stderr)
}

/// [`wrap_width`] of a stream that `is_tty` says is a terminal or not: its size is asked
/// only of a terminal (each question is a system call, and most runs write to a pipe).
fn stream_width(is_tty: bool, term: fn() -> console::Term) -> Option<usize> {
    let measured = is_tty.then(|| term().size_checked()).flatten();
    wrap_width(
        is_tty,
        std::env::var_os("COLUMNS").as_deref(),
        measured.map(|(_, w)| w),
    )
}

/// What may open a line before its text, in the order they appear: a status symbol (both
/// forms), a number (`2. `), a label. A wrapped line continues under the text that
/// follows them (a hanging indent), so the symbols and labels stand out.
const SYMBOLS: [&str; 11] = [
    "✔", "⚠", "✘", "–", "?", "•", "[ok]", "[!!]", "[XX]", "[--]", "[??]",
];
const LABELS: [&str; 9] = [
    "fix   ", "proof ", "fix: ", "- ", "checks ", "[i] ", "key     ", "target  ", "url     ",
];

/// The column a line's wrapped continuation starts at.
fn hanging_indent(plain: &str) -> usize {
    let lead = plain.len() - plain.trim_start_matches(' ').len();
    let mut rest = &plain[lead..];
    let mut col = lead;
    if let Some((sym, after)) = SYMBOLS
        .iter()
        .find_map(|s| rest.strip_prefix(s).map(|a| (*s, a)))
        .filter(|(_, a)| a.starts_with(' '))
    {
        col += textwrap::core::display_width(sym) + 1;
        rest = &after[1..];
    }
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && rest[digits..].starts_with(". ") {
        col += digits + 2;
        rest = &rest[digits + 2..];
    }
    if let Some(label) = LABELS.iter().find(|l| rest.starts_with(**l)) {
        col += label.len();
    } else if let Some(id_column) = id_column(rest) {
        col += id_column;
    }
    col
}

/// An id followed by two or more spaces (`url-format      The URL…`, a table row): the
/// column of the text after it, so a wrapped row continues in its own column.
fn id_column(rest: &str) -> Option<usize> {
    let id = rest
        .bytes()
        .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        .count();
    let spaces = rest[id..].bytes().take_while(|b| *b == b' ').count();
    (id > 0 && spaces >= 2).then_some(id + spaces)
}

/// One line wrapped to `width`, continued under its text.
fn wrap_line(line: &str, width: usize) -> String {
    let plain = console::strip_ansi_codes(line);
    if textwrap::core::display_width(&plain) <= width {
        return line.to_string();
    }
    let lead = line.len() - line.trim_start_matches(' ').len();
    let mut hang = hanging_indent(&plain);
    if hang > width / 2 {
        hang = lead.min(width / 2);
    }
    let first = " ".repeat(lead);
    let next = " ".repeat(hang);
    let opts = textwrap::Options::new(width)
        .initial_indent(&first)
        .subsequent_indent(&next)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(&line[lead..], opts).join("\n")
}

/// Whether to paint a stream: only a terminal, never with NO_COLOR or --color never.
pub fn use_color(when: ColorWhen, is_tty: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

impl Term {
    /// The style of standard output: colour when `when` says so for it, its wrap width.
    pub fn stdout(when: ColorWhen, ascii: bool) -> Term {
        let tty = std::io::stdout().is_terminal();
        Term {
            color: use_color(when, tty),
            ascii,
            width: stream_width(tty, console::Term::stdout),
        }
    }

    /// The style of standard error.
    pub fn stderr(when: ColorWhen, ascii: bool) -> Term {
        let tty = std::io::stderr().is_terminal();
        Term {
            color: use_color(when, tty),
            ascii,
            width: stream_width(tty, console::Term::stderr),
        }
    }

    /// `s` in colour `c`, when painting.
    pub fn paint(&self, s: &str, c: Color) -> String {
        if self.color {
            s.color(c).to_string()
        } else {
            s.to_string()
        }
    }

    /// `s` in bold, when painting.
    pub fn bold(&self, s: &str) -> String {
        if self.color {
            s.bold().to_string()
        } else {
            s.to_string()
        }
    }

    /// `s` dimmed, when painting.
    pub fn dim(&self, s: &str) -> String {
        if self.color {
            s.dimmed().to_string()
        } else {
            s.to_string()
        }
    }

    /// The symbol of a status, painted: the one symbol table of every report.
    pub fn status(&self, s: Status) -> String {
        let (uni, ascii, color) = match s {
            Status::Pass => ("✔", "[ok]", Color::Green),
            Status::Warn => ("⚠", "[!!]", Color::Yellow),
            Status::Fail => ("✘", "[XX]", Color::Red),
            Status::Skip => ("–", "[--]", Color::BrightBlack),
            Status::Error => ("?", "[??]", Color::Magenta),
        };
        self.paint(if self.ascii { ascii } else { uni }, color)
    }

    /// The symbol of a finding's severity (an info finding gets a bullet).
    pub fn severity(&self, s: Severity) -> String {
        match s {
            Severity::Fail => self.status(Status::Fail),
            Severity::Warn => self.status(Status::Warn),
            Severity::Info => self.paint(if self.ascii { "[i]" } else { "•" }, Color::Cyan),
        }
    }

    /// `text` with each line wrapped to the width, when there is one (ids, URLs and
    /// other words longer than the width are kept whole).
    pub fn wrap(&self, text: &str) -> String {
        let Some(width) = self.width else {
            return text.to_string();
        };
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        for line in text.split_inclusive('\n') {
            let (body, nl) = match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, ""),
            };
            out.push_str(&wrap_line(body, width));
            out.push_str(nl);
        }
        out
    }

    /// The separator between the parts of a line.
    pub fn sep(&self) -> &'static str {
        if self.ascii { " - " } else { " · " }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_comes_from_columns_then_the_terminal_and_never_for_a_pipe() {
        let c = |s: &str| Some(OsStr::new(s).to_owned());
        // (a terminal, COLUMNS, the measured width, the width to wrap to)
        type Case = (bool, Option<std::ffi::OsString>, Option<u16>, Option<usize>);
        let cases: &[Case] = &[
            (false, c("60"), Some(100), None),
            (true, c("60"), Some(100), Some(60)),
            (true, None, Some(100), Some(100)),
            (true, None, None, Some(80)),
            (true, c("junk"), Some(90), Some(90)),
            (true, c("0"), None, Some(80)),
            (true, c("12"), None, None),
        ];
        for (tty, cols, measured, want) in cases {
            assert_eq!(
                wrap_width(*tty, cols.as_deref(), *measured),
                *want,
                "{tty} {cols:?} {measured:?}"
            );
        }
    }

    #[test]
    fn lines_wrap_under_their_text_and_keep_long_words() {
        let t = Term {
            width: Some(30),
            ..Term::default()
        };
        let cases = [
            ("short line\n", "short line\n"),
            (
                "✘ 1. The key has extra whitespace or a line break\n",
                "✘ 1. The key has extra\n     whitespace or a line\n     break\n",
            ),
            (
                "     fix   Remove the spaces or tabs around the key\n",
                "     fix   Remove the spaces\n           or tabs around the\n           key\n",
            ),
            (
                "    ✘ key-file-permissions: readable by others\n",
                "    ✘ key-file-permissions:\n      readable by others\n",
            ),
            (
                "  ✔ url  The URL is well formed, ok\n",
                "  ✔ url  The URL is well\n         formed, ok\n",
            ),
            // A hanging indent past half the width would leave a thin column: the line
            // continues at its own indent instead.
            (
                "    ✔ url-format  The URL is well formed\n",
                "    ✔ url-format  The URL is\n    well formed\n",
            ),
            (
                "see https://api2.saleslayer.com/catalog/rest/Catalog/$metadata now",
                "see\nhttps://api2.saleslayer.com/catalog/rest/Catalog/$metadata\nnow",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(t.wrap(text), want, "{text:?}");
        }
        let wide = Term::default();
        assert_eq!(
            wide.wrap(cases[1].0),
            cases[1].0,
            "no width: lines stay whole"
        );
    }

    #[test]
    fn colour_codes_do_not_count_as_width() {
        let t = Term {
            width: Some(24),
            color: true,
            ..Term::default()
        };
        let line = format!(
            "{} {}",
            t.status(Status::Fail),
            t.bold("1. The key is wrapped in quotes")
        );
        let wrapped = t.wrap(&line);
        for l in wrapped.lines() {
            assert!(
                textwrap::core::display_width(&console::strip_ansi_codes(l)) <= 24,
                "{wrapped:?}"
            );
        }
        assert_eq!(
            console::strip_ansi_codes(&wrapped),
            "✘ 1. The key is wrapped\n     in quotes"
        );
    }
}
