//! Table tests of the deployment readers: each fixture file, what every definition of
//! `K` in it delivers (`-` nothing, `?` unknown), on which line, and whether it is
//! written literally; and property tests (no panic, bounded, no key piece in any error).

use super::*;
use crate::testing_support::TEST_CANARY;

/// (reader, line, delivered, literal) of every definition.
type Row = (String, usize, String, bool);

fn read_fixture(dir: &Path, name: &str, text: &str, vars: &[(&str, &str)]) -> Vec<Row> {
    let path = dir.join(name);
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    let vars: Vec<(OsString, OsString)> = vars
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let env = Env {
        name: "K",
        vars: &vars,
        home: None,
    };
    let file = read_all(&[path], &env, Pipes::Refuse).unwrap().remove(0);
    file.definitions
        .iter()
        .map(|d| {
            let v = match &d.delivered {
                Delivered::Value(v) => String::from_utf8_lossy(v.expose_bytes()).into_owned(),
                Delivered::Nothing(_) => "-".into(),
                Delivered::Unknown(_) => "?".into(),
            };
            // Marks: not what the program gets, and the variable the value is in.
            let mut reader = d.reader.clone();
            if d.shadowed.is_some() {
                reader.push_str(" [shadowed]");
            }
            if let Some(var) = &d.from_env {
                reader.push_str(&format!(" [env {var}]"));
            }
            (reader, d.line, v, d.literal)
        })
        .collect()
}

fn row(reader: &str, line: usize, v: &str, literal: bool) -> Row {
    (reader.into(), line, v.into(), literal)
}

#[test]
fn compose_services() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prod.env"), "K=\"from-file\"\n").unwrap();
    std::fs::write(dir.path().join(".env"), "FROM_DOTENV='dot'\n").unwrap();
    let compose = "services:\n  a:\n    environment:\n      - K=\"quoted\"\n  b:\n    environment:\n      K: \"map\"\n  c:\n    env_file: prod.env\n  d:\n    environment:\n      - K=${FROM_SHELL}-${FROM_DOTENV}-$${x}\n  e:\n    environment:\n      - K\n  f:\n    env_file: [missing.env]\n  g:\n    image: x\n";
    let got = read_fixture(dir.path(), "compose.yml", compose, &[("FROM_SHELL", "sh")]);
    assert_eq!(
        got,
        vec![
            row(
                "docker compose (service a, environment list syntax)",
                4,
                "\"quoted\"",
                true
            ),
            row(
                "docker compose (service b, environment map syntax)",
                7,
                "map",
                true
            ),
            row(
                "docker compose (service c, env_file)",
                1,
                "from-file",
                false
            ),
            row(
                "docker compose (service d, environment list syntax)",
                12,
                "sh-dot-${x}",
                false
            ),
            row(
                "docker compose (service e, environment list syntax) [env K]",
                15,
                "-",
                false
            ),
            row("docker compose (service f, env_file)", 17, "-", false),
        ]
    );
}

#[test]
fn compose_interpolation_forms() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "SET=v\nEMPTY=\n").unwrap();
    // (the value after `K=`, what compose delivers: "-" nothing, "?" unknown)
    let cases = [
        ("${SET}", "v"),
        ("${SET:?need it}", "v"),
        ("${UNSET:?need it}", "-"),
        ("${EMPTY:?need it}", "-"),
        ("${EMPTY?need it}", ""),
        ("${UNSET:-d}", "d"),
        ("${EMPTY:-d}", "d"),
        ("${EMPTY-d}", ""),
        ("${SET:+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${UNSET}", "-"),
        ("${SET/a/b}", "?"),
    ];
    for (value, want) in cases {
        let compose = format!("services:\n  a:\n    environment:\n      - K={value}\n");
        let got = read_fixture(dir.path(), "compose.yml", &compose, &[]);
        assert_eq!(got[0].2, want, "{value}");
    }
}

