//! Reading a transcript file of unknown quality: JSON (as the REPL writes it) or YAML (written by
//! hand), with a clear reason for every file that cannot be used.

use std::path::Path;

use super::Transcript;

/// Why a transcript file was rejected (shown per file by `grade`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct LoadError {
    pub reason: String,
}

/// Parses a transcript from its bytes; `path` decides nothing but appears in errors.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Transcript, LoadError> {
    let _ = (path, bytes);
    unimplemented!("transcript: load::parse")
}

/// Reads and parses one file.
pub fn load(path: &Path) -> Result<Transcript, LoadError> {
    let bytes = std::fs::read(path).map_err(|error| LoadError {
        reason: format!("cannot read: {error}"),
    })?;
    parse(path, &bytes)
}
