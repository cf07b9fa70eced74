//! `pidstat -t [-u|-w]` (per-thread rows under each process), `pidstat -r` (page faults and
//! memory) and `pidstat -d` (block IO) as sysstat 12.6 prints them, with `interval [count]` and
//! `-h` like the plain report.
//!
//! With `-t` the process line (`TGID`, `TID` shown as `-`) is the same line plain `pidstat`
//! prints, and each thread follows as `|__comm` with its own counters from the sample's thread
//! detail. `-r`: minflt/s and majflt/s are `TaskSample` faults; VSZ, RSS and %MEM the process's.
//! `-d`: each second's device reads are charged to the processes by their read IOs (`pread64`
//! calls and major faults), the written data (swap-out excluded, which no task is charged for)
//! by their `write` calls; kB_ccwr/s is 0 (the model truncates no dirty files); iodelay is the
//! time the process's threads slept in disk reads, in clock ticks (1/100 s).
//! Only tasks (and threads) active in the interval are listed, as sysstat does.

use super::argv::{self, PidstatReport, Reports, ToolError};
use super::inspect::Inspect;
use super::span::Span;
use super::text::cut;
use std::collections::BTreeMap;

use crate::model::{Sample, Syscall, ThreadSample, Trace};

const USAGE: &str = "Usage: pidstat [ options ] [ <interval> [ <count> ] ]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PidstatDetail {
    /// `-t`: threads under their process, for `-u` or `-w`.
    Threads(PidstatReport),
    /// `-r`: page faults and memory.
    Memory,
    /// `-d`: block IO.
    Disk,
}

/// Whether `pidstat ARGS` asks for a report this module prints (`-t`, `-r` or `-d`).
pub(crate) fn handles(args: &[&str]) -> bool {
    args.iter()
        .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(['t', 'r', 'd']))
}

pub(crate) fn parse(args: &[&str]) -> Result<Inspect, ToolError> {
    let (mut threads, mut memory, mut switches, mut one_line) = (false, false, false, false);
    let mut disk = false;
    let mut operands = Vec::new();
    for arg in args {
        let Some(flags) = arg.strip_prefix('-') else {
            operands.push(*arg);
            continue;
        };
        for c in flags.chars() {
            match c {
                't' => threads = true,
                'r' => memory = true,
                'd' => disk = true,
                'w' => switches = true,
                'u' => {}
                'h' => one_line = true,
                _ => {
                    return Err(ToolError::new(format!(
                        "pidstat: with -t, -r or -d this box prints -u, -w, -r or -d reports (not -{})",
                        c.escape_default()
                    )));
                }
            }
        }
    }
    let reports_asked = [memory, disk, threads || switches]
        .iter()
        .filter(|&&x| x)
        .count();
    if reports_asked > 1 {
        return Err(ToolError::new(
            "pidstat: sysdrill prints one report at a time; use -r or -d alone, or -t with -u or -w",
        ));
    }
    let detail = if memory {
        PidstatDetail::Memory
    } else if disk {
        PidstatDetail::Disk
    } else if threads {
        PidstatDetail::Threads(if switches {
            PidstatReport::Switches
        } else {
            PidstatReport::Cpu
        })
    } else {
        return Err(ToolError::new(USAGE));
    };
    let reports = argv::reports("pidstat", &operands, &argv::sysstat_bad(USAGE))?;
    Ok(Inspect::PidstatDetail {
        detail,
        one_line,
        reports,
    })
}

/// Per-thread sums over a span, keyed like the sample's detail (task index, tid).
#[derive(Default, Clone)]
struct ThreadSum {
    user_ns: u128,
    system_ns: u128,
    wait_ns: u128,
    voluntary: u128,
    involuntary: u128,
    cpu: u32,
}

type ThreadSums = BTreeMap<(usize, u32), ThreadSum>;

fn add_thread(sums: &mut ThreadSums, t: &ThreadSample, weight: u128) {
    let s = sums.entry((t.task, t.tid)).or_default();
    s.user_ns += u128::from(t.user_ns) * weight;
    s.system_ns += u128::from(t.system_ns) * weight;
    s.wait_ns += u128::from(t.schedstat_wait_ns()) * weight;
    s.voluntary += u128::from(t.voluntary_cs) * weight;
    s.involuntary += u128::from(t.involuntary_cs) * weight;
    s.cpu = t.cpu;
}

