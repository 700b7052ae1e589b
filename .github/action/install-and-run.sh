#!/usr/bin/env bash
# The script of the skuld GitHub Action (action.yml): installs the released skuld binary for this
# runner (checksum verified) unless SKULD_BIN names one, puts it on the job's PATH, runs
# `skuld check`, and writes a SARIF report for the upload step. Exits with skuld's status: 0 clean, 1 findings at or above
# `fail-on`, 2 something could not be checked (or the install failed).
#
# Inputs come as environment variables (action.yml sets them):
#   INPUT_PATHS     tenant files, folders or quoted globs, separated by spaces or new lines
#   INPUT_FORMAT    the format of the log output (default github: annotations + job summary)
#   INPUT_FAIL_ON   error | warning | never
#   INPUT_VERSION   a release tag (v0.2.0), `latest`, or empty: the action's own ref when it is
#                   a version tag (`uses: OWNER/skuld@v0.2.0` installs v0.2.0), else `latest`
#   INPUT_SARIF     true: also write SARIF (for code scanning); false: do not
#   INPUT_ARGS      more arguments for `skuld check` (--policy, --waivers, …), split on spaces
#   SKULD_REPOSITORY    owner/name of the releases; empty: the action's own repository, read
#                       from GITHUB_ACTION_PATH (…/_actions/OWNER/NAME/REF), because
#                       `github.action_repository` is empty in composite actions
#   SKULD_BIN           use this binary, download nothing (tests, self-built binaries)
#   SKULD_RELEASE_HOST  where releases are (default https://github.com; tests use a file:// tree)
set -euo pipefail
set -f   # paths are skuld's business: quoted globs reach it unexpanded

paths=${INPUT_PATHS:-.}
format=${INPUT_FORMAT:-github}
fail_on=${INPUT_FAIL_ON:-error}
version=${INPUT_VERSION:-}
sarif=${INPUT_SARIF:-true}
work=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
output=${GITHUB_OUTPUT:-/dev/null}

fail() {
    echo "::error title=skuld action::$*" >&2
    exit 2
}

target() {
    local os arch
    os=$(uname -s)
    arch=$(uname -m)
    case "$os/$arch" in
        Linux/x86_64 | Linux/amd64) echo x86_64-unknown-linux-musl ;;
        Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-musl ;;
        Darwin/x86_64) echo x86_64-apple-darwin ;;
        Darwin/arm64 | Darwin/aarch64) echo aarch64-apple-darwin ;;
        MINGW*/* | MSYS*/* | CYGWIN*/*) echo x86_64-pc-windows-msvc ;;
        *) fail "no released skuld binary for $os/$arch; build one (cargo build --release) and set SKULD_BIN" ;;
    esac
}

sha256_check() {  # FILE.sha256 in the current folder
    if command -v sha256sum >/dev/null; then
        sha256sum --check --status "$1"
    else
        shasum -a 256 --check --status "$1"
    fi
}

# The action's own repository and ref, from where the runner checked it out.
action_repository='' action_ref=''
case ${GITHUB_ACTION_PATH:-} in
    */_actions/*/*/*)
        rest=${GITHUB_ACTION_PATH#*/_actions/}
        owner=${rest%%/*} rest=${rest#*/}
        name=${rest%%/*} rest=${rest#*/}
        action_repository=$owner/$name action_ref=${rest%%/*}
        ;;
esac
repository=${SKULD_REPOSITORY:-$action_repository}
if [ -z "$version" ]; then
    case $action_ref in
        v[0-9]*) version=$action_ref ;;
        *) version=latest ;;
    esac
fi

install() {
    local target asset base dir
    target=$(target)
    case $target in
        *windows*) asset=skuld-$target.zip ;;
        *) asset=skuld-$target.tar.gz ;;
    esac
    [ -n "$repository" ] || fail "no repository to install skuld from: set the action's \`repository\` input (owner/name)"
    host=${SKULD_RELEASE_HOST:-https://github.com}
    if [ "$version" = latest ]; then
        base=$host/$repository/releases/latest/download
    else
        base=$host/$repository/releases/download/$version
    fi
    dir=$(mktemp -d "$work/skuld-install.XXXXXX")
    (
        cd "$dir"
        curl --fail --silent --show-error --location --retry 3 --connect-timeout 30 --output "$asset" "$base/$asset" \
            || fail "cannot download $base/$asset"
        curl --fail --silent --show-error --location --retry 3 --connect-timeout 30 --output "$asset.sha256" "$base/$asset.sha256" \
            || fail "cannot download $base/$asset.sha256"
        sha256_check "$asset.sha256" || fail "checksum mismatch for $asset: not installed"
        case $asset in
            *.zip)
                if command -v unzip >/dev/null; then
                    unzip -q "$asset"
                else
                    powershell -NoProfile -Command "Expand-Archive -Path '$asset' -DestinationPath '.'"
                fi
                ;;
            *) tar -xzf "$asset" ;;
        esac
    ) || exit 2
    case $target in
        *windows*) echo "$dir/skuld-$target/skuld.exe" ;;
        *) echo "$dir/skuld-$target/skuld" ;;
    esac
}

if [ -n "${SKULD_BIN:-}" ]; then
    bin=$SKULD_BIN
    [ -x "$bin" ] || fail "SKULD_BIN=$bin is not an executable file"
else
    bin=$(install) || exit 2
fi
"$bin" --version
# Later steps of the job can run `skuld` too (a baseline, a diff, an import).
if [ -n "${GITHUB_PATH:-}" ]; then
    dirname "$bin" >> "$GITHUB_PATH"
fi

# Word splitting on purpose: several paths, several extra arguments (globbing is off).
# shellcheck disable=SC2206
path_args=($paths)
# shellcheck disable=SC2206
extra_args=(${INPUT_ARGS:-})

status=0
"$bin" check "${path_args[@]}" ${extra_args[@]+"${extra_args[@]}"} --format "$format" --fail-on "$fail_on" || status=$?

if [ "$sarif" = true ]; then
    sarif_file=$work/skuld.sarif
    sarif_status=0
    "$bin" check "${path_args[@]}" ${extra_args[@]+"${extra_args[@]}"} --format sarif --output "$sarif_file" --fail-on never \
        || sarif_status=$?
    if [ "$sarif_status" -eq 0 ] && [ -s "$sarif_file" ]; then
        echo "sarif-file=$sarif_file" >> "$output"
    fi
fi
echo "exit-code=$status" >> "$output"
exit "$status"
