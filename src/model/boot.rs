//! The since-boot summary (vmstat's first line, iostat's first report, top's TIME+ baseline),
//! synthesised deterministically from the steady state.
//!
//! Rule: the box is taken to have spent half of its uptime at the incident's steady state (the
//! warm-up window) and the other half idle at the baseline. So every busy CPU time, rate and IO
//! count of the steady state is halved, idle absorbs the difference (each CPU still sums to
//! exactly 1e9 ns), interrupts and context switches are the mean of the steady value and the
//! idle baseline, and memory, load averages, symbol samples and lock statistics are the steady
//! state's (profiles and lock tables have no since-boot form). With periodic bursts the steady
//! state is the calm warm-up blended with one burst window by the bursts' share of the seconds
//! (`blend`). A cgroup's bandwidth counters and stalls are the exception: a quota near the
//! group's demand throttles in runs that come and go over seconds, so they are measured over the
//! drill's first seconds instead (`with_bandwidth_history`), and the same rule applied to them.
//!
//! Owns: that rule. Must not: run the engine.

use super::sample::Context;
use super::trace::{CgroupSample, CpuTime, DiskSample, Sample, TaskSample, ThreadSched};
use std::collections::BTreeMap;

/// The steady state of a box that spends `share` of its seconds in `burst` and the rest in
/// `calm`: times, rates, counts and averages are the weighted means; what describes one
/// instant (memory, lock tables, the application's latencies, task states) is the calm
/// second's, the typical one.
pub(crate) fn blend(calm: &Sample, burst: &Sample, share: f64) -> Sample {
    let f = share.clamp(0.0, 1.0);
    let mix = |a: u64, b: u64| (a as f64 * (1.0 - f) + b as f64 * f).round() as u64;
    let mixf = |a: f64, b: f64| a * (1.0 - f) + b * f;
    // An await is a mean over IOs, not over seconds: each side's await counts by the IOs it
    // completed, so a calm second without reads does not pull the reads' await below the
    // device's service time.
    let per_io = |ios_a: u64, await_a: f64, ios_b: u64, await_b: f64| {
        let (wa, wb) = (ios_a as f64 * (1.0 - f), ios_b as f64 * f);
        if wa + wb > 0.0 {
            (wa * await_a + wb * await_b) / (wa + wb)
        } else {
            0.0
        }
    };
    let cpus: Vec<CpuTime> = calm
        .cpus
        .iter()
        .zip(&burst.cpus)
        .map(|(a, b)| {
            let mut t = CpuTime {
                user: mix(a.user, b.user),
                nice: mix(a.nice, b.nice),
                system: mix(a.system, b.system),
                irq: mix(a.irq, b.irq),
                softirq: mix(a.softirq, b.softirq),
                iowait: mix(a.iowait, b.iowait),
                steal: mix(a.steal, b.steal),
                idle: 0,
            };
            // Both sum to 1e9, so the busy parts do too, up to rounding; idle takes the rest.
            t.idle = a.total().saturating_sub(t.total());
            t
        })
        .collect();
    let disks: Vec<DiskSample> = calm
        .disks
        .iter()
        .zip(&burst.disks)
        .map(|(a, b)| DiskSample {
            reads: mix(a.reads, b.reads),
            writes: mix(a.writes, b.writes),
            read_kib: mix(a.read_kib, b.read_kib),
            write_kib: mix(a.write_kib, b.write_kib),
            read_merges: mix(a.read_merges, b.read_merges),
            write_merges: mix(a.write_merges, b.write_merges),
            r_await_ms: per_io(a.reads, a.r_await_ms, b.reads, b.r_await_ms),
            w_await_ms: per_io(a.writes, a.w_await_ms, b.writes, b.w_await_ms),
            queue_size: mixf(a.queue_size, b.queue_size),
            util: mixf(a.util, b.util).clamp(0.0, 1.0),
        })
        .collect();
    let tasks = calm
        .tasks
        .iter()
        .zip(&burst.tasks)
        .map(|(a, b)| TaskSample {
            user_ns: mix(a.user_ns, b.user_ns),
            system_ns: mix(a.system_ns, b.system_ns),
            wait_ns: mix(a.wait_ns, b.wait_ns),
            voluntary_cs: mix(a.voluntary_cs, b.voluntary_cs),
            involuntary_cs: mix(a.involuntary_cs, b.involuntary_cs),
            minor_faults: mix(a.minor_faults, b.minor_faults),
            major_faults: mix(a.major_faults, b.major_faults),
            leader: ThreadSched {
                wait_ns: mix(a.leader.wait_ns, b.leader.wait_ns),
                voluntary_cs: mix(a.leader.voluntary_cs, b.leader.voluntary_cs),
                involuntary_cs: mix(a.leader.involuntary_cs, b.leader.involuntary_cs),
            },
            ..*a
        })
        .collect();
    let mut symbols: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    for &(id, ns) in &calm.symbols {
        symbols.entry(id).or_default().0 = ns;
    }
    for &(id, ns) in &burst.symbols {
        symbols.entry(id).or_default().1 = ns;
    }
    let runnable = mixf(calm.runnable, burst.runnable);
    let blocked = mixf(calm.blocked, burst.blocked);
    let interrupts = mix(calm.interrupts, burst.interrupts);
    let mut detail = super::detail::with_interrupts(&calm.detail, interrupts);
    let ios = disks.iter().map(|d| d.reads + d.writes).sum();
    super::detail::with_block_completions(&mut detail, ios, &cpus);
    Sample {
        cpus,
        runnable,
        blocked,
        interrupts,
        context_switches: mix(calm.context_switches, burst.context_switches),
        mem: calm.mem,
        swap_in_kib: mix(calm.swap_in_kib, burst.swap_in_kib),
        swap_out_kib: mix(calm.swap_out_kib, burst.swap_out_kib),
        blocks_in_kib: mix(calm.blocks_in_kib, burst.blocks_in_kib),
        blocks_out_kib: mix(calm.blocks_out_kib, burst.blocks_out_kib),
        disks,
        tasks,
        symbols: symbols
            .into_iter()
            .map(|(id, (a, b))| (id, mix(a, b)))
            .filter(|&(_, ns)| ns > 0)
            .collect(),
        locks: calm.locks.clone(),
        app: calm.app,
        load_avg: [runnable + blocked; 3],
        detail,
    }
}

