//! Generates `policies/catalog-microsoft.skuld`, the full SKU catalog, from Microsoft's
//! "Product names and service plan identifiers for licensing" CSV.
//!
//! ```text
//! cargo run --example gen_catalog -- ../shared/data/product-names-and-service-plans.csv \
//!     > policies/catalog-microsoft.skuld
//! ```
//!
//! The CSV stays where it is (third-party data, not copied into the repository); the generated
//! file of facts is committed, and `tests/catalog.rs` regenerates it and compares byte for byte.
//!
//! One `product` per distinct `String_Id` (the Graph `skuPartNumber`): its display name, GUID(s)
//! and service plans. How the data's quirks are handled (see docs/policies.md):
//! - the UTF-8 byte-order mark is skipped; CRLF and LF line ends are both accepted; quoted
//!   fields may hold commas, line breaks and doubled quotes (RFC 4180);
//! - every field has U+00A0 (no-break space) replaced by a plain space, then is trimmed, so
//!   `MCOCAP_FACULTY\u{a0}` and `AAD_PREMIUM_USGOV_GCCHIGH ` become plain keys;
//! - a part number listed with two GUIDs (`MCOPSTN5`) is one product with both ids, in the
//!   order they first appear; its display name is the first one listed;
//! - products are sorted by part number and plans by name (byte order), duplicates dropped, so
//!   the output does not depend on the row order of the CSV;
//! - service plan names are repaired or rejected (see [`PlanNames`]): runs of white space become
//!   one space and spaces beside `_` go (`CDS_ POWERAPPS_PER_USER_CUSTOM`); a name that is still
//!   malformed (`RMS_S_ENTERPRISE)`, two names run together as in `EXCHANGE_S_FOUNDATION
//!   PBI_PREMIUM_EM1_ADDON`) takes the well-formed name other rows give its plan id, or else its
//!   one word that is no other plan's name; failing both, the CSV is rejected. Every repair is
//!   listed in the generated file's header.
#![forbid(unsafe_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::process::ExitCode;

/// The columns the generator reads, by header name.
const PART: &str = "String_Id";
const DISPLAY: &str = "Product_Display_Name";
const GUID: &str = "GUID";
const PLAN: &str = "Service_Plan_Name";
const PLAN_ID: &str = "Service_Plan_Id";

/// One product as collected from its rows.
#[derive(Debug, Default)]
struct Product {
    display: String,
    guids: Vec<String>,
    plans: Vec<String>,
}

