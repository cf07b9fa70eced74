//! The domain lexicon: one entry per idea of the field (direct reclaim, steal time, hold time …)
//! with the surface forms candidates use for it: jargon and symbols (`terms`), plain-language
//! phrases and role-based ideas (`plain`), and regexes. Rubric concepts, red flags and
//! misconceptions name entries by id; the scorer compiles an entry's forms like the item's own.
//!
//! Plain data, validated by `content::lexicon`: ids are unique kebab-case, every entry has at
//! least one plain form, every idea has at least one role and every role one alternative.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Every entry available to a run: the shipped lexicon plus coaches' extensions, by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lexicon {
    pub entries: BTreeMap<String, Arc<LexiconEntry>>,
}

impl Lexicon {
    pub fn get(&self, id: &str) -> Option<&Arc<LexiconEntry>> {
        self.entries.get(id)
    }

    /// The entries `ids` name that exist, in the order named, each once (a sub-lexicon a drill
    /// carries so it scores on its own).
    pub fn select<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Lexicon {
        let mut selected = Lexicon::default();
        for id in ids {
            if let Some(entry) = self.entries.get(id) {
                selected.entries.insert(id.to_owned(), Arc::clone(entry));
            }
        }
        selected
    }
}

/// One idea of the field with every surface form candidates use for it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LexiconEntry {
    pub id: String,
    /// What the idea is, as a scorecard or a coach would read it.
    pub label: String,
    /// Jargon, abbreviations, kernel symbols, tool columns: phrases matched token by token with
    /// the typo policy, exactly like rubric phrases.
    pub terms: Vec<String>,
    /// How candidates say it without jargon.
    pub plain: Vec<Form>,
    pub regexes: Vec<String>,
    /// Texts that must not match this entry (checked by the test suite).
    pub near_misses: Vec<String>,
}

impl LexiconEntry {
    /// The entry's forms that can stand in one role of an idea: its terms and plain phrases (an
    /// idea or a regex is not a phrase, so it cannot fill a single role).
    pub fn role_phrases(&self) -> impl Iterator<Item = &str> {
        self.terms
            .iter()
            .map(String::as_str)
            .chain(self.plain.iter().filter_map(|form| match form {
                Form::Phrase(phrase) => Some(phrase.as_str()),
                Form::Idea(_) => None,
            }))
    }
}

/// The lexicon entry a role alternative names, if it names one: `@system-call` stands for every
/// term and plain phrase of the entry `system-call`, so a role reaches all the ways the idea is
/// said instead of the few a rubric author listed.
pub fn role_reference(alternative: &str) -> Option<&str> {
    alternative
        .trim()
        .strip_prefix(ROLE_REFERENCE_MARK)
        .map(str::trim)
}

/// What starts a role alternative that names a lexicon entry.
pub const ROLE_REFERENCE_MARK: char = '@';

/// A plain-language form: a phrase, or an idea given by its roles.
#[derive(Debug, Clone, PartialEq)]
pub enum Form {
    /// Matched token by token with the typo policy; plain words match across inflections.
    Phrase(String),
    Idea(Idea),
}

/// Every role present within one clause (or sentence), in any order.
#[derive(Debug, Clone, PartialEq)]
pub struct Idea {
    /// Each role lists its alternatives: a word or a short phrase.
    pub roles: Vec<Vec<String>>,
    pub within: Within,
}

/// How close together the roles of an idea must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Within {
    /// Between clause marks (`;`, `:`, brackets) or a comma that opens a new clause.
    Clause,
    /// Anywhere in one sentence.
    #[default]
    Sentence,
}
