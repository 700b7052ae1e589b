//! `skuld check --format html`: a self-contained page that carries the JSON document, escapes
//! tenant text, and loads without errors and without network requests in a real headless
//! Chromium (skipped, with a message, only when Chromium is absent and `CI` is unset).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "helpers of tests: a panic is a test failure; the SKIPPED note and the measured numbers go to stderr"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::problem_findings;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn skuld(args: &[&str]) -> Output {
    skuld_on(None, args)
}

/// `skuld` with "today" set (`SKULD_TODAY`), for what depends on dates (waivers, trials).
fn skuld_on(today: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skuld"));
    cmd.args(args)
        .current_dir(root())
        .env_remove("SKULD_DOCS_URL")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
    match today {
        Some(day) => cmd.env("SKULD_TODAY", day),
        None => cmd.env_remove("SKULD_TODAY"),
    };
    cmd.output().unwrap()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skuld-html-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The JSON blob the page embeds.
fn embedded(html: &str) -> Value {
    let start = html
        .find(r#"<script type="application/json" id="skuld-data">"#)
        .expect("data block");
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</script>").unwrap();
    serde_json::from_str(&rest[open..close]).unwrap()
}

const HOSTILE: &str = r#"tenant: "evil.onmicrosoft.com"
subscriptions:
  - sku: ENTERPRISEPACK
    seats: 1
groups:
  - name: "</script><script>window.pwned=1</script>"
    licenses: [ENTERPRISEPACK]
users:
  - upn: "<img src=x onerror=alert(1)>@evil.com"
    groups: ["</script><script>window.pwned=1</script>"]
  - upn: "o'brien\"<b>@evil.com"
    licenses: [ENTERPRISEPACK]
"#;

fn write_hostile(dir: &Path) -> PathBuf {
    let tenant = dir.join("hostile <tenant>.yaml");
    std::fs::write(&tenant, HOSTILE).unwrap();
    tenant
}

#[test]
fn the_page_carries_the_json_document_and_nothing_from_the_network() {
    let args = ["check", "examples/problems.yaml", "examples/clean.yaml"];
    let html = skuld(&[&args[..], &["--format", "html"]].concat());
    assert_eq!(html.status.code(), Some(1));
    let html = String::from_utf8(html.stdout).unwrap();
    let json = skuld(&[&args[..], &["--format", "json"]].concat());
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let data = embedded(&html);
    // The same document as --format json: the page shows nothing the JSON lacks (beyond the
    // source lines around the labels).
    assert_eq!(data["report"], json);
    assert_eq!(
        data["report"]["findings"].as_array().unwrap().len(),
        problem_findings()
    );
    let lines = &data["snippets"]["examples/problems.yaml"];
    assert_eq!(lines["22"], "  - sku: ENTERPRISEPACK");
    // Self-contained: no external script, style, font or image, and a CSP that forbids any.
    assert_eq!(html.matches("<script").count(), 2);
    for bad in ["src=\"http", "href=\"http", "@import", "url(http", "<link"] {
        assert!(!html.contains(bad), "{bad}");
    }
    assert!(html.contains("default-src 'none'"));
}

#[test]
fn tenant_text_cannot_become_markup() {
    let dir = tempdir("escape");
    let tenant = write_hostile(&dir);
    let o = skuld(&["check", tenant.to_str().unwrap(), "--format", "html"]);
    let html = String::from_utf8(o.stdout).unwrap();
    assert_eq!(html.matches("<script").count(), 2, "a name opened a script");
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>"));
    let data = embedded(&html);
    let text = data.to_string();
    assert!(text.contains("</script><script>window.pwned=1</script>"));
    assert!(text.contains("o'brien\\\"<b>@evil.com"));
}

/// `chromium`, when installed. In CI it must be: `.ci/run` installs it.
fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(o) = Command::new(name).arg("--version").output()
            && o.status.success()
        {
            return Some(PathBuf::from(name));
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but chromium is not installed (.ci/run installs it)"
    );
    eprintln!(
        "SKIPPED: chromium is not installed (apt-get install chromium); the page was not loaded in a browser (docs/testing.md)"
    );
    None
}

struct Loaded {
    dom: String,
    log: String,
    took: Duration,
}

/// Put before the page's first script by `load`: the log shows every level as `INFO:CONSOLE`,
/// so `console.error` is re-logged with a mark that `problems` looks for. The page's CSP allows
/// inline scripts (`script-src 'unsafe-inline'`); the probe is taken out of the returned DOM.
const PROBE: &str = "<script>(function(){var log=console.log;console.error=function(){log.call(console,'skuld-probe console.error: '+Array.prototype.join.call(arguments,' '));};})();</script>";
const CONSOLE_ERROR: &str = "skuld-probe console.error:";

/// Loads `page` (with `fragment`) in headless Chromium and returns the DOM after the scripts ran.
fn load(browser: &Path, page: &Path, fragment: &str, extra: &[&str]) -> Loaded {
    let html = std::fs::read_to_string(page).unwrap();
    let at = html.find("<script").expect("the page has a script");
    let probed = page.with_extension("probed.html");
    std::fs::write(&probed, format!("{}{PROBE}{}", &html[..at], &html[at..])).unwrap();
    let profile = tempdir(&format!(
        "profile-{}",
        page.file_stem().unwrap().to_string_lossy()
    ));
    let url = format!("file://{}{fragment}", probed.display());
    let start = Instant::now();
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--hide-scrollbars",
            // Any lookup fails: a request the page attempted shows up as an error in the log.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(&url)
        .output()
        .unwrap();
    let took = start.elapsed();
    let _ = std::fs::remove_dir_all(&profile);
    let _ = std::fs::remove_file(&probed);
    let dom = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        !extra.contains(&"--dump-dom") || dom.contains(PROBE),
        "the probe is not in the DOM as written: {}",
        &dom[..dom.len().min(2000)]
    );
    Loaded {
        dom: dom.replacen(PROBE, "", 1),
        log: String::from_utf8_lossy(&o.stderr).into_owned(),
        took,
    }
}

