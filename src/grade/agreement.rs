//! Agreement between the engine and human graders (SCORING.md sections 6 and 7): quadratic
//! weighted kappa, Spearman's rank correlation, exact and adjacent level agreement.
//!
//! Scores on 0–100 are compared on five levels 0–4 (SCORING.md's holistic scale): a score maps
//! to the nearest of 0, 25, 50, 75, 100, i.e. `level = floor((score + 12.5) / 25)`, clamped. The
//! kappa uses the full 0..4 range whatever the data hold. Pure arithmetic: no IO.

use std::collections::BTreeMap;

use serde::Serialize;

/// Number of holistic levels (0..=4).
pub const LEVELS: usize = 5;

/// The holistic level 0..=4 of a 0–100 score.
pub fn level(score: f64) -> usize {
    if !score.is_finite() {
        return 0;
    }
    let level = ((score + 12.5) / 25.0).floor();
    level.clamp(0.0, (LEVELS - 1) as f64) as usize
}

/// The widest rating scale [`quadratic_weighted_kappa`] accepts.
pub const MAX_CATEGORIES: usize = 1024;

/// Quadratic weighted kappa (the Kaggle ASAP definition): ratings are integers in
/// `min..=max`; with `range: None` the range is min..max over both vectors. `None` when the
/// vectors differ in length, are empty, or the expected disagreement is zero (one category).
pub fn quadratic_weighted_kappa(a: &[i64], b: &[i64], range: Option<(i64, i64)>) -> Option<f64> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let (min, max) = match range {
        Some(range) => range,
        None => {
            let min = a.iter().chain(b).copied().min()?;
            let max = a.iter().chain(b).copied().max()?;
            (min, max)
        }
    };
    if max < min || a.iter().chain(b).any(|&x| x < min || x > max) {
        return None;
    }
    // The matrix is n×n: a rating scale wider than MAX_CATEGORIES is not a rating scale, and
    // would ask for more memory than there is (and `max - min` can overflow).
    let n = usize::try_from(max.checked_sub(min)?.checked_add(1)?).ok()?;
    if n > MAX_CATEGORIES {
        return None;
    }
    let mut observed = vec![0.0; n * n];
    for (&x, &y) in a.iter().zip(b) {
        observed[(x - min) as usize * n + (y - min) as usize] += 1.0;
    }
    kappa_from_matrix(&observed, n)
}

/// QWK from an n×n confusion matrix (row-major, rows = first rater).
pub fn kappa_from_matrix(observed: &[f64], n: usize) -> Option<f64> {
    if n < 2 || observed.len() != n * n {
        return None;
    }
    let total: f64 = observed.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let rows: Vec<f64> = (0..n)
        .map(|i| observed[i * n..(i + 1) * n].iter().sum())
        .collect();
    let cols: Vec<f64> = (0..n)
        .map(|j| (0..n).map(|i| observed[i * n + j]).sum())
        .collect();
    let denominator = ((n - 1) * (n - 1)) as f64;
    let (mut numerator_sum, mut expected_sum) = (0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            let weight = ((i as f64 - j as f64).powi(2)) / denominator;
            numerator_sum += weight * observed[i * n + j];
            expected_sum += weight * rows[i] * cols[j] / total;
        }
    }
    if expected_sum == 0.0 {
        return None;
    }
    Some(1.0 - numerator_sum / expected_sum)
}

/// Ranks 1..=n, ties sharing the average of the ranks they span.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1..=end; their mean is (start+1+end)/2.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &index in &order[start..end] {
            ranks[index] = rank;
        }
        start = end;
    }
    ranks
}

/// Spearman's ρ: Pearson correlation of the average ranks (correct with ties). `None` for fewer
/// than two pairs or when either side is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    pearson(&average_ranks(a), &average_ranks(b))
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mean_x) * (b - mean_y);
        sxx += (a - mean_x).powi(2);
        syy += (b - mean_y).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some(sxy / (sxx.sqrt() * syy.sqrt()))
}

/// Accumulates (engine, human) pairs as counts of distinct pairs: the level confusion matrix,
/// and a joint table from which Spearman's ρ (with average ranks) is computed exactly. Engine
/// scores are integers 0–100 and human scores are usually whole numbers too, so the table holds
/// at most about 101 × 101 entries however many transcripts are graded.
#[derive(Debug, Clone, Default)]
pub struct Agreement {
    confusion: [[u64; LEVELS]; LEVELS],
    pairs: BTreeMap<(Key, Key), u64>,
    count: u64,
}

/// An f64 as a key whose integer order is the numeric order (finite values; -0 folded into 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key(u64);

