//! `examples:` the calibration answers: names unique, score ranges in order and reachable,
//! references to known concepts, red flags and misconceptions, and `shown` commands the
//! simulated machine runs.
//!
//! Reachability of the top band: a calibration example that must miss concepts and must fire
//! red flags can score at most `100 * (1 - missed weight / total weight) - fired penalties`
//! (hints are never taken by examples). An expected range whose low end is above that bound
//! can never pass, and is reported.

use super::rubric::RubricIds;
use super::*;

pub(super) fn examples(
    c: &mut Checker<'_>,
    raw: &RawDrill,
    ids: &RubricIds<'_>,
    kind: DrillKind,
) -> Vec<Example> {
    let rubric = &raw.rubric;
    let concept_ids = &ids.concepts;
    let flag_ids = &ids.red_flags;
    let misconception_ids = &ids.misconceptions;
    let total_weight: f64 = rubric
        .concepts
        .iter()
        .map(|k| k.weight)
        .filter(|w| w.is_finite() && *w > 0.0)
        .sum();
    c.unique(
        raw.examples
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("examples[{i}].name"), e.name.as_str())),
        "example",
    );
    let mut examples = Vec::new();
    for (i, e) in raw.examples.iter().enumerate() {
        let at = format!("examples[{i}]");
        c.non_empty(&format!("{at}.name"), "example name", &e.name);
        c.non_empty(&format!("{at}.answer"), "answer", &e.answer);
        let (low, high) = e.score;
        c.number(&format!("{at}.score[0]"), low, 0.0, 100.0, "");
        c.number(&format!("{at}.score[1]"), high, 0.0, 100.0, "");
        range_check(c, &format!("{at}.score"), low, high);
        for (j, id) in e.must_hit.iter().enumerate() {
            c.reference(&format!("{at}.must_hit[{j}]"), "concept", id, concept_ids);
        }
        for (j, id) in e.must_miss.iter().enumerate() {
            if c.reference(&format!("{at}.must_miss[{j}]"), "concept", id, concept_ids)
                && e.must_hit.contains(id)
            {
                c.error_help(
                    &format!("{at}.must_miss[{j}]"),
                    format!("concept `{id}` is both in must_hit and must_miss"),
                    "keep it in one of the two lists",
                );
            }
        }
        for (j, id) in e.red_flags.iter().enumerate() {
            c.reference(&format!("{at}.red_flags[{j}]"), "red flag", id, flag_ids);
        }
        for (j, id) in e.misconceptions.iter().enumerate() {
            c.reference(
                &format!("{at}.misconceptions[{j}]"),
                "misconception",
                id,
                misconception_ids,
            );
        }
        shown_commands(c, &format!("{at}.shown"), &e.shown, kind);
        // The best this example can do: every concept it may hit, no penalty it need not take.
        if total_weight > 0.0 && low.is_finite() {
            let missed: f64 = rubric
                .concepts
                .iter()
                .filter(|k| e.must_miss.contains(&k.id) && k.weight.is_finite() && k.weight > 0.0)
                .map(|k| k.weight)
                .sum();
            let penalties: f64 = rubric
                .red_flags
                .iter()
                .filter(|f| e.red_flags.contains(&f.id) && f.penalty.is_finite())
                .map(|f| f.penalty)
                .chain(
                    rubric
                        .misconceptions
                        .iter()
                        .filter(|m| e.misconceptions.contains(&m.id) && m.penalty.is_finite())
                        .map(|m| m.penalty),
                )
                .sum();
            // Scores are clamped at 0, so a range starting at 0 is always reachable.
            let best = (100.0 * (1.0 - missed / total_weight) - penalties).max(0.0);
            if best + 1e-9 < low {
                c.error_help(
                    &format!("{at}.score"),
                    format!(
                        "score range cannot be reached: this example scores at most {:.0}",
                        best.max(0.0)
                    ),
                    "its must_miss concepts and required red flags cost more than the range allows; \
                     lower the range or change the weights",
                );
            }
        }
        examples.push(Example {
            name: e.name.clone(),
            answer: e.answer.clone(),
            score: e.score,
            must_hit: e.must_hit.clone(),
            must_miss: e.must_miss.clone(),
            red_flags: e.red_flags.clone(),
            misconceptions: e.misconceptions.clone(),
            shown: e.shown.clone(),
            line: c.line_of(&at),
        });
    }
    examples
}

fn range_check(c: &mut Checker<'_>, key_path: &str, low: f64, high: f64) {
    if low > high {
        c.error_help(
            key_path,
            format!(
                "range starts above its end ({} > {})",
                show_f64(low),
                show_f64(high)
            ),
            "write ranges as `[low, high]`",
        );
    }
}

/// An example's `shown` commands: only an incident drill has a machine to run them on, and
/// each must be a command line the simulated shell understands.
fn shown_commands(c: &mut Checker<'_>, at: &str, commands: &[String], kind: DrillKind) {
    if !commands.is_empty() && kind == DrillKind::Concept {
        c.error_help(
            at,
            "a concept drill has no machine to show outputs from",
            "remove `shown`, or make it an incident drill",
        );
        return;
    }
    for (j, line) in commands.iter().enumerate() {
        if let Err(error) = crate::render::parse_command(line) {
            c.error_help(
                &format!("{at}[{j}]"),
                format!("`{line}` is not a command the simulated machine runs"),
                error.message.trim().to_owned(),
            );
        }
    }
}
