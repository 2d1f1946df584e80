//! Time present from join/leave intervals: rejoins add up, overlapping joins (two devices at
//! once) count once.

/// A join/leave interval, in seconds on any common clock (the readers use seconds since the Unix
/// epoch of the report's local times). An interval whose end is before its start is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    /// When the person joined.
    pub start: i64,
    /// When the person left.
    pub end: i64,
}

impl Interval {
    /// An interval from `start` to `end`.
    pub fn new(start: i64, end: i64) -> Self {
        Self { start, end }
    }

    /// Its length in seconds (0 when `end` is before `start`).
    pub fn len(&self) -> i64 {
        (self.end - self.start).max(0)
    }

    /// Whether it has no length.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The disjoint, sorted intervals covering the same time as `intervals` (empty ones dropped;
/// intervals that overlap or touch are merged).
///
/// ```
/// use thoughtindustries_attendance_import::{Interval, merge};
///
/// let merged = merge([Interval::new(10, 20), Interval::new(0, 5), Interval::new(15, 30)]);
/// assert_eq!(merged, vec![Interval::new(0, 5), Interval::new(10, 30)]);
/// ```
pub fn merge(intervals: impl IntoIterator<Item = Interval>) -> Vec<Interval> {
    let mut sorted: Vec<Interval> = intervals.into_iter().filter(|i| !i.is_empty()).collect();
    sorted.sort_unstable();
    let mut merged: Vec<Interval> = Vec::with_capacity(sorted.len());
    for interval in sorted {
        match merged.last_mut() {
            Some(last) if interval.start <= last.end => last.end = last.end.max(interval.end),
            _ => merged.push(interval),
        }
    }
    merged
}

/// The seconds covered by at least one of `intervals`: the length of their union.
///
/// ```
/// use thoughtindustries_attendance_import::{Interval, covered_seconds};
///
/// // A rejoin adds up; a second device at the same time counts once.
/// assert_eq!(covered_seconds([Interval::new(0, 600), Interval::new(900, 1200)]), 900);
/// assert_eq!(covered_seconds([Interval::new(0, 600), Interval::new(300, 900)]), 900);
/// ```
pub fn covered_seconds(intervals: impl IntoIterator<Item = Interval>) -> i64 {
    merge(intervals).iter().map(Interval::len).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn touching_and_contained_intervals_merge() {
        assert_eq!(
            merge([
                Interval::new(0, 10),
                Interval::new(10, 20),
                Interval::new(2, 3)
            ]),
            vec![Interval::new(0, 20)]
        );
        assert_eq!(covered_seconds([Interval::new(5, 1)]), 0);
        assert_eq!(covered_seconds(std::iter::empty()), 0);
    }

    fn intervals() -> impl Strategy<Value = Vec<Interval>> {
        prop::collection::vec(
            (0i64..10_000, 0i64..3_000).prop_map(|(s, l)| Interval::new(s, s + l)),
            0..40,
        )
    }

    proptest! {
        #[test]
        fn union_is_at_most_the_sum_and_at_least_the_longest(list in intervals()) {
            let total = covered_seconds(list.clone());
            let sum: i64 = list.iter().map(Interval::len).sum();
            let longest = list.iter().map(Interval::len).max().unwrap_or(0);
            prop_assert!(total <= sum);
            prop_assert!(total >= longest);
        }

        #[test]
        fn union_does_not_depend_on_order(list in intervals(), seed in any::<u64>()) {
            let mut shuffled = list.clone();
            // A deterministic shuffle from the seed.
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(merge(list.clone()), merge(shuffled));
            let reversed: Vec<Interval> = list.iter().rev().copied().collect();
            prop_assert_eq!(covered_seconds(list), covered_seconds(reversed));
        }

        #[test]
        fn disjoint_intervals_add_up(lengths in prop::collection::vec((1i64..500, 1i64..500), 0..30)) {
            // Each interval starts after the previous one ended plus a gap.
            let mut at = 0;
            let mut list = Vec::new();
            for (length, gap) in &lengths {
                list.push(Interval::new(at, at + length));
                at += length + gap;
            }
            let sum: i64 = lengths.iter().map(|(l, _)| l).sum();
            prop_assert_eq!(covered_seconds(list), sum);
        }

        #[test]
        fn merged_intervals_are_sorted_disjoint_and_cover_every_input(list in intervals()) {
            let merged = merge(list.clone());
            for pair in merged.windows(2) {
                prop_assert!(pair[0].end < pair[1].start);
            }
            for interval in list.iter().filter(|i| !i.is_empty()) {
                prop_assert!(merged.iter().any(|m| m.start <= interval.start && interval.end <= m.end));
            }
            prop_assert_eq!(covered_seconds(merged.clone()), merged.iter().map(Interval::len).sum::<i64>());
        }

        #[test]
        fn a_duplicate_device_adds_nothing(list in intervals()) {
            let doubled: Vec<Interval> = list.iter().chain(list.iter()).copied().collect();
            prop_assert_eq!(covered_seconds(doubled), covered_seconds(list));
        }
    }
}
