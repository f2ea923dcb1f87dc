//! Analyses that several checks of one run read, computed once: the key's character
//! analysis (seven checks read it) and the analysis of the target URLs (six). Each took
//! a noticeable part of an offline run when every check computed it again
//! (docs/performance.md).
//!
//! An entry keeps the input it was computed from and answers only for that same input:
//! a context's key or URLs may change between runs (tests change them), so a stale
//! entry is never read.

use crate::analysis::urls::UrlFacts;
use crate::analysis::value::Analysis;
use crate::model::secret::SecretKey;
use std::sync::{Arc, Mutex, PoisonError};
use zeroize::Zeroizing;

/// The URL analysis's input: the base URL, `--url` and the key it looks for.
type UrlInput = (String, Option<String>, Option<Zeroizing<Vec<u8>>>);

/// One analysis and the input it was computed from.
type Entry<I, T> = Mutex<Option<(I, Arc<T>)>>;

/// The run's computed analyses (empty in a clone: each context computes its own).
#[derive(Default)]
pub struct Memo {
    key: Entry<Zeroizing<Vec<u8>>, Analysis>,
    urls: Entry<UrlInput, Vec<UrlFacts>>,
}

impl Clone for Memo {
    fn clone(&self) -> Self {
        Memo::default()
    }
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Memo {
    /// The analysis of `key`, computed by `compute` unless it was for this value.
    pub fn key_analysis(
        &self,
        key: &SecretKey,
        compute: impl FnOnce() -> Analysis,
    ) -> Arc<Analysis> {
        let mut slot = self.key.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((input, a)) = &*slot
            && input.as_slice() == key.expose_bytes()
        {
            return a.clone();
        }
        let a = Arc::new(compute());
        *slot = Some((Zeroizing::new(key.expose_bytes().to_vec()), a.clone()));
        a
    }

    /// The analysis of the target URLs, computed by `compute` unless it was for these
    /// URLs and this key.
    pub fn url_facts(
        &self,
        base_url: &str,
        url: Option<&str>,
        key: Option<&SecretKey>,
        compute: impl FnOnce() -> Vec<UrlFacts>,
    ) -> Arc<Vec<UrlFacts>> {
        let mut slot = self.urls.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(((b, u, k), facts)) = &*slot
            && b == base_url
            && u.as_deref() == url
            && k.as_ref().map(|k| k.as_slice()) == key.map(SecretKey::expose_bytes)
        {
            return facts.clone();
        }
        let facts = Arc::new(compute());
        let input = (
            base_url.to_string(),
            url.map(str::to_string),
            key.map(|k| Zeroizing::new(k.expose_bytes().to_vec())),
        );
        *slot = Some((input, facts.clone()));
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;

    /// A changed key or URL is analysed again; the same one is not.
    #[test]
    fn an_entry_answers_only_for_its_input() {
        let memo = Memo::default();
        let (a, b) = (
            SecretKey::from_string("first-value-1234".into()),
            SecretKey::from_string("second-value-5678".into()),
        );
        let mut computed = 0;
        let mut analyse = |k: &SecretKey| {
            memo.key_analysis(k, || {
                computed += 1;
                crate::analysis::value::analyze(k)
            })
        };
        analyse(&a);
        analyse(&a);
        analyse(&b);
        analyse(&a);
        assert_eq!(computed, 3);

        let mut cx = Context::default();
        cx.target.base_url = "https://api2.saleslayer.com".into();
        let first = crate::analysis::urls::analyze_target(&cx);
        assert!(Arc::ptr_eq(
            &first,
            &crate::analysis::urls::analyze_target(&cx)
        ));
        cx.target.base_url = "http://api.saleslayer.com".into();
        let second = crate::analysis::urls::analyze_target(&cx);
        assert!(!Arc::ptr_eq(&first, &second));
        assert!(second[0].display.starts_with("http://api."));
        let cloned = cx.clone();
        assert!(!Arc::ptr_eq(
            &second,
            &crate::analysis::urls::analyze_target(&cloned)
        ));
    }
}
