//! Tools that count the same things agree on every shipped incident for seeds 1..=40: top's
//! running tasks and vmstat's r, pidstat -w and the process's switches, and no pidstat line
//! with a `%wait` past 100.
//!
//! top's `Tasks:` line counts processes, as procps does without `-H`: a process is running
//! when one of its threads is, so 29 runnable threads of one process read `1 running` while
//! vmstat's r and the load average count the 29. The two agree in that direction: never more
//! running processes than running threads, and a process running whenever every CPU's worth
//! of threads is.

use sysdrill::domain::Seed;
use sysdrill::model::{Trace, simulate, variant};

use super::run;

/// Seeds the cross-tool checks run every shipped incident at.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=40;

/// Calls `check` with every shipped incident's id, the pid of its first workload, the seed and
/// its trace of two simulated seconds.
fn every_incident(mut check: impl FnMut(&str, u32, u64, &Trace)) {
    let catalog = sysdrill::content::load_catalog(&[]).expect("shipped content loads");
    for incident in catalog.incidents.values() {
        for seed in SEEDS {
            let v = variant::pick(incident, Seed(seed));
            let t = simulate(&v, Seed(seed), 2);
            check(incident.id.as_str(), v.workloads[0].pid, seed, &t);
        }
    }
}

/// The number after `label` in `text` (`running` in top's `Tasks:` line).
fn count_before(line: &str, label: &str) -> u64 {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.trim_end_matches(',') == label)
        .unwrap_or_else(|| panic!("{label} in {line}"));
    words[at - 1].parse().expect("a count")
}

#[test]
fn top_running_agrees_with_vmstat_r() {
    let mut failures = Vec::new();
    every_incident(|id, _, seed, t| {
        let top = run(t, "top -b -n 1", 0);
        let tasks = top.lines().nth(1).expect("a Tasks line");
        let running = count_before(tasks, "running");
        // Second 1 of `vmstat 1 2` (its first line is since boot) is the second top shows.
        let vmstat = run(t, "vmstat 1 2", 0);
        let r: u64 = vmstat
            .lines()
            .last()
            .and_then(|l| l.split_whitespace().next())
            .and_then(|r| r.parse().ok())
            .expect("vmstat's r");
        let rows_running = top
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("PID"))
            .skip(1)
            .filter(|l| l.split_whitespace().nth(7) == Some("R"))
            .count() as u64;
        // vmstat's r is the second's mean, top's the second's end: one apart at most.
        if running > r + 1
            || (r >= u64::from(t.info.cpus) && running == 0)
            || rows_running != running
        {
            failures.push(format!(
                "{id} seed {seed}: top {running} running ({rows_running} rows in R), vmstat r {r}"
            ));
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// pidstat's process line is its main thread's `/proc/PID/status`: a main thread that ran in
/// the second while its process switched shows switches of its own, not none because the
/// simulated window was too short to catch one of its switches. (A main thread that never ran,
/// an idle worker at the bottom of an open pool's stack, has none, and its process has no
/// line, as on a real box; so has one interrupted for good under a CPU stuck in a softirq.)
#[test]
fn pidstat_w_lists_the_main_process_whenever_it_switched() {
    let mut failures = Vec::new();
    every_incident(|id, pid, seed, t| {
        let task = t
            .info
            .tasks
            .iter()
            .position(|task| task.pid == pid)
            .expect("the workload's process");
        let sample = &t.samples[0];
        let main_thread_ran = sample.detail.threads.iter().any(|th| {
            let cpu_stuck_in_softirq = sample
                .cpus
                .get(th.cpu as usize)
                .is_some_and(|c| c.softirq * 100 >= c.total() * 99);
            th.task == task
                && th.tid == pid
                && th.user_ns + th.system_ns > 0
                && !cpu_stuck_in_softirq
        });
        let switched = main_thread_ran
            && sample
                .tasks
                .get(task)
                .is_some_and(|s| s.voluntary_cs + s.involuntary_cs > 0);
        let out = run(t, "pidstat -w 1 1", 0);
        let row = out.lines().find(|l| {
            !l.starts_with("Average:") && l.split_whitespace().nth(2) == Some(&*pid.to_string())
        });
        let rate = |row: &str| -> f64 {
            row.split_whitespace()
                .skip(3)
                .take(2)
                .map(|c| c.parse::<f64>().expect("a rate"))
                .sum()
        };
        match row {
            None if switched => {
                failures.push(format!("{id} seed {seed}: switched, no pidstat -w row"));
            }
            Some(row) if switched && rate(row) == 0.0 => {
                failures.push(format!("{id} seed {seed}: switched, pidstat -w {row}"));
            }
            _ => {}
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `%wait` is the share of the interval a task waited for a CPU: never above 100 on a process
/// line or a thread's, over one second or several (each second's waits are what ended in it).
#[test]
fn pidstat_wait_never_passes_the_interval() {
    let mut failures = Vec::new();
    every_incident(|id, _, seed, t| {
        if seed > 20 {
            return;
        }
        for line in ["pidstat 1 2", "pidstat -t 1 2", "pidstat -t 2 1"] {
            let out = run(t, line, 0);
            let mut column = None;
            for l in out.lines() {
                let cells: Vec<&str> = l.split_whitespace().collect();
                if let Some(at) = cells.iter().position(|c| *c == "%wait") {
                    column = Some(at);
                    continue;
                }
                let Some(wait) = column
                    .and_then(|at| cells.get(at))
                    .and_then(|c| c.parse::<f64>().ok())
                else {
                    continue;
                };
                if wait > 100.0 {
                    failures.push(format!("{id} seed {seed} `{line}`: {l}"));
                }
            }
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
