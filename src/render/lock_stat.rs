//! `cat /proc/lock_stat` as Linux 6.8 (`kernel/locking/lockdep_proc.c`) prints it: version line,
//! 221-wide header between dash lines, then per class (sorted by contentions) the stats line
//! (`-W`/`-R` rows for rw locks with both sides), up to 4 contention points and 4 contending
//! points, and a dotted separator.
//!
//! Counters are cumulative: the since-boot summary stands for the `uptime_s` seconds before the
//! drill, plus every sample before the cursor. Contention points are `LockSample::callers`; the
//! trace records waits by waiting site only, so the contending (holder) points list the same
//! sites. Each site's count is weighted like its sample, so the points account for the class's
//! contentions. A site's address is hashed like `%p` from the site alone (one `symbol+offset`,
//! one address); `/size` of `%pS` is the function's, as every kernel stack prints it. Must not list classes the trace does not hold, nor user-space locks.

use std::cmp::Ordering;

use super::perf_lock::LockTotals;
use crate::model::symbols::kernel_frame;
use crate::model::{CallerWait, Trace};

const WIDTH: usize = 40 + 1 + 12 * 15;

/// `%lld.%02d` microseconds from nanoseconds, rounded (ns + 5 first, as lockdep does).
fn usecs(ns: u64) -> String {
    let ns = ns.saturating_add(5);
    format!("{}.{:02}", ns / 1000, ns % 1000 / 10)
}

fn stats(name_field: &str, t: &LockTotals) -> String {
    format!(
        "{name_field}{:14} {:14} {:>14} {:>14} {:>14} {:>14} {:14} {:14} {:>14} {:>14} {:>14} {:>14}\n",
        t.con_bounces,
        t.contended,
        usecs(t.wait_min_ns.unwrap_or(0)),
        usecs(t.wait_max_ns),
        usecs(t.wait_total_ns),
        usecs(t.wait_avg_ns()),
        t.acq_bounces,
        t.acquired,
        usecs(t.hold_min_ns.unwrap_or(0)),
        usecs(t.hold_max_ns),
        usecs(t.hold_total_ns),
        usecs(t.hold_avg_ns())
    )
}

/// FNV-1a, for stable fake hashed pointers.
fn hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The kernel text address of a call site: one `symbol+offset`, one address, wherever it is
/// printed (`%p`-hashed to 32 bits as lockdep's `[<…>]` shows it).
fn site_address(site: &str) -> u64 {
    hash(&[b"text", site.as_bytes()]) & 0xffff_ffff
}

fn points(out: &mut String, name: &str, namelen: usize, sites: &[(String, u64)]) {
    for (i, (site, count)) in sites.iter().take(4).enumerate() {
        if i == 0 {
            out.push_str(&" ".repeat(40usize.saturating_sub(namelen)));
            out.push_str(&"-".repeat(namelen));
            out.push('\n');
        }
        let ip = format!("[<{:016x}>]", site_address(site));
        out.push_str(&format!(
            "{name:>40} {count:14} {ip:>29} {}\n",
            kernel_frame(site)
        ));
    }
}

/// A call site's contentions in one sample, and the seconds that sample stands for.
type WeightedSite<'a> = (&'a CallerWait, u64);

/// Call sites of a class with their contentions, each weighted like the sample it came from,
/// merged, most contended first: the points account for every contention counted.
fn sites(callers: &[WeightedSite]) -> Vec<(String, u64)> {
    let mut merged: Vec<(String, u64)> = Vec::new();
    for (c, weight) in callers {
        let n = c.contended.saturating_mul(*weight);
        match merged.iter_mut().find(|(s, _)| *s == c.caller) {
            Some(entry) => entry.1 = entry.1.saturating_add(n),
            None => merged.push((c.caller.clone(), n)),
        }
    }
    merged.sort_by(|a, b| match b.1.cmp(&a.1) {
        Ordering::Equal => a.0.cmp(&b.0),
        other => other,
    });
    merged.retain(|(_, n)| *n > 0);
    merged
}

