//! Spin versus sleep (MODEL.md oracle 7), robustness over the documented ranges (proptest),
//! variants and what-if through the simulation.

use super::build::*;
use proptest::prelude::*;
use sysdrill::domain::*;
use sysdrill::model::engine::EngineParams;
use sysdrill::model::{Sample, Simulation, simulate, variant, whatif};

fn idle_pct(s: &Sample) -> f64 {
    s.cpus.iter().map(|c| c.idle + c.iowait).sum::<u64>() as f64 / (s.cpus.len() as f64 * 1e7)
}

/// T = 16 CPU-bound threads on N = 4 CPUs, one lock held 10 µs per 2 µs of compute: saturated.
fn saturated(kind: LockKind, shards: u32) -> Incident {
    let mut inc = closed_lock(16, 4, 10.0, 0.0, kind, Costs::default());
    inc.workloads[0].request.compute_us = 2.0;
    inc.locks[0].shards = shards;
    inc
}

#[test]
fn spinning_burns_cpu_and_sleeping_switches() {
    // Timeslice preemptions are rare events (a few per window): long windows keep the scaled
    // counts within a few percent.
    let seconds = 2;
    let params = EngineParams {
        window_ns: 150_000_000,
        warmup_ns: 10_000_000,
        max_events: u64::MAX,
    };
    let run = |inc: &Incident| {
        let mut sim = Simulation::with_params(inc, Seed(2), params);
        sim.advance_to(seconds);
        sim.trace().clone()
    };
    let spin = run(&saturated(LockKind::Spinlock, 1));
    let base = run(&saturated(LockKind::Spinlock, 4096));
    let mutex = run(&saturated(LockKind::Mutex, 1));
    let cs = |t: &sysdrill::model::Trace| {
        t.samples.iter().map(|s| s.context_switches).sum::<u64>() as f64
    };
    let cs_ratio = cs(&spin) / cs(&base);
    assert!(
        (0.9..=1.1).contains(&cs_ratio),
        "spin cs {} vs baseline {}",
        cs(&spin),
        cs(&base)
    );
    for i in 0..seconds {
        let (s, m) = (&spin.samples[i], &mutex.samples[i]);
        assert!(idle_pct(s) < 5.0, "spin id {}", idle_pct(s));
        let total: u64 = s.symbols.iter().map(|x| x.1).sum();
        let slow = spin
            .info
            .symbols
            .iter()
            .position(|x| x.name == "native_queued_spin_lock_slowpath")
            .unwrap();
        let spin_ns = s.symbols.iter().find(|x| x.0 == slow).map_or(0, |x| x.1);
        assert!(
            spin_ns as f64 >= 0.5 * total as f64,
            "spin share {}",
            spin_ns as f64 / total as f64
        );
        // Mutex: idle above the spinlock's, cs ≈ 2 × contended acquisitions.
        assert!(idle_pct(m) > idle_pct(s) + 10.0, "mutex id {}", idle_pct(m));
        let l = &m.locks[0];
        let ratio = m.context_switches as f64 / (2.0 * l.contended as f64);
        assert!(
            (0.9..=1.1).contains(&ratio),
            "cs {} vs 2 × {}",
            m.context_switches,
            l.contended
        );
    }
}

#[test]
fn variants_pick_within_ranges_deterministically() {
    let mut inc = closed_lock(16, 4, 1.0, 9.0, LockKind::Mutex, Costs::default());
    inc.variants = Variants {
        workload: 0,
        cpus: Some((4, 16)),
        threads: Some((10, 20)),
        rate_per_s: None,
        hold_scale: Some((0.5, 2.0)),
    };
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..20 {
        let v = variant::pick(&inc, Seed(seed));
        assert_eq!(v, variant::pick(&inc, Seed(seed)));
        assert!((4..=16).contains(&v.machine.cpus));
        assert!((10..=20).contains(&v.workloads[0].threads));
        let h = v.workloads[0].request.critical_sections[0].hold_us;
        assert!((0.5..=2.0).contains(&h));
        seen.insert(v.workloads[0].threads);
    }
    assert!(seen.len() > 3, "seeds pick different variants");
    inc.variants = Variants::default();
    assert_eq!(variant::pick(&inc, Seed(3)), inc);
}

