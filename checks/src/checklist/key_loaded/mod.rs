//! `key-loaded`: the key is loaded correctly from the deployment environment.

pub mod dotenv_file;
pub mod extra_whitespace;
pub mod hidden_characters;
pub mod key_source;
pub mod lookalike_characters;
pub mod placeholder_value;