impl Key {
    fn new(value: f64) -> Self {
        let bits = (value + 0.0).to_bits();
        Key(if bits >> 63 == 1 {
            !bits
        } else {
            bits | 1 << 63
        })
    }

    #[cfg(test)]
    fn value(self) -> f64 {
        let bits = if self.0 >> 63 == 1 {
            self.0 & !(1 << 63)
        } else {
            !self.0
        };
        f64::from_bits(bits)
    }
}

/// Average ranks (1-based) of each distinct value, from the count of each.
fn ranks_of(counts: &BTreeMap<Key, u64>) -> BTreeMap<Key, f64> {
    let mut below = 0u64;
    counts
        .iter()
        .map(|(&key, &n)| {
            // Positions below+1 ..= below+n share their mean rank.
            let rank = below as f64 + (n as f64 + 1.0) / 2.0;
            below += n;
            (key, rank)
        })
        .collect()
}

/// Spearman's ρ from a table of distinct (a, b) pairs and their counts.
fn spearman_from_counts(pairs: &BTreeMap<(Key, Key), u64>) -> Option<f64> {
    let mut a_counts: BTreeMap<Key, u64> = BTreeMap::new();
    let mut b_counts: BTreeMap<Key, u64> = BTreeMap::new();
    let mut total = 0u64;
    for (&(a, b), &n) in pairs {
        *a_counts.entry(a).or_default() += n;
        *b_counts.entry(b).or_default() += n;
        total += n;
    }
    if total < 2 {
        return None;
    }
    let (a_ranks, b_ranks) = (ranks_of(&a_counts), ranks_of(&b_counts));
    // Both rank vectors average (n + 1) / 2.
    let mean = (total as f64 + 1.0) / 2.0;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&(a, b), &n) in pairs {
        let (da, db) = (a_ranks[&a] - mean, b_ranks[&b] - mean);
        let n = n as f64;
        sab += n * da * db;
        saa += n * da * da;
        sbb += n * db * db;
    }
    if saa == 0.0 || sbb == 0.0 {
        return None;
    }
    Some(sab / (saa.sqrt() * sbb.sqrt()))
}

/// The agreement figures as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementReport {
    pub pairs: usize,
    /// QWK on levels 0–4 (`None` with fewer than two distinct levels overall).
    pub qwk: Option<f64>,
    pub spearman: Option<f64>,
    /// Share of pairs on the same level.
    pub exact: Option<f64>,
    /// Share of pairs within one level.
    pub adjacent: Option<f64>,
    /// Rows: engine level 0..4; columns: human level 0..4.
    pub confusion: [[u64; LEVELS]; LEVELS],
}

impl Agreement {
    /// Adds one pair; non-finite scores are ignored.
    pub fn add(&mut self, engine: f64, human: f64) {
        if !engine.is_finite() || !human.is_finite() {
            return;
        }
        self.confusion[level(engine)][level(human)] += 1;
        *self
            .pairs
            .entry((Key::new(engine), Key::new(human)))
            .or_default() += 1;
        self.count += 1;
    }

