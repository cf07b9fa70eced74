//! The cohort summary, folded row by row in input order: count, mean, median (from a 0–100
//! histogram, so memory does not grow with the batch), band distribution, per drill the most
//! missed and most negated concepts, red flags by frequency, and a review queue of the grades
//! most worth a human look.
//!
//! Memory: O(drills × concepts) counters plus bounded review queues. Pure: no IO.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rescore::Row;
use crate::score::Band;

/// How many entries each review queue and each "most missed" list keeps.
pub const TOP: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct Summary {
    histogram: Vec<u64>,
    sum: u64,
    bands: [u64; 4],
    drills: BTreeMap<String, DrillTally>,
    red_flags: BTreeMap<(String, String), u64>,
    drifted: u64,
    tampered: u64,
    low_confidence: Queue<ConfidenceEntry>,
    disagreements: Queue<DisagreementEntry>,
    seq: u64,
}

#[derive(Debug, Clone, Default)]
struct DrillTally {
    count: u64,
    sum: u64,
    missed: BTreeMap<String, u64>,
    negated: BTreeMap<String, u64>,
}

/// A bounded "best K" list: keeps the K smallest keys (ties broken by input order), so it does
/// not grow with the batch and the result does not depend on timing.
#[derive(Debug, Clone)]
struct Queue<T> {
    items: Vec<T>,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Self { items: Vec::new() }
    }
}

trait Keyed {
    fn key(&self) -> (f64, u64);
}

impl<T: Keyed + Clone> Queue<T> {
    fn offer(&mut self, item: T) {
        let key = item.key();
        let worse = |a: (f64, u64), b: (f64, u64)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        if self.items.len() == TOP {
            let last = self.items[TOP - 1].key();
            if worse(key, last).is_ge() {
                return;
            }
            self.items.pop();
        }
        let at = self
            .items
            .partition_point(|existing| worse(existing.key(), key).is_lt());
        self.items.insert(at, item);
    }
}

/// A grade worth a look because the scorer was unsure of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfidenceEntry {
    pub file: String,
    pub drill: String,
    pub score: u32,
    pub confidence: f64,
    #[serde(skip)]
    seq: u64,
}

impl Keyed for ConfidenceEntry {
    fn key(&self) -> (f64, u64) {
        (self.confidence, self.seq)
    }
}

/// A grade worth a look because the human disagreed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisagreementEntry {
    pub file: String,
    pub drill: String,
    pub score: u32,
    pub human_score: f64,
    pub difference: f64,
    pub confidence: f64,
    #[serde(skip)]
    seq: u64,
}

impl Keyed for DisagreementEntry {
    fn key(&self) -> (f64, u64) {
        // Largest difference first, then lowest confidence.
        (-self.difference, self.seq)
    }
}

