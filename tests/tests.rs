//! The one integration-test binary: each module drives the real `sysdrill` binary or the public
//! library API for one area. Snapshots live in `tests/snapshots/`, fixtures in `tests/fixtures/`.

mod common;

mod cli;
mod content;
mod curriculum;
mod grade;
mod hostile;
mod model;
mod render;
mod repl;
mod score;
mod session;
mod signatures;
mod version;
