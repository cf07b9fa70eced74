//! `perf lock record|report|contention` as perf 6.x prints them: the classic `report` table
//! (default sort: acquired) and the `contention` table (sorted by total wait, by caller or with
//! `-l` by lock), time cells with unit suffixes (`text::perf_time`).
//!
//! Totals are sums of `LockSample` over the window; avg = total ÷ contended, so the tables keep
//! total ≈ contended × avg and max ≥ avg ≥ min by construction. The read side of an rw lock is a
//! separate entry in `contention` (type `…:R`) and folded into its class in `report`. Must not
//! list a lock class or caller that the trace does not hold, nor a user-space lock (perf lock
//! traces the kernel's lock functions only).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::argv::{ContentionBy, LockReportKey, LockSource, Window};
use super::text::{cut, perf_time};
use crate::model::{LockSample, Trace};

/// One lock class's counters summed over a window (write and read sides together).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LockTotals {
    pub acquired: u64,
    pub contended: u64,
    pub acq_bounces: u64,
    pub con_bounces: u64,
    pub wait_total_ns: u64,
    /// `None` when nothing contended.
    pub wait_min_ns: Option<u64>,
    pub wait_max_ns: u64,
    pub hold_total_ns: u64,
    pub hold_min_ns: Option<u64>,
    pub hold_max_ns: u64,
}

impl LockTotals {
    pub fn add(&mut self, s: &LockSample) {
        self.add_weighted(s, 1);
    }

    /// Adds `s` as if it had been observed `weight` times (the since-boot summary).
    pub fn add_weighted(&mut self, s: &LockSample, weight: u64) {
        let w = |v: u64| v.saturating_mul(weight);
        self.acquired = self.acquired.saturating_add(w(s.acquired));
        self.contended = self.contended.saturating_add(w(s.contended));
        self.acq_bounces = self.acq_bounces.saturating_add(w(s.acq_bounces));
        self.con_bounces = self.con_bounces.saturating_add(w(s.con_bounces));
        self.wait_total_ns = self.wait_total_ns.saturating_add(w(s.wait_total_ns));
        if s.contended > 0 {
            self.wait_min_ns = Some(
                self.wait_min_ns
                    .map_or(s.wait_min_ns, |m| m.min(s.wait_min_ns)),
            );
        }
        self.wait_max_ns = self.wait_max_ns.max(s.wait_max_ns);
        self.hold_total_ns = self.hold_total_ns.saturating_add(w(s.hold_total_ns));
        // A second whose holds all outlasted it has acquisitions but no hold to take a
        // minimum from.
        if s.hold_total_ns > 0 {
            self.hold_min_ns = Some(
                self.hold_min_ns
                    .map_or(s.hold_min_ns, |m| m.min(s.hold_min_ns)),
            );
        }
        self.hold_max_ns = self.hold_max_ns.max(s.hold_max_ns);
    }

    pub fn wait_avg_ns(&self) -> u64 {
        self.wait_total_ns.checked_div(self.contended).unwrap_or(0)
    }

    pub fn hold_avg_ns(&self) -> u64 {
        self.hold_total_ns.checked_div(self.acquired).unwrap_or(0)
    }
}

/// Per lock class: (write or only side, read side) over samples `[start, start + seconds)`;
/// nothing for a user-space lock, which the kernel's lock events never see.
pub(crate) fn totals(trace: &Trace, start: usize, seconds: usize) -> Vec<(LockTotals, LockTotals)> {
    let mut out = vec![(LockTotals::default(), LockTotals::default()); trace.info.locks.len()];
    let end = start.saturating_add(seconds).min(trace.samples.len());
    for sample in &trace.samples[start.min(end)..end] {
        for ((slot, lock), _) in out
            .iter_mut()
            .zip(&sample.locks)
            .zip(&trace.info.locks)
            .filter(|(_, info)| info.kernel)
        {
            slot.0.add(lock);
            if let Some(read) = &lock.read_side {
                slot.1.add(read);
            }
        }
    }
    out
}

fn window(source: LockSource, start: usize) -> Option<Window> {
    match source {
        LockSource::Live { seconds } => Some(Window {
            start,
            seconds: seconds as usize,
        }),
        LockSource::Recorded(window) => window,
    }
}

const NO_DATA: &str = "  Error: failed to open perf.data: No such file or directory  (try 'perf lock record' first)\n";

