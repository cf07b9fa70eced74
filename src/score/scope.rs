//! Negation and hypothetical scopes (NegEx, Chapman et al. 2001; ConText, Harkema et al. 2009),
//! with the trigger classes of SCORING.md section 1 adapted to interview answers.
//!
//! Per sentence, triggers are found leftmost-longest on normalised tokens (so "not only" wins
//! over "not", "is ruled out" over "ruled out"). Then:
//! - a pre-negation covers the tokens after it up to a termination term, another trigger, a
//!   clause mark (`;`, `:`, brackets) or the sentence end; "rather than" and "instead of" also
//!   stop at a comma or a new subject ("I", "we" …), so "Rather than adding threads, cap the
//!   pool" and "Instead of adding threads I would cap the pool" keep "cap the pool";
//! - a post-negation covers up to five tokens before it, stopping at a termination term or
//!   clause mark;
//! - a hypothetical trigger covers the tokens after it up to a termination term, a clause mark or
//!   the sentence end (other triggers do not end it: "maybe it is not X" stays hypothetical); a
//!   condition ("if", "whether", "assuming" …) covers only its clause, up to a comma, so "If r
//!   is above the CPU count, cap the pool" proposes capping the pool;
//! - pseudo-negations and termination terms cover nothing.
//!
//! Scopes never cross a sentence. Every covered token remembers its trigger, so evidence can
//! name it. Owns only this; must not know about rubric items.

use super::lexicon::TRIGGER_START;
use super::matcher::FnvMap;
use super::normalize::{Gap, Normalized};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    PreNegation,
    /// A pre-negation whose scope also ends at a comma.
    ClauseNegation,
    PostNegation,
    Pseudo,
    Hypothetical,
    /// A hypothetical trigger whose scope also ends at a comma.
    Condition,
    Termination,
}

const PRE: &[&str] = &[
    "not",
    "isn't",
    "isnt",
    "is not",
    "wasn't",
    "wasnt",
    "was not",
    "it's not",
    "its not",
    "no",
    "never",
    "without",
    "rule out",
    "ruled out",
    "rules out",
    "rule it out",
    "exclude",
    "excluded",
    "excludes",
    "wouldn't",
    "would not",
    "don't",
    "dont",
    "do not",
    "doesn't",
    "doesnt",
    "does not",
    "didn't",
    "did not",
    "aren't",
    "are not",
    "won't",
    "will not",
    "shouldn't",
    "should not",
    "avoid",
    "avoiding",
    "unlikely to be",
    "doubt it's",
    "doubt it is",
    "cannot be",
    "can't be",
    "nor",
    "neither",
    "none of",
    "nothing in",
    "doesn't look like",
    "don't think",
    "do not think",
    "no sign of",
    "no evidence of",
    "there is no",
    "there's no",
];
const CLAUSE_NEG: &[&str] = &["rather than", "instead of"];
const POST: &[&str] = &[
    "is unlikely",
    "are unlikely",
    "is ruled out",
    "was ruled out",
    "are ruled out",
    "can be ruled out",
    "isn't the issue",
    "isn't the cause",
    "isn't the problem",
    "is not the issue",
    "is not the cause",
    "is not the problem",
    "is not the bottleneck",
    "isn't the bottleneck",
    "is fine",
    "are fine",
    "looks fine",
    "look fine",
    "looks normal",
    "look normal",
    "is normal",
    "are normal",
    "is healthy",
    "looks healthy",
    "is irrelevant",
    "is a red herring",
    "wouldn't help",
    "won't help",
    "would not help",
    "will not help",
    "doesn't help",
    "makes it worse",
    "make it worse",
    "would make it worse",
];
const PSEUDO: &[&str] = &[
    "not only",
    "not just",
    "not necessarily",
    "no doubt",
    "nothing but",
    "no change in",
    "no change",
    "can't rule out",
    "cannot rule out",
    "can not rule out",
    "not rule out",
    "couldn't rule out",
    "could not rule out",
    "not sure",
    "no longer",
    "not until",
    "whether or not",
    "if not",
    "no matter",
];
/// Conditions: their scope is the condition clause, up to a comma ("If r is high, cap the pool"
/// proposes capping the pool).
const CONDITION: &[&str] = &[
    "if",
    "whether",
    "suppose",
    "supposing",
    "in case",
    "assuming",
    "what if",
    "would check if",
];
const HYPO: &[&str] = &[
    "could",
    "might",
    "maybe",
    "perhaps",
    "hypothetically",
    "possibly",
    "may be",
    "might be",
    "could be",
];
const TERM: &[&str] = &[
    "but",
    "however",
    "though",
    "although",
    "yet",
    "except",
    "instead",
    "so",
    "because",
    "which means",
    "then",
    "therefore",
    "thus",
    "hence",
    "whereas",
    "since",
    "meaning",
];

