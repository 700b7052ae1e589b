#!/usr/bin/env bash
# Whole-process benchmark of `skuld check` against a floor (read the file, parse it into a
# generic YAML tree, saphyr::Yaml: examples/yaml_floor.rs), paired run by run, plus peak RSS.
#
# usage: scripts/bench-process.sh [RUNS]
#   RUNS              timed runs per program and size (default 10; env RUNS works too)
#   SIZES="1000 ..."  user counts (default "1000 10000 100000")
#   SEED, VIOLATIONS  generator settings (default 42 and 3)
#   KEEP=1            keep the temporary directory (tenants, raw timings)
#   HYPERFINE=0       time with the bash loop even when hyperfine is installed
#
# Prints a Markdown table on stdout; progress goes to stderr. Timing uses hyperfine when it is
# installed (one `--runs 1` invocation per round, so floor and check alternate), else a bash loop
# on $EPOCHREALTIME. Peak RSS comes from one extra run under /usr/bin/time -f %M.
# `skuld check` exits 1 when it finds errors, which the generated tenants have by design: only
# exit 2 (could not evaluate) or worse counts as a failure.
set -euo pipefail

runs="${1:-${RUNS:-10}}"
sizes="${SIZES:-1000 10000 100000}"
seed="${SEED:-42}"
violations="${VIOLATIONS:-3}"

if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
    echo "bench-process.sh: RUNS must be a positive integer, got '$runs'" >&2
    exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
skuld="$target_dir/release/skuld"
floor="$target_dir/release/examples/yaml_floor"
gen="$target_dir/release/examples/gen_tenant"

log() { printf '%s\n' "$*" >&2; }

log "building (release)..."
cargo build --release --quiet --bin skuld --example gen_tenant --example yaml_floor

tmp="$(mktemp -d "${TMPDIR:-/tmp}/skuld-bench.XXXXXX")"
if [[ "${KEEP:-0}" == 1 ]]; then
    log "keeping $tmp"
else
    trap 'rm -rf -- "$tmp"' EXIT
fi

have_hyperfine=0
if [[ "${HYPERFINE:-1}" != 0 ]] && command -v hyperfine > /dev/null 2>&1; then
    have_hyperfine=1
fi
have_time=0
if [[ -x /usr/bin/time ]]; then
    have_time=1
fi

# Runs one program once, output discarded; fails unless its exit status is acceptable
# (check: 0 or 1; floor: 0).
run_checked() {
    local kind="$1"
    shift
    local rc=0
    "$@" > /dev/null 2> "$tmp/stderr" || rc=$?
    if [[ "$rc" -eq 0 ]] || [[ "$kind" == check && "$rc" -eq 1 ]]; then
        return 0
    fi
    log "bench-process.sh: '$*' exited with $rc:"
    head -n 20 "$tmp/stderr" >&2
    exit 2
}

# Microseconds since the epoch, without forking (bash >= 5), else through date(1).
now_us() {
    if [[ -n "${EPOCHREALTIME:-}" ]]; then
        local t="${EPOCHREALTIME//[!0-9]/}"
        printf '%s\n' "$((10#$t))"
    else
        printf '%s\n' "$(($(date +%s%N) / 1000))"
    fi
}

# Times one run of a program; appends milliseconds to FILE.
time_bash() {
    local kind="$1" out="$2"
    shift 2
    local t0 t1
    t0="$(now_us)"
    run_checked "$kind" "$@"
    t1="$(now_us)"
    awk -v us="$((t1 - t0))" 'BEGIN { printf "%.3f\n", us / 1000 }' >> "$out"
}

# Times one run of each command through hyperfine; appends milliseconds to the two files.
# Exit statuses were vetted beforehand (run_checked), hence --ignore-failure.
time_hyperfine() {
    local first_out="$1" second_out="$2" first_cmd="$3" second_cmd="$4"
    hyperfine --runs 1 --shell=none --ignore-failure --style none \
        --export-csv "$tmp/round.csv" "$first_cmd" "$second_cmd" > /dev/null 2> "$tmp/stderr" || {
        log "bench-process.sh: hyperfine failed:"
        cat "$tmp/stderr" >&2
        exit 2
    }
    # CSV: command,mean,stddev,median,user,system,min,max (seconds).
    awk -F, 'NR == 2 { printf "%.3f\n", $2 * 1000 }' "$tmp/round.csv" >> "$first_out"
    awk -F, 'NR == 3 { printf "%.3f\n", $2 * 1000 }' "$tmp/round.csv" >> "$second_out"
}

