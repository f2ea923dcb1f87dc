//! GitHub Actions workflows: `env:` at the workflow, job and step levels. A value with
//! `${{ … }}` is filled in by GitHub at run time (a `secrets.NAME` is masked in logs):
//! not knowable here. A literal value is the key committed to the repository.

use super::{Definition, DeployFile, Env};
use crate::input::loaders::Delivered;
use crate::input::yaml::{self, Node, YamlError};
use crate::model::secret::SecretKey;

/// Reads the `env:` blocks of a workflow.
pub fn read(file: &mut DeployFile, text: &str, env: &Env) -> Result<(), YamlError> {
    let docs = yaml::parse(text)?;
    let Some(w) = docs.first() else {
        return Ok(());
    };
    let mut blocks: Vec<(String, &Node)> = Vec::new();
    if let Some(e) = w.get("env") {
        blocks.push(("workflow env".into(), e));
    }
    for (id, job) in w.get("jobs").map(Node::entries).unwrap_or_default() {
        let id = id.str().unwrap_or("?");
        if let Some(e) = job.get("env") {
            blocks.push((format!("job {id} env"), e));
        }
        for (i, step) in job
            .get("steps")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(e) = step.get("env") {
                let name = step
                    .get("name")
                    .and_then(Node::str)
                    .map_or(format!("step {}", i + 1), |n| format!("step \"{n}\""));
                blocks.push((format!("job {id}, {name} env"), e));
            }
        }
    }
    for (where_, block) in blocks {
        let Some((_, v)) = block
            .entries()
            .iter()
            .find(|(k, _)| k.str() == Some(env.name))
        else {
            continue;
        };
        let text = v.str().unwrap_or("");
        let (delivered, literal) = if text.contains("${{") {
            (
                Delivered::Unknown(format!("GitHub fills in `{}` at run time", text.trim())),
                false,
            )
        } else {
            (Delivered::Value(SecretKey::from_string(text.into())), true)
        };
        file.definitions.push(Definition::new(
            format!("GitHub Actions ({where_})"),
            file.path.clone(),
            v.line,
            delivered,
            literal,
        ));
    }
    Ok(())
}
