//! `works-in-curl`: the same request works in a controlled tool such as curl.

pub mod catalog_probe;
pub mod dam_probe;
pub mod probe_findings;
