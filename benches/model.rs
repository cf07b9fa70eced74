//! Model benchmarks (criterion): engine event rate on M/M/1 and on the closed lock model
//! (T = 16, 64; S = 1 µs, Z = 9 µs), and one tool-output-sized simulation (the five seconds
//! `vmstat 1 5` needs on slow-under-load, set-up included).
//!
//! `cargo bench --bench model -- --compare` skips criterion and prints one JSON line per
//! workload (customers/s, events/s, the statistics the oracles check) for
//! `benches/simpy/compare.sh`, which runs the same workloads in SimPy.
//!
//! `cargo bench --bench model -- --once WORKLOAD [N]` runs one workload once and prints its
//! event count (for `vmstat_1_5`, the seconds simulated), for counting instructions under `valgrind --tool=callgrind` (wall clock on a
//! shared machine moves with its load; instruction counts do not). WORKLOAD is `mm1`,
//! `lock16`, `lock64` (N customers or acquisitions, 200,000 by default) or `vmstat_1_5` (N
//! outputs, 1 by default).

#![allow(clippy::disallowed_methods)] // benchmarks measure wall time by definition

#[path = "../tests/model/build.rs"]
#[allow(dead_code)]
mod build;
#[path = "../tests/model/incidents.rs"]
#[allow(dead_code)]
mod incidents;

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use sysdrill::domain::*;
use sysdrill::model::Simulation;
use sysdrill::model::engine::EngineParams;

fn params(sim_ns: u64) -> EngineParams {
    EngineParams {
        window_ns: sim_ns,
        warmup_ns: sim_ns / 100,
        max_events: u64::MAX,
    }
}

/// M/M/1, λ = 0.9, μ = 1 per µs, ~`customers` customers.
fn mm1(customers: u64) -> (Incident, EngineParams) {
    let w = build::workload(
        1,
        Arrivals::Open {
            rate_per_s: 900_000.0,
        },
        1.0,
    );
    let inc = build::incident(build::machine(1), vec![w], vec![], Costs::zero());
    (inc, params(customers * 1_000_000_000 / 900_000))
}

/// Closed lock model: T threads on T CPUs, exponential S = 1 µs, Z = 9 µs, ~`acq` acquisitions.
fn lock_model(t: u32, acq: u64) -> (Incident, EngineParams) {
    let inc = build::closed_lock(t, t, 1.0, 9.0, LockKind::Mutex, Costs::zero());
    let x = sysdrill::model::queueing::mva_lock(1.0, 9.0, t)[t as usize - 1].throughput;
    (inc, params((acq as f64 / x * 1000.0) as u64))
}

fn run(inc: &Incident, p: EngineParams) -> Simulation {
    let mut sim = Simulation::with_params(inc, Seed(1), p);
    sim.advance_to(1);
    sim
}

fn compare() {
    let report = |name: &str,
                  inc: &Incident,
                  p: EngineParams,
                  extra: &dyn Fn(&Simulation) -> String| {
        let mut best = f64::INFINITY;
        let mut sim = None;
        for _ in 0..5 {
            let start = Instant::now();
            let s = run(inc, p);
            best = best.min(start.elapsed().as_secs_f64());
            sim = Some(s);
        }
        let sim = sim.expect("ran");
        let w = sim.last_window();
        // Warm-up pops are part of the run time, so count them too (a 1 % window).
        let events = w.events as f64 * 1.01;
        let customers = w.completed as f64 * 1.01;
        println!(
            "{{\"side\":\"sysdrill\",\"workload\":\"{name}\",\"seconds\":{best:.6},\"events\":{events:.0},\"customers\":{customers:.0},\"events_per_s\":{:.0},\"customers_per_s\":{:.0},{}}}",
            events / best,
            customers / best,
            extra(&sim)
        );
    };
    let (inc, p) = mm1(1_000_000);
    report("mm1", &inc, p, &|sim| {
        let w = sim.last_window();
        format!(
            "\"wq\":{:.4}",
            w.queue_wait_sum_ns / w.completed as f64 / 1000.0
        )
    });
    for t in [16u32, 64] {
        let (inc, p) = lock_model(t, 1_000_000);
        report(&format!("lock{t}"), &inc, p, &|sim| {
            let l = &sim.trace().samples[0].locks[0];
            format!(
                "\"x_per_us\":{:.4},\"wait_us\":{:.4}",
                l.acquired as f64 / 1e6, // acquisitions per second (scaled) per µs
                l.wait_total_ns as f64 / l.acquired as f64 / 1000.0
            )
        });
    }
    let inc = incidents::slow_under_load();
    let start = Instant::now();
    let n = 50;
    for seed in 0..n {
        let mut sim = Simulation::new(&inc, Seed(seed));
        sim.advance_to(5);
        black_box(sim.trace());
    }
    println!(
        "{{\"side\":\"sysdrill\",\"workload\":\"vmstat_1_5\",\"ms_per_output\":{:.3}}}",
        start.elapsed().as_secs_f64() * 1000.0 / n as f64
    );
}

/// One run of one workload, for instruction counts (see the module docs).
fn once(workload: &str, n: Option<u64>) -> Result<(), String> {
    let count = match workload {
        "mm1" => {
            let (inc, p) = mm1(n.unwrap_or(200_000));
            run(&inc, p).last_window().events
        }
        "lock16" | "lock64" => {
            let t = if workload == "lock16" { 16 } else { 64 };
            let (inc, p) = lock_model(t, n.unwrap_or(200_000));
            run(&inc, p).last_window().events
        }
        "vmstat_1_5" => {
            let inc = incidents::slow_under_load();
            let mut seconds = 0;
            for seed in 0..n.unwrap_or(1) {
                let mut sim = Simulation::new(&inc, Seed(seed));
                sim.advance_to(5);
                seconds += sim.trace().samples.len() as u64;
            }
            seconds
        }
        other => return Err(format!("unknown workload {other:?}")),
    };
    println!("{workload}: {count}");
    Ok(())
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    let (inc, p) = mm1(200_000);
    g.throughput(Throughput::Elements(run(&inc, p).last_window().events));
    g.bench_function("mm1_200k_customers", |b| b.iter(|| black_box(run(&inc, p))));
    for t in [16u32, 64] {
        let (inc, p) = lock_model(t, 200_000);
        g.throughput(Throughput::Elements(run(&inc, p).last_window().events));
        g.bench_function(format!("closed_lock_t{t}_200k_acquisitions"), |b| {
            b.iter(|| black_box(run(&inc, p)))
        });
    }
    g.finish();
    let inc = incidents::slow_under_load();
    c.bench_function("tool_output/vmstat_1_5_slow_under_load", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(&inc, Seed(7));
            sim.advance_to(5);
            black_box(sim.trace().samples.len())
        })
    });
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--compare") {
        compare();
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--once") {
        let workload = args.get(at + 1).map_or("lock16", String::as_str);
        let n = args.get(at + 2).and_then(|n| n.parse().ok());
        if let Err(e) = once(workload, n) {
            eprintln!("{e}");
            std::process::exit(2);
        }
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
