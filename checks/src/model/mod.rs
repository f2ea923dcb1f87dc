//! The data model every check and renderer shares: the `Check` trait, the `Context` a
//! check reads, the report it feeds, the secret key type and the one
//! secret policy (`leak`: what counts as a leak of the key, how text is redacted), the
//! repairs of a damaged value (`repair`), `untrusted`: text from outside, neutralised
//! where it enters the model, and `grammar`: the grammar of a report's ids, checked when a
//! saved report is read back.

pub mod check;
pub mod code;
pub mod context;
pub mod diagnosis;
pub mod evidence;
pub mod facts;
pub mod grammar;
pub mod leak;
pub mod repair;
pub mod report;
pub mod secret;
pub mod untrusted;
