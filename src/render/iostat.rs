//! `iostat -x [interval [count]]` as sysstat 12.6 prints it: banner, then per report the
//! `avg-cpu:` block, the extended device header (r/w/d/f groups) and one row per disk, each
//! report followed by an empty line. The first report is since boot.
//!
//! Discard and flush columns are 0: the model issues neither. Must not print figures that are
//! not sums or means of `DiskSample` / `CpuTime` fields.

use super::argv::Reports;
use super::span::{self, DiskSum, Span};
use super::text::{apportion, hundredths, sysstat_banner};
use crate::model::Trace;

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

fn report(out: &mut String, trace: &Trace, span: &Span) {
    out.push_str("avg-cpu:  %user   %nice %system %iowait  %steal   %idle\n       ");
    for v in avg_cpu(span) {
        out.push_str(&format!(" {:>7}", hundredths(v)));
    }
    out.push_str("\n\n");
    out.push_str(DEVICE_HEADER);
    for (i, name) in trace.info.disks.iter().enumerate() {
        let d = span.disks.get(i).cloned().unwrap_or_default();
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

pub(crate) fn render(trace: &Trace, reports: Reports, start: usize) -> String {
    let mut out = sysstat_banner(&trace.info);
    out.push('\n');
    let every = reports.interval.unwrap_or(1) as usize;
    for i in 0..reports.count as usize {
        let span = if i == 0 {
            Span::since_boot(trace, start)
        } else {
            Span::over(trace, start + (i - 1) * every, every)
        };
        report(&mut out, trace, &span);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    #[test]
    fn layout() {
        let trace = fixture_trace(3);
        let out = render(
            &trace,
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
