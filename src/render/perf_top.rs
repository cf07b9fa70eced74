//! `perf top --stdio` as perf 6.x prints one refresh: the `PerfTop:` line, 79 dashes, an empty
//! line, then `-E` entries (default 20) sorted by overhead. Shares are each symbol's CPU time
//! over the refresh (`Sample::symbols`) divided by all sampled CPU time; the event is
//! `cycles:P` on bare metal and `cpu-clock:pppH` in a guest, sampled at perf's default 4000 Hz.
//! Cycles stop while a CPU is halted in the idle loop, so on bare metal an idle CPU adds few
//! samples (`irqs/sec` is about 4000 per busy CPU), while `cpu-clock` samples idle time too.
//!
//! The screen-clearing escape perf writes before each refresh is left out on purpose: it would
//! wipe the candidate's terminal. Must not invent symbols: every row is a `BoxInfo::symbols` entry.

use std::cmp::Ordering;

use super::span::Span;
use crate::model::Trace;

/// perf's default sampling frequency per CPU.
const FREQUENCY_HZ: u64 = 4000;
/// Share of the time in a halting symbol (`intel_idle`) that the cycle counter still runs: the
/// few instructions around each `mwait`, where the samples of a waking CPU land.
const HALTED_CYCLES_SHARE: f64 = 0.01;

pub(crate) fn render(trace: &Trace, delay_s: u32, entries: usize, start: usize) -> String {
    let info = &trace.info;
    let span = Span::over(trace, start, delay_s as usize);
    // `cycles` counts unhalted cycles only; `cpu-clock` (in a guest) counts time.
    let symbols: std::collections::BTreeMap<usize, u128> = span
        .symbols
        .iter()
        .map(|(&id, &ns)| {
            let halted = !info.virtualized && info.symbols.get(id).is_some_and(|s| s.halted);
            let sampled = if halted {
                (ns as f64 * HALTED_CYCLES_SHARE).round() as u128
            } else {
                ns
            };
            (id, sampled)
        })
        .collect();
    let total: u128 = symbols.values().sum();
    let kernel: u128 = symbols
        .iter()
        .filter(|(id, _)| info.symbols.get(**id).is_some_and(|s| s.kernel))
        .map(|(_, ns)| ns)
        .sum();
    let seconds = span.seconds.max(1) as f64;
    let irqs = total as f64 / 1e9 * FREQUENCY_HZ as f64 / seconds;
    let kernel_pct = if total == 0 {
        0.0
    } else {
        kernel as f64 / total as f64 * 100.0
    };
    let event = if info.virtualized {
        "cpu-clock:pppH"
    } else {
        "cycles:P"
    };
    let mut out = format!(
        "   PerfTop:{irqs:8.0} irqs/sec  kernel:{kernel_pct:4.1}%  exact: {:4.1}% lost: 0/0 drop: 0/0 [{FREQUENCY_HZ}Hz {event}],  (all, {} CPU{})\n",
        0.0,
        info.cpus,
        if info.cpus == 1 { "" } else { "s" }
    );
    out.push_str(&"-".repeat(79));
    out.push_str("\n\n");

    let mut rows: Vec<(usize, u128)> = symbols
        .iter()
        .filter(|(id, ns)| **ns > 0 && info.symbols.get(**id).is_some())
        .map(|(id, ns)| (*id, *ns))
        .collect();
    rows.sort_by(|a, b| match b.1.cmp(&a.1) {
        Ordering::Equal => a.0.cmp(&b.0),
        other => other,
    });
    rows.truncate(entries);
    let width = rows
        .iter()
        .filter_map(|(id, _)| info.symbols.get(*id))
        .map(|s| s.dso.chars().count())
        .max()
        .unwrap_or(0);
    for (id, ns) in rows {
        let Some(symbol) = info.symbols.get(id) else {
            continue;
        };
        let share = ns as f64 / total as f64 * 100.0;
        let tag = if symbol.kernel { "[k]" } else { "[.]" };
        out.push_str(&format!(
            "  {share:7.2}%  {:<width$}  {tag} {}\n",
            symbol.dso, symbol.name
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    #[test]
    fn layout() {
        let trace = fixture_trace(4);
        let out = render(&trace, 2, 20, 0);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("   PerfTop:"), "{}", lines[0]);
        assert!(
            lines[0]
                .ends_with(" exact:  0.0% lost: 0/0 drop: 0/0 [4000Hz cycles:P],  (all, 4 CPUs)")
        );
        assert_eq!(lines[1], "-".repeat(79));
        assert_eq!(lines[2], "");
        assert_eq!(lines.len(), 3 + 7);
        assert!(lines[3].ends_with("%  [kernel]   [k] native_queued_spin_lock_slowpath"));
        assert!(
            lines
                .iter()
                .any(|l| l.ends_with("%  worker     [.] queue_push"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.ends_with("%  libc.so.6  [.] __lll_lock_wait"))
        );
        let sum: f64 = lines[3..]
            .iter()
            .map(|l| l.split('%').next().unwrap().trim().parse::<f64>().unwrap())
            .sum();
        assert!((sum - 100.0).abs() < 0.05);
        // Σ unhalted symbol time over 2 s of a 4-CPU box at 4000 Hz: a hundredth of the time
        // halted in the idle loop counts.
        let (mut running, mut halted) = (0u64, 0u64);
        for (id, ns) in trace.samples[..2].iter().flat_map(|s| s.symbols.iter()) {
            if trace.info.symbols[*id].halted {
                halted += ns;
            } else {
                running += ns;
            }
        }
        assert!(halted > 0, "the fixture has idle time");
        let irqs = ((running as f64 + halted as f64 * 0.01) / 1e9 * 4000.0 / 2.0).round();
        assert!(
            lines[0].contains(&format!("{irqs:8.0} irqs/sec")),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn idle_cpus_add_few_cycles_samples_but_all_their_clock_samples() {
        let mut trace = fixture_trace(2);
        let irqs = |out: &str| -> f64 {
            out.split("PerfTop:")
                .nth(1)
                .unwrap()
                .split("irqs")
                .next()
                .unwrap()
                .trim()
                .parse()
                .unwrap()
        };
        let bare = irqs(&render(&trace, 2, 20, 0));
        trace.info.virtualized = true;
        let guest = irqs(&render(&trace, 2, 20, 0));
        // The guest samples its idle time as well; bare metal only its busy share.
        assert!(bare < guest, "{bare} {guest}");
    }

    #[test]
    fn guest_event_and_entry_limit() {
        let mut trace = fixture_trace(2);
        trace.info.virtualized = true;
        let out = render(&trace, 2, 2, 0);
        assert!(out.contains("[4000Hz cpu-clock:pppH]"));
        assert_eq!(out.lines().count(), 5);
        assert!(out.lines().nth(4).unwrap().contains("  [kernel]  [k] "));
    }
}
