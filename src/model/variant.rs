//! Variants: the seed picks a concrete machine and workload from an incident's ranges while the
//! cause (and so the signature) stays the same.
//!
//! Owns: drawing from `Variants` with the seed's `variant` stream, in a fixed order (cpus,
//! threads, rate, hold scale) so adding a range never shifts the others. `threads` and
//! `rate_per_s` change the workload `Variants::workload` names. Must not: change anything the
//! incident does not give a range for.

use super::rng::SimRng;
use crate::domain::{Arrivals, Incident, Seed};

/// The concrete incident a seed selects. Without ranges it is the incident itself.
pub fn pick(incident: &Incident, seed: Seed) -> Incident {
    let v = &incident.variants;
    let mut out = incident.clone();
    let mut rng = SimRng::stream(seed, "variant");
    // Every range draws once, used or not, so each draw's position in the stream is fixed.
    let cpus = rng.range_u32(
        v.cpus.map_or(0, |r| r.0.min(r.1)),
        v.cpus.map_or(0, |r| r.0.max(r.1)),
    );
    let threads = rng.range_u32(
        v.threads.map_or(0, |r| r.0.min(r.1)),
        v.threads.map_or(0, |r| r.0.max(r.1)),
    );
    let rate = rng.range_f64(
        v.rate_per_s.map_or(0.0, |r| r.0.min(r.1)),
        v.rate_per_s.map_or(0.0, |r| r.0.max(r.1)),
    );
    let hold = rng.range_f64(
        v.hold_scale.map_or(1.0, |r| r.0.min(r.1)),
        v.hold_scale.map_or(1.0, |r| r.0.max(r.1)),
    );
    if v.cpus.is_some() {
        let cpus = cpus.clamp(1, 1024);
        out.machine.cpus = cpus;
        for nic in &mut out.machine.nics {
            nic.irq_cpus.retain(|&c| c < cpus);
            if nic.irq_cpus.is_empty() {
                nic.irq_cpus.push(0);
            }
        }
    }
    if v.threads.is_some()
        && let Some(w) = out.workloads.get_mut(v.workload)
    {
        w.threads = threads.clamp(1, 100_000);
    }
    if v.rate_per_s.is_some()
        && let Some(w) = out.workloads.get_mut(v.workload)
        && let Arrivals::Open { rate_per_s } = &mut w.arrivals
    {
        *rate_per_s = rate.max(0.0);
    }
    if v.hold_scale.is_some() {
        for w in &mut out.workloads {
            for cs in w
                .requests_mut()
                .flat_map(|r| r.critical_sections.iter_mut())
            {
                cs.hold_us *= hold.max(0.0);
                for n in &mut cs.nested {
                    n.hold_us *= hold.max(0.0);
                }
            }
        }
    }
    out
}
