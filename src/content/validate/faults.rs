//! `faults:` deadlocks between two known locks, livelocks, memory pressure and noisy
//! neighbours, each within its ranges.

use super::*;

/// The faults; `lock_ids` are the incident's lock ids, in order.
pub(super) fn faults(c: &mut Checker<'_>, raw: &RawIncident, lock_ids: &[&str]) -> Vec<Fault> {
    let m = &raw.machine;
    let workload_names: Vec<&str> = raw.workloads.iter().map(|w| w.name.as_str()).collect();
    let mut faults = Vec::new();
    for (i, fault) in raw.faults.iter().enumerate() {
        let at = format!("faults[{i}]");
        match fault {
            RawFault::Deadlock {
                first,
                second,
                after_s,
            } => {
                let a = c.reference(&format!("{at}.deadlock.first"), "lock", first, lock_ids);
                let b = c.reference(&format!("{at}.deadlock.second"), "lock", second, lock_ids);
                if first == second {
                    super::interrupt::self_deadlock(c, &at, &raw.locks, first);
                }
                // Seconds since boot, so a deadlock may have formed long before the drill
                // starts (the hung-task detector has then already reported it).
                if let Some(after_s) = after_s {
                    c.count(
                        &format!("{at}.deadlock.after_s"),
                        u64::from(*after_s),
                        0,
                        MAX_UPTIME_S + 86_400,
                        "after_s",
                    );
                }
                if a && b {
                    faults.push(Fault::Deadlock {
                        first: lock_ids
                            .iter()
                            .position(|id| id == first)
                            .unwrap_or_default(),
                        second: lock_ids
                            .iter()
                            .position(|id| id == second)
                            .unwrap_or_default(),
                        after_s: *after_s,
                    });
                }
            }
            RawFault::Livelock {
                workload,
                attempt_us,
                success_probability,
            } => {
                c.positive(
                    &format!("{at}.livelock.attempt_us"),
                    *attempt_us,
                    MAX_TIME_US,
                    " us",
                );
                let here = format!("{at}.livelock.success_probability");
                if !(*success_probability > 0.0 && *success_probability <= 1.0) {
                    c.error_help(
                        &here,
                        format!(
                            "probability {} is out of range",
                            show_f64(*success_probability)
                        ),
                        "expected more than 0 and at most 1 (0 would never finish)",
                    );
                }
                faults.push(Fault::Livelock {
                    workload: super::workload_ref::index(
                        c,
                        &format!("{at}.livelock.workload"),
                        workload.as_deref(),
                        &workload_names,
                    ),
                    attempt_us: *attempt_us,
                    success_probability: *success_probability,
                });
            }
            RawFault::MemoryPressure {
                free_mib,
                direct_reclaim_fraction,
                reclaim_us,
                major_fault_fraction,
                burst_every_s,
            } => {
                let here = format!("{at}.memory_pressure");
                if *free_mib > m.memory_mib {
                    c.error_help(
                        &format!("{here}.free_mib"),
                        format!(
                            "free_mib {free_mib} is more than the machine's memory ({} MiB)",
                            m.memory_mib
                        ),
                        "free memory under pressure is a small part of memory_mib",
                    );
                }
                c.fraction(
                    &format!("{here}.direct_reclaim_fraction"),
                    *direct_reclaim_fraction,
                );
                c.number(
                    &format!("{here}.reclaim_us"),
                    *reclaim_us,
                    0.0,
                    MAX_TIME_US,
                    " us",
                );
                c.fraction(
                    &format!("{here}.major_fault_fraction"),
                    *major_fault_fraction,
                );
                c.count(
                    &format!("{here}.burst_every_s"),
                    *burst_every_s,
                    0,
                    86_400,
                    "burst_every_s",
                );
                faults.push(Fault::MemoryPressure {
                    free_mib: *free_mib,
                    direct_reclaim_fraction: *direct_reclaim_fraction,
                    reclaim_us: *reclaim_us,
                    major_fault_fraction: *major_fault_fraction,
                    burst_every_s: *burst_every_s,
                });
            }
            RawFault::NoisyNeighbor {
                steal_pct,
                burst_every_s,
            } => {
                let here = format!("{at}.noisy_neighbor");
                c.number(&format!("{here}.steal_pct"), *steal_pct, 0.0, 100.0, " %");
                c.count(
                    &format!("{here}.burst_every_s"),
                    *burst_every_s,
                    0,
                    86_400,
                    "burst_every_s",
                );
                faults.push(Fault::NoisyNeighbor {
                    steal_pct: *steal_pct,
                    burst_every_s: *burst_every_s,
                });
            }
            RawFault::DiskLatencySpikes {
                device,
                factor,
                every_s,
            } => {
                let disk_names: Vec<&str> = m.disks.iter().map(|d| d.name.as_str()).collect();
                faults.extend(super::disk_spikes::check(
                    c,
                    &at,
                    device,
                    *factor,
                    *every_s,
                    &disk_names,
                ));
            }
        }
    }
    faults
}
