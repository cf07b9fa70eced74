//! A drill: the interviewer's opening and phases, the rubric an answer is scored against,
//! pushback rules, hints, a model answer and calibration examples.
//!
//! Patterns are kept as the author wrote them; `score` compiles them once per drill. Validation
//! guarantees that every id a rule names exists and that every regex compiles within limits.

use super::{DrillId, Form, IncidentId, Lexicon};

#[derive(Debug, Clone, PartialEq)]
pub struct Drill {
    pub id: DrillId,
    pub title: String,
    pub kind: DrillKind,
    pub tags: Vec<String>,
    pub difficulty: Difficulty,
    /// The simulated machine, for incident drills.
    pub incident: Option<IncidentId>,
    /// Seed for the incident when none is given.
    pub seed: Option<u64>,
    /// What the interviewer says first.
    pub opening: String,
    /// In order. Incident drills follow the five steps; concept drills usually have one or two.
    pub phases: Vec<Phase>,
    pub rubric: Rubric,
    pub pushback: Vec<PushbackRule>,
    pub hints: Vec<Hint>,
    pub model_answer: Vec<ModelAnswerLine>,
    pub examples: Vec<Example>,
    /// Asked after the fix, before the scorecard.
    pub follow_ups: Vec<FollowUp>,
    /// Stable hash of the source text; a transcript graded after the drill changed shows drift.
    pub content_hash: u64,
    /// The lexicon entries the rubric names (resolved when the drill is loaded, with every
    /// coach's extension), so a drill scores on its own.
    pub lexicon: Lexicon,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DrillKind {
    Incident,
    Concept,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

/// The five steps of reasoning out loud (seed notes, "how to answer"), in their natural order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Restate,
    Hypothesis,
    Check,
    Interpret,
    Fix,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Restate,
        Stage::Hypothesis,
        Stage::Check,
        Stage::Interpret,
        Stage::Fix,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Restate => "restate",
            Stage::Hypothesis => "hypothesis",
            Stage::Check => "check",
            Stage::Interpret => "interpret",
            Stage::Fix => "fix",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub id: String,
    /// What the interviewer asks when the phase opens.
    pub prompt: String,
    /// Which stages of reasoning this phase is about; the interviewer moves on once the
    /// required concepts of these stages are hit (or it has probed enough).
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rubric {
    pub concepts: Vec<Concept>,
    pub red_flags: Vec<RedFlag>,
    pub misconceptions: Vec<Misconception>,
    /// Points (of 100) taken off when the answer jumps to a fix before any check or reasoning.
    pub order_penalty: f64,
}

/// Something a strong answer shows. It hits when one of its forms (phrases, regexes, ideas and
/// those of the lexicon entries it names) matches outside a negated or hypothetical scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    pub id: String,
    pub label: String,
    /// Relative weight (> 0); the score is the hit weight over the total.
    pub weight: f64,
    pub required: bool,
    pub phrases: Vec<String>,
    pub regexes: Vec<String>,
    pub stage: Stage,
    /// Lexicon entry ids whose forms count for this concept.
    pub lexicon: Vec<String>,
    /// Concept-local plain forms (phrases and ideas).
    pub ideas: Vec<Form>,
}

/// A proposal a senior interviewer would challenge ("add more threads").
#[derive(Debug, Clone, PartialEq)]
pub struct RedFlag {
    pub id: String,
    pub label: String,
    pub phrases: Vec<String>,
    pub regexes: Vec<String>,
    /// Points (of 100) taken off when it fires.
    pub penalty: f64,
    /// What the interviewer says when it fires.
    pub pushback: String,
    /// Whether a hypothetical mention ("maybe add threads?") fires it (default: no).
    pub fires_when_hypothetical: bool,
    /// The claim in the candidate's own words: fires only when asserted.
    pub claims: Vec<Form>,
    pub lexicon: Vec<String>,
}

/// A wrong belief with its correction ("a futex is a lock").
#[derive(Debug, Clone, PartialEq)]
pub struct Misconception {
    pub id: String,
    pub phrases: Vec<String>,
    pub regexes: Vec<String>,
    pub correction: String,
    pub penalty: f64,
    /// The belief in the candidate's own words: fires only when asserted.
    pub claims: Vec<Form>,
    pub lexicon: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PushbackRule {
    pub id: String,
    pub when: Trigger,
    /// Alternative phrasings; the seed picks one.
    pub say: Vec<String>,
    /// How many times in one session this rule may fire (>= 1).
    pub max_times: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    RedFlag(String),
    Misconception(String),
    MissingConcept(String),
    /// The answer names no tool and cites no number.
    Vague,
    /// The answer runs over `words` words.
    Rambling {
        words: u32,
    },
    /// A number cited about the machine disagrees with what was shown.
    Misread,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    pub text: String,
    /// Points (of 100) a hint costs.
    pub cost: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelAnswerLine {
    /// The concept this line demonstrates, if any (the scorecard shows it for a missed concept).
    pub concept: Option<String>,
    pub text: String,
}

/// A calibration example: `sysdrill check` scores it and compares with the expectation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Example {
    pub name: String,
    pub answer: String,
    /// Inclusive score range.
    pub score: (f64, f64),
    pub must_hit: Vec<String>,
    pub must_miss: Vec<String>,
    /// Red flags that must fire.
    pub red_flags: Vec<String>,
    /// Misconceptions that must fire.
    pub misconceptions: Vec<String>,
    /// Tool command lines run, in order, on the drill's incident at the drill's seed before the
    /// answer is scored: their outputs are what the answer's numbers are checked against.
    pub shown: Vec<String>,
    /// 1-based line of the example in its file, for reports (0 when not known).
    pub line: usize,
}

/// A question the interviewer asks after the fix, with its own concepts (stage `fix`). They are
/// matched like rubric concepts and shown on the scorecard, apart from the rubric score.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub id: String,
    pub ask: String,
    pub concepts: Vec<Concept>,
}

impl Drill {
    pub fn concept(&self, id: &str) -> Option<&Concept> {
        self.rubric.concepts.iter().find(|concept| concept.id == id)
    }

    pub fn model_line_for(&self, concept: &str) -> Option<&str> {
        self.model_answer
            .iter()
            .find(|line| line.concept.as_deref() == Some(concept))
            .map(|line| line.text.as_str())
    }
}

impl DrillKind {
    /// As listings print it.
    pub fn name(self) -> &'static str {
        match self {
            DrillKind::Incident => "incident",
            DrillKind::Concept => "concept",
        }
    }
}

impl Difficulty {
    /// As listings print it.
    pub fn name(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}
