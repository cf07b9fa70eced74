//! `variants:` the ranges a seed picks the machine's cpus, the threads, the arrival rate and the
//! hold-time scale from.

use super::*;

pub(super) fn variants(c: &mut Checker<'_>, raw: &RawIncident) -> Variants {
    let v = &raw.variants;
    let workload_names: Vec<&str> = raw.workloads.iter().map(|w| w.name.as_str()).collect();
    let varied = super::workload_ref::index(
        c,
        "variants.workload",
        v.workload.as_deref(),
        &workload_names,
    );
    if let Some((low, high)) = v.cpus {
        let (low, high) = (f64::from(low), f64::from(high));
        variant_range(c, "cpus", (low, high), 1.0, f64::from(MAX_CPUS), "");
    }
    if let Some((low, high)) = v.threads {
        let (low, high) = (f64::from(low), f64::from(high));
        variant_range(c, "threads", (low, high), 1.0, f64::from(MAX_THREADS), "");
    }
    if let Some(range) = v.rate_per_s {
        variant_range(c, "rate_per_s", range, 0.0, MAX_RATE_PER_S, " requests/s");
        if raw
            .workloads
            .get(varied)
            .is_some_and(|w| matches!(w.arrivals, RawArrivals::Closed { .. }))
        {
            let which = match &v.workload {
                Some(name) => format!("workload `{name}`"),
                None => "the first workload".to_owned(),
            };
            c.error_help(
                "variants.rate_per_s",
                format!("`variants.rate_per_s` varies an open arrival rate but {which} is closed"),
                "use `arrivals: {open: {rate_per_s: N}}` or drop this variant",
            );
        }
    }
    if let Some(range) = v.hold_scale {
        variant_range(c, "hold_scale", range, 0.0, 100.0, "");
    }
    Variants {
        workload: varied,
        cpus: v.cpus,
        threads: v.threads,
        rate_per_s: v.rate_per_s,
        hold_scale: v.hold_scale,
    }
}

/// A `variants` range: ordered, each end from `min` to `max` (strictly above 0 when `min` is
/// 0). Messages name the key in full, `variants.cpus`, since `cpus` alone reads as the
/// machine's own.
fn variant_range(
    c: &mut Checker<'_>,
    key: &str,
    (low, high): (f64, f64),
    min: f64,
    max: f64,
    unit: &str,
) {
    let at = format!("variants.{key}");
    if low > high {
        c.error_help(
            &at,
            format!(
                "`{at}` range starts above its end ({} > {})",
                show_f64(low),
                show_f64(high)
            ),
            "write ranges as `[low, high]`",
        );
    }
    for (index, end, value) in [(0, "low", low), (1, "high", high)] {
        let inside = if min > 0.0 {
            value >= min && value <= max
        } else {
            value > min && value <= max
        };
        if !inside {
            let expected = if min > 0.0 {
                format!("expected {min} to {max}{unit}")
            } else {
                format!("expected more than {min} and at most {max}{unit}")
            };
            c.error_help(
                &format!("{at}[{index}]"),
                format!("`{at}` {end} end {} is out of range", show_f64(value)),
                expected,
            );
        }
    }
}
