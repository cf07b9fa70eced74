//! `vmstat [-w] [interval [count]]` as procps-ng 4.0.4 prints it: 18 columns with `gu`, the
//! header repeated every 22 data lines, plain-printf overflow (a wide value pushes the rest of
//! the line right; no 4.0.5 re-alignment).
//!
//! The first line is the average since boot (gauges — r, b, memory — are the current values);
//! later lines cover one interval each. Must not invent values: every column is a field of the
//! trace or a sum/mean of fields.

use super::argv::Reports;
use super::span::{self, Span};
use super::text::apportion;
use crate::model::Trace;

const HEADER: &str = "procs -----------memory---------- ---swap-- -----io---- -system-- -------cpu-------\n r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st gu\n";
const HEADER_WIDE: &str = "--procs-- -----------------------memory---------------------- ---swap-- -----io---- -system-- ----------cpu----------\n   r    b         swpd         free         buff        cache   si   so    bi    bo   in   cs  us  sy  id  wa  st  gu\n";

/// Data lines between two headers when there is no terminal size.
const HEADER_EVERY: usize = 22;

/// The six cpu columns (us sy id wa st gu) as integers summing to 100.
///
/// us = user + nice, sy = system + irq + softirq; the model has no guest time, so gu is 0.
/// A span with no CPU time prints `0 0 100 0 0 0`, as vmstat does when its divisor is 0.
pub(crate) fn cpu_percent(span: &Span) -> [u64; 6] {
    let t = span.cpu_total();
    let weights = [
        (t[span::USER] + t[span::NICE]) as f64,
        (t[span::SYSTEM] + t[span::IRQ] + t[span::SOFTIRQ]) as f64,
        t[span::IDLE] as f64,
        t[span::IOWAIT] as f64,
        t[span::STEAL] as f64,
        0.0,
    ];
    let parts = apportion(&weights, 100);
    if parts.iter().sum::<u64>() == 0 {
        return [0, 0, 100, 0, 0, 0];
    }
    [parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]]
}

fn line(span: &Span, wide: bool) -> String {
    let s = span.last;
    let r = s.runnable.max(0.0).round() as u64;
    let b = s.blocked.max(0.0).round() as u64;
    let m = &s.mem;
    let cpu = cpu_percent(span);
    let (si, so, bi, bo, int, cs) = (
        span.rate(span.swap_in_kib),
        span.rate(span.swap_out_kib),
        span.rate(span.blocks_in_kib),
        span.rate(span.blocks_out_kib),
        span.rate(span.interrupts),
        span.rate(span.context_switches),
    );
    // procps prints the same fields with `%4lu`/`%12lu`/`%3u` in wide mode and `%2lu`/`%6lu`/`%2u`
    // otherwise; si..cs keep their widths in both.
    let (proc_w, mem_w, pct_w) = if wide { (4, 12, 3) } else { (2, 6, 2) };
    format!(
        "{r:proc_w$} {b:proc_w$} {:mem_w$} {:mem_w$} {:mem_w$} {:mem_w$} {si:4} {so:4} {bi:5} {bo:5} {int:4} {cs:4} {:pct_w$} {:pct_w$} {:pct_w$} {:pct_w$} {:pct_w$} {:pct_w$}\n",
        m.swap_used_kib,
        m.free_kib,
        m.buffers_kib,
        m.cache_kib,
        cpu[0],
        cpu[1],
        cpu[2],
        cpu[3],
        cpu[4],
        cpu[5]
    )
}

pub(crate) fn render(trace: &Trace, wide: bool, reports: Reports, start: usize) -> String {
    let header = if wide { HEADER_WIDE } else { HEADER };
    let mut out = String::new();
    let every = reports.interval.unwrap_or(1) as usize;
    for i in 0..reports.count as usize {
        if i % HEADER_EVERY == 0 {
            out.push_str(header);
        }
        let span = if i == 0 {
            let mut span = Span::since_boot(trace, start);
            // Gauges are read now, not averaged: the latest completed second.
            span.last = span::latest(trace, start);
            span
        } else {
            Span::over(trace, start.saturating_add((i - 1) * every), every)
        };
        out.push_str(&line(&span, wide));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    fn reports(interval: u32, count: u32) -> Reports {
        Reports {
            interval: Some(interval),
            count,
        }
    }

    #[test]
    fn first_line_since_boot_then_one_line_per_second() {
        let trace = fixture_trace(10);
        let out = render(&trace, false, reports(1, 3), 0);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[0], HEADER.lines().next().unwrap());
        // since boot at second 0: the since-boot summary's rates, 7-digit free overflowing.
        assert_eq!(
            lines[2],
            " 1  0      0 5120344  98304 2210456    0    0 ".to_owned()
                + &format!(
                    "{:5} {:5}  410  820  2  1 97  0  0  0",
                    trace.since_boot.blocks_in_kib, trace.since_boot.blocks_out_kib
                )
        );
        let s = &trace.samples[0];
        assert!(lines[3].contains(&format!(" {} {} ", s.interrupts, s.context_switches)));
    }

    #[test]
    fn cpu_columns_sum_to_100() {
        let trace = fixture_trace(30);
        let out = render(&trace, true, reports(2, 10), 3);
        for line in out.lines().filter(|l| !l.contains('-') && !l.contains('r')) {
            let cols: Vec<u64> = line
                .split_whitespace()
                .map(|c| c.parse().unwrap())
                .collect();
            assert_eq!(cols.len(), 18, "{line}");
            assert_eq!(cols[12..].iter().sum::<u64>(), 100, "{line}");
        }
    }

    #[test]
    fn header_repeats_every_22_lines() {
        let trace = fixture_trace(60);
        let out = render(&trace, false, reports(1, 50), 0);
        let headers = out.lines().filter(|l| l.starts_with("procs")).count();
        assert_eq!(headers, 3);
        assert_eq!(out.lines().count(), 50 + 6);
        assert!(out.lines().nth(24).unwrap().starts_with("procs"));
    }

    #[test]
    fn wide_header_and_widths() {
        let trace = fixture_trace(2);
        let out = render(&trace, true, reports(1, 2), 0);
        assert!(out.starts_with(HEADER_WIDE));
        let line = out.lines().nth(3).unwrap();
        let r = trace.samples[0].runnable.round() as u64;
        assert_eq!(&line[..5], format!("{r:4} "));
        assert_eq!(&line[9..23], format!(" {:12} ", 0));
        assert_eq!(line.split_whitespace().count(), 18);
    }

    #[test]
    fn a_missing_trace_tail_does_not_panic() {
        let trace = fixture_trace(1);
        let out = render(&trace, false, reports(1, 5), 0);
        assert_eq!(out.lines().count(), 7);
    }
}
