//! The rubric scorer: normalise an answer once, match every concept, red flag and misconception
//! (with the forms of the lexicon entries they name) with typo tolerance, inflection and
//! negation / hypothetical scopes, check the order of reasoning and the numbers and names cited,
//! and explain every point with the clause that earned it (docs/SCORING.md).
//!
//! Pipeline: `normalize` (NFKC, case, quotes, whitespace, tokens with offsets) → `tags` (word
//! classes and vocabulary ids, one lookup per token) → `scope` (NegEx / ConText negation,
//! hypothetical and question scopes) → `context` (clauses, quotes, command lines, rejecting
//! frames) → `matcher` (exact: phrases and lexicon terms token by token with the `fuzzy` typo
//! policy, author regexes; plain: plain phrases, claims and idea roles across `inflect`ions) →
//! ideas (all roles in one clause or sentence) → per-item decisions → `stuffing` (reasoning
//! or mention), `structure`, `grounding` → score, band, confidence, pushback.
//!
//! The rules, as implemented:
//! - A concept is credited when one of its matches lies outside every negated and hypothetical
//!   scope; a hypothesis-stage concept is also credited from a hedged mention ("it could be
//!   lock contention"). Only a check-stage concept takes credit from a command line, or from a
//!   command the candidate ran (`Shown`). Otherwise its status is negated, hypothetical or
//!   missing.
//! - A credited concept all of whose credited matches are bare (`stuffing`: a list of terms, or
//!   a unit saying nothing about the case) earns [`stuffing::MENTION_CREDIT`] of its weight.
//! - A red flag or misconception fires only when asserted: never when negated, questioned,
//!   quoted, rejected ("… is a myth") or typed as a command; a hypothetical one fires only for
//!   red flags marked `fires_when_hypothetical`.
//! - A long answer that keeps hedging, filling and digressing keeps a share of its concept
//!   credit (`dilution`).
//! - Score = credited weight / total weight × 100, minus fired red-flag and misconception
//!   penalties, the order penalty (`structure`), and [`MISREAD_PENALTY`] per misread (at most
//!   [`MAX_MISREADS_CHARGED`]); clamped to 0..=100 and rounded.
//! - Band: strong hire from [`STRONG_HIRE_FROM`], hire from [`HIRE_FROM`], lean no hire from
//!   [`LEAN_NO_HIRE_FROM`], else no hire. One missing required concept caps the band at hire,
//!   two or more at lean no hire ([`Band::cap_for_missing_required`]).
//! - Confidence: see [`Scorer::score`]'s helper `confidence`: lowered by fuzzy-only evidence,
//!   a score near a band threshold, very short or very long answers, keyword stuffing, and
//!   distance (Jaccard over credited concepts) from every calibration example.
//!
//! Architecture invariant: pure and deterministic; patterns and role tables compile once per
//! drill ([`Scorer::new`], linear in the rubric; what depends on a form alone is compiled once
//! per catalog, [`CompiledForms`]), scoring an answer allocates only per answer and takes time
//! linear in its length. The state a scorer keeps between answers is two memos, neither of
//! which changes a result: the last shown outputs it parsed, and the concepts its calibration
//! examples hit (scored on the first answer whose confidence needs them).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::domain::{
    Concept, Drill, Form, Lexicon, Misconception, PushbackRule, RedFlag, Stage, Trigger, Within,
};

/// A drill's rubric compiled for fast repeated scoring.
#[derive(Debug, Clone)]
pub struct Scorer {
    /// The rubric's items, its matchers, ideas and word table: shared by every scorer of an
    /// equal drill built with the same [`CompiledForms`].
    rubric: Arc<CompiledRubric>,
    pushback: Vec<PushbackRule>,
    order_penalty: f64,
    /// The drill's calibration answers and the concept indices each hits (for confidence),
    /// found when an answer's confidence first needs them: scoring the examples costs as much
    /// as compiling the rubric, and a scorer compiled for one answer, or whose drill has
    /// examples it never needs, should not pay for it up front. Shared by every scorer of the
    /// same drill built with the same [`CompiledForms`] (each session of a drill after the
    /// first finds them scored). Never changes a result: the sets are what scoring the
    /// examples at compile time gave.
    example_hits: Arc<compiled::ExampleHits>,
    shown_cache: ShownCache,
}

/// The last shown outputs parsed for grounding, with the checks their commands credit, so
/// scoring several answers against the same outputs (an interview turn scores two, a benchmark
/// thousands) parses them once. A memo only: every result is what parsing afresh would give. A
/// scorer shared between threads never waits on it: whoever finds it busy parses for itself.
#[derive(Debug, Default)]
struct ShownCache(Mutex<Option<(Shown, Arc<ShownFacts>)>>);

/// What the shown outputs establish: the values of every field shown, and which check-stage
/// concepts the commands run credit (concept index, output index of the first such command).
#[derive(Debug)]
struct ShownFacts {
    values: grounding::ShownValues,
    ran: Vec<(usize, usize)>,
}

impl Clone for ShownCache {
    fn clone(&self) -> Self {
        ShownCache::default()
    }
}

impl ShownCache {
    fn facts(&self, shown: &Shown, scorer: &Scorer) -> Arc<ShownFacts> {
        let Ok(mut slot) = self.0.try_lock() else {
            return Arc::new(scorer.shown_facts(shown));
        };
        if let Some((cached, facts)) = slot.as_ref()
            && cached == shown
        {
            return Arc::clone(facts);
        }
        let facts = Arc::new(scorer.shown_facts(shown));
        *slot = Some((shown.clone(), Arc::clone(&facts)));
        facts
    }
}

