//! Offline facts about the inputs: the key value character by character (`value`) and
//! the target URLs (`urls`). Pure functions; the checks turn the facts into findings.

pub mod urls;
pub mod value;
