//! Whether any string of a value's JSON form passes a test, read off serde_json's own
//! serializer (a [`Formatter`] that sees every string as it would be written) instead of
//! building the JSON tree. The report's last pass ([`super::make_safe`]) builds that tree
//! only when some string needs changing, which a usual report has none of.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};
use std::io;

/// Whether `test` holds for any string of `value`'s JSON form: every string and every
/// object key that `serde_json::to_value(value)` would hold (enum variant names and field
/// names included). Also `true` where the form holds something this reading does not
/// follow (a number or a boolean as an object key, a raw JSON fragment) or a control
/// character (which JSON escapes), so that the caller takes its full pass then. An error
/// in encoding `value` is returned as it is.
pub(super) fn any_string(
    value: &impl Serialize,
    test: impl FnMut(&str) -> bool,
) -> Result<bool, serde_json::Error> {
    let mut found = false;
    let reader = Strings {
        test,
        text: String::new(),
        in_string: false,
        found: &mut found,
    };
    let result = value.serialize(&mut serde_json::Serializer::with_formatter(
        io::sink(),
        reader,
    ));
    // A string that passed the test stops the encoding early (an error from `Strings`).
    match result {
        _ if found => Ok(true),
        Err(e) => Err(e),
        Ok(()) => Ok(false),
    }
}

struct Strings<'a, T> {
    test: T,
    /// The string being written, unescaped.
    text: String,
    in_string: bool,
    found: &'a mut bool,
}

impl<T: FnMut(&str) -> bool> Strings<'_, T> {
    /// Marks the value as found and stops the encoding.
    fn found(&mut self) -> io::Result<()> {
        *self.found = true;
        Err(io::Error::other("a string passed the test"))
    }

    /// A number or boolean: inside a string (an object key) it is not followed.
    fn scalar(&mut self) -> io::Result<()> {
        if self.in_string {
            return self.found();
        }
        Ok(())
    }
}

/// Writes nothing: the writer is a sink, and only the strings are read.
macro_rules! scalars {
    ($($name:ident: $ty:ty),* $(,)?) => {$(
        fn $name<W: ?Sized + io::Write>(&mut self, _: &mut W, _: $ty) -> io::Result<()> {
            self.scalar()
        }
    )*};
}

/// Writes nothing and reads nothing: arrays, objects and nulls hold no string themselves.
macro_rules! nothing {
    ($($name:ident),* $(,)?) => {$(
        fn $name<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
            Ok(())
        }
    )*};
    ($($name:ident: $ty:ty),* $(,)?) => {$(
        fn $name<W: ?Sized + io::Write>(&mut self, _: &mut W, _: $ty) -> io::Result<()> {
            Ok(())
        }
    )*};
}

impl<T: FnMut(&str) -> bool> Formatter for Strings<'_, T> {
    scalars!(
        write_bool: bool, write_i8: i8, write_i16: i16, write_i32: i32, write_i64: i64,
        write_i128: i128, write_u8: u8, write_u16: u16, write_u32: u32, write_u64: u64,
        write_u128: u128, write_f32: f32, write_f64: f64, write_number_str: &str,
    );

    fn write_raw_fragment<W: ?Sized + io::Write>(&mut self, _: &mut W, _: &str) -> io::Result<()> {
        self.found()
    }

    fn begin_string<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.text.clear();
        self.in_string = true;
        Ok(())
    }

    fn end_string<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.in_string = false;
        if (self.test)(&self.text) {
            return self.found();
        }
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.text.push_str(fragment);
        Ok(())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        match escape {
            CharEscape::Quote => self.text.push('"'),
            CharEscape::ReverseSolidus => self.text.push('\\'),
            CharEscape::Solidus => self.text.push('/'),
            // Every other escape is a control character.
            _ => return self.found(),
        }
        Ok(())
    }

    // Structure is written nowhere.
    nothing!(
        write_null,
        begin_array,
        end_array,
        begin_object,
        end_object,
        begin_object_value,
    );
    nothing!(begin_array_value: bool, begin_object_key: bool);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};
    use std::collections::BTreeMap;

    /// Every string and key of a JSON tree, the way the full pass visits them.
    fn tree_strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| tree_strings(x, out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| {
                out.push(k.clone());
                tree_strings(x, out)
            }),
            _ => {}
        }
    }

    /// The strings `any_string` reads, when no test passes.
    fn read_strings(value: &impl Serialize) -> Vec<String> {
        let mut seen = Vec::new();
        let found = any_string(value, |s| {
            seen.push(s.to_string());
            false
        })
        .unwrap();
        assert!(!found);
        seen
    }

    #[derive(Serialize)]
    enum Kind {
        Plain,
        Wrapped(String),
        Named { inner: u8 },
    }

    #[derive(Serialize)]
    struct Sample {
        kinds: Vec<Kind>,
        #[serde(rename = "a \"quoted\" / back\\slashed name")]
        renamed: Option<String>,
        count: u64,
    }

    /// Variant names, field names, escaped characters: the same strings as the tree.
    #[test]
    fn it_reads_the_strings_the_json_tree_holds() {
        let sample = Sample {
            kinds: vec![
                Kind::Plain,
                Kind::Wrapped("x/\"y\"\\z é \u{202e}".into()),
                Kind::Named { inner: 7 },
            ],
            renamed: None,
            count: 3,
        };
        let mut want = Vec::new();
        tree_strings(&serde_json::to_value(&sample).unwrap(), &mut want);
        let mut got = read_strings(&sample);
        want.sort();
        got.sort();
        assert_eq!(got, want);
    }

    /// What it does not follow, it reports as found: the caller then takes the full pass.
    #[test]
    fn what_it_does_not_follow_counts_as_found() {
        let numbered: BTreeMap<u32, &str> = [(1, "a")].into();
        let flagged: BTreeMap<bool, &str> = [(true, "a")].into();
        for (name, found) in [
            ("a number as a key", any_string(&numbered, |_| false)),
            ("a boolean as a key", any_string(&flagged, |_| false)),
            ("a line feed", any_string(&json!(["a\nb"]), |_| false)),
            ("a control key", any_string(&json!({"\u{1}": 1}), |_| false)),
        ] {
            assert!(found.unwrap(), "{name}");
        }
        assert!(!any_string(&json!({"k": [1, 2.5, null, true]}), |_| false).unwrap());
    }

    #[test]
    fn it_stops_at_the_first_string_that_passes() {
        let mut tested = 0;
        let found = any_string(&json!(["a", "hit", "c"]), |s| {
            tested += 1;
            s == "hit"
        });
        assert!(found.unwrap());
        assert_eq!(tested, 2);
    }

    /// An encoding error is not hidden as "nothing found".
    #[test]
    fn an_encoding_error_is_returned() {
        let bad: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(any_string(&bad, |_| false).is_err());
    }

    fn json_trees() -> impl Strategy<Value = Value> {
        let text = "[a-z\"\\\\/é\u{202e} ]{0,6}";
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(Value::from),
            text.prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 4, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(text, inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// On any JSON tree without control characters, it reads exactly the tree's strings.
        #[test]
        fn it_reads_every_string_of_any_tree(tree in json_trees()) {
            let mut want = Vec::new();
            tree_strings(&tree, &mut want);
            let mut got = read_strings(&tree);
            want.sort();
            got.sort();
            prop_assert_eq!(got, want);
        }
    }
}
