//! The keyword-stuffing guard: a bare list of buzzwords does not earn the credit the same
//! concepts earn inside sentences that connect evidence to conclusion.
//!
//! Measurable rule: the answer is cut into units, its sentences (a bullet, a blank line or a
//! sentence mark starts a new one; a hard-wrapped line does not). A unit is *linked* when it contains a verb, auxiliary,
//! connective or pronoun from [`LINKING`] ("is", "shows", "because", "so", "we" …); otherwise it
//! is *bare*. A credited concept is bare when every one of its credited matches lies in bare
//! units. The answer is keyword stuffing when at least [`MIN_BARE`] concepts are bare and they are
//! at least half of the credited concepts; then each bare concept earns [`STUFFED_CREDIT`] of its
//! weight. Adding a linked sentence can only clear the flag, never set it.
//! Owns only this rule; must not match rubric text.

use super::lexicon;
use super::normalize::{Gap, Normalized};

/// Share of a bare concept's weight it keeps when the answer is stuffed.
pub const STUFFED_CREDIT: f64 = 0.5;
/// Fewest bare concepts that make a list.
pub const MIN_BARE: usize = 3;

pub const LINKING: &[&str] = &[
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "am",
    "it's",
    "that's",
    "there's",
    "isn't",
    "aren't",
    "wasn't",
    "has",
    "have",
    "had",
    "does",
    "do",
    "did",
    "shows",
    "showed",
    "shown",
    "showing",
    "means",
    "meant",
    "because",
    "so",
    "therefore",
    "thus",
    "hence",
    "since",
    "which",
    "that",
    "indicates",
    "suggests",
    "points",
    "explains",
    "causes",
    "caused",
    "leads",
    "see",
    "saw",
    "seen",
    "checked",
    "looks",
    "looked",
    "confirms",
    "confirmed",
    "measured",
    "would",
    "will",
    "should",
    "could",
    "can",
    "must",
    "need",
    "needs",
    "if",
    "then",
    "when",
    "while",
    "than",
    "rather",
    "instead",
    "adding",
    "reducing",
    "using",
    "runs",
    "waits",
    "spins",
    "sleeps",
    "holds",
    "held",
    "takes",
    "gets",
    "makes",
    "tells",
    "rises",
    "rose",
    "drops",
    "dropped",
    "grows",
    "stays",
    "burns",
    "spends",
    "spent",
    "i",
    "we",
    "you",
    "they",
    "it",
    "this",
    "these",
    "those",
    "but",
    "not",
    "no",
    "won't",
    "can't",
    "don't",
    "doesn't",
];

/// For each token, whether its unit is linked.
pub fn linked_tokens(n: &Normalized<'_>, classes: &[u8]) -> Vec<bool> {
    let mut linked = vec![false; n.tokens.len()];
    let mut start = 0;
    for i in 0..=n.tokens.len() {
        let boundary = i == n.tokens.len() || (i > start && n.tokens[i].gap == Gap::Sentence);
        if !boundary {
            continue;
        }
        let is_linked = classes[start..i]
            .iter()
            .any(|c| c & lexicon::LINKING_WORD != 0);
        linked[start..i].fill(is_linked);
        start = i;
    }
    linked
}

/// Whether the answer counts as stuffed, given how many credited concepts are bare.
pub fn is_stuffed(bare: usize, credited: usize) -> bool {
    bare >= MIN_BARE && bare * 2 >= credited
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_bare_and_sentences_linked() {
        let n = Normalized::new(
            "lock contention, run queue, futex.\nThe run queue is 40 so threads wait.",
        );
        let linked = linked_tokens(&n, &lexicon::Lexicon::new(&[], &[]).classify(&n));
        assert!(!linked[0] && !linked[4]);
        assert!(linked[6] && linked[n.tokens.len() - 1]);
    }

    #[test]
    fn the_flag_needs_three_bare_concepts_and_half() {
        assert!(!is_stuffed(2, 2));
        assert!(is_stuffed(3, 6));
        assert!(!is_stuffed(3, 7));
    }
}
