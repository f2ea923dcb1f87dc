//! The path of a URL: what is wrong with it compared with the documented API paths, and
//! the path segments to use instead.
//!
//! Three Catalog path forms circulate (`/catalog/rest/Catalog/…` in the current guides,
//! `/rest/Catalog/…` in the old docs and most public code, bare `/$metadata` in
//! reference examples) and two DAM forms (`/dam/image` in the guides, `/images` in the
//! reference pages).

use super::Role;

/// The documented Catalog prefix.
const CATALOG_PREFIX: [&str; 3] = ["catalog", "rest", "Catalog"];

/// Catalog resources named in the docs (old and new), lowercase.
const CATALOG_RESOURCES: [&str; 9] = [
    "$metadata",
    "products",
    "variants",
    "categories",
    "attributesets",
    "customentities",
    "pointsofsale",
    "families",
    "changelogs",
];

/// One thing wrong with a path, in the order they are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathProblem {
    /// `//` inside the path.
    DoubleSlash,
    /// A base URL that is the host plus `/`.
    TrailingSlash,
    /// A request URL with no path at all.
    NoPath,
    /// `/dam/images` instead of the guides' `/dam/image`.
    DamImagesPlural,
    /// A request URL that stops at `/dam`.
    NoDamResource,
    /// `/rest/Catalog/…` without the `/catalog` prefix.
    LegacyCatalogPath,
    /// `/catalog/…` without `/rest/Catalog`.
    ShortCatalogPath,
    /// A request URL that stops at `/catalog`.
    NoCatalogResource,
    /// A path that starts at a Catalog resource (`/Products`, `/$metadata`).
    BareCatalogResource,
    /// A path that starts at a DAM resource (`/image`, `/images`).
    BareDamResource,
    /// A request path on a Sales Layer host that is neither DAM nor Catalog.
    UnknownApiPath,
    /// `/catalog/rest/Catalog` in other letter case.
    PrefixCase,
    /// A request URL that ends at `/Catalog/`: `$metadata` was expanded by a shell.
    CatalogResourceMissing,
    /// A request URL that ends with `/` after a Catalog resource.
    PossiblyExpandedMetadata,
    /// `$` written as `%24` in the path.
    PercentEncodedDollar,
}

/// What the path analysis found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathFacts {
    /// The path segments to use instead (documented prefix and case restored).
    pub segments: Vec<String>,
    /// The path is an API path (DAM or Catalog), as opposed to a proxy prefix.
    pub api_like: bool,
    /// What is wrong with it, in order.
    pub problems: Vec<PathProblem>,
}

fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Looks at `path` (as parsed, starting with `/`). `sl_host`: the host is a Sales Layer
/// host; `raw_trailing_slash`: the URL as given ended its path with `/`.
pub fn analyze(path: &str, role: Role, sl_host: bool, raw_trailing_slash: bool) -> PathFacts {
    let raw_segments: Vec<&str> = path.split('/').skip(1).collect();
    let inner_empty = raw_segments
        .iter()
        .enumerate()
        .any(|(i, s)| s.is_empty() && i + 1 < raw_segments.len());
    let mut p = PathFacts {
        segments: raw_segments
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .collect(),
        api_like: true,
        problems: Vec::new(),
    };
    if inner_empty {
        p.problems.push(PathProblem::DoubleSlash);
    }
    if role == Role::Base && path == "/" && raw_trailing_slash && sl_host {
        p.problems.push(PathProblem::TrailingSlash);
    }
    restore_prefix(&mut p, role, sl_host);
    let trailing_slash = path.len() > 1 && path.ends_with('/');
    catalog_prefix(&mut p, role, trailing_slash);
    if p.segments
        .iter()
        .any(|s| s.to_ascii_lowercase().contains("%24"))
    {
        p.problems.push(PathProblem::PercentEncodedDollar);
    }
    p
}

/// Looks at the first segment: restores a missing or legacy API prefix.
fn restore_prefix(p: &mut PathFacts, role: Role, sl_host: bool) {
    let segs = &mut p.segments;
    let first = segs.first().map(|s| s.to_ascii_lowercase());
    let problem = match first.as_deref() {
        None => {
            p.api_like = false;
            (role == Role::Request).then_some(PathProblem::NoPath)
        }
        Some("dam") => match segs.get(1) {
            Some(second) if second == "images" || second.starts_with("images(") => {
                segs[1] = format!("image{}", &second["images".len()..]);
                Some(PathProblem::DamImagesPlural)
            }
            Some(_) => None,
            None => (role == Role::Request).then_some(PathProblem::NoDamResource),
        },
        Some("rest") if segs.get(1).is_some_and(|s| eq_ci(s, "Catalog")) => {
            segs.insert(0, "catalog".into());
            Some(PathProblem::LegacyCatalogPath)
        }
        Some("catalog") => {
            let has_rest_catalog = segs.get(1).is_some_and(|s| eq_ci(s, "rest"))
                && segs.get(2).is_some_and(|s| eq_ci(s, "Catalog"));
            if !has_rest_catalog && segs.len() > 1 {
                segs.splice(1..1, ["rest".to_string(), "Catalog".to_string()]);
                Some(PathProblem::ShortCatalogPath)
            } else {
                (!has_rest_catalog && role == Role::Request)
                    .then_some(PathProblem::NoCatalogResource)
            }
        }
        Some(f)
            if CATALOG_RESOURCES
                .iter()
                .any(|r| f == *r || f.starts_with(&format!("{r}("))) =>
        {
            segs.splice(0..0, CATALOG_PREFIX.map(String::from));
            Some(PathProblem::BareCatalogResource)
        }
        Some(f) if f == "image" || f == "images" || f.starts_with("images(") => {
            segs.insert(0, "dam".into());
            if segs[1] != "image" && segs[1].to_ascii_lowercase().starts_with("images") {
                let tail = segs[1]["images".len()..].to_string();
                segs[1] = format!("image{tail}");
            }
            Some(PathProblem::BareDamResource)
        }
        Some(_) => {
            p.api_like = false;
            (role == Role::Request && sl_host).then_some(PathProblem::UnknownApiPath)
        }
    };
    p.problems.extend(problem);
}

/// Normalises the case of the documented Catalog prefix and looks for a `$metadata`
/// lost to shell expansion at the end of a request path.
fn catalog_prefix(p: &mut PathFacts, role: Role, trailing_slash: bool) {
    let segs = &mut p.segments;
    if segs.len() < 3
        || !CATALOG_PREFIX
            .iter()
            .zip(segs.iter())
            .all(|(want, got)| eq_ci(want, got))
    {
        return;
    }
    if CATALOG_PREFIX
        .iter()
        .zip(segs.iter())
        .any(|(want, got)| want != got)
    {
        p.problems.push(PathProblem::PrefixCase);
        for (i, want) in CATALOG_PREFIX.iter().enumerate() {
            segs[i] = want.to_string();
        }
    }
    if role == Role::Request && segs.len() == 3 {
        p.problems.push(PathProblem::CatalogResourceMissing);
        segs.push("$metadata".into());
    } else if role == Role::Request
        && trailing_slash
        && segs.len() >= 4
        && segs.last().is_some_and(|s| s != "$metadata")
    {
        p.problems.push(PathProblem::PossiblyExpandedMetadata);
    }
}
