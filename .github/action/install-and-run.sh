#!/usr/bin/env bash
# The script of the skuld GitHub Action (action.yml): installs the released skuld binary for this
# runner unless SKULD_BIN names one, puts it on the job's PATH, runs `skuld check`, and writes a
# SARIF report for the upload step. Exits with skuld's status: 0 clean, 1 findings at or above
# `fail-on`, 2 something could not be checked (or the install failed).
#
# The binary is trusted only through the action's own repository (issue 23): the SHA-256 of each
# release asset is recorded in release-sums.txt beside this script, in the commit the workflow
# pinned, and the downloaded asset's own hash must equal it. A checksum file from the release
# itself proves nothing (whoever replaces the asset replaces it too) and is not read. A version
# with no recorded sum is installed only when `gh attestation verify` confirms the asset's build
# provenance; otherwise the install fails.
#
# Inputs come as environment variables (action.yml sets them):
#   INPUT_PATHS     tenant files, folders or quoted globs, separated by spaces or new lines
#   INPUT_FORMAT    the format of the log output (default github: annotations + job summary)
#   INPUT_FAIL_ON   error | warning | never
#   INPUT_VERSION   a release tag (v0.1.0) or empty: the action's own ref when it is a version
#                   tag (`uses: <owner>/skuld@v0.1.0` installs v0.1.0), else the newest release
#                   recorded in release-sums.txt (so `uses: <owner>/skuld@<sha>` installs the
#                   release pinned with that commit, never whatever is newest on the releases
#                   page); `latest` means the same
#   INPUT_SARIF     true: also write SARIF (for code scanning); false: do not
#   INPUT_ARGS      more arguments for `skuld check` (--policy, --waivers, …), split on spaces
#   INPUT_CONFIG_FROM   a git revision (origin/main): the config and waivers are read from it
#   SKULD_REPOSITORY    owner/name of the releases; empty: the action's own repository, read
#                       from GITHUB_ACTION_PATH (…/_actions/<owner>/<name>/<ref>), because
#                       `github.action_repository` is empty in composite actions
#   INPUT_BASE_REF  a git ref (the pull request's target branch): also run `skuld diff` of every
#                   tenant file the change modifies against that ref, and write the Markdown to
#                   the job summary; empty: no diff
#   INPUT_DIFF_ARGS more arguments for `skuld diff` (--policy, --config, --waivers)
#   INPUT_COMMENT   true: post the diff as one pull-request comment, updated on later pushes
#                   (needs `pull-requests: write`); false: job summary only
#   INPUT_PULL_REQUEST  the pull request's number; INPUT_TOKEN  the token to comment with
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

sha256_of() {  # FILE: its SHA-256, lower-case hex
    local line
    if command -v sha256sum >/dev/null; then
        line=$(sha256sum -- "$1")
    else
        line=$(shasum -a 256 -- "$1")
    fi
    echo "${line%% *}"
}

# The release sums recorded with this commit of the action: `VERSION  SHA256  ASSET` lines.
sums_file=$(dirname "${BASH_SOURCE[0]}")/release-sums.txt

recorded_sum() {  # VERSION ASSET: the recorded SHA-256, or nothing
    [ -f "$sums_file" ] || return 0
    awk -v v="$1" -v a="$2" '$1 == v && $3 == a { print $2; exit }' "$sums_file"
}

