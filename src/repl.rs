//! The terminal edge of a practice session: rustyline on a TTY, a plain line reader on a pipe.
//! Turns lines into interview inputs and prints the interviewer's outputs (coloured on a TTY).

use std::path::PathBuf;

use crate::content::Catalog;
use crate::domain::Seed;

#[derive(Debug, Clone)]
pub struct PracticeConfig {
    pub drill: Option<String>,
    pub seed: Option<Seed>,
    pub mode: crate::cli::Mode,
    pub transcript: Option<PathBuf>,
    pub candidate: Option<String>,
}

/// Runs a practice session (or the home screen when no drill is given).
pub fn practice(catalog: &Catalog, config: &PracticeConfig) -> std::io::Result<()> {
    let _ = (catalog, config);
    unimplemented!("repl: practice")
}