/// A new subject ends the scope of "rather than" / "instead of".
const SUBJECTS: &[&str] = &[
    "i", "we", "you", "they", "i'd", "we'd", "i'll", "we'll", "let's", "let", "i'm", "we're",
];

/// Triggers indexed by their first token, longest first.
#[derive(Debug, Clone)]
pub struct Triggers {
    by_first: FnvMap<&'static str, Vec<(Vec<&'static str>, Class)>>,
}

impl Default for Triggers {
    fn default() -> Self {
        Self::new()
    }
}

impl Triggers {
    pub fn new() -> Self {
        let mut by_first: FnvMap<&'static str, Vec<(Vec<&'static str>, Class)>> = FnvMap::default();
        let lists: [(&[&'static str], Class); 7] = [
            (PSEUDO, Class::Pseudo),
            (POST, Class::PostNegation),
            (CLAUSE_NEG, Class::ClauseNegation),
            (PRE, Class::PreNegation),
            (CONDITION, Class::Condition),
            (HYPO, Class::Hypothetical),
            (TERM, Class::Termination),
        ];
        for (list, class) in lists {
            for phrase in list {
                let words: Vec<&'static str> = phrase.split(' ').collect();
                by_first.entry(words[0]).or_default().push((words, class));
            }
        }
        for entries in by_first.values_mut() {
            // Longest first; at equal length the earlier list wins (stable sort).
            entries.sort_by_key(|entry| std::cmp::Reverse(entry.0.len()));
        }
        Triggers { by_first }
    }

    /// Every word that starts a trigger.
    pub fn first_words(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_first.keys().copied()
    }

    /// The longest trigger starting at token `i` that stays inside the sentence and clause.
    fn at(&self, n: &Normalized<'_>, i: usize, end: usize) -> Option<(usize, Class)> {
        let entries = self.by_first.get(n.token_text(i))?;
        'entry: for (words, class) in entries {
            if i + words.len() > end {
                continue;
            }
            for (k, word) in words.iter().enumerate().skip(1) {
                let t = i + k;
                if n.tokens[t].gap >= Gap::Comma || n.token_text(t) != *word {
                    continue 'entry;
                }
            }
            return Some((words.len(), *class));
        }
        None
    }
}

/// A trigger found in the answer (token range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub class: Class,
    pub from: usize,
    pub to: usize,
}

/// Per-token scope decisions for one answer.
#[derive(Debug, Clone, Default)]
pub struct Scopes {
    pub occurrences: Vec<Occurrence>,
    /// Index into `occurrences` of the trigger negating each token.
    negated: Vec<Option<u32>>,
    hypothetical: Vec<Option<u32>>,
}

/// How a span of tokens stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Affirmed,
    Negated(usize),
    Hypothetical(usize),
}

impl Scopes {
    #[cfg(test)]
    pub fn find(n: &Normalized<'_>, triggers: &Triggers) -> Self {
        let classes: Vec<u8> = (0..n.tokens.len())
            .map(|i| {
                if triggers.by_first.contains_key(n.token_text(i)) {
                    TRIGGER_START
                } else {
                    0
                }
            })
            .collect();
        Self::find_tagged(n, triggers, &classes)
    }

    /// The scopes of an answer, given each token's lexicon classes: only tokens marked
    /// [`TRIGGER_START`] are looked up as triggers.
    pub fn find_tagged(n: &Normalized<'_>, triggers: &Triggers, classes: &[u8]) -> Self {
        let count = n.tokens.len();
        let mut scopes = Scopes {
            occurrences: Vec::new(),
            negated: vec![None; count],
            hypothetical: vec![None; count],
        };
        for &(start, end) in &n.sentences {
            let first = scopes.occurrences.len();
            let mut i = start;
            while i < end {
                if classes.get(i).is_none_or(|c| c & TRIGGER_START == 0) {
                    i += 1;
                    continue;
                }
                match triggers.at(n, i, end) {
                    Some((len, class)) => {
                        scopes.occurrences.push(Occurrence {
                            class,
                            from: i,
                            to: i + len,
                        });
                        i += len;
                    }
                    None => i += 1,
                }
            }
            let found = scopes.occurrences.len();
            for k in first..found {
                let occ = scopes.occurrences[k];
                let next_trigger = |kinds: &dyn Fn(Class) -> bool| {
                    scopes.occurrences[k + 1..found]
                        .iter()
                        .find(|o| kinds(o.class))
                        .map_or(end, |o| o.from)
                };
                match occ.class {
                    Class::PreNegation | Class::ClauseNegation => {
                        let stop = next_trigger(&|c| c != Class::Pseudo);
                        let (limit, stop) = if occ.class == Class::ClauseNegation {
                            let subject =
                                (occ.to..stop).find(|&t| SUBJECTS.contains(&n.token_text(t)));
                            (Gap::Comma, subject.unwrap_or(stop))
                        } else {
                            (Gap::Clause, stop)
                        };
                        mark_forward(n, &mut scopes.negated, occ.to, stop, limit, k);
                    }
                    Class::Hypothetical | Class::Condition => {
                        let stop = next_trigger(&|c| c == Class::Termination);
                        let limit = if occ.class == Class::Condition {
                            Gap::Comma
                        } else {
                            Gap::Clause
                        };
                        mark_forward(n, &mut scopes.hypothetical, occ.to, stop, limit, k);
                    }
                    Class::PostNegation => {
                        let floor = scopes.occurrences[first..k]
                            .iter()
                            .rev()
                            .find(|o| o.class == Class::Termination)
                            .map_or(start, |o| o.to)
                            .max(occ.from.saturating_sub(5));
                        // The separator between t-1 and t is recorded on token t.
                        let mut t = occ.from;
                        while t > floor && n.tokens[t].gap < Gap::Clause {
                            t -= 1;
                            scopes.negated[t].get_or_insert(k as u32);
                        }
                    }
                    Class::Pseudo | Class::Termination => {}
                }
            }
        }
        scopes
    }

