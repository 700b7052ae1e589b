//! `skuld import graph --live`: fetches the responses the offline import reads from Microsoft
//! Graph itself, saves them in the same layout (`users.json`, `users.2.json`, …,
//! `members/<id>.json`), then runs the same mapping over that folder. The result equals the
//! offline import of the saved responses by construction.
//!
//! Network rules: pages are followed through `@odata.nextLink`, but never to another host than
//! `--graph-url` (the token would go with it); 429/503/504 are retried after `Retry-After`, a
//! bounded number of times and for a bounded total wait; redirects are not followed; plain
//! `http://` is accepted for loopback addresses only (test servers).

use std::collections::BTreeSet;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use miette::Diagnostic;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use thiserror::Error;

use super::auth::{self, Env, Token, TokenSource};
use super::graph;
use super::scratch::{self, TempDir};
use crate::compile::Catalog;

/// The default Graph endpoint (the global cloud).
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com";

/// How often one request is tried when Graph throttles it.
const MAX_ATTEMPTS: u32 = 6;
/// The longest total wait for throttling over a whole import.
const MAX_TOTAL_WAIT: Duration = Duration::from_secs(600);
/// Largest response body read (as for saved files).
const MAX_BODY_BYTES: u64 = 256 * 1024 * 1024;
/// Largest body of an error or throttling answer read (for its message).
const MAX_ERROR_BODY_BYTES: u64 = 1024 * 1024;
/// The longest one request may take, body included (less when the time budget runs out).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// How much one `--live` import may fetch before it stops with an error: the bytes of every
/// response saved, the number of pages saved, and the wall time from the first request to the
/// last byte (throttling waits included). A server that never stops sending pages, or sends them
/// slowly, ends in a clear error instead of filling the disk or running for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// `--max-bytes`.
    pub max_bytes: u64,
    /// `--max-pages`.
    pub max_pages: u64,
    /// `--max-seconds`.
    pub max_time: Duration,
}

impl Budget {
    /// 2 GiB, 25,000 pages, 3 hours. A tenant of 100,000 users is about 0.6 GB in about 5,500
    /// pages (docs/import.md has the sums): three to four times that, and time for Graph's
    /// throttling of a tenant that size.
    pub const DEFAULT: Budget = Budget {
        max_bytes: 2 * 1024 * 1024 * 1024,
        max_pages: 25_000,
        max_time: Duration::from_secs(3 * 60 * 60),
    };
}

/// What `--live` needs.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--graph-url`: `https://graph.microsoft.com`, `https://graph.microsoft.us`, ….
    pub graph_url: String,
    /// `--save DIR`: keep the responses there (the folder must be new or empty).
    pub save: Option<PathBuf>,
    /// `--max-bytes`, `--max-pages`, `--max-seconds`.
    pub budget: Budget,
}

/// An error of the live import (exit code 2).
#[derive(Debug, Error)]
#[error("{message}")]
pub struct LiveError {
    message: String,
    code: &'static str,
    help: Option<String>,
}

impl Diagnostic for LiveError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

fn live_error(code: &'static str, message: String, help: Option<String>) -> miette::Report {
    miette::Report::new(LiveError {
        message,
        code,
        help,
    })
}

const PERMISSIONS_HELP: &str = "the identity needs read access to the directory: the Microsoft Graph application permissions Organization.Read.All, User.Read.All and GroupMember.Read.All (or Directory.Read.All), granted by an administrator; see docs/import.md";

