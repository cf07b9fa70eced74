//! Located diagnostics for content authors: `file:line:col`, the source line with a caret, what is
//! wrong and a suggestion, rustc style. Building and rendering only; finding the location is the
//! job of `yaml` (parse errors) and `locate` (semantic errors).

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// 1-based; 0 when the problem is about the whole file.
    pub line: usize,
    /// 1-based.
    pub col: usize,
    /// Lowercase fragment without a trailing period.
    pub message: String,
    /// The source line the caret points into.
    pub source_line: Option<String>,
    /// "did you mean `slow-under-load`?" and the like.
    pub help: Option<String>,
    pub severity: Severity,
}

/// How serious a diagnostic is: only errors make `lint` fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Severity {
    /// The file cannot be used as written.
    #[default]
    Error,
    /// It works, but probably not as meant.
    Warning,
    /// Worth knowing: nothing is wrong.
    Note,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path.display(),
            self.line,
            self.col,
            self.severity.label(),
            self.message
        )
    }
}

impl Diagnostic {
    /// A problem with the whole file (cannot read it, bad name, …): no line, no caret.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line: 0,
            col: 0,
            message: message.into(),
            source_line: None,
            help: None,
            severity: Severity::Error,
        }
    }

    /// A problem at `line:col` (1-based) of `source`; the line's text is kept for the caret.
    pub fn at(
        path: &Path,
        source: &str,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        let source_line = if line == 0 {
            None
        } else {
            source
                .lines()
                .nth(line - 1)
                .map(|text| text.trim_end_matches('\r').to_owned())
        };
        Self {
            path: path.to_path_buf(),
            line,
            col: if line == 0 { 0 } else { col.max(1) },
            message: message.into(),
            source_line,
            help: None,
            severity: Severity::Error,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// rustc-style: `error: msg`, ` --> file:line:col`, the source line, a caret, `help: …`,
    /// then a blank line so that consecutive diagnostics stay apart.
    ///
    /// Everything taken from a file (the message quotes keys and values, the path may be any
    /// name) is shown with [`crate::term::visible_line`], and the source line is cut to a window
    /// around the caret: a diagnostic never prints more than one short line of any file.
    pub fn render(&self) -> String {
        use crate::term::visible_line;
        let mut out = format!(
            "{}: {}\n",
            self.severity.label(),
            visible_line(&self.message)
        );
        let path = self.path.display().to_string();
        let location = if self.line == 0 {
            visible_line(&path).into_owned()
        } else {
            format!("{}:{}:{}", visible_line(&path), self.line, self.col)
        };
        let gutter = if self.line == 0 {
            1
        } else {
            self.line.to_string().len()
        };
        let pad = " ".repeat(gutter);
        out.push_str(&format!("{pad}--> {location}\n"));
        if let Some(text) = &self.source_line {
            let (shown, col) = window(&sanitize(text), self.col);
            out.push_str(&format!("{pad} |\n"));
            out.push_str(&format!("{} | {}\n", self.line, shown).replace(" | \n", " |\n"));
            let (start, width) = caret_span(&shown, col);
            out.push_str(&format!(
                "{pad} | {}{}\n",
                " ".repeat(start),
                "^".repeat(width)
            ));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("{pad} = help: {}\n", visible_line(help)));
        }
        out.push('\n');
        out
    }
}

/// Tabs and control characters would shift the caret (and escapes would reach the terminal):
/// show them as spaces / `?`, one column each.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() || crate::term::is_hazard(c) => '?',
            c => c,
        })
        .collect()
}

/// At most [`WINDOW`] characters of `line` around the 1-based `col`, with `…` where it was cut,
/// and the column within the window.
fn window(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= WINDOW {
        return (line.to_owned(), col);
    }
    let at = col.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(WINDOW / 4);
    let end = (start + WINDOW).min(chars.len());
    let mut shown = String::new();
    let mut col = at - start + 1;
    if start > 0 {
        shown.push('…');
        col += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, col)
}

/// The most characters of a source line a diagnostic shows.
const WINDOW: usize = 120;

/// Start (0-based chars) and width of the token the caret underlines at 1-based `col`: a quoted
/// scalar up to its closing quote, otherwise up to whitespace, a flow separator or a `: `.
fn caret_span(line: &str, col: usize) -> (usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    let start = col.saturating_sub(1).min(chars.len());
    let Some(&first) = chars.get(start) else {
        return (start, 1);
    };
    let mut end = start + 1;
    if first == '"' || first == '\'' {
        while end < chars.len() && chars[end] != first {
            end += 1;
        }
        end = (end + 1).min(chars.len());
    } else if first == '[' || first == '{' {
        let close = if first == '[' { ']' } else { '}' };
        let mut depth = 0usize;
        end = start;
        while end < chars.len() {
            if chars[end] == first {
                depth += 1;
            } else if chars[end] == close {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    end += 1;
                    break;
                }
            }
            end += 1;
        }
    } else {
        while end < chars.len() {
            let c = chars[end];
            let next = chars.get(end + 1).copied();
            if c.is_whitespace() || matches!(c, ',' | ']' | '}') {
                break;
            }
            if c == ':' && next.is_none_or(char::is_whitespace) {
                break;
            }
            if c == '#' && chars[end - 1].is_whitespace() {
                break;
            }
            end += 1;
        }
    }
    (start, (end - start).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_rustc_style_with_caret_under_the_token() {
        let source = "machine:\n  cpus: 0\n";
        let diagnostic = Diagnostic::at(
            Path::new("incidents/x.yaml"),
            source,
            2,
            9,
            "`cpus` must be at least 1",
        )
        .with_help("a machine has 1..=1024 cpus");
        assert_eq!(
            diagnostic.render(),
            "error: `cpus` must be at least 1\n \
             --> incidents/x.yaml:2:9\n  |\n2 |   cpus: 0\n  |         ^\n  \
             = help: a machine has 1..=1024 cpus\n\n"
        );
    }

    #[test]
    fn caret_covers_keys_quoted_strings_and_flow_collections() {
        assert_eq!(caret_span("  threads: 64", 3), (2, 7));
        assert_eq!(caret_span("  clock: \"1:02\" # x", 10), (9, 6));
        assert_eq!(caret_span("  irq_cpus: [0, 1, [2]]", 13), (12, 11));
        assert_eq!(caret_span("  hostname: a:b", 13), (12, 3));
        assert_eq!(caret_span("short", 40), (5, 1));
    }

    #[test]
    fn long_lines_and_escapes_are_cut_and_shown() {
        let source = format!("key: {}\x1b]52;c;aGk=\x07", "x".repeat(10_000));
        let diagnostic = Diagnostic::at(
            Path::new("a\x1b[2J.yaml"),
            &source,
            1,
            6000,
            "bad `\x1b[31m`",
        );
        let rendered = diagnostic.render();
        assert!(rendered.len() < 600, "{}", rendered.len());
        assert!(!rendered.chars().any(|c| c != '\n' && c.is_control()));
        assert!(rendered.contains("a^[[2J.yaml:1:6000"));
        assert!(rendered.contains("bad `^[[31m`"));
    }

    #[test]
    fn whole_file_problems_have_no_caret() {
        let rendered = Diagnostic::file(Path::new("drills/x.yaml"), "file is empty").render();
        assert_eq!(rendered, "error: file is empty\n --> drills/x.yaml\n\n");
    }
}
