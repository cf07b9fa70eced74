//! `workloads:` the processes of the incident: names the kernel can keep, pids, threads,
//! arrivals, memory, and each request's profile (critical sections on known locks, disk IO on a
//! known disk, packets only with a nic).

use super::*;

/// The workloads; `lock_ids` are the incident's lock ids, in order (a critical section refers to
/// its lock by index).
pub(super) fn workloads(
    c: &mut Checker<'_>,
    raw: &RawIncident,
    lock_ids: &[&str],
    numa: Option<&NumaTopology>,
) -> Vec<Workload> {
    let m = &raw.machine;
    let disk_names: Vec<&str> = m.disks.iter().map(|d| d.name.as_str()).collect();

    if raw.workloads.is_empty() {
        c.error_help(
            "workloads",
            "an incident needs at least one workload",
            "the first workload is the service the drill is about",
        );
    }
    c.unique(
        raw.workloads
            .iter()
            .enumerate()
            .map(|(i, w)| (format!("workloads[{i}].name"), w.name.as_str())),
        "workload",
    );
    let mut pids = BTreeSet::new();
    let mut workloads = Vec::new();
    let mut cgroups = super::cgroup::workload_cgroups(c, &raw.workloads).into_iter();
    for (i, w) in raw.workloads.iter().enumerate() {
        let at = format!("workloads[{i}]");
        c.non_empty(&format!("{at}.name"), "workload name", &w.name);
        if w.name.len() > MAX_COMM {
            c.error_help(
                &format!("{at}.name"),
                format!(
                    "process name `{}` is {} bytes; the kernel keeps at most {MAX_COMM}",
                    w.name,
                    w.name.len()
                ),
                format!(
                    "top and ps would show `{}`",
                    truncate_bytes(&w.name, MAX_COMM)
                ),
            );
        }
        c.count(&format!("{at}.pid"), w.pid, 1, MAX_PID, "pid");
        if !pids.insert(w.pid) {
            c.error_help(
                &format!("{at}.pid"),
                format!("duplicate pid {}", w.pid),
                "each workload is its own process",
            );
        }
        c.non_empty(&format!("{at}.user"), "user", &w.user);
        c.count(
            &format!("{at}.threads"),
            w.threads,
            1,
            MAX_THREADS,
            "threads",
        );
        let arrivals = match w.arrivals {
            RawArrivals::Closed { think_us } => {
                c.number(
                    &format!("{at}.arrivals.closed.think_us"),
                    think_us,
                    0.0,
                    MAX_TIME_US,
                    " us",
                );
                Arrivals::Closed { think_us }
            }
            RawArrivals::Open { rate_per_s } => {
                c.positive(
                    &format!("{at}.arrivals.open.rate_per_s"),
                    rate_per_s,
                    MAX_RATE_PER_S,
                    " requests/s",
                );
                Arrivals::Open { rate_per_s }
            }
        };
        c.count(&format!("{at}.rss_mib"), w.rss_mib, 0, MAX_MIB, "rss_mib");
        c.count(
            &format!("{at}.file_cache_mib"),
            w.file_cache_mib,
            0,
            MAX_MIB,
            "file_cache_mib",
        );
        c.non_empty(&format!("{at}.app_symbol"), "app_symbol", &w.app_symbol);
        if w.app_symbol.chars().any(char::is_whitespace) {
            c.error(&format!("{at}.app_symbol"), "app_symbol contains spaces");
        }
        let r = &w.request;
        let rq = format!("{at}.request");
        c.number(
            &format!("{rq}.compute_us"),
            r.compute_us,
            0.0,
            MAX_TIME_US,
            " us",
        );
        c.count(
            &format!("{rq}.syscalls"),
            r.syscalls,
            0,
            MAX_COUNT,
            "syscalls",
        );
        c.count(
            &format!("{rq}.page_allocs"),
            r.page_allocs,
            0,
            1_000_000,
            "page_allocs",
        );
        c.count(&format!("{rq}.packets"), r.packets, 0, MAX_COUNT, "packets");
        c.count(&format!("{rq}.wakeups"), r.wakeups, 0, MAX_COUNT, "wakeups");
        let critical_sections =
            critical_sections(c, &rq, &r.critical_sections, raw, lock_ids, &disk_names);
        let disk_io = disk_io(c, &rq, r.disk_io.as_ref(), &disk_names);
        if r.packets > 0 && m.nics.is_empty() {
            c.error_help(
                &format!("{rq}.packets"),
                "requests receive packets but the machine has no nic",
                "add one under `machine.nics`",
            );
        }
        let request = RequestProfile {
            compute_us: r.compute_us,
            distribution: match r.distribution {
                RawDistribution::Exponential => Distribution::Exponential,
                RawDistribution::Deterministic => Distribution::Deterministic,
            },
            syscalls: r.syscalls,
            critical_sections,
            page_allocs: r.page_allocs,
            disk_io,
            packets: r.packets,
            wakeups: r.wakeups,
        };
        let paths = super::mix::paths(c, &rq, w, &request, raw, lock_ids, &disk_names);
        workloads.push(Workload {
            name: w.name.clone(),
            pid: w.pid,
            user: w.user.clone(),
            uid: w.uid,
            threads: w.threads,
            arrivals,
            request,
            paths,
            rss_mib: w.rss_mib,
            file_cache_mib: w.file_cache_mib,
            app_symbol: w.app_symbol.clone(),
            cgroup: cgroups.next().flatten(),
            load_steps: super::load::load_steps(c, &at, w),
            deploys: super::deploy::deploys(c, &at, w),
            placement: super::numa::placement(c, &at, w.numa.as_ref(), numa, m.cpus),
        });
    }
    workloads
}

