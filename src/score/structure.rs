//! The order in which an answer reaches the five stages of reasoning (restate, hypothesis,
//! check, interpret, fix), from the position of each credited concept.
//!
//! Definitions (docs/SCORING.md section 6):
//! - the stage sequence is each stage in order of its first credited concept;
//! - the order score is `1 - inversions / pairs` over that sequence against the natural order
//!   (1.0 for natural order or fewer than two stages, 0.0 when fully reversed);
//! - a *jump* is a fix-stage concept credited before any check or interpretation concept (or
//!   with none at all). The penalty is the rubric's `order_penalty`, capped at the credit those
//!   early fixes earned, so naming a fix can never cost more than it gains.
//!
//! Owns only this computation; must not match text.

use crate::domain::Stage;

use super::Structure;

/// A credited concept: its stage, where it first appeared, and the points it earned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub stage: Stage,
    pub offset: usize,
    pub credit: f64,
}

pub fn assess(placed: &[Placed], order_penalty: f64) -> Structure {
    let mut sorted: Vec<Placed> = placed.to_vec();
    sorted.sort_by(|a, b| a.offset.cmp(&b.offset).then(a.stage.cmp(&b.stage)));
    let mut sequence: Vec<Stage> = Vec::new();
    for p in &sorted {
        if !sequence.contains(&p.stage) {
            sequence.push(p.stage);
        }
    }
    let m = sequence.len();
    let order_score = if m < 2 {
        1.0
    } else {
        let inversions = (0..m)
            .flat_map(|i| (i + 1..m).map(move |j| (i, j)))
            .filter(|&(i, j)| sequence[i] > sequence[j])
            .count();
        1.0 - inversions as f64 / (m * (m - 1) / 2) as f64
    };
    let first_reasoned = sorted
        .iter()
        .filter(|p| matches!(p.stage, Stage::Check | Stage::Interpret))
        .map(|p| p.offset)
        .min()
        .unwrap_or(usize::MAX);
    let early_fix_credit: f64 = sorted
        .iter()
        .filter(|p| p.stage == Stage::Fix && p.offset < first_reasoned)
        .map(|p| p.credit)
        .sum();
    let penalty = if early_fix_credit > 0.0 {
        order_penalty.max(0.0).min(early_fix_credit)
    } else {
        0.0
    };
    Structure {
        stages: sequence.iter().map(|s| s.name().to_owned()).collect(),
        order_score: (order_score * 1000.0).round() / 1000.0,
        penalty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(stage: Stage, offset: usize) -> Placed {
        Placed {
            stage,
            offset,
            credit: 20.0,
        }
    }

    #[test]
    fn natural_order_scores_one() {
        let s = assess(
            &[
                at(Stage::Hypothesis, 0),
                at(Stage::Check, 10),
                at(Stage::Interpret, 20),
                at(Stage::Fix, 30),
            ],
            10.0,
        );
        assert_eq!(s.order_score, 1.0);
        assert_eq!(s.penalty, 0.0);
        assert_eq!(s.stages, ["hypothesis", "check", "interpret", "fix"]);
    }

    #[test]
    fn fix_first_is_a_jump() {
        let s = assess(&[at(Stage::Fix, 0), at(Stage::Check, 10)], 10.0);
        assert_eq!(s.order_score, 0.0);
        assert_eq!(s.penalty, 10.0);
        let lonely = assess(&[at(Stage::Fix, 0)], 10.0);
        assert_eq!(lonely.penalty, 10.0);
        let cheap = assess(
            &[Placed {
                stage: Stage::Fix,
                offset: 0,
                credit: 4.0,
            }],
            10.0,
        );
        assert_eq!(cheap.penalty, 4.0);
    }

    #[test]
    fn partial_inversions() {
        let s = assess(
            &[
                at(Stage::Check, 0),
                at(Stage::Hypothesis, 5),
                at(Stage::Fix, 9),
            ],
            10.0,
        );
        assert!((s.order_score - (1.0 - 1.0 / 3.0)).abs() < 1e-3);
        assert_eq!(s.penalty, 0.0);
    }
}
