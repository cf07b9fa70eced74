//! `iostat [-x] [-y] [-z] [interval [count]]` as sysstat 12.6 prints it: banner, then per
//! report the `avg-cpu:` block, the device header (extended: r/w/d/f groups; basic: tps and kB
//! rates with cumulative kB columns) and one row per disk, each report followed by an empty
//! line. The first report is since boot unless `-y`; `-z` leaves out idle devices.
//!
//! Discard and flush columns are 0: the model issues neither. Must not print figures that are
//! not sums or means of `DiskSample` / `CpuTime` fields.

use super::argv::Reports;
use super::span::{self, DiskSum, Span};
use super::text::{apportion, hundredths, sysstat_banner};
use crate::model::Trace;

const BASIC_HEADER: &str = "Device             tps    kB_read/s    kB_wrtn/s    kB_dscd/s    kB_read    kB_wrtn    kB_dscd\n";

/// Which report and which devices.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub extended: bool,
    pub skip_boot: bool,
    pub hide_idle: bool,
}

const DEVICE_HEADER: &str = "Device            r/s     rkB/s   rrqm/s  %rrqm r_await rareq-sz     w/s     wkB/s   wrqm/s  %wrqm w_await wareq-sz     d/s     dkB/s   drqm/s  %drqm d_await dareq-sz     f/s f_await  aqu-sz  %util\n";

/// avg-cpu in hundredths: %user %nice %system %iowait %steal %idle, summing to 100.00.
/// `%system` includes irq and softirq time.
pub(crate) fn avg_cpu(span: &Span) -> Vec<u64> {
    let t = span.cpu_total();
    let w = [
        t[span::USER],
        t[span::NICE],
        t[span::SYSTEM] + t[span::IRQ] + t[span::SOFTIRQ],
        t[span::IOWAIT],
        t[span::STEAL],
        t[span::IDLE],
    ]
    .map(|v| v as f64);
    apportion(&w, 10_000)
}