impl Scorer {
    /// Parses the shown outputs and finds the check-stage concepts whose forms a command the
    /// candidate ran matches ("perf lock contention" runs the check "perf lock").
    fn shown_facts(&self, shown: &Shown) -> ShownFacts {
        let mut ran: Vec<(usize, usize)> = Vec::new();
        for (index, output) in shown.outputs.iter().enumerate() {
            let n = normalize::Normalized::new(&output.command);
            let tags = self.rubric.tags.tag(&n);
            let mut found = Vec::new();
            self.rubric.matcher.find_tagged(&n, &tags.vocab, &mut found);
            self.rubric.plain.find_tagged(&n, &tags.plain, &mut found);
            for m in found {
                if let matcher::Item::Concept(i) = m.item
                    && self.rubric.concepts[i].stage == Stage::Check
                    && !ran.iter().any(|&(c, _)| c == i)
                {
                    ran.push((i, index));
                }
            }
        }
        ShownFacts {
            values: grounding::ShownValues::parse(shown),
            ran,
        }
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
    /// How much hedging, filler and digression in a long answer dilute its credit.
    pub dilution: Dilution,
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

/// Why a point counted: the clause of the answer that earned it (byte offsets into the original
/// text, `text` is exactly that stretch), the words matched in it, and what denied or hedged it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The trigger that negated or made it hypothetical, if any.
    pub trigger: Option<String>,
    /// Matched with typo tolerance rather than exactly.
    pub fuzzy: bool,
    /// The sentence the span sits in, as written (cut around the span when long).
    pub context: String,
    /// The words that matched, as written.
    pub matched: String,
    /// For a check credited because the candidate ran it: the command line (the span is then
    /// empty).
    pub command: Option<String>,
}

impl Evidence {
    /// What to show a reader as the evidence: the clause, or for a check credited because the
    /// candidate ran a tool, the command they ran.
    pub fn summary(&self) -> String {
        match &self.command {
            Some(command) if self.text.is_empty() => format!("ran `{command}`"),
            _ => self.text.clone(),
        }
    }
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
    /// For a name cited against what was shown (the top lock): the name shown instead.
    pub shown_name: Option<String>,
}

impl Misread {
    /// What was shown, in words: "r was shown between 38 and 41", "the top lock shown is
    /// &hb->lock".
    pub fn shown(&self) -> String {
        match &self.shown_name {
            Some(name) => format!("the {} shown is {name}", self.field),
            None => format!(
                "{} was shown between {} and {}",
                self.field, self.shown_min, self.shown_max
            ),
        }
    }
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

/// How one match stands once scopes, quotation marks, rejecting frames and command lines are
/// taken into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Affirmed,
    Negated(Why),
    Hypothetical(Why),
}

/// What denied or hedged a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    /// A negation, hedge, condition or question (an occurrence of `scope`).
    Trigger(usize),
    /// Inside quotation marks: reported, not asserted.
    Quoted,
    /// A rejecting frame in the same sentence ("… is a myth"), by token range.
    Rejected(usize, usize),
    /// Part of a command line typed as an answer.
    Command,
}

impl Standing {
    fn from_scope(standing: scope::Standing) -> Self {
        match standing {
            scope::Standing::Affirmed => Standing::Affirmed,
            scope::Standing::Negated(k) => Standing::Negated(Why::Trigger(k)),
            scope::Standing::Hypothetical(k) => Standing::Hypothetical(Why::Trigger(k)),
        }
    }

    /// Negated outranks hypothetical outranks affirmed: an idea stands as its weakest role.
    fn rank(self) -> u8 {
        match self {
            Standing::Affirmed => 0,
            Standing::Hypothetical(_) => 1,
            Standing::Negated(_) => 2,
        }
    }
}

/// A match of a rubric item, classified.
#[derive(Debug, Clone, Copy)]
struct Decided {
    m: matcher::Match,
    standing: Standing,
    /// Every token of the match lies in a stretch that reasons (`stuffing`).
    reasoned: bool,
    /// For an idea, the token ranges its roles matched (the first [`MAX_PARTS`]); empty for a
    /// phrase or regex, whose words are the whole match.
    parts: Parts,
}

/// What `find_ideas` asks of the answer's scopes about a role match.
#[derive(Clone, Copy)]
struct RoleJudge<'a> {
    /// How a match stands: affirmed, or denied or hedged by a trigger.
    scope_standing: &'a dyn Fn(&matcher::Match) -> scope::Standing,
    /// The token range of a scope trigger occurrence.
    trigger_span: &'a dyn Fn(usize) -> (usize, usize),
    /// The class of a scope trigger occurrence.
    trigger_class: &'a dyn Fn(usize) -> scope::Class,
    /// Whether a token range holds a scope trigger of its own ("if", "never sleeps").
    holds_trigger: &'a dyn Fn(usize, usize) -> bool,
    /// Whether every token of a range lies in a stretch that reasons.
    is_reasoned: &'a dyn Fn(usize, usize) -> bool,
}

/// How many role ranges of an idea match are kept: enough for every idea written so far; an
/// idea with more roles keeps its first ones.
const MAX_PARTS: usize = 4;

/// The token ranges the roles of an idea match matched, in role order.
#[derive(Debug, Clone, Copy, Default)]
struct Parts {
    spans: [(u32, u32); MAX_PARTS],
    len: u8,
}

impl Parts {
    fn as_slice(&self) -> &[(u32, u32)] {
        &self.spans[..usize::from(self.len)]
    }
}

/// An idea of a rubric item compiled: its roles are `roles` of the scorer's role table (each
/// role's alternatives are plain phrases of [`matcher::Item::Role`]).
#[derive(Debug, Clone)]
struct CompiledIdea {
    item: matcher::Item,
    roles: std::ops::Range<usize>,
    within: Within,
}

/// The forms of one rubric item, gathered (borrowed) from the item itself and the lexicon
/// entries it names.
#[derive(Default)]
struct ItemForms<'a> {
    phrases: Vec<&'a str>,
    regexes: Vec<&'a str>,
    plain: Vec<&'a Form>,
}