/// What `perf lock record -a -- sleep N` prints when it finishes.
pub(crate) fn record(trace: &Trace, seconds: u32, start: usize) -> String {
    // One event per acquire, acquired and release, plus one per contention; 48 bytes each.
    let events: u64 = totals(trace, start, seconds as usize)
        .iter()
        .flat_map(|(w, r)| [w, r])
        .map(|t| t.acquired.saturating_mul(3).saturating_add(t.contended))
        .fold(0u64, u64::saturating_add);
    let megabytes = events as f64 * 48.0 / 1e6;
    let wakeups = (megabytes / 32.0).ceil().max(1.0) as u64;
    format!(
        "[ perf record: Woken up {wakeups} times to write data ]\n[ perf record: Captured and wrote {megabytes:.3} MB perf.data ({events} samples) ]\n"
    )
}

/// perf's name column: longer than 20 characters → the first 16 plus `...`.
fn report_name(name: &str) -> String {
    if name.chars().count() > 20 {
        format!("{}...", cut(name, 16))
    } else {
        name.to_owned()
    }
}

pub(crate) fn report(
    trace: &Trace,
    key: LockReportKey,
    source: LockSource,
    start: usize,
) -> String {
    let Some(w) = window(source, start) else {
        return NO_DATA.to_owned();
    };
    let mut rows: Vec<(String, LockTotals)> = totals(trace, w.start, w.seconds)
        .into_iter()
        .zip(&trace.info.locks)
        .map(|((mut write, read), info)| {
            // perf lock report keys on the lock instance: both sides of an rw lock together.
            write.acquired = write.acquired.saturating_add(read.acquired);
            write.contended = write.contended.saturating_add(read.contended);
            write.wait_total_ns = write.wait_total_ns.saturating_add(read.wait_total_ns);
            write.wait_max_ns = write.wait_max_ns.max(read.wait_max_ns);
            write.wait_min_ns = match (write.wait_min_ns, read.wait_min_ns) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            (info.class_name.clone(), write)
        })
        .filter(|(_, t)| t.acquired > 0)
        .collect();
    let sort_key = |t: &LockTotals| -> u64 {
        match key {
            LockReportKey::Acquired => t.acquired,
            LockReportKey::Contended => t.contended,
            LockReportKey::AvgWait => t.wait_avg_ns(),
            LockReportKey::WaitTotal => t.wait_total_ns,
            LockReportKey::WaitMax => t.wait_max_ns,
            LockReportKey::WaitMin => t.wait_min_ns.unwrap_or(0),
        }
    };
    rows.sort_by(|a, b| match sort_key(&b.1).cmp(&sort_key(&a.1)) {
        Ordering::Equal => a.0.cmp(&b.0),
        other => other,
    });
    let mut out = format!(
        "{:>20} {:>10} {:>10} {:>12} {:>12} {:>12} {:>12} \n\n",
        "Name", "acquired", "contended", "avg wait", "total wait", "max wait", "min wait"
    );
    for (name, t) in rows {
        out.push_str(&format!(
            "{:>20} {:10} {:10} {} {} {} {} \n",
            report_name(&name),
            t.acquired,
            t.contended,
            perf_time(t.wait_avg_ns()),
            perf_time(t.wait_total_ns),
            perf_time(t.wait_max_ns),
            perf_time(t.wait_min_ns.unwrap_or(0))
        ));
    }
    out
}

/// `rwsem:W` → `rwsem:R` for the read side of a lock.
fn read_type(perf_type: &str) -> String {
    match perf_type.strip_suffix(":W") {
        Some(base) => format!("{base}:R"),
        None => perf_type.to_owned(),
    }
}

#[derive(Default)]
struct Entry {
    contended: u64,
    wait_total_ns: u64,
    wait_max_ns: u64,
}

impl Entry {
    fn add(&mut self, contended: u64, total: u64, max: u64) {
        self.contended = self.contended.saturating_add(contended);
        self.wait_total_ns = self.wait_total_ns.saturating_add(total);
        self.wait_max_ns = self.wait_max_ns.max(max);
    }
}

