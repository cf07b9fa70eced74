//! Integration tests: every shipped incident shows its own signature for seeds 1..=20 (each
//! seed a concrete variant via `model::variant::pick`), and no incident shows another's.
//!
//! Works on the model's `Trace` through the library, never on rendered text; derived fields use
//! the renderers' arithmetic (`signatures/facts.rs`). The signatures themselves are in
//! `signatures/predicates.rs`. Must not: tune thresholds to a seed, or skip a seed.

mod facts;
mod predicates;

use std::collections::BTreeSet;

use predicates::SIGNATURES;
use sysdrill::domain::{Incident, IncidentId, LockKind, Seed};
use sysdrill::model::{Trace, simulate, variant, whatif};

/// Seeds every incident must hold its signature for.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=20;
/// Seconds simulated per seed: a whole burst period of `p99-tail-reclaim` (a burst second and
/// calm ones), short enough that the whole test stays fast in a debug build.
const SECONDS: usize = 3;

fn incidents() -> Vec<Incident> {
    let catalog = sysdrill::content::load_catalog(&[]).expect("shipped content loads");
    catalog.incidents.into_values().collect()
}

fn incident(id: &str) -> Incident {
    incidents()
        .into_iter()
        .find(|i| i.id == IncidentId::from(id))
        .unwrap_or_else(|| panic!("incident {id} is shipped"))
}

fn run(inc: &Incident, seed: u64) -> Trace {
    simulate(&variant::pick(inc, Seed(seed)), Seed(seed), SECONDS)
}

/// Every seed: the incident's own signature holds and no other incident's does.
fn check(id: &str) {
    assert!(
        SIGNATURES.iter().any(|s| s.incident == id),
        "{id} has no signature"
    );
    let inc = incident(id);
    let mut failures = Vec::new();
    for seed in SEEDS {
        let t = run(&inc, seed);
        for sig in SIGNATURES {
            let holds = (sig.holds)(&t);
            let own = sig.incident == id;
            if holds != own {
                let what = if own {
                    "lacks its own signature".to_owned()
                } else {
                    format!("shows the signature of {}", sig.incident)
                };
                let seconds: Vec<String> = t
                    .samples
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("  {i}: {}", facts::digest(&t, s)))
                    .collect();
                failures.push(format!("seed {seed}: {what}\n{}", seconds.join("\n")));
            }
        }
    }
    assert!(failures.is_empty(), "{id}:\n{}", failures.join("\n"));
}

#[test]
fn every_shipped_incident_has_exactly_one_signature() {
    let shipped: BTreeSet<String> = incidents().into_iter().map(|i| i.id.to_string()).collect();
    let signed: Vec<&str> = SIGNATURES.iter().map(|s| s.incident).collect();
    let unique: BTreeSet<String> = signed.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(unique.len(), signed.len(), "one signature per incident");
    assert_eq!(shipped, unique);
}

macro_rules! signature_tests {
    ($($name:ident => $id:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check($id);
            }
        )*
    };
}

signature_tests! {
    slow_under_load => "slow-under-load",
    added_threads_slower => "added-threads-slower",
    high_cpu_spinlock => "high-cpu-spinlock",
    high_cpu_livelock => "high-cpu-livelock",
    p99_tail_reclaim => "p99-tail-reclaim",
    low_cpu_high_latency => "low-cpu-high-latency",
    hung_deadlock => "hung-deadlock",
    socket_rx_contention => "socket-rx-contention",
    read_mostly_rwlock => "read-mostly-rwlock",
    runqueue_contention => "runqueue-contention",
    noisy_neighbor_steal => "noisy-neighbor-steal",
    disk_saturation => "disk-saturation",
    healthy_baseline => "healthy-baseline",
}

/// Completions per second over the simulated seconds.
fn throughput(inc: &Incident, seed: u64) -> f64 {
    let t = simulate(inc, Seed(seed), 2);
    t.samples
        .iter()
        .map(|s| s.app.completed as f64)
        .sum::<f64>()
        / t.samples.len() as f64
}

/// `read-mostly-rwlock`: lookups do not scale with cores (what `try cpus=N` shows), while the
/// same table behind RCU does, so the flatness is the lock's and not the box's.
#[test]
fn read_mostly_rwlock_is_flat_with_cores_and_rcu_scales() {
    let inc = incident("read-mostly-rwlock");
    for seed in [1, 2, 3] {
        let base = variant::pick(&inc, Seed(seed));
        let at = |cpus: u32, kind: Option<LockKind>| {
            let mut o = vec![whatif::Override::Cpus(cpus)];
            if let Some(kind) = kind {
                o.push(whatif::Override::LockKind { lock: None, kind });
            }
            let mut v = whatif::apply(&base, &o).expect("valid overrides");
            // Enough readers to fill every core at each size.
            if let Some(w) = v.workloads.first_mut() {
                w.threads = w.threads.max(cpus * 2);
            }
            throughput(&v, seed)
        };
        let (small, large) = (at(8, None), at(24, None));
        assert!(
            large <= 1.25 * small,
            "seed {seed}: rwlock throughput 8 cpus {small:.0}/s, 24 cpus {large:.0}/s"
        );
        let rcu = at(24, Some(LockKind::Rcu));
        assert!(
            rcu >= 1.5 * large,
            "seed {seed}: rcu {rcu:.0}/s vs rwlock {large:.0}/s at 24 cpus"
        );
    }
}
