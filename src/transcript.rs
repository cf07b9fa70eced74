//! Practice transcripts: the session log the interviewer writes, with the facts needed to
//! replay it (drill, content hash, seed, sysdrill version). The REPL saves it as JSON
//! (atomically) after every turn; `grade` and `stats` read it back. Hand-written YAML
//! transcripts are read too (through `content::yaml`).
//!
//! Format 2 (this one) keeps one typed log: every input the candidate gave and every output the
//! interviewer returned, in order, each stamped with the seconds since the session started.
//! Format 1 (a list of `who`/`text` turns with counters beside it) is still read: `load` turns
//! it into a log.
//!
//! This is one of the two places (with `content::raw`) that derive `Deserialize`.

use serde::{Deserialize, Serialize};

use crate::interview::{Input, MoveKind, Output, Scorecard};
use crate::score::Band;

/// Bump on any change to the layout; readers refuse newer versions and convert older ones.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transcript {
    pub format_version: u32,
    pub drill_id: String,
    /// Hex of the drill's content hash when the session ran.
    pub content_hash: String,
    pub seed: u64,
    pub sysdrill_version: String,
    /// Who practised, when known (graders' cohorts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<String>,
    /// RFC 3339 start time, from the wall clock at the edge (never used by the core).
    #[serde(default)]
    pub started_at: String,
    #[serde(default)]
    pub finished_at: Option<String>,
    #[serde(default)]
    pub mode: String,
    /// Everything that happened, in order.
    #[serde(default)]
    pub log: Vec<Entry>,
}

/// One event of a session with the seconds since the session started (wall time, measured at
/// the edge; it never changes a score).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub at_s: f64,
    #[serde(flatten)]
    pub event: Event,
}

/// What the candidate did (inputs) or what came back (outputs), tagged `event` in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Input: free-text reasoning, scored.
    Answer {
        text: String,
    },
    /// Input: a command line for the simulated box.
    Command {
        line: String,
    },
    /// Input: `try` with its arguments (`threads=16 vmstat 1 3`).
    Try {
        args: String,
    },
    /// Input: the candidate asked for a hint.
    HintRequest,
    /// Input: the candidate asked for the score so far.
    ScoreRequest,
    Help,
    Time {
        #[serde(default)]
        wall_s: Option<u64>,
    },
    /// Input: the candidate ended the session (`quit`, or end of input).
    Quit,
    /// Output: the interviewer speaks.
    Move {
        kind: MoveKind,
        text: String,
    },
    /// Output: an interviewer line of a format-1 transcript that recorded no move kind.
    Remark {
        text: String,
    },
    /// Output: what a command printed on the box.
    ToolOutput {
        command: String,
        text: String,
    },
    /// Output: the box refused a command line (as a shell prints it).
    ToolError {
        command: String,
        message: String,
    },
    /// Output: before and after of a `try`.
    WhatIf {
        command: String,
        text: String,
    },
    /// Output: practice mode's points earned.
    Feedback {
        text: String,
    },
    /// Output: help, time and usage messages.
    Info {
        text: String,
    },
    /// Output: a hint given (number from 1; the cost the drill charged for it).
    Hint {
        number: usize,
        text: String,
        cost: f64,
    },
    /// Output: a scorecard shown (mid-session on `score`, or the final one).
    Scorecard(CardSummary),
}

/// The scorecard as logged: the numbers and ids, not the prose the candidate read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSummary {
    /// The end-of-session card (as opposed to a `score` request mid-session).
    pub final_card: bool,
    /// After hint costs.
    pub score: u32,
    pub rubric_score: u32,
    pub band: Band,
    #[serde(default)]
    pub hints_used: usize,
    #[serde(default)]
    pub concepts_hit: Vec<String>,
    #[serde(default)]
    pub concepts_missed: Vec<String>,
    #[serde(default)]
    pub red_flags: Vec<String>,
}

impl Event {
    /// The log event for an input.
    pub fn input(input: &Input) -> Event {
        match input {
            Input::Answer(text) => Event::Answer { text: text.clone() },
            Input::Tool(line) => Event::Command { line: line.clone() },
            Input::Try(args) => Event::Try { args: args.clone() },
            Input::Hint => Event::HintRequest,
            Input::Score => Event::ScoreRequest,
            Input::Help => Event::Help,
            Input::Time { wall_s } => Event::Time { wall_s: *wall_s },
            Input::Quit => Event::Quit,
        }
    }

