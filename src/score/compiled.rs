//! The parts of rubric compilation that depend on a form alone, not on the rubric it sits in:
//! an author regex compiled under the scorer's limits, a phrase's words (normalised and
//! tokenised like an answer), and the spellings a plain word stands for (`inflect::variants`).
//! Every drill of a catalog names the same lexicon entries and many drills are compiled more
//! than once in a process (each interview session, each follow-up rubric, `grade` and `stats`
//! over many transcripts), so these are worked out once per loaded catalog and shared by every
//! scorer built from it. So is one thing that depends on a whole drill: the concepts its
//! calibration examples hit (for an answer's confidence), which takes as long to find as the
//! rubric takes to compile and would otherwise be paid again by every session of the drill; and
//! the drill's rubric compiled (its matchers, ideas and word table), which every scorer of the
//! same version of the drill would otherwise build again.
//!
//! A memo only: a scorer built with a warm [`CompiledForms`] is exactly the scorer built with a
//! fresh one. A compiled `Regex` is shared whole, behind an `Arc`, with its search caches (a
//! clone would share the program but start a new, cold cache pool: the lazy DFA states a
//! regex builds while searching cost a new scorer's first answer several times what the
//! answer itself does); caches never change what a regex matches.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use regex::{Regex, RegexBuilder};

use crate::domain::{Drill, DrillId, Lexicon, Rubric};

use super::inflect;
use super::matcher::FastMap;
use super::normalize::Normalized;
use super::scope::Triggers;
use super::tags::Tagger;

/// The compile budget of an author regex: its compiled program and lazy DFA each at most
/// this many bytes.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// How deeply an author regex may nest groups and repetitions. Validation's syntax-only check
/// (embedded drills) parses with the same limit.
pub const REGEX_NEST_LIMIT: u32 = 64;

/// An author regex compiled the way the scorer matches it (case-insensitively) under the
/// scorer's budget, or why it does not compile. Validation calls this too, so a regex that
/// passes validation is one the scorer can use.
pub fn compile_author_regex(source: &str) -> Result<Regex, String> {
    RegexBuilder::new(source)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .map_err(|error| error.to_string())
}

/// Forms compiled once and shared by every scorer of a catalog. Cheap to share (`Arc`), safe
/// to use from many threads at once: a form another thread is compiling at the same moment is
/// compiled twice rather than waited for, with the same result.
#[derive(Debug, Default)]
pub struct CompiledForms {
    /// By regex source: the compiled regex, or why it does not compile.
    regexes: Mutex<FastMap<String, Result<Arc<Regex>, String>>>,
    /// By phrase: its words.
    phrases: Mutex<FastMap<String, Arc<PhraseWords>>>,
    /// By plain word: every spelling it stands for, itself first.
    variants: Mutex<FastMap<String, Arc<[String]>>>,
    /// By drill id: the calibration example hits of each version of the drill scored so far
    /// (a coach's override or a test's edited copy shares the id but not the rubric).
    example_hits: Mutex<FastMap<DrillId, Vec<Arc<ExampleHits>>>>,
    /// By drill id: each version of the drill's rubric compiled, with the rubric and lexicon
    /// entries it was compiled from (a version is handed out only for a drill equal in both).
    rubrics: Mutex<FastMap<DrillId, Vec<CompiledVersion>>>,
    /// The tables an answer's words are read with before any rubric word is added (negation
    /// and hedge triggers; the tagger's linking, function, clause and tool words): the same
    /// for every drill.
    answer_words: OnceLock<(Arc<Triggers>, Tagger)>,
}

/// One version of a drill's rubric compiled, and what it was compiled from.
#[derive(Debug)]
struct CompiledVersion {
    rubric: Rubric,
    lexicon: Lexicon,
    compiled: Arc<super::CompiledRubric>,
}

impl CompiledVersion {
    fn is_for(&self, drill: &Drill) -> bool {
        self.rubric == drill.rubric && self.lexicon == drill.lexicon
    }
}

/// The concept indices each calibration example of a drill hits, filled by the first scorer
/// of the drill that needs them and read by every later one. Only for the drill it was made
/// for: it keeps what those hits depend on (the rubric, the lexicon entries it names and the
/// examples) and is handed out only for a drill equal in all three.
#[derive(Debug)]
pub struct ExampleHits {
    rubric: Rubric,
    lexicon: Lexicon,
    answers: Vec<String>,
    /// Per example, in the drill's order: the concepts it hits.
    pub hits: OnceLock<Vec<BTreeSet<usize>>>,
}

impl ExampleHits {
    /// An empty slot for `drill`, owned by one scorer alone.
    pub fn unshared(drill: &Drill) -> Arc<Self> {
        Arc::new(ExampleHits {
            rubric: drill.rubric.clone(),
            lexicon: drill.lexicon.clone(),
            answers: drill.examples.iter().map(|e| e.answer.clone()).collect(),
            hits: OnceLock::new(),
        })
    }

