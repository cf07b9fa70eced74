//! The typo policy (docs/SCORING.md section 2): which answer token may stand for which rubric
//! word.
//!
//! Tokens of 5 characters or fewer match exactly; 6–8 characters allow one edit and 9 or more two
//! (optimal string alignment distance from `strsim`, a transposition counting as one edit).
//! Numbers, column names and the protected terms never match fuzzily, and neither does a token
//! that is itself a correctly spelled word close to a rubric term ("sharing" is not "sharding").
//! Owns only the per-pair decision and a candidate index; must not know about phrases or scopes.

/// Exact-match-only terms: short technical words that collide with each other (futex / mutex,
/// shard / share) and tool column names.
pub const PROTECTED: [&str; 19] = [
    "futex", "mutex", "shard", "lock", "perf", "cs", "sy", "us", "id", "wa", "si", "so", "in", "r",
    "b", "irq", "numa", "tlb", "p99",
];

/// Correctly spelled words that sit one or two edits from a rubric term but mean something else.
/// A candidate who writes one of them wrote that word, not a typo.
const DISTINCT_WORDS: &[&str] = &[
    "content",
    "contented",
    "contest",
    "threat",
    "progress",
    "sharing",
    "looking",
    "pulling",
    "spanning",
    "sweeping",
    "leader",
    "kennel",
    "lately",
    "locker",
    "proceed",
    "recall",
    "clocking",
    "sheeting",
    "writing",
    "waiting",
];

/// The largest edit distance allowed between two words of these lengths (in characters), or
/// `None` when only an exact match will do.
pub fn max_edits(a_chars: usize, b_chars: usize) -> Option<usize> {
    match a_chars.min(b_chars) {
        0..=5 => None,
        6..=8 => Some(1),
        _ => Some(2),
    }
}

fn is_protected(word: &str) -> bool {
    PROTECTED.contains(&word)
}

/// Whether `word` may ever take part in a fuzzy match (either side).
pub fn fuzzable(word: &str) -> bool {
    !word.is_empty()
        && !word.bytes().any(|b| b.is_ascii_digit())
        && !is_protected(word)
        && char_count(word) >= 6
}

/// The full policy for one pair: may the answer token `token` stand for the rubric word `word`?
/// Exact equality always does; otherwise both must be fuzzable, the token must not be a known
/// distinct word, they must share a first letter (typos rarely hit it, and it rules out
/// rhymes like deadlock / headlock), and the OSA distance must be within [`max_edits`].
pub fn is_typo_of(token: &str, word: &str) -> bool {
    if token == word {
        return true;
    }
    // Every condition must hold, so the cheapest go first: most pairs differ in their first
    // byte (the same first character implies it), and a character count is a byte length for
    // ASCII, which most words are.
    if token.as_bytes().first() != word.as_bytes().first()
        || token.chars().next() != word.chars().next()
    {
        return false;
    }
    let (tc, wc) = (char_count(token), char_count(word));
    let Some(k) = max_edits(tc, wc) else {
        return false;
    };
    if tc.abs_diff(wc) > k || !fuzzable(token) || !fuzzable(word) || DISTINCT_WORDS.contains(&token)
    {
        return false;
    }
    strsim::osa_distance(token, word) <= k
}

/// The number of characters of `word`: its length for ASCII, without walking it twice.
fn char_count(word: &str) -> usize {
    if word.is_ascii() {
        word.len()
    } else {
        word.chars().count()
    }
}

/// Letter histogram used as a cheap lower bound: one edit changes the L1 distance between two
/// histograms by at most 2, so `OSA >= ceil(L1 / 2)`.
#[derive(Debug, Clone, Copy)]
struct Histogram([u8; 32]);

impl Histogram {
    fn of(word: &str) -> Self {
        let mut counts = [0u8; 32];
        for b in word.bytes() {
            let slot = if b.is_ascii_lowercase() {
                usize::from(b - b'a')
            } else {
                26 + usize::from(b % 6)
            };
            counts[slot] = counts[slot].saturating_add(1);
        }
        Histogram(counts)
    }

    fn l1(&self, other: &Histogram) -> u32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| u32::from(a.abs_diff(*b)))
            .sum()
    }
}

