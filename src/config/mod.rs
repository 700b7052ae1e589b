//! The project config file, `.skuld.yaml`: policy paths, waivers path, `fail-on`, severity
//! overrides and rule selection, so that the CI command is just `skuld check tenants/`.
//!
//! It is found in the current folder or the nearest ancestor, stopping at the repository root
//! (the folder holding `.git`); `--config FILE` names one, `--no-config` ignores it. Paths in it
//! are relative to the folder it is in. Command-line flags override it.

pub(crate) mod yaml;

use std::path::{Path, PathBuf};

use crate::diagnostics::Severity;
use crate::diagnostics::suggest::did_you_mean;
use crate::source::{SourceFile, Span};
use yaml::{Key, Node};

/// The config file's conventional name.
pub const FILE_NAME: &str = ".skuld.yaml";

pub use crate::diagnostics::Problem;

/// Reads a mapping with a fixed set of keys: unknown and repeated keys are reported (with
/// did-you-mean), and values are looked up by key.
pub(crate) struct Fields<'a> {
    entries: Vec<(&'a Key, &'a Node)>,
}

impl<'a> Fields<'a> {
    /// `None` (with a problem) when `node` is not a mapping.
    pub(crate) fn read(
        node: &'a Node,
        known: &[&str],
        what: &str,
        code: &'static str,
        src: &SourceFile,
        problems: &mut Vec<Problem>,
    ) -> Option<Self> {
        let Node::Map { entries, .. } = node else {
            problems.push(Problem::new(
                code,
                format!("{what} must be a mapping, found {}", node.kind()),
                src,
                node.span(),
                "expected `key: value` lines",
            ));
            return None;
        };
        let mut kept: Vec<(&Key, &Node)> = Vec::new();
        for (key, value) in entries {
            if !known.contains(&key.name.as_str()) {
                problems.push(
                    Problem::new(
                        code,
                        format!("unknown key `{}` in {what}", key.name),
                        src,
                        key.span,
                        "unknown key",
                    )
                    .with_help(Some(
                        did_you_mean(&key.name, known.iter().copied()).unwrap_or_else(|| {
                            format!("the keys of {what} are: {}", known.join(", "))
                        }),
                    )),
                );
            } else if kept.iter().any(|(k, _)| k.name == key.name) {
                problems.push(
                    Problem::new(
                        code,
                        format!("`{}` is given twice in {what}", key.name),
                        src,
                        key.span,
                        "repeated here",
                    )
                    .with_help(Some("keep one of them".to_owned())),
                );
            } else {
                kept.push((key, value));
            }
        }
        Some(Fields { entries: kept })
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| *v)
    }
}

/// A text value, or a problem saying what was expected.
pub(crate) fn text<'a>(
    node: &'a Node,
    what: &str,
    code: &'static str,
    src: &SourceFile,
    problems: &mut Vec<Problem>,
) -> Option<(&'a str, Span)> {
    match node.text() {
        Some(t) if !t.trim().is_empty() => Some((t, node.span())),
        _ => {
            problems.push(Problem::new(
                code,
                format!("{what} must be text, found {}", node.kind()),
                src,
                node.span(),
                "expected text here",
            ));
            None
        }
    }
}

/// A list of texts (a single text counts as a list of one).
fn texts(
    node: &Node,
    what: &str,
    src: &SourceFile,
    problems: &mut Vec<Problem>,
) -> Vec<(String, Span)> {
    match node {
        Node::Seq { items, .. } => items
            .iter()
            .filter_map(|n| text(n, what, CODE, src, problems))
            .map(|(t, s)| (t.to_owned(), s))
            .collect(),
        _ => text(node, what, CODE, src, problems)
            .map(|(t, s)| vec![(t.to_owned(), s)])
            .unwrap_or_default(),
    }
}

const CODE: &str = "skuld::config";

const KEYS: &[&str] = &[
    "policies",
    "default-policy",
    "waivers",
    "fail-on",
    "severity",
    "only-rules",
    "skip-rules",
    "tenants",
    "waiver-max-expiry",
    "prices",
    "inactive-days",
];

