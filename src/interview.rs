//! The interviewer: a state machine over a drill's phases that reads each input and answers with
//! one move, in a fixed priority order (see `pushback`). Free of terminal IO and of the clock.
//!
//! The edge (`repl`) turns lines into [`Input`]s (see [`Input::classify`]) and prints the
//! [`Output`]s; wall time arrives as data inside an input, never read here. After every answer
//! the accumulated answers are scored (the rubric is compiled once per session) and
//! [`pushback::choose`] picks one move; when it has nothing to push on, the interview moves to
//! the next phase, and after the last phase it wraps up with the [`Scorecard`].
//!
//! Architecture invariants: the persona never states a fact about the machine (it only asks,
//! quotes the drill's own pushback and corrections, or prints what a tool printed), and never
//! shows a model-answer line or the label of a concept the candidate has not hit, except in a
//! hint the candidate asked for or in the final scorecard.
//!
//! The session writes its own log ([`Interview::log`]): every input handled and every output
//! returned, in order; that log is the transcript. The final score is computed from it by
//! `score::session`, the rule `grade` and `stats` apply to saved transcripts too.

pub mod memory;
pub mod pushback;
pub mod teach;

use std::sync::Arc;

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use crate::commands::{self, Verb};
use crate::console::Console;
use crate::domain::{Drill, DrillKind, Incident, Seed, Stage, stable_hash};
use crate::model;
use crate::model::whatif::{self, Override};
use crate::score::session;
use crate::score::{
    Band, CompiledForms, Evidence, ScoreReport, Scorer, Shown, ShownOutput, Status,
};
use crate::transcript::{Entry, Event};

pub use crate::score::session::apply_hint_cost;

pub use memory::Memory;
pub use pushback::{Ledger, MoveKind};

/// Simulated seconds a `try` runs before and after the change, unless the tool asks for more.
pub const TRY_SECONDS: usize = 10;

/// Most times one session challenges a `try` that made things worse.
const TRY_CHALLENGES: u32 = 2;

/// How the interviewer behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Pushback only; evidence is kept for the scorecard.
    #[default]
    Interview,
    /// Gentler: after each answer, the points it earned are shown with their evidence.
    Practice,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Interview => "interview",
            Mode::Practice => "practice",
        }
    }
}

/// One thing the candidate did.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Free text: reasoning, to be scored.
    Answer(String),
    /// A tool command line to run on the simulated box (`vmstat 1 5`).
    Tool(String),
    /// `try PARAM=VALUE … [TOOL ARGS]`: the arguments after `try`.
    Try(String),
    Hint,
    Score,
    Help,
    /// Elapsed wall-clock seconds, measured at the edge (`None` when unknown).
    Time {
        wall_s: Option<u64>,
    },
    Quit,
}

impl Input {
    /// Classifies one line the candidate typed; `None` for a blank line. The rule lives in the
    /// command registry ([`commands::classify`]): a line that looks like a command line (a
    /// program's name with arguments, a path, a pipe) goes to the box, even when the box lacks
    /// the program, and is never scored.
    pub fn classify(line: &str) -> Option<Input> {
        Some(match commands::classify(line) {
            commands::Line::Blank => return None,
            commands::Line::Verb(verb, args) => match verb {
                Verb::Help => Input::Help,
                Verb::Hint => Input::Hint,
                Verb::Score => Input::Score,
                Verb::Time => Input::Time { wall_s: None },
                Verb::Try => Input::Try(args.to_owned()),
                Verb::Quit => Input::Quit,
            },
            commands::Line::Command(command) => Input::Tool(command.to_owned()),
            commands::Line::Answer(answer) => Input::Answer(answer.to_owned()),
        })
    }
}

/// What the interviewer (or the box) says back.
#[allow(clippy::large_enum_variant)] // a scorecard is made once or twice a session
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// The interviewer speaks: a question, a challenge, a phase prompt.
    Say {
        kind: MoveKind,
        text: String,
    },
    /// What a tool printed on the simulated box.
    Tool {
        command: String,
        text: String,
    },
    /// The tool refused the command line (as a shell would print it).
    ToolError {
        command: String,
        message: String,
    },
    /// Before / after of a `try`.
    WhatIf {
        command: String,
        text: String,
    },
    /// Practice mode: the points the last answer earned, with evidence.
    Feedback(String),
    /// Help, time, usage messages: not part of the interview itself.
    Info(String),
    Hint {
        number: usize,
        text: String,
        cost: f64,
    },
    Scorecard(Scorecard),
    /// The session is over; the edge saves and leaves.
    Finished,
}

/// Scores answers against a drill. [`Scorer`] is the real one; tests substitute their own.
pub trait Grader {
    fn grade(&self, answer: &str, shown: &Shown) -> ScoreReport;
}

impl Grader for Scorer {
    fn grade(&self, answer: &str, shown: &Shown) -> ScoreReport {
        self.score(answer, shown)
    }
}

/// A session holds its scorer behind an `Arc`: a cloned session (a `try` experiment, a
/// benchmark's fresh copy) shares the compiled rubric and the regexes' warmed lazy-DFA caches
/// instead of recompiling; a cloned `Regex` starts with an empty cache, and rebuilding it
/// cost more than the rest of a turn together.
impl<G: Grader + ?Sized> Grader for Arc<G> {
    fn grade(&self, answer: &str, shown: &Shown) -> ScoreReport {
        (**self).grade(answer, shown)
    }
}

