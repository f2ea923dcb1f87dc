//! `header-present`: the X-API-KEY header is present in the final HTTP request.

pub mod header_value;
pub mod pasted_label;
