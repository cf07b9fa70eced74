//! `phases:` the interview's steps: ids unique, each with a prompt and at least one stage.

use super::*;

pub(super) fn phases(c: &mut Checker<'_>, raw: &RawDrill) -> Vec<Phase> {
    if raw.phases.is_empty() {
        c.error_help(
            "phases",
            "a drill needs at least one phase",
            "add `- id: …, prompt: …, stages: […]`",
        );
    }
    c.unique(
        raw.phases
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("phases[{i}].id"), p.id.as_str())),
        "phase",
    );
    let mut phases = Vec::new();
    for (i, p) in raw.phases.iter().enumerate() {
        let at = format!("phases[{i}]");
        c.non_empty(&format!("{at}.id"), "phase id", &p.id);
        c.non_empty(&format!("{at}.prompt"), "prompt", &p.prompt);
        if p.stages.is_empty() {
            c.error_help(
                &format!("{at}.stages"),
                "a phase needs at least one stage",
                "stages: restate, hypothesis, check, interpret, fix",
            );
        }
        phases.push(Phase {
            id: p.id.clone(),
            prompt: p.prompt.clone(),
            stages: p.stages.iter().copied().map(stage).collect(),
        });
    }
    phases
}
