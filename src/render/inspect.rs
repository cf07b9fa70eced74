//! The tools that look below processes and at the kernel's own files: `ps`, `cat` of
//! `/proc/PID/stack`, `/proc/meminfo`, `/proc/vmstat`, `/proc/pressure/*`, `/proc/interrupts`,
//! `/proc/softirqs`, `top -H`, `perf sched`, `perf stat -a`, `pidstat -t|-r|-d`, `sar -q|-w`, `strace -c` and `perf trace -s`. Each tool parses its own
//! arguments (in its file) into one [`Inspect`] value and renders it; this module only routes.
//!
//! Time rules: `ps` and the `/proc` files are snapshots of the latest completed second (0 s);
//! `top -H` consumes its frames like `top`; `pidstat -t|-r|-d` and `sar` consume `interval × count` seconds like `mpstat`; `strace -c -p PID` traces for `timeout N` seconds and
//! `perf trace -s` for `-- sleep N`, default [`DEFAULT_TRACE_S`].

use super::argv::{Reports, ToolError, Window};
use super::{
    cgroup, perf_sched, perf_stat, perf_trace, pidstat_threads, proc_files, proc_stack, ps, sar,
    strace, top_threads,
};
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
    /// `cat` of a cgroup's `cpu.*` file or of `/proc/PID/cgroup`.
    Cgroup(cgroup::CgroupRead),
    Sar {
        report: sar::SarReport,
        reports: Reports,
    },
    Strace(strace::StraceCommand),
    /// `pidstat -t`, `pidstat -r` and `pidstat -d`.
    PidstatDetail {
        detail: pidstat_threads::PidstatDetail,
        one_line: bool,
        reports: Reports,
    },
    /// `top -H -b -n frames -d delay [-w columns]`.
    TopThreads {
        frames: u32,
        delay_s: u32,
        /// The screen width the frames are laid out for.
        columns: u16,
    },
    /// `perf sched record -- sleep N`.
    PerfSchedRecord {
        seconds: u32,
    },
    /// `perf sched latency` over the last recording (the console fills in its window).
    PerfSchedLatency {
        window: Option<Window>,
    },
    /// `perf stat -a -- sleep N`.
    PerfStat {
        seconds: u32,
    },
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
            Inspect::Ps(_) | Inspect::Stack { .. } | Inspect::Proc(_) | Inspect::Cgroup(_) => 0,
            Inspect::Sar { reports, .. } => {
                reports.interval.unwrap_or(0) as usize * reports.count as usize
            }
            Inspect::Strace(command) => command.seconds as usize,
            Inspect::TopThreads {
                frames, delay_s, ..
            } => *frames as usize * *delay_s as usize,
            Inspect::PidstatDetail { reports, .. } => {
                reports.interval.unwrap_or(0) as usize * reports.count as usize
            }
            Inspect::PerfTrace { seconds, .. }
            | Inspect::PerfSchedRecord { seconds }
            | Inspect::PerfStat { seconds } => *seconds as usize,
            Inspect::PerfSchedLatency { .. } => 0,
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
            Inspect::Cgroup(read) => cgroup::render(trace, read, start),
            Inspect::Sar { report, reports } => sar::render(trace, *report, *reports, start),
            Inspect::Strace(command) => strace::render(trace, command, start),
            Inspect::TopThreads {
                frames,
                delay_s,
                columns,
            } => top_threads::render(trace, *frames, *delay_s, *columns, start),
            Inspect::PidstatDetail {
                detail,
                one_line,
                reports,
            } => pidstat_threads::render(trace, *detail, *one_line, *reports, start),
            Inspect::PerfTrace { pid, seconds } => perf_trace::render(trace, *pid, *seconds, start),
            Inspect::PerfSchedRecord { seconds } => perf_sched::record(trace, *seconds, start),
            Inspect::PerfSchedLatency { window } => match window {
                Some(window) => perf_sched::latency(trace, *window),
                None => NO_RECORDING.to_owned(),
            },
            Inspect::PerfStat { seconds } => perf_stat::render(trace, *seconds, start),
        }
    }
}

const NO_RECORDING: &str = "  Error: failed to open perf.data: No such file or directory  (try 'perf sched record' first)\n";

impl Inspect {
    /// What the box remembers between commands: `perf sched record` leaves its window in
    /// `perf.data` (`recording`, shared with `perf lock record`), `perf sched latency` reads it.
    pub fn use_recording(&mut self, recording: &mut Option<Window>, cursor: usize) {
        match self {
            Inspect::PerfSchedRecord { seconds } => {
                *recording = Some(Window {
                    start: cursor,
                    seconds: *seconds as usize,
                });
            }
            Inspect::PerfSchedLatency { window } => *window = *recording,
            _ => {}
        }
    }
}

/// `cat PATH` for the files this module owns; `None` when the path is not one of them.
pub(crate) fn parse_cat_path(path: &str) -> Option<Result<Inspect, ToolError>> {
    if let Some(file) = proc_files::ProcFile::from_path(path) {
        return Some(Ok(Inspect::Proc(file)));
    }
    cgroup::parse_path(path).or_else(|| proc_stack::parse_path(path))
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