pub(crate) fn contention(
    trace: &Trace,
    by: ContentionBy,
    entries: Option<usize>,
    source: LockSource,
    start: usize,
) -> String {
    let Some(w) = window(source, start) else {
        return NO_DATA.to_owned();
    };
    let end = w.start.saturating_add(w.seconds).min(trace.samples.len());
    // (tail of the row, type) → totals; the tail is the caller or `address   symbol (type)`.
    let mut groups: BTreeMap<(String, String), Entry> = BTreeMap::new();
    for sample in &trace.samples[w.start.min(end)..end] {
        for (lock, info) in sample.locks.iter().zip(&trace.info.locks) {
            if !info.kernel {
                continue;
            }
            let sides = [
                (Some(lock), info.perf_type.clone()),
                (lock.read_side.as_deref(), read_type(&info.perf_type)),
            ];
            for (side, perf_type) in sides {
                let Some(side) = side else { continue };
                match by {
                    ContentionBy::Caller => {
                        for c in &side.callers {
                            groups
                                .entry((c.caller.clone(), perf_type.clone()))
                                .or_default()
                                .add(c.contended, c.wait_total_ns, c.wait_max_ns);
                        }
                    }
                    ContentionBy::Lock => {
                        let tail = format!(
                            "{:016x}   {} ({})",
                            info.address, info.class_name, info.lock_type
                        );
                        groups.entry((tail, String::new())).or_default().add(
                            side.contended,
                            side.wait_total_ns,
                            side.wait_max_ns,
                        );
                    }
                }
            }
        }
    }
    let mut rows: Vec<((String, String), Entry)> = groups
        .into_iter()
        .filter(|(_, e)| e.contended > 0)
        .collect();
    rows.sort_by(|a, b| match b.1.wait_total_ns.cmp(&a.1.wait_total_ns) {
        Ordering::Equal => a.0.cmp(&b.0),
        other => other,
    });
    if let Some(n) = entries {
        rows.truncate(n);
    }
    let mut out = format!(
        "{:>10} {:>12} {:>12} {:>12} ",
        "contended", "total wait", "max wait", "avg wait"
    );
    match by {
        ContentionBy::Caller => out.push_str(&format!("  {:>10}   {}\n\n", "type", "caller")),
        ContentionBy::Lock => out.push_str(&format!("  {:>16}   {}\n\n", "address", "symbol")),
    }
    for ((tail, perf_type), e) in rows {
        out.push_str(&format!(
            "{:10} {} {} {} ",
            e.contended,
            perf_time(e.wait_total_ns),
            perf_time(e.wait_max_ns),
            perf_time(e.wait_total_ns / e.contended.max(1))
        ));
        match by {
            ContentionBy::Caller => out.push_str(&format!("  {perf_type:>10}   {tail}\n")),
            ContentionBy::Lock => out.push_str(&format!("  {tail}\n")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::fixture_trace;

    #[test]
    fn report_layout() {
        let trace = fixture_trace(3);
        let out = report(
            &trace,
            LockReportKey::Acquired,
            LockSource::Live { seconds: 2 },
            0,
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "                Name   acquired  contended     avg wait   total wait     max wait     min wait "
        );
        assert_eq!(lines[1], "");
        assert_eq!(lines.len(), 5);
        assert!(
            lines[2].starts_with("           &hb->lock "),
            "{}",
            lines[2]
        );
        for line in &lines[2..] {
            assert_eq!(line.len(), lines[0].len(), "{line}");
            assert!(line.ends_with(' '));
        }
        let t = &totals(&trace, 0, 2)[0].0;
        assert!(lines[2].contains(&format!(
            " {:10} {:10} {} ",
            t.acquired,
            t.contended,
            perf_time(t.wait_avg_ns())
        )));
        assert_eq!(
            report_name("&sb->s_type->i_mutex_key#7"),
            "&sb->s_type->i_m..."
        );
    }

    #[test]
    fn contention_layout() {
        let trace = fixture_trace(3);
        let out = contention(
            &trace,
            ContentionBy::Caller,
            None,
            LockSource::Live { seconds: 1 },
            0,
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            " contended   total wait     max wait     avg wait         type   caller"
        );
        assert_eq!(lines[1], "");
        // futex_wake and futex_wait_setup on the two spinlocks (merged) and on the mmap_lock
        // write side, plus the mmap_lock read side.
        assert_eq!(lines.len(), 7);
        assert!(
            lines[2].ends_with("     spinlock   futex_wake+0x15a"),
            "{}",
            lines[2]
        );
        assert!(
            lines
                .iter()
                .any(|l| l.ends_with("      rwsem:R   do_user_addr_fault+0x1d3"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.ends_with("      rwsem:W   futex_wake+0x15a"))
        );
        let totals: Vec<f64> = lines[2..]
            .iter()
            .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
            .collect();
        assert!(totals.iter().all(|c| *c > 0.0));
        let by_lock = contention(
            &trace,
            ContentionBy::Lock,
            Some(1),
            LockSource::Live { seconds: 1 },
            0,
        );
        let lines: Vec<&str> = by_lock.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[2].ends_with("  ffff88810a2bc040   &hb->lock (spinlock)"),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn recorded_window_and_missing_data() {
        let trace = fixture_trace(3);
        assert!(
            report(
                &trace,
                LockReportKey::Acquired,
                LockSource::Recorded(None),
                0
            )
            .contains("perf.data")
        );
        let out = record(&trace, 2, 0);
        assert!(out.starts_with("[ perf record: Woken up "));
        assert!(out.contains(" MB perf.data ("));
    }
}