/// The critical sections of a request at `rq` (`workloads[i].request` or one of its paths).
pub(super) fn critical_sections(
    c: &mut Checker<'_>,
    rq: &str,
    sections: &[RawCriticalSection],
    raw: &RawIncident,
    lock_ids: &[&str],
    disk_names: &[&str],
) -> Vec<CriticalSection> {
    let mut critical_sections = Vec::new();
    for (j, cs) in sections.iter().enumerate() {
        let here = format!("{rq}.critical_sections[{j}]");
        let found = c.reference(&format!("{here}.lock"), "lock", &cs.lock, lock_ids);
        c.positive(&format!("{here}.hold_us"), cs.hold_us, MAX_TIME_US, " us");
        c.fraction(&format!("{here}.write_fraction"), cs.write_fraction);
        let io = cs.io.as_ref().and_then(|io| {
            super::sync_write::check(
                c,
                &here,
                io,
                raw.locks.iter().find(|l| l.id == cs.lock),
                disk_names,
            )
        });
        if found {
            critical_sections.push(CriticalSection {
                lock: lock_ids
                    .iter()
                    .position(|id| *id == cs.lock)
                    .unwrap_or_default(),
                hold_us: cs.hold_us,
                write_fraction: cs.write_fraction,
                io,
                nested: super::nesting::nested(c, &here, cs, &raw.locks, lock_ids),
            });
        }
    }
    critical_sections
}

/// The disk IO of a request at `rq`.
pub(super) fn disk_io(
    c: &mut Checker<'_>,
    rq: &str,
    io: Option<&RawDiskIo>,
    disk_names: &[&str],
) -> Option<DiskIo> {
    let io = io?;
    let here = format!("{rq}.disk_io");
    let found = c.reference(&format!("{here}.disk"), "disk", &io.disk, disk_names);
    c.count(&format!("{here}.kib"), io.kib, 1, 65_536, "kib");
    c.count(&format!("{here}.reads"), io.reads, 0, 10_000, "reads");
    c.count(&format!("{here}.writes"), io.writes, 0, 10_000, "writes");
    found.then(|| DiskIo {
        disk: disk_names
            .iter()
            .position(|d| *d == io.disk)
            .unwrap_or_default(),
        reads: io.reads,
        writes: io.writes,
        kib: io.kib,
    })
}

fn truncate_bytes(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
