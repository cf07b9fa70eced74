//! Critical sections that end with a synchronous write (`io`): the holder sleeps in D state on
//! the device with the lock held, waiters wait as their lock kind makes them, and the numbers
//! follow from one flush at a time: throughput ≈ 1 / (hold + write latency), aqu-sz < 1, b ≈ 1
//! and iowait on otherwise idle CPUs.

use super::build::*;
use sysdrill::domain::*;
use sysdrill::model::{Sample, ThreadState, Trace, WaitFor, simulate};

const SECONDS: usize = 4;

/// `threads` clients flushing `kib` to a disk of `service_us` (parallelism 32) under one lock
/// of `kind` (user-space unless a kernel kind is asked for).
fn ledger(threads: u32, kind: LockKind, scope: LockScope, under_lock: bool) -> Incident {
    let mut m = machine(16);
    m.disks[0].service_us = 800.0;
    m.disks[0].parallelism = 32;
    let mut w = workload(threads, Arrivals::Closed { think_us: 2000.0 }, 50.0);
    w.request.critical_sections = vec![CriticalSection {
        lock: 0,
        hold_us: 20.0,
        write_fraction: 1.0,
        io: Some(SyncWrite {
            kind: SyncKind::Fdatasync,
            kib: 16,
            disk: 0,
            under_lock,
        }),
        nested: Vec::new(),
    }];
    incident(m, vec![w], vec![lock("wal", kind, scope)], Costs::default())
}

fn app_threads<'a>(t: &'a Trace, s: &'a Sample) -> impl Iterator<Item = &'a ThreadState> + 'a {
    let app = t.info.tasks.iter().position(|task| task.pid == 4242);
    s.detail
        .threads
        .iter()
        .filter(move |th| Some(th.task) == app)
        .map(|th| &th.state)
}

fn mean(t: &Trace, f: impl Fn(&Sample) -> f64) -> f64 {
    t.samples.iter().map(f).sum::<f64>() / t.samples.len() as f64
}

#[test]
fn the_holder_flushes_in_d_state_while_user_space_waiters_sleep_on_the_futex() {
    for seed in 1..=5 {
        let t = simulate(
            &ledger(48, LockKind::Mutex, LockScope::User, true),
            Seed(seed),
            SECONDS,
        );
        let mut seen_flushing = false;
        for s in &t.samples {
            let flushing = app_threads(&t, s)
                .filter(|st| matches!(st, ThreadState::DiskSleep(WaitFor::SyncWrite(_))))
                .count();
            let on_futex = app_threads(&t, s)
                .filter(|st| matches!(st, ThreadState::Sleeping(WaitFor::Lock(_))))
                .count();
            let in_d_on_lock = app_threads(&t, s)
                .filter(|st| matches!(st, ThreadState::DiskSleep(WaitFor::Lock(_))))
                .count();
            assert!(flushing <= 1, "seed {seed}: {flushing} flushing at once");
            assert!(
                on_futex >= 24,
                "seed {seed}: {on_futex} waiting on the futex"
            );
            assert_eq!(in_d_on_lock, 0, "a user mutex's waiters are in S, not D");
            seen_flushing |= flushing == 1;
            // b from the flushing holder, wa on the CPUs it left, the rest idle.
            assert!(
                (0.5..=1.5).contains(&s.blocked),
                "seed {seed}: b {}",
                s.blocked
            );
            let iowait: u64 = s.cpus.iter().map(|c| c.iowait).sum();
            let total: u64 = s.cpus.iter().map(|c| c.total()).sum();
            let wa = iowait as f64 / total as f64;
            assert!(wa > 0.03 && wa < 0.08, "seed {seed}: wa {wa:.3}");
        }
        assert!(seen_flushing, "seed {seed}: never saw the holder flushing");
    }
}

#[test]
fn a_kernel_mutex_keeps_its_waiters_in_d_state_behind_the_flushing_holder() {
    let t = simulate(
        &ledger(32, LockKind::Mutex, LockScope::Kernel, true),
        Seed(3),
        SECONDS,
    );
    for s in &t.samples {
        let on_mutex = app_threads(&t, s)
            .filter(|st| matches!(st, ThreadState::DiskSleep(WaitFor::Lock(_))))
            .count();
        assert!(on_mutex >= 16, "{on_mutex} waiting in __mutex_lock");
        // Every waiter counts in b as well as the holder.
        assert!(s.blocked >= 16.0, "b {}", s.blocked);
    }
}

#[test]
fn one_flush_at_a_time_sets_throughput_and_keeps_the_device_queue_below_one() {
    for seed in 1..=5 {
        let t = simulate(
            &ledger(64, LockKind::Mutex, LockScope::User, true),
            Seed(seed),
            SECONDS,
        );
        let completed = mean(&t, |s| s.app.completed as f64);
        let w_await_ms = mean(&t, |s| s.disks[0].w_await_ms);
        let queue = mean(&t, |s| s.disks[0].queue_size);
        let writes = mean(&t, |s| s.disks[0].writes as f64);
        // Each request holds the lock for its CPU part (about 20 us), its write's latency and
        // the wake-up: throughput ≈ 1 / that.
        let predicted = 1e3 / (w_await_ms + 0.03);
        assert!(
            (completed / predicted - 1.0).abs() < 0.1,
            "seed {seed}: {completed:.0}/s, 1 / hold predicts {predicted:.0}/s"
        );
        assert!(queue < 1.0, "seed {seed}: aqu-sz {queue:.2}");
        assert!(
            (writes / completed - 1.0).abs() < 0.05,
            "one write per request"
        );
        // The device serves the write in its service time (no queue forms behind it).
        assert!(
            (0.7..=0.9).contains(&w_await_ms),
            "seed {seed}: w_await {w_await_ms:.2}"
        );
        // perf lock: the hold time includes the flush.
        let l = &t.samples[1].locks[0];
        let hold_ms = l.hold_total_ns as f64 / l.acquired.max(1) as f64 / 1e6;
        assert!(hold_ms > 0.7, "hold {hold_ms:.2} ms");
    }
}

#[test]
fn flushing_after_the_unlock_overlaps_the_writes_and_multiplies_throughput() {
    for seed in 1..=5 {
        let inside = simulate(
            &ledger(64, LockKind::Mutex, LockScope::User, true),
            Seed(seed),
            SECONDS,
        );
        let outside = simulate(
            &ledger(64, LockKind::Mutex, LockScope::User, false),
            Seed(seed),
            SECONDS,
        );
        let x_in = mean(&inside, |s| s.app.completed as f64);
        let x_out = mean(&outside, |s| s.app.completed as f64);
        let p99_in = mean(&inside, |s| s.app.latency_p99_us);
        let p99_out = mean(&outside, |s| s.app.latency_p99_us);
        assert!(x_out > 5.0 * x_in, "seed {seed}: {x_in:.0} -> {x_out:.0}/s");
        assert!(
            p99_out < p99_in / 5.0,
            "seed {seed}: p99 {p99_in:.0} -> {p99_out:.0} us"
        );
        // Now many writes are in flight at once: the queue is the parallel flushes.
        let queue = mean(&outside, |s| s.disks[0].queue_size);
        assert!(queue > 2.0, "seed {seed}: aqu-sz {queue:.2}");
    }
}
