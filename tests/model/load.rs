//! Load steps: an open workload's arrival rate changes at a given drill second, and the
//! seconds before it are those of the base rate.

use super::build::*;
use sysdrill::domain::*;
use sysdrill::model::{Sample, whatif};

/// 10 requests/s of 20 ms on 4 CPUs, stepping to `after` requests/s at second 2.
fn stepped(after: f64) -> Incident {
    let mut w = workload(8, Arrivals::Open { rate_per_s: 10.0 }, 20_000.0);
    w.request.distribution = Distribution::Deterministic;
    w.load_steps = vec![LoadStep {
        at_s: 2,
        rate_per_s: after,
    }];
    incident(machine(4), vec![w], vec![], Costs::default())
}

fn seconds(inc: &Incident, n: usize) -> Vec<Sample> {
    whole_seconds(inc, Seed(5), n)
}

fn busy_cpus(s: &Sample) -> f64 {
    s.cpus
        .iter()
        .map(|c| (c.user + c.system) as f64 / 1e9)
        .sum()
}

#[test]
fn the_rate_changes_at_its_second_and_not_before() {
    let samples = seconds(&stepped(100.0), 4);
    let flat = seconds(&stepped(10.0), 4);
    // Seconds 0 and 1 are the base load in both runs, to the event.
    assert_eq!(samples[..2], flat[..2]);
    for s in &samples[..2] {
        assert!((busy_cpus(s) - 0.2).abs() < 0.15, "{}", busy_cpus(s));
    }
    // From second 2 on, ten times the work: 100 requests of 20 ms, two CPUs busy.
    for s in &samples[2..] {
        assert!((busy_cpus(s) - 2.0).abs() < 0.5, "{}", busy_cpus(s));
        assert!((60..=140).contains(&s.app.completed), "{}", s.app.completed);
    }
}

#[test]
fn try_rate_holds_throughout() {
    let inc = stepped(100.0);
    let tried = whatif::apply(&inc, &[whatif::Override::RatePerS(10.0)]).unwrap();
    assert!(tried.workloads[0].load_steps.is_empty());
    for s in &seconds(&tried, 4)[2..] {
        assert!(busy_cpus(s) < 0.6, "{}", busy_cpus(s));
    }
}
