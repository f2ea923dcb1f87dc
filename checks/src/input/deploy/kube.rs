//! Kubernetes manifests: Secrets (`data:` is base64 of the exact bytes, `stringData:` a
//! YAML string that wins over `data:`), ConfigMaps, and the containers of Pods,
//! Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs: `env` values,
//! `valueFrom.secretKeyRef` / `configMapKeyRef` and `envFrom` (with its `prefix`)
//! resolved against the Secrets and ConfigMaps of every file given ([`Store`]). In a
//! container, an `env` entry wins over `envFrom` (Kubernetes' precedence). A reference
//! resolved to an entry is placed at the entry's file and line: that is the line to
//! change, and the key is written there.

use super::{Definition, DeployFile, Env};
use crate::input::loaders::Delivered;
use crate::input::yaml::{self, Node, YamlError};
use crate::model::secret::SecretKey;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A Secret's or ConfigMap's entry: its value, file and line, and how a key written
/// there is exposed.
type Entry = (Delivered, PathBuf, usize, &'static str);

const SECRET_DATA: &str = "a Secret's data: is base64, not encryption";
const SECRET_STRING_DATA: &str = "a Secret's stringData: is plain text";
const CONFIGMAP: &str = "a ConfigMap is plain text, not meant for secrets";
const ENV_VALUE: &str = "an env value is plain text in the pod spec";

/// The Secrets and ConfigMaps of the files, by kind (`true`: Secret) and name.
#[derive(Default)]
pub struct Store {
    maps: HashMap<(bool, String), HashMap<String, Entry>>,
}

impl Store {
    /// Adds the Secrets and ConfigMaps of one manifest file.
    pub fn add(&mut self, path: &Path, text: &str) -> Result<(), YamlError> {
        let docs = yaml::parse(text)?;
        for o in objects(&docs) {
            if let Some((secret, entries)) = entries_of(o, path) {
                self.maps.insert((secret, name_of(o)), entries);
            }
        }
        Ok(())
    }
}

/// A Secret's (`true`) or ConfigMap's entries; `None` for other objects.
fn entries_of(o: &Node, path: &Path) -> Option<(bool, HashMap<String, Entry>)> {
    match o.get("kind").and_then(Node::str) {
        Some("Secret") => Some((true, secret_entries(o, path))),
        Some("ConfigMap") => Some((false, configmap_entries(o, path))),
        _ => None,
    }
}

/// Every object of the documents (`kind: List` items included).
fn objects(docs: &[Node]) -> Vec<&Node> {
    let mut out = Vec::new();
    for d in docs {
        if d.get("kind").and_then(Node::str) == Some("List") {
            out.extend(d.get("items").map(Node::items).unwrap_or_default());
        } else {
            out.push(d);
        }
    }
    out
}

fn name_of(o: &Node) -> String {
    o.get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Node::str)
        .unwrap_or("?")
        .to_string()
}

/// A Secret's entries: `data:` decoded, then `stringData:` over them.
fn secret_entries(o: &Node, path: &Path) -> HashMap<String, Entry> {
    use base64::Engine;
    let mut out = HashMap::new();
    for (k, v) in o.get("data").map(Node::entries).unwrap_or_default() {
        let Some(k) = k.str() else { continue };
        let text: String = v.str().unwrap_or("").split_whitespace().collect();
        let d = match base64::engine::general_purpose::STANDARD.decode(text) {
            Ok(bytes) => Delivered::Value(SecretKey::from_bytes(bytes)),
            Err(_) => Delivered::Nothing(
                "its data: value is not valid base64, so Kubernetes refuses the Secret".into(),
            ),
        };
        out.insert(k.to_string(), (d, path.to_path_buf(), v.line, SECRET_DATA));
    }
    for (k, v) in o.get("stringData").map(Node::entries).unwrap_or_default() {
        if let Some(k) = k.str() {
            let d = Delivered::Value(SecretKey::from_string(v.str().unwrap_or("").into()));
            out.insert(
                k.to_string(),
                (d, path.to_path_buf(), v.line, SECRET_STRING_DATA),
            );
        }
    }
    out
}

fn configmap_entries(o: &Node, path: &Path) -> HashMap<String, Entry> {
    o.get("data")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| {
            let d = Delivered::Value(SecretKey::from_string(v.str().unwrap_or("").into()));
            Some((
                k.str()?.to_string(),
                (d, path.to_path_buf(), v.line, CONFIGMAP),
            ))
        })
        .collect()
}

/// The pod spec of a workload, by kind.
fn pod_spec(o: &Node) -> Option<&Node> {
    let spec = o.get("spec")?;
    match o.get("kind").and_then(Node::str)? {
        "Pod" => Some(spec),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            spec.get("template")?.get("spec")
        }
        "CronJob" => spec
            .get("jobTemplate")?
            .get("spec")?
            .get("template")?
            .get("spec"),
        _ => None,
    }
}