    /// The examples' answers, in order.
    pub fn answers(&self) -> &[String] {
        &self.answers
    }

    fn is_for(&self, drill: &Drill) -> bool {
        self.answers.len() == drill.examples.len()
            && self
                .answers
                .iter()
                .zip(&drill.examples)
                .all(|(answer, example)| *answer == example.answer)
            && self.rubric == drill.rubric
            && self.lexicon == drill.lexicon
    }
}

/// A phrase's words as an answer's would be read (normalised, tokenised), and each pair of
/// adjacent words written as one ("run queue" -> "runqueue").
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PhraseWords {
    pub words: Vec<String>,
    /// `joined[p]` is `words[p]` followed by `words[p + 1]`.
    pub joined: Vec<String>,
}

impl CompiledForms {
    /// `source` compiled case-insensitively under the scorer's size limits, or the reason it
    /// does not compile.
    pub fn regex(&self, source: &str) -> Result<Arc<Regex>, String> {
        if let Some(known) = lock(&self.regexes).get(source) {
            return known.clone();
        }
        // Compiled outside the lock: other scorers (other `grade` workers) keep going.
        let compiled = compile_author_regex(source).map(Arc::new);
        lock(&self.regexes).insert(source.to_owned(), compiled.clone());
        compiled
    }

    /// The words of `phrase` (none for a phrase of punctuation or spaces only).
    pub fn phrase_words(&self, phrase: &str) -> Arc<PhraseWords> {
        if let Some(known) = lock(&self.phrases).get(phrase) {
            return Arc::clone(known);
        }
        let normalized = Normalized::new(phrase);
        let words: Vec<String> = (0..normalized.tokens.len())
            .map(|i| normalized.token_text(i).to_owned())
            .collect();
        let joined = words.windows(2).map(|pair| pair.concat()).collect();
        let compiled = Arc::new(PhraseWords { words, joined });
        lock(&self.phrases).insert(phrase.to_owned(), Arc::clone(&compiled));
        compiled
    }

    /// The spellings the plain word `word` stands for: its inflections and those of its
    /// synonyms, `word` first (see `inflect::variants`).
    pub fn variants(&self, word: &str) -> Arc<[String]> {
        if let Some(known) = lock(&self.variants).get(word) {
            return Arc::clone(known);
        }
        let variants: Arc<[String]> = inflect::variants(word).into();
        lock(&self.variants).insert(word.to_owned(), Arc::clone(&variants));
        variants
    }
}

impl CompiledForms {
    /// The scope triggers (shared) and a tagger that knows every word class but no rubric word
    /// yet (the scorer's own, to add its vocabulary to).
    pub(super) fn answer_words(&self) -> (Arc<Triggers>, Tagger) {
        let (triggers, tagger) = self.answer_words.get_or_init(|| {
            let triggers = Triggers::new();
            let mut tagger = Tagger::new(super::TOOLS, super::AMBIGUOUS_TOOLS);
            for word in triggers.first_words() {
                tagger.add_class(word, super::tags::TRIGGER_START);
            }
            (Arc::new(triggers), tagger)
        });
        (Arc::clone(triggers), tagger.clone())
    }

    /// `drill`'s rubric compiled: the version an earlier scorer of an equal drill compiled
    /// with these forms, or compiled now (outside the table's lock: compiling takes the other
    /// tables' locks, and other scorers keep going) and kept for the next.
    pub(super) fn rubric(&self, drill: &Drill) -> Arc<super::CompiledRubric> {
        let known = |table: &FastMap<DrillId, Vec<CompiledVersion>>| {
            table.get(&drill.id).and_then(|versions| {
                versions
                    .iter()
                    .find(|version| version.is_for(drill))
                    .map(|version| Arc::clone(&version.compiled))
            })
        };
        if let Some(compiled) = known(&lock(&self.rubrics)) {
            return compiled;
        }
        let compiled = Arc::new(super::CompiledRubric::new(drill, self));
        let mut table = lock(&self.rubrics);
        if let Some(earlier) = known(&table) {
            // Another thread compiled the same rubric meanwhile: every scorer shares one.
            return earlier;
        }
        table
            .entry(drill.id.clone())
            .or_default()
            .push(CompiledVersion {
                rubric: drill.rubric.clone(),
                lexicon: drill.lexicon.clone(),
                compiled: Arc::clone(&compiled),
            });
        compiled
    }

