//! CPU bandwidth control (`cpu.max`): the engine throttles a cgroup that used its quota for
//! the period, whatever the other CPUs are doing.

use super::build::*;
use sysdrill::domain::*;
use sysdrill::model::{CgroupSample, Sample};

/// Four always-busy threads on four CPUs, in a cgroup with `quota_us` per 100 ms.
fn busy_in_cgroup(quota_us: Option<u64>) -> Incident {
    let mut w = workload(4, Arrivals::Closed { think_us: 0.0 }, 500.0);
    w.cgroup = Some(Cgroup {
        path: "system.slice/ledger.service".into(),
        quota_us,
        period_us: 100_000,
    });
    incident(machine(4), vec![w], vec![], Costs::default())
}

fn seconds(inc: &Incident, n: usize) -> Vec<Sample> {
    whole_seconds(inc, Seed(3), n)
}

fn group(s: &Sample) -> CgroupSample {
    s.detail.cgroups[0]
}

fn idle_share(s: &Sample) -> f64 {
    s.cpus.iter().map(|c| c.idle).sum::<u64>() as f64 / (s.cpus.len() as f64 * 1e9)
}

#[test]
fn a_quota_of_one_cpu_caps_usage_and_leaves_three_cpus_idle() {
    for s in seconds(&busy_in_cgroup(Some(100_000)), 2) {
        let g = group(&s);
        let used = (g.user_ns + g.system_ns) / 1e9;
        assert!((used - 1.0).abs() < 0.03, "used {used} CPU-seconds");
        assert_eq!(g.periods, 10.0);
        assert_eq!(g.throttled_periods, 10.0);
        // Each period: 25 ms on four CPUs, then 75 ms throttled on each of them.
        assert!(
            (g.throttled_ns / 1e9 - 3.0).abs() < 0.1,
            "{}",
            g.throttled_ns
        );
        assert!((g.pressure_full - 0.75).abs() < 0.03, "{}", g.pressure_full);
        assert!(g.pressure_some >= g.pressure_full);
        assert!(
            (idle_share(&s) - 0.75).abs() < 0.03,
            "idle {}",
            idle_share(&s)
        );
        // Idle, not stolen: the hypervisor took nothing.
        assert!(s.cpus.iter().all(|c| c.steal == 0));
        // Throttled threads leave procs_running: vmstat's r is the running quarter.
        assert!(s.runnable < 1.6, "r {}", s.runnable);
    }
}

#[test]
fn a_quota_above_demand_counts_periods_and_never_throttles() {
    for s in seconds(&busy_in_cgroup(Some(500_000)), 2) {
        let g = group(&s);
        assert_eq!((g.periods, g.throttled_periods), (10.0, 0.0));
        assert_eq!(g.throttled_ns, 0.0);
        assert!(idle_share(&s) < 0.05);
    }
}

#[test]
fn without_a_quota_the_cgroup_is_only_accounted() {
    for s in seconds(&busy_in_cgroup(None), 2) {
        let g = group(&s);
        assert!((g.user_ns + g.system_ns) / 4e9 > 0.95);
        assert_eq!(
            (g.periods, g.throttled_periods, g.throttled_ns),
            (0.0, 0.0, 0.0)
        );
    }
}

#[test]
fn throttling_stretches_requests_across_period_boundaries() {
    // Requests of 20 ms, 10 a second, on 30 ms of CPU per 100 ms: two-thirds of the quota on
    // average, but requests that find it spent wait for the next period.
    let mut limited = busy_in_cgroup(Some(30_000));
    let mut free = busy_in_cgroup(None);
    for inc in [&mut limited, &mut free] {
        inc.workloads[0].arrivals = Arrivals::Open { rate_per_s: 10.0 };
        inc.workloads[0].request.compute_us = 20_000.0;
        inc.workloads[0].request.distribution = Distribution::Deterministic;
    }
    let max_latency = |samples: &[Sample]| {
        samples
            .iter()
            .map(|s| s.app.latency_p99_us / 1000.0)
            .fold(0.0f64, f64::max)
    };
    let limited = seconds(&limited, 4);
    let free = seconds(&free, 4);
    assert!(max_latency(&free) < 30.0, "{}", max_latency(&free));
    assert!(max_latency(&limited) > 60.0, "{}", max_latency(&limited));
}

#[test]
fn try_sets_the_quota_and_the_arrival_rate_of_the_service() {
    use sysdrill::model::whatif::{CpuQuota, Override, apply};
    let limited = busy_in_cgroup(Some(100_000));
    let quota = |inc: &Incident| inc.workloads[0].cgroup.as_ref().unwrap().quota_us;
    let lifted = apply(&limited, &[Override::CpuQuota(CpuQuota::Max)]).unwrap();
    assert_eq!(quota(&lifted), None);
    let two = apply(&limited, &[Override::CpuQuota(CpuQuota::Cpus(2.0))]).unwrap();
    assert_eq!(quota(&two), Some(200_000));
    let exact = apply(&limited, &[Override::CpuQuota(CpuQuota::Micros(150_000))]).unwrap();
    assert_eq!(quota(&exact), Some(150_000));
    // Lifting the quota frees the idle CPUs.
    let g = group(&seconds(&lifted, 1)[0]);
    assert!((g.user_ns + g.system_ns) / 4e9 > 0.95);

    // No cgroup: nothing to change, and the reason says so.
    let mut root = busy_in_cgroup(None);
    root.workloads[0].cgroup = None;
    let e = apply(&root, &[Override::CpuQuota(CpuQuota::Max)]).unwrap_err();
    assert!(e.to_string().contains("root cgroup"), "{e}");

    // Open arrivals take a new rate; a closed loop has none to change.
    let mut open = busy_in_cgroup(None);
    open.workloads[0].arrivals = Arrivals::Open { rate_per_s: 10.0 };
    let faster = apply(&open, &[Override::RatePerS(50.0)]).unwrap();
    assert_eq!(
        faster.workloads[0].arrivals,
        Arrivals::Open { rate_per_s: 50.0 }
    );
    let e = apply(&limited, &[Override::RatePerS(50.0)]).unwrap_err();
    assert!(e.to_string().contains("closed loop"), "{e}");
}
