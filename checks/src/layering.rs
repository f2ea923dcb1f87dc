//! The crate's layers (docs/architecture.md, "Layering"), as a test: a module's code
//! imports only its own layer and the ones below. Comments may name a module above (to say
//! where a thing lives), and the tests of layers above the first may run checks
//! (`testing_support`); the first layer's tests may not either.

use std::path::{Path, PathBuf};

/// The layers, bottom up, each the modules (a folder, a file or both) it is made of.
const LAYERS: [&[&str]; 4] = [
    &["model", "saleslayer", "shell"],
    &["input", "analysis", "leak", "net", "context"],
    &["checklist"],
    &["runner", "diagnosis"],
];

/// The `.rs` files of a module: `src/<name>.rs` and everything under `src/<name>/`.
fn files_of(src: &Path, module: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let file = src.join(format!("{module}.rs"));
    if file.is_file() {
        out.push(file);
    }
    let mut dirs = vec![src.join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.map(|e| e.unwrap().path()) {
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out
}

/// The lines of `path` that are code: not comments, and not test code unless `tests` (a
/// `tests.rs` file, or what follows a file's first `#[cfg(test)]`, where its tests live).
fn code_lines(path: &Path, tests: bool) -> Vec<String> {
    if !tests && path.file_name().is_some_and(|n| n == "tests.rs") {
        return Vec::new();
    }
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .take_while(|l| tests || l.trim() != "#[cfg(test)]")
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(str::to_string)
        .collect()
}

/// Whether a line of code names `module` of this crate (`crate::net::…`, or inside
/// `use crate::{…}`).
fn names(line: &str, module: &str) -> bool {
    line.contains(&format!("crate::{module}::"))
        || (line.contains("crate::{") && line.contains(&format!("{module}::")))
}

#[test]
fn each_layer_imports_only_its_own_and_the_ones_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for (i, layer) in LAYERS.iter().enumerate() {
        let above: Vec<&str> = LAYERS[i + 1..]
            .iter()
            .flat_map(|l| l.iter().copied())
            .collect();
        for module in *layer {
            let files = files_of(&src, module);
            assert!(!files.is_empty(), "no files for {module}");
            for path in files {
                for line in code_lines(&path, i == 0) {
                    for m in &above {
                        assert!(
                            !names(&line, m),
                            "{} (layer {}) names {m}, a layer above it: {line}",
                            path.display(),
                            i + 1
                        );
                    }
                }
            }
        }
    }
}

/// Every module of the crate is in a layer (or is the crate root or the test support), so
/// a new module cannot escape the rule by being left out.
#[test]
fn every_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known: Vec<&str> = LAYERS.iter().flat_map(|l| l.iter().copied()).collect();
    for entry in std::fs::read_dir(&src).unwrap().map(|e| e.unwrap().path()) {
        let name = entry.file_stem().unwrap().to_string_lossy().into_owned();
        if ["lib", "layering", "testing_support"].contains(&name.as_str()) {
            continue;
        }
        assert!(
            known.contains(&name.as_str()),
            "{name} has no layer in LAYERS"
        );
    }
}

/// The rule bites: a line naming a module above is caught, a comment is not.
#[test]
fn the_rule_sees_imports_not_comments() {
    assert!(names("use crate::diagnosis::diagnose;", "diagnosis"));
    assert!(names("use crate::{model::x, net::shared};", "net"));
    assert!(!names("use crate::model::report::Report;", "net"));
    let dir = crate::testing_support::scratch_dir();
    let file = dir.join("probe.rs");
    std::fs::write(
        &file,
        "// crate::runner:: lives above\nuse crate::runner::x;\n#[cfg(test)]\nuse crate::diagnosis::y;\n",
    )
    .unwrap();
    assert_eq!(code_lines(&file, false), ["use crate::runner::x;"]);
    assert_eq!(code_lines(&file, true).len(), 3);
}
