//! Renderers: pure functions from a [`Trace`] to the exact text a real tool prints
//! (docs/FORMATS.md, "Tool outputs"), plus the parser for the command lines a candidate types.
//!
//! Architecture invariant: renderers never drive the simulation and never query the terminal;
//! they read samples `[start, start + seconds)` of a trace that already holds them. Snapshot
//! tools (`free`, `uptime`, `dmesg`, `cat /proc/lock_stat`) read the last completed second
//! before `start` (the since-boot summary at second 0). Times of day are `BoxInfo::clock_s`
//! plus elapsed simulated seconds. How long each command takes is documented in [`argv`].
//!
//! Deliberate differences from the real tools, all about the terminal: `perf top` prints one
//! refresh without the screen-clearing escape sequence, and tools that would run until
//! interrupted stop after a documented count.

pub mod argv;
mod cgroup;
mod dmesg;
mod free;
mod inspect;
mod iostat;
mod lock_stat;
mod mpstat;
mod numa;
mod perf_lock;
mod perf_sched;
mod perf_stat;
mod perf_top;
mod perf_trace;
mod pidstat;
mod pidstat_threads;
mod pipe;
mod proc_files;
mod proc_stack;
mod ps;
mod sar;
mod span;
mod strace;
mod systemctl;
#[cfg(test)]
mod testing;
mod text;
mod top;
mod top_threads;
mod uptime;
mod vmstat;

use crate::model::Trace;

pub use inspect::Inspect;
pub use pipe::{Filter, Grep};

pub use argv::{
    ContentionBy, CpuSelection, FreeUnit, LockReportKey, LockSource, PidstatReport, Reports,
    ToolCommand, ToolError, Window, parse_command,
};

/// Renders `command` over the samples starting at `start`. The trace must already hold
/// `start + command.seconds()` samples (see [`ToolCommand::seconds`]); a shorter trace renders
/// what it holds and never panics.
pub fn render(trace: &Trace, command: &ToolCommand, start: usize) -> String {
    match command {
        ToolCommand::Vmstat { wide, reports } => vmstat::render(trace, *wide, *reports, start),
        ToolCommand::Mpstat { cpus, reports } => mpstat::render(trace, cpus, *reports, start),
        ToolCommand::Pidstat {
            report,
            one_line,
            reports,
        } => pidstat::render(trace, *report, *one_line, *reports, start),
        ToolCommand::Iostat {
            extended,
            skip_boot,
            hide_idle,
            reports,
        } => iostat::render(
            trace,
            iostat::Options {
                extended: *extended,
                skip_boot: *skip_boot,
                hide_idle: *hide_idle,
            },
            *reports,
            start,
        ),
        ToolCommand::Top {
            frames,
            delay_s,
            columns,
        } => top::render(trace, *frames, *delay_s, *columns, start),
        ToolCommand::Free { unit, wide } => free::render(trace, *unit, *wide, start),
        ToolCommand::Uptime => uptime::render(trace, start),
        ToolCommand::PerfTop { delay_s, entries } => {
            perf_top::render(trace, *delay_s, *entries, start)
        }
        ToolCommand::PerfLockRecord { seconds } => perf_lock::record(trace, *seconds, start),
        ToolCommand::PerfLockReport { key, source } => {
            perf_lock::report(trace, *key, *source, start)
        }
        ToolCommand::PerfLockContention {
            by,
            entries,
            source,
        } => perf_lock::contention(trace, *by, *entries, *source, start),
        ToolCommand::LockStat => lock_stat::render(trace, start),
        ToolCommand::Dmesg { human_time } => dmesg::render(trace, *human_time, start),
        ToolCommand::Inspect(inspect) => inspect.render(trace, start),
        ToolCommand::Numa(command) => numa::render(trace, command, start),
        ToolCommand::Systemctl(show) => systemctl::render(trace, show, start),
        ToolCommand::Piped { command, filters } => filters
            .iter()
            .fold(render(trace, command, start), |text, filter| {
                pipe::apply(&text, filter)
            }),
    }
}
