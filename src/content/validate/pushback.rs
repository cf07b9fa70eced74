//! `pushback:` the interviewer's rules: ids unique, each trigger naming a known red flag,
//! misconception or concept, something to say, and a sane repeat limit.

use super::rubric::RubricIds;
use super::*;

pub(super) fn pushback(
    c: &mut Checker<'_>,
    raw: &RawDrill,
    ids: &RubricIds<'_>,
) -> Vec<PushbackRule> {
    let concept_ids = &ids.concepts;
    let flag_ids = &ids.red_flags;
    let misconception_ids = &ids.misconceptions;
    c.unique(
        raw.pushback
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("pushback[{i}].id"), p.id.as_str())),
        "pushback rule",
    );
    let mut pushback = Vec::new();
    for (i, p) in raw.pushback.iter().enumerate() {
        let at = format!("pushback[{i}]");
        c.non_empty(&format!("{at}.id"), "pushback id", &p.id);
        let when = match &p.when {
            RawTrigger::RedFlag(id) => {
                c.reference(&format!("{at}.when.red_flag"), "red flag", id, flag_ids);
                Trigger::RedFlag(id.clone())
            }
            RawTrigger::Misconception(id) => {
                c.reference(
                    &format!("{at}.when.misconception"),
                    "misconception",
                    id,
                    misconception_ids,
                );
                Trigger::Misconception(id.clone())
            }
            RawTrigger::MissingConcept(id) => {
                c.reference(
                    &format!("{at}.when.missing_concept"),
                    "concept",
                    id,
                    concept_ids,
                );
                Trigger::MissingConcept(id.clone())
            }
            RawTrigger::Vague => Trigger::Vague,
            RawTrigger::Rambling { words } => {
                c.count(
                    &format!("{at}.when.rambling.words"),
                    *words,
                    1,
                    100_000,
                    "words",
                );
                Trigger::Rambling { words: *words }
            }
            RawTrigger::Misread => Trigger::Misread,
        };
        if p.say.is_empty() {
            c.error_help(
                &format!("{at}.say"),
                "the rule has nothing to say",
                "add at least one phrasing",
            );
        }
        for (j, line) in p.say.iter().enumerate() {
            c.non_empty(&format!("{at}.say[{j}]"), "phrasing", line);
        }
        c.count(
            &format!("{at}.max_times"),
            p.max_times,
            1,
            1000,
            "max_times",
        );
        pushback.push(PushbackRule {
            id: p.id.clone(),
            when,
            say: p.say.clone(),
            max_times: p.max_times,
        });
    }
    pushback
}
