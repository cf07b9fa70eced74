//! Dilution: a long answer that keeps hedging, filling and digressing buries its points, and
//! people grade it below the same points said plainly.
//!
//! The signal is how people speak when they ramble, not what the rubric asks: hedges ("I
//! think", "maybe", "probably"), fillers ("kind of", "basically", "you know") and anecdotes or
//! history ("at my last job", "I remember", "years ago"). An answer of at least
//! [`MIN_WORDS`] words with more than [`FREE_PER_100_WORDS`] such markers per hundred words
//! keeps `1 − SLOPE × (density − FREE_PER_100_WORDS)` of its credit, never less than
//! [`FLOOR`]. A dense answer, however long, is never charged; a short answer is never charged
//! (its hedges already weaken the claims they cover, see `scope`).
//!
//! A second count reads how sure the answer is: words of uncertainty ("maybe", "might",
//! "could", "possibly", "probably", "not sure", "I guess", "don't know"). An answer of any length
//! with at least [`UNCOMMITTED_MIN_HEDGES`] of them and at least [`UNCOMMITTED_PER_100_WORDS`]
//! per hundred words never commits to anything: it circles possibilities without choosing, which
//! an interviewer grades like a list of names. Its concepts keep at most
//! [`UNCOMMITTED_CREDIT`] of their credit. A careful answer hedges a hypothesis or two and
//! stays far below that density.
//! Owns only the counts and the factor; must not know about rubrics or credit.

use super::normalize::{Gap, Normalized};

/// Answers shorter than this are never diluted: a few hedges in a short answer are scoped by
/// `scope`, and a density over few words is noise.
pub const MIN_WORDS: usize = 150;
/// Markers per hundred words a long answer may carry without losing anything: careful
/// speakers hedge a conclusion or two.
pub const FREE_PER_100_WORDS: f64 = 2.0;
/// Share of credit lost per marker per hundred words above the free allowance.
pub const SLOPE: f64 = 0.15;
/// The least share of its credit a diluted answer keeps: digression hides points, it does not
/// erase them.
pub const FLOOR: f64 = 0.6;

/// Hedges ("i think", "maybe", "probably", "might", "perhaps", "not sure", "i guess", "i'd
/// say"), fillers ("kind of", "basically", "actually", "you know", "i mean", "or something",
/// "stuff", "a bit", "literally", "totally", "obviously", "oh", "okay", "the thing is", "it's
/// like") and anecdotes, history and asides ("i remember", "my last", "at my", "i've", "we had",
/// "i had", "i once", "i first", "i learned", "ran into", "years ago", "back when", "story",
/// "history", "by the way", "side note", "tangent", "interesting"), as a first word and the
/// words that must follow it within one clause. Each is a way of talking around a point, not a
/// word a point is made with: "whatever" is not one ("whatever the holder is doing"). Sorted
/// by first word, so a token is looked up with a binary search.
const MARKERS: &[(&str, &[&str])] = &[
    ("a", &["bit"]),
    ("actually", &[]),
    ("anyway", &[]),
    ("anyways", &[]),
    ("at", &["my"]),
    ("back", &["in"]),
    ("back", &["when"]),
    ("basically", &[]),
    ("by", &["the", "way"]),
    ("funny", &[]),
    ("historically", &[]),
    ("history", &[]),
    ("honestly", &[]),
    ("i", &["think"]),
    ("i", &["guess"]),
    ("i", &["suppose"]),
    ("i", &["mean"]),
    ("i", &["remember"]),
    ("i", &["had"]),
    ("i", &["once"]),
    ("i", &["first"]),
    ("i", &["learned"]),
    ("i'd", &["say"]),
    ("i've", &[]),
    ("interesting", &[]),
    ("it's", &["like"]),
    ("kind", &["of"]),
    ("literally", &[]),
    ("maybe", &[]),
    ("might", &[]),
    ("my", &["last"]),
    ("my", &["old"]),
    ("my", &["previous"]),
    ("not", &["sure"]),
    ("obviously", &[]),
    ("oh", &[]),
    ("okay", &[]),
    ("or", &["something"]),
    ("perhaps", &[]),
    ("probably", &[]),
    ("ran", &["into"]),
    ("side", &["note"]),
    ("sort", &["of"]),
    ("story", &[]),
    ("stuff", &[]),
    ("tangent", &[]),
    ("the", &["thing", "is"]),
    ("totally", &[]),
    ("we", &["had"]),
    ("years", &["ago"]),
    ("you", &["know"]),
];

