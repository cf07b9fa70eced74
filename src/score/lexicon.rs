//! Word classes the scorer asks about every token (linking words, tool names, the first words of
//! field names), gathered into one hash table built once per scorer, so each token costs one
//! lookup instead of a scan of every list. Owns no word lists itself.

use super::grounding::ALIASES;
use super::matcher::FnvMap;
use super::normalize::Normalized;
use super::stuffing::LINKING;

pub const LINKING_WORD: u8 = 1;
pub const TOOL: u8 = 2;
pub const AMBIGUOUS_TOOL: u8 = 4;
pub const FIELD_START: u8 = 8;

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    classes: FnvMap<&'static str, u8>,
}

impl Lexicon {
    pub fn new(tools: &[&'static str], ambiguous_tools: &[&'static str]) -> Self {
        let mut classes: FnvMap<&'static str, u8> = FnvMap::default();
        let mut add = |word: &'static str, class: u8| *classes.entry(word).or_default() |= class;
        for word in LINKING {
            add(word, LINKING_WORD);
        }
        for word in tools {
            add(word, TOOL);
        }
        for word in ambiguous_tools {
            add(word, AMBIGUOUS_TOOL);
        }
        for (words, ..) in ALIASES {
            add(words[0], FIELD_START);
        }
        Lexicon { classes }
    }

    /// The classes of every token of an answer.
    pub fn classify(&self, n: &Normalized<'_>) -> Vec<u8> {
        (0..n.tokens.len())
            .map(|i| self.classes.get(n.token_text(i)).copied().unwrap_or(0))
            .collect()
    }
}
