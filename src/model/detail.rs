//! Builds one second's [`Detail`]: every thread with its counters, state and system calls,
//! interrupts per CPU, and pressure stall shares, all from the engine window the rest of the
//! sample comes from.
//!
//! Derivations (the engine counts sleeps and CPU time per thread; the names are Linux's):
//! - A sleep on a user-space lock is one `futex` wait; a wait that found the lock already
//!   handed over returns `EAGAIN` at once (an error, no sleep). Every such sleeper was woken by
//!   one `FUTEX_WAKE` from a releaser; the process's wakes are shared among its threads by the
//!   requests each finished (each request releases its locks once).
//! - An open-arrival worker with no request waits on a condition variable (`futex`); a
//!   closed-loop worker waits for its client in `epoll_wait`. A synchronous disk read is one
//!   `pread64`. A request's plain system calls are half `read` (its input), half `write`.
//! - A thread's count of a call is its own window count scaled to the second with the
//!   sampling spread of `sample::spread` (the window's `n` stands for anywhere from `n − ½` to
//!   `n + ½` windows' worth), so threads that did the same number of things in a few
//!   milliseconds do not print the same multiple of the scale.
//! - System time in a call is the model's syscall cost (twice that for the futex paths, as
//!   the engine charges them); wall time adds the sleep.
//! - Pressure: with `n` the mean number of tasks stalled on a resource over the second, the
//!   share of the second with at least one stalled is `1 − e^(−n)` (exact when the count is
//!   Poisson-distributed); "full" is that share times the CPUs' idle share (no task ran).
//!   IO stalls are the sleeps on the disk (reads, synchronous-write flushes, swap-ins), the
//!   same sleeps vmstat counts in b and that leave iowait on their CPUs; memory stalls are
//!   swap-ins and direct reclaim.
//!
//! Must not: change anything the other sample fields are computed from.

use super::engine::{
    Engine, SleepReason, SleepSpread, ThreadAcc, ThreadRunState, ThreadView, WindowStats,
};
use super::rng::SimRng;
use super::sample::{dither, spread};
use super::trace::*;
use crate::domain::{Arrivals, Incident, SyncKind};

/// Fewer of a thread's requests than this in a window count too coarsely for its calls.
const FEW_REQUESTS: u64 = 10;

/// The most threads of one process a second's block lists (its lowest thread ids): the block
/// is kept for every simulated second, so its size must not grow with a pool of tens of
/// thousands. The thread-level tools (`ps -eL`, `top -H`, `pidstat -t`, `perf trace -s`,
/// `strace -c -f`, `/proc/PID/task/*/stack`, `perf sched`) see these; process lines, `vmstat`
/// and the other box-wide tools count every thread.
pub const MAX_THREAD_ROWS: u32 = 4096;

/// The most seconds whose per-thread rows a trace keeps: its last hour. Older seconds keep
/// their process, CPU, memory and disk figures, and their rows are folded into each thread's
/// CPU time (`ThreadHistory`), so a long session costs no more memory than an hour of one. An
/// hour is the longest stretch one command reads (`render::argv::MAX_SECONDS`) and the longest
/// `perf sched record`, so a command sees every row of the seconds it covers.
pub const THREAD_DETAIL_SECONDS: usize = 3600;

/// Folds the per-thread rows of the seconds older than the last [`THREAD_DETAIL_SECONDS`] into
/// the trace's `ThreadHistory` and frees them.
pub(crate) fn fold_old_thread_rows(trace: &mut Trace) {
    let keep_from = trace.samples.len().saturating_sub(THREAD_DETAIL_SECONDS);
    while trace.thread_history.from < keep_from {
        let second = trace.thread_history.from;
        add_thread_cpu_ns(
            &mut trace.thread_history.cpu_ns,
            std::slice::from_ref(&trace.samples[second]),
        );
        trace.samples[second].detail.threads = Vec::new();
        trace.thread_history.from += 1;
    }
}

/// What the builder needs from the incident, resolved once.
#[derive(Debug, Clone)]
pub(crate) struct DetailInputs {
    syscall_ns: f64,
    /// Per workload: plain system calls per request, and whether it is closed-loop.
    workloads: Vec<(u32, bool)>,
    pids: Vec<u32>,
}