/// The generated policy text for the CSV `text`, or what is wrong with it.
pub fn generate(text: &str) -> Result<String, String> {
    let rows = parse_csv(text.strip_prefix('\u{feff}').unwrap_or(text))?;
    let mut rows = rows.into_iter();
    let header = rows.next().ok_or("the CSV is empty")?;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| clean(h) == name)
            .ok_or_else(|| format!("the CSV has no `{name}` column"))
    };
    let (part, display, guid, plan, plan_id) = (
        column(PART)?,
        column(DISPLAY)?,
        column(GUID)?,
        column(PLAN)?,
        column(PLAN_ID)?,
    );
    // (line, part number, display name, GUID, plan name, plan id) of every non-empty row.
    let mut cells = Vec::new();
    for (n, row) in rows.enumerate() {
        if row.iter().all(|f| clean(f).is_empty()) {
            continue;
        }
        let line = n + 2;
        let field = |i: usize| {
            row.get(i)
                .map(|f| clean(f))
                .ok_or_else(|| format!("row {line} has only {} fields", row.len()))
        };
        let key = field(part)?;
        if key.is_empty() {
            return Err(format!("row {line} has no `{PART}`"));
        }
        cells.push((
            line,
            key,
            field(display)?,
            field(guid)?.to_ascii_lowercase(),
            plan_name(&field(plan)?),
            field(plan_id)?.to_ascii_lowercase(),
        ));
    }
    let names = PlanNames::new(cells.iter().map(|c| (c.4.as_str(), c.5.as_str())));
    let mut repaired: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut products: BTreeMap<String, Product> = BTreeMap::new();
    for (line, key, display, id, plan, plan_id) in cells {
        let p = products.entry(key).or_default();
        if p.display.is_empty() {
            p.display = display;
        }
        if !id.is_empty() && !p.guids.contains(&id) {
            p.guids.push(id);
        }
        if !plan.is_empty() {
            let good = names.repair(&plan, &plan_id, line)?;
            if good != plan {
                repaired.insert((plan, good.clone(), plan_id));
            }
            p.plans.push(good);
        }
    }
    let mut out = String::new();
    out.push_str(
        "// The full SKU catalog: every product of Microsoft's \"Product names and service plan\n\
         // identifiers for licensing\" table, with its GUID(s) and service plans.\n\
         //\n\
         // GENERATED, do not edit: regenerate with\n\
         //   cargo run --example gen_catalog -- ../shared/data/product-names-and-service-plans.csv \\\n\
         //       > policies/catalog-microsoft.skuld\n\
         // (tests/catalog.rs checks that this file is what the generator makes of the CSV).\n\
         // `paid` and `free` are derived from the data (see docs/policies.md: a free, trial or\n\
         // developer marker in the name; else a per-user Office 365, Entra ID or Intune plan);\n\
         // a SKU with neither is unknown. `family` is the suite a SKU's name makes it a member\n\
         // of (see `family_of` in examples/gen_catalog.rs). What a SKU grants is in the matrix\n\
         // policies.\n",
    );
    if !repaired.is_empty() {
        out.push_str(
            "//\n// Malformed service plan names of the CSV, repaired (see examples/gen_catalog.rs):\n",
        );
        for (from, to, id) in &repaired {
            out.push_str(&format!("//   {from:?} -> {to} (plan id {id})\n"));
        }
    }
    for (part, mut p) in products {
        p.plans.sort_unstable();
        p.plans.dedup();
        out.push('\n');
        out.push_str(&format!(
            "product {} {} {{\n",
            name(&part),
            quote(&p.display)
        ));
        for id in &p.guids {
            out.push_str(&format!("    id {}\n", quote(id)));
        }
        match licence_status(&part, &p.display, &p.plans) {
            Status::Paid(_) => out.push_str("    paid\n"),
            Status::Free(_) => out.push_str("    free\n"),
            Status::Unknown => {}
        }
        if let Some(family) = family_of(&p.display) {
            out.push_str(&format!("    family {family}\n"));
        }
        let plans: Vec<String> = p.plans.iter().map(|s| name(s)).collect();
        out.push_str(&format!("    plans [{}]\n}}\n", plans.join(", ")));
    }
    Ok(out)
}

/// The suite family a product's display name makes it a member of (the rule is stated in
/// docs/policies.md, and `src/tests/catalog.rs` holds every SKU of the default catalog to it):
///
/// - the suite's name, then a tier: `Office 365 E3`, `Office 365 GCC G5`, `Microsoft 365 F1`,
///   `Enterprise Mobility + Security A3`, `Microsoft Entra ID P1` (a tier is a letter A, E, F or
///   G and a digit; for Entra ID, `Basic`, `P1` or `P2`), whatever follows (`for faculty`,
///   `_USGOV_GCCHIGH`, `without Audio Conferencing`), unless what follows marks an add-on named
///   after the suite (`Security`, `Compliance`, `Add-on`, `Suite features`, `Extra Features`:
///   `Microsoft 365 E5 Security` is not a Microsoft 365 suite);
/// - the Office 365 suites Microsoft renamed in 2020 (`Microsoft 365 Business Basic` and
///   `Business Standard`, formerly Office 365 Business Essentials and Premium) and the older
///   `Office 365 Small Business` and `Midsize Business` are `office365`;
///   `Microsoft 365 Business Premium` (`SPB`, with Entra ID P1 and Intune) is `microsoft365`.
pub fn family_of(display: &str) -> Option<&'static str> {
    const ADD_ON: [&str; 5] = [
        "Security",
        "Compliance",
        "Add-on",
        "Suite features",
        "Extra Features",
    ];
    const NAMED: [(&str, &str); 5] = [
        ("Microsoft 365 Business Basic", "office365"),
        ("Microsoft 365 Business Standard", "office365"),
        ("Office 365 Small Business", "office365"),
        ("Office 365 Midsize Business", "office365"),
        ("Microsoft 365 Business Premium", "microsoft365"),
    ];
    const TIERED: [(&str, &str); 4] = [
        ("Office 365 ", "office365"),
        ("Microsoft 365 ", "microsoft365"),
        ("Enterprise Mobility + Security ", "ems"),
        ("Microsoft Entra ID ", "entra"),
    ];
    let ends_word = |rest: &str| !rest.starts_with(|c: char| c.is_ascii_alphanumeric());
    if let Some((_, family)) = NAMED
        .iter()
        .find(|(name, _)| display.strip_prefix(name).is_some_and(ends_word))
    {
        return Some(family);
    }
    let (rest, family) = TIERED
        .iter()
        .find_map(|(prefix, family)| Some((display.strip_prefix(prefix)?, *family)))?;
    let after_tier = if family == "entra" {
        ["Basic", "P1", "P2"]
            .iter()
            .find_map(|t| rest.strip_prefix(t).filter(|r| ends_word(r)))?
    } else {
        let rest = rest.strip_prefix("GCC ").unwrap_or(rest);
        let mut chars = rest.chars();
        match (chars.next(), chars.next()) {
            (Some('A' | 'E' | 'F' | 'G'), Some(d)) if d.is_ascii_digit() => {}
            _ => return None,
        }
        rest.get(2..).filter(|r| ends_word(r))?
    };
    if ADD_ON.iter().any(|w| after_tier.contains(w)) {
        return None;
    }
    Some(family)
}

