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
//!
//! The same module judges the conclusion the reasoning reaches. An answer whose conclusion is
//! wrong is not a right answer with a deduction: an interviewer gives little for fluent
//! vocabulary around a wrong diagnosis. The conclusion is wrong when the answer asserts one of
//! the drill's misconceptions, or rejects a required hypothesis (the right cause) without ever
//! affirming it ("It's not lock contention"), and it does not reason every required concept
//! (an answer that does has reached the right conclusion, whatever it says beside it; a
//! required concept merely named in a list does not count), unless it asserts two misconceptions:
//! one wrong belief beside a complete answer is a side error, two are its model. Then every concept keeps only [`WRONG_CONCLUSION_CREDIT`] of its credit, before
//! penalties.
//!
//! Owns only these computations; must not match text.

use crate::domain::Stage;

use super::{ConceptResult, Evidence, FlagResult, Status, Structure};

/// Share of its credit each concept keeps when the answer's conclusion is wrong.
pub const WRONG_CONCLUSION_CREDIT: f64 = 0.4;

/// A concept counts as reasoned (not merely named) when it earned more than this share of its
/// weight: full credit, even diluted (`dilution::FLOOR` and above), is more; a mention credit
/// ([`super::MENTION_CREDIT`]) and the credit kept after a wrong conclusion are less.
const REASONED_SHARE: f64 = 0.5;

/// How many asserted misconceptions make the conclusion wrong even when every required point is
/// reasoned: one can be a side error, two are the answer's model of the problem.
const BELIEFS_THAT_MAKE_A_CONCLUSION: usize = 2;

/// Why an answer's conclusion is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrongConclusion {
    /// It asserts this misconception (an index into the report's misconceptions).
    Misconception(usize),
    /// It rejects this required hypothesis and never affirms it (an index into the concepts).
    RejectedCause(usize),
}

/// The first reason the answer's conclusion is wrong, if any: an asserted misconception, else a
/// required hypothesis the answer only denies.
pub fn wrong_conclusion(
    concepts: &[ConceptResult],
    misconceptions: &[FlagResult],
) -> Option<WrongConclusion> {
    // An answer that reasons every required point has reached the right conclusion: a wrong
    // belief beside it is a side error, charged its own penalty only. A point merely named (a
    // bare list appended) does not count, so a list can never lift the rule.
    let total: f64 = concepts.iter().map(|c| c.weight.max(0.0)).sum();
    let reasoned = |c: &ConceptResult| {
        c.hit && total > 0.0 && c.credit > REASONED_SHARE * c.weight.max(0.0) / total * 100.0
    };
    // Two wrong beliefs are no side error: the vocabulary around them was fluent, not right.
    let asserted = misconceptions.iter().filter(|m| m.fired).count();
    if asserted < BELIEFS_THAT_MAKE_A_CONCLUSION
        && concepts.iter().all(|c| !c.required || reasoned(c))
    {
        return None;
    }
    misconceptions
        .iter()
        .position(|m| m.fired)
        .map(WrongConclusion::Misconception)
        .or_else(|| {
            concepts
                .iter()
                .position(|c| {
                    c.required
                        && c.stage == Stage::Hypothesis
                        && c.status == Status::Negated
                        && c.evidence.as_ref().is_some_and(denied_from_outside)
                })
                .map(WrongConclusion::RejectedCause)
        })
}

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

