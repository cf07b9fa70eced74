//! Claims, not keywords: red flags and misconceptions fire when the candidate asserts the claim
//! in their own words, and not when they reject, question, quote or hypothesise it; a command
//! typed as an answer claims nothing; a check is credited for the tool the candidate ran.

use sysdrill::domain::{Form, Idea, Misconception, Stage, Within};
use sysdrill::score::{ScoreReport, Scorer, Shown, ShownOutput, Status};

use super::fixture::{bare_drill, concept, red_flag, strings};

fn idea(roles: &[&[&str]], within: Within) -> Form {
    Form::Idea(Idea {
        roles: roles.iter().map(|role| strings(role)).collect(),
        within,
    })
}

fn misconception(id: &str, claims: Vec<Form>) -> Misconception {
    Misconception {
        id: id.to_owned(),
        phrases: Vec::new(),
        regexes: Vec::new(),
        correction: format!("correction for {id}"),
        penalty: 10.0,
        claims,
        lexicon: Vec::new(),
    }
}

fn scorer() -> Scorer {
    let concepts = vec![
        concept(
            "hot-lock",
            Stage::Interpret,
            1.0,
            false,
            &["one lock dominates"],
            &[],
        ),
        concept("perf-lock", Stage::Check, 1.0, false, &["perf lock"], &[]),
    ];
    let mut add = red_flag("add-threads", &[], 15.0);
    add.claims = vec![
        idea(
            &[
                &["add", "more", "increase", "double"],
                &["threads", "workers"],
            ],
            Within::Clause,
        ),
        Form::Phrase("throw more threads at it".to_owned()),
    ];
    let mut faster = red_flag("faster-cpu", &[], 10.0);
    faster.claims = vec![idea(
        &[
            &["buy", "get", "upgrade to", "need"],
            &["faster cpu", "faster cpus", "bigger machine"],
        ],
        Within::Clause,
    )];
    let mut disk = red_flag("blame-disk", &[], 15.0);
    disk.claims = vec![idea(
        &[
            &["disk", "storage"],
            &["the problem", "the bottleneck", "the issue"],
        ],
        Within::Clause,
    )];
    let mut per_task = red_flag("thread-per-task", &[], 15.0);
    per_task.claims = vec![idea(
        &[
            &["a", "one", "its own"],
            &["thread", "worker"],
            &["per task", "for each task", "each task"],
        ],
        Within::Clause,
    )];
    let mut drill = bare_drill(concepts, vec![add, faster, disk, per_task], 0.0);
    drill.rubric.misconceptions = vec![
        misconception(
            "futex-is-a-lock",
            vec![
                idea(
                    &[&["futex"], &["is a", "is the same as"], &["lock", "mutex"]],
                    Within::Clause,
                ),
                idea(
                    &[
                        &["futex"],
                        &["every", "each", "always"],
                        &["lock", "unlock", "acquire"],
                        &["system call", "syscall"],
                    ],
                    Within::Sentence,
                ),
            ],
        ),
        misconception(
            "readers-dont-contend",
            vec![idea(
                &[
                    &["readers", "reader"],
                    &["never", "don't", "do not", "no"],
                    &["contend", "contention", "block", "wait"],
                ],
                Within::Clause,
            )],
        ),
        misconception(
            "steal-is-our-load",
            vec![idea(
                &[
                    &["steal", "steal time"],
                    &["just what the hypervisor reports when", "never comes from"],
                ],
                Within::Clause,
            )],
        ),
    ];
    Scorer::new(&drill)
}

fn report(answer: &str) -> ScoreReport {
    scorer().score(answer, &Shown::default())
}

fn fired(report: &ScoreReport, id: &str) -> bool {
    report
        .red_flags
        .iter()
        .chain(&report.misconceptions)
        .any(|f| f.id == id && f.fired)
}

fn status(report: &ScoreReport, id: &str) -> Status {
    report
        .red_flags
        .iter()
        .chain(&report.misconceptions)
        .find(|f| f.id == id)
        .map_or(Status::Missing, |f| f.status)
}