/// Whether a SKU is paid, free or unknown, and the evidence (the CSV has no price column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Sells a per-user Office 365, Entra ID or Intune plan (the plan named) and has no free
    /// marker.
    Paid(String),
    /// Its part number or name carries the word named (`free`, `trial`, `developer`, …).
    Free(String),
    /// Neither.
    Unknown,
}

/// Words of a part number or product name that mark a SKU as free: Microsoft's free offers,
/// trials ("Trial", "vTrial", "Viral Trial", "Exploratory") and developer-program SKUs.
const FREE_WORDS: &[&str] = &[
    "free",
    "trial",
    "vtrial",
    "viral",
    "exploratory",
    "developer",
    "dev",
];

/// Service plans Microsoft sells per user as Office 365 (an Exchange Online mailbox, SharePoint
/// Online, the Office apps), Entra ID or Intune: a SKU carrying one and no free marker is paid.
pub const PAID_PLANS: &[&str] = &[
    "AAD_BASIC",
    "AAD_PREMIUM",
    "AAD_PREMIUM_P2",
    "EXCHANGE_B_STANDARD",
    "EXCHANGE_L_STANDARD",
    "EXCHANGE_S_DESKLESS",
    "EXCHANGE_S_DESKLESS_GOV",
    "EXCHANGE_S_ENTERPRISE",
    "EXCHANGE_S_ENTERPRISE_GOV",
    "EXCHANGE_S_ESSENTIALS",
    "EXCHANGE_S_STANDARD",
    "EXCHANGE_S_STANDARD_GOV",
    "EXCHANGE_S_STANDARD_MIDMARKET",
    "INTUNE_A",
    "OFFICESUBSCRIPTION",
    "OFFICESUBSCRIPTION_GOV",
    "OFFICE_BUSINESS",
    "SHAREPOINTDESKLESS",
    "SHAREPOINTENTERPRISE",
    "SHAREPOINTENTERPRISE_EDU",
    "SHAREPOINTENTERPRISE_GOV",
    "SHAREPOINTSTANDARD",
    "SHAREPOINTSTANDARD_EDU",
];

/// The licence status of a SKU from its part number, display name and (sorted) plans.
pub fn licence_status(part: &str, display: &str, plans: &[String]) -> Status {
    for text in [part, display] {
        for word in text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(str::to_ascii_lowercase)
        {
            if FREE_WORDS.contains(&word.as_str()) {
                return Status::Free(word);
            }
        }
    }
    match plans.iter().find(|p| PAID_PLANS.contains(&p.as_str())) {
        Some(p) => Status::Paid(p.clone()),
        None => Status::Unknown,
    }
}

/// A field as a key: U+00A0 made a plain space, then trimmed.
fn clean(field: &str) -> String {
    field.replace('\u{a0}', " ").trim().to_owned()
}

