//! The one did-you-mean helper: unknown SKU, group, YAML key, capability, rule id all go through it.
//!
//! Every look-up is on a budget: a hostile file can hold hundreds of thousands of unknown names
//! against as many candidates, and the search for a typo must not make that quadratic. A
//! [`Suggester`] spends at most [`QUERY_BUDGET`] units of work (candidates looked at plus
//! edit-distance cells computed) on one word and [`TOTAL_BUDGET`] over its life (one tenant
//! file); past that it answers `None` and says so through [`Suggester::exhausted`]. Words longer
//! than [`MAX_WORD`] characters get no suggestion: nobody mistypes a name that long.

/// Work one look-up may spend (see the module documentation).
const QUERY_BUDGET: u64 = 400_000;
/// Work one [`Suggester`] may spend over all its look-ups.
const TOTAL_BUDGET: u64 = 30_000_000;
/// Longest word (in characters) a suggestion is looked for.
const MAX_WORD: usize = 64;
/// Longest candidate considered: a word of [`MAX_WORD`] characters with its allowed edits.
const MAX_CANDIDATE: usize = MAX_WORD + MAX_WORD / 3;
/// Most one-edit keys indexed (each word gives its length plus one): past this, candidates are
/// only reached by the budgeted scan. Bounds the index's memory and sort time.
const MAX_INDEX_KEYS: usize = 4_000_000;

/// The candidate closest to `word`, if one is close enough to be a plausible typo.
///
/// Case-insensitive equality wins outright (part numbers are case-sensitive, and `aad_premium`
/// for `AAD_PREMIUM` is the most common slip); otherwise the candidate with the fewest edits,
/// allowing one edit per three characters. One-off look-ups scan the candidates (no index) within
/// [`QUERY_BUDGET`]; many look-ups against one list go through a [`Suggester`].
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = fold(word).filter(|w| w.len() <= MAX_WORD)?;
    let mut budget = Budget::new(QUERY_BUDGET);
    let mut scan = Scan::new(word, &lower);
    for c in candidates {
        if budget.spent() {
            break;
        }
        budget.charge(1);
        let Some(folded) = fold(c) else { continue };
        if scan.offer(c, &folded, char_mask(&folded), &mut budget) {
            break;
        }
    }
    scan.best()
}

/// Case-folded characters of a word, `None` when it is too long to suggest for or from.
fn fold(word: &str) -> Option<Vec<char>> {
    if word.len() > MAX_CANDIDATE * 4 {
        return None;
    }
    let folded: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
    (folded.len() <= MAX_CANDIDATE).then_some(folded)
}

/// Work left for a look-up.
struct Budget {
    left: u64,
}

impl Budget {
    fn new(left: u64) -> Self {
        Budget { left }
    }
    fn charge(&mut self, work: u64) {
        self.left = self.left.saturating_sub(work);
    }
    fn spent(&self) -> bool {
        self.left == 0
    }
}

/// The slow path's state for one word: the best candidate so far.
struct Scan<'w, 'a> {
    word: &'w str,
    lower: &'w [char],
    mask: u64,
    max_edits: usize,
    best: Option<(&'a str, usize)>,
    exact: Option<&'a str>,
    rows: Rows,
}

impl<'w, 'a> Scan<'w, 'a> {
    fn new(word: &'w str, lower: &'w [char]) -> Self {
        Scan {
            word,
            lower,
            mask: char_mask(lower),
            max_edits: (lower.len() / 3).max(1),
            best: None,
            exact: None,
            rows: Rows::default(),
        }
    }

    /// Considers one candidate; `true` when it is a case-insensitive match (nothing beats it).
    fn offer(
        &mut self,
        original: &'a str,
        folded: &[char],
        mask: u64,
        budget: &mut Budget,
    ) -> bool {
        if original == self.word || folded.len().abs_diff(self.lower.len()) > self.max_edits {
            return false;
        }
        // Each character present on one side only costs at least one edit: a cheap lower
        // bound that skips most candidates before the distance is computed.
        let missing = (self.mask & !mask)
            .count_ones()
            .max((mask & !self.mask).count_ones());
        if missing as usize > self.max_edits {
            return false;
        }
        if folded == self.lower {
            self.exact = Some(original);
            return true;
        }
        let limit = self
            .best
            .map_or(self.max_edits, |(_, e)| e.saturating_sub(1));
        if self.best.is_some() && limit == 0 {
            return false; // only a case-insensitive match could still win
        }
        if let Some(edits) = self
            .rows
            .bounded_distance(self.lower, folded, limit, budget)
        {
            self.best = Some((original, edits));
        }
        false
    }