impl<'a> ItemForms<'a> {
    fn gather(
        own: (&'a [String], &'a [String], &'a [Form]),
        ids: &[String],
        lexicon: &'a Lexicon,
        unknown: &mut Vec<String>,
    ) -> Self {
        let mut forms = ItemForms {
            phrases: own.0.iter().map(String::as_str).collect(),
            regexes: own.1.iter().map(String::as_str).collect(),
            plain: own.2.iter().collect(),
        };
        for id in ids {
            match lexicon.get(id) {
                Some(entry) => {
                    forms.phrases.extend(entry.terms.iter().map(String::as_str));
                    forms
                        .regexes
                        .extend(entry.regexes.iter().map(String::as_str));
                    forms.plain.extend(entry.plain.iter());
                }
                None => unknown.push(id.clone()),
            }
        }
        forms
    }
}

/// Longest evidence quoted, in bytes of the original text: the clause is cut around the match
/// beyond this.
pub const EVIDENCE_MAX_BYTES: usize = 160;
/// Longest sentence context kept with evidence, in bytes.
const CONTEXT_MAX_BYTES: usize = 400;

impl Scorer {
    /// Compiles every phrase, regex and idea of the drill (with those of the lexicon entries it
    /// names) once. A pattern that does not compile, or a lexicon id the drill does not carry,
    /// is skipped and listed in every report's `skipped_patterns`; this never panics.
    ///
    /// Compiles every form afresh: a program that builds more than one scorer passes the
    /// catalog's [`CompiledForms`] to [`Scorer::with_forms`] instead.
    pub fn new(drill: &Drill) -> Self {
        Self::with_forms(drill, &CompiledForms::default())
    }

    /// [`Scorer::new`], taking the regexes and word spellings already compiled from `forms`
    /// (and adding those it compiles): the same scorer, without compiling again what an earlier
    /// scorer of the same catalog compiled.
    pub fn with_forms(drill: &Drill, forms: &CompiledForms) -> Self {
        Self::from_compiled(drill, forms, forms.rubric(drill))
    }

    /// [`Scorer::with_forms`], compiling the drill's rubric afresh (its regexes and word
    /// spellings still taken from `forms`) and keeping it nowhere: for a drill scored once, and
    /// to measure what compiling a rubric costs.
    pub fn compile(drill: &Drill, forms: &CompiledForms) -> Self {
        Self::from_compiled(drill, forms, Arc::new(CompiledRubric::new(drill, forms)))
    }

    fn from_compiled(drill: &Drill, forms: &CompiledForms, rubric: Arc<CompiledRubric>) -> Self {
        Scorer {
            rubric,
            pushback: drill.pushback.clone(),
            order_penalty: drill.rubric.order_penalty,
            example_hits: forms.example_hits(drill),
            shown_cache: ShownCache::default(),
        }
    }
}

/// A drill's rubric compiled: its items, both matchers, the ideas' role table and the word
/// table an answer is tagged with. Depends on the rubric and the lexicon entries the drill
/// carries alone, so [`CompiledForms`] keeps one per version of a drill and every later scorer
/// of an equal drill (each session, follow-up and `grade` worker) shares it: building one costs
/// thousands of phrases interned, their spellings recorded and a prefix tree sorted, several
/// times what scoring an answer costs.
#[derive(Debug)]
struct CompiledRubric {
    concepts: Vec<Concept>,
    red_flags: Vec<RedFlag>,
    misconceptions: Vec<Misconception>,
    /// Exact phrases (rubric phrases, lexicon terms) and regexes.
    matcher: matcher::Matcher,
    /// Plain phrases (inflecting) and the role alternatives of ideas.
    plain: matcher::Matcher,
    ideas: Vec<CompiledIdea>,
    /// Shared with every rubric of the catalog: the same for every drill.
    triggers: Arc<scope::Triggers>,
    tags: tags::Tagger,
    skipped: Vec<String>,
}

impl CompiledRubric {
    /// Compiles every phrase, regex and idea of the drill (with those of the lexicon entries it
    /// names), taking the forms an earlier rubric compiled from `forms`.
    fn new(drill: &Drill, forms: &CompiledForms) -> Self {
        let rubric = &drill.rubric;
        let mut unknown: Vec<(matcher::Item, Vec<String>)> = Vec::new();
        let mut items: Vec<(matcher::Item, ItemForms)> = Vec::new();
        let mut gather = |item, own, ids: &[String]| {
            let mut missing = Vec::new();
            let gathered = ItemForms::gather(own, ids, &drill.lexicon, &mut missing);
            if !missing.is_empty() {
                unknown.push((item, missing));
            }
            items.push((item, gathered));
        };
        for (i, c) in rubric.concepts.iter().enumerate() {
            let own = (&c.phrases[..], &c.regexes[..], &c.ideas[..]);
            gather(matcher::Item::Concept(i), own, &c.lexicon);
        }
        for (i, f) in rubric.red_flags.iter().enumerate() {
            let own = (&f.phrases[..], &f.regexes[..], &f.claims[..]);
            gather(matcher::Item::RedFlag(i), own, &f.lexicon);
        }
        for (i, m) in rubric.misconceptions.iter().enumerate() {
            let own = (&m.phrases[..], &m.regexes[..], &m.claims[..]);
            gather(matcher::Item::Misconception(i), own, &m.lexicon);
        }
        let matcher = matcher::Matcher::new(
            items
                .iter()
                .map(|(item, own)| (*item, &own.phrases[..], &own.regexes[..])),
            forms,
        );
        // Plain phrases, and each idea's role alternatives as phrases of their role.
        let mut plain_phrases: Vec<(matcher::Item, &str)> = Vec::new();
        let mut ideas = Vec::new();
        let mut roles = 0usize;
        for (item, own) in &items {
            for form in &own.plain {
                match *form {
                    Form::Phrase(phrase) => plain_phrases.push((*item, phrase)),
                    Form::Idea(idea) if !idea.roles.is_empty() => {
                        let first = roles;
                        for role in &idea.roles {
                            for alternative in role {
                                let role = matcher::Item::Role(roles);
                                match crate::domain::role_reference(alternative) {
                                    Some(id) => match drill.lexicon.get(id) {
                                        Some(entry) => plain_phrases.extend(
                                            entry.role_phrases().map(|phrase| (role, phrase)),
                                        ),
                                        // Fills the role with nothing; listed as skipped.
                                        None => unknown.push((*item, vec![id.to_owned()])),
                                    },
                                    None => plain_phrases.push((role, alternative)),
                                }
                            }
                            roles += 1;
                        }
                        ideas.push(CompiledIdea {
                            item: *item,
                            roles: first..roles,
                            within: idea.within,
                        });
                    }
                    Form::Idea(_) => {}
                }
            }
        }
        let plain = matcher::Matcher::plain(plain_phrases, forms);
        // A role's alternative that could not be compiled belongs to its idea's item.
        let owner = |item: matcher::Item| match item {
            matcher::Item::Role(r) => ideas
                .iter()
                .find(|idea: &&CompiledIdea| idea.roles.contains(&r))
                .map_or_else(
                    || "an idea".to_owned(),
                    |idea| format!("an idea of {}", owner_name(rubric, idea.item)),
                ),
            other => owner_name(rubric, other),
        };
        let mut skipped: Vec<String> = matcher
            .skipped
            .iter()
            .chain(&plain.skipped)
            .map(|s| format!("{}: {:?} skipped: {}", owner(s.item), s.pattern, s.reason))
            .collect();
        for (item, ids) in &unknown {
            for id in ids {
                skipped.push(format!(
                    "{}: lexicon entry {id:?} skipped: the drill does not carry it",
                    owner(*item)
                ));
            }
        }
        let (triggers, mut tagger) = forms.answer_words();
        tagger.reserve(matcher.vocabulary_size() + plain.vocabulary_size());
        for (word, id) in matcher.vocabulary() {
            tagger.add_vocab(word, id);
        }
        for (word, id) in plain.vocabulary() {
            tagger.add_plain(word, id);
        }
        CompiledRubric {
            concepts: rubric.concepts.clone(),
            red_flags: rubric.red_flags.clone(),
            misconceptions: rubric.misconceptions.clone(),
            matcher,
            plain,
            ideas,
            triggers,
            tags: tagger,
            skipped,
        }
    }
}

impl Scorer {
    /// The concepts each calibration example hits, scored once, on first need.
    fn example_hits(&self) -> &[BTreeSet<usize>] {
        self.example_hits.hits.get_or_init(|| {
            self.example_hits
                .answers()
                .iter()
                .map(|answer| self.hit_set(&self.assess(answer, &Shown::default()).0))
                .collect()
        })
    }