impl DetailInputs {
    pub fn new(incident: &Incident, pids: &[u32]) -> Self {
        Self {
            syscall_ns: incident.costs.syscall_us.max(0.0) * 1000.0,
            workloads: incident
                .workloads
                .iter()
                .map(|w| {
                    (
                        w.request.syscalls,
                        // A pool's workers wait on a condition variable like an open one's.
                        matches!(w.arrivals, Arrivals::Closed { .. }),
                    )
                })
                .collect(),
            pids: pids.to_vec(),
        }
    }
}

/// Per-CPU interrupt rates (per second, unrounded) measured while the sample was built.
pub(crate) struct IrqRates {
    /// Scheduler ticks.
    pub timer: Vec<f64>,
    pub nic: Vec<f64>,
    /// The baseline's timer expiries (the local timer interrupt, with the ticks).
    pub hrtimer: Vec<f64>,
    /// The baseline's rescheduling and function-call IPIs.
    pub resched: Vec<f64>,
    /// Disk IOs completed on each CPU in the second (counted, not split from the total).
    pub block: Vec<u64>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    inputs: &DetailInputs,
    engine: &Engine,
    w: &WindowStats,
    order: &[usize],
    cpus: &[CpuTime],
    tasks: &[TaskSample],
    interrupts: u64,
    irq_rates: &IrqRates,
    noise: &mut SimRng,
    switch_noise: &mut SimRng,
) -> Detail {
    let k = 1e9 / w.len_ns.max(1) as f64;
    let scale = |x: u64| (x as f64 * k).round() as u64;
    let views = engine.thread_views();
    let mut threads = Vec::with_capacity(views.len() + tasks.len());

    // Futex wakes per process (raw window counts): one per user-lock sleep of its threads.
    let mut wakes_per_task = vec![(0u64, 0u64); engine.tasks.len()];
    // And the CPU time its threads ran, which shares out its requests' plain calls.
    let mut cpu_per_task = vec![0.0f64; engine.tasks.len()];
    for (view, acc) in views.iter().zip(&w.threads) {
        let pair = &mut wakes_per_task[view.task as usize];
        pair.0 += acc.futex_sleeps;
        pair.1 += acc.requests;
        cpu_per_task[view.task as usize] += acc.user + acc.system;
    }

    let shared_switches =
        shared_switches(engine.tasks.len(), &views, w, order, tasks, switch_noise);

    let mut rows_per_task = vec![0u32; engine.tasks.len()];
    // Threads a deploy has parked outside the pool are gone from the process.
    for (view, acc) in views.iter().zip(&w.threads).filter(|(view, _)| view.alive) {
        let task = view.task as usize;
        let Some(rows) = rows_per_task
            .get_mut(task)
            .filter(|rows| **rows < MAX_THREAD_ROWS)
        else {
            continue;
        };
        let row = *rows as usize;
        *rows += 1;
        let desc = &engine.tasks[task];
        let pos = order.get(task).copied().unwrap_or(task);
        let pid = inputs.pids.get(task).copied().unwrap_or(0);
        let state = match view.state {
            ThreadRunState::Running => ThreadState::Running,
            ThreadRunState::Runnable => ThreadState::Runnable,
            ThreadRunState::Spinning => ThreadState::Spinning,
            ThreadRunState::Sleeping => ThreadState::Sleeping(wait_for(inputs, desc, view.reason)),
            ThreadRunState::DiskSleep => {
                ThreadState::DiskSleep(wait_for(inputs, desc, view.reason))
            }
        };
        let (wakes, requests) = wakes_per_task[task];
        let wakes_here = if requests > 0 {
            (wakes as f64 * acc.requests as f64 / requests as f64).round() as u64
        } else {
            0
        };
        // The plain calls (reads and writes) are its requests'. When a window holds only a
        // few of a thread's requests, that count scaled to the second is too coarse to tell
        // threads apart (every thread would print the same multiple of the scale), so the
        // thread's share of its process's requests by the CPU time it ran stands in for it.
        let task_cpu = cpu_per_task[task];
        let requests_run = if acc.requests < FEW_REQUESTS && task_cpu > 0.0 {
            requests as f64 * (acc.user + acc.system) / task_cpu
        } else {
            acc.requests as f64
        };
        let syscalls = match desc.workload {
            Some(wl) => {
                syscalls(inputs, wl, acc, wakes_here, requests_run, k, noise).into_boxed_slice()
            }
            None => Box::default(),
        };
        threads.push(ThreadSample {
            task: pos,
            tid: pid + view.index,
            user_ns: (acc.user * k).round() as u64,
            system_ns: (acc.system * k).round() as u64,
            wait_ns: scale(acc.wait),
            wait_max_ns: acc.wait_max,
            // Where in the window the longest wait ended, as the same point of the second.
            wait_max_end_ns: (acc.wait_max_end.saturating_sub(w.start_ns) as f64 * k).round()
                as u64,
            dispatches: scale(acc.dispatches),
            migrations: scale(acc.migrations),
            voluntary_cs: shared_switches[task]
                .as_ref()
                .map_or(scale(acc.voluntary), |s| s.voluntary[row]),
            involuntary_cs: shared_switches[task]
                .as_ref()
                .map_or(scale(acc.involuntary), |s| s.involuntary[row]),
            state,
            lock_wait: match view.reason {
                SleepReason::Lock { write, holding, .. } => LockWait {
                    read: !write,
                    holding: holding.map(|h| h as usize),
                },
                _ => LockWait::default(),
            },
            cpu: view.cpu,
            syscalls,
        });
    }

    // Kernel threads the engine does not run as threads (ksoftirqd/N): their process sample is
    // their only thread.
    for (task, desc) in engine.tasks.iter().enumerate() {
        if desc.ksoftirqd.is_none() {
            continue;
        }
        let pos = order.get(task).copied().unwrap_or(task);
        let Some(t) = tasks.get(pos) else { continue };
        threads.push(ThreadSample {
            task: pos,
            tid: inputs.pids.get(task).copied().unwrap_or(0),
            user_ns: t.user_ns,
            system_ns: t.system_ns,
            wait_ns: t.wait_ns,
            wait_max_ns: 0,
            wait_max_end_ns: 0,
            dispatches: t.voluntary_cs + t.involuntary_cs,
            migrations: 0,
            voluntary_cs: t.voluntary_cs,
            involuntary_cs: t.involuntary_cs,
            state: if t.running > 0 {
                ThreadState::Running
            } else {
                ThreadState::Sleeping(WaitFor::KernelIdle)
            },
            lock_wait: LockWait::default(),
            cpu: t.last_cpu,
            syscalls: Box::default(),
        });
    }
    threads.sort_by_key(|t| (t.task, t.tid));

    let pressure = pressure(engine, w, k, cpus, &threads);
    Detail {
        threads,
        irqs: irqs(interrupts, irq_rates),
        pressure,
        cgroups: w.cgroups.iter().map(|acc| cgroup(acc, k)).collect(),
    }
}

