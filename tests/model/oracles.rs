//! Queueing oracles (MODEL.md section 4) through the real engine.

use super::build::*;
use sysdrill::domain::*;
use sysdrill::model::Simulation;
use sysdrill::model::engine::EngineParams;

fn long(window_ms: u64) -> EngineParams {
    EngineParams {
        window_ns: window_ms * 1_000_000,
        warmup_ns: window_ms * 100_000,
        max_events: u64::MAX,
    }
}

#[test]
fn smoke_print() {
    let inc = closed_lock(16, 4, 5.0, 20.0, LockKind::Mutex, Costs::default());
    let mut sim = Simulation::new(&inc, Seed(1));
    sim.advance_to(2);
    let t = sim.trace();
    eprintln!("{:?}", sim.params());
    eprintln!("{:?}", t.samples[1].cpus);
    eprintln!(
        "r={} b={} cs={} in={}",
        t.samples[1].runnable,
        t.samples[1].blocked,
        t.samples[1].context_switches,
        t.samples[1].interrupts
    );
    eprintln!("{:?}", t.samples[1].locks);
    eprintln!("{:?}", t.samples[1].app);
    eprintln!("events {}", sim.last_window().events);
    let _ = long(1);
}
