//! One integration test binary: CLI runs end to end (offline), snapshots of whole
//! reports, the JSON Schema, exit codes, the secret canary, the CI formats and the
//! support and curl commands (against the mock as a subprocess).

mod action_install;
mod canary;
mod capture;
mod capture_hostile;
mod capture_intercept;
mod ci;
mod cli;
mod common;
mod deploy;
mod deploy_readers;
mod fingerprint;
mod fix;
mod git_config;
mod hostile;
mod hot_path;
mod input_bounds;
mod live;
mod loaders;
mod misplaced_key;
mod proxies;
mod report_schema;
mod scan;
mod scan_schemas;
mod scenarios;
mod second_look;
mod support_curl;
mod trial;