/// Uncertainty an answer can show before it counts as never committing: this many words of
/// uncertainty at least ...
pub const UNCOMMITTED_MIN_HEDGES: usize = 4;
/// ... and at least this many per hundred words.
pub const UNCOMMITTED_PER_100_WORDS: f64 = 4.0;
/// The most of its credit an answer that never commits keeps.
pub const UNCOMMITTED_CREDIT: f64 = 0.5;

/// Words of uncertainty, as a first word and the words that must follow it within one clause,
/// sorted by first word: how a candidate says they do not know which it is. "Could" is one
/// ("could be the disk"); "would" is not (it proposes: "I would cap the pool").
const UNCERTAIN: &[(&str, &[&str])] = &[
    ("could", &[]),
    ("don't", &["know"]),
    ("dont", &["know"]),
    ("hard", &["to", "say"]),
    ("hard", &["to", "tell"]),
    ("i", &["guess"]),
    ("maybe", &[]),
    ("might", &[]),
    ("not", &["sure"]),
    ("not", &["certain"]),
    ("not", &["totally", "sure"]),
    ("not", &["entirely", "sure"]),
    ("not", &["really", "sure"]),
    ("perhaps", &[]),
    ("possibly", &[]),
    ("probably", &[]),
    ("unclear", &[]),
    ("unsure", &[]),
];

/// How much an answer's digressions dilute it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Dilution {
    /// Hedges, fillers and digressions counted.
    pub markers: usize,
    /// Markers per hundred words.
    pub per_100_words: f64,
    /// Words of uncertainty counted.
    pub hedges: usize,
    /// Hedged throughout: the answer never commits (see the module rule).
    pub uncommitted: bool,
    /// The share of its concept credit the answer keeps (1 when not diluted).
    pub factor: f64,
}

impl Dilution {
    pub const NONE: Dilution = Dilution {
        markers: 0,
        per_100_words: 0.0,
        hedges: 0,
        uncommitted: false,
        factor: 1.0,
    };
}

/// How many entries of `table` (first word and the words after it) the answer holds: one pass,
/// non-overlapping, longest first at each token.
fn count(n: &Normalized<'_>, table: &[(&str, &[&str])]) -> usize {
    let count = n.tokens.len();
    let mut found_count = 0usize;
    let mut i = 0;
    while i < count {
        let word = n.token_text(i);
        let from = table.partition_point(|(first, _)| *first < word);
        let found = table[from..]
            .iter()
            .take_while(|(first, _)| *first == word)
            .filter(|(_, rest)| {
                i + rest.len() < count
                    && rest.iter().enumerate().all(|(k, next)| {
                        n.token_text(i + 1 + k) == *next && n.tokens[i + 1 + k].gap < Gap::Comma
                    })
            })
            .map(|(_, rest)| rest.len() + 1)
            .max();
        match found {
            Some(len) => {
                found_count += 1;
                i += len;
            }
            None => i += 1,
        }
    }
    found_count
}