/// Samples of a report: `[from, from + seconds)`, or since boot up to `from` (`None`).
fn weighted(trace: &Trace, from: usize, seconds: Option<usize>) -> Vec<(&Sample, u128)> {
    match seconds {
        Some(seconds) => {
            let end = from.saturating_add(seconds).min(trace.samples.len());
            trace.samples[from.min(end)..end]
                .iter()
                .map(|s| (s, 1))
                .collect()
        }
        None => std::iter::once((&trace.since_boot, u128::from(trace.info.uptime_s.max(1))))
            .chain(
                trace.samples[..from.min(trace.samples.len())]
                    .iter()
                    .map(|s| (s, 1)),
            )
            .collect(),
    }
}

/// One process's faults and block IO over a report.
#[derive(Default, Clone, Copy)]
struct ProcessIo {
    minor_faults: u128,
    major_faults: u128,
    read_kib: f64,
    write_kib: f64,
    read_sleep_ns: u128,
}

/// Per-thread sums and per-process faults and IO over the report's samples.
fn sums(trace: &Trace, from: usize, seconds: Option<usize>) -> (ThreadSums, Vec<ProcessIo>) {
    let mut threads = ThreadSums::new();
    let mut processes = vec![ProcessIo::default(); trace.info.tasks.len()];
    for (sample, weight) in weighted(trace, from, seconds) {
        for t in &sample.detail.threads {
            add_thread(&mut threads, t, weight);
        }
        // Read IOs and write calls per process in this second.
        let mut reads = vec![0u64; processes.len()];
        let mut writes = vec![0u64; processes.len()];
        for t in &sample.detail.threads {
            for call in t.syscalls.iter() {
                match call.call {
                    Syscall::Pread64 => {
                        reads[t.task] += call.calls;
                        processes[t.task].read_sleep_ns +=
                            u128::from(call.wall_ns.saturating_sub(call.system_ns)) * weight;
                    }
                    Syscall::Write => writes[t.task] += call.calls,
                    _ => {}
                }
            }
        }
        for (count, t) in reads.iter_mut().zip(&sample.tasks) {
            *count += t.major_faults;
        }
        let read_kib: u64 = sample.disks.iter().map(|d| d.read_kib).sum();
        let write_kib = sample.blocks_out_kib.saturating_sub(sample.swap_out_kib);
        let (all_reads, all_writes) = (reads.iter().sum::<u64>(), writes.iter().sum::<u64>());
        let w = weight as f64;
        for (i, p) in processes.iter_mut().enumerate() {
            if let Some(t) = sample.tasks.get(i) {
                p.minor_faults += u128::from(t.minor_faults) * weight;
                p.major_faults += u128::from(t.major_faults) * weight;
            }
            if all_reads > 0 {
                p.read_kib += read_kib as f64 * reads[i] as f64 / all_reads as f64 * w;
            }
            if all_writes > 0 {
                p.write_kib += write_kib as f64 * writes[i] as f64 / all_writes as f64 * w;
            }
        }
    }
    (threads, processes)
}

fn columns(detail: PidstatDetail) -> &'static str {
    match detail {
        PidstatDetail::Threads(PidstatReport::Cpu) => {
            "    %usr %system  %guest   %wait    %CPU   CPU  Command"
        }
        PidstatDetail::Threads(PidstatReport::Switches) => "   cswch/s nvcswch/s  Command",
        PidstatDetail::Memory => "  minflt/s  majflt/s     VSZ     RSS   %MEM  Command",
        PidstatDetail::Disk => "   kB_rd/s   kB_wr/s kB_ccwr/s iodelay  Command",
    }
}

