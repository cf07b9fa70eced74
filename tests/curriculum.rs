//! Integration tests: curriculum. The shipped drills are exactly the curriculum's ids, they lint
//! and calibrate cleanly, every drill carries the six kinds of calibration example, every
//! pushback rule is reached by one of them, and docs/COVERAGE.md maps every drill.
//!
//! These tests read the embedded content through the public API and the real binary; they do
//! not edit content or depend on anything outside the repository.

use std::collections::BTreeSet;
use std::path::PathBuf;

use sysdrill::content::{Catalog, load_catalog};
use sysdrill::domain::{Drill, DrillKind, Stage, Trigger};

use crate::common::sysdrill;

/// The incident drills of the curriculum (docs/COVERAGE.md), each backed by the incident with
/// the same id. Ids never change once shipped, so this list is fixed on purpose.
const INCIDENT_IDS: [&str; 13] = [
    "slow-under-load",
    "added-threads-slower",
    "high-cpu-spinlock",
    "high-cpu-livelock",
    "p99-tail-reclaim",
    "low-cpu-high-latency",
    "hung-deadlock",
    "socket-rx-contention",
    "read-mostly-rwlock",
    "runqueue-contention",
    "noisy-neighbor-steal",
    "disk-saturation",
    "healthy-baseline",
];

/// The concept drills of the curriculum.
const CONCEPT_IDS: [&str; 20] = [
    "why-locks",
    "preemption-vs-interrupts",
    "spinlock-vs-mutex",
    "futex",
    "rwlock",
    "rcu",
    "seqlock",
    "semaphore-vs-mutex",
    "monitor",
    "deadlock-vs-livelock",
    "race-lost-update",
    "interrupt-context-sleep",
    "kernel-deadlock-rules",
    "contention-collapse",
    "socket-receive-path",
    "scheduler-run-queues",
    "page-allocator",
    "what-locks-protect",
    "lock-debugging-tools",
    "why-not-rcu-everywhere",
];

/// Name prefixes of the six calibration kinds every drill must carry (see docs/COVERAGE.md).
const EXAMPLE_KINDS: [&str; 6] = ["strong", "partial", "wrong", "negated", "typo", "stuffed"];

/// Words the scorer matches exactly (SCORING.md): a typo'd example must leave them alone.
const PROTECTED: [&str; 19] = [
    "futex", "mutex", "shard", "lock", "perf", "cs", "sy", "us", "id", "wa", "si", "so", "in", "r",
    "b", "irq", "numa", "tlb", "p99",
];

fn catalog() -> Catalog {
    match load_catalog(&[]) {
        Ok(catalog) => catalog,
        Err(diagnostics) => panic!("embedded content does not load: {diagnostics:?}"),
    }
}

