//! `perf trace -s [-a | -p PID] [-- sleep N]` as perf 6.x prints its summary: per thread with
//! system calls, its events (one enter and one exit per call) and share of all events, then one
//! row per call sorted by total time: calls, errors, total/min/avg/max in msec and the relative
//! standard error of the mean. Times are wall-clock, sleeps included and each call counted
//! whole (`SyscallSample::wall_mean_ns`), so threads queueing on a user-space lock show long
//! `futex` calls. Without `-p` every process is traced.

use std::collections::BTreeMap;

use super::argv::ToolError;
use super::inspect::{DEFAULT_TRACE_S, Inspect, trace_seconds};
use crate::model::{Syscall, SyscallSample, Trace};

const USAGE: &str = "\n Usage: perf trace [<options>] [<command>]\n    or: perf trace [<options>] -- <command> [<options>]";

/// Parses the words after `perf trace`.
pub(crate) fn parse(args: &[&str]) -> Result<Inspect, ToolError> {
    let (mut summary, mut pid, mut seconds) = (false, None, None);
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        i += 1;
        match arg {
            "-s" | "--summary" | "-S" | "--with-summary" => summary = true,
            "-a" | "--all-cpus" => {}
            "-p" | "--pid" => {
                let word = args.get(i).ok_or_else(|| {
                    ToolError::new(format!("  Error: switch `p' requires a value{USAGE}"))
                })?;
                i += 1;
                pid = Some(word.parse::<u32>().map_err(|_| {
                    ToolError::new(format!(
                        "  Error: invalid pid '{}'{USAGE}",
                        word.chars()
                            .filter(|c| !c.is_control())
                            .take(20)
                            .collect::<String>()
                    ))
                })?);
            }
            "--" => match &args[i..] {
                ["sleep", n] => {
                    seconds = Some(trace_seconds("perf trace", n)?);
                    i = args.len();
                }
                _ => {
                    return Err(ToolError::new(
                        "perf trace: this box can only wait while tracing: use -- sleep N",
                    ));
                }
            },
            other => {
                return Err(ToolError::new(format!(
                    "  Error: unknown switch `{}' on this box (it prints summaries: perf trace -s -p PID -- sleep 5){USAGE}",
                    other
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(20)
                        .collect::<String>()
                )));
            }
        }
    }
    if !summary {
        return Err(ToolError::new(
            "perf trace: this box prints summaries only: add -s",
        ));
    }
    Ok(Inspect::PerfTrace {
        pid,
        seconds: seconds.unwrap_or(DEFAULT_TRACE_S),
    })
}

/// Per thread (task index, tid): its calls' totals.
type ThreadCalls = BTreeMap<(usize, u32), BTreeMap<Syscall, CallTotals>>;

/// One call's totals over the traced seconds, with its spread pooled over seconds.
#[derive(Default)]
struct CallTotals {
    calls: u64,
    errors: u64,
    wall_ns: f64,
    min_ns: Option<u64>,
    max_ns: u64,
    /// Σ per-second (n, mean, sd), pooled at the end.
    parts: Vec<(f64, f64, f64)>,
}

impl CallTotals {
    fn add(&mut self, s: &SyscallSample) {
        self.calls += s.calls;
        self.errors += s.errors;
        self.wall_ns += s.calls as f64 * s.wall_mean_ns;
        self.min_ns = Some(self.min_ns.map_or(s.wall_min_ns, |m| m.min(s.wall_min_ns)));
        self.max_ns = self.max_ns.max(s.wall_max_ns);
        if s.calls > 0 {
            let n = s.calls as f64;
            self.parts.push((n, s.wall_mean_ns, s.wall_sd_ns));
        }
    }

    /// The standard error of the mean call time relative to the mean, percent.
    fn relative_error_pct(&self) -> f64 {
        let n: f64 = self.parts.iter().map(|p| p.0).sum();
        if n < 2.0 || self.wall_ns <= 0.0 {
            return 0.0;
        }
        let mean = self.wall_ns / self.calls.max(1) as f64;
        let spread: f64 = self
            .parts
            .iter()
            .map(|&(k, m, sd)| (k - 1.0).max(0.0) * sd * sd + k * (m - mean) * (m - mean))
            .sum();
        let sd = (spread / (n - 1.0)).max(0.0).sqrt();
        100.0 * sd / n.sqrt() / mean
    }
}

pub(crate) fn render(trace: &Trace, pid: Option<u32>, seconds: u32, start: usize) -> String {
    let task = match pid {
        Some(pid) => match trace.info.tasks.iter().position(|t| t.pid == pid) {
            Some(task) => Some(task),
            None => return format!("Couldn't attach to process {pid}: No such process\n"),
        },
        None => None,
    };
    let end = start
        .saturating_add(seconds as usize)
        .min(trace.samples.len());
    let mut threads: ThreadCalls = BTreeMap::new();
    for sample in &trace.samples[start.min(end)..end] {
        for thread in &sample.detail.threads {
            if task.is_some_and(|t| t != thread.task) || thread.syscalls.is_empty() {
                continue;
            }
            let calls = threads.entry((thread.task, thread.tid)).or_default();
            for s in thread.syscalls.iter() {
                calls.entry(s.call).or_default().add(s);
            }
        }
    }
    let events = |calls: &BTreeMap<Syscall, CallTotals>| -> u64 {
        calls.values().map(|c| 2 * c.calls).sum()
    };
    let all_events: u64 = threads.values().map(events).sum();
    let mut order: Vec<_> = threads.iter().collect();
    order.sort_by(|a, b| events(b.1).cmp(&events(a.1)).then(a.0.cmp(b.0)));
    let mut out = String::from("\n Summary of events:\n");
    for ((task, tid), calls) in order {
        let comm = trace.info.tasks.get(*task).map_or("?", |t| t.comm.as_str());
        let n = events(calls);
        out.push_str(&format!(
            "\n {comm} ({tid}), {n} events, {:.1}%\n\n",
            n as f64 * 100.0 / all_events.max(1) as f64
        ));
        out.push_str("   syscall            calls  errors  total       min       avg       max       stddev\n");
        out.push_str("                                     (msec)    (msec)    (msec)    (msec)        (%)\n");
        out.push_str("   --------------- --------  ------ -------- --------- --------- ---------     ------\n");
        let mut rows: Vec<(&Syscall, &CallTotals)> = calls.iter().collect();
        rows.sort_by(|a, b| b.1.wall_ns.total_cmp(&a.1.wall_ns).then(a.0.cmp(b.0)));
        for (call, t) in rows {
            let ms = |ns: f64| ns / 1e6;
            out.push_str(&format!(
                "   {:<15} {:8} {:6} {:9.3} {:9.3} {:9.3} {:9.3} {:9.2}%\n",
                call.name(),
                t.calls,
                t.errors,
                ms(t.wall_ns),
                ms(t.min_ns.unwrap_or(0) as f64),
                ms(t.wall_ns / t.calls.max(1) as f64),
                ms(t.max_ns as f64),
                t.relative_error_pct()
            ));
        }
    }
    out.push('\n');
    out
}
