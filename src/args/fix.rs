//! The command line of `sl-doctor fix` (clap definitions only).

use super::CheckArgs;
use clap::{Args, ValueEnum};

/// Options of `fix`: the check options (the same key sources and network options as the
/// doctor) plus how to apply the repair.
#[derive(Args, Debug, Clone)]
pub struct FixArgs {
    /// Apply the repair without asking (needed off a terminal: without it, `fix` only
    /// shows the change and exits 1).
    #[arg(long, short = 'y', help_heading = "Fix")]
    pub yes: bool,

    /// Write the repaired key to standard output instead of editing a file, for a key that
    /// lives elsewhere (`sl-doctor fix --emit | gh secret set SALESLAYER_API_KEY`). Refused
    /// when standard output is a terminal: the one case where sl-doctor outputs the key.
    #[arg(long, help_heading = "Fix", conflicts_with_all = ["backup", "line_endings"])]
    pub emit: bool,

    /// Edit the file a symbolic link points to (refused by default).
    #[arg(long, help_heading = "Fix")]
    pub follow_symlinks: bool,

    /// Keep a copy of the file as it was in FILE.sl-doctor-backup (created 0600; it holds
    /// the old key). Without it no copy is left anywhere.
    #[arg(long, help_heading = "Fix")]
    pub backup: bool,

    /// Line endings of an edited .env file: `keep` the file's own, or convert every line
    /// of it to `lf` (a shell that sources the file keeps a CR in the value; docker,
    /// compose, systemd and the dotenv libraries read CR LF as LF).
    #[arg(long, value_enum, value_name = "HOW", help_heading = "Fix")]
    pub line_endings: Option<LineEndings>,

    /// The check options: the diagnosis before and after the repair.
    #[command(flatten)]
    pub check: CheckArgs,
}

/// `--line-endings`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEndings {
    /// The file's own line endings (the repaired line gets those of its neighbours).
    Keep,
    /// LF on every line of the file: the one change outside the key's line.
    Lf,
}