#[test]
fn asserted_claims_fire_in_the_candidates_own_words() {
    for (answer, id) in [
        (
            "Readers on a reader-writer lock never contend with each other.",
            "readers-dont-contend",
        ),
        (
            "A futex is a kernel mutex: every lock and unlock is a system call.",
            "futex-is-a-lock",
        ),
        ("If that is not enough, add more threads.", "add-threads"),
        ("I'd double the workers to absorb the load.", "add-threads"),
        ("Honestly, throw more threads at it.", "add-threads"),
        ("We need a faster CPU for this.", "faster-cpu"),
    ] {
        let report = report(answer);
        assert!(fired(&report, id), "{answer}: {:?}", status(&report, id));
        let evidence = report
            .red_flags
            .iter()
            .chain(&report.misconceptions)
            .find(|f| f.id == id)
            .and_then(|f| f.evidence.clone())
            .unwrap_or_else(|| panic!("{answer}: no evidence"));
        // The evidence is the clause, as written.
        assert_eq!(&answer[evidence.start..evidence.end], evidence.text);
        assert!(
            evidence.text.len() > evidence.matched.len() / 2,
            "{evidence:?}"
        );
    }
}

#[test]
fn rejected_questioned_quoted_or_hypothetical_claims_do_not_fire() {
    for (answer, id, expected) in [
        (
            "Adding more threads will not help here.",
            "add-threads",
            Status::Negated,
        ),
        (
            "I would not add more threads.",
            "add-threads",
            Status::Negated,
        ),
        (
            "Rather than adding more threads, cap the pool.",
            "add-threads",
            Status::Negated,
        ),
        (
            "Should we add more threads?",
            "add-threads",
            Status::Hypothetical,
        ),
        (
            "Maybe we could add more threads later.",
            "add-threads",
            Status::Hypothetical,
        ),
        (
            "The on-call note says \"add more threads\".",
            "add-threads",
            Status::Hypothetical,
        ),
        (
            "The idea that readers never contend is a myth.",
            "readers-dont-contend",
            Status::Negated,
        ),
        (
            "People think a futex is a lock, but it is a wait queue.",
            "futex-is-a-lock",
            Status::Negated,
        ),
        (
            "A futex is not a lock; it is a wait queue.",
            "futex-is-a-lock",
            Status::Missing,
        ),
        (
            "More cores just makes that queue longer.",
            "faster-cpu",
            Status::Missing,
        ),
    ] {
        let report = report(answer);
        assert!(!fired(&report, id), "{answer}");
        assert_eq!(status(&report, id), expected, "{answer}");
    }
}

/// A frame keeps a claim from firing only in the claim's own clause: past a contrast word the
/// candidate speaks for themselves again.
#[test]
fn a_rejection_reaches_only_the_claims_own_clause() {
    for answer in [
        "People sometimes say add more threads, and it sounds plausible.",
        "A colleague once told me readers never contend.",
        "Raising the pool size would only hide it: adding more threads won't help.",
        "Doubling the workers would just add contenders.",
        "More workers absorb bursts, but they don't make the lock any faster.",
        "You'd think a futex is a lock, but it is a wait queue.",
    ] {
        let report = report(answer);
        for id in ["add-threads", "readers-dont-contend", "futex-is-a-lock"] {
            assert!(!fired(&report, id), "{answer}: {id}");
        }
    }
    for (answer, id) in [
        (
            "People think it is the disk, but I'd add more threads.",
            "add-threads",
        ),
        (
            "It's a myth that the disk is slow; however, readers never contend.",
            "readers-dont-contend",
        ),
        ("Adding more threads just works here.", "add-threads"),
        ("Adding more threads won't hurt.", "add-threads"),
    ] {
        let report = report(answer);
        assert!(fired(&report, id), "{answer}: {:?}", status(&report, id));
    }
}

#[test]
fn a_command_typed_as_an_answer_claims_nothing_but_the_check() {
    let report = report("perf lock contention");
    let hot = report.concepts.iter().find(|c| c.id == "hot-lock");
    assert!(hot.is_some_and(|c| !c.hit));
    let perf = report.concepts.iter().find(|c| c.id == "perf-lock");
    assert!(perf.is_some_and(|c| c.hit));
    // Said as a finding, it counts.
    let said = super::claims::report("perf lock shows one lock dominates the wait time.");
    assert!(said.concepts.iter().any(|c| c.id == "hot-lock" && c.hit));
}