fn wait_for(inputs: &DetailInputs, desc: &super::engine::TaskDesc, reason: SleepReason) -> WaitFor {
    match reason {
        SleepReason::Lock { class, .. } => WaitFor::Lock(class as usize),
        SleepReason::DiskRead => WaitFor::DiskRead,
        SleepReason::SyncWrite(kind) => WaitFor::SyncWrite(kind),
        SleepReason::SwapIn => WaitFor::SwapIn,
        SleepReason::NoRequest => WaitFor::NoRequest,
        SleepReason::Think => WaitFor::Client,
        SleepReason::Awake => match desc.workload {
            // Asleep before the engine saw it go to sleep: a worker between requests.
            Some(w) if inputs.workloads.get(w).is_some_and(|&(_, closed)| !closed) => {
                WaitFor::NoRequest
            }
            Some(_) => WaitFor::Client,
            None => WaitFor::KernelIdle,
        },
    }
}

/// One thread's system calls in the window; `requests_run` is its share of its process's
/// requests (raw window count, fractional).
fn syscalls(
    inputs: &DetailInputs,
    workload: usize,
    acc: &ThreadAcc,
    wakes: u64,
    requests_run: f64,
    k: f64,
    noise: &mut SimRng,
) -> Vec<SyscallSample> {
    let scale = |x: u64| (x as f64 * k).round() as u64;
    let mut count = |n: u64| spread(noise, n, k);
    let (plain, closed) = inputs.workloads.get(workload).copied().unwrap_or((0, true));
    let cost = |calls: u64, factor: f64| (calls as f64 * inputs.syscall_ns * factor).round() as u64;
    let mut out = Vec::new();
    let (pool_waits, pool_wall) = if closed {
        (0, 0)
    } else {
        (acc.idle_sleeps, acc.idle_sleep_ns)
    };
    let futex_calls = count(acc.futex_sleeps + acc.futex_again + pool_waits + wakes);
    if futex_calls > 0 {
        let wall = scale(acc.futex_sleep_ns + pool_wall) + cost(scale(wakes), 2.0);
        out.push(with_spread(
            SyscallSample {
                call: Syscall::Futex,
                calls: futex_calls,
                errors: scale(acc.futex_again).min(futex_calls),
                wall_ns: wall,
                system_ns: cost(futex_calls, 2.0),
                ..quick(inputs.syscall_ns * 2.0)
            },
            &acc.futex_spread,
            wakes + acc.futex_again,
        ));
    }
    if closed && acc.idle_sleeps > 0 {
        let calls = count(acc.idle_sleeps);
        out.push(with_spread(
            SyscallSample {
                call: Syscall::EpollWait,
                calls,
                errors: 0,
                wall_ns: scale(acc.idle_sleep_ns) + cost(calls, 1.0),
                system_ns: cost(calls, 1.0),
                ..quick(inputs.syscall_ns)
            },
            &acc.epoll_spread,
            0,
        ));
    }
    if acc.io_sleeps > 0 {
        let calls = count(acc.io_sleeps);
        out.push(with_spread(
            SyscallSample {
                call: Syscall::Pread64,
                calls,
                errors: 0,
                wall_ns: scale(acc.io_sleep_ns) + cost(calls, 1.0),
                system_ns: cost(calls, 1.0),
                ..quick(inputs.syscall_ns)
            },
            &acc.read_spread,
            0,
        ));
    }
    if let Some(kind) = acc.sync_kind
        && acc.sync_sleeps > 0
    {
        let calls = count(acc.sync_sleeps);
        out.push(with_spread(
            SyscallSample {
                call: match kind {
                    SyncKind::Fdatasync => Syscall::Fdatasync,
                    SyncKind::Fsync => Syscall::Fsync,
                },
                calls,
                errors: 0,
                wall_ns: scale(acc.sync_sleep_ns) + cost(calls, 1.0),
                system_ns: cost(calls, 1.0),
                ..quick(inputs.syscall_ns)
            },
            &acc.sync_spread,
            0,
        ));
    }
    // The window's requests, like its other counts, stand for anywhere within half a request
    // of them; a fractional share (a thread with few requests) is already an estimate.
    let jitter = if requests_run >= 1.0 && k > 1.0 {
        noise.f64() - 0.5
    } else {
        0.0
    };
    let plain_calls = dither(
        noise,
        (requests_run + jitter).max(0.0) * f64::from(plain) * k,
    );
    let reads = plain_calls.div_ceil(2);
    for (call, calls) in [
        (Syscall::Read, reads),
        (Syscall::Write, plain_calls - reads),
    ] {
        if calls > 0 {
            out.push(SyscallSample {
                call,
                calls,
                errors: 0,
                wall_ns: cost(calls, 1.0),
                system_ns: cost(calls, 1.0),
                ..quick(inputs.syscall_ns)
            });
        }
    }
    out
}

