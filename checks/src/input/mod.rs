//! Where the key comes from and where it is stored: key sources in precedence order, the
//! raw `.env` reader, the bounded file reader (`files`), the files (tracked, shared,
//! world-readable) that hold it, and the one hardened way to ask git (`git`).

pub mod deploy;
pub mod dotenv;
pub mod exposure;
pub mod files;
pub mod git;
pub mod loaders;
pub mod misplaced;
pub mod sources;
pub mod yaml;