#[test]
fn a_check_is_credited_for_the_tool_the_candidate_ran() {
    let shown = Shown {
        outputs: vec![ShownOutput {
            command: "perf lock contention -a sleep 1".to_owned(),
            text: String::new(),
        }],
    };
    let answer = "The run is slow because threads wait.";
    let with = scorer().score(answer, &shown);
    let perf = with.concepts.iter().find(|c| c.id == "perf-lock").cloned();
    let perf = perf.expect("perf-lock");
    assert!(perf.hit);
    assert_eq!(
        perf.evidence.and_then(|e| e.command).as_deref(),
        Some("perf lock contention -a sleep 1")
    );
    let without = scorer().score(answer, &Shown::default());
    assert!(
        without
            .concepts
            .iter()
            .any(|c| c.id == "perf-lock" && !c.hit)
    );
    assert!(with.score > without.score);
}

/// A negation or dismissal written into one role of a claim is what the claim says, not a frame
/// around its other roles; a frame outside the claim's words still keeps it from firing.
#[test]
fn a_dismissal_inside_a_claims_own_words_is_the_claim() {
    for answer in [
        "Steal is just what the hypervisor reports when our vCPUs are busy.",
        "I think steal time never comes from another guest.",
    ] {
        let report = report(answer);
        assert!(
            fired(&report, "steal-is-our-load"),
            "{answer}: {:?}",
            status(&report, "steal-is-our-load")
        );
    }
    for answer in [
        "People say steal is just what the hypervisor reports when we are busy.",
        "It is a myth that steal is just what the hypervisor reports when we are busy.",
    ] {
        let report = report(answer);
        assert!(!fired(&report, "steal-is-our-load"), "{answer}");
    }
}

/// A dismissal that only ends in a role's words is not the role's own: "the disk is not the
/// problem" dismisses the disk, though "the problem" is a role of blaming it.
#[test]
fn a_dismissal_ending_in_a_roles_words_denies_the_claim() {
    for answer in [
        "The disk is not the problem, iostat util is 3%.",
        "Storage isn't the bottleneck here.",
        "I checked and the disk is not the issue.",
    ] {
        let report = report(answer);
        assert!(
            !fired(&report, "blame-disk"),
            "{answer}: {:?}",
            status(&report, "blame-disk")
        );
    }
    for answer in [
        "The disk is the bottleneck.",
        "I'm sure storage is the problem.",
    ] {
        assert!(fired(&report(answer), "blame-disk"), "{answer}");
    }
}

/// A claim is asserted only as a whole: one of its roles denied by a negation said before it
/// ("instead of", "not", "no") leaves the others saying something else, though most of its roles
/// stand; a negation elsewhere in the sentence leaves the claim asserted.
#[test]
fn a_role_denied_before_it_denies_the_claim() {
    for answer in [
        "Give each worker a local queue instead of a central queue that wakes a worker per task.",
        "Instead of a queue that wakes a worker per task, give each worker a local queue.",
        "Give every worker a local queue rather than one shared queue that starts a thread for each task.",
    ] {
        let report = report(answer);
        assert!(
            !fired(&report, "thread-per-task"),
            "{answer}: {:?}",
            status(&report, "thread-per-task")
        );
    }
    for answer in [
        "Spawn a worker per task.",
        "Give each task its own thread.",
        "Don't batch anything: start a thread for each task.",
        "It is not the disk, so I would run one worker per task.",
    ] {
        assert!(fired(&report(answer), "thread-per-task"), "{answer}");
    }
}