/// A call that never sleeps: every call takes the syscall cost.
fn quick(cost_ns: f64) -> SyscallSample {
    let ns = cost_ns.round() as u64;
    SyscallSample {
        call: Syscall::Read,
        calls: 0,
        errors: 0,
        wall_ns: 0,
        system_ns: 0,
        wall_mean_ns: cost_ns,
        wall_min_ns: ns,
        wall_max_ns: ns,
        wall_sd_ns: 0.0,
    }
}

/// The call's spread from the sleeps that ended in the window (a sleeping call also pays its
/// syscall cost) and `quick` raw calls that returned without sleeping.
fn with_spread(mut call: SyscallSample, spread: &SleepSpread, quick: u64) -> SyscallSample {
    if spread.count > 0 {
        let cost = call.wall_mean_ns;
        let n = (spread.count + quick) as f64;
        call.wall_mean_ns = (spread.sum + n * cost) / n;
        if quick == 0 {
            call.wall_min_ns = spread.min + cost.round() as u64;
        }
        let cost = cost.round() as u64;
        call.wall_max_ns = spread.max + cost;
        call.wall_sd_ns = spread.sd();
    }
    call
}

/// `detail` with its interrupts re-split to a new total in the same proportions (a blended
/// second).
pub(crate) fn with_interrupts(detail: &Detail, total: u64) -> Detail {
    let weights: Vec<f64> = detail
        .irqs
        .iter()
        .flat_map(|c| [c.timer as f64, c.nic as f64, c.ipi as f64])
        .collect();
    let parts = split_exactly(&weights, total);
    Detail {
        irqs: parts
            .chunks(3)
            .zip(&detail.irqs)
            .map(|(p, cpu)| CpuIrqs {
                timer: p[0],
                nic: p[1],
                ipi: p[2],
                block: cpu.block,
            })
            .collect(),
        ..detail.clone()
    }
}

