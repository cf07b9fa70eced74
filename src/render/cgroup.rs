//! The cgroup v2 files of the workloads' cgroups, as Linux 6.x prints them: `cpu.stat`,
//! `cpu.max` and `cpu.pressure` under `/sys/fs/cgroup/<path>/` (the root's `cpu.stat` and
//! `cpu.pressure` too), and `/proc/PID/cgroup`, which names a process's cgroup.
//!
//! Like the `/proc` files they are snapshots at the cursor: cumulative counters are the
//! since-boot second weighted by the uptime plus every simulated second before the cursor, so
//! two reads a few seconds apart differ by what the cgroup did in those seconds. The root's
//! usage is every CPU's user and system time; its pressure is `/proc/pressure/cpu`'s, as the
//! kernel's root cgroup reports the system's.

use super::argv::ToolError;
use super::inspect::Inspect;
use super::proc_files::{history, psi_lines};
use crate::model::{CgroupInfo, CgroupSample, Sample, Trace};

const ROOT: &str = "/sys/fs/cgroup";

/// The `cpu.*` files of a cgroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgroupFile {
    Stat,
    Max,
    Pressure,
}

impl CgroupFile {
    fn name(self) -> &'static str {
        match self {
            CgroupFile::Stat => "cpu.stat",
            CgroupFile::Max => "cpu.max",
            CgroupFile::Pressure => "cpu.pressure",
        }
    }
}

/// What `cat` was asked to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CgroupRead {
    /// A file of the cgroup at `dir` (relative to `/sys/fs/cgroup`; empty for the root).
    File { dir: String, file: CgroupFile },
    /// `/proc/PID/cgroup`.
    Membership { pid: u32 },
}

/// Parses `/sys/fs/cgroup/[PATH/]cpu.{stat,max,pressure}` and `/proc/PID/cgroup`. A path with
/// characters no cgroup name has is not one of these files (`cat` then refuses it as any
/// other path it does not know).
pub(crate) fn parse_path(path: &str) -> Option<Result<Inspect, ToolError>> {
    if let Some(pid) = path
        .strip_prefix("/proc/")
        .and_then(|rest| rest.strip_suffix("/cgroup"))
    {
        let pid = pid.parse().ok()?;
        return Some(Ok(Inspect::Cgroup(CgroupRead::Membership { pid })));
    }
    let rest = path.strip_prefix(ROOT)?.trim_start_matches('/');
    let (dir, name) = match rest.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => ("", rest),
    };
    let file = [CgroupFile::Stat, CgroupFile::Max, CgroupFile::Pressure]
        .into_iter()
        .find(|f| f.name() == name)?;
    let plain = dir
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_.@:-/".contains(&b));
    plain.then(|| {
        Ok(Inspect::Cgroup(CgroupRead::File {
            dir: dir.trim_end_matches('/').to_owned(),
            file,
        }))
    })
}

pub(crate) fn render(trace: &Trace, read: &CgroupRead, start: usize) -> String {
    match read {
        CgroupRead::Membership { pid } => membership(trace, *pid),
        CgroupRead::File { dir, file } if dir.is_empty() => match file {
            CgroupFile::Stat => root_stat(trace, start),
            CgroupFile::Pressure => {
                let avgs = trace.info.pressure_avgs.as_ref().map(|a| a.cpu);
                psi_lines(trace, start, avgs, |s| (s.detail.pressure.cpu_some, 0.0))
            }
            // The root cgroup has no cpu.max.
            CgroupFile::Max => missing(&format!("{ROOT}/cpu.max")),
        },
        CgroupRead::File { dir, file } => {
            let Some(info) = trace.info.cgroups.iter().find(|g| g.cgroup.path == *dir) else {
                return missing(&format!("{ROOT}/{dir}/{}", file.name()));
            };
            match file {
                CgroupFile::Stat => stat(trace, info, start),
                CgroupFile::Max => cpu_max(info),
                CgroupFile::Pressure => psi_lines(trace, start, group_avgs(trace, info), |s| {
                    let g = group(s, info);
                    (g.pressure_some, g.pressure_full)
                }),
            }
        }
    }
}