pub(crate) fn render(trace: &Trace, start: usize) -> String {
    let locks = &trace.info.locks;
    let weight = trace.info.uptime_s.max(1);
    let mut classes: Vec<(usize, LockTotals, LockTotals, Vec<WeightedSite>)> = locks
        .iter()
        .enumerate()
        .map(|(i, _)| (i, LockTotals::default(), LockTotals::default(), Vec::new()))
        .collect();
    let end = start.min(trace.samples.len());
    let boot = std::iter::once((&trace.since_boot, weight));
    let drill = trace.samples[..end].iter().map(|s| (s, 1));
    for (sample, w) in boot.chain(drill) {
        for (class, lock) in classes.iter_mut().zip(&sample.locks) {
            class.1.add_weighted(lock, w);
            class.3.extend(lock.callers.iter().map(|c| (c, w)));
            if let Some(read) = &lock.read_side {
                class.2.add_weighted(read, w);
                class.3.extend(read.callers.iter().map(|c| (c, w)));
            }
        }
    }
    // lockdep instruments kernel locks only.
    classes.retain(|c| locks[c.0].kernel && c.1.acquired + c.2.acquired > 0);
    classes.sort_by(|a, b| {
        let ca = a.1.contended.saturating_add(a.2.contended);
        let cb = b.1.contended.saturating_add(b.2.contended);
        match cb.cmp(&ca) {
            Ordering::Equal => a.0.cmp(&b.0),
            other => other,
        }
    });

    let mut out = String::from("lock_stat version 0.4\n");
    let dashes = "-".repeat(WIDTH);
    out.push_str(&dashes);
    out.push('\n');
    out.push_str(&format!(
        "{:>40} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}\n",
        "class name",
        "con-bounces",
        "contentions",
        "waittime-min",
        "waittime-max",
        "waittime-total",
        "waittime-avg",
        "acq-bounces",
        "acquisitions",
        "holdtime-min",
        "holdtime-max",
        "holdtime-total",
        "holdtime-avg"
    ));
    out.push_str(&dashes);
    out.push_str("\n\n");
    for (i, write, read, callers) in classes {
        let info = &locks[i];
        let name = &info.class_name;
        let both = info.read_write && read.acquired > 0 && write.acquired > 0;
        if write.acquired > 0 {
            let field = if both {
                format!("{name:>38}-W:")
            } else {
                format!("{name:>40}:")
            };
            out.push_str(&stats(&field, &write));
        }
        if read.acquired > 0 {
            out.push_str(&stats(&format!("{name:>38}-R:"), &read));
        }
        if write.contended + read.contended == 0 {
            continue;
        }
        let namelen = name.chars().count() + if read.acquired > 0 { 2 } else { 0 };
        let sites = sites(&callers);
        points(&mut out, name, namelen, &sites);
        points(&mut out, name, namelen, &sites);
        if !sites.is_empty() {
            out.push('\n');
            out.push_str(&".".repeat(WIDTH));
            out.push_str("\n\n");
        }
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
        let out = render(&trace, 2);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "lock_stat version 0.4");
        assert_eq!(lines[1].len(), 221);
        assert_eq!(
            &lines[2][..70],
            "                              class name    con-bounces    contentions"
        );
        assert_eq!(lines[2].len(), 220);
        assert_eq!(lines[4], "");
        assert!(
            lines[5].starts_with("                               &hb->lock:"),
            "{}",
            lines[5]
        );
        assert_eq!(lines[5].len(), 220);
        assert_eq!(lines[6], format!("{}{}", " ".repeat(31), "-".repeat(9)));
        assert!(lines[7].starts_with("                               &hb->lock "));
        assert!(lines[7].contains("          [<"));
        assert!(
            lines[7].ends_with("] futex_wake+0x15a/0x")
                || lines[7].contains("] futex_wake+0x15a/0x")
        );
        let rw: Vec<&&str> = lines
            .iter()
            .filter(|l| l.contains("&mm->mmap_lock-"))
            .collect();
        assert_eq!(rw.len(), 2);
        assert!(rw[0].starts_with(&format!("{:>38}-W:", "&mm->mmap_lock")));
        assert!(lines.iter().any(|l| *l == ".".repeat(221)));
    }

    #[test]
    fn usecs_round_like_lockdep() {
        assert_eq!(usecs(95), "0.10");
        assert_eq!(usecs(2_310_000), "2310.00");
        assert_eq!(usecs(18_424), "18.42");
        assert_eq!(usecs(18_425), "18.43");
    }
}
