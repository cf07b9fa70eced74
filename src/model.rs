//! The embedded system model: a seeded discrete-event simulation of threads on CPUs, locks of
//! their real kinds, memory, disks and NICs, producing a [`Trace`] the renderers print.
//!
//! Architecture invariant: pure. No IO, no clock, no unseeded randomness; the same incident and
//! seed give the same trace, and simulating more seconds never changes the ones already produced
//! (a longer run extends a shorter one), so a REPL can keep simulating as time moves on. The one
//! exception bounds memory: the per-thread rows of a second more than
//! [`THREAD_DETAIL_SECONDS`] old are folded into each thread's CPU time (`ThreadHistory`).
//!
//! # How a second is simulated
//! Each simulated second is represented by a *window* of engine time (a few milliseconds, chosen
//! per incident so a window holds about [`EVENT_BUDGET`] events; see [`window_params`]). The
//! engine runs continuously from window to window, so the state at the end of second `i` is the
//! state at the start of second `i + 1`. Counters of the window are scaled to the second: CPU
//! times, shares, rates, means and time averages are exact for the window; counts (context
//! switches, acquisitions, IOs, completions) are the window's counts times `1 s / window`.
//! Effects that vary over seconds (reclaim and steal bursts, the deadlock forming) are inputs of
//! each window. A warm-up window precedes sample 0 and is never recorded, except as the steady
//! state from which the since-boot summary is synthesised (see `boot`). On a box with a CPU
//! quota the first [`BANDWIDTH_HISTORY_SECONDS`] of the drill are simulated before it starts,
//! and the since-boot throttling is theirs.
//!
//! # Deadlock timing
//! `Fault::Deadlock::after_s` counts seconds **since boot**. With `after_s < uptime_s` the
//! deadlock is already in place when the drill starts and the hung-task detector (checks every
//! 120 s since boot, reports tasks blocked for 120 s or more, at most 10 warnings per boot) has
//! already logged its lines, which `dmesg` shows at once; otherwise the deadlock forms during
//! the drill at second `after_s − uptime_s`. A deadlock on a kernel spinlock leaves its waiters
//! spinning with preemption off instead: the soft-lockup watchdog reports each stuck CPU 22 s
//! in and every 26 s after, and RCU a stall after 21 s and every 66 s after.

pub mod boot;
mod detail;
pub mod engine;
mod futex_bucket;
pub mod history;
mod kernel_log;
pub mod numa;
mod processes;
pub mod queueing;
pub mod rng;
mod sample;
pub mod symbols;
pub mod trace;
pub mod variant;
pub mod whatif;

pub use detail::{MAX_THREAD_ROWS, THREAD_DETAIL_SECONDS};
pub use trace::*;

use std::collections::VecDeque;

use crate::domain::{Fault, Incident, Seed};
use engine::{Engine, EngineParams, WindowInputs, WindowStats};

/// Events a window aims at: small enough that `vmstat 1 5` simulates in a few milliseconds,
/// large enough that a second's percentiles rest on hundreds of requests.
pub const EVENT_BUDGET: f64 = 5_000.0;

/// Seconds of the drill a box with a CPU quota simulates before its first command, to measure
/// the throttling its since-boot `cpu.stat` counts (see `boot::with_cgroup_history`). A
/// quota near the group's demand throttles in runs that come and go over seconds: one second
/// would make the history hinge on where that second fell, while twenty seconds hold two
/// hundred 100 ms periods.
pub const BANDWIDTH_HISTORY_SECONDS: usize = 20;

/// A running simulation of one incident. Owns the engine state between seconds.
#[derive(Debug, Clone)]
pub struct Simulation {
    trace: Trace,
    engine: Engine,
    params: EngineParams,
    ctx: sample::Context,
    last_stats: WindowStats,
    /// Seconds simulated ahead of the trace (to measure the since-boot throttling), with the
    /// kernel log lines of each, handed to the trace in order as it advances.
    ahead: VecDeque<(Sample, Vec<LogEvent>)>,
}

/// Whether some workload's cgroup has a CPU quota, so the engine throttles it.
fn has_cpu_quota(incident: &Incident) -> bool {
    incident
        .workloads
        .iter()
        .filter_map(|w| w.cgroup.as_ref())
        .any(|g| g.quota_us.is_some())
}

