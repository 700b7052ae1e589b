//! Generates a large, realistic, deterministic tenant description for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_tenant -- --users 100000 [--seed N] [--violations P]
//!     [--groups N] [--feature-entries N] [--guests P] [--disabled-plans P] [-o FILE]
//! ```
//!
//! The output follows the tenant YAML format of the public contract. With `--violations P`
//! (default 3) about P per cent of the users break one rule each (a synced user holding only
//! Office 365 licences, a cloud user with no licence, a direct licence without usage location, a
//! misspelt SKU, a misspelt group), a few licensed groups get member groups, and one
//! subscription is over its seats. `--violations 0` yields a tenant without findings.
//! `--feature-entries N` adds a `features:` block (contract v2) of N entries spread over
//! Conditional Access, Identity Protection, PIM and access reviews, each including one group,
//! excluding another and listing two users.
//! `--guests P` makes about P per cent of the users B2B guests (`user_type: guest`, contract v3),
//! and `--disabled-plans P` switches a service plan off in about P per cent of the direct licence
//! lists (`{sku, disabled_plans}`; Entra ID P1 in a tenth of them, so some users lose SSPR
//! coverage). Both draw from a second generator, so the rest of the tenant is the same bytes
//! with or without them.
//!
//! Contract v3 facts, each off by default (and drawn from a PRNG of their own, so a tenant
//! without them is byte for byte what it was): `--disabled P` per cent of users with
//! `enabled: false`; `--sign-ins P` gives every user a `last_sign_in`, P per cent of them more
//! than 90 days before 2026-12-01; `--trials N` makes N subscriptions trials that end within 30
//! days of that date; `--addons P` gives P per cent of users an add-on (Teams Phone Standard or
//! Microsoft 365 Copilot, with its subscription), and about `--violations` per cent of those
//! holders a licence set without the add-on's base (Microsoft Power Automate Free only).
//!
//! The bench (`benches/check.rs`) includes this file as a module and calls [`generate`].
#![forbid(unsafe_code)]

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// Generator parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Number of users.
    pub users: usize,
    /// PRNG seed: the same options always give the same bytes.
    pub seed: u64,
    /// Percentage (0..=100) of users that break a rule.
    pub violations: f64,
    /// Total number of groups; `None` means about `users / 50`.
    pub groups: Option<usize>,
    /// Entries of the `features:` block; 0 leaves the block out.
    pub feature_entries: usize,
    /// Percentage of users with `enabled: false`.
    pub disabled: f64,
    /// Percentage of users whose `last_sign_in` is more than 90 days old; `None` writes no
    /// sign-in dates.
    pub sign_ins: Option<f64>,
    /// Subscriptions that are trials ending soon.
    pub trials: usize,
    /// Percentage of users holding an add-on.
    pub addons: f64,
    /// Percentage (0..=100) of users that are guests.
    pub guests: f64,
    /// Percentage (0..=100) of direct licence lists that switch a plan off.
    pub disabled_plans: f64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            users: 1_000,
            seed: 42,
            violations: 3.0,
            groups: None,
            feature_entries: 0,
            disabled: 0.0,
            sign_ins: None,
            trials: 0,
            addons: 0.0,
            guests: 0.0,
            disabled_plans: 0.0,
        }
    }
}

/// The date the v3 facts are relative to (sign-ins, trial ends): fixed, so the output is too.
pub const REFERENCE_DATE: &str = "2026-12-01";

/// The add-ons `--addons` deals out, with their subscriptions.
const ADDONS: [&str; 2] = ["MCOEV", "Microsoft_365_Copilot"];

/// A user's contract v3 facts (see the module docs).
#[derive(Debug, Default, Clone, Copy)]
struct Extra {
    disabled: bool,
    /// Days before [`REFERENCE_DATE`] of the last sign-in.
    sign_in_days_ago: Option<u32>,
    /// Index into [`ADDONS`].
    addon: Option<usize>,
    /// Holds the add-on and nothing it could be added to.
    addon_alone: bool,
}

