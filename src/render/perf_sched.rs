//! `perf sched record -- sleep N` and `perf sched latency` as perf 6.x prints them. The
//! recording holds the N seconds it ran (the console remembers the window, as for
//! `perf lock record`); `latency` prints one row per thread that ran, sorted by average delay:
//! run time, times scheduled in, average and longest wait on the run queue with when that
//! wait began and ended (seconds since boot), then the totals.

use std::collections::BTreeMap;

use super::argv::{ToolError, Window};
use super::inspect::{Inspect, trace_seconds};
use crate::model::Trace;

const USAGE: &str = "\n Usage: perf sched [<options>] {record|latency|map|replay|script|timehist}";

/// Parses the words after `perf sched`.
pub(crate) fn parse(args: &[&str]) -> Result<Inspect, ToolError> {
    match args {
        ["record", rest @ ..] => {
            let seconds = match rest {
                ["--", "sleep", n] | ["sleep", n] | ["-a", "--", "sleep", n] => {
                    trace_seconds("perf sched record", n)?
                }
                _ => {
                    return Err(ToolError::new(
                        "perf sched record: this box cannot wait for Ctrl-C; record a stretch with -- sleep 5",
                    ));
                }
            };
            Ok(Inspect::PerfSchedRecord { seconds })
        }
        ["latency"] | ["lat"] => Ok(Inspect::PerfSchedLatency { window: None }),
        ["latency" | "lat", flag, ..] => Err(ToolError::new(format!(
            "  Error: unknown switch `{}' on this box{USAGE}",
            flag.chars()
                .filter(|c| !c.is_control())
                .take(20)
                .collect::<String>()
        ))),
        [other, ..] => Err(ToolError::new(format!(
            "perf sched: this box knows record and latency (not '{}'){USAGE}",
            other
                .chars()
                .filter(|c| !c.is_control())
                .take(20)
                .collect::<String>()
        ))),
        [] => Err(ToolError::new(USAGE.trim_start())),
    }
}

pub(crate) fn record(trace: &Trace, seconds: u32, start: usize) -> String {
    // One sched_switch per dispatch and one sched_wakeup per sleep; 120 bytes each.
    let end = start
        .saturating_add(seconds as usize)
        .min(trace.samples.len());
    let events: u64 = trace.samples[start.min(end)..end]
        .iter()
        .flat_map(|s| &s.detail.threads)
        .map(|t| t.dispatches + t.voluntary_cs)
        .sum();
    let megabytes = events as f64 * 120.0 / 1e6;
    let wakeups = (megabytes / 32.0).ceil().max(1.0) as u64;
    format!(
        "[ perf record: Woken up {wakeups} times to write data ]\n[ perf record: Captured and wrote {megabytes:.3} MB perf.data ({events} samples) ]\n"
    )
}

#[derive(Default)]
struct Latency {
    runtime_ns: u64,
    switches: u64,
    wait_ns: u64,
    max_ns: u64,
    /// Seconds since boot, µs resolution, when the longest wait ended.
    max_end_us: u64,
}

pub(crate) fn latency(trace: &Trace, window: Window) -> String {
    let end = window
        .start
        .saturating_add(window.seconds)
        .min(trace.samples.len());
    let begin = window.start.min(end);
    let mut rows: BTreeMap<(usize, u32), Latency> = BTreeMap::new();
    for (i, sample) in trace.samples[begin..end].iter().enumerate() {
        let second_us = (trace.info.uptime_s + (begin + i) as u64) * 1_000_000;
        for t in &sample.detail.threads {
            if t.dispatches == 0 {
                continue;
            }
            let row = rows.entry((t.task, t.tid)).or_default();
            row.runtime_ns += t.user_ns + t.system_ns;
            row.switches += t.dispatches;
            row.wait_ns += t.wait_ns;
            if t.wait_max_ns > row.max_ns {
                row.max_ns = t.wait_max_ns;
                row.max_end_us = second_us + t.wait_max_end_ns / 1000;
            }
        }
    }
    let rule = " -------------------------------------------------------------------------------------------------------------------------------------------\n";
    let mut out = format!("\n{rule}");
    out.push_str("  Task                  |   Runtime ms  | Switches | Avg delay ms    | Max delay ms    | Max delay start           | Max delay end          |\n");
    out.push_str(rule);
    let avg = |r: &Latency| r.wait_ns as f64 / r.switches.max(1) as f64;
    let mut order: Vec<(&(usize, u32), &Latency)> = rows.iter().collect();
    order.sort_by(|a, b| {
        avg(b.1)
            .total_cmp(&avg(a.1))
            .then(b.1.max_ns.cmp(&a.1.max_ns))
            .then(a.0.cmp(b.0))
    });
    let stamp = |us: u64| format!("{}.{:06}", us / 1_000_000, us % 1_000_000);
    for ((task, tid), r) in &order {
        let comm = trace.info.tasks.get(*task).map_or("?", |t| t.comm.as_str());
        let name = format!("  {comm}:{tid} ");
        let start_us = r.max_end_us.saturating_sub(r.max_ns / 1000);
        out.push_str(&format!(
            "{name:<24}|{:11.3} ms |{:9} | avg:{:8.3} ms | max:{:8.3} ms | max start: {:>12} s | max end: {:>12} s\n",
            r.runtime_ns as f64 / 1e6,
            r.switches,
            avg(r) / 1e6,
            r.max_ns as f64 / 1e6,
            stamp(start_us),
            stamp(r.max_end_us),
        ));
    }
    let runtime: u64 = rows.values().map(|r| r.runtime_ns).sum();
    let switches: u64 = rows.values().map(|r| r.switches).sum();
    out.push_str(" -----------------------------------------------------------------------------------------------------------------\n");
    out.push_str(&format!(
        "  TOTAL:                |{:11.3} ms |{switches:9} |\n",
        runtime as f64 / 1e6
    ));
    out.push_str(" ---------------------------------------------------\n\n");
    out
}