    pub fn report(&self) -> AgreementReport {
        let pairs = self.count as usize;
        let matrix: Vec<f64> = self
            .confusion
            .iter()
            .flat_map(|row| row.iter().map(|&count| count as f64))
            .collect();
        let within = |distance: usize| -> Option<f64> {
            if pairs == 0 {
                return None;
            }
            let mut count = 0;
            for (i, row) in self.confusion.iter().enumerate() {
                for (j, &cell) in row.iter().enumerate() {
                    if i.abs_diff(j) <= distance {
                        count += cell;
                    }
                }
            }
            Some(count as f64 / pairs as f64)
        };
        AgreementReport {
            pairs,
            qwk: kappa_from_matrix(&matrix, LEVELS),
            spearman: spearman_from_counts(&self.pairs),
            exact: within(0),
            adjacent: within(1),
            confusion: self.confusion,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qwk_matches_the_asap_vector() {
        let a = [1, 4, 2, 2, 5, 2, 5, 4, 5, 3, 1];
        let b = [3, 4, 4, 4, 4, 4, 6, 7, 8, 9, 10];
        let kappa = quadratic_weighted_kappa(&a, &b, Some((1, 10))).unwrap();
        assert!((kappa - 0.041025641025641).abs() < 1e-12, "{kappa}");
        // The range defaults to min..max over both vectors, here also 1..10.
        let kappa = quadratic_weighted_kappa(&a, &b, None).unwrap();
        assert!((kappa - 0.041025641025641).abs() < 1e-12, "{kappa}");
    }

    #[test]
    fn qwk_identical_is_one_and_reversed_is_minus_one() {
        let a = [0, 1, 2, 3];
        assert!((quadratic_weighted_kappa(&a, &a, None).unwrap() - 1.0).abs() < 1e-12);
        let reversed = [3, 2, 1, 0];
        let kappa = quadratic_weighted_kappa(&a, &reversed, None).unwrap();
        assert!((kappa + 1.0).abs() < 1e-12, "{kappa}");
    }

    #[test]
    fn qwk_refuses_scales_too_wide_to_tabulate() {
        assert_eq!(
            quadratic_weighted_kappa(&[i64::MIN, 0], &[0, i64::MAX], None),
            None
        );
        assert_eq!(
            quadratic_weighted_kappa(&[0, 1_000_000], &[1, 2], None),
            None
        );
        assert!(quadratic_weighted_kappa(&[0, 1, 2], &[0, 2, 1], None).is_some());
    }

    #[test]
    fn qwk_refuses_degenerate_input() {
        assert_eq!(quadratic_weighted_kappa(&[], &[], None), None);
        assert_eq!(quadratic_weighted_kappa(&[1, 2], &[1], None), None);
        assert_eq!(quadratic_weighted_kappa(&[2, 2], &[2, 2], None), None);
        assert_eq!(
            quadratic_weighted_kappa(&[0, 9], &[1, 2], Some((0, 4))),
            None
        );
    }

    #[test]
    fn average_ranks_share_ties() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 20.0, 5.0, 20.0]),
            [2.0, 4.0, 4.0, 1.0, 4.0]
        );
    }

    #[test]
    fn spearman_known_values() {
        // Monotone but not linear: rho = 1.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [1.0, 8.0, 27.0, 64.0, 125.0];
        assert!((spearman(&x, &y).unwrap() - 1.0).abs() < 1e-12);
        let reversed: Vec<f64> = y.iter().rev().copied().collect();
        assert!((spearman(&x, &reversed).unwrap() + 1.0).abs() < 1e-12);
        // Without ties rho = 1 - 6 Σd² / (n(n² - 1)): d = (0, 2, -1, -1, 0) → 1 - 36/120 = 0.7.
        let y = [1.0, 4.0, 2.0, 3.0, 5.0];
        assert!((spearman(&x, &y).unwrap() - 0.7).abs() < 1e-12);
        // With ties (scipy.stats.spearmanr([1,2,3,4,5],[1,2,2,3,3]) = 0.9486832980505138).
        let y = [1.0, 2.0, 2.0, 3.0, 3.0];
        assert!((spearman(&x, &y).unwrap() - 0.9486832980505138).abs() < 1e-12);
        assert_eq!(spearman(&x, &[2.0; 5]), None);
    }

    #[test]
    fn streaming_spearman_matches_the_direct_one() {
        let engine = [10.0, 20.0, 20.0, 35.0, 50.0, 50.0, 50.0, 90.0, 0.0, 100.0];
        let human = [15.0, 10.0, 30.0, 30.0, 45.5, 60.0, 45.5, 85.0, -0.0, 0.0];
        let mut agreement = Agreement::default();
        for (&e, &h) in engine.iter().zip(&human) {
            agreement.add(e, h);
        }
        let streamed = agreement.report().spearman.unwrap();
        let direct = spearman(&engine, &human).unwrap();
        assert!((streamed - direct).abs() < 1e-12, "{streamed} vs {direct}");
        for value in [-3.5, -0.0, 0.0, 1e-300, 42.25, 100.0] {
            assert_eq!(Key::new(value).value(), value + 0.0);
        }
        assert!(Key::new(-1.0) < Key::new(0.0) && Key::new(0.0) < Key::new(0.5));
    }

    #[test]
    fn levels_round_to_the_nearest_quarter() {
        let got: Vec<usize> = [0.0, 12.4, 12.5, 37.0, 62.5, 87.4, 87.5, 100.0, 150.0, -3.0]
            .iter()
            .map(|&s| level(s))
            .collect();
        assert_eq!(got, [0, 0, 1, 1, 3, 3, 4, 4, 4, 0]);
    }

    #[test]
    fn accumulator_reports_exact_and_adjacent() {
        let mut agreement = Agreement::default();
        agreement.add(100.0, 100.0); // 4 vs 4
        agreement.add(75.0, 50.0); // 3 vs 2
        agreement.add(0.0, 100.0); // 0 vs 4
        agreement.add(50.0, 50.0); // 2 vs 2
        let report = agreement.report();
        assert_eq!(report.pairs, 4);
        assert_eq!(report.exact, Some(0.5));
        assert_eq!(report.adjacent, Some(0.75));
        let direct = quadratic_weighted_kappa(&[4, 3, 0, 2], &[4, 2, 4, 2], Some((0, 4))).unwrap();
        assert!((report.qwk.unwrap() - direct).abs() < 1e-12);
    }
}
