//! GitHub Actions workflows: `env:` at the workflow, job and step levels. A value with
//! `${{ … }}` is filled in by GitHub at run time (a `secrets.NAME` is masked in logs):
//! not knowable here. A literal value is the key committed to the repository. A step's
//! `env:` overrides its job's, which overrides the workflow's: a value every step
//! overrides reaches no step (still an exposure, but no reading).

use super::{Definition, DeployFile, Env};
use crate::input::loaders::Delivered;
use crate::input::yaml::{self, Node, YamlError};
use crate::model::secret::SecretKey;

/// One `env:` block that defines the key: where, its value, and why no step gets it
/// (every step under it overrides it).
struct Block<'a> {
    at: String,
    value: &'a Node,
    shadowed: Option<String>,
}

/// The key's entry in an `env:` mapping.
fn entry<'a>(node: Option<&'a Node>, name: &str) -> Option<&'a Node> {
    node?
        .entries()
        .iter()
        .find(|(k, _)| k.str() == Some(name))
        .map(|(_, v)| v)
}

/// The key's definitions of one job (its `env:`, then its steps'), and whether every
/// step gets the key from its own `env:` (a step's `env:` overrides the job's, which
/// overrides the workflow's).
fn job_blocks<'a>(id: &str, job: &'a Node, name: &str) -> (Vec<Block<'a>>, bool) {
    let steps = job.get("steps").map(Node::items).unwrap_or_default();
    let mut blocks = Vec::new();
    let mut every_step = !steps.is_empty();
    for (i, step) in steps.iter().enumerate() {
        let Some(v) = entry(step.get("env"), name) else {
            every_step = false;
            continue;
        };
        let step_name = step
            .get("name")
            .and_then(Node::str)
            .map_or(format!("step {}", i + 1), |n| format!("step \"{n}\""));
        blocks.push(Block {
            at: format!("job {id}, {step_name} env"),
            value: v,
            shadowed: None,
        });
    }
    let job_env = entry(job.get("env"), name);
    if let Some(v) = job_env {
        let shadowed = every_step.then(|| {
            format!("every step of job {id} sets {name} in its own env:, which overrides the job's")
        });
        blocks.insert(
            0,
            Block {
                at: format!("job {id} env"),
                value: v,
                shadowed,
            },
        );
    }
    (blocks, every_step || job_env.is_some())
}

/// Reads the `env:` blocks of a workflow.
pub fn read(file: &mut DeployFile, text: &str, env: &Env) -> Result<(), YamlError> {
    let docs = yaml::parse(text)?;
    let Some(w) = docs.first() else {
        return Ok(());
    };
    let jobs = w.get("jobs").map(Node::entries).unwrap_or_default();
    let mut blocks: Vec<Block> = Vec::new();
    let mut every_job = !jobs.is_empty();
    for (id, job) in jobs {
        let (b, overrides) = job_blocks(id.str().unwrap_or("?"), job, env.name);
        every_job &= overrides;
        blocks.extend(b);
    }
    if let Some(v) = entry(w.get("env"), env.name) {
        let shadowed = every_job.then(|| {
            format!(
                "every job sets {} in its own env: or its steps', which overrides the workflow's",
                env.name
            )
        });
        blocks.insert(
            0,
            Block {
                at: "workflow env".into(),
                value: v,
                shadowed,
            },
        );
    }
    for b in blocks {
        let text = b.value.str().unwrap_or("");
        let (delivered, literal) = if text.contains("${{") {
            (
                Delivered::Unknown(format!("GitHub fills in `{}` at run time", text.trim())),
                false,
            )
        } else {
            (Delivered::Value(SecretKey::from_string(text.into())), true)
        };
        let mut d = Definition::new(
            format!("GitHub Actions ({})", b.at),
            file.path.clone(),
            b.value.line,
            delivered,
            literal,
        );
        d.shadowed = b.shadowed;
        file.definitions.push(d);
    }
    Ok(())
}
