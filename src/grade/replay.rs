//! Re-deriving what a transcript's session showed, so a grade cannot be forged by editing the
//! outputs a file stores: the simulation is deterministic per incident, seed and sysdrill
//! version, so the commands in the log, replayed in order through a fresh session's box, print
//! exactly what the candidate saw.
//!
//! The stored outputs of a transcript of this version (command outputs, errors, `try` results)
//! are never used: they are replaced by the re-derived ones, and compared with them only to
//! report a difference. A
//! difference from a transcript this version wrote is tampering; from another version it may be
//! the model having changed: such a transcript is graded on its stored outputs, which the answers
//! were written against, with a note that they cannot be verified. Box outputs the log stores
//! without a command before them are dropped (and count as tampering).
//!
//! Pure: no IO. The scorer is passed in (the replayed session never scores an answer, but a
//! session needs one).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::content::Catalog;
use crate::domain::{Drill, DrillId, Seed};
use crate::interview::{Grader, Input, Interview, Mode};
use crate::score::{ScoreReport, Shown};
use crate::transcript::{Entry, Event, Transcript};

use super::ScoreFn;
use crate::score::session::Part;

/// The log to grade, with every box output re-derived, and what the comparison found.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub log: Vec<Entry>,
    /// A stored output differs from the re-derived one, in a transcript of this version.
    pub tampered: bool,
    /// One line each, for the report.
    pub notes: Vec<String>,
}

/// The sysdrill version whose outputs this build re-derives.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A command or `try` of a log, as it is replayed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum BoxInput {
    Command(String),
    Try(String),
}

impl BoxInput {
    fn of(event: &Event) -> Option<Self> {
        match event {
            Event::Command { line } => Some(BoxInput::Command(line.clone())),
            Event::Try { args } => Some(BoxInput::Try(args.clone())),
            _ => None,
        }
    }

    fn input(&self) -> Input {
        match self {
            BoxInput::Command(line) => Input::Tool(line.clone()),
            BoxInput::Try(args) => Input::Try(args.clone()),
        }
    }

    /// Simulated seconds replaying it costs at most: a command moves the box's clock on; a
    /// `try` simulates its window twice (before and after) on fresh boxes.
    fn cost_s(&self) -> usize {
        let seconds =
            |line: &str| crate::render::parse_command(line).map_or(0, |command| command.seconds());
        match self {
            BoxInput::Command(line) => seconds(line),
            BoxInput::Try(args) => {
                let tool: Vec<&str> = args
                    .split_whitespace()
                    .skip_while(|word| word.contains('='))
                    .collect();
                2 * seconds(&tool.join(" ")).max(crate::interview::TRY_SECONDS)
            }
        }
    }

    /// As the candidate typed it, for notes.
    fn typed(&self) -> String {
        match self {
            BoxInput::Command(line) => line.clone(),
            BoxInput::Try(args) => format!("try {args}"),
        }
    }
}

/// What each box input of one session printed, in order (as far as the replay budget went).
type Printed = Arc<[Vec<Event>]>;

/// A session's box, as far as what it prints goes: drill, seed and the box inputs in order.
type Session = (DrillId, u64, Vec<BoxInput>);

/// Re-derived outputs shared by a batch: sessions of the same drill and seed with the same
/// commands print the same, and a cohort's candidates often run the same ones, so each
/// sequence is simulated once. Bounded: when full it starts over, so memory stays flat.
#[derive(Debug, Default)]
pub struct Replays {
    memo: Mutex<Memo>,
}

#[derive(Debug, Default)]
struct Memo {
    sessions: HashMap<Session, Printed>,
    bytes: usize,
}

/// Sequences remembered at most, and the bytes of output they may hold together: a batch's
/// memory stays flat whatever its transcripts ask for.
const MEMO_ENTRIES: usize = 4096;
const MEMO_BYTES: usize = 32 * 1024 * 1024;

