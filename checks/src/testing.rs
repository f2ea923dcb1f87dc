//! Helpers for the per-check unit and snapshot tests.

use crate::check::{Check, CheckError, Outcome};
use crate::context::{Candidate, Context};
use crate::report::{SourceKind, SourceRef};
use crate::secret::SecretKey;

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
