//! The catalog listing against the compiled catalog (moved from `tests/cli/cli_extras.rs`).

use super::run_cli;

#[test]
fn skus_lists_the_catalog() {
    let (code, out, err) = run_cli(&["skus"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let policy = crate::Policy::builtin().unwrap();
    // Every line fits 100 columns; capabilities that do not fit go on lines of their own
    // (starting with spaces), joined back here.
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
    let mut joined: Vec<String> = Vec::new();
    for l in out.lines() {
        match joined.last_mut() {
            Some(last) if l.starts_with(' ') => {
                last.push(' ');
                last.push_str(l.trim_start());
            }
            _ => joined.push(l.to_owned()),
        }
    }
    let lines: Vec<&str> = joined.iter().map(String::as_str).collect();
    assert_eq!(lines.len(), policy.catalog().skus().len() + 1, "{out}");
    assert!(lines[0].starts_with("PART NUMBER"), "{out}");
    let p1 = lines
        .iter()
        .find(|l| l.starts_with("AAD_PREMIUM "))
        .unwrap();
    for cell in [
        "Microsoft Entra ID P1",
        "paid",
        "entra",
        "sspr_cloud, sspr_onprem, writeback",
    ] {
        assert!(p1.contains(cell), "{p1}");
    }
    let free = lines.iter().find(|l| l.starts_with("FLOW_FREE ")).unwrap();
    assert!(free.contains(" free ") && free.ends_with(" -"), "{free}");
}
