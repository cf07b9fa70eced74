//! `strace -c [-f] [-w] -p PID` as strace 6.x prints its summary: attach line, then one row per
//! system call sorted by time, then the total. Without `-f` only the thread `PID` is traced;
//! `-w` sums wall-clock time (sleeps included) instead of system CPU time. The counts are the
//! model's per-thread system calls (`ThreadSample::syscalls`) over the traced seconds, so a
//! contended user-space lock shows as `futex` calls, and `EAGAIN` errors where the lock was
//! handed over before the waiter slept.

use std::collections::BTreeMap;

use super::argv::ToolError;
use super::inspect::{DEFAULT_TRACE_S, Inspect, trace_seconds};
use crate::model::{Syscall, Trace};

const USAGE: &str = "Usage: strace [-ACdffhiqqrtttTvVwxxyyzZ] [-I N] [-b execve] [-e EXPR]...\n              [-a COLUMN] [-o FILE] [-s STRSIZE] [-X FORMAT] [-O OVERHEAD]\n              [-S SORTBY] [-P PATH]... [-p PID]... [-U COLUMNS] [--seccomp-bpf]\n              [--syscall-limit N] { -p PID | [-DDD] [-E VAR=VAL]... [-u USERNAME] PROG [ARGS] }";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StraceCommand {
    pub pid: u32,
    pub follow_threads: bool,
    pub wall_clock: bool,
    pub seconds: u32,
}

/// Parses the words after `strace`; `seconds` comes from a `timeout N` in front.
pub(crate) fn parse(args: &[&str], seconds: Option<u32>) -> Result<Inspect, ToolError> {
    let (mut summary, mut follow, mut wall, mut pid) = (false, false, false, None);
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        i += 1;
        let Some(flags) = arg.strip_prefix('-') else {
            return Err(ToolError::new(
                "strace: this box cannot start programs under strace; attach with -p PID",
            ));
        };
        for (pos, c) in flags.char_indices() {
            match c {
                'c' => summary = true,
                'f' => follow = true,
                'w' => wall = true,
                'p' => {
                    let Some(word) =
                        super::argv::short_option_value(&flags[pos + 1..], args, &mut i)
                    else {
                        return Err(ToolError::new(format!(
                            "strace: option requires an argument -- 'p'\n{USAGE}"
                        )));
                    };
                    pid = Some(word.parse::<u32>().map_err(|_| {
                        ToolError::new(format!(
                            "strace: Invalid process id: '{}'",
                            word.chars()
                                .filter(|c| !c.is_control())
                                .take(40)
                                .collect::<String>()
                        ))
                    })?);
                    break;
                }
                other => {
                    return Err(ToolError::new(format!(
                        "strace: option -{} is not available on this box (it prints summaries: strace -c -f -p PID)",
                        other.escape_default()
                    )));
                }
            }
        }
    }
    let Some(pid) = pid else {
        return Err(ToolError::new(format!(
            "strace: must have PROG [ARGS] or -p PID\n{USAGE}"
        )));
    };
    if !summary {
        return Err(ToolError::new(
            "strace: this box prints summaries only: add -c",
        ));
    }
    Ok(Inspect::Strace(StraceCommand {
        pid,
        follow_threads: follow,
        wall_clock: wall,
        seconds: seconds.unwrap_or(DEFAULT_TRACE_S),
    }))
}

/// `timeout N strace ...`.
pub(crate) fn parse_timeout(args: &[&str]) -> Result<Inspect, ToolError> {
    match args {
        [n, "strace", rest @ ..] => parse(rest, Some(trace_seconds("timeout", n)?)),
        [_, other, ..] => Err(ToolError::new(format!(
            "timeout: this box runs only strace under timeout (not '{}')",
            other
                .chars()
                .filter(|c| !c.is_control())
                .take(40)
                .collect::<String>()
        ))),
        _ => Err(ToolError::new("timeout: missing operand")),
    }
}

#[derive(Default)]
struct Totals {
    calls: u64,
    errors: u64,
    ns: u64,
}

pub(crate) fn render(trace: &Trace, command: &StraceCommand, start: usize) -> String {
    let Some(task) = trace.info.tasks.iter().position(|t| t.pid == command.pid) else {
        return format!(
            "strace: attach: ptrace(PTRACE_SEIZE, {}): No such process\n",
            command.pid
        );
    };
    let info = &trace.info.tasks[task];
    let end = start
        .saturating_add(command.seconds as usize)
        .min(trace.samples.len());
    let mut calls: BTreeMap<Syscall, Totals> = BTreeMap::new();
    let mut threads = 0;
    for (i, sample) in trace.samples[start.min(end)..end].iter().enumerate() {
        for thread in sample.detail.threads.iter().filter(|t| t.task == task) {
            if !command.follow_threads && thread.tid != command.pid {
                continue;
            }
            if i == 0 {
                threads += 1;
            }
            for call in thread.syscalls.iter() {
                let sum = calls.entry(call.call).or_default();
                sum.calls += call.calls;
                sum.errors += call.errors;
                sum.ns += if command.wall_clock {
                    call.wall_ns
                } else {
                    call.system_ns
                };
            }
        }
    }
    let mut out = if command.follow_threads && threads > 1 {
        format!(
            "strace: Process {} attached with {threads} threads\n",
            info.pid
        )
    } else {
        format!("strace: Process {} attached\n", info.pid)
    };
    out.push_str("% time     seconds  usecs/call     calls    errors syscall\n");
    let rule = "------ ----------- ----------- --------- --------- ----------------\n";
    out.push_str(rule);
    let total_ns: u64 = calls.values().map(|t| t.ns).sum();
    let mut rows: Vec<(Syscall, &Totals)> = calls.iter().map(|(k, v)| (*k, v)).collect();
    rows.sort_by(|a, b| b.1.ns.cmp(&a.1.ns).then(a.0.cmp(&b.0)));
    let line = |pct: f64, ns: u64, calls: u64, errors: u64, name: &str| {
        let errors = if errors > 0 {
            errors.to_string()
        } else {
            String::new()
        };
        format!(
            "{pct:6.2} {:11.6} {:11} {calls:9} {errors:>9} {name}\n",
            ns as f64 / 1e9,
            (ns / 1000).checked_div(calls).unwrap_or(0),
        )
    };
    for (call, t) in &rows {
        let pct = if total_ns > 0 {
            t.ns as f64 * 100.0 / total_ns as f64
        } else {
            0.0
        };
        out.push_str(&line(pct, t.ns, t.calls, t.errors, call.name()));
    }
    out.push_str(rule);
    let (all_calls, all_errors) = rows
        .iter()
        .fold((0, 0), |(c, e), (_, t)| (c + t.calls, e + t.errors));
    out.push_str(&line(
        if total_ns > 0 { 100.0 } else { 0.0 },
        total_ns,
        all_calls,
        all_errors,
        "total",
    ));
    out
}
