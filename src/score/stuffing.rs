//! Reasoning over vocabulary: a concept earns full credit only from a stretch of the answer that
//! says something about the case; a bare list of the right terms earns a small mention credit.
//!
//! Measurable rule: the answer is cut into *units*: sentences (a bullet, a blank line or a
//! sentence mark starts a new one; a hard-wrapped line does not), further cut at brackets and
//! semicolons, so a parenthesis is a unit of its own (a list in quotation marks is a list
//! like any other). A
//! unit *reasons* when it contains a reading (a number: a token that starts with a digit, so
//! "p99" and "cpu0" are names), a verb, auxiliary, connective or pronoun from [`LINKING`] ("is",
//! "shows", "because", "so", "we" …) or a determiner, preposition or claim word from
//! [`FUNCTION`] ("the", "on", "to", "cause" …): that is syntax, a statement about something. A
//! word glued into a compound term by a hyphen or a slash ("use-after-free",
//! "read-modify-write", "si/so") is part of the term, not syntax; a note's "w/", "w/o" and "b/c"
//! are the words they stand for, and their slash separates nothing. A unit that is a *list* (at
//! least three items split by commas, slashes or `|`, at least two of them and at least half
//! with no such word and no reading) reasons only in its items that have a word of [`LINKING`]
//! or an arrow: "queue for the lock" is a term like any other there, and a reading beside a term
//! ("nr_throttled 1820", "iowait 97%") cites a value without saying what it means. A chain of
//! at least [`MIN_CHAIN_ARROWS`] arrows whose stages are short terms, at most a third of them
//! with such a word, is a list whose arrows separate ("DMA -> RX ring -> hardirq -> …"). A token
//! in a unit (or list item) that does not reason is *bare*.
//!
//! A credited concept all of whose credited matches are bare earns [`MENTION_CREDIT`] of its
//! weight. The answer is flagged as keyword stuffing when at least [`MIN_BARE`] credited
//! concepts are bare and they are at least half of the credited ones (the flag lowers
//! confidence; credit is already cut concept by concept). Adding a reasoning sentence can only
//! clear the flag, never set it.
//! Owns only this rule; must not match rubric text.

use super::normalize::{Gap, Normalized};
use super::tags;

/// Share of its weight a concept earns when it is only mentioned bare.
pub const MENTION_CREDIT: f64 = 0.25;
/// Fewest bare concepts that make a list.
pub const MIN_BARE: usize = 3;

/// Fewest arrows that make a chain of terms a list: a note relates two or three things with
/// arrows ("free lists -> page handed out twice"); a pipeline of terms joined by five or more
/// ("DMA -> RX ring -> hardirq -> NAPI -> GRO -> ip_rcv") names its stages without saying what
/// any of them does.
const MIN_CHAIN_ARROWS: usize = 5;
/// Most words a stage of such a chain has to count as a bare term.
const MAX_CHAIN_STAGE_WORDS: usize = 3;

/// Most words a note's label has ("fix:", "w/o locks:", "root cause:").
const MAX_LABEL_WORDS: usize = 3;
/// Labels that announce a list of terms rather than say what the items are.
const LIST_LABELS: &[&str] = &[
    "keywords",
    "keyword",
    "terms",
    "topics",
    "concepts",
    "buzzwords",
    "tags",
    "vocabulary",
];

/// Determiners, prepositions and claim words: with one of them a unit is a statement.
pub const FUNCTION: &[&str] = &[
    "the", "a", "an", "its", "our", "their", "my", "each", "every", "one", "to", "from", "for",
    "on", "at", "by", "with", "into", "under", "over", "too", "than", "about", "between", "inside",
    "outside", "behind", "cause", "culprit", "fix", "probably", "likely", "mostly", "almost",
    "because", "due", "after", "before", "during", "until", "up", "down", "per", "of", "in", "via",
    "across", "within", "like", "against", "without",
];

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

