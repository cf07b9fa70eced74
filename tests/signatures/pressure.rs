//! Pressure stall information as an expert reads it, for every shipped incident and seeds
//! 1..=20: the 10/60/300 s averages carry the incident's history as the load averages do (the
//! longer the window, the more of the healthy time before the onset it remembers), move every
//! 2 s by the kernel's decay factors, and agree with the stalled totals and the uptime; a
//! throttled cgroup's periods and stalls are those of a service running since boot.

use super::{every_incident, incident, run};
use sysdrill::model::{Pressure, Trace};
use sysdrill::render::{parse_command, render};

/// One line of a pressure file: the three averages (percent) and the total (µs).
#[derive(Debug, Clone, Copy)]
struct Line {
    avg: [f64; 3],
    total: u64,
}

fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(key))
        .unwrap_or_else(|| panic!("{key} in {line:?}"))
}

fn lines(text: &str) -> [Line; 2] {
    let parse = |prefix: &str| {
        let line = text
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} line in {text:?}"));
        Line {
            avg: ["avg10=", "avg60=", "avg300="].map(|k| field(line, k).parse().expect("avg")),
            total: field(line, "total=").parse().expect("total"),
        }
    };
    [parse("some "), parse("full ")]
}

fn cat(t: &Trace, path: &str, at: usize) -> String {
    render(
        t,
        &parse_command(&format!("cat {path}")).expect("parses"),
        at,
    )
}

const FILES: [&str; 3] = [
    "/proc/pressure/cpu",
    "/proc/pressure/memory",
    "/proc/pressure/io",
];

/// The printed averages are rounded to hundredths.
const ROUNDING: f64 = 0.006;

#[test]
fn averages_remember_the_healthy_past_by_their_windows_and_agree_with_the_totals() {
    every_incident(|t| {
        let uptime_us = t.info.uptime_s as f64 * 1e6;
        for path in FILES {
            let text = cat(t, path, 0);
            let [some, full] = lines(&text);
            for (name, l) in [("some", some), ("full", full)] {
                let [a10, a60, a300] = l.avg;
                // The incident is worse than the healthy box before it (half its stalls), so the
                // shorter a window the more of the steady level it shows.
                if !(a10 + ROUNDING >= a60 && a60 + ROUNDING >= a300) {
                    return Some(format!("{path} {name}: averages out of order: {text}"));
                }
                // The total since boot is mostly healthy time: its mean share is below what
                // even the 300 s average, at least 300 s into the incident, shows.
                let mean = l.total as f64 / uptime_us * 100.0;
                if mean > a300 + ROUNDING || l.total as f64 > uptime_us {
                    return Some(format!(
                        "{path} {name}: total {} over {uptime_us} µs",
                        l.total
                    ));
                }
                if a300 > 0.0 && l.total == 0 {
                    return Some(format!(
                        "{path} {name}: averages and total disagree: {text}"
                    ));
                }
            }
            let above = full
                .avg
                .iter()
                .zip(some.avg)
                .any(|(f, s)| *f > s + ROUNDING);
            if above || full.total > some.total {
                return Some(format!("{path}: full above some: {text}"));
            }
            if path.ends_with("cpu") && (full.avg != [0.0; 3] || full.total != 0) {
                return Some(format!("the system's cpu full line is not zero: {text}"));
            }
        }
        None
    });
}

#[test]
fn averages_move_every_two_seconds_by_the_kernels_decay() {
    // EXP_10s, EXP_60s, EXP_300s of kernel/sched/psi.c over FIXED_1.
    let decay = [1677.0 / 2048.0, 1981.0 / 2048.0, 2034.0 / 2048.0];
    type Pick = fn(&Pressure) -> f64;
    let files: [(&str, Pick); 3] = [
        ("/proc/pressure/cpu", |p| p.cpu_some),
        ("/proc/pressure/memory", |p| p.memory_some),
        ("/proc/pressure/io", |p| p.io_some),
    ];
    every_incident(|t| {
        // The second ending on an even second since boot closes an update period; the drill's
        // first second stands for the one before it too.
        let update: usize = if t.info.uptime_s % 2 == 1 { 1 } else { 2 };
        for (path, pick) in files {
            let closed = &t.samples[update.saturating_sub(2)..update];
            let x =
                closed.iter().map(|s| pick(&s.detail.pressure)).sum::<f64>() / closed.len() as f64;
            let before = lines(&cat(t, path, update - 1))[0];
            let after = lines(&cat(t, path, update))[0];
            for ((b, a), d) in before.avg.iter().zip(after.avg).zip(decay) {
                let want = b * d + x * 100.0 * (1.0 - d);
                if (a - want).abs() > 2.0 * ROUNDING {
                    return Some(format!("{path}: an average went {b} -> {a}, not {want:.2}"));
                }
            }
            if update == 2 && lines(&cat(t, path, 0))[0].avg != before.avg {
                return Some(format!("{path}: averages moved between updates"));
            }
        }
        None
    });
}

