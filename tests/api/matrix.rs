//! `skuld skus` classifies every SKU, never calling one free without evidence. (The generated
//! per-matrix tables and the verdicts for real part numbers are unit tests in
//! `src/tests/matrix.rs`.)

#[test]
fn skus_reports_unknown_never_free_without_evidence() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skuld"))
        .args(["skus"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let status = |part: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(part))
            .unwrap_or_else(|| panic!("{part} not listed"))
            .to_owned()
    };
    for (part, want) in [
        ("SPB", "paid"),
        ("DESKLESSPACK", "paid"),
        ("TEAMS_EXPLORATORY", "free"),
        ("FLOW_FREE", "free"),
        ("VISIOCLIENT", "unknown"),
    ] {
        assert!(
            status(part).split_whitespace().any(|w| w == want),
            "{part}: {}",
            status(part)
        );
    }
}
