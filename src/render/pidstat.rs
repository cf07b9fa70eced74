//! `pidstat [-u|-w] [-h] [interval [count]]` as sysstat 12.6 prints it. The plain form prints
//! one block per interval (header stamped with the interval's start) and an `Average:` block
//! over tasks active in every... any interval; `-h` prints one line per task with a `# Time`
//! header and no `Average:` block. Only tasks active in the interval are listed, by pid.
//!
//! A process line is what `/proc/PID` shows: `%usr` and `%system` of the whole process (so
//! `%CPU` passes 100 with several threads busy), but `%wait` and the switches of its main
//! thread alone (`TaskSample::leader`), as sysstat reads `schedstat` and `status` of the
//! process's own task; so `%wait` stays at or below 100. `%guest` is 0 (the model runs no
//! guests). Must not list a task that is not in `BoxInfo::tasks`.

use super::argv::{PidstatReport, Reports};
use super::span::{Span, TaskSum};
use super::text::{clock, cut, sysstat_banner};
use crate::model::{TaskInfo, Trace};

const CPU_COLUMNS: &str = "    %usr %system  %guest   %wait    %CPU   CPU  Command";
const CS_COLUMNS: &str = "   cswch/s nvcswch/s  Command";

fn active(report: PidstatReport, t: &TaskSum) -> bool {
    match report {
        PidstatReport::Cpu => t.user_ns + t.system_ns > 0,
        PidstatReport::Switches => t.leader_voluntary_cs + t.leader_involuntary_cs > 0,
    }
}

