//! The interviewer's memory of the dialogue: what the candidate has said and been shown, which
//! steps are covered, what was asked last, and which tool runs are still to be discussed.
//!
//! Two rules rest on it. A move may name a cause, a lock, a kernel or application symbol or a
//! concept label only once the candidate has said it or a shown output contains it (the
//! opening counts as shown): otherwise the question would hand over the answer. And the
//! interviewer never says the same thing twice in a row, nor asks again for a step the
//! candidate has covered or answered.
//!
//! Cheap by construction: each text is scanned once when it arrives, for every term at once
//! (one Aho-Corasick pass), and checking a move scans only the move.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};

use crate::domain::{Drill, Incident, Stage};

/// Words that name a cause or mechanism; a move that uses one before the candidate has met it
/// gives the diagnosis away. Matched at the start of a word, so `lock` matches `locks` and
/// `lock-bound` but not `block`.
const CAUSE_WORDS: &[&str] = &[
    "lock",
    "mutex",
    "spin",
    "futex",
    "contend",
    "contention",
    "rwlock",
    "rcu",
    "seqlock",
    "semaphore",
    "deadlock",
    "livelock",
    "critical section",
    "reclaim",
    "swap",
    "kswapd",
    "oom",
    "page cache",
    "allocator",
    "interrupt",
    "irq",
    "softirq",
    "steal",
    "noisy neighbo",
    "numa",
    "oversubscri",
    "run queue",
    "runqueue",
    "cache line",
    "cache-line",
    "false sharing",
    "priority inversion",
    "lockup",
    "hung task",
    "iowait",
];

#[derive(Debug, Clone, Default)]
pub struct Memory {
    /// Leak-prone terms of this drill, lowercase.
    terms: Vec<String>,
    /// Finds every term in one pass; `None` only for the empty default.
    finder: Option<AhoCorasick>,
    /// Parallel to `terms`: said or shown already.
    seen: Vec<bool>,
    /// Identifiers (words with `_`) said or shown, lowercase.
    identifiers: HashSet<String>,
    /// Steps the candidate has covered (a concept of the step hit) or answered a question about.
    covered: BTreeSet<Stage>,
    /// The step the last question asked about, until the next answer.
    asked: Option<Stage>,
    /// How often each step has been asked about.
    asks: BTreeMap<Stage, u32>,
    /// What the interviewer said last.
    last_move: Option<String>,
    /// Tool commands run since the candidate last talked about an output, oldest first.
    undiscussed: Vec<Undiscussed>,
}

/// A tool run not yet talked about: its command, and the parts of its output's identifiers an
/// answer may name to show it read it ([`shown_identifier_parts`]), found once when it ran.
#[derive(Debug, Clone, Default)]
struct Undiscussed {
    command: String,
    parts: HashSet<String>,
}

