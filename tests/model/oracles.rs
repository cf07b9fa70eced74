//! Queueing oracles (MODEL.md section 4) through the real engine: incidents built in code with
//! `Costs::zero()`, long windows, then the analytic values from `model::queueing`.

use super::build::*;
use sysdrill::domain::*;
use sysdrill::model::Simulation;
use sysdrill::model::engine::EngineParams;
use sysdrill::model::queueing::{erlang_c, mmc_wq, mva_lock};

/// One window of `ms` simulated milliseconds after a warm-up of a tenth of that.
fn long(ms: f64) -> EngineParams {
    let ns = (ms * 1e6) as u64;
    EngineParams {
        window_ns: ns,
        warmup_ns: ns / 10,
        max_events: u64::MAX,
    }
}

/// Runs one long window and returns the simulation after it.
fn run(inc: &Incident, seed: u64, ms: f64) -> Simulation {
    let mut sim = Simulation::with_params(inc, Seed(seed), long(ms));
    sim.advance_to(1);
    sim
}

/// M/M/c: `c` worker threads on `c` CPUs, Poisson arrivals, exponential service of 1 µs.
fn mmc(c: u32, rho: f64) -> Incident {
    let rate = rho * f64::from(c) * 1e6;
    let w = workload(c, Arrivals::Open { rate_per_s: rate }, 1.0);
    incident(machine(c), vec![w], vec![], Costs::zero())
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn mm1_matches_the_analytic_queue() {
    // λ = 0.9, μ = 1 per µs; ~1e6 customers.
    let sim = run(&mmc(1, 0.9), 11, 1100.0);
    let w = sim.last_window();
    let s = &sim.trace().samples[0];
    assert!(w.completed > 900_000, "{}", w.completed);
    let mean_w = w.latency_sum_ns / w.completed as f64 / 1000.0;
    let wq = w.queue_wait_sum_ns / w.completed as f64 / 1000.0;
    assert!(
        rel(wq, 9.0) < 0.02 || rel(mean_w, 10.0) < 0.02,
        "Wq {wq} W {mean_w}"
    );
    let p_wait = w.queued as f64 / w.completed as f64;
    assert!(
        (p_wait - 0.9).abs() < 0.9 * 0.005 + 0.002,
        "P(wait) {p_wait}"
    );
    let util = s.cpus[0].user as f64 / 1e9;
    assert!(rel(util, 0.9) < 0.005, "utilisation {util}");
    // Little's law end to end: L = λW.
    let l = s.app.in_system;
    let lw = s.app.completed as f64 * s.app.latency_mean_us / 1e6;
    assert!(rel(lw, l) < 0.01, "L {l} λW {lw}");
}

#[test]
fn mmc_matches_erlang_c() {
    for (c, rho, ms) in [
        (2, 0.5, 200.0),
        (4, 0.8, 200.0),
        (8, 0.8, 150.0),
        (16, 0.5, 40.0),
    ] {
        let sim = run(&mmc(c, rho), 5 + u64::from(c), ms);
        let w = sim.last_window();
        let wq = w.queue_wait_sum_ns / w.completed as f64 / 1000.0;
        let lambda = rho * f64::from(c);
        let expected = mmc_wq(c, lambda, 1.0);
        let p_wait = w.queued as f64 / w.completed as f64;
        let pc = erlang_c(c, lambda);
        // Wq 3 % or an absolute floor where the wait itself is tiny.
        assert!(
            rel(wq, expected) < 0.03 || (wq - expected).abs() < 0.004,
            "c={c} ρ={rho}: Wq {wq} vs {expected}"
        );
        assert!(
            (p_wait - pc).abs() < 0.01,
            "c={c} ρ={rho}: P(wait) {p_wait} vs {pc}"
        );
    }
}

#[test]
fn lock_wait_matches_exact_mva() {
    let table = mva_lock(1.0, 9.0, 64);
    for (t, kind) in [
        (2, LockKind::Mutex),
        (4, LockKind::Mutex),
        (8, LockKind::Spinlock),
        (16, LockKind::Mutex),
        (32, LockKind::Spinlock),
        (64, LockKind::Mutex),
    ] {
        let inc = closed_lock(t, t, 1.0, 9.0, kind, Costs::zero());
        let ms = if t <= 4 { 400.0 } else { 180.0 };
        let sim = run(&inc, 100 + u64::from(t), ms);
        let lock = &sim.trace().samples[0].locks[0];
        let p = table[t as usize - 1];
        let x = lock.acquired as f64 / 1e6;
        let wait = lock.wait_total_ns as f64 / lock.acquired as f64 / 1000.0;
        let util = lock.hold_total_ns as f64 / 1e9;
        assert!(
            rel(x, p.throughput) < 0.01,
            "T={t}: X {x} vs {}",
            p.throughput
        );
        let tol = if t == 2 {
            0.05f64.max(0.02 / p.wait)
        } else {
            0.05
        };
        assert!(rel(wait, p.wait) < tol, "T={t}: wait {wait} vs {}", p.wait);
        // Utilisation law: U = X·S.
        assert!(rel(util, x * 1.0) < 0.02, "T={t}: U {util} vs X·S {x}");
        // Little's law at the lock: Q = X·R.
        let r = wait + 1.0;
        assert!(
            rel(x * r, p.queue) < 0.05,
            "T={t}: Q {} vs {}",
            x * r,
            p.queue
        );
    }
}

/// Throughput (requests/µs) of a closed lock model with deterministic times.
fn det_throughput(t: u32, hold: f64, think: f64, compute: f64, bounce: f64, seed: u64) -> f64 {
    let mut inc = closed_lock(t, t.max(1), hold, think, LockKind::Spinlock, Costs::zero());
    inc.workloads[0].request.distribution = Distribution::Deterministic;
    inc.workloads[0].request.compute_us = compute;
    inc.locks[0].bounce_ns = bounce;
    let sim = run(&inc, seed, 20.0);
    sim.last_window().completed as f64 / 20_000.0
}

#[test]
fn operational_bounds_hold_and_throughput_never_falls_without_bounce() {
    let (s, z) = (1.0, 9.0);
    let mut last = 0.0;
    for t in [1, 2, 4, 8, 10, 12, 16, 32, 64] {
        let x = det_throughput(t, s, z, 0.0, 0.0, 3);
        let bound = (f64::from(t) / (s + z)).min(1.0 / s);
        // A window may catch one request more than its share at its edges.
        assert!(
            x <= bound * 1.0 + 1.0 / 20_000.0 * 2.0,
            "T={t}: X {x} > bound {bound}"
        );
        assert!(x + 1e-3 >= last, "T={t}: X fell from {last} to {x}");
        last = x;
    }
}

#[test]
fn amdahl_speedup_never_passes_one_over_p() {
    // Each request: 4 µs parallel compute then 1 µs under the lock: p = 0.2, 1/p = 5.
    let x1 = det_throughput(1, 1.0, 0.0, 4.0, 0.0, 9);
    for t in [2, 4, 8, 16, 32] {
        let x = det_throughput(t, 1.0, 0.0, 4.0, 0.0, 9);
        let speedup = x / x1;
        assert!(speedup <= 5.0 * 1.005, "T={t}: speedup {speedup}");
    }
    let x32 = det_throughput(32, 1.0, 0.0, 4.0, 0.0, 9);
    assert!(x32 / x1 > 4.5, "saturates near 1/p");
}

#[test]
fn bounce_gives_the_usl_shape() {
    // Exponential holds of 1 µs, think 9 µs, 60 ns extra hold per waiter.
    let xs: Vec<(u32, f64)> = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64]
        .iter()
        .map(|&t| {
            let mut inc = closed_lock(t, t, 1.0, 9.0, LockKind::Spinlock, Costs::zero());
            inc.locks[0].bounce_ns = 60.0;
            let sim = run(&inc, 21, 30.0);
            (t, sim.last_window().completed as f64 / 30_000.0)
        })
        .collect();
    let (peak_i, &(peak_t, peak_x)) = xs
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.1.total_cmp(&b.1.1))
        .unwrap();
    assert!(xs[1].1 > xs[0].1 * 1.5, "rises: {xs:?}");
    assert!(peak_t > 2 && peak_t < 64, "peaks inside: {xs:?}");
    assert!(
        xs[xs.len() - 1].1 < peak_x * 0.85,
        "falls after the peak: {xs:?}"
    );
    for w in xs[peak_i..].windows(2) {
        assert!(w[1].1 <= w[0].1 * 1.02, "retrograde past the peak: {xs:?}");
    }
}