/// Counts the markers and the words of uncertainty of an answer and derives the factor.
pub fn assess(n: &Normalized<'_>) -> Dilution {
    let count = n.tokens.len();
    if count == 0 {
        return Dilution::NONE;
    }
    let markers = self::count(n, MARKERS);
    let hedges = self::count(n, UNCERTAIN);
    let per_100_words = markers as f64 * 100.0 / count as f64;
    let mut factor = if count < MIN_WORDS {
        1.0
    } else {
        (1.0 - SLOPE * (per_100_words - FREE_PER_100_WORDS).max(0.0)).clamp(FLOOR, 1.0)
    };
    let uncommitted = hedges >= UNCOMMITTED_MIN_HEDGES
        && hedges as f64 * 100.0 / count as f64 >= UNCOMMITTED_PER_100_WORDS;
    if uncommitted {
        factor = factor.min(UNCOMMITTED_CREDIT);
    }
    Dilution {
        markers,
        per_100_words: (per_100_words * 100.0).round() / 100.0,
        hedges,
        uncommitted,
        factor: (factor * 1000.0).round() / 1000.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(text: &str) -> Dilution {
        assess(&Normalized::new(text))
    }

    /// A plain sentence of ten words with no marker.
    const PLAIN: &str = "The run queue sits above the CPU count all day. ";

    #[test]
    fn a_long_answer_full_of_hedges_and_anecdotes_is_diluted() {
        let rambling = "I think, you know, it is kind of the lock, basically. At my last job \
                        we basically saw this years ago. "
            .repeat(20);
        let d = of(&rambling);
        assert!(d.markers >= 120, "{d:?}");
        assert!(d.factor < 1.0, "{d:?}");
        assert!(d.factor >= FLOOR, "{d:?}");
    }

    #[test]
    fn a_long_dense_answer_is_not_charged() {
        // Two hedges over two hundred words: a careful speaker, not a rambler.
        let answer = format!(
            "{} I think it is the lock. Probably the pool too.",
            PLAIN.repeat(20)
        );
        let d = of(&answer);
        assert_eq!(d.markers, 2);
        assert_eq!(d.factor, 1.0, "{d:?}");
    }

    #[test]
    fn a_short_hedged_answer_is_left_to_the_scopes() {
        let d = of("Maybe the lock, I think, or maybe the disk, probably not memory.");
        assert!(d.markers >= 4);
        assert_eq!(d.factor, 1.0);
    }

    #[test]
    fn the_factor_falls_with_the_density_and_stops_at_the_floor() {
        let light = format!("{}{}", PLAIN.repeat(15), "I think, basically. ".repeat(2));
        let heavy = format!("{}{}", PLAIN.repeat(15), "I think, basically. ".repeat(20));
        let (light, heavy) = (of(&light), of(&heavy));
        assert!(heavy.factor < light.factor, "{light:?} {heavy:?}");
        assert_eq!(heavy.factor, FLOOR);
    }

    #[test]
    fn anecdotes_and_asides_count_and_plain_words_do_not() {
        // Stories about oneself and conversational asides are ways of talking around a point.
        let story = "We had this bug in production once. I once tried it and, oh, it's like a \
                     wiki edit war, literally.";
        assert_eq!(of(story).markers, 5, "{:?}", of(story));
        assert_eq!(of("I've been bitten by this at my old job.").markers, 2);
        // The same words making a point are not markers.
        assert_eq!(
            of("Whatever the holder is doing, the waiters sleep.").markers,
            0
        );
        assert_eq!(
            of("The reader had to retry; a bitmap marks the free pages.").markers,
            0
        );
        assert_eq!(of("The first reader takes the lock.").markers, 0);
    }

    #[test]
    fn markers_are_sorted_by_first_word() {
        assert!(MARKERS.windows(2).all(|pair| pair[0].0 <= pair[1].0));
        assert!(UNCERTAIN.windows(2).all(|pair| pair[0].0 <= pair[1].0));
    }

    #[test]
    fn an_answer_that_never_commits_keeps_half_its_credit() {
        let circling = "Could be the lock, I guess, or maybe the disk. Possibly memory, I'm not \
                        sure. It might be the scheduler too, hard to say.";
        let d = of(circling);
        assert!(d.uncommitted, "{d:?}");
        assert_eq!(d.hedges, 7, "{d:?}");
        assert_eq!(d.factor, UNCOMMITTED_CREDIT);
    }

    #[test]
    fn a_hedged_hypothesis_in_a_committed_answer_is_not_uncommitted() {
        // One hedge over a plain answer, and "would" proposing a step.
        let careful = format!(
            "{} It could be the lock; I would check perf lock first. The fix is a smaller pool.",
            PLAIN.repeat(3)
        );
        let d = of(&careful);
        assert!(!d.uncommitted, "{d:?}");
        assert_eq!(d.factor, 1.0);
        // Dense but few: three hedges are scoped clause by clause, not the whole answer.
        let short = of("Maybe the lock. Maybe the pool. Probably both.");
        assert!(!short.uncommitted, "{short:?}");
    }

    #[test]
    fn marker_words_split_by_a_comma_are_not_a_marker() {
        assert_eq!(of("It is the kind, of lock I mean.").markers, 1);
        assert_eq!(of("the sort of lock").markers, 1);
    }
}