/// `cpu.stat` as key → value.
fn stat(text: &str, key: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{key} in {text:?}"))
        .parse()
        .expect("number")
}

#[test]
fn a_throttled_services_periods_and_stalls_are_a_service_running_since_boot() {
    let inc = incident("cgroup-cpu-throttling");
    let dir = "/sys/fs/cgroup/system.slice/ledger.service";
    let mut failures = Vec::new();
    for seed in super::SEEDS {
        let t = run(&inc, seed);
        let info = t
            .info
            .cgroups
            .iter()
            .find(|g| g.cgroup.quota_us.is_some())
            .expect("quota");
        let period_us = info.cgroup.period_us as f64;
        let per_s = 1e6 / period_us;
        let uptime = t.info.uptime_s as f64;
        let end = t.samples.len();
        let cpus = f64::from(t.info.cpus);
        let (first, last) = (
            cat(&t, &format!("{dir}/cpu.stat"), 0),
            cat(&t, &format!("{dir}/cpu.stat"), end),
        );
        let mut fail = |what: String| failures.push(format!("seed {seed}: {what}"));
        for text in [&first, &last] {
            let periods = stat(text, "nr_periods");
            let throttled = stat(text, "nr_throttled");
            let throttled_us = stat(text, "throttled_usec");
            if throttled > periods {
                fail(format!("nr_throttled over nr_periods:\n{text}"));
            }
            // Each throttled period holds at most a period of throttling on each CPU.
            if throttled_us > throttled * period_us * cpus
                || (throttled > 0.0) != (throttled_us > 0.0)
            {
                fail(format!(
                    "throttled_usec disagrees with nr_throttled:\n{text}"
                ));
            }
        }
        // The service started with the box: about as many periods a second since boot as it
        // is active in now (fewer at the healthy load before the onset), never more than the
        // period allows.
        let periods = stat(&first, "nr_periods");
        let now_per_s = t
            .samples
            .iter()
            .map(|s| s.detail.cgroups[info.workload].periods)
            .sum::<f64>()
            / end as f64;
        if periods > uptime * per_s + 1.0 || periods < 0.5 * uptime * now_per_s {
            fail(format!(
                "nr_periods {periods} for {uptime} s at {now_per_s} a second"
            ));
        }
        let grew = stat(&last, "nr_periods") - periods;
        if grew > end as f64 * per_s + 1.0 {
            fail(format!("{grew} periods in {end} s"));
        }
        // Throttling stalls the whole service while the box has idle CPUs (`full`), and the
        // root's file is the system's.
        let system = cat(&t, "/proc/pressure/cpu", end);
        if cat(&t, "/sys/fs/cgroup/cpu.pressure", end) != system {
            fail("the root's cpu.pressure is not /proc/pressure/cpu".into());
        }
        let group = cat(&t, &format!("{dir}/cpu.pressure"), end);
        let [g_some, g_full] = lines(&group);
        let full_above = g_full
            .avg
            .iter()
            .zip(g_some.avg)
            .any(|(f, s)| *f > s + ROUNDING);
        // The group's own `some` is not compared with the system's: the box-wide share counts
        // every workload's queueing, so a busy neighbour can put it above the group's.
        if full_above || g_some.total == 0 {
            fail(format!("cgroup pressure:\n{group}{system}"));
        }
        if g_full.total == 0 || g_full.total > g_some.total {
            fail(format!("cgroup stall totals:\n{group}{system}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn memory_pressure_follows_swap_ins_and_its_total_the_bursts_since_boot() {
    every_incident(|t| {
        let stalled = t.samples.iter().position(|s| {
            let p = s.detail.pressure;
            s.swap_in_kib > 0 && p.memory_some <= 0.0
        });
        if let Some(i) = stalled {
            return Some(format!(
                "second {i}: pages come back from swap, memory some is 0"
            ));
        }
        // A box whose seconds stall on memory has stalled on it since the incident began.
        let any = t
            .samples
            .iter()
            .any(|s| s.detail.pressure.memory_some > 0.0);
        let [some, _] = lines(&cat(t, "/proc/pressure/memory", 0));
        if any && some.total == 0 {
            return Some("memory stalls in the drill, none since boot".into());
        }
        None
    });
}
