//! `free [-b|-k|-m|-g|-h] [-w]` as procps-ng 4.0.4 prints it: used = total − available, units
//! truncated, `-h` scaled like `15Gi`. Reads the last completed second before the cursor.
//!
//! Must not print memory figures that are not `BoxInfo` totals or `Memory` fields.

use super::argv::FreeUnit;
use super::span::latest;
use crate::model::Trace;

/// One cell in the requested unit, from KiB.
pub(crate) fn cell(kib: u64, unit: FreeUnit) -> String {
    match unit {
        FreeUnit::Bytes => (kib as u128 * 1024).to_string(),
        FreeUnit::Kibi => kib.to_string(),
        FreeUnit::Mebi => (kib / 1024).to_string(),
        FreeUnit::Gibi => (kib / (1024 * 1024)).to_string(),
        FreeUnit::Human => human(kib),
    }
}

/// procps `scale_size`: the first unit in which the value fits in 4 characters plus `i`, one
/// decimal when that still fits.
fn human(kib: u64) -> String {
    let bytes = kib as f64 * 1024.0;
    let plain = format!("{}B", kib as u128 * 1024);
    if plain.len() <= 4 {
        return plain;
    }
    for (i, unit) in ['K', 'M', 'G', 'T', 'P'].iter().enumerate() {
        let v = bytes / 1024f64.powi(i as i32 + 1);
        let decimal = format!("{v:.1}{unit}i");
        if decimal.len() <= 5 {
            return decimal;
        }
        let whole = format!("{}{unit}i", v as u64);
        if whole.len() <= 5 {
            return whole;
        }
    }
    format!("{}Ei", (bytes / 1024f64.powi(6)) as u64)
}

pub(crate) fn render(trace: &Trace, unit: FreeUnit, wide: bool, start: usize) -> String {
    let m = &latest(trace, start).mem;
    let total = trace.info.mem_total_kib;
    let used = total
        .checked_sub(m.available_kib)
        .unwrap_or_else(|| total.saturating_sub(m.free_kib));
    let c = |kib| cell(kib, unit);
    let mut out = String::new();
    if wide {
        out.push_str("               total        used        free      shared     buffers       cache   available\n");
        out.push_str(&format!(
            "{:<9}{:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11}\n",
            "Mem:",
            c(total),
            c(used),
            c(m.free_kib),
            c(m.shared_kib),
            c(m.buffers_kib),
            c(m.cache_kib),
            c(m.available_kib)
        ));
    } else {
        out.push_str(
            "               total        used        free      shared  buff/cache   available\n",
        );
        out.push_str(&format!(
            "{:<9}{:>11} {:>11} {:>11} {:>11} {:>11} {:>11}\n",
            "Mem:",
            c(total),
            c(used),
            c(m.free_kib),
            c(m.shared_kib),
            c(m.buffers_kib + m.cache_kib),
            c(m.available_kib)
        ));
    }
    let swap_total = trace.info.swap_total_kib;
    let swap_used = m.swap_used_kib.min(swap_total);
    out.push_str(&format!(
        "{:<9}{:>11} {:>11} {:>11}\n",
        "Swap:",
        c(swap_total),
        c(swap_used),
        c(swap_total - swap_used)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    #[test]
    fn mebibytes() {
        let trace = fixture_trace(1);
        let out = render(&trace, FreeUnit::Mebi, false, 1);
        assert_eq!(
            out,
            "               total        used        free      shared  buff/cache   available\n\
             Mem:           15896        9059        5000         215        2254        6837\n\
             Swap:           2048           0        2048\n"
        );
    }

    #[test]
    fn human_units() {
        assert_eq!(human(0), "0B");
        assert_eq!(human(16_277_914), "15Gi");
        assert_eq!(human(7_549_747), "7.2Gi");
        assert_eq!(human(843_000), "823Mi");
        assert_eq!(human(1_024_512), "1.0Gi");
        assert_eq!(human(1_048_576), "1.0Gi");
    }

    #[test]
    fn wide_splits_buffers_and_cache() {
        let trace = fixture_trace(1);
        let out = render(&trace, FreeUnit::Kibi, true, 0);
        assert!(
            out.lines()
                .nth(1)
                .unwrap()
                .contains("       98304     2210456")
        );
    }
}
