//! The deployment-file readers (`sl_doctor_checks::input::deploy`) against the real
//! tools: docker-compose 1.29 (`config`, which prints each service's environment as
//! compose resolves it: list and map syntax, `env_file:`, `${VAR}` from the shell and
//! from the `.env` beside the file) and kubectl (`label --local -o json`, which prints
//! the objects as kubectl's own YAML parser reads them, without a cluster). The tools
//! are installed by `.ci/run`; under CI a missing one fails the test.

use sl_doctor_checks::input::deploy::{self, Env};
use sl_doctor_checks::input::files::Pipes;
use sl_doctor_checks::input::loaders::Delivered;
use sl_doctor_checks::testing_support::require_tool;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};

/// What our reader delivers per definition, by the first word after `service `,
/// `Secret ` or `container ` in the reader's name.
fn ours(path: &Path, vars: &[(OsString, OsString)], marker: &str) -> BTreeMap<String, Vec<u8>> {
    let env = Env {
        name: "K",
        vars,
        home: None,
    };
    let file = deploy::read_all(&[path.to_path_buf()], &env, Pipes::Refuse)
        .unwrap()
        .remove(0);
    file.definitions
        .iter()
        .filter_map(|d| {
            let Delivered::Value(v) = &d.delivered else {
                return None;
            };
            let (_, rest) = d.reader.split_once(marker)?;
            let name = rest.split([',', ' ', ')']).next()?.to_string();
            Some((name, v.expose_bytes().to_vec()))
        })
        .collect()
}

#[test]
fn docker_compose_v1_resolves_the_environment_as_the_compose_reader() {
    if !(require_tool("docker-compose", &["version"])
        && require_tool("/usr/bin/python3", &["-c", "import yaml"]))
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prod.env"), "K=\"from-file\" \n").unwrap();
    std::fs::write(dir.path().join(".env"), "FROM_DOTENV='dot'\nEMPTY=\n").unwrap();
    let compose = "services:\n  a:\n    image: x\n    environment:\n      - K=\"quoted\"\n  b:\n    image: x\n    environment:\n      K: \"map\"\n  c:\n    image: x\n    env_file: prod.env\n  d:\n    image: x\n    environment:\n      - K=${FROM_SHELL}-${FROM_DOTENV}-$${x}\n  e:\n    image: x\n    environment:\n      K: 'single ''quoted'''\n  f:\n    image: x\n    env_file: prod.env\n    environment:\n      - K=wins\n  g:\n    image: x\n    environment:\n      - K=${UNSET:-d1}-${EMPTY:-d2}-${EMPTY-d3}-${UNSET-d4}\n  i:\n    image: x\n    environment:\n      - K=${FROM_DOTENV:?set it}\n  j:\n    image: x\n    environment:\n      - K=${EMPTY?set it}\n";
    let path = dir.path().join("compose.yml");
    std::fs::write(&path, compose).unwrap();
    let out = Command::new("docker-compose")
        .args(["-f", "compose.yml", "config"])
        .current_dir(dir.path())
        .env("FROM_SHELL", "sh")
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let json = crate::common::system_python(
        "import sys,yaml,json; s=yaml.safe_load(sys.stdin)['services']; print(json.dumps({k: v.get('environment',{}).get('K') for k,v in s.items()}))",
        &out.stdout,
    )
    .expect("the config parses");
    let theirs: BTreeMap<String, Option<String>> = serde_json::from_slice(&json).unwrap();
    // `config` prints a `$` of the value as `$$` (its own escape).
    let theirs: BTreeMap<String, Vec<u8>> = theirs
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?.replace("$$", "$").into_bytes())))
        .collect();
    let vars = vec![(OsString::from("FROM_SHELL"), OsString::from("sh"))];
    assert_eq!(ours(&path, &vars, "service "), theirs);
    // `${VAR:?error}` with VAR unset: compose refuses the file, and the reader delivers
    // nothing.
    std::fs::write(
        &path,
        "services:\n  a:\n    image: x\n    environment:\n      - K=${UNSET:?set it}\n",
    )
    .unwrap();
    let refused = Command::new("docker-compose")
        .args(["-f", "compose.yml", "config"])
        .current_dir(dir.path())
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(ours(&path, &vars, "service ").is_empty());
}

#[test]
fn kubectl_reads_manifests_as_the_kubernetes_reader() {
    if !require_tool("kubectl", &["version", "--client"]) {
        return;
    }
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode("abc\n");
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: data\ndata:\n  K: {b64}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: str\nstringData:\n  K: \"a\\tb \"\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: plain\n      env:\n        - {{name: K, value: abc  }}\n    - name: single\n      env:\n        - name: K\n          value: 'it''s'\n    - name: folded\n      env:\n        - name: K\n          value: >-\n            a\n            b\n"
    );
    let path = dir.path().join("k8s.yaml");
    std::fs::write(&path, &manifest).unwrap();
    let out = Command::new("kubectl")
        .args(["label", "--local", "-o", "json", "x=y", "-f"])
        .arg(&path)
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut theirs = BTreeMap::new();
    for obj in serde_json::Deserializer::from_slice(&out.stdout).into_iter::<serde_json::Value>() {
        let obj = obj.unwrap();
        let name = obj["metadata"]["name"].as_str().unwrap().to_string();
        if let Some(d) = obj["data"]["K"].as_str() {
            theirs.insert(
                name,
                base64::engine::general_purpose::STANDARD.decode(d).unwrap(),
            );
        } else if let Some(s) = obj["stringData"]["K"].as_str() {
            theirs.insert(name, s.as_bytes().to_vec());
        }
        for c in obj["spec"]["containers"].as_array().into_iter().flatten() {
            let v = c["env"][0]["value"].as_str().unwrap();
            theirs.insert(
                c["name"].as_str().unwrap().to_string(),
                v.as_bytes().to_vec(),
            );
        }
    }
    let mut mine = ours(&path, &[], "Secret ");
    mine.extend(ours(&path, &[], "container "));
    assert_eq!(mine, theirs);
}