#[allow(clippy::too_many_arguments)]
fn block(
    out: &mut String,
    trace: &Trace,
    detail: PidstatDetail,
    one_line: bool,
    header_stamp: &str,
    stamp: &str,
    span: &Span,
    (threads, processes): &(ThreadSums, Vec<ProcessIo>),
    average: Option<u64>,
) {
    let first = if one_line { "# Time" } else { header_stamp };
    let ids = match detail {
        PidstatDetail::Threads(_) => "   UID      TGID       TID",
        PidstatDetail::Memory | PidstatDetail::Disk => "   UID       PID",
    };
    out.push_str(&format!("\n{first:<11}{ids}{}\n", columns(detail)));
    let secs = span.seconds.max(1) as f64;
    let pct = |ns: u128| ns as f64 / (secs * 1e9) * 100.0;
    for (index, task) in trace.info.tasks.iter().enumerate() {
        let Some(sum) = span.tasks.get(index) else {
            continue;
        };
        match detail {
            PidstatDetail::Disk => {
                let io = processes.get(index).copied().unwrap_or_default();
                // iodelay is per interval: the Average line is the mean over the intervals.
                let ticks = io.read_sleep_ns / 10_000_000 / u128::from(average.unwrap_or(1).max(1));
                if io.read_kib + io.write_kib <= 0.0 && ticks == 0 {
                    continue;
                }
                out.push_str(&format!(
                    "{stamp:<11} {:5} {:9} {:9.2} {:9.2} {:9.2} {:7}  {}\n",
                    task.uid,
                    task.pid,
                    io.read_kib / secs,
                    io.write_kib / secs,
                    0.0,
                    ticks,
                    cut(&task.comm, 15)
                ));
            }
            PidstatDetail::Memory => {
                let io = processes.get(index).copied().unwrap_or_default();
                let (minor, major) = (io.minor_faults, io.major_faults);
                if minor + major == 0 {
                    continue;
                }
                out.push_str(&format!(
                    "{stamp:<11} {:5} {:9} {:9.2} {:9.2} {:7} {:7} {:6.2}  {}\n",
                    task.uid,
                    task.pid,
                    minor as f64 / secs,
                    major as f64 / secs,
                    task.virt_kib,
                    task.res_kib,
                    task.res_kib as f64 * 100.0 / trace.info.mem_total_kib.max(1) as f64,
                    cut(&task.comm, 15)
                ));
            }
            PidstatDetail::Threads(report) => {
                let process = match report {
                    PidstatReport::Cpu => {
                        if sum.user_ns + sum.system_ns == 0 {
                            continue;
                        }
                        let cpu = if average.is_some() {
                            "     -".to_owned()
                        } else {
                            format!(
                                "   {:3}",
                                span.last.tasks.get(index).map_or(0, |t| t.last_cpu)
                            )
                        };
                        format!(
                            " {:7.2} {:7.2} {:7.2} {:7.2} {:7.2}{cpu}",
                            pct(sum.user_ns),
                            pct(sum.system_ns),
                            0.0,
                            // The process line is the group leader's schedstat, as in
                            // plain pidstat.
                            pct(sum.leader_wait_ns),
                            pct(sum.user_ns + sum.system_ns)
                        )
                    }
                    PidstatReport::Switches => {
                        // The leader's switches, as plain `pidstat -w` shows them.
                        if sum.leader_voluntary_cs + sum.leader_involuntary_cs == 0 {
                            continue;
                        }
                        format!(
                            " {:9.2} {:9.2}",
                            sum.leader_voluntary_cs as f64 / secs,
                            sum.leader_involuntary_cs as f64 / secs
                        )
                    }
                };
                out.push_str(&format!(
                    "{stamp:<11} {:5} {:9} {:>9}{process}  {}\n",
                    task.uid,
                    task.pid,
                    "-",
                    cut(&task.comm, 15)
                ));
                for ((_, tid), t) in threads.range((index, 0)..=(index, u32::MAX)) {
                    let values = match report {
                        PidstatReport::Cpu => {
                            if t.user_ns + t.system_ns == 0 {
                                continue;
                            }
                            let cpu = if average.is_some() {
                                "     -".to_owned()
                            } else {
                                format!("   {:3}", t.cpu)
                            };
                            format!(
                                " {:7.2} {:7.2} {:7.2} {:7.2} {:7.2}{cpu}",
                                pct(t.user_ns),
                                pct(t.system_ns),
                                0.0,
                                pct(t.wait_ns),
                                pct(t.user_ns + t.system_ns)
                            )
                        }
                        PidstatReport::Switches => {
                            if t.voluntary + t.involuntary == 0 {
                                continue;
                            }
                            format!(
                                " {:9.2} {:9.2}",
                                t.voluntary as f64 / secs,
                                t.involuntary as f64 / secs
                            )
                        }
                    };
                    out.push_str(&format!(
                        "{stamp:<11} {:5} {:>9} {tid:9}{values}  |__{}\n",
                        task.uid,
                        "-",
                        cut(&task.comm, 15)
                    ));
                }
            }
        }
    }
}

pub(crate) fn render(
    trace: &Trace,
    detail: PidstatDetail,
    one_line: bool,
    reports: Reports,
    start: usize,
) -> String {
    super::pidstat::report_blocks(trace, one_line, reports, start, |out, stretch| {
        let sums = sums(trace, stretch.from, stretch.seconds);
        block(
            out,
            trace,
            detail,
            stretch.one_line,
            stretch.header_stamp,
            stretch.stamp,
            &stretch.span,
            &sums,
            stretch.intervals,
        );
    })
}