impl Memory {
    pub fn new(drill: &Drill, incident: Option<&Incident>) -> Self {
        let mut terms: Vec<String> = leak_terms(drill, incident);
        terms.sort();
        terms.dedup();
        let seen = vec![false; terms.len()];
        // Terms are short literals: building cannot fail; without it every term stays unseen,
        // the strict side. A contiguous NFA, not the DFA the builder picks for a few hundred
        // terms: the DFA cost every new session about 6M instructions to build, the NFA a
        // fraction of that, and the texts scanned (answers, tool outputs) are short. Every kind
        // reports the same overlapping matches.
        let finder = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&terms)
            .ok();
        Self {
            terms,
            finder,
            seen,
            ..Self::default()
        }
    }

    /// Records text the candidate said or was shown.
    pub fn observe(&mut self, text: &str) {
        let lower = text.to_lowercase();
        if let Some(finder) = &self.finder {
            for found in finder.find_overlapping_iter(&lower) {
                let at_word_start = !lower[..found.start()]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
                if at_word_start {
                    self.seen[found.pattern().as_usize()] = true;
                }
            }
        }
        self.identifiers
            .extend(identifiers(&lower).map(str::to_owned));
    }

    /// The first term in `text` the candidate has neither said nor been shown.
    pub fn unseen_term<'t>(&'t self, text: &'t str) -> Option<&'t str> {
        let lower = text.to_lowercase();
        let term = self
            .terms
            .iter()
            .zip(&self.seen)
            .find(|(term, seen)| !**seen && contains_word(&lower, term))
            .map(|(term, _)| term.as_str());
        if term.is_some() {
            return term;
        }
        identifiers(text).find(|word| !self.identifiers.contains(&word.to_lowercase()))
    }

    /// Whether the interviewer may say `text` now: it names nothing unseen and is not what it
    /// said last.
    pub fn permits(&self, text: &str) -> bool {
        self.last_move.as_deref() != Some(text.trim()) && self.unseen_term(text).is_none()
    }

    pub fn said(&mut self, text: &str, asked: Option<Stage>) {
        self.last_move = Some(text.trim().to_owned());
        if let Some(stage) = asked
            && self.asked != Some(stage)
        {
            *self.asks.entry(stage).or_insert(0) += 1;
        }
        self.asked = asked;
    }

    /// An answer arrived that reached `stages`. The step the last question asked about is
    /// answered when the answer reached it, or when it has been asked twice already: the
    /// interviewer moves on rather than ask a third time.
    pub fn answered(&mut self, stages: &[Stage]) {
        if let Some(stage) = self.asked.take()
            && (stages.contains(&stage) || self.asks.get(&stage).copied().unwrap_or(0) >= 2)
        {
            self.covered.insert(stage);
        }
        self.covered.extend(stages.iter().copied());
    }

    /// The candidate talked about what they saw (named a tool or cited a number).
    pub fn discussed(&mut self) {
        self.undiscussed.clear();
    }

    /// The step the last question asked about, if it is still open.
    pub fn asked(&self) -> Option<Stage> {
        self.asked
    }

    pub fn cover(&mut self, stage: Stage) {
        self.covered.insert(stage);
    }

    pub fn is_covered(&self, stage: Stage) -> bool {
        self.covered.contains(&stage)
    }

    pub fn covered(&self) -> &BTreeSet<Stage> {
        &self.covered
    }

    /// Records a tool run and what it printed, to be discussed.
    pub fn ran(&mut self, command: &str, output: &str) {
        self.undiscussed.retain(|u| u.command != command);
        self.undiscussed.push(Undiscussed {
            command: command.to_owned(),
            parts: shown_identifier_parts(output),
        });
    }

    /// The latest command run and not yet discussed; taking it marks it discussed.
    pub fn take_undiscussed(&mut self) -> Option<String> {
        self.undiscussed.pop().map(|u| u.command)
    }

    pub fn has_undiscussed(&self) -> bool {
        !self.undiscussed.is_empty()
    }

    /// Whether `answer` names a part of an identifier of an output not yet discussed: "it's
    /// rmqueue_bulk, the zone lock" read the lock table although it cites no number and names
    /// no tool.
    pub fn names_an_undiscussed_output(&self, answer: &str) -> bool {
        if self.undiscussed.iter().all(|u| u.parts.is_empty()) {
            return false;
        }
        let answer = answer.to_lowercase();
        answer
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| self.undiscussed.iter().any(|u| u.parts.contains(word)))
    }
}

/// Parts of kernel and application identifiers too common to show that an answer read one
/// output ("lock", "wait", "queue" name half the rows of every lock table).
const COMMON_IDENTIFIER_PARTS: &[&str] = &[
    "lock", "locks", "locked", "wait", "waits", "wake", "queue", "slow", "path", "fast", "common",
    "thread", "task", "work", "worker", "read", "write", "page", "pages", "mutex", "spin",
    "spinlock", "sleep", "state", "entry", "start", "event", "events", "count",
];

/// What only `output` could have told the candidate: the parts of its identifiers (`rmqueue` of
/// `rmqueue_bulk+0x51`, `futex` of `futex_q_lock`), lowercase, at least four letters and not
/// one of [`COMMON_IDENTIFIER_PARTS`].
fn shown_identifier_parts(output: &str) -> HashSet<String> {
    let output = output.to_lowercase();
    identifiers(&output)
        .flat_map(|word| word.split('_'))
        .filter(|part| {
            part.len() >= 4
                && part.chars().all(|c| c.is_ascii_alphabetic())
                && !COMMON_IDENTIFIER_PARTS.contains(part)
        })
        .map(str::to_owned)
        .collect()
}

