//! The layer rule, enforced: a module may import only from layers below it. The order is the
//! pipeline's (see `docs/architecture.md`); modules on one line are side by side and do not
//! import each other. The test scans `src/**/*.rs` for `crate::module` paths (including
//! `crate::{a, b}` groups), so a new upward import, and with it any import cycle, fails CI.

/// Layers, bottom first.
#[cfg(test)]
const LAYERS: &[&[&str]] = &[
    &["source", "parallel", "date"],
    &["diagnostics"],
    &["inputs"],
    &["policies"],
    &["syntax"],
    &["compile"],
    &["tenant"],
    &["schema", "import"],
    &["eval"],
    &["registry"],
    &["config"],
    &["triage"],
    &["testing"],
    &["report"],
    // The language server: `cli` starts it.
    &["lsp"],
    &["cli"],
    // Cross-layer unit tests (moved from the integration test binaries): they may use anything.
    &["tests"],
];

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::LAYERS;

    fn rank(module: &str) -> Option<usize> {
        LAYERS.iter().position(|layer| layer.contains(&module))
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// Every module named after `crate::` in `text`, comments left out.
    fn imports(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            let mut rest = code;
            while let Some(i) = rest.find("crate::") {
                rest = rest.get(i + "crate::".len()..).unwrap_or("");
                if let Some(group) = rest.strip_prefix('{') {
                    // Top-level names of the group: the first segment after `{` or `,`.
                    let mut depth = 0;
                    let mut name = String::new();
                    let mut expect = true;
                    for c in group.chars() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            ',' if depth == 0 => {
                                if !name.is_empty() {
                                    out.push(std::mem::take(&mut name));
                                }
                                expect = true;
                            }
                            c if expect && (c.is_alphanumeric() || c == '_') => name.push(c),
                            _ if expect && !name.is_empty() => {
                                out.push(std::mem::take(&mut name));
                                expect = false;
                            }
                            _ => {}
                        }
                    }
                    if !name.is_empty() {
                        out.push(name);
                    }
                } else {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    out.push(name);
                }
            }
        }
        out
    }

    #[test]
    fn modules_import_only_from_layers_below() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut violations = Vec::new();
        for file in &files {
            let rel = file.strip_prefix(&src).unwrap_or(file);
            let first = rel.iter().next().and_then(|c| c.to_str()).unwrap_or("");
            let module = first.trim_end_matches(".rs");
            if matches!(module, "lib" | "main" | "layers") {
                continue;
            }
            let Some(own) = rank(module) else {
                violations.push(format!("{module}: not in LAYERS (src/layers.rs)"));
                continue;
            };
            let text = std::fs::read_to_string(file).unwrap_or_default();
            for dep in imports(&text) {
                // Items re-exported at the crate root (`crate::Policy`) are not modules.
                if dep == module || dep.starts_with(char::is_uppercase) || dep == "self" {
                    continue;
                }
                match rank(&dep) {
                    Some(r) if r < own => {}
                    _ => violations.push(format!(
                        "{}: `crate::{dep}` is not below `{module}`",
                        rel.display()
                    )),
                }
            }
        }
        violations.sort();
        violations.dedup();
        assert!(violations.is_empty(), "{}", violations.join("\n"));
    }

    #[test]
    fn groups_are_read() {
        assert_eq!(
            imports("use crate::{Policy, policies, a::{b, c}};\n// crate::x\nlet _ = crate::y::z;"),
            ["Policy", "policies", "a", "y"]
        );
    }
}
