//! The request mix: each request takes a path drawn by its fraction, and the paths' costs show
//! where the tools show them (latency quantiles of the mixture, perf symbol shares, lock hold
//! times, disk IO), the same way for the same seed.

use super::build::*;
use sysdrill::domain::*;
use sysdrill::model::{Sample, Simulation, Trace, engine::EngineParams, whatif};

const FAST_US: f64 = 100.0;
const SLOW_US: f64 = 4000.0;
const SLOW_SHARE: f64 = 0.05;

/// A path that replaces only the compute and the hot function.
fn slow_path(share: f64, compute_us: f64, base: &RequestProfile) -> RequestPath {
    RequestPath {
        name: "cache_miss".into(),
        fraction: share,
        app_symbol: "load_from_disk".into(),
        request: RequestProfile {
            compute_us,
            ..base.clone()
        },
    }
}

/// 8 closed users on 16 CPUs with no kernel costs: a request's latency is its own compute,
/// fast or slow by its path, and nothing waits for anything.
fn uncontended(distribution: Distribution) -> Incident {
    let mut w = workload(8, Arrivals::Closed { think_us: 1000.0 }, FAST_US);
    w.request.distribution = distribution;
    w.paths = vec![slow_path(SLOW_SHARE, SLOW_US, &w.request)];
    incident(machine(16), vec![w], vec![], Costs::zero())
}

fn run(inc: &Incident, seed: u64, seconds: usize) -> Trace {
    let params = EngineParams {
        window_ns: 1_000_000_000,
        warmup_ns: 100_000_000,
        max_events: u64::MAX,
    };
    let mut sim = Simulation::with_params(inc, Seed(seed), params);
    sim.advance_to(seconds);
    sim.trace().clone()
}

