//! `perf stat -a -- sleep N` as perf 6.x prints it: the software counters over every CPU for
//! the N seconds. cpu-clock is every CPU's whole time (system-wide counting includes idle),
//! context-switches is vmstat's cs, cpu-migrations the threads moved between CPUs,
//! page-faults the processes' minor and major faults. A guest has no PMU passed through, so its
//! hardware events are `<not supported>`. On a bare-metal box with NUMA nodes the hardware
//! counters follow from the model (`model::numa`): cycles are busy CPU time at the counters'
//! clock; instructions are fewer per cycle by each workload's remote-access factor; LLC misses
//! are its memory stall time over the local miss latency, and node-load-misses the remote share
//! of them. A box of one node prints no hardware counters, as before.

use super::argv::ToolError;
use super::inspect::{Inspect, trace_seconds};
use crate::model::Trace;

/// Parses the words after `perf stat`.
pub(crate) fn parse(args: &[&str]) -> Result<Inspect, ToolError> {
    let (options, command) = match args.iter().position(|a| *a == "--" || *a == "sleep") {
        Some(p) if args[p] == "--" => (&args[..p], &args[p + 1..]),
        Some(p) => (&args[..p], &args[p..]),
        None => (args, &args[args.len()..]),
    };
    for option in options {
        if !matches!(*option, "-a" | "--all-cpus") {
            return Err(ToolError::new(format!(
                "  Error: this box counts system-wide only: perf stat -a -- sleep 5 (not '{}')",
                option
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(20)
                    .collect::<String>()
            )));
        }
    }
    match command {
        ["sleep", n] => Ok(Inspect::PerfStat {
            seconds: trace_seconds("perf stat", n)?,
        }),
        _ => Err(ToolError::new(
            "perf stat: this box can only count while waiting: perf stat -a -- sleep 5",
        )),
    }
}

/// `1234567` → `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn per_second(count: u64, seconds: f64) -> String {
    let rate = count as f64 / seconds.max(1e-9);
    if rate >= 1e6 {
        format!("{:8.3} M/sec", rate / 1e6)
    } else if rate >= 1e3 {
        format!("{:8.3} K/sec", rate / 1e3)
    } else {
        format!("{rate:8.3} /sec")
    }
}

pub(crate) fn render(trace: &Trace, seconds: u32, start: usize) -> String {
    let end = start
        .saturating_add(seconds as usize)
        .min(trace.samples.len());
    let samples = &trace.samples[start.min(end)..end];
    let elapsed = samples.len() as f64;
    let cpus = u64::from(trace.info.cpus);
    let clock_ms = cpus as f64 * elapsed * 1000.0;
    let switches: u64 = samples.iter().map(|s| s.context_switches).sum();
    let migrations: u64 = samples
        .iter()
        .flat_map(|s| &s.detail.threads)
        .map(|t| t.migrations)
        .sum();
    let faults: u64 = samples
        .iter()
        .flat_map(|s| &s.tasks)
        .map(|t| t.minor_faults + t.major_faults)
        .sum();
    let clock_text = format!("{:.2}", clock_ms);
    let (whole, frac) = clock_text.split_once('.').unwrap_or((&clock_text, "00"));
    let clock_cell = format!("{}.{frac}", grouped(whole.parse().unwrap_or(0)));
    let mut out = String::from("\n Performance counter stats for 'system wide':\n\n");
    out.push_str(&format!(
        "{clock_cell:>18} msec {:<33}# {:8.3} CPUs utilized\n",
        "cpu-clock",
        clock_ms / 1000.0 / elapsed.max(1e-9)
    ));
    for (count, name) in [
        (switches, "context-switches"),
        (migrations, "cpu-migrations"),
        (faults, "page-faults"),
    ] {
        out.push_str(&format!(
            "{:>18}      {name:<33}# {}\n",
            grouped(count),
            per_second(count, elapsed)
        ));
    }
    if trace.info.virtualized {
        for name in ["cycles", "instructions", "branches", "branch-misses"] {
            out.push_str(&format!("{:>18}      {name}\n", "<not supported>"));
        }
    } else if trace.info.numa.nodes.len() > 1 {
        out.push_str(&memory_counters(trace, samples, elapsed));
    }
    out.push_str(&format!("\n{elapsed:>18.9} seconds time elapsed\n\n"));
    out
}

/// cycles, instructions, LLC-load-misses and node-load-misses over `samples` (see the module
/// documentation for how each follows from the model).
fn memory_counters(trace: &Trace, samples: &[crate::model::Sample], elapsed: f64) -> String {
    use crate::model::numa::{COUNTER_GHZ, LOCAL_CPI, LOCAL_MISS_NS};
    let busy_ns: f64 = samples
        .iter()
        .flat_map(|s| &s.cpus)
        .map(|c| (c.user + c.nice + c.system + c.irq + c.softirq) as f64)
        .sum();
    let mut instructions = 0.0;
    let mut workload_ns = 0.0;
    let mut llc_misses = 0.0;
    let mut remote_misses = 0.0;
    for p in &trace.info.numa.processes {
        let Some(pos) = trace.info.tasks.iter().position(|t| t.pid == p.pid) else {
            continue;
        };
        let user_ns: f64 = samples
            .iter()
            .filter_map(|s| s.tasks.get(pos))
            .map(|t| t.user_ns as f64)
            .sum();
        let factor = p.compute_factor.max(1.0);
        workload_ns += user_ns;
        instructions += user_ns * COUNTER_GHZ / (LOCAL_CPI * factor);
        // The misses a request makes do not change with distance; each takes longer.
        let misses = user_ns / factor * p.memory_stall_fraction / LOCAL_MISS_NS;
        llc_misses += misses;
        remote_misses += misses * p.remote_fraction;
    }
    instructions += (busy_ns - workload_ns).max(0.0) * COUNTER_GHZ / LOCAL_CPI;
    let cycles = busy_ns * COUNTER_GHZ;
    let ghz = cycles / busy_ns.max(1.0);
    let ipc = instructions / cycles.max(1.0);
    let mut out = format!(
        "{:>18}      {:<33}# {ghz:8.3} GHz\n",
        grouped(cycles.round() as u64),
        "cycles"
    );
    out.push_str(&format!(
        "{:>18}      {:<33}# {ipc:8.2}  insn per cycle\n",
        grouped(instructions.round() as u64),
        "instructions"
    ));
    for (count, name) in [
        (llc_misses, "LLC-load-misses"),
        (remote_misses, "node-load-misses"),
    ] {
        let count = count.round() as u64;
        out.push_str(&format!(
            "{:>18}      {name:<33}# {}\n",
            grouped(count),
            per_second(count, elapsed)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(543_590), "543,590");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