    /// Patterns that failed to compile, as "owner: pattern skipped: reason".
    pub fn skipped_patterns(&self) -> &[String] {
        &self.rubric.skipped
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

    /// Scores one answer against what was shown (the commands the candidate ran, in order,
    /// with their outputs). Pure and deterministic; never panics on any input; time and memory
    /// linear in the answer's length.
    pub fn score(&self, answer: &str, shown: &Shown) -> ScoreReport {
        let (mut report, raw) = self.assess(answer, shown);
        report.confidence = self.confidence(&report, raw);
        report
    }

    /// Scores an answer as [`Scorer::score`] does, all but its confidence (left at 1), which
    /// needs the calibration examples scored this way; with the unrounded score.
    fn assess(&self, answer: &str, shown: &Shown) -> (ScoreReport, f64) {
        let n = normalize::Normalized::new(answer);
        // One lookup per token: its word classes and its ids in both vocabularies.
        let tags::Tags {
            classes,
            vocab: exact,
            plain: plain_ids,
        } = self.rubric.tags.tag(&n);
        let scopes = scope::Scopes::find_tagged(&n, &self.rubric.triggers, &classes);
        let context = context::Context::new(&n, &classes);
        let reasoned = stuffing::reasoned_tokens(&n, &classes);
        let mut matches = Vec::with_capacity(n.tokens.len() / 4 + 16);
        self.rubric.matcher.find_tagged(&n, &exact, &mut matches);
        self.rubric.plain.find_tagged(&n, &plain_ids, &mut matches);
        matches.sort_by(|a, b| {
            (a.item, a.start, a.end, a.fuzzy).cmp(&(b.item, b.start, b.end, b.fuzzy))
        });
        // A phrase match stands as its span does, and many role alternatives match the same
        // words ("the lock" in a dozen ideas): each span's standing is found once.
        let phrase_standings: std::cell::RefCell<
            matcher::FastMap<(usize, usize, bool), scope::Standing>,
        > = Default::default();
        let scope_standing = |m: &matcher::Match| {
            let proposal = matches!(m.item, matcher::Item::RedFlag(_));
            if m.regex == matcher::PHRASE {
                let key = (m.from, m.to, proposal);
                if let Some(&known) = phrase_standings.borrow().get(&key) {
                    return known;
                }
                let standing = scopes.standing(m.from, m.to, proposal, &|_| true);
                phrase_standings.borrow_mut().insert(key, standing);
                return standing;
            }
            scopes.standing(m.from, m.to, proposal, &|k| {
                let occ = scopes.occurrences[k];
                (occ.from..occ.to)
                    .all(|t| self.rubric.matcher.regex_spells(m.regex, n.token_text(t)))
            })
        };
        let is_reasoned = |from: usize, to: usize| {
            (from..to.max(from + 1)).all(|t| reasoned.get(t) == Some(&true))
        };
        let roles_from = matches.partition_point(|m| !matches!(m.item, matcher::Item::Role(_)));
        let mut decided: Vec<Decided> = matches[..roles_from]
            .iter()
            .map(|&m| Decided {
                m,
                standing: Standing::from_scope(scope_standing(&m)),
                reasoned: is_reasoned(m.from, m.to),
                parts: Parts::default(),
            })
            .collect();
        self.find_ideas(
            &n,
            &matches[roles_from..],
            &context,
            &RoleJudge {
                scope_standing: &scope_standing,
                trigger_span: &|k| {
                    let occ = &scopes.occurrences[k];
                    (occ.from, occ.to)
                },
                trigger_class: &|k| scopes.occurrences[k].class,
                holds_trigger: &|from, to| {
                    let first = scopes.occurrences.partition_point(|o| o.to <= from);
                    scopes.occurrences[first..]
                        .iter()
                        .take_while(|o| o.from < to)
                        .any(|o| o.to > from)
                },
                is_reasoned: &is_reasoned,
            },
            &mut decided,
        );
        // Claims are asserted or not at all: quoted, rejected or typed as a command, they stand
        // as reported, not said. A command line asserts only that a check was run.
        for d in &mut decided {
            let proposal = matches!(d.m.item, matcher::Item::RedFlag(_));
            // A proposal with a bad outcome, or a report of what someone did, is not the
            // candidate's recommendation, not even as a hedge.
            if proposal
                && matches!(
                    d.standing,
                    Standing::Affirmed | Standing::Hypothetical(Why::Trigger(_))
                )
                && let Some((from, to)) =
                    context.disowned_proposal(&n, d.m.from, d.m.to, d.parts.as_slice())
            {
                d.standing = Standing::Negated(Why::Rejected(from, to));
                continue;
            }
            let claim = proposal || matches!(d.m.item, matcher::Item::Misconception(_));
            // A hedged claim is checked too: a red flag that fires when hedged still never
            // fires from a quotation, a command line or a rejection.
            let hedged = matches!(d.standing, Standing::Hypothetical(Why::Trigger(_)));
            if d.standing != Standing::Affirmed && !(claim && hedged) {
                continue;
            }
            let check = matches!(d.m.item, matcher::Item::Concept(i) if self.rubric.concepts[i].stage == Stage::Check);
            if context.is_command(d.m.from, d.m.to) && !check {
                d.standing = Standing::Hypothetical(Why::Command);
            } else if claim && context.is_quoted(d.m.from, d.m.to) {
                d.standing = Standing::Hypothetical(Why::Quoted);
            } else if claim
                && let Some((from, to)) =
                    context.rejection(&n, d.m.from, d.m.to, d.parts.as_slice())
            {
                d.standing = Standing::Negated(Why::Rejected(from, to));
            } else if claim && let Some((from, to)) = context.negated_role(&n, d.parts.as_slice()) {
                d.standing = Standing::Negated(Why::Rejected(from, to));
            } else if matches!(d.m.item, matcher::Item::Misconception(_))
                && let Some((from, to)) = context.listed_alternative(&n, d.m.from)
            {
                // "Threads blocked forever: a deadlock or a hung device" weighs possibilities.
                d.standing = Standing::Hypothetical(Why::Rejected(from, to));
            } else if claim && let Some((from, to)) = context.expectation_label(&n, d.m.from) {
                // "Verify: swap at 0, p99 back to normal" predicts; it believes nothing.
                d.standing = Standing::Hypothetical(Why::Rejected(from, to));
            } else if !claim
                && let Some((from, to)) = context.disowned_concept(&n, d.m.from, d.m.to)
            {
                // A concept said as someone else's belief, or called untrue, is not the
                // candidate's point.
                d.standing = Standing::Negated(Why::Rejected(from, to));
            }
        }
        // A concept whose words are the words of an asserted misconception is that misbelief's
        // vocabulary, not the concept's reasoning: roles match in any order, so "pegged cores
        // mean deadlock" holds the words of telling the two apart by CPU. Only the words the
        // two share count: a right clause beside the misbelief in one sentence keeps its credit.
        // The token ranges of a match's words: its roles' for an idea, the whole match for a
        // phrase or regex.
        fn words_of(d: &Decided) -> impl Iterator<Item = (usize, usize)> + '_ {
            let parts = d.parts.as_slice();
            let whole = parts.is_empty().then_some((d.m.from, d.m.to));
            parts
                .iter()
                .map(|&(a, b)| (a as usize, b as usize))
                .chain(whole)
        }
        let misbelief_words: Vec<(usize, usize)> = decided
            .iter()
            .filter(|d| {
                matches!(d.m.item, matcher::Item::Misconception(_))
                    && d.standing == Standing::Affirmed
            })
            .flat_map(words_of)
            .collect();
        if !misbelief_words.is_empty() {
            for d in &mut decided {
                if !matches!(d.m.item, matcher::Item::Concept(_))
                    || d.standing != Standing::Affirmed
                {
                    continue;
                }
                let shared = words_of(d).find_map(|(from, to)| {
                    misbelief_words
                        .iter()
                        .find(|&&(a, b)| a < to && from < b)
                        .copied()
                });
                if let Some((from, to)) = shared {
                    d.standing = Standing::Negated(Why::Rejected(from, to));
                }
            }
        }
        decided.sort_by(|a, b| {
            (a.m.item, a.m.start, a.m.end, a.m.fuzzy)
                .cmp(&(b.m.item, b.m.start, b.m.end, b.m.fuzzy))
        });
        // `decided` is sorted by item first, so each item's matches are one slice.
        let of = |item: matcher::Item| {
            let from = decided.partition_point(|d| d.m.item < item);
            let to = decided.partition_point(|d| d.m.item <= item);
            decided[from..to].iter()
        };
        let evidence = |d: &Decided| -> Evidence { evidence_for(&n, &scopes, &context, d) };
        let facts = if shown.outputs.is_empty() {
            None
        } else {
            Some(self.shown_cache.facts(shown, self))
        };

        // Concepts.
        let mut concepts = Vec::with_capacity(self.rubric.concepts.len());
        let mut bare = Vec::with_capacity(self.rubric.concepts.len());
        let mut placed = Vec::new();
        for (i, concept) in self.rubric.concepts.iter().enumerate() {
            // A hedged hypothesis is still a hypothesis: hypothesis-stage concepts take credit
            // from hypothetical mentions; every other stage needs a firm one. Nothing takes
            // credit from a command line but a check.
            let credits = |d: &&Decided| match d.standing {
                Standing::Affirmed => true,
                Standing::Hypothetical(Why::Trigger(_)) => concept.stage == Stage::Hypothesis,
                _ => false,
            };
            let mine = of(matcher::Item::Concept(i));
            let credited = || mine.clone().filter(credits);
            let ran = facts
                .as_ref()
                .and_then(|f| f.ran.iter().find(|&&(c, _)| c == i))
                .map(|&(_, output)| output);
            // A bare mention (a list) does not take back an explicit rejection of the same idea.
            let bare_after_rejection = credited().all(|d| !d.reasoned)
                && mine
                    .clone()
                    .any(|d| matches!(d.standing, Standing::Negated(_)));
            let affirmed = credited().next().filter(|_| !bare_after_rejection);
            let (status, chosen) = if let Some(first) = affirmed {
                // Prefer a reasoned, exact match as evidence; among equals, the earliest.
                let best = credited()
                    .find(|d| d.reasoned && !d.m.fuzzy)
                    .or_else(|| credited().find(|d| d.reasoned))
                    .or_else(|| credited().find(|d| !d.m.fuzzy))
                    .unwrap_or(first);
                (Status::Asserted, Some(*best))
            } else if ran.is_some() {
                (Status::Asserted, None)
            } else if let Some(d) = mine
                .clone()
                .find(|d| matches!(d.standing, Standing::Negated(_)))
            {
                (Status::Negated, Some(*d))
            } else if let Some(d) = mine.clone().next() {
                (Status::Hypothetical, Some(*d))
            } else {
                (Status::Missing, None)
            };
            let hit = status == Status::Asserted;
            // Running the decisive tool is reasoning enough for a check.
            let is_bare = hit && ran.is_none() && credited().all(|d| !d.reasoned);
            bare.push(is_bare);
            let ev = match (chosen, ran) {
                (Some(d), _) => {
                    let mut ev = evidence(&d);
                    ev.fuzzy = hit && credited().all(|d| d.m.fuzzy);
                    Some(ev)
                }
                (None, Some(output)) => Some(command_evidence(&shown.outputs[output].command)),
                (None, None) => None,
            };
            if hit {
                let offset = credited().map(|d| d.m.start).min().unwrap_or(0);
                placed.push((i, offset));
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
        let total_weight: f64 = self.rubric.concepts.iter().map(|c| c.weight.max(0.0)).sum();
        let mut earned = 0.0;
        for (i, result) in concepts.iter_mut().enumerate() {
            if !result.hit || total_weight <= 0.0 {
                continue;
            }
            let factor = if bare[i] {
                stuffing::MENTION_CREDIT
            } else {
                1.0
            };
            result.credit = round2(result.weight.max(0.0) * factor / total_weight * 100.0);
            earned += result.weight.max(0.0) * factor;
        }
        // A long answer that keeps hedging and digressing keeps a share of its credit.
        let dilution = dilution::assess(&n);
        if dilution.factor < 1.0 {
            earned *= dilution.factor;
            for c in &mut concepts {
                c.credit = round2(c.credit * dilution.factor);
            }
        }
        let placed: Vec<structure::Placed> = placed
            .into_iter()
            .map(|(i, offset)| structure::Placed {
                stage: concepts[i].stage,
                offset,
                credit: concepts[i].credit,
            })
            .collect();
        let base = if total_weight > 0.0 {
            earned / total_weight * 100.0
        } else {
            0.0
        };

        // Red flags and misconceptions fire only when asserted; a hypothetical red flag fires
        // only when the drill says so, and then not from a quotation or a command line.
        let flag =
            |item: matcher::Item, when_hypothetical: bool| -> (bool, Status, Option<Evidence>) {
                let mut all = of(item);
                if let Some(d) = all.clone().find(|d| d.standing == Standing::Affirmed) {
                    return (true, Status::Asserted, Some(evidence(d)));
                }
                if let Some(d) = all
                    .clone()
                    .find(|d| matches!(d.standing, Standing::Hypothetical(_)))
                {
                    // A question that asks for data proposes nothing.
                    let fires = when_hypothetical
                        && matches!(d.standing, Standing::Hypothetical(Why::Trigger(_)))
                        && !scopes.in_inquiry(d.m.from);
                    return (fires, Status::Hypothetical, Some(evidence(d)));
                }
                if let Some(d) = all.next() {
                    return (false, Status::Negated, Some(evidence(d)));
                }
                (false, Status::Missing, None)
            };
        let red_flags: Vec<FlagResult> = self
            .rubric
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
            .rubric
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

        // A wrong conclusion keeps only a share of the credit its vocabulary earned.
        let wrong_conclusion = structure::wrong_conclusion(&concepts, &misconceptions);
        let (base, placed) = if wrong_conclusion.is_some() {
            let keep = structure::WRONG_CONCLUSION_CREDIT;
            for c in &mut concepts {
                c.credit = round2(c.credit * keep);
            }
            let placed = placed
                .into_iter()
                .map(|p| structure::Placed {
                    credit: p.credit * keep,
                    ..p
                })
                .collect();
            (base * keep, placed)
        } else {
            (base, placed)
        };
        let structure = structure::assess(&placed, self.order_penalty);
        let numbers_cited = n.tokens.iter().filter(|t| t.numeric).count();
        let misreads = match &facts {
            Some(facts) => grounding::misreads(&n, &classes, &facts.values),
            None => Vec::new(),
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
            dilution,
            pushback: Vec::new(),
            word_count: n.tokens.len(),
            tools,
            numbers_cited,
            skipped_patterns: self.rubric.skipped.clone(),
        };
        report.pushback = self.pushback_lines(&report);
        (report, raw)
    }

    /// Every idea whose roles all appear within one clause (or sentence), as a match of its
    /// item spanning its roles, standing as most of its roles stand (each role's best match). `roles` are the role matches,
    /// sorted by role then position. One candidate per clause (or sentence) per idea; linear in
    /// the role matches times the roles per idea (each lookup a binary search).
    fn find_ideas(
        &self,
        n: &normalize::Normalized<'_>,
        roles: &[matcher::Match],
        context: &context::Context,
        judge: &RoleJudge<'_>,
        out: &mut Vec<Decided>,
    ) {
        let RoleJudge {
            scope_standing,
            trigger_span,
            trigger_class,
            holds_trigger,
            is_reasoned,
        } = *judge;
        // Each role's matches, found in one pass over the sorted role matches.
        let role_count = self.rubric.ideas.last().map_or(0, |idea| idea.roles.end);
        let mut role_ranges = vec![(0usize, 0usize); role_count];
        let mut at = 0;
        while at < roles.len() {
            let item = roles[at].item;
            let end = at + roles[at..].partition_point(|m| m.item == item);
            if let matcher::Item::Role(r) = item
                && let Some(range) = role_ranges.get_mut(r)
            {
                *range = (at, end);
            }
            at = end;
        }
        let of_role = |r: usize| {
            let (from, to) = role_ranges.get(r).copied().unwrap_or((0, 0));
            &roles[from..to]
        };
        // The best match of each role in the unit at hand (one buffer for the whole answer).
        let mut chosen: Vec<(matcher::Match, Standing)> = Vec::new();
        for idea in self.rubric.ideas.iter() {
            let Some(first_role) = idea.roles.clone().next() else {
                continue;
            };
            // A claim is said on one side of a contrast: its roles may not straddle a "but".
            let claim_idea = matches!(
                idea.item,
                matcher::Item::RedFlag(_) | matcher::Item::Misconception(_)
            );
            // The unit (clause or sentence) of a token, as a token range.
            let unit_of = |t: usize| -> (usize, usize) {
                let unit = match idea.within {
                    Within::Clause => context.clause_span(t, t),
                    Within::Sentence => n.sentences[n.tokens[t].sentence as usize],
                };
                if claim_idea {
                    context.contrast_segment(n, unit, t)
                } else {
                    unit
                }
            };
            let mut last_unit = None;
            for anchor in of_role(first_role) {
                let unit = unit_of(anchor.from);
                if last_unit == Some(unit) {
                    continue;
                }
                last_unit = Some(unit);
                chosen.clear();
                for r in idea.roles.clone() {
                    let list = of_role(r);
                    let from = list.partition_point(|m| m.from < unit.0);
                    let to = list.partition_point(|m| m.from < unit.1);
                    let best = list[from..to]
                        .iter()
                        .filter(|m| m.to <= unit.1)
                        .map(|m| (*m, Standing::from_scope(scope_standing(m))))
                        .min_by_key(|(m, s)| (s.rank(), m.fuzzy, m.from));
                    match best {
                        Some(found) => chosen.push(found),
                        None => break,
                    }
                }
                if chosen.len() < idea.roles.len() {
                    continue;
                }
                // A negation or dismissal written inside another role's words is part of what
                // the idea says ("steal is [just what the hypervisor reports]", "waiters
                // [never sleep]"), not a frame around it; but a role that is only part of the
                // trigger says nothing of its own: "the disk is [not the problem]" dismisses the
                // disk.
                for i in 0..chosen.len() {
                    let (Standing::Negated(Why::Trigger(k))
                    | Standing::Hypothetical(Why::Trigger(k))) = chosen[i].1
                    else {
                        continue;
                    };
                    let (t_from, t_to) = trigger_span(k);
                    let inside_another = chosen.iter().enumerate().any(|(j, (m, _))| {
                        let overlaps = t_from < m.to && t_to > m.from;
                        // A role that spells the whole trigger ("memory is [not the
                        // problem]") carries it; one inside a longer trigger does not.
                        let role_within_trigger =
                            t_from <= m.from && m.to <= t_to && (t_from < m.from || m.to < t_to);
                        j != i && t_from < t_to && overlaps && !role_within_trigger
                    });
                    if inside_another {
                        chosen[i].1 = Standing::Affirmed;
                    }
                }
                let from = chosen
                    .iter()
                    .map(|(m, _)| m.from)
                    .min()
                    .unwrap_or(anchor.from);
                let to = chosen.iter().map(|(m, _)| m.to).max().unwrap_or(anchor.to);
                let start = chosen
                    .iter()
                    .map(|(m, _)| m.start)
                    .min()
                    .unwrap_or(anchor.start);
                let end = chosen
                    .iter()
                    .map(|(m, _)| m.end)
                    .max()
                    .unwrap_or(anchor.end);
                // An idea stands as most of its roles do: a negation inside one role ("move
                // what doesn't need the mutex outside, so it is held for microseconds") does not
                // deny the rest; half the roles or more denied deny it.
                let denied = chosen.iter().filter(|(_, s)| s.rank() == 2).count();
                let doubted = chosen.iter().filter(|(_, s)| s.rank() >= 1).count();
                let weakest = |rank: u8| {
                    chosen
                        .iter()
                        .map(|&(_, s)| s)
                        .find(|s| s.rank() == rank)
                        .unwrap_or(Standing::Affirmed)
                };
                // A claim is asserted only as a whole: a role denied by a negation said before
                // it ("a local queue instead of [a worker per task]", "not [one queue] but …")
                // leaves the rest saying something else. A negation said after a phrase ("the
                // average [is fine]") is often the claim's own wording, and a role that is a
                // trigger itself ("[if] it's uncontended") is denied only by reaching it; both
                // are judged by the majority, as for concepts.
                let is_claim = matches!(
                    idea.item,
                    matcher::Item::RedFlag(_) | matcher::Item::Misconception(_)
                );
                let denied_from_before = || {
                    chosen.iter().any(|(m, s)| match *s {
                        Standing::Negated(Why::Trigger(k)) => {
                            matches!(
                                trigger_class(k),
                                scope::Class::PreNegation | scope::Class::ClauseNegation
                            ) && !holds_trigger(m.from, m.to)
                        }
                        _ => false,
                    })
                };
                // A concept whose roles straddle a condition and the clause it governs states a
                // rule ("if it's at zero you wait", "if the holder is quick, you spin a
                // moment"): explaining how something works is how a concept is said. Only the
                // condition's own roles are hedged, by that one condition, and another role
                // stands affirmed outside it.
                let states_rule = || {
                    let mut condition = None;
                    for &(_, s) in &chosen {
                        match s {
                            Standing::Hypothetical(Why::Trigger(k))
                                if trigger_class(k) == scope::Class::Condition =>
                            {
                                if condition.is_some_and(|c| c != k) {
                                    return false;
                                }
                                condition = Some(k);
                            }
                            Standing::Affirmed => {}
                            _ => return false,
                        }
                    }
                    condition.is_some() && chosen.iter().any(|&(_, s)| s == Standing::Affirmed)
                };
                let standing = if denied * 2 >= chosen.len() || (is_claim && denied_from_before()) {
                    weakest(2)
                } else if doubted * 2 >= chosen.len() && (is_claim || !states_rule()) {
                    chosen
                        .iter()
                        .map(|&(_, s)| s)
                        .find(|s| s.rank() >= 1)
                        .unwrap_or(Standing::Affirmed)
                } else {
                    Standing::Affirmed
                };
                out.push(Decided {
                    m: matcher::Match {
                        item: idea.item,
                        from,
                        to,
                        start,
                        end,
                        fuzzy: chosen.iter().any(|(m, _)| m.fuzzy),
                        regex: matcher::PHRASE,
                    },
                    standing,
                    reasoned: chosen.iter().all(|(m, _)| is_reasoned(m.from, m.to)),
                    parts: {
                        let mut parts = Parts::default();
                        for (m, _) in chosen.iter().take(MAX_PARTS) {
                            parts.spans[usize::from(parts.len)] = (m.from as u32, m.to as u32);
                            parts.len += 1;
                        }
                        parts
                    },
                });
            }
        }
    }
}

/// The name of a rubric item, for messages.
fn owner_name(rubric: &crate::domain::Rubric, item: matcher::Item) -> String {
    match item {
        matcher::Item::Concept(i) => format!("concept {}", rubric.concepts[i].id),
        matcher::Item::RedFlag(i) => format!("red flag {}", rubric.red_flags[i].id),
        matcher::Item::Misconception(i) => format!("misconception {}", rubric.misconceptions[i].id),
        matcher::Item::Role(_) => "an idea".to_owned(),
    }
}

/// The evidence of a match: the clause it sits in (the clauses it spans, for an idea), cut to
/// [`EVIDENCE_MAX_BYTES`] around the match at word boundaries; the matched words; the trigger
/// that denied or hedged it; the sentence, cut to [`CONTEXT_MAX_BYTES`].
fn evidence_for(
    n: &normalize::Normalized<'_>,
    scopes: &scope::Scopes,
    context: &context::Context,
    d: &Decided,
) -> Evidence {
    let (m_start, m_end) = n.original_span(d.m.start, d.m.end);
    let trigger = match d.standing {
        Standing::Affirmed => None,
        Standing::Negated(why) | Standing::Hypothetical(why) => Some(match why {
            Why::Trigger(k) => {
                let occ = scopes.occurrences[k];
                if matches!(
                    occ.class,
                    scope::Class::Question | scope::Class::Inquiry | scope::Class::AnsweredNo
                ) {
                    "?".to_owned()
                } else {
                    n.original_tokens(occ.from, occ.to).2.to_owned()
                }
            }
            Why::Quoted => "quoted".to_owned(),
            Why::Rejected(from, to) => n.original_tokens(from, to).2.to_owned(),
            Why::Command => "a command line".to_owned(),
        }),
    };
    if d.m.from >= n.tokens.len() {
        return Evidence {
            start: m_start,
            end: m_end,
            text: n.original[m_start..m_end].to_owned(),
            matched: n.original[m_start..m_end].to_owned(),
            trigger,
            fuzzy: d.m.fuzzy,
            context: String::new(),
            command: None,
        };
    }
    let last = d.m.to.max(d.m.from + 1) - 1;
    let (c_from, c_to) = context.clause_span(d.m.from, last.min(n.tokens.len() - 1));
    let (start, end) = window(n, c_from, c_to, d.m.from, last, EVIDENCE_MAX_BYTES);
    let sentence = n.tokens[d.m.from].sentence as usize;
    let (s_from, s_to) = n.sentences[sentence];
    let (cs, ce) = window(n, s_from, s_to, d.m.from, last, CONTEXT_MAX_BYTES);
    Evidence {
        start,
        end,
        text: n.original[start..end].to_owned(),
        matched: n.original[m_start..m_end].to_owned(),
        trigger,
        fuzzy: d.m.fuzzy,
        context: n.original[cs..ce].trim().to_owned(),
        command: None,
    }
}

/// The original byte range of tokens `from..to` around tokens `first..=last`, grown a token at a
/// time on alternate sides while it fits in `budget` bytes (the match itself always fits).
fn window(
    n: &normalize::Normalized<'_>,
    from: usize,
    to: usize,
    first: usize,
    last: usize,
    budget: usize,
) -> (usize, usize) {
    let span = |a: usize, b: usize| {
        let (s, _, _) = n.original_tokens(a, a + 1);
        let (_, e, _) = n.original_tokens(b, b + 1);
        (s, e.max(s))
    };
    let (first, last) = (
        first.max(from),
        last.min(to.saturating_sub(1)).max(first.max(from)),
    );
    let (mut a, mut b) = (first, last);
    let (whole_s, whole_e) = span(from, to.saturating_sub(1).max(from));
    if whole_e - whole_s <= budget {
        return (whole_s, whole_e);
    }
    loop {
        let mut grew = false;
        if a > from {
            let (s, e) = span(a - 1, b);
            if e - s <= budget {
                a -= 1;
                grew = true;
            }
        }
        if b + 1 < to {
            let (s, e) = span(a, b + 1);
            if e - s <= budget {
                b += 1;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    span(a, b)
}

/// Evidence of a check credited because the candidate ran the command.
fn command_evidence(command: &str) -> Evidence {
    Evidence {
        start: 0,
        end: 0,
        text: String::new(),
        matched: String::new(),
        trigger: None,
        fuzzy: false,
        context: String::new(),
        command: Some(command.to_owned()),
    }
}

fn tools_named(n: &normalize::Normalized<'_>, classes: &[u8]) -> Vec<String> {
    let mut tools = BTreeSet::new();
    for (i, class) in classes.iter().enumerate() {
        let word = n.token_text(i);
        if class & tags::TOOL != 0 {
            tools.insert(word.to_owned());
        } else if class & tags::AMBIGUOUS_TOOL != 0 {
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
        if let Some(structure::WrongConclusion::RejectedCause(i)) =
            structure::wrong_conclusion(&report.concepts, &report.misconceptions)
        {
            add(format!(
                "You ruled out {}. What in the outputs rules it out, and what explains them instead?",
                report.concepts[i].label
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
        let example_hits = self.example_hits();
        if !example_hits.is_empty() {
            let hits = self.hit_set(report);
            let best = example_hits
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
mod compiled;
pub use compiled::{CompiledForms, REGEX_NEST_LIMIT, compile_author_regex};
mod context;
mod dilution;
pub use dilution::Dilution;
pub mod fuzzy;
mod grounding;
mod inflect;
mod matcher;
mod normalize;
pub mod report;
mod scope;
pub mod session;
pub use stuffing::MENTION_CREDIT;
pub(crate) mod structure;
mod stuffing;
mod tags;

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