/// Every term a move must not name before the candidate meets it: cause words, the incident's
/// locks (ids, classes, callers), application symbols and request paths, and the rubric's
/// concept labels.
pub fn leak_terms(drill: &Drill, incident: Option<&Incident>) -> Vec<String> {
    let mut terms: Vec<String> = CAUSE_WORDS.iter().map(|w| (*w).to_owned()).collect();
    terms.extend(drill.rubric.concepts.iter().map(|c| c.label.to_lowercase()));
    if let Some(incident) = incident {
        for lock in &incident.locks {
            terms.push(lock.id.to_lowercase());
            terms.push(lock.class_name.to_lowercase());
            if let Some(symbol) = lock.caller.split('+').next() {
                terms.push(symbol.to_lowercase());
            }
        }
        for workload in &incident.workloads {
            terms.push(workload.app_symbol.to_lowercase());
            // A slow path's name and hot function point at the cause as much as a lock does.
            for path in &workload.paths {
                terms.push(path.name.to_lowercase());
                terms.push(path.app_symbol.to_lowercase());
            }
        }
    }
    terms.retain(|term| term.len() >= 3);
    terms
}

/// Whether `term` occurs in `text` at the start of a word (both lowercase).
pub fn contains_word(text: &str, term: &str) -> bool {
    text.match_indices(term).any(|(at, _)| {
        !text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric())
    })
}

/// Words with an underscore (kernel and application symbols such as `native_queued_spin_lock`).
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| {
            word.len() > 3 && word.contains('_') && word.chars().any(char::is_alphabetic)
        })
        .map(|word| word.trim_matches('_'))
        .filter(|word| !word.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_a_row_of_an_output_discusses_it() {
        let table = " contended   total wait     max wait     avg wait         type   caller\n\n\
                     112659    474.55 ms     15.52 us      4.21 us     spinlock   rmqueue_bulk+0x51\n\
                      18646      2.70 ms      1.35 us       144 ns     spinlock   futex_q_lock+0x2a\n";
        let mut memory = Memory::default();
        memory.ran("perf lock contention -a -b", table);
        assert!(memory.names_an_undiscussed_output(
            "ok it is the futex hash bucket lock, so a userspace mutex"
        ));
        assert!(
            memory.names_an_undiscussed_output("most of it sits in rmqueue_bulk, the allocator")
        );
        // Words every lock table has, or none of its identifiers, are not a reading.
        assert!(
            !memory.names_an_undiscussed_output(
                "it's lock contention, the threads wait on a spinlock"
            )
        );
        assert!(!memory.names_an_undiscussed_output("shard the lock per key"));
        // Once discussed, naming it again discusses nothing new.
        memory.discussed();
        assert!(!memory.names_an_undiscussed_output("it's rmqueue_bulk"));
        let mut memory = Memory::default();
        memory.ran("vmstat 1 3", "procs r b\n 3 0");
        assert!(!memory.names_an_undiscussed_output("futex"));
    }

    #[test]
    fn word_starts_only() {
        assert!(contains_word("a lock-bound workload", "lock"));
        assert!(contains_word("locks", "lock"));
        assert!(!contains_word("it will block", "lock"));
        assert!(!contains_word("clock", "lock"));
    }

    #[test]
    fn names_nothing_unseen_and_never_repeats() {
        let mut memory = Memory {
            terms: vec!["lock".to_owned()],
            finder: AhoCorasick::new(["lock"]).ok(),
            seen: vec![false],
            ..Memory::default()
        };
        memory.observe("more cores would help");
        assert_eq!(
            memory.unseen_term("What does a lock-bound workload gain from more cores?"),
            Some("lock")
        );
        assert_eq!(
            memory.unseen_term("Is process_request hot?"),
            Some("process_request")
        );
        memory.observe("$ perf top\n  41.2%  order-svc  [.] process_request\n  a lock");
        assert!(memory.permits("What does a lock-bound workload gain?"));
        assert!(memory.permits("Is process_request hot?"));
        memory.said("Why?", None);
        assert!(!memory.permits("Why?"));
    }
}
