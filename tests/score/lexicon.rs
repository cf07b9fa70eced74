//! The domain lexicon: every shipped entry matches each of its own forms and none of its near
//! misses; ideas match across inflections and word order; lexicon files and rubric references
//! are validated with located errors.

use std::path::Path;

use sysdrill::content;
use sysdrill::domain::{Form, Lexicon, Stage};
use sysdrill::score::{Scorer, Shown};

use super::fixture::{bare_drill, concept};

fn shipped() -> Lexicon {
    content::lexicon::embedded()
        .unwrap_or_else(|diagnostics| panic!("drills/lexicon.yaml does not load: {diagnostics:#?}"))
}

/// A one-concept drill whose concept is exactly lexicon entry `id`. A check-stage concept, so
/// entries for tools match their command lines too (only checks take credit from a command).
fn scorer_for(lexicon: &Lexicon, id: &str) -> Scorer {
    let mut only = concept("entry", Stage::Check, 1.0, false, &[], &[]);
    only.lexicon = vec![id.to_owned()];
    let mut drill = bare_drill(vec![only], Vec::new(), 0.0);
    drill.lexicon = lexicon.select([id]);
    Scorer::new(&drill)
}

fn hits(scorer: &Scorer, text: &str) -> bool {
    scorer.score(text, &Shown::default()).concepts[0].hit
}