fn extras(opts: &Options, users: &mut [User]) -> Vec<Extra> {
    // A PRNG of its own: the base tenant stays as it was.
    let mut rng = Rng::new(opts.seed ^ 0x0003_0003);
    let rate = (opts.violations / 100.0).clamp(0.0, 1.0);
    users
        .iter_mut()
        .map(|user| {
            let mut e = Extra {
                disabled: rng.chance(opts.disabled / 100.0),
                ..Extra::default()
            };
            if let Some(p) = opts.sign_ins {
                e.sign_in_days_ago = Some(if rng.chance(p / 100.0) {
                    91 + u32::try_from(rng.below(600)).unwrap_or(0)
                } else {
                    u32::try_from(rng.below(90)).unwrap_or(0)
                });
            }
            if rng.chance(opts.addons / 100.0) {
                e.addon = Some(rng.below(ADDONS.len()));
                if rng.chance(rate) {
                    // Only a free licence, in no licensed group: the add-on has no base.
                    e.addon_alone = true;
                    user.direct = FLOW;
                    user.typo_sku = false;
                    user.n_groups = 0;
                    user.bad_group = None;
                    user.location = Some(user.location.unwrap_or("US"));
                }
            }
            e
        })
        .collect()
}

/// `YYYY-MM-DD`, `days` before (negative: after) [`REFERENCE_DATE`].
fn date_from_reference(days_before: i64) -> String {
    jiff::civil::date(2026, 12, 1)
        .checked_sub(jiff::Span::new().days(days_before))
        .map_or_else(|_| REFERENCE_DATE.to_owned(), |d| d.to_string())
}

/// Generates a tenant into a string (the bench's entry point).
pub fn generate(users: usize, seed: u64, violations: f64, groups: Option<usize>) -> String {
    generate_with(&Options {
        users,
        seed,
        violations,
        groups,
        ..Options::default()
    })
}

/// Generates a tenant into a string, with every option.
pub fn generate_with(opts: &Options) -> String {
    let users = opts.users;
    let mut buf = Vec::with_capacity(users.saturating_mul(112).saturating_add(4096));
    // Writing into a Vec cannot fail, and the output is ASCII.
    match write_tenant(&mut buf, opts) {
        Ok(()) => String::from_utf8(buf).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// PRNG: splitmix64 (good enough statistically, tiny, and stable across platforms).

#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x5EED_5EED_5EED_5EED)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n == 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `p` (0.0..=1.0).
    fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) / ((1_u64 << 53) as f64) < p
    }

    fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        let i = self.below(items.len());
        items.get(i).copied().unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Catalog: the subscribed SKUs, one bit each.

const SKUS: [&str; 9] = [
    "AAD_PREMIUM",
    "AAD_PREMIUM_P2",
    "EMS",
    "SPE_E3",
    "SPE_E5",
    "ENTERPRISEPACK",
    "STANDARDPACK",
    "O365_BUSINESS_PREMIUM",
    "FLOW_FREE",
];
/// A service plan of each of [`SKUS`] that admins commonly switch off.
const SWITCHED_OFF: [&str; 9] = [
    "MFA_PREMIUM",
    "ADALLOM_S_DISCOVERY",
    "INTUNE_A",
    "YAMMER_ENTERPRISE",
    "YAMMER_ENTERPRISE",
    "YAMMER_ENTERPRISE",
    "YAMMER_ENTERPRISE",
    "YAMMER_ENTERPRISE",
    "FLOW_P2_VIRAL",
];
const P1: u16 = 1 << 0;
const P2: u16 = 1 << 1;
const EMS: u16 = 1 << 2;
const SPE_E3: u16 = 1 << 3;
const SPE_E5: u16 = 1 << 4;
const E3: u16 = 1 << 5;
const E1: u16 = 1 << 6;
const BP: u16 = 1 << 7;
const FLOW: u16 = 1 << 8;

/// Licence bundles of licensed groups: each grants synced-user SSPR (P1 or better).
const GROUP_BUNDLES: [u16; 8] = [
    SPE_E3,
    SPE_E3,
    SPE_E5,
    E3 | EMS,
    E3 | P1,
    E1 | P1,
    BP | P2,
    SPE_E3 | FLOW,
];
/// Extra direct licences of ordinary users.
const DIRECT_EXTRAS: [u16; 8] = [FLOW, FLOW, P2, P1, E3, EMS, SPE_E5, BP];
/// Office 365 only: enough for cloud SSPR, not for synced users.
const OFFICE_ONLY: [u16; 3] = [E3, E1, BP];
/// The misspelt SKU (did-you-mean ENTERPRISEPACK).
const TYPO_SKU: &str = "ENTERPRISEPAK";

