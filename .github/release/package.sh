#!/usr/bin/env bash
# Packages one built binary as a release asset: `skuld-TARGET.tar.gz` (`.zip` for Windows) holding
# the binary, README and licence texts, and `ASSET.sha256` beside it (`sha256sum` format, the
# file the action's install script checks). Asset names carry no version, so that
# `releases/latest/download/skuld-TARGET.tar.gz` always names the newest.
#
#   .github/release/package.sh TARGET BINARY OUTDIR
set -euo pipefail

if [ "$#" -ne 3 ]; then
    echo "usage: $0 TARGET BINARY OUTDIR" >&2
    exit 2
fi
target=$1 binary=$2 outdir=$3
root=$(cd "$(dirname "$0")/../.." && pwd)

if [ ! -f "$binary" ]; then
    echo "package.sh: no binary at $binary" >&2
    exit 2
fi
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

name=skuld-$target
mkdir "$stage/$name"
case $target in
    *windows*) exe=skuld.exe ;;
    *) exe=skuld ;;
esac
cp "$binary" "$stage/$name/$exe"
chmod 755 "$stage/$name/$exe"
cp "$root/README.md" "$stage/$name/"
for f in "$root"/LICENSE*; do
    [ -f "$f" ] && cp "$f" "$stage/$name/"
done

cd "$stage"
case $target in
    *windows*)
        asset=$name.zip
        if command -v zip >/dev/null; then
            zip -qr "$outdir/$asset" "$name"
        else
            # Windows runners have PowerShell, not always zip.
            powershell -NoProfile -Command "Compress-Archive -Path '$name' -DestinationPath '$(cygpath -w "$outdir/$asset" 2>/dev/null || echo "$outdir/$asset")'"
        fi
        ;;
    *)
        asset=$name.tar.gz
        tar -czf "$outdir/$asset" "$name"
        ;;
esac

cd "$outdir"
if command -v sha256sum >/dev/null; then
    sha256sum "$asset" > "$asset.sha256"
else
    shasum -a 256 "$asset" > "$asset.sha256"
fi
echo "$outdir/$asset"
