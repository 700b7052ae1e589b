//! `skuld lsp` end to end: the real binary, real JSON-RPC messages with `Content-Length`
//! framing over its standard input and output, on the example tenants. Every read has a
//! timeout, so a server that hangs fails the test instead of blocking CI.

#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "helpers of tests (the client outside #[test] functions): a panic is a test failure"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::problem_findings;

const TIMEOUT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    /// `None` once closed.
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else.
    pending: Vec<Value>,
}

impl Client {
    fn start(dir: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_skuld"))
            .args(["lsp", "--stdio"])
            .current_dir(dir)
            .env_remove("SKULD_DOCS_URL")
            // Waivers expire within a year of "today": fix it.
            .env("SKULD_TODAY", "2026-12-03")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start skuld lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("a Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let msg: Value = serde_json::from_slice(&body).expect("a JSON message");
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin: Some(stdin),
            messages: rx,
            next_id: 1,
            pending: Vec::new(),
        }
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).expect("json");
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    /// Bytes as they are, framed or not.
    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    /// The next error answer to a frame that held no message (`id: null`).
    fn frame_error(&mut self) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self.next(deadline);
            if msg["id"].is_null() && msg.get("error").is_some() {
                return msg["error"].clone();
            }
            self.pending.push(msg);
        }
    }

    /// Closes standard input and waits for the exit code.
    fn close(mut self) -> Option<i32> {
        self.stdin = None;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn next(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        self.messages
            .recv_timeout(left)
            .expect("the server answered in time")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self.next(deadline);
            if msg["id"] == json!(id) {
                assert!(msg.get("error").is_none(), "{method} failed: {msg}");
                return msg["result"].clone();
            }
            self.pending.push(msg);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let is_for = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.pending.iter().position(is_for) {
            let m = self.pending.remove(i);
            return m["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self.next(deadline);
            if is_for(&msg) {
                return msg["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            self.pending.push(msg);
        }
    }

    fn initialize(&mut self, root: &Path, encodings: &[&str]) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": { "general": { "positionEncodings": encodings } },
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, path: &Path, language: &str, text: &str) -> String {
        let u = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": u, "languageId": language, "version": 1, "text": text } }),
        );
        u
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    fn finish(mut self) -> i32 {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The codes of the diagnostics that count (waived findings are hints, severity 4).
fn codes(diags: &[Value]) -> Vec<String> {
    let mut c: Vec<String> = diags
        .iter()
        .filter(|d| d["severity"] != 4)
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect();
    c.sort();
    c
}

fn position(text: &str, needle: &str) -> Value {
    let at = text.find(needle).expect("needle in text");
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": col })
}

fn at(uri: &str, pos: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": pos })
}

#[test]
fn a_session_on_the_problems_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
    let text = std::fs::read_to_string("examples/problems.yaml").expect("example");
    let tenant = dir.path().join("problems.yaml");
    std::fs::write(&tenant, &text).expect("write");
    let mut c = Client::start(dir.path());

    let init = c.initialize(dir.path(), &["utf-8", "utf-16"]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");

    // Diagnostics: the nine findings `skuld check` reports, with rule ids as codes.
    let u = c.open(&tenant, "yaml", &text);
    let diags = c.diagnostics(&u);
    assert_eq!(
        codes(&diags),
        [
            "licensing/nested-group",
            "licensing/seats",
            "licensing/unsubscribed-sku",
            "licensing/usage-location",
            "sspr/cloud-user-license",
            "sspr/synced-user-license",
            "sspr/writeback-license",
            "tenant/unknown-sku",
            "tenant/yaml11-boolean",
        ]
    );
    let typo = diags
        .iter()
        .find(|d| d["code"] == "tenant/unknown-sku")
        .expect("unknown-sku");
    assert_eq!(typo["range"]["start"], position(&text, "ENTERPRISEPAK]"));
    assert_eq!(typo["severity"], 1);
    assert!(
        typo["message"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean")
    );
    let synced = diags
        .iter()
        .find(|d| d["code"] == "sspr/synced-user-license")
        .expect("synced");
    let related = synced["relatedInformation"].as_array().expect("related");
    assert!(!related.is_empty());
    assert_eq!(related[0]["location"]["uri"], u);
    let nested = diags
        .iter()
        .find(|d| d["code"] == "licensing/nested-group")
        .expect("nested");
    assert_eq!(nested["severity"], 2);

    // Hover on a user: licences (with their source), features, SSPR.
    let hover = c.request("textDocument/hover", at(&u, position(&text, "raj.patel@")));
    let md = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        md.contains("`ENTERPRISEPACK` Office 365 E3: direct"),
        "{md}"
    );
    assert!(
        md.contains("not received: `AAD_PREMIUM` of `Entra-P1`"),
        "{md}"
    );
    assert!(md.contains("**SSPR**: in scope"), "{md}");
    assert!(md.contains("**Features**"), "{md}");
    // The rules that fire for the user: its findings of the last check.
    assert!(
        md.contains("**Rules that fire**: `sspr/synced-user-license`"),
        "{md}"
    );
    // Hover on a SKU: its name and what it grants.
    let hover = c.request(
        "textDocument/hover",
        at(&u, position(&text, "AAD_PREMIUM ")),
    );
    let md = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        md.contains("**Microsoft Entra ID P1** (`AAD_PREMIUM`), paid"),
        "{md}"
    );
    assert!(md.contains("grants: "), "{md}");

    // Definition: a group reference goes to the group's `name:`.
    let raj_groups = text.find("groups: [IT]").expect("raj's groups") + "groups: [".len();
    let line = text[..raj_groups].matches('\n').count();
    let col = raj_groups - text[..raj_groups].rfind('\n').map_or(0, |i| i + 1);
    let def = c.request(
        "textDocument/definition",
        at(&u, json!({ "line": line, "character": col })),
    );
    assert_eq!(def["uri"], u);
    assert_eq!(
        def["range"]["start"],
        position(&text, "IT\n    groups: [Entra-P1")
    );

    // Completion: SKUs in a licence list, group names in a group list, keys of a user.
    let items = |r: &Value| -> Vec<String> {
        r["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| i["label"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let after = |needle: &str| {
        let mut p = position(&text, needle);
        p["character"] = json!(p["character"].as_u64().unwrap_or(0) + needle.len() as u64);
        p
    };
    let skus = items(&c.request(
        "textDocument/completion",
        at(&u, after("licenses: [ENTERPRISEPAK")),
    ));
    assert!(skus.contains(&"ENTERPRISEPACK".to_owned()));
    assert!(skus.contains(&"AAD_PREMIUM".to_owned()));
    let groups = items(&c.request("textDocument/completion", at(&u, after("groups: [I"))));
    assert!(groups.contains(&"Entra-P1".to_owned()) && groups.contains(&"Sales".to_owned()));
    assert!(!groups.contains(&"ENTERPRISEPACK".to_owned()));

    // Rule ids in a waiver comment; a user's keys on a new line under a user.
    let with_comment = text.replacen(
        "kiosk@fabrikam.com",
        "kiosk@fabrikam.com  # skuld: waive ",
        1,
    );
    c.change(&u, 2, &with_comment);
    let _ = c.diagnostics(&u);
    let mut p = position(&with_comment, "kiosk@fabrikam.com  # skuld: waive ");
    p["character"] = json!(p["character"].as_u64().unwrap_or(0) + 35);
    let rules = items(&c.request("textDocument/completion", at(&u, p)));
    assert!(
        rules.contains(&"sspr/cloud-user-license".to_owned()),
        "{rules:?}"
    );
    assert!(rules.contains(&"tenant/unknown-sku".to_owned()));
    let with_line = text.replacen(
        "    licenses: [FLOW_FREE]\n",
        "    licenses: [FLOW_FREE]\n    \n",
        1,
    );
    c.change(&u, 3, &with_line);
    let _ = c.diagnostics(&u);
    let mut p = position(&with_line, "    licenses: [FLOW_FREE]\n");
    p["line"] = json!(p["line"].as_u64().unwrap_or(0) + 1);
    p["character"] = json!(4);
    let keys = items(&c.request("textDocument/completion", at(&u, p)));
    assert!(keys.contains(&"usage_location".to_owned()), "{keys:?}");
    assert!(!keys.contains(&"seats".to_owned()));
    c.change(&u, 4, &text);
    assert_eq!(c.diagnostics(&u).len(), problem_findings());

    // Code actions on the typo: the did-you-mean fix and a waiver.
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": u }, "range": typo["range"], "context": { "diagnostics": [typo] } }),
    );
    let actions = actions.as_array().expect("actions");
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Replace with `ENTERPRISEPACK`")
        .expect("a did-you-mean fix");
    let edit = &fix["edit"]["changes"][&u][0];
    assert_eq!(edit["newText"], "ENTERPRISEPACK");
    assert_eq!(edit["range"], typo["range"]);
    // A `tenant/*` error cannot be waived (docs/waivers.md): no waive action for it.
    assert!(
        !actions
            .iter()
            .any(|a| a["title"] == "Waive `tenant/unknown-sku` on this line"),
        "{actions:?}"
    );
    // Fixing the typo makes its user count against the E3 seats.
    let fixed = text.replacen("[ENTERPRISEPAK]", "[ENTERPRISEPACK]", 1);
    c.change(&u, 5, &fixed);
    let diags = c.diagnostics(&u);
    assert!(!codes(&diags).contains(&"tenant/unknown-sku".to_owned()));
    let seats = diags
        .iter()
        .find(|d| d["code"] == "licensing/seats")
        .expect("seats");
    assert!(
        seats["message"].as_str().unwrap_or("").contains("6 users"),
        "{seats}"
    );
    c.change(&u, 7, &text);
    assert_eq!(c.diagnostics(&u).len(), problem_findings());

    // A workflow beside the tenants is not a tenant: no diagnostics, no hover.
    let workflow = dir.path().join("ci.yml");
    let w = c.open(
        &workflow,
        "yaml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
    );
    let hover = c.request(
        "textDocument/hover",
        at(&w, json!({ "line": 0, "character": 1 })),
    );
    assert_eq!(hover, Value::Null);
    assert!(!c.pending.iter().any(|m| m["params"]["uri"] == w));

    // A policy file: opening it re-checks the open tenant with the SKU it declares.
    let policy_path = dir.path().join("typo.skuld");
    let policy = "sku   ENTERPRISEPAK \"Typo plan\" {free}\n";
    let p = c.open(&policy_path, "skuld", policy);
    assert_eq!(c.diagnostics(&p), Vec::<Value>::new());
    let diags = c.diagnostics(&u);
    assert!(!codes(&diags).contains(&"tenant/unknown-sku".to_owned()));
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "licensing/unsubscribed-sku"
                && d["message"].as_str().unwrap_or("").contains("Typo plan"))
    );
    // Hover and definition of the SKU in the tenant lead to the policy.
    let def = c.request(
        "textDocument/definition",
        at(&u, position(&text, "ENTERPRISEPAK]")),
    );
    assert_eq!(def["uri"], p);
    assert_eq!(def["range"]["start"], json!({ "line": 0, "character": 6 }));
    // Formatting: the canonical layout.
    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": p }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    let new_text = edits[0]["newText"].as_str().expect("an edit");
    assert!(
        new_text.starts_with("sku ENTERPRISEPAK \"Typo plan\" {"),
        "{new_text}"
    );
    assert_ne!(new_text, policy);
    // A compile error is a diagnostic on the policy file.
    c.change(&p, 2, "sku ENTERPRISEPAK \"Typo plan\" { fre }\n");
    let perr = c.diagnostics(&p);
    assert_eq!(perr.len(), 1, "{perr:?}");
    assert!(
        perr[0]["code"]
            .as_str()
            .unwrap_or("")
            .starts_with("skuld::policy"),
        "{perr:?}"
    );
    assert_eq!(perr[0]["range"]["start"]["line"], 0);
    // Fixed again: its diagnostics clear.
    c.change(&p, 3, policy);
    assert_eq!(c.diagnostics(&p), Vec::<Value>::new());

    assert_eq!(c.finish(), 0);
}

#[test]
fn positions_are_utf16_unless_the_client_offers_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
    let text = "tenant: x.onmicrosoft.com\nusers:\n  - {upn: \"bjørn😀@x.no\", usage_location: \"NO\", licenses: [ENTERPRISEPAK]}\n";
    let tenant = dir.path().join("t.yaml");
    let byte = text.find("ENTERPRISEPAK").expect("typo") - text.find("  - {").expect("line");
    let utf16: usize = text
        [text.find("  - {").unwrap_or(0)..text.find("ENTERPRISEPAK").unwrap_or(0)]
        .chars()
        .map(char::len_utf16)
        .sum();
    assert_ne!(byte, utf16);
    for (offered, expected, col) in [(vec![], "utf-16", utf16), (vec!["utf-8"], "utf-8", byte)] {
        let mut c = Client::start(dir.path());
        let init = c.initialize(dir.path(), &offered);
        assert_eq!(init["capabilities"]["positionEncoding"], expected);
        let u = c.open(&tenant, "yaml", text);
        let diags = c.diagnostics(&u);
        assert_eq!(codes(&diags), ["tenant/unknown-sku"]);
        assert_eq!(
            diags[0]["range"]["start"],
            json!({ "line": 2, "character": col })
        );
        // And back: a hover inside the UPN (column 13, `ø`, in both encodings) finds the user.
        let hover = c.request(
            "textDocument/hover",
            at(&u, json!({ "line": 2, "character": 13 })),
        );
        assert!(
            hover["contents"]["value"]
                .as_str()
                .unwrap_or("")
                .contains("bjørn😀@x.no"),
            "{hover}"
        );
        assert_eq!(c.finish(), 0);
    }
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Client::start(dir.path());
    c.initialize(dir.path(), &[]);
    c.notify("exit", Value::Null);
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = c.child.try_wait().expect("wait") {
            assert_eq!(status.code(), Some(1));
            return;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_workspace_config_and_waivers_apply_as_in_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
    std::fs::write(
        dir.path().join(".skuld.yaml"),
        "policies: [typo.skuld]\nskip-rules: [tenant/yaml11-boolean]\n",
    )
    .expect("config");
    std::fs::write(
        dir.path().join("typo.skuld"),
        "sku ENTERPRISEPAK \"Typo plan\" { free }\n",
    )
    .expect("policy");
    let text = std::fs::read_to_string("examples/problems.yaml").expect("example");
    let tenant = dir.path().join("problems.yaml");
    std::fs::write(&tenant, &text).expect("write");
    let mut c = Client::start(dir.path());
    c.initialize(dir.path(), &[]);
    let u = c.open(&tenant, "yaml", &text);
    let diags = c.diagnostics(&u);
    let found = codes(&diags);
    // The config's policy declares the typo'd SKU, and its rule selection drops a warning.
    assert!(
        !found.contains(&"tenant/unknown-sku".to_owned()),
        "{found:?}"
    );
    assert!(
        !found.contains(&"tenant/yaml11-boolean".to_owned()),
        "{found:?}"
    );
    assert!(found.contains(&"sspr/synced-user-license".to_owned()));

    // A waivers file written later: the watched-files notification reloads it.
    std::fs::write(
        dir.path().join("skuld-waivers.yaml"),
        "waivers:\n  - rule: sspr/synced-user-license\n    tenant: problems.yaml\n    subject: raj.patel@fabrikam.com\n    expires: 2027-06-30\n    reason: P1 ordered\n",
    )
    .expect("waivers");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&dir.path().join("skuld-waivers.yaml")), "type": 1 }] }),
    );
    let diags = c.diagnostics(&u);
    assert!(
        !codes(&diags).contains(&"sspr/synced-user-license".to_owned()),
        "{diags:?}"
    );
    assert_eq!(codes(&diags).len() + 1, found.len());
    assert!(
        diags
            .iter()
            .any(|d| d["severity"] == 4
                && d["message"].as_str().unwrap_or("").contains("P1 ordered"))
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn a_upn_reference_goes_to_the_users_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
    let text = "tenant: contoso.onmicrosoft.com\n\
        groups:\n  - name: Admins\n\
        users:\n  - upn: alice@contoso.com\n    licenses: [AAD_PREMIUM_P2]\n\
        \x20 - upn: bob@contoso.com\n    licenses: [AAD_PREMIUM]\n\
        features:\n  pim:\n    - include: [Admins]\n      users: [bob@contoso.com, alice@contoso.com]\n";
    let tenant = dir.path().join("tenant.yaml");
    std::fs::write(&tenant, text).expect("write");
    let waivers = "waivers:\n  - rule: features/pim-license\n    subject: bob@contoso.com\n    expires: 2999-01-01\n    reason: P2 ordered\n";
    let waivers_path = dir.path().join("skuld-waivers.yaml");
    std::fs::write(&waivers_path, waivers).expect("waivers");
    let mut c = Client::start(dir.path());
    c.initialize(dir.path(), &[]);
    let u = c.open(&tenant, "yaml", text);
    let _ = c.diagnostics(&u);

    // A UPN in a feature's `users:` → the user's `upn:`.
    let def = c.request(
        "textDocument/definition",
        at(&u, position(text, "alice@contoso.com]")),
    );
    assert_eq!(def["uri"], u);
    assert_eq!(def["range"]["start"], position(text, "alice@contoso.com\n"));
    // A group in a feature's `include:` → the group's `name:`.
    let def = c.request("textDocument/definition", at(&u, position(text, "Admins]")));
    assert_eq!(def["range"]["start"], position(text, "Admins\n"));

    // A waiver's subject → the user in the tenant file, open or not.
    let w = c.open(&waivers_path, "yaml", waivers);
    let def = c.request(
        "textDocument/definition",
        at(&w, position(waivers, "bob@contoso.com")),
    );
    assert_eq!(def["uri"], u, "{def}");
    assert_eq!(def["range"]["start"], position(text, "bob@contoso.com\n"));
    // The rule id on the line above is no UPN: nothing.
    let def = c.request(
        "textDocument/definition",
        at(&w, position(waivers, "pim-license")),
    );
    assert_eq!(def, Value::Null);
    assert_eq!(c.finish(), 0);

    // Without the tenant open, the workspace's tenant files are searched, through the guard: a
    // committed link to a device, searched first (sorted by name), is not read.
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("a-zero.yaml")).expect("link");
    let mut c = Client::start(dir.path());
    c.initialize(dir.path(), &[]);
    let w = c.open(&waivers_path, "yaml", waivers);
    let def = c.request(
        "textDocument/definition",
        at(&w, position(waivers, "bob@contoso.com")),
    );
    assert_eq!(def["uri"], uri(&tenant), "{def}");
    assert_eq!(def["range"]["start"], position(text, "bob@contoso.com\n"));
    assert_eq!(c.finish(), 0);
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

