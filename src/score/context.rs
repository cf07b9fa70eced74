//! What surrounds each token of an answer, beyond negation and hedges (`scope`): the clause it
//! sits in (ideas need their roles in one clause; evidence quotes the clause), whether it is
//! inside quotation marks, whether it is part of a command line typed as an answer, and whether
//! its sentence reports a claim in order to reject it ("the idea that more threads help is a
//! myth").
//!
//! Rules, as implemented:
//! - A clause ends at a clause mark (`;`, `:`, brackets), a sentence end, or a comma that opens
//!   a new clause: one followed, before the next comma, by a verb, pronoun or relative word (as
//!   `scope` decides), or one closing a clause that began with a subordinator ("if", "when",
//!   "because" … [`SUBORDINATORS`]).
//! - Quotation marks pair within a sentence: a stretch between two `"` (or two `'` standing
//!   outside words) is quoted. A sentence with an unpaired mark has nothing quoted, so one stray
//!   mark cannot hide the rest of an answer.
//! - A command: a tool name ([`super::tags::TOOL`]) followed by its arguments, that is words
//!   written right after a `-`, numbers, single letters and the subcommands of [`SUBCOMMANDS`]
//!   ("perf lock contention", "mpstat -P ALL 1"). The tool name is part of it.
//! - A rejecting frame: a word or phrase of [`REJECTING`] in the sentence.
//!
//! Linear in the answer: one pass each. Owns only these facts; must not decide credit.

use super::normalize::{Gap, Normalized};
use super::scope;
use super::tags;

/// Subcommands and argument words that continue a command line after the tool's name.
const SUBCOMMANDS: &[&str] = &[
    "lock",
    "contention",
    "record",
    "report",
    "top",
    "stat",
    "sched",
    "latency",
    "timehist",
    "trace",
    "script",
    "c2c",
    "mem",
    "all",
    "x",
    "xz",
    "p",
    "u",
    "w",
    "a",
    "g",
    "d",
    "t",
    "s",
    "c",
    "h",
    "e",
    "m",
    "k",
    "r",
    "i",
    "n",
    "dev",
    "softirqs",
    "interrupts",
    "wchan",
    "stack",
    "status",
];

/// Words that open a subordinate clause: the comma that closes it opens the main clause ("If
/// that is not enough, add more threads").
const SUBORDINATORS: &[&str] = &[
    "if", "when", "whenever", "once", "unless", "because", "since", "although", "though", "while",
    "whether", "assuming", "after", "before", "until",
];

/// Words and phrases with which a candidate reports a claim to reject it.
pub const REJECTING: &[&[&str]] = &[
    &["myth"],
    &["misconception"],
    &["misconceptions"],
    &["fallacy"],
    &["wrong"],
    &["false"],
    &["untrue"],
    &["incorrect"],
    &["mistake"],
    &["mistaken"],
    &["misleading"],
    &["naive"],
    &["not", "true"],
    &["isn't", "true"],
    &["people", "think"],
    &["people", "assume"],
    &["people", "say"],
    &["some", "say"],
    &["some", "people"],
    &["you", "might", "think"],
    &["one", "might", "think"],
    &["it's", "tempting"],
    &["it", "is", "tempting"],
    &["common", "belief"],
    &["used", "to", "think"],
    &["used", "to", "believe"],
    &["the", "claim", "that"],
];

/// The per-token facts of one answer.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Per token: the index of its clause.
    pub clause: Vec<u32>,
    /// The first token of each clause.
    pub clause_starts: Vec<usize>,
    /// Per token: inside quotation marks.
    pub quoted: Vec<bool>,
    /// Per token: part of a command line.
    pub command: Vec<bool>,
    /// Rejecting frames, as token ranges in order.
    pub rejections: Vec<(usize, usize)>,
}

