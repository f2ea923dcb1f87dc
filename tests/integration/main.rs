//! One integration test binary: CLI runs end to end (offline), snapshots of whole
//! reports, the JSON Schema, exit codes and the secret canary.

mod canary;
mod cli;
mod common;
mod report_schema;
mod scan;
