//! One predicate per incident signature (docs/COVERAGE.md), each over a whole trace. A predicate states what a candidate would point
//! at to name the cause, including what tells it apart from its neighbours: `slow-under-load`
//! and `added-threads-slower` both show one contended mutex with idle CPUs, and differ in the
//! reclaim storms that push `slow-under-load` below the watermark and its run queue above the
//! CPUs; `high-cpu-spinlock`, `socket-rx-contention` and
//! `runqueue-contention` all spin in the kernel, and differ in context switches, where the
//! softirq time lands and which lock leads perf lock.
//!
//! Reads traces only; the thresholds are the cheat sheet's, not tuned to one seed.

use super::facts::*;
use sysdrill::model::{LogKind, Sample, Trace};

pub struct Signature {
    /// The incident that must show it (and the only one that may).
    pub incident: &'static str,
    pub holds: fn(&Trace) -> bool,
}

pub const SIGNATURES: &[Signature] = &[
    Signature {
        incident: "slow-under-load",
        holds: slow_under_load,
    },
    Signature {
        incident: "added-threads-slower",
        holds: added_threads_slower,
    },
    Signature {
        incident: "high-cpu-spinlock",
        holds: high_cpu_spinlock,
    },
    Signature {
        incident: "high-cpu-livelock",
        holds: high_cpu_livelock,
    },
    Signature {
        incident: "p99-tail-reclaim",
        holds: p99_tail_reclaim,
    },
    Signature {
        incident: "low-cpu-high-latency",
        holds: low_cpu_high_latency,
    },
    Signature {
        incident: "hung-deadlock",
        holds: hung_deadlock,
    },
    Signature {
        incident: "socket-rx-contention",
        holds: socket_rx_contention,
    },
    Signature {
        incident: "read-mostly-rwlock",
        holds: read_mostly_rwlock,
    },
    Signature {
        incident: "runqueue-contention",
        holds: runqueue_contention,
    },
    Signature {
        incident: "noisy-neighbor-steal",
        holds: noisy_neighbor_steal,
    },
    Signature {
        incident: "disk-saturation",
        holds: disk_saturation,
    },
    Signature {
        incident: "healthy-baseline",
        holds: healthy_baseline,
    },
    Signature {
        incident: "cgroup-cpu-throttling",
        holds: cgroup_cpu_throttling,
    },
    Signature {
        incident: "irq-spinlock-lockup",
        holds: irq_spinlock_lockup,
    },
    Signature {
        incident: "lock-across-fsync",
        holds: lock_across_fsync,
    },
    Signature {
        incident: "numa-remote-memory",
        holds: numa_remote_memory,
    },
];

fn every(t: &Trace, f: impl Fn(&Sample) -> bool) -> bool {
    !t.samples.is_empty() && t.samples.iter().all(f)
}

fn some(t: &Trace, f: impl Fn(&Sample) -> bool) -> bool {
    t.samples.iter().any(f)
}

fn cpus(t: &Trace) -> f64 {
    f64::from(t.info.cpus)
}

/// Less than a twentieth of a thread waiting on locks on average: perf lock shows little.
fn quiet_locks(s: &Sample) -> bool {
    lock_waiters(s) < 0.05
}

/// One sleeping (futex) mutex carries nearly all lock wait, and threads thrash on it: cs high.
fn one_mutex_dominates(t: &Trace, s: &Sample) -> bool {
    top_lock(s).is_some_and(|i| {
        t.info.locks[i].perf_type == "mutex" && lock_waiters(s) >= 1.0 && top_lock_share(s) >= 0.8
    }) && s.context_switches >= 50_000
}

/// One hot mutex every second, and memory pressure amplifying it in storms: most seconds the
/// threads sleep on the lock with CPUs idle, and in reclaim seconds (free below the low
/// watermark, swapping) the run queue climbs above the CPU count.
fn slow_under_load(t: &Trace) -> bool {
    let storm = some(t, |s| {
        below_low(s) && s.runnable > cpus(t) && s.swap_in_kib + s.swap_out_kib > 0
    });
    let waiting = some(t, |s| {
        !below_low(s) && s.runnable < cpus(t) && vmstat(s).id >= 30.0
    });
    storm && waiting && every(t, |s| one_mutex_dominates(t, s))
}

/// One hot mutex with idle CPU and long waits, and no memory pressure.
fn added_threads_slower(t: &Trace) -> bool {
    every(t, |s| {
        one_mutex_dominates(t, s) && !below_low(s) && vmstat(s).id >= 20.0
    })
}

