//! Negation and hypothetical decisions end to end, through `Scorer::score`: phrases that carry
//! their own negation, post-negations that reach only their phrase, clause-opening commas,
//! explanatory conditions, hedging questions, and the shipped drills' own wording.

use sysdrill::domain::Stage;
use sysdrill::score::{ScoreReport, Scorer, Shown, Status};

use super::fixture::{bare_drill, concept, red_flag, status};

fn scorer() -> Scorer {
    let concepts = vec![
        concept(
            "spin-never-sleeps",
            Stage::Interpret,
            2.0,
            false,
            &["never sleep", "never sleeps", "do not sleep"],
            &[r"\bspin\w*\b[^.]{0,20}\bnever\s(sleeps?|blocks?)\b"],
        ),
        concept(
            "mutex-may-not-spin",
            Stage::Interpret,
            1.0,
            false,
            &["may not spin", "does not spin"],
            &[],
        ),
        concept(
            "sy-high",
            Stage::Check,
            1.0,
            false,
            &[],
            &[r"\bsy\b[^.]{0,20}\b(high|\d+)"],
        ),
        concept("steal", Stage::Hypothesis, 1.0, false, &["steal"], &[]),
        concept(
            "st-high",
            Stage::Interpret,
            1.0,
            false,
            &[],
            &[r"\bst\b[^.]{0,15}\b(high|\d+)"],
        ),
        concept("cs-high", Stage::Check, 1.0, false, &["cs is high"], &[]),
        concept("run-queue", Stage::Check, 2.0, false, &["run queue"], &[]),
        concept(
            "disk-io",
            Stage::Check,
            1.0,
            false,
            &["disk io", "disk"],
            &[],
        ),
        concept(
            "threads-waiting",
            Stage::Interpret,
            1.0,
            false,
            &["threads are waiting", "threads wait"],
            &[],
        ),
    ];
    let flags = vec![
        red_flag(
            "add-threads",
            &["add more threads", "adding more threads"],
            15.0,
        ),
        red_flag("faster-cpu", &["faster cpu"], 10.0),
    ];
    Scorer::new(&bare_drill(concepts, flags, 0.0))
}

fn score(answer: &str) -> ScoreReport {
    scorer().score(answer, &Shown::default())
}

fn flag_status(report: &ScoreReport, id: &str) -> (bool, Status) {
    report
        .red_flags
        .iter()
        .find(|f| f.id == id)
        .map_or((false, Status::Missing), |f| (f.fired, f.status))
}

#[test]
fn phrases_carrying_their_own_negation_are_asserted() {
    for answer in [
        "Spin waiters never sleep, they burn CPU.",
        "A spinlock waiter does not sleep; spinners never block.",
    ] {
        let report = score(answer);
        assert_eq!(
            status(&report, "spin-never-sleeps"),
            Status::Asserted,
            "{answer}"
        );
    }
    let report = score("In that case the mutex may not spin at all.");
    assert_eq!(status(&report, "mutex-may-not-spin"), Status::Asserted);
    let report = score("Under contention a futex does not spin, it sleeps.");
    assert_eq!(status(&report, "mutex-may-not-spin"), Status::Asserted);
    // A negation outside the phrase still denies it.
    let denied = score("It is not true that spin waiters never sleep.");
    assert_eq!(status(&denied, "spin-never-sleeps"), Status::Negated);
    // Evidence names the outer trigger, not the phrase's own word.
    let trigger = denied.concepts[0]
        .evidence
        .as_ref()
        .and_then(|e| e.trigger.clone());
    assert_eq!(trigger.as_deref(), Some("is not"));
}

#[test]
fn a_regex_gap_does_not_own_the_negation_it_swallows() {
    let report = score("sy is not high.");
    assert_eq!(status(&report, "sy-high"), Status::Negated);
    let report = score("sy is high, around 70.");
    assert_eq!(status(&report, "sy-high"), Status::Asserted);
}

#[test]
fn post_negations_reach_only_their_phrase() {
    let report = score("cs is high while steal is normal.");
    assert_eq!(status(&report, "cs-high"), Status::Asserted);
    assert_eq!(status(&report, "steal"), Status::Negated);

    let report = score("The run queue is 38 and the disk is fine.");
    assert_eq!(status(&report, "run-queue"), Status::Asserted);
    assert_eq!(status(&report, "disk-io"), Status::Negated);

    // Steal described as normal elsewhere, then read off this machine.
    let report =
        score("Steal is normal on a dedicated host, but here st is 23 and steal is the cause.");
    assert_eq!(status(&report, "st-high"), Status::Asserted);
    assert_eq!(status(&report, "steal"), Status::Asserted);
    let evidence = report.concepts[3].evidence.as_ref().map(|e| e.start);
    assert!(
        evidence > Some(20),
        "credited from the affirmed mention: {evidence:?}"
    );
}

#[test]
fn a_negation_ends_at_a_comma_that_opens_a_clause() {
    let report = score("It's not disk IO, the run queue is 38.");
    assert_eq!(status(&report, "disk-io"), Status::Negated);
    assert_eq!(status(&report, "run-queue"), Status::Asserted);
    // A list after the comma is still denied.
    let report = score("I don't see steal, disk IO or a long run queue.");
    assert_eq!(status(&report, "steal"), Status::Negated);
    assert_eq!(status(&report, "run-queue"), Status::Negated);
}

#[test]
fn an_explained_condition_is_asserted_a_hedge_is_not() {
    let report =
        score("If the run queue is above the CPU count, threads are waiting, and here r is 38.");
    assert_eq!(status(&report, "run-queue"), Status::Asserted);
    assert_eq!(status(&report, "threads-waiting"), Status::Asserted);

    // A bare rule keeps its condition hypothetical.
    let rule = score("If the run queue is above the CPU count, threads are waiting.");
    assert_eq!(status(&rule, "run-queue"), Status::Hypothetical);
    // ... unless the concept is asserted elsewhere, which credits it.
    let rule_and_fact = score(
        "If the run queue is above the CPU count, threads are waiting. The run queue is 38 on 8 CPUs.",
    );
    assert_eq!(status(&rule_and_fact, "run-queue"), Status::Asserted);

    // Hedges stay hypothetical: no red flag.
    for answer in [
        "Maybe add more threads?",
        "Add more threads?",
        "Could a faster CPU help?",
        "We might add more threads, and here that would hurt.",
    ] {
        let report = score(answer);
        assert!(
            !flag_status(&report, "add-threads").0 && !flag_status(&report, "faster-cpu").0,
            "{answer}"
        );
    }
    // Explaining what an action does, even applied "here", does not propose it.
    let report = score("If we add more threads, it gets worse here.");
    assert_eq!(
        flag_status(&report, "add-threads"),
        (false, Status::Hypothetical)
    );
    // A plain proposal still fires, and a wh-question does not hedge what it asks about.
    assert!(flag_status(&score("We should add more threads."), "add-threads").0);
    let report = score("Why is sy at 70%? Spinning.");
    assert_eq!(status(&report, "sy-high"), Status::Asserted);
    let report = score("Is it the disk?");
    assert_eq!(status(&report, "disk-io"), Status::Hypothetical);
}
