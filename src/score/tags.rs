//! Word classes the scorer asks about every token (linking words, tool names, the first words of
//! field names and of negation triggers) and the token's ids in the rubric's two phrase
//! vocabularies (exact phrases and terms; plain forms with their inflections), gathered into one
//! hash table built once per scorer, so each answer token costs one lookup instead of one per
//! list. Owns no word lists itself.

use super::context::frame_starts;
use super::grounding::ALIASES;
use super::matcher::FastMap;
use super::normalize::Normalized;
use super::scope::CLAUSE_WORDS;
use super::stuffing::{FUNCTION, LINKING};

pub const LINKING_WORD: u8 = 1;
pub const TOOL: u8 = 2;
pub const AMBIGUOUS_TOOL: u8 = 4;
pub const FIELD_START: u8 = 8;
/// The first word of some negation, hypothetical or termination trigger.
pub const TRIGGER_START: u8 = 16;
/// A determiner, preposition or claim word (`stuffing::FUNCTION`): a unit with one is syntax,
/// not a list of terms.
pub const FUNCTION_WORD: u8 = 32;
/// The first word of a frame that keeps a claim from being asserted (`context::frame_starts`:
/// "myth", "people", "at first glance", "can't" …).
pub const REJECT_START: u8 = 64;
/// A word that opens a clause after a comma (`scope::CLAUSE_WORDS`: verbs, subject pronouns,
/// conjunctions), asked about every token of every comma-separated stretch.
pub const CLAUSE_WORD: u8 = 128;

/// Vocabulary id of a token that is no rubric word.
pub const NO_WORD: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Entry {
    class: u8,
    vocab: u32,
    plain: u32,
}

impl Default for Entry {
    fn default() -> Self {
        Entry {
            class: 0,
            vocab: NO_WORD,
            plain: NO_WORD,
        }
    }
}

/// Words of up to 16 bytes, packed into one integer: a lookup then hashes two machine words and
/// compares in place, with no pointer to a heap string to follow. Tokens never contain a NUL, so
/// zero padding cannot make two different words equal.
pub fn short_key(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    if bytes.len() > 16 {
        return None;
    }
    let mut packed = [0u8; 16];
    packed[..bytes.len()].copy_from_slice(bytes);
    Some(u128::from_le_bytes(packed))
}

/// A word as the tables key it: packed ([`short_key`]) when it fits, else its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordKey<'a> {
    Short(u128),
    Long(&'a str),
}

impl<'a> WordKey<'a> {
    pub fn of(word: &'a str) -> Self {
        short_key(word).map_or(WordKey::Long(word), WordKey::Short)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Tagger {
    short: FastMap<u128, Entry>,
    long: FastMap<String, Entry>,
}

/// Per token of one answer: its classes, its exact rubric vocabulary id and its plain
/// vocabulary id (each [`NO_WORD`] when it has none).
#[derive(Debug, Clone, Default)]
pub struct Tags {
    pub classes: Vec<u8>,
    pub vocab: Vec<u32>,
    pub plain: Vec<u32>,
}

impl Tagger {
    pub fn new(tools: &[&'static str], ambiguous_tools: &[&'static str]) -> Self {
        let mut tagger = Tagger::default();
        for word in LINKING {
            tagger.add_class(word, LINKING_WORD);
        }
        for word in FUNCTION {
            tagger.add_class(word, FUNCTION_WORD);
        }
        for word in frame_starts() {
            tagger.add_class(word, REJECT_START);
        }
        for word in CLAUSE_WORDS {
            tagger.add_class(word, CLAUSE_WORD);
        }
        for word in tools {
            tagger.add_class(word, TOOL);
        }
        for word in ambiguous_tools {
            tagger.add_class(word, AMBIGUOUS_TOOL);
        }
        for (words, ..) in ALIASES {
            tagger.add_class(words[0], FIELD_START);
        }
        tagger
    }

    pub fn add_class(&mut self, word: &str, class: u8) {
        self.entry(WordKey::of(word)).class |= class;
    }

    /// Records the rubric vocabulary id of `word`.
    pub fn add_vocab(&mut self, word: WordKey<'_>, id: u32) {
        self.entry(word).vocab = id;
    }

    /// Records the plain vocabulary id of `word` (a plain word or one of its inflections).
    pub fn add_plain(&mut self, word: WordKey<'_>, id: u32) {
        self.entry(word).plain = id;
    }

    /// Room for `more` words not in the tables yet, so adding a rubric's vocabulary does not
    /// grow them step by step.
    pub fn reserve(&mut self, more: usize) {
        self.short.reserve(more);
    }

    fn entry(&mut self, word: WordKey<'_>) -> &mut Entry {
        match word {
            WordKey::Short(key) => self.short.entry(key).or_default(),
            WordKey::Long(word) => self.long.entry(word.to_owned()).or_default(),
        }
    }

    fn get(&self, word: &str) -> Entry {
        match short_key(word) {
            Some(key) => self.short.get(&key),
            None => self.long.get(word),
        }
        .copied()
        .unwrap_or_default()
    }

    /// The classes of every token of an answer.
    #[cfg(test)]
    pub fn classify(&self, n: &Normalized<'_>) -> Vec<u8> {
        self.tag(n).classes
    }

    /// Classes and vocabulary ids of every token, one lookup per token.
    pub fn tag(&self, n: &Normalized<'_>) -> Tags {
        let count = n.tokens.len();
        let mut tags = Tags {
            classes: Vec::with_capacity(count),
            vocab: Vec::with_capacity(count),
            plain: Vec::with_capacity(count),
        };
        for i in 0..count {
            let entry = self.get(n.token_text(i));
            tags.classes.push(entry.class);
            tags.vocab.push(entry.vocab);
            tags.plain.push(entry.plain);
        }
        tags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_words_are_both_found() {
        let mut tagger = Tagger::new(&["vmstat"], &["top"]);
        tagger.add_vocab(WordKey::of("native_queued_spin_lock_slowpath"), 7);
        tagger.add_vocab(WordKey::of("contention"), 3);
        let n = Normalized::new("vmstat top a contention native_queued_spin_lock_slowpath is");
        let tags = tagger.tag(&n);
        assert_eq!(tags.vocab, [NO_WORD, NO_WORD, NO_WORD, 3, 7, NO_WORD]);
        assert_eq!(tags.classes[0], TOOL);
        assert_eq!(tags.classes[1], AMBIGUOUS_TOOL);
        assert_eq!(tags.classes[2], FUNCTION_WORD);
        // "is" links a statement and, after a comma, opens a clause of its own.
        assert_eq!(tags.classes[5], LINKING_WORD | CLAUSE_WORD);
        assert_eq!(tags.classes[3] & CLAUSE_WORD, 0);
    }

    #[test]
    fn packed_keys_differ_for_different_words() {
        let words = [
            "a",
            "ab",
            "ba",
            "abcdefghijklmnop",
            "abcdefghijklmno",
            "r",
            "is",
        ];
        let keys: Vec<Option<u128>> = words.iter().map(|w| short_key(w)).collect();
        for (i, a) in keys.iter().enumerate() {
            assert!(a.is_some());
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(short_key("abcdefghijklmnopq"), None);
    }
}