/// What went wrong in a loaded page: the script did not finish or caught an error, a console
/// error (uncaught or `console.error`), a blocked load or a network request.
fn problems(l: &Loaded) -> Vec<String> {
    let mut found = Vec::new();
    if !l.dom.contains(r#"data-skuld-rendered="ok""#) {
        found.push(format!(
            "the script did not finish: {}",
            &l.dom[..l.dom.len().min(2000)]
        ));
    }
    if let Some(error) = attr(&l.dom, "data-skuld-error") {
        found.push(format!("the script caught an error: {error}"));
    }
    for line in l.log.lines() {
        let console = line.contains("CONSOLE") || line.contains("console");
        if line.contains(CONSOLE_ERROR)
            || (console && (line.contains("Uncaught") || line.contains("Error")))
        {
            found.push(format!("a console error: {line}"));
        }
        if line.contains("Refused to") {
            found.push(format!("the page tried to load something: {line}"));
        }
        if line.contains("ERR_NAME_NOT_RESOLVED") {
            found.push(format!("a network request: {line}"));
        }
    }
    found
}

fn assert_clean(l: &Loaded) {
    let found = problems(l);
    assert!(found.is_empty(), "{}\n{}", found.join("\n"), l.log);
}

/// `assert_clean` is not blind: a page that renders but logs a `console.error` fails it.
#[test]
fn a_console_error_fails_the_browser_check() {
    let Some(browser) = chromium() else { return };
    let dir = tempdir("console");
    let page = dir.join("console.html");
    std::fs::write(
        &page,
        "<!doctype html><html><head><script>console.error('broken', 42);</script></head>\
         <body><div data-skuld-rendered=\"ok\"></div></body></html>",
    )
    .unwrap();
    let l = load(&browser, &page, "", &["--dump-dom"]);
    let found = problems(&l);
    assert!(
        found
            .iter()
            .any(|p| p.contains("a console error") && p.contains("broken 42")),
        "{found:?}\n{}",
        l.log
    );
    assert_eq!(found.len(), 1, "{found:?}");
}

/// `skuld check ARGS --format html -o PAGE`.
fn write_page(today: Option<&str>, args: &[&str], page: &Path) -> Output {
    let html = ["--format", "html", "-o", page.to_str().unwrap()];
    skuld_on(today, &[&["check"], args, &html[..]].concat())
}

/// Runs `skuld check ARGS --format html` into a page of its own and loads it in Chromium (at
/// `fragment`), asserting that the check found something and that the page loaded clean.
fn check_in_browser(
    browser: &Path,
    name: &str,
    today: Option<&str>,
    args: &[&str],
    fragment: &str,
) -> Loaded {
    let page = tempdir(name).join(format!("{name}.html"));
    let o = write_page(today, args, &page);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let l = load(browser, &page, fragment, &["--dump-dom"]);
    assert_clean(&l);
    l
}

