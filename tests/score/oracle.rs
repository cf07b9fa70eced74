//! The deterministic oracle cases: one small answer per rule of docs/SCORING.md.

use sysdrill::domain::Stage;
use sysdrill::score::{ScoreReport, Scorer, Shown, Status};

use super::fixture::{bare_drill, concept, red_flag, status};

fn scorer() -> Scorer {
    let concepts = vec![
        concept(
            "lock-contention",
            Stage::Hypothesis,
            2.0,
            false,
            &["lock contention"],
            &[],
        ),
        concept(
            "memory-pressure",
            Stage::Hypothesis,
            1.0,
            false,
            &["memory pressure"],
            &[],
        ),
        concept("disk-io", Stage::Hypothesis, 1.0, false, &["disk io"], &[]),
        concept("run-queue", Stage::Check, 2.0, false, &["run queue"], &[]),
        concept(
            "cap-threads",
            Stage::Fix,
            2.0,
            false,
            &["cap the pool"],
            &[],
        ),
    ];
    let flags = vec![red_flag(
        "add-threads",
        &["adding more threads", "add more threads"],
        15.0,
    )];
    Scorer::new(&bare_drill(concepts, flags, 10.0))
}

fn score(answer: &str) -> ScoreReport {
    scorer().score(answer, &Shown::default())
}

fn hit(report: &ScoreReport, id: &str) -> bool {
    report.concepts.iter().any(|c| c.id == id && c.hit)
}

fn fired(report: &ScoreReport) -> bool {
    report.red_flags.iter().any(|f| f.fired)
}

#[test]
fn oracle_1_negation_is_not_credit() {
    let negated = score("It's not lock contention.");
    assert!(!hit(&negated, "lock-contention"));
    assert_eq!(status(&negated, "lock-contention"), Status::Negated);
    let evidence = negated.concepts[0]
        .evidence
        .as_ref()
        .map(|e| e.trigger.clone());
    assert_eq!(evidence, Some(Some("It's not".to_owned())));

    let affirmed = score("It's lock contention, not IO.");
    assert!(hit(&affirmed, "lock-contention"));
    // Post-negation: "... is ruled out".
    assert!(!hit(
        &score("Lock contention is ruled out."),
        "lock-contention"
    ));
}

#[test]
fn oracle_2_rather_than_rejects_the_red_flag() {
    for answer in [
        "Rather than adding more threads, cap the pool.",
        "Instead of adding more threads, cap the pool.",
        "Cap the pool instead of adding more threads.",
    ] {
        let report = score(answer);
        assert!(!fired(&report), "{answer}");
        assert_eq!(report.red_flags[0].status, Status::Negated, "{answer}");
        assert!(hit(&report, "cap-threads"), "{answer}");
    }
}

#[test]
fn oracle_3_plain_red_flag_fires() {
    let report = score("Adding more threads will fix it.");
    assert!(fired(&report));
    assert_eq!(
        report.red_flags[0]
            .evidence
            .as_ref()
            .map(|e| (e.matched.as_str(), e.text.as_str())),
        Some(("Adding more threads", "Adding more threads will fix it"))
    );
    assert!(report.pushback.iter().any(|p| p.contains("add threads")));
}

#[test]
fn oracle_4_hypothetical_red_flag_follows_the_fixed_rule() {
    let report = score("Maybe add more threads?");
    assert!(!fired(&report));
    assert_eq!(report.red_flags[0].status, Status::Hypothetical);

    let concepts = vec![concept("x", Stage::Check, 1.0, false, &["run queue"], &[])];
    let mut flag = red_flag("add-threads", &["add more threads"], 15.0);
    flag.fires_when_hypothetical = true;
    let strict = Scorer::new(&bare_drill(concepts, vec![flag], 0.0));
    assert!(
        strict
            .score("Maybe add more threads?", &Shown::default())
            .red_flags[0]
            .fired
    );
}