// ---------------------------------------------------------------------------------------------
// Names.

#[rustfmt::skip]
const FIRST: [&str; 48] = [
    "james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "william",
    "elizabeth", "david", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah",
    "charles", "karen", "daniel", "nancy", "matthew", "lisa", "anthony", "betty", "mark", "sandra",
    "paul", "ashley", "steven", "emily", "andrew", "donna", "kenneth", "michelle", "joshua",
    "carol", "kevin", "amanda", "brian", "melissa", "george", "deborah", "aiko", "lars", "priya",
    "mateo",
];
#[rustfmt::skip]
const LAST: [&str; 48] = [
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
    "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor",
    "moore", "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez", "clark",
    "ramirez", "lewis", "robinson", "walker", "young", "allen", "king", "wright", "scott",
    "torres", "nguyen", "hill", "flores", "green", "adams", "nelson", "baker", "tanaka", "muller",
    "dubois", "rossi",
];
#[rustfmt::skip]
const DEPTS: [&str; 20] = [
    "Sales", "Marketing", "Finance", "HR", "Engineering", "Support", "Legal", "Operations", "IT",
    "Research", "Procurement", "Facilities", "Product", "Design", "Security", "Analytics",
    "Logistics", "Training", "Communications", "Compliance",
];
#[rustfmt::skip]
const CITIES: [&str; 12] = [
    "Seattle", "NewYork", "Toronto", "London", "Paris", "Berlin", "Madrid", "Stockholm", "Tokyo",
    "Singapore", "Sydney", "SaoPaulo",
];
const REGIONS: [&str; 6] = ["Americas", "EMEA", "APAC", "LATAM", "ANZ", "Nordics"];
/// The region (index into `REGIONS`) of each city.
const CITY_REGION: [usize; 12] = [0, 0, 0, 1, 1, 1, 1, 5, 2, 2, 4, 3];
/// Usage locations, weighted by repetition (no `NO`: YAML 1.1 readers take it for `false`).
#[rustfmt::skip]
const LOCATIONS: [&str; 28] = [
    "US", "US", "US", "US", "US", "US", "US", "US", "US", "US", "GB", "GB", "DE", "DE", "FR", "FR",
    "CA", "CA", "IN", "IN", "JP", "AU", "NL", "BR", "ES", "IT", "SE", "SG",
];

const SSPR_GROUP: &str = "SSPR-Users";

// ---------------------------------------------------------------------------------------------
// Model.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupKind {
    /// The SSPR scope root.
    Root,
    /// Member of the root; no licences.
    Region,
    /// Licensed leaf department.
    Dept,
    /// Unlicensed department that contains teams.
    Hub,
    /// Licensed leaf team, member of a hub (or, as a violation, of a licensed department).
    Team,
}

#[derive(Debug)]
struct Group {
    kind: GroupKind,
    /// Index into the naming scheme (unused for root and regions).
    base: usize,
    licenses: u16,
    /// Groups this group is a member of.
    parent: Option<usize>,
}

#[derive(Debug, Default, Clone, Copy)]
struct User {
    first: &'static str,
    last: &'static str,
    synced: bool,
    /// Write `source: cloud` explicitly (it is the default).
    explicit_cloud: bool,
    location: Option<&'static str>,
    direct: u16,
    typo_sku: bool,
    groups: [usize; 3],
    n_groups: usize,
    /// A reference to a misspelt copy of this group's name.
    bad_group: Option<usize>,
}

#[derive(Debug, Default, Clone, Copy)]
enum Violation {
    #[default]
    SyncedOfficeOnly,
    CloudNoLicense,
    DirectNoLocation,
    TypoSku,
    UnknownGroup,
}

const VIOLATIONS: [Violation; 5] = [
    Violation::SyncedOfficeOnly,
    Violation::CloudNoLicense,
    Violation::DirectNoLocation,
    Violation::TypoSku,
    Violation::UnknownGroup,
];

