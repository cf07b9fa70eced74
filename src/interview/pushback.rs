//! Choosing the interviewer's move after an answer (fixed priority order, `max_times`, seeded phrasing).
//!
//! Order: challenge a red flag; correct a misconception; question a misread number; press an
//! answer that never commits to say what it believes; ask about the most important missing
//! required concept (the current phase's stages first, then earlier
//! phases'); probe vagueness; cut off rambling. `None` means nothing to push on: the caller moves
//! to the next phase or wraps up. Every move is counted in a [`Ledger`], so a drill's rule fires
//! at most its `max_times` and a built-in move at most its own limit; that bound is also what
//! guarantees a session always progresses.
//!
//! Must not: assert anything about the machine, or name a concept the candidate has not hit. The
//! built-in phrasings below only ask; the drill's own texts (red-flag pushback, misconception
//! correction, rule phrasings) are the coach's responsibility and are linted elsewhere.

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;
use rand_core::Rng;

use super::memory::Memory;
use crate::domain::{Drill, PushbackRule, Stage, Trigger};
use crate::score::{self, ScoreReport};

/// Built-in limits for moves the drill has no rule for.
const ASKS_PER_PHASE: u32 = 2;
const VAGUE_PER_PHASE: u32 = 1;
const RAMBLING_PER_SESSION: u32 = 1;
const MISREADS_PER_SESSION: u32 = 2;
/// An answer hedged throughout is pressed to commit at most this often: once told, a candidate
/// who still hedges is scored as hedging (the scorer keeps half the credit), not nagged.
const PRESS_COMMITMENT_PER_SESSION: u32 = 1;
/// Built-in rambling threshold, words in one answer.
pub const RAMBLING_WORDS: usize = 250;

/// The kind of move, as recorded in transcripts (the `kind` of a `move` event, in snake case).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    Opening,
    ChallengeRedFlag,
    CorrectMisconception,
    ChallengeMisread,
    /// Presses an answer that hedges every point to say which cause it believes.
    PressCommitment,
    AskMissing,
    /// Asks what an output the candidate produced shows.
    AskAboutOutput,
    /// Reacts to a `try`: it made things worse, or it helped (what does it cost?).
    ChallengeTry,
    /// A drill's follow-up question after the fix.
    FollowUp,
    /// A short nudge for input too thin to score.
    Nudge,
    ProbeVague,
    CutRambling,
    NextPhase,
    WrapUp,
    Hint,
}

impl MoveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MoveKind::Opening => "opening",
            MoveKind::ChallengeRedFlag => "challenge_red_flag",
            MoveKind::CorrectMisconception => "correct_misconception",
            MoveKind::ChallengeMisread => "challenge_misread",
            MoveKind::PressCommitment => "press_commitment",
            MoveKind::AskMissing => "ask_missing",
            MoveKind::AskAboutOutput => "ask_about_output",
            MoveKind::ChallengeTry => "challenge_try",
            MoveKind::FollowUp => "follow_up",
            MoveKind::Nudge => "nudge",
            MoveKind::ProbeVague => "probe_vague",
            MoveKind::CutRambling => "cut_rambling",
            MoveKind::NextPhase => "next_phase",
            MoveKind::WrapUp => "wrap_up",
            MoveKind::Hint => "hint",
        }
    }
}

/// How often each rule and built-in move has fired in this session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    fired: BTreeMap<String, u32>,
}

impl Ledger {
    pub fn count(&self, key: &str) -> u32 {
        self.fired.get(key).copied().unwrap_or(0)
    }

    pub fn record(&mut self, key: &str) {
        *self.fired.entry(key.to_owned()).or_insert(0) += 1;
    }
}

/// What the chooser needs to know about the session.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub drill: &'a Drill,
    /// Index of the current phase.
    pub phase: usize,
    /// The latest answer's text.
    pub latest: &'a str,
    pub incident_drill: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub kind: MoveKind,
    pub text: String,
    /// The drill's rule that fired, if any.
    pub rule: Option<String>,
    /// The step the move asks about, if it asks for one.
    pub stage: Option<Stage>,
}

