//! Batch grading: walk transcript files, re-score them in parallel against the current rubric,
//! and report in a deterministic order; a bad file is reported and skipped.

use std::process::ExitCode;

use crate::cli::GradeArgs;
use crate::content::Catalog;

/// `sysdrill grade`: exit 0 when every file graded, 1 when any was bad.
pub fn run(catalog: &Catalog, args: &GradeArgs) -> std::io::Result<ExitCode> {
    let _ = (catalog, args);
    unimplemented!("grade: run")
}
