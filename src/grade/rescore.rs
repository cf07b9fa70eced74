//! Re-scoring one transcript against the current rubric: which turns are the candidate's answer,
//! what they were shown, the hint cost, and drift against the score saved in the transcript.
//!
//! The rule, the same as the practice session's final score (see `interview`'s module doc), so a
//! transcript of an unchanged drill re-grades to the score it saved:
//! - the answer is every candidate turn that is not a tool command, in order, joined by a blank
//!   line (the scorer sees one answer, so concepts spread over turns all count);
//! - `Shown` is every tool turn (`command` set) with the text it printed, in order;
//! - hints cost the sum of the first `hints_used` hints' `cost` in the drill (hints are given in
//!   order; a count beyond the drill's hints adds nothing more), taken off the 0–100 score,
//!   floored at 0 and rounded, with the interviewer's own `interview::apply_hint_cost`; the band
//!   stays the scorer's band for the answer, as on the practice session's scorecard;
//! - drift is reported when the drill's content hash differs from the transcript's: the old score
//!   (the transcript's `final_score`) beside the new one.
//!
//! Pure: no IO. The scorer is passed in, so tests can use a stand-in.

use serde::Serialize;

use crate::domain::Drill;
use crate::score::{Band, ScoreReport, Shown, ShownOutput, Status};
use crate::transcript::Transcript;

/// One graded transcript: everything a row of the report shows and the summary folds in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub file: String,
    pub drill: String,
    pub candidate: Option<String>,
    /// After the hint penalty.
    pub score: u32,
    pub band: Band,
    pub confidence: f64,
    /// The scorer's score before the hint penalty.
    pub raw_score: u32,
    pub hints_used: u32,
    pub hint_penalty: f64,
    pub concepts_hit: Vec<String>,
    pub concepts_missed: Vec<String>,
    /// Concepts the answer mentioned only inside a negation ("it's not lock contention").
    pub concepts_negated: Vec<String>,
    pub red_flags: Vec<String>,
    pub misconceptions: Vec<String>,
    pub drift: Option<Drift>,
    pub human_score: Option<f64>,
}

/// The drill changed since the session: the score saved then and the score now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    pub old_hash: String,
    pub new_hash: String,
    pub old_score: Option<u32>,
    pub new_score: u32,
}

/// The hex form of a content hash, as transcripts record it.
pub fn hash_hex(hash: u64) -> String {
    format!("{hash:016x}")
}

/// Whether the transcript's recorded hash names this content hash (hex, any case, optional `0x`).
pub fn same_hash(recorded: &str, hash: u64) -> bool {
    let digits = recorded.trim();
    let digits = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
        .unwrap_or(digits);
    u64::from_str_radix(digits, 16).is_ok_and(|value| value == hash)
}

/// The candidate's answer text: their non-tool turns joined by a blank line.
pub fn answer_of(transcript: &Transcript) -> String {
    let mut answer = String::new();
    for turn in &transcript.turns {
        if turn.command.is_none() && turn.who.eq_ignore_ascii_case("candidate") {
            if !answer.is_empty() {
                answer.push_str("\n\n");
            }
            answer.push_str(&turn.text);
        }
    }
    answer
}

/// What the candidate was shown: every tool turn.
pub fn shown_of(transcript: &Transcript) -> Shown {
    Shown {
        outputs: transcript
            .turns
            .iter()
            .filter_map(|turn| {
                turn.command.as_ref().map(|command| ShownOutput {
                    command: command.clone(),
                    text: turn.text.clone(),
                })
            })
            .collect(),
    }
}

/// Points the hints cost: the first `hints_used` hints of the drill.
pub fn hint_penalty(drill: &Drill, hints_used: u32) -> f64 {
    drill
        .hints
        .iter()
        .take(hints_used as usize)
        .map(|hint| hint.cost)
        .sum::<f64>()
        // An empty f64 sum is -0.0, which reports and CSV would print as `-0`.
        + 0.0
}

