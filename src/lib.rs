//! sysdrill: mock interviews for Linux performance and concurrency.
//!
//! A candidate investigates a simulated machine with the commands they would type on a real box,
//! explains their reasoning, and is scored against a rubric with visible evidence. Read
//! ARCHITECTURE.md for the map; modules are listed here in reading order, from the data model
//! outwards to the edges that do IO.

pub mod domain;
pub mod suggest;
pub mod term;
pub mod walk;

pub mod content;

pub mod model;
pub mod render;

pub mod console;

pub mod score;

pub mod commands;
pub mod interview;

pub mod transcript;

pub mod grade;
pub mod progress;
pub mod repl;

pub mod app;
pub mod cli;

use std::ffi::OsString;
use std::process::ExitCode;

/// Runs sysdrill with the given arguments (program name first) and returns the exit code:
/// 0 ok, 1 findings (lint errors, failing examples, bad transcripts), 2 usage.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    app::run(args)
}