/// The settings of a config file. Rule ids are checked against the policy later
/// ([`Config::check_rules`]), since the policy itself depends on the config.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file, for diagnostics.
    source: Option<SourceFile>,
    /// Policy paths, resolved against the config file's folder (`builtin:` names kept).
    pub policies: Vec<String>,
    /// `default-policy: false` leaves the embedded policy out.
    pub default_policy: Option<bool>,
    /// The waivers file, resolved.
    pub waivers: Option<PathBuf>,
    /// `error`, `warning` or `never`.
    pub fail_on: Option<String>,
    /// Severity overrides, in file order.
    pub severity: Vec<(String, Severity, Span)>,
    /// Rules reported alone.
    pub only_rules: Vec<(String, Span)>,
    /// Rules left out.
    pub skip_rules: Vec<(String, Span)>,
    /// `waiver-max-expiry: 365d`: how many days ahead a waiver may expire.
    pub waiver_max_expiry: Option<u32>,
    /// The folder the file is in.
    pub dir: PathBuf,
    /// The file itself (never a tenant).
    pub(crate) path: Option<PathBuf>,
    /// `tenants: {include, exclude}`: which discovered files are tenants.
    pub(crate) tenants: Tenants,
    /// `prices:`: what one seat of each SKU costs a month; `None`: no cost figures.
    pub(crate) prices: Option<Prices>,
    /// `inactive-days: N`: after how many days without a sign-in a user is inactive.
    pub inactive_days: Option<u32>,
}

/// `prices: {currency, monthly: {SKU: price}}` as written; the SKUs are checked against the
/// policy's catalog later ([`Config::prices`]), since the policy depends on the config.
#[derive(Debug, Clone)]
pub(crate) struct Prices {
    currency: String,
    /// SKU as written (part number or GUID), its span, the monthly price of one seat.
    monthly: Vec<(String, Span, f64)>,
}

/// Prices checked against the catalog: what the cost figures are computed with.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceList {
    /// The currency, as written (`EUR`).
    pub currency: String,
    /// Monthly price of one seat per SKU part number, in the config's order.
    pub monthly: Vec<(String, f64)>,
}

impl PriceList {
    /// The monthly price of one seat of `sku` (a part number), if the config gives one.
    pub fn of(&self, sku: &str) -> Option<f64> {
        self.monthly.iter().find(|(s, _)| s == sku).map(|(_, p)| *p)
    }
}

/// The `tenants:` key: gitignore-style globs relative to the config file's folder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tenants {
    pub(crate) include: Option<crate::inputs::Patterns>,
    pub(crate) exclude: Option<crate::inputs::Patterns>,
}