/// Builds the row from a transcript, its drill and the fresh score report.
pub fn row(file: String, transcript: &Transcript, drill: &Drill, report: &ScoreReport) -> Row {
    let penalty = hint_penalty(drill, transcript.hints_used);
    let raw = report.score.min(100);
    let score = crate::interview::apply_hint_cost(raw, penalty);
    let band = report.band;
    let mut hit = Vec::new();
    let mut missed = Vec::new();
    let mut negated = Vec::new();
    for concept in &report.concepts {
        if concept.hit {
            hit.push(concept.id.clone());
        } else {
            missed.push(concept.id.clone());
            if concept.status == Status::Negated {
                negated.push(concept.id.clone());
            }
        }
    }
    let fired = |flags: &[crate::score::FlagResult]| -> Vec<String> {
        flags
            .iter()
            .filter(|flag| flag.fired)
            .map(|flag| flag.id.clone())
            .collect()
    };
    let drift = (!same_hash(&transcript.content_hash, drill.content_hash)).then(|| Drift {
        old_hash: transcript.content_hash.clone(),
        new_hash: hash_hex(drill.content_hash),
        old_score: transcript.final_score.as_ref().map(|old| old.score),
        new_score: score,
    });
    Row {
        file,
        drill: drill.id.0.clone(),
        candidate: transcript.candidate.clone(),
        score,
        band,
        confidence: report.confidence,
        raw_score: raw,
        hints_used: transcript.hints_used,
        hint_penalty: penalty,
        concepts_hit: hit,
        concepts_missed: missed,
        concepts_negated: negated,
        red_flags: fired(&report.red_flags),
        misconceptions: fired(&report.misconceptions),
        drift,
        human_score: transcript.human_score,
    }
}

/// "did you mean `x`?" for an unknown drill id, from the closest known id.
pub fn suggest<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    crate::suggest::closest(unknown, known)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Turn;

    fn turn(who: &str, text: &str, command: Option<&str>) -> Turn {
        Turn {
            who: who.into(),
            text: text.into(),
            command: command.map(Into::into),
            move_kind: None,
            at_s: 0.0,
        }
    }

    #[test]
    fn answer_and_shown_split_the_turns() {
        let mut transcript = crate::grade::testing::transcript("d", 0);
        transcript.turns = vec![
            turn("interviewer", "what is slow?", None),
            turn("candidate", "vmstat output below", Some("vmstat 1 5")),
            turn("candidate", "r is high", None),
            turn("interviewer", "why?", None),
            turn("Candidate", "lock contention", None),
        ];
        assert_eq!(answer_of(&transcript), "r is high\n\nlock contention");
        let shown = shown_of(&transcript);
        assert_eq!(shown.outputs.len(), 1);
        assert_eq!(shown.outputs[0].command, "vmstat 1 5");
    }

    #[test]
    fn hashes_compare_as_numbers() {
        assert!(same_hash("00000000deadbeef", 0xdead_beef));
        assert!(same_hash("0xDEADBEEF", 0xdead_beef));
        assert!(!same_hash("deadbeee", 0xdead_beef));
        assert!(!same_hash("not hex", 0xdead_beef));
        assert_eq!(hash_hex(0xdead_beef), "00000000deadbeef");
    }

    #[test]
    fn suggestions_pick_the_closest_id() {
        let known = ["futex", "rwlock", "slow-under-load"];
        assert_eq!(
            suggest("slow-under-lod", known.into_iter()),
            Some("slow-under-load")
        );
        assert_eq!(suggest("futx", known.into_iter()), Some("futex"));
        assert_eq!(suggest("completely-else", known.into_iter()), None);
    }

    #[test]
    fn hints_cost_points_as_in_the_interview() {
        let drill = crate::grade::testing::drill("d");
        let mut transcript = crate::grade::testing::transcript("d", drill.content_hash);
        transcript.hints_used = 2;
        let report = crate::grade::testing::score(&drill, "alpha beta gamma", &Shown::default());
        assert_eq!(report.score, 100);
        let row = row("f".into(), &transcript, &drill, &report);
        // Hints cost 5 and 15 in the test drill.
        assert_eq!(row.hint_penalty, 20.0);
        assert_eq!(row.score, 80);
        assert_eq!(row.raw_score, 100);
        assert_eq!(row.band, Band::StrongHire);
        transcript.hints_used = 9;
        let row = super::row("f".into(), &transcript, &drill, &report);
        assert_eq!(row.hint_penalty, 20.0);
        assert!(row.drift.is_none());
    }

    #[test]
    fn drift_shows_old_and_new_scores() {
        let drill = crate::grade::testing::drill("d");
        let mut transcript = crate::grade::testing::transcript("d", drill.content_hash ^ 1);
        transcript.final_score = Some(crate::transcript::FinalScore {
            score: 42,
            band: "lean no hire".into(),
            concepts_hit: vec![],
            concepts_missed: vec![],
            red_flags: vec![],
        });
        let report = crate::grade::testing::score(&drill, "alpha", &Shown::default());
        let row = row("f".into(), &transcript, &drill, &report);
        let drift = row.drift.unwrap();
        assert_eq!(drift.old_score, Some(42));
        assert_eq!(drift.new_score, row.score);
        assert_eq!(drift.new_hash, hash_hex(drill.content_hash));
    }
}