pub(crate) fn since_boot(steady: &Sample, ctx: &Context) -> Sample {
    let half = |x: u64| x / 2;
    let cpus: Vec<CpuTime> = steady
        .cpus
        .iter()
        .map(|c| {
            let mut t = CpuTime {
                user: half(c.user),
                nice: half(c.nice),
                system: half(c.system),
                irq: half(c.irq),
                softirq: half(c.softirq),
                iowait: half(c.iowait),
                steal: half(c.steal),
                idle: 0,
            };
            t.idle = 1_000_000_000 - t.total();
            t
        })
        .collect();
    let disks: Vec<DiskSample> = steady
        .disks
        .iter()
        .map(|d| DiskSample {
            reads: half(d.reads),
            writes: half(d.writes),
            read_kib: half(d.read_kib),
            write_kib: half(d.write_kib),
            read_merges: half(d.read_merges),
            write_merges: half(d.write_merges),
            queue_size: d.queue_size / 2.0,
            util: d.util / 2.0,
            ..*d
        })
        .collect();
    let tasks = steady
        .tasks
        .iter()
        .map(|t| TaskSample {
            user_ns: half(t.user_ns),
            system_ns: half(t.system_ns),
            wait_ns: half(t.wait_ns),
            voluntary_cs: half(t.voluntary_cs),
            involuntary_cs: half(t.involuntary_cs),
            minor_faults: half(t.minor_faults),
            major_faults: half(t.major_faults),
            leader: ThreadSched {
                wait_ns: half(t.leader.wait_ns),
                voluntary_cs: half(t.leader.voluntary_cs),
                involuntary_cs: half(t.leader.involuntary_cs),
            },
            ..*t
        })
        .collect();
    let mid = |x: u64, base: f64| ((x as f64 + base) / 2.0).round() as u64;
    let interrupts = mid(steady.interrupts, ctx.baseline_in);
    let mut detail = super::detail::since_boot(&steady.detail, interrupts);
    let ios = disks.iter().map(|d| d.reads + d.writes).sum();
    super::detail::with_block_completions(&mut detail, ios, &cpus);
    Sample {
        cpus,
        runnable: steady.runnable / 2.0,
        blocked: steady.blocked / 2.0,
        interrupts,
        context_switches: mid(steady.context_switches, ctx.baseline_cs),
        mem: steady.mem,
        swap_in_kib: half(steady.swap_in_kib),
        swap_out_kib: half(steady.swap_out_kib),
        blocks_in_kib: half(steady.blocks_in_kib),
        blocks_out_kib: half(steady.blocks_out_kib),
        disks,
        tasks,
        symbols: steady.symbols.clone(),
        locks: steady.locks.clone(),
        app: steady.app,
        load_avg: steady.load_avg,
        detail,
    }
}