/// Picks at most one move and records it in the ledger. `turn` is the latest answer's report,
/// `total` the report of all answers so far (missing concepts are judged on the whole).
/// Only phrasings the dialogue memory permits are used (nothing unseen named, nothing said
/// twice in a row), and no step the candidate covered or answered is asked for again; a tool
/// run not yet talked about is asked about instead of which tool the candidate would run.
pub fn choose(
    context: &Context<'_>,
    turn: &ScoreReport,
    total: &ScoreReport,
    ledger: &mut Ledger,
    rng: &mut ChaCha8Rng,
    memory: &mut Memory,
) -> Option<Move> {
    let drill = context.drill;
    let phase_key = |what: &str| format!("phase:{}:{what}", context.phase);

    // 1. Red flags in the latest answer.
    for flag in turn.red_flags.iter().filter(|flag| flag.fired) {
        let matches = |rule: &PushbackRule| rule.when == Trigger::RedFlag(flag.id.clone());
        if let Some(chosen) = from_rules(drill, turn, ledger, rng, memory, matches) {
            return Some(chosen.with_kind(MoveKind::ChallengeRedFlag));
        }
        let key = format!("red_flag:{}", flag.id);
        if spent(drill, ledger, matches) || ledger.count(&key) > 0 {
            continue; // the drill's own rule governs this flag, and it is spent
        }
        let own = [flag.message.trim()];
        let text =
            pick_permitted(rng, memory, &own).or_else(|| pick_permitted(rng, memory, RED_FLAG));
        if let Some(text) = text {
            ledger.record(&key);
            return Some(Move::new(MoveKind::ChallengeRedFlag, text));
        }
    }

    // 2. Misconceptions in the latest answer.
    for wrong in turn.misconceptions.iter().filter(|flag| flag.fired) {
        let trigger = Trigger::Misconception(wrong.id.clone());
        if let Some(chosen) = from_rules(drill, turn, ledger, rng, memory, |rule| {
            rule.when == trigger
        }) {
            return Some(chosen.with_kind(MoveKind::CorrectMisconception));
        }
        let key = format!("misconception:{}", wrong.id);
        if spent(drill, ledger, |rule| rule.when == trigger) || ledger.count(&key) > 0 {
            continue;
        }
        let lead = pick(rng, CORRECTION_LEAD);
        let own = format!("{lead} {}", wrong.message.trim());
        let own = [own.as_str()];
        let text = if wrong.message.trim().is_empty() {
            None
        } else {
            pick_permitted(rng, memory, &own)
        };
        if let Some(text) = text.or_else(|| pick_permitted(rng, memory, MISCONCEPTION)) {
            ledger.record(&key);
            return Some(Move::new(MoveKind::CorrectMisconception, text));
        }
    }

    // 3. A number read wrongly off an output.
    if !turn.misreads.is_empty() {
        if let Some(chosen) = from_rules(drill, turn, ledger, rng, memory, |rule| {
            rule.when == Trigger::Misread
        }) {
            return Some(chosen.with_kind(MoveKind::ChallengeMisread));
        }
        if !has_rule(drill, |rule| rule.when == Trigger::Misread)
            && ledger.count("misread") < MISREADS_PER_SESSION
        {
            let misread = &turn.misreads[0];
            // Names the field and quotes the candidate; never says what the value was.
            let options: Vec<String> = MISREAD
                .iter()
                .map(|line| {
                    line.replace("{cited}", misread.cited.trim())
                        .replace("{field}", &misread.field)
                })
                .collect();
            let options: Vec<&str> = options.iter().map(String::as_str).collect();
            if let Some(text) = pick_permitted(rng, memory, &options) {
                ledger.record("misread");
                return Some(Move::new(MoveKind::ChallengeMisread, text));
            }
        }
    }

    // 4. An answer that never commits (the scorer's judgement: hedges throughout) is asked to
    // say what it believes before it is asked for more: more points hedged the same way would
    // earn no more.
    if turn.dilution.uncommitted
        && ledger.count("commit") < PRESS_COMMITMENT_PER_SESSION
        && let Some(text) = pick_permitted(rng, memory, PRESS_COMMITMENT)
    {
        ledger.record("commit");
        return Some(Move::new(MoveKind::PressCommitment, text));
    }

    // 5. The most important missing required concept of a step not yet covered; for the
    // checks, what the candidate already ran comes first.
    let asks = phase_key("ask");
    for concept in missing_required(context, total) {
        if memory.is_covered(concept.stage) {
            continue;
        }
        if ledger.count(&asks) >= ASKS_PER_PHASE {
            break;
        }
        if concept.stage == Stage::Check
            && let Some(chosen) = about_output(rng, memory)
        {
            ledger.record(&asks);
            return Some(chosen);
        }
        let trigger = Trigger::MissingConcept(concept.id.clone());
        if let Some(chosen) = from_rules(drill, total, ledger, rng, memory, |rule| {
            rule.when == trigger
        }) {
            ledger.record(&asks);
            return Some(chosen.with_kind(MoveKind::AskMissing).about(concept.stage));
        }
        if has_rule(drill, |rule| rule.when == trigger) {
            continue;
        }
        let key = format!("ask:{}", concept.id);
        if ledger.count(&key) == 0
            && let Some(text) = pick_permitted(rng, memory, ask_phrasings(concept.stage))
        {
            ledger.record(&key);
            ledger.record(&asks);
            return Some(Move::new(MoveKind::AskMissing, text).about(concept.stage));
        }
    }

    // 6. Vagueness: no tool named and no number cited (the scorer counts both). A candidate who
    // ran tools is asked what they showed, not which tool they would run.
    let stages = current_stages(context);
    let investigating = stages.contains(&Stage::Check) || stages.contains(&Stage::Interpret);
    let vague = turn.tools.is_empty() && turn.numbers_cited == 0;
    if context.incident_drill
        && vague
        && let Some(chosen) = about_output(rng, memory)
    {
        return Some(chosen);
    }
    // Asking which tool or number only makes sense while investigating: a vague restatement
    // or list of hypotheses is not asked for measurements.
    if (investigating || !context.incident_drill)
        && let Some(chosen) = from_rules(drill, turn, ledger, rng, memory, |rule| {
            rule.when == Trigger::Vague
        })
    {
        return Some(chosen.with_kind(MoveKind::ProbeVague));
    }
    let vague_key = phase_key("vague");
    if context.incident_drill
        && investigating
        && !has_rule(drill, |rule| rule.when == Trigger::Vague)
        && vague
        && ledger.count(&vague_key) < VAGUE_PER_PHASE
        && let Some(text) = pick_permitted(rng, memory, VAGUE)
    {
        ledger.record(&vague_key);
        return Some(Move::new(MoveKind::ProbeVague, text));
    }

    // 7. Rambling.
    if let Some(chosen) = from_rules(drill, turn, ledger, rng, memory, |rule| {
        matches!(rule.when, Trigger::Rambling { .. })
    }) {
        return Some(chosen.with_kind(MoveKind::CutRambling));
    }
    if !has_rule(drill, |rule| matches!(rule.when, Trigger::Rambling { .. }))
        && turn.word_count > RAMBLING_WORDS
        && ledger.count("rambling") < RAMBLING_PER_SESSION
        && let Some(text) = pick_permitted(rng, memory, RAMBLING)
    {
        ledger.record("rambling");
        return Some(Move::new(MoveKind::CutRambling, text));
    }
    None
}

