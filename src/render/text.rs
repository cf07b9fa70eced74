//! Fixed-width formatting shared by the renderers: rounding that keeps percentages summing to
//! exactly 100, times of day, the sysstat banner, and perf's unit-suffixed time cells.
//!
//! Pure string helpers; must not read a trace beyond `BoxInfo`.

use crate::model::BoxInfo;

/// Splits `units` (100 for whole percent, 10000 for hundredths) among `weights` in proportion,
/// rounding with a largest-remainder pass so the parts sum to exactly `units`. Ties go to the
/// earlier entry. All-zero weights give all-zero parts.
pub(crate) fn apportion(weights: &[f64], units: u64) -> Vec<u64> {
    let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    if total.is_nan() || total <= 0.0 || !total.is_finite() {
        return vec![0; weights.len()];
    }
    let quotas: Vec<f64> = weights
        .iter()
        .map(|w| w.max(0.0) / total * units as f64)
        .collect();
    let mut parts: Vec<u64> = quotas.iter().map(|q| q.floor() as u64).collect();
    let assigned: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = quotas[a] - quotas[a].floor();
        let rb = quotas[b] - quotas[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().take(units.saturating_sub(assigned) as usize) {
        parts[i] += 1;
    }
    parts
}

/// `1234` hundredths → `"12.34"`.
pub(crate) fn hundredths(value: u64) -> String {
    format!("{}.{:02}", value / 100, value % 100)
}

/// `HH:MM:SS` of the box `elapsed_s` seconds after the drill started.
pub(crate) fn clock(info: &BoxInfo, elapsed_s: usize) -> String {
    let t = (info.clock_s as u64 % 86_400 + elapsed_s as u64 % 86_400) % 86_400;
    format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

/// The sysstat first line (literal TABs as sysstat prints them); the empty line after it is the
/// start of the first report.
pub(crate) fn sysstat_banner(info: &BoxInfo) -> String {
    format!(
        "Linux {} ({}) \t{} \t_x86_64_\t({} CPU)\n",
        info.kernel, info.hostname, info.date, info.cpus
    )
}

/// perf's 12-character time cell: `"%9.2f %s"` in the largest unit not above the value,
/// `"%9llu ns"` below one microsecond.
pub(crate) fn perf_time(ns: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (3_600_000_000_000, "h "),
        (60_000_000_000, "m "),
        (1_000_000_000, "s "),
        (1_000_000, "ms"),
        (1_000, "us"),
    ];
    for (scale, unit) in UNITS {
        if ns >= scale {
            return format!("{:9.2} {unit}", ns as f64 / scale as f64);
        }
    }
    format!("{ns:9} ns")
}

/// Truncates to at most `max` characters (comm names, table cells).
pub(crate) fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_sums_exactly() {
        let parts = apportion(&[1.0, 1.0, 1.0], 100);
        assert_eq!(parts, vec![34, 33, 33]);
        let parts = apportion(&[2.4, 0.0, 97.6, 0.0], 100);
        assert_eq!(parts.iter().sum::<u64>(), 100);
        assert_eq!(parts, vec![2, 0, 98, 0]);
        assert_eq!(apportion(&[0.0, 0.0], 100), vec![0, 0]);
        let parts = apportion(&[1.0, 2.0, 3.0, 7.0], 10_000);
        assert_eq!(parts.iter().sum::<u64>(), 10_000);
    }

    #[test]
    fn perf_time_cells_are_twelve_wide() {
        assert_eq!(perf_time(95), "       95 ns");
        assert_eq!(perf_time(18_420), "    18.42 us");
        assert_eq!(perf_time(22_180_000_000), "    22.18 s ");
        assert_eq!(perf_time(2_310_000), "     2.31 ms");
        assert_eq!(perf_time(7_200_000_000_000), "     2.00 h ");
        for ns in [0, 999, 1_000, 59_999_999_999, 359_000_000_000_000] {
            assert_eq!(perf_time(ns).len(), 12, "{ns}");
        }
    }

    #[test]
    fn clock_wraps_at_midnight() {
        let info = BoxInfo {
            hostname: "db01".into(),
            kernel: "6.8.0-45-generic".into(),
            cpus: 4,
            hz: 250,
            virtualized: false,
            mem_total_kib: 0,
            swap_total_kib: 0,
            uptime_s: 0,
            clock_s: 86_399,
            date: "03/14/25".into(),
            disks: vec![],
            tasks: vec![],
            symbols: vec![],
            locks: vec![],
            cgroups: vec![],
            numa: crate::model::NumaInfo::single_node(4, 0),
            irq_history: vec![],
            pressure_avgs: None,
        };
        assert_eq!(clock(&info, 0), "23:59:59");
        assert_eq!(clock(&info, 2), "00:00:01");
        assert_eq!(
            sysstat_banner(&info),
            "Linux 6.8.0-45-generic (db01) \t03/14/25 \t_x86_64_\t(4 CPU)\n"
        );
    }
}
