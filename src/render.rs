//! Renderers: pure functions from a [`Trace`] to the exact text a real tool prints
//! (TOOL-FORMATS.md), plus the parser for the command lines a candidate types.
//!
//! Architecture invariant: renderers never drive the simulation and never query the terminal;
//! they read samples `[start, start + seconds)` of a trace that already holds them.

pub mod argv;

use crate::model::Trace;

pub use argv::{ToolCommand, ToolError, parse_command};

/// Renders `command` over the samples starting at `start`. The trace must already hold
/// `start + command.seconds()` samples (see [`ToolCommand::seconds`]).
pub fn render(trace: &Trace, command: &ToolCommand, start: usize) -> String {
    let _ = (trace, command, start);
    unimplemented!("render: render")
}