/// Waiters spin in the kernel: the spin slow path leads perf top, sy high, no idle, and no
/// context-switch storm or softirq concentration (those are other causes).
fn high_cpu_spinlock(t: &Trace) -> bool {
    every(t, |s| {
        let v = vmstat(s);
        let top2 = perf_top(t, s)
            .iter()
            .take(2)
            .any(|(n, x)| n == "native_queued_spin_lock_slowpath" && *x >= 0.2);
        top2 && v.sy >= 40.0
            && v.id <= 5.0
            && s.context_switches < 50_000
            && soft_pct(s).into_iter().fold(0.0, f64::max) < 50.0
    })
}

/// Busy but stuck: CPUs full, almost nothing completes, the retry path (yield) hot, and no
/// lock waits.
fn high_cpu_livelock(t: &Trace) -> bool {
    every(t, |s| {
        let v = vmstat(s);
        v.us + v.sy >= 90.0
            && v.id <= 5.0
            && s.app.completed <= 1000
            && quiet_locks(s)
            && in_top(t, s, 5, "do_sched_yield")
    })
}

/// Reclaim comes in bursts: some seconds below the low watermark with direct reclaim in perf
/// top and a p99 far above the median, other seconds clear of it.
fn p99_tail_reclaim(t: &Trace) -> bool {
    let burst = some(t, |s| {
        below_low(s)
            && share(
                t,
                s,
                &["shrink_folio_list", "__alloc_pages_slowpath.constprop.0"],
            ) >= 0.02
            && s.app.latency_p50_us > 0.0
            && s.app.latency_p99_us >= 8.0 * s.app.latency_p50_us
    });
    burst && some(t, |s| !below_low(s))
}

/// Waiting on memory, not computing: little CPU, free below the watermark, swapping, threads
/// in D state and iowait, and no lock to blame.
fn low_cpu_high_latency(t: &Trace) -> bool {
    every(t, |s| {
        let v = vmstat(s);
        v.us + v.sy <= 30.0
            && below_low(s)
            && s.swap_in_kib + s.swap_out_kib > 0
            && s.blocked >= 0.3
            && v.wa >= 5.0
            && quiet_locks(s)
    })
}

/// Total stop: nothing runs, the CPUs idle, and the hung-task detector has spoken.
fn hung_deadlock(t: &Trace) -> bool {
    let hung = t
        .log
        .iter()
        .any(|e| matches!(e.kind, LogKind::HungTask { .. }));
    hung && every(t, |s| s.runnable < 0.5 && vmstat(s).id >= 95.0)
}

/// One CPU stuck in a softirq for good: the watchdog has reported it with the spin inside
/// `<IRQ>`, every second that CPU spends all its time in `si` and none idle, while the other
/// CPUs take no softirq at all and keep running the service (idle time left, requests done).
fn irq_spinlock_lockup(t: &Trace) -> bool {
    let reported = t.log.iter().any(|e| {
        matches!(&e.kind, LogKind::IrqLockup { irq_stack, .. }
            if irq_stack.iter().any(|f| f.starts_with("_raw_spin_lock")))
    });
    reported
        && every(t, |s| {
            let soft = soft_pct(s);
            let stuck: Vec<usize> = (0..soft.len()).filter(|&c| soft[c] >= 99.0).collect();
            let others_calm = soft
                .iter()
                .enumerate()
                .all(|(c, &x)| stuck.contains(&c) || x <= 1.0);
            stuck.len() == 1 && others_calm && vmstat(s).id >= 5.0 && s.app.completed > 0
        })
}

/// Softirq piled on one CPU while the others take almost none, and workers spinning on a
/// kernel spinlock.
fn socket_rx_contention(t: &Trace) -> bool {
    every(t, |s| {
        let soft = soft_pct(s);
        let (hot, max) =
            soft.iter().enumerate().fold(
                (0, 0.0),
                |acc, (i, &x)| if x > acc.1 { (i, x) } else { acc },
            );
        let others = soft
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != hot)
            .map(|(_, &x)| x)
            .sum::<f64>()
            / (soft.len().max(2) - 1) as f64;
        max >= 80.0
            && others <= 20.0
            && in_top(t, s, 3, "native_queued_spin_lock_slowpath")
            && top_lock(s).is_some_and(|i| t.info.locks[i].perf_type == "spinlock")
    })
}

/// Read-dominated rwlock: readers outnumber writers many times over, readers wait on the lock
/// word, and the reader slow path shows in perf top.
fn read_mostly_rwlock(t: &Trace) -> bool {
    every(t, |s| {
        top_lock(s).is_some_and(|i| {
            let l = &s.locks[i];
            l.read_side
                .as_ref()
                .is_some_and(|r| r.acquired >= 20 * l.acquired.max(1) && r.contended > 0)
        }) && in_top(t, s, 5, "queued_read_lock_slowpath")
    })
}