/// Fetches the responses, saves them, and maps them like the offline import.
pub fn import(
    options: &Options,
    catalog: &Catalog,
    env: &dyn Env,
    today: &str,
) -> Result<super::Import, Vec<miette::Report>> {
    let base = graph_base(&options.graph_url).map_err(|e| vec![e])?;
    let agent = agent();
    let token = auth::acquire(&base, &agent, env).map_err(|e| vec![miette::Report::new(*e)])?;
    // Dropped on every return below, which removes the folder (a signal removes it too).
    let (dir, _cleanup) = match &options.save {
        Some(dir) => (prepare_save_dir(dir).map_err(|e| vec![e])?, None),
        None => {
            let tmp = temp_dir().map_err(|e| vec![e])?;
            (tmp.path().to_path_buf(), Some(tmp))
        }
    };
    let mut client = Client {
        agent,
        base: base.clone(),
        token,
        waited: Duration::ZERO,
        budget: options.budget,
        started: Instant::now(),
        bytes: 0,
        pages: 0,
    };
    let skipped = client.fetch_all(&dir).map_err(|e| {
        let mut e = e;
        if options.save.is_some() {
            e = e.wrap_err(format!(
                "the responses fetched before the error are in `{}`",
                dir.display()
            ));
        }
        vec![e]
    })?;
    // With `--save`, the header names the folder, so the output is byte for byte the offline
    // import of that folder; otherwise it names the Graph endpoint.
    let shown = match &options.save {
        Some(dir) => dir.display().to_string(),
        None => base,
    };
    let mut imported = super::graph_as(&dir, &shown, catalog, today)?;
    let (remarks, notes) = skipped;
    imported.notes.extend(notes);
    imported.remarks.extend(remarks);
    Ok(imported)
}

/// `--graph-url` without a trailing slash; `https://` (or `http://` on a loopback address).
fn graph_base(url: &str) -> Result<String, miette::Report> {
    let url = url.trim().trim_end_matches('/');
    let bad = |why: &str| {
        live_error(
            "skuld::import::graph-url",
            format!("`{url}` is not a Microsoft Graph endpoint: {why}"),
            Some("give the endpoint's root, e.g. `https://graph.microsoft.com` or `https://graph.microsoft.us`, without `/v1.0`".to_owned()),
        )
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("it has no `https://`"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad("it must be a scheme and a host, nothing else"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_owned()),
        "http" if auth::is_loopback(rest) => Ok(url.to_owned()),
        "http" => Err(bad(
            "plain `http://` would send the token unencrypted; only loopback test servers may use it",
        )),
        _ => Err(bad("the scheme must be `https`")),
    }
}

/// `scheme://host[:port]` of a URL, lower case.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{authority}").to_ascii_lowercase())
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        // A redirect could carry the token elsewhere; Graph does not redirect these reads.
        .max_redirects(0)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(Duration::from_secs(300)))
        .user_agent(concat!("skuld/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// The folder for `--save`: created, or an existing empty one (stale pages from an earlier run
/// would mix into the import).
fn prepare_save_dir(dir: &Path) -> Result<PathBuf, miette::Report> {
    let save_error = |reason: String| {
        live_error(
            "skuld::import::save",
            format!("cannot save the responses in `{}`: {reason}", dir.display()),
            Some("name a new or empty folder with `--save`".to_owned()),
        )
    };
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(save_error("the folder is not empty".to_owned()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| save_error(e.to_string()))?;
            }
            scratch::private_dir(dir).map_err(|e| save_error(e.to_string()))?;
        }
        Err(e) => return Err(save_error(e.to_string())),
    }
    Ok(dir.to_path_buf())
}

/// The temporary folder of a run without `--save`.
fn temp_dir() -> Result<TempDir, miette::Report> {
    TempDir::new().map_err(|e| {
        live_error(
            "skuld::io",
            format!(
                "cannot create a temporary folder in `{}`: {e}",
                std::env::temp_dir().display()
            ),
            Some(
                "set TMPDIR to a writable folder, or keep the responses with `--save DIR`"
                    .to_owned(),
            ),
        )
    })
}

struct Client {
    agent: ureq::Agent,
    base: String,
    token: Token,
    /// Time already spent waiting for throttling.
    waited: Duration,
    budget: Budget,
    /// When the first request was sent (the time budget counts from there).
    started: Instant,
    /// Bytes and pages saved so far.
    bytes: u64,
    pages: u64,
}

