#!/usr/bin/env bash
# Packages the VS Code extension (editors/vscode) as a .vsix with @vscode/vsce from the npm
# registry: its runtime dependency (vscode-languageclient) installed from package-lock.json, then
# `vsce package`. Used by .ci/run and the release workflow.
#
#   scripts/package-vsix.sh [OUT_DIR]     # default: dist; prints the .vsix path
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mkdir -p "${1:-dist}" && cd "${1:-dist}" && pwd)"
# The vsce release this was tried with; newer ones need a newer Node.
vsce="@vscode/vsce@3.9.2"

cd editors/vscode
version="$(node -p 'require("./package.json").version')"
npm ci --omit=dev --no-audit --no-fund --loglevel=error
# No repository or LICENSE file in the extension folder: the licence is in package.json.
npx --yes "$vsce" package \
    --allow-missing-repository --skip-license \
    --out "$out/skuld-$version.vsix"
echo "$out/skuld-$version.vsix"