/// "You ran `perf lock report`; which line matters?" about the latest run not yet discussed.
fn about_output(rng: &mut ChaCha8Rng, memory: &mut Memory) -> Option<Move> {
    let command = memory.take_undiscussed()?;
    let options: Vec<String> = ABOUT_OUTPUT
        .iter()
        .map(|line| line.replace("{command}", &command))
        .collect();
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    pick_permitted(rng, memory, &options).map(|text| Move::new(MoveKind::AskAboutOutput, text))
}

impl Move {
    pub fn new(kind: MoveKind, text: String) -> Self {
        Self {
            kind,
            text,
            rule: None,
            stage: None,
        }
    }

    fn with_kind(mut self, kind: MoveKind) -> Self {
        self.kind = kind;
        self
    }

    fn about(mut self, stage: Stage) -> Self {
        self.stage = Some(stage);
        self
    }
}

/// Whether the drill has a rule for this trigger and every such rule has fired its
/// `max_times`.
fn spent(drill: &Drill, ledger: &Ledger, matches: impl Fn(&PushbackRule) -> bool) -> bool {
    let mut rules = drill
        .pushback
        .iter()
        .filter(|rule| matches(rule))
        .peekable();
    rules.peek().is_some()
        && rules.all(|rule| ledger.count(&format!("rule:{}", rule.id)) >= rule.max_times.max(1))
}

fn has_rule(drill: &Drill, matches: impl Fn(&PushbackRule) -> bool) -> bool {
    drill.pushback.iter().any(matches)
}

