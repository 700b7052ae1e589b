//! Issue 15, file system and honest CLI, through the real binary (the reproducers
//! `r10_fs.sh`, `r11`, `r12_fmt_bless_links.sh`, `r13_fmt_race.sh`, `r16_config.sh`,
//! `r18_import_paths.sh`, `r08_baseline.py` of the hostile-input set): files named by
//! `.skuld.yaml` are confined to the repository and shown nowhere; writes never follow a link,
//! never replace an input or a read-only file, keep the mode; contradictory flags are usage
//! errors.

#![expect(
    clippy::unwrap_used,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::path::Path;
use std::process::Output;

use crate::common::{root, skuld_in, stderr, stdout, write};

const TENANT: &str = "tenant: t\nsspr:\n  scope: all\nusers:\n  - upn: a@x.com\n";

/// A repository (`.git/`) with `tenants/t.yaml` (two findings).
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
    write(&dir.path().join("repo/tenants/t.yaml"), TENANT);
    dir
}

fn run(dir: &Path, config: &str, args: &[&str]) -> Output {
    write(&dir.join(".skuld.yaml"), config);
    skuld_in(dir, args)
}

/// Standard error with miette's line wrapping undone, so that phrases can be searched.
fn said(o: &Output) -> String {
    stderr(o)
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

fn refused(o: &Output, what: &str) {
    let err = said(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("skuld::io::refused"), "{err}");
    assert!(err.contains(what), "{err}");
}

#[test]
fn config_paths_outside_the_repository_are_refused_without_their_content() {
    let dir = repo();
    let r = dir.path().join("repo");
    // A file above the root, with a secret in it.
    write(&dir.path().join("secret.skuld"), "TOPSECRET_VALUE\n");
    for config in [
        "policies: ../secret.skuld\n",
        "waivers: ../secret.skuld\n",
        "policies: /proc/self/environ\n",
        "waivers: /proc/self/environ\n",
        "policies: /etc/passwd\n",
        "policies: /dev/zero\n",
        "waivers: /dev/zero\n",
        "policies: /\n",
    ] {
        let o = run(&r, config, &["check", "tenants/"]);
        refused(&o, "outside the repository");
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains("TOPSECRET"), "{config}: {all}");
        assert!(!all.contains("root:"), "{config}: {all}");
        assert!(!all.contains("PATH="), "{config}: {all}");
    }
}