/// `window` made a whole number of every CPU quota's periods (at least one), so each second
/// sees whole periods and `nr_periods` and `nr_throttled` count them without aliasing. Periods
/// whose least common multiple passes one second fall back to the longest period.
fn bandwidth_periods(window: u64, incident: &Incident) -> u64 {
    let periods: Vec<u64> = incident
        .workloads
        .iter()
        .filter_map(|w| w.cgroup.as_ref())
        .filter(|g| g.quota_us.is_some())
        .map(|g| g.period_us.max(1) * 1000)
        .collect();
    let Some(&longest) = periods.iter().max() else {
        return window;
    };
    let gcd = |mut a: u64, mut b: u64| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let unit = periods
        .iter()
        .try_fold(1u64, |l, &p| {
            let next = l / gcd(l, p) * p;
            (next <= 1_000_000_000).then_some(next)
        })
        .unwrap_or(longest);
    (window.div_ceil(unit).max(1)) * unit
}

/// Picks the window and warm-up lengths for an incident from a static estimate of its event
/// rate (requests/s bounded by threads, CPUs and lock capacity, times events per request).
pub fn window_params(incident: &Incident) -> EngineParams {
    let cpus = f64::from(incident.machine.cpus.max(1));
    let c = &incident.costs;
    // A livelocked request retries until an attempt wins: its expected CPU time is the mean of
    // the engine's geometric attempt count times the attempt, and each timeslice of it
    // is a segment and a preemption. Leaving it out sizes the window for requests a million
    // times shorter, so a window would end before any request completes. Its rivals are the
    // others of its workload on a CPU: all of them when the workload fills the CPUs.
    let (livelocked, livelock_us) = incident
        .faults
        .iter()
        .find_map(|f| match *f {
            Fault::Livelock {
                workload,
                attempt_us,
                success_probability,
            } => {
                let on_cpus = incident
                    .workloads
                    .get(workload)
                    .map_or(1, |w| w.threads.min(incident.machine.cpus));
                let p = engine::livelock_win_chance(
                    success_probability.clamp(1e-6, 1.0),
                    on_cpus.saturating_sub(1),
                );
                let attempts = 1.0 / p.min(1.0);
                Some((workload, attempt_us.max(0.0) * attempts))
            }
            _ => None,
        })
        .unwrap_or((0, 0.0));
    let mut events_per_ns = 0.0;
    for (wi, w) in incident.workloads.iter().enumerate() {
        // A nested section's hold is the request's CPU too (the outer hold spans it).
        let nested_us = |cs: &crate::domain::CriticalSection| -> f64 {
            cs.nested.iter().map(|n| n.hold_us.max(0.0)).sum()
        };
        // A request mix costs its paths' costs weighted by their shares.
        let factor = numa::reach(incident, w).compute_factor;
        let mixed = |cost: &dyn Fn(&crate::domain::RequestProfile) -> f64| -> f64 {
            w.request_mix().map(|(share, _, r)| share * cost(r)).sum()
        };
        let cpu_us = mixed(&|r| {
            r.compute_us.max(0.0) * factor
                + r.critical_sections
                    .iter()
                    .map(|cs| cs.hold_us.max(0.0))
                    .sum::<f64>()
                + f64::from(r.syscalls) * c.syscall_us
                + f64::from(r.page_allocs) * (c.page_alloc_us + c.page_fault_us)
        }) + 2.0 * c.context_switch_us
            + if wi == livelocked { livelock_us } else { 0.0 };
        let slices = if wi == livelocked && c.timeslice_us.is_finite() && c.timeslice_us > 0.0 {
            livelock_us / c.timeslice_us
        } else {
            0.0
        };
        let mut rate = match w.arrivals {
            crate::domain::Arrivals::Closed { think_us } => {
                f64::from(w.threads.max(1)) / (think_us.max(0.0) + cpu_us).max(0.01) * 1e6
            }
            crate::domain::Arrivals::Open { rate_per_s } => rate_per_s.max(0.0),
            crate::domain::Arrivals::Pool { clients, think_us } => {
                f64::from(clients.max(1)) / (think_us.max(0.0) + cpu_us).max(0.01) * 1e6
            }
        };
        rate = rate.min(cpus / cpu_us.max(0.01) * 1e6);
        for (share, _, r) in w.request_mix().filter(|(share, _, _)| *share > 0.0) {
            for cs in &r.critical_sections {
                if let Some(lock) = incident.locks.get(cs.lock) {
                    // A flush under the lock holds it for the device's service time as well.
                    let flush_us = cs
                        .io
                        .filter(|io| io.under_lock)
                        .and_then(|io| incident.machine.disks.get(io.disk))
                        .map_or(0.0, |d| d.service_us.max(0.0));
                    let hold_us = cs.hold_us + flush_us + nested_us(cs);
                    let cap =
                        f64::from(lock.shards.max(1) * lock.permits.max(1)) / hold_us.max(0.01);
                    // Only this path's share of the requests takes the lock.
                    rate = rate.min(cap * 1e6 * 1.2 / share);
                }
            }
        }
        let per_request = 6.0
            + 2.0 * slices
            + mixed(&|r| {
                3.0 * r
                    .critical_sections
                    .iter()
                    .map(|cs| 1 + cs.nested.len())
                    .sum::<usize>() as f64
                    + 3.0
                        * r.critical_sections
                            .iter()
                            .filter(|cs| cs.io.is_some())
                            .count() as f64
                    + 2.0 * f64::from(r.disk_io.as_ref().map_or(0, |d| d.reads + d.writes))
            });
        events_per_ns += rate * per_request / 1e9;
    }
    // A CPU quota throttles per period: windows as long as the budget allows, up to the whole
    // second, so the periods of each second are simulated rather than scaled from a few. Any
    // workload in a cgroup gets them, so a `try` that lifts the quota compares seconds
    // simulated the same way.
    let longest = if incident.workloads.iter().any(|w| w.cgroup.is_some()) {
        1e9
    } else {
        2e8
    };
    let window = if events_per_ns > 0.0 {
        (EVENT_BUDGET / events_per_ns).clamp(1e6, longest)
    } else {
        2e7
    };
    // A livelock's completions are rare and its requests last seconds: scaled up from part of
    // a second, a handful a second reads as zero or as multiples of the scale, and the longest
    // latency seen is the time simulated, so a box with more CPUs (shorter windows) would seem
    // to answer sooner. Its seconds are simulated whole while that stays within the events a
    // window may run.
    let window = if livelock_us > 0.0 && events_per_ns * 1e9 <= EVENT_BUDGET * 8.0 {
        1e9
    } else {
        window
    };
    let window = bandwidth_periods((window / 1000.0).round() as u64 * 1000, incident);
    // The warm-up lasts at least two timeslices, so the drill starts from a box where threads
    // that never sleep have already been preempted and rotated, not from the moment they all
    // became runnable at once.
    let slices = if c.timeslice_us.is_finite() && c.timeslice_us > 0.0 {
        (2.0 * c.timeslice_us * 1000.0) as u64
    } else {
        0
    };
    EngineParams {
        window_ns: window,
        warmup_ns: window.max(slices.min(window.saturating_mul(20))),
        max_events: (EVENT_BUDGET * 8.0) as u64,
    }
}

