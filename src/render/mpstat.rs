//! `mpstat [-P ALL|list] [interval [count]]` as sysstat 12.6 prints it: banner, one block per
//! interval (empty line, header stamped with the interval's start, rows stamped with its end),
//! then an `Average:` block over all intervals. Without an interval: one since-boot block and no
//! `Average:`.
//!
//! Every row is that CPU's time split ten ways in hundredths summing to exactly 100.00; `all`
//! is the mean of the CPU rows. Must not print values that are not sums of `CpuTime` fields.

use super::argv::{CpuSelection, Reports};
use super::span::{self, CpuSum, Span};
use super::text::{apportion, clock, hundredths, sysstat_banner};
use crate::model::Trace;

const COLUMNS: &str =
    "    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %guest  %gnice   %idle";

/// The ten columns' weights in print order; guest and guest-nice are not modelled (0).
fn weights(c: &CpuSum) -> [f64; 10] {
    [
        c[span::USER] as f64,
        c[span::NICE] as f64,
        c[span::SYSTEM] as f64,
        c[span::IOWAIT] as f64,
        c[span::IRQ] as f64,
        c[span::SOFTIRQ] as f64,
        c[span::STEAL] as f64,
        0.0,
        0.0,
        c[span::IDLE] as f64,
    ]
}

/// One CPU's row, in hundredths of a percent.
pub(crate) fn cpu_row(c: &CpuSum) -> Vec<u64> {
    apportion(&weights(c), 10_000)
}

/// The `all` row: the mean over CPUs of each CPU's exact fractions, in hundredths.
pub(crate) fn all_row(cpus: &[CpuSum]) -> Vec<u64> {
    let mut mean = [0.0f64; 10];
    for c in cpus {
        let w = weights(c);
        let total: f64 = w.iter().sum();
        if total > 0.0 {
            for (m, v) in mean.iter_mut().zip(w) {
                *m += v / total;
            }
        }
    }
    apportion(&mean, 10_000)
}

fn row(out: &mut String, stamp: &str, cpu: &str, values: &[u64]) {
    out.push_str(&format!("{stamp:<11}{cpu}"));
    for v in values {
        out.push_str(&format!(" {:>7}", hundredths(*v)));
    }
    out.push('\n');
}

fn block(out: &mut String, header_stamp: &str, stamp: &str, span: &Span, cpus: &CpuSelection) {
    out.push_str(&format!("\n{header_stamp:<11}  CPU{COLUMNS}\n"));
    match cpus {
        CpuSelection::AllOnly => row(out, stamp, "  all", &all_row(&span.cpus)),
        CpuSelection::Every => {
            row(out, stamp, "  all", &all_row(&span.cpus));
            for (i, c) in span.cpus.iter().enumerate() {
                row(out, stamp, &format!(" {i:4}"), &cpu_row(c));
            }
        }
        CpuSelection::List(list) => {
            for &i in list {
                if let Some(c) = span.cpus.get(i as usize) {
                    row(out, stamp, &format!(" {i:4}"), &cpu_row(c));
                }
            }
        }
    }
}

pub(crate) fn render(trace: &Trace, cpus: &CpuSelection, reports: Reports, start: usize) -> String {
    if let CpuSelection::List(list) = cpus
        && list.iter().any(|&c| c >= trace.info.cpus)
    {
        return "Not that many processors!\n".to_owned();
    }
    let mut out = sysstat_banner(&trace.info);
    let Some(every) = reports.interval.map(|e| e as usize) else {
        let now = clock(&trace.info, start);
        block(&mut out, &now, &now, &Span::since_boot(trace, start), cpus);
        return out;
    };
    for i in 0..reports.count as usize {
        let from = start.saturating_add(i * every);
        let span = Span::over(trace, from, every);
        block(
            &mut out,
            &clock(&trace.info, from),
            &clock(&trace.info, from.saturating_add(every)),
            &span,
            cpus,
        );
    }
    let whole = Span::over(trace, start, every * reports.count as usize);
    block(&mut out, "Average:", "Average:", &whole, cpus);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    fn every(count: u32) -> Reports {
        Reports {
            interval: Some(1),
            count,
        }
    }

    #[test]
    fn layout_matches_sysstat() {
        let trace = fixture_trace(5);
        let out = render(&trace, &CpuSelection::Every, every(2), 0);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "Linux 6.8.0-45-generic (db01) \t03/14/25 \t_x86_64_\t(4 CPU)"
        );
        assert_eq!(lines[1], "");
        assert_eq!(
            lines[2],
            "10:02:11     CPU    %usr   %nice    %sys %iowait    %irq   %soft  %steal  %guest  %gnice   %idle"
        );
        assert!(lines[3].starts_with("10:02:12     all "));
        assert!(lines[4].starts_with("10:02:12       0 "));
        assert_eq!(lines[8], "");
        assert!(lines[9].starts_with("10:02:12     CPU"));
        assert!(lines[10].starts_with("10:02:13     all"));
        assert!(lines[16].starts_with("Average:     CPU"));
        assert!(lines[17].starts_with("Average:     all"));
        assert_eq!(lines.len(), 22);
        for line in &lines[3..] {
            if line.is_empty() || line.contains("CPU") {
                continue;
            }
            assert_eq!(line.len(), 16 + 80, "{line}");
            let sum: f64 = line[16..]
                .split_whitespace()
                .map(|v| v.parse::<f64>().unwrap())
                .sum();
            assert!((sum - 100.0).abs() < 1e-6, "{line}");
        }
    }

    #[test]
    fn softirq_pinned_to_cpu0_shows() {
        let trace = fixture_trace(1);
        let out = render(&trace, &CpuSelection::List(vec![0]), every(1), 0);
        let row = out.lines().nth(3).unwrap();
        let soft: f64 = row.split_whitespace().nth(7).unwrap().parse().unwrap();
        assert!(soft > 80.0, "{row}");
    }

    #[test]
    fn all_is_the_mean_of_cpu_rows() {
        let trace = fixture_trace(3);
        let span = Span::over(&trace, 0, 3);
        let all = all_row(&span.cpus);
        for (col, value) in all.iter().enumerate() {
            let mean: f64 = span
                .cpus
                .iter()
                .map(|c| cpu_row(c)[col] as f64)
                .sum::<f64>()
                / 4.0;
            assert!((mean - *value as f64).abs() <= 1.0, "column {col}");
        }
    }

    #[test]
    fn since_boot_has_no_average_and_too_many_cpus_errs() {
        let trace = fixture_trace(0);
        let out = render(
            &trace,
            &CpuSelection::AllOnly,
            Reports {
                interval: None,
                count: 1,
            },
            0,
        );
        assert_eq!(out.lines().count(), 4);
        assert!(!out.contains("Average"));
        let out = render(&trace, &CpuSelection::List(vec![9]), every(1), 0);
        assert_eq!(out, "Not that many processors!\n");
    }
}