newest_recorded() {  # the version on the last line of release-sums.txt, or nothing
    [ -f "$sums_file" ] || return 0
    awk '!/^[[:space:]]*(#|$)/ { v = $1 } END { print v }' "$sums_file"
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
if [ "$version" = latest ] && [ -z "${SKULD_BIN:-}" ]; then
    version=$(newest_recorded)
    [ -n "$version" ] || fail "no skuld release is recorded in $sums_file for this commit of the action: pin a version tag (uses: ${repository:-<owner>/skuld}@vX.Y.Z) or set the \`version\` input"
fi

install() {
    local target asset base dir
    target=$(target)
    case $target in
        *windows*) asset=skuld-$target.zip ;;
        *) asset=skuld-$target.tar.gz ;;
    esac
    case $version in
        v[0-9]*) ;;
        *) fail "version \`$version\` is not a release tag such as v0.1.0" ;;
    esac
    [ -n "$repository" ] || fail "no repository to install skuld from: set the action's \`repository\` input (owner/name)"
    host=${SKULD_RELEASE_HOST:-https://github.com}
    base=$host/$repository/releases/download/$version
    expected=$(recorded_sum "$version" "$asset")
    dir=$(mktemp -d "$work/skuld-install.XXXXXX")
    (
        cd "$dir"
        curl --fail --silent --show-error --location --retry 3 --connect-timeout 30 --output "$asset" "$base/$asset" \
            || fail "cannot download $base/$asset"
        if [ -n "$expected" ]; then
            actual=$(sha256_of "$asset")
            [ "$actual" = "$expected" ] \
                || fail "checksum mismatch for $asset $version: its SHA-256 is $actual, the action records $expected: not installed"
        elif command -v gh >/dev/null && gh attestation verify "$asset" --repo "$repository" >/dev/null 2>&1; then
            echo "skuld $version: no recorded checksum; build provenance verified with gh attestation verify" >&2
        else
            fail "no checksum of $asset $version is recorded in the action's release-sums.txt, and its build provenance could not be verified (gh attestation verify): not installed"
        fi
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
if [ -n "${INPUT_CONFIG_FROM:-}" ]; then
    extra_args+=("--config-from=$INPUT_CONFIG_FROM")
fi

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

# The pull-request view: what the change does to each modified tenant file (findings introduced
# and fixed, seats, cost), as Markdown in the job summary and, if asked, one comment.
limit=65536
marker='<!-- skuld-diff -->'
base_commit() {  # the commit to compare with: the merge base of the ref and HEAD when known
    local ref=$1 c=''
    for candidate in "$ref" "origin/$ref"; do
        if c=$(git rev-parse --verify --quiet "$candidate^{commit}"); then break; fi
        c=''
    done
    if [ -z "$c" ]; then
        git fetch --quiet --depth=1 origin "$ref" >&2 || fail "cannot fetch the base ref $ref (check out with fetch-depth: 0)"
        c=$(git rev-parse --verify "FETCH_HEAD^{commit}")
    fi
    git merge-base "$c" HEAD 2>/dev/null || echo "$c"
}
post_comment() {  # BODY_FILE: create or update the one comment that starts with the marker
    local api=${GITHUB_API_URL:-https://api.github.com} repo=${GITHUB_REPOSITORY:-} pr=${INPUT_PULL_REQUEST:-}
    local auth="Authorization: Bearer ${INPUT_TOKEN:-}" id code body
    if [ -z "$repo" ] || [ -z "$pr" ] || [ -z "${INPUT_TOKEN:-}" ]; then
        echo "::warning title=skuld action::no pull request or token: the diff is in the job summary only"
        return 0
    fi
    body=$(jq -Rs '{body: .}' < "$1")
    id=$(curl --fail --silent --show-error --header "$auth" --header 'Accept: application/vnd.github+json' \
        "$api/repos/$repo/issues/$pr/comments?per_page=100" \
        | jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty') || id=''
    if [ -n "$id" ]; then
        code=$(curl --silent --output /dev/null --write-out '%{http_code}' --request PATCH --header "$auth" \
            --header 'Accept: application/vnd.github+json' --data "$body" "$api/repos/$repo/issues/comments/$id")
    else
        code=$(curl --silent --output /dev/null --write-out '%{http_code}' --request POST --header "$auth" \
            --header 'Accept: application/vnd.github+json' --data "$body" "$api/repos/$repo/issues/$pr/comments")
    fi
    case $code in
        2??) ;;
        403 | 404) echo "::warning title=skuld action::GitHub refused the pull-request comment ($code): the workflow needs \`permissions: pull-requests: write\` (the diff is in the job summary)" ;;
        *) echo "::warning title=skuld action::the pull-request comment failed (HTTP $code); the diff is in the job summary" ;;
    esac
}
if [ -n "${INPUT_BASE_REF:-}" ]; then
    base=$(base_commit "$INPUT_BASE_REF")
    # shellcheck disable=SC2206
    diff_args=(${INPUT_DIFF_ARGS:-})
    comment=$work/skuld-comment.md
    printf '%s\n' "$marker" > "$comment"
    old_dir=$(mktemp -d "$work/skuld-base.XXXXXX")
    files=0
    while IFS= read -r -d '' file; do
        case $file in
            *.yaml | *.yml) ;;
            *) continue ;;
        esac
        case ${file##*/} in
            .skuld.yaml | skuld-waivers.yaml) continue ;;
        esac
        files=$((files + 1))
        mkdir -p "$old_dir/$(dirname "$file")"
        git show "$base:$file" > "$old_dir/$file"
        part=$work/skuld-diff-part.md
        if "$bin" diff "$old_dir/$file" "$file" ${diff_args[@]+"${diff_args[@]}"} --format markdown --fail-on never > "$part" 2> "$part.err"; then
            # The marker once, at the top of the comment; each file's section below it.
            grep -vxF "$marker" "$part" > "$part.body" || true
        else
            { echo "### skuld: \`$file\`"; echo; echo "could not be compared:"; echo '```'; cat "$part.err"; echo '```'; echo; } > "$part.body"
        fi
        cat "$part.body" >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
        if [ $(( $(wc -m < "$comment") + $(wc -m < "$part.body") + 200 )) -le "$limit" ]; then
            cat "$part.body" >> "$comment"
        else
            echo "> **\`$file\` is not in this comment:** a comment holds at most $limit characters; the job summary has it." >> "$comment"
        fi
    done < <(git diff -z --name-only --diff-filter=M "$base" HEAD -- ${path_args[@]+"${path_args[@]}"})
    if [ "$files" -eq 0 ]; then
        echo "No tenant file changed against \`$INPUT_BASE_REF\`." | tee -a "${GITHUB_STEP_SUMMARY:-/dev/null}" >> "$comment"
    fi
    echo "diff-file=$comment" >> "$output"
    if [ "${INPUT_COMMENT:-false}" = true ]; then
        post_comment "$comment"
    fi
fi

echo "exit-code=$status" >> "$output"
exit "$status"
