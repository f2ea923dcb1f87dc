//! `sl-doctor fix`, as values: which value to write (`choose`: only one the API accepted,
//! live), the new bytes of the key file or the `.env` line (`edit`), the redacted diff
//! that shows them (`diff`), the proof line, the headline of the diagnosis. The command
//! (`commands/fix.rs`) asks, writes, prints and picks the exit code. See `docs/fix.md`.

pub mod choose;
pub mod diff;
pub mod edit;

use crate::args::FixArgs;
use choose::Repaired;
use sl_doctor_checks::input::loaders::Loader;
use sl_doctor_checks::model::evidence::Repair;
use sl_doctor_checks::model::report::Report;
use sl_doctor_checks::model::secret::SecretKey;
use std::path::{Path, PathBuf};

/// The first cause that explains a failure, with its proof; the summary when none does.
pub fn headline(report: &Report) -> String {
    use sl_doctor_checks::diagnosis::CauseLevel;
    let d = &report.diagnosis;
    match d.causes.iter().find(|c| c.level != CauseLevel::Warn) {
        Some(c) => match &c.proof {
            Some(p) => format!("{}: {p}.", c.title),
            None => format!("{}.", c.title),
        },
        None => format!("nothing fails (verdict: {}).", report.verdict_words()),
    }
}

/// The file that holds the key, as `fix` edits it.
pub struct Stored<'a> {
    /// The file, as given.
    pub path: &'a Path,
    /// As shown (home as `~`).
    pub shown: String,
    /// `Some(NAME)` for a `.env` file; `None` for a key file.
    pub dotenv_name: Option<&'a str>,
    /// Who reads the `.env` (`--loader`; the dotenv libraries by default): the value
    /// diagnosed is what it delivers from the line.
    pub loader: Loader,
    /// The value diagnosed (as `loader` delivers it): the diff's "before", so it names
    /// the same length and fingerprint as the report. `None`: `loader` delivers nothing
    /// from the line (`export NAME=…` to docker), so the report found no key.
    pub delivered: Option<&'a SecretKey>,
}

/// The new bytes and the diff that shows them.
pub struct Plan {
    /// The file's new contents.
    pub bytes: Vec<u8>,
    /// The redacted diff, for the user to read before it is written.
    pub text: String,
}

/// The change to make, `None` when there is none.
pub fn plan(
    args: &FixArgs,
    stored: &Stored,
    old: &[u8],
    value: &SecretKey,
) -> Result<Option<Plan>, edit::Refusal> {
    let Some(name) = stored.dotenv_name else {
        if old == value.expose_bytes() {
            return Ok(None);
        }
        let before = SecretKey::from_bytes(old.to_vec());
        let text = format!(
            "{} (the whole file; written without a final newline):\n{}",
            stored.shown,
            diff::pair(
                &diff::value(&before),
                &diff::identity(&before),
                &diff::value(value),
                &diff::identity(value),
            )
        );
        return Ok(Some(Plan {
            bytes: value.expose_bytes().to_vec(),
            text,
        }));
    };
    let e = edit::dotenv(old, name, value, args.line_endings, stored.loader)?;
    if e.bytes == old {
        return Ok(None);
    }
    let mut text = format!(
        "{}, line {}:\n{}",
        stored.shown,
        e.line,
        diff::pair(
            &diff::line(&e.before),
            &stored.delivered.map_or_else(
                || format!("[{} delivers nothing]", stored.loader.info().name),
                diff::identity
            ),
            &diff::line(&e.after),
            &diff::identity(&e.after.value),
        )
    );
    if args.line_endings == Some(crate::args::LineEndings::Lf) && old.contains(&b'\r') {
        text.push_str("  and every CR LF of the file becomes LF (--line-endings lf)\n");
    }
    for n in &e.notes {
        text.push_str(&format!("  note: {n}\n"));
    }
    Ok(Some(Plan {
        bytes: e.bytes,
        text,
    }))
}

/// Why the file is rewritten when the value stays the same: the API accepted it, or
/// nothing was asked (`--offline`).
pub fn unchanged_line(offline: bool) -> &'static str {
    if offline {
        "The value stays the same; only how it is written changes (not verified: --offline sent \
         nothing to the API).\n"
    } else {
        "The value stays the same (the API accepted it); only how it is written changes.\n"
    }
}

/// Why the line is rewritten when the reader sets nothing from it: the value is the one
/// the dotenv libraries read, and the API has not seen it yet.
pub fn undelivered_line(loader: Loader, offline: bool) -> String {
    format!(
        "The value stays as the dotenv libraries read it; {} sets nothing from the line as it \
         is, so the API was not asked{}.\n",
        loader.info().name,
        if offline {
            " (not verified: --offline)"
        } else {
            ": the doctor runs again on the new line"
        }
    )
}

/// Why the repaired value is written: the live proof, or "not verified".
pub fn proof_line(r: &Repaired) -> String {
    if r.accepted_by.is_empty() {
        format!(
            "The new value is the key once {}: not verified, since --offline sent nothing to \
             the API.\n",
            Repair::phrases(&r.repairs)
        )
    } else {
        format!(
            "Verified live: {} accepted the key once {}.\n",
            r.accepted_by.join(" and "),
            Repair::phrases(&r.repairs)
        )
    }
}

/// Where `--backup` keeps the old contents: beside the file, `.sl-doctor-backup` appended.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".sl-doctor-backup");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offline_fix_claims_no_answer_from_the_api() {
        assert!(unchanged_line(true).contains("not verified"));
        assert!(!unchanged_line(true).contains("accepted"));
        assert!(unchanged_line(false).contains("the API accepted it"));
    }

    #[test]
    fn api_names_and_backup_paths() {
        assert_eq!(choose::api_name("dam"), "DAM");
        assert_eq!(choose::api_name("catalog"), "Catalog");
        assert_eq!(
            backup_path(Path::new("/p/.env")),
            PathBuf::from("/p/.env.sl-doctor-backup")
        );
    }
}
