//! The since-boot summary (vmstat's first line, iostat's first report, top's TIME+ baseline),
//! synthesised deterministically from the steady state.
//!
//! Rule: the box is taken to have spent half of its uptime at the incident's steady state (the
//! warm-up window) and the other half idle at the baseline. So every busy CPU time, rate and IO
//! count of the steady state is halved, idle absorbs the difference (each CPU still sums to
//! exactly 1e9 ns), interrupts and context switches are the mean of the steady value and the
//! idle baseline, and memory, load averages, symbol samples and lock statistics are the steady
//! state's (profiles and lock tables have no since-boot form).
//!
//! Owns: that rule. Must not: run the engine.

use super::sample::Context;
use super::trace::{CpuTime, DiskSample, Sample, TaskSample};

pub(crate) fn since_boot(steady: &Sample, ctx: &Context) -> Sample {
    let half = |x: u64| x / 2;
    let cpus = steady
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
    let disks = steady
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
            ..*t
        })
        .collect();
    let mid = |x: u64, base: f64| ((x as f64 + base) / 2.0).round() as u64;
    Sample {
        cpus,
        runnable: steady.runnable / 2.0,
        blocked: steady.blocked / 2.0,
        interrupts: mid(steady.interrupts, ctx.baseline_in),
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
    }
}
