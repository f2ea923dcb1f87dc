//! The received key value compared with the configured one, byte for byte.

use super::*;

/// The extra characters around the configured key by name, when they are a few
/// invisible, whitespace, control or quote characters (nothing that could be a key).
fn describe_extra(extra: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(extra).ok()?;
    let cs: Vec<char> = s.chars().collect();
    let harmless = cs.len() <= 4
        && cs.iter().all(|c| {
            c.is_whitespace()
                || c.is_control()
                || sl_doctor_checks::analysis::value::is_quote(*c)
                || sl_doctor_checks::analysis::value::hidden_kind(*c).is_some()
        });
    harmless.then(|| {
        cs.iter()
            .map(|c| format!("{} {}", codepoint(*c), char_name(*c)))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Compares the first received value with the configured key.
pub(super) fn compare(sent: &[u8], conf: &Configured) -> Finding {
    let want = conf.key.expose_bytes();
    let name = &conf.name;
    if sent == want {
        return Finding::new(
            SAME_KEY_AS_CONFIGURED,
            format!(
                "Your application sends exactly the key of {name} ({})",
                fp(want)
            ),
        );
    }
    let fix = format!(
        "Make the application send {name} exactly: trim the value where it is read, and check the variable or file it comes from (see the findings above)."
    );
    // The configured key with something around it: (the extra bytes, how to say where).
    let around = if want.is_empty() {
        None
    } else if sent.starts_with(want) {
        Some((&sent[want.len()..], "plus", "at the end"))
    } else if sent.ends_with(want) {
        Some((&sent[..sent.len() - want.len()], "with", "in front"))
    } else {
        None
    };
    if let Some((extra, word, place)) = around {
        let what = describe_extra(extra)
            .or_else(|| added::label_in_front(sent, want))
            .map(|d| format!("{word} {d} {place}"))
            .unwrap_or_else(|| {
                let bytes = crate::render::human::count(extra.len(), "byte", "bytes");
                format!("{word} {bytes} {place}")
            });
        return Finding::new(
            CONFIGURED_KEY_PLUS_EXTRA,
            format!(
                "Your application sends the key of {name} ({}), {what}",
                fp(want)
            ),
        )
        .with_fix(fix);
    }
    let sent_key = SecretKey::from_bytes(sent.to_vec());
    let sent_cleaned = analyze(&sent_key).cleaned();
    let want_cleaned = analyze(&conf.key).cleaned();
    let sent_c = sent_cleaned.as_ref().map_or(sent, |k| k.expose_bytes());
    let want_c = want_cleaned.as_ref().map_or(want, |k| k.expose_bytes());
    if sent_c == want_c {
        if want_cleaned.is_some() && sent == want_c {
            return Finding::new(
                SENDS_CLEANED_CONFIGURED_KEY,
                format!(
                    "Your application sends the cleaned form of {name}: {name} itself ({}) has extra characters that the application (or its HTTP library) removed; other tools reading {name} may not remove them",
                    fp(want)
                ),
            )
            .with_fix(format!("Fix the value of {name} itself (run `sl-doctor` on it)."));
        }
        return Finding::new(
            CONFIGURED_KEY_WITH_DEFECTS,
            format!(
                "Your application sends the key of {name} ({}) with different surrounding or hidden characters (received {}; see the findings above)",
                fp(want),
                fp(sent)
            ),
        )
        .with_fix(fix);
    }
    Finding::new(
        DIFFERENT_KEY_THAN_CONFIGURED,
        format!(
            "Your application sends a different key than {name}: received {} ({} bytes), {name} is {} ({} bytes)",
            fp(sent),
            sent.len(),
            fp(want),
            want.len()
        ),
    )
    .with_fix(format!(
        "The application reads its key from somewhere else (another variable, a config file, a secret store, a stale deployment): make it read {name}, or compare both with the key you were given."
    ))
}
