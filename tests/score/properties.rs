//! Property tests: adding a correct concept sentence never lowers the score, adding a bare list
//! of terms never raises it past the mention credit of the concepts it names, adding a red flag
//! or a wrong conclusion never raises it, case / whitespace / quote style change nothing, and permuting sentences
//! changes only the order part.

use proptest::prelude::*;
use sysdrill::score::{MENTION_CREDIT, ScoreReport, Scorer, Shown};

use super::fixture::slow_under_load;

/// Each names exactly one concept of the fixture drill, inside a linked sentence.
const CONCEPT_SENTENCES: &[&str] = &[
    "Throughput dropped as load grew.",
    "My first suspect is lock contention.",
    "The run queue is long on every CPU.",
    "Context switches are very high.",
    "I would check perf lock to see where threads wait.",
    "It shows one hot lock taking most of the wait.",
    "The threads are spinning in the kernel.",
    "That is Amdahl at work.",
    "We should cap the pool at eight threads.",
    "We can shard the lock by key.",
    "We can move work out of the lock.",
    "Then we measure again.",
];
const RED_FLAG_SENTENCES: &[&str] = &[
    "We should add more threads.",
    "I would buy a faster CPU.",
    "Let us restart the service.",
];
/// A wrong conclusion: a misconception asserted, or the right cause rejected.
const WRONG_SENTENCES: &[&str] = &[
    "A futex is a lock, so that is what we see.",
    "I don't think it is lock contention.",
];
const NEUTRAL_SENTENCES: &[&str] = &[
    "The box has eight CPUs.",
    "This started on Monday.",
    "Users are unhappy about it.",
];

/// Terms of the fixture's concepts, as a keyword list writes them.
const LIST_TERMS: &[&str] = &[
    "lock contention",
    "run queue",
    "context switches",
    "perf lock",
    "hot lock",
    "spinning",
    "amdahl",
    "sharding",
    "fewer threads",
    "verify",
];

/// Compiled once for all cases: regex compilation dominates a debug-build test otherwise.
fn scorer() -> &'static Scorer {
    static SCORER: std::sync::OnceLock<Scorer> = std::sync::OnceLock::new();
    SCORER.get_or_init(|| Scorer::new(&slow_under_load()))
}

fn sentences() -> impl Strategy<Value = Vec<&'static str>> {
    let pool: Vec<&'static str> = CONCEPT_SENTENCES
        .iter()
        .chain(NEUTRAL_SENTENCES)
        .chain(WRONG_SENTENCES)
        .copied()
        .collect();
    prop::collection::vec(prop::sample::select(pool), 0..8)
}

fn score(scorer: &Scorer, parts: &[&str]) -> ScoreReport {
    scorer.score(&parts.join(" "), &Shown::default())
}