#[test]
fn kubernetes_secrets_and_workloads() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode("abc\n");
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  K: {b64}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: t\nstringData:\n  K: \"str\"\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: ref\n          env:\n            - name: K\n              valueFrom:\n                secretKeyRef: {{name: s, key: K}}\n        - name: lit\n          env:\n            - {{name: K, value: 'plain'}}\n        - name: from\n          envFrom:\n            - secretRef: {{name: t}}\n        - name: missing\n          env:\n            - name: K\n              valueFrom:\n                secretKeyRef: {{name: nope, key: K}}\n"
    );
    let got = read_fixture(dir.path(), "k8s.yaml", &manifest, &[]);
    assert_eq!(
        got,
        vec![
            row("Kubernetes Secret s", 6, "abc\n", true),
            row("Kubernetes Secret t", 13, "str", true),
            // A resolved reference is placed at the Secret's entry: the line to change.
            row(
                "Kubernetes Deployment api, container ref (secretKeyRef s/K)",
                6,
                "abc\n",
                true
            ),
            row(
                "Kubernetes Deployment api, container lit (env value)",
                30,
                "plain",
                true
            ),
            row(
                "Kubernetes Deployment api, container from (envFrom secretRef t)",
                13,
                "str",
                true
            ),
            row(
                "Kubernetes Deployment api, container missing (secretKeyRef nope/K)",
                38,
                "-",
                false
            ),
        ]
    );
}

#[test]
fn kubernetes_reference_resolves_against_a_secret_in_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.yaml");
    let deployment = dir.path().join("deployment.yaml");
    std::fs::write(
        &secret,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  api-key: abc\n",
    )
    .unwrap();
    std::fs::write(
        &deployment,
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: sync\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: c\n              env:\n                - name: K\n                  valueFrom:\n                    secretKeyRef: {name: s, key: api-key}\n",
    )
    .unwrap();
    let env = Env {
        name: "K",
        vars: &[],
        home: None,
    };
    let files = read_all(&[secret.clone(), deployment], &env, Pipes::Refuse).unwrap();
    assert!(
        files[0].definitions.is_empty(),
        "the Secret alone names no K"
    );
    let d = &files[1].definitions[0];
    assert_eq!(
        d.reader,
        "Kubernetes CronJob sync, container c (secretKeyRef s/api-key)"
    );
    assert_eq!(
        (d.path.as_path(), d.line, d.literal),
        (secret.as_path(), 6, true)
    );
    assert!(matches!(&d.delivered, Delivered::Value(v) if v.expose_bytes() == b"abc"));
}

/// A value that is one variable is that variable's: the environment compose runs in
/// (named), or the line of the `.env` beside the compose file.
#[test]
fn compose_value_from_a_variable_is_placed_where_the_variable_is() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "# x\nDOT=from-dotenv\n").unwrap();
    let list = "docker compose (service a, environment list syntax)";
    let cases = [
        ("- K", (format!("{list} [env K]"), 4, "sh")),
        ("- K=${SL_KEY:?set it}", (format!("{list} [env SL_KEY]"), 4, "shk")),
        ("- K=$SL_KEY", (format!("{list} [env SL_KEY]"), 4, "shk")),
        ("- K=x${SL_KEY}", (list.to_string(), 4, "xshk")),
        ("- K=${UNSET:-d}", (list.to_string(), 4, "d")),
        (
            "- K=${DOT}",
            (
                "docker compose (service a, environment list syntax, DOT from the .env beside the compose file)".to_string(),
                2,
                "from-dotenv",
            ),
        ),
    ];
    for (entry, (reader, line, value)) in cases {
        let compose = format!("services:\n  a:\n    environment:\n      {entry}\n");
        let got = read_fixture(
            dir.path(),
            "compose.yml",
            &compose,
            &[("K", "sh"), ("SL_KEY", "shk")],
        );
        assert_eq!(got, vec![row(&reader, line, value, false)], "{entry}");
    }
}