/// The first of the drill's rules that matches, applies to `report` and has firings left.
fn from_rules(
    drill: &Drill,
    report: &ScoreReport,
    ledger: &mut Ledger,
    rng: &mut ChaCha8Rng,
    memory: &Memory,
    matches: impl Fn(&PushbackRule) -> bool,
) -> Option<Move> {
    for rule in drill.pushback.iter().filter(|rule| matches(rule)) {
        let key = format!("rule:{}", rule.id);
        if ledger.count(&key) >= rule.max_times.max(1) || rule.say.is_empty() {
            continue;
        }
        if !score::triggered(rule, report) {
            continue;
        }
        let options: Vec<&str> = rule.say.iter().map(String::as_str).collect();
        let Some(text) = pick_permitted(rng, memory, &options) else {
            continue;
        };
        ledger.record(&key);
        return Some(Move {
            rule: Some(rule.id.clone()),
            ..Move::new(MoveKind::AskMissing, text)
        });
    }
    None
}

fn current_stages<'d>(context: &Context<'d>) -> &'d [Stage] {
    context
        .drill
        .phases
        .get(context.phase)
        .map_or(&[], |phase| phase.stages.as_slice())
}

/// Required concepts not hit, most important first: those of the current phase's stages, then
/// those of earlier phases' stages (later phases will ask for theirs); by weight within each.
/// On the last phase every stage counts.
fn missing_required<'r>(
    context: &Context<'_>,
    total: &'r ScoreReport,
) -> Vec<&'r crate::score::ConceptResult> {
    let phases = &context.drill.phases;
    let last = context.phase + 1 >= phases.len();
    let current = current_stages(context);
    let earlier: Vec<Stage> = phases
        .iter()
        .take(context.phase)
        .flat_map(|phase| phase.stages.iter().copied())
        .collect();
    let rank = |stage: Stage| -> Option<u8> {
        if current.contains(&stage) {
            Some(0)
        } else if earlier.contains(&stage) {
            Some(1)
        } else if last {
            Some(2)
        } else {
            None
        }
    };
    let mut missing: Vec<(u8, usize, &crate::score::ConceptResult)> = total
        .concepts
        .iter()
        .enumerate()
        .filter(|(_, concept)| concept.required && !concept.hit)
        .filter_map(|(index, concept)| rank(concept.stage).map(|r| (r, index, concept)))
        .collect();
    missing.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.2.weight.total_cmp(&a.2.weight))
            .then(a.1.cmp(&b.1))
    });
    missing.into_iter().map(|(_, _, concept)| concept).collect()
}

/// One phrasing, chosen by the session's seeded stream.
fn pick(rng: &mut ChaCha8Rng, options: &[&str]) -> String {
    if options.is_empty() {
        return String::new();
    }
    // Lemire's multiply-shift maps a u64 onto 0..len without modulo bias worth mentioning here,
    // and stays stable across rand versions (we never use rand's distributions).
    let index = ((u128::from(rng.next_u64()) * options.len() as u128) >> 64) as usize;
    options[index].to_owned()
}

/// One of the phrasings the memory permits, chosen by the seeded stream; `None` when every
/// phrasing would name something unseen or repeat the last move.
pub(crate) fn pick_permitted(
    rng: &mut ChaCha8Rng,
    memory: &Memory,
    options: &[&str],
) -> Option<String> {
    let permitted: Vec<&str> = options
        .iter()
        .copied()
        .filter(|option| !option.trim().is_empty() && memory.permits(option))
        .collect();
    (!permitted.is_empty()).then(|| pick(rng, &permitted))
}

pub(crate) fn wrap_up_line(rng: &mut ChaCha8Rng) -> String {
    pick(rng, WRAP_UP)
}

const RED_FLAG: &[&str] = &[
    "Hold on. What makes you confident that would help here, rather than make it worse?",
    "Before we go with that: what evidence from the box supports it?",
    "Let's pause on that proposal. What would you expect to see if it were the right call?",
];

const CORRECTION_LEAD: &[&str] = &[
    "Let me correct one thing.",
    "One correction before we go on.",
    "Careful there.",
];

const MISCONCEPTION: &[&str] = &[
    "I'm not sure that's accurate. Can you walk me through how that mechanism works?",
    "Are you sure about that? Explain what actually happens underneath.",
];