fn build_groups(rng: &mut Rng, total: usize, violation_rate: f64) -> Vec<Group> {
    let total = total.max(6);
    let regions = (total / 3).clamp(2, REGIONS.len());
    let depts = total - 1 - regions;
    let mut groups = Vec::with_capacity(total);
    groups.push(Group {
        kind: GroupKind::Root,
        base: 0,
        licenses: 0,
        parent: None,
    });
    for r in 0..regions {
        groups.push(Group {
            kind: GroupKind::Region,
            base: r,
            licenses: 0,
            parent: Some(0),
        });
    }
    let first_dept = groups.len();
    let teams = (0..depts).filter(|j| j % 6 == 5).count();
    let nested_violations = if violation_rate > 0.0 && teams > 0 {
        ((teams as f64 * violation_rate).round() as usize).max(1)
    } else {
        0
    };
    // The region group of department `j`: the one its city lies in.
    let region = |j: usize| {
        let city = j % CITIES.len();
        1 + CITY_REGION.get(city).copied().unwrap_or_default() % regions
    };
    let mut teams_seen = 0;
    for j in 0..depts {
        let group = match j % 6 {
            4 => Group {
                kind: GroupKind::Hub,
                base: j,
                licenses: 0,
                parent: Some(region(j)),
            },
            5 => {
                teams_seen += 1;
                // A team normally sits in the hub before it; the first few sit in a licensed
                // department instead (licensing/nested-group).
                let parent_offset = if teams_seen <= nested_violations {
                    2
                } else {
                    1
                };
                Group {
                    kind: GroupKind::Team,
                    base: j,
                    licenses: rng.pick(&GROUP_BUNDLES),
                    parent: Some(first_dept + j - parent_offset),
                }
            }
            // About one department in ten is outside the SSPR tree.
            _ => Group {
                kind: GroupKind::Dept,
                base: j,
                licenses: rng.pick(&GROUP_BUNDLES),
                parent: if j % 10 == 7 { None } else { Some(region(j)) },
            },
        };
        groups.push(group);
    }
    groups
}

fn write_group_name<W: Write>(out: &mut W, groups: &[Group], g: usize) -> io::Result<()> {
    let Some(group) = groups.get(g) else {
        return Ok(());
    };
    match group.kind {
        GroupKind::Root => write!(out, "{SSPR_GROUP}"),
        GroupKind::Region => {
            write!(
                out,
                "Region-{}",
                REGIONS.get(group.base).copied().unwrap_or_default()
            )
        }
        GroupKind::Dept | GroupKind::Hub => write_base_name(out, group.base),
        // A team is named after its hub (the group before it), whatever it is nested in.
        GroupKind::Team => {
            write_base_name(out, group.base.saturating_sub(1))?;
            write!(out, "-Team")
        }
    }
}

/// `Dept-City`, then `Dept-City-2`, ... once the combinations run out.
fn write_base_name<W: Write>(out: &mut W, j: usize) -> io::Result<()> {
    let dept = DEPTS
        .get((j / CITIES.len()) % DEPTS.len())
        .copied()
        .unwrap_or_default();
    let city = CITIES.get(j % CITIES.len()).copied().unwrap_or_default();
    write!(out, "{dept}-{city}")?;
    let round = j / (DEPTS.len() * CITIES.len());
    if round > 0 {
        write!(out, "-{}", round + 1)
    } else {
        Ok(())
    }
}

/// The group's name with its second character doubled: never a real group name.
fn write_typo_group_name<W: Write>(out: &mut W, groups: &[Group], g: usize) -> io::Result<()> {
    let mut name = Vec::new();
    write_group_name(&mut name, groups, g)?;
    let mut chars = name.iter();
    if let (Some(a), Some(b)) = (chars.next(), chars.next()) {
        out.write_all(&[*a, *b, *b])?;
        out.write_all(chars.as_slice())?;
    }
    Ok(())
}