/// A sentence saying an idea: the first alternative of each role, in order.
fn say(roles: &[Vec<String>]) -> String {
    roles
        .iter()
        .filter_map(|role| role.first().cloned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_entry_matches_its_forms_and_none_of_its_near_misses() {
    let lexicon = shipped();
    assert!(!lexicon.entries.is_empty());
    let mut failures = Vec::new();
    for (id, entry) in &lexicon.entries {
        let scorer = scorer_for(&lexicon, id);
        assert!(
            scorer.skipped_patterns().is_empty(),
            "{id}: {:?}",
            scorer.skipped_patterns()
        );
        let mut forms: Vec<String> = entry.terms.clone();
        for form in &entry.plain {
            forms.push(match form {
                Form::Phrase(phrase) => phrase.clone(),
                Form::Idea(idea) => say(&idea.roles),
            });
        }
        for form in forms {
            if !hits(&scorer, &form) {
                failures.push(format!("{id}: does not match its own form {form:?}"));
            }
        }
        for near in &entry.near_misses {
            if hits(&scorer, near) {
                failures.push(format!("{id}: matches its near miss {near:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn ideas_match_across_inflections_and_word_order() {
    let lexicon = shipped();
    let scorer = scorer_for(&lexicon, "shrink-critical-section");
    for answer in [
        "Move everything that doesn't need the mutex outside it so it is held for microseconds.",
        "Hold the lock for less time.",
        "Keep only the pointer swap inside the lock and do the rest outside.",
        "We should be holding the mutex for much shorter stretches.",
    ] {
        assert!(hits(&scorer, answer), "{answer}");
    }
    let queue = scorer_for(&lexicon, "run-queue-above-cpus");
    for answer in [
        "Runnable tasks jump to 14 on 8 cores, which is more than the cores we have.",
        "Threads are queued waiting for a CPU.",
        "The run queue is longer than the CPU count.",
    ] {
        assert!(hits(&queue, answer), "{answer}");
    }
    // Roles split across sentences are two separate statements, not the idea.
    let hold = scorer_for(&lexicon, "hold-time");
    assert!(hits(&hold, "The mutex is held far too long."));
    assert!(!hits(
        &hold,
        "The mutex is fine. We held the meeting too long."
    ));
}

#[test]
fn protected_terms_do_not_inflect_or_bend() {
    let lexicon = shipped();
    let scorer = scorer_for(&lexicon, "hold-time");
    // `lock` is exact: `locking` does not stand for it.
    assert!(!hits(&scorer, "Locking is held too long."));
    assert!(hits(&scorer, "The lock is held too long."));
}

const DRILL: &str = "format_version: 1
title: t
kind: concept
difficulty: easy
opening: Why?
phases:
  - id: p
    prompt: Why?
    stages: [interpret]
rubric:
  concepts:
    - id: c
      label: c
      stage: interpret
      lexicon: [direct-reclam]
";

#[test]
fn unknown_lexicon_ids_are_located_with_a_suggestion() {
    let errors = content::load_drill(Path::new("drills/x.yaml"), DRILL.as_bytes())
        .expect_err("an unknown lexicon id is an error");
    let error = errors
        .iter()
        .find(|d| d.message.contains("unknown lexicon entry `direct-reclam`"))
        .unwrap_or_else(|| panic!("{errors:#?}"));
    assert_eq!((error.line, error.col), (15, 17), "{error:#?}");
    assert!(
        error
            .help
            .as_deref()
            .is_some_and(|h| h.contains("did you mean `direct-reclaim`")),
        "{error:#?}"
    );
}

#[test]
fn a_rubric_item_may_rest_on_ideas_alone() {
    let drill = DRILL.replace(
        "      lexicon: [direct-reclam]\n",
        "      ideas:\n        - all: [[lock, mutex], [held, hold], [shorter, less]]\n",
    );
    let drill = content::load_drill(Path::new("drills/x.yaml"), drill.as_bytes())
        .unwrap_or_else(|e| panic!("{e:#?}"));
    let scorer = Scorer::new(&drill);
    let report = scorer.score("Hold the lock for less time.", &Shown::default());
    assert!(report.concepts[0].hit);
    let empty = DRILL.replace(
        "      lexicon: [direct-reclam]\n",
        "      ideas:\n        - all: [[]]\n",
    );
    let errors = content::load_drill(Path::new("drills/x.yaml"), empty.as_bytes())
        .expect_err("an empty role is an error");
    assert!(
        errors
            .iter()
            .any(|d| d.message.contains("a role needs at least one alternative")),
        "{errors:#?}"
    );
}

const COACH_LEXICON: &str = "format_version: 1
entries:
  - id: direct-reclaim
    terms: [\"kswapd could not keep up\"]
  - id: tail-latency
    label: \"the slowest requests, not the average\"
    plain: [\"the slowest requests\"]
";

#[test]
fn a_coach_lexicon_extends_shipped_entries_and_adds_new_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("my-lexicon.yaml"), COACH_LEXICON).expect("write");
    let catalog =
        content::load_catalog(&[dir.path().to_path_buf()]).unwrap_or_else(|e| panic!("{e:#?}"));
    let reclaim = catalog
        .lexicon
        .get("direct-reclaim")
        .expect("shipped entry");
    assert!(
        reclaim
            .terms
            .iter()
            .any(|t| t == "kswapd could not keep up")
    );
    assert!(reclaim.terms.iter().any(|t| t == "direct reclaim"));
    assert!(catalog.lexicon.get("tail-latency").is_some());
    // The lexicon file is no drill.
    assert!(!catalog.drills.keys().any(|id| id.as_str() == "my-lexicon"));
}

#[test]
fn lint_locates_every_mistake_of_a_lexicon_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = "format_version: 1
entries:
  - id: Bad_Id
    label: x
    plain: [\"x\"]
  - id: no-plain
    label: y
  - id: no-plain
    label: z
    plain:
      - all: []
    regexes: [\"(unclosed\"]
";
    let path = dir.path().join("lexicon.yaml");
    std::fs::write(&path, bad).expect("write");
    let found = content::lint(&[path], &[]);
    let messages: Vec<String> = found
        .iter()
        .map(|d| format!("{}:{} {}", d.line, d.col, d.message))
        .collect();
    for expected in [
        "3:9 `Bad_Id` is not a valid lexicon id",
        "6:9 lexicon entry `no-plain` has no plain-language form",
        "8:9 duplicate lexicon entry id `no-plain`",
        "an idea needs at least one role",
        "invalid regex",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{expected}: {messages:#?}"
        );
    }
}

/// `DRILL` with its concept resting on one idea whose roles are `roles` (YAML flow lists).
fn drill_with_idea(roles: &str) -> String {
    DRILL.replace(
        "      lexicon: [direct-reclam]\n",
        &format!("      ideas:\n        - all: {roles}\n          within: sentence\n"),
    )
}

#[test]
fn a_role_naming_an_entry_matches_every_term_and_plain_phrase_of_it() {
    let drill = drill_with_idea("[[\"@direct-reclaim\"], [slow, stalls, latency]]");
    let drill = content::load_drill(Path::new("drills/x.yaml"), drill.as_bytes())
        .unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(
        drill.lexicon.get("direct-reclaim").is_some(),
        "the entry a role names travels with the drill"
    );
    let scorer = Scorer::new(&drill);
    let hit = |text: &str| scorer.score(text, &Shown::default()).concepts[0].hit;
    // A term, a kernel symbol and a plain phrase of the entry each fill the role.
    assert!(hit("Direct reclaim is why the requests are slow."));
    assert!(hit("__alloc_pages_slowpath stalls every request."));
    assert!(hit(
        "The request has to free memory itself, which is the latency."
    ));
    // The other role is still required, and the entry's near misses stay near misses.
    assert!(!hit("Direct reclaim happens."));
    assert!(!hit("Direct io is slow."));
}

#[test]
fn an_unknown_entry_in_a_role_is_located_with_a_suggestion() {
    let drill = drill_with_idea("[[\"@direct-reclam\"], [slow]]");
    let errors = content::load_drill(Path::new("drills/x.yaml"), drill.as_bytes())
        .expect_err("an unknown entry named in a role is an error");
    let error = errors
        .iter()
        .find(|d| {
            d.message
                .contains("unknown lexicon entry `@direct-reclam` in a role")
        })
        .unwrap_or_else(|| panic!("{errors:#?}"));
    // Line and column of the alternative itself.
    assert_eq!((error.line, error.col), (16, 18), "{error:#?}");
    assert!(
        error
            .help
            .as_deref()
            .is_some_and(|h| h.contains("did you mean `@direct-reclaim`")),
        "{error:#?}"
    );
}

#[test]
fn a_lexicon_entry_may_not_name_another_entry_in_its_roles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let coach = "format_version: 1
entries:
  - id: reclaim-stall
    label: \"a request stalls in reclaim\"
    plain:
      - all: [[\"@direct-reclaim\"], [stall]]
";
    std::fs::write(dir.path().join("my-lexicon.yaml"), coach).expect("write");
    let errors = content::load_catalog(&[dir.path().to_path_buf()])
        .expect_err("a role naming an entry inside the lexicon is an error");
    assert!(
        errors.iter().any(|d| d
            .message
            .contains("cannot name another entry (`@direct-reclaim`)")
            && d.line == 6),
        "{errors:#?}"
    );
}

#[test]
fn a_role_naming_an_entry_the_drill_does_not_carry_is_listed_as_skipped() {
    use sysdrill::domain::{Idea, Within};
    let mut only = concept("entry", Stage::Interpret, 1.0, false, &[], &[]);
    only.ideas = vec![Form::Idea(Idea {
        roles: vec![vec!["@direct-reclaim".to_owned()], vec!["slow".to_owned()]],
        within: Within::Sentence,
    })];
    // Built in code, not loaded: nothing resolved the entry into the drill.
    let drill = bare_drill(vec![only], Vec::new(), 0.0);
    let scorer = Scorer::new(&drill);
    assert!(
        scorer
            .skipped_patterns()
            .iter()
            .any(|s| s.contains("\"direct-reclaim\"")),
        "{:?}",
        scorer.skipped_patterns()
    );
    assert!(!hits(&scorer, "Direct reclaim makes it slow."));
}
