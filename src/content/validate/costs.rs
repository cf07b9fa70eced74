//! `costs:` the kernel's per-operation costs; each one left out takes its default.

use super::*;

pub(super) fn costs(c: &mut Checker<'_>, raw: &RawIncident) -> Costs {
    let defaults = Costs::default();
    let k = &raw.costs;
    let mut cost = |key: &str, value: Option<f64>, default: f64, positive: bool| -> f64 {
        match value {
            Some(value) => {
                let at = format!("costs.{key}");
                if positive {
                    c.positive(&at, value, MAX_TIME_US, " us");
                } else {
                    c.number(&at, value, 0.0, MAX_TIME_US, " us");
                }
                value
            }
            None => default,
        }
    };
    Costs {
        syscall_us: cost("syscall_us", k.syscall_us, defaults.syscall_us, false),
        context_switch_us: cost(
            "context_switch_us",
            k.context_switch_us,
            defaults.context_switch_us,
            false,
        ),
        wakeup_latency_us: cost(
            "wakeup_latency_us",
            k.wakeup_latency_us,
            defaults.wakeup_latency_us,
            false,
        ),
        lock_uncontended_us: cost(
            "lock_uncontended_us",
            k.lock_uncontended_us,
            defaults.lock_uncontended_us,
            false,
        ),
        timer_tick_us: cost(
            "timer_tick_us",
            k.timer_tick_us,
            defaults.timer_tick_us,
            false,
        ),
        softirq_per_packet_us: cost(
            "softirq_per_packet_us",
            k.softirq_per_packet_us,
            defaults.softirq_per_packet_us,
            false,
        ),
        page_alloc_us: cost(
            "page_alloc_us",
            k.page_alloc_us,
            defaults.page_alloc_us,
            false,
        ),
        page_fault_us: cost(
            "page_fault_us",
            k.page_fault_us,
            defaults.page_fault_us,
            false,
        ),
        timeslice_us: cost("timeslice_us", k.timeslice_us, defaults.timeslice_us, true),
    }
}