/// A label that announces what to expect or which possibilities to weigh ("Verify:",
/// "Candidates:") makes what follows it a prediction, not a claim; other labels, and a colon
/// after the claim, do not.
#[test]
fn an_expectation_label_predicts_and_claims_nothing() {
    for answer in [
        "Candidates: the disk is the bottleneck, a hot lock, or the network.",
        "Busy-with-no-progress candidates: the disk is the bottleneck or a lock.",
        "How to verify: once the lock is split, storage is the bottleneck and util climbs.",
        "Success looks like: the disk is the bottleneck, not the lock.",
    ] {
        let report = report(answer);
        assert!(
            !fired(&report, "blame-disk"),
            "{answer}: {:?}",
            status(&report, "blame-disk")
        );
    }
    for answer in [
        "My verdict: the disk is the bottleneck.",
        "The disk is the bottleneck: util is 100%.",
        "Verify the fix. The disk is the bottleneck.",
    ] {
        assert!(fired(&report(answer), "blame-disk"), "{answer}");
    }
}

/// The scope rules of proposals and questions, through the scorer: a proposal said with its bad
/// outcome, a report of what someone did, inline code and a question that asks for data are not
/// the candidate's recommendation; the same proposal said plainly, endorsed or asserted by a
/// question that insists still is.
#[test]
fn outcomes_reports_code_and_questions_scope_a_proposal() {
    for answer in [
        "Add more threads and the queue just gets longer.",
        "Double the workers and you'll just make it worse.",
        "The on-call added threads last night.",
        "A colleague suggested we get a bigger machine.",
        "We already added more workers on Monday.",
        "The runbook's fix is `add more threads`.",
        "Did anyone check whether we need a faster CPU?",
    ] {
        let report = report(answer);
        for id in ["add-threads", "faster-cpu"] {
            assert!(
                !fired(&report, id),
                "{answer}: {id} {:?}",
                status(&report, id)
            );
        }
    }
    for (answer, id) in [
        ("Add more threads and it will be fine.", "add-threads"),
        ("Add more threads, that fixes it.", "add-threads"),
        (
            "The on-call added threads last night, which was right.",
            "add-threads",
        ),
        (
            "Add more threads because the queue keeps getting longer.",
            "add-threads",
        ),
        ("Don't we obviously need a faster CPU?", "faster-cpu"),
    ] {
        let report = report(answer);
        assert!(fired(&report, id), "{answer}: {:?}", status(&report, id));
    }
}

/// A red flag that fires when hedged fires from a suggestion put as a question, never from a
/// question that asks for data.
#[test]
fn a_question_that_asks_for_data_proposes_nothing() {
    let mut hedged = red_flag("add-threads", &[], 15.0);
    hedged.fires_when_hypothetical = true;
    hedged.claims = vec![idea(
        &[&["add", "more"], &["threads", "workers"]],
        Within::Clause,
    )];
    let scorer = Scorer::new(&bare_drill(Vec::new(), vec![hedged], 0.0));
    let fires = |answer: &str| {
        scorer
            .score(answer, &Shown::default())
            .red_flags
            .iter()
            .any(|f| f.fired)
    };
    assert!(fires("Should we add more threads?"));
    assert!(fires("Maybe add more threads."));
    assert!(!fires("Did anyone check whether we need more threads?"));
    assert!(!fires("Do we know if more workers would help?"));
}

/// A concept said as a rule, its roles straddling a condition and the clause it governs ("if
/// the count is zero you wait"), is asserted: explaining how something works is how a concept is
/// said. Roles all inside the condition stay hypothetical, and a red flag said as a rule is
/// still not proposed.
#[test]
fn a_concept_said_as_a_rule_is_asserted() {
    let mut waits = concept("waits-at-zero", Stage::Interpret, 1.0, false, &[], &[]);
    waits.ideas = vec![idea(
        &[&["zero", "empty"], &["wait", "sleep", "block"]],
        Within::Sentence,
    )];
    let mut add = red_flag("add-threads", &[], 15.0);
    add.claims = vec![idea(
        &[
            &["add", "more"],
            &["threads", "workers"],
            &["faster", "speeds up"],
        ],
        Within::Sentence,
    )];
    let scorer = Scorer::new(&bare_drill(vec![waits], vec![add], 0.0));
    let concept_status = |answer: &str| {
        scorer
            .score(answer, &Shown::default())
            .concepts
            .iter()
            .find(|c| c.id == "waits-at-zero")
            .map(|c| c.status)
    };
    for answer in [
        "Taking a permit lowers the count; if it is at zero you wait.",
        "If the count is zero, the caller has to wait.",
        "You sleep if the count is zero.",
    ] {
        assert_eq!(concept_status(answer), Some(Status::Asserted), "{answer}");
    }
    for answer in [
        "If the count is zero and we wait, something else is wrong.",
        "Maybe it is zero and you wait.",
    ] {
        assert_eq!(
            concept_status(answer),
            Some(Status::Hypothetical),
            "{answer}"
        );
    }
    let report = scorer.score("If we add threads, it runs faster.", &Shown::default());
    assert!(!fired(&report, "add-threads"), "{:?}", report.red_flags);
}