/// The `q` quantile of the mixture of exponentials (means `FAST_US`, `SLOW_US`), by bisection
/// on its distribution function.
fn mixture_quantile(q: f64) -> f64 {
    let cdf = |x: f64| {
        (1.0 - SLOW_SHARE) * (1.0 - (-x / FAST_US).exp())
            + SLOW_SHARE * (1.0 - (-x / SLOW_US).exp())
    };
    let (mut lo, mut hi) = (0.0, 100.0 * SLOW_US);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn latency_quantiles_are_those_of_the_mixture() {
    let trace = run(&uncontended(Distribution::Exponential), 3, 6);
    let p50 = median(trace.samples.iter().map(|s| s.app.latency_p50_us).collect());
    let p99 = median(trace.samples.iter().map(|s| s.app.latency_p99_us).collect());
    let (want50, want99) = (mixture_quantile(0.5), mixture_quantile(0.99));
    // The median comes from the fast path, the 99th percentile from the slow one.
    assert!(want50 < FAST_US && want99 > SLOW_US, "{want50} {want99}");
    assert!((p50 / want50 - 1.0).abs() < 0.06, "p50 {p50} vs {want50}");
    assert!((p99 / want99 - 1.0).abs() < 0.12, "p99 {p99} vs {want99}");
    // The mean is the shares' weighted mean.
    let mean = median(
        trace
            .samples
            .iter()
            .map(|s| s.app.latency_mean_us)
            .collect(),
    );
    let want = (1.0 - SLOW_SHARE) * FAST_US + SLOW_SHARE * SLOW_US;
    assert!((mean / want - 1.0).abs() < 0.08, "mean {mean} vs {want}");
}

#[test]
fn fixed_costs_give_two_modes_split_at_the_fraction() {
    let trace = run(&uncontended(Distribution::Deterministic), 3, 3);
    for s in &trace.samples {
        // Every request costs exactly one of the two; 5 % slow puts p99 on the slow one.
        assert!((s.app.latency_p50_us - FAST_US).abs() < 1.0, "{:?}", s.app);
        assert!((s.app.latency_p99_us - SLOW_US).abs() < 1.0, "{:?}", s.app);
    }
    // Under 1 % slow, p99 is the fast path's.
    let tried = whatif::apply(
        &uncontended(Distribution::Deterministic),
        &[whatif::Override::parse("slow_path.cache_miss=0.005").unwrap()],
    )
    .unwrap();
    for s in &run(&tried, 3, 2).samples {
        assert!((s.app.latency_p99_us - FAST_US).abs() < 1.0, "{:?}", s.app);
    }
}

/// CPU time of the symbol named `name` over the trace, nanoseconds.
fn symbol_ns(trace: &Trace, name: &str) -> f64 {
    let Some(id) = trace.info.symbols.iter().position(|s| s.name == name) else {
        return 0.0;
    };
    trace
        .samples
        .iter()
        .flat_map(|s| &s.symbols)
        .filter(|(sym, _)| *sym == id)
        .map(|(_, ns)| *ns as f64)
        .sum()
}

#[test]
fn perf_symbol_shares_follow_fraction_times_cost() {
    let trace = run(&uncontended(Distribution::Exponential), 7, 4);
    let fast = symbol_ns(&trace, "process_request");
    let slow = symbol_ns(&trace, "load_from_disk");
    let want = SLOW_SHARE * SLOW_US / ((1.0 - SLOW_SHARE) * FAST_US);
    assert!(fast > 0.0 && slow > 0.0);
    assert!(
        (slow / fast / want - 1.0).abs() < 0.12,
        "{} vs {want}",
        slow / fast
    );
}

#[test]
fn the_same_seed_draws_the_same_paths() {
    let inc = uncontended(Distribution::Exponential);
    assert_eq!(run(&inc, 11, 3).samples, run(&inc, 11, 3).samples);
    assert_ne!(run(&inc, 11, 3).samples, run(&inc, 12, 3).samples);
}

fn disk_reads(samples: &[Sample]) -> u64 {
    samples.iter().map(|s| s.disks[0].reads).sum()
}

#[test]
fn the_slow_path_alone_reads_the_disk() {
    let mut inc = uncontended(Distribution::Deterministic);
    inc.workloads[0].paths[0].request.disk_io = Some(DiskIo {
        disk: 0,
        reads: 1,
        writes: 0,
        kib: 16,
    });
    let samples = run(&inc, 5, 4).samples;
    let completed: u64 = samples.iter().map(|s| s.app.completed).sum();
    let reads = disk_reads(&samples) as f64;
    let want = SLOW_SHARE * completed as f64;
    assert!(
        (reads / want - 1.0).abs() < 0.2,
        "{reads} reads, {want} expected"
    );
    // Without the path no request reads.
    let mut plain = inc.clone();
    plain.workloads[0].paths.clear();
    assert_eq!(disk_reads(&run(&plain, 5, 2).samples), 0);
}

/// Four closed-loop workers whose fixed 20 µs request holds lock 0 for 2 µs: the base the
/// per-path lock tests change one path of.
fn fixed_request_holding_lock_0_for_2us() -> Workload {
    let mut w = workload(4, Arrivals::Closed { think_us: 500.0 }, 20.0);
    w.request.distribution = Distribution::Deterministic;
    w.request.critical_sections = vec![CriticalSection {
        lock: 0,
        hold_us: 2.0,
        write_fraction: 1.0,
        io: None,
        nested: Vec::new(),
    }];
    w
}

#[test]
fn each_path_holds_its_lock_for_its_own_time() {
    let mut w = fixed_request_holding_lock_0_for_2us();
    let mut slow = slow_path(0.1, 20.0, &w.request);
    slow.request.critical_sections[0].hold_us = 200.0;
    w.paths = vec![slow];
    let inc = incident(
        machine(8),
        vec![w],
        vec![lock("cache", LockKind::Mutex, LockScope::User)],
        Costs::zero(),
    );
    let samples = run(&inc, 9, 4).samples;
    let (acquired, hold_ns, max_ns) = samples.iter().fold((0, 0, 0), |(a, h, m), s| {
        let l = &s.locks[0];
        (a + l.acquired, h + l.hold_total_ns, m.max(l.hold_max_ns))
    });
    let mean_us = hold_ns as f64 / acquired as f64 / 1000.0;
    let want = 0.9 * 2.0 + 0.1 * 200.0;
    assert!((mean_us / want - 1.0).abs() < 0.15, "{mean_us} vs {want}");
    // The longest hold is the slow path's.
    assert!((max_ns as f64 / 1000.0 - 200.0).abs() < 1.0, "{max_ns}");
}

#[test]
fn try_changes_a_paths_share_and_cost() {
    let inc = uncontended(Distribution::Deterministic);
    let tried = whatif::apply(
        &inc,
        &[
            whatif::Override::parse("slow_path.cache_miss=0.2").unwrap(),
            whatif::Override::parse("slow_path_us.cache_miss=800").unwrap(),
        ],
    )
    .unwrap();
    let path = &tried.workloads[0].paths[0];
    assert_eq!((path.fraction, path.request.compute_us), (0.2, 800.0));
    let unknown = whatif::apply(
        &inc,
        &[whatif::Override::parse("slow_path.cache_mis=0.2").unwrap()],
    )
    .unwrap_err();
    assert!(unknown.to_string().contains("cache_miss"), "{unknown}");
    // One path: its name may be left out; shares beyond every request are refused.
    let unnamed = whatif::apply(&inc, &[whatif::Override::parse("slow_path=0.5").unwrap()]);
    assert_eq!(unnamed.unwrap().workloads[0].paths[0].fraction, 0.5);
    let mut two = inc.clone();
    let mut second = two.workloads[0].paths[0].clone();
    second.name = "cold_start".into();
    second.fraction = 0.6;
    two.workloads[0].paths.push(second);
    let over = whatif::apply(
        &two,
        &[whatif::Override::parse("slow_path.cache_miss=0.5").unwrap()],
    )
    .unwrap_err();
    assert!(over.to_string().contains("at most 0.4"), "{over}");
    let ambiguous =
        whatif::apply(&two, &[whatif::Override::parse("slow_path=0.1").unwrap()]).unwrap_err();
    assert!(
        ambiguous.to_string().contains("cache_miss, cold_start"),
        "{ambiguous}"
    );
}

/// A nested section inside a path holds the path's outer lock across the inner one: the outer
/// lock's holds grow by the inner hold on that path's share of the requests, and only that
/// path takes the inner lock.
#[test]
fn a_paths_nested_section_lengthens_its_outer_hold() {
    let mut w = fixed_request_holding_lock_0_for_2us();
    let mut slow = slow_path(0.1, 20.0, &w.request);
    slow.request.critical_sections[0].nested = vec![NestedSection {
        lock: 1,
        hold_us: 200.0,
        write_fraction: 1.0,
        reverse_fraction: 0.0,
    }];
    w.paths = vec![slow];
    let inc = incident(
        machine(8),
        vec![w],
        vec![
            lock("cache", LockKind::Mutex, LockScope::User),
            lock("index", LockKind::Mutex, LockScope::User),
        ],
        Costs::zero(),
    );
    let samples = run(&inc, 9, 4).samples;
    let sum = |l: usize| {
        samples.iter().fold((0, 0, 0), |(a, h, m), s| {
            let l = &s.locks[l];
            (a + l.acquired, h + l.hold_total_ns, m.max(l.hold_max_ns))
        })
    };
    let (outer_acquired, outer_hold_ns, outer_max_ns) = sum(0);
    let (inner_acquired, _, _) = sum(1);
    let mean_us = outer_hold_ns as f64 / outer_acquired as f64 / 1000.0;
    let want = 0.9 * 2.0 + 0.1 * (2.0 + 200.0);
    assert!((mean_us / want - 1.0).abs() < 0.15, "{mean_us} vs {want}");
    // The longest outer hold spans the nested one.
    assert!(outer_max_ns as f64 / 1000.0 >= 201.0, "{outer_max_ns}");
    let share = inner_acquired as f64 / outer_acquired as f64;
    assert!(
        (share / 0.1 - 1.0).abs() < 0.2,
        "inner lock on {share} of requests"
    );
    // Without the path nothing takes the inner lock.
    let mut plain = inc.clone();
    plain.workloads[0].paths.clear();
    let plain = run(&plain, 9, 2).samples;
    assert_eq!(plain.iter().map(|s| s.locks[1].acquired).sum::<u64>(), 0);
}
