//! The interviewer over every shipped drill, through the library: what it says never names a
//! cause, lock, symbol or concept label the candidate has neither said nor been shown, it never
//! says the same thing twice in a row, and command lines are never scored.

use std::collections::HashSet;
use std::sync::Arc;

use rayon::prelude::*;
use sysdrill::content::{Catalog, load_catalog};
use sysdrill::domain::{Drill, Seed};
use sysdrill::interview::memory::{contains_word, leak_terms};
use sysdrill::interview::{Input, Interview, Mode, MoveKind, Output};
use sysdrill::score::Scorer;

fn catalog() -> Catalog {
    load_catalog(&[]).unwrap_or_else(|d| panic!("embedded content does not load: {d:?}"))
}

/// A candidate who wanders: vague lines, a wrong answer with red flags, junk, tools, tries that
/// help and hurt, then a partial and a strong answer, a line at a time.
fn script(drill: &Drill, seed: u64) -> Vec<Input> {
    let example = |prefix: &str| {
        drill
            .examples
            .iter()
            .find(|e| e.name.starts_with(prefix))
            .map(|e| e.answer.clone())
            .unwrap_or_default()
    };
    let sentences = |text: String| -> Vec<Input> {
        text.split(". ")
            .map(|s| s.trim().replace('\n', " "))
            .filter(|s| !s.is_empty())
            .take(6)
            .map(Input::Answer)
            .collect()
    };
    let mut inputs = vec![
        Input::Answer("I am not sure yet, it could be many things".into()),
        Input::Answer("clear".into()),
    ];
    inputs.extend(sentences(example("wrong")));
    inputs.push(Input::Tool("vmstat 1 5".into()));
    inputs.push(Input::Answer("something looks off in there".into()));
    inputs.push(Input::Tool("strace -p 1".into()));
    inputs.push(Input::Tool("perf top".into()));
    inputs.push(Input::Answer("I would look at it more closely".into()));
    // A try re-simulates the box twice; a few seeds are enough to see both reactions.
    if seed <= 4 {
        inputs.push(Input::Try("hold_scale=4".into()));
        inputs.push(Input::Try("threads=4".into()));
    }
    inputs.extend(sentences(example("partial")));
    inputs.push(Input::Tool("perf lock contention -a -b".into()));
    inputs.extend(sentences(example("strong")));
    inputs.push(Input::Answer(
        "I would canary it and compare p99 before and after".into(),
    ));
    inputs.push(Input::Answer(
        "It costs some headroom, and the next limit is the CPU".into(),
    ));
    inputs
}

/// Words with an underscore: symbols.
fn identifiers(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.len() > 3 && w.contains('_') && w.chars().any(char::is_alphabetic))
        .map(|w| w.trim_matches('_').to_lowercase())
}

/// The terms and symbols the candidate has met, gathered as text arrives (scanning the whole
/// history at every move would cost more than the sessions themselves).
struct Visible<'t> {
    all: &'t [String],
    terms: HashSet<&'t String>,
    symbols: HashSet<String>,
}

impl<'t> Visible<'t> {
    fn new(all: &'t [String]) -> Self {
        Self {
            all,
            terms: HashSet::new(),
            symbols: HashSet::new(),
        }
    }

    fn add(&mut self, text: &str) {
        let lower = text.to_lowercase();
        for term in self.all {
            if contains_word(&lower, term) {
                self.terms.insert(term);
            }
        }
        self.symbols.extend(identifiers(&lower));
    }
}

#[test]
fn no_move_names_what_the_candidate_has_not_met_on_any_drill_or_seed() {
    let catalog = catalog();
    let drills: Vec<&Drill> = catalog.drills.values().collect();
    let checked: usize = drills
        .par_iter()
        .map(|drill| moves_checked(&catalog, drill))
        .sum();
    assert!(checked > 1000, "only {checked} moves checked");
}