/// A diagnosis named after "or", among possibilities listed side by side, is weighed, not
/// believed; said on its own, or with its own objects listed after it, it is asserted.
#[test]
fn a_misconception_listed_as_an_alternative_is_weighed_not_believed() {
    let mut drill = bare_drill(Vec::new(), Vec::new(), 0.0);
    drill.rubric.misconceptions = vec![misconception(
        "device-hang",
        vec![idea(
            &[&["hung", "stuck", "dead"], &["device", "disk", "drive"]],
            Within::Clause,
        )],
    )];
    let scorer = Scorer::new(&drill);
    let fires = |answer: &str| fired(&scorer.score(answer, &Shown::default()), "device-hang");
    for answer in [
        "Threads blocked forever: a deadlock or a hung device or a remote filesystem.",
        "It is a lock cycle, or a stuck disk, and the stacks will tell which.",
    ] {
        assert!(!fires(answer), "{answer}");
    }
    for answer in [
        "The threads are blocked on a hung device.",
        "It is a hung device or a dead controller, nothing else fits.",
    ] {
        assert!(fires(answer), "{answer}");
    }
}

/// A claim is said on one side of a turn (a comma and "but", "however", "though" …), not
/// across it; a contrast with no comma before it may join one statement.
#[test]
fn a_claims_roles_do_not_straddle_a_turn() {
    let mut drill = bare_drill(Vec::new(), Vec::new(), 0.0);
    drill.rubric.misconceptions = vec![misconception(
        "spin-contention-here",
        vec![idea(
            &[
                &["system time", "sys time"],
                &["kernel lock", "spinlock"],
                &["contention", "contended"],
            ],
            Within::Sentence,
        )],
    )];
    let scorer = Scorer::new(&drill);
    let fires = |answer: &str| {
        fired(
            &scorer.score(answer, &Shown::default()),
            "spin-contention-here",
        )
    };
    assert!(!fires(
        "That much system time made me think of a kernel lock at first, but perf lock shows no contention."
    ));
    assert!(!fires(
        "The system time points at a kernel lock, however contention is nil."
    ));
    assert!(fires(
        "The system time is a kernel lock under heavy contention."
    ));
    assert!(fires(
        "The system time is high but it's kernel lock contention."
    ));
}

/// A first impression set aside by a contrast in its sentence is denied; without the contrast
/// it stands.
#[test]
fn first_impressions_set_aside_by_a_contrast_are_denied() {
    let mut drill = bare_drill(Vec::new(), Vec::new(), 0.0);
    drill.rubric.misconceptions = vec![misconception(
        "disk-saturated",
        vec![idea(
            &[&["disk", "drive"], &["saturated", "maxed out"]],
            Within::Clause,
        )],
    )];
    let scorer = Scorer::new(&drill);
    let fires = |answer: &str| fired(&scorer.score(answer, &Shown::default()), "disk-saturated");
    for answer in [
        "My first thought was a saturated disk, but the queue is empty.",
        "At first the disk is saturated, but util counts any IO in flight.",
        "The util column made me think the disk was saturated, however the queue is empty.",
        "Initially the disk is maxed out, yet nothing waits on it.",
    ] {
        assert!(!fires(answer), "{answer}");
    }
    for answer in [
        "Initially the disk is saturated, and iostat confirms it.",
        "The util column made me think the disk was saturated, and iostat agrees.",
    ] {
        assert!(fires(answer), "{answer}");
    }
}
