//! Practice transcripts: the JSON a REPL session writes after every turn (atomically), and that
//! `grade` re-scores. Hand-written YAML transcripts are read too (through `content::yaml`).
//!
//! This is one of the two places (with `content::raw`) that derive `Deserialize`.

use serde::{Deserialize, Serialize};

/// Bump on any change to the layout; readers refuse newer versions.
pub const FORMAT_VERSION: u32 = 1;

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
    #[serde(default)]
    pub turns: Vec<Turn>,
    #[serde(default)]
    pub hints_used: u32,
    /// The scorecard at the end of the session (absent while it is still running).
    #[serde(default)]
    pub final_score: Option<FinalScore>,
    /// A human grade for `grade --compare-human`.
    #[serde(default)]
    pub human_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    /// `interviewer` or `candidate`.
    pub who: String,
    pub text: String,
    /// For a tool command: the command line; `text` is then what it showed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The interviewer's move (`challenge_red_flag`, `ask_missing`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_kind: Option<String>,
    /// Seconds since the session started.
    #[serde(default)]
    pub at_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinalScore {
    pub score: u32,
    pub band: String,
    #[serde(default)]
    pub concepts_hit: Vec<String>,
    #[serde(default)]
    pub concepts_missed: Vec<String>,
    #[serde(default)]
    pub red_flags: Vec<String>,
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
            turns: Vec::new(),
            hints_used: 0,
            final_score: None,
            human_score: None,
        }
    }

    /// The candidate's answers (turns by the candidate without a command), joined as the
    /// interviewer scores them.
    pub fn answer_text(&self) -> String {
        self.turns
            .iter()
            .filter(|turn| turn.who == "candidate" && turn.command.is_none())
            .map(|turn| turn.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}
