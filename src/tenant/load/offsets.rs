//! Character indices (what saphyr-parser reports) to byte offsets (what spans hold).

/// saphyr-parser reports positions as character indices; spans are byte offsets.
#[derive(Debug)]
pub(super) enum Offsets {
    /// ASCII text: a character index is a byte offset.
    Ascii,
    /// Text with non-ASCII characters.
    Table {
        /// One entry per non-ASCII character: its character index, and the extra bytes (beyond
        /// one per character) of all non-ASCII characters up to and including it.
        entries: Vec<(u32, u32)>,
        /// How many entries lie before the last position looked up: positions arrive almost
        /// in order, so the next look-up usually finds its place a step or two further on.
        hint: usize,
    },
}

impl Offsets {
    pub(super) fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Offsets::Ascii;
        }
        let mut entries = Vec::new();
        let mut extra: u32 = 0;
        for (index, c) in text.chars().enumerate() {
            if !c.is_ascii() {
                extra = extra.saturating_add(u32::try_from(c.len_utf8() - 1).unwrap_or(0));
                entries.push((u32::try_from(index).unwrap_or(u32::MAX), extra));
            }
        }
        Offsets::Table { entries, hint: 0 }
    }

    pub(super) fn byte(&mut self, char_index: usize) -> usize {
        let Offsets::Table { entries, hint } = self else {
            return char_index;
        };
        let before = |k: usize| {
            entries
                .get(k)
                .is_some_and(|&(i, _)| (i as usize) < char_index)
        };
        // `k` = the number of entries before `char_index`: try a short walk from the hint, and
        // fall back to a binary search.
        let mut k = *hint;
        let found = if k == 0 || before(k - 1) {
            let mut steps = 0;
            while steps < 8 && before(k) {
                k += 1;
                steps += 1;
            }
            !before(k)
        } else {
            false
        };
        if !found {
            k = entries.partition_point(|&(i, _)| (i as usize) < char_index);
        }
        *hint = k;
        let extra = k
            .checked_sub(1)
            .and_then(|k| entries.get(k))
            .map_or(0, |&(_, e)| e as usize);
        char_index + extra
    }
}
