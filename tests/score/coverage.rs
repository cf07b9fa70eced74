//! Coverage of plain speech: a concept's idea is credited when the candidate says it in words
//! the rubric did not list, through the synonym table and derived word forms; and neither
//! widening credits a near miss or fires a claim the candidate did not make.

use sysdrill::domain::{Form, Idea, Misconception, Stage, Within};
use sysdrill::score::{Scorer, Shown};

use super::fixture::{bare_drill, concept, strings};

fn idea(roles: &[&[&str]], within: Within) -> Form {
    Form::Idea(Idea {
        roles: roles.iter().map(|role| strings(role)).collect(),
        within,
    })
}

/// A one-concept drill whose concept is exactly `form`.
fn scorer_for(form: Form) -> Scorer {
    let mut only = concept("only", Stage::Interpret, 1.0, false, &[], &[]);
    only.ideas = vec![form];
    Scorer::new(&bare_drill(vec![only], Vec::new(), 0.0))
}

fn hits(scorer: &Scorer, text: &str) -> bool {
    scorer.score(text, &Shown::default()).concepts[0].hit
}

#[test]
fn plain_synonyms_credit_the_idea_and_near_senses_do_not() {
    let shrink = scorer_for(idea(&[&["reduce"], &["time"], &["lock"]], Within::Clause));
    for answer in [
        "Shorten the time we spend inside the lock.",
        "Trim the time the lock is taken for.",
        "We should shrink the time under the lock.",
    ] {
        assert!(hits(&shrink, answer), "{answer}");
    }
    // "Drop" and "free" have their own senses in this field.
    assert!(!hits(
        &shrink,
        "Packets drop while the lock is held for a long time."
    ));

    let stall = scorer_for(idea(&[&["request"], &["stall"]], Within::Clause));
    assert!(hits(
        &stall,
        "Each request gets stuck until memory is freed."
    ));
    assert!(!hits(&stall, "The request waits on the socket."));
    assert!(!hits(&stall, "The request hangs forever."));

    let contend = scorer_for(idea(
        &[&["threads"], &["contend"], &["lock"]],
        Within::Clause,
    ));
    assert!(hits(
        &contend,
        "All the threads are fighting over one lock."
    ));
    assert!(hits(&contend, "The threads compete for the same lock."));
    assert!(!hits(&contend, "The threads race to the lock."));

    let reclaim = scorer_for(idea(&[&["reclaim"], &["pages"]], Within::Clause));
    assert!(hits(&reclaim, "The kernel is evicting pages to make room."));
    assert!(!hits(&reclaim, "There are plenty of free pages."));
}

#[test]
fn derived_forms_credit_the_same_idea_in_another_part_of_speech() {
    let saturated = scorer_for(idea(&[&["disk"], &["saturated"]], Within::Clause));
    assert!(hits(&saturated, "The disk is at saturation."));
    let contention = scorer_for(idea(&[&["contention"], &["lock"]], Within::Clause));
    assert!(hits(&contention, "The lock is heavily contended."));
    assert!(hits(&contention, "Threads contending on the lock."));
    let allocation = scorer_for(idea(&[&["allocate"], &["request"]], Within::Clause));
    assert!(hits(&allocation, "Fresh allocations on every request."));
    assert!(hits(&allocation, "The allocator is hit on every request."));
    // Short words derive nothing: a state is not a station.
    let state = scorer_for(idea(&[&["state"], &["shared"]], Within::Clause));
    assert!(!hits(&state, "The shared station is busy."));
}

#[test]
fn widened_words_fire_no_claim_the_candidate_did_not_make() {
    let mut drill = bare_drill(
        vec![concept("any", Stage::Interpret, 1.0, false, &["lock"], &[])],
        Vec::new(),
        0.0,
    );
    drill.rubric.misconceptions = vec![
        Misconception {
            id: "every-lock-syscall".to_owned(),
            phrases: Vec::new(),
            regexes: Vec::new(),
            correction: "Only contended locks enter the kernel.".to_owned(),
            penalty: 10.0,
            claims: vec![idea(
                &[&["every"], &["lock"], &["syscall"]],
                Within::Sentence,
            )],
            lexicon: Vec::new(),
        },
        Misconception {
            id: "device-hang".to_owned(),
            phrases: Vec::new(),
            regexes: Vec::new(),
            correction: "The device is idle.".to_owned(),
            penalty: 10.0,
            claims: vec![idea(&[&["filesystem"], &["hang"]], Within::Clause)],
            lexicon: Vec::new(),
        },
    ];
    let scorer = Scorer::new(&drill);
    let fired = |text: &str| -> Vec<String> {
        scorer
            .score(text, &Shown::default())
            .misconceptions
            .into_iter()
            .filter(|m| m.fired)
            .map(|m| m.id)
            .collect()
    };
    assert!(
        fired("Threads keep bumping into each other over a lock, and each wait is a syscall.")
            .is_empty()
    );
    assert!(fired("Freezing the filesystem for a snapshot takes the same lock.").is_empty());
    // The claims themselves still fire.
    assert_eq!(
        fired("Every lock is a syscall."),
        ["every-lock-syscall".to_owned()]
    );
    assert_eq!(fired("The filesystem hangs."), ["device-hang".to_owned()]);
}
