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
//! drill's first seconds instead (`mean_cgroups`). Stall shares, a cgroup's periods and its
//! throttling follow the incident's history (`super::history`): the since-boot rule's level
//! before the onset, the steady one since (`with_pressure_history`, `with_cgroup_history`).
//!
//! Owns: that rule. Must not: run the engine.

use super::history::History;
use super::sample::Context;
use super::trace::{
    CgroupSample, CpuTime, DiskSample, Pressure, PressureAvgs, Sample, TaskSample, ThreadSched,
};
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
    // Stall shares are shares of the seconds: the bursts' stalls count by their share too.
    let (a, b) = (&calm.detail.pressure, &burst.detail.pressure);
    detail.pressure = Pressure {
        cpu_some: mixf(a.cpu_some, b.cpu_some),
        memory_some: mixf(a.memory_some, b.memory_some),
        memory_full: mixf(a.memory_full, b.memory_full),
        io_some: mixf(a.io_some, b.io_some),
        io_full: mixf(a.io_full, b.io_full),
    };
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

/// The mean of each workload's cgroup second over `seconds` (the drill's first seconds, which
/// a box with a quota simulates before its first command), one entry per workload.
pub(crate) fn mean_cgroups(seconds: &[&Sample]) -> Vec<CgroupSample> {
    let n = seconds.len().max(1) as f64;
    let groups = seconds
        .iter()
        .map(|s| s.detail.cgroups.len())
        .max()
        .unwrap_or(0);
    let mut out = vec![CgroupSample::default(); groups];
    for s in seconds {
        for (mean, g) in out.iter_mut().zip(&s.detail.cgroups) {
            mean.user_ns += g.user_ns / n;
            mean.system_ns += g.system_ns / n;
            mean.periods += g.periods / n;
            mean.throttled_periods += g.throttled_periods / n;
            mean.throttled_ns += g.throttled_ns / n;
            mean.pressure_some += g.pressure_some / n;
            mean.pressure_full += g.pressure_full / n;
        }
    }
    out
}

/// Replaces the system's since-boot stall shares by their mean over the uptime as the
/// history tells it (the since-boot rule's shares, half the steady ones, before the onset; the
/// steady ones since), so each pressure file's `total` is the time stalled since boot, and
/// returns the averages at the drill's start. The system's CPU `full` line is zero, as the
/// kernel prints it at the system level.
pub(crate) fn with_pressure_history(
    since_boot: &mut Sample,
    steady: &Pressure,
    history: History,
) -> PressureAvgs {
    let p = &mut since_boot.detail.pressure;
    let line = |healthy: &mut f64, steady: f64| {
        let avgs = history.psi_avgs(*healthy, steady);
        *healthy = history.mean(*healthy, steady);
        avgs
    };
    PressureAvgs {
        cpu: [line(&mut p.cpu_some, steady.cpu_some), [0.0; 3]],
        memory: [
            line(&mut p.memory_some, steady.memory_some),
            line(&mut p.memory_full, steady.memory_full),
        ],
        io: [
            line(&mut p.io_some, steady.io_some),
            line(&mut p.io_full, steady.io_full),
        ],
        cgroups: Vec::new(),
    }
}