impl Client {
    /// Fetches every resource into `dir`; what Graph refused: the users' `signInActivity`, and
    /// optional resources (features).
    fn fetch_all(&mut self, dir: &Path) -> Result<(Vec<String>, Vec<String>), miette::Report> {
        // The groups whose member list `$expand` cut short, noted as their pages are read.
        let mut large_groups = BTreeSet::new();
        let mut remarks = Vec::new();
        let mut notes = Vec::new();
        for r in graph::RESOURCES {
            let url = format!("{}{}", self.base, r.path);
            let groups = (r.name == "groups").then_some(&mut large_groups);
            if r.name == "users" {
                // `signInActivity` needs AuditLog.Read.All (and Entra ID P1): when Graph refuses
                // it, the users are fetched without it and `last_sign_in` is left out.
                if !self.collection(dir, r.name, url, true, None)? {
                    remarks.push("Microsoft Graph refused `signInActivity` of the users (403): grant AuditLog.Read.All (the tenant needs Entra ID P1) to import `last_sign_in`; the users were imported without it".to_owned());
                    let url = format!("{}{}", self.base, graph::USERS_WITHOUT_SIGN_IN);
                    self.collection(dir, r.name, url, false, None)?;
                }
            } else {
                self.collection(dir, r.name, url, false, groups)?;
            }
        }
        for r in graph::OPTIONAL_RESOURCES.iter().filter(|r| r.live) {
            let url = format!("{}{}", self.base, r.path);
            if !self.collection(dir, r.name, url, true, None)? {
                let note = format!(
                    "Microsoft Graph refused `{}` (403 or 404): grant {} to import what it gives",
                    r.path, r.permission
                );
                // Subscriptions give `trial` and `ends`; the others give features.
                if r.name == "subscriptions" {
                    remarks.push(note);
                } else {
                    notes.push(note);
                }
            }
        }
        // `$expand` returns at most 100 members of a group without saying so: fetch the full
        // list of every group that reached the limit or says it has more.
        if !large_groups.is_empty() {
            let members = dir.join("members");
            scratch::private_dir(&members).map_err(|e| write_error(&members, &e))?;
            for id in large_groups {
                // A group id names a file: only the characters of a GUID.
                if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    return Err(live_error(
                        "skuld::import::http",
                        format!("Graph returned a group id that is not a GUID: `{id}`"),
                        None,
                    ));
                }
                let url = format!("{}/v1.0/groups/{id}/members?$select=id&$top=999", self.base);
                self.collection(&members, &id, url, false, None)?;
            }
        }
        Ok((remarks, notes))
    }

    /// Every page of one resource, saved as `NAME.json`, `NAME.2.json`, … as it arrives, then
    /// read back from the file for its next link (and, for `groups`, into `large_groups`): no
    /// page is held in memory. An `optional` resource whose first page Graph refuses (403, 404)
    /// is `false`, nothing saved.
    fn collection(
        &mut self,
        dir: &Path,
        name: &str,
        first: String,
        optional: bool,
        mut large_groups: Option<&mut BTreeSet<String>>,
    ) -> Result<bool, miette::Report> {
        let mut count = 0usize;
        let mut seen = BTreeSet::new();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            if !seen.insert(url.clone()) {
                return Err(live_error(
                    "skuld::import::next-link",
                    format!("the pages of `{name}` do not end: `{url}` was requested before"),
                    None,
                ));
            }
            let file = if count == 0 {
                dir.join(format!("{name}.json"))
            } else {
                dir.join(format!("{name}.{}.json", count + 1))
            };
            if !self.get(&url, optional && count == 0, &file)? {
                return Ok(false);
            }
            count += 1;
            let link = read_page(&file, large_groups.as_deref_mut()).map_err(|e| {
                live_error(
                    "skuld::import::json",
                    format!("Graph answered `{url}` with something that is not a JSON page: {e}"),
                    Some(format!("the body is saved in `{}`", file.display())),
                )
            })?;
            if let Some(link) = link {
                if origin(&link) != origin(&self.base) {
                    return Err(live_error(
                        "skuld::import::next-link",
                        format!(
                            "the next page of `{name}` is on another host: `{}`",
                            origin(&link).unwrap_or_else(|| link.clone())
                        ),
                        Some(format!(
                            "skuld follows pages on `{}` only, so that the access token is not sent elsewhere; check --graph-url",
                            self.base
                        )),
                    ));
                }
                next = Some(link);
            }
        }
        Ok(true)
    }

    /// The time left of the budget before fetching `url`; the budget's error when none is left.
    fn time_left(&self, url: &str) -> Result<Duration, miette::Report> {
        match self.budget.max_time.checked_sub(self.started.elapsed()) {
            Some(left) if !left.is_zero() => Ok(left),
            _ => Err(self.over_budget(
                "skuld::import::too-slow",
                format!(
                    "the import took longer than its time budget of {} seconds (at `{}`, after {} pages, {} bytes)",
                    self.budget.max_time.as_secs(),
                    path_of(url),
                    self.pages,
                    self.bytes
                ),
                "--max-seconds SECONDS",
            )),
        }
    }

    fn over_budget(&self, code: &'static str, message: String, flag: &str) -> miette::Report {
        live_error(
            code,
            message,
            Some(format!(
                "a tenant of 100,000 users is about 0.6 GB in 5,500 pages; if this one is larger, raise the budget with `{flag}` (docs/import.md); otherwise check --graph-url: an endpoint that never stops sending pages, or sends them slowly, is stopped by the budget"
            )),
        )
    }

    /// One GET with throttling retries, a 200's body saved in `file` (`true`). With
    /// `may_refuse`, a 403 or 404 is `false` (an optional resource the identity may not read,
    /// or the tenant not have).
    fn get(&mut self, url: &str, may_refuse: bool, file: &Path) -> Result<bool, miette::Report> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let left = self.time_left(url)?;
            let response = self
                .agent
                .get(url)
                .header("Authorization", &format!("Bearer {}", self.token.secret()))
                .header("Accept", "application/json")
                .config()
                .timeout_global(Some(left.min(REQUEST_TIMEOUT)))
                .build()
                .call();
            let mut response = match response {
                Ok(r) => r,
                Err(e) => {
                    self.time_left(url)?;
                    return Err(live_error(
                        "skuld::import::network",
                        auth::redact(
                            &format!("cannot reach Microsoft Graph at `{}`: {e}", self.base),
                            self.token.secret(),
                        ),
                        Some("check the network, a proxy (HTTPS_PROXY) and --graph-url".to_owned()),
                    ));
                }
            };
            let status = response.status().as_u16();
            if status == 200 {
                self.save(response.body_mut(), url, file)?;
                return Ok(true);
            }
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| retry_after(v, SystemTime::now()));
            // Only for its message: an unreadable or oversized one is no message.
            let body = response
                .body_mut()
                .with_config()
                .limit(MAX_ERROR_BODY_BYTES)
                .read_to_string()
                .unwrap_or_default();
            if matches!(status, 429 | 503 | 504) {
                // Without `Retry-After`, back off exponentially: 1, 2, 4, … seconds.
                let wait = Duration::from_secs(retry_after.unwrap_or(1u64 << (attempt - 1).min(6)));
                let total = self.waited.saturating_add(wait);
                if total > MAX_TOTAL_WAIT {
                    return Err(live_error(
                        "skuld::import::throttled",
                        format!(
                            "Microsoft Graph answered {status} to `{}` and asks to wait {} seconds, more than skuld waits",
                            path_of(url),
                            wait.as_secs()
                        ),
                        Some(format!(
                            "try again later; skuld waits at most {} seconds in all for throttling",
                            MAX_TOTAL_WAIT.as_secs()
                        )),
                    ));
                }
                if attempt >= MAX_ATTEMPTS {
                    return Err(live_error(
                        "skuld::import::throttled",
                        format!(
                            "Microsoft Graph kept answering {status} ({}) to `{}` after {attempt} tries",
                            if status == 429 {
                                "too many requests"
                            } else {
                                "service unavailable"
                            },
                            path_of(url)
                        ),
                        Some(format!(
                            "try again later; skuld waits at most {} seconds in all for throttling",
                            MAX_TOTAL_WAIT.as_secs()
                        )),
                    ));
                }
                self.waited = total;
                // A wait past the time budget ends at the budget, and the next try says so.
                std::thread::sleep(wait.min(self.time_left(url)?));
                continue;
            }
            if may_refuse && matches!(status, 403 | 404) {
                return Ok(false);
            }
            return Err(self.status_error(status, url, &body));
        }
    }

    /// Streams a 200's body into a new private `file`, counting it against the byte and page
    /// budgets as it arrives.
    fn save(
        &mut self,
        body: &mut ureq::Body,
        url: &str,
        file: &Path,
    ) -> Result<(), miette::Report> {
        if self.pages >= self.budget.max_pages {
            return Err(self.over_budget(
                "skuld::import::too-many-pages",
                format!(
                    "Microsoft Graph sent more pages than the budget of {} (the next is `{}`; {} bytes so far)",
                    self.budget.max_pages,
                    path_of(url),
                    self.bytes
                ),
                "--max-pages N",
            ));
        }
        self.pages += 1;
        let mut out = scratch::new_file(file).map_err(|e| write_error(file, &e))?;
        let mut reader = body.with_config().limit(MAX_BODY_BYTES).reader();
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.time_left(url)?;
                    return Err(live_error(
                        "skuld::import::network",
                        format!("cannot read Graph's answer to `{}`: {e}", path_of(url)),
                        None,
                    ));
                }
            };
            self.bytes = self.bytes.saturating_add(n as u64);
            if self.bytes > self.budget.max_bytes {
                return Err(self.over_budget(
                    "skuld::import::too-many-bytes",
                    format!(
                        "Microsoft Graph sent more than the budget of {} bytes (in page {}, `{}`)",
                        self.budget.max_bytes,
                        self.pages,
                        path_of(url)
                    ),
                    "--max-bytes BYTES",
                ));
            }
            if let Some(chunk) = buffer.get(..n) {
                out.write_all(chunk).map_err(|e| write_error(file, &e))?;
            }
        }
        out.flush().map_err(|e| write_error(file, &e))
    }

    /// A clear error for a status other than 200 and the throttling ones.
    fn status_error(&self, status: u16, url: &str, body: &str) -> miette::Report {
        let (code, message) = graph_error(body);
        let detail = auth::redact(
            &match (code.is_empty(), message.is_empty()) {
                (true, true) => String::new(),
                (false, true) => format!(": {code}"),
                (true, false) => format!(": {message}"),
                (false, false) => format!(": {code}: {message}"),
            },
            self.token.secret(),
        );
        let path = path_of(url);
        let source = self.token.source;
        match status {
            401 if message.to_ascii_lowercase().contains("expired") => live_error(
                "skuld::import::token-expired",
                format!(
                    "the access token from {} has expired (Microsoft Graph answered 401 to `{path}`)",
                    source.describe()
                ),
                Some(renew_help(source, &self.base)),
            ),
            401 => live_error(
                "skuld::import::unauthorized",
                format!(
                    "Microsoft Graph refused the access token from {} (401 to `{path}`){detail}",
                    source.describe()
                ),
                Some(format!(
                    "the token must be issued for `{}` (scope `{}/.default`) by the tenant to read; {}",
                    self.base,
                    self.base,
                    renew_help(source, &self.base)
                )),
            ),
            403 => live_error(
                "skuld::import::forbidden",
                format!("Microsoft Graph denied `{path}` (403){detail}"),
                Some(PERMISSIONS_HELP.to_owned()),
            ),
            _ => live_error(
                "skuld::import::http",
                format!("Microsoft Graph answered {status} to `{path}`{detail}"),
                None,
            ),
        }
    }
}