impl Simulation {
    /// Sets up the box described by `incident` (already a concrete variant) and the since-boot
    /// summary; no second is simulated yet.
    pub fn new(incident: &Incident, seed: Seed) -> Self {
        Self::with_params(incident, seed, window_params(incident))
    }

    /// As [`Simulation::new`] with explicit window lengths (oracle tests run long windows).
    pub fn with_params(incident: &Incident, seed: Seed, params: EngineParams) -> Self {
        let mut engine = Engine::new(incident, seed);
        let mut ctx = sample::Context::new(incident, seed, &engine);
        let inputs = ctx.warmup_inputs();
        let warm = engine.run_window(
            params.warmup_ns.max(1),
            inputs,
            params.max_events.saturating_mul(2),
        );
        ctx.log_lockups(&engine, &warm, None);
        let calm = ctx.sample(&engine, &warm, 0, true);
        // With periodic bursts the box's history holds burst seconds too: a burst window run
        // on a copy of the engine (the drill itself starts from the calm state) is blended in
        // by its share of the seconds, so the since-boot line, the load averages and the
        // tasks' CPU time before the drill (kswapd's, for one) carry the bursts.
        let steady = match ctx.burst_profile() {
            Some((share, phase)) => {
                let inputs = ctx.inputs(phase, Some(&warm));
                let mut probe = engine.clone();
                let stats = probe.run_window(
                    params.warmup_ns.max(1),
                    inputs,
                    params.max_events.saturating_mul(2),
                );
                let burst = ctx.sample_burst_probe(&probe, &stats, phase);
                boot::blend(&calm, &burst, share)
            }
            None => calm,
        };
        let mut since_boot = boot::since_boot(&steady, &ctx);
        // vmstat's first line prints procs_running and procs_blocked as they are at the
        // instant, not averaged since boot.
        let (running, blocked) = engine.thread_states();
        since_boot.runnable = f64::from(running);
        since_boot.blocked = f64::from(blocked);
        // Before the incident the box ran its healthy load: the busy CPUs of the since-boot
        // summary (half the steady state, the rest idle) stand for it.
        let healthy =
            (steady.runnable + steady.blocked).min(f64::from(incident.machine.cpus.max(1))) * 0.5;
        since_boot.load_avg = ctx.start_load(&steady, healthy);
        let history = ctx.history();
        let mut pressure_avgs =
            boot::with_pressure_history(&mut since_boot, &steady.detail.pressure, history);
        let mut info = ctx.box_info(incident, &engine, &steady);
        info.irq_history = ctx.irq_history(&since_boot.detail, incident.machine.uptime_s);
        let log = ctx.log_before_start();
        let mut simulation = Self {
            trace: Trace {
                info,
                since_boot,
                samples: Vec::new(),
                log,
                thread_history: ThreadHistory::default(),
            },
            engine,
            params,
            ctx,
            last_stats: warm,
            ahead: VecDeque::new(),
        };
        // A quota's throttling comes and goes over seconds, so the warm-up window alone does
        // not tell how often the group was throttled since boot: the drill's first seconds,
        // simulated now and kept for the trace, do. Nothing simulated reads the since-boot
        // summary, so measuring them first changes none of them.
        let steady_groups = if has_cpu_quota(incident) {
            while simulation.ahead.len() < BANDWIDTH_HISTORY_SECONDS {
                let second = simulation.simulate_next();
                simulation.ahead.push_back(second);
            }
            let seconds: Vec<&Sample> = simulation.ahead.iter().map(|(s, _)| s).collect();
            boot::mean_cgroups(&seconds)
        } else {
            steady.detail.cgroups.clone()
        };
        let mut periods_per_s = vec![0.0; incident.workloads.len()];
        for g in &simulation.trace.info.cgroups {
            if let Some(p) = periods_per_s.get_mut(g.workload) {
                *p = 1e6 / g.cgroup.period_us.max(1) as f64;
            }
        }
        pressure_avgs.cgroups = boot::with_cgroup_history(
            &mut simulation.trace.since_boot,
            &steady_groups,
            history,
            &periods_per_s,
        );
        simulation.trace.info.pressure_avgs = Some(pressure_avgs);
        simulation
    }

