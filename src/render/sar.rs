//! `sar -q` and `sar -w` with `interval [count]` as sysstat 12.6 prints them live: banner, one
//! header stamped with the start, one row per interval stamped with its end, then `Average:`.
//!
//! `-q`: runq-sz and blocked are the second's run queue and uninterruptible tasks as vmstat's
//! r and b count them (rounded), plist-sz every task in the task list (each thread), the load
//! averages the sample's. `-w`: cswch/s is vmstat's cs; the model forks nothing (proc/s 0.00).

use super::argv::{self, Reports, ToolError};
use super::inspect::Inspect;
use super::span::Span;
use super::text::{clock, sysstat_banner};
use crate::model::{Sample, Trace};

const USAGE: &str = "Usage: sar [ options ] [ <interval> [ <count> ] ]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SarReport {
    /// `-q`: queue length and load averages.
    Queue,
    /// `-w`: task creation and switching.
    Switches,
}

/// Parses the words after `sar`.
pub(crate) fn parse(args: &[&str]) -> Result<Inspect, ToolError> {
    let mut report = None;
    let mut operands = Vec::new();
    for arg in args {
        match *arg {
            "-q" => report = Some(SarReport::Queue),
            "-w" => report = Some(SarReport::Switches),
            flag if flag.starts_with('-') => {
                return Err(ToolError::new(format!(
                    "sar: this box records only -q and -w (not {})\n{USAGE}",
                    flag.chars()
                        .filter(|c| !c.is_control())
                        .take(20)
                        .collect::<String>()
                )));
            }
            operand => operands.push(operand),
        }
    }
    let Some(report) = report else {
        return Err(ToolError::new(format!(
            "sar: this box records only -q and -w: try sar -q 1 5\n{USAGE}"
        )));
    };
    let reports = argv::reports("sar", &operands, &argv::sysstat_bad(USAGE))?;
    if reports.interval.is_none() {
        return Err(ToolError::new(
            "Cannot open /var/log/sysstat/sa14: No such file or directory\nPlease check if data collecting is enabled\n(live mode: sar -q 1 5)",
        ));
    }
    Ok(Inspect::Sar { report, reports })
}

impl SarReport {
    fn header(self) -> &'static str {
        match self {
            SarReport::Queue => "   runq-sz  plist-sz   ldavg-1   ldavg-5  ldavg-15   blocked",
            SarReport::Switches => "    proc/s   cswch/s",
        }
    }
}

/// Run queue, task list and blocked counts of one second.
fn queue(sample: &Sample) -> [u64; 3] {
    [
        sample.runnable.round() as u64,
        sample.detail.threads.len() as u64,
        sample.blocked.round() as u64,
    ]
}

pub(crate) fn render(trace: &Trace, report: SarReport, reports: Reports, start: usize) -> String {
    let every = reports.interval.unwrap_or(1).max(1) as usize;
    let mut out = sysstat_banner(&trace.info);
    out.push_str(&format!(
        "\n{:<11}{}\n",
        clock(&trace.info, start),
        report.header()
    ));
    let mut sums = [0u64; 3];
    let mut loads = [0.0f64; 3];
    let mut rows = 0u64;
    for i in 0..reports.count as usize {
        let from = start.saturating_add(i * every);
        let span = Span::over(trace, from, every);
        let stamp = clock(&trace.info, from.saturating_add(every));
        let line = match report {
            SarReport::Queue => {
                let q = queue(span.last);
                let l = span.last.load_avg;
                for (s, v) in sums.iter_mut().zip(q) {
                    *s += v;
                }
                for (s, v) in loads.iter_mut().zip(l) {
                    *s += v;
                }
                format!(
                    "{stamp:<11} {:9} {:9} {:9.2} {:9.2} {:9.2} {:9}\n",
                    q[0], q[1], l[0], l[1], l[2], q[2]
                )
            }
            SarReport::Switches => format!(
                "{stamp:<11} {:9.2} {:9.2}\n",
                0.0,
                span.rate_f(span.context_switches)
            ),
        };
        rows += 1;
        out.push_str(&line);
    }
    let n = rows.max(1);
    match report {
        SarReport::Queue => out.push_str(&format!(
            "{:<11} {:9} {:9} {:9.2} {:9.2} {:9.2} {:9}\n",
            "Average:",
            (sums[0] as f64 / n as f64).round() as u64,
            (sums[1] as f64 / n as f64).round() as u64,
            loads[0] / n as f64,
            loads[1] / n as f64,
            loads[2] / n as f64,
            (sums[2] as f64 / n as f64).round() as u64,
        )),
        SarReport::Switches => {
            let whole = Span::over(trace, start, every * reports.count as usize);
            out.push_str(&format!(
                "{:<11} {:9.2} {:9.2}\n",
                "Average:",
                0.0,
                whole.rate_f(whole.context_switches)
            ));
        }
    }
    out
}
