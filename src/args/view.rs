//! Arguments of `sl-doctor view`.

use super::{Display, Format};
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

    /// How long to wait for a pipe (`view -`, `view <(…)`) to deliver the report, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0, value_parser = super::parse_secs)]
    pub deadline: f64,

    #[command(flatten)]
    pub display: Display,
}
