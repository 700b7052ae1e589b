//! Tenant discovery in a real repository: `.gitignore`, hidden folders, workflows, the config
//! and waivers files, `C.YAML`, symbolic links, YAML that is not a tenant, `tenants:` globs in
//! `.skuld.yaml`, `--exclude`, `--verbose`, and the pre-commit hook's selection.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::process::Output;

use serde_json::Value;

use crate::common::{example, git, root, skuld_in, stderr, stdout, write};

const WORKFLOW: &str = "name: ci\non: [push]\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - run: skuld check .\n";
const KUBECONFIG: &str =
    "apiVersion: v1\nkind: Config\nusers:\n  - name: admin\n    user: {token: x}\n";

/// A tenant repository as it really looks: two tenants (one named `C.YAML`), a config with a
/// waivers file, a workflow, a Kubernetes file, a policy test, an ignored build folder.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join(".git/info")).unwrap();
    write(&r.join("tenants/clean.yaml"), &example("clean.yaml"));
    write(&r.join("tenants/eu/C.YAML"), &example("problems.yaml"));
    write(&r.join(".skuld.yaml"), "waivers: ci/accepted.yaml\n");
    write(&r.join("ci/accepted.yaml"), "waivers: []\n");
    write(&r.join(".github/workflows/ci.yml"), WORKFLOW);
    write(&r.join("deploy/kubeconfig.yaml"), KUBECONFIG);
    write(
        &r.join("policies/tests/x.test.yaml"),
        &example("problems.yaml"),
    );
    write(&r.join(".gitignore"), "build/\n");
    write(&r.join("build/out.yaml"), &example("problems.yaml"));
    dir
}

