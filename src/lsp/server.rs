//! The protocol side: the message loop, open documents, and each request turned into a call to
//! [`super::engine`] and back into LSP shapes. One thread does the work; a reader thread only
//! frames messages (`transport`). Notifications are applied as they come, and the checks they
//! call for run when no message is waiting (or before a request is answered), so a burst of
//! edits costs one check of the newest version. Every request is answered from the state the
//! notifications before it left.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use ls_types as lt;
use lsp_server::{Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

use super::context::{self, Slot};
use super::engine::{self, Checked, Level, Place, Problem, Workspace};
use super::position::{Encoding, LineCol, LineIndex, Lines};
use super::transport::Incoming;
use super::uri;
use crate::source::SourceFile;

/// What an open document is to skuld.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tenant,
    Policy,
    /// `.skuld.yaml`, the waivers file, anything else: not checked, but a save reloads.
    Other,
}

/// One open document at its newest version.
#[derive(Debug)]
struct Doc {
    path: String,
    /// The text, shared with the loaded document and the findings (no copy per check).
    source: SourceFile,
    /// Line starts of this version, for every position converted on it.
    lines: Lines,
    version: i32,
    kind: Kind,
    /// The newest version that loaded, with its document and model: hover and definitions use
    /// it when it is this version, completion's group names whatever version it is.
    parsed: Option<(i32, Checked)>,
}

impl Doc {
    fn new(path: String, text: String, version: i32, kind: Kind) -> Doc {
        let lines = Lines::new(&text);
        Doc {
            source: SourceFile::new(path.clone(), text),
            path,
            lines,
            version,
            kind,
            parsed: None,
        }
    }

    fn text(&self) -> &str {
        self.source.text()
    }

    fn index(&self) -> LineIndex<'_> {
        self.lines.of(self.source.text())
    }

    /// The document loaded from this very version, if it loaded.
    fn current(&self) -> Option<&Checked> {
        self.parsed
            .as_ref()
            .filter(|(v, _)| *v == self.version)
            .map(|(_, d)| d)
    }
}

/// The server state.
pub(super) struct Server<'w> {
    out: &'w mut dyn Write,
    enc: Encoding,
    root: Option<PathBuf>,
    docs: BTreeMap<String, Doc>,
    ws: Workspace,
    /// Files that got policy diagnostics at the last publication (to clear them).
    policy_published: BTreeSet<String>,
    /// The problems last published for each open tenant, for code actions.
    problems: HashMap<String, Vec<Problem>>,
    /// Tenants changed since their last check.
    dirty: BTreeSet<String>,
    /// The policy, config or waivers changed since the last load.
    reload: bool,
    shutdown: bool,
}

impl std::fmt::Debug for Server<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("docs", &self.docs.len())
            .finish()
    }
}

/// Why the loop stopped.
pub(super) enum End {
    /// `exit` after `shutdown`.
    Clean,
    /// `exit` without `shutdown`, or the input closed.
    Abrupt,
}

/// Answers a frame that held no message: JSON-RPC says the id is then `null`.
fn write_bad(out: &mut dyn Write, code: i32, message: &str) -> io::Result<()> {
    let body = json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": code, "message": message },
    })
    .to_string();
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

fn kind_of(path: &str, language: Option<&str>) -> Kind {
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if language == Some("skuld") || name.ends_with(".skuld") {
        Kind::Policy
    } else if name == ".skuld.yaml" || name == "skuld-waivers.yaml" {
        Kind::Other
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        Kind::Tenant
    } else {
        Kind::Other
    }
}

