//! A small YAML tree with line numbers, for the deployment files (`--from`): compose
//! files, Kubernetes manifests and GitHub Actions workflows.
//!
//! Built from the events of `saphyr-parser` (a maintained YAML 1.2 parser that gives
//! every event its position) without recursion, so a hostile file cannot exhaust the
//! stack: nesting deeper than [`MAX_DEPTH`] and more than [`MAX_NODES`] nodes (aliases
//! counted as the copies they make, so "billion laughs" stops early) are errors, and
//! the files are size-capped before they get here (`input::files`). Only what a reader
//! needs is kept: scalars with their style, sequences, mappings (merge keys `<<` are
//! followed by [`Node::get`]), and the line each node starts on.

use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// Most nodes a file may make, alias copies included.
pub const MAX_NODES: usize = 100_000;

/// A YAML node and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// What it holds.
    pub value: Value,
    /// 1-based line of its first character.
    pub line: usize,
}

/// The content of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A scalar: its text and whether it was written plain (no quotes, no block).
    Scalar {
        /// The text, quotes and escapes already resolved by YAML.
        text: String,
        /// Written without quotes: `null`, `~` and nothing mean no value.
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<(Node, Node)>),
}

/// Why a file is not read as YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YamlError {
    /// Not valid YAML.
    #[error("not valid YAML at line {0}")]
    Syntax(usize),
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("nested deeper than {MAX_DEPTH} levels at line {0}")]
    TooDeep(usize),
    /// More than [`MAX_NODES`] nodes (aliases counted as copies).
    #[error("more than {MAX_NODES} nodes (aliases counted as copies) at line {0}")]
    TooManyNodes(usize),
}

impl Node {
    /// The text of a scalar that holds a value (not `null`, `~` or nothing).
    pub fn str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, plain } if !(*plain && is_null(text)) => Some(text),
            _ => None,
        }
    }

    /// Whether this is a null scalar (`KEY:` with nothing, `null`, `~`).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if is_null(text))
    }

    /// The items of a sequence (none for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(v) => v,
            _ => &[],
        }
    }

    /// The entries of a mapping (none for anything else).
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(v) => v,
            _ => &[],
        }
    }

    /// The value of `key` in a mapping: its own entry first, then the mappings merged
    /// into it with `<<`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        let own = self
            .entries()
            .iter()
            .find(|(k, _)| k.str() == Some(key) && k.str() != Some("<<"));
        if let Some((_, v)) = own {
            return Some(v);
        }
        let merged = self.entries().iter().find(|(k, _)| k.str() == Some("<<"))?;
        match &merged.1.value {
            Value::Map(_) => merged.1.get(key),
            Value::Seq(maps) => maps.iter().find_map(|m| m.get(key)),
            Value::Scalar { .. } => None,
        }
    }

    /// Every entry of a mapping with the merged ones (`<<`), own entries winning.
    pub fn merged_entries(&self) -> Vec<&(Node, Node)> {
        let mut out: Vec<&(Node, Node)> = self
            .entries()
            .iter()
            .filter(|(k, _)| k.str() != Some("<<"))
            .collect();
        for (k, v) in self.entries() {
            if k.str() != Some("<<") {
                continue;
            }
            let maps: Vec<&Node> = match &v.value {
                Value::Seq(items) => items.iter().collect(),
                _ => vec![v],
            };
            for m in maps {
                for e in m.merged_entries() {
                    if !out.iter().any(|o| o.0.str() == e.0.str()) {
                        out.push(e);
                    }
                }
            }
        }
        out
    }

    fn size(&self) -> usize {
        1 + match &self.value {
            Value::Scalar { .. } => 0,
            Value::Seq(v) => v.iter().map(Node::size).sum(),
            Value::Map(v) => v.iter().map(|(k, v)| k.size() + v.size()).sum(),
        }
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A collection being built.
enum Frame {
    Seq(Vec<Node>, usize, usize),
    Map(Vec<(Node, Node)>, Option<Node>, usize, usize),
}

/// Builds the documents from the parser's events.
struct Builder {
    stack: Vec<Frame>,
    docs: Vec<Node>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
}

impl Builder {
    /// Adds a finished node to the collection being built (or as a document).
    fn push(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        let line = node.line;
        self.nodes += node.size();
        if self.nodes > MAX_NODES {
            return Err(YamlError::TooManyNodes(line));
        }
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, pending, ..)) => match pending.take() {
                None => *pending = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, line: usize) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError::TooDeep(line));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlError> {
        let (node, anchor) = match self.stack.pop() {
            Some(Frame::Seq(items, line, anchor)) => (
                Node {
                    value: Value::Seq(items),
                    line,
                },
                anchor,
            ),
            Some(Frame::Map(entries, _, line, anchor)) => (
                Node {
                    value: Value::Map(entries),
                    line,
                },
                anchor,
            ),
            None => return Ok(()),
        };
        // The collection's own nodes were counted as they came: count only itself.
        self.nodes -= node.size() - 1;
        self.push(node, anchor)
    }
}

/// Parses every document of a YAML stream.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut b = Builder {
        stack: Vec::new(),
        docs: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
    };
    for ev in Parser::new_from_str(text) {
        let (event, span) = ev.map_err(|e| YamlError::Syntax(e.marker().line()))?;
        let line = span.start.line();
        match event {
            Event::Scalar(text, style, anchor, _) => b.push(
                Node {
                    value: Value::Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    },
                    line,
                },
                anchor,
            )?,
            Event::Alias(id) => {
                let node = b.anchors.get(&id).cloned().ok_or(YamlError::Syntax(line))?;
                b.push(Node { line, ..node }, 0)?;
            }
            Event::SequenceStart(anchor, _) => {
                b.open(Frame::Seq(Vec::new(), line, anchor), line)?
            }
            Event::MappingStart(anchor, _) => {
                b.open(Frame::Map(Vec::new(), None, line, anchor), line)?
            }
            Event::SequenceEnd | Event::MappingEnd => b.close()?,
            _ => {}
        }
    }
    Ok(b.docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_sequences_lines_and_merge_keys() {
        let docs = parse(
            "x-env: &env\n  A: '1'\nservices:\n  api:\n    <<: *env\n    environment:\n      - K=\"v\"\n      - B\n---\nkind: Secret\n",
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        let api = docs[0].get("services").unwrap().get("api").unwrap();
        assert_eq!(api.get("A").unwrap().str(), Some("1"));
        let env = api.get("environment").unwrap().items();
        assert_eq!(env[0].str(), Some("K=\"v\""));
        assert_eq!(env[0].line, 7);
        assert_eq!(docs[1].get("kind").unwrap().str(), Some("Secret"));
    }

    #[test]
    fn nulls_and_quoted_nulls() {
        let d = &parse("a:\nb: ~\nc: 'null'\nd: \"\"\n").unwrap()[0];
        assert!(d.get("a").unwrap().is_null() && d.get("b").unwrap().is_null());
        assert_eq!(d.get("c").unwrap().str(), Some("null"));
        assert_eq!(d.get("d").unwrap().str(), Some(""));
    }

    #[test]
    fn hostile_files_are_errors_not_crashes() {
        let deep = "[".repeat(MAX_DEPTH + 5);
        assert!(matches!(parse(&deep), Err(YamlError::TooDeep(_))));
        let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            laughs.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(matches!(parse(&laughs), Err(YamlError::TooManyNodes(_))));
        assert!(matches!(parse("a: [\n"), Err(YamlError::Syntax(_))));
    }
}