fn build_users(rng: &mut Rng, n: usize, groups: &[Group], violation_rate: f64) -> Vec<User> {
    let licensed: Vec<usize> = (0..groups.len())
        .filter(|&g| groups.get(g).is_some_and(|x| x.licenses != 0))
        .collect();
    let unlicensed_in_scope: Vec<usize> = (0..groups.len())
        .filter(|&g| {
            groups
                .get(g)
                .is_some_and(|x| matches!(x.kind, GroupKind::Region | GroupKind::Hub))
        })
        .collect();
    let member_groups: Vec<usize> = (0..groups.len())
        .filter(|&g| groups.get(g).is_some_and(|x| x.kind != GroupKind::Root))
        .collect();

    let mut users = Vec::with_capacity(n);
    for _ in 0..n {
        let synced = rng.chance(0.3);
        let mut user = User {
            first: rng.pick(&FIRST),
            last: rng.pick(&LAST),
            synced,
            explicit_cloud: !synced && rng.chance(0.5),
            location: if rng.chance(0.1) {
                None
            } else {
                Some(rng.pick(&LOCATIONS))
            },
            ..User::default()
        };
        // Ordinary shape: a licensed primary group, 0-2 other groups, 0-2 direct licences.
        user.groups = [rng.pick(&licensed), 0, 0];
        let wanted = 1 + usize::from(rng.chance(0.45)) + usize::from(rng.chance(0.15));
        user.n_groups = 1;
        for _ in 1..wanted {
            let g = rng.pick(&member_groups);
            let known = user.groups.iter().take(user.n_groups).any(|&h| h == g);
            if let (false, Some(slot)) = (known, user.groups.get_mut(user.n_groups)) {
                *slot = g;
                user.n_groups += 1;
            }
        }
        if user.location.is_some() {
            let k = rng.below(20);
            let count = if k < 11 {
                0
            } else if k < 18 {
                1
            } else {
                2
            };
            for _ in 0..count {
                user.direct |= rng.pick(&DIRECT_EXTRAS);
            }
        }
        if rng.chance(violation_rate) {
            match rng.pick(&VIOLATIONS) {
                Violation::SyncedOfficeOnly => {
                    user.synced = true;
                    user.explicit_cloud = false;
                    user.location = Some(rng.pick(&LOCATIONS));
                    user.direct = rng.pick(&OFFICE_ONLY);
                    user.groups = [rng.pick(&unlicensed_in_scope), 0, 0];
                    user.n_groups = 1;
                }
                Violation::CloudNoLicense => {
                    user.synced = false;
                    user.direct = 0;
                    user.groups = [rng.pick(&unlicensed_in_scope), 0, 0];
                    user.n_groups = 1;
                }
                Violation::DirectNoLocation => {
                    user.location = None;
                    user.direct = rng.pick(&DIRECT_EXTRAS);
                }
                Violation::TypoSku => {
                    user.location = Some(rng.pick(&LOCATIONS));
                    user.typo_sku = true;
                }
                Violation::UnknownGroup => user.bad_group = Some(rng.pick(&member_groups)),
            }
        }
        users.push(user);
    }
    users
}

fn effective(user: &User, groups: &[Group]) -> u16 {
    user.groups
        .iter()
        .take(user.n_groups)
        .filter_map(|&g| groups.get(g))
        .fold(user.direct, |acc, g| acc | g.licenses)
}

fn write_licenses<W: Write>(out: &mut W, mask: u16, typo: bool) -> io::Result<()> {
    write_licenses_off(out, mask, typo, None, None)
}

/// [`write_licenses`], with the first licence's plans switched off as `off` says: `Some(true)`
/// Entra ID P1 (where the SKU has it), `Some(false)` the SKU's usual [`SWITCHED_OFF`] plan.
fn write_licenses_off<W: Write>(
    out: &mut W,
    mask: u16,
    typo: bool,
    mut off: Option<bool>,
    addon: Option<&str>,
) -> io::Result<()> {
    out.write_all(b"[")?;
    let mut first = true;
    for (bit, name) in SKUS.iter().enumerate() {
        if mask & (1 << bit) != 0 {
            if !first {
                out.write_all(b", ")?;
            }
            match off.take() {
                Some(p1) => {
                    let has_p1 = (P1 | P2 | EMS | SPE_E3 | SPE_E5) & (1 << bit) != 0;
                    let plan = if p1 && has_p1 {
                        "AAD_PREMIUM"
                    } else {
                        SWITCHED_OFF.get(bit).copied().unwrap_or("AAD_PREMIUM")
                    };
                    write!(out, "{{sku: {name}, disabled_plans: [{plan}]}}")?;
                }
                None => out.write_all(name.as_bytes())?,
            }
            first = false;
        }
    }
    for name in typo.then_some(TYPO_SKU).into_iter().chain(addon) {
        if !first {
            out.write_all(b", ")?;
        }
        out.write_all(name.as_bytes())?;
        first = false;
    }
    out.write_all(b"]")
}