fn attr(dom: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let at = dom.find(&key)? + key.len();
    Some(dom[at..].split('"').next()?.to_owned())
}

#[test]
fn the_sample_report_renders_in_chromium() {
    let Some(browser) = chromium() else { return };
    let l = check_in_browser(
        &browser,
        "sample",
        None,
        &["examples/problems.yaml", "examples/clean.yaml"],
        "#expand-all",
    );
    let n = problem_findings();
    assert_eq!(attr(&l.dom, "data-findings"), Some(n.to_string()));
    assert_eq!(attr(&l.dom, "data-shown"), Some(n.to_string()));
    // Laid out: totals, seats, every finding with its snippet and help.
    assert_eq!(l.dom.matches("<details class=\"finding ").count(), n);
    assert_eq!(l.dom.matches("class=\"snippet\"").count(), n);
    assert!(l.dom.contains("Office 365 E3"));
    assert!(
        l.dom.contains("^ 4 seats"),
        "the primary label under its line"
    );
    // The policy and its SSPR matrix edition, as the human report's `policy:` line says them.
    assert!(
        l.dom.contains(
            "id=\"policy\">policy: the default policy, SSPR matrix of 2017-04-26 (builtin:sspr-2017"
        ),
        "the policy line"
    );
    // Markdown code in help and messages is code, set as text.
    assert!(
        l.dom
            .contains("help: </strong>raise <code class=\"md\">seats</code> to at least 5")
    );
    // The totals row counts the policy's rules and those that fired no finding, as the JSON
    // document embedded in the page has them.
    let doc: serde_json::Value = serde_json::from_slice(
        &skuld(&[
            "check",
            "examples/problems.yaml",
            "examples/clean.yaml",
            "--format",
            "json",
        ])
        .stdout,
    )
    .unwrap();
    let rules = doc["rules"].as_array().unwrap().len();
    let fired: std::collections::BTreeSet<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    let total = format!("Total ({rules} rules, {} passed)", rules - fired.len());
    assert!(l.dom.contains(&total), "{total}");
}

#[test]
fn hostile_names_stay_text_in_chromium() {
    let Some(browser) = chromium() else { return };
    let tenant = write_hostile(&tempdir("hostile"));
    let l = check_in_browser(
        &browser,
        "hostile-page",
        None,
        &[tenant.to_str().unwrap()],
        "#expand-all",
    );
    // Our two scripts, nothing else; the names are shown as text.
    assert_eq!(l.dom.matches("<script").count(), 2);
    assert!(!l.dom.contains("<img"));
    assert!(
        l.dom
            .contains("&lt;img src=x onerror=alert(1)&gt;@evil.com")
    );
    assert!(
        l.dom
            .contains("&lt;/script&gt;&lt;script&gt;window.pwned=1")
    );
}

/// A tenant with `n` findings: users with a direct licence and no usage location.
fn big_tenant(n: usize) -> String {
    let mut s = String::from(
        "tenant: big.onmicrosoft.com\nsubscriptions:\n  - sku: ENTERPRISEPACK\n    seats: 10\nusers:\n",
    );
    for i in 0..n {
        let _ = write!(
            s,
            "  - upn: user{i}@big.com\n    licenses: [ENTERPRISEPACK]\n"
        );
    }
    s
}

#[test]
fn ten_thousand_findings_load_in_reasonable_time() {
    let dir = tempdir("big");
    let tenant = dir.join("big.yaml");
    std::fs::write(&tenant, big_tenant(10_000)).unwrap();
    let page = dir.join("big.html");
    let o = write_page(
        None,
        &[
            tenant.to_str().unwrap(),
            "--max-findings-per-rule",
            "100000",
        ],
        &page,
    );
    assert_eq!(o.status.code(), Some(1));
    let size = std::fs::metadata(&page).unwrap().len();
    let html = std::fs::read_to_string(&page).unwrap();
    let findings = embedded(&html)["report"]["findings"]
        .as_array()
        .unwrap()
        .len();
    assert!(findings > 10_000, "{findings} findings");
    eprintln!(
        "html report: {findings} findings, {:.1} MB",
        size as f64 / 1e6
    );
    assert!(size < 25_000_000, "{size} bytes");
    let Some(browser) = chromium() else { return };
    let l = load(&browser, &page, "", &["--dump-dom"]);
    assert_clean(&l);
    assert_eq!(attr(&l.dom, "data-findings").unwrap(), findings.to_string());
    eprintln!(
        "html report: {findings} findings loaded in Chromium in {:.1} s",
        l.took.as_secs_f64()
    );
    assert!(l.took < Duration::from_secs(60), "{:?}", l.took);
}

