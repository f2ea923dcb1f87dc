//! `key-on-command-line`: the key was not given as a command-line argument.
//!
//! `--key VALUE` works (users ask for it), but the value is visible to every user of
//! the machine in the process list and lands in shell history and CI logs.

use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::Finding;

crate::check! {
    /// The `key-on-command-line` check.
    KeyOnCommandLine: "key-on-command-line", Security, "The key is not passed on the command line",
    codes: &[KEY_IN_ARGV],
}

pub const KEY_IN_ARGV: Code = Code::warn(
    "key-in-argv",
    "The key was given with `--key`: visible in the process list, shell history and CI logs",
);

impl KeyOnCommandLine {
    async fn run(&self, cx: &Context) -> Result<Outcome, Skipped> {
        if !cx.key.from_flag() {
            return Ok(Outcome::pass("The key was not given on the command line"));
        }
        Ok(Outcome::from_findings(
            "The key was given with --key",
            vec![
                Finding::new(
                    KEY_IN_ARGV,
                    "A key given with --key is visible to other users in the process list and is saved in shell history and CI logs",
                )
                .with_fix(format!(
                    "Pass the key in the {} environment variable, with --key-file PATH or with --key-stdin instead; if this command line was shared or logged, ask Sales Layer support to rotate the key.",
                    cx.key.env_name
                )),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::FoundKey;
    use crate::model::report::{SourceKind, SourceRef};
    use crate::model::secret::SecretKey;
    use crate::testing_support::{cx_with_key, run};

    #[test]
    fn flag_is_flagged_env_is_not() {
        let cx = cx_with_key(b"k");
        assert_eq!(run(&KeyOnCommandLine, &cx).unwrap().findings.len(), 0);
        let mut cx = cx_with_key(b"k");
        cx.key.candidates.insert(
            0,
            FoundKey {
                source: SourceRef {
                    kind: SourceKind::Flag,
                    name: "--key".into(),
                },
                value: SecretKey::from_string("k".into()),
                path: None,
            },
        );
        let o = run(&KeyOnCommandLine, &cx).unwrap();
        insta::assert_yaml_snapshot!(o);
    }
}
