//! A session's final result, computed from its drill and its log: the one rule the live
//! scorecard, `grade` and `stats` share, so a transcript re-grades to the score the candidate saw.
//!
//! The rule:
//! - the answer is every `answer` event's text, trimmed, blank and junk ones (`clear`, a lone
//!   word: the interviewer nudges instead of scoring them) left out, joined by a blank line (the scorer sees one answer, so concepts spread over turns all count);
//! - what the candidate was shown is, in order, every output of a command (what it printed, or
//!   the error the box printed instead) and every `try` result; an error from a `try` (a bad
//!   parameter or tool line) shows nothing of the box;
//! - a drill's follow-up questions have concepts of their own: the same answer is scored against
//!   them alone (matched like rubric concepts, no flags, no order penalty), and the share of
//!   their weight it earns adds up to [`FOLLOW_UP_POINTS`] to the 0–100 rubric score, capped at
//!   100 (a fix carried through to verification and cost counts, without outweighing the
//!   diagnosis);
//! - hints used are the `hint` outputs given; they cost the drill's first that-many hints, each
//!   cost counted as at least 0, taken off that score, floored at 0 and rounded; the band stays
//!   the scorer's band for the rubric (hints and follow-ups change the score only);
//! - nothing after the final scorecard counts (the session was over).
//!
//! Pure: no IO. The scorer is passed in, so tests and the interviewer can use their own.

use crate::domain::Drill;
use crate::score::{Band, ScoreReport, Shown, ShownOutput};
use crate::transcript::{Entry, Event};

/// The most a drill's follow-up questions add to a session's score, in points of 100.
pub const FOLLOW_UP_POINTS: f64 = 10.0;

/// What an answer is scored against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The drill's rubric.
    Rubric,
    /// The concepts of the drill's follow-up questions, as [`follow_up_rubric`] makes them.
    FollowUps,
}

/// What a log amounts to before the rubric is applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// The answers joined as they are scored.
    pub answer: String,
    /// How many non-blank answers were given.
    pub answers: usize,
    pub shown: Shown,
    pub hints_used: usize,
    /// Points the hints used cost.
    pub hint_cost: f64,
    /// `try` experiments that ran.
    pub tries: usize,
}

/// The final result of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionResult {
    pub tally: Tally,
    /// The rubric's report for the whole answer against everything shown.
    pub report: ScoreReport,
    /// The answer against the follow-ups' concepts; `None` when the drill has none.
    pub follow_ups: Option<ScoreReport>,
    /// Points the follow-ups added (0 to [`FOLLOW_UP_POINTS`], before the cap at 100).
    pub follow_up_points: f64,
    /// The rubric score with the follow-up points, after hint costs.
    pub score: u32,
    pub band: Band,
}

/// Reads a log into the inputs of the final score.
pub fn tally(drill: &Drill, log: &[Entry]) -> Tally {
    let mut tally = Tally::default();
    for entry in log {
        let event = &entry.event;
        match event {
            Event::Answer { text } => {
                let text = text.trim();
                // Junk (`clear`, `?`, a lone word) gets a nudge, not a score.
                if !text.is_empty() && !crate::commands::is_junk(text) {
                    if !tally.answer.is_empty() {
                        tally.answer.push_str("\n\n");
                    }
                    tally.answer.push_str(text);
                    tally.answers += 1;
                }
            }
            Event::ToolOutput { command, text } | Event::WhatIf { command, text } => {
                if matches!(event, Event::WhatIf { .. }) {
                    tally.tries += 1;
                }
                tally.shown.outputs.push(ShownOutput {
                    command: command.clone(),
                    text: text.clone(),
                });
            }
            // A refused command line showed nothing of the box: running `perf lock report`
            // before `perf lock record` is not a check made.
            Event::ToolError { .. } => {}
            Event::Hint { .. } => tally.hints_used += 1,
            Event::Scorecard(card) if card.final_card => break,
            _ => {}
        }
    }
    tally.hint_cost = hint_cost(drill, tally.hints_used);
    tally
}