#[path = "../../examples/gen_tenant.rs"]
#[expect(
    dead_code,
    reason = "the example's command-line front end (main, argument parsing) is not used here"
)]
mod gen_tenant;

/// Put after the page's script by `the_100k_user_report_reads_top_down`: where the layout put
/// things, as attributes `load` can read from the dumped DOM.
const LAYOUT_PROBE: &str = r#"<script>(function(){var r=document.documentElement;
var h=document.getElementById('findings-h').getBoundingClientRect();
r.setAttribute('data-probe-findings-top',String(Math.round(h.top+window.scrollY)));
r.setAttribute('data-probe-viewport',String(window.innerWidth)+'x'+String(window.innerHeight));
var most=0;Array.prototype.forEach.call(document.querySelectorAll('.groups'),function(g){
most=Math.max(most,g.firstChild.textContent.split(',').length);});
r.setAttribute('data-probe-most-groups',String(most));
var first=document.querySelector('table.seats tbody tr');
r.setAttribute('data-probe-first-seat',first?first.className:'');
r.setAttribute('data-probe-rule-groups',Array.prototype.map.call(document.querySelectorAll('section.rgroup'),function(g){return g.className;}).join(';'));
})();</script>"#;

/// The generated 100k-user tenant (`examples/gen_tenant.rs`, as the benches use it) in a
/// 1280×800 window: the seats table is riskiest first and names at most 5 groups per SKU, the
/// findings are by rule, errors first, folded by cause, and the findings heading starts within
/// the first three screen heights (`docs/report.md` says how the screenshot of those screens in
/// `docs/report-html-100k.png` is made).
#[test]
fn the_100k_user_report_reads_top_down() {
    let dir = tempdir("100k");
    let tenant = dir.join("tenant.yaml");
    let start = Instant::now();
    std::fs::write(&tenant, gen_tenant::generate(100_000, 42, 3.0, None)).unwrap();
    let generated = start.elapsed();
    let page = dir.join("report.html");
    let o = write_page(None, &[tenant.to_str().unwrap()], &page);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let checked = start.elapsed() - generated;
    let html = std::fs::read_to_string(&page).unwrap();
    let data = embedded(&html);
    // What the core decided, as the page receives it.
    let seats = data["report"]["tenants"][0]["seats"].as_array().unwrap();
    assert_eq!(seats[0]["risk"], "over_subscribed");
    assert_eq!(seats[0]["sku"], "ENTERPRISEPACK");
    assert!(
        seats
            .iter()
            .all(|s| s["groups"].as_array().unwrap().len() > 5)
    );
    let groups = data["groups"].as_array().unwrap();
    let severities: Vec<&str> = groups
        .iter()
        .map(|g| g["severity"].as_str().unwrap())
        .collect();
    let errors = severities.iter().take_while(|s| **s == "error").count();
    assert!(
        errors > 0 && severities[errors..].iter().all(|s| *s == "warning"),
        "{severities:?}"
    );
    let listed: usize = groups
        .iter()
        .map(|g| g["count"].as_u64().unwrap() as usize)
        .sum();
    assert_eq!(listed, data["report"]["findings"].as_array().unwrap().len());

    let Some(browser) = chromium() else { return };
    let probed = dir.join("probed.html");
    let at = html.rfind("</body>").unwrap();
    std::fs::write(
        &probed,
        format!("{}{LAYOUT_PROBE}{}", &html[..at], &html[at..]),
    )
    .unwrap();
    let l = load(
        &browser,
        &probed,
        "",
        &["--window-size=1280,800", "--dump-dom"],
    );
    assert_clean(&l);
    let top: f64 = attr(&l.dom, "data-probe-findings-top")
        .unwrap()
        .parse()
        .unwrap();
    // Headless Chromium takes its window frame off `--window-size`: the page gets a little
    // less than 800 px, so three of its screens are a stricter bound than 2,400 px.
    let viewport = attr(&l.dom, "data-probe-viewport").unwrap();
    let (width, height) = viewport.split_once('x').unwrap();
    assert_eq!(width, "1280");
    let screen: f64 = height.parse().unwrap();
    assert!(
        top < 3.0 * screen && top < 2400.0,
        "the findings start at {top} px, past three {screen} px screens"
    );
    assert_eq!(attr(&l.dom, "data-probe-most-groups").as_deref(), Some("5"));
    assert_eq!(
        attr(&l.dom, "data-probe-first-seat").as_deref(),
        Some("risk-over_subscribed")
    );
    let shown = attr(&l.dom, "data-probe-rule-groups").unwrap();
    assert!(shown.starts_with("rgroup sev-error;"), "{shown}");
    assert_eq!(shown.split(';').count(), groups.len());
    // Folded: one line per cause a rule shows (at most 5), not one per finding.
    let lines = l.dom.matches("<details class=\"finding ").count();
    assert!(lines <= 5 * groups.len(), "{lines} finding lines");
    eprintln!(
        "html report, 100k users: {:.1} MB; generated in {:.1} s, checked in {:.1} s, \
         Chromium {:.1} s (the script: {} ms); findings heading at {top} px of a {viewport} window",
        html.len() as f64 / 1e6,
        generated.as_secs_f64(),
        checked.as_secs_f64(),
        l.took.as_secs_f64(),
        attr(&l.dom, "data-render-ms").unwrap_or_default(),
    );
}

