//! One row of the report from a transcript: the session's final result (`score::session`, the
//! rule of the live scorecard, over the log with its box outputs re-derived by [`super::replay`])
//! and drift against the score the session logged.
//!
//! - hints, tries and the answer come from the log's events, never from counters a file declares;
//! - drift is reported when the drill's content hash differs from the transcript's: the score of
//!   the final scorecard the session logged beside the new one (a logged score above 100 is no
//!   score sysdrill wrote, and is left out);
//! - human scores are not read from the transcript: `grade --human` supplies them.
//!
//! Pure: no IO. The scorer is applied by the caller, so tests can use a stand-in.

use serde::Serialize;

use super::replay::Verified;
use crate::domain::Drill;
use crate::score::session::SessionResult;
use crate::score::{Band, Status};
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
    /// `try` experiments the session ran.
    pub tries: u32,
    pub concepts_hit: Vec<String>,
    pub concepts_missed: Vec<String>,
    /// Concepts the answer mentioned only inside a negation ("it's not lock contention").
    pub concepts_negated: Vec<String>,
    pub red_flags: Vec<String>,
    pub misconceptions: Vec<String>,
    pub drift: Option<Drift>,
    /// A stored output is not what its command prints (the row is graded on what it prints).
    pub tampered: bool,
    /// What the grader should know about this row (tampering, outputs of another version).
    pub notes: Vec<String>,
    /// From `--human`, with `--compare-human`.
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

/// Builds the row from a transcript, its drill, the verified log and its final result.
pub fn row(
    file: String,
    transcript: &Transcript,
    drill: &Drill,
    verified: Verified,
    result: &SessionResult,
) -> Row {
    let report = &result.report;
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
        old_score: transcript
            .final_card()
            .map(|card| card.score)
            .filter(|score| *score <= 100),
        new_score: result.score,
    });
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Row {
        file,
        drill: drill.id.0.clone(),
        candidate: transcript.candidate.clone(),
        score: result.score,
        band: result.band,
        confidence: report.confidence,
        raw_score: report.score.min(100),
        hints_used: count(result.tally.hints_used),
        hint_penalty: result.tally.hint_cost,
        tries: count(result.tally.tries),
        concepts_hit: hit,
        concepts_missed: missed,
        concepts_negated: negated,
        red_flags: fired(&report.red_flags),
        misconceptions: fired(&report.misconceptions),
        drift,
        tampered: verified.tampered,
        notes: verified.notes,
        human_score: None,
    }
}

/// "did you mean `x`?" for an unknown drill id, from the closest known id.
pub fn suggest<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    crate::suggest::closest(unknown, known)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::testing;
    use crate::score::session;
    use crate::transcript::{CardSummary, Entry, Event};

    fn entry(event: Event) -> Entry {
        Entry { at_s: 0.0, event }
    }

    fn graded(transcript: &Transcript, drill: &Drill) -> Row {
        let verified = Verified {
            log: transcript.log.clone(),
            tampered: false,
            notes: vec![],
        };
        let result = session::result(drill, &verified.log, |part, answer, shown| {
            testing::score_part(drill, part, answer, shown)
        });
        row("f".into(), transcript, drill, verified, &result)
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
        let drill = testing::drill("d");
        let mut transcript = testing::transcript("d", drill.content_hash);
        transcript.log = vec![entry(Event::Answer {
            text: "alpha beta gamma".into(),
        })];
        for number in 1..=2 {
            transcript.log.push(entry(Event::Hint {
                number,
                text: "h".into(),
                cost: 0.0,
            }));
        }
        let row = graded(&transcript, &drill);
        // Hints cost 5 and 15 in the test drill.
        assert_eq!(row.hints_used, 2);
        assert_eq!(row.hint_penalty, 20.0);
        assert_eq!(row.score, 80);
        assert_eq!(row.raw_score, 100);
        assert_eq!(row.band, Band::StrongHire);
        assert!(row.drift.is_none());
        assert_eq!(row.human_score, None);
    }

    #[test]
    fn drift_shows_old_and_new_scores_and_leaves_out_impossible_ones() {
        let drill = testing::drill("d");
        let mut transcript = testing::transcript("d", drill.content_hash ^ 1);
        let card = |score| {
            entry(Event::Scorecard(CardSummary {
                final_card: true,
                score,
                rubric_score: score,
                band: Band::LeanNoHire,
                hints_used: 0,
                concepts_hit: vec![],
                concepts_missed: vec![],
                red_flags: vec![],
            }))
        };
        transcript.log = vec![
            entry(Event::Answer {
                text: "alpha".into(),
            }),
            card(42),
        ];
        let row = graded(&transcript, &drill);
        let drift = row.drift.unwrap();
        assert_eq!(drift.old_score, Some(42));
        assert_eq!(drift.new_score, row.score);
        assert_eq!(drift.new_hash, hash_hex(drill.content_hash));

        transcript.log[1] = card(u32::MAX);
        let drift = graded(&transcript, &drill).drift.unwrap();
        assert_eq!(drift.old_score, None);
    }
}