/// The group's `cpu.pressure` averages at the drill's start.
fn group_avgs(trace: &Trace, info: &CgroupInfo) -> Option<[[f64; 3]; 2]> {
    let avgs = trace.info.pressure_avgs.as_ref()?;
    avgs.cgroups.get(info.workload).copied()
}

fn missing(path: &str) -> String {
    format!("cat: {path}: No such file or directory\n")
}

fn membership(trace: &Trace, pid: u32) -> String {
    if let Some(info) = trace.info.cgroups.iter().find(|g| g.pid == pid) {
        return format!("0::/{}\n", info.cgroup.path);
    }
    if trace.info.tasks.iter().any(|t| t.pid == pid) {
        // Not in a cgroup of its own in the model: the root.
        return "0::/\n".to_owned();
    }
    missing(&format!("/proc/{pid}/cgroup"))
}

fn group(sample: &Sample, info: &CgroupInfo) -> CgroupSample {
    sample
        .detail
        .cgroups
        .get(info.workload)
        .copied()
        .unwrap_or_default()
}

/// The sum of `f` over the since-boot history and the seconds before the cursor.
fn total(trace: &Trace, start: usize, f: impl Fn(&Sample) -> f64) -> u64 {
    history(trace, start)
        .map(|(s, weight)| f(s) * weight as f64)
        .sum::<f64>()
        .round() as u64
}

fn cpu_max(info: &CgroupInfo) -> String {
    let g = &info.cgroup;
    match g.quota_us {
        Some(quota) => format!("{quota} {}\n", g.period_us),
        None => format!("max {}\n", g.period_us),
    }
}

fn stat(trace: &Trace, info: &CgroupInfo, start: usize) -> String {
    let user = total(trace, start, |s| group(s, info).user_ns / 1e3);
    let system = total(trace, start, |s| group(s, info).system_ns / 1e3);
    let periods = total(trace, start, |s| group(s, info).periods);
    let throttled = total(trace, start, |s| group(s, info).throttled_periods);
    let throttled_us = total(trace, start, |s| group(s, info).throttled_ns / 1e3);
    format!(
        "usage_usec {}\nuser_usec {user}\nsystem_usec {system}\ncore_sched.force_idle_usec 0\n\
         nr_periods {periods}\nnr_throttled {throttled}\nthrottled_usec {throttled_us}\n\
         nr_bursts 0\nburst_usec 0\n",
        user + system
    )
}

/// The root cgroup: every CPU's user and system time (irq and softirq time is not charged to
/// a cgroup), and no bandwidth lines.
fn root_stat(trace: &Trace, start: usize) -> String {
    let user = total(trace, start, |s| {
        s.cpus.iter().map(|c| (c.user + c.nice) as f64).sum::<f64>() / 1e3
    });
    let system = total(trace, start, |s| {
        s.cpus.iter().map(|c| c.system as f64).sum::<f64>() / 1e3
    });
    format!(
        "usage_usec {}\nuser_usec {user}\nsystem_usec {system}\ncore_sched.force_idle_usec 0\n",
        user + system
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_cgroup_files_and_membership() {
        let file = |dir: &str, file| {
            Some(Ok(Inspect::Cgroup(CgroupRead::File {
                dir: dir.into(),
                file,
            })))
        };
        assert_eq!(
            parse_path("/sys/fs/cgroup/system.slice/ledger.service/cpu.stat"),
            file("system.slice/ledger.service", CgroupFile::Stat)
        );
        assert_eq!(
            parse_path("/sys/fs/cgroup/cpu.pressure"),
            file("", CgroupFile::Pressure)
        );
        assert_eq!(
            parse_path("/sys/fs/cgroup/a/cpu.max"),
            file("a", CgroupFile::Max)
        );
        assert_eq!(
            parse_path("/proc/4242/cgroup"),
            Some(Ok(Inspect::Cgroup(CgroupRead::Membership { pid: 4242 })))
        );
        assert_eq!(parse_path("/sys/fs/cgroup/a/memory.max"), None);
        assert_eq!(parse_path("/sys/fs/cgroup/a b/cpu.stat"), None);
        assert_eq!(parse_path("/proc/self/cgroup"), None);
    }
}