/// Simulated seconds one transcript's replay may cost: a practice session rarely runs its box
/// for more than an hour, so a log asking for days of simulation is not replayed beyond this
/// (what it asked for past the budget is graded without outputs, with a note).
pub const REPLAY_BUDGET_S: usize = 6 * 3600;

impl Replays {
    /// What `inputs` print in a fresh session of `drill` at `seed`; `Err` with a note when the
    /// drill's incident is not loaded.
    fn printed(
        &self,
        catalog: &Catalog,
        drill: &Drill,
        seed: u64,
        inputs: Vec<BoxInput>,
        score: &ScoreFn<'_>,
    ) -> Result<Printed, String> {
        let key = (drill.id.clone(), seed, inputs);
        if let Ok(memo) = self.memo.lock()
            && let Some(printed) = memo.sessions.get(&key)
        {
            return Ok(Arc::clone(printed));
        }
        let grader = Rubric { drill, score };
        let mut session = match &drill.incident {
            None => Interview::without_box(drill, Seed(seed), Mode::Interview, grader),
            Some(id) => match catalog.incidents.get(id) {
                Some(incident) => Interview::with_grader(
                    drill,
                    Some(incident),
                    Seed(seed),
                    Mode::Interview,
                    grader,
                ),
                None => {
                    return Err(format!(
                        "outputs not re-derived: incident `{id}` is not loaded; graded without \
                         them"
                    ));
                }
            },
        };
        let mut spent = 0usize;
        let printed: Printed = key
            .2
            .iter()
            .take_while(|input| {
                spent = spent.saturating_add(input.cost_s());
                spent <= REPLAY_BUDGET_S
            })
            .map(|input| {
                session
                    .handle(input.input())
                    .iter()
                    .filter_map(Event::output)
                    .filter(Event::is_box_output)
                    .collect()
            })
            .collect();
        let bytes: usize = printed
            .iter()
            .flatten()
            .map(|event| {
                printed_text(event).map_or(0, |(command, text)| command.len() + text.len())
            })
            .sum();
        if let Ok(mut memo) = self.memo.lock()
            && bytes <= MEMO_BYTES
        {
            if memo.sessions.len() >= MEMO_ENTRIES || memo.bytes + bytes > MEMO_BYTES {
                *memo = Memo::default();
            }
            memo.bytes += bytes;
            memo.sessions.insert(key, Arc::clone(&printed));
        }
        Ok(printed)
    }
}

