//! The command line of `sl-doctor support` (clap definitions only).

use super::CheckArgs;
use clap::{Args, ValueEnum};

/// Options of `support`: the check options (reused) plus the email fields.
#[derive(Args, Debug, Clone)]
pub struct SupportArgs {
    /// Write the bundle and the email even when the diagnosis says you can fix the
    /// problem yourself (without it, sl-doctor asks on a terminal and refuses elsewhere).
    #[arg(long)]
    pub anyway: bool,

    /// Customer or account name.
    #[arg(long, value_name = "NAME", help_heading = "Email")]
    pub account: Option<String>,

    /// Environment the key is for (e.g. production, staging).
    #[arg(long, value_name = "NAME", help_heading = "Email")]
    pub environment: Option<String>,

    /// API areas needed (default: the APIs whose answers the email is about, when the
    /// diagnosis names them).
    #[arg(long, value_enum, help_heading = "Email")]
    pub apis: Option<ApiAreas>,

    /// Short description of the use case.
    #[arg(long, value_name = "TEXT", help_heading = "Email")]
    pub use_case: Option<String>,

    /// Technical contact (name and email).
    #[arg(long, value_name = "CONTACT", help_heading = "Email")]
    pub contact: Option<String>,

    /// The check options: the diagnosis included in the bundle.
    #[command(flatten)]
    pub check: CheckArgs,
}

/// API areas, as Sales Layer support asks for them.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiAreas {
    /// DAM only.
    Dam,
    /// Catalog only.
    Catalog,
    /// DAM and Catalog.
    Both,
}

impl ApiAreas {
    /// As written in the email.
    pub fn label(self) -> &'static str {
        match self {
            ApiAreas::Dam => "DAM",
            ApiAreas::Catalog => "Catalog",
            ApiAreas::Both => "both (DAM and Catalog)",
        }
    }
}
