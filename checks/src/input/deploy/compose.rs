//! docker compose files: every service that defines the key, through `environment:`
//! (list syntax `- NAME=value`: YAML keeps quotes inside the string, so `"value"` is
//! delivered with them; map syntax `NAME: value`: YAML removes its own quotes) or
//! `env_file:` (read as compose reads it, `input::loaders`). `environment:` wins over
//! `env_file:` (compose's precedence), and `${VAR}` is interpolated from the process
//! environment, then from the `.env` beside the compose file, as compose does.

use super::{Definition, DeployFile, Env, dir_of};
use crate::input::loaders::{Delivered, Loader};
use crate::input::sources::InputError;
use crate::input::yaml::{self, Node, YamlError};
use crate::model::secret::SecretKey;
use std::path::PathBuf;

/// Reads the services of a compose file.
pub fn read(
    file: &mut DeployFile,
    text: &str,
    env: &Env,
) -> Result<Result<(), InputError>, YamlError> {
    let docs = yaml::parse(text)?;
    let Some(services) = docs.first().and_then(|d| d.get("services")) else {
        return Ok(Ok(()));
    };
    for (name, service) in services.entries() {
        let name = name.str().unwrap_or("?");
        if let Err(e) = read_service(file, name, service, env) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(()))
}

/// The definition of one service: `environment:` first, else its `env_file:`s.
fn read_service(
    file: &mut DeployFile,
    service: &str,
    node: &Node,
    env: &Env,
) -> Result<(), InputError> {
    if let Some(d) = node
        .get("environment")
        .and_then(|e| environment(file, service, e, env))
    {
        file.definitions.push(d);
        return Ok(());
    }
    let Some(files) = node.get("env_file") else {
        return Ok(());
    };
    let paths: Vec<&Node> = match files.str() {
        Some(_) => vec![files],
        None => files.items().iter().collect(),
    };
    // The last file that defines the key wins, as in compose.
    let mut found = None;
    for p in paths {
        let Some(rel) = p.str().or_else(|| p.get("path").and_then(Node::str)) else {
            continue;
        };
        let path = dir_of(&file.path).join(rel);
        file.env_files.push(path.clone());
        let read = match env.env_file(&path, Loader::Compose) {
            Err(InputError::Missing { .. }) => Some((
                p.line,
                Delivered::Nothing(format!("env_file {rel} does not exist here")),
                file.path.clone(),
            )),
            Err(e) => return Err(e),
            Ok(None) => None,
            Ok(Some((line, d))) => Some((line, d, path.clone())),
        };
        if let Some(r) = read {
            found = Some(r);
        }
    }
    if let Some((line, delivered, path)) = found {
        file.definitions.push(Definition::new(
            format!("docker compose (service {service}, env_file)"),
            path,
            line,
            delivered,
            false,
        ));
    }
    Ok(())
}

/// The key's entry in `environment:` (list or map syntax), when it has one.
fn environment(file: &DeployFile, service: &str, node: &Node, env: &Env) -> Option<Definition> {
    let (raw, line, syntax) = match node.entries() {
        [] => node.items().iter().rev().find_map(|item| {
            let text = item.str()?;
            match text.split_once('=') {
                Some((k, v)) if k == env.name => Some((Some(v.to_string()), item.line, "list")),
                None if text == env.name => Some((None, item.line, "list")),
                _ => None,
            }
        })?,
        entries => {
            let (_, v) = entries
                .iter()
                .rev()
                .find(|(k, _)| k.str() == Some(env.name))?;
            (v.str().map(str::to_string), v.line, "map")
        }
    };
    let reader = format!("docker compose (service {service}, environment {syntax} syntax)");
    let Some(raw) = raw else {
        // `- NAME` or `NAME:` with no value: compose copies the variable of its own shell.
        let mut d = match env.var(env.name) {
            Some(v) => Definition::new(
                reader,
                file.path.clone(),
                line,
                Delivered::Value(SecretKey::from_string(v)),
                false,
            ),
            None => Definition::new(
                reader,
                file.path.clone(),
                line,
                Delivered::Nothing(format!(
                    "{} has no value in the file: compose copies it from the shell that runs compose, where it is not set here",
                    env.name
                )),
                false,
            ),
        };
        d.from_env = Some(env.name.to_string());
        return Some(d);
    };
    let literal = !raw.contains('$');
    let mut d = Definition::new(
        reader,
        file.path.clone(),
        line,
        interpolate(&raw, file, env),
        literal,
    );
    // A value that is one variable, set where compose runs: the value is in that
    // variable (the environment, or a line of the `.env` beside the compose file).
    if let (Some(var), Delivered::Nothing(_)) = (whole_var(&raw), &d.delivered) {
        d.from_env = Some(var.to_string());
    }
    if let (Some(var), Delivered::Value(v)) = (whole_var(&raw), &d.delivered)
        && lookup(var, file, env).is_some_and(|(set, _)| set.as_bytes() == v.expose_bytes())
    {
        match lookup(var, file, env).and_then(|(_, at)| at) {
            None => d.from_env = Some(var.to_string()),
            Some((path, line)) => {
                d.reader = format!(
                    "docker compose (service {service}, environment {syntax} syntax, {var} from the .env beside the compose file)"
                );
                d.path = path;
                d.line = line;
            }
        }
    }
    Some(d)
}