/// Replays the transcript's commands and `try`s and returns its log with the box outputs
/// replaced by what they print.
pub fn rederive(
    catalog: &Catalog,
    drill: &Drill,
    transcript: &Transcript,
    score: &ScoreFn<'_>,
    replays: &Replays,
) -> Verified {
    let log = &transcript.log;
    let inputs: Vec<BoxInput> = log
        .iter()
        .filter_map(|entry| BoxInput::of(&entry.event))
        .collect();
    if inputs.is_empty() && !log.iter().any(|entry| entry.event.is_box_output()) {
        return Verified {
            log: log.clone(),
            tampered: false,
            notes: Vec::new(),
        };
    }
    let printed = match replays.printed(catalog, drill, transcript.seed, inputs, score) {
        Ok(printed) => printed,
        Err(note) => {
            return Verified {
                log: log
                    .iter()
                    .filter(|entry| !entry.event.is_box_output())
                    .cloned()
                    .collect(),
                tampered: false,
                notes: vec![note],
            };
        }
    };

    let mut rebuilt = Vec::with_capacity(log.len());
    let mut replayed = printed.iter();
    let mut unreplayed = 0usize;
    // For the last box input replayed: what it printed now, and what the file stores after it.
    let mut derived: &[Event] = &[];
    let mut stored: Vec<&Event> = Vec::new();
    let mut current: Option<String> = None;
    // The last input was a box input beyond the budget: what the file stores after it is
    // dropped unread.
    let mut past_budget = false;
    let mut differs: Vec<String> = Vec::new();
    let mut stray = 0usize;
    for entry in log {
        let event = &entry.event;
        if event.is_input() {
            settle(&mut current, derived, &mut stored, &mut differs);
            past_budget = false;
        }
        if let Some(input) = BoxInput::of(event) {
            rebuilt.push(entry.clone());
            let Some(outputs) = replayed.next() else {
                unreplayed += 1;
                past_budget = true;
                continue;
            };
            derived = outputs;
            rebuilt.extend(derived.iter().map(|event| Entry {
                at_s: entry.at_s,
                event: event.clone(),
            }));
            current = Some(input.typed());
        } else if event.is_box_output() {
            if current.is_some() {
                stored.push(event);
            } else if !past_budget {
                stray += 1;
            }
        } else {
            rebuilt.push(entry.clone());
        }
    }
    settle(&mut current, derived, &mut stored, &mut differs);

    let mut notes = Vec::new();
    if unreplayed > 0 {
        notes.push(format!(
            "the last {unreplayed} command(s) were not replayed (beyond {} simulated hours); \
             graded without their outputs",
            REPLAY_BUDGET_S / 3600
        ));
    }
    let same_version = transcript.sysdrill_version.trim() == VERSION;
    let tampered = same_version && (!differs.is_empty() || stray > 0);
    if !differs.is_empty() {
        let list = quote_list(&differs);
        notes.push(if same_version {
            format!(
                "tampered: the stored output of {list} is not what it prints; graded on the \
                 re-derived outputs"
            )
        } else {
            format!(
                "recorded by sysdrill {}: the outputs of {list} cannot be re-derived by \
                 sysdrill {VERSION}; graded on the outputs as stored, which this version cannot \
                 verify",
                transcript.sysdrill_version.trim()
            )
        });
    }
    // Another version's model printed other numbers, and the answers cite what the candidate
    // saw then: grade on the stored outputs, unverified (the note says so), rather than on
    // numbers the candidate never saw.
    let rebuilt = if same_version || differs.is_empty() {
        rebuilt
    } else {
        log.clone()
    };
    if stray > 0 {
        notes.push(format!(
            "{}{stray} stored output(s) follow no command and were ignored",
            if same_version { "tampered: " } else { "" }
        ));
    }
    Verified {
        log: rebuilt,
        tampered,
        notes,
    }
}

/// Closes the comparison for the last box input: a difference names its command.
fn settle(
    current: &mut Option<String>,
    derived: &[Event],
    stored: &mut Vec<&Event>,
    differs: &mut Vec<String>,
) {
    if let Some(command) = current.take()
        && !derived
            .iter()
            .map(printed_text)
            .eq(stored.iter().map(|e| printed_text(e)))
    {
        differs.push(command);
    }
    stored.clear();
}

/// What a box output put on the screen: its command and text. Whether the text was an error is
/// not compared, since format 1 did not record it.
fn printed_text(event: &Event) -> Option<(&str, &str)> {
    match event {
        Event::ToolOutput { command, text } | Event::WhatIf { command, text } => {
            Some((command, text))
        }
        Event::ToolError { command, message } => Some((command, message)),
        _ => None,
    }
}

/// "`a`, `b` and 3 more": the first few commands, enough for a one-line note.
fn quote_list(commands: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut list = commands
        .iter()
        .take(SHOWN)
        .map(|command| format!("`{command}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if commands.len() > SHOWN {
        list.push_str(&format!(" and {} more", commands.len() - SHOWN));
    }
    list
}

/// The batch's scorer as a session's grader.
struct Rubric<'a> {
    drill: &'a Drill,
    score: &'a ScoreFn<'a>,
}

