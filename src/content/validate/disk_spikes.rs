//! The `disk_latency_spikes` fault: its device resolves, its factor slows the device, its
//! period is a whole number of seconds.

use super::Checker;
use crate::domain::Fault;

/// Largest slow-down a spike may apply (a 100 us device at 100 ms per IO).
pub(super) const MAX_FACTOR: f64 = 1000.0;

/// Checks the fault at `at` (`faults[i]`); returns it resolved when usable.
pub(super) fn check(
    c: &mut Checker<'_>,
    at: &str,
    device: &str,
    factor: f64,
    every_s: u32,
    disk_names: &[&str],
) -> Option<Fault> {
    let here = format!("{at}.disk_latency_spikes");
    let found = c.reference(&format!("{here}.device"), "disk", device, disk_names);
    if factor.is_nan() || factor <= 1.0 || factor > MAX_FACTOR {
        c.error_help(
            &format!("{here}.factor"),
            format!("factor {factor} is out of range"),
            format!("expected more than 1 (a spike slows the device) and at most {MAX_FACTOR}"),
        );
    }
    c.count(&format!("{here}.every_s"), every_s, 1, 86_400, "every_s");
    let disk = disk_names.iter().position(|d| *d == device)?;
    found.then_some(Fault::DiskLatencySpikes {
        disk,
        factor,
        every_s,
    })
}
