//! The loader table (`sl_doctor_checks::input::loaders`) against the real readers: each
//! line of [`LINES`] is written to a `.env`, read by the real tool, and what the tool
//! delivers must be what `deliver` says that reader delivers. The tools are installed by
//! `.ci/run` (`.ci/tools/deploy.*`); under CI a missing one fails the test.
//!
//! - python-dotenv, Node dotenv, vlucas/phpdotenv: the `dotenv` row (with the measured
//!   exceptions of [`DOTENV_EXCEPTIONS`]);
//! - docker-compose 1.29 (`config`): the `compose` row;
//! - the docker CLI against a loopback fake of the engine API (the CLI parses
//!   `--env-file` itself and sends the environment in `containers/create`): `docker`;
//! - kubectl `create secret generic --from-env-file --dry-run=client`: `kubectl`;
//! - bash `set -a; . FILE`: `shell`.
//!
//! systemd is not run (no systemd here): its row follows its documented parser.

use sl_doctor_checks::input::dotenv::DotenvFile;
use sl_doctor_checks::input::loaders::{Delivered, Loader, deliver};
use sl_doctor_checks::testing_support::require_tool;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The `.env` lines of the table: quotes, whitespace, comments, CR LF, `export`, escapes.
const LINES: &[&[u8]] = &[
    b"K=abc\n",
    b"K=\"abc\"\n",
    b"K='abc'\n",
    b"K=abc \n",
    b"K=abc\t\n",
    b"K=abc # comment\n",
    b"K=abc\r\n",
    b"K=abc \r\n",
    b"K=abc\t# c\r\n",
    b"K=\"abc\"\r\n",
    b"export K=abc\n",
    b"K = abc\n",
    b" K=abc\n",
    b"K=\"abc \"\n",
    b"K=\"a\\nb\"\n",
    b"K=\n",
    b"K=a b\n",
    b"K=\"abc\" # c\n",
    b"K=a+b/c==\n",
    b"K=a#b\n",
    b"K=abc",
];