median() {
    sort -n "$1" | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 }
    }'
}

# Peak RSS in KiB of one run, or "nan" without GNU time.
peak_rss_kb() {
    local kind="$1"
    shift
    if [[ "$have_time" -eq 0 ]]; then
        echo nan
        return
    fi
    local rc=0
    /usr/bin/time -f %M -o "$tmp/rss" "$@" > /dev/null 2> "$tmp/stderr" || rc=$?
    if ! { [[ "$rc" -eq 0 ]] || [[ "$kind" == check && "$rc" -eq 1 ]]; }; then
        log "bench-process.sh: '$*' exited with $rc under /usr/bin/time"
        exit 2
    fi
    tail -n 1 "$tmp/rss"
}

if [[ "$have_hyperfine" -eq 1 ]]; then
    method="hyperfine $(hyperfine --version | awk '{ print $2 }'), --runs 1 per round"
else
    method="bash loop"
fi

rows=()
for users in $sizes; do
    file="$tmp/tenant-$users.yaml"
    "$gen" --users "$users" --seed "$seed" --violations "$violations" -o "$file"
    bytes="$(wc -c < "$file")"
    floor_ms="$tmp/floor-$users.ms"
    check_ms="$tmp/check-$users.ms"
    : > "$floor_ms"
    : > "$check_ms"

    log "$users users ($bytes bytes): warm-up, then $runs paired runs..."
    run_checked floor "$floor" "$file"
    run_checked check "$skuld" check --format json "$file"

    # Command lines for hyperfine (it splits them like a shell, so quote the paths).
    floor_cmd="$(printf '%q %q' "$floor" "$file")"
    check_cmd="$(printf '%q check --format json %q' "$skuld" "$file")"

    for ((i = 0; i < runs; i++)); do
        # Alternate which program goes first, so neither always runs on a warmer machine.
        if ((i % 2 == 0)); then
            if [[ "$have_hyperfine" -eq 1 ]]; then
                time_hyperfine "$floor_ms" "$check_ms" "$floor_cmd" "$check_cmd"
            else
                time_bash floor "$floor_ms" "$floor" "$file"
                time_bash check "$check_ms" "$skuld" check --format json "$file"
            fi
        else
            if [[ "$have_hyperfine" -eq 1 ]]; then
                time_hyperfine "$check_ms" "$floor_ms" "$check_cmd" "$floor_cmd"
            else
                time_bash check "$check_ms" "$skuld" check --format json "$file"
                time_bash floor "$floor_ms" "$floor" "$file"
            fi
        fi
    done

    rss_kb="$(peak_rss_kb check "$skuld" check --format json "$file")"
    rows+=("$(awk -v users="$users" -v bytes="$bytes" -v rss="$rss_kb" \
        -v floor="$(median "$floor_ms")" -v check="$(median "$check_ms")" 'BEGIN {
            mb = bytes / 1e6
            rss_mb = (rss == "nan") ? "n/a" : sprintf("%.1f", rss * 1024 / 1e6)
            rss_ratio = (rss == "nan") ? "n/a" : sprintf("%.1f", rss * 1024 / bytes)
            printf "| %d | %.2f | %.1f | %.1f | %.2f | %s | %s |", \
                users, mb, floor, check, check / floor, rss_mb, rss_ratio
        }')")
done

echo "Whole process, median of $runs paired runs ($method); $(nproc 2> /dev/null || echo '?') CPUs."
echo "floor = examples/yaml_floor (read + saphyr::Yaml); check = skuld check --format json."
echo
echo "| users | file MB | floor median ms | check median ms | check/floor | check peak RSS MB | RSS / file size |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