impl Context {
    pub fn new(n: &Normalized<'_>, classes: &[u8]) -> Self {
        let count = n.tokens.len();
        let mut context = Context {
            clause: Vec::with_capacity(count),
            clause_starts: Vec::new(),
            quoted: vec![false; count],
            command: vec![false; count],
            rejections: Vec::new(),
        };
        for &(start, end) in &n.sentences {
            let mut subordinate = false;
            for t in start..end {
                let gap = n.tokens[t].gap;
                let opens = t == start
                    || gap >= Gap::Clause
                    || (gap == Gap::Comma
                        && (subordinate || scope::opens_clause(n, classes, t, end)));
                if opens {
                    context.clause_starts.push(t);
                    subordinate = SUBORDINATORS.contains(&n.token_text(t));
                }
                context
                    .clause
                    .push(context.clause_starts.len().saturating_sub(1) as u32);
            }
            context.mark_quotes(n, start, end);
            context.find_rejections(n, classes, start, end);
        }
        context.mark_commands(n, classes);
        context
    }

    /// Tokens `from..to` of the clause(s) spanning tokens `first..last` (inclusive of both).
    pub fn clause_span(&self, first: usize, last: usize) -> (usize, usize) {
        let Some(&c) = self.clause.get(first) else {
            return (first, last + 1);
        };
        let from = self.clause_starts[c as usize];
        let last_clause = self.clause.get(last).copied().unwrap_or(c) as usize;
        let to = self
            .clause_starts
            .get(last_clause + 1)
            .copied()
            .unwrap_or(self.clause.len());
        (from, to.max(last + 1))
    }

    /// Pairs quotation marks inside sentence `start..end` (see the module rule).
    fn mark_quotes(&mut self, n: &Normalized<'_>, start: usize, end: usize) {
        let bytes = n.text.as_bytes();
        // The text before each token back to the previous token, and after the last one to
        // the next sentence.
        let gap_before = |t: usize| {
            let from = if t == 0 { 0 } else { n.tokens[t - 1].end };
            let gap = &bytes[from..n.tokens[t].start];
            // Before a sentence's first token, only what follows the previous sentence's end.
            match gap
                .iter()
                .rposition(|b| matches!(b, b'.' | b'!' | b'?' | b'\n'))
            {
                Some(at) if t == start => &gap[at + 1..],
                _ => gap,
            }
        };
        let (mut double, mut single) = (false, false);
        let mut marks = 0usize;
        for t in start..end {
            for &b in gap_before(t) {
                match b {
                    b'"' => {
                        double = !double;
                        marks += 1;
                    }
                    b'\'' => {
                        single = !single;
                        marks += 1;
                    }
                    _ => {}
                }
            }
            self.quoted[t] = double || single;
        }
        let tail_to = n.tokens.get(end).map_or(bytes.len(), |t| t.start);
        let tail = &bytes[n.tokens[end - 1].end..tail_to];
        // The marks right after the last word (`threads".`), up to the first space.
        for &b in tail.iter().take_while(|b| !b.is_ascii_whitespace()) {
            match b {
                b'"' => double = !double,
                b'\'' => single = !single,
                _ => {}
            }
        }
        // The opening mark of this sentence may have been counted in the gap before its first
        // token; an unpaired mark leaves the whole sentence unquoted.
        if double || single || marks == 0 {
            self.quoted[start..end].fill(false);
        }
    }

    fn find_rejections(&mut self, n: &Normalized<'_>, classes: &[u8], start: usize, end: usize) {
        for t in start..end {
            if classes.get(t).is_none_or(|c| c & tags::REJECT_START == 0) {
                continue;
            }
            for words in REJECTING {
                if t + words.len() <= end
                    && words
                        .iter()
                        .enumerate()
                        .all(|(k, w)| n.token_text(t + k) == *w)
                {
                    self.rejections.push((t, t + words.len()));
                    break;
                }
            }
        }
    }

    fn mark_commands(&mut self, n: &Normalized<'_>, classes: &[u8]) {
        let bytes = n.text.as_bytes();
        let mut t = 0;
        while t < n.tokens.len() {
            if classes.get(t).is_none_or(|c| c & tags::TOOL == 0) {
                t += 1;
                continue;
            }
            let mut u = t + 1;
            while u < n.tokens.len() && n.tokens[u].gap < Gap::Comma {
                let word = n.token_text(u);
                let flag = bytes[n.tokens[u - 1].end..n.tokens[u].start].contains(&b'-');
                if !(flag || n.tokens[u].numeric || SUBCOMMANDS.contains(&word)) {
                    break;
                }
                u += 1;
            }
            if u > t + 1 {
                self.command[t..u].fill(true);
            }
            t = u;
        }
    }