/// For each token, whether it reasons (see the module rule).
pub fn reasoned_tokens(n: &Normalized<'_>, classes: &[u8]) -> Vec<bool> {
    let count = n.tokens.len();
    let mut reasoned = vec![false; count];
    let bytes = n.text.as_bytes();
    let gap_text = |t: usize| {
        let from = if t == 0 { 0 } else { n.tokens[t - 1].end };
        &bytes[from..n.tokens[t].start]
    };
    // A note's arrow ("free lists -> page handed out twice") says "leads to"; a label's colon
    // ("fix: fewer threads") says "is". Neither is a list separator: they relate what they join.
    // A note's "w/", "w/o" and "b/c" (with, without, because) are words: their slash
    // separates no items, and they relate what they join like the words they stand for.
    let abbreviation = |t: usize| {
        let word = n.token_text(t);
        let opens =
            matches!(word, "w" | "b") && t + 1 < count && gap_text(t + 1).first() == Some(&b'/');
        let closes = matches!(word, "o" | "c")
            && t > 0
            && matches!(n.token_text(t - 1), "w" | "b")
            && gap_text(t) == b"/";
        opens || closes
    };
    let arrow_before = |t: usize| relates_by_arrow(gap_text(t));
    let colon_before = |t: usize| t > 0 && is_label_colon(gap_text(t));
    // A word glued into a compound term by a hyphen or slash ("use-after-free",
    // "read-modify-write", "si/so", "up/down") is part of the term, not syntax.
    let glued = |t: usize| {
        let joins = |gap: &[u8]| matches!(gap, b"-" | b"/");
        (t > 0 && joins(gap_text(t))) || (t + 1 < count && joins(gap_text(t + 1)))
    };
    let of_class = |t: usize, class: u8| {
        (classes.get(t).is_some_and(|c| c & class != 0) && !glued(t))
            || (class & tags::FUNCTION_WORD != 0 && abbreviation(t))
    };
    // A reading ("40", "97%", "1.37M") starts with a digit; "p99", "cpu0" and "ext4" are names.
    let reading = |t: usize| {
        n.tokens[t].numeric
            && n.token_text(t)
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_digit)
    };
    // Without the arrows: in a chain of terms (see [`MIN_CHAIN_ARROWS`]) the arrows only
    // separate.
    let speaks_plainly = |t: usize| {
        colon_before(t) || reading(t) || of_class(t, tags::LINKING_WORD | tags::FUNCTION_WORD)
    };
    let speaks = |t: usize| arrow_before(t) || speaks_plainly(t);
    // Inside a list only a verb, connective or pronoun makes an item a statement: "queue for
    // the lock" is a noun phrase like any other term, and a reading beside a term ("nr_throttled
    // 1820", "iowait 97%") cites a value without saying what it means.
    let states_plainly = |t: usize| of_class(t, tags::LINKING_WORD);
    let states = |t: usize| arrow_before(t) || states_plainly(t);
    let mut start = 0;
    // Item boundaries inside the current unit.
    let mut items: Vec<usize> = Vec::new();
    // Arrows inside the current unit (the token after each).
    let mut arrows: Vec<usize> = Vec::new();
    // Inside a path such as `/proc/interrupts`, whose slashes separate nothing.
    let mut in_path = false;
    for t in 0..=count {
        if t < count {
            let gap = gap_text(t);
            let opens_path = gap.last() == Some(&b'/')
                && (gap.len() == 1 && t == 0
                    || gap.len() >= 2 && gap[gap.len() - 2].is_ascii_whitespace());
            if opens_path {
                in_path = true;
            } else if gap.iter().any(u8::is_ascii_whitespace) || gap.is_empty() {
                in_path = false;
            }
        }
        let boundary = t == count
            || (t > start
                && (n.tokens[t].gap == Gap::Sentence
                    || gap_text(t)
                        .iter()
                        .any(|b| matches!(b, b'(' | b')' | b'[' | b']' | b';'))));
        if !boundary {
            let separates = |b: &u8| {
                matches!(b, b',' | b'|')
                    || (*b == b'/' && !in_path && !(t > 0 && abbreviation(t - 1)))
            };
            if t > start && gap_text(t).iter().any(separates) {
                items.push(t);
            }
            if t > start && arrow_before(t) {
                arrows.push(t);
            }
            continue;
        }
        if t > start {
            // "sources: SMP, preemption, IRQs" says what the items are; "keywords: …" does not.
            let labelled = (start + 1..t.min(start + 1 + MAX_LABEL_WORDS)).any(colon_before)
                && !LIST_LABELS.contains(&n.token_text(start));
            let splits: &[usize] = if labelled { &[] } else { &items };
            let mut stages: Vec<usize> = items.iter().chain(&arrows).copied().collect();
            stages.sort_unstable();
            stages.dedup();
            let chain = arrows.len() >= MIN_CHAIN_ARROWS && {
                let bounds = std::iter::once(start)
                    .chain(stages.iter().copied())
                    .zip(stages.iter().copied().chain(std::iter::once(t)));
                bounds
                    .clone()
                    .all(|(from, to)| to - from <= MAX_CHAIN_STAGE_WORDS)
                    && bounds
                        .filter(|&(from, to)| (from..to).any(speaks_plainly))
                        .count()
                        * 3
                        <= stages.len() + 1
            };
            if chain {
                mark_unit(
                    start,
                    t,
                    &stages,
                    &speaks_plainly,
                    &states_plainly,
                    &mut reasoned,
                );
            } else {
                mark_unit(start, t, splits, &speaks, &states, &mut reasoned);
            }
        }
        items.clear();
        arrows.clear();
        start = t;
    }
    reasoned
}