/// The variable a value is made of, when the whole value is one `$VAR` or `${VAR…}`.
fn whole_var(raw: &str) -> Option<&str> {
    let inner = match raw.strip_prefix("${") {
        Some(r) => r.strip_suffix('}').filter(|i| !i.contains('}'))?,
        None => raw.strip_prefix('$')?,
    };
    let n = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let ok = n > 0 && (raw.starts_with("${") || n == inner.len());
    ok.then_some(&inner[..n])
}

/// Compose's interpolation of `$VAR`, `${VAR}`, the `${VAR…}` forms of [`substitute`] and
/// `$$`: from the process environment, then the `.env` beside the compose file.
fn interpolate(raw: &str, file: &DeployFile, env: &Env) -> Delivered {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let (expr, after) = match rest.strip_prefix('{') {
            Some(r) => match r.find('}') {
                Some(end) => (&r[..end], &r[end + 1..]),
                None => return Delivered::Unknown("an unclosed ${ in the value".into()),
            },
            None => {
                let n = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                (&rest[..n], &rest[n..])
            }
        };
        match substitute(expr, file, env) {
            Ok(v) => out.push_str(&v),
            Err(d) => return d,
        }
        rest = after;
    }
    out.push_str(rest);
    Delivered::Value(SecretKey::from_string(out))
}

/// One `${…}` of compose's interpolation: `VAR`, `VAR:-default` / `VAR-default` (unset
/// or empty / unset), `VAR:?error` / `VAR?error` (compose refuses to start), `VAR:+alt` /
/// `VAR+alt` (alt when set).
fn substitute(expr: &str, file: &DeployFile, env: &Env) -> Result<String, Delivered> {
    let n = expr
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(expr.len());
    let (var, tail) = expr.split_at(n);
    let value = lookup(var, file, env).map(|(v, _)| v);
    let set = value.as_ref().filter(|v| !v.is_empty());
    let unset = || {
        Delivered::Nothing(format!(
            "${{{var}}} is set neither in the environment nor in the .env beside the compose file: compose substitutes an empty string"
        ))
    };
    let refused = || {
        Delivered::Nothing(format!(
            "${{{var}}} is set neither in the environment nor in the .env beside the compose file: compose refuses to start (`${{{expr}}}`)"
        ))
    };
    let op = |p: &str| tail.strip_prefix(p);
    if tail.is_empty() {
        value.ok_or_else(unset)
    } else if let Some(d) = op(":-") {
        Ok(set.cloned().unwrap_or_else(|| d.to_string()))
    } else if let Some(d) = op("-") {
        Ok(value.unwrap_or_else(|| d.to_string()))
    } else if op(":?").is_some() {
        set.cloned().ok_or_else(refused)
    } else if op("?").is_some() {
        value.ok_or_else(refused)
    } else if let Some(alt) = op(":+") {
        Ok(if set.is_some() {
            alt.into()
        } else {
            String::new()
        })
    } else if let Some(alt) = op("+") {
        Ok(if value.is_some() {
            alt.into()
        } else {
            String::new()
        })
    } else {
        Err(Delivered::Unknown(format!(
            "`${{{expr}}}` is an interpolation sl-doctor does not read"
        )))
    }
}

/// A variable for interpolation: the process environment, then the project's `.env`
/// (with the file and line that set it).
fn lookup(var: &str, file: &DeployFile, env: &Env) -> Option<(String, Option<(PathBuf, usize)>)> {
    if let Some(v) = env.var(var) {
        return Some((v, None));
    }
    let dotenv = dir_of(&file.path).join(".env");
    let inner = Env {
        name: var,
        vars: env.vars,
        home: env.home,
    };
    match inner.env_file(&dotenv, Loader::Compose) {
        Ok(Some((line, Delivered::Value(v)))) => v
            .expose_str()
            .map(|s| (s.to_string(), Some((dotenv, line)))),
        _ => None,
    }
}
