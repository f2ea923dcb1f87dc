//! `sl-doctor fix`, as values: which value to write (`choose`: only one the API accepted,
//! live), the new bytes of the key file or the `.env` line (`edit`), the redacted diff
//! that shows them (`diff`), the proof line, the headline of the diagnosis. The command
//! (`commands/fix.rs`) asks, writes, prints and picks the exit code. See `docs/fix.md`.

pub mod choose;
pub mod diff;
pub mod edit;

use crate::args::FixArgs;
use choose::Repaired;
use sl_doctor_checks::context::KeyState;
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

/// Why `fix` does nothing when no key was found. A key under a misspelt name (a `.env`
/// line, an environment variable) is the likely one: `fix` repairs values, it does not
/// rename variables, so the words give the rename (trial 32).
pub fn no_key(ks: &KeyState) -> String {
    let name = &ks.env_name;
    if let Some((file, e)) = ks.misspelt_in_dotenv() {
        let found = &e.name;
        return format!(
            "No key was found, so there is nothing to repair; sl-doctor fix does not rename \
             variables. Rename {found} to {name} on {} line {} ({name}=…), or run with \
             --key-env {found}; then run sl-doctor again.\n",
            file.display, e.line
        );
    }
    if let Some(nm) = ks.near_misses.first() {
        let found = &nm.name;
        return format!(
            "No key was found, so there is nothing to repair; sl-doctor fix does not rename \
             variables. If the environment variable {found} holds the key, rename it to {name} \
             where it is set, or run with --key-env {found}; then run sl-doctor again.\n"
        );
    }
    "No key was found, so there is nothing to fix.\n".into()
}

/// What `fix` says instead of repairing when the diagnosis names a stale key (the API
/// accepts another source's copy): it repairs damaged values, it does not replace one key
/// with another, so the words give the cause's own fix. `None` without that cause.
pub fn stale(report: &Report) -> Option<String> {
    use sl_doctor_checks::diagnosis::{CauseId, CauseLevel};
    let c = report
        .diagnosis
        .causes
        .iter()
        .find(|c| c.id == CauseId::StaleKey && c.level == CauseLevel::Fail)?;
    Some(format!(
        "Nothing changed: sl-doctor fix repairs a damaged value where it is stored; it does not \
         replace a stale key with another one. {}\n",
        c.fix
    ))
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

    /// A misspelt variable: fix says it does not rename, and gives the rename.
    #[test]
    fn no_key_under_a_misspelt_name_gives_the_rename() {
        use sl_doctor_checks::input::dotenv::DotenvFile;
        let mut ks = KeyState {
            env_name: "SALESLAYER_API_KEY".into(),
            ..KeyState::default()
        };
        assert_eq!(
            no_key(&ks),
            "No key was found, so there is nothing to fix.\n"
        );
        ks.dotenv = Some(DotenvFile::parse(".env", b"A=1\nSALESLAYER_APIKEY=x\n"));
        let words = no_key(&ks);
        assert!(
            words.contains("sl-doctor fix does not rename variables. Rename SALESLAYER_APIKEY to SALESLAYER_API_KEY on .env line 2"),
            "{words}"
        );
        assert!(words.contains("--key-env SALESLAYER_APIKEY"), "{words}");
    }

    /// A stale key: fix says it does not replace it, and gives the cause's fix.
    #[test]
    fn a_stale_key_is_not_replaced_and_the_cause_says_what_to_do() {
        use crate::render::tests_support::report;
        use sl_doctor_checks::diagnosis::{CauseId, Fixer};
        use sl_doctor_checks::model::report::Verdict;
        let mut r = report(Verdict::Fail);
        r.diagnosis.causes.clear();
        assert_eq!(stale(&r), None);
        r.diagnosis.causes.push(crate::render::tests_support::cause(
            CauseId::StaleKey,
            &["key-source"],
            "DAM and Catalog reject the key in the .env file",
            "Replace the key in the .env file .env:1.",
            Fixer::You,
        ));
        let words = stale(&r).unwrap();
        assert!(
            words.contains("it does not replace a stale key with another one. Replace the key in the .env file .env:1."),
            "{words}"
        );
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
