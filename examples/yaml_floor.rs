//! The whole-process floor for `scripts/bench-process.sh`: read a file and parse it into a
//! generic YAML tree (`saphyr::Yaml`, built on the parser skuld's loader uses), nothing else. `skuld check` on the same file should cost a small
//! multiple of this.
//!
//! ```text
//! cargo run --release --example yaml_floor -- FILE
//! ```
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

fn run() -> Result<(), String> {
    let path = std::env::args_os()
        .nth(1)
        .ok_or_else(|| "usage: yaml_floor FILE".to_owned())?;
    let shown = path.to_string_lossy().into_owned();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{shown}: {e}"))?;
    let value = <saphyr::Yaml as saphyr::LoadableYamlNode>::load_from_str(&text)
        .map_err(|e| format!("{shown}: {e}"))?;
    // Keep the parse observable; the value is dropped (freed) before exit, as skuld's would be.
    std::hint::black_box(&value);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "yaml_floor: {message}");
            ExitCode::from(2)
        }
    }
}