/// The per-concept view of a score, as the candidate sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub drill: String,
    pub title: String,
    /// The final score after hint costs.
    pub score: u32,
    /// The rubric score before hint costs.
    pub rubric_score: u32,
    pub band: Band,
    pub hints_used: usize,
    pub hint_cost: f64,
    /// Points the follow-ups' concepts added (`score::session::FOLLOW_UP_POINTS` at most).
    pub follow_up_points: f64,
    pub concepts: Vec<CardConcept>,
    /// Fired red flags: (label, evidence, the interviewer's challenge).
    pub red_flags: Vec<CardFlag>,
    pub misconceptions: Vec<CardFlag>,
    /// Numbers cited that disagree with what was shown.
    pub misreads: Vec<String>,
    pub sim_seconds: usize,
    /// Filled in by the edge.
    pub wall_s: Option<u64>,
    /// The end-of-session card: missed concepts show the model answer's line.
    pub final_card: bool,
    pub answers: usize,
    /// The drill's follow-up concepts (final card only), scored apart from the rubric.
    pub follow_ups: Vec<CardConcept>,
    /// Final card: the model answer as the five steps.
    pub narrative: Vec<(Stage, String)>,
    /// Final card: this seed's numbers from the simulation.
    pub seed_numbers: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CardConcept {
    pub id: String,
    /// `None` on a mid-session card for concepts not hit yet (the label would give them away).
    pub label: Option<String>,
    pub hit: bool,
    pub required: bool,
    pub evidence: Option<String>,
    /// On the final card, for missed concepts.
    pub model_line: Option<String>,
    /// On the final card, for missed concepts: the output row that shows it.
    pub shown_row: Option<teach::ShownRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CardFlag {
    pub id: String,
    pub evidence: Option<String>,
    pub message: String,
}

impl Scorecard {
    /// Plain text, one item per line; the edge may colour it line by line.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let heading = if self.final_card {
            "Scorecard"
        } else {
            "Score so far"
        };
        let _ = writeln!(out, "{heading}: {} ({})", self.title, self.drill);
        let _ = write!(out, "  score {}/100, {}", self.score, self.band.label());
        // How the score is made up, when follow-ups or hints change the rubric score.
        let follow_ups = self.follow_up_points > 0.0;
        if self.hints_used > 0 || follow_ups {
            let _ = write!(out, " (rubric {}", self.rubric_score);
            if follow_ups {
                let _ = write!(
                    out,
                    " + {} for follow-ups",
                    fmt_points(self.follow_up_points)
                );
            }
            if self.hints_used > 0 {
                let _ = write!(
                    out,
                    " − {} for {} hint{}",
                    fmt_points(self.hint_cost),
                    self.hints_used,
                    if self.hints_used == 1 { "" } else { "s" }
                );
            }
            out.push(')');
        }
        out.push('\n');
        let _ = write!(
            out,
            "  answers {}, hints used {}, simulated time {} s",
            self.answers, self.hints_used, self.sim_seconds
        );
        if let Some(wall) = self.wall_s {
            let _ = write!(out, ", wall time {}", fmt_duration(wall));
        }
        out.push('\n');
        out.push_str("Concepts:\n");
        let mut hidden = 0usize;
        for concept in &self.concepts {
            match (&concept.label, concept.hit) {
                (Some(label), true) => {
                    let _ = writeln!(out, "  [x] {label}");
                    if let Some(evidence) = &concept.evidence {
                        let _ = writeln!(out, "      evidence: \"{evidence}\"");
                    }
                }
                (Some(label), false) => {
                    let required = if concept.required { " (required)" } else { "" };
                    let _ = writeln!(out, "  [ ] {label}{required}");
                    if let Some(line) = &concept.model_line {
                        let _ = writeln!(out, "      model answer: {line}");
                    }
                    if let Some(shown) = &concept.shown_row {
                        write_shown_row(&mut out, shown);
                    }
                }
                (None, _) => hidden += 1,
            }
        }
        if hidden > 0 {
            let _ = writeln!(
                out,
                "  … and {hidden} more point{} not made yet",
                if hidden == 1 { "" } else { "s" }
            );
        }
        if !self.red_flags.is_empty() {
            out.push_str("Red flags:\n");
            for flag in &self.red_flags {
                write_flag(&mut out, flag);
            }
        }
        if !self.misconceptions.is_empty() {
            out.push_str("Misconceptions:\n");
            for flag in &self.misconceptions {
                write_flag(&mut out, flag);
            }
        }
        if !self.misreads.is_empty() {
            out.push_str("Misread numbers:\n");
            for misread in &self.misreads {
                let _ = writeln!(out, "  {misread}");
            }
        }
        if !self.follow_ups.is_empty() {
            let _ = writeln!(
                out,
                "Follow-ups (up to {} points on top of the rubric):",
                fmt_points(session::FOLLOW_UP_POINTS)
            );
            for concept in &self.follow_ups {
                let label = concept.label.as_deref().unwrap_or(&concept.id);
                let mark = if concept.hit { "x" } else { " " };
                let _ = writeln!(out, "  [{mark}] {label}");
                if let Some(evidence) = &concept.evidence {
                    let _ = writeln!(out, "      evidence: \"{evidence}\"");
                }
            }
        }
        if !self.narrative.is_empty() {
            out.push_str("The model answer, step by step:\n");
            for (stage, text) in &self.narrative {
                let _ = writeln!(out, "  {}: {text}", stage_title(*stage));
            }
            if let Some(numbers) = &self.seed_numbers {
                let _ = writeln!(out, "  The numbers: {numbers}.");
            }
        }
        out
    }
}

