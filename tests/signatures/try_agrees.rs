//! `try` agrees with the drills: each fix a drill's model answer gives, as a `try` change,
//! moves throughput and p99 the way the answer says (throughput not lower, p99 lower), and each
//! red-flag fix (more threads, a faster or bigger box where the drill calls that wrong) does
//! not help: p99 no better, or throughput no higher. Seeds 1..=20, as `try` runs them: the
//! drill's variant before and after, the same seed, a few simulated seconds.

use super::{SEEDS, incident};
use sysdrill::domain::{Incident, LockKind, Seed};
use sysdrill::model::{simulate, variant, whatif::Override};

/// Seconds `try` simulates on each side.
const SECONDS: usize = 3;

#[derive(Debug, Clone, Copy)]
struct Outcome {
    throughput: f64,
    p99_us: f64,
}

fn outcome(v: &Incident, seed: u64) -> Outcome {
    let t = simulate(v, Seed(seed), SECONDS);
    let n = t.samples.len().max(1) as f64;
    Outcome {
        throughput: t
            .samples
            .iter()
            .map(|s| s.app.completed as f64)
            .sum::<f64>()
            / n,
        p99_us: t.samples.iter().map(|s| s.app.latency_p99_us).sum::<f64>() / n,
    }
}

enum Expect {
    /// A fix: p99 lower and throughput at least 90 % of before (three seconds of a closed
    /// workload vary by a few percent).
    Helps,
    /// A fix the drill says raises throughput as well: p99 lower and throughput higher.
    HelpsBoth,
    /// A red flag: p99 not lower by more than 10 %, or throughput not higher by more than 10 %.
    DoesNotHelp,
}