/// Writes the whole tenant document.
pub fn write_tenant<W: Write>(out: &mut W, opts: &Options) -> io::Result<()> {
    let rate = (opts.violations / 100.0).clamp(0.0, 1.0);
    let mut rng = Rng::new(opts.seed);
    let group_count = opts.groups.unwrap_or(opts.users / 50).max(6);
    let groups = build_groups(&mut rng, group_count, rate);
    let mut users = build_users(&mut rng, opts.users, &groups, rate);
    let extra = extras(opts, &mut users);
    let mut addon_holders = [0_usize; ADDONS.len()];
    for e in &extra {
        if let Some(n) = e.addon.and_then(|a| addon_holders.get_mut(a)) {
            *n += 1;
        }
    }

    let mut used = [0_usize; SKUS.len()];
    for user in &users {
        let mask = effective(user, &groups);
        for (bit, count) in used.iter_mut().enumerate() {
            if mask & (1 << bit) != 0 {
                *count += 1;
            }
        }
    }
    // One subscription over its seats when violations are asked for.
    let over = if rate > 0.0 {
        [5_usize, 3, 0, 2, 6, 1, 4, 7, 8]
            .into_iter()
            .find(|&i| used.get(i).is_some_and(|&u| u >= 2))
    } else {
        None
    };

    writeln!(
        out,
        "# Synthetic tenant generated by skuld's examples/gen_tenant.rs:"
    )?;
    write!(
        out,
        "#   cargo run --release --example gen_tenant -- --users {} --seed {} --violations {}",
        opts.users, opts.seed, opts.violations
    )?;
    if let Some(g) = opts.groups {
        write!(out, " --groups {g}")?;
    }
    if opts.feature_entries > 0 {
        write!(out, " --feature-entries {}", opts.feature_entries)?;
    }
    if opts.disabled > 0.0 {
        write!(out, " --disabled {}", opts.disabled)?;
    }
    if let Some(p) = opts.sign_ins {
        write!(out, " --sign-ins {p}")?;
    }
    if opts.trials > 0 {
        write!(out, " --trials {}", opts.trials)?;
    }
    if opts.addons > 0.0 {
        write!(out, " --addons {}", opts.addons)?;
    }
    if opts.guests > 0.0 {
        write!(out, " --guests {}", opts.guests)?;
    }
    if opts.disabled_plans > 0.0 {
        write!(out, " --disabled-plans {}", opts.disabled_plans)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "# {} users, {} groups; about {}% of users break a rule{}.",
        users.len(),
        groups.len(),
        opts.violations,
        if over.is_some() {
            ", one subscription is over its seats"
        } else {
            ""
        }
    )?;
    writeln!(out, "tenant: contoso.onmicrosoft.com")?;
    writeln!(out, "country: US")?;
    writeln!(out, "sspr:")?;
    writeln!(out, "  scope: selected")?;
    writeln!(out, "  group: {SSPR_GROUP}")?;
    writeln!(out, "  writeback: true")?;

    writeln!(out, "subscriptions:")?;
    for (i, (name, &n)) in SKUS.iter().zip(used.iter()).enumerate() {
        let seats = if over == Some(i) {
            n - (n / 50).max(1)
        } else {
            n + n / 25 + 1 + rng.below(5)
        };
        writeln!(out, "  - sku: {name}")?;
        writeln!(out, "    seats: {seats}")?;
        // The last `trials` subscriptions are trials, ending 3, 10, 17, … days after the
        // reference date.
        if let Some(k) = (i + opts.trials).checked_sub(SKUS.len()) {
            writeln!(out, "    trial: true")?;
            let ends = 3 + 7 * i64::try_from(k).unwrap_or(0);
            writeln!(out, "    ends: {}", date_from_reference(-ends))?;
        }
    }
    for (name, &n) in ADDONS.iter().zip(addon_holders.iter()) {
        if n > 0 {
            writeln!(out, "  - sku: {name}")?;
            writeln!(out, "    seats: {n}")?;
        }
    }

    writeln!(out, "groups:")?;
    for (g, group) in groups.iter().enumerate() {
        write!(out, "  - name: ")?;
        write_group_name(out, &groups, g)?;
        writeln!(out)?;
        if group.licenses != 0 {
            write!(out, "    licenses: ")?;
            write_licenses(out, group.licenses, false)?;
            writeln!(out)?;
        }
        if let Some(parent) = group.parent {
            write!(out, "    groups: [")?;
            write_group_name(out, &groups, parent)?;
            writeln!(out, "]")?;
        }
    }

    write_features(out, opts.feature_entries, &groups, &users)?;

    let users_key = if users.is_empty() {
        "users: []"
    } else {
        "users:"
    };
    writeln!(out, "{users_key}")?;
    // Contract v3 attributes from their own generator: the base tenant stays the same bytes.
    let mut people = Rng::new(opts.seed ^ 0x0005_eed0_f0e0_91e5);
    let guest_rate = (opts.guests / 100.0).clamp(0.0, 1.0);
    let off_rate = (opts.disabled_plans / 100.0).clamp(0.0, 1.0);
    for (i, (user, e)) in users.iter().zip(&extra).enumerate() {
        writeln!(
            out,
            "  - upn: {}.{}{}@contoso.com",
            user.first,
            user.last,
            i + 1
        )?;
        if e.disabled {
            writeln!(out, "    enabled: false")?;
        }
        if let Some(days) = e.sign_in_days_ago {
            writeln!(
                out,
                "    last_sign_in: {}",
                date_from_reference(i64::from(days))
            )?;
        }
        if user.synced {
            writeln!(out, "    source: synced")?;
        } else if user.explicit_cloud {
            writeln!(out, "    source: cloud")?;
        }
        if guest_rate > 0.0 && people.chance(guest_rate) {
            writeln!(out, "    user_type: guest")?;
        }
        if let Some(loc) = user.location {
            writeln!(out, "    usage_location: {loc}")?;
        }
        let addon = e.addon.and_then(|a| ADDONS.get(a)).copied();
        if user.direct != 0 || user.typo_sku || addon.is_some() {
            let off = (off_rate > 0.0 && user.direct != 0 && people.chance(off_rate))
                .then(|| people.chance(0.1));
            write!(out, "    licenses: ")?;
            write_licenses_off(out, user.direct, user.typo_sku, off, addon)?;
            writeln!(out)?;
        }
        write!(out, "    groups: [")?;
        for (k, &g) in user.groups.iter().take(user.n_groups).enumerate() {
            if k > 0 {
                write!(out, ", ")?;
            }
            write_group_name(out, &groups, g)?;
        }
        if let Some(g) = user.bad_group {
            write!(out, ", ")?;
            write_typo_group_name(out, &groups, g)?;
        }
        writeln!(out, "]")?;
    }
    out.flush()
}

