//! The key never appears in any output: every command and format of the offline
//! doctor, with the canary key given through every source and wrapped in defects.

use crate::common::{CANARY, assert_no_leak, sl_doctor};

/// The canary as given, plus the same canary with the defects users paste in.
fn variants() -> Vec<String> {
    vec![
        CANARY.to_string(),
        format!("{CANARY}\n"),
        format!(" {CANARY}\r\n"),
        format!("\"{CANARY}\""),
        CANARY.replacen("SLDOCTOR", "SLDOCTOR\u{200b}", 1),
        format!("X-API-KEY: {CANARY}"),
        format!("Bearer {CANARY}"),
        format!("\u{201c}{CANARY}\u{201d}"),
        CANARY.replacen("canary", "cаnary", 1), // Cyrillic а
        CANARY.replacen("SLDOCTOR", "ＳＬＤＯＣＴＯＲ", 1),
    ]
}

fn check_all_outputs(key: &str, r: &crate::common::Run, files: &[std::path::PathBuf]) {
    // The pasted labels in some variants are not secret; the rest of the variant is.
    let secret_part = key.replace("X-API-KEY: ", "").replace("Bearer ", "");
    for probe in [secret_part.as_str(), CANARY] {
        assert_no_leak(probe, "stdout", &r.stdout);
        assert_no_leak(probe, "stderr", &r.stderr);
        for f in files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            assert_no_leak(probe, &f.display().to_string(), &text);
        }
    }
}

#[test]
fn no_output_of_any_source_or_format_contains_the_key() {
    for key in variants() {
        for format in ["human", "json"] {
            // Environment variable, with --output and --verbose.
            let cmd = sl_doctor().env("SALESLAYER_API_KEY", &key);
            let out = cmd.path().join("report.json");
            let (r, _d) = cmd
                .args(["--offline", "--verbose", "--format", format, "--output"])
                .args([&out])
                .run();
            assert!(r.code == 0 || r.code == 1, "{key:?}: {}", r.stderr);
            check_all_outputs(&key, &r, &[out]);

            // Key file.
            let cmd = sl_doctor();
            let f = cmd.file("sl.key", &key);
            let (r, _d) = cmd
                .args(["--offline", "--format", format, "--key-file"])
                .args([&f])
                .run();
            check_all_outputs(&key, &r, &[]);

            // Standard input.
            let (r, _d) = sl_doctor()
                .stdin(key.as_bytes())
                .args(["--offline", "--key-stdin", "--format", format])
                .run();
            check_all_outputs(&key, &r, &[]);

            // .env with a quoted value and CRLF, plus a different value in the environment.
            let cmd = sl_doctor().env("SL_API_KEY", &key);
            cmd.file(
                ".env",
                format!("export SALESLAYER_API_KEY=\"{key}\"\r\nSALESLAYER_API_KEY={key}\r\n"),
            );
            let (r, _d) = cmd.args(["--offline", "--format", format]).run();
            check_all_outputs(&key, &r, &[]);

            // --key on the command line, and the key inside the URLs.
            let (r, _d) = sl_doctor()
                .args(["--offline", "--format", format, "--key", &key])
                .args([
                    "--base-url",
                    &format!("https://user:{key}@api2.saleslayer.com"),
                ])
                .args([
                    "--url",
                    &format!("https://api2.saleslayer.com/dam/image?apikey={key}&$top=1"),
                ])
                .run();
            check_all_outputs(&key, &r, &[]);
        }
    }
}

#[test]
fn misspelt_variables_are_named_but_not_shown() {
    let (r, _d) = sl_doctor()
        .env("SL_API_KEY", CANARY)
        .env("SALES_LAYER_API_KEY", CANARY)
        .args(["--offline", "--verbose"])
        .run();
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("SL_API_KEY") && r.stdout.contains("SALES_LAYER_API_KEY"),
        "{}",
        r.stdout
    );
    check_all_outputs(CANARY, &r, &[]);
}

#[test]
fn bad_input_errors_do_not_echo_the_key() {
    let (r, _d) = sl_doctor()
        .args(["--key", CANARY, "--format", "yaml"])
        .run();
    assert_eq!(r.code, 2);
    check_all_outputs(CANARY, &r, &[]);
}

#[test]
fn ci_formats_and_quiet_never_contain_the_key() {
    for key in variants() {
        for args in [
            &["--format", "junit"][..],
            &["--format", "github"],
            &["--format", "markdown"],
            &["--quiet", "--strict"],
        ] {
            let (r, _d) = sl_doctor()
                .env("SALESLAYER_API_KEY", &key)
                .args(
                    ["--offline", "--verbose"]
                        .iter()
                        .filter(|_| args[0] != "--quiet"),
                )
                .args(args)
                .run();
            check_all_outputs(&key, &r, &[]);
            let (r, _d) = sl_doctor()
                .args(["--offline", "--key", &key])
                .args([
                    "--url",
                    &format!("https://api2.saleslayer.com/dam/image?apikey={key}&$top=1"),
                ])
                .args(args)
                .run();
            check_all_outputs(&key, &r, &[]);
        }
        // GitHub Actions: annotations and the step summary.
        let cmd = sl_doctor()
            .env("SALESLAYER_API_KEY", &key)
            .env("GITHUB_ACTIONS", "true");
        let summary = cmd.path().join("summary.md");
        let (r, _d) = cmd
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args(["--offline"])
            .run();
        check_all_outputs(&key, &r, &[summary]);
    }
}
