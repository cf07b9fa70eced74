//! `top -H -b -n N [-d D] [-w [COLS]]`: top's threads mode as procps-ng 4.0.4 prints it. The summary is
//! top's own (the same frame `top -b` prints) with the `Threads:` line in place of `Tasks:`,
//! then one row per thread sorted by %CPU: the PID column holds the thread id, state, %CPU and
//! TIME+ are the thread's, memory columns its process's.

use std::cmp::Ordering;

use super::argv::ToolError;
use super::inspect::Inspect;
use super::ps::{state_letter, thread_cpu_ns};
use super::top::{self, Layout};
use crate::model::Trace;

/// Parses `top -H ...`; `None` when the words do not ask for threads mode.
pub(crate) fn parse(args: &[&str]) -> Option<Result<Inspect, ToolError>> {
    let threads = args
        .iter()
        .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('H'));
    if !threads {
        return None;
    }
    // top's own parser checks the rest once -H is taken out of its cluster.
    let rest: Vec<String> = args
        .iter()
        .map(|a| {
            if a.starts_with('-') && !a.starts_with("--") {
                a.replace('H', "")
            } else {
                (*a).to_owned()
            }
        })
        .filter(|a| a != "-")
        .collect();
    let mut line = String::from("top");
    for word in &rest {
        line.push(' ');
        line.push_str(word);
    }
    Some(
        super::argv::parse_command(&line).and_then(|command| match command {
            super::argv::ToolCommand::Top {
                frames,
                delay_s,
                columns,
            } => Ok(Inspect::TopThreads {
                frames,
                delay_s,
                columns,
            }),
            _ => Err(ToolError::new("top: use top -H -b -n 1")),
        }),
    )
}

struct Row {
    tid: u32,
    cpu_tenths: u64,
    line: String,
}

fn frame(trace: &Trace, from: usize, seconds: usize, layout: Layout) -> String {
    let summary = top::frame(trace, from, seconds, layout);
    let header = layout.header();
    let end = from.saturating_add(seconds).min(trace.samples.len());
    let Some(last) = trace.samples[..end].last() else {
        return summary;
    };
    let threads = &last.detail.threads;
    // Processes with no simulated work (init, daemons, kernel threads) sleep throughout; their
    // thread ids follow their pid, as `ps -eL` lists them.
    let simulated: std::collections::BTreeSet<usize> = threads.iter().map(|t| t.task).collect();
    let idle: Vec<(u32, &crate::model::TaskInfo)> = trace
        .info
        .tasks
        .iter()
        .enumerate()
        .filter(|(index, _)| !simulated.contains(index))
        .flat_map(|(_, task)| (0..task.threads.max(1)).map(move |k| (task.pid + k, task)))
        .collect();
    let running = threads.iter().filter(|t| state_letter(t) == 'R').count();
    let sleeping = threads.len() + idle.len() - running;
    let mut out = String::new();
    for line in summary.lines() {
        if line.starts_with("Tasks:") {
            out.push_str(&format!(
                "Threads: {:3} total, {running:3} running, {sleeping:3} sleeping, {:3} stopped, {:3} zombie\n",
                threads.len() + idle.len(),
                0,
                0
            ));
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if line == header.trim_end() {
            break;
        }
    }
    let begin = from.min(end);
    let window_ns = seconds.max(1) as f64 * 1e9;
    let mem_total = trace.info.mem_total_kib;
    let window_ns_by_thread = thread_cpu_ns(&trace.samples[begin..end]);
    let total_ns_by_thread = trace.thread_cpu_ns_until(end);
    let mut rows: Vec<Row> = threads
        .iter()
        .filter_map(|t| {
            let task = trace.info.tasks.get(t.task)?;
            let busy = window_ns_by_thread
                .get(&(t.task, t.tid))
                .copied()
                .unwrap_or(0);
            let cpu_tenths = (busy as f64 / window_ns * 1000.0).round() as u64;
            let nlwp = task.threads.max(1) as u64;
            let so_far = total_ns_by_thread
                .get(&(t.task, t.tid))
                .copied()
                .unwrap_or(0);
            let total_cs = task.cpu_time_before_cs / nlwp
                + u64::try_from(so_far / 10_000_000).unwrap_or(u64::MAX);
            let mem_tenths =
                (task.res_kib as f64 / mem_total.max(1) as f64 * 1000.0).round() as u64;
            let line = top::task_line(
                layout,
                t.tid,
                task,
                state_letter(t),
                cpu_tenths,
                mem_tenths,
                total_cs,
            );
            Some(Row {
                tid: t.tid,
                cpu_tenths,
                line,
            })
        })
        .collect();
    for (tid, task) in idle {
        let mem_tenths = (task.res_kib as f64 / mem_total.max(1) as f64 * 1000.0).round() as u64;
        let line = top::task_line(
            layout,
            tid,
            task,
            task.sleep_state.letter(),
            0,
            mem_tenths,
            task.cpu_time_before_cs / u64::from(task.threads.max(1)),
        );
        rows.push(Row {
            tid,
            cpu_tenths: 0,
            line,
        });
    }
    rows.sort_by(|a, b| match b.cpu_tenths.cmp(&a.cpu_tenths) {
        Ordering::Equal => a.tid.cmp(&b.tid),
        other => other,
    });
    for row in rows {
        out.push_str(&row.line);
    }
    out
}

pub(crate) fn render(
    trace: &Trace,
    frames: u32,
    delay_s: u32,
    columns: u16,
    start: usize,
) -> String {
    top::render_frames(trace, frames, delay_s, columns, start, frame)
}