    /// The slot of `drill`'s calibration example hits shared by every scorer of an equal drill
    /// built with these forms (so each version of a drill scores its examples once per
    /// catalog), or a slot of its own for a drill with no examples.
    pub fn example_hits(&self, drill: &Drill) -> Arc<ExampleHits> {
        if drill.examples.is_empty() {
            return ExampleHits::unshared(drill);
        }
        let mut table = lock(&self.example_hits);
        let versions = table.entry(drill.id.clone()).or_default();
        if let Some(known) = versions.iter().find(|slot| slot.is_for(drill)) {
            return Arc::clone(known);
        }
        let slot = ExampleHits::unshared(drill);
        versions.push(Arc::clone(&slot));
        slot
    }
}

/// A memo's table, even if a thread panicked while holding it: every entry in it is complete
/// (entries are inserted whole), so what it holds is still right.
fn lock<T>(table: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    table.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warm_memo_gives_what_a_fresh_one_does() {
        let forms = CompiledForms::default();
        for _ in 0..2 {
            assert_eq!(&*forms.variants("hold"), &inflect::variants("hold")[..]);
            let phrase = forms.phrase_words("The Run-Queue grew");
            assert_eq!(phrase.words, ["the", "run", "queue", "grew"]);
            assert_eq!(phrase.joined, ["therun", "runqueue", "queuegrew"]);
            assert!(forms.phrase_words(" , ").words.is_empty());
            let regex = forms.regex(r"\bheld\s+for\b").expect("compiles");
            assert!(regex.is_match("the lock is HELD for long"));
            assert!(forms.regex("(unclosed").is_err());
        }
    }

    #[test]
    fn a_drills_example_hits_are_scored_once_per_version_of_the_drill() {
        let catalog = crate::content::load_catalog(&[]).expect("the embedded content loads");
        let drill = catalog
            .drills
            .values()
            .find(|d| !d.examples.is_empty())
            .expect("some shipped drill has calibration examples");
        let forms = CompiledForms::default();
        let first = super::super::Scorer::with_forms(drill, &forms);
        assert!(forms.example_hits(drill).hits.get().is_none());
        let report = first.score(&drill.examples[0].answer, &super::super::Shown::default());
        // The first answer's confidence scored the examples, for every later scorer too.
        let shared = forms.example_hits(drill);
        let hits = shared.hits.get().expect("scored by the first answer");
        assert_eq!(hits.len(), drill.examples.len());
        let second = super::super::Scorer::with_forms(drill, &forms);
        assert_eq!(
            second.score(&drill.examples[0].answer, &super::super::Shown::default()),
            report
        );
        // A drill with the same id and another rubric, or other examples, has its own.
        let mut edited = drill.clone();
        edited.rubric.concepts.pop();
        assert!(forms.example_hits(&edited).hits.get().is_none());
        let mut fewer = drill.clone();
        fewer.examples.pop();
        assert!(forms.example_hits(&fewer).hits.get().is_none());
        assert!(forms.example_hits(drill).hits.get().is_some());
    }

    #[test]
    fn a_drills_rubric_is_compiled_once_per_version_of_the_drill() {
        let catalog = crate::content::load_catalog(&[]).expect("the embedded content loads");
        let drill = catalog
            .drills
            .values()
            .next()
            .expect("some drill is shipped");
        let forms = CompiledForms::default();
        let first = forms.rubric(drill);
        assert!(Arc::ptr_eq(&first, &forms.rubric(drill)));
        // Another version of the drill (a coach's override, an edited copy) has its own.
        let mut edited = drill.clone();
        edited.rubric.concepts.pop();
        let other = forms.rubric(&edited);
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(other.concepts.len() + 1, first.concepts.len());
        let mut narrower = drill.clone();
        narrower.lexicon = Lexicon::default();
        assert!(!Arc::ptr_eq(&first, &forms.rubric(&narrower)));
        assert!(Arc::ptr_eq(&other, &forms.rubric(&edited)));
        assert!(Arc::ptr_eq(&first, &forms.rubric(drill)));
    }

    #[test]
    fn scorers_sharing_a_catalogs_forms_score_as_fresh_ones() {
        let catalog = crate::content::load_catalog(&[]).expect("the embedded content loads");
        // Every drill compiled once with the shared forms first, so the second pass below
        // takes every regex, phrase and spelling from the memo.
        for drill in catalog.drills.values() {
            super::super::Scorer::with_forms(drill, &catalog.forms);
        }
        for drill in catalog.drills.values().take(6) {
            let shared = super::super::Scorer::with_forms(drill, &catalog.forms);
            let fresh = super::super::Scorer::new(drill);
            for example in &drill.examples {
                let shown = super::super::Shown::default();
                assert_eq!(
                    shared.score(&example.answer, &shown),
                    fresh.score(&example.answer, &shown),
                    "{}: {}",
                    drill.id.as_str(),
                    example.name
                );
            }
        }
    }
}