/// The final result: the log's tally scored by `score` against the drill's rubric and, when the
/// drill has follow-ups (only then is [`Part::FollowUps`] asked for), against their concepts.
pub fn result(
    drill: &Drill,
    log: &[Entry],
    mut score: impl FnMut(Part, &str, &Shown) -> ScoreReport,
) -> SessionResult {
    let tally = tally(drill, log);
    let report = score(Part::Rubric, &tally.answer, &tally.shown);
    let follow_ups =
        (!drill.follow_ups.is_empty()).then(|| score(Part::FollowUps, &tally.answer, &tally.shown));
    let follow_up_points = follow_ups.as_ref().map_or(0.0, follow_up_points);
    SessionResult {
        score: final_score(report.score, follow_up_points, tally.hint_cost),
        band: report.band,
        tally,
        report,
        follow_ups,
        follow_up_points,
    }
}

/// The drill with the follow-ups' concepts as its whole rubric: no red flags, misconceptions,
/// order penalty or examples, so a scorer built from it scores only those concepts.
pub fn follow_up_rubric(drill: &Drill) -> Drill {
    let mut rubric_drill = drill.clone();
    rubric_drill.rubric.concepts = drill
        .follow_ups
        .iter()
        .flat_map(|follow_up| follow_up.concepts.iter().cloned())
        .collect();
    rubric_drill.rubric.red_flags.clear();
    rubric_drill.rubric.misconceptions.clear();
    rubric_drill.rubric.order_penalty = 0.0;
    rubric_drill.examples.clear();
    rubric_drill
}

/// Points a report against the follow-ups' concepts earns: the share of their weight credited
/// (the scorer's credit, so a keyword-stuffed mention counts half) of [`FOLLOW_UP_POINTS`].
pub fn follow_up_points(report: &ScoreReport) -> f64 {
    let credit: f64 = report
        .concepts
        .iter()
        .map(|concept| concept.credit)
        .filter(|credit| credit.is_finite() && *credit > 0.0)
        .sum();
    (credit / 100.0).clamp(0.0, 1.0) * FOLLOW_UP_POINTS
}

/// Points the first `hints_used` hints of the drill cost (a negative cost counts as 0; hints are
/// given in order, so a count beyond the drill's hints adds nothing more).
pub fn hint_cost(drill: &Drill, hints_used: usize) -> f64 {
    drill
        .hints
        .iter()
        .take(hints_used)
        .map(|hint| hint.cost.max(0.0))
        .sum::<f64>()
        // An empty f64 sum is -0.0, which reports and CSV would print as `-0`.
        + 0.0
}

/// The final score: the rubric score (at most 100) plus the follow-up points, capped at 100,
/// minus hint costs, floored at 0 and rounded.
pub fn final_score(rubric: u32, follow_up_points: f64, hint_cost: f64) -> u32 {
    // A broken report (NaN) adds nothing.
    let bonus = if follow_up_points.is_nan() {
        0.0
    } else {
        follow_up_points.clamp(0.0, FOLLOW_UP_POINTS)
    };
    let earned = (f64::from(rubric.min(100)) + bonus).min(100.0);
    let value = (earned - hint_cost.max(0.0)).max(0.0);
    value.round() as u32
}