    /// Negated wins over hypothetical; any token of the span in scope puts the span in scope.
    pub fn standing(&self, from: usize, to: usize) -> Standing {
        let to = to.min(self.negated.len());
        if let Some(k) = (from..to).find_map(|t| self.negated[t]) {
            return Standing::Negated(k as usize);
        }
        if let Some(k) = (from..to).find_map(|t| self.hypothetical[t]) {
            return Standing::Hypothetical(k as usize);
        }
        Standing::Affirmed
    }
}

#[allow(clippy::needless_range_loop)]
fn mark_forward(
    n: &Normalized<'_>,
    marks: &mut [Option<u32>],
    from: usize,
    stop: usize,
    limit: Gap,
    k: usize,
) {
    for t in from..stop {
        if n.tokens[t].gap >= limit {
            break;
        }
        marks[t].get_or_insert(k as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing_of(answer: &str, word: &str) -> Standing {
        let n = Normalized::new(answer);
        let scopes = Scopes::find(&n, &Triggers::new());
        let i = (0..n.tokens.len())
            .find(|&i| n.token_text(i) == word)
            .unwrap_or(usize::MAX);
        assert!(i != usize::MAX, "{word} not in {answer}");
        match scopes.standing(i, i + 1) {
            Standing::Affirmed => Standing::Affirmed,
            Standing::Negated(_) => Standing::Negated(0),
            Standing::Hypothetical(_) => Standing::Hypothetical(0),
        }
    }

    const NEG: Standing = Standing::Negated(0);
    const HYP: Standing = Standing::Hypothetical(0);
    const AFF: Standing = Standing::Affirmed;

    #[test]
    fn pre_negation_runs_to_termination() {
        assert_eq!(
            standing_of("it's not disk io, but the run queue is high", "disk"),
            NEG
        );
        assert_eq!(
            standing_of("it's not disk io, but the run queue is high", "queue"),
            AFF
        );
        assert_eq!(
            standing_of("It's lock contention, not IO.", "contention"),
            AFF
        );
        assert_eq!(standing_of("It's lock contention, not IO.", "io"), NEG);
    }

    #[test]
    fn because_terminates() {
        assert_eq!(standing_of("it's not io because wa is 0", "io"), NEG);
        assert_eq!(standing_of("it's not io because wa is 0", "wa"), AFF);
    }

    #[test]
    fn post_negation_looks_back_five_tokens() {
        assert_eq!(standing_of("Memory pressure is ruled out.", "memory"), NEG);
        assert_eq!(
            standing_of("swap one two three four five six is fine", "swap"),
            AFF
        );
    }

    #[test]
    fn pseudo_negation_is_not_a_negation() {
        assert_eq!(
            standing_of("not only lock contention but also memory", "contention"),
            AFF
        );
        assert_eq!(standing_of("no doubt it is contention", "contention"), AFF);
    }

    #[test]
    fn rather_than_stops_at_the_comma() {
        let s = "Rather than adding more threads, cap the pool";
        assert_eq!(standing_of(s, "adding"), NEG);
        assert_eq!(standing_of(s, "cap"), AFF);
    }

    #[test]
    fn hypothetical_until_sentence_end() {
        assert_eq!(standing_of("Maybe add more threads?", "threads"), HYP);
        assert_eq!(
            standing_of("Maybe add more threads? Then cap it.", "cap"),
            AFF
        );
    }

    #[test]
    fn a_condition_covers_its_clause_only() {
        let s = "If r is above the CPU count, cap the pool.";
        assert_eq!(standing_of(s, "count"), HYP);
        assert_eq!(standing_of(s, "pool"), AFF);
        assert_eq!(
            standing_of("if it were lock contention we would see waits", "waits"),
            HYP
        );
    }

    #[test]
    fn scopes_never_cross_sentences() {
        assert_eq!(
            standing_of("It is not IO. Lock contention is the cause.", "contention"),
            AFF
        );
    }
}
