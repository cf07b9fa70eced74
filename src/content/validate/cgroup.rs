//! A workload's cgroup: its path below `/sys/fs/cgroup` and its `cpu.max` limit.

use super::Checker;
use crate::content::raw::{RawCgroup, RawWorkload};
use crate::domain::{Cgroup, MAX_PERIOD_US, MAX_QUOTA_US, MIN_PERIOD_US, MIN_QUOTA_US};

pub(crate) const MAX_CGROUP_PATH: usize = 255;
/// `/`-separated names of the characters systemd and container runtimes use in unit and
/// scope names.
pub(crate) const CGROUP_PATH_PATTERN: &str = r"^[A-Za-z0-9_.@:-]+(/[A-Za-z0-9_.@:-]+)*$";

/// Checks every workload's `cgroup`: one per workload, in the workloads' order (`None` for
/// the root cgroup or an invalid one). Two workloads may not share a cgroup: each has its own
/// quota in the model.
pub(super) fn workload_cgroups(
    c: &mut Checker<'_>,
    workloads: &[RawWorkload],
) -> Vec<Option<Cgroup>> {
    c.unique(
        workloads.iter().enumerate().filter_map(|(i, w)| {
            let g = w.cgroup.as_ref()?;
            Some((format!("workloads[{i}].cgroup.path"), g.path.as_str()))
        }),
        "cgroup path",
    );
    workloads
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let raw = w.cgroup.as_ref()?;
            cgroup(c, &format!("workloads[{i}].cgroup"), raw)
        })
        .collect()
}

/// Checks one workload's `cgroup` (at `at`) and returns its domain form when it is valid.
fn cgroup(c: &mut Checker<'_>, at: &str, raw: &RawCgroup) -> Option<Cgroup> {
    let path_at = format!("{at}.path");
    let mut ok = true;
    if raw.path.len() > MAX_CGROUP_PATH {
        c.error_help(
            &path_at,
            format!(
                "cgroup path is {} bytes; at most {MAX_CGROUP_PATH}",
                raw.path.len()
            ),
            "name the unit's slice and unit, e.g. `system.slice/ledger.service`",
        );
        ok = false;
    } else if let Some(problem) = path_problem(&raw.path) {
        c.error_help(
            &path_at,
            format!("cgroup path `{}` {problem}", raw.path),
            "write it relative to /sys/fs/cgroup, e.g. `system.slice/ledger.service`",
        );
        ok = false;
    }
    if let Some(quota) = raw.quota_us
        && !(MIN_QUOTA_US..=MAX_QUOTA_US).contains(&quota)
    {
        c.error_help(
            &format!("{at}.quota_us"),
            format!("quota_us {quota} is out of range"),
            format!(
                "expected {MIN_QUOTA_US} to {MAX_QUOTA_US} microseconds per period; \
                 leave it out for `max` (no limit)"
            ),
        );
        ok = false;
    }
    if !(MIN_PERIOD_US..=MAX_PERIOD_US).contains(&raw.period_us) {
        c.error_help(
            &format!("{at}.period_us"),
            format!("period_us {} is out of range", raw.period_us),
            format!(
                "expected {MIN_PERIOD_US} to {MAX_PERIOD_US} microseconds (the kernel's bounds)"
            ),
        );
        ok = false;
    }
    ok.then(|| Cgroup {
        path: raw.path.clone(),
        quota_us: raw.quota_us,
        period_us: raw.period_us,
    })
}

/// Why `path` is not a cgroup path this model can show, if it is not.
fn path_problem(path: &str) -> Option<&'static str> {
    if path.starts_with('/') {
        return Some("starts with `/`");
    }
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return Some("has an empty component");
    }
    if path.split('/').any(|part| part == "." || part == "..") {
        return Some("has a `.` or `..` component");
    }
    if !path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_.@:-/".contains(&b))
    {
        return Some("has characters other than letters, digits and `_.@:-`");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::path_problem;

    #[test]
    fn paths_are_relative_names_without_dot_components() {
        assert_eq!(path_problem("system.slice/ledger.service"), None);
        assert_eq!(path_problem("kubepods.slice/pod-1@x:y"), None);
        assert!(path_problem("/system.slice").is_some());
        assert!(path_problem("system.slice//a").is_some());
        assert!(path_problem("").is_some());
        assert!(path_problem("a/../b").is_some());
        assert!(path_problem("a b").is_some());
    }
}
