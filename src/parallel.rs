//! An order-preserving parallel map over a slice, on scoped threads: checking many tenant files
//! uses every core, and the output stays in input order whatever thread finishes first.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The number of threads to use when the user does not say: the available parallelism.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// `items.iter().map(f)`, on up to `jobs` threads. Work is handed out one item at a time (files
/// differ widely in size), and results come back in the order of `items`. An item whose worker
/// thread died (a panic, which the library's lints rule out) is `None` rather than shifting the
/// others.
pub fn map<T, R, F>(items: &[T], jobs: usize, f: F) -> Vec<Option<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let jobs = jobs.clamp(1, items.len().max(1));
    if jobs == 1 {
        return items.iter().map(|item| Some(f(item))).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .filter_map(|w| w.join().ok())
            .flatten()
            .collect()
    });
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in done {
        if let Some(slot) = results.get_mut(i) {
            *slot = Some(r);
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_input_order_on_any_number_of_threads() {
        let items: Vec<u64> = (0..1000).collect();
        let expected: Vec<Option<u64>> = items.iter().map(|x| Some(x * x)).collect();
        for jobs in [0, 1, 2, 3, 8, 5000] {
            assert_eq!(map(&items, jobs, |x| x * x), expected, "jobs = {jobs}");
        }
        assert!(map(&Vec::<u64>::new(), 4, |x| *x).is_empty());
    }
}
