//! The data model every check and renderer shares, as data: a check's id, metadata and
//! outcome (`check`), its finding codes (`code`), the report it feeds, the evidence, the
//! causes (`diagnosis`), the secret key type, the repairs of a damaged value (`repair`),
//! `untrusted`: text from outside, neutralised where it enters the model, and `grammar`:
//! the grammar of a report's ids, checked when a saved report is read back.
//!
//! It imports nothing above it (no `input`, `analysis`, `leak`, `net`, `context`,
//! `checklist`, `runner`, `diagnosis`, not even in tests; its tests use only the test
//! support's canary and table helper): every other module builds on it.

pub mod check;
pub mod code;
pub mod diagnosis;
pub mod evidence;
pub mod grammar;
pub mod prose;
pub mod repair;
pub mod report;
pub mod secret;
pub mod untrusted;

#[cfg(test)]
mod tests {
    /// The modules `model` is below: none of its files (tests included) names one.
    #[test]
    fn model_imports_nothing_above_it() {
        const ABOVE: [&str; 8] = [
            "input",
            "analysis",
            "leak",
            "net",
            "context",
            "checklist",
            "runner",
            "diagnosis",
        ];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
        let mut files = vec![dir.clone()];
        let mut read = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            read += 1;
            // Comments may name a module above (to say where a thing lives); code may not.
            let code = text.lines().filter(|l| !l.trim_start().starts_with("//"));
            for (line, module) in code.flat_map(|l| ABOVE.map(|m| (l, m))) {
                let name = format!("crate::{module}::");
                assert!(!line.contains(&name), "{}: {line}", path.display());
            }
        }
        assert!(read > 10, "read {read} files of {}", dir.display());
    }
}
