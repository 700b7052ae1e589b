//! Release engineering: the GitHub Action's script run for real on this machine with the locally
//! built binary (`SKULD_BIN`) and through its download path (assets packaged by the release's
//! own `package.sh`, served from a `file://` folder, checksums verified), and the properties of
//! `action.yml`, the release workflow and the `Dockerfile` that no container tool here can run.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// Runs the action's script in the repository root, as the composite action does.
fn action(tmp: &Path, env: &[(&str, &str)]) -> (Output, String) {
    action_in(&root(), tmp, env)
}

/// [`action`] in the checkout `dir`.
fn action_in(dir: &Path, tmp: &Path, env: &[(&str, &str)]) -> (Output, String) {
    let out = tmp.join("github-output");
    std::fs::write(&out, "").unwrap();
    let path_file = tmp.join("github-path");
    let mut cmd = Command::new("bash");
    cmd.arg(root().join(".github/action/install-and-run.sh"))
        .current_dir(dir)
        .env("RUNNER_TEMP", tmp)
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_PATH", &path_file)
        .env("NO_COLOR", "1")
        .env_remove("SKULD_BIN")
        .env_remove("SKULD_REPOSITORY")
        .env_remove("SKULD_RELEASE_HOST")
        .env_remove("GITHUB_ACTION_PATH")
        .env_remove("INPUT_VERSION")
        .env_remove("INPUT_ARGS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    (o, std::fs::read_to_string(out).unwrap())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const BIN: &str = env!("CARGO_BIN_EXE_skuld");

#[test]
fn the_action_checks_writes_sarif_and_exits_with_skulds_status() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, outputs) = action(
        tmp.path(),
        &[
            ("SKULD_BIN", BIN),
            ("INPUT_PATHS", "examples/problems.yaml"),
            ("INPUT_FORMAT", "github"),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("::error file=examples/problems.yaml"),
        "{stdout}"
    );
    assert!(outputs.contains("exit-code=1"), "{outputs}");
    let sarif_path = tmp.path().join("skuld.sarif");
    assert!(outputs.contains(&format!("sarif-file={}", sarif_path.display())));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());

    // Clean tenants, several paths and a quoted glob, extra arguments: exit 0.
    let (o, outputs) = action(
        tmp.path(),
        &[
            ("SKULD_BIN", BIN),
            (
                "INPUT_PATHS",
                "examples/clean.yaml\ntests/data/../../examples/clean*.yaml",
            ),
            ("INPUT_FORMAT", "compact"),
            ("INPUT_ARGS", "--no-config"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(outputs.contains("exit-code=0"), "{outputs}");

    // fail-on never: findings reported, the step passes.
    let (o, _) = action(
        tmp.path(),
        &[
            ("SKULD_BIN", BIN),
            ("INPUT_PATHS", "examples/problems.yaml"),
            ("INPUT_FAIL_ON", "never"),
            ("INPUT_SARIF", "false"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // A path that does not exist: 2, and no SARIF to upload.
    let tmp = tempfile::tempdir().unwrap();
    let (o, outputs) = action(
        tmp.path(),
        &[("SKULD_BIN", BIN), ("INPUT_PATHS", "no/such/tenants")],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(outputs.contains("exit-code=2"), "{outputs}");
    assert!(!outputs.contains("sarif-file="), "{outputs}");
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

#[test]
fn given_a_base_ref_the_action_writes_the_diff_to_the_job_summary() {
    // A checkout: the target branch has tenants/contoso.yaml; the pull request changes it (and
    // the config, which is no tenant).
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    std::fs::create_dir_all(r.join("tenants")).unwrap();
    git(r, &["init", "--quiet", "--initial-branch=main"]);
    std::fs::write(
        r.join(".skuld.yaml"),
        read("tests/data/cost/skuld.yaml") + "fail-on: never\n",
    )
    .unwrap();
    std::fs::write(
        r.join("tenants/contoso.yaml"),
        read("tests/data/cost/tenant.yaml"),
    )
    .unwrap();
    std::fs::write(r.join("tenants/clean.yaml"), read("examples/clean.yaml")).unwrap();
    git(r, &["add", "."]);
    git(r, &["commit", "--quiet", "-m", "base"]);
    git(r, &["checkout", "--quiet", "-b", "change"]);
    std::fs::write(
        r.join("tenants/contoso.yaml"),
        read("tests/data/cost/head.yaml"),
    )
    .unwrap();
    std::fs::write(r.join(".skuld.yaml"), read("tests/data/cost/skuld.yaml")).unwrap();
    git(r, &["commit", "--quiet", "-am", "change"]);

    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    let (o, outputs) = action_in(
        r,
        tmp.path(),
        &[
            ("SKULD_BIN", BIN),
            ("INPUT_PATHS", "tenants/"),
            ("INPUT_SARIF", "false"),
            ("INPUT_FAIL_ON", "never"),
            ("INPUT_BASE_REF", "main"),
            ("INPUT_COMMENT", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ("INPUT_TOKEN", ""),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // After `check`'s own table: the diff of the one tenant file the change modified.
    let summary = std::fs::read_to_string(&summary).unwrap();
    let start = summary.find("### skuld: `tenants/contoso.yaml`\n").unwrap();
    let section = &summary[start..];
    assert!(!section.contains("clean.yaml"), "{section}");
    assert!(
        summary.contains("**Cost a month:** 171.30 EUR → 226.10 EUR (**+54.80 EUR**)"),
        "{summary}"
    );
    assert!(
        summary.contains("| `SPE_E3` | 3 → 4 (+1) | 2 → 3 (+1) |"),
        "{summary}"
    );
    // The comment: the marker once, then the same section; with no token, only a warning.
    let comment = tmp.path().join("skuld-comment.md");
    assert!(
        outputs.contains(&format!("diff-file={}", comment.display())),
        "{outputs}"
    );
    let comment = std::fs::read_to_string(comment).unwrap();
    assert_eq!(comment, format!("<!-- skuld-diff -->\n{section}"));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("::warning title=skuld action::no pull request or token"),
        "{stdout}"
    );
}

/// The release target the action's script picks on this machine.
fn host_target() -> Option<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some("x86_64-unknown-linux-musl"),
        ("linux", "aarch64") => Some("aarch64-unknown-linux-musl"),
        ("macos", "x86_64") => Some("x86_64-apple-darwin"),
        ("macos", "aarch64") => Some("aarch64-apple-darwin"),
        _ => None,
    }
}

#[cfg(unix)]
#[test]
fn the_action_installs_a_packaged_release_and_refuses_a_bad_checksum() {
    let Some(target) = host_target() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // A release v9.9.9 of acme/skuld as GitHub lays it out, under a file:// "host".
    let host = tmp.path().join("host");
    let dist = host.join("acme/skuld/releases/download/v9.9.9");
    let o = Command::new("bash")
        .arg(root().join(".github/release/package.sh"))
        .args([target, BIN, dist.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let asset = format!("skuld-{target}.tar.gz");
    assert!(dist.join(&asset).is_file());
    let sum = std::fs::read_to_string(dist.join(format!("{asset}.sha256"))).unwrap();
    assert!(sum.ends_with(&format!("  {asset}\n")), "{sum}");

    let host_url = format!("file://{}", host.display());
    // The action's repository and version come from where the runner checked it out.
    let run = |tmp: &Path| {
        action(
            tmp,
            &[
                ("SKULD_RELEASE_HOST", &host_url),
                (
                    "GITHUB_ACTION_PATH",
                    "/home/runner/work/_actions/acme/skuld/v9.9.9",
                ),
                ("INPUT_PATHS", "examples/problems.yaml"),
                ("INPUT_FORMAT", "compact"),
            ],
        )
    };
    let work = tempfile::tempdir().unwrap();
    let (o, outputs) = run(work.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("skuld 0."));
    assert!(outputs.contains("sarif-file="), "{outputs}");
    // The installed binary is on the job's PATH for later steps.
    let path = std::fs::read_to_string(work.path().join("github-path")).unwrap();
    assert!(Path::new(path.trim()).join("skuld").is_file(), "{path}");

    // A tampered archive is not run.
    let mut bytes = std::fs::read(dist.join(&asset)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(dist.join(&asset), bytes).unwrap();
    let work = tempfile::tempdir().unwrap();
    let (o, outputs) = run(work.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("checksum mismatch"), "{}", stderr(&o));
    assert!(!outputs.contains("exit-code"), "{outputs}");

    // No such release (`latest` was never published here): a clear error.
    let work = tempfile::tempdir().unwrap();
    let (o, _) = action(
        work.path(),
        &[
            ("SKULD_RELEASE_HOST", &host_url),
            (
                "GITHUB_ACTION_PATH",
                "/home/runner/work/_actions/acme/skuld/main",
            ),
            ("INPUT_PATHS", "examples/problems.yaml"),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("cannot download"), "{err}");
    assert!(
        err.contains("/acme/skuld/releases/latest/download/"),
        "{err}"
    );
}

#[test]
fn action_yml_is_a_composite_action_with_the_documented_inputs() {
    let action: serde_yaml::Value = serde_yaml::from_str(&read("action.yml")).unwrap();
    for input in [
        "paths",
        "format",
        "fail-on",
        "version",
        "sarif",
        "base-ref",
        "diff-args",
        "comment",
        "pull-request",
        "github-token",
    ] {
        assert!(
            action["inputs"][input]["description"].is_string(),
            "input {input}"
        );
    }
    assert_eq!(action["runs"]["using"], "composite");
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let script = steps[0]["run"].as_str().unwrap();
    assert!(script.contains("$GITHUB_ACTION_PATH/.github/action/install-and-run.sh"));
    assert!(root().join(".github/action/install-and-run.sh").is_file());
    // Every input reaches the script.
    for (input, var) in [
        ("paths", "INPUT_PATHS"),
        ("format", "INPUT_FORMAT"),
        ("fail-on", "INPUT_FAIL_ON"),
        ("version", "INPUT_VERSION"),
        ("sarif", "INPUT_SARIF"),
        ("base-ref", "INPUT_BASE_REF"),
        ("diff-args", "INPUT_DIFF_ARGS"),
        ("comment", "INPUT_COMMENT"),
        ("pull-request", "INPUT_PULL_REQUEST"),
        ("github-token", "INPUT_TOKEN"),
    ] {
        assert_eq!(
            steps[0]["env"][var].as_str().unwrap(),
            format!("${{{{ inputs.{input} }}}}")
        );
    }
    assert!(steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .unwrap_or("")
            .starts_with("github/codeql-action/upload-sarif@")
    }));
}

#[test]
fn the_release_workflow_builds_every_target_with_checksums() {
    let wf: serde_yaml::Value =
        serde_yaml::from_str(&read(".github/workflows/release.yml")).unwrap();
    let targets: Vec<&str> = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc"
        ]
    );
    let text = read(".github/workflows/release.yml");
    assert!(text.contains(".github/release/package.sh"));
    assert!(text.contains("SHA256SUMS"));
    assert!(text.contains("--locked"));
    // Every target the action's script can ask for is built.
    let script = read(".github/action/install-and-run.sh");
    for t in &targets {
        assert!(script.contains(t), "{t}");
    }
}

/// What `docker build` cannot check here (no container daemon on the test machines): the final
/// stage is empty but for the binary, runs as a non-root user, and the build stage copies what
/// the crate needs.
#[test]
fn the_dockerfile_builds_a_minimal_non_root_image() {
    let dockerfile = read("Dockerfile");
    let lines: Vec<&str> = dockerfile
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let stages: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("FROM "))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(stages.len(), 2, "a build stage and a final stage");
    let build = &lines[stages[0]..stages[1]];
    let last = &lines[stages[1]..];
    assert!(build[0].contains("alpine"), "musl build: {}", build[0]);
    assert!(build.iter().any(|l| l.contains("--locked")));
    assert_eq!(last[0], "FROM scratch");
    assert!(
        !last.iter().any(|l| l.starts_with("RUN ")),
        "no shell in the final stage"
    );
    let user = last
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .unwrap();
    let uid: u32 = user.split(':').next().unwrap().parse().unwrap();
    assert_ne!(uid, 0, "non-root");
    assert!(
        last.iter().any(|l| l.starts_with("ENTRYPOINT [\"")),
        "exec form"
    );
    // The build stage copies every file the manifest needs.
    let ignore = read(".dockerignore");
    for l in build.iter().filter_map(|l| l.strip_prefix("COPY ")) {
        let parts: Vec<&str> = l.split_whitespace().collect();
        for src in &parts[..parts.len() - 1] {
            assert!(root().join(src).exists(), "COPY {src}");
            assert!(
                !ignore.lines().any(|i| i.trim_end_matches('/') == *src),
                "{src} ignored"
            );
        }
    }
    let manifest = read("Cargo.toml");
    for dir in ["src", "grammar", "policies", "benches"] {
        assert!(
            build.iter().any(|l| l.starts_with(&format!("COPY {dir} "))),
            "{dir} copied"
        );
    }
    assert!(manifest.contains("[[bench]]"));
    assert!(ignore.lines().any(|l| l.trim() == "target/"));
}