/// Lines of a quoted output row start with this; the edge prints them unwrapped, as the tool
/// printed them.
pub const QUOTE: &str = "      | ";

fn write_shown_row(out: &mut String, shown: &teach::ShownRow) {
    use std::fmt::Write as _;
    let verb = if shown.ran { "you ran" } else { "run" };
    let _ = writeln!(out, "      shown by `{}` ({verb} it):", shown.command);
    if let Some(header) = &shown.header {
        let _ = writeln!(out, "{QUOTE}{header}");
    }
    let _ = writeln!(out, "{QUOTE}{}", shown.row);
}

fn stage_title(stage: Stage) -> &'static str {
    match stage {
        Stage::Restate => "Restate",
        Stage::Hypothesis => "Hypotheses",
        Stage::Check => "Checks",
        Stage::Interpret => "Reading",
        Stage::Fix => "Fix",
    }
}

fn write_flag(out: &mut String, flag: &CardFlag) {
    use std::fmt::Write as _;
    let _ = write!(out, "  [!] {}", flag.id);
    if let Some(evidence) = &flag.evidence {
        let _ = write!(out, ": \"{evidence}\"");
    }
    out.push('\n');
    if !flag.message.is_empty() {
        let _ = writeln!(out, "      {}", flag.message);
    }
}

fn fmt_points(points: f64) -> String {
    if points.fract() == 0.0 {
        format!("{points:.0}")
    } else {
        format!("{points:.1}")
    }
}

/// `1h 02m 03s`, `4m 05s`, `7s`.
pub fn fmt_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// One practice session of one drill.
#[derive(Debug, Clone)]
pub struct Interview<G: Grader = Arc<Scorer>> {
    drill: Drill,
    grader: G,
    /// The concrete incident variant the seed picked (for `try`).
    incident: Option<Incident>,
    console: Option<Console>,
    seed: Seed,
    mode: Mode,
    /// Index into `drill.phases`.
    phase: usize,
    answers: Vec<String>,
    shown: Shown,
    hints_used: usize,
    ledger: Ledger,
    rng: ChaCha8Rng,
    started: bool,
    finished: bool,
    /// The score of all answers so far.
    total: Option<ScoreReport>,
    /// Concepts already credited (practice-mode feedback shows only new ones).
    credited: Vec<String>,
    /// Every input handled and output returned: the session's transcript.
    log: Vec<Entry>,
    /// Wall-clock seconds since the session started, as the edge last reported them; stamps
    /// log entries.
    elapsed_s: f64,
    /// What was said and shown, what is covered, what was asked last.
    memory: Memory,
    follow_ups: FollowUps,
}

/// The drill's follow-up questions, asked after the fix; their concepts add a bounded number of
/// points to the score (`score::session`).
#[derive(Debug, Clone, Default)]
struct FollowUps {
    /// Compiled once per drill from the follow-ups' concepts; `None` when the drill has none.
    scorer: Option<Arc<Scorer>>,
    /// Index of the next follow-up to ask.
    next: usize,
    /// The follow-ups have begun: every answer moves on to the next one.
    asking: bool,
    /// The score of all answers against the follow-ups' concepts, when last needed.
    report: Option<ScoreReport>,
}

impl FollowUps {
    fn new(drill: &Drill, forms: &CompiledForms) -> Self {
        let scorer = (!drill.follow_ups.is_empty())
            .then(|| Arc::new(Scorer::with_forms(&session::follow_up_rubric(drill), forms)));
        Self {
            scorer,
            ..Self::default()
        }
    }
}

impl Interview<Arc<Scorer>> {
    /// A session with the real rubric scorer. `incident` is the drill's incident as loaded; the
    /// seed picks its concrete variant (`model::variant::pick`), and the console runs on that.
    pub fn new(drill: &Drill, incident: Option<&Incident>, seed: Seed, mode: Mode) -> Self {
        Self::with_forms(drill, incident, seed, mode, &CompiledForms::default())
    }

    /// [`Interview::new`], compiling the rubric and the follow-ups' with the forms the catalog's
    /// scorers already compiled (`Catalog::forms`): a second session of a drill compiles none of
    /// its regexes again.
    pub fn with_forms(
        drill: &Drill,
        incident: Option<&Incident>,
        seed: Seed,
        mode: Mode,
        forms: &CompiledForms,
    ) -> Self {
        let scorer = Arc::new(Scorer::with_forms(drill, forms));
        let incident = incident.map(|incident| model::variant::pick(incident, seed));
        let console = incident
            .as_ref()
            .map(|incident| Console::new(incident, seed));
        Self::assemble(drill, incident, console, seed, mode, scorer, forms)
    }
}

