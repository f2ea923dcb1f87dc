//! Test fixtures shared by this crate's tests, the binary's tests and the integration
//! tests. Always compiled (integration tests link the normal build), hidden from docs.

/// The canary key of every leak test: long, with `+`, `/` and `=` so that percent,
/// JSON and base64 spellings differ from the raw value. It is not a real key.
pub const TEST_CANARY: &str = "SLDOCTORcanary7Qx9+Zk/4mW2=";
