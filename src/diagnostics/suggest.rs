//! The one did-you-mean helper: unknown SKU, group, YAML key, capability, rule id all go through it.

/// The candidate closest to `word`, if one is close enough to be a plausible typo.
///
/// Case-insensitive equality wins outright (part numbers are case-sensitive, and `aad_premium`
/// for `AAD_PREMIUM` is the most common slip); otherwise the Jaro-Winkler similarity must reach
/// 0.8, or the edit distance be at most a third of the word.
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let mut best: Option<(&'a str, f64)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        if candidate.to_lowercase() == lower {
            return Some(candidate);
        }
        let score = strsim::jaro_winkler(&lower, &candidate.to_lowercase());
        let distance = strsim::levenshtein(&lower, &candidate.to_lowercase());
        let close = score >= 0.8 || distance * 3 <= word.chars().count().max(3);
        if close && best.is_none_or(|(_, s)| score > s) {
            best = Some((candidate, score));
        }
    }
    best.map(|(c, _)| c)
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
        assert_eq!(
            suggest("usage_locaton", ["usage_location", "upn"]),
            Some("usage_location")
        );
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(suggest("FOO", ["ENTERPRISEPACK", "AAD_PREMIUM_P2"]), None);
        assert_eq!(suggest("x", Vec::<&str>::new()), None);
    }
}
