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

use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// Runs the action's script in the repository root, as the composite action does.
fn action(tmp: &Path, env: &[(&str, &str)]) -> (Output, String) {
    action_at(&root().join(".github/action/install-and-run.sh"), tmp, env)
}

/// Runs a copy of the action's script (beside its own `release-sums.txt`).
fn action_at(script: &Path, tmp: &Path, env: &[(&str, &str)]) -> (Output, String) {
    run_action(script, &root(), tmp, env)
}

/// [`action`] in the checkout `dir`.
fn action_in(dir: &Path, tmp: &Path, env: &[(&str, &str)]) -> (Output, String) {
    run_action(
        &root().join(".github/action/install-and-run.sh"),
        dir,
        tmp,
        env,
    )
}

/// Runs the action's script `script` in the folder `dir`.
fn run_action(script: &Path, dir: &Path, tmp: &Path, env: &[(&str, &str)]) -> (Output, String) {
    let out = tmp.join("github-output");
    std::fs::write(&out, "").unwrap();
    let path_file = tmp.join("github-path");
    let mut cmd = Command::new("bash");
    cmd.arg(script)
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

/// Issue 23: the action trusts a release asset only through the SHA-256 recorded in its own
/// repository (`release-sums.txt` beside the script, in the pinned commit). A tampered archive,
/// with or without a matching `.sha256` on the release page (here one naming `/dev/null`), is
/// not run; a version without a recorded sum is refused (no attestation can be checked here);
/// a SHA-pinned action installs the release recorded with it, not the newest one.
#[cfg(unix)]
#[test]
fn the_action_installs_only_a_release_whose_sum_its_repository_records() {
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
    let hash = sum.split_whitespace().next().unwrap().to_owned();

    // The action's checkout: the script and the sums recorded in its commit.
    let checkout = tmp.path().join("action");
    std::fs::create_dir_all(checkout.join(".github/action")).unwrap();
    let script = checkout.join(".github/action/install-and-run.sh");
    std::fs::copy(root().join(".github/action/install-and-run.sh"), &script).unwrap();
    let record = |lines: &str| {
        std::fs::write(checkout.join(".github/action/release-sums.txt"), lines).unwrap();
    };
    record(&format!(
        "# recorded\nv9.9.8  {}  {asset}\nv9.9.9  {hash}  {asset}\n",
        "0".repeat(64)
    ));

    let host_url = format!("file://{}", host.display());
    // The action's repository and version come from where the runner checked it out.
    let run = |tmp: &Path, action_ref: &str| {
        let action_path = format!("/home/runner/work/_actions/acme/skuld/{action_ref}");
        action_at(
            &script,
            tmp,
            &[
                ("SKULD_RELEASE_HOST", &host_url),
                ("GITHUB_ACTION_PATH", &action_path),
                ("INPUT_PATHS", "examples/problems.yaml"),
                ("INPUT_FORMAT", "compact"),
                ("PATH", "/usr/bin:/bin"),
            ],
        )
    };
    let work = tempfile::tempdir().unwrap();
    let (o, outputs) = run(work.path(), "v9.9.9");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("skuld 0."));
    assert!(outputs.contains("sarif-file="), "{outputs}");
    // The installed binary is on the job's PATH for later steps.
    let path = std::fs::read_to_string(work.path().join("github-path")).unwrap();
    assert!(Path::new(path.trim()).join("skuld").is_file(), "{path}");

    // Pinned by commit SHA: the release recorded last (v9.9.9), though no `latest` exists.
    let work = tempfile::tempdir().unwrap();
    let (o, _) = run(work.path(), &"a".repeat(40));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    // A tampered archive is not run, even beside a `.sha256` naming another file.
    let mut bytes = std::fs::read(dist.join(&asset)).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(dist.join(&asset), &bytes).unwrap();
    std::fs::write(
        dist.join(format!("{asset}.sha256")),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /dev/null\n",
    )
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let (o, outputs) = run(work.path(), "v9.9.9");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("checksum mismatch"), "{}", stderr(&o));
    assert!(!outputs.contains("exit-code"), "{outputs}");

    // The sum line of another version does not vouch for this one.
    record(&format!("v9.9.8  {hash}  {asset}\n"));
    bytes[last] ^= 0xff;
    std::fs::write(dist.join(&asset), &bytes).unwrap();
    let work = tempfile::tempdir().unwrap();
    let (o, _) = run(work.path(), "v9.9.9");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no checksum of"), "{}", stderr(&o));

    // Nothing recorded and no version tag: nothing to install, and no fall-back to `latest`.
    record("# none yet\n");
    let work = tempfile::tempdir().unwrap();
    let (o, _) = run(work.path(), "main");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("no skuld release is recorded"), "{err}");
}