#[test]
fn systemd_dockerfile_and_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("app.env");
    std::fs::write(&env_file, "K=\"quoted\"  \n").unwrap();
    let unit = "[Service]\nEnvironment=\"K=a b\" OTHER=1\nEnvironment=K=100%%\n";
    assert_eq!(
        read_fixture(dir.path(), "app.service", unit, &[]),
        vec![row("systemd (Environment=)", 3, "100%", true)]
    );
    // C escapes are decoded as systemd does (`\x20` is a space).
    let unit = "[Service]\nEnvironment=K=k\\x20 OTHER=\\s\n";
    assert_eq!(
        read_fixture(dir.path(), "e.service", unit, &[]),
        vec![row("systemd (Environment=)", 2, "k ", true)]
    );
    let unit = format!(
        "[Service]\nEnvironment=K=x\nEnvironmentFile={}\n",
        env_file.display()
    );
    assert_eq!(
        read_fixture(dir.path(), "b.service", &unit, &[]),
        vec![row("systemd (EnvironmentFile=)", 1, "quoted", false)]
    );
    let docker = "FROM x\n# ENV K=comment\nENV K=\"a b\" B=1\nARG K=$OTHER\nENV K legacy value\n";
    assert_eq!(
        read_fixture(dir.path(), "Dockerfile", docker, &[]),
        vec![
            row("Dockerfile (ENV) [shadowed]", 3, "a b", true),
            row(ARG_SHADOWED, 4, "?", false),
            row("Dockerfile (ENV)", 5, "legacy value", true),
        ]
    );
    let wf = "on: push\nenv:\n  K: lit\njobs:\n  j:\n    env:\n      K: ${{ secrets.K }}\n    steps:\n      - name: s\n        env:\n          K: 'step'\n";
    assert_eq!(
        read_fixture(dir.path(), ".github/workflows/w.yml", wf, &[]),
        vec![
            row("GitHub Actions (workflow env) [shadowed]", 3, "lit", true),
            row("GitHub Actions (job j env) [shadowed]", 7, "?", false),
            row("GitHub Actions (job j, step \"s\" env)", 11, "step", true),
        ]
    );
}

/// A step's `env:` overrides its job's, which overrides the workflow's: a value reaches
/// a step unless every step (every job) below it sets its own.
#[test]
fn workflow_step_env_overrides_the_job_and_the_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let s = "        env:\n          K: ${{ secrets.K }}\n";
    let cases = [
        // Both steps override: the job's value reaches none; the workflow's neither.
        (
            format!(
                "on: push\nenv:\n  K: w\njobs:\n  j:\n    env:\n      K: j\n    steps:\n      - run: a\n{s}      - run: b\n{s}"
            ),
            vec![
                ("GitHub Actions (workflow env) [shadowed]", 3),
                ("GitHub Actions (job j env) [shadowed]", 7),
                ("GitHub Actions (job j, step 1 env)", 11),
                ("GitHub Actions (job j, step 2 env)", 14),
            ],
        ),
        // One step without its own: it gets the job's value.
        (
            format!(
                "on: push\njobs:\n  j:\n    env:\n      K: j\n    steps:\n      - run: a\n{s}      - run: b\n"
            ),
            vec![
                ("GitHub Actions (job j env)", 5),
                ("GitHub Actions (job j, step 1 env)", 9),
            ],
        ),
        // Another job without the key gets the workflow's value.
        (
            "on: push\nenv:\n  K: w\njobs:\n  j:\n    env:\n      K: j\n    steps:\n      - run: a\n  k:\n    steps:\n      - run: b\n".to_string(),
            vec![
                ("GitHub Actions (workflow env)", 3),
                ("GitHub Actions (job j env)", 7),
            ],
        ),
    ];
    for (wf, want) in cases {
        let got: Vec<(String, usize)> =
            read_fixture(dir.path(), ".github/workflows/w.yml", &wf, &[])
                .into_iter()
                .map(|(r, l, _, _)| (r, l))
                .collect();
        let want: Vec<(String, usize)> = want.iter().map(|(r, l)| (r.to_string(), *l)).collect();
        assert_eq!(got, want, "{wf}");
    }
}

const ARG_ONLY: &str =
    "Dockerfile (ARG: build time only, not in the running container unless an ENV copies it)";
const ARG_SHADOWED: &str = "Dockerfile (ARG: build time only, not in the running container unless an ENV copies it) [shadowed]";
const COPIED: &str =
    "Dockerfile (ENV, substituted from the ARG and ENV before it; a --build-arg changes an ARG)";

