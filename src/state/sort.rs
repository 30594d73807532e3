//! Sorting for the whole app through one compiled sort routine, to keep the wasm small.
//!
//! `slice::sort_by` is generic: every element type and comparator gets its own copy of the
//! standard library's driftsort, about 4–5 KB of wasm each (14 copies were 67 KB before
//! wasm-opt). Here a permutation of indices is sorted by one non-generic routine; what each
//! caller adds is a comparator closure and a short cycle walk that moves the elements.

use std::cmp::Ordering;

/// Stable sort by `cmp`, like `slice::sort_by`; one linear pass when `v` is already sorted
/// (the usual case for samples and bars that arrive in order).
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.windows(2).all(|w| cmp(&w[0], &w[1]) != Ordering::Greater) {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_indices(&mut order, &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, &mut order);
}

/// Stable sort by a key, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Ascending sort, like `slice::sort`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The one place a sort routine is instantiated. Ties go by index, so the result is stable.
#[inline(never)]
fn sort_indices(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
}

/// Moves `v[order[i]]` to position `i` for every `i`, following each cycle of the
/// permutation once; `order` is used up (each visited slot is reset to its own index).
fn permute<T>(v: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != at {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn same_as_std_stable_sort(v in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut ours = v.clone();
            let mut std = v;
            // Sorting by the first field only: equal keys must keep their input order.
            sort_by_key(&mut ours, |p| p.0);
            std.sort_by_key(|p| p.0);
            prop_assert_eq!(ours, std);
        }

        #[test]
        fn floats_by_total_order(v in proptest::collection::vec(-1e6f64..1e6, 0..100)) {
            let mut ours = v.clone();
            let mut std = v;
            sort_by(&mut ours, f64::total_cmp);
            std.sort_by(f64::total_cmp);
            prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn small_cases() {
        let mut empty: Vec<u32> = vec![];
        sort(&mut empty);
        assert!(empty.is_empty());
        let mut v = vec![3, 1, 2, 1];
        sort(&mut v);
        assert_eq!(v, [1, 1, 2, 3]);
        let mut desc = vec![5, 4, 3, 2, 1];
        sort_by(&mut desc, |a, b| b.cmp(a));
        assert_eq!(desc, [5, 4, 3, 2, 1]);
    }
}
