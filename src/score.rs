//! The rubric scorer: normalise an answer once, match every concept, red flag and misconception
//! with typo tolerance and negation / hypothetical scopes, check the order of reasoning and the
//! numbers cited, and explain every point with its evidence (SCORING.md).
//!
//! Pipeline: `normalize` (NFKC, case, quotes, whitespace, tokens with offsets) → `matcher`
//! (phrases token by token with the `fuzzy` typo policy, author regexes) → `scope` (NegEx /
//! ConText negation and hypothetical scopes) → per-item decisions → `structure`, `grounding`,
//! `stuffing` → score, band, confidence, pushback.
//!
//! The rules, as implemented:
//! - A concept is credited when one of its matches lies outside every negated and hypothetical
//!   scope (as `scope` draws them: a match is never denied by a trigger word it contains itself,
//!   and a condition the sentence goes on to affirm is a statement); a hypothesis-stage concept is also credited from a hedged mention ("it could be lock
//!   contention"), since a hypothesis is hedged by nature. Otherwise its status is negated,
//!   hypothetical or missing. A red flag or misconception fires on an affirmed match; a negated
//!   one ("instead of adding threads") never fires; a hypothetical one fires only for red flags
//!   marked `fires_when_hypothetical`.
//! - Score = credited weight / total weight × 100 (bare concepts of a keyword list count
//!   [`stuffing::STUFFED_CREDIT`] of their weight), minus fired red-flag and misconception
//!   penalties, the order penalty (`structure`), and [`MISREAD_PENALTY`] per misread number (at
//!   most [`MAX_MISREADS_CHARGED`]); clamped to 0..=100 and rounded.
//! - Band: strong hire from [`STRONG_HIRE_FROM`], hire from [`HIRE_FROM`], lean no hire from
//!   [`LEAN_NO_HIRE_FROM`], else no hire. One missing required concept caps the band at hire,
//!   two or more at lean no hire ([`Band::cap_for_missing_required`]).
//! - Confidence: see [`Scorer::score`]'s helper `confidence`: lowered by fuzzy-only evidence,
//!   a score near a band threshold, very short or very long answers, keyword stuffing, and
//!   distance (Jaccard over credited concepts) from every calibration example.
//!
//! Architecture invariant: pure and deterministic; patterns compile once per drill
//! ([`Scorer::new`]), scoring an answer allocates only per answer. The one piece of state a
//! scorer keeps between answers is a memo of the last shown outputs it parsed, which never
//! changes a result.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::domain::{Concept, Drill, Misconception, PushbackRule, RedFlag, Stage, Trigger};

/// A drill's rubric compiled for fast repeated scoring.
#[derive(Debug, Clone)]
pub struct Scorer {
    concepts: Vec<Concept>,
    red_flags: Vec<RedFlag>,
    misconceptions: Vec<Misconception>,
    pushback: Vec<PushbackRule>,
    order_penalty: f64,
    matcher: matcher::Matcher,
    triggers: scope::Triggers,
    lexicon: lexicon::Lexicon,
    skipped: Vec<String>,
    /// Concept indices each calibration example hits (for confidence).
    example_hits: Vec<BTreeSet<usize>>,
    shown_cache: ShownCache,
}

/// The last shown outputs parsed for grounding, so scoring several answers against the same
/// outputs (an interview turn scores two, a benchmark thousands) parses them once. A memo only:
/// every result is what parsing afresh would give. A scorer shared between threads never waits
/// on it: whoever finds it busy parses for itself.
#[derive(Debug, Default)]
struct ShownCache(Mutex<Option<(Shown, Arc<grounding::ShownValues>)>>);

impl Clone for ShownCache {
    fn clone(&self) -> Self {
        ShownCache::default()
    }
}