const RISKS: &str = "tenant: risks.onmicrosoft.com
subscriptions:
  - sku: STANDARDPACK
    seats: 10
  - sku: ENTERPRISEPACK
    seats: 1
  - sku: EMS
    seats: 5
    trial: true
    ends: 2026-12-20
  - sku: AAD_PREMIUM
    seats: 1
  - sku: SPE_E3
    seats: 5
    status: suspended
  - sku: FLOW_FREE
    seats: 5
    trial: true
    ends: 2027-06-01
users:
  - upn: ana@risks.com
    usage_location: US
    licenses: [STANDARDPACK, ENTERPRISEPACK, EMS, AAD_PREMIUM, SPE_E3, FLOW_FREE]
  - upn: ben@risks.com
    usage_location: US
    licenses: [AAD_PREMIUM]
";

/// The seats table (and the JSON document the page carries) lists SKUs riskiest first:
/// over-subscribed, then lapsing (a subscription past its term, a trial ending within 30
/// days) and at the limit, then the rest, each in file order.
#[test]
fn seats_are_listed_riskiest_first() {
    let dir = tempdir("risks");
    let tenant = dir.join("risks.yaml");
    std::fs::write(&tenant, RISKS).unwrap();
    let o = skuld_on(
        Some("2026-12-08"),
        &["check", tenant.to_str().unwrap(), "--format", "json"],
    );
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let seats: Vec<(&str, &str)> = doc["tenants"][0]["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["sku"].as_str().unwrap(), s["risk"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seats,
        [
            ("AAD_PREMIUM", "over_subscribed"),
            ("EMS", "lapsing"),
            ("SPE_E3", "lapsing"),
            ("ENTERPRISEPACK", "at_limit"),
            ("STANDARDPACK", "ok"),
            ("FLOW_FREE", "ok"),
        ]
    );
    assert_eq!(doc["tenants"][0]["seats"][2]["status"], "suspended");
    assert_eq!(doc["tenants"][0]["seats"][1]["ends"], "2026-12-20");
}

/// Folded and waived findings in the browser: a cause's other findings sit behind its toggle,
/// `#finding-N` opens the toggle it is behind, and waived findings come after the open ones, in
/// a group of their own.
#[test]
fn folds_open_for_a_linked_finding_and_waived_come_last() {
    let Some(browser) = chromium() else { return };
    let l = check_in_browser(
        &browser,
        "folds",
        Some("2026-11-25"),
        &[
            "tests/data/fixtures/waivers/tenant.yaml",
            "--waivers",
            "tests/data/fixtures/waivers/active.yaml",
        ],
        "#finding-2",
    );
    let findings = &l.dom[l.dom.find("id=\"findings\"").unwrap()..];
    let open = findings
        .find("<section class=\"rgroup sev-error\"")
        .unwrap();
    let waived = findings
        .find("<section class=\"rgroup sev-error waived\"")
        .unwrap();
    assert!(open < waived);
    assert!(findings.contains("<span class=\"rcount\">2 findings · 1 cause</span>"));
    assert!(findings.contains(
        "<details class=\"more\" open=\"\"><summary>and 1 more with the same cause: cloud user in SSPR scope</summary>"
    ));
    assert!(findings.contains("id=\"finding-2\" open=\"\""));
    // The first finding of the fold stays closed; only the one linked to is opened.
    assert!(findings.contains("id=\"finding-1\"><summary>"));
}
