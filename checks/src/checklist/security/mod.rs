//! `security`: the security recommendations are followed.

pub mod key_file_in_git;
pub mod key_file_permissions;
pub mod key_in_deployment_file;
pub mod key_in_url;
pub mod key_on_command_line;
pub mod key_shared_across_environments;
pub mod plain_http;