impl Config {
    /// The config file that applies in `start`: `.skuld.yaml` in it or the nearest ancestor,
    /// not looking above the repository root (a folder holding `.git`).
    pub fn find(start: &Path) -> Option<PathBuf> {
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            if dir.join(".git").exists() {
                return None;
            }
        }
        None
    }

    /// Reads a config file (its `path` is used to resolve the paths in it).
    pub fn parse(source: &SourceFile, path: &Path) -> Result<Config, Vec<Problem>> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let root = yaml::parse(source, CODE).map_err(|p| vec![p])?;
        let mut problems = Vec::new();
        let mut config = Config {
            source: Some(source.clone()),
            dir: dir.clone(),
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        if root.is_null() {
            return Ok(config);
        }
        let Some(fields) =
            Fields::read(&root, KEYS, "the config file", CODE, source, &mut problems)
        else {
            return Err(problems);
        };
        let resolve = |p: &str| -> String {
            if p.starts_with("builtin:") || Path::new(p).is_absolute() {
                p.to_owned()
            } else {
                dir.join(p).display().to_string()
            }
        };
        if let Some(n) = fields.get("policies") {
            config.policies = texts(n, "a policy path", source, &mut problems)
                .iter()
                .map(|(p, _)| resolve(p))
                .collect();
        }
        if let Some(n) = fields.get("default-policy") {
            match n.text() {
                Some("true") => config.default_policy = Some(true),
                Some("false") => config.default_policy = Some(false),
                _ => problems.push(
                    Problem::new(
                        CODE,
                        "`default-policy` must be `true` or `false`".to_owned(),
                        source,
                        n.span(),
                        "not a boolean",
                    )
                    .with_help(Some(
                        "`default-policy: false` leaves the embedded policy out".to_owned(),
                    )),
                ),
            }
        }
        if let Some(n) = fields.get("waivers")
            && let Some((p, _)) = text(n, "`waivers`", CODE, source, &mut problems)
        {
            config.waivers = Some(PathBuf::from(resolve(p)));
        }
        if let Some(n) = fields.get("fail-on") {
            match n.text() {
                Some(v @ ("error" | "warning" | "never")) => config.fail_on = Some(v.to_owned()),
                other => problems.push(
                    Problem::new(
                        CODE,
                        "`fail-on` must be `error`, `warning` or `never`".to_owned(),
                        source,
                        n.span(),
                        "not a level",
                    )
                    .with_help(other.and_then(|v| did_you_mean(v, ["error", "warning", "never"]))),
                ),
            }
        }
        if let Some(n) = fields.get("severity") {
            match n {
                Node::Map { entries, .. } => {
                    for (key, value) in entries {
                        match value.text() {
                            Some("error") => {
                                config
                                    .severity
                                    .push((key.name.clone(), Severity::Error, key.span));
                            }
                            Some("warning") => {
                                config.severity.push((
                                    key.name.clone(),
                                    Severity::Warning,
                                    key.span,
                                ));
                            }
                            _ => problems.push(
                                Problem::new(
                                    CODE,
                                    format!(
                                        "the severity of `{}` must be `error` or `warning`",
                                        key.name
                                    ),
                                    source,
                                    value.span(),
                                    "not a severity",
                                )
                                .with_help(Some(
                                    "for example `licensing/nested-group: error`".to_owned(),
                                )),
                            ),
                        }
                    }
                }
                other => problems.push(Problem::new(
                    CODE,
                    format!(
                        "`severity` must be a mapping of rule ids to levels, found {}",
                        other.kind()
                    ),
                    source,
                    other.span(),
                    "expected `RULE: error` lines",
                )),
            }
        }
        if let Some(n) = fields.get("only-rules") {
            config.only_rules = texts(n, "a rule id", source, &mut problems);
        }
        if let Some(n) = fields.get("skip-rules") {
            config.skip_rules = texts(n, "a rule id", source, &mut problems);
        }
        if let Some(n) = fields.get("tenants") {
            config.tenants = tenants(n, &dir, source, &mut problems);
        }
        if let Some(n) = fields.get("waiver-max-expiry") {
            config.waiver_max_expiry = days(
                n,
                ("waiver-max-expiry", "365d"),
                "waivers must expire within this many days from today (default 365d)",
                source,
                &mut problems,
            );
        }
        if let Some(n) = fields.get("prices") {
            config.prices = prices(n, source, &mut problems);
        }
        if let Some(n) = fields.get("inactive-days") {
            config.inactive_days = days(
                n,
                ("inactive-days", "90"),
                "a user whose last sign-in is more than this many days before today is inactive \
                 (default 90)",
                source,
                &mut problems,
            );
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(Problem::in_file_order(problems))
        }
    }

    /// What this config turns off or changes, one sentence each, naming the key and where it
    /// is: skipped rules, rules reported alone, changed severities, the default policy left
    /// out, tenant paths excluded or not included. CI formats show these as notices (issue 23),
    /// so that a change that loosens its own gate says so in the check's output.
    pub fn overrides(&self, rules: &crate::registry::Registry<'_>) -> Vec<String> {
        let Some(source) = &self.source else {
            return Vec::new();
        };
        let at = |span: Option<Span>, key: &str| match span {
            Some(s) => format!(
                "`{key}` in {}:{}",
                source.name(),
                source.line_of(s.start as usize)
            ),
            None => format!("`{key}` in {}", source.name()),
        };
        let mut out = Vec::new();
        for (rule, span) in &self.skip_rules {
            out.push(format!(
                "rule `{rule}` is skipped ({})",
                at(Some(*span), "skip-rules")
            ));
        }
        if let Some((_, first)) = self.only_rules.first() {
            let named: Vec<String> = self
                .only_rules
                .iter()
                .map(|(r, _)| format!("`{r}`"))
                .collect();
            out.push(format!(
                "only {} reported, every other rule is off ({})",
                named.join(", "),
                at(Some(*first), "only-rules")
            ));
        }
        for (rule, level, span) in &self.severity {
            let severities = rules.lookup(rule).map(|r| r.severities).ok();
            // Unchanged only when every finding already has that severity.
            if severities.is_some_and(|s| s.default == *level && s.other.is_none()) {
                continue;
            }
            let was = severities.map_or_else(String::new, |s| match s.other {
                Some(_) => format!(" (it is {}, by finding)", s.label()),
                None => format!(" (its default is {})", s.default.as_str()),
            });
            out.push(format!(
                "rule `{rule}` is reported as {}{was} ({})",
                level.as_str(),
                at(Some(*span), "severity")
            ));
        }
        if self.default_policy == Some(false) {
            out.push(format!(
                "the default policy is left out ({})",
                at(None, "default-policy: false")
            ));
        }
        let tenants = [
            (
                &self.tenants.exclude,
                "tenant paths matching {} are not checked",
                "exclude",
            ),
            (
                &self.tenants.include,
                "only tenant paths matching {} are checked",
                "include",
            ),
        ];
        for (patterns, sentence, key) in tenants {
            if let Some(p) = patterns {
                let globs: Vec<String> = p.globs().iter().map(|g| format!("`{g}`")).collect();
                out.push(format!(
                    "{} ({})",
                    sentence.replace("{}", &globs.join(", ")),
                    at(None, &format!("tenants: {key}"))
                ));
            }
        }
        out
    }

    /// The config's prices with every SKU checked against `catalog` (part number or GUID, read
    /// as its part number): `Ok(None)` without `prices:`, `Err` with a did-you-mean for each SKU
    /// the catalog does not have.
    pub(crate) fn prices(
        &self,
        catalog: &crate::compile::Catalog,
    ) -> Result<Option<PriceList>, Vec<Problem>> {
        let (Some(prices), Some(source)) = (&self.prices, &self.source) else {
            return Ok(None);
        };
        let mut problems = Vec::new();
        let mut monthly = Vec::with_capacity(prices.monthly.len());
        for (sku, span, price) in &prices.monthly {
            match catalog.resolve(sku).and_then(|id| catalog.sku(id)) {
                Some(k) => monthly.push((k.part.clone(), *price)),
                None => problems.push(
                    Problem::new(
                        CODE,
                        format!("no SKU of the policy's catalog is named `{sku}`"),
                        source,
                        *span,
                        "unknown SKU",
                    )
                    .with_help(Some(
                        did_you_mean(sku, catalog.part_numbers()).unwrap_or_else(|| {
                            "SKUs are named by part number (`ENTERPRISEPACK`) or GUID, as in \
                             tenant files; `skuld skus` lists them"
                                .to_owned()
                        }),
                    )),
                ),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Some(PriceList {
            currency: prices.currency.clone(),
            monthly,
        }))
    }

    /// Every rule id the config names that the policy does not have (did-you-mean).
    pub fn check_rules(&self, policy: &crate::Policy) -> Vec<Problem> {
        let Some(source) = &self.source else {
            return Vec::new();
        };
        let named = self
            .severity
            .iter()
            .map(|(id, _, span)| (id, span))
            .chain(self.only_rules.iter().map(|(id, span)| (id, span)))
            .chain(self.skip_rules.iter().map(|(id, span)| (id, span)));
        let rules = policy.registry();
        named
            .filter_map(|(id, span)| unknown_rule(id, *span, source, &rules, CODE))
            .collect()
    }
}