impl<G: Grader> Interview<G> {
    pub fn with_grader(
        drill: &Drill,
        incident: Option<&Incident>,
        seed: Seed,
        mode: Mode,
        grader: G,
    ) -> Self {
        let incident = incident.map(|incident| model::variant::pick(incident, seed));
        let console = incident
            .as_ref()
            .map(|incident| Console::new(incident, seed));
        Self::assemble(
            drill,
            incident,
            console,
            seed,
            mode,
            grader,
            &CompiledForms::default(),
        )
    }

    /// A session without a simulated box (concept drills, or tests).
    pub fn without_box(drill: &Drill, seed: Seed, mode: Mode, grader: G) -> Self {
        Self::assemble(
            drill,
            None,
            None,
            seed,
            mode,
            grader,
            &CompiledForms::default(),
        )
    }

    fn assemble(
        drill: &Drill,
        incident: Option<Incident>,
        console: Option<Console>,
        seed: Seed,
        mode: Mode,
        grader: G,
        forms: &CompiledForms,
    ) -> Self {
        let stream = seed.0 ^ stable_hash(b"interview/phrasing");
        let mut memory = Memory::new(drill, incident.as_ref());
        // The opening is what the candidate was told: what it names counts as shown.
        memory.observe(&drill.opening);
        Self {
            drill: drill.clone(),
            grader,
            incident,
            console,
            seed,
            mode,
            phase: 0,
            answers: Vec::new(),
            shown: Shown::default(),
            hints_used: 0,
            ledger: Ledger::default(),
            rng: ChaCha8Rng::seed_from_u64(stream),
            started: false,
            finished: false,
            total: None,
            credited: Vec::new(),
            log: Vec::new(),
            elapsed_s: 0.0,
            memory,
            follow_ups: FollowUps::new(drill, forms),
        }
    }

    /// The session log so far (inputs and outputs in order).
    pub fn log(&self) -> &[Entry] {
        &self.log
    }

    /// Tells the session how many wall-clock seconds have passed since it started (measured at
    /// the edge), for the log's timestamps.
    pub fn set_elapsed(&mut self, seconds: f64) {
        self.elapsed_s = seconds;
    }

    /// Where the log is written: an input before it is handled (the final scorecard it may
    /// produce is computed from the log), then the outputs it returned.
    fn log_input(&mut self, input: &Input) {
        let at_s = self.elapsed_s;
        self.log.push(Entry {
            at_s,
            event: Event::input(input),
        });
    }

    fn log_outputs(&mut self, outputs: &[Output]) {
        let at_s = self.elapsed_s;
        let events = outputs.iter().filter_map(Event::output);
        self.log.extend(events.map(|event| Entry { at_s, event }));
    }

    pub fn drill(&self) -> &Drill {
        &self.drill
    }

    pub fn seed(&self) -> Seed {
        self.seed
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    pub fn hints_used(&self) -> usize {
        self.hints_used
    }

    /// Index of the current phase.
    pub fn phase(&self) -> usize {
        self.phase
    }

    pub fn shown(&self) -> &Shown {
        &self.shown
    }

    /// The candidate's answers so far, joined as they are scored.
    pub fn answer_text(&self) -> String {
        self.answers.join("\n\n")
    }

    /// Simulated seconds the candidate's commands have consumed.
    pub fn sim_seconds(&self) -> usize {
        self.console.as_ref().map_or(0, Console::elapsed_s)
    }

    /// The opening: the interviewer's first words and the first phase's prompt.
    pub fn start(&mut self) -> Vec<Output> {
        if self.started {
            return Vec::new();
        }
        self.started = true;
        let mut text = self.drill.opening.trim_end().to_owned();
        if let Some(phase) = self.drill.phases.first() {
            let prompt = phase.prompt.trim();
            if !prompt.is_empty() && !text.contains(prompt) {
                text.push_str("\n\n");
                text.push_str(prompt);
            }
        }
        let stage = self
            .drill
            .phases
            .first()
            .and_then(|p| p.stages.first().copied());
        let out = vec![self.say(MoveKind::Opening, text, stage)];
        self.log_outputs(&out);
        out
    }

    /// The interviewer speaks; the memory keeps what it said and which step it asked about.
    fn say(&mut self, kind: MoveKind, text: String, asked: Option<Stage>) -> Output {
        self.memory.said(&text, asked);
        Output::Say { kind, text }
    }

    pub fn handle(&mut self, input: Input) -> Vec<Output> {
        let mut out = self.start();
        self.log_input(&input);
        let replies = self.respond(input);
        self.log_outputs(&replies);
        out.extend(replies);
        out
    }

    fn respond(&mut self, input: Input) -> Vec<Output> {
        let mut out = Vec::new();
        if self.finished {
            out.push(Output::Info(
                "the interview is over; the scorecard above is final".to_owned(),
            ));
            return out;
        }
        match input {
            Input::Answer(text) => out.extend(self.answer(text)),
            Input::Tool(line) => out.extend(self.tool(&line)),
            Input::Try(args) => out.extend(self.what_if(&args)),
            Input::Hint => out.push(self.hint()),
            Input::Score => out.push(Output::Scorecard(self.scorecard(false))),
            Input::Help => out.push(Output::Info(self.help())),
            Input::Time { wall_s } => {
                let mut text = format!("simulated time on the box: {} s", self.sim_seconds());
                if let Some(wall) = wall_s {
                    text.push_str(&format!("; wall time: {}", fmt_duration(wall)));
                }
                out.push(Output::Info(text));
            }
            Input::Quit => out.extend(self.finish(None)),
        }
        out
    }

    fn answer(&mut self, text: String) -> Vec<Output> {
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Vec::new();
        }
        if commands::is_sign_off(&text) {
            // "done" is a wish to finish, not reasoning: say how, and keep the question open.
            let asked = self.memory.asked();
            return vec![self.say(MoveKind::Nudge, pushback::SIGN_OFF.to_owned(), asked)];
        }
        self.memory.observe(&text);
        if commands::is_junk(&text) {
            // Too thin to score (`clear`, a lone word): a nudge, no credit, and the question
            // stays open.
            let text = pushback::pick_permitted(&mut self.rng, &self.memory, pushback::NUDGE)
                .unwrap_or_else(|| pushback::NUDGE[0].to_owned());
            let asked = self.memory.asked();
            return vec![self.say(MoveKind::Nudge, text, asked)];
        }
        let turn = self.grader.grade(&text, &self.shown);
        self.memory.answered(&stages_reached(&turn));
        if !turn.tools.is_empty()
            || turn.numbers_cited > 0
            || self.memory.names_an_undiscussed_output(&text)
        {
            self.memory.discussed();
        }
        self.answers.push(text.clone());
        // With one answer, "all answers so far" is that answer: same text, same report.
        let total = if self.answers.len() == 1 {
            turn.clone()
        } else {
            self.grader.grade(&self.answer_text(), &self.shown)
        };
        self.after_answer(&text, &turn, total)
    }