/// (library, line, what it delivers: `None` for nothing).
type Exception = (&'static str, &'static [u8], Option<&'static [u8]>);

/// What the dotenv libraries measurably do otherwise than the `dotenv` row: (library,
/// line, what it delivers). The `dotenv` row follows python-dotenv, Node dotenv and
/// phpdotenv where they agree; a key (letters, digits, `+`, `/`, `=`) is read alike by all.
const DOTENV_EXCEPTIONS: &[Exception] = &[
    ("php", b"export K=abc\n", None),
    ("php", b"K=a b\n", None),
    ("node", b"K=a#b\n", Some(b"a")),
    ("php", b"K=a#b\n", Some(b"a")),
];

/// What a real reader delivered: the value, or nothing (refused the file, left it unset).
type Got = Option<Vec<u8>>;

fn ours(loader: Loader, line: &[u8]) -> Option<Got> {
    let f = DotenvFile::parse(".env", line);
    let e = f.definitions("K").next().expect("a definition of K");
    match deliver(loader, e) {
        Delivered::Value(v) => Some(Some(v.expose_bytes().to_vec())),
        Delivered::Nothing(_) => Some(None),
        Delivered::Unknown(_) => None,
    }
}

/// Runs a command; its standard output as bytes when it succeeds, `None` when it fails.
fn output(cmd: &mut Command) -> Option<Vec<u8>> {
    let out = cmd.stderr(Stdio::null()).output().expect("the tool runs");
    out.status.success().then_some(out.stdout)
}

fn hex(s: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(s).unwrap().trim();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// Whether a program and its module load (`python3 -c 'import dotenv'`); like
/// `require_tool`, a missing one fails under CI.
fn require_ok(program: &str, args: &[&str]) -> bool {
    let ok = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok || require_tool(&format!("{program} {}", args.join(" ")), &[])
}

/// The value a reader printed as hex, `UNSET` when it has none; `None` when it failed.
fn hex_or_unset(out: Option<Vec<u8>>) -> Got {
    let out = out?;
    (out.trim_ascii() != b"UNSET").then(|| hex(&out))
}

fn python_dotenv(f: &Path) -> Got {
    hex_or_unset(output(Command::new("python3").arg("-c").arg(
        "import sys,dotenv; v=dotenv.dotenv_values(sys.argv[1]).get('K'); print('UNSET' if v is None else v.encode().hex())",
    ).arg(f)))
}

fn node_dotenv(f: &Path) -> Got {
    hex_or_unset(output(Command::new("node").arg("-e").arg(
        "const v=require('dotenv').parse(require('fs').readFileSync(process.argv[1])).K; console.log(v===undefined?'UNSET':Buffer.from(v).toString('hex'))",
    ).arg(f)))
}

fn phpdotenv(f: &Path) -> Got {
    let (dir, name) = (f.parent().unwrap(), f.file_name().unwrap());
    hex_or_unset(output(Command::new("php").arg("-r").arg(
        "require '/usr/share/php/Dotenv/autoload.php'; $e = Dotenv\\Dotenv::createArrayBacked($argv[1], $argv[2])->load(); echo isset($e['K']) ? bin2hex($e['K']) : 'UNSET';",
    ).arg(dir).arg(name)))
}

fn compose_v1(f: &Path) -> Got {
    let dir = f.parent().unwrap();
    let name = f.file_name().unwrap().to_string_lossy();
    std::fs::write(
        dir.join("compose.yml"),
        format!("version: '3'\nservices:\n  a:\n    image: x\n    env_file: {name}\n"),
    )
    .unwrap();
    let config = output(
        Command::new("docker-compose")
            .args(["-f", "compose.yml", "config"])
            .current_dir(dir),
    )?;
    hex_or_unset(crate::common::system_python(
        "import sys,yaml; v=yaml.safe_load(sys.stdin)['services']['a'].get('environment',{}).get('K'); print('UNSET' if v is None else str(v).encode().hex())",
        &config,
    ))
}

fn kubectl(f: &Path) -> Got {
    let json = output(
        Command::new("kubectl")
            .args([
                "create",
                "secret",
                "generic",
                "s",
                "--dry-run=client",
                "-o",
                "json",
            ])
            .arg(format!("--from-env-file={}", f.display())),
    )?;
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let b64 = v["data"]["K"].as_str()?;
    use base64::Engine;
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
}

fn bash(f: &Path) -> Got {
    hex_or_unset(output(Command::new("bash").arg("-c").arg(
        "set -a; . \"$1\" 2>/dev/null; [ -n \"${K+x}\" ] || { echo UNSET; exit; }; printf %s \"$K\" | od -An -tx1 -v | tr -d ' \\n'",
    ).arg("_").arg(f)))
}

/// The docker CLI with a loopback fake engine: what `docker create --env-file` sends.
struct FakeEngine {
    child: std::process::Child,
    sock: PathBuf,
    seen: PathBuf,
}

impl FakeEngine {
    fn start(dir: &Path) -> FakeEngine {
        let (sock, seen) = (dir.join("docker.sock"), dir.join("env.json"));
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/integration/fake_docker_engine.py"
        );
        let child = Command::new("python3")
            .arg(script)
            .arg(&sock)
            .arg(&seen)
            .spawn()
            .unwrap();
        for _ in 0..200 {
            if sock.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        FakeEngine { child, sock, seen }
    }

    fn read(&self, f: &Path) -> Got {
        let _ = std::fs::remove_file(&self.seen);
        output(
            Command::new("docker")
                .env("DOCKER_HOST", format!("unix://{}", self.sock.display()))
                .env("DOCKER_CONFIG", self.sock.parent().unwrap())
                .args(["create", "--env-file"])
                .arg(f)
                .arg("image"),
        )?;
        let env: Vec<String> = serde_json::from_slice(&std::fs::read(&self.seen).unwrap()).unwrap();
        let k = env.iter().find_map(|e| e.strip_prefix("K="))?;
        Some(k.as_bytes().to_vec())
    }
}

impl Drop for FakeEngine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Compares one reader with our table on every line.
fn compare(what: &str, loader: Loader, read: impl Fn(&Path) -> Got) {
    let dir = tempfile::tempdir().unwrap();
    let mut mismatches = Vec::new();
    for (i, line) in LINES.iter().enumerate() {
        let f = dir.path().join(format!("l{i}.env"));
        std::fs::write(&f, line).unwrap();
        let Some(want) = ours(loader, line) else {
            continue;
        };
        let want = DOTENV_EXCEPTIONS
            .iter()
            .find(|(lib, l, _)| *lib == what && l == line)
            .map_or(want, |(_, _, got)| got.map(<[u8]>::to_vec));
        let got = read(&f);
        if got != want {
            mismatches.push(format!(
                "{:?}: {what} delivers {:?}, the table says {:?}",
                String::from_utf8_lossy(line),
                got.as_deref().map(String::from_utf8_lossy),
                want.as_deref().map(String::from_utf8_lossy)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn python_dotenv_reads_as_the_dotenv_row() {
    if require_ok("python3", &["-c", "import dotenv"]) {
        compare("python", Loader::Dotenv, python_dotenv);
    }
}

#[test]
fn node_dotenv_reads_as_the_dotenv_row() {
    if require_ok("node", &["-e", "require('dotenv')"]) {
        compare("node", Loader::Dotenv, node_dotenv);
    }
}

#[test]
fn phpdotenv_reads_as_the_dotenv_row() {
    if require_ok(
        "php",
        &["-r", "require '/usr/share/php/Dotenv/autoload.php';"],
    ) {
        compare("php", Loader::Dotenv, phpdotenv);
    }
}

#[test]
fn docker_compose_v1_reads_as_the_compose_row() {
    if require_tool("docker-compose", &["version"])
        && require_ok("/usr/bin/python3", &["-c", "import yaml"])
    {
        compare("compose", Loader::Compose, compose_v1);
    }
}

#[test]
fn kubectl_reads_as_the_kubectl_row() {
    if require_tool("kubectl", &["version", "--client"]) {
        compare("kubectl", Loader::Kubectl, kubectl);
    }
}

#[test]
fn bash_reads_as_the_shell_row() {
    if require_tool("bash", &["--version"]) {
        compare("bash", Loader::Shell, bash);
    }
}

#[test]
fn the_docker_cli_reads_as_the_docker_row() {
    if require_tool("docker", &["--version"]) && require_tool("python3", &["--version"]) {
        let dir = tempfile::tempdir().unwrap();
        let engine = FakeEngine::start(dir.path());
        compare("docker", Loader::Docker, |f| engine.read(f));
    }
}

/// The loader table of docs/deploy.md is the code's own table, row for row.
#[test]
fn the_docs_loader_table_is_the_codes() {
    use sl_doctor_checks::input::loaders::LOADERS;
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/deploy.md")).unwrap();
    let start = doc
        .find("<!-- loader-table")
        .expect("the table's start marker");
    let end = doc
        .find("<!-- /loader-table -->")
        .expect("the table's end marker");
    let rows: Vec<&str> = doc[start..end]
        .lines()
        .filter(|l| l.starts_with("| `") && !l.starts_with("| `--loader`"))
        .collect();
    let want: Vec<String> = LOADERS
        .iter()
        .map(|l| format!("| `{}` | {} | {} | {} |", l.id, l.name, l.rule, l.verified))
        .collect();
    assert_eq!(
        rows, want,
        "docs/deploy.md's loader table differs from LOADERS"
    );
}
