//! Typical places a key leaks to, recognised from the path, each with its own advice.

use serde::Serialize;
use std::path::Path;

/// A kind of place; serialised as its stable id (`frontend-bundle`, `log`…).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Place {
    /// Built or served frontend code: `dist/`, `build/`, `public/`, `*.js.map`…
    FrontendBundle,
    /// A log file.
    Log,
    /// A Jupyter notebook (outputs are saved with it).
    Notebook,
    /// `docker-compose*.yml`, `compose.yaml`, `Dockerfile`.
    #[serde(rename = "container-config")]
    Container,
    /// CI configuration: `.github/workflows`, `.gitlab-ci.yml`…
    #[serde(rename = "ci-config")]
    Ci,
    /// A `.env*` file.
    EnvFile,
    /// Anything else.
    File,
}

impl Place {
    /// Shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Place::FrontendBundle => "frontend bundle",
            Place::Log => "log file",
            Place::Notebook => "notebook",
            Place::Container => "container config",
            Place::Ci => "CI config",
            Place::EnvFile => "environment file",
            Place::File => "file",
        }
    }

    /// What to do about a key in this kind of place.
    pub fn advice(self) -> &'static str {
        match self {
            Place::FrontendBundle => {
                "Frontend code is downloaded by every visitor: never put the key in browser code. Call Sales Layer from your backend and rebuild the bundle without the key."
            }
            Place::Log => {
                "Stop logging the key (mask the X-API-KEY header and URLs in your HTTP client's logging), delete or truncate the log, and purge copies shipped to log services."
            }
            Place::Notebook => {
                "Notebooks save cell outputs and source: read the key from an environment variable instead, clear the outputs and save again."
            }
            Place::Container => {
                "Reference the key as ${SALESLAYER_API_KEY} (or a Docker secret / env_file that is git-ignored) instead of writing it in the compose file or Dockerfile."
            }
            Place::Ci => {
                "Store the key as a protected, masked CI secret and reference it (e.g. ${{ secrets.SALESLAYER_API_KEY }}) instead of writing it in the pipeline file."
            }
            Place::EnvFile => {
                "Keep .env files out of version control (.gitignore) and private to their owner (chmod 600)."
            }
            Place::File => {
                "Read the key from an environment variable or a secret manager instead of writing it in a file that is shared."
            }
        }
    }
}

const FRONTEND_DIRS: [&str; 8] = [
    "dist", "build", "public", "static", "www", "out", ".next", ".nuxt",
];
const FRONTEND_EXT: [&str; 7] = ["js", "mjs", "cjs", "map", "html", "htm", "css"];
const CI_FILES: [&str; 8] = [
    ".gitlab-ci.yml",
    ".travis.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    "Jenkinsfile",
    ".drone.yml",
    "appveyor.yml",
    "cloudbuild.yaml",
];
const CI_DIRS: [&str; 3] = [".circleci", ".buildkite", ".woodpecker"];

/// Classifies a path.
pub fn classify(path: &Path) -> Place {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let dirs: Vec<String> = path
        .parent()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let has_dir = |d: &str| dirs.iter().any(|x| x == d);
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");

    if lower.ends_with(".js.map") || lower.ends_with(".min.js") || lower.ends_with(".bundle.js") {
        return Place::FrontendBundle;
    }
    if ext == "ipynb" {
        return Place::Notebook;
    }
    if ext == "log" || lower.contains(".log.") || has_dir("logs") || has_dir("log") {
        return Place::Log;
    }
    if CI_FILES.iter().any(|f| f.eq_ignore_ascii_case(&name))
        || CI_DIRS.iter().any(|d| has_dir(d))
        || dirs
            .windows(2)
            .any(|w| w[0] == ".github" && w[1] == "workflows")
    {
        return Place::Ci;
    }
    if (lower.starts_with("docker-compose") || lower.starts_with("compose."))
        && (ext == "yml" || ext == "yaml")
        || lower == "dockerfile"
        || lower.starts_with("dockerfile.")
    {
        return Place::Container;
    }
    if lower == ".env" || lower.starts_with(".env.") {
        return Place::EnvFile;
    }
    if FRONTEND_DIRS.iter().any(|d| has_dir(d)) && FRONTEND_EXT.contains(&ext) {
        return Place::FrontendBundle;
    }
    Place::File
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_place() {
        let cases = [
            ("dist/assets/index-3f2a.js", Place::FrontendBundle),
            ("web/build/static/js/main.js", Place::FrontendBundle),
            ("public/index.html", Place::FrontendBundle),
            ("src/app.js.map", Place::FrontendBundle),
            ("vendor/lib.min.js", Place::FrontendBundle),
            ("logs/sync-2024-01-01.txt", Place::Log),
            ("app.log", Place::Log),
            ("var/app.log.1", Place::Log),
            ("analysis/Explore.ipynb", Place::Notebook),
            ("docker-compose.prod.yml", Place::Container),
            ("compose.yaml", Place::Container),
            ("Dockerfile", Place::Container),
            (".github/workflows/sync.yml", Place::Ci),
            (".gitlab-ci.yml", Place::Ci),
            (".circleci/config.yml", Place::Ci),
            ("Jenkinsfile", Place::Ci),
            (".env.production", Place::EnvFile),
            ("src/config.py", Place::File),
            ("src/build.rs", Place::File),
        ];
        for (p, want) in cases {
            assert_eq!(classify(Path::new(p)), want, "{p}");
        }
    }

    /// The ids the JSON (`place.id`) and the SARIF (`properties.place`) write are the
    /// ones docs/scan.md lists, in its order.
    #[test]
    fn ids_are_the_documented_ones() {
        use Place::*;
        let ids: Vec<String> = [FrontendBundle, Log, Notebook, Container, Ci, EnvFile, File]
            .into_iter()
            .map(|p| {
                serde_json::to_value(p)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let doc = include_str!("../../docs/scan.md");
        let table = &doc[doc.find("## Leak places").unwrap()..doc.find("## Output").unwrap()];
        let documented: Vec<&str> = table
            .lines()
            .filter_map(|l| l.strip_prefix("| `")?.split_once('`').map(|(id, _)| id))
            .collect();
        assert_eq!(ids, documented);
    }
}