#[test]
fn bad_messages_get_json_rpc_errors_and_the_server_stays_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
    let mut c = Client::start(dir.path());
    c.initialize(dir.path(), &[]);
    // Not JSON; invalid UTF-8 inside a string: parse errors, answered.
    c.send_raw(&framed(b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\""));
    assert_eq!(c.frame_error()["code"], -32700);
    c.send_raw(&framed(
        b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"textDocument/hover\xff\"}",
    ));
    assert_eq!(c.frame_error()["code"], -32700);
    // JSON, but no message.
    c.send_raw(&framed(b"[1, 2, 3]"));
    assert_eq!(c.frame_error()["code"], -32600);
    // Still serving.
    let text = "tenant: x.onmicrosoft.com\nusers:\n  - {upn: a@x.com, usage_location: DE, licenses: [ENTERPRISEPAK]}\n";
    let u = c.open(&dir.path().join("t.yaml"), "yaml", text);
    assert_eq!(codes(&c.diagnostics(&u)), ["tenant/unknown-sku"]);

    // A length of 3 GB: refused at once, nothing allocated for it (the process stays up and
    // small while the body does not come).
    c.send_raw(b"Content-Length: 3000000000\r\n\r\n");
    let error = c.frame_error();
    assert_eq!(error["code"], -32600);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("over the limit"),
        "{error}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        c.child.try_wait().expect("wait").is_none(),
        "the server died"
    );
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", c.child.id())).unwrap_or_default();
    if let Some(kb) = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    {
        assert!(kb < 500 * 1024, "resident {kb} kB after a 3 GB header");
    }
    // The input ends inside the announced body: the end of the session, not a crash.
    assert_eq!(c.close(), Some(1));
}

