//! The one did-you-mean helper: unknown SKU, group, YAML key, capability, rule id all go through it.

use std::collections::HashMap;

/// The candidate closest to `word`, if one is close enough to be a plausible typo.
///
/// Case-insensitive equality wins outright (part numbers are case-sensitive, and `aad_premium`
/// for `AAD_PREMIUM` is the most common slip); otherwise the candidate with the fewest edits,
/// allowing one edit per three characters. Candidates whose length alone rules them out are
/// skipped before any distance is computed: a tenant with thousands of groups and hundreds of
/// typos must not spend its time here.
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    Suggester::new(candidates).suggest(word)
}

/// Candidates prepared once (case-folded, ordered by length) for many look-ups: a tenant with
/// thousands of groups and hundreds of typos asks for hundreds of suggestions.
#[derive(Debug, Default)]
pub struct Suggester<'a> {
    /// (length in characters, folded characters, original), sorted by length.
    entries: Vec<(usize, Vec<char>, &'a str)>,
    /// Which characters each entry contains (see [`char_mask`]), parallel to `entries`.
    masks: Vec<u64>,
    /// Each entry's folded text and each of its one-character deletions → entry indices. Two
    /// words one edit apart (insertion, deletion, substitution, transposition) share a key, so
    /// the common typo is found with a few hash look-ups instead of a scan (the SymSpell idea).
    near: HashMap<String, Vec<u32>>,
}

impl<'a> Suggester<'a> {
    /// Prepares the candidates.
    pub fn new<I>(candidates: I) -> Self
    where
        I: IntoIterator<Item = &'a str>,
    {
        let mut entries: Vec<(usize, Vec<char>, &'a str)> = candidates
            .into_iter()
            .map(|c| {
                let folded: Vec<char> = c.chars().flat_map(char::to_lowercase).collect();
                (folded.len(), folded, c)
            })
            .collect();
        entries.sort_by_key(|(len, _, _)| *len);
        let masks = entries.iter().map(|(_, f, _)| char_mask(f)).collect();
        let mut near: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, (_, folded, _)) in entries.iter().enumerate() {
            for key in std::iter::once(folded.iter().collect()).chain(deletions(folded)) {
                let ids = near.entry(key).or_default();
                if ids.last() != Some(&(i as u32)) {
                    ids.push(i as u32);
                }
            }
        }
        Suggester {
            entries,
            masks,
            near,
        }
    }

    /// The closest candidate to `word` (see [`suggest`]).
    pub fn suggest(&self, word: &str) -> Option<&'a str> {
        let lower: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
        let max_edits = (lower.len() / 3).max(1);
        let mut rows = Rows::default();

        // Fast path: a candidate at most one edit away shares a key with the word.
        let mut best: Option<(usize, u32)> = None;
        let keys = std::iter::once(lower.iter().collect::<String>()).chain(deletions(&lower));
        for key in keys {
            for &id in self.near.get(&key).map_or(&[][..], Vec::as_slice) {
                let Some((_, folded, original)) = self.entries.get(id as usize) else {
                    continue;
                };
                if *original == word {
                    continue;
                }
                if let Some(d) = rows.bounded_distance(&lower, folded, 1) {
                    if best.is_none_or(|b| (d, id) < b) {
                        best = Some((d, id));
                    }
                }
            }
        }
        if let Some((_, id)) = best {
            return self.entries.get(id as usize).map(|(_, _, o)| *o);
        }
        if max_edits < 2 {
            return None;
        }

        // Slow path, for typos of two or more edits: scan the candidates of a plausible length.
        let lo = self
            .entries
            .partition_point(|(len, _, _)| *len + max_edits < lower.len());
        let hi = self
            .entries
            .partition_point(|(len, _, _)| *len <= lower.len() + max_edits);
        let word_mask = char_mask(&lower);
        let mut best: Option<(&'a str, usize)> = None;
        let masks = self.masks.get(lo..hi).unwrap_or(&[]);
        for ((_, folded, original), &mask) in
            self.entries.get(lo..hi).unwrap_or(&[]).iter().zip(masks)
        {
            if *original == word {
                continue;
            }
            // Each character present on one side only costs at least one edit: a cheap lower
            // bound that skips most candidates before the distance is computed.
            let missing = (word_mask & !mask)
                .count_ones()
                .max((mask & !word_mask).count_ones());
            if missing as usize > max_edits {
                continue;
            }
            if *folded == lower {
                return Some(original);
            }
            let limit = best.map_or(max_edits, |(_, e)| e.saturating_sub(1));
            if best.is_some() && limit == 0 {
                continue; // only a case-insensitive match could still win
            }
            if let Some(edits) = rows.bounded_distance(&lower, folded, limit) {
                best = Some((original, edits));
            }
        }
        best.map(|(c, _)| c)
    }
}

/// The word with one character left out, for each position.
fn deletions(chars: &[char]) -> impl Iterator<Item = String> + '_ {
    (0..chars.len()).map(move |i| {
        chars
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, c)| *c)
            .collect()
    })
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
    /// and `b`, or `None` as soon as it is certain to exceed `limit`.
    fn bounded_distance(&mut self, a: &[char], b: &[char], limit: usize) -> Option<usize> {
        let n = b.len();
        self.prev2.clear();
        self.prev2.resize(n + 1, 0);
        self.prev.clear();
        self.prev.extend(0..=n);
        self.cur.clear();
        self.cur.resize(n + 1, 0);
        for (i, &ca) in a.iter().enumerate() {
            if let Some(first) = self.cur.first_mut() {
                *first = i + 1;
            }
            let mut row_min = i + 1;
            for (j, &cb) in b.iter().enumerate() {
                let cost = usize::from(ca != cb);
                let deletion = self
                    .prev
                    .get(j + 1)
                    .copied()
                    .unwrap_or(usize::MAX)
                    .saturating_add(1);
                let insertion = self
                    .cur
                    .get(j)
                    .copied()
                    .unwrap_or(usize::MAX)
                    .saturating_add(1);
                let substitution = self
                    .prev
                    .get(j)
                    .copied()
                    .unwrap_or(usize::MAX)
                    .saturating_add(cost);
                let mut d = deletion.min(insertion).min(substitution);
                let transposed =
                    i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca);
                if transposed {
                    d = d.min(
                        self.prev2
                            .get(j - 1)
                            .copied()
                            .unwrap_or(usize::MAX)
                            .saturating_add(1),
                    );
                }
                if let Some(slot) = self.cur.get_mut(j + 1) {
                    *slot = d;
                }
                row_min = row_min.min(d);
            }
            if row_min > limit {
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
        let mut rows = Rows::default();
        let d = |rows: &mut Rows, a: &str, b: &str| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            rows.bounded_distance(&a, &b, 10)
        };
        assert_eq!(d(&mut rows, "kitten", "sitting"), Some(3));
        assert_eq!(d(&mut rows, "premuim", "premium"), Some(1));
        assert_eq!(d(&mut rows, "", "abc"), Some(3));
        assert_eq!(d(&mut rows, "same", "same"), Some(0));
        let (a, b): (Vec<char>, Vec<char>) =
            ("abcdef".chars().collect(), "uvwxyz".chars().collect());
        assert_eq!(rows.bounded_distance(&a, &b, 2), None);
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(suggest("FOO", ["ENTERPRISEPACK", "AAD_PREMIUM_P2"]), None);
        assert_eq!(suggest("x", Vec::<&str>::new()), None);
        assert_eq!(suggest("Marketing", ["Engineering", "Finance"]), None);
    }
}
