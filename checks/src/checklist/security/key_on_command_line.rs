//! `key-on-command-line`: the key was not given as a command-line argument.
//!
//! `--key VALUE` works (users ask for it), but the value is visible to every user of
//! the machine in the process list and lands in shell history and CI logs. A value that
//! holds no key (`--key ""`, often `--key "$VAR"` with VAR unset) exposes nothing: there
//! is nothing to rotate, and `key-empty` says what to pass instead.

use crate::analysis::value::no_key_in;
use crate::context::Context;
use crate::model::check::{Outcome, Skipped};
use crate::model::code::Code;
use crate::model::report::{Finding, SourceKind};

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
        let Some(given) = cx
            .key
            .candidates
            .iter()
            .find(|c| c.source.kind == SourceKind::Flag)
        else {
            return Ok(Outcome::pass("The key was not given on the command line"));
        };
        if no_key_in(&given.value) {
            return Ok(Outcome::pass(
                "--key was given no key (an empty value, or only quotes or whitespace): no secret is on the command line",
            ));
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
    use crate::model::report::SourceRef;
    use crate::model::secret::SecretKey;
    use crate::testing_support::{cx_with_key, run};

    /// The context of a run given `--key VALUE`.
    fn cx_flag(value: &str) -> Context {
        let mut cx = cx_with_key(b"k");
        cx.key.candidates.insert(
            0,
            FoundKey {
                source: SourceRef {
                    kind: SourceKind::Flag,
                    name: "--key".into(),
                },
                value: SecretKey::from_string(value.into()),
                path: None,
            },
        );
        cx
    }

    #[test]
    fn flag_is_flagged_env_is_not() {
        let cx = cx_with_key(b"k");
        assert_eq!(run(&KeyOnCommandLine, &cx).unwrap().findings.len(), 0);
        let o = run(&KeyOnCommandLine, &cx_flag("k")).unwrap();
        insta::assert_yaml_snapshot!(o);
    }

    #[test]
    fn a_flag_that_holds_no_key_exposes_nothing_to_rotate() {
        use crate::model::report::Status;
        for (value, status) in [
            ("", Status::Pass),
            ("\"\"", Status::Pass),
            ("  ", Status::Pass),
            ("k", Status::Warn),
            ("\"k\"", Status::Warn),
        ] {
            let o = run(&KeyOnCommandLine, &cx_flag(value)).unwrap();
            assert_eq!(o.status(), status, "{value:?}: {o:?}");
            // No "rotate the key" for a value that holds none.
            assert_eq!(o.findings.is_empty(), status == Status::Pass, "{value:?}");
        }
    }
}