    /// Chooses the move for an answer already scored: `turn` is the latest answer alone, `total`
    /// all answers together. Split from [`Self::handle`] so the policy is testable with
    /// hand-built reports.
    pub fn after_answer(
        &mut self,
        latest: &str,
        turn: &ScoreReport,
        total: ScoreReport,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        if self.mode == Mode::Practice
            && let Some(feedback) = self.feedback(&total)
        {
            out.push(Output::Feedback(feedback));
        }
        for concept in total.concepts.iter().filter(|c| c.hit) {
            self.memory.cover(concept.stage);
        }
        let context = pushback::Context {
            drill: &self.drill,
            phase: self.phase,
            latest,
            incident_drill: self.drill.kind == DrillKind::Incident,
        };
        // Once the follow-ups have begun, an answer moves on to the next one.
        let chosen = if self.follow_ups.asking {
            None
        } else {
            pushback::choose(
                &context,
                turn,
                &total,
                &mut self.ledger,
                &mut self.rng,
                &mut self.memory,
            )
        };
        self.total = Some(total);
        match chosen {
            Some(chosen) => out.push(self.say(chosen.kind, chosen.text, chosen.stage)),
            None => out.extend(self.advance()),
        }
        out
    }

    /// Nothing to push on: the next phase whose steps are not covered yet, then the follow-ups,
    /// then the scorecard.
    fn advance(&mut self) -> Vec<Output> {
        while !self.follow_ups.asking && self.phase + 1 < self.drill.phases.len() {
            self.phase += 1;
            let phase = &self.drill.phases[self.phase];
            if phase
                .stages
                .iter()
                .all(|stage| self.memory.is_covered(*stage))
            {
                continue;
            }
            let stage = phase.stages.first().copied();
            let prompt = phase.prompt.trim();
            let text = if !prompt.is_empty() && self.memory.permits(prompt) {
                Some(prompt.to_owned())
            } else {
                stage.and_then(|stage| {
                    pushback::pick_permitted(
                        &mut self.rng,
                        &self.memory,
                        pushback::ask_phrasings(stage),
                    )
                })
            };
            if let Some(text) = text {
                return vec![self.say(MoveKind::NextPhase, text, stage)];
            }
        }
        if self.follow_ups.next < self.drill.follow_ups.len() {
            self.score_follow_ups();
        }
        while let Some(follow_up) = self.drill.follow_ups.get(self.follow_ups.next) {
            self.follow_ups.next += 1;
            // Already answered in passing: not asked.
            let report = self.follow_ups.report.as_ref();
            let covered = follow_up.concepts.iter().all(|concept| {
                report.is_some_and(|r| r.concepts.iter().any(|c| c.id == concept.id && c.hit))
            });
            let ask = follow_up.ask.clone();
            if !covered && self.memory.permits(&ask) {
                self.follow_ups.asking = true;
                return vec![self.say(MoveKind::FollowUp, ask, None)];
            }
        }
        self.finish(None)
    }

    /// Scores every answer so far against the follow-ups' own concepts (only when a follow-up
    /// is about to be chosen and for the final card, so a turn pays for it rarely).
    fn score_follow_ups(&mut self) {
        if let Some(scorer) = &self.follow_ups.scorer {
            self.follow_ups.report = Some(scorer.score(&self.answer_text(), &self.shown));
        }
    }

    fn feedback(&mut self, total: &ScoreReport) -> Option<String> {
        let mut lines = Vec::new();
        for concept in total.concepts.iter().filter(|c| c.hit) {
            if self.credited.contains(&concept.id) {
                continue;
            }
            self.credited.push(concept.id.clone());
            let evidence = concept
                .evidence
                .as_ref()
                .map(|e| format!(" (\"{}\")", e.summary()))
                .unwrap_or_default();
            lines.push(format!("  + {}{evidence}", concept.label));
        }
        (!lines.is_empty()).then(|| format!("Points made:\n{}", lines.join("\n")))
    }

