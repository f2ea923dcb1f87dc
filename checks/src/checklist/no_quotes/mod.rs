//! `no-quotes`: the key value is not surrounded by quotes.

pub mod quoted_value;
