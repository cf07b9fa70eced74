//! A score report as text for a terminal (coloured by `colored`, which the app configures).

use std::io::{self, Write};

use crate::domain::Drill;
use crate::score::ScoreReport;

pub fn write_text(out: &mut impl Write, drill: &Drill, report: &ScoreReport) -> io::Result<()> {
    let _ = (out, drill, report);
    unimplemented!("score: write_text")
}
