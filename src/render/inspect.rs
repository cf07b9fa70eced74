//! The tools that look below processes and at the kernel's own files: `ps`, `cat` of
//! `/proc/PID/stack`, `/proc/meminfo`, `/proc/vmstat`, `/proc/pressure/*`, `/proc/interrupts`,
//! `/proc/softirqs`, `sar -q|-w`, `strace -c` and `perf trace -s`. Each tool parses its own
//! arguments (in its file) into one [`Inspect`] value and renders it; this module only routes.
//!
//! Time rules: `ps` and the `/proc` files are snapshots of the latest completed second (0 s);
//! `sar` consumes `interval × count` seconds like `mpstat`; `strace -c -p PID` traces for `timeout N` seconds and
//! `perf trace -s` for `-- sleep N`, default [`DEFAULT_TRACE_S`].

use super::argv::{Reports, ToolError};
use super::{perf_trace, proc_files, proc_stack, ps, sar, strace};
use crate::model::Trace;

/// Seconds `strace -c -p` traces when no duration is given.
pub const DEFAULT_TRACE_S: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inspect {
    Ps(ps::PsCommand),
    /// `cat /proc/PID/stack` (`tid: None`) or `/proc/PID/task/TID/stack`; `every_thread` for
    /// `/proc/PID/task/*/stack` (every thread's stack, concatenated as cat prints them).
    Stack {
        pid: u32,
        tid: Option<u32>,
        every_thread: bool,
    },
    Proc(proc_files::ProcFile),
    Sar {
        report: sar::SarReport,
        reports: Reports,
    },
    Strace(strace::StraceCommand),
    /// `perf trace -s`: every process, or the one with pid `pid`.
    PerfTrace {
        pid: Option<u32>,
        seconds: u32,
    },
}

impl Inspect {
    /// Simulated seconds the command consumes.
    pub fn seconds(&self) -> usize {
        match self {
            Inspect::Ps(_) | Inspect::Stack { .. } | Inspect::Proc(_) => 0,
            Inspect::Sar { reports, .. } => {
                reports.interval.unwrap_or(0) as usize * reports.count as usize
            }
            Inspect::Strace(command) => command.seconds as usize,
            Inspect::PerfTrace { seconds, .. } => *seconds as usize,
        }
    }

    pub fn render(&self, trace: &Trace, start: usize) -> String {
        match self {
            Inspect::Ps(command) => ps::render(trace, command, start),
            Inspect::Stack {
                pid,
                tid,
                every_thread,
            } => proc_stack::render(trace, *pid, *tid, *every_thread, start),
            Inspect::Proc(file) => proc_files::render(trace, *file, start),
            Inspect::Sar { report, reports } => sar::render(trace, *report, *reports, start),
            Inspect::Strace(command) => strace::render(trace, command, start),
            Inspect::PerfTrace { pid, seconds } => perf_trace::render(trace, *pid, *seconds, start),
        }
    }
}

/// `cat PATH` for the files this module owns; `None` when the path is not one of them.
pub(crate) fn parse_cat_path(path: &str) -> Option<Result<Inspect, ToolError>> {
    if let Some(file) = proc_files::ProcFile::from_path(path) {
        return Some(Ok(Inspect::Proc(file)));
    }
    proc_stack::parse_path(path)
}

/// `timeout N` / `-- sleep N` durations of tracing tools: a positive count of seconds within
/// the per-command limit.
pub(crate) fn trace_seconds(tool: &str, word: &str) -> Result<u32, ToolError> {
    let seconds: u32 = word
        .trim_end_matches('s')
        .parse()
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| {
            ToolError::new(format!(
                "{tool}: invalid duration '{}'",
                word.chars()
                    .filter(|c| !c.is_control())
                    .take(40)
                    .collect::<String>()
            ))
        })?;
    if u64::from(seconds) > super::argv::MAX_SECONDS {
        return Err(ToolError::new(format!(
            "{tool}: sysdrill traces for at most {} simulated seconds; ask for fewer",
            super::argv::MAX_SECONDS
        )));
    }
    Ok(seconds)
}
