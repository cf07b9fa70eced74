//! A workload's load steps: the open arrival rate from a drill second on.

use super::{Checker, MAX_RATE_PER_S};
use crate::content::raw::{RawArrivals, RawWorkload};
use crate::domain::LoadStep;

/// The latest drill second a step may start at: a day, far past any session.
pub(crate) const MAX_STEP_S: u32 = 86_400;

/// Checks the `load_steps` of workload `i` (at `at`) and returns them when they are valid.
pub(super) fn load_steps(c: &mut Checker<'_>, at: &str, w: &RawWorkload) -> Vec<LoadStep> {
    if w.load_steps.is_empty() {
        return Vec::new();
    }
    let mut ok = true;
    if matches!(w.arrivals, RawArrivals::Closed { .. }) {
        c.error_help(
            &format!("{at}.load_steps"),
            "load steps change an open arrival rate, but this workload's arrivals are closed",
            "use `arrivals: {open: {rate_per_s: N}}`, or change `threads` or `think_us` instead",
        );
        ok = false;
    }
    let mut last: Option<u32> = None;
    for (j, step) in w.load_steps.iter().enumerate() {
        let here = format!("{at}.load_steps[{j}]");
        if step.at_s > MAX_STEP_S {
            c.error_help(
                &format!("{here}.at_s"),
                format!("at_s {} is out of range", step.at_s),
                format!("expected 0 to {MAX_STEP_S} (drill seconds)"),
            );
            ok = false;
        }
        if last.is_some_and(|l| step.at_s <= l) {
            c.error_help(
                &format!("{here}.at_s"),
                format!(
                    "load step at {} s does not come after the one before",
                    step.at_s
                ),
                "list the steps in increasing `at_s`",
            );
            ok = false;
        }
        last = Some(step.at_s);
        c.positive(
            &format!("{here}.rate_per_s"),
            step.rate_per_s,
            MAX_RATE_PER_S,
            " requests/s",
        );
        ok &= step.rate_per_s > 0.0 && step.rate_per_s <= MAX_RATE_PER_S;
    }
    if !ok {
        return Vec::new();
    }
    w.load_steps
        .iter()
        .map(|s| LoadStep {
            at_s: s.at_s,
            rate_per_s: s.rate_per_s,
        })
        .collect()
}