fn all_ids() -> BTreeSet<String> {
    INCIDENT_IDS
        .iter()
        .chain(CONCEPT_IDS.iter())
        .map(|id| (*id).to_owned())
        .collect()
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn list_json_shows_exactly_the_curriculum() {
    let output = sysdrill()
        .args(["list", "--format", "json"])
        .output()
        .expect("sysdrill runs");
    assert!(output.status.success(), "list failed: {output:?}");
    let rows: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("list --format json prints JSON");
    let rows = rows.as_array().expect("a JSON array of drills");
    let mut listed = BTreeSet::new();
    for row in rows {
        let id = row["id"].as_str().expect("every row has an id").to_owned();
        let kind = row["kind"].as_str().expect("every row has a kind");
        let expected = if INCIDENT_IDS.contains(&id.as_str()) {
            "incident"
        } else {
            "concept"
        };
        assert_eq!(kind, expected, "{id} has the wrong kind");
        if kind == "incident" {
            assert_eq!(
                row["incident"].as_str(),
                Some(id.as_str()),
                "{id}'s incident"
            );
        }
        assert!(listed.insert(id.clone()), "{id} listed twice");
    }
    assert_eq!(listed, all_ids());
}

#[test]
fn drill_files_are_one_per_curriculum_row() {
    let mut stems = BTreeSet::new();
    for entry in std::fs::read_dir(manifest_dir().join("drills")).expect("drills/ exists") {
        let path = entry.expect("readable entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("yaml") {
            let text = std::fs::read_to_string(&path).expect("readable drill");
            // The domain lexicon sits beside the drills (a top-level `entries:` key).
            if text.lines().any(|line| line.starts_with("entries:")) {
                continue;
            }
            assert!(
                text.starts_with("# yaml-language-server: $schema=drill.schema.json\n"),
                "{} lacks the schema line",
                path.display()
            );
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("utf-8 stem");
            stems.insert(stem.to_owned());
        }
    }
    assert_eq!(stems, all_ids());
}

#[test]
fn lint_is_clean_on_the_shipped_content() {
    let output = sysdrill().arg("lint").output().expect("sysdrill runs");
    assert!(
        output.status.success(),
        "lint found problems:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every calibration example passes, and `sysdrill check` lists no pushback rule that no example
/// reaches (it decides "reached" with the same `score::triggered` the interviewer uses) and no
/// rubric pattern it had to skip.
#[test]
fn check_passes_and_reaches_every_pushback_rule() {
    let output = sysdrill().arg("check").output().expect("sysdrill runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "calibration examples fail:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !stdout.contains("pushback rules no example triggers"),
        "unreached pushback rules:\n{stdout}"
    );
    assert!(!stdout.contains("warning:"), "skipped patterns:\n{stdout}");
}

#[test]
fn drills_have_the_expected_shape() {
    let catalog = catalog();
    let mut missing = Vec::new();
    for id in all_ids() {
        let Some(drill) = catalog
            .drills
            .get(&sysdrill::domain::DrillId::from(id.as_str()))
        else {
            missing.push(id);
            continue;
        };
        match drill.kind {
            DrillKind::Incident => {
                assert!(
                    INCIDENT_IDS.contains(&id.as_str()),
                    "{id} should be a concept"
                );
                let incident = drill.incident.as_ref().expect("incident drills name one");
                assert_eq!(incident.as_str(), id, "{id} uses its own incident");
                assert!(
                    catalog.incidents.contains_key(incident),
                    "{id}: no incident"
                );
                // The five steps of reasoning out loud, one phase each, in order.
                let stages: Vec<Vec<Stage>> =
                    drill.phases.iter().map(|p| p.stages.clone()).collect();
                let expected: Vec<Vec<Stage>> = Stage::ALL.iter().map(|s| vec![*s]).collect();
                assert_eq!(stages, expected, "{id}: phases are not the five steps");
            }
            DrillKind::Concept => {
                assert!(
                    CONCEPT_IDS.contains(&id.as_str()),
                    "{id} should be an incident"
                );
                assert!(
                    drill.incident.is_none(),
                    "{id}: concept drill with an incident"
                );
                assert!((1..=3).contains(&drill.phases.len()), "{id}: 1-3 phases");
            }
        }
        check_rubric_wiring(drill);
    }
    assert!(missing.is_empty(), "drills missing: {missing:?}");
}

/// Every required concept, red flag and misconception has a pushback rule; every concept has a
/// model-answer line; hints are 2-3 and cost something.
fn check_rubric_wiring(drill: &Drill) {
    let id = drill.id.as_str();
    let rules: Vec<&Trigger> = drill.pushback.iter().map(|rule| &rule.when).collect();
    for concept in &drill.rubric.concepts {
        if concept.required {
            assert!(
                rules.contains(&&Trigger::MissingConcept(concept.id.clone())),
                "{id}: no pushback asks for required concept {}",
                concept.id
            );
        }
        assert!(
            drill.model_line_for(&concept.id).is_some(),
            "{id}: model answer has no line for {}",
            concept.id
        );
    }
    for flag in &drill.rubric.red_flags {
        assert!(
            rules.contains(&&Trigger::RedFlag(flag.id.clone())),
            "{id}: red flag {} has no pushback rule",
            flag.id
        );
    }
    for wrong in &drill.rubric.misconceptions {
        assert!(
            rules.contains(&&Trigger::Misconception(wrong.id.clone())),
            "{id}: misconception {} has no pushback rule",
            wrong.id
        );
    }
    for rule in &drill.pushback {
        assert!(
            (2..=3).contains(&rule.say.len()),
            "{id}: rule {} needs 2-3 phrasings",
            rule.id
        );
    }
    assert!((2..=3).contains(&drill.hints.len()), "{id}: 2-3 hints");
    assert!(
        drill.hints.iter().all(|hint| hint.cost > 0.0),
        "{id}: free hint"
    );
}

#[test]
fn every_drill_carries_the_six_example_kinds() {
    let catalog = catalog();
    for drill in catalog.drills.values() {
        assert!(
            drill.examples.len() >= 6,
            "{}: fewer than 6 examples",
            drill.id
        );
        for kind in EXAMPLE_KINDS {
            assert!(
                drill.examples.iter().any(|e| e.name.starts_with(kind)),
                "{}: no {kind} example",
                drill.id
            );
        }
    }
}

/// A typo'd example is its strong example with typos only in words of six letters or more, so
/// it tests typo tolerance and nothing else.
#[test]
fn typo_examples_only_touch_long_words() {
    let catalog = catalog();
    for drill in catalog.drills.values() {
        let strong = example(drill, "strong");
        let typo = example(drill, "typo");
        let strong_words: Vec<&str> = strong.split_whitespace().collect();
        let typo_words: Vec<&str> = typo.split_whitespace().collect();
        assert_eq!(
            strong_words.len(),
            typo_words.len(),
            "{}: word count",
            drill.id
        );
        let mut changed = 0;
        for (a, b) in strong_words.iter().zip(&typo_words) {
            if a == b {
                continue;
            }
            changed += 1;
            let bare = a.trim_matches(|c: char| !c.is_alphanumeric());
            assert!(
                bare.chars().count() >= 6,
                "{}: typo in short word {a}",
                drill.id
            );
            assert!(
                !PROTECTED.contains(&bare.to_lowercase().as_str()),
                "{}: typo in protected term {a}",
                drill.id
            );
            let limit = if bare.chars().count() >= 9 { 2 } else { 1 };
            assert!(
                strsim::osa_distance(a, b) <= limit,
                "{}: {a} -> {b} is more than a typo",
                drill.id
            );
        }
        assert!(changed >= 3, "{}: typo example has too few typos", drill.id);
    }
}

/// A keyword-stuffed example is a bare list: comma-separated fragments, no sentences.
#[test]
fn stuffed_examples_are_bare_lists() {
    let catalog = catalog();
    for drill in catalog.drills.values() {
        let stuffed = example(drill, "stuffed");
        assert!(
            !stuffed.contains(". "),
            "{}: stuffed has sentences",
            drill.id
        );
        let items: Vec<&str> = stuffed.split(',').collect();
        assert!(
            items.len() >= 4,
            "{}: stuffed lists too few terms",
            drill.id
        );
        assert!(
            items
                .iter()
                .all(|item| item.split_whitespace().count() <= 6),
            "{}: stuffed items are phrases, not buzzwords",
            drill.id
        );
    }
}

fn example<'a>(drill: &'a Drill, prefix: &str) -> &'a str {
    drill
        .examples
        .iter()
        .find(|e| e.name.starts_with(prefix))
        .map(|e| e.answer.as_str())
        .unwrap_or_else(|| panic!("{}: no {prefix} example", drill.id))
}

#[test]
fn coverage_table_maps_every_drill_once() {
    let text = std::fs::read_to_string(manifest_dir().join("docs").join("COVERAGE.md"))
        .expect("docs/COVERAGE.md exists");
    let mut seen = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some(end) = rest.find('`') else { continue };
        let id = &rest[..end];
        assert!(
            seen.insert(id.to_owned()),
            "{id} appears twice in COVERAGE.md"
        );
    }
    assert_eq!(seen, all_ids());
}
