//! `rubric:` concepts, red flags and misconceptions: ids unique in each list, labels and
//! messages present, weights and penalties in range, and every item with a form to match.

use super::*;

pub(super) fn rubric(c: &mut Checker<'_>, raw: &RawDrill) -> Rubric {
    let rubric = &raw.rubric;
    c.number(
        "rubric.order_penalty",
        rubric.order_penalty,
        0.0,
        100.0,
        " points",
    );
    if rubric.concepts.is_empty() {
        c.error_help(
            "rubric.concepts",
            "the rubric has no concepts",
            "add at least one concept with a positive weight and phrases or regexes",
        );
    }
    c.unique(
        rubric
            .concepts
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("rubric.concepts[{i}].id"), k.id.as_str())),
        "concept",
    );
    c.unique(
        rubric
            .red_flags
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("rubric.red_flags[{i}].id"), k.id.as_str())),
        "red flag",
    );
    c.unique(
        rubric
            .misconceptions
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("rubric.misconceptions[{i}].id"), k.id.as_str())),
        "misconception",
    );
    let mut concepts = Vec::new();
    for (i, k) in rubric.concepts.iter().enumerate() {
        let at = format!("rubric.concepts[{i}]");
        c.non_empty(&format!("{at}.id"), "concept id", &k.id);
        c.non_empty(&format!("{at}.label"), "label", &k.label);
        c.positive(&format!("{at}.weight"), k.weight, 1000.0, "");
        let ideas = crate::content::lexicon::forms(c, &format!("{at}.ideas"), &k.ideas);
        matchers(
            c, &at, "concept", &k.id, &k.phrases, &k.regexes, &ideas, &k.lexicon,
        );
        concepts.push(Concept {
            id: k.id.clone(),
            label: k.label.clone(),
            weight: k.weight,
            required: k.required,
            phrases: k.phrases.clone(),
            regexes: k.regexes.clone(),
            stage: stage(k.stage),
            lexicon: k.lexicon.clone(),
            ideas,
        });
    }
    let mut red_flags = Vec::new();
    for (i, f) in rubric.red_flags.iter().enumerate() {
        let at = format!("rubric.red_flags[{i}]");
        c.non_empty(&format!("{at}.id"), "red flag id", &f.id);
        c.non_empty(&format!("{at}.label"), "label", &f.label);
        c.non_empty(&format!("{at}.pushback"), "pushback", &f.pushback);
        c.number(&format!("{at}.penalty"), f.penalty, 0.0, 100.0, " points");
        let claims = crate::content::lexicon::forms(c, &format!("{at}.claims"), &f.claims);
        matchers(
            c, &at, "red flag", &f.id, &f.phrases, &f.regexes, &claims, &f.lexicon,
        );
        red_flags.push(RedFlag {
            id: f.id.clone(),
            label: f.label.clone(),
            phrases: f.phrases.clone(),
            regexes: f.regexes.clone(),
            penalty: f.penalty,
            pushback: f.pushback.clone(),
            fires_when_hypothetical: f.fires_when_hypothetical,
            claims,
            lexicon: f.lexicon.clone(),
        });
    }
    let mut misconceptions = Vec::new();
    for (i, f) in rubric.misconceptions.iter().enumerate() {
        let at = format!("rubric.misconceptions[{i}]");
        c.non_empty(&format!("{at}.id"), "misconception id", &f.id);
        c.non_empty(&format!("{at}.correction"), "correction", &f.correction);
        c.number(&format!("{at}.penalty"), f.penalty, 0.0, 100.0, " points");
        let claims = crate::content::lexicon::forms(c, &format!("{at}.claims"), &f.claims);
        matchers(
            c,
            &at,
            "misconception",
            &f.id,
            &f.phrases,
            &f.regexes,
            &claims,
            &f.lexicon,
        );
        misconceptions.push(Misconception {
            id: f.id.clone(),
            phrases: f.phrases.clone(),
            regexes: f.regexes.clone(),
            correction: f.correction.clone(),
            penalty: f.penalty,
            claims,
            lexicon: f.lexicon.clone(),
        });
    }
    Rubric {
        concepts,
        red_flags,
        misconceptions,
        order_penalty: rubric.order_penalty,
    }
}

/// The ids other sections of a drill refer to.
pub(super) struct RubricIds<'a> {
    pub concepts: Vec<&'a str>,
    pub red_flags: Vec<&'a str>,
    pub misconceptions: Vec<&'a str>,
}

impl<'a> RubricIds<'a> {
    pub(super) fn of(rubric: &'a RawRubric) -> Self {
        Self {
            concepts: rubric.concepts.iter().map(|k| k.id.as_str()).collect(),
            red_flags: rubric.red_flags.iter().map(|k| k.id.as_str()).collect(),
            misconceptions: rubric
                .misconceptions
                .iter()
                .map(|k| k.id.as_str())
                .collect(),
        }
    }
}

/// The forms of one rubric item: at least one of them, none empty, regexes compile. (Lexicon
/// ids are resolved once the lexicon is loaded: `content::lexicon::resolve`.)
#[allow(clippy::too_many_arguments)]
pub(super) fn matchers(
    c: &mut Checker<'_>,
    at: &str,
    what: &str,
    id: &str,
    phrases: &[String],
    regexes: &[String],
    plain: &[Form],
    lexicon: &[String],
) {
    if phrases.is_empty() && regexes.is_empty() && plain.is_empty() && lexicon.is_empty() {
        let key = if what == "concept" { "ideas" } else { "claims" };
        c.error_help(
            &format!("{at}.id"),
            format!("{what} `{id}` has no phrases, regexes, {key} or lexicon entries, so it can never match"),
            format!("add `{key}: [\"…\"]`, `lexicon: [ENTRY]`, `phrases: [\"…\"]` or `regexes: ['…']`"),
        );
    }
    c.phrases(&format!("{at}.phrases"), phrases);
    c.regexes(&format!("{at}.regexes"), regexes);
}