#[test]
fn action_yml_is_a_composite_action_with_the_documented_inputs() {
    let action = crate::yaml::to_json(&read("action.yml")).unwrap();
    for input in [
        "paths",
        "format",
        "fail-on",
        "version",
        "sarif",
        "config-from",
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
    let steps = action["runs"]["steps"].as_array().unwrap();
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
    let wf = crate::yaml::to_json(&read(".github/workflows/release.yml")).unwrap();
    let targets: Vec<&str> = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
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

/// Issue 23: the release and the action pin every action by commit SHA, interpolate no
/// expression into a script (a tag name is the pusher's text), install nothing from PyPI, and
/// attest the build provenance of what they publish.
#[test]
fn release_and_action_pin_by_sha_and_keep_expressions_out_of_scripts() {
    let pinned = |uses: &str| {
        uses.rsplit_once('@').is_some_and(|(_, r)| {
            r.len() == 40
                && r.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
    };
    let mut attested = false;
    for file in [".github/workflows/release.yml", "action.yml"] {
        let text = read(file);
        assert!(!text.contains("pip install"), "{file}: PyPI packages");
        let doc = crate::yaml::to_json(&text).unwrap();
        let mut steps: Vec<&Value> = Vec::new();
        if let Some(jobs) = doc["jobs"].as_object() {
            for job in jobs.values() {
                // A job that calls a workflow (`uses:` on the job) has no steps.
                steps.extend(job["steps"].as_array().into_iter().flatten());
            }
        }
        if let Some(own) = doc["runs"]["steps"].as_array() {
            steps.extend(own);
        }
        assert!(!steps.is_empty(), "{file}");
        for step in steps {
            if let Some(uses) = step["uses"].as_str() {
                assert!(pinned(uses), "{file}: `{uses}` is not pinned by commit SHA");
                attested |= uses.starts_with("actions/attest-build-provenance@");
            }
            if let Some(run) = step["run"].as_str() {
                assert!(
                    !run.contains("${{"),
                    "{file}: an expression in `run:`\n{run}"
                );
            }
        }
    }
    assert!(attested, "the release attests build provenance");
}

/// Contributors' CI runs `.ci/run` on every push and pull request, and a release is built only
/// after the same workflow passed on the tagged commit.
#[test]
fn ci_runs_on_every_push_and_pull_request_and_gates_the_release() {
    let ci = crate::yaml::to_json(&read(".github/workflows/ci.yml")).unwrap();
    for event in ["push", "pull_request", "workflow_call"] {
        assert!(ci["on"].get(event).is_some(), "ci.yml: on {event}");
    }
    assert!(
        ci["on"]["push"].get("paths").is_none() && ci["on"]["push"]["branches"] == json!(["**"]),
        "every branch, every change"
    );
    let runs_ci = ci["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|job| job["steps"].as_array().unwrap())
        .any(|step| step["run"] == "bash .ci/run");
    assert!(runs_ci, "no job runs `bash .ci/run`");

    let release = crate::yaml::to_json(&read(".github/workflows/release.yml")).unwrap();
    assert_eq!(release["jobs"]["ci"]["uses"], "./.github/workflows/ci.yml");
    assert_eq!(release["jobs"]["build"]["needs"], "ci");
    // Publishing waits for the binaries (and the editor package), so for CI through `build`.
    let publish_needs = &release["jobs"]["publish"]["needs"];
    assert!(
        publish_needs == "build"
            || publish_needs
                .as_array()
                .is_some_and(|n| n.iter().any(|j| j == "build")),
        "{publish_needs}"
    );
    assert_eq!(release["jobs"]["image"]["needs"], "publish");
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
