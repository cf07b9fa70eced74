//! A workload's deploys: a new pool size or compute per request from a drill second on.

use super::load::MAX_STEP_S;
use super::{Checker, MAX_THREADS, MAX_TIME_US};
use crate::content::raw::RawWorkload;
use crate::domain::Deploy;

/// The most threads the workload runs at once, its own or a deploy's (the pool the model
/// allocates, so the one the size limits count).
pub(super) fn largest_pool(w: &RawWorkload) -> u32 {
    w.deploys
        .iter()
        .filter_map(|d| d.threads)
        .fold(w.threads, u32::max)
}

/// Checks the `deploys` of the workload at `at` and returns them when they are all valid.
pub(super) fn deploys(c: &mut Checker<'_>, at: &str, w: &RawWorkload) -> Vec<Deploy> {
    let mut ok = true;
    let mut last: Option<u32> = None;
    for (j, d) in w.deploys.iter().enumerate() {
        let here = format!("{at}.deploys[{j}]");
        if d.at_s > MAX_STEP_S {
            c.error_help(
                &format!("{here}.at_s"),
                format!("at_s {} is out of range", d.at_s),
                format!("expected 0 to {MAX_STEP_S} (drill seconds)"),
            );
            ok = false;
        }
        if last.is_some_and(|l| d.at_s <= l) {
            c.error_help(
                &format!("{here}.at_s"),
                format!("deploy at {} s does not come after the one before", d.at_s),
                "list the deploys in increasing `at_s`, one per second at most",
            );
            ok = false;
        }
        last = Some(d.at_s);
        if d.threads.is_none() && d.compute_us.is_none() {
            c.error_help(
                &here,
                "this deploy changes nothing",
                "give it `threads: N` (the new pool size), `compute_us: N` (the new cost of a request), or both",
            );
            ok = false;
        }
        if let Some(n) = d.threads {
            c.count(&format!("{here}.threads"), n, 1, MAX_THREADS, "threads");
            ok &= (1..=MAX_THREADS).contains(&n);
        }
        if let Some(us) = d.compute_us {
            c.number(&format!("{here}.compute_us"), us, 0.0, MAX_TIME_US, " us");
            ok &= (0.0..=MAX_TIME_US).contains(&us);
        }
    }
    if !ok {
        return Vec::new();
    }
    w.deploys
        .iter()
        .map(|d| Deploy {
            at_s: d.at_s,
            threads: d.threads,
            compute_us: d.compute_us,
        })
        .collect()
}