/// Replaces each cgroup's since-boot bandwidth counters and stall shares by their mean over the
/// uptime as the history tells it, from `steady` (each workload's steady second; with a quota,
/// the mean of the drill's first seconds), and returns each group's `cpu.pressure` averages
/// (some, full) at the drill's start. The usage stays the since-boot rule's, as its
/// processes' since-boot CPU time does.
///
/// Before the onset the group ran the healthy half of its load: half its throttling and its
/// stalls, and its period timer active in the periods in which at least one of its threads
/// asked for CPU. Work that starts at random moments at half the rate leaves a period untouched
/// with the square root of the probability it had at the full rate, so a group active in a
/// share p of its periods was active in 1 − √(1 − p) of them: a service busy in every period
/// stays so at half its load, one busy in a few periods was busy in half as many.
/// `periods_per_s` is each workload's bandwidth periods a second (0 without a cgroup).
pub(crate) fn with_cgroup_history(
    since_boot: &mut Sample,
    steady: &[CgroupSample],
    history: History,
    periods_per_s: &[f64],
) -> Vec<[[f64; 3]; 2]> {
    let mut avgs = Vec::with_capacity(since_boot.detail.cgroups.len());
    for (w, boot) in since_boot.detail.cgroups.iter_mut().enumerate() {
        let s = steady.get(w).copied().unwrap_or_default();
        let h = super::detail::since_boot_cgroup(&s);
        let per_s = periods_per_s.get(w).copied().unwrap_or(0.0);
        let healthy_periods = if per_s > 0.0 {
            per_s * (1.0 - (1.0 - (s.periods / per_s).clamp(0.0, 1.0)).sqrt())
        } else {
            h.periods
        };
        avgs.push([
            history.psi_avgs(h.pressure_some, s.pressure_some),
            history.psi_avgs(h.pressure_full, s.pressure_full),
        ]);
        *boot = CgroupSample {
            user_ns: boot.user_ns,
            system_ns: boot.system_ns,
            periods: history.mean(healthy_periods, s.periods),
            throttled_periods: history.mean(h.throttled_periods, s.throttled_periods),
            throttled_ns: history.mean(h.throttled_ns, s.throttled_ns),
            pressure_some: history.mean(h.pressure_some, s.pressure_some),
            pressure_full: history.mean(h.pressure_full, s.pressure_full),
        };
    }
    avgs
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
    fn cgroup_history_runs_the_healthy_half_before_the_onset_and_keeps_the_usage() {
        let with_group = |g: CgroupSample| {
            let mut s = Sample::default();
            s.detail.cgroups = vec![g];
            s
        };
        let second = |periods: f64, throttled_periods: f64, throttled_ns: f64| {
            with_group(CgroupSample {
                user_ns: 9e8,
                periods,
                throttled_periods,
                throttled_ns,
                pressure_full: throttled_periods / 20.0,
                ..CgroupSample::default()
            })
        };
        // The seconds measured throttled 3, 0 and 6 of their ten periods.
        let seconds = [
            second(10.0, 3.0, 3e8),
            second(10.0, 0.0, 0.0),
            second(10.0, 6.0, 9e8),
        ];
        let mean = mean_cgroups(&seconds.iter().collect::<Vec<_>>());
        assert_eq!((mean[0].periods, mean[0].throttled_periods), (10.0, 3.0));
        let mut boot = with_group(CgroupSample {
            user_ns: 6e8,
            system_ns: 2e8,
            periods: 5.0,
            ..CgroupSample::default()
        });
        // A quarter of the uptime since the onset.
        let history = History::new(4000, 1000);
        let avgs = with_cgroup_history(&mut boot, &mean, history, &[10.0]);
        let g = boot.detail.cgroups[0];
        assert_eq!((g.user_ns, g.system_ns), (6e8, 2e8));
        // Busy in every period at the steady load, so at the healthy one too.
        assert!((g.periods - 10.0).abs() < 1e-9, "{}", g.periods);
        // Half the throttling before the onset, all of it since: 1.5 × ¾ + 3 × ¼.
        assert!((g.throttled_periods - 1.875).abs() < 1e-9);
        assert!((g.throttled_ns - 2.5e8).abs() < 1e-3, "{}", g.throttled_ns);
        assert!((g.pressure_full - 0.09375).abs() < 1e-12);
        // Seventeen minutes in, the 10 s average is the steady level.
        assert!((avgs[0][1][0] - 0.15).abs() < 1e-9);
        assert!(avgs[0][1][2] < 0.15 && avgs[0][1][2] > 0.075);
        // A group busy in 36 % of its periods was busy in 20 % of them at half the load.
        let quiet = [second(3.6, 0.0, 0.0)];
        let mean = mean_cgroups(&quiet.iter().collect::<Vec<_>>());
        with_cgroup_history(&mut boot, &mean, History::new(1000, 0), &[10.0]);
        assert!((boot.detail.cgroups[0].periods - 2.0).abs() < 1e-9);
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
