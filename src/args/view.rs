//! Arguments of `sl-doctor view`.

use super::{ColorWhen, Format};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `sl-doctor view`.
#[derive(Args, Debug, Clone)]
pub struct ViewArgs {
    /// The JSON report (from `--format json`, `--output` or a support bundle's
    /// report.json); `-` reads standard input.
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,

    /// How to show it: human (the default), markdown, github, junit or json.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,

    /// When to use colour (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorWhen,

    /// Use ASCII status symbols instead of ✔ ⚠ ✘ –.
    #[arg(long)]
    pub ascii: bool,

    /// Show every check with its findings and evidence (-v); -vv also the details of
    /// passing checks.
    #[arg(long, short, action = clap::ArgAction::Count)]
    pub verbose: u8,
}
