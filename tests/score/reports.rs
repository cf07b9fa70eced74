//! The text and JSON reports, `check`, pushback triggers, grounding through the public API, and
//! robustness on hostile input.

use sysdrill::domain::{PushbackRule, Trigger};
use sysdrill::score::check::{run_examples, write_report};
use sysdrill::score::report::write_text;
use sysdrill::score::{Band, Scorer, Shown, triggered};

use super::fixture::{LIST, STRONG, WEAK, slow_under_load, vmstat_shown};

fn text(answer: &str) -> String {
    colored::control::set_override(false);
    let drill = slow_under_load();
    let report = Scorer::new(&drill).score(answer, &Shown::default());
    let mut out = Vec::new();
    write_text(&mut out, &drill, &report).expect("write to a Vec");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn strong_answer_scores_strong() {
    let drill = slow_under_load();
    let report = Scorer::new(&drill).score(STRONG, &vmstat_shown());
    assert!(report.score >= 80, "{}", report.score);
    assert_eq!(report.band, Band::StrongHire);
    assert!(report.misreads.is_empty(), "{:?}", report.misreads);
    assert!(!report.red_flags.iter().any(|f| f.fired));
    assert_eq!(report.structure.penalty, 0.0);
    assert!(report.confidence > 0.7, "{}", report.confidence);
    assert_eq!(report.tools, ["perf", "vmstat"]);
}

#[test]
fn weak_answer_scores_no_hire_with_pushback() {
    let drill = slow_under_load();
    let report = Scorer::new(&drill).score(WEAK, &Shown::default());
    assert_eq!(report.score, 0);
    assert_eq!(report.band, Band::NoHire);
    assert_eq!(report.pushback[0], "Why would add threads help here?");
    assert!(
        report
            .pushback
            .iter()
            .any(|p| p == "How many threads want a CPU right now?")
    );
    assert!(
        report
            .pushback
            .iter()
            .any(|p| p == "What would you run, and what number would you look at?")
    );
}

#[test]
fn keyword_list_earns_reduced_credit() {
    let scorer = Scorer::new(&slow_under_load());
    let list = scorer.score(LIST, &Shown::default());
    assert!(list.keyword_stuffing);
    let prose = scorer.score(
        "I suspect lock contention because the run queue is long and context switches are high. \
         Perf lock shows one hot lock, so sharding it is the fix.",
        &Shown::default(),
    );
    assert!(!prose.keyword_stuffing);
    let hits = |r: &sysdrill::score::ScoreReport| r.concepts.iter().filter(|c| c.hit).count();
    assert_eq!(hits(&list), hits(&prose));
    assert!(
        list.score < prose.score,
        "{} vs {}",
        list.score,
        prose.score
    );
}

#[test]
fn misread_numbers_are_flagged_and_pushed_back() {
    let scorer = Scorer::new(&slow_under_load());
    let report = scorer.score(
        "vmstat shows r is about 4 and sy at 35%, so it is not the CPU.",
        &vmstat_shown(),
    );
    let cited: Vec<&str> = report.misreads.iter().map(|m| m.cited.as_str()).collect();
    assert_eq!(cited, ["r is about 4", "sy at 35%"]);
    assert_eq!(
        (report.misreads[1].shown_min, report.misreads[1].shown_max),
        (71.0, 73.0)
    );
    assert!(report.pushback.iter().any(|p| p.contains("r is about 4")));
    let rule = PushbackRule {
        id: "m".to_owned(),
        when: Trigger::Misread,
        say: Vec::new(),
        max_times: 1,
    };
    assert!(triggered(&rule, &report));
    // Nothing shown: nothing to ground against.
    assert!(
        scorer
            .score("r is about 4", &Shown::default())
            .misreads
            .is_empty()
    );
}

#[test]
fn triggers_follow_their_definitions() {
    let scorer = Scorer::new(&slow_under_load());
    let rule = |when: Trigger| PushbackRule {
        id: "x".to_owned(),
        when,
        say: Vec::new(),
        max_times: 1,
    };
    let vague = scorer.score("It is probably contention somewhere.", &Shown::default());
    assert!(triggered(&rule(Trigger::Vague), &vague));
    let concrete = scorer.score("vmstat shows it.", &Shown::default());
    assert!(!triggered(&rule(Trigger::Vague), &concrete));
    let numbers = scorer.score("It went from 10 to 40.", &Shown::default());
    assert!(!triggered(&rule(Trigger::Vague), &numbers));
    let long = "word ".repeat(300);
    assert!(triggered(
        &rule(Trigger::Rambling { words: 250 }),
        &scorer.score(&long, &Shown::default())
    ));
    assert!(!triggered(&rule(Trigger::Rambling { words: 250 }), &vague));
    let flagged = scorer.score(WEAK, &Shown::default());
    assert!(triggered(
        &rule(Trigger::RedFlag("add-threads".to_owned())),
        &flagged
    ));
    assert!(!triggered(
        &rule(Trigger::RedFlag("restart".to_owned())),
        &flagged
    ));
    assert!(triggered(
        &rule(Trigger::MissingConcept("run-queue".to_owned())),
        &flagged
    ));
    let wrong = scorer.score("A futex is a lock.", &Shown::default());
    assert!(triggered(
        &rule(Trigger::Misconception("futex-is-lock".to_owned())),
        &wrong
    ));
}

#[test]
fn text_report_explains_itself() {
    let out = text("Throughput dropped. It's not lock contention. We should add more threads.");
    assert!(out.starts_with("slow-under-load "), "{out}");
    assert!(out.contains("✓ restate"), "{out}");
    assert!(out.contains("\"Throughput dropped\""), "{out}");
    assert!(out.contains("✗ contention (required)"), "{out}");
    assert!(out.contains("negated by \"It's not\""), "{out}");
    assert!(out.contains("model answer: vmstat's r column"), "{out}");
    assert!(out.contains("✗ add-threads  −15"), "{out}");
    assert!(out.contains("Why would add threads help here?"), "{out}");
    // The cap did not lower a no-hire band, so it is not mentioned.
    assert!(!out.contains("band capped"), "{out}");
    let mut without_perf = STRONG.replace("perf lock report shows", "the profile shows");
    without_perf.push(' ');
    let capped = text(&without_perf);
    assert!(
        capped.contains("band capped at hire: 1 required concept(s) missing"),
        "{capped}"
    );
    assert!(out.contains("The interviewer would ask"), "{out}");
}

#[test]
fn json_carries_the_documented_fields() {
    let drill = slow_under_load();
    let report = Scorer::new(&drill).score(STRONG, &Shown::default());
    let json = serde_json::to_value(&report).expect("serialise");
    for key in [
        "score",
        "band",
        "confidence",
        "concepts",
        "red_flags",
        "misconceptions",
        "pushback",
        "structure",
        "misreads",
        "keyword_stuffing",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    let concept = &json["concepts"][0];
    for key in ["id", "hit", "status", "evidence"] {
        assert!(concept.get(key).is_some(), "{key}");
    }
    assert_eq!(json["band"], "strong_hire");
    assert_eq!(concept["status"], "asserted");
    assert_eq!(concept["stage"], "restate");
}

#[test]
fn check_passes_the_fixture_and_explains_failures() {
    colored::control::set_override(false);
    let mut drill = slow_under_load();
    let report = run_examples(&drill, None, "drills/slow-under-load.yaml");
    assert_eq!(report.failures(), 0, "{report:?}");
    let mut out = Vec::new();
    write_report(&mut out, &report).expect("write");
    let out = String::from_utf8(out).expect("utf-8");
    assert!(out.starts_with("✓ slow-under-load (2 examples)"), "{out}");
    // Rules no example reaches: nobody rambles or misreads (no outputs are shown in check).
    assert!(
        out.contains("pushback rules no example triggers: ramble, misread"),
        "{out}"
    );

    drill.examples[1].score = (50.0, 60.0);
    drill.examples[1].must_hit = vec!["shard".to_owned()];
    drill.examples[1].red_flags.push("restart".to_owned());
    let report = run_examples(&drill, None, "drills/slow-under-load.yaml");
    assert_eq!(report.failures(), 1);
    let mut out = Vec::new();
    write_report(&mut out, &report).expect("write");
    let out = String::from_utf8(out).expect("utf-8");
    assert!(
        out.contains("✗ slow-under-load: 1 of 2 example(s) failed"),
        "{out}"
    );
    assert!(
        out.contains("answer: \"It is probably the network"),
        "{out}"
    );
    assert!(
        out.contains("score 0 out of range (expected 50..=60)"),
        "{out}"
    );
    assert!(
        out.contains("concept shard: should hit but did not"),
        "{out}"
    );
    assert!(
        out.contains("red flag restart: should fire but did not"),
        "{out}"
    );
}

#[test]
fn bad_patterns_are_skipped_and_reported() {
    let mut drill = slow_under_load();
    drill.rubric.concepts[0]
        .regexes
        .push("(unclosed".to_owned());
    drill.rubric.concepts[1].phrases.push("   ".to_owned());
    let scorer = Scorer::new(&drill);
    assert_eq!(scorer.skipped_patterns().len(), 2);
    let report = scorer.score(STRONG, &Shown::default());
    assert_eq!(report.skipped_patterns.len(), 2);
    assert!(report.skipped_patterns[0].starts_with("concept restate: \"(unclosed\" skipped"));
}

#[test]
fn hostile_input_never_panics() {
    let scorer = Scorer::new(&slow_under_load());
    let shown = vmstat_shown();
    let mut inputs: Vec<String> = vec![
        String::new(),
        " \n\r\n\t ".to_owned(),
        "\u{0}\u{1}\u{7}\u{1b}[31mlock contention\u{1b}[0m\u{7f}".to_owned(),
        "\u{FFFD}\u{FFFD}run\u{FFFD}queue \u{FFFD}".to_owned(),
        "'''\"\"\"...,,,;;;:::???!!!".to_owned(),
        "r = r = r = 40 40 40 % % %".to_owned(),
        "not not not if if if but but".to_owned(),
        "\u{301}\u{200b}\u{feff}ǅ ß İ ﬃ ① ½ Ⅻ".to_owned(),
        "9".repeat(400),
        "1.2.3.4,5,6k 7m 8x 9% 10%%".to_owned(),
    ];
    let mut big = String::with_capacity(1 << 20);
    while big.len() < (1 << 20) {
        big.push_str(STRONG);
        big.push_str(" \u{FFFD}\u{0} ");
    }
    inputs.push(big);
    inputs.push("a".repeat(1 << 20));
    for input in &inputs {
        let report = scorer.score(input, &shown);
        assert!(report.score <= 100);
        assert!((0.0..=1.0).contains(&report.confidence));
        for concept in report.concepts.iter().filter_map(|c| c.evidence.as_ref()) {
            assert!(input.is_char_boundary(concept.start) && input.is_char_boundary(concept.end));
            assert_eq!(&input[concept.start..concept.end], concept.text);
        }
        let mut out = Vec::new();
        write_text(&mut out, &slow_under_load(), &report).expect("write");
    }
}

#[test]
fn scoring_is_deterministic() {
    let scorer = Scorer::new(&slow_under_load());
    let a = scorer.score(STRONG, &vmstat_shown());
    let b = Scorer::new(&slow_under_load()).score(STRONG, &vmstat_shown());
    assert_eq!(a, b);
}