/// Replaces the since-boot bandwidth counters of every cgroup (periods, throttled periods and
/// time, and the stalls throttling causes) by those of the mean of `seconds`, halved by the rule
/// above. Its usage stays the warm-up's, which its processes' since-boot CPU time is too.
pub(crate) fn with_bandwidth_history(since_boot: &mut Sample, seconds: &[&Sample]) {
    if seconds.is_empty() {
        return;
    }
    let n = seconds.len() as f64;
    for (w, boot) in since_boot.detail.cgroups.iter_mut().enumerate() {
        let mut mean = CgroupSample::default();
        for g in seconds.iter().filter_map(|s| s.detail.cgroups.get(w)) {
            mean.periods += g.periods / n;
            mean.throttled_periods += g.throttled_periods / n;
            mean.throttled_ns += g.throttled_ns / n;
            mean.pressure_some += g.pressure_some / n;
            mean.pressure_full += g.pressure_full / n;
        }
        *boot = CgroupSample {
            user_ns: boot.user_ns,
            system_ns: boot.system_ns,
            ..super::detail::since_boot_cgroup(&mean)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn second(user: u64, system: u64, swap: u64, runnable: f64, sym: &[(usize, u64)]) -> Sample {
        let cpu = CpuTime {
            user,
            system,
            idle: 1_000_000_000 - user - system,
            ..CpuTime::default()
        };
        Sample {
            cpus: vec![cpu; 2],
            runnable,
            swap_in_kib: swap,
            symbols: sym.to_vec(),
            ..Sample::default()
        }
    }

    #[test]
    fn blend_weights_times_and_rates_and_keeps_every_cpu_at_one_second() {
        let calm = second(100_000_000, 300_000_000, 0, 4.0, &[(0, 400), (1, 100)]);
        let burst = second(30_000_000, 940_000_000, 12_000, 16.0, &[(1, 900), (2, 300)]);
        let b = blend(&calm, &burst, 1.0 / 3.0);
        for c in &b.cpus {
            assert_eq!(c.total(), 1_000_000_000);
            assert_eq!(c.user, 76_666_667);
            assert_eq!(c.system, 513_333_333);
        }
        assert_eq!(b.swap_in_kib, 4000);
        assert!((b.runnable - 8.0).abs() < 1e-9);
        assert_eq!(b.load_avg, [8.0; 3]);
        assert_eq!(b.symbols, vec![(0, 267), (1, 367), (2, 100)]);
        // No burst share: the calm second unchanged.
        let c = blend(&calm, &burst, 0.0);
        assert_eq!(c.cpus, calm.cpus);
        assert_eq!(c.symbols, calm.symbols);
    }

    #[test]
    fn bandwidth_history_is_the_mean_of_the_seconds_halved_and_keeps_the_usage() {
        let with_group = |g: CgroupSample| {
            let mut s = Sample::default();
            s.detail.cgroups = vec![g];
            s
        };
        let second = |throttled_periods: f64, throttled_ns: f64| {
            with_group(CgroupSample {
                user_ns: 9e8,
                periods: 10.0,
                throttled_periods,
                throttled_ns,
                pressure_full: throttled_periods / 20.0,
                ..CgroupSample::default()
            })
        };
        // The warm-up second throttled nothing; the seconds after it throttled 3, 0 and 6 of
        // their ten periods.
        let mut boot = with_group(CgroupSample {
            user_ns: 6e8,
            system_ns: 2e8,
            periods: 5.0,
            ..CgroupSample::default()
        });
        let seconds = [second(3.0, 3e8), second(0.0, 0.0), second(6.0, 9e8)];
        with_bandwidth_history(&mut boot, &seconds.iter().collect::<Vec<_>>());
        let g = boot.detail.cgroups[0];
        assert_eq!((g.user_ns, g.system_ns), (6e8, 2e8));
        assert_eq!((g.periods, g.throttled_periods), (5.0, 1.5));
        assert!((g.throttled_ns - 2e8).abs() < 1e-3, "{}", g.throttled_ns);
        assert!(
            (g.pressure_full - 0.075).abs() < 1e-12,
            "{}",
            g.pressure_full
        );
        // No seconds measured: the warm-up's counters stay.
        let before = boot.clone();
        with_bandwidth_history(&mut boot, &[]);
        assert_eq!(boot, before);
    }

    #[test]
    fn blend_weights_awaits_by_the_ios_that_had_them() {
        let disk = |reads: u64, r_await_ms: f64, writes: u64, w_await_ms: f64| DiskSample {
            reads,
            r_await_ms,
            writes,
            w_await_ms,
            ..DiskSample::default()
        };
        let mut calm = second(100_000_000, 0, 0, 1.0, &[]);
        let mut burst = calm.clone();
        // The calm seconds read nothing; the burst reads at 0.09 ms and writes at 4 ms, with the
        // calm seconds writing at 1 ms three times as often.
        calm.disks = vec![disk(0, 0.0, 300, 1.0)];
        burst.disks = vec![disk(200, 0.09, 100, 4.0)];
        let b = blend(&calm, &burst, 0.25);
        let d = &b.disks[0];
        assert!((d.r_await_ms - 0.09).abs() < 1e-12, "{}", d.r_await_ms);
        // Writes: 225 at 1 ms and 25 at 4 ms.
        assert!((d.w_await_ms - 1.3).abs() < 1e-12, "{}", d.w_await_ms);
        // No IOs on either side: no await.
        calm.disks = vec![disk(0, 0.0, 0, 0.0)];
        burst.disks = vec![disk(0, 0.0, 0, 0.0)];
        assert_eq!(blend(&calm, &burst, 0.5).disks[0].r_await_ms, 0.0);
    }
}
