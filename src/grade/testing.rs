//! Test helpers for the grading pipeline: a small hand-made drill, transcripts for it, and a
//! transparent stand-in scorer (a concept hits when its id appears as a word, and is negated
//! when "not" precedes it), so the pipeline's ordering, formats and fault handling are tested
//! without depending on the real scorer's tuning. Compiled only for tests.

use crate::content::Catalog;
use crate::domain::{
    Concept, Difficulty, Drill, DrillId, DrillKind, Hint, ModelAnswerLine, Phase, RedFlag, Rubric,
    Stage,
};
use crate::score::session::{Part, follow_up_rubric};
use crate::score::{ConceptResult, FlagResult, ScoreReport, Shown, Status, Structure};
use crate::transcript::{Entry, Event, FORMAT_VERSION, Transcript};

pub fn drill(id: &str) -> Drill {
    let concept = |id: &str, weight: f64, required: bool| Concept {
        id: id.into(),
        label: format!("the {id} concept"),
        weight,
        required,
        phrases: vec![id.into()],
        regexes: vec![],
        stage: Stage::Interpret,
        lexicon: Vec::new(),
        ideas: Vec::new(),
    };
    Drill {
        id: DrillId(id.into()),
        title: format!("test drill {id}"),
        kind: DrillKind::Concept,
        tags: vec![],
        difficulty: Difficulty::Easy,
        incident: None,
        seed: None,
        opening: "Explain.".into(),
        phases: vec![Phase {
            id: "explain".into(),
            prompt: "Explain.".into(),
            stages: vec![Stage::Interpret],
        }],
        rubric: Rubric {
            concepts: vec![
                concept("alpha", 1.0, true),
                concept("beta", 1.0, false),
                concept("gamma", 2.0, false),
            ],
            red_flags: vec![RedFlag {
                id: "threads".into(),
                label: "add more threads".into(),
                phrases: vec!["more threads".into()],
                regexes: vec![],
                penalty: 10.0,
                pushback: "Why would more threads help?".into(),
                fires_when_hypothetical: false,
                claims: Vec::new(),
                lexicon: Vec::new(),
            }],
            misconceptions: vec![],
            order_penalty: 0.0,
        },
        pushback: vec![],
        hints: vec![
            Hint {
                text: "first".into(),
                cost: 5.0,
            },
            Hint {
                text: "second".into(),
                cost: 15.0,
            },
        ],
        model_answer: vec![
            ModelAnswerLine {
                concept: Some("alpha".into()),
                text: "It is alpha.".into(),
            },
            ModelAnswerLine {
                concept: Some("beta".into()),
                text: "Then beta follows.".into(),
            },
            ModelAnswerLine {
                concept: Some("gamma".into()),
                text: "Finally gamma.".into(),
            },
        ],
        examples: vec![],
        follow_ups: vec![],
        content_hash: crate::domain::stable_hash(id.as_bytes()),
        lexicon: Default::default(),
    }
}

pub fn catalog(ids: &[&str]) -> Catalog {
    let mut catalog = Catalog::default();
    for id in ids {
        catalog.drills.insert(DrillId((*id).into()), drill(id));
    }
    catalog
}

pub fn transcript(drill_id: &str, hash: u64) -> Transcript {
    Transcript {
        format_version: FORMAT_VERSION,
        drill_id: drill_id.into(),
        content_hash: crate::grade::rescore::hash_hex(hash),
        seed: 1,
        sysdrill_version: "0.1.0".into(),
        candidate: None,
        started_at: String::new(),
        finished_at: None,
        mode: "interview".into(),
        log: vec![],
    }
}

pub fn answer(text: &str) -> Entry {
    Entry {
        at_s: 0.0,
        event: Event::Answer { text: text.into() },
    }
}

/// The stand-in scorer of a session's part: the drill's rubric, or the follow-ups' concepts as
/// `score::session` makes them a rubric.
pub fn score_part(drill: &Drill, part: Part, answer: &str, shown: &Shown) -> ScoreReport {
    match part {
        Part::Rubric => score(drill, answer, shown),
        Part::FollowUps => score(&follow_up_rubric(drill), answer, shown),
    }
}

/// The stand-in scorer: weighted share of concepts whose id appears as a word, minus red-flag
/// penalties; confidence falls with the number of concepts missed.
pub fn score(drill: &Drill, answer: &str, _shown: &Shown) -> ScoreReport {
    let lower = answer.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let total: f64 = drill.rubric.concepts.iter().map(|c| c.weight).sum();
    let mut earned = 0.0;
    let concepts: Vec<ConceptResult> = drill
        .rubric
        .concepts
        .iter()
        .map(|concept| {
            let at = words.iter().position(|w| *w == concept.id);
            let negated = at.is_some_and(|i| i > 0 && words[i - 1] == "not");
            let hit = at.is_some() && !negated;
            if hit {
                earned += concept.weight;
            }
            ConceptResult {
                id: concept.id.clone(),
                label: concept.label.clone(),
                hit,
                status: match (at, negated) {
                    (None, _) => Status::Missing,
                    (Some(_), true) => Status::Negated,
                    (Some(_), false) => Status::Asserted,
                },
                required: concept.required,
                weight: concept.weight,
                stage: concept.stage,
                evidence: None,
                credit: if hit {
                    concept.weight / total * 100.0
                } else {
                    0.0
                },
            }
        })
        .collect();
    let red_flags: Vec<FlagResult> = drill
        .rubric
        .red_flags
        .iter()
        .map(|flag| FlagResult {
            id: flag.id.clone(),
            fired: flag.phrases.iter().any(|p| lower.contains(p.as_str())),
            status: Status::Asserted,
            penalty: flag.penalty,
            evidence: None,
            message: flag.pushback.clone(),
        })
        .collect();
    let penalty: f64 = red_flags
        .iter()
        .filter(|f| f.fired)
        .map(|f| f.penalty)
        .sum();
    let score = (earned / total * 100.0 - penalty).clamp(0.0, 100.0).round() as u32;
    let missed = concepts.iter().filter(|c| !c.hit).count();
    ScoreReport {
        score,
        band: crate::score::Band::for_score(score),
        confidence: 1.0 - missed as f64 / (concepts.len() as f64 + 1.0),
        concepts,
        red_flags,
        misconceptions: vec![],
        misreads: vec![],
        structure: Structure::default(),
        keyword_stuffing: false,
        dilution: crate::score::Dilution::NONE,
        pushback: vec![],
        word_count: words.len(),
        tools: vec![],
        numbers_cited: 0,
        skipped_patterns: vec![],
    }
}
