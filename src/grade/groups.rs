//! `--groups`: answers to the same drill that earn the same set of concepts (and fire the same
//! red flags) fall in one group, so a grader reviews one answer and covers the rest.
//!
//! Memory: one entry per distinct (drill, concepts, red flags) key, each keeping its count, the
//! score range and the first [`EXAMPLES`] files in input order; not the whole file list, which
//! would grow with the batch. Pure: no IO.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rescore::Row;

/// Files listed per group; the count covers the rest.
pub const EXAMPLES: usize = 5;

#[derive(Debug, Clone, Default)]
pub struct Groups {
    groups: BTreeMap<Key, Tally>,
}

type Key = (String, Vec<String>, Vec<String>);

#[derive(Debug, Clone)]
struct Tally {
    count: u64,
    min: u32,
    max: u32,
    files: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub drill: String,
    /// Sorted concept ids the answers hit.
    pub concepts_hit: Vec<String>,
    pub red_flags: Vec<String>,
    pub count: u64,
    pub score_min: u32,
    pub score_max: u32,
    /// The first files of the group, in input order.
    pub files: Vec<String>,
}

impl Groups {
    pub fn add(&mut self, row: &Row) {
        let mut hit = row.concepts_hit.clone();
        hit.sort();
        let mut flags = row.red_flags.clone();
        flags.sort();
        let tally = self
            .groups
            .entry((row.drill.clone(), hit, flags))
            .or_insert(Tally {
                count: 0,
                min: row.score,
                max: row.score,
                files: Vec::new(),
            });
        tally.count += 1;
        tally.min = tally.min.min(row.score);
        tally.max = tally.max.max(row.score);
        if tally.files.len() < EXAMPLES {
            tally.files.push(row.file.clone());
        }
    }

    /// By drill, then the largest groups first (one review covers most), then by concept set.
    pub fn report(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = self
            .groups
            .iter()
            .map(|((drill, hit, flags), tally)| Group {
                drill: drill.clone(),
                concepts_hit: hit.clone(),
                red_flags: flags.clone(),
                count: tally.count,
                score_min: tally.min,
                score_max: tally.max,
                files: tally.files.clone(),
            })
            .collect();
        groups.sort_by(|a, b| {
            a.drill
                .cmp(&b.drill)
                .then(b.count.cmp(&a.count))
                .then_with(|| a.concepts_hit.cmp(&b.concepts_hit))
                .then_with(|| a.red_flags.cmp(&b.red_flags))
        });
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file: &str, drill: &str, hit: &[&str], score: u32) -> Row {
        Row {
            file: file.into(),
            drill: drill.into(),
            candidate: None,
            score,
            band: crate::score::Band::for_score(score),
            confidence: 1.0,
            raw_score: score,
            hints_used: 0,
            hint_penalty: 0.0,
            tries: 0,
            concepts_hit: hit.iter().map(|s| s.to_string()).collect(),
            concepts_missed: vec![],
            concepts_negated: vec![],
            red_flags: vec![],
            misconceptions: vec![],
            drift: None,
            tampered: false,
            notes: vec![],
            human_score: None,
        }
    }

    #[test]
    fn same_drill_and_concepts_group_together_in_any_order() {
        let mut groups = Groups::default();
        groups.add(&row("1", "d", &["a", "b"], 70));
        groups.add(&row("2", "d", &["b", "a"], 60));
        groups.add(&row("3", "d", &["a"], 30));
        groups.add(&row("4", "e", &["a", "b"], 70));
        let report = groups.report();
        assert_eq!(report.len(), 3);
        assert_eq!(report[0].drill, "d");
        assert_eq!(report[0].count, 2);
        assert_eq!(report[0].files, ["1", "2"]);
        assert_eq!((report[0].score_min, report[0].score_max), (60, 70));
        assert_eq!(report[1].concepts_hit, ["a"]);
        assert_eq!(report[2].drill, "e");
    }

    #[test]
    fn example_files_are_capped() {
        let mut groups = Groups::default();
        for i in 0..20 {
            groups.add(&row(&i.to_string(), "d", &[], 0));
        }
        let report = groups.report();
        assert_eq!(report[0].count, 20);
        assert_eq!(report[0].files.len(), EXAMPLES);
    }
}
