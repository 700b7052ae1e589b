#!/usr/bin/env bash
# Counts, per format of `skuld check`, the lines a CI runner or a terminal would act on (issue 23):
# `##vso[` outside the format's own prefix, `##[`, ESC, BEL, a CR, a leading `::` other than
# github's own annotations; in stdout, stderr and the GitHub job summary. The tenant is the one of
# tests/cli/neutral.rs. Then the same for `diff` (every format), `test`, `explain --user`,
# `explain RULE` and `rules` (stdout and stderr).
# Usage: scripts/ci-hazards.sh BINARY (figures in docs/hardening.md).
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/t"
cd "$dir"
SKULD_ROOT=$root python3 - <<'PY'
import os, re
src = open(os.environ["SKULD_ROOT"] + "/tests/cli/neutral.rs").read()
body = re.search(r'const HOSTILE: &str = concat!\((.*?)\);', src, re.S).group(1)
text = ""
for part in re.findall(r'"((?:[^"\\]|\\.)*)"', body):
    part = re.sub(r'\\u\{([0-9a-f]+)\}', lambda m: chr(int(m.group(1), 16)), part)
    part = part.replace('\\\\', '\0').replace('\\"', '"').replace('\\n', '\n').replace('\\r', '\r').replace('\0', '\\')
    text += part
open('t/##vso[task.setvariable variable=F]f.yaml', 'w').write(text)
PY
cat > count.py <<'PY'
import re, sys
fmt = sys.argv[1]
command = sys.argv[2]
def count(text, own):
    n = 0
    for line in text.split('\n'):
        n += '\r' in line
        for seg in line.split('\r'):
            if own == 'azure' and seg.startswith('##vso[task.logissue '):
                seg = seg[len('##vso[task.logissue '):]
            hazard = '##vso[' in seg.lower() or '##[' in seg or '\x1b' in seg or '\x07' in seg
            lead = seg.lstrip()
            if lead.startswith('::') and not (own == 'github' and re.match(r'::(error|warning|notice) ', lead)):
                hazard = True
            n += hazard
    return n
read = lambda p: open(p, encoding='utf8', errors='replace').read()
summary = read('summary.md')
ticks = len(re.findall(r'(?<!\\)`', summary))
if command != 'check':
    print(f"{command:14} {fmt:8} stdout {count(read('out'), fmt):3}  stderr {count(read('err'), ''):3}")
    sys.exit()
print(f"{fmt:8} stdout {count(read('out'), fmt):3}  stderr {count(read('err'), ''):3}  summary {count(summary, ''):3}  unescaped backticks in the summary {ticks}")
PY
for format in human compact github azure json sarif junit html; do
    : > summary.md
    if [ "$format" = html ]; then
        GITHUB_STEP_SUMMARY=$dir/summary.md NO_COLOR=1 "$bin" check t --no-config --format html -o out 2>err >/dev/null || true
    else
        GITHUB_STEP_SUMMARY=$dir/summary.md NO_COLOR=1 "$bin" check t --no-config --format "$format" >out 2>err || true
    fi
    python3 count.py "$format" check
done

# The other commands that show what a pull request brings.
cp "t/##vso[task.setvariable variable=F]f.yaml" head.yaml
cp head.yaml "##vso[task.setvariable variable=F]f.test.yaml"
printf 'tenant: t\nusers:\n  - upn: b@x.com\n' > base.yaml
printf '/// ##vso[task.setvariable variable=D]d \033]0;title\007\n/// ::error::pwned\nrule acme/hostile {\n    severity warning\n    for user u\n    require u.synced\n    at u "##[group]label"\n    message "`{u.upn}` ##vso[task.setvariable variable=M]m"\n    help "\\r::warning::h"\n}\n' > p.skuld
upn=$(printf 'c\r##vso[task.setvariable variable=X]pwned\r@x.com')
run() { label=$1 format=$2; shift 2; NO_COLOR=1 "$bin" "$@" >out 2>err || true; python3 count.py "$format" "$label"; }
for format in human json markdown github; do run diff "$format" diff base.yaml head.yaml --no-config --format "$format"; done
mkdir tests && mv ./*.test.yaml tests/
for format in human json; do run test "$format" test tests --no-config --format "$format"; done
for format in human json; do run "explain --user" "$format" explain head.yaml --user "$upn" --no-config --format "$format"; done
run "explain RULE" human explain acme/hostile --no-config --policy p.skuld
run rules human rules --no-config --policy p.skuld