    fn best(&self) -> Option<&'a str> {
        self.exact.or(self.best.map(|(c, _)| c))
    }
}

/// Candidates prepared once (case-folded, ordered by length, indexed by one-edit keys) for many
/// look-ups: a tenant with thousands of groups and hundreds of typos asks for hundreds of
/// suggestions.
#[derive(Debug)]
pub struct Suggester<'a> {
    /// (length in characters, folded characters, original), sorted by length.
    entries: Vec<(usize, Vec<char>, &'a str)>,
    /// Which characters each entry contains (see [`char_mask`]), parallel to `entries`.
    masks: Vec<u64>,
    /// (hash of a key, entry index), sorted: the keys are each entry's folded text and each of
    /// its one-character deletions. Two words one edit apart (insertion, deletion, substitution,
    /// transposition) share a key, so the common typo is found with a few look-ups instead of a
    /// scan (the SymSpell idea). Hash collisions only add candidates that the distance rejects.
    near: Vec<(u64, u32)>,
    /// Work left over all look-ups.
    left: u64,
}

impl<'a> Suggester<'a> {
    /// Prepares the candidates.
    pub fn new<I>(candidates: I) -> Self
    where
        I: IntoIterator<Item = &'a str>,
    {
        let mut entries: Vec<(usize, Vec<char>, &'a str)> = candidates
            .into_iter()
            .filter_map(|c| fold(c).map(|folded| (folded.len(), folded, c)))
            .collect();
        entries.sort_by_key(|(len, _, _)| *len);
        let masks = entries.iter().map(|(_, f, _)| char_mask(f)).collect();
        let mut near: Vec<(u64, u32)> = Vec::new();
        let mut keys = Vec::new();
        for (i, (len, folded, _)) in entries.iter().enumerate() {
            if near.len() + len + 1 > MAX_INDEX_KEYS {
                break;
            }
            one_edit_keys(folded, &mut keys);
            near.extend(keys.iter().map(|&k| (k, i as u32)));
        }
        near.sort_unstable();
        near.dedup();
        Suggester {
            entries,
            masks,
            near,
            left: TOTAL_BUDGET,
        }
    }

    /// True once the look-ups have spent this suggester's budget: later look-ups answer `None`
    /// without searching, and a caller can say so instead of implying nothing is close.
    pub fn exhausted(&self) -> bool {
        self.left == 0
    }

    /// The closest candidate to `word` (see [`suggest`]), within this suggester's budget.
    pub fn suggest(&mut self, word: &str) -> Option<&'a str> {
        if self.left == 0 {
            return None;
        }
        let lower = fold(word).filter(|w| w.len() <= MAX_WORD)?;
        let mut budget = Budget::new(QUERY_BUDGET.min(self.left));
        let found = self.look_up(word, &lower, &mut budget);
        self.left = self
            .left
            .saturating_sub(QUERY_BUDGET.min(self.left) - budget.left);
        found
    }

    fn look_up(&self, word: &str, lower: &[char], budget: &mut Budget) -> Option<&'a str> {
        let mut rows = Rows::default();
        // Fast path: a candidate at most one edit away shares a key with the word.
        let mut keys = Vec::new();
        one_edit_keys(lower, &mut keys);
        budget.charge(keys.len() as u64);
        let mut best: Option<(usize, u32)> = None;
        for key in keys {
            let from = self.near.partition_point(|&(k, _)| k < key);
            for &(k, id) in self.near.get(from..).unwrap_or(&[]) {
                if k != key || budget.spent() {
                    break;
                }
                budget.charge(1);
                let Some((_, folded, original)) = self.entries.get(id as usize) else {
                    continue;
                };
                if *original == word {
                    continue;
                }
                if let Some(d) = rows.bounded_distance(lower, folded, 1, budget)
                    && best.is_none_or(|b| (d, id) < b)
                {
                    best = Some((d, id));
                }
            }
        }
        if let Some((_, id)) = best {
            return self.entries.get(id as usize).map(|(_, _, o)| *o);
        }
        let mut scan = Scan::new(word, lower);
        if scan.max_edits < 2 {
            return None;
        }

