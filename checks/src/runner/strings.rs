//! Whether any string of a value's JSON form passes a test, read off the value's own
//! `Serialize` implementation (a serializer that visits strings and writes nothing)
//! instead of building the JSON tree. The report's last pass ([`super::make_safe`])
//! builds that tree only when some string needs changing, which a usual report has none
//! of. Visiting costs less than encoding: serde_json's encoder, even writing to a sink,
//! scans every byte for escapes (docs/performance.md).

use serde::Serialize;
use serde::ser::{self, Impossible};
use std::fmt;

/// Whether `test` holds for any string of `value`'s JSON form: every string and every
/// object key that `serde_json::to_value(value)` would hold (enum variant names and field
/// names included). Also `true` where the form holds something this reading does not
/// follow (a number or a boolean as an object key, a raw JSON fragment), so that the
/// caller takes its full pass then. Strings are read as they are, before JSON escapes
/// them. An error
/// in encoding `value` (an object key that JSON cannot hold) is returned.
pub(super) fn any_string(
    value: &impl Serialize,
    mut test: impl FnMut(&str) -> bool,
) -> Result<bool, serde_json::Error> {
    match value.serialize(&mut Visit { test: &mut test }) {
        Ok(()) => Ok(false),
        Err(Stop::Found) => Ok(true),
        Err(Stop::Failed(e)) => Err(ser::Error::custom(e)),
    }
}

/// serde_json's name for a raw JSON fragment (`serde_json::value::RawValue`).
const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// Why the visit stopped early.
#[derive(Debug)]
enum Stop {
    /// A string passed the test, or the form holds what the visit does not follow.
    Found,
    /// The value cannot be encoded as JSON.
    Failed(String),
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Found => f.write_str("a string passed the test"),
            Stop::Failed(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<M: fmt::Display>(msg: M) -> Stop {
        Stop::Failed(msg.to_string())
    }
}

struct Visit<'t, T> {
    test: &'t mut T,
}

impl<T: FnMut(&str) -> bool> Visit<'_, T> {
    fn string(&mut self, s: &str) -> Result<(), Stop> {
        if (self.test)(s) {
            return Err(Stop::Found);
        }
        Ok(())
    }
}

/// Numbers and booleans hold no string.
macro_rules! scalars {
    ($($name:ident: $ty:ty),* $(,)?) => {$(
        fn $name(self, _: $ty) -> Result<(), Stop> {
            Ok(())
        }
    )*};
}

impl<T: FnMut(&str) -> bool> ser::Serializer for &mut Visit<'_, T> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    scalars!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_f32: f32,
        serialize_f64: f64,
        // An array of numbers in JSON.
        serialize_bytes: &[u8],
        serialize_unit_struct: &'static str,
    );

    fn serialize_char(self, c: char) -> Result<(), Stop> {
        self.string(c.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, s: &str) -> Result<(), Stop> {
        self.string(s)
    }

    fn serialize_none(self) -> Result<(), Stop> {
        Ok(())
    }

    fn serialize_some<V: ?Sized + Serialize>(self, v: &V) -> Result<(), Stop> {
        v.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Stop> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Stop> {
        self.string(variant)
    }

    fn serialize_newtype_struct<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        v: &V,
    ) -> Result<(), Stop> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &V,
    ) -> Result<(), Stop> {
        self.string(variant)?;
        v.serialize(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        self.string(variant)?;
        Ok(self)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self, Stop> {
        Ok(self)
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Self, Stop> {
        if name == RAW_VALUE {
            return Err(Stop::Found);
        }
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Stop> {
        self.string(variant)?;
        Ok(self)
    }
}

/// Elements of arrays, tuples and maps: visited in turn.
macro_rules! elements {
    ($($tr:ident :: $method:ident),* $(,)?) => {$(
        impl<T: FnMut(&str) -> bool> ser::$tr for &mut Visit<'_, T> {
            type Ok = ();
            type Error = Stop;
            fn $method<V: ?Sized + Serialize>(&mut self, v: &V) -> Result<(), Stop> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl<T: FnMut(&str) -> bool> ser::SerializeMap for &mut Visit<'_, T> {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<K: ?Sized + Serialize>(&mut self, k: &K) -> Result<(), Stop> {
        k.serialize(Key(&mut **self))
    }
    fn serialize_value<V: ?Sized + Serialize>(&mut self, v: &V) -> Result<(), Stop> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

/// Fields: the name is an object key, then the value.
macro_rules! fields {
    ($($tr:ident),* $(,)?) => {$(
        impl<T: FnMut(&str) -> bool> ser::$tr for &mut Visit<'_, T> {
            type Ok = ();
            type Error = Stop;
            fn serialize_field<V: ?Sized + Serialize>(
                &mut self,
                name: &'static str,
                v: &V,
            ) -> Result<(), Stop> {
                self.string(name)?;
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// An object key: a string, or what JSON writes as one (which the visit does not follow).
struct Key<'v, 't, T>(&'v mut Visit<'t, T>);

/// A key JSON writes as a string of digits or `true`: not followed.
macro_rules! unfollowed_keys {
    ($($name:ident: $ty:ty),* $(,)?) => {$(
        fn $name(self, _: $ty) -> Result<(), Stop> {
            Err(Stop::Found)
        }
    )*};
}

/// A key JSON cannot hold.
fn not_a_key<R>() -> Result<R, Stop> {
    Err(Stop::Failed("key must be a string".into()))
}

impl<T: FnMut(&str) -> bool> ser::Serializer for Key<'_, '_, T> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Impossible<(), Stop>;
    type SerializeTuple = Impossible<(), Stop>;
    type SerializeTupleStruct = Impossible<(), Stop>;
    type SerializeTupleVariant = Impossible<(), Stop>;
    type SerializeMap = Impossible<(), Stop>;
    type SerializeStruct = Impossible<(), Stop>;
    type SerializeStructVariant = Impossible<(), Stop>;

    unfollowed_keys!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_f32: f32,
        serialize_f64: f64,
    );

    fn serialize_char(self, c: char) -> Result<(), Stop> {
        self.0.string(c.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, s: &str) -> Result<(), Stop> {
        self.0.string(s)
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Stop> {
        self.0.string(variant)
    }

    fn serialize_newtype_struct<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        v: &V,
    ) -> Result<(), Stop> {
        v.serialize(self)
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Stop> {
        not_a_key()
    }

    fn serialize_none(self) -> Result<(), Stop> {
        not_a_key()
    }

    fn serialize_some<V: ?Sized + Serialize>(self, _: &V) -> Result<(), Stop> {
        not_a_key()
    }

    fn serialize_unit(self) -> Result<(), Stop> {
        not_a_key()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
        not_a_key()
    }

    fn serialize_newtype_variant<V: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<(), Stop> {
        not_a_key()
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        not_a_key()
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
        not_a_key()
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        not_a_key()
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        not_a_key()
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        not_a_key()
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
        not_a_key()
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        not_a_key()
    }
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
        ] {
            assert!(found.unwrap(), "{name}");
        }
        // Control characters, which JSON escapes, are read unescaped.
        let controls = json!({"\u{1}": ["a\nb"]});
        assert_eq!(read_strings(&controls), ["\u{1}", "a\nb"]);
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
        let text = "[a-z\"\\\\/é\u{202e}\u{1}\n ]{0,6}";
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
        /// On any JSON tree, it reads exactly the tree's strings.
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