/// The seconds a `Retry-After` value asks to wait: delay-seconds (`120`), or an HTTP-date
/// (`Wed, 03 Dec 2026 12:00:00 GMT`, the IMF-fixdate form of RFC 9110) counted from `now`; a
/// date already past is no wait. `None` for anything else.
fn retry_after(value: &str, now: SystemTime) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = http_date(value)?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(at.saturating_sub(now))
}

/// Seconds since the Unix epoch of an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
fn http_date(value: &str) -> Option<u64> {
    let (_weekday, rest) = value.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u64 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let year: u64 = parts.next()?.parse().ok()?;
    let time = parts.next()?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    let mut hms = time.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some()
        || !(1..=31).contains(&day)
        || year < 1970
        || h > 23
        || m > 59
        || sec > 60
    {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), years from March.
    let (y, mp) = if month > 2 {
        (year, month - 3)
    } else {
        (year - 1, month + 9)
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

/// How to get a fresh token from `source`.
fn renew_help(source: TokenSource, base: &str) -> String {
    match source {
        TokenSource::Variable => format!(
            "tokens live about an hour: get a new one, e.g. `az account get-access-token --resource {base} --query accessToken --output tsv`, and set SKULD_GRAPH_TOKEN to it (or unset it to let skuld get one)"
        ),
        TokenSource::AzureCli => {
            "sign in again with `az login` (the CLI's session has expired)".to_owned()
        }
        TokenSource::GitHubOidc => "run the job again; skuld gets a new token on every run".to_owned(),
        TokenSource::WorkloadIdentity => "the federated token file is refreshed by the platform; run the import again, and check that AZURE_FEDERATED_TOKEN_FILE is the file it refreshes".to_owned(),
        TokenSource::ClientSecret | TokenSource::ClientCertificate => {
            "run the import again; skuld gets a new token on every run".to_owned()
        }
    }
}

/// Graph's `{"error": {"code", "message"}}`, each empty when absent.
fn graph_error(body: &str) -> (String, String) {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let field = |name: &str| {
        v.get("error")
            .and_then(|e| e.get(name))
            .and_then(|c| c.as_str())
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    (field("code"), field("message"))
}

/// The path and query of a URL, for messages (the host is `--graph-url`'s).
fn path_of(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').and_then(|i| rest.get(i..)))
        .unwrap_or(url)
}

/// What one saved page says: its `@odata.nextLink`, and with `large_groups` (the `groups`
/// pages), the ids of the groups on it whose member list `$expand` cut short. Read from the
/// file as a stream, so that a page is never held whole in memory.
fn read_page(
    file: &Path,
    large_groups: Option<&mut BTreeSet<String>>,
) -> Result<Option<String>, String> {
    let f = std::fs::File::open(file).map_err(|e| e.to_string())?;
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(f));
    let link = PageSeed(large_groups)
        .deserialize(&mut de)
        .map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(link)
}

/// A page's fields, visited one by one (see `read_page`).
struct PageSeed<'a>(Option<&'a mut BTreeSet<String>>);

impl<'de> DeserializeSeed<'de> for PageSeed<'_> {
    type Value = Option<String>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut link = None;
        while let Some(key) = map.next_key::<String>()? {
            match (key.as_str(), self.0.as_deref_mut()) {
                ("@odata.nextLink", _) => link = map.next_value::<Option<String>>()?,
                ("value", Some(ids)) => map.next_value_seed(LargeGroups(ids))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(link)
    }
}

/// The `value` of a `groups` page: each group read on its own, its id kept only if its member
/// list must be fetched whole.
struct LargeGroups<'a>(&'a mut BTreeSet<String>);