        // Slow path, for typos of two or more edits: scan the candidates of a plausible length.
        let lo = self
            .entries
            .partition_point(|(len, _, _)| *len + scan.max_edits < lower.len());
        let hi = self
            .entries
            .partition_point(|(len, _, _)| *len <= lower.len() + scan.max_edits);
        let masks = self.masks.get(lo..hi).unwrap_or(&[]);
        for ((_, folded, original), &mask) in
            self.entries.get(lo..hi).unwrap_or(&[]).iter().zip(masks)
        {
            if budget.spent() {
                break;
            }
            budget.charge(1);
            if scan.offer(original, folded, mask, budget) {
                break;
            }
        }
        scan.best()
    }
}

/// Hashes of `chars` and of each of its one-character deletions, into `out`. Polynomial hashes
/// (prefix and suffix sums) give all of them in time linear in the word, not quadratic.
fn one_edit_keys(chars: &[char], out: &mut Vec<u64>) {
    const B: u64 = 0x0100_0000_01b3;
    out.clear();
    let n = chars.len();
    let code = |c: &char| u64::from(u32::from(*c)) + 1;
    // pow[k] = B^k; suffix[j] = hash of chars[j..] weighted as the tail of a word of length n.
    let mut pow = Vec::with_capacity(n + 1);
    let mut p = 1u64;
    for _ in 0..=n {
        pow.push(p);
        p = p.wrapping_mul(B);
    }
    let mut suffix = vec![0u64; n + 1];
    for j in (0..n).rev() {
        let c = chars.get(j).map_or(0, code);
        let next = suffix.get(j + 1).copied().unwrap_or(0);
        let w = pow.get(n - 1 - j).copied().unwrap_or(0);
        if let Some(s) = suffix.get_mut(j) {
            *s = c.wrapping_mul(w).wrapping_add(next);
        }
    }
    let mix =
        |h: u64, len: usize| (h ^ (len as u64).rotate_left(56)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    out.push(mix(suffix.first().copied().unwrap_or(0), n));
    let mut prefix = 0u64;
    for i in 0..n {
        // chars[..i] followed by chars[i + 1..]: the prefix shifted left past the tail.
        let tail = suffix.get(i + 1).copied().unwrap_or(0);
        let shift = pow.get(n - 1 - i).copied().unwrap_or(0);
        out.push(mix(prefix.wrapping_mul(shift).wrapping_add(tail), n - 1));
        prefix = prefix
            .wrapping_mul(B)
            .wrapping_add(chars.get(i).map_or(0, code));
    }
}

/// A 64-bit set of the characters of a word (characters hashed into 64 buckets; a collision can
/// only make two words look closer, so the bound derived from it stays a lower bound).
fn char_mask(chars: &[char]) -> u64 {
    chars
        .iter()
        .fold(0u64, |m, &c| m | 1u64 << (u32::from(c) % 64))
}

/// Reusable rows for the edit-distance computation (no allocation per candidate).
#[derive(Default)]
struct Rows {
    prev2: Vec<usize>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Rows {
    /// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions) between `a`
    /// and `b`, or `None` as soon as it is certain to exceed `limit` (or the budget runs out).
    /// Only the diagonal band of width `2 * limit + 1` is computed: a cell farther from the
    /// diagonal is more than `limit` edits away anyway.
    fn bounded_distance(
        &mut self,
        a: &[char],
        b: &[char],
        limit: usize,
        budget: &mut Budget,
    ) -> Option<usize> {
        let (m, n) = (a.len(), b.len());
        if m.abs_diff(n) > limit || budget.spent() {
            return None;
        }
        let inf = limit + 1;
        budget.charge(n as u64 + 1);
        for row in [&mut self.prev2, &mut self.prev, &mut self.cur] {
            row.clear();
            row.resize(n + 1, inf);
        }
        for (j, slot) in self.prev.iter_mut().enumerate().take(limit + 1) {
            *slot = j;
        }
        for i in 1..=m {
            let lo = i.saturating_sub(limit).max(1);
            let hi = (i + limit).min(n);
            budget.charge((hi + 1).saturating_sub(lo) as u64);
            // Cells left of the band read as "too far"; column 0 is `i` deletions.
            if let Some(first) = self.cur.get_mut(lo - 1) {
                *first = if lo == 1 { i } else { inf };
            }
            let ca = a.get(i - 1).copied();
            let mut row_min = if lo == 1 { i } else { inf };
            for j in lo..=hi {
                let cb = b.get(j - 1).copied();
                let cost = usize::from(ca != cb);
                let at = |row: &Vec<usize>, k: usize| row.get(k).copied().unwrap_or(inf);
                let mut d = (at(&self.prev, j) + 1)
                    .min(at(&self.cur, j - 1) + 1)
                    .min(at(&self.prev, j - 1) + cost);
                let transposed =
                    i > 1 && j > 1 && a.get(i - 2).copied() == cb && b.get(j - 2).copied() == ca;
                if transposed {
                    d = d.min(at(&self.prev2, j - 2) + 1);
                }
                let d = d.min(inf);
                if let Some(slot) = self.cur.get_mut(j) {
                    *slot = d;
                }
                row_min = row_min.min(d);
            }
            // The cell right of the band is read by the next row as "too far".
            if let Some(right) = self.cur.get_mut(hi + 1) {
                *right = inf;
            }
            if row_min > limit || budget.spent() {
                return None;
            }
            std::mem::swap(&mut self.prev2, &mut self.prev);
            std::mem::swap(&mut self.prev, &mut self.cur);
        }
        self.prev.get(n).copied().filter(|&d| d <= limit)
    }
}

/// `did you mean `X`?` help text, or `None`.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    suggest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str, limit: usize) -> Option<usize> {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        Rows::default().bounded_distance(&a, &b, limit, &mut Budget::new(u64::MAX))
    }

    #[test]
    fn finds_typos_and_case_slips() {
        let skus = ["AAD_PREMIUM", "AAD_PREMIUM_P2", "ENTERPRISEPACK", "EMS"];
        assert_eq!(suggest("AAD_PREMUIM", skus), Some("AAD_PREMIUM"));
        assert_eq!(suggest("aad_premium", skus), Some("AAD_PREMIUM"));
        assert_eq!(suggest("ENTERPRISEPAK", skus), Some("ENTERPRISEPACK"));
        assert_eq!(suggest("AAD_PREMIUM_P3", skus), Some("AAD_PREMIUM_P2"));
        assert_eq!(
            suggest("usage_locaton", ["usage_location", "upn"]),
            Some("usage_location")
        );
        assert_eq!(
            suggest("selceted", ["none", "all", "selected"]),
            Some("selected")
        );
    }

    #[test]
    fn prefers_the_closest() {
        assert_eq!(
            suggest("Sales-EU", ["Sales-US", "Sales-EUR", "Sales-EU2"]),
            Some("Sales-EUR")
        );
    }

    #[test]
    fn distance_counts_edits_and_transpositions() {
        assert_eq!(distance("kitten", "sitting", 10), Some(3));
        assert_eq!(distance("premuim", "premium", 10), Some(1));
        assert_eq!(distance("", "abc", 10), Some(3));
        assert_eq!(distance("same", "same", 10), Some(0));
        assert_eq!(distance("abcdef", "uvwxyz", 2), None);
        // The band is exact: distances at the limit are found, beyond it are not.
        assert_eq!(distance("kitten", "sitting", 3), Some(3));
        assert_eq!(distance("kitten", "sitting", 2), None);
        assert_eq!(distance("abcdefgh", "badcfehg", 4), Some(4));
        assert_eq!(distance("abcdefgh", "xbcdefgh", 1), Some(1));
        assert_eq!(distance("abcdefgh", "bcdefgh", 1), Some(1));
    }

    /// The banded distance agrees with a plain full-matrix computation on many word pairs.
    #[test]
    fn banded_distance_matches_the_full_matrix() {
        fn full(a: &[char], b: &[char]) -> usize {
            let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
            for (i, row) in d.iter_mut().enumerate() {
                row[0] = i;
            }
            for (j, cell) in d[0].iter_mut().enumerate() {
                *cell = j;
            }
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    let cost = usize::from(a[i - 1] != b[j - 1]);
                    let mut v = (d[i - 1][j] + 1)
                        .min(d[i][j - 1] + 1)
                        .min(d[i - 1][j - 1] + cost);
                    if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                        v = v.min(d[i - 2][j - 2] + 1);
                    }
                    d[i][j] = v;
                }
            }
            d[a.len()][b.len()]
        }
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize
        };
        for _ in 0..2000 {
            let word = |len: usize, next: &mut dyn FnMut() -> usize| -> Vec<char> {
                (0..len).map(|_| ['a', 'b', 'c'][next() % 3]).collect()
            };
            let (la, lb) = (next() % 9, next() % 9);
            let a = word(la, &mut next);
            let b = word(lb, &mut next);
            let want = full(&a, &b);
            for limit in 0..6 {
                let got =
                    Rows::default().bounded_distance(&a, &b, limit, &mut Budget::new(u64::MAX));
                assert_eq!(
                    got,
                    (want <= limit).then_some(want),
                    "{a:?} {b:?} limit {limit}"
                );
            }
        }
    }

    #[test]
    fn one_edit_keys_meet_for_words_one_edit_apart() {
        let keys = |w: &str| {
            let mut k = Vec::new();
            one_edit_keys(&w.chars().collect::<Vec<_>>(), &mut k);
            k
        };
        let shared = |a: &str, b: &str| keys(a).iter().any(|k| keys(b).contains(k));
        assert!(shared("premium", "premuim")); // transposition
        assert!(shared("premium", "premim")); // deletion
        assert!(shared("premium", "preemium")); // insertion
        assert!(shared("premium", "prexium")); // substitution
        assert!(!shared("premium", "enterprise"));
        assert_eq!(keys("abc").len(), 4);
    }

    /// The tolerance at its boundary: a word of n characters accepts n / 3 edits (at least one),
    /// and not one more, through the one-off search and through a suggester alike.
    #[test]
    fn tolerance_is_one_edit_per_three_characters() {
        // (length of the word, edits it tolerates)
        let table = [
            (2, 1),
            (3, 1),
            (5, 1),
            (6, 2),
            (7, 2),
            (8, 2),
            (9, 3),
            (11, 3),
            (12, 4),
        ];
        let letters = "abcdefghijkl";
        for (n, tolerated) in table {
            let word = &letters[..n];
            for edits in 1..=(tolerated + 1).min(n) {
                // `edits` substitutions by digits, which no word here contains.
                let candidate = format!("{}{}", &"0123456789"[..edits], &word[edits..]);
                let want = (edits <= tolerated).then_some(candidate.as_str());
                assert_eq!(
                    suggest(word, [candidate.as_str()]),
                    want,
                    "{word} -> {candidate}"
                );
                let mut s = Suggester::new([candidate.as_str()]);
                assert_eq!(s.suggest(word), want, "{word} -> {candidate} (suggester)");
            }
        }
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(suggest("FOO", ["ENTERPRISEPACK", "AAD_PREMIUM_P2"]), None);
        assert_eq!(suggest("x", Vec::<&str>::new()), None);
        assert_eq!(suggest("Marketing", ["Engineering", "Finance"]), None);
    }

    #[test]
    fn a_suggester_finds_what_the_one_off_search_finds() {
        let groups: Vec<String> = (0..5000)
            .map(|i| format!("Team-{i:05}-Licensing"))
            .collect();
        let mut s = Suggester::new(groups.iter().map(String::as_str));
        assert_eq!(
            s.suggest("Team-01234-Licensnig"),
            Some("Team-01234-Licensing")
        );
        assert_eq!(
            s.suggest("team-04999-licensing"),
            Some("Team-04999-Licensing")
        );
        assert_eq!(
            s.suggest("Tem-00042-Licensin"),
            Some("Team-00042-Licensing")
        );
        assert_eq!(s.suggest("Marketing"), None);
        assert!(!s.exhausted());
    }

    /// Thousands of far-off words against thousands of look-alike candidates: the suggester
    /// stops searching once its budget is spent, and says so.
    #[test]
    fn a_suggester_stops_when_its_budget_is_spent() {
        let mut seed = 1u64;
        let mut word = || -> String {
            (0..12)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    ['a', 'b', 'c', 'd', 'e', 'f'][(seed >> 33) as usize % 6]
                })
                .collect()
        };
        let groups: Vec<String> = (0..4000).map(|_| word()).collect();
        let mut s = Suggester::new(groups.iter().map(String::as_str));
        // A one-edit typo is found before the budget is spent.
        let typo = format!("{}x", groups.first().map_or("", String::as_str));
        assert_eq!(s.suggest(&typo), groups.first().map(String::as_str));
        let mut looked = 0;
        while !s.exhausted() && looked < 100_000 {
            let _ = s.suggest(&format!("{}x", word()));
            looked += 1;
        }
        assert!(s.exhausted(), "still searching after {looked} look-ups");
        assert!(looked >= 50, "budget spent after only {looked} look-ups");
        assert_eq!(s.suggest(&typo), None);
    }

    #[test]
    fn very_long_words_get_no_suggestion() {
        let long = "a".repeat(MAX_WORD * 4);
        assert_eq!(suggest(&long, [long.as_str()]), None);
        let mut s = Suggester::new([long.as_str(), "short"]);
        assert_eq!(s.suggest(&format!("{long}b")), None);
        assert_eq!(s.suggest("shrot"), Some("short"));
    }
}
