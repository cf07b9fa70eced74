//! Parsing the tool command lines a candidate types (`vmstat -w 1 5`, `perf lock contention -a -b`)
//! into a [`ToolCommand`], with short, plausible errors for unknown tools and flags.

/// A parsed tool invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolCommand {
    Placeholder,
}

impl ToolCommand {
    /// Simulated seconds the command consumes (the time cursor moves on by this much).
    pub fn seconds(&self) -> usize {
        unimplemented!("render: ToolCommand::seconds")
    }
}

/// What a shell would print for a bad invocation, e.g. `vmstat: invalid option -- 'q'`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ToolError {
    pub message: String,
}

pub fn parse_command(line: &str) -> Result<ToolCommand, ToolError> {
    let _ = line;
    unimplemented!("render: parse_command")
}
