//! Renderers: pure functions from a `Report` to text.

pub mod human;
pub mod json;
