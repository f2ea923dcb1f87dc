//! Helpers for the per-check unit and snapshot tests.

use crate::model::check::{Check, CheckError, Outcome};
use crate::model::context::{Candidate, Context};
use crate::model::report::{SourceKind, SourceRef};
use crate::model::secret::SecretKey;

/// A context whose key comes from `SALESLAYER_API_KEY` with these exact bytes.
pub fn cx_with_key(bytes: &[u8]) -> Context {
    let mut cx = Context::default();
    cx.key.env_name = crate::DEFAULT_KEY_ENV.into();
    cx.key.candidates.push(Candidate {
        source: SourceRef {
            kind: SourceKind::Env,
            name: crate::DEFAULT_KEY_ENV.into(),
        },
        value: SecretKey::from_bytes(bytes.to_vec()),
        path: None,
    });
    cx
}

/// A context with the given base URL (and a harmless key).
pub fn cx_with_base_url(url: &str) -> Context {
    let mut cx = cx_with_key(b"test-key-0000");
    cx.target.base_url = url.into();
    cx
}

/// Runs a check to completion on a current-thread runtime.
pub fn run(check: &dyn Check, cx: &Context) -> Result<Outcome, CheckError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(check.run(cx))
}

/// A canary key: tests wrap it in each defect and check that no piece of it leaks.
pub use crate::testing_support::TEST_CANARY as CANARY;

/// Panics when any 8-character window of `secret` appears in the JSON form of `outcome`
/// (summary, details, messages, positions, fixes).
pub fn assert_no_leak(outcome: &Outcome, secret: &str) {
    let json = serde_json::to_string(outcome).expect("outcome serialises");
    let chars: Vec<char> = secret.chars().collect();
    for w in chars.windows(8) {
        let piece: String = w.iter().collect();
        assert!(
            !json.contains(&piece),
            "an 8-character piece of the key leaked into the outcome"
        );
    }
}

/// The finding codes of an outcome, in order.
pub fn codes(o: &Outcome) -> Vec<&str> {
    o.findings.iter().map(|f| f.code.as_str()).collect()
}
