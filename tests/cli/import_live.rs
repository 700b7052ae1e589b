//! `skuld import graph --live` against a fake Microsoft Graph (and login endpoint) on 127.0.0.1,
//! started by each test: the real binary, real HTTP, never the real service. The fake serves the
//! contoso fixture (`tests/data/fixtures/graph/contoso`) and its feature responses
//! (`tests/data/import/features`), their `@odata.nextLink`s rewritten to itself.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "helpers of tests: a panic is a test failure"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FIXTURE: &str = "tests/data/fixtures/graph/contoso";
/// The saved responses of the `features:` block for the same tenant.
const FEATURES: &str = "tests/data/import/features";
const GOOD_TOKEN: &str = "good-token-5f1c9a";
const ALL_STAFF: &str = "9e30691c-2386-42ea-926a-1e48cc11d357";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One request the fake received.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    /// Path and query, as sent.
    target: String,
    headers: BTreeMap<String, String>,
    body: String,
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn json(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }
}

type Handler = dyn Fn(&Request, &str) -> Response + Send + Sync;

/// A fake server on 127.0.0.1: one connection at a time, `Connection: close`; its thread ends
/// with the test process, and every read has a timeout, so nothing waits forever.
struct Fake {
    base: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Fake {
    fn start(handler: Box<Handler>) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let (log2, base2) = (Arc::clone(&log), base.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().take(1000) {
                let Ok(stream) = stream else { continue };
                let _ = serve_one(stream, &*handler, &base2, &log2);
            }
        });
        Fake { base, log }
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    /// How many Graph requests went to a target starting with `prefix`.
    fn asked(&self, prefix: &str) -> usize {
        self.graph_requests()
            .iter()
            .filter(|r| r.target.starts_with(prefix))
            .count()
    }

    fn graph_requests(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.target.starts_with("/v1.0/"))
            .collect()
    }
}

fn serve_one(
    stream: TcpStream,
    handler: &Handler,
    base: &str,
    log: &Mutex<Vec<Request>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(1 << 20)];
    reader.read_exact(&mut body)?;
    let request = Request {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let response = handler(&request, base);
    log.lock().unwrap().push(request);
    let mut out = stream;
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        response.body.len()
    );
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(response.body.as_bytes())?;
    out.flush()
}

/// The requests docs/import.md lists for `--live` (file stem, target below the Graph root).
fn documented_requests() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(root().join("docs/import.md")).unwrap();
    doc.lines()
        .filter(|l| !l.contains("(not with `--live`)") && !l.starts_with("| `members/"))
        .filter_map(|l| {
            let name = l.strip_prefix("| `")?.split_once(".json`")?.0;
            let target = l
                .split_once("`GET https://graph.microsoft.com")?
                .1
                .split_once('`')?
                .0;
            Some((name.to_owned(), target.to_owned()))
        })
        .collect()
}

/// The fixture as Graph would serve it from `base`: request target → body. All Staff's
/// expanded member list says it has more (so the full list is fetched from `members/`).
fn fixture_routes(base: &str) -> BTreeMap<String, String> {
    let dir = root().join(FIXTURE);
    let read = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap()
            .replace("https://graph.microsoft.com", base)
    };
    let members_first = format!("/v1.0/groups/{ALL_STAFF}/members?$select=id&$top=999");
    let mut routes = BTreeMap::new();
    let features = root().join(FEATURES);
    // The first request of each resource is the one docs/import.md lists: a request `--live`
    // sends that the page does not list gets 404 from this fake.
    let resources = documented_requests()
        .into_iter()
        .map(|(name, target)| {
            let in_fixture = dir.join(format!("{name}.json"));
            let stem = if in_fixture.exists() {
                dir.join(&name)
            } else {
                features.join(&name)
            };
            (stem, target)
        })
        .chain([(dir.join("members").join(ALL_STAFF), members_first)]);
    for (stem, first) in resources {
        let mut target = first;
        for n in 1.. {
            let file = if n == 1 {
                stem.with_extension("json")
            } else {
                PathBuf::from(format!("{}.{n}.json", stem.display()))
            };
            if !file.exists() {
                break;
            }
            let mut body = read(&file);
            if stem.ends_with("groups") {
                body = body.replace(
                    &format!("\"id\": \"{ALL_STAFF}\","),
                    &format!(
                        "\"id\": \"{ALL_STAFF}\",\n      \"members@odata.nextLink\": \"{base}/v1.0/groups/{ALL_STAFF}/members?$skiptoken=expand\","
                    ),
                );
            }
            let next: Option<String> =
                serde_json::from_str::<serde_json::Value>(&body).unwrap()["@odata.nextLink"]
                    .as_str()
                    .map(|l| l.strip_prefix(base).unwrap().to_owned());
            routes.insert(target.clone(), body);
            match next {
                Some(n) => target = n,
                None => break,
            }
        }
    }
    routes
}

