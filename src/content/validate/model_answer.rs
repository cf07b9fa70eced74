//! `model_answer:` its lines, each naming a known concept if it names one.

use super::rubric::RubricIds;
use super::*;

pub(super) fn model_answer(
    c: &mut Checker<'_>,
    raw: &RawDrill,
    ids: &RubricIds<'_>,
) -> Vec<ModelAnswerLine> {
    let concept_ids = &ids.concepts;
    let mut model_answer = Vec::new();
    for (i, line) in raw.model_answer.iter().enumerate() {
        if let Some(concept) = &line.concept {
            c.reference(
                &format!("model_answer[{i}].concept"),
                "concept",
                concept,
                concept_ids,
            );
        }
        c.non_empty(
            &format!("model_answer[{i}].text"),
            "model answer line",
            &line.text,
        );
        model_answer.push(ModelAnswerLine {
            concept: line.concept.clone(),
            text: line.text.clone(),
        });
    }
    model_answer
}
