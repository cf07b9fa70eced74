//! Deploys: a workload's pool size or compute per request changes at a drill second; the
//! seconds before it are those of the incident as written, to the event.

use super::build::*;
use sysdrill::domain::*;
use sysdrill::model::Sample;

/// 200 requests/s of 10 ms on 8 CPUs served by `threads` workers, with `deploy` shipped at
/// second 2.
fn shipped(threads: u32, deploy: Option<Deploy>) -> Incident {
    let mut w = workload(threads, Arrivals::Open { rate_per_s: 200.0 }, 10_000.0);
    w.request.distribution = Distribution::Deterministic;
    w.deploys = deploy.into_iter().collect();
    incident(machine(8), vec![w], vec![], Costs::default())
}

fn at_2(threads: Option<u32>, compute_us: Option<f64>) -> Option<Deploy> {
    Some(Deploy {
        at_s: 2,
        threads,
        compute_us,
    })
}

fn busy_cpus(s: &Sample) -> f64 {
    s.cpus
        .iter()
        .map(|c| (c.user + c.system) as f64 / 1e9)
        .sum()
}

/// The workload's threads (pid 4242, its threads' ids after it) the per-thread tools list in
/// a second.
fn listed_threads(s: &Sample) -> usize {
    s.detail
        .threads
        .iter()
        .filter(|t| (4242..4242 + 1000).contains(&t.tid))
        .count()
}

#[test]
fn a_smaller_pool_from_its_second_caps_the_work() {
    let samples = whole_seconds(&shipped(8, at_2(Some(1), None)), Seed(4), 5);
    let plain = whole_seconds(&shipped(8, None), Seed(4), 5);
    // Before the deploy the box is the one without it, to the event.
    assert_eq!(samples[..2], plain[..2]);
    for s in &samples[..2] {
        assert!((busy_cpus(s) - 2.0).abs() < 0.4, "{}", busy_cpus(s));
        assert_eq!(listed_threads(s), 8);
    }
    // One worker from second 2: at most one CPU busy, requests queue, latency climbs.
    for s in &samples[3..] {
        assert!(busy_cpus(s) < 1.15, "{}", busy_cpus(s));
        assert_eq!(listed_threads(s), 1);
        assert!(s.app.in_system > 20.0, "{}", s.app.in_system);
    }
}

#[test]
fn a_bigger_pool_takes_the_queued_requests() {
    // One worker serves half the offered work: the queue grows until 16 arrive at second 2.
    let samples = whole_seconds(&shipped(1, at_2(Some(16), None)), Seed(4), 5);
    assert!(busy_cpus(&samples[1]) < 1.05, "{}", busy_cpus(&samples[1]));
    assert!(
        samples[1].app.in_system > 100.0,
        "{}",
        samples[1].app.in_system
    );
    assert_eq!(listed_threads(&samples[1]), 1);
    // The backlog (two seconds of half the arrivals) drains on more CPUs, then the load is
    // the offered 2 CPUs again.
    assert!(busy_cpus(&samples[2]) > 3.5, "{}", busy_cpus(&samples[2]));
    assert_eq!(listed_threads(&samples[3]), 16);
    assert!(
        samples[4].app.in_system < 5.0,
        "{}",
        samples[4].app.in_system
    );
}

#[test]
fn a_heavier_build_costs_more_cpu_from_its_second() {
    let samples = whole_seconds(&shipped(16, at_2(None, Some(25_000.0))), Seed(4), 4);
    for s in &samples[..2] {
        assert!((busy_cpus(s) - 2.0).abs() < 0.4, "{}", busy_cpus(s));
    }
    for s in &samples[2..] {
        assert!((busy_cpus(s) - 5.0).abs() < 0.6, "{}", busy_cpus(s));
        assert_eq!(listed_threads(s), 16);
    }
}

#[test]
fn closed_users_leave_and_join_with_the_pool() {
    let mut w = workload(8, Arrivals::Closed { think_us: 0.0 }, 5_000.0);
    w.deploys = vec![
        Deploy {
            at_s: 1,
            threads: Some(2),
            compute_us: None,
        },
        Deploy {
            at_s: 3,
            threads: Some(6),
            compute_us: None,
        },
    ];
    let inc = incident(machine(8), vec![w], vec![], Costs::default());
    let samples = whole_seconds(&inc, Seed(2), 5);
    // Threads that never think keep one CPU each busy.
    let want = [8.0, 2.0, 2.0, 6.0, 6.0];
    for (s, want) in samples.iter().zip(want) {
        assert!(
            (busy_cpus(s) - want).abs() < 0.35,
            "{} vs {want}",
            busy_cpus(s)
        );
    }
}

#[test]
fn try_threads_holds_throughout() {
    let inc = shipped(8, at_2(Some(1), Some(12_000.0)));
    let tried =
        sysdrill::model::whatif::apply(&inc, &[sysdrill::model::whatif::Override::Threads(4)])
            .unwrap();
    // The deploy keeps its heavier build and loses its pool.
    assert_eq!(
        tried.workloads[0].deploys,
        [Deploy {
            at_s: 2,
            threads: None,
            compute_us: Some(12_000.0)
        }]
    );
    for s in &whole_seconds(&tried, Seed(4), 4) {
        assert_eq!(listed_threads(s), 4);
    }
}