fn checked(o: &Output) -> Vec<String> {
    let doc: Value = serde_json::from_str(&stdout(o)).unwrap();
    doc["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["file"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_repository_is_walked_like_ripgrep_and_only_tenants_are_checked() {
    let dir = repo();
    let o = skuld_in(dir.path(), &["check", ".", "--format", "json", "--verbose"]);
    let err = stderr(&o);
    // The problems tenant has error findings: exit 1, not 2 (nothing failed to load).
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(
        checked(&o),
        ["./tenants/clean.yaml", "./tenants/eu/C.YAML"],
        "{err}"
    );
    for line in [
        "skipped ./.github/: hidden",
        "skipped ./.skuld.yaml: skuld's own file (a config file)",
        "skipped ./ci/accepted.yaml: skuld's own file (the waivers file in use)",
        "skipped ./deploy/kubeconfig.yaml: not a tenant: looks like a Kubernetes manifest",
        "skipped ./policies/tests/x.test.yaml: skuld's own file (a policy test, run by `skuld test`)",
        "skipped ./build/: ignored by .gitignore",
        "checking 2 tenant files",
    ] {
        assert!(err.contains(line), "missing `{line}` in:\n{err}");
    }
    // Without --verbose, nothing of that is said.
    let quiet = skuld_in(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(quiet.status.code(), Some(1));
    assert!(!stderr(&quiet).contains("skipped"), "{}", stderr(&quiet));
}

#[test]
fn a_file_named_on_the_command_line_is_always_checked() {
    let dir = repo();
    // A workflow named explicitly is read as a tenant, and is not one: exit 2.
    let o = skuld_in(dir.path(), &["check", ".github/workflows/ci.yml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // An ignored file named explicitly is checked too.
    let o = skuld_in(dir.path(), &["check", "build/out.yaml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(checked(&o), ["build/out.yaml"]);
}

#[test]
fn a_folder_of_yaml_that_is_not_a_tenant_says_why_it_found_nothing() {
    let dir = repo();
    let o = skuld_in(dir.path(), &["check", "deploy"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("no tenant files"), "{err}");
    assert!(
        err.contains("1 path was left out; `--verbose` says which and why"),
        "{err}"
    );
}

#[test]
fn tenants_include_and_exclude_in_the_config_and_exclude_on_the_command_line() {
    let dir = repo();
    let r = dir.path();
    write(
        &r.join("tenants/archive/old.yaml"),
        &example("problems.yaml"),
    );
    write(
        &r.join(".skuld.yaml"),
        "waivers: ci/accepted.yaml\ntenants:\n  include: [tenants/]\n  exclude: [archive/]\n",
    );
    write(&r.join("other/t.yaml"), &example("clean.yaml"));
    let o = skuld_in(r, &["check", ".", "--format", "json", "-v"]);
    let err = stderr(&o);
    assert_eq!(
        checked(&o),
        ["./tenants/clean.yaml", "./tenants/eu/C.YAML"],
        "{err}"
    );
    assert!(
        err.contains("skipped ./tenants/archive/: excluded by `archive/` (`tenants` in .skuld.yaml, `exclude`)"),
        "{err}"
    );
    assert!(
        err.contains("skipped ./other/t.yaml: not selected by `include` (`tenants` in .skuld.yaml, `include`)"),
        "{err}"
    );

    // `--exclude` adds to the config's, relative to the current folder; `!` takes one back.
    let o = skuld_in(
        r,
        &[
            "check",
            ".",
            "--format",
            "json",
            "-v",
            "--exclude",
            "tenants/eu/*.yaml",
        ],
    );
    assert_eq!(checked(&o), ["./tenants/clean.yaml"], "{}", stderr(&o));
    assert!(
        stderr(&o).contains("excluded by `tenants/eu/*.yaml` (--exclude)"),
        "{}",
        stderr(&o)
    );
    let o = skuld_in(
        r,
        &[
            "check",
            ".",
            "--format",
            "json",
            "--exclude",
            "*.yaml",
            "--exclude",
            "!clean.yaml",
        ],
    );
    assert_eq!(checked(&o), ["./tenants/clean.yaml"], "{}", stderr(&o));

    // Exclusions apply to globs on the command line too.
    let o = skuld_in(
        r,
        &[
            "check",
            "tenants/*.yaml",
            "--format",
            "json",
            "--exclude",
            "clean.yaml",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "nothing left: {}", stderr(&o));
}

#[test]
fn mistakes_in_tenants_globs_are_pointed_at() {
    let dir = repo();
    let r = dir.path();
    write(&r.join(".skuld.yaml"), "tenants:\n  exlude: [archive/]\n");
    let o = skuld_in(r, &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("unknown key `exlude` in `tenants`"), "{err}");
    assert!(err.contains("did you mean `exclude`"), "{err}");

    write(&r.join(".skuld.yaml"), "tenants:\n  include: ['a{b']\n");
    let o = skuld_in(r, &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a glob"), "{}", stderr(&o));
    assert!(stderr(&o).contains(".skuld.yaml:2:"), "{}", stderr(&o));

    std::fs::remove_file(r.join(".skuld.yaml")).unwrap();
    let o = skuld_in(r, &["check", ".", "--exclude", "a{b"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`--exclude a{b` is not a glob"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_report_and_baseline_being_used_are_not_tenants() {
    let dir = repo();
    let r = dir.path();
    // A report written into the tree as YAML is never read back as a tenant.
    write(&r.join("tenants/report.yaml"), "tenant: stale\n");
    let o = skuld_in(
        r,
        &[
            "check",
            ".",
            "--format",
            "json",
            "-o",
            "tenants/report.yaml",
            "-v",
        ],
    );
    assert!(
        stderr(&o)
            .contains("skipped ./tenants/report.yaml: skuld's own file (the report being written)"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_followed_inside_the_repository_and_refused_out_of_it() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    write(
        &outside.path().join("secret.yaml"),
        "tenant: SECRET-CONTENT\n",
    );
    let dir = repo();
    let r = dir.path();
    // A link to a tenant elsewhere in the tree: checked (once, under the first name).
    symlink(r.join("tenants/clean.yaml"), r.join("tenants/linked.yaml")).unwrap();
    write(&r.join("shared/base.yaml"), &example("clean.yaml"));
    write(&r.join(".gitignore"), "build/\nshared/\n");
    symlink(r.join("shared/base.yaml"), r.join("tenants/base.yaml")).unwrap();
    let o = skuld_in(r, &["check", "tenants", "--format", "json", "-v"]);
    let err = stderr(&o);
    assert_eq!(
        checked(&o),
        [
            "tenants/base.yaml",
            "tenants/clean.yaml",
            "tenants/eu/C.YAML"
        ],
        "{err}"
    );
    assert!(
        err.contains("skipped tenants/linked.yaml: the same file as `tenants/clean.yaml`"),
        "{err}"
    );

    // A link out of the repository: an error that names it and shows none of its content.
    symlink(
        outside.path().join("secret.yaml"),
        r.join("tenants/evil.yaml"),
    )
    .unwrap();
    symlink(outside.path(), r.join("tenants/elsewhere")).unwrap();
    let o = skuld_in(r, &["check", "tenants", "--format", "json"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("tenants/evil.yaml"), "{err}");
    assert!(err.contains("tenants/elsewhere"), "{err}");
    assert!(
        err.contains("a symbolic link out of the repository"),
        "{err}"
    );
    assert!(!err.contains("SECRET-CONTENT") && !stdout(&o).contains("SECRET-CONTENT"));
    // The other tenants are still checked.
    assert_eq!(checked(&o).len(), 3, "{err}");
    // `--exclude` leaves the links out.
    let o = skuld_in(
        r,
        &[
            "check",
            "tenants",
            "--exclude",
            "evil.yaml",
            "--exclude",
            "elsewhere",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    // A broken link that looks like a tenant is an error, not a silent pass.
    std::fs::remove_file(r.join("tenants/evil.yaml")).unwrap();
    std::fs::remove_file(r.join("tenants/elsewhere")).unwrap();
    symlink(r.join("tenants/gone.yaml"), r.join("tenants/broken.yaml")).unwrap();
    let o = skuld_in(r, &["check", "tenants"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("tenants/broken.yaml"), "{}", stderr(&o));
}

#[test]
fn the_pre_commit_hook_lets_skuld_choose_the_files() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Value = crate::yaml::to_json(&text).unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "skuld");
    // Filenames passed by pre-commit would be "named explicitly" and always checked; the hook
    // runs discovery instead, so it selects exactly what `skuld check .` selects.
    assert_eq!(hook["pass_filenames"], false);
    let entry = hook["entry"].as_str().unwrap();
    assert!(entry.starts_with("skuld check ."), "{entry}");
    let files = hook["files"].as_str().unwrap();
    assert!(
        files.contains("(?i)"),
        "case-insensitive like discovery: {files}"
    );
}

#[test]
fn a_glob_whose_files_were_named_before_is_not_an_empty_glob() {
    let dir = repo();
    let o = skuld_in(
        dir.path(),
        &[
            "check",
            "tenants/clean.yaml",
            "tenants/*.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(checked(&o), ["tenants/clean.yaml"]);
}

/// Issue 23's reproducer: a change adds a `.gitignore` that names a tracked tenant with errors.
/// Git still tracks (and diffs) it, so skuld still checks it; an untracked file the same
/// `.gitignore` names stays left out.
#[test]
fn a_tracked_tenant_is_checked_whatever_gitignore_says() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    git(r, &["init", "-q"]);
    write(&r.join("t/problems.yaml"), &example("problems.yaml"));
    write(&r.join("t/clean.yaml"), &example("clean.yaml"));
    git(r, &["add", "t"]);
    write(&r.join("t/.gitignore"), "problems.yaml\nscratch.yaml\n");
    write(&r.join("t/scratch.yaml"), &example("problems.yaml"));

    let o = skuld_in(r, &["check", "t/", "--format", "github", "--verbose"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("::error file=t/problems.yaml,"), "{out}");
    assert!(!out.contains("scratch"), "{out}");
    assert!(
        stderr(&o).contains("skipped t/scratch.yaml: ignored by .gitignore"),
        "{}",
        stderr(&o)
    );

    // A glob over the folder, and the repository root, see the same tracked file.
    let o = skuld_in(r, &["check", "t/*.yaml", "--format", "json"]);
    assert_eq!(checked(&o), ["t/clean.yaml", "t/problems.yaml"]);
    let o = skuld_in(r, &["check", ".", "--format", "json"]);
    assert_eq!(checked(&o), ["./t/clean.yaml", "./t/problems.yaml"]);
}
