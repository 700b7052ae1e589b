#!/usr/bin/env bash
# Runs one fuzz target for a bounded time: `fuzz/run.sh TARGET SECONDS` (from anywhere).
# Targets: policy_parse, tenant_load, check. Copies the committed seeds (fuzz/seeds/TARGET) into
# the working corpus (fuzz/corpus/TARGET, git-ignored, grows between runs) and runs libFuzzer on
# the stable toolchain (RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly-only flags).
# Exits non-zero when libFuzzer finds a crash, panic, timeout or OOM; the input is written to
# fuzz/artifacts/TARGET/.
set -euo pipefail
if [ "$#" -ne 2 ]; then
    echo "usage: $0 TARGET SECONDS   (TARGET: policy_parse | tenant_load | check)" >&2
    exit 2
fi
target="$1"
seconds="$2"
cd "$(dirname "$0")"
if [ ! -d "seeds/$target" ]; then
    echo "unknown target \`$target\` (no fuzz/seeds/$target)" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2
    exit 2
fi
mkdir -p "corpus/$target" "artifacts/$target"
cp -n "seeds/$target"/* "corpus/$target/" 2>/dev/null || true
export RUSTC_BOOTSTRAP=1
# -timeout: one input taking over 10 s is a hang; -rss_limit_mb: over 2 GiB is an OOM.
# -max_len: 1 MiB by default (MAX_LEN overrides), so inputs can grow to the sizes where a
# quadratic path shows (issue 15's reproducers turn slow between 100 KB and 1 MB); libFuzzer
# still starts small and grows inputs only as coverage asks.
max_len="${MAX_LEN:-1048576}"
exec cargo fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1
