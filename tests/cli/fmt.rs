//! `skuld fmt` through the real binary: `--check`, in-place rewriting, standard input, errors.
//! (The formatter's own properties are unit tests in `src/tests/fmt.rs`.)

#![expect(clippy::unwrap_used, reason = "test code: a panic is a test failure")]

use std::path::Path;
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------- the binary

fn skuld(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1")
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const MESSY: &str = "\
// a policy of my own
sku   \"My_SKU (2024)\"   \"Mine\"{paid   family mine}   // trailing
/// what it grants
capability   mine_cap
grant mine_cap to \"My_SKU (2024)\"
rule org/mine { severity warning for user u where u.synced require not u.upn == \"x\" or u.synced and true at u message \"m {u.upn}\" }
";

const TIDY: &str = "\
// a policy of my own
sku \"My_SKU (2024)\" \"Mine\" {
    paid family mine
} // trailing

/// what it grants
capability mine_cap

grant mine_cap to \"My_SKU (2024)\"

rule org/mine {
    severity warning
    for user u where u.synced
    require not (u.upn == \"x\") or (u.synced and true)
    at u
    message \"m {u.upn}\"
}
";

#[test]
fn shipped_policies_pass_fmt_check() {
    let dir = root().join("policies");
    let (code, out, err) = skuld(&["fmt", "--check", dir.to_str().unwrap()], None);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

#[test]
fn check_shows_a_diff_and_exits_1_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.skuld");
    std::fs::write(&file, MESSY).unwrap();
    let (code, out, _) = skuld(&["fmt", "--check", dir.path().to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert!(out.contains(&format!("--- {}", file.display())), "{out}");
    assert!(
        out.contains("+    require not (u.upn == \"x\") or (u.synced and true)"),
        "{out}"
    );
    assert!(out.contains("-rule org/mine {"), "{out}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), MESSY);
}

#[test]
fn fmt_rewrites_in_place_only_when_changed() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.skuld");
    let tidy = dir.path().join("sub/tidy.skuld");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(&messy, MESSY).unwrap();
    std::fs::write(&tidy, TIDY).unwrap();
    let before = std::fs::metadata(&tidy).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let (code, out, err) = skuld(&["fmt", dir.path().to_str().unwrap()], None);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), TIDY);
    assert_eq!(
        std::fs::metadata(&tidy).unwrap().modified().unwrap(),
        before
    );
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    let (code, _, _) = skuld(&["fmt", "--check", dir.path().to_str().unwrap()], None);
    assert_eq!(code, 0);
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let (code, out, err) = skuld(&["fmt", "-"], Some(MESSY));
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, TIDY);
    let (code, out, _) = skuld(&["fmt", "--check", "-"], Some(MESSY));
    assert_eq!(code, 1);
    assert!(out.starts_with("--- <stdin>\n+++ <stdin>\n"), "{out}");
    let (code, out, _) = skuld(&["fmt", "--check", "-"], Some(TIDY));
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn a_file_with_a_syntax_error_is_reported_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.skuld");
    let good = dir.path().join("good.skuld");
    let broken = "sku X \"x\" { paid\ncapability   c\n";
    std::fs::write(&bad, broken).unwrap();
    std::fs::write(&good, MESSY).unwrap();
    let (code, _, err) = skuld(&["fmt", dir.path().to_str().unwrap()], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("skuld::policy::syntax"), "{err}");
    assert!(err.contains("bad.skuld"), "{err}");
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), broken);
    // The other files are still formatted.
    assert_eq!(std::fs::read_to_string(&good).unwrap(), TIDY);
}

#[test]
fn missing_paths_and_empty_folders_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = skuld(&["fmt", dir.path().to_str().unwrap()], None);
    assert_eq!(code, 2);
    assert!(err.contains("skuld::fmt::no_files"), "{err}");
    let missing = dir.path().join("nope.skuld");
    let (code, _, err) = skuld(&["fmt", missing.to_str().unwrap()], None);
    assert_eq!(code, 2);
    assert!(err.contains("nope.skuld"), "{err}");
}

#[test]
fn a_comment_inside_a_template_hole_is_refused_not_dropped() {
    let text = "rule a/b {\n    severity error\n    for user u\n    require u.synced\n    at u\n    message \"{u.upn // who\n}\"\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.skuld");
    std::fs::write(&f, text).unwrap();
    let (code, _, err) = skuld(&["fmt", f.to_str().unwrap()], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("skuld::fmt::comment_in_template"), "{err}");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), text);
}
