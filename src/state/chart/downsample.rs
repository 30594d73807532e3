//! Min/max-per-bucket downsampling: thins a series to about the pixel width of the chart while
//! keeping every spike and dip visible (averaging would flatten them).

/// One point of a series in data units (x is usually epoch ms as `f64`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Thins `points` (sorted by x) to at most `2 * buckets + 2` points.
///
/// The result is a subsequence of the input, in input order: the first and the last point,
/// and for each of `buckets` equal-width x buckets over `[first.x, last.x]` the point with the
/// lowest and the one with the highest y. So the global minimum and maximum always survive.
/// Points with a non-finite x or y are skipped (never drawn, never returned); when what is left
/// already fits, it is returned as is. `buckets == 0` reads as 1.
pub fn min_max(points: &[Point], buckets: usize) -> Vec<Point> {
    let finite: Vec<Point> = points
        .iter()
        .copied()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    let buckets = buckets.max(1);
    let (Some(first), Some(last)) = (finite.first(), finite.last()) else {
        return finite;
    };
    if finite.len() <= buckets.saturating_mul(2).saturating_add(2) {
        return finite;
    }
    let width = (last.x - first.x) / buckets as f64;
    let bucket_of = |x: f64| -> usize {
        if !(width.is_finite() && width > 0.0) {
            return 0;
        }
        let i = ((x - first.x) / width).floor();
        // Also clamps x outside [first.x, last.x] (unsorted input) into the edge buckets.
        if i <= 0.0 {
            0
        } else {
            (i as usize).min(buckets - 1)
        }
    };

    // Per bucket: indices of the lowest and of the highest point (first one on ties).
    let mut extremes: Vec<Option<(usize, usize)>> = vec![None; buckets];
    // The first and the last point are kept anyway: only the interior competes per bucket.
    for (i, p) in finite.iter().enumerate().take(finite.len() - 1).skip(1) {
        let slot = &mut extremes[bucket_of(p.x)];
        *slot = Some(match *slot {
            None => (i, i),
            Some((lo, hi)) => (
                if p.y < finite[lo].y { i } else { lo },
                if p.y > finite[hi].y { i } else { hi },
            ),
        });
    }

    let mut keep: Vec<usize> = Vec::with_capacity(2 * buckets + 2);
    keep.push(0);
    for (lo, hi) in extremes.into_iter().flatten() {
        keep.push(lo);
        keep.push(hi);
    }
    keep.push(finite.len() - 1);
    // Sorting the indices keeps input order even if the input was not quite sorted by x.
    crate::state::sort::sort(&mut keep);
    keep.dedup();
    keep.into_iter().map(|i| finite[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pts(ys: &[f64]) -> Vec<Point> {
        ys.iter()
            .enumerate()
            .map(|(i, &y)| Point { x: i as f64, y })
            .collect()
    }

    fn is_subsequence(sub: &[Point], of: &[Point]) -> bool {
        let mut it = of.iter();
        sub.iter().all(|p| it.any(|q| q == p))
    }

    #[test]
    fn short_input_is_returned_unchanged() {
        let input = pts(&[1.0, 5.0, 2.0, 4.0]);
        assert_eq!(min_max(&input, 1), input);
        assert_eq!(min_max(&input, 0), input);
        assert!(min_max(&[], 10).is_empty());
    }

    #[test]
    fn keeps_the_spike_and_the_dip() {
        let mut ys = vec![1.0; 100];
        ys[37] = 50.0;
        ys[71] = -3.0;
        let out = min_max(&pts(&ys), 4);
        assert!(out.len() <= 10);
        assert_eq!(out.first(), Some(&Point { x: 0.0, y: 1.0 }));
        assert_eq!(out.last(), Some(&Point { x: 99.0, y: 1.0 }));
        assert!(out.contains(&Point { x: 37.0, y: 50.0 }));
        assert!(out.contains(&Point { x: 71.0, y: -3.0 }));
    }

    #[test]
    fn non_finite_values_are_skipped() {
        let input = pts(&[1.0, f64::NAN, 3.0, f64::INFINITY, 2.0]);
        let out = min_max(&input, 1);
        assert_eq!(out.len(), 3);
        assert!(out.iter().all(|p| p.y.is_finite()));
        let many: Vec<Point> = (0..50)
            .map(|i| Point {
                x: i as f64,
                y: if i % 3 == 0 { f64::NAN } else { i as f64 },
            })
            .collect();
        assert!(min_max(&many, 3).iter().all(|p| p.y.is_finite()));
    }

    #[test]
    fn equal_x_values_do_not_divide_by_zero() {
        let input: Vec<Point> = (0..20)
            .map(|i| Point {
                x: 5.0,
                y: i as f64,
            })
            .collect();
        let out = min_max(&input, 2);
        assert!(out.len() <= 6);
        assert!(out.contains(&Point { x: 5.0, y: 0.0 }));
        assert!(out.contains(&Point { x: 5.0, y: 19.0 }));
    }

    fn series() -> impl Strategy<Value = Vec<Point>> {
        proptest::collection::vec((0.0f64..1_000.0, -1e6f64..1e6), 0..400).prop_map(|mut v| {
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            v.into_iter().map(|(x, y)| Point { x, y }).collect()
        })
    }

    proptest! {
        #[test]
        fn invariants(input in series(), buckets in 0usize..40) {
            let out = min_max(&input, buckets);
            prop_assert!(out.len() <= 2 * buckets.max(1) + 2);
            prop_assert!(is_subsequence(&out, &input));
            prop_assert!(out.windows(2).all(|w| w[0].x <= w[1].x));
            prop_assert_eq!(out.first(), input.first());
            prop_assert_eq!(out.last(), input.last());
            let extreme = |v: &[Point], f: fn(f64, f64) -> f64| v.iter().map(|p| p.y).reduce(f);
            prop_assert_eq!(extreme(&out, f64::min), extreme(&input, f64::min));
            prop_assert_eq!(extreme(&out, f64::max), extreme(&input, f64::max));

            let twice = min_max(&out, buckets);
            prop_assert!(is_subsequence(&twice, &out));
            prop_assert_eq!(twice.first(), input.first());
            prop_assert_eq!(twice.last(), input.last());
            prop_assert_eq!(extreme(&twice, f64::min), extreme(&input, f64::min));
            prop_assert_eq!(extreme(&twice, f64::max), extreme(&input, f64::max));
        }
    }
}
