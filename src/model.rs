//! The embedded system model: a seeded discrete-event simulation of threads on CPUs, locks of
//! their real kinds, memory, disks and NICs, producing a [`Trace`] the renderers print.
//!
//! Architecture invariant: pure. No IO, no clock, no unseeded randomness; the same incident and
//! seed give the same trace, and simulating more seconds never changes the ones already produced
//! (a longer run extends a shorter one), so a REPL can keep simulating as time moves on.

pub mod trace;
pub mod variant;
pub mod whatif;

pub use trace::*;

use crate::domain::{Incident, Seed};

/// A running simulation of one incident. Owns the engine state between seconds.
#[derive(Debug, Clone)]
pub struct Simulation {
    trace: Trace,
}

impl Simulation {
    /// Sets up the box described by `incident` (already a concrete variant) and the since-boot
    /// summary; no second is simulated yet.
    pub fn new(incident: &Incident, seed: Seed) -> Self {
        let _ = (incident, seed);
        unimplemented!("model: Simulation::new")
    }

    /// Simulates until the trace holds at least `seconds` samples.
    pub fn advance_to(&mut self, seconds: usize) {
        let _ = seconds;
        unimplemented!("model: Simulation::advance_to")
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }
}

/// Convenience: a fresh simulation run for `seconds`.
pub fn simulate(incident: &Incident, seed: Seed, seconds: usize) -> Trace {
    let mut simulation = Simulation::new(incident, seed);
    simulation.advance_to(seconds);
    simulation.trace
}
