//! The JSON report (schema_version 1): serde straight off the report model.

use serde_json::ser::Formatter;
use sl_doctor_checks::model::report::Report;
use sl_doctor_checks::model::untrusted::{Sink, guard_text};
use std::borrow::Cow;
use std::io;

/// The pretty-printed JSON report, with a trailing newline.
pub fn render(report: &Report) -> String {
    pretty(report)
}

/// `value` as pretty-printed JSON with a trailing newline, safe to print in a CI log:
/// every `##[` is written `\u0023#[`, the same string to a JSON reader.
pub fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // A report is about 16 KB: one allocation, not a dozen growing copies.
    let mut out = Vec::with_capacity(16 * 1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Pretty::default());
    value
        .serialize(&mut ser)
        .expect("our report models always serialise");
    out.push(b'\n');
    let s = String::from_utf8(out).expect("serde_json writes UTF-8");
    match guard_text(&s, Sink::Json) {
        Cow::Borrowed(_) => s,
        Cow::Owned(guarded) => guarded,
    }
}

/// Newline and indentation, written in one piece (serde_json's `PrettyFormatter` writes
/// the indentation two spaces at a time, which cost an offline `--format json` run more
/// than the rest of the rendering; docs/performance.md).
const NEWLINE_INDENT: &[u8; 129] = &{
    let mut b = [b' '; 129];
    b[0] = b'\n';
    b
};

/// The output of serde_json's `PrettyFormatter` (two spaces per level), byte for byte.
#[derive(Default)]
struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    /// A line break and the indentation of the current level.
    fn newline<W: ?Sized + io::Write>(&self, w: &mut W) -> io::Result<()> {
        let mut spaces = 2 * self.level;
        let first = spaces.min(NEWLINE_INDENT.len() - 1);
        w.write_all(&NEWLINE_INDENT[..=first])?;
        spaces -= first;
        while spaces > 0 {
            let n = spaces.min(NEWLINE_INDENT.len() - 1);
            w.write_all(&NEWLINE_INDENT[1..=n])?;
            spaces -= n;
        }
        Ok(())
    }

    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn json_trees() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-z\"\\\\é ]{0,6}".prop_map(Value::from),
        ];
        // Deep enough to pass the one-piece indentation (64 levels).
        leaf.prop_recursive(70, 200, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map("[a-z]{0,3}", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Byte for byte what serde_json's pretty printer writes.
        #[test]
        fn it_writes_what_serde_json_pretty_writes(tree in json_trees()) {
            let want = serde_json::to_string_pretty(&tree).unwrap() + "\n";
            prop_assert_eq!(pretty(&tree), want);
        }
    }

    #[test]
    fn deep_nesting_is_indented_in_full() {
        let mut v = Value::from(1);
        for _ in 0..100 {
            v = Value::Array(vec![v]);
        }
        assert_eq!(pretty(&v), serde_json::to_string_pretty(&v).unwrap() + "\n");
    }
}
