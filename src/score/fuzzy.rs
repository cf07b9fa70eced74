//! The typo policy (docs/SCORING.md section 2): which answer token may stand for which rubric
//! word.
//!
//! Tokens of 4 characters or fewer match exactly; a 5-character word matches a 6-character one
//! only with one letter dropped or added inside the word ("thred" for "thread", "swich" for
//! "switch"): the edit of a hurried typist, where a substituted or swapped letter in a word that
//! short usually makes another word ("looks" / "locks", "there" / "three"), and a dropped last
//! letter is an inflection, not a typo. 6–8 characters allow one edit and 9 or more two (optimal
//! string alignment distance from `strsim`, a transposition counting as one edit).
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
    "tread",
];

/// The fewest characters a word must have to take part in a fuzzy match.
pub const MIN_FUZZY_CHARS: usize = 5;

/// The largest edit distance allowed between two words of these lengths (in characters), or
/// `None` when only an exact match will do. A pair whose shorter word has
/// [`MIN_FUZZY_CHARS`] characters also needs the one edit to be an inner letter dropped or
/// added ([`inner_letter_dropped`]).
pub fn max_edits(a_chars: usize, b_chars: usize) -> Option<usize> {
    match a_chars.min(b_chars) {
        0..MIN_FUZZY_CHARS => None,
        MIN_FUZZY_CHARS..=8 => Some(1),
        _ => Some(2),
    }
}

/// Whether the shorter of two words is the longer with one letter removed from inside it
/// (neither its first nor its last letter): "thred" / "thread", "swich" / "switch", and not
/// "queue" / "queues".
pub fn inner_letter_dropped(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let (s, l): (Vec<char>, Vec<char>) = (short.chars().collect(), long.chars().collect());
    if l.len() != s.len() + 1 || s.len() < 2 {
        return false;
    }
    let prefix = s.iter().zip(&l).take_while(|(x, y)| x == y).count();
    // The dropped letter is l[prefix]; what follows must agree, and it must be an inner one.
    prefix >= 1 && prefix + 1 < l.len() && s[prefix..] == l[prefix + 1..]
}

/// The policy's last word on a pair that passed the cheap filters: within `k` edits, and for the
/// shortest words only an inner letter dropped or added.
fn close_enough(token: &str, word: &str, chars: (usize, usize), k: usize) -> bool {
    if chars.0.min(chars.1) == MIN_FUZZY_CHARS {
        inner_letter_dropped(token, word)
    } else {
        strsim::osa_distance(token, word) <= k
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
        && char_count(word) >= MIN_FUZZY_CHARS
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
    close_enough(token, word, (tc, wc), k)
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
        // Cheapest rejections first: no rubric word shares the first letter, too short, digits;
        // the word lists (protected terms, distinct words) are consulted only for a token that
        // got past the distance filters.
        let first = token.chars().next().unwrap_or(' ');
        let Some(bucket) = self.entries.get(&first) else {
            return;
        };
        let chars = token.chars().count();
        if chars < MIN_FUZZY_CHARS || token.bytes().any(|b| b.is_ascii_digit()) {
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
            if close_enough(token, &entry.word, (chars, entry.chars), k) {
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
        assert_eq!(max_edits(4, 9), None);
        assert_eq!(max_edits(5, 6), Some(1));
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
    fn five_letter_words_match_only_with_an_inner_letter_dropped_or_added() {
        assert!(is_typo_of("thred", "thread"));
        assert!(is_typo_of("swich", "switch"));
        // Substitutions and swaps in short words make other words.
        assert!(!is_typo_of("looks", "locks"));
        assert!(!is_typo_of("there", "three"));
        // A dropped last letter is an inflection; a dropped first letter is not a typo here.
        assert!(!is_typo_of("queue", "queues"));
        assert!(!is_typo_of("hread", "thread"));
        // Protected terms stay exact, and four letters never match fuzzily.
        assert!(!is_typo_of("mutx", "mutex"));
        assert!(!is_typo_of("futex", "futexs"));
        assert!(!is_typo_of("lok", "lock"));
    }

    #[test]
    fn inner_letter_dropped_looks_inside_the_word_only() {
        assert!(inner_letter_dropped("thred", "thread"));
        assert!(inner_letter_dropped("thread", "thred"));
        assert!(!inner_letter_dropped("threa", "thread"));
        assert!(!inner_letter_dropped("hread", "thread"));
        assert!(!inner_letter_dropped("thread", "thread"));
        assert!(!inner_letter_dropped("thxead", "thread"));
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
