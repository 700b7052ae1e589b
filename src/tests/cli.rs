//! The catalog listing against the compiled catalog (moved from `tests/cli/cli_extras.rs`).

use super::run_cli;

#[test]
fn skus_lists_the_catalog() {
    let (code, out, err) = run_cli(&["skus"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let policy = crate::Policy::builtin().unwrap();
    let lines: Vec<&str> = out.lines().collect();
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
