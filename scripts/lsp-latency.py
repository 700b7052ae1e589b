#!/usr/bin/env python3
"""Latency of `skuld lsp` on a tenant file, driven over stdio as an editor drives it.

    cargo build --release --bin skuld --example gen_tenant
    target/release/examples/gen_tenant --users 10000 -o /tmp/t10k.yaml
    scripts/lsp-latency.py target/release/skuld /tmp/t10k.yaml

Prints, in milliseconds (median and worst of --rounds): didOpen -> publishDiagnostics,
didChange -> publishDiagnostics of that version, hover on a user, completion in a flow list of
licences, and a burst of 20 edits sent at once -> the diagnostics of the last one (with how many
checks the burst cost). The figures in docs/editors.md come from this script.
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


def position(text, needle, after=0):
    i = text.index(needle) + after
    line = text.count("\n", 0, i)
    col = i - (text.rfind("\n", 0, i) + 1)
    return {"line": line, "character": col}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("skuld")
    ap.add_argument("tenant")
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    text = open(args.tenant, encoding="utf-8").read()
    root = tempfile.mkdtemp()
    path = os.path.join(root, "tenant.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    uri = "file://" + path
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
    print(f"didOpen -> diagnostics: {(at - start) * 1000:.0f} ms ({n} diagnostics)")

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

    hover_at = position(text, "upn: ", 5)
    hovers = [
        c.request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": hover_at}
        )[0]
        * 1000
        for _ in range(args.rounds)
    ]
    report("hover (a user)", hovers)

    # A flow list of licences being typed on a new user at the end.
    version += 1
    typed = text.rstrip("#") + "  - {upn: new@x.com, licenses: [\n"
    c.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": typed}]},
    )
    c.diagnostics(uri, version)
    at_pos = {"line": typed.count("\n") - 1, "character": len("  - {upn: new@x.com, licenses: [")}
    completions = []
    items = 0
    for _ in range(args.rounds):
        took, msg = c.request(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": at_pos}
        )
        completions.append(took * 1000)
        items = len((msg.get("result") or {}).get("items", []))
    report(f"completion (flow list, {items} items)", completions)

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
    print(f"burst of 20 edits -> diagnostics of the last: {(at - start) * 1000:.0f} ms ({seen} checks)")
    c.request("shutdown", None)
    c.notify("exit", None)
    c.proc.wait(timeout=60)


def report(what, ms):
    print(f"{what}: median {statistics.median(ms):.0f} ms, worst {max(ms):.0f} ms")


if __name__ == "__main__":
    sys.exit(main())
