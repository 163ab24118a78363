//! The work of a batch that needs no database (validating and sanitizing articles, compiling
//! their delivery forms: HTML parsing, JSON, brotli) spread over the machine's cores, while the
//! database's writes stay on the one connection that holds the transaction.

use std::num::NonZeroUsize;

/// Most threads a batch is spread over.
const MAX_THREADS: usize = 8;

/// `f` of each item, in order, computed on up to as many threads as there are cores.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(MAX_THREADS);
    // Below a few items a thread costs more than it saves.
    if threads < 2 || items.len() < 8 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            // A panic in `f` is a bug: it goes on as the same panic here.
            .flat_map(|part| {
                part.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = super::map(&items, |n| n * 2);
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert_eq!(super::map(&[1, 2], |n| n + 1), vec![2, 3]);
    }
}