impl ShownCache {
    fn values(&self, shown: &Shown) -> Arc<grounding::ShownValues> {
        let Ok(mut slot) = self.0.try_lock() else {
            return Arc::new(grounding::ShownValues::parse(shown));
        };
        if let Some((cached, values)) = slot.as_ref()
            && cached == shown
        {
            return Arc::clone(values);
        }
        let values = Arc::new(grounding::ShownValues::parse(shown));
        *slot = Some((shown.clone(), Arc::clone(&values)));
        values
    }
}

/// What the candidate was shown before answering: tool commands and their outputs, so cited
/// numbers can be checked ("r is about 40").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shown {
    pub outputs: Vec<ShownOutput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShownOutput {
    pub command: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreReport {
    /// 0..=100, rounded to an integer.
    pub score: u32,
    pub band: Band,
    /// 0..=1: low when the answer rests on fuzzy matches or is far from every calibration example.
    pub confidence: f64,
    pub concepts: Vec<ConceptResult>,
    pub red_flags: Vec<FlagResult>,
    pub misconceptions: Vec<FlagResult>,
    /// Numbers cited about the machine that disagree with what was shown.
    pub misreads: Vec<Misread>,
    /// Stages in the order the answer reached them, with the order score (1 = natural order).
    pub structure: Structure,
    /// True when the answer looks like a bare list of buzzwords.
    pub keyword_stuffing: bool,
    /// What an interviewer would push on, most important first (from red flags, misconceptions,
    /// missing required concepts, misreads).
    pub pushback: Vec<String>,
    pub word_count: usize,
    /// Tools the answer names (`vmstat`, `perf`, …), sorted.
    pub tools: Vec<String>,
    /// How many numbers the answer contains.
    pub numbers_cited: usize,
    /// Rubric patterns that could not be compiled and were skipped.
    pub skipped_patterns: Vec<String>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    NoHire,
    LeanNoHire,
    Hire,
    StrongHire,
}

impl Band {
    pub fn label(self) -> &'static str {
        match self {
            Band::NoHire => "no hire",
            Band::LeanNoHire => "lean no hire",
            Band::Hire => "hire",
            Band::StrongHire => "strong hire",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Asserted,
    Negated,
    Hypothetical,
    Missing,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConceptResult {
    pub id: String,
    pub label: String,
    pub hit: bool,
    pub status: Status,
    pub required: bool,
    pub weight: f64,
    #[serde(serialize_with = "serialize_stage")]
    pub stage: Stage,
    pub evidence: Option<Evidence>,
    /// Points of the 100 this concept earned (its weight share, halved when keyword-stuffed).
    pub credit: f64,
}

/// A span of the answer (byte offsets into the original text) and why it counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The trigger that negated or made it hypothetical, if any.
    pub trigger: Option<String>,
    /// Matched with typo tolerance rather than exactly.
    pub fuzzy: bool,
    /// The sentence the span sits in, as written.
    pub context: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagResult {
    pub id: String,
    pub fired: bool,
    pub status: Status,
    pub penalty: f64,
    pub evidence: Option<Evidence>,
    /// The interviewer's pushback or correction.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Misread {
    /// What the answer said, e.g. `r is about 40`.
    pub cited: String,
    pub field: String,
    pub value: f64,
    /// The range of values shown for that field.
    pub shown_min: f64,
    pub shown_max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Structure {
    pub stages: Vec<String>,
    pub order_score: f64,
    pub penalty: f64,
}

fn serialize_stage<S: serde::Serializer>(stage: &Stage, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(stage.name())
}

/// Band thresholds on the 0–100 score: strong hire from 80, hire from 60, lean no hire from 40.
pub const STRONG_HIRE_FROM: u32 = 80;
pub const HIRE_FROM: u32 = 60;
pub const LEAN_NO_HIRE_FROM: u32 = 40;
/// Points taken off per number cited about the machine that disagrees with what was shown.
pub const MISREAD_PENALTY: f64 = 5.0;
/// At most this many misreads are charged.
pub const MAX_MISREADS_CHARGED: usize = 3;

/// Tool names that make an answer concrete (the `vague` pushback rule).
const TOOLS: &[&str] = &[
    "vmstat",
    "mpstat",
    "pidstat",
    "iostat",
    "perf",
    "lock_stat",
    "lockstat",
    "dmesg",
    "sar",
    "strace",
    "ltrace",
    "bpftrace",
    "bcc",
    "ftrace",
    "htop",
    "uptime",
    "numastat",
    "slabtop",
    "netstat",
    "ss",
    "tcpdump",
    "proc",
    "offcputime",
    "runqlat",
    "biolatency",
    "funclatency",
    "jstack",
    "gdb",
    "flamegraph",
    "ps",
];
/// `top` and `free` are tools only when written like commands ("top shows", "in top", "free -m").
const AMBIGUOUS_TOOLS: &[&str] = &["top", "free"];
const TOOL_CONTEXT: &[&str] = &[
    "in", "from", "run", "ran", "running", "with", "via", "using", "shows", "showed", "output",
    "says", "reports", "m", "b", "h", "g", "n",
];

impl Band {
    /// The band for a score before any cap.
    pub fn for_score(score: u32) -> Band {
        if score >= STRONG_HIRE_FROM {
            Band::StrongHire
        } else if score >= HIRE_FROM {
            Band::Hire
        } else if score >= LEAN_NO_HIRE_FROM {
            Band::LeanNoHire
        } else {
            Band::NoHire
        }
    }

    /// The best band an answer can reach with this many required concepts missing: one missing
    /// caps it at hire, two or more at lean no hire.
    pub fn cap_for_missing_required(missing: usize) -> Band {
        match missing {
            0 => Band::StrongHire,
            1 => Band::Hire,
            _ => Band::LeanNoHire,
        }
    }
}

/// A concept's matches, classified.
#[derive(Debug, Clone, Copy)]
struct Decided {
    m: matcher::Match,
    standing: scope::Standing,
}

impl Scorer {
    /// Compiles every phrase and regex of the drill once. A pattern that does not compile is
    /// skipped and listed in every report's `skipped_patterns`; this never panics.
    pub fn new(drill: &Drill) -> Self {
        let rubric = &drill.rubric;
        let patterns = rubric
            .concepts
            .iter()
            .enumerate()
            .map(|(i, c)| (matcher::Item::Concept(i), &c.phrases[..], &c.regexes[..]))
            .chain(
                rubric
                    .red_flags
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (matcher::Item::RedFlag(i), &f.phrases[..], &f.regexes[..])),
            )
            .chain(rubric.misconceptions.iter().enumerate().map(|(i, m)| {
                (
                    matcher::Item::Misconception(i),
                    &m.phrases[..],
                    &m.regexes[..],
                )
            }));
        let matcher = matcher::Matcher::new(patterns);
        let skipped = matcher
            .skipped
            .iter()
            .map(|s| {
                let owner = match s.item {
                    matcher::Item::Concept(i) => format!("concept {}", rubric.concepts[i].id),
                    matcher::Item::RedFlag(i) => format!("red flag {}", rubric.red_flags[i].id),
                    matcher::Item::Misconception(i) => {
                        format!("misconception {}", rubric.misconceptions[i].id)
                    }
                };
                format!("{owner}: {:?} skipped: {}", s.pattern, s.reason)
            })
            .collect();
        let triggers = scope::Triggers::new();
        let mut lexicon = lexicon::Lexicon::new(TOOLS, AMBIGUOUS_TOOLS);
        for word in triggers.first_words() {
            lexicon.add_class(word, lexicon::TRIGGER_START);
        }
        for (word, id) in matcher.vocabulary() {
            lexicon.add_vocab(word, id);
        }
        let mut scorer = Scorer {
            concepts: rubric.concepts.clone(),
            red_flags: rubric.red_flags.clone(),
            misconceptions: rubric.misconceptions.clone(),
            pushback: drill.pushback.clone(),
            order_penalty: rubric.order_penalty,
            matcher,
            triggers,
            lexicon,
            skipped,
            example_hits: Vec::new(),
            shown_cache: ShownCache::default(),
        };
        let example_hits = drill
            .examples
            .iter()
            .map(|example| scorer.hit_set(&scorer.score(&example.answer, &Shown::default())))
            .collect();
        scorer.example_hits = example_hits;
        scorer
    }

    /// Patterns that failed to compile, as "owner: pattern skipped: reason".
    pub fn skipped_patterns(&self) -> &[String] {
        &self.skipped
    }

    fn hit_set(&self, report: &ScoreReport) -> BTreeSet<usize> {
        report
            .concepts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.hit)
            .map(|(i, _)| i)
            .collect()
    }

    /// Scores one answer. Pure and deterministic; never panics on any input.
    pub fn score(&self, answer: &str, shown: &Shown) -> ScoreReport {
        let n = normalize::Normalized::new(answer);
        // One lookup per token: its word classes and its exact rubric vocabulary id.
        let lexicon::Tags {
            classes,
            vocab: exact,
        } = self.lexicon.tag(&n);
        let scopes = scope::Scopes::find_tagged(&n, &self.triggers, &classes);
        let mut matches = Vec::with_capacity(n.tokens.len() / 4 + 16);
        self.matcher.find_tagged(&n, &exact, &mut matches);
        matches.sort_by(|a, b| {
            (a.item, a.start, a.end, a.fuzzy).cmp(&(b.item, b.start, b.end, b.fuzzy))
        });
        let decided: Vec<Decided> = matches
            .iter()
            .map(|&m| Decided {
                m,
                standing: scopes.standing(
                    m.from,
                    m.to,
                    matches!(m.item, matcher::Item::RedFlag(_)),
                    &|k| {
                        let occ = scopes.occurrences[k];
                        m.regex == matcher::PHRASE
                            || (occ.from..occ.to)
                                .all(|t| self.matcher.regex_spells(m.regex, n.token_text(t)))
                    },
                ),
            })
            .collect();
        // `decided` is sorted by item first, so each item's matches are one slice.
        let of = |item: matcher::Item| {
            let from = decided.partition_point(|d| d.m.item < item);
            let to = decided.partition_point(|d| d.m.item <= item);
            decided[from..to].iter()
        };
        let linked = stuffing::linked_tokens(&n, &classes);
        let evidence = |d: &Decided| -> Evidence {
            let (start, end) = n.original_span(d.m.start, d.m.end);
            let trigger = match d.standing {
                scope::Standing::Affirmed => None,
                scope::Standing::Negated(k) | scope::Standing::Hypothetical(k) => {
                    let occ = scopes.occurrences[k];
                    Some(if occ.class == scope::Class::Question {
                        "?".to_owned()
                    } else {
                        n.original_tokens(occ.from, occ.to).2.to_owned()
                    })
                }
            };
            Evidence {
                start,
                end,
                text: n.original[start..end].to_owned(),
                trigger,
                fuzzy: d.m.fuzzy,
                context: if d.m.from < n.tokens.len() {
                    n.sentence_text(d.m.from).to_owned()
                } else {
                    String::new()
                },
            }
        };

        // Concepts.
        let mut concepts = Vec::with_capacity(self.concepts.len());
        let mut bare = Vec::with_capacity(self.concepts.len());
        for (i, concept) in self.concepts.iter().enumerate() {
            // A hedged hypothesis is still a hypothesis: hypothesis-stage concepts take credit
            // from hypothetical mentions; every other stage needs a firm one.
            let credits = |d: &&Decided| match d.standing {
                scope::Standing::Affirmed => true,
                scope::Standing::Hypothetical(_) => concept.stage == Stage::Hypothesis,
                scope::Standing::Negated(_) => false,
            };
            let mine = of(matcher::Item::Concept(i));
            let credited = || mine.clone().filter(credits);
            let (status, chosen) = if let Some(first) = credited().next() {
                // Prefer an exact match as evidence; among equals, the earliest.
                let best = credited().find(|d| !d.m.fuzzy).unwrap_or(first);
                (Status::Asserted, Some(*best))
            } else if let Some(d) = mine
                .clone()
                .find(|d| matches!(d.standing, scope::Standing::Negated(_)))
            {
                (Status::Negated, Some(*d))
            } else if let Some(d) = mine.clone().next() {
                (Status::Hypothetical, Some(*d))
            } else {
                (Status::Missing, None)
            };
            let hit = status == Status::Asserted;
            bare.push(
                hit && credited().all(|d| {
                    (d.m.from..d.m.to.max(d.m.from + 1))
                        .all(|t| !linked.get(t).copied().unwrap_or(true))
                }),
            );
            let mut ev = chosen.map(|d| evidence(&d));
            if let Some(ev) = ev.as_mut() {
                ev.fuzzy = hit && credited().all(|d| d.m.fuzzy);
            }
            concepts.push(ConceptResult {
                id: concept.id.clone(),
                label: concept.label.clone(),
                hit,
                status,
                required: concept.required,
                weight: concept.weight,
                stage: concept.stage,
                evidence: ev,
                credit: 0.0,
            });
        }
        let hits = concepts.iter().filter(|c| c.hit).count();
        let bare_count = bare.iter().filter(|b| **b).count();
        let keyword_stuffing = stuffing::is_stuffed(bare_count, hits);
        let total_weight: f64 = self.concepts.iter().map(|c| c.weight.max(0.0)).sum();
        let mut placed = Vec::new();
        let mut earned = 0.0;
        for (i, result) in concepts.iter_mut().enumerate() {
            if !result.hit || total_weight <= 0.0 {
                continue;
            }
            let factor = if keyword_stuffing && bare[i] {
                stuffing::STUFFED_CREDIT
            } else {
                1.0
            };
            result.credit = round2(result.weight.max(0.0) * factor / total_weight * 100.0);
            earned += result.weight.max(0.0) * factor;
            let first = of(matcher::Item::Concept(i))
                .filter(|d| match d.standing {
                    scope::Standing::Affirmed => true,
                    scope::Standing::Hypothetical(_) => result.stage == Stage::Hypothesis,
                    scope::Standing::Negated(_) => false,
                })
                .map(|d| d.m.start)
                .min()
                .unwrap_or(0);
            placed.push(structure::Placed {
                stage: result.stage,
                offset: first,
                credit: result.credit,
            });
        }
        let base = if total_weight > 0.0 {
            earned / total_weight * 100.0
        } else {
            0.0
        };

        // Red flags and misconceptions: negated never fires; hypothetical fires only for red
        // flags that say so.
        let flag =
            |item: matcher::Item, when_hypothetical: bool| -> (bool, Status, Option<Evidence>) {
                let mut all = of(item);
                if let Some(d) = all
                    .clone()
                    .find(|d| d.standing == scope::Standing::Affirmed)
                {
                    return (true, Status::Asserted, Some(evidence(d)));
                }
                if let Some(d) = all
                    .clone()
                    .find(|d| matches!(d.standing, scope::Standing::Hypothetical(_)))
                {
                    return (when_hypothetical, Status::Hypothetical, Some(evidence(d)));
                }
                if let Some(d) = all.next() {
                    return (false, Status::Negated, Some(evidence(d)));
                }
                (false, Status::Missing, None)
            };
        let red_flags: Vec<FlagResult> = self
            .red_flags
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (fired, status, evidence) =
                    flag(matcher::Item::RedFlag(i), f.fires_when_hypothetical);
                FlagResult {
                    id: f.id.clone(),
                    fired,
                    status,
                    penalty: f.penalty,
                    evidence,
                    message: f.pushback.clone(),
                }
            })
            .collect();
        let misconceptions: Vec<FlagResult> = self
            .misconceptions
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let (fired, status, evidence) = flag(matcher::Item::Misconception(i), false);
                FlagResult {
                    id: m.id.clone(),
                    fired,
                    status,
                    penalty: m.penalty,
                    evidence,
                    message: m.correction.clone(),
                }
            })
            .collect();

        let structure = structure::assess(&placed, self.order_penalty);
        // No number in the answer, nothing to ground: skip parsing the outputs.
        let numbers_cited = n.tokens.iter().filter(|t| t.numeric).count();
        let misreads = if numbers_cited > 0 && !shown.outputs.is_empty() {
            grounding::misreads(&n, &classes, &self.shown_cache.values(shown))
        } else {
            Vec::new()
        };

        let penalties: f64 = red_flags
            .iter()
            .chain(&misconceptions)
            .filter(|f| f.fired)
            .map(|f| f.penalty.max(0.0))
            .sum::<f64>()
            + structure.penalty
            + MISREAD_PENALTY * misreads.len().min(MAX_MISREADS_CHARGED) as f64;
        let raw = (base - penalties).clamp(0.0, 100.0);
        let score = raw.round() as u32;
        let missing_required = concepts.iter().filter(|c| c.required && !c.hit).count();
        let band = Band::for_score(score).min(Band::cap_for_missing_required(missing_required));

        let tools = tools_named(&n, &classes);
        let mut report = ScoreReport {
            score,
            band,
            confidence: 1.0,
            concepts,
            red_flags,
            misconceptions,
            misreads,
            structure,
            keyword_stuffing,
            pushback: Vec::new(),
            word_count: n.tokens.len(),
            tools,
            numbers_cited,
            skipped_patterns: self.skipped.clone(),
        };
        report.pushback = self.pushback_lines(&report);
        report.confidence = self.confidence(&report, raw);
        report
    }
}