const MISREAD: &[&str] = &[
    "You said \"{cited}\". Look at the {field} values you were shown again: is that what they say?",
    "Check that number: \"{cited}\". What did the {field} column actually show?",
    "Let's be precise about \"{cited}\". What are the {field} figures in the output?",
];

const PRESS_COMMITMENT: &[&str] = &[
    "You've hedged every point so far. If you had to commit to one cause now, which would it be, and what backs it?",
    "I hear a lot of \"maybe\" and \"could be\". Pick one: what do you think is actually going on, and how sure are you?",
    "Let's get you to commit. Which of those possibilities do you believe, and what result would prove you wrong?",
];

const VAGUE: &[&str] = &[
    "Can you make that concrete? Which command would you run, and what number would you look at?",
    "That's a bit general. What exactly would you measure, with which tool?",
    "How would you know? Name the tool and the figure you'd expect to see.",
];

const ABOUT_OUTPUT: &[&str] = &[
    "You ran `{command}`. Which line of it matters here, and what does it tell you?",
    "Look at what `{command}` printed. Which number stands out to you, and why?",
    "You have the `{command}` output in front of you: what does it rule in or out?",
];

/// Said when an answer is too thin to score (a lone word, `clear`): not credited.
pub(crate) const NUDGE: &[&str] = &[
    "Say a little more: what do you think is going on, and why? (`help` lists the commands.)",
    "I need a sentence or two to go on: what are you thinking? (`help` lists the commands.)",
];

/// Said when an answer only says the candidate has finished ("done"): how to end the drill.
pub(crate) const SIGN_OFF: &str = "If you're finished, type `quit` (or press Ctrl-D) to end the drill and see your scorecard. If not, tell me what you think is going on.";

const RAMBLING: &[&str] = &[
    "Let me stop you there. In two sentences: what do you think is going on?",
    "That's a lot. Give me the short version: what is your leading hypothesis, and which one check settles it?",
    "Pause. If you had to bet on one cause right now, which would it be and why?",
];

const WRAP_UP: &[&str] = &[
    "Good, let's stop there. Here is how that went.",
    "Thanks, that's the end of the drill. Here's the scorecard.",
    "Let's wrap up. Here is what you covered and what you missed.",
];

pub(crate) fn ask_phrasings(stage: Stage) -> &'static [&'static str] {
    match stage {
        Stage::Restate => &[
            "Before you dig in: how would you restate the problem, and what would success look like?",
            "Let's make sure we agree on the problem. What exactly is the symptom, and how will you know it's fixed?",
        ],
        Stage::Hypothesis => &[
            "What else could explain this? Give me another candidate cause.",
            "Is that the only explanation you'd consider? What are the alternatives?",
            "Which hypotheses are on your list at this point?",
        ],
        Stage::Check => &[
            "How would you tell those hypotheses apart? What's the decisive check?",
            "Which measurement would rule one of them in or out?",
            "What would you look at next, and what result would change your mind?",
        ],
        Stage::Interpret => &[
            "What does that tell you? Walk me through what the numbers mean.",
            "How do you read what you've seen so far, and what does it rule out?",
            "Connect the evidence to a cause for me: what mechanism produces those numbers?",
        ],
        Stage::Fix => &[
            "So what would you change, and why does that follow from the cause?",
            "What fix would you propose, and how would you verify it worked?",
            "Is there another way to fix it? What are the trade-offs?",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_phrasings_never_state_machine_facts() {
        // Every built-in line is a question or an instruction to look, never a claim about the box.
        let mut all: Vec<&str> = Vec::new();
        all.extend(RED_FLAG);
        all.extend(MISCONCEPTION);
        all.extend(MISREAD);
        all.extend(VAGUE);
        all.extend(PRESS_COMMITMENT);
        all.extend(RAMBLING);
        all.extend(ABOUT_OUTPUT);
        all.extend(NUDGE);
        for stage in Stage::ALL {
            all.extend(ask_phrasings(stage));
        }
        for line in all {
            assert!(line.contains('?'), "not a question: {line}");
        }
    }

    #[test]
    fn pick_is_deterministic_per_seed() {
        use rand_core::SeedableRng;
        let run = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..8).map(|_| pick(&mut rng, VAGUE)).collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert!((2..10).any(|seed| run(seed) != run(1)));
    }
}
