//! The one terminal style: the status symbols (✔ ⚠ ✘ – ?, with an ASCII fallback) and
//! colour on or off, shared by the check, capture and scan renderers. Whether to paint
//! is decided per stream by the caller (`use_color`); renderers only ask `Term`.

use crate::args::ColorWhen;
use colored::{Color, Colorize};
use sl_doctor_checks::model::report::{Severity, Status};

/// How text is written to a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Term {
    /// Paint with ANSI colours.
    pub color: bool,
    /// ASCII symbols instead of Unicode ones.
    pub ascii: bool,
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

    /// The separator between the parts of a line.
    pub fn sep(&self) -> &'static str {
        if self.ascii { " - " } else { " · " }
    }
}