    fn tool(&mut self, line: &str) -> Vec<Output> {
        let result = match self.console.as_mut() {
            Some(console) => console.run(line).map_err(|error| error.message),
            None => {
                Err("this is a concept drill: there is no machine to run commands on".to_owned())
            }
        };
        // Errors are recorded as shown too: the transcript keeps every command with what it
        // printed, and grading rebuilds `Shown` from exactly those turns.
        let text = match &result {
            Ok(text) | Err(text) => text.clone(),
        };
        self.memory.observe(line);
        self.memory.observe(&text);
        self.shown.outputs.push(ShownOutput {
            command: line.to_owned(),
            text,
        });
        match result {
            Ok(text) => {
                self.memory.ran(line, &text);
                vec![Output::Tool {
                    command: line.to_owned(),
                    text,
                }]
            }
            Err(message) => {
                let mut out = vec![Output::ToolError {
                    command: line.to_owned(),
                    message,
                }];
                // A program the box lacks: what a shell says, then what the box has (apart
                // from what was shown, so the list is never read as the command's output).
                if self.console.is_some() && commands::missing_program(line).is_some() {
                    out.push(Output::Info(commands::available()));
                }
                out
            }
        }
    }

    fn what_if(&mut self, args: &str) -> Vec<Output> {
        match self.run_what_if(args) {
            Ok((output, before, after)) => {
                let mut out = vec![output];
                out.extend(self.react_to_try(args, &before, &after));
                out
            }
            Err(output) => vec![output],
        }
    }

    /// A `try` that made things worse is challenged; one that helped gets "what does it cost,
    /// and how would you verify it?" (once). Both quote only the numbers just shown.
    fn react_to_try(&mut self, args: &str, before: &Window, after: &Window) -> Option<Output> {
        let params: Vec<&str> = args
            .split_whitespace()
            .take_while(|word| word.contains('='))
            .collect();
        let params = params.join(" ");
        let throughput = relative(before.throughput, after.throughput);
        let p99 = relative(before.p99_us, after.p99_us);
        let worse = throughput.is_some_and(|t| t <= -0.05) || p99.is_some_and(|p| p >= 0.2);
        let better = throughput.is_some_and(|t| t >= 0.05) || p99.is_some_and(|p| p <= -0.2);
        let numbers = format!(
            "throughput {:.0} → {:.0} req/s ({}), p99 {} → {}",
            before.throughput,
            after.throughput,
            percent_change(before.throughput, after.throughput),
            fmt_latency(before.p99_us),
            fmt_latency(after.p99_us),
        );
        let (key, limit, text) = if worse {
            (
                "try:worse",
                TRY_CHALLENGES,
                format!(
                    "`try {params}` made it worse: {numbers}. What did you expect that change \
                     to do, and why did it go the other way?"
                ),
            )
        } else if better {
            (
                "try:better",
                1,
                format!(
                    "`try {params}` helped: {numbers}. What does that change cost, and how \
                     would you verify it in production?"
                ),
            )
        } else {
            return None;
        };
        if self.ledger.count(key) >= limit || !self.memory.permits(&text) {
            return None;
        }
        self.ledger.record(key);
        Some(self.say(MoveKind::ChallengeTry, text, Some(Stage::Fix)))
    }

    /// Runs a `try`: its output and the before and after windows, or the refusal to print.
    #[allow(clippy::result_large_err)] // both arms are outputs, printed the same way
    fn run_what_if(&mut self, args: &str) -> Result<(Output, Window, Window), Output> {
        let usage = "usage: try PARAM=VALUE ... [TOOL ARGS], e.g. `try threads=16` or \
                     `try shards=8 vmstat 1 3`";
        let Some(incident) = self.incident.as_ref() else {
            return Err(Output::Info(
                "`try` needs an incident drill with a simulated box".to_owned(),
            ));
        };
        let words: Vec<&str> = args.split_whitespace().collect();
        let split = words
            .iter()
            .position(|word| !word.contains('='))
            .unwrap_or(words.len());
        let (params, tool) = words.split_at(split);
        if params.is_empty() {
            return Err(Output::Info(usage.to_owned()));
        }
        let mut overrides = Vec::new();
        for param in params {
            match Override::parse(param) {
                Ok(parsed) => overrides.push(parsed),
                Err(error) => return Err(Output::Info(format!("try: {error}"))),
            }
        }
        let tool_line = tool.join(" ");
        let mut seconds = TRY_SECONDS;
        if !tool_line.is_empty() {
            match crate::render::parse_command(&tool_line) {
                Ok(command) => seconds = seconds.max(command.seconds()),
                Err(error) => {
                    return Err(Output::ToolError {
                        command: tool_line,
                        message: error.message,
                    });
                }
            }
        }
        let changed = match whatif::apply(incident, &overrides) {
            Ok(changed) => changed,
            Err(error) => return Err(Output::Info(format!("try: {error}"))),
        };
        let before = summarize(&model::simulate(incident, self.seed, seconds), seconds);
        let after = summarize(&model::simulate(&changed, self.seed, seconds), seconds);
        let mut text = format!(
            "what if {}: {seconds} simulated seconds before and after\n\
             \x20 throughput   {:>10} → {:<10} req/s  ({})\n\
             \x20 p99 latency  {:>10} → {:<10}\n",
            params.join(" "),
            format!("{:.0}", before.throughput),
            format!("{:.0}", after.throughput),
            percent_change(before.throughput, after.throughput),
            fmt_latency(before.p99_us),
            fmt_latency(after.p99_us),
        );
        if !tool_line.is_empty() {
            match Console::new(&changed, self.seed).run(&tool_line) {
                Ok(output) => {
                    text.push_str(&format!("\n$ {tool_line}\n{output}"));
                }
                Err(error) => {
                    text.push_str(&format!("\n$ {tool_line}\n{}\n", error.message));
                }
            }
        }
        let command = format!("try {}", words.join(" "));
        self.shown.outputs.push(ShownOutput {
            command: command.clone(),
            text: text.clone(),
        });
        self.memory.observe(&command);
        self.memory.observe(&text);
        Ok((Output::WhatIf { command, text }, before, after))
    }