/// Thundering herd: a context-switch storm, high sy, wake-ups hot in perf top and the
/// run-queue lock leading perf lock.
fn runqueue_contention(t: &Trace) -> bool {
    every(t, |s| {
        s.context_switches >= 200_000
            && vmstat(s).sy >= 40.0
            && in_top(t, s, 5, "try_to_wake_up")
            && top_lock(s).is_some_and(|i| t.info.locks[i].class_name == "&rq->__lock")
    })
}

/// The hypervisor takes the CPU: st high, and nothing local to blame (no lock waits, no
/// memory pressure, no IO wait). The run queue may exceed the vCPUs: stolen time queues work.
fn noisy_neighbor_steal(t: &Trace) -> bool {
    every(t, |s| {
        let v = vmstat(s);
        v.st >= 10.0 && v.wa < 5.0 && quiet_locks(s) && !below_low(s)
    })
}

/// The disk is the bottleneck: a device busy all the time with long waits, and CPUs waiting
/// on IO.
fn disk_saturation(t: &Trace) -> bool {
    every(t, |s| {
        let (util, wait) = busiest_disk(s);
        util >= 95.0 && wait >= 5.0 && vmstat(s).wa >= 20.0
    })
}

/// Nothing wrong: work completes, spare CPU, no queueing, nobody stuck in D state, no IO wait
/// or steal, memory comfortable, locks quiet, context switches at a busy server's baseline.
fn healthy_baseline(t: &Trace) -> bool {
    every(t, |s| {
        let v = vmstat(s);
        s.app.completed > 0
            && s.runnable <= cpus(t)
            && s.blocked < 1.0
            && v.id >= 50.0
            && v.wa < 5.0
            && v.st < 5.0
            && !below_low(s)
            && s.swap_in_kib + s.swap_out_kib == 0
            && quiet_locks(s)
            && s.context_switches < 20_000
            && soft_pct(s).into_iter().fold(0.0, f64::max) < 20.0
            && throttled_periods(s) == 0.0
    })
}

/// A cgroup's CPU quota holds the service back while the host has CPU to spare: throttled
/// periods pile up over the trace (nr_throttled climbs), while every second a third of the
/// CPUs or more sit idle, with no steal and nothing else to blame (no IO wait, no memory
/// pressure, quiet locks).
fn cgroup_cpu_throttling(t: &Trace) -> bool {
    let throttled: f64 = t.samples.iter().map(throttled_periods).sum();
    throttled >= 3.0
        && every(t, |s| {
            let v = vmstat(s);
            v.id >= 30.0 && v.st < 1.0 && v.wa < 5.0 && !below_low(s) && quiet_locks(s)
        })
}

/// One flush at a time under a lock: the service completes about one request per device write
/// latency (throughput ≈ 1 / w_await), the drive never has a second write queued although it
/// serves many at once, a thread sits in D state with iowait behind it, the CPUs idle, and the
/// waiting is on a lock whose waiters sleep.
fn lock_across_fsync(t: &Trace) -> bool {
    every(t, |s| {
        let v = vmstat(s);
        let Some(d) = s.disks.iter().max_by_key(|d| d.writes) else {
            return false;
        };
        let serial = s.app.completed as f64 * d.w_await_ms / 1000.0;
        d.writes > 0
            && d.queue_size < 1.0
            && (0.6..=1.1).contains(&serial)
            && s.blocked >= 0.5
            && v.wa >= 2.0
            && v.id >= 80.0
            && s.context_switches < 50_000
            && top_lock(s).is_some_and(|i| t.info.locks[i].perf_type != "spinlock")
    })
}

/// Remote memory: the service's threads run on one node's CPUs (mpstat -P ALL) while nearly all
/// of its memory sits on another node (numastat -p), with nothing waiting on locks.
fn numa_remote_memory(t: &Trace) -> bool {
    let numa = &t.info.numa;
    let Some(service) = numa.processes.first() else {
        return false;
    };
    let memory: u64 = service.node_kib.iter().sum();
    numa.nodes.len() > 1
        && every(t, |s| {
            let mut busy = vec![0.0; numa.nodes.len()];
            for (cpu, time) in s.cpus.iter().enumerate() {
                busy[numa.node_of_cpu(cpu as u32)] += (time.user + time.system) as f64;
            }
            let all: f64 = busy.iter().sum();
            let (run_node, run_busy) =
                busy.iter().enumerate().fold(
                    (0, 0.0),
                    |acc, (i, &b)| if b > acc.1 { (i, b) } else { acc },
                );
            let local = service.node_kib[run_node] as f64 / memory.max(1) as f64;
            all > 0.0 && run_busy >= 0.9 * all && local <= 0.1 && quiet_locks(s)
        })
}