/// Graph from the fixture, behind `Bearer GOOD_TOKEN`; `overrides` answers first (throttling,
/// errors) when it returns a response.
fn graph_with(
    overrides: impl Fn(&Request, &str) -> Option<Response> + Send + Sync + 'static,
) -> Fake {
    Fake::start(Box::new(move |req: &Request, base: &str| {
        if let Some(r) = overrides(req, base) {
            return r;
        }
        if let Some(r) = login(req) {
            return r;
        }
        match req.headers.get("authorization").map(String::as_str) {
            Some(a) if a == format!("Bearer {GOOD_TOKEN}") => {}
            Some(a) if a.contains("expired") => {
                return Response::json(
                    401,
                    r#"{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}"#,
                );
            }
            _ => {
                return Response::json(
                    401,
                    r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. Invalid audience."}}"#,
                );
            }
        }
        match fixture_routes(base).remove(&req.target) {
            Some(body) => Response::json(200, body),
            None => Response::json(
                404,
                r#"{"error":{"code":"Request_ResourceNotFound","message":"no such route in the fake"}}"#,
            ),
        }
    }))
}

fn graph() -> Fake {
    graph_with(|_, _| None)
}

/// The fake login endpoint: `POST /<tenant>/oauth2/v2.0/token`, client credentials.
fn login(req: &Request) -> Option<Response> {
    if req.method != "POST" || !req.target.ends_with("/oauth2/v2.0/token") {
        return None;
    }
    let form = form(&req.body);
    let ok = req.target == "/contoso-tenant/oauth2/v2.0/token"
        && form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id").map(String::as_str) == Some("app-id")
        && (form.get("client_secret").map(String::as_str) == Some("s3cret-value")
            || form.get("client_assertion").is_some_and(|a| {
                a == "federated-jwt-value" || certificate_assertion_is_valid(a, &req.target)
            }));
    Some(if ok {
        Response::json(
            200,
            format!(r#"{{"token_type":"Bearer","expires_in":3599,"access_token":"{GOOD_TOKEN}"}}"#),
        )
    } else {
        Response::json(
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#,
        )
    })
}

fn form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// The assertion is an RS256 JWT signed by the fixture certificate's key, for this app and
/// this token endpoint, with the certificate's SHA-1 thumbprint.
fn certificate_assertion_is_valid(jwt: &str, target: &str) -> bool {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return false;
    }
    let json = |p: &str| -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
    };
    let (header, claims) = (json(parts[0]), json(parts[1]));
    let thumbprint = URL_SAFE_NO_PAD
        .decode(header["x5t"].as_str().unwrap_or(""))
        .unwrap_or_default();
    let hex: String = thumbprint.iter().map(|b| format!("{b:02x}")).collect();
    let public_key =
        std::fs::read(root().join("tests/data/fixtures/graph-live/app-public-key.der")).unwrap();
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let signed = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        public_key,
    )
    .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
    .is_ok();
    signed
        && header["alg"] == "RS256"
        && hex == "757637aab6914ed671d6eef1240f9aadaf24009b"
        && claims["iss"] == "app-id"
        && claims["sub"] == "app-id"
        && claims["aud"].as_str().is_some_and(|a| a.ends_with(target))
        && claims["exp"].as_u64() > claims["nbf"].as_u64()
}

/// Runs skuld with only the given environment (no credentials of the machine, no proxy), and
/// kills it after a minute.
fn skuld(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    finish(spawn(dir, args, env))
}

