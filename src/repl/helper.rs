//! The rustyline helper: tab completion of whole command lines (REPL commands, tool commands,
//! `start ID`), a greyed hint of the rest of a command as it is typed, and the multi-line rule.
//!
//! Multi-line answers: a line ending with a backslash continues on the next line (the validator
//! reports it incomplete, so Enter inserts a newline); [`join_continuations`] then removes each
//! backslash-newline pair, keeping the line break. The piped reader applies the same rule.
//!
//! Must not: print, or touch the interview; it only sees the line being edited.

use std::borrow::Cow;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

#[derive(Debug, Clone, Default)]
pub struct ReplHelper {
    /// Every line completion may offer, sorted and deduplicated.
    lines: Vec<String>,
    /// Grey hints (ANSI dim) when colours are on.
    color: bool,
}

impl ReplHelper {
    pub fn new(color: bool) -> Self {
        Self {
            lines: Vec::new(),
            color,
        }
    }

    /// Replaces what completion offers (home screen and drill sessions offer different lines).
    pub fn set_lines(&mut self, lines: impl IntoIterator<Item = String>) {
        let mut lines: Vec<String> = lines.into_iter().collect();
        lines.sort();
        lines.dedup();
        self.lines = lines;
    }

    /// Whole lines starting with what is typed before the cursor.
    pub fn candidates(&self, typed: &str) -> Vec<&str> {
        if typed.trim().is_empty() {
            return Vec::new();
        }
        self.lines
            .iter()
            .filter(|line| line.starts_with(typed) && line.len() > typed.len())
            .map(String::as_str)
            .collect()
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let typed = line.get(..pos).unwrap_or(line);
        let pairs = self
            .candidates(typed)
            .into_iter()
            .map(|candidate| Pair {
                display: candidate.to_owned(),
                replacement: candidate.to_owned(),
            })
            .collect();
        Ok((0, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if pos < line.len() {
            return None;
        }
        self.candidates(line)
            .first()
            .map(|candidate| candidate[line.len()..].to_owned())
    }
}

impl Highlighter for ReplHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        false
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        if continues(ctx.input()) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Helper for ReplHelper {}

/// Whether a line asks to continue on the next one (ends with a single, unescaped backslash).
pub fn continues(line: &str) -> bool {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let backslashes = trimmed.len() - trimmed.trim_end_matches('\\').len();
    backslashes % 2 == 1
}

/// Removes the continuation backslashes from a multi-line answer, keeping the line breaks.
pub fn join_continuations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let lines: Vec<&str> = text.split('\n').collect();
    for (index, line) in lines.iter().enumerate() {
        if index + 1 < lines.len() && continues(line) {
            let trimmed = line.trim_end_matches([' ', '\t']);
            out.push_str(&trimmed[..trimmed.len() - 1]);
            out.push('\n');
        } else {
            out.push_str(line);
            if index + 1 < lines.len() {
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_whole_lines_from_a_prefix() {
        let mut helper = ReplHelper::new(false);
        helper.set_lines(
            [
                "perf lock report",
                "perf lock contention",
                "perf top",
                "help",
            ]
            .map(String::from),
        );
        assert_eq!(
            helper.candidates("perf lock"),
            vec!["perf lock contention", "perf lock report"]
        );
        assert_eq!(
            helper.candidates("perf lock c"),
            vec!["perf lock contention"]
        );
        assert!(helper.candidates("").is_empty());
        assert!(helper.candidates("help").is_empty());
        assert!(helper.candidates("I think").is_empty());
    }

    #[test]
    fn backslash_continues_a_line() {
        assert!(continues("first part \\"));
        assert!(!continues("a literal \\\\"));
        assert!(!continues("plain"));
        assert_eq!(
            join_continuations("first \\\nsecond \\\nthird"),
            "first \nsecond \nthird"
        );
        assert_eq!(join_continuations("one line"), "one line");
    }
}