/// What a group on a `groups` page says about its expanded member list.
#[derive(serde::Deserialize)]
struct ExpandedGroup {
    id: Option<String>,
    /// Counted, not kept (`IgnoredAny` takes no memory).
    #[serde(default)]
    members: Option<Vec<IgnoredAny>>,
    #[serde(rename = "members@odata.nextLink", default)]
    more: Option<IgnoredAny>,
}

impl<'de> DeserializeSeed<'de> for LargeGroups<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for LargeGroups<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of groups")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(group) = seq.next_element::<ExpandedGroup>()? {
            let expanded = group.members.as_ref().map_or(0, Vec::len);
            if let Some(id) = group.id
                && (expanded >= super::EXPAND_LIMIT || group.more.is_some())
            {
                self.0.insert(id);
            }
        }
        Ok(())
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> miette::Report {
    live_error(
        "skuld::io",
        format!("cannot write `{}`: {e}", path.display()),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_urls_are_roots_over_https_or_loopback_http() {
        assert_eq!(
            graph_base("https://graph.microsoft.us/").ok().as_deref(),
            Some("https://graph.microsoft.us")
        );
        assert!(graph_base("http://127.0.0.1:8080").is_ok());
        assert!(graph_base("http://graph.microsoft.com").is_err());
        assert!(graph_base("https://graph.microsoft.com/v1.0").is_err());
        assert!(graph_base("graph.microsoft.com").is_err());
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            http_date("Thu, 03 Dec 2026 12:00:00 GMT"),
            Some(1_796_299_200)
        );
        assert_eq!(
            http_date("Tue, 29 Feb 2028 00:00:00 GMT"),
            Some(1_835_395_200)
        );
        assert_eq!(retry_after(" 120 ", now), Some(120));
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), Some(30));
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), Some(0));
        for bad in [
            "soon",
            "-1",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
        ] {
            assert_eq!(retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn a_saved_page_is_read_back_for_its_link_and_the_groups_to_complete() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("groups.json");
        let hundred = vec![serde_json::json!({"id": "m"}); super::super::EXPAND_LIMIT];
        let page = serde_json::json!({
            "@odata.context": "x",
            "value": [
                {"id": "full", "displayName": "a", "members": hundred},
                {"id": "more", "members": [], "members@odata.nextLink": "https://g/x"},
                {"id": "small", "members": [{"id": "m"}]},
                {"displayName": "no id", "members@odata.nextLink": "https://g/y"}
            ],
            "@odata.nextLink": "https://g/v1.0/groups?$skiptoken=2"
        });
        std::fs::write(&file, page.to_string()).unwrap();
        let mut ids = BTreeSet::new();
        assert_eq!(
            read_page(&file, Some(&mut ids)),
            Ok(Some("https://g/v1.0/groups?$skiptoken=2".to_owned()))
        );
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["full", "more"]);
        // Other resources: the link only; the last page has none.
        std::fs::write(&file, r#"{"value":[{"id":"u"}]}"#).unwrap();
        assert_eq!(read_page(&file, None), Ok(None));
        for bad in ["[1]", "{\"value\": 1", "{} {}", "<html>"] {
            std::fs::write(&file, bad).unwrap();
            assert!(read_page(&file, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(
            origin("https://Graph.microsoft.com/v1.0/users?$skiptoken=x"),
            origin("https://graph.microsoft.com")
        );
        assert_ne!(
            origin("https://evil.example/v1.0/users"),
            origin("https://graph.microsoft.com")
        );
        assert_ne!(origin("http://127.0.0.1:1/x"), origin("http://127.0.0.1:2"));
    }
}