/// `detail`'s block completions re-split to `ios`, the IOs of the summary second it belongs to:
/// over the CPUs in the proportions they completed IOs in, or, when the second it was taken
/// from had none (a calm second of a bursty disk), in proportion to each CPU's busy time (where
/// the threads that issue IOs run).
pub(crate) fn with_block_completions(detail: &mut Detail, ios: u64, cpus: &[CpuTime]) {
    let counted: Vec<f64> = detail.irqs.iter().map(|c| c.block as f64).collect();
    let weights = if counted.iter().sum::<f64>() > 0.0 {
        counted
    } else {
        cpus.iter()
            .map(|c| (c.user + c.system) as f64)
            .chain(std::iter::repeat(0.0))
            .take(detail.irqs.len())
            .collect()
    };
    for (cpu, n) in detail.irqs.iter_mut().zip(split_exactly(&weights, ios)) {
        cpu.block = n;
    }
}

/// The since-boot average second, by the since-boot rule of `boot` (half the steady load over
/// the uptime): per-thread counts and stall shares halved, interrupts re-split to `interrupts`.
pub(crate) fn since_boot(steady: &Detail, interrupts: u64) -> Detail {
    let half = |x: u64| x / 2;
    let mut out = with_interrupts(steady, interrupts);
    for g in &mut out.cgroups {
        *g = since_boot_cgroup(g);
    }
    for t in &mut out.threads {
        t.user_ns = half(t.user_ns);
        t.system_ns = half(t.system_ns);
        t.wait_ns = half(t.wait_ns);
        t.dispatches = half(t.dispatches);
        t.migrations = half(t.migrations);
        t.voluntary_cs = half(t.voluntary_cs);
        t.involuntary_cs = half(t.involuntary_cs);
        for call in t.syscalls.iter_mut() {
            call.calls = half(call.calls);
            call.errors = half(call.errors);
            call.wall_ns = half(call.wall_ns);
            call.system_ns = half(call.system_ns);
        }
    }
    let p = &mut out.pressure;
    for share in [
        &mut p.cpu_some,
        &mut p.memory_some,
        &mut p.memory_full,
        &mut p.io_some,
        &mut p.io_full,
    ] {
        *share /= 2.0;
    }
    out
}

/// A cgroup's since-boot average second from its steady one: usage, periods (the period timer
/// idles while the group does) and throttling halved, and so the shares of time stalled.
pub(crate) fn since_boot_cgroup(steady: &CgroupSample) -> CgroupSample {
    CgroupSample {
        user_ns: steady.user_ns / 2.0,
        system_ns: steady.system_ns / 2.0,
        periods: steady.periods / 2.0,
        throttled_periods: steady.throttled_periods / 2.0,
        throttled_ns: steady.throttled_ns / 2.0,
        pressure_some: steady.pressure_some / 2.0,
        pressure_full: steady.pressure_full / 2.0,
    }
}