/// `tenants: {include: [GLOB], exclude: [GLOB]}`, each glob checked where it is written.
fn tenants(node: &Node, dir: &Path, source: &SourceFile, problems: &mut Vec<Problem>) -> Tenants {
    let mut out = Tenants::default();
    let Some(fields) = Fields::read(
        node,
        &["include", "exclude"],
        "`tenants`",
        CODE,
        source,
        problems,
    ) else {
        return out;
    };
    let origin = format!("`tenants` in {}", source.name());
    let mut read = |key: &str| -> Option<crate::inputs::Patterns> {
        let globs = texts(fields.get(key)?, "a glob", source, problems);
        let texts: Vec<&str> = globs.iter().map(|(g, _)| g.as_str()).collect();
        match crate::inputs::Patterns::new(dir, &texts, &format!("{origin}, `{key}`")) {
            Ok(p) => Some(p),
            Err((i, reason)) => {
                let span = globs.get(i).map_or_else(|| node.span(), |(_, s)| *s);
                problems.push(
                    Problem::new(CODE, format!("not a glob: {reason}"), source, span, "here")
                        .with_help(Some(
                            "globs are gitignore-style: `archive/`, `*.draft.yaml`, `/tenants/**`"
                                .to_owned(),
                        )),
                );
                None
            }
        }
    };
    out.include = read("include");
    out.exclude = read("exclude");
    out
}

