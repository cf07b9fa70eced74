//! Raw drill: the YAML shape of `drills/*.yaml`, field for field as docs/FORMATS.md gives it.
//! Ids stay strings here; `validate` checks that every id a rule names exists.

use schemars::JsonSchema;
use serde::Deserialize;

use super::lexicon::RawForm;
use super::{FORMAT_VERSION, ID_PATTERN, NOT_BLANK, default_one_u32};

/// A drill: what the interviewer asks and how answers are scored. The file stem is the drill id.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a drill (a mapping of keys)")]
#[schemars(title = "sysdrill drill")]
#[schemars(rename = "Drill")]
pub struct RawDrill {
    /// Version of this file format; this sysdrill reads version 1.
    #[schemars(range(min = 1, max = FORMAT_VERSION))]
    pub format_version: u32,
    /// One line, shown in listings.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub title: String,
    /// `concept` (the interviewer asks, the candidate explains) or `incident` (the candidate
    /// investigates a simulated machine).
    pub kind: RawDrillKind,
    /// Topics, for `sysdrill list --tag` (default: none).
    #[schemars(inner(regex(pattern = NOT_BLANK)))]
    #[serde(default)]
    pub tags: Vec<String>,
    /// `easy`, `medium` or `hard`.
    pub difficulty: RawDifficulty,
    /// Incident drills: the id of the incident (a file stem under `incidents/`).
    #[schemars(regex(pattern = ID_PATTERN))]
    #[serde(default)]
    pub incident: Option<String>,
    /// Incident drills: the seed used when none is given (default: the incident's).
    #[serde(default)]
    pub seed: Option<u64>,
    /// What the interviewer says first.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub opening: String,
    /// The phases of the interview, in order; at least one.
    #[schemars(length(min = 1))]
    pub phases: Vec<RawPhase>,
    /// How answers are scored.
    pub rubric: RawRubric,
    /// When and how the interviewer pushes back (default: none).
    #[serde(default)]
    pub pushback: Vec<RawPushback>,
    /// Hints the candidate may ask for, in order (default: none).
    #[serde(default)]
    pub hints: Vec<RawHint>,
    /// The model answer shown on the scorecard, line by line (default: none).
    #[serde(default)]
    pub model_answer: Vec<RawModelAnswerLine>,
    /// Calibration answers `sysdrill check` scores against their expected ranges (default: none).
    #[serde(default)]
    pub examples: Vec<RawExample>,
    /// Questions the interviewer asks after the fix (verification, trade-offs, what to monitor,
    /// the next bottleneck), each with its own concepts (default: none).
    #[serde(default)]
    pub follow_ups: Vec<RawFollowUp>,
}

/// What sort of drill it is.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "DrillKind")]
pub enum RawDrillKind {
    /// The candidate investigates a simulated machine (needs `incident`).
    Incident,
    /// The interviewer asks, the candidate explains.
    Concept,
}

/// How hard the drill is.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "Difficulty")]
pub enum RawDifficulty {
    /// Warm-up.
    Easy,
    /// Typical interview question.
    Medium,
    /// Senior-level.
    Hard,
}

/// One of the five steps of reasoning out loud, in their natural order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "Stage")]
pub enum RawStage {
    /// Restate the problem.
    Restate,
    /// Name candidate causes.
    Hypothesis,
    /// Run the decisive checks.
    Check,
    /// Interpret what the checks show.
    Interpret,
    /// Propose fixes tied to the cause.
    Fix,
}

/// A phase of the interview.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a phase (a mapping of keys)")]
#[schemars(rename = "Phase")]
pub struct RawPhase {
    /// Unique within the drill.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub id: String,
    /// What the interviewer asks when the phase opens.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub prompt: String,
    /// Which stages of reasoning the phase is about; at least one.
    #[schemars(length(min = 1))]
    pub stages: Vec<RawStage>,
}

