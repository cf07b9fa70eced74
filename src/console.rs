//! The simulated box's shell: keeps the simulation and a time cursor, so a second `vmstat 1 5`
//! shows the next five seconds, as on a real machine.
//!
//! Pure: no IO and no clock. The REPL and `sysdrill show` drive it.

use crate::domain::{Incident, Seed};
use crate::model::Simulation;
use crate::render::ToolError;

#[derive(Debug, Clone)]
pub struct Console {
    simulation: Simulation,
    /// Simulated seconds already consumed by earlier commands.
    cursor: usize,
}

impl Console {
    pub fn new(incident: &Incident, seed: Seed) -> Self {
        Self {
            simulation: Simulation::new(incident, seed),
            cursor: 0,
        }
    }

    /// Runs one command line and returns exactly what the tool prints, advancing time.
    pub fn run(&mut self, line: &str) -> Result<String, ToolError> {
        let _ = line;
        unimplemented!("render: Console::run")
    }

    /// Simulated seconds since the drill started.
    pub fn elapsed_s(&self) -> usize {
        self.cursor
    }

    pub fn simulation(&self) -> &Simulation {
        &self.simulation
    }
}