    fn hint(&mut self) -> Output {
        match self.drill.hints.get(self.hints_used) {
            Some(hint) => {
                self.hints_used += 1;
                // The candidate asked for it: what it names is theirs to talk about now.
                self.memory.observe(&hint.text);
                Output::Hint {
                    number: self.hints_used,
                    text: hint.text.trim().to_owned(),
                    cost: hint.cost,
                }
            }
            None if self.drill.hints.is_empty() => {
                Output::Info("this drill has no hints: reason it through".to_owned())
            }
            None => Output::Info("no more hints".to_owned()),
        }
    }

    /// Points the hints used so far cost.
    pub fn hint_cost(&self) -> f64 {
        session::hint_cost(&self.drill, self.hints_used)
    }

    fn help(&self) -> String {
        help_text(self.console.is_some())
    }

    /// Ends the session (the candidate quit): the final scorecard. `wall_s` is filled in by the
    /// edge if known.
    pub fn wrap_up(&mut self, wall_s: Option<u64>) -> Vec<Output> {
        let mut out = self.start();
        if self.finished {
            return out;
        }
        self.log_input(&Input::Quit);
        let replies = self.finish(wall_s);
        self.log_outputs(&replies);
        out.extend(replies);
        out
    }

    fn finish(&mut self, wall_s: Option<u64>) -> Vec<Output> {
        if self.finished {
            return Vec::new();
        }
        self.finished = true;
        let mut card = self.scorecard(true);
        card.wall_s = wall_s;
        vec![
            Output::Say {
                kind: MoveKind::WrapUp,
                text: pushback::wrap_up_line(&mut self.rng),
            },
            Output::Scorecard(card),
            Output::Finished,
        ]
    }

    /// The score of the session so far (`score::session`'s rule over the log).
    pub fn final_score(&self) -> u32 {
        self.result().score
    }

    fn result(&self) -> session::SessionResult {
        session::result(&self.drill, &self.log, |part, answer, shown| match part {
            session::Part::Rubric => self.grader.grade(answer, shown),
            session::Part::FollowUps => match &self.follow_ups.scorer {
                Some(scorer) => scorer.score(answer, shown),
                // Asked for only when the drill has follow-ups, which compiled the scorer.
                None => Scorer::new(&session::follow_up_rubric(&self.drill)).score(answer, shown),
            },
        })
    }

    pub fn report(&self) -> Option<&ScoreReport> {
        self.total.as_ref()
    }

    /// The scorecard now; `final_card` adds the model answer's line to missed concepts and
    /// shows every concept's label.
    pub fn scorecard(&mut self, final_card: bool) -> Scorecard {
        // From the log, by the rule `grade` and `stats` apply to the saved transcript.
        let result = self.result();
        let total = result.report;
        let concepts = total
            .concepts
            .iter()
            .map(|concept| CardConcept {
                id: concept.id.clone(),
                label: (final_card || concept.hit).then(|| concept.label.clone()),
                hit: concept.hit,
                required: concept.required,
                evidence: concept
                    .evidence
                    .as_ref()
                    .filter(|_| concept.hit)
                    .map(Evidence::summary),
                model_line: (final_card && !concept.hit)
                    .then(|| self.drill.model_line_for(&concept.id).map(str::to_owned))
                    .flatten(),
                shown_row: (final_card && !concept.hit)
                    .then(|| {
                        teach::shown_row(
                            &self.drill,
                            &concept.id,
                            self.incident.as_ref(),
                            self.seed,
                            &self.shown,
                        )
                    })
                    .flatten(),
            })
            .collect();
        let follow_ups = if final_card {
            self.follow_up_card(result.follow_ups.as_ref())
        } else {
            Vec::new()
        };
        let flags = |flags: &[crate::score::FlagResult]| {
            flags
                .iter()
                .filter(|flag| flag.fired)
                .map(|flag| CardFlag {
                    id: flag.id.clone(),
                    evidence: flag.evidence.as_ref().map(Evidence::summary),
                    message: flag.message.clone(),
                })
                .collect::<Vec<_>>()
        };
        Scorecard {
            drill: self.drill.id.to_string(),
            title: self.drill.title.clone(),
            score: result.score,
            rubric_score: total.score,
            band: result.band,
            hints_used: result.tally.hints_used,
            hint_cost: result.tally.hint_cost,
            follow_up_points: result.follow_up_points,
            concepts,
            red_flags: flags(&total.red_flags),
            misconceptions: flags(&total.misconceptions),
            misreads: total
                .misreads
                .iter()
                .map(|m| format!("\"{}\": {}", m.cited, m.shown()))
                .collect(),
            sim_seconds: self.sim_seconds(),
            wall_s: None,
            final_card,
            answers: result.tally.answers,
            follow_ups,
            narrative: if final_card {
                teach::narrative(&self.drill)
            } else {
                Vec::new()
            },
            seed_numbers: self
                .incident
                .as_ref()
                .filter(|_| final_card)
                .and_then(|incident| teach::seed_numbers(incident, self.seed, TRY_SECONDS)),
        }
    }