/// Whether the text between two tokens is an arrow of a note ("a -> b", "a => b", "a → b"),
/// spaced on at least one side so a kernel field access (`rq->lock`) is not one.
pub(super) fn relates_by_arrow(gap: &[u8]) -> bool {
    // Most gaps are a space or a comma: only the arrows' first bytes can start one.
    if !gap.iter().any(|&b| matches!(b, b'-' | b'=' | 0xE2)) {
        return false;
    }
    let text = String::from_utf8_lossy(gap);
    ["->", "=>", "→"].iter().any(|arrow| {
        text.find(arrow).is_some_and(|at| {
            let before = text[..at].chars().next_back();
            let after = text[at + arrow.len()..].chars().next();
            before.is_some_and(char::is_whitespace) || after.is_some_and(char::is_whitespace)
        })
    })
}

/// Whether the text between two tokens is the colon after a label ("fix: fewer threads"): a
/// colon followed by a space, not a time or a ratio ("10:30", "2:1").
fn is_label_colon(gap: &[u8]) -> bool {
    gap.windows(2)
        .any(|w| w[0] == b':' && w[1].is_ascii_whitespace())
}

/// Marks tokens `start..end` of one unit, split into items at `splits`.
fn mark_unit(
    start: usize,
    end: usize,
    splits: &[usize],
    speaks: &dyn Fn(usize) -> bool,
    states: &dyn Fn(usize) -> bool,
    reasoned: &mut [bool],
) {
    let bounds = || {
        std::iter::once(start)
            .chain(splits.iter().copied())
            .zip(splits.iter().copied().chain(std::iter::once(end)))
    };
    let item_speaks = |(from, to): (usize, usize)| (from..to).any(speaks);
    let items = splits.len() + 1;
    let bare_items = bounds().filter(|&b| !item_speaks(b)).count();
    if items >= 3 && bare_items >= 2 && bare_items * 2 >= items {
        for (from, to) in bounds() {
            let says = (from..to).any(states);
            reasoned[from..to].fill(says);
        }
    } else {
        let says = (start..end).any(speaks);
        reasoned[start..end].fill(says);
    }
}