/// Waits for `child` (a minute at most) and collects its output.
fn finish(mut child: std::process::Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("skuld did not end within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The skuld process of `skuld`, started in `dir` (also its TMPDIR) with only `env`.
fn spawn(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skuld"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COLUMNS", "300")
        .env("NO_COLOR", "1")
        .env("TMPDIR", dir)
        // Windows sockets need it.
        .env(
            "SYSTEMROOT",
            std::env::var("SYSTEMROOT").unwrap_or_default(),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// `skuld import graph --live --graph-url <fake> EXTRA…` in `dir`: the one way every test runs
/// the live import.
fn live(fake: &Fake, dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    finish(spawn_live(fake, dir, extra, env))
}

/// The process of `live`, still running.
fn spawn_live(
    fake: &Fake,
    dir: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> std::process::Child {
    let mut args = vec!["import", "graph", "--live", "--graph-url", &fake.base];
    args.extend_from_slice(extra);
    spawn(dir, &args, env)
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

/// The YAML without its header comment.
fn body(yaml: &str) -> String {
    yaml.lines()
        .skip_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The offline import of the responses the fake serves (both fixtures in one folder).
fn offline_fixture_import() -> String {
    let tmp = tempfile::tempdir().unwrap();
    let graph = tmp.path().join("graph");
    for dir in [FIXTURE, FEATURES] {
        copy_json(&root().join(dir), &graph);
    }
    let o = skuld(tmp.path(), &["import", "graph", "graph"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout)
}

fn copy_json(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            copy_json(&path, &to.join(path.file_name().unwrap()));
        } else if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn live_import_equals_the_offline_import_of_the_saved_responses() {
    let fake = graph();
    let tmp = tempfile::tempdir().unwrap();
    let live = live(
        &fake,
        tmp.path(),
        &["--save", "saved", "-o", "live.yaml"],
        &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)],
    );
    assert_eq!(live.status.code(), Some(0), "{}", text(&live.stderr));
    let offline = skuld(tmp.path(), &["import", "graph", "saved"], &[]);
    assert_eq!(offline.status.code(), Some(0), "{}", text(&offline.stderr));
    let live_yaml = std::fs::read_to_string(tmp.path().join("live.yaml")).unwrap();
    assert_eq!(live_yaml, text(&offline.stdout), "live ≠ offline of --save");
    // The same tenant as the offline import of the fixture the fake serves.
    assert_eq!(body(&live_yaml), body(&offline_fixture_import()));
    assert!(live_yaml.contains("users.2.json"), "{live_yaml}");
    // Paging followed, the members of the group that said it has more fetched, every page.
    for f in [
        "organization.json",
        "subscribedSkus.json",
        "users.json",
        "users.2.json",
        "groups.json",
    ] {
        assert!(tmp.path().join("saved").join(f).is_file(), "{f}");
    }
    let members = tmp.path().join("saved/members");
    assert!(members.join(format!("{ALL_STAFF}.json")).is_file());
    assert!(members.join(format!("{ALL_STAFF}.2.json")).is_file());
    assert!(!tmp.path().join("saved/users.3.json").exists());
    let requests = fake.graph_requests();
    // 7 for the tenant, 1 for the subscriptions (404 here), 5 for the features (two pages of
    // Conditional Access policies).
    assert_eq!(requests.len(), 13, "{requests:#?}");
    assert!(live_yaml.contains("  conditional_access:"), "{live_yaml}");
    for f in [
        "conditionalAccessPolicies.json",
        "conditionalAccessPolicies.2.json",
        "roleEligibilitySchedules.json",
        "roleEligibilityScheduleInstances.json",
        "accessReviewDefinitions.json",
    ] {
        assert!(tmp.path().join("saved").join(f).is_file(), "{f}");
    }
    assert!(requests.iter().all(|r| r.method == "GET"
        && r.headers.get("authorization").map(String::as_str)
            == Some(&*format!("Bearer {GOOD_TOKEN}"))));
}

#[test]
fn without_save_the_header_names_the_endpoint_and_nothing_is_left_behind() {
    let fake = graph();
    let tmp = tempfile::tempdir().unwrap();
    let o = live(&fake, tmp.path(), &[], &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let yaml = text(&o.stdout);
    assert!(yaml.lines().next().unwrap().contains(&fake.base), "{yaml}");
    assert_eq!(body(&yaml), body(&offline_fixture_import()));
    // The temporary folder (TMPDIR is the test's folder) is removed.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn throttling_is_retried_after_retry_after() {
    let count = Arc::new(Mutex::new(0u32));
    let c = Arc::clone(&count);
    let fake = graph_with(move |req, _| {
        if !req.target.starts_with("/v1.0/users?") {
            return None;
        }
        let mut n = c.lock().unwrap();
        *n += 1;
        let (status, after) = match *n {
            1 => (429, "0"),
            2 => (503, "1"),
            3 => (504, "0"),
            _ => return None,
        };
        Some(Response {
            status,
            headers: vec![("Retry-After".to_owned(), after.to_owned())],
            body: r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#.to_owned(),
        })
    });
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let o = live(&fake, tmp.path(), &[], &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 honoured"
    );
    assert_eq!(body(&text(&o.stdout)), body(&offline_fixture_import()));
    let users = fake.asked("/v1.0/users?");
    assert_eq!(users, 5, "three throttled tries, then the two pages");
}

#[test]
fn endless_throttling_stops_after_a_bounded_number_of_tries() {
    let fake = graph_with(|req, _| {
        req.target
            .starts_with("/v1.0/subscribedSkus")
            .then(|| Response {
                status: 429,
                headers: vec![("Retry-After".to_owned(), "0".to_owned())],
                body: String::new(),
            })
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = live(&fake, tmp.path(), &[], &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("skuld::import::throttled"), "{err}");
    assert!(err.contains("kept answering 429"), "{err}");
    assert!(o.stdout.is_empty());
    let tries = fake.asked("/v1.0/subscribedSkus");
    assert_eq!(tries, 6);
}

#[test]
fn a_group_with_100_expanded_members_gets_its_full_list() {
    // `$expand` stops at 100 members without a next link: the full list is fetched anyway.
    let big = "de11cc9d-ea95-4c21-ae9c-82b1478c281d";
    let fake = graph_with(move |req, base| {
        let member = |i: usize| {
            format!(
                r##"{{"@odata.type":"#microsoft.graph.user","id":"00000000-0000-0000-0000-{i:012}"}}"##
            )
        };
        if req.target.starts_with("/v1.0/groups?") {
            let members: Vec<String> = (0..100).map(member).collect();
            return Some(Response::json(
                200,
                format!(
                    r#"{{"value":[{{"id":"{big}","displayName":"Sales","assignedLicenses":[],"members":[{}]}}]}}"#,
                    members.join(",")
                ),
            ));
        }
        if req.target == format!("/v1.0/groups/{big}/members?$select=id&$top=999") {
            let members: Vec<String> = (0..150).map(member).collect();
            return Some(Response::json(
                200,
                format!(
                    r#"{{"value":[{}],"@odata.nextLink":"{base}/v1.0/groups/{big}/members?$skiptoken=2"}}"#,
                    members.join(",")
                ),
            ));
        }
        if req.target == format!("/v1.0/groups/{big}/members?$skiptoken=2") {
            return Some(Response::json(
                200,
                r##"{"value":[{"@odata.type":"#microsoft.graph.user","id":"c6a53877-7733-4bdb-9721-0dff076ce2ef"}]}"##,
            ));
        }
        None
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = live(
        &fake,
        tmp.path(),
        &["--save", "saved"],
        &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("members-truncated"), "{err}");
    assert!(
        tmp.path()
            .join(format!("saved/members/{big}.2.json"))
            .is_file()
    );
    // alice (c6a53877…) is a member only through the second page of the full list.
    let yaml = text(&o.stdout);
    let alice = yaml.split("- upn: alice@contoso.com").nth(1).unwrap();
    let alice = alice.split("- upn:").next().unwrap();
    assert!(alice.contains("Sales"), "{alice}");
}

#[test]
fn a_retry_after_beyond_the_wait_budget_stops_at_once() {
    let fake = graph_with(|req, _| {
        req.target
            .starts_with("/v1.0/organization")
            .then(|| Response {
                status: 503,
                headers: vec![("Retry-After".to_owned(), "3600".to_owned())],
                body: String::new(),
            })
    });
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let o = live(&fake, tmp.path(), &[], &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("asks to wait 3600 seconds"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(fake.graph_requests().len(), 1);
}

#[test]
fn an_expired_token_is_a_clear_error_without_the_token() {
    let fake = graph();
    let tmp = tempfile::tempdir().unwrap();
    let o = live(
        &fake,
        tmp.path(),
        &[],
        &[("SKULD_GRAPH_TOKEN", "eyJ0-expired-QWERTY123")],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("skuld::import::token-expired"), "{err}");
    assert!(err.contains("SKULD_GRAPH_TOKEN has expired"), "{err}");
    assert!(
        err.contains("az account get-access-token --resource"),
        "{err}"
    );
    assert!(
        !err.contains("QWERTY123"),
        "the token is never printed: {err}"
    );
    assert!(o.stdout.is_empty());
    // A token for something else: refused, with what the token must be for.
    let o = live(
        &fake,
        tmp.path(),
        &[],
        &[("SKULD_GRAPH_TOKEN", "some-other-audience-ZXCV")],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("skuld::import::unauthorized"), "{err}");
    assert!(err.contains("/.default"), "{err}");
    assert!(!err.contains("ZXCV"), "{err}");
}

#[test]
fn missing_permissions_and_server_errors_exit_2_and_write_nothing() {
    let fake = graph_with(|req, _| {
        if req.target.starts_with("/v1.0/groups?") {
            return Some(Response::json(
                403,
                r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#,
            ));
        }
        None
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = live(
        &fake,
        tmp.path(),
        &["-o", "t.yaml", "--save", "saved"],
        &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("skuld::import::forbidden"), "{err}");
    assert!(err.contains("Authorization_RequestDenied"), "{err}");
    assert!(err.contains("GroupMember.Read.All"), "{err}");
    assert!(err.contains("fetched before the error are in"), "{err}");
    assert!(!tmp.path().join("t.yaml").exists());

    let fake = graph_with(|req, _| {
        req.target
            .starts_with("/v1.0/organization")
            .then(|| Response::json(500, "<html>oops</html>"))
    });
    let o = live(&fake, tmp.path(), &[], &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("answered 500"), "{err}");
}

#[test]
fn a_next_link_to_another_host_is_not_followed() {
    let elsewhere = graph();
    let other = elsewhere.base.clone();
    let fake = graph_with(move |req, base| {
        if req.target.starts_with("/v1.0/users?") {
            let body = fixture_routes(base)
                .remove(&req.target)?
                .replace(base, &other);
            return Some(Response::json(200, body));
        }
        None
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = live(&fake, tmp.path(), &[], &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("skuld::import::next-link"), "{err}");
    assert!(err.contains("another host"), "{err}");
    assert!(elsewhere.requests().is_empty(), "the token went elsewhere");
}

#[test]
fn save_refuses_a_folder_with_files_in_it() {
    let fake = graph();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("saved")).unwrap();
    std::fs::write(tmp.path().join("saved/users.3.json"), "{}").unwrap();
    let o = live(
        &fake,
        tmp.path(),
        &["--save", "saved"],
        &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("skuld::import::save"), "{err}");
    assert!(fake.graph_requests().is_empty());
}

/// `skuld import graph --live` signed in as an app registration (the login endpoint being the
/// fake), with `extra` variables beside its id and tenant.
fn live_as_app(fake: &Fake, dir: &Path, extra: &[(&str, &str)]) -> Output {
    let mut env = vec![
        ("AZURE_AUTHORITY_HOST", fake.base.as_str()),
        ("AZURE_CLIENT_ID", "app-id"),
        ("AZURE_TENANT_ID", "contoso-tenant"),
    ];
    env.extend_from_slice(extra);
    live(fake, dir, &[], &env)
}

fn token_requests(fake: &Fake) -> Vec<BTreeMap<String, String>> {
    fake.requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| form(&r.body))
        .collect()
}

#[test]
fn a_client_secret_gets_a_token_for_the_graph_url_scope() {
    let fake = graph();
    let tmp = tempfile::tempdir().unwrap();
    let o = live_as_app(
        &fake,
        tmp.path(),
        &[("AZURE_CLIENT_SECRET", "s3cret-value")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let posts = token_requests(&fake);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["scope"], format!("{}/.default", fake.base));
    // A wrong secret: the endpoint's error, without the secret.
    let o = live_as_app(
        &fake,
        tmp.path(),
        &[("AZURE_CLIENT_SECRET", "wrong-secret-ASDF")],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("skuld::import::auth"), "{err}");
    assert!(err.contains("AADSTS7000215"), "{err}");
    assert!(!err.contains("ASDF"), "{err}");
    // A secret without its app: an error, not a fall-back to another identity.
    let o = live(
        &fake,
        tmp.path(),
        &[],
        &[
            ("AZURE_CLIENT_SECRET", "s3cret-value"),
            ("AZURE_TENANT_ID", "t"),
        ],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("AZURE_CLIENT_ID and AZURE_TENANT_ID are not both set"),
        "{err}"
    );
    // A login host over plain http elsewhere than this machine: the secret is not sent.
    let o = live(
        &fake,
        tmp.path(),
        &[],
        &[
            ("AZURE_AUTHORITY_HOST", "http://login.example"),
            ("AZURE_CLIENT_ID", "app-id"),
            ("AZURE_TENANT_ID", "contoso-tenant"),
            ("AZURE_CLIENT_SECRET", "s3cret-value"),
        ],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is not an `https://` URL"), "{err}");
}

#[test]
fn workload_identity_comes_before_a_secret_and_the_variable_before_both() {
    let fake = graph();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("federated-token");
    std::fs::write(&file, "federated-jwt-value\n").unwrap();
    let file = file.to_str().unwrap().to_owned();
    let o = live_as_app(
        &fake,
        tmp.path(),
        &[
            ("AZURE_FEDERATED_TOKEN_FILE", &file),
            ("AZURE_CLIENT_SECRET", "wrong-secret"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let posts = token_requests(&fake);
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0]["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert!(!posts[0].contains_key("client_secret"));
    // SKULD_GRAPH_TOKEN first: no login at all.
    let o = live_as_app(
        &fake,
        tmp.path(),
        &[
            ("SKULD_GRAPH_TOKEN", GOOD_TOKEN),
            ("AZURE_FEDERATED_TOKEN_FILE", &file),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(token_requests(&fake).len(), 1);
}

#[test]
fn github_actions_oidc_token_is_exchanged() {
    let fake = graph_with(|req, _| {
        // GitHub's token endpoint: the request token as bearer, the Entra audience asked for.
        if req.target.starts_with("/github-oidc?") {
            let ok = req.headers.get("authorization").map(String::as_str)
                == Some("bearer gh-request-token")
                && req.target.ends_with("&audience=api://AzureADTokenExchange");
            return Some(if ok {
                Response::json(200, r#"{"count":1,"value":"federated-jwt-value"}"#)
            } else {
                Response::json(403, "{}")
            });
        }
        None
    });
    let tmp = tempfile::tempdir().unwrap();
    let request_url = format!("{}/github-oidc?api-version=2.0", fake.base);
    let o = live_as_app(
        &fake,
        tmp.path(),
        &[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", &request_url),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let posts = token_requests(&fake);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["client_assertion"], "federated-jwt-value");
    // Without `id-token: write` GitHub refuses: a clear error naming the permission.
    let o = live_as_app(
        &fake,
        tmp.path(),
        &[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", &request_url),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong"),
        ],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("id-token: write"), "{err}");
}

#[test]
fn a_client_certificate_signs_the_assertion() {
    // The key as PKCS#1 (`BEGIN RSA PRIVATE KEY`) signs as the PKCS#8 one does.
    for (file, header) in [
        ("app-certificate-pkcs1.pem", "BEGIN RSA PRIVATE KEY"),
        ("app-certificate.pem", "BEGIN PRIVATE KEY"),
    ] {
        let fake = graph();
        let tmp = tempfile::tempdir().unwrap();
        let cert = root().join("tests/data/fixtures/graph-live").join(file);
        assert!(std::fs::read_to_string(&cert).unwrap().contains(header));
        let o = live_as_app(
            &fake,
            tmp.path(),
            &[("AZURE_CLIENT_CERTIFICATE_PATH", cert.to_str().unwrap())],
        );
        // The fake only answers with a token when the signature verifies (see `login`).
        assert_eq!(o.status.code(), Some(0), "{file}: {}", text(&o.stderr));
        assert_eq!(token_requests(&fake).len(), 1, "{file}");
    }
    let fake = graph();
    let tmp = tempfile::tempdir().unwrap();
    // A file without a key is a clear error.
    std::fs::write(tmp.path().join("nokey.pem"), "not a pem").unwrap();
    let o = live_as_app(
        &fake,
        tmp.path(),
        &[("AZURE_CLIENT_CERTIFICATE_PATH", "nokey.pem")],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("holds no certificate"), "{err}");
}

#[cfg(unix)]
#[test]
fn the_azure_cli_is_the_last_source() {
    use std::os::unix::fs::PermissionsExt as _;
    let fake = graph();
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let az = bin.join("az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho \"$@\" > \"{}/az-args\"\nif [ \"$FAKE_AZ\" = fail ]; then echo 'ERROR: Please run az login to setup account.' >&2; exit 1; fi\necho '{{\"accessToken\": \"{GOOD_TOKEN}\", \"expiresOn\": \"2026-12-03 10:00:00.000000\", \"tokenType\": \"Bearer\"}}'\n",
            tmp.path().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let o = live(&fake, tmp.path(), &[], &[("PATH", &path)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let args = std::fs::read_to_string(tmp.path().join("az-args")).unwrap();
    assert_eq!(
        args.trim(),
        format!(
            "account get-access-token --resource {} --output json",
            fake.base
        )
    );
    let o = live(
        &fake,
        tmp.path(),
        &[],
        &[("PATH", &path), ("FAKE_AZ", "fail")],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("az login"), "{err}");
    // No az at all: every source is named.
    let o = live(&fake, tmp.path(), &[], &[("PATH", "/nonexistent")]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("AZURE_FEDERATED_TOKEN_FILE"), "{err}");
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_any_request() {
    let tmp = tempfile::tempdir().unwrap();
    let o = skuld(
        tmp.path(),
        &[
            "import",
            "graph",
            "--live",
            "--graph-url",
            "http://graph.example",
        ],
        &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("skuld::import::graph-url"), "{err}");
}

#[test]
fn a_feature_endpoint_graph_refuses_is_left_out_with_a_note() {
    // No Policy.Read.All: Conditional Access answers 403; the rest is imported.
    let fake = graph_with(|req, _| {
        req.target
            .starts_with("/v1.0/identity/conditionalAccess/")
            .then(|| {
                Response::json(
                    403,
                    r#"{"error":{"code":"AccessDenied","message":"You cannot perform the requested operation, required scopes are missing in the token."}}"#,
                )
            })
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = live(
        &fake,
        tmp.path(),
        &["--save", "saved"],
        &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)],
    );
    let (yaml, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("grant Policy.Read.All"), "{err}");
    assert!(
        err.contains("note: `conditional_access` and `identity_protection` not imported"),
        "{err}"
    );
    assert!(!yaml.contains("conditional_access:"), "{yaml}");
    assert!(
        yaml.contains("  pim:") && yaml.contains("  access_reviews:"),
        "{yaml}"
    );
    assert!(
        !tmp.path()
            .join("saved/conditionalAccessPolicies.json")
            .exists()
    );
}

#[test]
fn retry_after_may_be_an_http_date() {
    // A date already past: retry at once. A date far ahead: beyond the wait budget, stop at once
    // (read as anything but a date, it would be retried with back-off until the tries run out).
    // When each try came: the retry follows the first at once (a back-off waits 1 s), however
    // long the rest of the import takes on a loaded machine.
    let tries = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let t = Arc::clone(&tries);
    let fake = graph_with(move |req, _| {
        if !req.target.starts_with("/v1.0/organization") {
            return None;
        }
        let mut at = t.lock().unwrap();
        at.push(Instant::now());
        (at.len() == 1).then(|| Response {
            status: 429,
            headers: vec![(
                "Retry-After".to_owned(),
                "Sun, 06 Nov 1994 08:49:37 GMT".to_owned(),
            )],
            body: String::new(),
        })
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = live(&fake, tmp.path(), &[], &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let at = tries.lock().unwrap().clone();
    assert_eq!(at.len(), 2);
    assert!(at[1] - at[0] < Duration::from_millis(900), "no back-off");

    let fake = graph_with(|req, _| {
        req.target
            .starts_with("/v1.0/organization")
            .then(|| Response {
                status: 503,
                headers: vec![(
                    "Retry-After".to_owned(),
                    "Fri, 01 Jan 2100 00:00:00 GMT".to_owned(),
                )],
                body: String::new(),
            })
    });
    let started = Instant::now();
    let o = live(&fake, tmp.path(), &[], &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("skuld::import::throttled"), "{err}");
    assert!(err.contains("asks to wait"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(fake.graph_requests().len(), 1);
}

#[test]
fn refused_sign_in_activity_is_fetched_without_and_the_permission_named() {
    // Graph answers 403 to `signInActivity` without AuditLog.Read.All: the users come without
    // it, `last_sign_in` is left out, and the note names the permission.
    let fake = graph_with(|req, base| {
        let users =
            req.target.starts_with("/v1.0/users?$select=") && !req.target.contains("$skiptoken");
        if users && req.target.contains("signInActivity") {
            return Some(Response::json(
                403,
                r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#,
            ));
        }
        // The same first page, asked for without `signInActivity`.
        let documented = documented_requests()
            .into_iter()
            .find(|(n, _)| n == "users")
            .map(|(_, t)| t)
            .unwrap();
        (users
            && req.headers.get("authorization").map(String::as_str)
                == Some(&format!("Bearer {GOOD_TOKEN}")))
        .then(|| Response::json(200, fixture_routes(base).remove(&documented).unwrap()))
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = live(
        &fake,
        tmp.path(),
        &["-o", "live.yaml"],
        &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("refused `signInActivity`"), "{err}");
    assert!(err.contains("AuditLog.Read.All"), "{err}");
    let users: Vec<String> = fake
        .graph_requests()
        .into_iter()
        .map(|r| r.target)
        .filter(|t| t.starts_with("/v1.0/users?$select=") && !t.contains("$skiptoken"))
        .collect();
    assert_eq!(users.len(), 2, "{users:#?}");
    assert!(!users[1].contains("signInActivity"), "{users:#?}");
    let yaml = std::fs::read_to_string(tmp.path().join("live.yaml")).unwrap();
    assert!(yaml.contains("upn: alice@contoso.com"), "{yaml}");
    assert!(!yaml.contains("last_sign_in"), "{yaml}");
}

#[cfg(unix)]
#[test]
fn responses_on_disk_are_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt as _;
    // The temporary folder, seen while the import runs (when Graph is asked for the groups,
    // the users are on disk): 0700, its files 0600; removed afterwards (issue 23: 0755/0644).
    let tmp = tempfile::tempdir().unwrap();
    let watched = tmp.path().to_path_buf();
    let seen: Arc<Mutex<Vec<(String, u32)>>> = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let fake = graph_with(move |req, _| {
        if req.target.starts_with("/v1.0/groups?") {
            for dir in std::fs::read_dir(&watched).unwrap().flatten() {
                let name = dir.file_name().to_string_lossy().into_owned();
                if !name.starts_with("skuld-graph-") {
                    continue;
                }
                let mode = |p: &Path| p.metadata().unwrap().permissions().mode() & 0o777;
                let mut s = s.lock().unwrap();
                s.push((name, mode(&dir.path())));
                for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
                    s.push((
                        f.file_name().to_string_lossy().into_owned(),
                        mode(&f.path()),
                    ));
                }
            }
        }
        None
    });
    let o = live(&fake, tmp.path(), &[], &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let seen = seen.lock().unwrap().clone();
    assert!(seen.iter().any(|(n, _)| n == "users.json"), "{seen:?}");
    for (name, mode) in &seen {
        let want = if name.starts_with("skuld-graph-") {
            0o700
        } else {
            0o600
        };
        assert_eq!(*mode, want, "{name}: {mode:o}");
    }
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("skuld-graph-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // `--save` into a new folder: the same modes.
    let o = live(
        &fake,
        tmp.path(),
        &["--save", "saved", "-o", "t.yaml"],
        &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mode = |p: &Path| p.metadata().unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&tmp.path().join("saved")), 0o700);
    assert_eq!(mode(&tmp.path().join("saved/members")), 0o700);
    assert_eq!(mode(&tmp.path().join("saved/users.2.json")), 0o600);
}

/// Graph whose `groups` pages never end: page N (from 1) holds one group named with `filler`
/// bytes and links to page N + 1, each after `delay`. `on_page` sees N before it is answered.
fn endless_groups(
    filler: usize,
    delay: Duration,
    on_page: impl Fn(u64) + Send + Sync + 'static,
) -> Fake {
    graph_with(move |req, base| {
        let rest = req.target.strip_prefix("/v1.0/groups?")?;
        let n: u64 = rest
            .strip_prefix("$skiptoken=")
            .map_or(1, |t| t.parse().unwrap());
        on_page(n);
        std::thread::sleep(delay);
        Some(Response::json(
            200,
            format!(
                r#"{{"value":[{{"id":"00000000-0000-0000-0000-{n:012}","displayName":"{}","groupTypes":[],"assignedLicenses":[],"members":[]}}],"@odata.nextLink":"{base}/v1.0/groups?$skiptoken={}"}}"#,
                "x".repeat(filler),
                n + 1
            ),
        ))
    })
}

/// The `skuld-graph-*` folders in `dir`.
fn temp_folders(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("skuld-graph-"))
        .map(|e| e.path())
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn endless_pages_of_a_megabyte_stop_at_the_byte_budget_in_bounded_memory() {
    // Issue 23: endless distinct `@odata.nextLink` pages of 1 MB grew 2.3 GB in 12 s (every
    // `groups` page was kept). Now each page goes to disk as it arrives: the process's peak RSS,
    // read from /proc while it waits for each page, stays far below the 100 MB it downloads.
    let tmp = tempfile::tempdir().unwrap();
    let pid = Arc::new(Mutex::new(None::<u32>));
    let peak_kb = Arc::new(Mutex::new(0u64));
    let (p, k) = (Arc::clone(&pid), Arc::clone(&peak_kb));
    let fake = endless_groups(1 << 20, Duration::ZERO, move |_| {
        let Some(pid) = *p.lock().unwrap() else {
            return;
        };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let hwm = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0);
        let mut k = k.lock().unwrap();
        *k = (*k).max(hwm);
    });
    let child = spawn_live(
        &fake,
        tmp.path(),
        &["--max-bytes", "100000000"],
        &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)],
    );
    *pid.lock().unwrap() = Some(child.id());
    let err = stopped_by_budget(
        &finish(child),
        tmp.path(),
        "skuld::import::too-many-bytes",
        "Microsoft Graph sent more than the budget of 100000000 bytes",
    );
    assert!(err.contains("--max-bytes BYTES"), "{err}");
    // 95 pages of a megabyte fit; the 96th passes the budget.
    let pages = fake.asked("/v1.0/groups?");
    assert_eq!(pages, 96, "{err}");
    let peak = *peak_kb.lock().unwrap();
    assert!(peak > 0, "no VmHWM was read");
    assert!(
        peak < 60_000,
        "peak RSS {peak} kB while downloading 100 MB of pages"
    );
}

/// The import stopped at a budget: exit 2, the error `code` with `message`, nothing written,
/// no temporary folder left in `tmp`. Its standard error.
fn stopped_by_budget(o: &Output, tmp: &Path, code: &str, message: &str) -> String {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(code), "{err}");
    assert!(err.contains(message), "{err}");
    assert!(o.stdout.is_empty());
    assert!(temp_folders(tmp).is_empty());
    err
}

#[test]
fn the_page_and_time_budgets_stop_endless_or_slow_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let token = [("SKULD_GRAPH_TOKEN", GOOD_TOKEN)];
    let fake = endless_groups(10, Duration::ZERO, |_| {});
    // organization, subscribedSkus, users (2 pages): 4 pages before the groups.
    let o = live(&fake, tmp.path(), &["--max-pages", "30"], &token);
    stopped_by_budget(
        &o,
        tmp.path(),
        "skuld::import::too-many-pages",
        "Microsoft Graph sent more pages than the budget of 30 (the next is `/v1.0/groups?$skiptoken=27`",
    );

    // Pages that come slowly, and one that never comes: the time budget ends both, the
    // second while the request waits.
    for (delay, at) in [
        (Duration::from_millis(400), "at `/v1.0/groups?$skiptoken="),
        (Duration::from_secs(30), "at `/v1.0/groups?$select="),
    ] {
        let fake = endless_groups(10, delay, |_| {});
        let started = Instant::now();
        let o = live(&fake, tmp.path(), &["--max-seconds", "2"], &token);
        let took = started.elapsed();
        let err = stopped_by_budget(
            &o,
            tmp.path(),
            "skuld::import::too-slow",
            "the import took longer than its time budget of 2 seconds",
        );
        assert!(took < Duration::from_secs(20), "{took:?}");
        assert!(err.contains(at), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn a_signal_mid_download_removes_the_temporary_folder() {
    use std::os::unix::process::ExitStatusExt as _;
    // Issue 23: the temporary folder stayed behind when the process was killed.
    for (signal, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        let tmp = tempfile::tempdir().unwrap();
        let fake = endless_groups(1000, Duration::from_millis(100), |_| {});
        let child = spawn_live(&fake, tmp.path(), &[], &[("SKULD_GRAPH_TOKEN", GOOD_TOKEN)]);
        // Wait until a few `groups` pages are on disk.
        let deadline = Instant::now() + Duration::from_secs(30);
        let folder = loop {
            assert!(Instant::now() < deadline, "no groups pages saved");
            if let Some(f) = temp_folders(tmp.path()).pop()
                && f.join("groups.3.json").exists()
            {
                break f;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let o = finish(child);
        assert_eq!(o.status.signal(), Some(number), "SIG{signal}: {o:?}");
        assert!(
            !folder.exists(),
            "SIG{signal}: {} is left",
            folder.display()
        );
        assert!(temp_folders(tmp.path()).is_empty(), "SIG{signal}");
    }
}