/// Runs the script on one drill for seeds 1–20 and checks every move; returns how many.
fn moves_checked(catalog: &Catalog, drill: &Drill) -> usize {
    let mut checked = 0usize;
    {
        let incident = drill
            .incident
            .as_ref()
            .and_then(|id| catalog.incidents.get(id));
        let scorer = Arc::new(Scorer::new(drill));
        for seed in 1..=20u64 {
            let seed = Seed(seed);
            let variant = incident.map(|incident| sysdrill::model::variant::pick(incident, seed));
            let terms = leak_terms(drill, variant.as_ref());
            let mut session =
                Interview::with_grader(drill, incident, seed, Mode::Interview, scorer.clone());
            // What the candidate said or was shown: the terms and symbols in it.
            let mut visible = Visible::new(&terms);
            visible.add(&drill.opening);
            let mut last: Option<String> = None;
            let mut outputs = session.start();
            for input in script(drill, seed.0) {
                if session.is_finished() {
                    break;
                }
                match &input {
                    Input::Answer(text) | Input::Tool(text) | Input::Try(text) => visible.add(text),
                    _ => {}
                }
                outputs.extend(session.handle(input));
                for output in outputs.drain(..) {
                    match output {
                        Output::Tool { text, .. } | Output::WhatIf { text, .. } => {
                            visible.add(&text)
                        }
                        Output::ToolError { message, .. } => visible.add(&message),
                        Output::Say { kind, text } => {
                            assert_ne!(
                                last.as_deref(),
                                Some(text.as_str()),
                                "{} seed {}: said twice in a row",
                                drill.id,
                                seed.0
                            );
                            last = Some(text.clone());
                            if matches!(kind, MoveKind::Opening | MoveKind::WrapUp) {
                                continue;
                            }
                            let lower = text.to_lowercase();
                            for term in &terms {
                                assert!(
                                    !contains_word(&lower, term) || visible.terms.contains(term),
                                    "{} seed {}: {kind:?} names `{term}` unseen: {text}",
                                    drill.id,
                                    seed.0
                                );
                            }
                            for word in identifiers(&text) {
                                assert!(
                                    visible.symbols.contains(&word),
                                    "{} seed {}: names symbol `{word}` unseen: {text}",
                                    drill.id,
                                    seed.0
                                );
                            }
                            checked += 1;
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    checked
}

#[test]
fn command_lines_are_logged_as_actions_and_never_scored() {
    let catalog = catalog();
    let drill = &catalog.drills[&"slow-under-load".into()];
    let incident = catalog.incidents.get(drill.incident.as_ref().unwrap());
    let mut session = Interview::new(drill, incident, Seed(7), Mode::Interview);
    session.start();
    for line in [
        "strace -p 1",
        "ls",
        "ps -ef",
        "perf top | head -5",
        "grep x /proc/lock_stat",
        "sar -q 1 3",
        "ps -eLo pid,tid,stat,wchan:32,comm | grep ingest",
    ] {
        let input = Input::classify(line).unwrap();
        assert_eq!(input, Input::Tool(line.to_owned()), "{line}");
        let out = session.handle(input);
        assert!(
            out.iter().all(|o| !matches!(o, Output::Say { .. })),
            "{line}: the interviewer answered a command: {out:?}"
        );
        assert!(
            out.iter()
                .any(|o| matches!(o, Output::Tool { .. } | Output::ToolError { .. })),
            "{line}: {out:?}"
        );
    }
    // Nothing was scored as an answer: the only credit is for the tools run (an action the
    // scorer credits to the check step), with the command as its evidence.
    assert_eq!(session.answer_text(), "");
    let card = session.scorecard(false);
    assert_eq!(card.answers, 0);
    for concept in card.concepts.iter().filter(|c| c.hit) {
        let stage = drill.concept(&concept.id).unwrap().stage;
        assert_eq!(stage, sysdrill::domain::Stage::Check, "{card:?}");
        let evidence = concept.evidence.as_deref().unwrap_or_default();
        assert!(evidence.starts_with("ran `"), "{card:?}");
    }
    // Every command is kept with what it printed.
    assert_eq!(session.shown().outputs.len(), 7);
}

#[test]
fn every_incident_drill_has_follow_ups_and_they_come_after_the_fix() {
    let catalog = catalog();
    for drill in catalog.drills.values() {
        let Some(incident_id) = &drill.incident else {
            continue;
        };
        assert!(
            !drill.follow_ups.is_empty(),
            "{} has no follow-up questions",
            drill.id
        );
        let incident = catalog.incidents.get(incident_id);
        let mut session = Interview::new(drill, incident, Seed(1), Mode::Interview);
        session.start();
        // The strong example walks every phase; then the follow-ups, then the scorecard.
        let strong = drill
            .examples
            .iter()
            .find(|e| e.name.starts_with("strong"))
            .expect("a strong example");
        let mut kinds = Vec::new();
        for _ in 0..12 {
            if session.is_finished() {
                break;
            }
            for output in session.handle(Input::Answer(strong.answer.clone())) {
                if let Output::Say { kind, .. } = output {
                    kinds.push(kind);
                }
            }
        }
        assert!(session.is_finished(), "{}: {kinds:?}", drill.id);
        let first_follow_up = kinds.iter().position(|k| *k == MoveKind::FollowUp);
        let wrap = kinds.iter().position(|k| *k == MoveKind::WrapUp);
        assert!(
            first_follow_up.is_some_and(|f| wrap.is_some_and(|w| f < w)),
            "{}: follow-ups not asked before the scorecard: {kinds:?}",
            drill.id
        );
    }
}
