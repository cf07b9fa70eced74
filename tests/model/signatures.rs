//! Incident signatures (docs/COVERAGE.md) and the per-sample consistency rules
//! (MODEL.md oracles 8–11), for every shipped incident over several seeds.

use super::incidents::*;
use sysdrill::domain::*;
use sysdrill::model::{Sample, Simulation, Trace, simulate, variant, whatif};

const SEEDS: [u64; 3] = [1, 7, 42];

fn run(inc: &Incident, seed: u64, secs: usize) -> Trace {
    simulate(&variant::pick(inc, Seed(seed)), Seed(seed), secs)
}

/// us, sy (incl. irq and softirq), wa, st, id in percent of all CPUs.
fn pct(s: &Sample) -> [f64; 5] {
    let n = s.cpus.len() as f64 * 1e7;
    let sum =
        |f: &dyn Fn(&sysdrill::model::CpuTime) -> u64| s.cpus.iter().map(f).sum::<u64>() as f64 / n;
    [
        sum(&|c| c.user + c.nice),
        sum(&|c| c.system + c.irq + c.softirq),
        sum(&|c| c.iowait),
        sum(&|c| c.steal),
        sum(&|c| c.idle),
    ]
}

/// Symbols by share of all sampled CPU time, largest first, idle symbols left out.
fn top(t: &Trace, s: &Sample) -> Vec<(String, f64)> {
    let total: u64 = s.symbols.iter().map(|x| x.1).sum();
    let idle = [
        "intel_idle",
        "cpuidle_enter_state",
        "do_idle",
        "menu_select",
        "pv_native_safe_halt",
        "default_idle_call",
    ];
    let mut v: Vec<(String, f64)> = s
        .symbols
        .iter()
        .map(|&(id, ns)| (t.info.symbols[id].name.clone(), ns as f64 / total as f64))
        .filter(|(n, _)| !idle.contains(&n.as_str()))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

fn share(t: &Trace, s: &Sample, name: &str) -> f64 {
    top(t, s)
        .iter()
        .find(|(n, _)| n == name)
        .map_or(0.0, |x| x.1)
}

fn in_top(t: &Trace, s: &Sample, n: usize, names: &[&str]) -> bool {
    top(t, s)
        .iter()
        .take(n)
        .any(|(x, _)| names.contains(&x.as_str()))
}

fn check_invariants(inc: &Incident, t: &Trace) {
    let n = t.info.cpus;
    for (i, s) in t
        .samples
        .iter()
        .chain(std::iter::once(&t.since_boot))
        .enumerate()
    {
        let ctx = format!("{} sample {i}", inc.id);
        assert_eq!(s.cpus.len(), n as usize, "{ctx}");
        for c in &s.cpus {
            assert_eq!(c.total(), 1_000_000_000, "{ctx}: {c:?}");
        }
        let p = pct(s);
        assert!((p.iter().sum::<f64>() - 100.0).abs() < 1e-6, "{ctx}");
        assert!(s.runnable >= 0.0 && s.blocked >= 0.0, "{ctx}");
        let wa: u64 = s.cpus.iter().map(|c| c.iowait).sum();
        let outstanding = s.disks.iter().any(|d| d.queue_size > 0.0);
        assert!(
            wa == 0 || s.blocked > 0.0 || outstanding,
            "{ctx}: wa without b or IO"
        );
        // The since-boot line's si/so average the box's history (bursts included) while its
        // free is the current value, as in vmstat's first line; the rule holds per second.
        let since_boot = i == t.samples.len();
        if s.swap_in_kib + s.swap_out_kib > 0 && !since_boot {
            assert!(
                s.mem.free_kib < s.mem.watermark_low_kib,
                "{ctx}: swap above low watermark"
            );
        }
        let busy: f64 = s
            .cpus
            .iter()
            .map(|c| (c.user + c.system + c.irq + c.softirq) as f64 / 1e9)
            .sum();
        let floor = (f64::from(t.info.hz) * busy).floor() as u64;
        assert!(
            s.interrupts >= floor,
            "{ctx}: in {} below timer floor {floor}",
            s.interrupts
        );
        let sym_total: u64 = s.symbols.iter().map(|x| x.1).sum();
        let cpu_total = u64::from(n) * 1_000_000_000 - s.cpus.iter().map(|c| c.steal).sum::<u64>();
        assert!(
            (sym_total as f64 - cpu_total as f64).abs() <= cpu_total as f64 * 0.001 + 100.0,
            "{ctx}: symbols {sym_total} vs cpu {cpu_total}"
        );
        assert_eq!(s.tasks.len(), t.info.tasks.len(), "{ctx}");
        assert_eq!(s.locks.len(), t.info.locks.len(), "{ctx}");
        for l in &s.locks {
            for l in std::iter::once(l).chain(l.read_side.as_deref()) {
                assert!(l.contended <= l.acquired, "{ctx}");
                if l.contended > 0 {
                    let avg = l.wait_total_ns as f64 / l.contended as f64;
                    assert!(
                        l.wait_max_ns as f64 >= avg * 0.999 && avg >= l.wait_min_ns as f64 * 0.999,
                        "{ctx}: {l:?}"
                    );
                    let callers: u64 = l.callers.iter().map(|c| c.wait_total_ns).sum();
                    assert_eq!(callers, l.wait_total_ns, "{ctx}");
                }
            }
        }
        let [l1, l5, l15] = s.load_avg;
        assert!(l1 >= 0.0 && l5 >= 0.0 && l15 >= 0.0, "{ctx}");
    }
    let pids: Vec<u32> = t.info.tasks.iter().map(|t| t.pid).collect();
    let mut sorted = pids.clone();
    sorted.sort();
    assert_eq!(pids, sorted, "tasks sorted by pid");
}

#[test]
fn every_sample_of_every_incident_is_consistent() {
    for inc in all() {
        for seed in SEEDS {
            check_invariants(&inc, &run(&inc, seed, 4));
        }
    }
}

#[test]
fn slow_under_load_signature() {
    let inc = slow_under_load();
    for seed in SEEDS {
        let t = run(&inc, seed, 3);
        let cpus = f64::from(t.info.cpus);
        let kswapd = t
            .info
            .tasks
            .iter()
            .position(|x| x.comm == "kswapd0")
            .unwrap();
        let storms = t
            .samples
            .iter()
            .filter(|s| s.mem.free_kib < s.mem.watermark_low_kib)
            .count();
        // Reclaim storms every third second: one in any three seconds.
        assert_eq!(storms, 1, "seed {seed}: storm seconds");
        for s in &t.samples {
            assert!(
                s.context_switches > 50_000,
                "seed {seed}: cs {}",
                s.context_switches
            );
            let waits: Vec<u64> = s.locks.iter().map(|l| l.wait_total_ns).collect();
            let total: u64 = waits.iter().sum();
            assert!(
                waits[0] as f64 > 0.8 * total as f64,
                "seed {seed}: {waits:?}"
            );
            assert!(
                in_top(
                    &t,
                    s,
                    25,
                    &[
                        "__schedule",
                        "finish_task_switch.isra.0",
                        "pick_next_task_fair"
                    ]
                ),
                "{:?}",
                top(&t, s)
            );
            let idle = pct(s)[4];
            if s.mem.free_kib < s.mem.watermark_low_kib {
                // The storm: direct reclaim and kswapd fill the CPUs and the run queue.
                assert!(s.runnable > cpus, "seed {seed}: storm r {}", s.runnable);
                assert!(idle < 15.0, "seed {seed}: storm id {idle}");
                assert!(s.swap_in_kib > 0, "seed {seed}: swapping");
                assert!(s.tasks[kswapd].system_ns > 0, "kswapd works");
                assert!(in_top(&t, s, 5, &["shrink_folio_list"]), "{:?}", top(&t, s));
            } else {
                // Between storms: the threads sleep on the queue lock and the CPUs idle. The
                // lock is a pthread mutex, so its waiting shows as the scheduler's wake-ups, not
                // as a kernel spin slow path; the allocator shows as its page-fault path.
                assert!(s.runnable < cpus, "seed {seed}: calm r {}", s.runnable);
                assert!(idle >= 30.0, "seed {seed}: calm id {idle}");
                assert!(in_top(&t, s, 15, &["try_to_wake_up"]), "{:?}", top(&t, s));
                assert!(
                    !in_top(&t, s, 15, &["native_queued_spin_lock_slowpath"]),
                    "{:?}",
                    top(&t, s)
                );
                assert!(
                    in_top(
                        &t,
                        s,
                        5,
                        &["do_anonymous_page", "asm_exc_page_fault", "handle_mm_fault"]
                    ),
                    "{:?}",
                    top(&t, s)
                );
            }
        }
    }
}

#[test]
fn added_threads_slower_signature() {
    let inc = added_threads_slower();
    for seed in SEEDS {
        let t = run(&inc, seed, 2);
        for s in &t.samples {
            let [_, _, _, _, id] = pct(s);
            assert!(id > 30.0, "seed {seed}: id {id}");
            let l = &s.locks[0];
            assert!(
                l.contended as f64 > 0.5 * l.acquired as f64,
                "seed {seed}: {l:?}"
            );
            assert!(
                l.wait_total_ns as f64 / l.contended as f64 > 100_000.0,
                "long waits"
            );
        }
    }
    // More threads, less throughput.
    let base = variant::pick(&inc, Seed(1));
    let x = |threads: u32| {
        let o = whatif::Override::parse(&format!("threads={threads}")).unwrap();
        let inc = whatif::apply(&base, &[o]).unwrap();
        let t = simulate(&inc, Seed(1), 2);
        t.samples.iter().map(|s| s.app.completed).sum::<u64>()
    };
    let (few, many) = (x(8), x(96));
    assert!(
        few as f64 > many as f64 * 1.1,
        "threads=8 gives {few}, threads=96 gives {many}"
    );
}

#[test]
fn high_cpu_spinlock_signature() {
    let inc = high_cpu_spinlock();
    for seed in SEEDS {
        let t = run(&inc, seed, 2);
        for s in &t.samples {
            let [_, sy, _, _, id] = pct(s);
            assert!((40.0..=90.0).contains(&sy), "seed {seed}: sy {sy}");
            assert!(id < 2.0, "seed {seed}: id {id}");
            assert!(
                s.runnable > 2.0 * f64::from(t.info.cpus),
                "seed {seed}: r {}",
                s.runnable
            );
            assert!(
                s.context_switches < 10_000,
                "seed {seed}: cs {}",
                s.context_switches
            );
            let spin = share(&t, s, "native_queued_spin_lock_slowpath");
            assert!(
                (0.3..=0.8).contains(&spin),
                "seed {seed}: spin share {spin}"
            );
        }
    }
}

#[test]
fn hung_deadlock_signature() {
    let inc = hung_deadlock();
    for seed in SEEDS {
        let t = run(&inc, seed, 3);
        for s in &t.samples {
            assert!(s.runnable < 0.5, "seed {seed}: r {}", s.runnable);
            let [_, _, _, _, id] = pct(s);
            assert!(id > 99.0, "seed {seed}: id {id}");
            assert!(s.blocked > 10.0, "D-state tasks");
            assert!(s.load_avg[0] > 10.0, "load counts D state");
        }
        let hung: Vec<_> = t
            .log
            .iter()
            .filter_map(|e| match &e.kind {
                sysdrill::model::LogKind::HungTask {
                    stack, blocked_s, ..
                } => Some((stack, *blocked_s)),
                _ => None,
            })
            .collect();
        assert!(!hung.is_empty(), "hung-task reports");
        // Each waits in its lock's slow path: the mutex's or the rw_semaphore's.
        let waits_in = |s: &[String], path: &str| s.iter().any(|f| f.starts_with(path));
        assert!(
            hung.iter()
                .all(|(s, b)| (waits_in(s, "__mutex_lock.constprop.0+")
                    || waits_in(s, "rwsem_down_write_slowpath+"))
                    && *b >= 120)
        );
        assert!(
            t.log
                .iter()
                .all(|e| e.at_us <= (t.info.uptime_s + 3) * 1_000_000)
        );
    }
}

#[test]
fn healthy_baseline_signature() {
    let inc = healthy_baseline();
    for seed in SEEDS {
        let t = run(&inc, seed, 3);
        for s in &t.samples {
            assert!(s.runnable <= f64::from(t.info.cpus), "seed {seed}");
            assert!(
                (100..=1000).contains(&s.context_switches),
                "seed {seed}: cs {}",
                s.context_switches
            );
            let [_, _, _, _, id] = pct(s);
            assert!(id > 85.0, "seed {seed}: id {id}");
            for l in &s.locks {
                assert!(l.wait_total_ns < 10_000_000, "no lock dominating: {l:?}");
            }
        }
    }
}

#[test]
fn same_seed_same_trace_other_seed_other_numbers() {
    for inc in all() {
        let a = format!("{:?}", run(&inc, 5, 3));
        let b = format!("{:?}", run(&inc, 5, 3));
        assert_eq!(a, b, "{}", inc.id);
        let c = format!("{:?}", run(&inc, 6, 3));
        assert_ne!(a, c, "{}", inc.id);
    }
}

#[test]
fn seconds_already_produced_never_change() {
    for inc in all() {
        let inc = variant::pick(&inc, Seed(3));
        let mut sim = Simulation::new(&inc, Seed(3));
        sim.advance_to(2);
        let early = sim.trace().clone();
        sim.advance_to(5);
        let late = sim.trace();
        assert_eq!(early.samples[..], late.samples[..2], "{}", inc.id);
        assert_eq!(early.since_boot, late.since_boot);
        assert_eq!(late.samples[..], simulate(&inc, Seed(3), 5).samples[..]);
        assert!(late.log.starts_with(&early.log));
    }
}

/// The shipped YAML files load and mean the same machine and workload as the builders above.
#[test]
fn shipped_incident_files_match_the_builders() {
    for built in all() {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("incidents")
            .join(format!("{}.yaml", built.id));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let loaded = match sysdrill::content::load_incident(&path, &bytes) {
            Ok(i) => i,
            Err(d) => panic!("{d:?}"),
        };
        let loaded = &loaded;
        // The file's signature holds too (names differ from the builders, numbers do not).
        let t = run(loaded, 1, 2);
        check_invariants(loaded, &t);
        assert_eq!(loaded.machine.cpus, built.machine.cpus, "{}", built.id);
        assert_eq!(
            loaded.machine.memory_mib, built.machine.memory_mib,
            "{}",
            built.id
        );
        assert_eq!(
            loaded.machine.uptime_s, built.machine.uptime_s,
            "{}",
            built.id
        );
        assert_eq!(loaded.machine.disks, built.machine.disks, "{}", built.id);
        assert_eq!(loaded.costs, built.costs, "{}", built.id);
        assert_eq!(loaded.faults, built.faults, "{}", built.id);
        assert_eq!(loaded.variants, built.variants, "{}", built.id);
        let (lw, bw) = (&loaded.workloads[0], &built.workloads[0]);
        assert_eq!(lw.threads, bw.threads, "{}", built.id);
        assert_eq!(lw.arrivals, bw.arrivals, "{}", built.id);
        assert_eq!(lw.request, bw.request, "{}", built.id);
        assert_eq!(lw.rss_mib, bw.rss_mib, "{}", built.id);
        for (l, b) in loaded.locks.iter().zip(&built.locks) {
            assert_eq!(
                (l.kind, l.scope, l.shards, l.permits),
                (b.kind, b.scope, b.shards, b.permits)
            );
            assert_eq!(
                (&l.class_name, &l.caller, l.bounce_ns),
                (&b.class_name, &b.caller, b.bounce_ns)
            );
        }
    }
}