/// Splits the second's interrupt count over CPUs and sources by the measured rates, exactly.
fn irqs(total: u64, rates: &IrqRates) -> Vec<CpuIrqs> {
    let n = rates.timer.len().max(1);
    let mut weights = Vec::with_capacity(3 * n);
    let at = |v: &[f64], c: usize| v.get(c).copied().unwrap_or(0.0);
    for c in 0..n {
        weights.push(at(&rates.timer, c) + at(&rates.hrtimer, c));
        weights.push(at(&rates.nic, c));
        weights.push(at(&rates.resched, c));
    }
    let parts = split_exactly(&weights, total);
    parts
        .chunks(3)
        .enumerate()
        .map(|(c, p)| CpuIrqs {
            timer: p[0],
            nic: p[1],
            ipi: p[2],
            block: rates.block.get(c).copied().unwrap_or(0),
        })
        .collect()
}

/// A process's switches in the second shared out over its listed threads, in row order.
struct SharedSwitches {
    voluntary: Vec<u64>,
    involuntary: Vec<u64>,
}

/// Per process, its switches shared over its threads when the window saw fewer switches than
/// it has threads (`None` otherwise). Over such a window (a millisecond, say) a thread's own
/// count is 0 or a multiple of the scale, a thousand a second, so it says nothing about the
/// thread: a pool of busy workers would print most of them, its main thread often included,
/// as never switching. The process's count, which the window does measure, is split over its
/// threads instead, each about its equal share with the spread of a Poisson count, and the
/// rows add up to the process's switches (the listed rows to their share of them).
fn shared_switches(
    task_count: usize,
    views: &[ThreadView],
    w: &WindowStats,
    order: &[usize],
    tasks: &[TaskSample],
    noise: &mut SimRng,
) -> Vec<Option<SharedSwitches>> {
    let mut alive = vec![0u32; task_count];
    let mut switches = vec![0u64; task_count];
    for (view, acc) in views.iter().zip(&w.threads).filter(|(view, _)| view.alive) {
        alive[view.task as usize] += 1;
        switches[view.task as usize] += acc.voluntary + acc.involuntary;
    }
    (0..task_count)
        .map(|task| {
            let threads = alive[task];
            if switches[task] == 0 || switches[task] >= u64::from(threads) {
                return None;
            }
            let sample = tasks.get(order.get(task).copied().unwrap_or(task))?;
            let rows = threads.min(MAX_THREAD_ROWS);
            let listed =
                |total: u64| (total as f64 * f64::from(rows) / f64::from(threads)).round() as u64;
            let mean = (sample.voluntary_cs + sample.involuntary_cs) as f64 / f64::from(threads);
            let weights: Vec<f64> = (0..rows)
                .map(|_| super::sample::poisson(noise, mean))
                .collect();
            Some(SharedSwitches {
                voluntary: split_exactly(&weights, listed(sample.voluntary_cs)),
                involuntary: split_exactly(&weights, listed(sample.involuntary_cs)),
            })
        })
        .collect()
}