/// The summary as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryReport {
    pub count: u64,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Per band, from strong hire down.
    pub bands: Vec<BandCount>,
    /// Transcripts whose drill changed since they were recorded.
    pub drifted: u64,
    /// Transcripts whose stored outputs are not what their commands print.
    pub tampered: u64,
    pub drills: Vec<DrillSummary>,
    pub red_flags: Vec<FlagCount>,
    /// Lowest confidence first.
    pub review_low_confidence: Vec<ConfidenceEntry>,
    /// Largest |engine − human| first (only with human scores).
    pub review_disagreements: Vec<DisagreementEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandCount {
    pub band: Band,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrillSummary {
    pub drill: String,
    pub count: u64,
    pub mean: f64,
    pub most_missed: Vec<ConceptCount>,
    pub most_negated: Vec<ConceptCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptCount {
    pub concept: String,
    pub count: u64,
    /// Share of this drill's transcripts.
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagCount {
    pub drill: String,
    pub red_flag: String,
    pub count: u64,
}

fn band_index(band: Band) -> usize {
    match band {
        Band::StrongHire => 0,
        Band::Hire => 1,
        Band::LeanNoHire => 2,
        Band::NoHire => 3,
    }
}

const BANDS: [Band; 4] = [Band::StrongHire, Band::Hire, Band::LeanNoHire, Band::NoHire];

impl Summary {
    pub fn new() -> Self {
        Self {
            histogram: vec![0; 101],
            ..Self::default()
        }
    }

    /// Folds one row in; call in input order (ties in the review queues go to the earlier file).
    pub fn add(&mut self, row: &Row) {
        let score = row.score.min(100);
        if self.histogram.len() != 101 {
            self.histogram = vec![0; 101];
        }
        self.histogram[score as usize] += 1;
        self.sum += u64::from(score);
        self.bands[band_index(row.band)] += 1;
        if row.drift.is_some() {
            self.drifted += 1;
        }
        if row.tampered {
            self.tampered += 1;
        }
        let tally = self.drills.entry(row.drill.clone()).or_default();
        tally.count += 1;
        tally.sum += u64::from(score);
        for concept in &row.concepts_missed {
            *tally.missed.entry(concept.clone()).or_default() += 1;
        }
        for concept in &row.concepts_negated {
            *tally.negated.entry(concept.clone()).or_default() += 1;
        }
        for flag in &row.red_flags {
            *self
                .red_flags
                .entry((row.drill.clone(), flag.clone()))
                .or_default() += 1;
        }
        let seq = self.seq;
        self.seq += 1;
        self.low_confidence.offer(ConfidenceEntry {
            file: row.file.clone(),
            drill: row.drill.clone(),
            score,
            confidence: row.confidence,
            seq,
        });
        if let Some(human) = row.human_score.filter(|human| human.is_finite()) {
            self.disagreements.offer(DisagreementEntry {
                file: row.file.clone(),
                drill: row.drill.clone(),
                score,
                human_score: human,
                difference: (f64::from(score) - human).abs(),
                confidence: row.confidence,
                seq,
            });
        }
    }

    pub fn count(&self) -> u64 {
        self.histogram.iter().sum()
    }

    fn median(&self) -> Option<f64> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        // The k-th smallest score (0-based) from the histogram.
        let nth = |k: u64| -> f64 {
            let mut seen = 0;
            for (score, &n) in self.histogram.iter().enumerate() {
                seen += n;
                if seen > k {
                    return score as f64;
                }
            }
            100.0
        };
        Some(if count % 2 == 1 {
            nth(count / 2)
        } else {
            (nth(count / 2 - 1) + nth(count / 2)) / 2.0
        })
    }

    pub fn report(&self) -> SummaryReport {
        let count = self.count();
        let top = |counts: &BTreeMap<String, u64>, of: u64| -> Vec<ConceptCount> {
            let mut list: Vec<(&String, &u64)> = counts.iter().collect();
            list.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            list.into_iter()
                .take(TOP)
                .map(|(concept, &n)| ConceptCount {
                    concept: concept.clone(),
                    count: n,
                    share: n as f64 / of.max(1) as f64,
                })
                .collect()
        };
        let mut red_flags: Vec<FlagCount> = self
            .red_flags
            .iter()
            .map(|((drill, flag), &count)| FlagCount {
                drill: drill.clone(),
                red_flag: flag.clone(),
                count,
            })
            .collect();
        red_flags.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.drill.cmp(&b.drill))
                .then_with(|| a.red_flag.cmp(&b.red_flag))
        });
        SummaryReport {
            count,
            mean: (count > 0).then(|| self.sum as f64 / count as f64),
            median: self.median(),
            bands: BANDS
                .iter()
                .map(|&band| BandCount {
                    band,
                    count: self.bands[band_index(band)],
                })
                .collect(),
            drifted: self.drifted,
            tampered: self.tampered,
            drills: self
                .drills
                .iter()
                .map(|(drill, tally)| DrillSummary {
                    drill: drill.clone(),
                    count: tally.count,
                    mean: tally.sum as f64 / tally.count.max(1) as f64,
                    most_missed: top(&tally.missed, tally.count),
                    most_negated: top(&tally.negated, tally.count),
                })
                .collect(),
            red_flags,
            review_low_confidence: self.low_confidence.items.clone(),
            review_disagreements: self.disagreements.items.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file: &str, score: u32, confidence: f64, missed: &[&str]) -> Row {
        Row {
            file: file.into(),
            drill: "d".into(),
            candidate: None,
            score,
            band: crate::score::Band::for_score(score),
            confidence,
            raw_score: score,
            hints_used: 0,
            hint_penalty: 0.0,
            tries: 0,
            concepts_hit: vec![],
            concepts_missed: missed.iter().map(|s| s.to_string()).collect(),
            concepts_negated: vec![],
            red_flags: vec!["threads".into()],
            misconceptions: vec![],
            drift: None,
            tampered: false,
            notes: vec![],
            human_score: Some(50.0),
        }
    }

    #[test]
    fn mean_median_and_bands() {
        let mut summary = Summary::new();
        for (i, score) in [10, 90, 40, 70].into_iter().enumerate() {
            summary.add(&row(&format!("f{i}"), score, 0.5, &["a"]));
        }
        let report = summary.report();
        assert_eq!(report.count, 4);
        assert_eq!(report.mean, Some(52.5));
        assert_eq!(report.median, Some(55.0));
        let bands: Vec<u64> = report.bands.iter().map(|b| b.count).collect();
        assert_eq!(bands, [1, 1, 1, 1]);
        assert_eq!(report.drills[0].most_missed[0].count, 4);
        assert_eq!(report.red_flags[0].count, 4);
        summary.add(&row("f4", 100, 0.5, &[]));
        assert_eq!(summary.report().median, Some(70.0));
    }

    #[test]
    fn review_queues_are_bounded_and_ordered() {
        let mut summary = Summary::new();
        for i in 0..(3 * TOP as u32) {
            let confidence = f64::from(i % 7) / 7.0;
            summary.add(&row(&format!("f{i}"), i, confidence, &[]));
        }
        let report = summary.report();
        assert_eq!(report.review_low_confidence.len(), TOP);
        let confidences: Vec<f64> = report
            .review_low_confidence
            .iter()
            .map(|e| e.confidence)
            .collect();
        assert!(confidences.windows(2).all(|w| w[0] <= w[1]));
        // Ties keep input order: the first files with confidence 0 are f0, f7, f14, ...
        assert_eq!(report.review_low_confidence[0].file, "f0");
        assert_eq!(report.review_low_confidence[1].file, "f7");
        let differences: Vec<f64> = report
            .review_disagreements
            .iter()
            .map(|e| e.difference)
            .collect();
        assert_eq!(report.review_disagreements.len(), TOP);
        assert!(differences.windows(2).all(|w| w[0] >= w[1]));
        assert_eq!(differences[0], 50.0);
    }
}