/// The licensed features of contract v2, in the order entries are dealt to them.
const FEATURES: [&str; 4] = [
    "conditional_access",
    "identity_protection",
    "pim",
    "access_reviews",
];

/// A `features:` block of `entries` entries, dealt round-robin to [`FEATURES`]: each includes
/// a group that is not a team (the SSPR root, a region, a department or a hub, so that nesting
/// is walked), excludes another and lists two users.
fn write_features<W: Write>(
    out: &mut W,
    entries: usize,
    groups: &[Group],
    users: &[User],
) -> io::Result<()> {
    let wide: Vec<usize> = (0..groups.len())
        .filter(|&g| groups.get(g).is_some_and(|x| x.kind != GroupKind::Team))
        .collect();
    if entries == 0 || wide.is_empty() {
        return Ok(());
    }
    writeln!(out, "features:")?;
    for (f, feature) in FEATURES.iter().enumerate() {
        let mine: Vec<usize> = (f..entries).step_by(FEATURES.len()).collect();
        if mine.is_empty() {
            continue;
        }
        writeln!(out, "  {feature}:")?;
        for k in mine {
            writeln!(out, "    - name: entry {k}")?;
            write!(out, "      include: [")?;
            write_group_name(out, groups, wide.get(k % wide.len()).copied().unwrap_or(0))?;
            write!(out, "]\n      exclude: [")?;
            write_group_name(
                out,
                groups,
                wide.get((k + 3) % wide.len()).copied().unwrap_or(0),
            )?;
            write!(out, "]\n      users: [")?;
            for (n, i) in [k * 37, k * 101 + 13].into_iter().enumerate() {
                let i = i % users.len().max(1);
                if let Some(u) = users.get(i) {
                    let sep = if n > 0 { ", " } else { "" };
                    write!(out, "{sep}{}.{}{}@contoso.com", u.first, u.last, i + 1)?;
                }
            }
            writeln!(out, "]")?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Command line.

const USAGE: &str = "\
usage: gen_tenant --users N [--seed N] [--violations P] [--groups N] [--feature-entries N]
                  [--guests P] [--disabled-plans P] [--disabled P] [--sign-ins P] [--trials N]
                  [--addons P] [-o FILE]

  --users N         number of users (default 1000)
  --seed N          PRNG seed (default 42); same options, same output
  --violations P    per cent of users breaking a rule (default 3; 0 = clean tenant)
  --groups N        number of groups (default users/50, at least 6)
  --feature-entries N
                    entries of a `features:` block (default 0: no block)
  --guests P        per cent of users who are B2B guests (default 0)
  --disabled-plans P
                    per cent of direct licence lists with a plan switched off (default 0)
  --disabled P      per cent of users with `enabled: false` (default 0)
  --sign-ins P      give every user a `last_sign_in`, P per cent of them over 90 days
                    before 2026-12-01 (default: no sign-in dates)
  --trials N        the last N subscriptions are trials ending within 30 days of 2026-12-01
  --addons P        per cent of users holding an add-on (Teams Phone Standard or Copilot);
                    about --violations per cent of them without its base licence
  -o, --output FILE write to FILE instead of stdout
";

#[derive(Debug)]
enum Command {
    Help,
    Generate(Options, Option<String>),
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    fn value<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, String> {
        let v = v.ok_or_else(|| format!("{flag} needs a value"))?;
        v.parse()
            .map_err(|_| format!("invalid value for {flag}: {v:?}"))
    }
    fn percent(flag: &str, v: Option<String>) -> Result<f64, String> {
        let p: f64 = value(flag, v)?;
        if !(0.0..=100.0).contains(&p) {
            return Err(format!("{flag} must be between 0 and 100, got {p}"));
        }
        Ok(p)
    }
    let mut opts = Options::default();
    let mut output = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--users" | "-n" => opts.users = value(&arg, args.next())?,
            "--seed" => opts.seed = value(&arg, args.next())?,
            "--violations" => opts.violations = percent(&arg, args.next())?,
            "--groups" => opts.groups = Some(value(&arg, args.next())?),
            "--feature-entries" => opts.feature_entries = value(&arg, args.next())?,
            "--disabled" => opts.disabled = percent(&arg, args.next())?,
            "--sign-ins" => opts.sign_ins = Some(percent(&arg, args.next())?),
            "--trials" => opts.trials = value(&arg, args.next())?,
            "--addons" => opts.addons = percent(&arg, args.next())?,
            "--guests" | "--disabled-plans" => {
                let p: f64 = value(&arg, args.next())?;
                if !(0.0..=100.0).contains(&p) {
                    return Err(format!("{arg} must be between 0 and 100, got {p}"));
                }
                if arg == "--guests" {
                    opts.guests = p;
                } else {
                    opts.disabled_plans = p;
                }
            }
            "-o" | "--output" => output = Some(value(&arg, args.next())?),
            other => return Err(format!("unexpected argument {other:?}\n\n{USAGE}")),
        }
    }
    Ok(Command::Generate(opts, output))
}

fn run() -> Result<(), String> {
    match parse_args(std::env::args().skip(1))? {
        Command::Help => io::stdout()
            .write_all(USAGE.as_bytes())
            .map_err(|e| e.to_string()),
        Command::Generate(opts, Some(path)) => {
            let file = std::fs::File::create(&path).map_err(|e| format!("{path}: {e}"))?;
            write_tenant(&mut BufWriter::with_capacity(1 << 16, file), &opts)
                .map_err(|e| format!("{path}: {e}"))
        }
        Command::Generate(opts, None) => {
            let stdout = io::stdout().lock();
            match write_tenant(&mut BufWriter::with_capacity(1 << 16, stdout), &opts) {
                // `gen_tenant | head` is fine.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| format!("stdout: {e}")),
            }
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(io::stderr(), "gen_tenant: {message}");
            ExitCode::from(2)
        }
    }
}