#[test]
fn files_the_workspace_names_are_read_through_the_guard() {
    let text = "tenant: x.onmicrosoft.com\nusers:\n  - {upn: a@x.com, usage_location: DE, licenses: [ENTERPRISEPAK]}\n";
    for (config, named) in [
        ("waivers: /dev/zero\n", "/dev/zero"),
        ("waivers: /proc/self/fd/0\n", "/proc/self/fd/0"),
        ("policies: [/etc/passwd]\n", "/etc/passwd"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
        let config_path = dir.path().join(".skuld.yaml");
        std::fs::write(&config_path, config).expect("config");
        let mut c = Client::start(dir.path());
        c.initialize(dir.path(), &[]);
        // The refusal is a diagnostic on the config file, naming the path and nothing of it.
        let diags = c.diagnostics(&uri(&config_path));
        let messages: Vec<&str> = diags.iter().filter_map(|d| d["message"].as_str()).collect();
        assert!(
            messages.iter().any(|m| m.contains(named)),
            "{config}: {messages:?}"
        );
        assert!(
            !messages.iter().any(|m| m.contains("root:")),
            "{config}: {messages:?}"
        );
        // Tenants are still checked, with the rest of the configuration.
        let u = c.open(&dir.path().join("t.yaml"), "yaml", text);
        assert_eq!(
            codes(&c.diagnostics(&u)),
            ["tenant/unknown-sku"],
            "{config}"
        );
        assert_eq!(c.finish(), 0, "{config}");
    }
}

#[test]
fn a_file_on_another_host_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = Client::start(dir.path());
    c.initialize(dir.path(), &[]);
    let u = "file://server/share/tenant.yaml";
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": u, "languageId": "yaml", "version": 1, "text": "users:\n" } }),
    );
    let diags = c.diagnostics(u);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let message = diags[0]["message"].as_str().unwrap_or("");
    assert!(message.contains("the host `server`"), "{message}");
    assert_eq!(c.finish(), 0);
}