impl<'w> Server<'w> {
    /// Answers `initialize` (read from `input`) and returns the ready server; `None` when the
    /// input ends first.
    pub(super) fn initialize(
        input: &Receiver<Incoming>,
        out: &'w mut dyn Write,
    ) -> io::Result<Option<Server<'w>>> {
        loop {
            let msg = match input.recv() {
                Ok(Incoming::Message(m)) => m,
                Ok(Incoming::Bad(code, why)) => {
                    write_bad(out, code, &why)?;
                    continue;
                }
                Err(_) => return Ok(None),
            };
            match msg {
                Message::Request(req) if req.method == "initialize" => {
                    let params: lt::InitializeParams =
                        serde_json::from_value(req.params).unwrap_or_default();
                    let enc = if params
                        .capabilities
                        .general
                        .as_ref()
                        .and_then(|g| g.position_encodings.as_ref())
                        .is_some_and(|e| e.contains(&lt::PositionEncodingKind::UTF8))
                    {
                        Encoding::Utf8
                    } else {
                        Encoding::Utf16
                    };
                    // Without a workspace folder, the folder the editor started us in, as `check`.
                    let (root, remote) = match root_of(&params) {
                        Ok(root) => (root, None),
                        Err(remote) => (None, Some(remote)),
                    };
                    let root = root.or_else(|| std::env::current_dir().ok());
                    let result = json!({
                        "capabilities": {
                            "positionEncoding": match enc { Encoding::Utf8 => "utf-8", Encoding::Utf16 => "utf-16" },
                            "textDocumentSync": { "openClose": true, "change": 1, "save": { "includeText": false } },
                            "hoverProvider": true,
                            "definitionProvider": true,
                            "completionProvider": { "triggerCharacters": ["[", " ", ":", ","] },
                            "codeActionProvider": { "codeActionKinds": ["quickfix"] },
                            "documentFormattingProvider": true,
                        },
                        "serverInfo": { "name": "skuld", "version": env!("CARGO_PKG_VERSION") },
                    });
                    Message::Response(Response::new_ok(req.id, result)).write(&mut &mut *out)?;
                    if let Some(remote) = remote {
                        Message::Notification(Notification::new(
                            "window/showMessage".to_owned(),
                            json!({ "type": 2, "message": remote.message() }),
                        ))
                        .write(&mut &mut *out)?;
                    }
                    let ws = Workspace::load(root.as_deref(), &[]);
                    return Ok(Some(Server {
                        out,
                        enc,
                        root,
                        docs: BTreeMap::new(),
                        ws,
                        policy_published: BTreeSet::new(),
                        problems: HashMap::new(),
                        dirty: BTreeSet::new(),
                        reload: false,
                        shutdown: false,
                    }));
                }
                Message::Request(req) => {
                    Message::Response(Response::new_err(
                        req.id,
                        lsp_server::ErrorCode::ServerNotInitialized as i32,
                        "the server is not initialized".to_owned(),
                    ))
                    .write(&mut &mut *out)?;
                }
                // Notifications before `initialize` are dropped, as the protocol says.
                _ => {}
            }
        }
    }

    /// Serves until `exit`. Takes every message already waiting before doing the checks they
    /// call for: a newer version of a document supersedes an older one not yet checked.
    pub(super) fn serve(&mut self, input: &Receiver<Incoming>) -> io::Result<End> {
        self.publish_policy()?;
        loop {
            let Ok(first) = input.recv() else {
                return Ok(End::Abrupt);
            };
            let mut next = Some(first);
            while let Some(msg) = next {
                if let Some(end) = self.handle(msg)? {
                    return Ok(end);
                }
                next = input.try_recv().ok();
            }
            self.flush()?;
        }
    }

    /// One message; `Some` when it ends the session.
    fn handle(&mut self, msg: Incoming) -> io::Result<Option<End>> {
        match msg {
            Incoming::Bad(code, why) => write_bad(self.out, code, &why)?,
            Incoming::Message(Message::Request(req)) => {
                // Answered from the state the notifications before it left.
                self.flush()?;
                self.request(req)?;
            }
            Incoming::Message(Message::Notification(n)) if n.method == "exit" => {
                return Ok(Some(if self.shutdown {
                    End::Clean
                } else {
                    End::Abrupt
                }));
            }
            Incoming::Message(Message::Notification(n)) => self.notification(n)?,
            Incoming::Message(Message::Response(_)) => {}
        }
        Ok(None)
    }

    /// Does the work the notifications so far call for: the policy reload, then a check of each
    /// changed tenant at its newest version.
    fn flush(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.reload) {
            self.do_reload()?;
        }
        for key in std::mem::take(&mut self.dirty) {
            self.check(&key)?;
        }
        Ok(())
    }

    fn send(&mut self, msg: Message) -> io::Result<()> {
        msg.write(&mut self.out)
    }

    fn request(&mut self, req: Request) -> io::Result<()> {
        if self.shutdown {
            return self.send(Message::Response(Response::new_err(
                req.id,
                lsp_server::ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_owned(),
            )));
        }
        let id: RequestId = req.id.clone();
        let result = match req.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            "textDocument/hover" => self.hover(req.params),
            "textDocument/definition" => self.definition(req.params),
            "textDocument/completion" => self.completion(req.params),
            "textDocument/codeAction" => self.code_action(req.params),
            "textDocument/formatting" => self.formatting(req.params),
            other => Err((
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("`{other}` is not supported"),
            )),
        };
        let response = match result {
            Ok(v) => Response::new_ok(id, v),
            Err((code, message)) => Response::new_err(id, code, message),
        };
        self.send(Message::Response(response))
    }

    fn notification(&mut self, n: Notification) -> io::Result<()> {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<lt::DidOpenTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                let key = p.text_document.uri.as_str().to_owned();
                let (path, remote) = match uri::to_path(&key) {
                    Ok(path) => (path, None),
                    Err(remote) => (key.clone(), Some(remote)),
                };
                let mut kind = kind_of(&path, Some(&p.text_document.language_id));
                if remote.is_some()
                    || (kind == Kind::Tenant && !context::looks_like_tenant(&p.text_document.text))
                {
                    // On another machine, or a workflow or other YAML: not skuld's business.
                    kind = Kind::Other;
                }
                let doc = Doc::new(path, p.text_document.text, p.text_document.version, kind);
                self.docs.insert(key.clone(), doc);
                if let Some(remote) = remote {
                    let d = json!({
                        "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                        "severity": 2,
                        "code": "skuld::io::refused",
                        "source": "skuld",
                        "message": remote.message(),
                    });
                    return self.publish(&key, vec![d], Some(p.text_document.version));
                }
                self.changed(&key, kind);
                Ok(())
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<lt::DidChangeTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                let key = p.text_document.uri.as_str().to_owned();
                let Some(doc) = self.docs.get_mut(&key) else {
                    return Ok(());
                };
                // Full sync: the last change holds the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    doc.lines = Lines::new(&change.text);
                    doc.source = SourceFile::new(doc.path.clone(), change.text);
                }
                doc.version = p.text_document.version;
                let kind = doc.kind;
                self.changed(&key, kind);
                Ok(())
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<lt::DidCloseTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                let key = p.text_document.uri.as_str().to_owned();
                let kind = self.docs.remove(&key).map(|d| d.kind);
                self.problems.remove(&key);
                self.dirty.remove(&key);
                match kind {
                    Some(Kind::Tenant) => self.publish(&key, Vec::new(), None),
                    Some(Kind::Policy) => {
                        self.reload = true;
                        Ok(())
                    }
                    _ => Ok(()),
                }
            }
            "textDocument/didSave" => {
                let Ok(p) = serde_json::from_value::<lt::DidSaveTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                if uri::to_path(p.text_document.uri.as_str())
                    .is_ok_and(|path| matches!(kind_of(&path, None), Kind::Other | Kind::Policy))
                {
                    self.reload = true;
                }
                Ok(())
            }
            // The config or waivers file changed on disk (the VS Code extension watches them).
            "workspace/didChangeWatchedFiles" => {
                self.reload = true;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Notes the work a change calls for; [`Server::flush`] does it.
    fn changed(&mut self, key: &str, kind: Kind) {
        match kind {
            Kind::Tenant => {
                self.dirty.insert(key.to_owned());
            }
            Kind::Policy => self.reload = true,
            Kind::Other => {}
        }
    }

    /// Recompiles the policy and re-checks every open tenant.
    fn do_reload(&mut self) -> io::Result<()> {
        let open: Vec<(PathBuf, String)> = self
            .docs
            .values()
            .filter(|d| d.kind == Kind::Policy)
            .map(|d| (PathBuf::from(&d.path), d.text().to_owned()))
            .collect();
        self.ws = Workspace::load(self.root.as_deref(), &open);
        self.publish_policy()?;
        self.dirty.extend(
            self.docs
                .iter()
                .filter(|(_, d)| d.kind == Kind::Tenant)
                .map(|(k, _)| k.clone()),
        );
        Ok(())
    }

    /// Publishes the policy's problems on their files, and clears files that had some.
    fn publish_policy(&mut self) -> io::Result<()> {
        let mut by_file: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
        for p in self.ws.policy_problems() {
            if p.place.file.is_empty() || p.place.file.starts_with("builtin:") {
                continue;
            }
            by_file
                .entry(uri::from_path(&p.place.file))
                .or_default()
                .push(p.clone());
        }
        // Open policy files get an empty list too, so fixed errors disappear.
        for (key, doc) in &self.docs {
            if doc.kind == Kind::Policy {
                by_file.entry(key.clone()).or_default();
            }
        }
        let stale: Vec<String> = self
            .policy_published
            .iter()
            .filter(|k| !by_file.contains_key(*k))
            .cloned()
            .collect();
        for key in stale {
            self.publish(&key, Vec::new(), None)?;
        }
        self.policy_published = by_file.keys().cloned().collect();
        let mut files = Files::default();
        for (key, problems) in by_file {
            let Ok(path) = uri::to_path(&key) else {
                continue;
            };
            if self.file(&mut files, &path).is_none() {
                continue;
            }
            let diags = problems
                .iter()
                .map(|p| self.diagnostic(p, &mut files))
                .collect();
            let version = self.docs.get(&key).map(|d| d.version);
            self.publish(&key, diags, version)?;
        }
        Ok(())
    }

    /// Checks an open tenant at its newest version and publishes what `check` reports.
    fn check(&mut self, key: &str) -> io::Result<()> {
        let Some(doc) = self.docs.get(key) else {
            return Ok(());
        };
        let (problems, parsed) = self.ws.check_tenant(&doc.source);
        let problems: Vec<Problem> = problems
            .into_iter()
            .filter(|p| p.place.file == doc.path)
            .collect();
        let mut files = Files::default();
        let diags = problems
            .iter()
            .map(|p| self.diagnostic(p, &mut files))
            .collect();
        let version = doc.version;
        if let (Some(parsed), Some(doc)) = (parsed, self.docs.get_mut(key)) {
            doc.parsed = Some((version, parsed));
        }
        self.problems.insert(key.to_owned(), problems);
        self.publish(key, diags, Some(version))
    }

    fn publish(
        &mut self,
        key: &str,
        diagnostics: Vec<Value>,
        version: Option<i32>,
    ) -> io::Result<()> {
        let mut params = json!({ "uri": key, "diagnostics": diagnostics });
        if let (Some(v), Some(obj)) = (version, params.as_object_mut()) {
            obj.insert("version".to_owned(), json!(v));
        }
        // Built as a value already: `Notification::new` would serialise it into a copy.
        self.send(Message::Notification(Notification {
            method: "textDocument/publishDiagnostics".to_owned(),
            params,
        }))
    }

    /// The text and line starts of a file: the open buffer (indexed once per version), else the
    /// file on disk, read through the guard once per `files` (one publication).
    fn file<'a>(&'a self, files: &'a mut Files, path: &str) -> Option<LineIndex<'a>> {
        if path.starts_with("builtin:") {
            return None;
        }
        if let Some(doc) = self.docs.values().find(|d| d.path == path) {
            return Some(doc.index());
        }
        let (text, lines) = files
            .0
            .entry(path.to_owned())
            .or_insert_with(|| {
                self.ws.read_named(Path::new(path)).map(|text| {
                    let lines = Lines::new(&text);
                    (text, lines)
                })
            })
            .as_ref()?;
        Some(lines.of(text))
    }

    fn range(&self, idx: LineIndex<'_>, start: usize, end: usize) -> Value {
        let (s, e) = (idx.position(start, self.enc), idx.position(end, self.enc));
        json!({
            "start": { "line": s.line, "character": s.character },
            "end": { "line": e.line, "character": e.character },
        })
    }

    fn location(&self, place: &Place, files: &mut Files) -> Option<Value> {
        let idx = self.file(files, &place.file)?;
        Some(json!({
            "uri": uri::from_path(&place.file),
            "range": self.range(idx, place.start, place.end),
        }))
    }

    fn diagnostic(&self, p: &Problem, files: &mut Files) -> Value {
        let related: Vec<Value> = p
            .related
            .iter()
            .filter_map(|(place, label)| {
                Some(json!({ "location": self.location(place, files)?, "message": label }))
            })
            .collect();
        let range = self.file(files, &p.place.file).map_or(Value::Null, |idx| {
            self.range(idx, p.place.start, p.place.end)
        });
        let mut d = json!({
            "range": range,
            "severity": match p.level { Level::Error => 1, Level::Warning => 2, Level::Waived => 4 },
            "code": p.code,
            "source": "skuld",
            "message": p.message,
        });
        if let Some(obj) = d.as_object_mut() {
            if !related.is_empty() {
                obj.insert("relatedInformation".to_owned(), json!(related));
            }
            if let Some(url) = &p.docs_url {
                obj.insert("codeDescription".to_owned(), json!({ "href": url }));
            }
        }
        d
    }

    /// The open document and byte offset of a `TextDocumentPositionParams`.
    fn at(&self, params: &Value) -> Option<(&Doc, usize)> {
        self.at_key(params).map(|(_, doc, offset)| (doc, offset))
    }

    /// [`Server::at`] with the document's key.
    fn at_key(&self, params: &Value) -> Option<(&str, &Doc, usize)> {
        let p: lt::TextDocumentPositionParams = serde_json::from_value(params.clone()).ok()?;
        let (key, doc) = self.docs.get_key_value(p.text_document.uri.as_str())?;
        let offset = doc.index().offset(
            LineCol {
                line: p.position.line,
                character: p.position.character,
            },
            self.enc,
        );
        Some((key.as_str(), doc, offset))
    }

    fn hover(&self, params: Value) -> Reply {
        let Some((key, doc, offset)) = self.at_key(&params) else {
            return Ok(Value::Null);
        };
        let found = match doc.kind {
            Kind::Tenant => doc
                .current()
                .and_then(|parsed| {
                    let checked = self.problems.get(key).map_or(&[][..], Vec::as_slice);
                    self.ws.tenant_hover(parsed, offset, checked)
                })
                .map(|(md, place)| (md, Some(place))),
            Kind::Policy => context::word_at(doc.text(), offset).and_then(|(s, e, w)| {
                self.ws.policy_hover(w).map(|md| {
                    (
                        md,
                        Some(Place {
                            file: doc.path.clone(),
                            start: s,
                            end: e,
                        }),
                    )
                })
            }),
            Kind::Other => None,
        };
        Ok(found.map_or(Value::Null, |(md, place)| {
            let mut h = json!({ "contents": { "kind": "markdown", "value": md } });
            if let (Some(p), Some(obj)) = (place, h.as_object_mut()) {
                obj.insert("range".to_owned(), self.range(doc.index(), p.start, p.end));
            }
            h
        }))
    }

    fn definition(&self, params: Value) -> Reply {
        let Some((doc, offset)) = self.at(&params) else {
            return Ok(Value::Null);
        };
        let place = match doc.kind {
            Kind::Tenant => doc
                .current()
                .and_then(|parsed| self.ws.tenant_definition(parsed.doc(), offset)),
            Kind::Policy => {
                context::word_at(doc.text(), offset).and_then(|(_, _, w)| self.ws.declaration(w))
            }
            Kind::Other => self.waiver_subject_definition(doc, offset),
        };
        Ok(place
            .and_then(|p| self.location(&p, &mut Files::default()))
            .unwrap_or(Value::Null))
    }

    /// In the waivers file, a UPN `subject:` → that user's entry: in an open tenant file, else
    /// in a tenant file of the workspace (its top two folder levels).
    fn waiver_subject_definition(&self, doc: &Doc, offset: usize) -> Option<Place> {
        if !doc.path.ends_with("skuld-waivers.yaml") {
            return None;
        }
        let text = doc.text();
        let (start, _, word) = context::word_at(text, offset)?;
        let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
        let key = text.get(line_start..start)?.trim_start();
        let key = key.strip_prefix("- ").unwrap_or(key).trim_start();
        if !key.starts_with("subject:") || !word.contains('@') {
            return None;
        }
        let upn = word.trim_matches(['"', '\'']);
        let open = self
            .docs
            .values()
            .filter(|d| d.kind == Kind::Tenant)
            .find_map(|d| engine::user_entry(&d.path, d.text(), upn));
        open.or_else(|| {
            let root = self.root.as_deref()?;
            tenant_files(root, 2).into_iter().find_map(|p| {
                let text = self.ws.read_named(&p)?;
                if !context::looks_like_tenant(&text) {
                    return None;
                }
                engine::user_entry(&p.to_string_lossy(), &text, upn)
            })
        })
    }

    fn completion(&self, params: Value) -> Reply {
        let Some((doc, offset)) = self.at(&params) else {
            return Ok(Value::Null);
        };
        // Kinds: 14 keyword, 12 value, 10 property, 6 variable, 7 class (SKU).
        let item = |label: &str, kind: u8, detail: Option<&str>, insert: Option<String>| {
            let mut v = json!({ "label": label, "kind": kind });
            if let Some(obj) = v.as_object_mut() {
                if let Some(d) = detail {
                    obj.insert("detail".to_owned(), json!(d));
                }
                if let Some(i) = insert {
                    obj.insert("insertText".to_owned(), json!(i));
                }
            }
            v
        };
        let skus = || {
            self.ws
                .skus()
                .iter()
                .map(|(part, name)| item(part, 7, Some(name), None))
                .collect::<Vec<_>>()
        };
        let items: Vec<Value> = match doc.kind {
            Kind::Tenant => match context::tenant_slot(doc.index(), offset) {
                Slot::Key(parent) => engine::keys_under(parent.as_deref())
                    .iter()
                    .map(|k| item(k, 10, None, Some(format!("{k}: "))))
                    .collect(),
                Slot::Sku => skus(),
                Slot::Group => doc
                    .parsed
                    .iter()
                    .flat_map(|(_, parsed)| engine::group_names(parsed.doc()))
                    .map(|g| item(g, 6, Some("group"), None))
                    .collect(),
                Slot::Rule => self
                    .ws
                    .rule_ids()
                    .iter()
                    .map(|r| item(r, 12, Some("rule"), None))
                    .collect(),
                Slot::Value(values) => values.iter().map(|v| item(v, 12, None, None)).collect(),
                Slot::None => Vec::new(),
            },
            Kind::Policy => {
                let mut items: Vec<Value> = super::KEYWORDS
                    .iter()
                    .map(|k| item(k, 14, None, None))
                    .collect();
                items.extend(skus());
                items.extend(
                    self.ws
                        .policy_names()
                        .iter()
                        .map(|(n, what)| item(n, 6, Some(what), None)),
                );
                items
            }
            Kind::Other => Vec::new(),
        };
        Ok(json!({ "isIncomplete": false, "items": items }))
    }

    fn code_action(&self, params: Value) -> Reply {
        let Ok(p) = serde_json::from_value::<lt::CodeActionParams>(params) else {
            return Ok(Value::Null);
        };
        let key = p.text_document.uri.as_str();
        let (Some(doc), Some(problems)) = (self.docs.get(key), self.problems.get(key)) else {
            return Ok(json!([]));
        };
        let idx = doc.index();
        let text = doc.text();
        let lc = |pos: lt::Position| LineCol {
            line: pos.line,
            character: pos.character,
        };
        let (from, to) = (
            idx.offset(lc(p.range.start), self.enc),
            idx.offset(lc(p.range.end), self.enc),
        );
        let mut actions = Vec::new();
        for prob in problems
            .iter()
            .filter(|pr| pr.place.start <= to && from <= pr.place.end)
        {
            let diag = self.diagnostic(prob, &mut Files::default());
            if let Some(new) = &prob.replacement {
                actions.push(json!({
                    "title": format!("Replace with `{new}`"),
                    "kind": "quickfix",
                    "diagnostics": [diag.clone()],
                    "isPreferred": true,
                    "edit": { "changes": { key: [{
                        "range": self.range(idx, prob.place.start, prob.place.end),
                        "newText": new,
                    }] } },
                }));
            }
            if let Some(rule) = prob
                .rule
                .as_ref()
                .filter(|r| crate::triage::waivers::can_waive(r))
            {
                let line_end = text
                    .get(prob.place.start..)
                    .and_then(|rest| rest.find('\n'))
                    .map_or(text.len(), |i| prob.place.start + i);
                let line_end = if text.get(..line_end).is_some_and(|t| t.ends_with('\r')) {
                    line_end - 1
                } else {
                    line_end
                };
                actions.push(json!({
                    "title": format!("Waive `{rule}` on this line"),
                    "kind": "quickfix",
                    "diagnostics": [diag],
                    "edit": { "changes": { key: [{
                        "range": self.range(idx, line_end, line_end),
                        "newText": format!("  {}", engine::waiver_comment(rule)),
                    }] } },
                }));
            }
        }
        Ok(json!(actions))
    }

    fn formatting(&self, params: Value) -> Reply {
        let Ok(p) = serde_json::from_value::<lt::DocumentFormattingParams>(params) else {
            return Ok(Value::Null);
        };
        let Some(doc) = self.docs.get(p.text_document.uri.as_str()) else {
            return Ok(Value::Null);
        };
        if doc.kind != Kind::Policy {
            return Ok(Value::Null);
        }
        // A file that does not parse is left alone; its errors are already diagnostics.
        let Some(formatted) = engine::format_policy(&doc.path, doc.text()) else {
            return Ok(Value::Null);
        };
        if formatted == doc.text() {
            return Ok(json!([]));
        }
        Ok(json!([{
            "range": self.range(doc.index(), 0, doc.text().len()),
            "newText": formatted,
        }]))
    }
}

