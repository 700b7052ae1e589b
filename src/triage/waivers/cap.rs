//! Inline waiver diagnostics capped per kind and file (issue 23): a tenant file with 320k
//! malformed `# skuld:` comments made 320k diagnostics (708 MB, 426 MB printed). The first
//! [`PER_KIND`] of each kind are kept; the rest are counted, and one more diagnostic says
//! exactly how many were left out, pointing at the first of them.

use crate::diagnostics::Problem;

/// Diagnostics kept per kind (code and label) and file.
pub(crate) const PER_KIND: usize = 20;

/// Problems as they come, at most [`PER_KIND`] of each kind and file kept.
#[derive(Debug, Default)]
pub(super) struct Capped {
    kept: Vec<Problem>,
    /// Per kind and file: how many were seen, and the first left out.
    kinds: Vec<Kind>,
}

#[derive(Debug)]
struct Kind {
    file: String,
    code: &'static str,
    label: String,
    seen: usize,
    first_left_out: Option<Problem>,
}

impl Capped {
    pub(super) fn push(&mut self, p: Problem) {
        let (code, label) = p.kind();
        let at = self
            .kinds
            .iter()
            .position(|k| k.code == code && k.label == label && k.file == p.file());
        let kind = match at.and_then(|i| self.kinds.get_mut(i)) {
            Some(k) => k,
            None => {
                self.kinds.push(Kind {
                    file: p.file().to_owned(),
                    code,
                    label: label.to_owned(),
                    seen: 0,
                    first_left_out: None,
                });
                match self.kinds.last_mut() {
                    Some(k) => k,
                    None => return,
                }
            }
        };
        kind.seen += 1;
        if kind.seen <= PER_KIND {
            self.kept.push(p);
        } else if kind.first_left_out.is_none() {
            kind.first_left_out = Some(p);
        }
    }

    /// The kept problems, then one "and N more" per kind that went past the cap.
    pub(super) fn finish(self) -> Vec<Problem> {
        let mut out = self.kept;
        for k in self.kinds {
            if let Some(first) = k.first_left_out {
                out.push(first.and_more(k.seen - PER_KIND, PER_KIND));
            }
        }
        out
    }
}

impl Extend<Problem> for Capped {
    fn extend<I: IntoIterator<Item = Problem>>(&mut self, problems: I) {
        for p in problems {
            self.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, Span};

    #[test]
    fn each_kind_keeps_its_first_ones_and_counts_the_rest_exactly() {
        let src = SourceFile::new("t.yaml", "x".repeat(200));
        let mut capped = Capped::default();
        for i in 0..PER_KIND + 7 {
            let span = Span::new(i, i + 1);
            capped.push(Problem::new(
                "c::a",
                format!("a {i}"),
                &src,
                span,
                "not `waive`",
            ));
            if i < 3 {
                capped.push(Problem::new(
                    "c::a",
                    format!("b {i}"),
                    &src,
                    span,
                    "reason missing",
                ));
            }
        }
        let out = capped.finish();
        assert_eq!(out.len(), PER_KIND + 3 + 1);
        let more = out.last().map(ToString::to_string).unwrap_or_default();
        assert_eq!(
            more,
            format!(
                "and 7 more like this in t.yaml: a {PER_KIND} (only the first {PER_KIND} of each \
                 kind are shown)"
            )
        );
    }
}