/// A named `try` change, built from the seed's variant, and what it must do.
type Change = (&'static str, Expect, fn(&Incident) -> Vec<Override>);

/// Each change must move the outcome as its `Expect` says.
fn check(id: &str, changes: &[Change]) {
    let inc = incident(id);
    let mut failures = Vec::new();
    for seed in SEEDS {
        let v = variant::pick(&inc, Seed(seed));
        let before = outcome(&v, seed);
        for (name, expect, change) in changes {
            let changed = sysdrill::model::whatif::apply(&v, &change(&v)).expect("valid change");
            let after = outcome(&changed, seed);
            let ok = match expect {
                Expect::Helps => {
                    after.p99_us < before.p99_us && after.throughput >= 0.9 * before.throughput
                }
                Expect::HelpsBoth => {
                    after.p99_us < before.p99_us && after.throughput > before.throughput
                }
                Expect::DoesNotHelp => {
                    after.p99_us >= 0.9 * before.p99_us
                        || after.throughput <= 1.1 * before.throughput
                }
            };
            if !ok {
                failures.push(format!("seed {seed}: {name}: {before:?} -> {after:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{id}:\n{}", failures.join("\n"));
}

fn threads(v: &Incident) -> u32 {
    v.workloads.first().map_or(1, |w| w.threads)
}

#[test]
fn high_cpu_spinlock_fixes_and_red_flags() {
    check(
        "high-cpu-spinlock",
        &[
            ("shard the lock", Expect::Helps, |_| {
                vec![Override::Shards {
                    lock: None,
                    shards: 8,
                }]
            }),
            ("shorter holds", Expect::Helps, |_| {
                vec![Override::HoldScale(0.5)]
            }),
            ("more threads", Expect::DoesNotHelp, |v| {
                vec![Override::Threads(threads(v) * 2)]
            }),
        ],
    );
}

#[test]
fn read_mostly_rwlock_fixes_and_red_flags() {
    check(
        "read-mostly-rwlock",
        &[
            ("rcu for the table", Expect::Helps, |_| {
                vec![Override::LockKind {
                    lock: None,
                    kind: LockKind::Rcu,
                }]
            }),
            ("more threads", Expect::DoesNotHelp, |v| {
                vec![Override::Threads(threads(v) * 2)]
            }),
            ("a plain mutex", Expect::DoesNotHelp, |_| {
                vec![Override::LockKind {
                    lock: None,
                    kind: LockKind::Mutex,
                }]
            }),
        ],
    );
}

#[test]
fn low_cpu_high_latency_fixes_and_red_flags() {
    check(
        "low-cpu-high-latency",
        &[
            ("more memory", Expect::Helps, |v| {
                vec![Override::MemoryMib(v.machine.memory_mib * 2)]
            }),
            ("more cores", Expect::DoesNotHelp, |v| {
                vec![Override::Cpus(v.machine.cpus * 2)]
            }),
        ],
    );
}

#[test]
fn slow_under_load_fixes_and_red_flags() {
    // Capping threads keeps the clients: the same users now queue for fewer workers.
    check(
        "slow-under-load",
        &[
            ("cap threads near the cores", Expect::Helps, |v| {
                vec![Override::Threads(v.machine.cpus)]
            }),
            ("shorter critical sections", Expect::Helps, |_| {
                vec![Override::HoldScale(0.5)]
            }),
            ("more threads", Expect::DoesNotHelp, |v| {
                vec![Override::Threads(threads(v) * 2)]
            }),
            ("a spinlock in user space", Expect::DoesNotHelp, |_| {
                vec![Override::LockKind {
                    lock: Some("queue".into()),
                    kind: LockKind::Spinlock,
                }]
            }),
        ],
    );
}

#[test]
fn added_threads_slower_fixes_and_red_flags() {
    check(
        "added-threads-slower",
        &[
            ("cap threads near the cores", Expect::Helps, |v| {
                vec![Override::Threads(v.machine.cpus * 2)]
            }),
            ("shard the lock", Expect::Helps, |_| {
                vec![Override::Shards {
                    lock: None,
                    shards: 8,
                }]
            }),
            ("more threads", Expect::DoesNotHelp, |v| {
                vec![Override::Threads(threads(v) * 2)]
            }),
        ],
    );
}

#[test]
fn cgroup_cpu_throttling_fixes_and_red_flags() {
    use sysdrill::model::whatif::CpuQuota;
    check(
        "cgroup-cpu-throttling",
        &[
            ("remove the quota", Expect::Helps, |_| {
                vec![Override::CpuQuota(CpuQuota::Max)]
            }),
            ("a quota of six CPUs", Expect::Helps, |_| {
                vec![Override::CpuQuota(CpuQuota::Cpus(6.0))]
            }),
            ("more threads", Expect::DoesNotHelp, |v| {
                vec![Override::Threads(threads(v) * 2)]
            }),
            ("more cores", Expect::DoesNotHelp, |v| {
                vec![Override::Cpus(v.machine.cpus * 2)]
            }),
        ],
    );
}

/// A bigger box (twice the cores): the nearest `try` has to the "faster CPU" red flag.
fn more_cores(v: &Incident) -> Vec<Override> {
    vec![Override::Cpus(v.machine.cpus * 2)]
}

fn more_threads(v: &Incident) -> Vec<Override> {
    vec![Override::Threads(threads(v) * 2)]
}

#[test]
fn disk_saturation_fixes_and_red_flags() {
    // The fixes (throttle the export, move it, a faster device) are not `try` parameters.
    check(
        "disk-saturation",
        &[
            ("more threads", Expect::DoesNotHelp, more_threads),
            ("a faster cpu", Expect::DoesNotHelp, more_cores),
        ],
    );
}

#[test]
fn healthy_baseline_red_flags() {
    // Nothing is wrong, so there is nothing to fix.
    check(
        "healthy-baseline",
        &[
            ("more threads", Expect::DoesNotHelp, more_threads),
            ("a faster cpu", Expect::DoesNotHelp, more_cores),
        ],
    );
}

#[test]
fn high_cpu_livelock_red_flags() {
    // The fix (backoff with jitter, an order, one winner) changes the protocol: not a `try`.
    // More cores run more retries at once, and each conflicts with the others.
    check(
        "high-cpu-livelock",
        &[
            ("more threads", Expect::DoesNotHelp, more_threads),
            ("a faster cpu", Expect::DoesNotHelp, more_cores),
        ],
    );
}

/// The drill's fix, one lock order (`try lock_order=consistent`), ends the hang: requests
/// complete again and nothing blocks, where before only the few already past the locks when
/// the deadlock formed completed.
#[test]
fn hung_deadlock_fix_one_lock_order() {
    let inc = incident("hung-deadlock");
    let mut failures = Vec::new();
    for seed in SEEDS {
        let v = variant::pick(&inc, Seed(seed));
        let before = simulate(&v, Seed(seed), SECONDS);
        let fixed = sysdrill::model::whatif::apply(&v, &[Override::ConsistentLockOrder])
            .expect("hung-deadlock reverses a pair");
        let after = simulate(&fixed, Seed(seed), SECONDS);
        let done =
            |t: &sysdrill::model::Trace| t.samples.iter().map(|s| s.app.completed).sum::<u64>();
        let blocked = after.samples.iter().map(|s| s.blocked).fold(0.0, f64::max);
        if done(&after) == 0 || done(&before) * 100 >= done(&after) || blocked >= 1.0 {
            failures.push(format!(
                "seed {seed}: completed {} -> {}, blocked up to {blocked:.1}",
                done(&before),
                done(&after)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hung_deadlock_red_flags() {
    // Besides one lock order, nothing ends the hang.
    check(
        "hung-deadlock",
        &[
            ("more threads", Expect::DoesNotHelp, more_threads),
            ("a faster cpu", Expect::DoesNotHelp, more_cores),
        ],
    );
}

#[test]
fn noisy_neighbor_steal_red_flags() {
    // The fix (move or isolate the VM) is not a `try` parameter.
    check(
        "noisy-neighbor-steal",
        &[("more threads", Expect::DoesNotHelp, more_threads)],
    );
}

#[test]
fn p99_tail_reclaim_fixes_and_red_flags() {
    check(
        "p99-tail-reclaim",
        &[
            ("memory headroom", Expect::Helps, |v| {
                vec![Override::MemoryMib(v.machine.memory_mib * 2)]
            }),
            ("more threads", Expect::DoesNotHelp, more_threads),
            ("a faster cpu", Expect::DoesNotHelp, more_cores),
        ],
    );
}

#[test]
fn runqueue_contention_fixes_and_red_flags() {
    // The fixes in code (batch, wake one worker instead of all) are not `try` parameters; the
    // third, fewer threads, is: a pool near the core count keeps the same dispatcher clients,
    // now queued for workers that no longer wait on a run queue hundreds deep. The drill's
    // success is more tasks per second per core, so the smaller pool must raise throughput as
    // well as cut p99.
    check(
        "runqueue-contention",
        &[
            ("cap threads at the cores", Expect::HelpsBoth, |v| {
                vec![Override::Threads(v.machine.cpus)]
            }),
            ("more threads", Expect::DoesNotHelp, more_threads),
        ],
    );
}

#[test]
fn socket_rx_contention_fixes_and_red_flags() {
    check(
        "socket-rx-contention",
        &[
            // The drill's fix spreads the work both ways at once: RSS over every CPU and
            // several sockets; interrupts spread alone still meet on the one socket lock.
            ("rss and several sockets", Expect::Helps, |_| {
                vec![
                    Override::IrqSpread(true),
                    Override::Shards {
                        lock: None,
                        shards: 8,
                    },
                ]
            }),
            ("several sockets (SO_REUSEPORT)", Expect::Helps, |_| {
                vec![Override::Shards {
                    lock: None,
                    shards: 8,
                }]
            }),
            ("more threads", Expect::DoesNotHelp, more_threads),
        ],
    );
}

#[test]
fn lock_across_fsync_fixes_and_red_flags() {
    check(
        "lock-across-fsync",
        &[
            ("flush outside the lock", Expect::Helps, |_| {
                vec![Override::IoUnderLock {
                    lock: None,
                    under: false,
                }]
            }),
            ("more threads", Expect::DoesNotHelp, |v| {
                vec![Override::Threads(threads(v) * 2)]
            }),
            ("more cores", Expect::DoesNotHelp, |v| {
                vec![Override::Cpus(v.machine.cpus * 2)]
            }),
            ("a bigger disk", Expect::DoesNotHelp, |_| {
                vec![Override::DiskParallelism(256)]
            }),
            ("a spinlock", Expect::DoesNotHelp, |_| {
                vec![Override::LockKind {
                    lock: None,
                    kind: LockKind::Spinlock,
                }]
            }),
        ],
    );
}

/// One `try` parameter as a candidate types it.
fn typed(text: &str) -> Vec<Override> {
    vec![Override::parse(text).expect("a valid parameter")]
}

#[test]
fn numa_remote_memory_fixes_and_red_flags() {
    check(
        "numa-remote-memory",
        &[
            (
                "bind the memory to the threads' node",
                Expect::Helps,
                |_| typed("membind=1"),
            ),
            ("run the threads where the memory is", Expect::Helps, |_| {
                typed("cpunodebind=0")
            }),
            ("first touch where the threads run", Expect::Helps, |_| {
                typed("first_touch=local")
            }),
            ("interleave over both nodes", Expect::Helps, |_| {
                typed("interleave=all")
            }),
            ("more threads", Expect::DoesNotHelp, |v| {
                vec![Override::Threads(threads(v) * 2)]
            }),
            ("shard the locks", Expect::DoesNotHelp, |_| {
                vec![Override::Shards {
                    lock: None,
                    shards: 8,
                }]
            }),
            ("more memory", Expect::DoesNotHelp, |v| {
                vec![Override::MemoryMib(v.machine.memory_mib * 2)]
            }),
        ],
    );
}
