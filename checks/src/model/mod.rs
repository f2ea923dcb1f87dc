//! The data model every check and renderer shares: the `Check` trait, the `Context` a
//! check reads, the report it feeds, the secret key type and the one
//! secret policy (`leak`: what counts as a leak of the key, how text is redacted), and
//! `untrusted`: text from outside, neutralised where it enters the model.

pub mod check;
pub mod code;
pub mod context;
pub mod diagnosis;
pub mod evidence;
pub mod facts;
pub mod leak;
pub mod report;
pub mod secret;
pub mod untrusted;