/// Whether the answer counts as stuffed, given how many credited concepts are bare.
pub fn is_stuffed(bare: usize, credited: usize) -> bool {
    bare >= MIN_BARE && bare * 2 >= credited
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasoned(text: &str) -> (Normalized<'_>, Vec<bool>) {
        let n = Normalized::new(text);
        let classes = tags::Tagger::new(&[], &[]).classify(&n);
        let reasoned = reasoned_tokens(&n, &classes);
        (n, reasoned)
    }

    fn of(n: &Normalized<'_>, reasoned: &[bool], word: &str) -> bool {
        let at = (0..n.tokens.len())
            .find(|&i| n.token_text(i) == word)
            .unwrap_or_else(|| panic!("{word}"));
        reasoned[at]
    }

    #[test]
    fn lists_are_bare_and_statements_reason() {
        let (n, r) =
            reasoned("lock contention, run queue, futex.\nThe run queue is 40 so threads wait.");
        assert!(!of(&n, &r, "contention") && !of(&n, &r, "futex"));
        assert!(of(&n, &r, "wait"));
        // Terse notes with syntax still reason.
        let (n, r) = reasoned("- shard the lock\n- cap the pool at 8");
        assert!(of(&n, &r, "shard") && of(&n, &r, "cap"));
    }

    #[test]
    fn lists_in_parentheses_quotes_and_slashes_are_bare() {
        let (n, r) = reasoned("It is slow (lock contention, run queue, futex).");
        assert!(of(&n, &r, "slow"));
        assert!(!of(&n, &r, "contention"));
        let (n, r) = reasoned("It's lock contention / run queue / reclaim / steal.");
        assert!(!of(&n, &r, "reclaim"));
        let (n, r) = reasoned("Keywords: \"lock contention, run queue, steal\".");
        assert!(!of(&n, &r, "steal"));
        // One list item that says something keeps its credit.
        // Slashes of a path separate nothing.
        let (n, r) = reasoned("I'd check /proc/interrupts and spread the IRQs with affinity.");
        assert!(of(&n, &r, "interrupts") && of(&n, &r, "check"));
        let (n, r) = reasoned("Run queue, steal, and the lock is held too long.");
        assert!(of(&n, &r, "held") && !of(&n, &r, "steal"));
    }

    #[test]
    fn arrows_and_label_colons_of_notes_reason() {
        let (n, r) = reasoned("- zone lock: free lists -> same page handed out twice");
        assert!(of(&n, &r, "page") && of(&n, &r, "zone"));
        let (n, r) = reasoned("- reclaim => stalls in the request path");
        assert!(of(&n, &r, "stalls"));
        let (n, r) = reasoned("- fix: fewer threads");
        assert!(of(&n, &r, "fewer"));
        // A field access is not an arrow, and a label before a bare list does not make the
        // list say anything.
        let (n, r) = reasoned("rq->lock, zone->lock, mmap_lock, ptl");
        assert!(!of(&n, &r, "zone") && !of(&n, &r, "ptl"));
        assert!(!is_label_colon(b":") && !relates_by_arrow(b"->"));
        let (n, r) = reasoned("Keywords: lock contention, run queue, steal, reclaim");
        assert!(!of(&n, &r, "steal") && !of(&n, &r, "reclaim"));
        // A label that names what the items are makes the list a statement.
        let (n, r) = reasoned("- sources: SMP, preemption, softirq, sleeping");
        assert!(of(&n, &r, "preemption") && of(&n, &r, "sleeping"));
        // A colon further in is not a label.
        let (n, r) = reasoned("lock contention, run queue, steal, reclaim, tools: perf");
        assert!(!of(&n, &r, "steal"));
    }

    #[test]
    fn a_long_chain_of_bare_terms_is_a_list_and_a_note_of_few_arrows_is_not() {
        let (n, r) = reasoned(
            "DMA -> RX ring -> hardirq -> napi_schedule -> NET_RX_SOFTIRQ -> GRO -> ip_rcv",
        );
        assert!(!of(&n, &r, "hardirq") && !of(&n, &r, "gro"));
        // Slashes inside the stages split them further; still a list.
        let (n, r) = reasoned("DMA -> MSI-X / RSS -> hardirq -> NAPI -> GRO -> RPS/RFS -> ip_rcv");
        assert!(!of(&n, &r, "napi"));
        // Four arrows of a note relate what they join.
        let (n, r) = reasoned("- trace: task in flowmon -> IRQ -> NAPI poll -> spin_lock spins");
        assert!(of(&n, &r, "napi") && of(&n, &r, "irq"));
        // Stages that say something keep the chain a statement.
        let (n, r) = reasoned(
            "more threads -> more waiters -> longer queue -> the lock is held longer -> \
             p99 grows -> timeouts -> retries",
        );
        assert!(of(&n, &r, "held") && of(&n, &r, "waiters"));
    }

    #[test]
    fn words_glued_into_a_term_are_not_syntax() {
        // "after", "so" and "up" inside hyphenated or slashed terms say nothing.
        let (n, r) = reasoned("use-after-free, races, list corruption");
        assert!(!of(&n, &r, "free") && !of(&n, &r, "races"));
        let (n, r) = reasoned("si/so");
        assert!(!of(&n, &r, "si"));
        let (n, r) = reasoned("CPUQuota up / cpu.max.burst");
        assert!(
            of(&n, &r, "cpuquota"),
            "spaced: 'up' is a word of the sentence"
        );
        // The same words standing free still make a statement.
        let (n, r) = reasoned("memory is used after free");
        assert!(of(&n, &r, "memory"));
        let (n, r) = reasoned("si and so are high");
        assert!(of(&n, &r, "si"));
    }

    #[test]
    fn note_abbreviations_and_prepositions_make_a_statement() {
        // "w/" is "with": the slash does not cut the note into a list of terms.
        let (n, r) = reasoned("add exponential backoff w/ jitter instead of yield, cap retries");
        assert!(of(&n, &r, "jitter") && of(&n, &r, "backoff"));
        let (n, r) = reasoned("writer starvation w/ reader preference locks");
        assert!(of(&n, &r, "starvation"));
        let (n, r) = reasoned("batching w/o locks");
        assert!(of(&n, &r, "batching"));
        // A preposition makes a note a statement: "pcp lists per CPU".
        let (n, r) = reasoned("pcp lists per CPU");
        assert!(of(&n, &r, "pcp"));
        // Other slashes still separate the terms of a list.
        let (n, r) = reasoned("wait/sleep/futex/convoy");
        assert!(!of(&n, &r, "sleep") && !of(&n, &r, "convoy"));
    }

    #[test]
    fn readings_start_with_a_digit_and_do_not_make_a_list_reason() {
        // A metric name with a digit is a name, not a reading.
        let (n, r) = reasoned("p99 tail");
        assert!(!of(&n, &r, "tail"));
        let (n, r) = reasoned("tail 99");
        assert!(of(&n, &r, "tail"));
        // In a list, a reading beside a term cites a value; it does not say what it means.
        let (n, r) =
            reasoned("lock contention / convoy / futex / voluntary switches 150k / idle CPU");
        assert!(!of(&n, &r, "voluntary") && !of(&n, &r, "convoy"));
        // An item with a verb still says something.
        let (n, r) = reasoned("lock contention / convoy / futex / switches rose to 150k");
        assert!(of(&n, &r, "switches") && !of(&n, &r, "convoy"));
        // Outside a list a reading is a statement: "r 40 on 8 CPUs".
        let (n, r) = reasoned("iowait 97%");
        assert!(of(&n, &r, "iowait"));
    }

    #[test]
    fn the_flag_needs_three_bare_concepts_and_half() {
        assert!(!is_stuffed(2, 2));
        assert!(is_stuffed(3, 6));
        assert!(!is_stuffed(3, 7));
    }
}
