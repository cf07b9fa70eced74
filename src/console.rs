//! The simulated box's shell: keeps the simulation and a time cursor, so a second `vmstat 1 5`
//! shows the next four seconds, as on a real machine, and remembers the last
//! `perf lock record` so a later `perf lock report` reads that window.
//!
//! Pure: no IO and no clock. The REPL and `sysdrill show` drive it. How much time each command
//! consumes is documented in `render::argv`.

use crate::domain::{Incident, Seed};
use crate::model::Simulation;
use crate::render::{self, LockSource, ToolCommand, ToolError, Window};

#[derive(Debug, Clone)]
pub struct Console {
    simulation: Simulation,
    /// Simulated seconds already consumed by earlier commands.
    cursor: usize,
    /// The window of the last `perf lock record` (what `perf.data` holds).
    recording: Option<Window>,
}

impl Console {
    pub fn new(incident: &Incident, seed: Seed) -> Self {
        Self::from_simulation(Simulation::new(incident, seed))
    }

    /// A console over an existing simulation, with the cursor at its start.
    pub fn from_simulation(simulation: Simulation) -> Self {
        Self {
            simulation,
            cursor: 0,
            recording: None,
        }
    }

    /// Runs one command line and returns exactly what the tool prints, advancing time.
    pub fn run(&mut self, line: &str) -> Result<String, ToolError> {
        let mut command = render::parse_command(line)?;
        match command.tool_mut() {
            ToolCommand::PerfLockReport { source, .. }
            | ToolCommand::PerfLockContention { source, .. } => {
                if let LockSource::Recorded(window) = source {
                    match self.recording {
                        Some(recorded) => *window = Some(recorded),
                        None => {
                            return Err(ToolError {
                                message: "  Error: failed to open perf.data: No such file or directory  (try 'perf lock record' first)".to_owned(),
                            });
                        }
                    }
                }
            }
            ToolCommand::PerfLockRecord { seconds } => {
                self.recording = Some(Window {
                    start: self.cursor,
                    seconds: *seconds as usize,
                });
            }
            ToolCommand::Inspect(inspect) => {
                inspect.use_recording(&mut self.recording, self.cursor)
            }
            _ => {}
        }
        let seconds = command.seconds();
        let start = self.cursor;
        self.simulation.advance_to(start + seconds);
        let output = render::render(self.simulation.trace(), &command, start);
        self.cursor = start + seconds;
        Ok(output)
    }

    /// Simulated seconds since the drill started.
    pub fn elapsed_s(&self) -> usize {
        self.cursor
    }

    pub fn simulation(&self) -> &Simulation {
        &self.simulation
    }
}
