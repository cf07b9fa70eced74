//! Located diagnostics for content authors: `file:line:col`, the source line with a caret, what is
//! wrong and a suggestion, rustc style.

use std::fmt;
use std::path::PathBuf;

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
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.path.display(),
            self.line,
            self.col,
            self.message
        )
    }
}

impl Diagnostic {
    /// rustc-style: `error: msg`, ` --> file:line:col`, the source line, a caret, `help: …`.
    pub fn render(&self) -> String {
        unimplemented!("content: Diagnostic::render")
    }
}
