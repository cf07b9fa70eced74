//! Word classes the scorer asks about every token (linking words, tool names, the first words of
//! field names and of negation triggers) and the token's id in the rubric's phrase vocabulary,
//! gathered into one hash table built once per scorer, so each answer token costs one lookup
//! instead of one per list. Owns no word lists itself.

use super::grounding::ALIASES;
use super::matcher::FastMap;
use super::normalize::Normalized;
use super::stuffing::LINKING;

pub const LINKING_WORD: u8 = 1;
pub const TOOL: u8 = 2;
pub const AMBIGUOUS_TOOL: u8 = 4;
pub const FIELD_START: u8 = 8;
/// The first word of some negation, hypothetical or termination trigger.
pub const TRIGGER_START: u8 = 16;

/// Vocabulary id of a token that is no rubric word.
pub const NO_WORD: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Entry {
    class: u8,
    vocab: u32,
}

impl Default for Entry {
    fn default() -> Self {
        Entry {
            class: 0,
            vocab: NO_WORD,
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

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    short: FastMap<u128, Entry>,
    long: FastMap<String, Entry>,
}

/// Per token of one answer: its classes and its exact rubric vocabulary id (or [`NO_WORD`]).
#[derive(Debug, Clone, Default)]
pub struct Tags {
    pub classes: Vec<u8>,
    pub vocab: Vec<u32>,
}

impl Lexicon {
    pub fn new(tools: &[&'static str], ambiguous_tools: &[&'static str]) -> Self {
        let mut lexicon = Lexicon::default();
        for word in LINKING {
            lexicon.add_class(word, LINKING_WORD);
        }
        for word in tools {
            lexicon.add_class(word, TOOL);
        }
        for word in ambiguous_tools {
            lexicon.add_class(word, AMBIGUOUS_TOOL);
        }
        for (words, ..) in ALIASES {
            lexicon.add_class(words[0], FIELD_START);
        }
        lexicon
    }

    pub fn add_class(&mut self, word: &str, class: u8) {
        self.entry(word).class |= class;
    }

    /// Records the rubric vocabulary id of `word`.
    pub fn add_vocab(&mut self, word: &str, id: u32) {
        self.entry(word).vocab = id;
    }

    fn entry(&mut self, word: &str) -> &mut Entry {
        match short_key(word) {
            Some(key) => self.short.entry(key).or_default(),
            None => self.long.entry(word.to_owned()).or_default(),
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
        };
        for i in 0..count {
            let entry = self.get(n.token_text(i));
            tags.classes.push(entry.class);
            tags.vocab.push(entry.vocab);
        }
        tags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_words_are_both_found() {
        let mut lexicon = Lexicon::new(&["vmstat"], &["top"]);
        lexicon.add_vocab("native_queued_spin_lock_slowpath", 7);
        lexicon.add_vocab("contention", 3);
        let n = Normalized::new("vmstat top a contention native_queued_spin_lock_slowpath is");
        let tags = lexicon.tag(&n);
        assert_eq!(tags.vocab, [NO_WORD, NO_WORD, NO_WORD, 3, 7, NO_WORD]);
        assert_eq!(tags.classes[0], TOOL);
        assert_eq!(tags.classes[1], AMBIGUOUS_TOOL);
        assert_eq!(tags.classes[2], 0);
        assert_eq!(tags.classes[5], LINKING_WORD);
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
