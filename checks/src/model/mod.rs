//! The data model every check and renderer shares: the `Check` trait, the `Context` a
//! check reads, the report it feeds and the secret key type.

pub mod check;
pub mod codes;
pub mod context;
pub mod evidence;
pub mod report;
pub mod secret;