/// A service plan name with its white space repaired: tabs, no-break and repeated spaces become
/// one space, and a space beside `_` goes (`DYN365_ ENTERPRISE _RELATIONSHIP_SALES`), since
/// Microsoft's plan names never have one there.
fn plan_name(raw: &str) -> String {
    let words: Vec<&str> = raw.split_whitespace().collect();
    let mut out = String::with_capacity(raw.len());
    for (i, w) in words.iter().enumerate() {
        let glued = i > 0 && (out.ends_with('_') || w.starts_with('_'));
        if i > 0 && !glued {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Why a (white-space repaired) plan name cannot be Microsoft's, if it cannot. Plan names are
/// identifiers (`RMS_S_ENTERPRISE`, `Intune-EPM`) or, for a few old plans, words
/// (`Virtualization Rights for Windows 10 (E3/E5+VDA)`); never with unbalanced parentheses,
/// never two identifiers with `_` side by side.
fn malformed(name: &str) -> Option<&'static str> {
    let mut depth = 0i32;
    for c in name.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            break;
        }
    }
    if depth != 0 {
        return Some("unbalanced parenthesis");
    }
    let joined = name
        .split(' ')
        .filter(|w| w.contains('_') && is_identifier(w))
        .count();
    (joined > 1).then_some("several plan names run together")
}

/// Letters, digits, `_` and `-`, as Microsoft's plan names are.
fn is_identifier(w: &str) -> bool {
    !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Every plan name of the CSV by plan id, to repair malformed names from the other rows.
#[derive(Debug, Default)]
pub struct PlanNames {
    /// Plan id -> well-formed name -> rows.
    by_id: HashMap<String, BTreeMap<String, usize>>,
    /// Well-formed name -> plan ids.
    ids: HashMap<String, BTreeSet<String>>,
}

impl PlanNames {
    /// From (plan name, plan id) pairs, names already white-space repaired.
    pub fn new<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        let mut names = PlanNames::default();
        for (name, id) in pairs {
            if name.is_empty() || malformed(name).is_some() {
                continue;
            }
            *names
                .by_id
                .entry(id.to_owned())
                .or_default()
                .entry(name.to_owned())
                .or_default() += 1;
            names
                .ids
                .entry(name.to_owned())
                .or_default()
                .insert(id.to_owned());
        }
        names
    }

    /// `name` if well-formed; else the well-formed name most rows give plan `id` (`RMS_S_ENTERPRISE)`
    /// -> `RMS_S_ENTERPRISE`); else its one word that no other plan id is named
    /// (`EXCHANGE_S_FOUNDATION PBI_PREMIUM_EM1_ADDON` of a plan id other than Exchange
    /// Foundation's -> `PBI_PREMIUM_EM1_ADDON`); else an error naming the row.
    pub fn repair(&self, name: &str, id: &str, line: usize) -> Result<String, String> {
        let Some(why) = malformed(name) else {
            return Ok(name.to_owned());
        };
        if let Some(best) = self.by_id.get(id).and_then(|names| {
            names
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        }) {
            return Ok(best.0.clone());
        }
        let own: Vec<&str> = name
            .split(' ')
            .filter(|w| is_identifier(w))
            .filter(|w| {
                self.ids
                    .get(*w)
                    .is_none_or(|ids| ids.iter().all(|other| other == id))
            })
            .collect();
        match own.as_slice() {
            [one] => Ok((*one).to_owned()),
            _ => Err(format!(
                "row {line}: the service plan name `{name}` (plan id `{id}`) is malformed ({why}), and no other row names that plan id"
            )),
        }
    }
}

/// Words the policy grammar reserves: such a name must be quoted.
const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "any", "all", "none", "count", "true", "false", "null", "where",
    "require", "at", "message", "subject", "help", "label", "when", "severity",
];

/// A name as the policy language writes it: bare when it is an identifier, else quoted.
fn name(s: &str) -> String {
    let mut chars = s.chars();
    let ident = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&s);
    if ident { s.to_owned() } else { quote(s) }
}

/// A policy-language string literal.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// RFC 4180 CSV: records of fields; quoted fields may hold commas, quotes (doubled) and line
/// breaks; records end in CRLF or LF.
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut line = 1usize;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                line += 1;
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err(format!(
            "a quoted field opened by line {line} is not closed"
        ));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

fn main() -> ExitCode {
    let result = (|| -> Result<(), String> {
        let path = std::env::args_os()
            .nth(1)
            .ok_or("usage: gen_catalog PATH/TO/product-names-and-service-plans.csv")?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.to_string_lossy()))?;
        let out = generate(&text)?;
        io::stdout()
            .write_all(out.as_bytes())
            .map_err(|e| format!("cannot write: {e}"))
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(io::stderr(), "gen_catalog: {message}");
            ExitCode::from(2)
        }
    }
}
