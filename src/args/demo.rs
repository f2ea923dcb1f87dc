//! The command line of `sl-doctor demo` (clap definitions only).

use super::{Display, Format};
use clap::Args;

/// Options of `demo`.
#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Report format on standard output.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,

    #[command(flatten)]
    pub display: Display,
}