/// Reads the manifests of one file; references resolve against `store` (the Secrets and
/// ConfigMaps of every file given).
pub fn read(file: &mut DeployFile, text: &str, env: &Env, store: &Store) -> Result<(), YamlError> {
    let docs = yaml::parse(text)?;
    let objs = objects(&docs);
    for o in &objs {
        let Some((secret, entries)) = entries_of(o, &file.path) else {
            continue;
        };
        if let Some((d, _, line, exposure)) = entries.get(env.name) {
            file.definitions.push(Definition {
                reader: format!(
                    "Kubernetes {} {}",
                    if secret { "Secret" } else { "ConfigMap" },
                    name_of(o)
                ),
                path: file.path.clone(),
                line: *line,
                delivered: d.clone(),
                literal: true,
                shadowed: None,
                from_env: None,
                exposure: Some(exposure),
            });
        }
    }
    for o in &objs {
        let Some(spec) = pod_spec(o) else { continue };
        let workload = format!(
            "{} {}",
            o.get("kind").and_then(Node::str).unwrap_or("?"),
            name_of(o)
        );
        for key in ["initContainers", "containers"] {
            for c in spec.get(key).map(Node::items).unwrap_or_default() {
                if let Some(d) = container(file, store, &workload, c, env) {
                    file.definitions.push(d);
                }
            }
        }
    }
    Ok(())
}

/// What one container gets as the key: its `env` entry, else its `envFrom`.
fn container(
    file: &DeployFile,
    store: &Store,
    workload: &str,
    c: &Node,
    env: &Env,
) -> Option<Definition> {
    let cname = c.get("name").and_then(Node::str).unwrap_or("?");
    let reader = |how: &str| format!("Kubernetes {workload}, container {cname} ({how})");
    // A resolved reference is placed at the entry (written in a manifest: a literal).
    let def = |reader: String, line, found: Result<Entry, Delivered>| match found {
        Ok((delivered, path, line, exposure)) => Definition {
            reader,
            path,
            line,
            delivered,
            literal: true,
            shadowed: None,
            from_env: None,
            exposure: Some(exposure),
        },
        Err(delivered) => Definition {
            reader,
            path: file.path.clone(),
            line,
            delivered,
            literal: false,
            shadowed: None,
            from_env: None,
            exposure: None,
        },
    };
    let entry = c
        .get("env")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .rev()
        .find(|e| e.get("name").and_then(Node::str) == Some(env.name));
    if let Some(e) = entry {
        if let Some(v) = e.get("value") {
            let d = Delivered::Value(SecretKey::from_string(v.str().unwrap_or("").into()));
            return Some(def(
                reader("env value"),
                v.line,
                Ok((d, file.path.clone(), v.line, ENV_VALUE)),
            ));
        }
        let from = e.get("valueFrom")?;
        for (secret, key) in [(true, "secretKeyRef"), (false, "configMapKeyRef")] {
            if let Some(r) = from.get(key) {
                let name = r.get("name").and_then(Node::str).unwrap_or("?");
                let k = r.get("key").and_then(Node::str).unwrap_or("?");
                let d = lookup(store, secret, name, k);
                return Some(def(reader(&format!("{key} {name}/{k}")), r.line, d));
            }
        }
        return None;
    }
    let mut found = None;
    for f in c.get("envFrom").map(Node::items).unwrap_or_default() {
        let prefix = f.get("prefix").and_then(Node::str).unwrap_or("");
        let Some(k) = env.name.strip_prefix(prefix) else {
            continue;
        };
        for (secret, key) in [(true, "secretRef"), (false, "configMapRef")] {
            let Some(r) = f.get(key) else { continue };
            let name = r.get("name").and_then(Node::str).unwrap_or("?");
            if let Some(m) = store.maps.get(&(secret, name.to_string()))
                && m.contains_key(k)
            {
                let d = lookup(store, secret, name, k);
                found = Some(def(reader(&format!("envFrom {key} {name}")), r.line, d));
            }
        }
    }
    found
}

/// A Secret's or ConfigMap's entry, or why it cannot be resolved.
fn lookup(store: &Store, secret: bool, name: &str, key: &str) -> Result<Entry, Delivered> {
    let what = if secret { "Secret" } else { "ConfigMap" };
    match store.maps.get(&(secret, name.to_string())) {
        None => Err(Delivered::Nothing(format!(
            "the {what} {name} is not in the files given with --from (give its manifest too)"
        ))),
        Some(m) => m
            .get(key)
            .cloned()
            .ok_or_else(|| Delivered::Nothing(format!("the {what} {name} has no key {key}"))),
    }
}