/// The extended statistics of one disk over a span, in header order.
pub(crate) struct DeviceRow {
    pub r_s: f64,
    pub rkb_s: f64,
    pub rrqm_s: f64,
    pub rrqm_pct: f64,
    pub r_await: f64,
    pub rareq_sz: f64,
    pub w_s: f64,
    pub wkb_s: f64,
    pub wrqm_s: f64,
    pub wrqm_pct: f64,
    pub w_await: f64,
    pub wareq_sz: f64,
    pub aqu_sz: f64,
    pub util: f64,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

pub(crate) fn device_row(span: &Span, d: &DiskSum) -> DeviceRow {
    let secs = span.seconds.max(1) as f64;
    let (reads, writes) = (d.reads as f64, d.writes as f64);
    DeviceRow {
        r_s: reads / secs,
        rkb_s: d.read_kib as f64 / secs,
        rrqm_s: d.read_merges as f64 / secs,
        rrqm_pct: ratio(d.read_merges as f64 * 100.0, d.read_merges as f64 + reads),
        r_await: ratio(d.read_wait_ms, reads),
        rareq_sz: ratio(d.read_kib as f64, reads),
        w_s: writes / secs,
        wkb_s: d.write_kib as f64 / secs,
        wrqm_s: d.write_merges as f64 / secs,
        wrqm_pct: ratio(
            d.write_merges as f64 * 100.0,
            d.write_merges as f64 + writes,
        ),
        w_await: ratio(d.write_wait_ms, writes),
        wareq_sz: ratio(d.write_kib as f64, writes),
        aqu_sz: d.queue / secs,
        util: (d.util / secs * 100.0).min(100.0),
    }
}

fn report(out: &mut String, trace: &Trace, span: &Span, options: Options) {
    out.push_str("avg-cpu:  %user   %nice %system %iowait  %steal   %idle\n       ");
    for v in avg_cpu(span) {
        out.push_str(&format!(" {:>7}", hundredths(v)));
    }
    out.push_str("\n\n");
    out.push_str(if options.extended {
        DEVICE_HEADER
    } else {
        BASIC_HEADER
    });
    for (i, name) in trace.info.disks.iter().enumerate() {
        let d = span.disks.get(i).cloned().unwrap_or_default();
        if options.hide_idle && d.reads + d.writes == 0 {
            continue;
        }
        if !options.extended {
            let secs = span.seconds.max(1) as f64;
            out.push_str(&format!(
                "{name:<13} {:8.2} {:12.2} {:12.2} {:12.2} {:10} {:10} {:10}\n",
                (d.reads + d.writes) as f64 / secs,
                d.read_kib as f64 / secs,
                d.write_kib as f64 / secs,
                0.0,
                d.read_kib,
                d.write_kib,
                0
            ));
            continue;
        }
        let r = device_row(span, &d);
        out.push_str(&format!(
            "{name:<13} {:7.2} {:9.2} {:8.2} {:6.2} {:7.2} {:8.2} {:7.2} {:9.2} {:8.2} {:6.2} {:7.2} {:8.2} {:7.2} {:9.2} {:8.2} {:6.2} {:7.2} {:8.2} {:7.2} {:7.2} {:7.2} {:6.2}\n",
            r.r_s,
            r.rkb_s,
            r.rrqm_s,
            r.rrqm_pct,
            r.r_await,
            r.rareq_sz,
            r.w_s,
            r.wkb_s,
            r.wrqm_s,
            r.wrqm_pct,
            r.w_await,
            r.wareq_sz,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            r.aqu_sz,
            r.util
        ));
    }
    out.push('\n');
}

pub(crate) fn render(trace: &Trace, options: Options, reports: Reports, start: usize) -> String {
    let mut out = sysstat_banner(&trace.info);
    out.push('\n');
    let every = reports.interval.unwrap_or(1) as usize;
    for i in 0..reports.count as usize {
        let span = match (i, options.skip_boot && reports.interval.is_some()) {
            (0, false) => Span::since_boot(trace, start),
            (i, false) => Span::over(trace, start.saturating_add((i - 1) * every), every),
            (i, true) => Span::over(trace, start.saturating_add(i * every), every),
        };
        report(&mut out, trace, &span, options);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    const EXTENDED: Options = Options {
        extended: true,
        skip_boot: false,
        hide_idle: false,
    };

    #[test]
    fn basic_report_and_skip_boot() {
        let trace = fixture_trace(3);
        let options = Options {
            extended: false,
            skip_boot: true,
            hide_idle: false,
        };
        let out = render(
            &trace,
            options,
            Reports {
                interval: Some(1),
                count: 1,
            },
            1,
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[5], BASIC_HEADER.trim_end());
        let d = &trace.samples[1].disks[0];
        assert_eq!(
            lines[6],
            format!(
                "nvme0n1       {:8.2} {:12.2}      7680.00         0.00 {:10}       7680          0",
                (d.reads + d.writes) as f64,
                d.read_kib as f64,
                d.read_kib
            )
        );
        assert_eq!(lines.len(), 8);
    }

    #[test]
    fn layout() {
        let trace = fixture_trace(3);
        let out = render(
            &trace,
            EXTENDED,
            Reports {
                interval: Some(1),
                count: 2,
            },
            0,
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[1], "");
        assert_eq!(
            lines[2],
            "avg-cpu:  %user   %nice %system %iowait  %steal   %idle"
        );
        assert_eq!(
            lines[3],
            "           2.00    0.00    1.20    0.20    0.00   96.60"
        );
        assert_eq!(lines[4], "");
        assert_eq!(lines[5], DEVICE_HEADER.trim_end());
        assert_eq!(lines[6].len(), DEVICE_HEADER.trim_end().len());
        assert_eq!(lines[7], "");
        assert_eq!(
            lines[8],
            "avg-cpu:  %user   %nice %system %iowait  %steal   %idle"
        );
        let s = &trace.samples[0].disks[0];
        let row = lines[12];
        assert!(row.starts_with(&format!("nvme0n1       {:7.2} {:9.2}     0.00   0.00    2.10    64.00  120.00   7680.00    15.00  11.11    8.40    64.00", s.reads as f64, s.read_kib as f64)), "{row}");
        assert!(row.ends_with("    2.79  98.40"), "{row}");
        assert_eq!(lines.len(), 14);
        assert!(out.ends_with("\n\n"));
    }
}