/// Integers proportional to `weights` summing to `total` (largest remainder, ties to the
/// earlier entry).
pub(super) fn split_exactly(weights: &[f64], total: u64) -> Vec<u64> {
    let sum: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    if sum.is_nan() || sum <= 0.0 || !sum.is_finite() {
        let mut out = vec![0; weights.len()];
        if let Some(first) = out.first_mut() {
            *first = total;
        }
        return out;
    }
    let quotas: Vec<f64> = weights
        .iter()
        .map(|w| w.max(0.0) / sum * total as f64)
        .collect();
    let mut out: Vec<u64> = quotas.iter().map(|q| q.floor() as u64).collect();
    let assigned: u64 = out.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (quotas[b] - quotas[b].floor())
            .total_cmp(&(quotas[a] - quotas[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(assigned) as usize) {
        out[i] += 1;
    }
    out
}

/// One workload's cgroup second. Pressure follows the box-wide rule (the share of time in
/// which the group's summed wait would leave some thread waiting); `full` is the time the whole
/// group sat throttled, when none of its threads could run.
fn cgroup(acc: &super::engine::CgroupAcc, k: f64) -> CgroupSample {
    let full = (acc.throttled_wall_ns as f64 * k / 1e9).clamp(0.0, 1.0);
    let waiting = acc.wait_ns as f64 * k / 1e9;
    CgroupSample {
        user_ns: acc.user_ns * k,
        system_ns: acc.system_ns * k,
        periods: acc.periods as f64 * k,
        throttled_periods: acc.throttled_periods as f64 * k,
        throttled_ns: acc.throttled_ns * k,
        pressure_some: (1.0 - (-waiting).exp()).max(full),
        pressure_full: full,
    }
}

fn pressure(
    engine: &Engine,
    w: &WindowStats,
    k: f64,
    cpus: &[CpuTime],
    threads: &[ThreadSample],
) -> Pressure {
    let share = |mean_stalled: f64| 1.0 - (-mean_stalled.max(0.0)).exp();
    let idle = if cpus.is_empty() {
        0.0
    } else {
        cpus.iter()
            .map(|c| (c.idle + c.iowait) as f64 / c.total().max(1) as f64)
            .sum::<f64>()
            / cpus.len() as f64
    };
    let waiting: f64 = threads.iter().map(|t| t.wait_ns as f64).sum::<f64>() / 1e9;
    // Every sleep on the disk is an IO stall: reads, flushes of synchronous writes and pages
    // coming back from swap.
    let io_stalled: f64 = w
        .threads
        .iter()
        .map(|a| (a.io_sleep_ns + a.sync_sleep_ns + a.swap_sleep_ns) as f64 * k)
        .sum::<f64>()
        / 1e9;
    let reclaim_ns = w
        .act_ns
        .get(engine.reclaim_activity())
        .copied()
        .unwrap_or(0.0)
        * k;
    let memory_stalled = (w
        .threads
        .iter()
        .map(|a| a.swap_sleep_ns as f64 * k)
        .sum::<f64>()
        + reclaim_ns)
        / 1e9;
    let (io_some, memory_some) = (share(io_stalled), share(memory_stalled));
    Pressure {
        cpu_some: share(waiting),
        memory_some,
        memory_full: memory_some * idle,
        io_some,
        io_full: io_some * idle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{IncidentId, Seed};
    use crate::render::{parse_command, render};

    /// A trace of `seconds` seconds whose samples repeat a short real run of an incident with a
    /// thread pool, its per-thread rows all kept (as before any folding).
    fn long_trace(seconds: usize) -> Trace {
        let catalog = crate::content::load_catalog(&[]).expect("shipped content loads");
        let incident = &catalog.incidents[&IncidentId::from("added-threads-slower")];
        let short = crate::model::simulate(incident, Seed(1), 3);
        let mut trace = short.clone();
        trace.samples = (0..seconds)
            .map(|i| short.samples[i % short.samples.len()].clone())
            .collect();
        trace
    }

    #[test]
    fn a_trace_keeps_an_hour_of_thread_rows_and_every_second_of_thread_time() {
        let seconds = THREAD_DETAIL_SECONDS + 5;
        let whole = long_trace(seconds);
        let mut folded = whole.clone();
        fold_old_thread_rows(&mut folded);

        let with_rows = folded
            .samples
            .iter()
            .filter(|s| !s.detail.threads.is_empty())
            .count();
        assert_eq!(with_rows, THREAD_DETAIL_SECONDS);
        assert_eq!(folded.thread_history.from, 5);
        assert!(
            folded.samples[..5]
                .iter()
                .all(|s| s.detail.threads.is_empty())
        );

        // Every second's CPU time still counts, and the tools print the same at the end.
        let mut all = std::collections::BTreeMap::new();
        add_thread_cpu_ns(&mut all, &whole.samples);
        assert_eq!(folded.thread_cpu_ns_until(seconds), all);
        let cursor = seconds - 2;
        for line in [
            "ps -eLo pid,tid,stat,pcpu,comm",
            "ps -eLf",
            "top -H -b -n 1",
            "pidstat -t 1 1",
            "perf sched record -- sleep 1",
        ] {
            let command = parse_command(line).expect("valid");
            assert_eq!(
                render(&folded, &command, cursor),
                render(&whole, &command, cursor),
                "{line}"
            );
        }
    }

    #[test]
    fn a_short_trace_keeps_every_row() {
        let mut trace = long_trace(10);
        let before = trace.clone();
        fold_old_thread_rows(&mut trace);
        assert_eq!(trace, before);
    }
}