fn hits(report: &ScoreReport) -> Vec<bool> {
    report.concepts.iter().map(|c| c.hit).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_concept_sentence_never_lowers_the_score(
        parts in sentences(),
        extra in prop::sample::select(CONCEPT_SENTENCES),
        at in 0usize..9,
    ) {
        let scorer = scorer();
        let before = score(scorer, &parts);
        // A concept the answer does not have yet (repeating one only moves where it first
        // appears, which the order rule may rightly charge).
        prop_assume!(!parts.contains(&extra));
        let mut more = parts.clone();
        more.insert(at.min(more.len()), extra);
        let after = score(scorer, &more);
        prop_assert!(after.score >= before.score, "{} -> {}: {:?}", before.score, after.score, more);
    }

    #[test]
    fn adding_a_bare_list_never_raises_past_the_mention_credit(
        parts in sentences(),
        list in prop::collection::vec(prop::sample::select(LIST_TERMS), 3..7),
        separator in prop::sample::select(&[", ", " / ", ", "][..]),
        wrap in prop::sample::select(&["{}.", "({})", "\"{}\"", "Keywords: {}."][..]),
    ) {
        let scorer = scorer();
        let before = score(scorer, &parts);
        let listed = wrap.replace("{}", &list.join(separator));
        let mut more = parts.clone();
        more.push(&listed);
        let after = score(scorer, &more);
        let total: f64 = after.concepts.iter().map(|c| c.weight).sum();
        let newly: f64 = after
            .concepts
            .iter()
            .zip(&before.concepts)
            .filter(|(a, b)| a.hit && !b.hit)
            .map(|(a, _)| a.weight * MENTION_CREDIT / total * 100.0)
            .sum();
        prop_assert!(
            f64::from(after.score) <= f64::from(before.score) + newly + 1.0,
            "{} -> {} (mention credit {newly:.1}): {:?}", before.score, after.score, more
        );
    }

    #[test]
    fn adding_a_wrong_conclusion_never_raises_the_score(
        parts in sentences(),
        wrong in prop::sample::select(WRONG_SENTENCES),
        at in 0usize..9,
    ) {
        let scorer = scorer();
        let before = score(scorer, &parts);
        let mut more = parts.clone();
        more.insert(at.min(more.len()), wrong);
        let after = score(scorer, &more);
        prop_assert!(after.score <= before.score, "{} -> {}: {:?}", before.score, after.score, more);
    }

    #[test]
    fn adding_a_red_flag_never_raises_the_score(
        parts in sentences(),
        flag in prop::sample::select(RED_FLAG_SENTENCES),
        at in 0usize..9,
    ) {
        let scorer = scorer();
        let before = score(scorer, &parts);
        let mut more = parts.clone();
        more.insert(at.min(more.len()), flag);
        let after = score(scorer, &more);
        prop_assert!(after.score <= before.score, "{} -> {}: {:?}", before.score, after.score, more);
    }

    #[test]
    fn case_whitespace_and_quotes_change_nothing(
        parts in sentences(),
        upper in prop::collection::vec(any::<bool>(), 0..64),
        spaces in prop::collection::vec(0usize..4, 0..64),
    ) {
        let scorer = scorer();
        let plain = parts.join(" ").replace("I would", "I'd say I would");
        let mut styled = String::new();
        let mut k = 0;
        for c in plain.chars() {
            k += 1;
            match c {
                ' ' => styled.push_str(["  ", "\t", " \u{a0}", " "][spaces.get(k % 64).copied().unwrap_or(0)]),
                '\'' => styled.push('\u{2019}'),
                _ if upper.get(k % 64).copied().unwrap_or(false) => styled.extend(c.to_uppercase()),
                _ => styled.push(c),
            }
        }
        let a = scorer.score(&plain, &Shown::default());
        let b = scorer.score(&styled.replace('\n', "\r\n"), &Shown::default());
        prop_assert_eq!(a.score, b.score);
        prop_assert_eq!(hits(&a), hits(&b));
        prop_assert_eq!(a.structure, b.structure);
    }

    #[test]
    fn permuting_sentences_changes_only_the_order_part(
        parts in sentences(),
        order in Just(()).prop_perturb(|_, mut rng| rng.random::<u64>()),
    ) {
        let scorer = scorer();
        let mut shuffled = parts.clone();
        // Deterministic Fisher-Yates from the drawn number.
        let mut state = order | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = score(scorer, &parts);
        let b = score(scorer, &shuffled);
        prop_assert_eq!(hits(&a), hits(&b));
        prop_assert_eq!(a.keyword_stuffing, b.keyword_stuffing);
        let credits = |r: &ScoreReport| r.concepts.iter().map(|c| c.credit).collect::<Vec<_>>();
        prop_assert_eq!(credits(&a), credits(&b));
        // At the floor of 0 an order penalty has nothing left to take: compare above it.
        prop_assume!(a.score > 0 && b.score > 0);
        let with_order = |r: &ScoreReport| f64::from(r.score) + r.structure.penalty;
        prop_assert!((with_order(&a) - with_order(&b)).abs() <= 1.0, "{:?} vs {:?}", a.structure, b.structure);
    }

    #[test]
    fn arbitrary_text_never_panics_and_evidence_points_into_it(
        text in "(\\PC|[\u{0}-\u{1f}\u{fffd}\u{200b}'\".,;:!?%=~-]|run queue|not |lock contention| r is 4| ){0,200}",
    ) {
        let report = scorer().score(&text, &Shown::default());
        prop_assert!(report.score <= 100);
        prop_assert!((0.0..=1.0).contains(&report.confidence));
        for evidence in report.concepts.iter().filter_map(|c| c.evidence.as_ref()) {
            prop_assert!(text.is_char_boundary(evidence.start) && text.is_char_boundary(evidence.end));
            prop_assert_eq!(&text[evidence.start..evidence.end], evidence.text.as_str());
        }
    }
}

/// A bare list of every right term earns at most the mention credit, far below a strong answer
/// that reasons with the same terms.
#[test]
fn a_list_of_the_right_terms_scores_below_a_strong_answer() {
    use super::fixture::{LIST, STRONG};
    let scorer = scorer();
    let all_terms = LIST_TERMS.join(", ");
    for list in [LIST, all_terms.as_str()] {
        let listed = scorer.score(list, &Shown::default());
        let strong = scorer.score(STRONG, &Shown::default());
        assert!(listed.keyword_stuffing, "{list}");
        assert!(
            listed.score as f64 <= MENTION_CREDIT * 100.0 + 1.0,
            "{list}: {}",
            listed.score
        );
        assert!(
            listed.score + 40 <= strong.score,
            "{} vs {}",
            listed.score,
            strong.score
        );
    }
}
