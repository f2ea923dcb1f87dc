//! The command line of `sl-doctor fingerprint` (clap definitions only).

use clap::Args;

/// Options of `fingerprint`.
#[derive(Args, Debug, Clone)]
pub struct FingerprintArgs {
    /// Where the key comes from (the same flags as `check`). With none of them set and no
    /// key found, a terminal asks for the key without showing what you type.
    #[command(flatten)]
    pub keys: super::KeyArgs,

    /// A fingerprint to compare the key with, e.g. the one a support reply names:
    /// sha256: and 8 to 64 hex digits (12 in sl-doctor's reports; 64 as sha256sum prints).
    #[arg(value_name = "FINGERPRINT")]
    pub expected: Option<String>,

    /// Not an option of `fingerprint` (it prints lines for people): accepted only to be
    /// refused with a pointer to the JSON report, where clap's own tip named `--from`.
    #[arg(long, hide = true, value_name = "FORMAT", num_args = 0..=1, default_missing_value = "")]
    pub format: Option<String>,
}