fn tools_named(n: &normalize::Normalized<'_>, classes: &[u8]) -> Vec<String> {
    let mut tools = BTreeSet::new();
    for (i, class) in classes.iter().enumerate() {
        let word = n.token_text(i);
        if class & lexicon::TOOL != 0 {
            tools.insert(word.to_owned());
        } else if class & lexicon::AMBIGUOUS_TOOL != 0 {
            let before = i.checked_sub(1).map(|j| n.token_text(j));
            let after = (i + 1 < n.tokens.len()).then(|| n.token_text(i + 1));
            if before.is_some_and(|w| TOOL_CONTEXT[..7].contains(&w))
                || after.is_some_and(|w| TOOL_CONTEXT.contains(&w))
            {
                tools.insert(word.to_owned());
            }
        }
    }
    tools.into_iter().collect()
}

impl Scorer {
    /// What an interviewer would push on, most important first: red flags, misconceptions,
    /// misreads, then the drill's own rules for missing concepts, vagueness and rambling.
    fn pushback_lines(&self, report: &ScoreReport) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut add = |line: String| {
            if !line.is_empty() && !lines.contains(&line) {
                lines.push(line);
            }
        };
        for f in report.red_flags.iter().filter(|f| f.fired) {
            add(f.message.clone());
        }
        for m in report.misconceptions.iter().filter(|m| m.fired) {
            add(m.message.clone());
        }
        for m in &report.misreads {
            add(format!(
                "You said \"{}\". Look at {} in the output again: is that what it shows?",
                m.cited, m.field
            ));
        }
        let rank = |t: &Trigger| match t {
            Trigger::MissingConcept(_) => 0,
            Trigger::Vague => 1,
            Trigger::Rambling { .. } => 2,
            _ => 3,
        };
        let mut rules: Vec<&PushbackRule> = self
            .pushback
            .iter()
            .filter(|r| rank(&r.when) < 3 && triggered(r, report))
            .collect();
        // Missing required concepts before optional ones; stable otherwise.
        rules.sort_by_key(|r| {
            let optional = match &r.when {
                Trigger::MissingConcept(id) => {
                    !report.concepts.iter().any(|c| &c.id == id && c.required)
                }
                _ => false,
            };
            (rank(&r.when), optional)
        });
        for rule in rules {
            if let Some(line) = rule.say.first() {
                add(line.clone());
            }
        }
        lines
    }

    /// 0..1, starting from 1 and multiplied down: by half the share of credit resting only on
    /// fuzzy matches; to 0.7..1 within 5 points of a band threshold; 0.6 under 15 words, 0.8
    /// over 400; 0.8 when stuffed; and 0.6 + 0.4 × the best Jaccard similarity between the
    /// answer's hit concepts and those of any calibration example (when the drill has some).
    fn confidence(&self, report: &ScoreReport, raw: f64) -> f64 {
        let mut confidence = 1.0;
        let earned: f64 = report.concepts.iter().map(|c| c.credit).sum();
        if earned > 0.0 {
            let fuzzy: f64 = report
                .concepts
                .iter()
                .filter(|c| c.evidence.as_ref().is_some_and(|e| c.hit && e.fuzzy))
                .map(|c| c.credit)
                .sum();
            confidence *= 1.0 - 0.5 * fuzzy / earned;
        }
        let distance = [STRONG_HIRE_FROM, HIRE_FROM, LEAN_NO_HIRE_FROM]
            .iter()
            .map(|&t| (raw - f64::from(t) + 0.5).abs())
            .fold(f64::INFINITY, f64::min);
        if distance < 5.0 {
            confidence *= 0.7 + 0.06 * distance;
        }
        if report.word_count < 15 {
            confidence *= 0.6;
        } else if report.word_count > 400 {
            confidence *= 0.8;
        }
        if report.keyword_stuffing {
            confidence *= 0.8;
        }
        if !self.example_hits.is_empty() {
            let hits = self.hit_set(report);
            let best = self
                .example_hits
                .iter()
                .map(|example| {
                    let union = example.union(&hits).count();
                    if union == 0 {
                        1.0
                    } else {
                        example.intersection(&hits).count() as f64 / union as f64
                    }
                })
                .fold(0.0, f64::max);
            confidence *= 0.6 + 0.4 * best;
        }
        round2(confidence.clamp(0.0, 1.0))
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

pub mod check;
pub mod fuzzy;
mod grounding;
mod lexicon;
mod matcher;
mod normalize;
pub mod report;
mod scope;
pub mod session;
mod structure;
mod stuffing;

/// Whether a pushback rule applies to a scored answer. The interviewer and `sysdrill check` both
/// use this, so "no example reaches this rule" means exactly what the REPL would do.
///
/// - `red_flag` / `misconception`: that item fired;
/// - `missing_concept`: that concept is not credited (missing, negated or hypothetical);
/// - `vague`: the answer names no tool (see `TOOLS`) and cites no number;
/// - `rambling`: the answer runs over the given number of words;
/// - `misread`: some number cited about the machine disagrees with what was shown.
pub fn triggered(rule: &PushbackRule, report: &ScoreReport) -> bool {
    match &rule.when {
        Trigger::RedFlag(id) => report.red_flags.iter().any(|f| &f.id == id && f.fired),
        Trigger::Misconception(id) => report.misconceptions.iter().any(|m| &m.id == id && m.fired),
        Trigger::MissingConcept(id) => !report.concepts.iter().any(|c| &c.id == id && c.hit),
        Trigger::Vague => report.tools.is_empty() && report.numbers_cited == 0,
        Trigger::Rambling { words } => report.word_count > *words as usize,
        Trigger::Misread => !report.misreads.is_empty(),
    }
}
