#!/usr/bin/env python3
"""Refreshes fuzz/seeds/ from the repository's test inputs (run from the repository root).

tenant_load and check: the `tenant` text of every tests/data/cases/**/*.yaml, examples/*.yaml,
tests/data/tenants/err/*.yaml and policies/tests/**/*.yaml. policy_parse: policies/*.skuld, tests/data/policies/**/*.skuld and the
`policy` text of the cases that carry one, and the ```skuld blocks of docs/language.md.
"""
import glob
import re
import os
import shutil

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")


def put(target, name, text):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)


def flat(path):
    return os.path.relpath(path, ROOT).replace(os.sep, "__")


for target in ("tenant_load", "check", "policy_parse"):
    shutil.rmtree(os.path.join(SEEDS, target), ignore_errors=True)

for path in sorted(glob.glob(os.path.join(ROOT, "tests/data/cases/**/*.yaml"), recursive=True)):
    with open(path, encoding="utf-8") as f:
        case = yaml.safe_load(f)
    if isinstance(case.get("tenant"), str):
        for target in ("tenant_load", "check"):
            put(target, flat(path), case["tenant"])
    if isinstance(case.get("policy"), str):
        put("policy_parse", flat(path) + ".skuld", case["policy"])

for pattern in ("examples/*.yaml", "tests/data/tenants/err/*.yaml", "policies/tests/**/*.yaml"):
    for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
        for target in ("tenant_load", "check"):
            put(target, flat(path), text)

for pattern in ("policies/*.skuld", "tests/data/policies/**/*.skuld"):
    for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
        with open(path, encoding="utf-8", newline="") as f:
            put("policy_parse", flat(path), f.read())

with open(os.path.join(ROOT, "docs/language.md"), encoding="utf-8") as f:
    doc = f.read()
for i, block in enumerate(re.findall(r"```skuld\n(.*?)```", doc, re.S)):
    put("policy_parse", "docs__language.md.%d.skuld" % i, block)
