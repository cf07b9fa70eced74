//! `follow_ups:` the questions asked after the fix, each with concepts of its own.

use super::rubric::matchers;
use super::*;

/// Follow-up questions: unique ids, a question, at least one concept each, concept ids unique
/// across the drill (rubric included), matchers as for rubric concepts.
pub(super) fn follow_ups(
    c: &mut Checker<'_>,
    raw: &[crate::content::raw::RawFollowUp],
    rubric: &[crate::content::raw::RawConcept],
) -> Vec<crate::domain::FollowUp> {
    c.unique(
        raw.iter()
            .enumerate()
            .map(|(i, f)| (format!("follow_ups[{i}].id"), f.id.as_str())),
        "follow-up",
    );
    c.unique(
        raw.iter().enumerate().flat_map(|(i, f)| {
            f.concepts
                .iter()
                .enumerate()
                .map(move |(j, k)| (format!("follow_ups[{i}].concepts[{j}].id"), k.id.as_str()))
        }),
        "follow-up concept",
    );
    let mut out = Vec::new();
    for (i, follow_up) in raw.iter().enumerate() {
        let at = format!("follow_ups[{i}]");
        c.non_empty(&format!("{at}.id"), "follow-up id", &follow_up.id);
        c.non_empty(&format!("{at}.ask"), "question", &follow_up.ask);
        if follow_up.concepts.is_empty() {
            c.error(
                &format!("{at}.concepts"),
                "a follow-up needs at least one concept",
            );
        }
        let mut concepts = Vec::new();
        for (j, k) in follow_up.concepts.iter().enumerate() {
            let at = format!("{at}.concepts[{j}]");
            c.non_empty(&format!("{at}.id"), "concept id", &k.id);
            c.non_empty(&format!("{at}.label"), "label", &k.label);
            if rubric.iter().any(|concept| concept.id == k.id) {
                c.error(
                    &format!("{at}.id"),
                    format!(
                        "`{}` is already a rubric concept; follow-up concepts need their own ids",
                        k.id
                    ),
                );
            }
            matchers(c, &at, "concept", &k.id, &k.phrases, &k.regexes, &[], &[]);
            concepts.push(Concept {
                id: k.id.clone(),
                label: k.label.clone(),
                weight: 1.0,
                required: false,
                phrases: k.phrases.clone(),
                regexes: k.regexes.clone(),
                stage: Stage::Fix,
                lexicon: Vec::new(),
                ideas: Vec::new(),
            });
        }
        out.push(crate::domain::FollowUp {
            id: follow_up.id.clone(),
            ask: follow_up.ask.trim().to_owned(),
            concepts,
        });
    }
    out
}