#[test]
fn whatif_sharding_relieves_the_lock() {
    let inc = saturated(LockKind::Mutex, 1);
    let o = whatif::Override::parse("shards.queue=16").unwrap();
    let sharded = whatif::apply(&inc, &[o]).unwrap();
    let before = simulate(&inc, Seed(1), 2);
    let after = simulate(&sharded, Seed(1), 2);
    assert!(after.samples[1].app.completed > 2 * before.samples[1].app.completed);
    let bad = whatif::apply(&inc, &[whatif::Override::parse("shards.queu=2").unwrap()]);
    assert_eq!(
        bad.unwrap_err().to_string(),
        "unknown parameter `shards.queu` (did you mean `shards.queue`?)"
    );
}

fn arb_incident() -> impl Strategy<Value = Incident> {
    (
        1u32..=64,
        prop_oneof![1u32..=64, 1u32..=100_000],
        0.0f64..500.0,
        0.0f64..1000.0,
        0.0f64..50.0,
        0usize..6,
        any::<bool>(),
        0u32..4,
        prop_oneof![Just(Costs::default()), Just(Costs::zero())],
        0u8..5,
    )
        .prop_map(
            |(cpus, threads, compute, think, hold, kind, open, faultsel, costs, extras)| {
                let kinds = [
                    LockKind::Spinlock,
                    LockKind::Mutex,
                    LockKind::RwLock,
                    LockKind::Rcu,
                    LockKind::Seqlock,
                    LockKind::Semaphore,
                ];
                let arrivals = if open {
                    Arrivals::Open {
                        rate_per_s: think * 1000.0 + 1.0,
                    }
                } else {
                    Arrivals::Closed { think_us: think }
                };
                let mut w = workload(threads, arrivals, compute);
                w.request.critical_sections = vec![
                    CriticalSection {
                        lock: 0,
                        hold_us: hold + 0.001,
                        write_fraction: 0.2,
                        io: None,
                        nested: Vec::new(),
                    },
                    CriticalSection {
                        lock: 1,
                        hold_us: hold / 2.0 + 0.001,
                        write_fraction: 1.0,
                        io: None,
                        nested: Vec::new(),
                    },
                ];
                w.request.page_allocs = u32::from(extras) * 4;
                w.request.packets = u32::from(extras);
                w.request.syscalls = u32::from(extras) * 3;
                if extras > 2 {
                    w.request.disk_io = Some(DiskIo {
                        disk: 0,
                        reads: 1,
                        writes: 1,
                        kib: 4,
                    });
                }
                let mut l0 = lock("a", kinds[kind], LockScope::Kernel);
                l0.permits = 3;
                l0.bounce_ns = f64::from(extras) * 20.0;
                let l1 = lock("b", kinds[(kind + 1) % 6], LockScope::User);
                let mut inc = incident(machine(cpus), vec![w], vec![l0, l1], costs);
                inc.faults = match faultsel {
                    0 => vec![],
                    1 => vec![Fault::Deadlock {
                        first: 0,
                        second: 1,
                        after_s: Some(99_999),
                    }],
                    2 => vec![Fault::Livelock {
                        workload: 0,
                        attempt_us: 3.0,
                        success_probability: 0.05,
                    }],
                    _ => vec![
                        Fault::MemoryPressure {
                            free_mib: 10,
                            direct_reclaim_fraction: 0.1,
                            reclaim_us: 100.0,
                            major_fault_fraction: 0.2,
                            burst_every_s: 3,
                        },
                        Fault::NoisyNeighbor {
                            steal_pct: 30.0,
                            burst_every_s: 2,
                        },
                    ],
                };
                inc
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn simulation_never_panics_and_stays_consistent(inc in arb_incident(), seed in 0u64..1000) {
        let mut sim = Simulation::new(&inc, Seed(seed));
        sim.advance_to(2);
        for s in &sim.trace().samples {
            for c in &s.cpus {
                prop_assert_eq!(c.total(), 1_000_000_000);
            }
            prop_assert!(s.runnable.is_finite() && s.runnable >= 0.0);
            prop_assert!(s.app.latency_mean_us.is_finite());
        }
    }
}

#[test]
fn steal_disk_softirq_and_livelock_show_where_they_should() {
    // Noisy neighbour: steal near the configured share in every (steady) second.
    let mut inc = closed_lock(8, 4, 1.0, 50.0, LockKind::Mutex, Costs::default());
    inc.workloads[0].request.compute_us = 200.0;
    inc.faults = vec![Fault::NoisyNeighbor {
        steal_pct: 25.0,
        burst_every_s: 0,
    }];
    let t = simulate(&inc, Seed(1), 2);
    for s in &t.samples {
        let busy: u64 = s
            .cpus
            .iter()
            .map(|c| c.user + c.system + c.irq + c.softirq)
            .sum();
        let steal: u64 = s.cpus.iter().map(|c| c.steal).sum();
        let share = steal as f64 / (busy + steal) as f64;
        assert!((share - 0.25).abs() < 0.01, "steal share {share}");
    }

    // Disk as M/M/c: aqu-sz = IOPS × await (Little), util ≤ 1, reads block in D state.
    let mut inc = closed_lock(32, 4, 1.0, 100.0, LockKind::Mutex, Costs::default());
    inc.workloads[0].request.disk_io = Some(DiskIo {
        disk: 0,
        reads: 2,
        writes: 0,
        kib: 16,
    });
    inc.machine.disks[0].parallelism = 1;
    inc.machine.disks[0].service_us = 100.0;
    let mut sim = Simulation::with_params(
        &inc,
        Seed(4),
        EngineParams {
            window_ns: 200_000_000,
            warmup_ns: 20_000_000,
            max_events: u64::MAX,
        },
    );
    sim.advance_to(1);
    let s = &sim.trace().samples[0];
    let d = &s.disks[0];
    let little = d.reads as f64 * d.r_await_ms / 1000.0;
    assert!((little - d.queue_size).abs() / d.queue_size < 0.02, "{d:?}");
    assert!(d.util > 0.5 && d.util <= 1.0, "{d:?}");
    assert!(s.blocked > 1.0, "readers wait in D state: b {}", s.blocked);
    assert!(
        s.cpus.iter().any(|c| c.iowait > 0),
        "idle CPUs with IO outstanding are iowait"
    );
    assert_eq!(s.blocks_in_kib, d.read_kib);

    // All packets on one interrupt CPU: its softirq time dwarfs the others'; spreading fixes it.
    let mut inc = closed_lock(16, 4, 1.0, 20.0, LockKind::Mutex, Costs::default());
    inc.workloads[0].request.packets = 8;
    inc.workloads[0].request.compute_us = 5.0;
    inc.machine.nics[0].irq_cpus = vec![0];
    let one = simulate(&inc, Seed(2), 1);
    let s = &one.samples[0];
    assert!(
        s.cpus[0].softirq > 10 * s.cpus[1].softirq.max(1),
        "{:?}",
        s.cpus
    );
    let ks = one
        .info
        .tasks
        .iter()
        .position(|x| x.comm == "ksoftirqd/0")
        .unwrap();
    assert!(
        s.tasks[ks].system_ns > 0,
        "ksoftirqd/0 picks up the overflow"
    );
    let spread = whatif::apply(&inc, &[whatif::Override::parse("irq_spread=on").unwrap()]).unwrap();
    let s = &simulate(&spread, Seed(2), 1).samples[0];
    assert!(s.cpus[1].softirq > s.cpus[0].softirq / 3, "{:?}", s.cpus);

    // Livelock: busy CPUs, little progress, no lock held while retrying.
    let mut inc = closed_lock(8, 4, 1.0, 0.0, LockKind::Mutex, Costs::default());
    inc.workloads[0].request.compute_us = 1.0;
    inc.workloads[0].request.critical_sections.clear();
    let healthy = simulate(&inc, Seed(3), 1).samples[0].app.completed;
    inc.faults = vec![Fault::Livelock {
        workload: 0,
        attempt_us: 3.0,
        success_probability: 0.01,
    }];
    let t = simulate(&inc, Seed(3), 1);
    let s = &t.samples[0];
    assert!(idle_pct(s) < 5.0, "id {}", idle_pct(s));
    assert!(
        s.app.completed * 20 < healthy,
        "{} vs {healthy}",
        s.app.completed
    );
    assert_eq!(s.locks[0].contended, 0);
    let retry = t
        .info
        .symbols
        .iter()
        .position(|x| x.name == "do_sched_yield")
        .unwrap();
    assert!(s.symbols.iter().any(|&(id, ns)| id == retry && ns > 0));
}

/// `hung-deadlock` with both locks kernel spinlocks: the waiters spin with preemption off, so
/// the CPUs fill with spinning, the kernel logs soft lockups and RCU stalls (never hung tasks,
/// which are for D-state sleepers), and the reports follow the watchdog's timing.
#[test]
fn a_spinlock_deadlock_logs_soft_lockups_and_rcu_stalls() {
    use sysdrill::model::LogKind;
    let spin = |mut inc: Incident| {
        for l in &mut inc.locks {
            l.kind = LockKind::Spinlock;
        }
        inc
    };
    // Formed 100 s before the drill: the first report of every CPU is already in dmesg.
    let mut before = spin(super::incidents::hung_deadlock());
    let up = before.machine.uptime_s;
    before.faults = vec![Fault::Deadlock {
        first: 0,
        second: 1,
        after_s: Some(u32::try_from(up - 100).expect("uptime fits")),
    }];
    let t = simulate(&before, Seed(1), 3);
    let cpus = t.info.cpus;
    let lockups: Vec<(u64, u32, u32)> = t
        .log
        .iter()
        .filter_map(|e| match &e.kind {
            LogKind::SoftLockup { cpu, stuck_s, .. } => Some((e.at_us, *cpu, *stuck_s)),
            _ => None,
        })
        .collect();
    for cpu in 0..cpus {
        let first = lockups
            .iter()
            .find(|l| l.1 == cpu)
            .expect("every CPU stuck");
        assert_eq!(first.2, 22, "cpu {cpu}: first report");
        assert_eq!(
            first.0 / 1_000_000,
            up - 100 + 22,
            "cpu {cpu}: reported 22 s in"
        );
        // Later reports 26 s apart, each stuck that much longer.
        let later: Vec<u32> = lockups.iter().filter(|l| l.1 == cpu).map(|l| l.2).collect();
        assert!(later.windows(2).all(|w| w[1] == w[0] + 26), "{later:?}");
        assert!(
            later.contains(&100),
            "cpu {cpu}: the report at the drill start {later:?}"
        );
    }
    assert!(
        t.log.windows(2).all(|w| w[0].at_us <= w[1].at_us),
        "log in time order"
    );
    assert!(
        t.log
            .iter()
            .any(|e| matches!(e.kind, LogKind::RcuStall { ticks, .. } if ticks == 21 * 250 + 1)),
        "RCU stall after 21 s at HZ 250"
    );
    assert!(
        !t.log
            .iter()
            .any(|e| matches!(e.kind, LogKind::HungTask { .. })),
        "spinners are not hung tasks"
    );
    for s in &t.samples {
        assert!(idle_pct(s) < 1.0, "every CPU spins: idle {}", idle_pct(s));
    }

    // Formed during the drill: nothing until the watchdog's 22 s have passed.
    let mut during = spin(super::incidents::hung_deadlock());
    during.faults = vec![Fault::Deadlock {
        first: 0,
        second: 1,
        after_s: Some(u32::try_from(up + 1).expect("uptime fits")),
    }];
    let mut sim = Simulation::new(&during, Seed(1));
    sim.advance_to(23);
    assert!(
        !sim.trace()
            .log
            .iter()
            .any(|e| matches!(e.kind, LogKind::SoftLockup { .. })),
        "no report before 22 s"
    );
    sim.advance_to(25);
    let first = sim
        .trace()
        .log
        .iter()
        .find(|e| matches!(e.kind, LogKind::SoftLockup { .. }))
        .expect("reported once stuck 22 s");
    assert_eq!(first.at_us / 1_000_000, up + 1 + 22);
}

/// Waiters spin or sleep by one rule (`engine::kernel_waiters_spin`): a deadlock on kernel
/// `rwlock_t`s spins (soft lockups, no hung tasks); the shipped mutex deadlock sleeps in D
/// state (hung tasks, no soft lockups). Never both.
#[test]
fn a_deadlock_logs_either_soft_lockups_or_hung_tasks() {
    use sysdrill::model::LogKind;
    let kinds = |inc: &Incident| {
        let t = simulate(inc, Seed(1), 2);
        let lockups = t
            .log
            .iter()
            .any(|e| matches!(e.kind, LogKind::SoftLockup { .. }));
        let hung = t
            .log
            .iter()
            .any(|e| matches!(e.kind, LogKind::HungTask { .. }));
        (lockups, hung)
    };
    let mutexes = super::incidents::hung_deadlock();
    assert_eq!(kinds(&mutexes), (false, true));
    let mut rwlocks = mutexes;
    for l in &mut rwlocks.locks {
        l.kind = LockKind::RwLock;
    }
    assert_eq!(kinds(&rwlocks), (true, false));
}
