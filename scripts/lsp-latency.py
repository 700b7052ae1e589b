#!/usr/bin/env python3
"""Latency of `skuld lsp` on a tenant file, driven over stdio as an editor drives it.

    cargo build --release --bin skuld --example gen_tenant
    target/release/examples/gen_tenant --users 10000 -o /tmp/t10k.yaml
    scripts/lsp-latency.py target/release/skuld /tmp/t10k.yaml

Prints, in milliseconds (median and worst of --rounds): `skuld check --format json` on the same
file, didOpen -> publishDiagnostics, didChange -> publishDiagnostics of that version, hover on
the first and on the last user, completion in a flow list of licences on a new last user, and a
burst of 20 edits sent at once -> the diagnostics of the last one (with how many checks the
burst cost). Each figure is printed with the 1-minute load average when it was taken: on a
shared machine wall-clock figures are only comparable at the same load.

With --sessions DIR it writes scripted sessions instead (standard input for `skuld lsp`, no
timing): `open.lsp` (initialize, didOpen, shutdown, exit: one check), `change.lsp` (the same
plus one hover and one didChange: a second check), `hover.lsp` (open plus 10 hovers on the last
user), `complete.lsp` (open plus 10 completions on a new last user) and `all.lsp` (open, 10
hovers, 10 completions, one didChange, in one run). Run under callgrind they
give instruction counts, which load does not change (change - open: one didChange):

    valgrind --tool=callgrind --callgrind-out-file=/tmp/open.cg target/release/skuld lsp < DIR/open.lsp
    valgrind --tool=callgrind --callgrind-out-file=/tmp/check.cg target/release/skuld check --format json TENANT

The figures in docs/editors.md come from this script.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import queue
import time


class Client:
    def __init__(self, skuld, root):
        self.proc = subprocess.Popen(
            [skuld, "lsp"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.messages = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = out.read(length)
            self.messages.put((time.perf_counter(), json.loads(body)))

    def send(self, msg):
        msg["jsonrpc"] = "2.0"
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        start = time.perf_counter()
        self.send({"id": rid, "method": method, "params": params})
        while True:
            at, msg = self.messages.get(timeout=600)
            if msg.get("id") == rid:
                return at - start, msg

    def diagnostics(self, uri, version):
        """Waits for the diagnostics of `version`; the time they arrived and how many
        publications for the document came before them."""
        seen = 0
        while True:
            at, msg = self.messages.get(timeout=600)
            if msg.get("method") == "textDocument/publishDiagnostics":
                p = msg["params"]
                if p["uri"] == uri:
                    seen += 1
                    if p.get("version") == version:
                        return at, seen, len(p["diagnostics"])


def position(text, needle, after=0, last=False):
    i = (text.rindex(needle) if last else text.index(needle)) + after
    line = text.count("\n", 0, i)
    col = i - (text.rfind("\n", 0, i) + 1)
    return {"line": line, "character": col}


def load():
    return f"load {os.getloadavg()[0]:.1f}"


def frame(msg):
    msg["jsonrpc"] = "2.0"
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


FLOW_USER = "  - {upn: new@x.com, licenses: ["


def sessions(text, out, root):
    """Scripted sessions for callgrind (see the module's doc)."""
    os.makedirs(out, exist_ok=True)
    uri = "file://" + os.path.join(root, "tenant.yaml")
    typed = text + FLOW_USER + "\n"
    start = [
        {"id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": "file://" + root}},
        {"method": "initialized", "params": {}},
    ]
    end = [{"id": 99, "method": "shutdown", "params": None}, {"method": "exit", "params": None}]
    hover_at = position(text, "upn: ", 5, last=True)
    at_pos = {"line": typed.count("\n") - 1, "character": len(FLOW_USER)}

    def asks(method, pos):
        return [
            {"id": 10 + i, "method": method, "params": {"textDocument": {"uri": uri}, "position": pos}}
            for i in range(10)
        ]

    def opened(t):
        return [
            {
                "method": "textDocument/didOpen",
                "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": t}},
            }
        ]

    changed = [
        {
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"text": text + "#"}],
            },
        }
    ]
    for name, msgs in [
        ("open", start + opened(text) + end),
        # A request before the change makes the server check version 1 first: two checks.
        ("change", start + opened(text) + asks("textDocument/hover", hover_at)[:1] + changed + end),
        ("hover", start + opened(text) + asks("textDocument/hover", hover_at) + end),
        ("complete", start + opened(typed) + asks("textDocument/completion", at_pos) + end),
        # Everything in one run, for a large tenant: read each request's inclusive cost
        # (`Server::hover`, `Server::completion`, the model thread's jobs) off the profile.
        (
            "all",
            start
            + opened(typed)
            + asks("textDocument/hover", hover_at)
            + asks("textDocument/completion", at_pos)
            + changed
            + end,
        ),
    ]:
        with open(os.path.join(out, name + ".lsp"), "wb") as f:
            for m in msgs:
                f.write(frame(m))
    print(f"sessions written to {out}; run them from {root} (the workspace root)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("skuld")
    ap.add_argument("tenant")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--sessions", metavar="DIR")
    args = ap.parse_args()
    text = open(args.tenant, encoding="utf-8").read()
    root = tempfile.mkdtemp()
    path = os.path.join(root, "tenant.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    uri = "file://" + path
    if args.sessions:
        return sessions(text, args.sessions, root)

    checks = []
    for _ in range(3):
        loaded = load()
        start = time.perf_counter()
        subprocess.run(
            [os.path.abspath(args.skuld), "check", "--format", "json", path],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        checks.append((time.perf_counter() - start) * 1000)
    report("skuld check --format json", checks, loaded)
    c = Client(os.path.abspath(args.skuld), root)
    c.request("initialize", {"capabilities": {}, "rootUri": "file://" + root})
    c.notify("initialized", {})
    start = time.perf_counter()
    c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
    )
    at, _, n = c.diagnostics(uri, 1)
    print(f"file: {args.tenant} ({len(text) / 1e6:.1f} MB, {text.count(chr(10))} lines)")
    print(f"didOpen -> diagnostics: {(at - start) * 1000:.0f} ms ({n} diagnostics, {load()})")

    version = 1
    changes = []
    for i in range(args.rounds):
        version += 1
        # An edit as a keystroke makes it: a comment grows on the last line.
        text = text + "#" if i % 2 == 0 else text[:-1]
        start = time.perf_counter()
        c.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )
        at, _, _ = c.diagnostics(uri, version)
        changes.append((at - start) * 1000)
    report("didChange -> diagnostics", changes)

    for which, last in [("first", False), ("last", True)]:
        hover_at = position(text, "upn: ", 5, last)
        loaded = load()
        hovers = []
        for _ in range(args.rounds):
            took, msg = c.request(
                "textDocument/hover", {"textDocument": {"uri": uri}, "position": hover_at}
            )
            hovers.append(took * 1000)
            if not (msg.get("result") or {}).get("contents"):
                print(f"hover on the {which} user: no answer: {msg}")
        report(f"hover (the {which} user)", hovers, loaded)

    # A flow list of licences being typed on a new user at the end.
    version += 1
    typed = text.rstrip("#") + FLOW_USER + "\n"
    c.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": typed}]},
    )
    c.diagnostics(uri, version)
    at_pos = {"line": typed.count("\n") - 1, "character": len(FLOW_USER)}
    loaded = load()
    completions = []
    items = 0
    for _ in range(args.rounds):
        took, msg = c.request(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": at_pos}
        )
        completions.append(took * 1000)
        items = len((msg.get("result") or {}).get("items", []))
    report(f"completion (flow list, {items} items)", completions, loaded)

    # A burst: 20 edits sent at once, then the diagnostics of the last.
    start = time.perf_counter()
    for i in range(20):
        version += 1
        typed = typed + "#"
        c.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": typed}]},
        )
    at, seen, _ = c.diagnostics(uri, version)
    print(
        f"burst of 20 edits -> diagnostics of the last: {(at - start) * 1000:.0f} ms"
        f" ({seen} checks, {load()})"
    )
    c.request("shutdown", None)
    c.notify("exit", None)
    c.proc.wait(timeout=60)


def report(what, ms, loaded=None):
    print(
        f"{what}: median {statistics.median(ms):.0f} ms, worst {max(ms):.0f} ms"
        f" ({loaded or load()})"
    )


if __name__ == "__main__":
    sys.exit(main())