    /// Every follow-up concept, hit or not, with the evidence from the answers.
    fn follow_up_card(&self, report: Option<&ScoreReport>) -> Vec<CardConcept> {
        self.drill
            .follow_ups
            .iter()
            .flat_map(|follow_up| follow_up.concepts.iter())
            .map(|concept| {
                let result = report.and_then(|r| r.concepts.iter().find(|c| c.id == concept.id));
                let hit = result.is_some_and(|c| c.hit);
                CardConcept {
                    id: concept.id.clone(),
                    label: Some(concept.label.clone()),
                    hit,
                    required: false,
                    evidence: result
                        .filter(|_| hit)
                        .and_then(|c| c.evidence.as_ref())
                        .map(Evidence::summary),
                    model_line: None,
                    shown_row: None,
                }
            })
            .collect()
    }

    /// Whether a concept was asserted in the answers so far.
    pub fn concept_hit(&self, id: &str) -> bool {
        self.total.as_ref().is_some_and(|total| {
            total
                .concepts
                .iter()
                .any(|c| c.id == id && c.hit && c.status == Status::Asserted)
        })
    }

    pub fn current_stages(&self) -> &[Stage] {
        self.drill
            .phases
            .get(self.phase)
            .map_or(&[], |phase| phase.stages.as_slice())
    }
}

/// In-drill `help`, from the command registry: the session commands, and on an incident drill
/// every tool with its example lines and every `try` parameter with its range.
pub fn help_text(with_box: bool) -> String {
    use std::fmt::Write as _;
    let mut text = String::from(
        "Type your reasoning as plain text; end a line with `\\` to continue it on the next.\n\n\
         Commands:\n",
    );
    for (verb, command) in commands::SESSION {
        if *verb == Verb::Try && !with_box {
            continue;
        }
        let names = command.names.join(", ");
        let usage = if command.names.len() > 1 {
            names
        } else {
            command.usage.to_owned()
        };
        let _ = writeln!(text, "  {usage:<20} {}", command.summary);
    }
    if with_box {
        text.push_str("Tools on the box (a pipe into head, tail, grep or wc -l works too):\n");
        for tool in commands::TOOLS
            .iter()
            .filter(|tool| !tool.examples.is_empty())
        {
            let _ = writeln!(text, "  {:<8} {}", tool.name, tool.summary);
            for example in tool.examples {
                let _ = writeln!(text, "      {example}");
            }
        }
        text.push_str("`try` parameters:\n");
        for (syntax, range) in crate::model::whatif::parameter_help() {
            let _ = writeln!(text, "  {syntax:<20} {range}");
        }
    }
    text
}

struct Window {
    throughput: f64,
    p99_us: f64,
}

/// Mean completed requests per second and the mean of the per-second p99 over `seconds`.
fn summarize(trace: &crate::model::Trace, seconds: usize) -> Window {
    let samples = &trace.samples[..seconds.min(trace.samples.len())];
    if samples.is_empty() {
        return Window {
            throughput: 0.0,
            p99_us: 0.0,
        };
    }
    let completed: u64 = samples.iter().map(|s| s.app.completed).sum();
    let busy: Vec<f64> = samples
        .iter()
        .filter(|s| s.app.completed > 0)
        .map(|s| s.app.latency_p99_us)
        .collect();
    Window {
        throughput: completed as f64 / samples.len() as f64,
        p99_us: if busy.is_empty() {
            0.0
        } else {
            busy.iter().sum::<f64>() / busy.len() as f64
        },
    }
}

/// The steps an answer reached: those the scorer's structure found and those of the concepts
/// it hit.
fn stages_reached(report: &ScoreReport) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Stage::ALL
        .into_iter()
        .filter(|stage| {
            report
                .structure
                .stages
                .iter()
                .any(|name| name == stage.name())
        })
        .collect();
    stages.extend(report.concepts.iter().filter(|c| c.hit).map(|c| c.stage));
    stages.sort();
    stages.dedup();
    stages
}

/// `(after − before) / before`, `None` when there is no baseline.
fn relative(before: f64, after: f64) -> Option<f64> {
    (before > 0.0 && after.is_finite()).then(|| (after - before) / before)
}

fn percent_change(before: f64, after: f64) -> String {
    if before <= 0.0 {
        return "n/a".to_owned();
    }
    format!("{:+.0}%", (after - before) / before * 100.0)
}

fn fmt_latency(us: f64) -> String {
    if us <= 0.0 {
        "-".to_owned()
    } else if us >= 1_000_000.0 {
        format!("{:.2} s", us / 1_000_000.0)
    } else if us >= 1000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

#[cfg(test)]
mod tests;
