//! The query string of a URL: traces of shell expansion, parameters that carry a
//! credential, and the parameters to keep in the canonical URL.

use super::redact::{REDACTED, decode, is_name_like};

/// One thing wrong with a query parameter, in the order of the parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryProblem {
    /// Parameter number `index` (1-based) has an empty name (`?=10`): a shell expanded
    /// `$top` or another OData option inside double quotes.
    EmptyName {
        /// 1-based index of the parameter.
        index: usize,
    },
    /// An OData option written with `%24` instead of `$` (the decoded name, e.g. `$top`).
    EncodedDollar {
        /// The decoded name.
        name: String,
    },
    /// An OData option without its `$` (`top=1`): the API reads `$top`; `top` is another
    /// parameter. Libraries that build the query from a map (`params={"top": 1}`) or a
    /// shell that ate the `$` along with the quotes give this.
    MissingDollar {
        /// The name as given, e.g. `top`.
        name: String,
    },
}

/// The OData query options the API reads, without their `$`.
pub const ODATA_OPTIONS: [&str; 6] = ["top", "skip", "filter", "select", "orderby", "expand"];

/// What the query string holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryFacts {
    /// The URL has a query string (even an empty one).
    pub present: bool,
    /// The query string is empty (`…?` and nothing after it).
    pub empty: bool,
    /// What is wrong with the parameters, in order.
    pub problems: Vec<QueryProblem>,
    /// Names of parameters that look like a key or token (shown names: `[redacted]`
    /// when the name itself cannot be shown).
    pub key_params: Vec<String>,
    /// The parameters to keep in the canonical URL, as given.
    pub kept: Vec<String>,
}

/// One `name=value` part of a query string, by raw text.
#[derive(Debug, Clone)]
struct QueryPart {
    raw: String,
    name: String,
}

fn query_parts(q: &str) -> Vec<QueryPart> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let n = p.split_once('=').map_or(p, |(n, _)| n);
            QueryPart {
                raw: p.to_string(),
                name: decode(n),
            }
        })
        .collect()
}

/// Whether a query parameter name looks like it carries a credential.
pub fn is_key_like_param(name: &str) -> bool {
    if name.starts_with('$') {
        return false;
    }
    let n: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    const EXACT: [&str; 16] = [
        "key",
        "apikey",
        "xapikey",
        "token",
        "accesstoken",
        "authtoken",
        "apitoken",
        "auth",
        "authorization",
        "secret",
        "apisecret",
        "clientsecret",
        "password",
        "passwd",
        "pwd",
        "bearer",
    ];
    EXACT.contains(&n.as_str())
        || n.ends_with("apikey")
        || n.ends_with("token")
        || n.ends_with("secret")
}

/// Looks at the query string of a parsed URL.
pub fn analyze(query: Option<&str>) -> QueryFacts {
    let mut q = QueryFacts {
        present: query.is_some(),
        empty: query == Some(""),
        ..QueryFacts::default()
    };
    for (n, p) in query
        .map(query_parts)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if p.name.is_empty() {
            q.problems.push(QueryProblem::EmptyName { index: n + 1 });
        } else if is_key_like_param(&p.name) {
            let shown = if is_name_like(&p.name) {
                p.name.clone()
            } else {
                REDACTED.to_string()
            };
            q.key_params.push(shown);
        } else {
            if p.name.starts_with('$') && p.raw.to_ascii_lowercase().starts_with("%24") {
                q.problems.push(QueryProblem::EncodedDollar {
                    name: p.name.clone(),
                });
            }
            let option = p.name.to_ascii_lowercase();
            match p.raw.strip_prefix(p.name.as_str()) {
                // The URL to use names the option the API reads.
                Some(rest) if ODATA_OPTIONS.contains(&option.as_str()) => {
                    q.problems.push(QueryProblem::MissingDollar {
                        name: p.name.clone(),
                    });
                    q.kept.push(format!("${option}{rest}"));
                }
                _ => q.kept.push(p.raw.clone()),
            }
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_like_parameter_names() {
        for n in [
            "apikey",
            "api_key",
            "x-api-key",
            "X-API-KEY",
            "key",
            "token",
            "access_token",
            "sl_api_key",
        ] {
            assert!(is_key_like_param(n), "{n}");
        }
        for n in ["$top", "$skiptoken", "$filter", "lang", "keyword"] {
            assert!(!is_key_like_param(n), "{n}");
        }
    }
}
