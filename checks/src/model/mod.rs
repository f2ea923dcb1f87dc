//! The data model every check and renderer shares, as data: a check's id, metadata and
//! outcome (`check`), its finding codes (`code`), the report it feeds, the evidence, the
//! causes (`diagnosis`), the secret key type, the repairs of a damaged value (`repair`),
//! `untrusted`: text from outside, neutralised where it enters the model, and `grammar`:
//! the grammar of a report's ids, checked when a saved report is read back.
//!
//! It imports nothing above it (no `input`, `analysis`, `leak`, `net`, `context`,
//! `checklist`, `runner`, `diagnosis`, not even in tests; its tests use only the test
//! support's canary and table helper): every other module builds on it. `layering.rs`
//! tests that, and the rule of every other layer.

pub mod check;
pub mod code;
pub mod diagnosis;
pub mod evidence;
pub mod grammar;
pub mod hex;
pub mod prose;
pub mod repair;
pub mod report;
pub mod secret;
pub mod untrusted;