    /// Simulates until the trace holds at least `seconds` samples.
    pub fn advance_to(&mut self, seconds: usize) {
        while self.trace.samples.len() < seconds {
            let (sample, log) = match self.ahead.pop_front() {
                Some(second) => second,
                None => self.simulate_next(),
            };
            self.trace.log.extend(log);
            self.trace.samples.push(sample);
            detail::fold_old_thread_rows(&mut self.trace);
        }
    }

    /// Simulates the second after the last one simulated (in the trace or ahead of it): its
    /// sample and the kernel's log lines during it.
    fn simulate_next(&mut self) -> (Sample, Vec<LogEvent>) {
        let i = self.trace.samples.len() + self.ahead.len();
        let inputs = WindowInputs {
            second: u32::try_from(i).ok(),
            ..self.ctx.inputs(i, Some(&self.last_stats))
        };
        let stats =
            self.engine
                .run_window(self.params.window_ns.max(1), inputs, self.params.max_events);
        let sample = self.ctx.sample(&self.engine, &stats, i, false);
        self.ctx.log_lockups(&self.engine, &stats, Some(i));
        let log = self.ctx.log_during(i);
        self.last_stats = stats;
        (sample, log)
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Raw counters of the last simulated window (for oracle tests and benchmarks). With a CPU
    /// quota the first [`BANDWIDTH_HISTORY_SECONDS`] are simulated at once, so until the trace
    /// holds them this is the last of those.
    pub fn last_window(&self) -> &WindowStats {
        &self.last_stats
    }

    pub fn params(&self) -> EngineParams {
        self.params
    }
}

/// Convenience: a fresh simulation run for `seconds`.
pub fn simulate(incident: &Incident, seed: Seed, seconds: usize) -> Trace {
    let mut simulation = Simulation::new(incident, seed);
    simulation.advance_to(seconds);
    simulation.trace
}

/// The deadlock's formation time in seconds since boot, if the incident has one.
fn deadlock_fault(incident: &Incident) -> Option<(usize, usize, u64)> {
    incident.faults.iter().find_map(|f| match *f {
        Fault::Deadlock {
            first,
            second,
            after_s: Some(after_s),
        } => Some((first, second, u64::from(after_s))),
        _ => None,
    })
}