/// The running container gets the last `ENV`; an `ARG` only when no `ENV` sets the
/// key, and `ENV K=$K` copies the `ARG`'s value.
#[test]
fn dockerfile_env_wins_over_arg() {
    let dir = tempfile::tempdir().unwrap();
    type Want<'a> = &'a [(&'a str, usize, &'a str, bool)];
    let cases: &[(&str, Want)] = &[
        (
            "ARG K=\"arg\"\nENV O=1 K=\"env \"\n",
            &[
                (ARG_SHADOWED, 1, "arg", true),
                ("Dockerfile (ENV)", 2, "env ", true),
            ],
        ),
        ("ARG K=arg\n", &[(ARG_ONLY, 1, "arg", true)]),
        (
            "ENV K=first\nENV K=second\n",
            &[
                ("Dockerfile (ENV) [shadowed]", 1, "first", true),
                ("Dockerfile (ENV)", 2, "second", true),
            ],
        ),
        (
            "ARG K=arg\nENV K=${K}\n",
            &[(ARG_SHADOWED, 1, "arg", true), (COPIED, 2, "arg", false)],
        ),
        (
            "ARG K\nENV K=$K\n",
            &[(ARG_SHADOWED, 1, "?", false), (COPIED, 2, "?", false)],
        ),
        ("ARG P=x\nENV K=$P-${P}\n", &[(COPIED, 2, "x-x", false)]),
    ];
    for (text, want) in cases {
        let want: Vec<Row> = want
            .iter()
            .map(|(r, l, v, lit)| row(r, *l, v, *lit))
            .collect();
        assert_eq!(
            read_fixture(dir.path(), "Dockerfile", text, &[]),
            want,
            "{text}"
        );
    }
}

#[test]
fn recognised_by_name_then_content() {
    let cases = [
        ("Dockerfile", "", Some(Kind::Dockerfile)),
        ("api.Dockerfile", "", Some(Kind::Dockerfile)),
        ("app.service", "", Some(Kind::Systemd)),
        ("unit.conf", "[Service]\n", Some(Kind::Systemd)),
        (".github/workflows/ci.yml", "", Some(Kind::Workflow)),
        ("ci.yml", "on: push\njobs:\n", Some(Kind::Workflow)),
        ("docker-compose.prod.yml", "", Some(Kind::Compose)),
        ("stack.yml", "services:\n", Some(Kind::Compose)),
        ("k.yaml", "apiVersion: v1\n", Some(Kind::Kubernetes)),
        ("notes.txt", "hello\n", None),
    ];
    for (name, text, want) in cases {
        assert_eq!(recognise(Path::new(name), text), want, "{name}");
    }
}

#[test]
fn names_from_the_file_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let compose = "services:\n  \"x\\nrm -rf ~\\u001b[31m\":\n    environment:\n      K: v\n";
    let got = read_fixture(dir.path(), "compose.yml", compose, &[]);
    let reader = &got[0].0;
    assert!(
        !reader.chars().any(crate::model::untrusted::is_unsafe),
        "{reader:?}"
    );
    assert!(reader.contains("rm -rf"), "{reader:?}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Any bytes under any deployment name: no panic, and no piece of the key (which
        /// the file may hold anywhere) in an error message or a reader's name.
        #[test]
        fn any_file_is_read_or_refused_without_leaking(
            body in proptest::collection::vec(any::<u8>(), 0..400),
            pick in 0usize..6,
            at in 0usize..400,
        ) {
            let names = ["compose.yml", "k.yaml", "Dockerfile", "a.service", ".github/workflows/w.yml", "x.txt"];
            let dir = tempfile::tempdir().unwrap();
            let mut bytes = body;
            let at = at.min(bytes.len());
            let key = format!("K: {TEST_CANARY}\n- K={TEST_CANARY}\nENV K={TEST_CANARY}\n");
            bytes.splice(at..at, key.bytes());
            let path = dir.path().join(names[pick]);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
            let env = Env { name: "K", vars: &[], home: None };
            let text = match read_all(std::slice::from_ref(&path), &env, Pipes::Refuse) {
                Ok(f) => f[0].definitions.iter().map(|d| match &d.delivered {
                    Delivered::Value(_) => d.reader.clone(),
                    Delivered::Nothing(w) | Delivered::Unknown(w) => format!("{} {w}", d.reader),
                }).collect::<Vec<_>>().join("\n"),
                Err(e) => e.to_string(),
            };
            let secrets = crate::leak::Secrets::new(&[&crate::model::secret::SecretKey::from_string(TEST_CANARY.into())]);
            prop_assert!(!secrets.leaks(&text), "{text}");
        }
    }
}
