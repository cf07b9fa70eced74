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
