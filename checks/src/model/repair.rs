//! The repairs of a damaged key value: what each removes or decodes, in words.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One repair of a damaged key value.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Repair {
    /// A pasted header name or auth scheme (`X-API-KEY:`, `Bearer`) removed.
    LabelRemoved,
    /// Surrounding or escaped quotes removed.
    Unquoted,
    /// A ` # comment` after the key removed (a `.env` reader that takes the line as is
    /// keeps it).
    CommentRemoved,
    /// Spaces, tabs and line breaks around the value removed.
    Trimmed,
    /// Invisible characters (zero-width, BOM, bidi controls…) removed.
    InvisibleRemoved,
    /// Look-alike characters replaced by their ASCII counterparts.
    LookalikesReplaced,
    /// JSON string escapes decoded (`\/` to `/`, `\u00..`), as when the key was copied
    /// from a JSON file.
    JsonUnescaped,
    /// Percent-encoding decoded (`%2B` to `+`), as when the key was copied from a URL.
    PercentDecoded,
    /// Base64 decoded, as when the key was copied from a Kubernetes Secret's `data:`
    /// (a trailing line break inside the encoding is trimmed too).
    Base64Decoded,
}

impl Repair {
    /// What the repair does, as said after "once": "the quotes are removed".
    pub fn phrase(self) -> &'static str {
        match self {
            Repair::LabelRemoved => "the pasted label is removed",
            Repair::Unquoted => "the quotes are removed",
            Repair::CommentRemoved => "the comment is removed",
            Repair::Trimmed => "the whitespace is removed",
            Repair::InvisibleRemoved => "the invisible characters are removed",
            Repair::LookalikesReplaced => "the look-alike characters are replaced",
            Repair::JsonUnescaped => "its JSON escapes are decoded (\\/ to /)",
            Repair::PercentDecoded => "it is percent-decoded (%2B to +)",
            Repair::Base64Decoded => {
                "it is base64-decoded (as a Kubernetes Secret's data: holds it)"
            }
        }
    }

    /// Whether the repair decodes an encoding (rather than removing extra characters).
    pub fn is_decoding(self) -> bool {
        matches!(
            self,
            Repair::JsonUnescaped | Repair::PercentDecoded | Repair::Base64Decoded
        )
    }

    /// The defect a repair removes, as named in a list ("JSON escapes").
    pub fn defect(self) -> &'static str {
        match self {
            Repair::LabelRemoved => "a pasted label",
            Repair::Unquoted => "quotes",
            Repair::CommentRemoved => "the comment ` # …` after the value",
            Repair::Trimmed => "whitespace or a line break",
            Repair::InvisibleRemoved => "invisible characters",
            Repair::LookalikesReplaced => "look-alike characters",
            Repair::JsonUnescaped => "JSON escapes (`\\/` for `/`)",
            Repair::PercentDecoded => "percent-encoding (`%2B` for `+`)",
            Repair::Base64Decoded => "base64-encoding (as in a Kubernetes Secret's `data:`)",
        }
    }

    /// What a removal takes away ("the quotes"); `None` for the other repairs.
    fn removed(self) -> Option<&'static str> {
        match self {
            Repair::LabelRemoved => Some("the pasted label"),
            Repair::Unquoted => Some("the quotes"),
            Repair::CommentRemoved => Some("the comment"),
            Repair::Trimmed => Some("the whitespace"),
            Repair::InvisibleRemoved => Some("the invisible characters"),
            _ => None,
        }
    }

    /// "the quotes and the whitespace are removed", for a list of repairs.
    pub fn phrases(repairs: &[Repair]) -> String {
        let removed: Vec<&str> = repairs.iter().filter_map(|r| r.removed()).collect();
        let mut parts: Vec<String> = match removed.as_slice() {
            [] => vec![],
            [_] => vec![
                repairs
                    .iter()
                    .find(|r| r.removed().is_some())
                    .map_or("", |r| r.phrase())
                    .to_string(),
            ],
            [init @ .., last] => vec![format!("{} and {last} are removed", init.join(", "))],
        };
        parts.extend(
            repairs
                .iter()
                .filter(|r| r.removed().is_none())
                .map(|r| r.phrase().to_string()),
        );
        if parts.is_empty() {
            return "it is cleaned".to_string();
        }
        parts.join(" and ")
    }
}