/// How answers are scored.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a rubric (a mapping of keys)")]
#[schemars(rename = "Rubric")]
pub struct RawRubric {
    /// Points (of 100) off for jumping to a fix before any check or reasoning, 0..=100
    /// (default 0).
    #[schemars(range(min = 0, max = 100))]
    #[serde(default)]
    pub order_penalty: f64,
    /// What a strong answer shows; at least one. The score is the hit weight over the total.
    #[schemars(length(min = 1))]
    pub concepts: Vec<RawConcept>,
    /// Proposals a senior interviewer would challenge (default: none).
    #[serde(default)]
    pub red_flags: Vec<RawRedFlag>,
    /// Wrong beliefs with their corrections (default: none).
    #[serde(default)]
    pub misconceptions: Vec<RawMisconception>,
}

/// Something a strong answer shows.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a concept (a mapping of keys)")]
#[schemars(rename = "Concept")]
pub struct RawConcept {
    /// Unique among the drill's concepts.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub id: String,
    /// What the concept is, as the scorecard shows it.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub label: String,
    /// Relative weight, > 0 and at most 1000 (default 1).
    #[schemars(extend("exclusiveMinimum" = 0), range(max = 1000))]
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// The interviewer asks about a missing required concept (default false).
    #[serde(default)]
    pub required: bool,
    /// The stage of reasoning the concept belongs to.
    pub stage: RawStage,
    /// Phrases that assert it, matched token by token with typo tolerance (default: none).
    #[schemars(inner(regex(pattern = NOT_BLANK)))]
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Regular expressions (Rust `regex` syntax) that assert it (default: none).
    #[schemars(inner(length(min = 1)))]
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Ids of lexicon entries whose forms count for this concept (default: none).
    #[serde(default)]
    pub lexicon: Vec<String>,
    /// Concept-local plain forms: phrases, or ideas (`all: [[lock, mutex], [held, hold],
    /// [shorter, less]]`) whose roles must all appear in one clause or sentence (default: none).
    #[serde(default)]
    pub ideas: Vec<RawForm>,
}

fn default_weight() -> f64 {
    1.0
}

/// A proposal a senior interviewer would challenge.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a red flag (a mapping of keys)")]
#[schemars(rename = "RedFlag")]
pub struct RawRedFlag {
    /// Unique among the drill's red flags.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub id: String,
    /// What the proposal is, as the scorecard shows it.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub label: String,
    /// Phrases that fire it (default: none).
    #[schemars(inner(regex(pattern = NOT_BLANK)))]
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Regular expressions that fire it (default: none).
    #[schemars(inner(length(min = 1)))]
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Points (of 100) off when it fires, 0..=100.
    #[schemars(range(min = 0, max = 100))]
    pub penalty: f64,
    /// What the interviewer says when it fires.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub pushback: String,
    /// Whether a hypothetical mention ("maybe add threads?") fires it (default false).
    #[serde(default)]
    pub fires_when_hypothetical: bool,
    /// The proposal in the candidate's own words: phrases or ideas. A claim fires only when
    /// asserted, never when negated, questioned, hypothetical or quoted (default: none).
    #[serde(default)]
    pub claims: Vec<RawForm>,
    /// Ids of lexicon entries whose forms fire it (default: none).
    #[serde(default)]
    pub lexicon: Vec<String>,
}

/// A wrong belief with its correction.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a misconception (a mapping of keys)")]
#[schemars(rename = "Misconception")]
pub struct RawMisconception {
    /// Unique among the drill's misconceptions.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub id: String,
    /// Phrases that state it (default: none).
    #[schemars(inner(regex(pattern = NOT_BLANK)))]
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Regular expressions that state it (default: none).
    #[schemars(inner(length(min = 1)))]
    #[serde(default)]
    pub regexes: Vec<String>,
    /// The belief in the candidate's own words: phrases or ideas. A claim fires only when
    /// asserted, never when negated, questioned, hypothetical or quoted (default: none).
    #[serde(default)]
    pub claims: Vec<RawForm>,
    /// Ids of lexicon entries whose forms state it (default: none).
    #[serde(default)]
    pub lexicon: Vec<String>,
    /// What the interviewer says to correct it.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub correction: String,
    /// Points (of 100) off when it is stated, 0..=100.
    #[schemars(range(min = 0, max = 100))]
    pub penalty: f64,
}