/// Whether the words that denied a match lie outside it: "It's not lock contention" rejects the
/// cause, while "waiting, not cpu" (an idea one of whose roles is negated) states a fact with a
/// negation in it and rejects nothing.
fn denied_from_outside(evidence: &Evidence) -> bool {
    let Some(trigger) = evidence.trigger.as_deref() else {
        return false;
    };
    let trigger = trigger.to_lowercase();
    let matched = evidence.matched.to_lowercase();
    !matched.match_indices(trigger.as_str()).any(|(at, _)| {
        let before = matched[..at].chars().next_back();
        let after = matched[at + trigger.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
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

    fn denied(matched: &str, trigger: &str) -> Evidence {
        Evidence {
            start: 0,
            end: matched.len(),
            text: matched.into(),
            trigger: Some(trigger.into()),
            fuzzy: false,
            context: matched.into(),
            matched: matched.into(),
            command: None,
        }
    }

    fn concept(stage: Stage, required: bool, status: Status) -> ConceptResult {
        ConceptResult {
            id: "c".into(),
            label: "c".into(),
            hit: status == Status::Asserted,
            status,
            required,
            weight: 1.0,
            stage,
            evidence: (status == Status::Negated).then(|| denied("lock contention", "isn't")),
            // Reasoned in full, as if it were the only concept: tests here use one or two.
            credit: if status == Status::Asserted {
                100.0
            } else {
                0.0
            },
        }
    }

    fn misconception(fired: bool) -> FlagResult {
        FlagResult {
            id: "m".into(),
            fired,
            status: if fired {
                Status::Asserted
            } else {
                Status::Negated
            },
            penalty: 10.0,
            evidence: None,
            message: String::new(),
        }
    }

    #[test]
    fn a_misconception_asserted_is_a_wrong_conclusion() {
        let short = [
            concept(Stage::Hypothesis, true, Status::Asserted),
            concept(Stage::Interpret, true, Status::Missing),
        ];
        assert_eq!(
            wrong_conclusion(&short, &[misconception(false), misconception(true)]),
            Some(WrongConclusion::Misconception(1))
        );
        // A misconception rejected or never said is not.
        assert_eq!(wrong_conclusion(&short, &[misconception(false)]), None);
        // Beside every required point, a wrong belief is a side error, not the conclusion.
        let complete = [
            concept(Stage::Hypothesis, true, Status::Asserted),
            concept(Stage::Interpret, false, Status::Missing),
        ];
        assert_eq!(wrong_conclusion(&complete, &[misconception(true)]), None);
        // Two wrong beliefs are the answer's model of the problem, however complete the rest.
        assert_eq!(
            wrong_conclusion(&complete, &[misconception(true), misconception(true)]),
            Some(WrongConclusion::Misconception(0))
        );
        // A required point only named, not reasoned, does not make the answer complete.
        let mut named = complete.clone();
        named[0].credit = 25.0;
        assert!(wrong_conclusion(&named, &[misconception(true)]).is_some());
        // A point reasoned in a diluted answer is still reasoned: of its full share of 50
        // points, dilution leaves at least 30, a mention at most 12.5.
        let mut diluted = complete.clone();
        diluted[0].credit = 50.0 * crate::score::dilution::FLOOR;
        assert_eq!(wrong_conclusion(&diluted, &[misconception(true)]), None);
        diluted[0].credit = 50.0 * crate::score::MENTION_CREDIT;
        assert!(wrong_conclusion(&diluted, &[misconception(true)]).is_some());
    }

    #[test]
    fn reasoned_sits_between_the_mention_and_the_diluted_credit() {
        const {
            assert!(crate::score::MENTION_CREDIT < REASONED_SHARE);
            assert!(WRONG_CONCLUSION_CREDIT < REASONED_SHARE);
            assert!(REASONED_SHARE < crate::score::dilution::FLOOR);
        }
    }

    #[test]
    fn rejecting_the_required_cause_is_a_wrong_conclusion() {
        let rejected = [
            concept(Stage::Check, true, Status::Asserted),
            concept(Stage::Hypothesis, true, Status::Negated),
        ];
        assert_eq!(
            wrong_conclusion(&rejected, &[]),
            Some(WrongConclusion::RejectedCause(1))
        );
        // Affirmed, merely missing, optional, or a denied fact of another stage: not a wrong
        // conclusion (rubrics phrase some findings as negatives, "no local contention", that a
        // right answer states with its own negation).
        // A negation inside the words that matched states a fact; it rejects nothing.
        let mut inner = concept(Stage::Hypothesis, true, Status::Negated);
        inner.evidence = Some(denied("idle, waiting, not cpu", "not"));
        assert_eq!(wrong_conclusion(&[inner], &[]), None);
        let mut outer = concept(Stage::Hypothesis, true, Status::Negated);
        outer.evidence = Some(denied("nothing waits", "not"));
        assert!(wrong_conclusion(&[outer], &[]).is_some());
        for c in [
            concept(Stage::Hypothesis, true, Status::Asserted),
            concept(Stage::Hypothesis, true, Status::Missing),
            concept(Stage::Hypothesis, false, Status::Negated),
            concept(Stage::Interpret, true, Status::Negated),
            concept(Stage::Check, true, Status::Negated),
        ] {
            assert_eq!(wrong_conclusion(&[c], &[]), None);
        }
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