impl Grader for Rubric<'_> {
    fn grade(&self, answer: &str, shown: &Shown) -> ScoreReport {
        (self.score)(self.drill, Part::Rubric, answer, shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::testing;

    fn entry(event: Event) -> Entry {
        Entry { at_s: 1.0, event }
    }

    fn concept_transcript(log: Vec<Entry>, version: &str) -> Transcript {
        let mut transcript = testing::transcript("d", 0);
        transcript.sysdrill_version = version.to_owned();
        transcript.log = log;
        transcript
    }

    #[test]
    fn a_log_without_commands_is_kept_as_it_is() {
        let catalog = testing::catalog(&["d"]);
        let drill = &catalog.drills[&crate::domain::DrillId::from("d")];
        let log = vec![entry(Event::Answer {
            text: "alpha".into(),
        })];
        let verified = rederive(
            &catalog,
            drill,
            &concept_transcript(log.clone(), VERSION),
            &testing::score_part,
            &Replays::default(),
        );
        assert_eq!(verified.log, log);
        assert!(!verified.tampered && verified.notes.is_empty());
    }

    #[test]
    fn a_forged_output_is_replaced_and_flagged() {
        let catalog = testing::catalog(&["d"]);
        let drill = &catalog.drills[&crate::domain::DrillId::from("d")];
        // A concept drill has no box: the command printed the box's refusal, not this.
        let forged = vec![
            entry(Event::Command {
                line: "vmstat 1 5".into(),
            }),
            entry(Event::ToolOutput {
                command: "vmstat 1 5".into(),
                text: "r 40".into(),
            }),
            entry(Event::ToolOutput {
                command: "cat /proc/lock_stat".into(),
                text: "made up".into(),
            }),
            entry(Event::Answer {
                text: "alpha".into(),
            }),
        ];
        let verified = rederive(
            &catalog,
            drill,
            &concept_transcript(forged.clone(), VERSION),
            &testing::score_part,
            &Replays::default(),
        );
        assert!(verified.tampered);
        assert!(
            verified.notes[0].starts_with("tampered: the stored output of `vmstat 1 5`"),
            "{:?}",
            verified.notes
        );
        let outputs: Vec<&Event> = verified
            .log
            .iter()
            .map(|entry| &entry.event)
            .filter(|event| event.is_box_output())
            .collect();
        assert!(
            matches!(outputs[..], [Event::ToolError { message, .. }] if message.contains("concept drill")),
            "{outputs:?}"
        );
        // The same file from another version is noted, not called tampered.
        let verified = rederive(
            &catalog,
            drill,
            &concept_transcript(forged, "0.0.1"),
            &testing::score_part,
            &Replays::default(),
        );
        assert!(!verified.tampered);
        assert!(
            verified.notes[0].starts_with("recorded by sysdrill 0.0.1"),
            "{:?}",
            verified.notes
        );
    }

    #[test]
    fn replay_stops_at_its_budget_of_simulated_time() {
        let catalog = testing::catalog(&["d"]);
        let drill = &catalog.drills[&crate::domain::DrillId::from("d")];
        let line = "vmstat 1 1000";
        let refusal = "this is a concept drill: there is no machine to run commands on";
        let mut log = Vec::new();
        for _ in 0..25 {
            log.push(entry(Event::Command { line: line.into() }));
            log.push(entry(Event::ToolError {
                command: line.into(),
                message: refusal.into(),
            }));
        }
        let verified = rederive(
            &catalog,
            drill,
            &concept_transcript(log, VERSION),
            &testing::score_part,
            &Replays::default(),
        );
        // 1,000 simulated seconds each: 21 fit in six hours.
        assert!(!verified.tampered, "{:?}", verified.notes);
        assert_eq!(
            verified.notes,
            [
                "the last 4 command(s) were not replayed (beyond 6 simulated hours); graded \
              without their outputs"
            ]
        );
        let outputs = verified
            .log
            .iter()
            .filter(|entry| entry.event.is_box_output())
            .count();
        assert_eq!(outputs, 21);
    }
}
