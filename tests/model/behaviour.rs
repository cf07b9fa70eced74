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
                    },
                    CriticalSection {
                        lock: 1,
                        hold_us: hold / 2.0 + 0.001,
                        write_fraction: 1.0,
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
                        after_s: 99_999,
                    }],
                    2 => vec![Fault::Livelock {
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
