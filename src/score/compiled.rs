//! The parts of rubric compilation that depend on a form alone, not on the rubric it sits in:
//! an author regex compiled under the scorer's limits, a phrase's words (normalised and
//! tokenised like an answer), and the spellings a plain word stands for (`inflect::variants`). Every drill of a catalog names the same lexicon entries and many
//! drills are compiled more than once in a process (each interview session, each follow-up
//! rubric, `grade` and `stats` over many transcripts), so these are worked out once per loaded
//! catalog and shared by every scorer built from it.
//!
//! A memo only: a scorer built with a warm [`CompiledForms`] is exactly the scorer built with a
//! fresh one. A compiled `Regex` is shared by cloning (its program is reference-counted; each
//! thread keeps its own search cache), so sharing never changes what it matches.

use std::sync::{Arc, Mutex, PoisonError};

use regex::{Regex, RegexBuilder};

use super::inflect;
use super::matcher::FastMap;
use super::normalize::Normalized;

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
    regexes: Mutex<FastMap<String, Result<Regex, String>>>,
    /// By phrase: its words.
    phrases: Mutex<FastMap<String, Arc<PhraseWords>>>,
    /// By plain word: every spelling it stands for, itself first.
    variants: Mutex<FastMap<String, Arc<[String]>>>,
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
    pub fn regex(&self, source: &str) -> Result<Regex, String> {
        if let Some(known) = lock(&self.regexes).get(source) {
            return known.clone();
        }
        // Compiled outside the lock: other scorers (other `grade` workers) keep going.
        let compiled = compile_author_regex(source);
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