/// A number of days from 1 to 36500 (`90` or `90d`), or a problem naming `key` with an
/// `example`. A century is "no limit" in practice; more is a typo.
fn days(
    n: &Node,
    (key, example): (&str, &str),
    help: &str,
    source: &SourceFile,
    problems: &mut Vec<Problem>,
) -> Option<u32> {
    let days = n.text().and_then(|t| {
        let t = t.trim();
        t.strip_suffix('d').unwrap_or(t).parse::<u32>().ok()
    });
    match days {
        Some(d @ 1..=36_500) => Some(d),
        _ => {
            problems.push(
                Problem::new(
                    CODE,
                    format!("`{key}` must be a number of days, e.g. `{example}`"),
                    source,
                    n.span(),
                    "not a number of days (1 to 36500)",
                )
                .with_help(Some(help.to_owned())),
            );
            None
        }
    }
}

/// `prices: {currency: EUR, monthly: {SKU: 33.70}}`: a currency and non-negative prices.
fn prices(node: &Node, source: &SourceFile, problems: &mut Vec<Problem>) -> Option<Prices> {
    let fields = Fields::read(
        node,
        &["currency", "monthly"],
        "`prices`",
        CODE,
        source,
        problems,
    )?;
    let before = problems.len();
    let currency = match fields.get("currency") {
        Some(n) => text(n, "`currency`", CODE, source, problems).map(|(t, _)| t.trim().to_owned()),
        None => {
            problems.push(
                Problem::new(
                    CODE,
                    "`prices` needs a `currency`".to_owned(),
                    source,
                    node.span(),
                    "no currency",
                )
                .with_help(Some(
                    "add `currency: EUR` (the currency the prices are in)".to_owned(),
                )),
            );
            None
        }
    };
    let mut monthly: Vec<(String, Span, f64)> = Vec::new();
    match fields.get("monthly") {
        Some(Node::Map { entries, .. }) => {
            for (key, value) in entries {
                if monthly.iter().any(|(s, _, _)| *s == key.name) {
                    problems.push(
                        Problem::new(
                            CODE,
                            format!("the price of `{}` is given twice", key.name),
                            source,
                            key.span,
                            "repeated here",
                        )
                        .with_help(Some("keep one of them".to_owned())),
                    );
                    continue;
                }
                let price = value
                    .text()
                    .map(str::trim)
                    .filter(|t| {
                        t.bytes()
                            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
                    })
                    .and_then(|t| t.parse::<f64>().ok())
                    .filter(|p| p.is_finite());
                match price {
                    Some(p) if p >= 0.0 => monthly.push((key.name.clone(), key.span, p)),
                    Some(_) => problems.push(
                        Problem::new(
                            CODE,
                            format!("the price of `{}` is negative", key.name),
                            source,
                            value.span(),
                            "a negative price",
                        )
                        .with_help(Some(
                            "a price is what one seat costs a month, 0 or more".to_owned(),
                        )),
                    ),
                    None => problems.push(
                        Problem::new(
                            CODE,
                            format!("the price of `{}` must be a number", key.name),
                            source,
                            value.span(),
                            "not a number",
                        )
                        .with_help(Some(
                            "write the monthly price of one seat as a number, e.g. `33.70`"
                                .to_owned(),
                        )),
                    ),
                }
            }
        }
        Some(other) => problems.push(Problem::new(
            CODE,
            format!(
                "`monthly` must be a mapping of SKUs to prices, found {}",
                other.kind()
            ),
            source,
            other.span(),
            "expected `SKU: price` lines",
        )),
        None => problems.push(
            Problem::new(
                CODE,
                "`prices` needs `monthly`".to_owned(),
                source,
                node.span(),
                "no prices",
            )
            .with_help(Some(
                "add `monthly: {SPE_E3: 33.70}`: the monthly price of one seat per SKU".to_owned(),
            )),
        ),
    }
    (problems.len() == before).then_some(Prices {
        currency: currency?,
        monthly,
    })
}

/// A rule id named in one of skuld's files, checked against the registry: `None` when a rule
/// has it, else the problem with did-you-mean.
pub(crate) fn unknown_rule(
    id: &str,
    span: Span,
    source: &SourceFile,
    rules: &crate::registry::Registry<'_>,
    code: &'static str,
) -> Option<Problem> {
    let unknown = rules.lookup(id).err()?;
    Some(
        Problem::new(
            code,
            format!("no rule has the id `{id}`"),
            source,
            span,
            "unknown rule",
        )
        .with_help(Some(unknown.help("`skuld rules` lists the rule ids"))),
    )
}
