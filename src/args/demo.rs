//! The command line of `sl-doctor demo` (clap definitions only).

use super::{ColorWhen, Format};
use clap::Args;

/// Options of `demo`.
#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Report format on standard output.
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