#[test]
fn oracle_5_pseudo_negation_credits_both() {
    let report = score("Not only lock contention but also memory pressure.");
    assert!(hit(&report, "lock-contention"));
    assert!(hit(&report, "memory-pressure"));
}

#[test]
fn oracle_6_termination_cuts_the_scope() {
    let report = score("It's not disk IO, but the run queue is above the CPU count.");
    assert!(hit(&report, "run-queue"));
    assert!(!hit(&report, "disk-io"));
    assert_eq!(status(&report, "disk-io"), Status::Negated);
}

#[test]
fn oracle_7_monotonic_and_invariant_examples() {
    let base = score("The run queue is long.");
    let more = score("The run queue is long. It is lock contention.");
    assert!(more.score >= base.score);
    let flagged = score("The run queue is long. We should add more threads.");
    assert!(flagged.score <= base.score);
    let styled = score("THE   “Run”   Queue is LONG.");
    assert_eq!(styled.score, base.score);
}

#[test]
fn oracle_8_strsim_documented_values() {
    assert_eq!(strsim::hamming("hamming", "hammers"), Ok(3));
    assert_eq!(strsim::levenshtein("kitten", "sitting"), 3);
    assert!((strsim::normalized_levenshtein("kitten", "sitting") - 0.571).abs() < 0.001);
    assert_eq!(strsim::osa_distance("ac", "cba"), 3);
    assert_eq!(strsim::damerau_levenshtein("ac", "cba"), 2);
    assert!(
        (strsim::normalized_damerau_levenshtein("levenshtein", "löwenbräu") - 0.272).abs() < 0.001
    );
    assert!((strsim::jaro("Friedrich Nietzsche", "Jean-Paul Sartre") - 0.392).abs() < 0.001);
    // strsim's README says 0.911 (and earlier notes copied it); the crate's own doc test and unit
    // test pin 0.866, which is what 0.11.1 returns.
    assert!((strsim::jaro_winkler("cheeseburger", "cheese fries") - 0.866).abs() < 0.001);
    assert_eq!(
        strsim::sorensen_dice("web applications", "applications of the web"),
        0.7878787878787878
    );
}

#[test]
fn oracle_9_order_of_reasoning() {
    let natural = score("It looks like lock contention. The run queue is long. Cap the pool.");
    assert_eq!(natural.structure.stages, ["hypothesis", "check", "fix"]);
    assert_eq!(natural.structure.order_score, 1.0);
    assert_eq!(natural.structure.penalty, 0.0);

    let jumped = score("Cap the pool. It looks like lock contention. The run queue is long.");
    assert_eq!(jumped.structure.stages, ["fix", "hypothesis", "check"]);
    assert!(jumped.structure.order_score < 1.0);
    assert_eq!(jumped.structure.penalty, 10.0);
    assert_eq!(natural.score - jumped.score, 10);
}

#[test]
fn hypothesis_stage_takes_hedged_mentions() {
    // A hypothesis is hedged by nature; other stages need a firm statement.
    let report = score("It could be lock contention. If the run queue is long we would know.");
    assert!(hit(&report, "lock-contention"));
    assert!(!hit(&report, "run-queue"));
    assert_eq!(status(&report, "run-queue"), Status::Hypothetical);
}

#[test]
fn evidence_quotes_the_original_text() {
    let answer = "Clearly the “RUN-QUEUE” is long.";
    let report = score(answer);
    let concept = report
        .concepts
        .iter()
        .find(|c| c.id == "run-queue")
        .and_then(|c| c.evidence.clone());
    let evidence = concept.expect("run-queue evidence");
    // The clause that earned the point, exactly as written, and the words matched in it.
    assert_eq!(evidence.matched, "RUN-QUEUE");
    assert_eq!(evidence.text, "Clearly the “RUN-QUEUE” is long");
    assert_eq!(&answer[evidence.start..evidence.end], evidence.text);
    assert_eq!(evidence.context, "Clearly the “RUN-QUEUE” is long");
}
