//! Prose for the terminal: reflowed into paragraphs, then wrapped to the width of the terminal
//! at the moment it is printed (so a resized window gets the new width from the next output on).
//!
//! Content files wrap their prose at a fixed column for editing; here those lines are joined back
//! into paragraphs and wrapped again with `textwrap`, never inside a word (a word longer than
//! the line overflows it rather than being cut, and hyphenated words stay whole). Lines that
//! start with whitespace or a list marker keep their own line and wrap under their own indent.
//! Tool output is never passed through here: a real terminal does not reflow `vmstat`.

use textwrap::{Options, WordSplitter};

/// Narrowest width wrapped to; below it lines are left to the terminal.
pub const MIN_WIDTH: usize = 20;

/// `text` reflowed into paragraphs and wrapped at `width` columns.
pub fn prose(text: &str, width: usize) -> String {
    lines(&reflow(text), width)
}

/// Each line of `text` wrapped at `width` on its own (no joining), continuation lines indented
/// under the line's first word: for tables and lists such as `help` and the scorecard.
pub fn lines(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        if width < MIN_WIDTH || line.chars().count() <= width {
            out.push_str(line);
            continue;
        }
        let indent = hanging_indent(line);
        let options = Options::new(width)
            .break_words(false)
            .word_splitter(WordSplitter::NoHyphenation)
            .subsequent_indent(&indent);
        out.push_str(&textwrap::fill(line, options));
    }
    out
}

/// Joins the lines of each paragraph that were wrapped only for editing.
pub fn reflow(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_joins = false;
    for (index, line) in text.split('\n').enumerate() {
        let starts_block =
            line.trim().is_empty() || line.starts_with(char::is_whitespace) || is_list_item(line);
        if index > 0 {
            if previous_joins && !starts_block {
                out.push(' ');
            } else {
                out.push('\n');
            }
        }
        out.push_str(if starts_block { line } else { line.trim_end() });
        // A line ending in a colon introduces what follows on its own lines.
        previous_joins = !line.trim().is_empty()
            && !line.starts_with(char::is_whitespace)
            && !line.trim_end().ends_with(':');
    }
    out
}

fn is_list_item(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with("- ")
        || trimmed.starts_with("* ")
        || trimmed.split_once(". ").is_some_and(|(number, _)| {
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())
        })
}

/// Continuation lines sit under the text after the line's marker (`  [x] `, `- `, `Hint 1: `
/// stays plain): its leading whitespace plus the marker's width, capped so deep indents still
/// leave room for words.
fn hanging_indent(line: &str) -> String {
    let leading = line.len() - line.trim_start().len();
    let rest = &line[leading..];
    let marker = ["[x] ", "[ ] ", "[!] ", "- ", "* ", "+ "]
        .iter()
        .find(|marker| rest.starts_with(**marker))
        .map_or(0, |marker| marker.len());
    let extra = if leading > 0 && marker == 0 {
        2
    } else {
        marker
    };
    " ".repeat((leading + extra).min(16))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflows_editor_wrapped_paragraphs() {
        let text = "The order service is timing out: p99 jumps\npast a millisecond.\n\nWhere do you start?";
        assert_eq!(
            reflow(text),
            "The order service is timing out: p99 jumps past a millisecond.\n\nWhere do you start?"
        );
        // Indented lines and list items keep their own lines.
        assert_eq!(
            reflow("Commands:\n  hint  a hint\n  score"),
            "Commands:\n  hint  a hint\n  score"
        );
        assert_eq!(reflow("Steps:\n- one\n- two"), "Steps:\n- one\n- two");
        assert_eq!(
            reflow("Type text.\nCommands:\nhelp"),
            "Type text. Commands:\nhelp"
        );
    }

    #[test]
    fn never_breaks_inside_a_word() {
        let text = "The order service on app01 is timing out at peak: every few seconds p99 jumps \
                    past a millisecond and clients give up; a lock-bound workload and \
                    native_queued_spin_lock_slowpath stay whole.";
        for width in [20, 60, 80, 120] {
            let wrapped = prose(text, width);
            let words: Vec<&str> = wrapped.split_whitespace().collect();
            let original: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(words, original, "width {width}");
            for line in wrapped.lines() {
                let long_word = line.split_whitespace().count() == 1;
                assert!(
                    line.chars().count() <= width || long_word,
                    "{width}: {line}"
                );
            }
        }
    }

    #[test]
    fn list_lines_hang_under_their_marker() {
        let line = "  [ ] vmstat r climbs above the CPU count: more runnable threads than cores";
        let wrapped = lines(line, 40);
        assert!(
            wrapped.lines().skip(1).all(|l| l.starts_with("      ")),
            "{wrapped}"
        );
    }
}