/// A pushback rule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a pushback rule (a mapping of keys)")]
#[schemars(rename = "Pushback")]
pub struct RawPushback {
    /// Unique among the drill's pushback rules.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub id: String,
    /// What makes it fire.
    pub when: RawTrigger,
    /// Alternative phrasings; the seed picks one. At least one.
    #[schemars(length(min = 1), inner(regex(pattern = NOT_BLANK)))]
    pub say: Vec<String>,
    /// How many times in one session the rule may fire, >= 1 (default 1).
    #[schemars(range(min = 1, max = 1000))]
    #[serde(default = "default_one_u32")]
    pub max_times: u32,
}

/// What makes a pushback rule fire.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    rename_all = "snake_case",
    expecting = "a trigger: `{red_flag: ID}`, `{misconception: ID}`, `{missing_concept: ID}`, \
                 `vague`, `{rambling: {words: N}}` or `misread`"
)]
#[schemars(rename = "Trigger")]
pub enum RawTrigger {
    /// The red flag with this id fired.
    RedFlag(String),
    /// The misconception with this id was stated.
    Misconception(String),
    /// The concept with this id is still missing.
    MissingConcept(String),
    /// The answer names no tool and cites no number.
    Vague,
    /// The answer runs long.
    Rambling {
        /// Word count above which the answer counts as rambling (>= 1).
        #[schemars(range(min = 1, max = 100_000))]
        words: u32,
    },
    /// A number cited about the machine disagrees with what was shown.
    Misread,
}

/// A hint.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a hint (a mapping of keys)")]
#[schemars(rename = "Hint")]
pub struct RawHint {
    /// What the interviewer says.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub text: String,
    /// Points (of 100) the hint costs, 0..=100 (default 5).
    #[schemars(range(min = 0, max = 100))]
    #[serde(default = "default_hint_cost")]
    pub cost: f64,
}

fn default_hint_cost() -> f64 {
    5.0
}

/// One line of the model answer.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a model answer line (a mapping of keys)"
)]
#[schemars(rename = "ModelAnswerLine")]
pub struct RawModelAnswerLine {
    /// The concept this line demonstrates (shown on the scorecard when it is missed).
    #[serde(default)]
    pub concept: Option<String>,
    /// The line itself.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub text: String,
}

/// A calibration example.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an example (a mapping of keys)")]
#[schemars(rename = "Example")]
pub struct RawExample {
    /// Unique among the drill's examples.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub name: String,
    /// The answer to score.
    #[schemars(regex(pattern = NOT_BLANK))]
    pub answer: String,
    /// Expected score range `[low, high]`, inclusive, within 0..=100.
    #[schemars(extend("prefixItems" = [{"type": "number", "minimum": 0, "maximum": 100}, {"type": "number", "minimum": 0, "maximum": 100}]))]
    pub score: (f64, f64),
    /// Concepts the answer must hit (default: none).
    #[serde(default)]
    pub must_hit: Vec<String>,
    /// Concepts the answer must not hit (default: none).
    #[serde(default)]
    pub must_miss: Vec<String>,
    /// Red flags that must fire (default: none).
    #[serde(default)]
    pub red_flags: Vec<String>,
    /// Misconceptions that must fire (default: none).
    #[serde(default)]
    pub misconceptions: Vec<String>,
    /// Incident drills: tool command lines (`vmstat 1 5`) run in order on the drill's incident
    /// at the drill's seed before scoring; the answer's numbers are checked against their
    /// outputs, as in a session (default: none).
    #[schemars(inner(regex(pattern = NOT_BLANK)))]
    #[serde(default)]
    pub shown: Vec<String>,
}

/// A question asked after the fix, with the concepts a good answer to it makes.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a follow-up (a mapping of keys)")]
#[schemars(rename = "FollowUp")]
pub struct RawFollowUp {
    /// Unique among the drill's follow-ups.
    pub id: String,
    /// What the interviewer asks.
    pub ask: String,
    /// What a good answer says; at least one.
    pub concepts: Vec<RawFollowUpConcept>,
}

/// A point a follow-up answer can make, matched like a rubric concept.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a follow-up concept (a mapping of keys)"
)]
#[schemars(rename = "FollowUpConcept")]
pub struct RawFollowUpConcept {
    /// Unique within the drill, rubric concepts included.
    pub id: String,
    /// Shown on the scorecard.
    pub label: String,
    /// Literal phrases (matched as the rubric's are).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Regular expressions (matched as the rubric's are).
    #[serde(default)]
    pub regexes: Vec<String>,
}
