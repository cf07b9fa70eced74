//! `sysdrill check`: run a drill's calibration examples and list pushback rules no example reaches.

use std::io::{self, Write};

use crate::domain::Drill;

#[derive(Debug, Clone, Default)]
pub struct CheckReport {}

impl CheckReport {
    pub fn failures(&self) -> usize {
        unimplemented!("score: CheckReport::failures")
    }
}

pub fn run_examples(drill: &Drill) -> CheckReport {
    let _ = drill;
    unimplemented!("score: run_examples")
}

pub fn write_report(out: &mut impl Write, drill: &Drill, report: &CheckReport) -> io::Result<()> {
    let _ = (out, drill, report);
    unimplemented!("score: write_report")
}
