//! `skuld lsp`: a Language Server Protocol server over standard input and output, for tenant
//! YAML and `.skuld` policy files. Diagnostics as `skuld check` gives them, hover, go to
//! definition, completion, quick fixes and formatting (see `docs/editors.md`).
//!
//! - `server.rs`: the message loop and the requests, in LSP shapes;
//! - `engine.rs`: the only file that calls into skuld's pipeline (policy, tenants, findings);
//! - `position.rs`: byte offsets ↔ LSP positions, UTF-16 or UTF-8 as negotiated;
//! - `context.rs`: what the cursor is on, from the text (for completion);
//! - `transport.rs`: `Content-Length` framing with caps, bad frames answered;
//! - `uri.rs`: `file:` URIs ↔ paths (a network host refused).

mod context;
mod engine;
mod position;
mod server;
mod transport;
mod uri;

use std::io::{self, Read, Write};

/// Words of the policy language, offered as completions in `.skuld` files.
const KEYWORDS: &[&str] = &[
    "all",
    "and",
    "any",
    "assignment",
    "at",
    "capability",
    "count",
    "error",
    "false",
    "family",
    "for",
    "free",
    "grant",
    "grants",
    "group",
    "help",
    "id",
    "in",
    "label",
    "message",
    "none",
    "not",
    "null",
    "or",
    "paid",
    "plans",
    "product",
    "require",
    "rule",
    "set",
    "severity",
    "sku",
    "subject",
    "subscription",
    "tenant",
    "to",
    "true",
    "unavailable_in",
    "user",
    "warning",
    "when",
    "where",
];

/// Serves one client on `input`/`output` until it sends `exit`. `Ok(true)` after a clean
/// `shutdown` then `exit`, `Ok(false)` when the input ended or `exit` came without `shutdown`
/// (the protocol's exit code 1).
///
/// A reader thread frames the messages (so that the server sees what is waiting and can skip
/// superseded versions); this thread does all the work and all the writing.
pub fn serve(input: impl Read + Send + 'static, output: &mut dyn Write) -> io::Result<bool> {
    // A few dozen frames: a burst of edits fits, and a client that floods waits.
    let (tx, rx) = std::sync::mpsc::sync_channel(64);
    std::thread::spawn(move || {
        let mut reader = transport::Reader::new(io::BufReader::new(input), transport::MAX_MESSAGE);
        // A read error ends the input as its end does.
        while let Ok(Some(msg)) = reader.next() {
            if tx.send(msg).is_err() {
                return;
            }
        }
    });
    let Some(mut server) = server::Server::initialize(&rx, output)? else {
        return Ok(false);
    };
    Ok(matches!(server.serve(&rx)?, server::End::Clean))
}