#[cfg(unix)]
#[test]
fn links_out_of_the_repository_are_refused_for_config_waivers_and_policies() {
    let dir = repo();
    let r = dir.path().join("repo");
    write(&dir.path().join("outside.skuld"), "TOPSECRET_VALUE\n");
    std::os::unix::fs::symlink("../outside.skuld", r.join("p.skuld")).unwrap();
    let o = run(&r, "policies: p.skuld\n", &["check", "tenants/"]);
    refused(&o, "it is a link to");
    assert!(!stderr(&o).contains("TOPSECRET"));

    // The default waivers file, and the config itself, as links to /proc/self/environ.
    std::fs::remove_file(r.join(".skuld.yaml")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", r.join("skuld-waivers.yaml")).unwrap();
    let o = skuld_in(&r, &["check", "tenants/"]);
    refused(&o, "skuld-waivers.yaml");
    std::fs::remove_file(r.join("skuld-waivers.yaml")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", r.join(".skuld.yaml")).unwrap();
    let o = skuld_in(&r, &["check", "tenants/"]);
    refused(&o, ".skuld.yaml");

    // Named on the command line, a file outside is the user's choice.
    std::fs::remove_file(r.join(".skuld.yaml")).unwrap();
    write(&dir.path().join("mine.skuld"), "");
    let o = skuld_in(&r, &["check", "tenants/", "--policy", "../mine.skuld"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn a_policy_file_inside_the_repository_is_read_and_the_config_is_named() {
    let dir = repo();
    let r = dir.path().join("repo");
    write(&r.join("policies/extra.skuld"), "");
    let o = run(&r, "policies: policies/\n", &["check", "tenants/"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("config: .skuld.yaml"), "{}", stdout(&o));
    // No config: no such line.
    let o = skuld_in(&r, &["check", "tenants/", "--no-config"]);
    assert!(!stdout(&o).contains("config:"), "{}", stdout(&o));
}

#[cfg(unix)]
#[test]
fn output_never_writes_through_a_symlink() {
    let dir = repo();
    let r = dir.path().join("repo");
    write(&dir.path().join("victim/secret.txt"), "precious data\n");
    std::os::unix::fs::symlink("../victim/secret.txt", r.join("skuld.sarif")).unwrap();
    let o = skuld_in(
        &r,
        &[
            "check",
            "tenants/",
            "--format",
            "sarif",
            "-o",
            "skuld.sarif",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("victim/secret.txt")).unwrap(),
        "precious data\n"
    );
    assert!(
        r.join("skuld.sarif")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[cfg(unix)]
#[test]
fn output_keeps_the_mode_and_refuses_read_only_files_and_inputs() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = repo();
    let r = dir.path().join("repo");
    let mode = |p: &Path| p.metadata().unwrap().permissions().mode() & 0o777;

    write(&r.join("mode.json"), "x");
    std::fs::set_permissions(r.join("mode.json"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = skuld_in(
        &r,
        &["check", "tenants/", "--format", "json", "-o", "mode.json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(mode(&r.join("mode.json")), 0o600);
    assert!(
        std::fs::read_to_string(r.join("mode.json"))
            .unwrap()
            .contains("findings")
    );

    write(&r.join("ro.json"), "RO");
    std::fs::set_permissions(r.join("ro.json"), std::fs::Permissions::from_mode(0o444)).unwrap();
    let o = skuld_in(
        &r,
        &["check", "tenants/", "--format", "json", "-o", "ro.json"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(r.join("ro.json")).unwrap(), "RO");
    assert_eq!(mode(&r.join("ro.json")), 0o444);

    // The checked tenant, the config and the waivers are never replaced by the report.
    write(&r.join("skuld-waivers.yaml"), "waivers: []\n");
    write(&r.join(".skuld.yaml"), "fail-on: error\n");
    for target in [
        "tenants/t.yaml",
        "./tenants/t.yaml",
        ".skuld.yaml",
        "skuld-waivers.yaml",
    ] {
        let before = std::fs::read_to_string(r.join(target)).unwrap();
        let o = skuld_in(&r, &["check", "tenants/t.yaml", "-o", target]);
        assert_eq!(o.status.code(), Some(2), "{target}");
        assert!(said(&o).contains("an input of this run"), "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(r.join(target)).unwrap(), before);
    }

    let o = skuld_in(&r, &["check", "tenants/", "-o", "nodir/x/out.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(said(&o).contains("does not exist"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn fmt_and_bless_refuse_a_symlinked_file_and_leave_its_target_alone() {
    let dir = repo();
    let r = dir.path().join("repo");
    let policy = "rule a/b {\nseverity error\nfor user u where count(u.licenses) > 5\nrequire u.usage_location != null\nat u \"x\"\nmessage \"m\"\n}\n";
    write(&dir.path().join("outside/victim.skuld"), policy);
    write(&dir.path().join("outside/v.test.yaml"), TENANT);
    std::os::unix::fs::symlink("../outside/victim.skuld", r.join("direct.skuld")).unwrap();
    std::os::unix::fs::symlink("../outside/v.test.yaml", r.join("link.test.yaml")).unwrap();
    let o = skuld_in(&r, &["fmt", "direct.skuld"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    let o = skuld_in(&r, &["test", "link.test.yaml", "--bless"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("outside/victim.skuld")).unwrap(),
        policy
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("outside/v.test.yaml")).unwrap(),
        TENANT
    );
    // A read-only policy file is not reformatted.
    write(&r.join("ro.skuld"), policy);
    let mut p = r.join("ro.skuld").metadata().unwrap().permissions();
    p.set_readonly(true);
    std::fs::set_permissions(r.join("ro.skuld"), p).unwrap();
    let o = skuld_in(&r, &["fmt", "ro.skuld"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(r.join("ro.skuld")).unwrap(), policy);
}

#[test]
fn contradictory_flags_are_usage_errors_naming_the_flags() {
    let dir = repo();
    let r = dir.path().join("repo");
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "check",
                "tenants/",
                "--only-rule",
                "sspr/cloud-user-license",
                "--skip-rule",
                "sspr/cloud-user-license",
            ],
            "contradict each other",
        ),
        (
            &[
                "check",
                "tenants/",
                "--compare",
                "builtin:sspr-2017",
                "builtin:sspr-current",
                "--format",
                "sarif",
            ],
            "`--compare` cannot write `--format sarif`",
        ),
        (
            &[
                "check",
                "tenants/",
                "--compare",
                "builtin:sspr-2017",
                "builtin:sspr-current",
                "--baseline",
                "b.json",
            ],
            "cannot be used with",
        ),
        (&["explain", "tenants/t.yaml"], "needs `--user UPN`"),
        (
            &["check", "tenants/", "-o", "-"],
            "would write a file named `-`",
        ),
    ];
    for (args, says) in cases {
        let o = skuld_in(&r, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(said(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("cannot read `--format`"));
    }
}

#[test]
fn a_config_whose_only_rules_are_all_skipped_is_a_usage_error() {
    let dir = repo();
    let r = dir.path().join("repo");
    let o = run(
        &r,
        "only-rules: [sspr/cloud-user-license]\n",
        &[
            "check",
            "tenants/",
            "--skip-rule",
            "sspr/cloud-user-license",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        said(&o).contains("nothing would be reported"),
        "{}",
        stderr(&o)
    );
    assert!(!r.join("-").exists());
}

#[test]
fn a_baseline_written_in_another_folder_says_why_nothing_matches() {
    let dir = repo();
    let r = dir.path().join("repo");
    let o = skuld_in(
        &r,
        &[
            "check",
            "tenants/t.yaml",
            "--format",
            "json",
            "-o",
            "b.json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = skuld_in(
        &r.join("tenants"),
        &["check", "t.yaml", "--baseline", "../b.json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("skuld::baseline::no-match"), "{err}");
    assert!(
        err.contains("`tenants/t.yaml`") && err.contains("`t.yaml`"),
        "{err}"
    );
    // From the same folder the baseline matches, and says nothing.
    let o = skuld_in(&r, &["check", "tenants/t.yaml", "--baseline", "b.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("no-match"));
}

#[cfg(unix)]
#[test]
fn import_reads_no_link_out_of_the_export_and_never_writes_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let exp = dir.path().join("exp");
    std::fs::create_dir_all(&exp).unwrap();
    let src = root().join("tests/data/fixtures/graph/contoso");
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), exp.join(e.file_name())).unwrap();
        }
    }
    write(
        &dir.path().join("outside/creds.json"),
        "{\"secret_api_key\": \"sk_live_TOPSECRET\"}\n",
    );
    let _ = std::fs::remove_dir_all(exp.join("members"));
    std::os::unix::fs::symlink("../outside", exp.join("members")).unwrap();
    let o = skuld_in(dir.path(), &["import", "graph", "exp", "-o", "out.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("TOPSECRET"), "{}", stderr(&o));
    assert!(stderr(&o).contains("link"), "{}", stderr(&o));
    std::fs::remove_file(exp.join("members")).unwrap();

    let before = std::fs::read_to_string(exp.join("users.json")).unwrap();
    let o = skuld_in(
        dir.path(),
        &["import", "graph", "exp", "-o", "exp/users.json"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(exp.join("users.json")).unwrap(),
        before
    );
}