    /// The rejecting frame in the sentence of tokens `from..to` that lies outside them, if any.
    pub fn rejection(&self, n: &Normalized<'_>, from: usize, to: usize) -> Option<(usize, usize)> {
        let token = n.tokens.get(from)?;
        let (s_from, s_to) = n.sentences[token.sentence as usize];
        let first = self.rejections.partition_point(|&(f, _)| f < s_from);
        self.rejections[first..]
            .iter()
            .take_while(|&&(f, _)| f < s_to)
            .find(|&&(f, e)| e <= from || f >= to)
            .copied()
    }

    /// Whether every token of `from..to` is quoted.
    pub fn is_quoted(&self, from: usize, to: usize) -> bool {
        from < to
            && self
                .quoted
                .get(from..to)
                .is_some_and(|q| q.iter().all(|&b| b))
    }

    /// Whether every token of `from..to` belongs to a command line.
    pub fn is_command(&self, from: usize, to: usize) -> bool {
        from < to
            && self
                .command
                .get(from..to)
                .is_some_and(|q| q.iter().all(|&b| b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::tags::Tagger;

    fn context(text: &str) -> (Normalized<'_>, Context) {
        let n = Normalized::new(text);
        let classes = Tagger::new(&["perf", "mpstat"], &[]).tag(&n).classes;
        let context = Context::new(&n, &classes);
        (n, context)
    }

    fn token(n: &Normalized<'_>, word: &str) -> usize {
        (0..n.tokens.len())
            .find(|&i| n.token_text(i) == word)
            .unwrap_or_else(|| panic!("{word}"))
    }

    #[test]
    fn quotes_pair_within_a_sentence() {
        let (n, c) = context("Someone said \"add more threads\" and that fails. Add more.");
        assert!(c.quoted[token(&n, "threads")]);
        assert!(!c.quoted[token(&n, "fails")]);
        let (n, c) = context("A stray \" mark here. add threads now");
        assert!(!c.quoted[token(&n, "mark")]);
        assert!(!c.quoted[token(&n, "threads")]);
        let (n, c) = context("They call it 'lock convoy' in the docs.");
        assert!(c.quoted[token(&n, "convoy")]);
        assert!(!c.quoted[token(&n, "docs")]);
    }

    #[test]
    fn command_lines_are_the_tool_and_its_arguments() {
        let (n, c) = context("perf lock contention. perf lock shows one lock dominates");
        assert!(c.is_command(0, 3));
        let shows = token(&n, "shows");
        assert!(!c.command[shows] && !c.command[shows + 2]);
        let (n, c) = context("I ran mpstat -P ALL 1 and saw it");
        assert!(c.command[token(&n, "all")]);
        assert!(!c.command[token(&n, "saw")]);
    }

    #[test]
    fn clauses_end_at_clause_commas_and_marks() {
        let (n, c) = context("If that is not enough, add more threads; then measure.");
        assert_ne!(c.clause[token(&n, "enough")], c.clause[token(&n, "add")]);
        assert_ne!(c.clause[token(&n, "threads")], c.clause[token(&n, "then")]);
        let (n, c) = context("The lock is held too long, so threads queue behind it");
        assert_eq!(c.clause[token(&n, "lock")], c.clause[token(&n, "long")]);
        assert_ne!(c.clause[token(&n, "lock")], c.clause[token(&n, "queue")]);
    }

    #[test]
    fn rejections_lie_outside_the_claim() {
        let (n, c) = context("The idea that readers never contend is a myth.");
        let readers = token(&n, "readers");
        assert!(c.rejection(&n, readers, readers + 3).is_some());
        let (n, c) = context("Readers never contend.");
        assert!(c.rejection(&n, 0, 3).is_none());
    }
}