/// The final score of a session without follow-up points.
pub fn apply_hint_cost(rubric: u32, cost: f64) -> u32 {
    final_score(rubric, 0.0, cost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::MoveKind;
    use crate::transcript::CardSummary;

    fn at(event: Event) -> Entry {
        Entry { at_s: 0.0, event }
    }

    fn drill() -> Drill {
        let mut drill = crate::grade::testing::drill("d");
        drill.hints[1].cost = -3.0;
        drill
    }

    #[test]
    fn answers_join_and_only_what_the_box_printed_counts_as_shown() {
        let log = vec![
            at(Event::Move {
                kind: MoveKind::Opening,
                text: "What is slow?".into(),
            }),
            at(Event::Command {
                line: "vmstat 1 5".into(),
            }),
            at(Event::ToolOutput {
                command: "vmstat 1 5".into(),
                text: "procs".into(),
            }),
            at(Event::Answer {
                text: "  r is high ".into(),
            }),
            at(Event::Answer { text: "   ".into() }),
            at(Event::Command {
                line: "top -q".into(),
            }),
            at(Event::ToolError {
                command: "top -q".into(),
                message: "top: bad flag".into(),
            }),
            at(Event::Try {
                args: "threads=2 vmstat -x".into(),
            }),
            at(Event::ToolError {
                command: "vmstat -x".into(),
                message: "vmstat: bad flag".into(),
            }),
            at(Event::Try {
                args: "threads=2".into(),
            }),
            at(Event::WhatIf {
                command: "try threads=2".into(),
                text: "before / after".into(),
            }),
            at(Event::Answer {
                text: "lock contention".into(),
            }),
        ];
        let tally = tally(&drill(), &log);
        assert_eq!(tally.answer, "r is high\n\nlock contention");
        assert_eq!(tally.answers, 2);
        let commands: Vec<&str> = tally
            .shown
            .outputs
            .iter()
            .map(|output| output.command.as_str())
            .collect();
        assert_eq!(commands, ["vmstat 1 5", "try threads=2"]);
        assert_eq!(tally.tries, 1);
    }

    #[test]
    fn hints_cost_the_drills_hints_clamped_at_zero() {
        let hint = |number| {
            at(Event::Hint {
                number,
                text: "h".into(),
                // The logged cost is ignored: the drill's cost counts.
                cost: 0.0,
            })
        };
        let drill = drill();
        let log = vec![hint(1), hint(2), hint(3)];
        let tally = tally(&drill, &log);
        assert_eq!(tally.hints_used, 3);
        // 5 for the first hint, 0 (not -3) for the second; there is no third.
        assert_eq!(tally.hint_cost, 5.0);
        assert_eq!(apply_hint_cost(100, 5.0), 95);
        assert_eq!(apply_hint_cost(3, 5.0), 0);
        assert_eq!(apply_hint_cost(250, 0.0), 100);
        assert_eq!(apply_hint_cost(50, -10.0), 50);
    }

    #[test]
    fn follow_ups_add_their_share_of_the_bounded_points_capped_at_100() {
        let mut drill = drill();
        let concept = |id: &str| crate::domain::Concept {
            id: id.into(),
            label: id.into(),
            weight: 1.0,
            required: false,
            phrases: vec![id.into()],
            regexes: vec![],
            stage: crate::domain::Stage::Fix,
            lexicon: Vec::new(),
            ideas: Vec::new(),
        };
        drill.follow_ups = vec![crate::domain::FollowUp {
            id: "verify".into(),
            ask: "How would you verify it?".into(),
            concepts: vec![concept("canary"), concept("rollback")],
        }];
        let score = |log: &[Entry]| {
            result(&drill, log, |part, answer, shown| {
                crate::grade::testing::score_part(&drill, part, answer, shown)
            })
        };
        let answer = |text: &str| at(Event::Answer { text: text.into() });
        let without = score(&[answer("it is alpha and beta")]);
        assert_eq!(without.follow_up_points, 0.0);
        let with = score(&[answer("it is alpha and beta"), answer("a canary first")]);
        // One of two equal follow-up concepts: half the follow-up points.
        assert_eq!(with.follow_up_points, FOLLOW_UP_POINTS / 2.0);
        assert_eq!(
            with.score,
            final_score(with.report.score, FOLLOW_UP_POINTS / 2.0, 0.0)
        );
        assert_eq!(
            with.report.concepts, without.report.concepts,
            "the rubric is scored alone"
        );
        assert!(with.score > without.score);
        // The follow-up concepts are not rubric concepts.
        assert!(with.report.concepts.iter().all(|c| c.id != "canary"));
        assert_eq!(final_score(98, FOLLOW_UP_POINTS, 0.0), 100);
        assert_eq!(final_score(98, FOLLOW_UP_POINTS, 5.0), 95);
        assert_eq!(final_score(50, 1e9, 0.0), 50 + FOLLOW_UP_POINTS as u32);
        assert_eq!(final_score(50, f64::NAN, 0.0), 50);
    }

    #[test]
    fn nothing_after_the_final_scorecard_counts() {
        let card = CardSummary {
            final_card: true,
            score: 0,
            rubric_score: 0,
            band: Band::NoHire,
            hints_used: 0,
            concepts_hit: vec![],
            concepts_missed: vec![],
            red_flags: vec![],
        };
        let log = vec![
            at(Event::Answer {
                text: "it is alpha".into(),
            }),
            at(Event::Scorecard(CardSummary {
                final_card: false,
                ..card.clone()
            })),
            at(Event::Answer {
                text: "then beta".into(),
            }),
            // A lone word is junk: nudged, never scored.
            at(Event::Answer {
                text: "delta".into(),
            }),
            at(Event::Scorecard(card)),
            at(Event::Answer {
                text: "and gamma".into(),
            }),
        ];
        let result = result(&drill(), &log, |part, answer, shown| {
            crate::grade::testing::score_part(&drill(), part, answer, shown)
        });
        assert_eq!(result.tally.answer, "it is alpha\n\nthen beta");
        assert_eq!(result.score, result.report.score);
    }
}