type Reply = Result<Value, (i32, String)>;

/// Files read from disk during one publication or request, each read (and indexed) once.
#[derive(Default)]
struct Files(HashMap<String, Option<(String, Lines)>>);

/// The workspace folder: the first workspace folder, else the deprecated `rootUri`; `Err` when
/// it is on another machine.
fn root_of(params: &lt::InitializeParams) -> Result<Option<PathBuf>, uri::Remote> {
    if let Some(folder) = params.workspace_folders.as_ref().and_then(|f| f.first()) {
        return uri::to_path(folder.uri.as_str()).map(|p| Some(PathBuf::from(p)));
    }
    #[expect(
        deprecated,
        reason = "clients without workspace folders still send rootUri"
    )]
    let root = params.root_uri.as_ref();
    root.map(|u| uri::to_path(u.as_str()).map(PathBuf::from))
        .transpose()
}

/// The `.yaml`/`.yml` files of `dir` and its subfolders down to `depth` levels, sorted (hidden
/// folders and `target` left out).
fn tenant_files(dir: &Path, depth: usize) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_dir() {
            if depth > 0 && !name.starts_with('.') && name != "target" {
                out.extend(tenant_files(&p, depth - 1));
            }
        } else if (name.ends_with(".yaml") || name.ends_with(".yml"))
            && kind_of(&name, None) == Kind::Tenant
        {
            out.push(p);
        }
    }
    out
}