#[test]
fn completion_in_a_flow_list_offers_skus() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
    let loads = "tenant: x.onmicrosoft.com\ngroups:\n  - name: IT\nusers:\n  - {upn: a@x.com, groups: [], licenses: []}\n";
    let typed = "tenant: x.onmicrosoft.com\ngroups:\n  - name: IT\nusers:\n  - {upn: a@x.com, groups: [], licenses: [\n";
    let mut c = Client::start(dir.path());
    c.initialize(dir.path(), &[]);
    let u = c.open(&dir.path().join("t.yaml"), "yaml", loads);
    let _ = c.diagnostics(&u);
    // Half-typed: the file does not load now.
    c.change(&u, 2, typed);
    assert!(!c.diagnostics(&u).is_empty());
    let items = |result: &Value| -> Vec<String> {
        result["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| i["label"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let skus = c.request(
        "textDocument/completion",
        at(&u, json!({ "line": 4, "character": 42 })),
    );
    assert!(items(&skus).contains(&"SPE_E3".to_owned()), "{skus}");
    // Inside the user's `groups: []`: the groups of the last version that loaded.
    let groups = c.request(
        "textDocument/completion",
        at(&u, json!({ "line": 4, "character": 28 })),
    );
    assert_eq!(items(&groups), ["IT"], "{groups}");
    assert_eq!(c.finish(), 0);
}