    /// The log event for an output; `None` for the edge's own signals (`Finished`).
    pub fn output(output: &Output) -> Option<Event> {
        Some(match output {
            Output::Say { kind, text } => Event::Move {
                kind: *kind,
                text: text.clone(),
            },
            Output::Tool { command, text } => Event::ToolOutput {
                command: command.clone(),
                text: text.clone(),
            },
            Output::ToolError { command, message } => Event::ToolError {
                command: command.clone(),
                message: message.clone(),
            },
            Output::WhatIf { command, text } => Event::WhatIf {
                command: command.clone(),
                text: text.clone(),
            },
            Output::Feedback(text) => Event::Feedback { text: text.clone() },
            Output::Info(text) => Event::Info { text: text.clone() },
            Output::Hint { number, text, cost } => Event::Hint {
                number: *number,
                text: text.clone(),
                cost: *cost,
            },
            Output::Scorecard(card) => Event::Scorecard(CardSummary::of(card)),
            Output::Finished => return None,
        })
    }

    /// Whether the candidate did this (as opposed to what came back).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Event::Answer { .. }
                | Event::Command { .. }
                | Event::Try { .. }
                | Event::HintRequest
                | Event::ScoreRequest
                | Event::Help
                | Event::Time { .. }
                | Event::Quit
        )
    }

    /// Whether this is what the box printed (the outputs `grade` re-derives).
    pub fn is_box_output(&self) -> bool {
        matches!(
            self,
            Event::ToolOutput { .. } | Event::ToolError { .. } | Event::WhatIf { .. }
        )
    }
}

impl CardSummary {
    pub fn of(card: &Scorecard) -> Self {
        let ids = |hit: bool| {
            card.concepts
                .iter()
                .filter(|concept| concept.hit == hit)
                .map(|concept| concept.id.clone())
                .collect()
        };
        Self {
            final_card: card.final_card,
            score: card.score,
            rubric_score: card.rubric_score,
            band: card.band,
            hints_used: card.hints_used,
            concepts_hit: ids(true),
            concepts_missed: ids(false),
            red_flags: card.red_flags.iter().map(|flag| flag.id.clone()).collect(),
        }
    }
}

pub mod load;
pub mod save;

pub use save::save;

impl Transcript {
    /// A transcript for a session that is starting now (`started_at` is RFC 3339 from the edge).
    pub fn new(
        drill_id: &str,
        content_hash: u64,
        seed: u64,
        mode: &str,
        candidate: Option<String>,
        started_at: String,
    ) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            drill_id: drill_id.to_owned(),
            content_hash: format!("{content_hash:016x}"),
            seed,
            sysdrill_version: env!("CARGO_PKG_VERSION").to_owned(),
            candidate,
            started_at,
            finished_at: None,
            mode: mode.to_owned(),
            log: Vec::new(),
        }
    }

    /// The final scorecard as the session logged it (absent while the session is unfinished).
    pub fn final_card(&self) -> Option<&CardSummary> {
        self.log.iter().rev().find_map(|entry| match &entry.event {
            Event::Scorecard(card) if card.final_card => Some(card),
            _ => None,
        })
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn events_are_tagged_and_bands_are_snake_case() {
        let entries = vec![
            Entry {
                at_s: 0.5,
                event: Event::HintRequest,
            },
            Entry {
                at_s: 1.0,
                event: Event::Move {
                    kind: MoveKind::AskMissing,
                    text: "Why?".into(),
                },
            },
            Entry {
                at_s: 2.0,
                event: Event::Scorecard(CardSummary {
                    final_card: true,
                    score: 40,
                    rubric_score: 45,
                    band: Band::LeanNoHire,
                    hints_used: 1,
                    concepts_hit: vec!["a".into()],
                    concepts_missed: vec![],
                    red_flags: vec![],
                }),
            },
        ];
        let json = serde_json::to_value(&entries).unwrap();
        assert_eq!(
            json[0],
            serde_json::json!({"at_s": 0.5, "event": "hint_request"})
        );
        assert_eq!(json[1]["event"], "move");
        assert_eq!(json[1]["kind"], "ask_missing");
        assert_eq!(json[2]["event"], "scorecard");
        assert_eq!(json[2]["band"], "lean_no_hire");
        let back: Vec<Entry> = serde_json::from_value(json).unwrap();
        assert_eq!(back, entries);
    }

    #[test]
    fn move_kinds_serialize_as_their_names() {
        for kind in [
            MoveKind::Opening,
            MoveKind::ChallengeRedFlag,
            MoveKind::AskMissing,
            MoveKind::NextPhase,
            MoveKind::WrapUp,
            MoveKind::Hint,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }
}