#[derive(Debug, Clone)]
struct Entry {
    id: u32,
    word: String,
    chars: usize,
    first: char,
    histogram: Histogram,
}

/// The fuzzable rubric words, grouped for fast rejection by length, first letter and histogram
/// before any distance is computed.
#[derive(Debug, Clone, Default)]
pub struct FuzzyIndex {
    /// By first character: a typo keeps the first letter (see [`is_typo_of`]).
    entries: std::collections::BTreeMap<char, Vec<Entry>>,
}

impl FuzzyIndex {
    pub fn add(&mut self, id: u32, word: &str) {
        if fuzzable(word) {
            let first = word.chars().next().unwrap_or(' ');
            self.entries.entry(first).or_default().push(Entry {
                id,
                word: word.to_owned(),
                chars: word.chars().count(),
                first: word.chars().next().unwrap_or(' '),
                histogram: Histogram::of(word),
            });
        }
    }

    /// Rubric word ids the token is a typo of (the token is known not to match any exactly).
    pub fn lookup(&self, token: &str, out: &mut Vec<u32>) {
        // Cheapest rejections first: no rubric word shares the first letter, too short (which
        // also rules out every protected term, none being longer than five characters), digits;
        // the word lists are consulted only for a token that got past the distance filters.
        let first = token.chars().next().unwrap_or(' ');
        let Some(bucket) = self.entries.get(&first) else {
            return;
        };
        let chars = token.chars().count();
        if chars < 6 || token.bytes().any(|b| b.is_ascii_digit()) {
            return;
        }
        let before = out.len();
        let mut histogram = None;
        for entry in bucket {
            let Some(k) = max_edits(chars, entry.chars) else {
                continue;
            };
            if entry.first != first || chars.abs_diff(entry.chars) > k {
                continue;
            }
            let h = *histogram.get_or_insert_with(|| Histogram::of(token));
            if h.l1(&entry.histogram) > 2 * k as u32 {
                continue;
            }
            if strsim::osa_distance(token, &entry.word) <= k {
                out.push(entry.id);
            }
        }
        if out.len() > before && (is_protected(token) || DISTINCT_WORDS.contains(&token)) {
            out.truncate(before);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_bands() {
        assert_eq!(max_edits(5, 9), None);
        assert_eq!(max_edits(6, 8), Some(1));
        assert_eq!(max_edits(9, 12), Some(2));
    }

    #[test]
    fn pair_policy_counts_characters_not_bytes() {
        // One accented letter is one edit, though it is two bytes.
        assert!(is_typo_of("contentión", "contention"));
        // Same first byte in UTF-8 (0xC3), different first character.
        assert!(!is_typo_of("éviction", "èviction"));
        // Five characters in six bytes: too short to be a typo of anything.
        assert!(!is_typo_of("shàrd", "sharded"));
        assert!(is_typo_of("throughput", "througput"));
        assert!(!is_typo_of("sharing", "sharding"));
    }

    #[test]
    fn histogram_bound_never_exceeds_osa() {
        let pairs = [
            ("contention", "contetion"),
            ("spinlock", "spinlcok"),
            ("throughput", "througput"),
            ("scheduler", "schedular"),
            ("abcdef", "fedcba"),
        ];
        for (a, b) in pairs {
            let bound = Histogram::of(a).l1(&Histogram::of(b)).div_ceil(2) as usize;
            assert!(bound <= strsim::osa_distance(a, b), "{a} {b}");
        }
    }

    #[test]
    fn index_agrees_with_the_pair_policy() {
        let words = [
            "contention",
            "spinlock",
            "sharding",
            "throughput",
            "futex",
            "scheduler",
        ];
        let mut index = FuzzyIndex::default();
        for (i, w) in words.iter().enumerate() {
            index.add(i as u32, w);
        }
        for token in [
            "contetion",
            "spinlok",
            "sharing",
            "througput",
            "mutex",
            "sheduler",
            "schedular",
        ] {
            let mut out = Vec::new();
            index.lookup(token, &mut out);
            let expected: Vec<u32> = words
                .iter()
                .enumerate()
                .filter(|(_, w)| **w != token && is_typo_of(token, w))
                .map(|(i, _)| i as u32)
                .collect();
            assert_eq!(out, expected, "{token}");
        }
    }
}