fn values(report: PidstatReport, span: &Span, t: &TaskSum) -> String {
    match report {
        PidstatReport::Cpu => {
            let pct = |ns: u128| ns as f64 / (span.seconds.max(1) as f64 * 1e9) * 100.0;
            let (usr, sys, wait) = (pct(t.user_ns), pct(t.system_ns), pct(t.leader_wait_ns));
            format!(
                " {usr:7.2} {sys:7.2} {:7.2} {wait:7.2} {:7.2}",
                0.0,
                usr + sys
            )
        }
        PidstatReport::Switches => format!(
            " {:9.2} {:9.2}",
            span.rate_f(t.leader_voluntary_cs),
            span.rate_f(t.leader_involuntary_cs)
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn block(
    out: &mut String,
    trace: &Trace,
    report: PidstatReport,
    one_line: bool,
    header_stamp: &str,
    stamp: &str,
    span: &Span,
    average: bool,
) {
    let columns = match report {
        PidstatReport::Cpu => CPU_COLUMNS,
        PidstatReport::Switches => CS_COLUMNS,
    };
    let first = if one_line { "# Time" } else { header_stamp };
    out.push_str(&format!("\n{first:<11}   UID       PID{columns}\n"));
    for (i, task) in trace.info.tasks.iter().enumerate() {
        let Some(sum) = span.tasks.get(i) else {
            continue;
        };
        if !active(report, sum) {
            continue;
        }
        out.push_str(&row(task, report, span, sum, stamp, average, i));
    }
}

fn row(
    task: &TaskInfo,
    report: PidstatReport,
    span: &Span,
    sum: &TaskSum,
    stamp: &str,
    average: bool,
    index: usize,
) -> String {
    let mut line = format!(
        "{stamp:<11} {:5} {:9}{}",
        task.uid,
        task.pid,
        values(report, span, sum)
    );
    if report == PidstatReport::Cpu {
        if average {
            line.push_str("     -");
        } else {
            let cpu = span.last.tasks.get(index).map_or(0, |t| t.last_cpu);
            line.push_str(&format!("   {cpu:3}"));
        }
    }
    line.push_str(&format!("  {}\n", cut(&task.comm, 15)));
    line
}

pub(crate) fn render(
    trace: &Trace,
    report: PidstatReport,
    one_line: bool,
    reports: Reports,
    start: usize,
) -> String {
    report_blocks(trace, one_line, reports, start, |out, stretch| {
        block(
            out,
            trace,
            report,
            stretch.one_line,
            stretch.header_stamp,
            stretch.stamp,
            &stretch.span,
            stretch.intervals.is_some(),
        );
    })
}

/// One block of a pidstat report: the stretch of seconds it covers and how it is stamped.
pub(crate) struct Stretch<'a> {
    /// `-h` form (a `# Time` header, one line per task).
    pub one_line: bool,
    /// The header's stamp and the rows' (`Average:` on both for the closing block).
    pub header_stamp: &'a str,
    pub stamp: &'a str,
    pub span: Span<'a>,
    /// The first second covered and how many (`None`: since boot, no interval given).
    pub from: usize,
    pub seconds: Option<usize>,
    /// For the closing `Average:` block, the number of intervals it averages.
    pub intervals: Option<u64>,
}

/// The report every pidstat form prints: the banner; with no interval one block since boot;
/// else one block per interval, stamped with its start (rows with its end), and, except with
/// `-h`, an `Average:` block over all of them. `block` prints one block.
pub(crate) fn report_blocks(
    trace: &Trace,
    one_line: bool,
    reports: Reports,
    start: usize,
    mut block: impl FnMut(&mut String, &Stretch),
) -> String {
    let mut out = sysstat_banner(&trace.info);
    let Some(every) = reports.interval.map(|e| e as usize) else {
        let now = clock(&trace.info, start);
        let stretch = Stretch {
            one_line,
            header_stamp: &now,
            stamp: &now,
            span: Span::since_boot(trace, start),
            from: start,
            seconds: None,
            intervals: None,
        };
        block(&mut out, &stretch);
        return out;
    };
    for i in 0..reports.count as usize {
        let from = start.saturating_add(i * every);
        let (header_stamp, stamp) = (
            clock(&trace.info, from),
            clock(&trace.info, from.saturating_add(every)),
        );
        let stretch = Stretch {
            one_line,
            header_stamp: &header_stamp,
            stamp: &stamp,
            span: Span::over(trace, from, every),
            from,
            seconds: Some(every),
            intervals: None,
        };
        block(&mut out, &stretch);
    }
    if !one_line {
        let seconds = every * reports.count as usize;
        let stretch = Stretch {
            one_line: false,
            header_stamp: "Average:",
            stamp: "Average:",
            span: Span::over(trace, start, seconds),
            from: start,
            seconds: Some(seconds),
            intervals: Some(u64::from(reports.count)),
        };
        block(&mut out, &stretch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    fn once() -> Reports {
        Reports {
            interval: Some(1),
            count: 1,
        }
    }

    #[test]
    fn one_line_form() {
        let trace = fixture_trace(2);
        let out = render(&trace, PidstatReport::Cpu, true, once(), 0);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[2],
            "# Time        UID       PID    %usr %system  %guest   %wait    %CPU   CPU  Command"
        );
        assert_eq!(
            lines[3],
            "10:02:12        0        15    0.00    6.20    0.00    0.00    6.20     0  ksoftirqd/0"
        );
        let w = &trace.samples[0].tasks[2];
        let usr = w.user_ns as f64 / 1e7;
        assert_eq!(
            lines[4],
            format!(
                "10:02:12     1000      4242 {usr:7.2}  138.00    0.00   31.00 {:7.2}     3  worker-with-a-l",
                usr + 138.0
            )
        );
    }

    #[test]
    fn plain_form_has_average() {
        let trace = fixture_trace(3);
        let out = render(
            &trace,
            PidstatReport::Switches,
            false,
            Reports {
                interval: Some(1),
                count: 2,
            },
            0,
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[2],
            "10:02:11      UID       PID   cswch/s nvcswch/s  Command"
        );
        assert!(
            lines[3].starts_with("10:02:12        0        15      0.00     12.00  ksoftirqd/0")
        );
        assert_eq!(
            lines[10],
            "Average:      UID       PID   cswch/s nvcswch/s  Command"
        );
        assert_eq!(lines.len(), 13);
        let cpu = render(&trace, PidstatReport::Cpu, false, once(), 0);
        assert!(
            cpu.lines()
                .any(|l| l.starts_with("Average:        0        15")
                    && l.contains("     -  ksoftirqd/0"))
        );
    }
}
