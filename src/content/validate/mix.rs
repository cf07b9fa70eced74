//! `request.paths:` a workload's request mix. Each path is the request with the keys it names
//! replaced; its fraction is in (0, 1] and the paths' fractions sum to at most 1 (the rest of
//! the requests run the request as written). Names are unique in the workload.

use super::*;

/// Most paths a request has: a mix is a few ways a request goes, not a distribution table.
pub(crate) const MAX_PATHS: usize = 16;
/// Most critical sections a request and its paths take together (the engine numbers them in
/// one program).
const MAX_MIX_SECTIONS: usize = 4096;

/// The fractions of a mix may overshoot 1 by this much (decimal fractions such as 0.7 + 0.2 +
/// 0.1 do not sum to exactly 1 in binary).
const SUM_SLACK: f64 = 1e-9;

/// Checks the paths of the request at `rq` (`workloads[i].request`) and returns each as a whole
/// request: `base` with the path's keys in place of its own.
pub(super) fn paths(
    c: &mut Checker<'_>,
    rq: &str,
    w: &RawWorkload,
    base: &RequestProfile,
    raw: &RawIncident,
    lock_ids: &[&str],
    disk_names: &[&str],
) -> Vec<RequestPath> {
    let raw_paths = &w.request.paths;
    if raw_paths.is_empty() {
        return Vec::new();
    }
    if raw_paths.len() > MAX_PATHS {
        c.error_help(
            &format!("{rq}.paths"),
            format!(
                "{} paths; a request has at most {MAX_PATHS}",
                raw_paths.len()
            ),
            "model the few ways a request goes that the drill is about",
        );
        return Vec::new();
    }
    let mut names = BTreeSet::new();
    for (i, p) in raw_paths.iter().enumerate() {
        if !names.insert(p.name.as_str()) {
            c.error_help(
                &format!("{rq}.paths[{i}].name"),
                format!("duplicate path name `{}`", p.name),
                "each path of a request needs its own name (`try slow_path.NAME=F` names it)",
            );
        }
    }
    let mut out = Vec::new();
    let mut sum = 0.0;
    for (i, p) in raw_paths.iter().enumerate() {
        let at = format!("{rq}.paths[{i}]");
        if p.name.is_empty() || !p.name.chars().all(name_char) {
            c.error_help(
                &format!("{at}.name"),
                format!("path name `{}` is not a plain name", p.name),
                "use letters, digits and `_.-`, e.g. `cache_miss` (`try slow_path.NAME=F` names it)",
            );
        }
        c.positive(&format!("{at}.fraction"), p.fraction, 1.0, "");
        if p.fraction.is_finite() {
            sum += p.fraction.max(0.0);
        }
        if let Some(symbol) = &p.app_symbol {
            c.non_empty(&format!("{at}.app_symbol"), "app_symbol", symbol);
            if symbol.chars().any(char::is_whitespace) {
                c.error(&format!("{at}.app_symbol"), "app_symbol contains spaces");
            }
        }
        if let Some(us) = p.compute_us {
            c.number(&format!("{at}.compute_us"), us, 0.0, MAX_TIME_US, " us");
        }
        if let Some(n) = p.syscalls {
            c.count(&format!("{at}.syscalls"), n, 0, MAX_COUNT, "syscalls");
        }
        if let Some(n) = p.page_allocs {
            c.count(&format!("{at}.page_allocs"), n, 0, 1_000_000, "page_allocs");
        }
        if let Some(n) = p.packets {
            c.count(&format!("{at}.packets"), n, 0, MAX_COUNT, "packets");
            if n > 0 && raw.machine.nics.is_empty() {
                c.error_help(
                    &format!("{at}.packets"),
                    "requests on this path receive packets but the machine has no nic",
                    "add one under `machine.nics`",
                );
            }
        }
        if let Some(n) = p.wakeups {
            c.count(&format!("{at}.wakeups"), n, 0, MAX_COUNT, "wakeups");
        }
        let critical_sections = match &p.critical_sections {
            Some(sections) => {
                super::workloads::critical_sections(c, &at, sections, raw, lock_ids, disk_names)
            }
            None => base.critical_sections.clone(),
        };
        let disk_io = match &p.disk_io {
            Some(io) => super::workloads::disk_io(c, &at, Some(io), disk_names),
            None => base.disk_io.clone(),
        };
        out.push(RequestPath {
            name: p.name.clone(),
            fraction: p.fraction,
            app_symbol: p.app_symbol.clone().unwrap_or_else(|| w.app_symbol.clone()),
            request: RequestProfile {
                compute_us: p.compute_us.unwrap_or(base.compute_us),
                distribution: base.distribution,
                syscalls: p.syscalls.unwrap_or(base.syscalls),
                critical_sections,
                page_allocs: p.page_allocs.unwrap_or(base.page_allocs),
                disk_io,
                packets: p.packets.unwrap_or(base.packets),
                wakeups: p.wakeups.unwrap_or(base.wakeups),
            },
        });
    }
    let sections = base.critical_sections.len()
        + out
            .iter()
            .map(|p| p.request.critical_sections.len())
            .sum::<usize>();
    if sections > MAX_MIX_SECTIONS {
        c.error_help(
            &format!("{rq}.paths"),
            format!(
                "the request and its paths take {sections} critical sections; at most {MAX_MIX_SECTIONS}"
            ),
            "a path that leaves out `critical_sections` takes the request's again",
        );
        out.clear();
    }
    if sum > 1.0 + SUM_SLACK {
        let shares = raw_paths
            .iter()
            .map(|p| format!("{} {}", p.name, show_f64(p.fraction)))
            .collect::<Vec<_>>()
            .join(" + ");
        c.error_help(
            &format!("{rq}.paths"),
            format!(
                "the paths' fractions sum to {} ({shares}), more than every request",
                show_f64(sum)
            ),
            "fractions are shares of all requests: at most 1 together, the rest run the request as written",
        );
    }
    out
}

fn name_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '-')
}
