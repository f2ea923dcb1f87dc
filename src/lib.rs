//! sl-doctor, the binary, as a library: `main.rs` parses the command line (`cli`) and
//! dispatches to one command (`commands::<command>::run(&args) -> ExitCode`); everything
//! else is private to the binary. The domain (checks, runner, diagnosis) is the
//! `sl-doctor-checks` crate.

pub mod cli;
pub mod commands;
pub mod exit;
pub mod usage;

mod args;
mod capture;
mod config;
mod curl;
mod deadline;
mod explain;
mod files;
mod fix;
mod mock;
mod render;
mod scan;
mod serve;
mod support;
mod term;
