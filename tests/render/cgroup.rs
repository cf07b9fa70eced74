//! The cgroup files on `cgroup-cpu-throttling`: `cpu.stat` counts what the trace's seconds hold
//! (two reads differ by exactly the seconds between them), `cpu.max` is the incident's limit,
//! `/proc/PID/cgroup` names the unit, `cpu.pressure`'s totals are the stalled time the trace's
//! shares add up to, and unknown cgroups are missing files. jc has no parser for these files
//! (its `/proc` parser does not know the pressure files either), so the lines are read here.

use std::collections::BTreeMap;

use sysdrill::console::Console;
use sysdrill::content::load_catalog;
use sysdrill::domain::{IncidentId, Seed};
use sysdrill::model::{BANDWIDTH_HISTORY_SECONDS, CgroupSample, Trace};

const DIR: &str = "/sys/fs/cgroup/system.slice/ledger.service";

fn session(seed: u64, lines: &[&str]) -> (Vec<String>, Trace) {
    let catalog = load_catalog(&[]).expect("embedded content loads");
    let incident = &catalog.incidents[&IncidentId::from("cgroup-cpu-throttling")];
    let concrete = sysdrill::model::variant::pick(incident, Seed(seed));
    let mut console = Console::new(&concrete, Seed(seed));
    let outs = lines
        .iter()
        .map(|l| console.run(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    (outs, console.simulation().trace().clone())
}

fn fields(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .map(|line| {
            let (key, value) = line.split_once(' ').expect("`key value` lines");
            (key.to_owned(), value.parse().expect("an integer"))
        })
        .collect()
}

#[test]
fn cpu_stat_advances_by_the_seconds_between_two_reads() {
    let stat = format!("cat {DIR}/cpu.stat");
    let (outs, trace) = session(3, &[&stat, "vmstat 1 4", &stat]);
    let (before, after) = (fields(&outs[0]), fields(&outs[2]));
    let keys: Vec<&str> = before.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "burst_usec",
            "core_sched.force_idle_usec",
            "nr_bursts",
            "nr_periods",
            "nr_throttled",
            "system_usec",
            "throttled_usec",
            "usage_usec",
            "user_usec"
        ]
    );
    let ledger = trace.info.cgroups.iter().find(|g| g.pid == 2214).unwrap();
    // `vmstat 1 4` covers seconds 0..=2 after its since-boot line; the second read is at 3.
    let seconds: Vec<CgroupSample> = trace.samples[..3]
        .iter()
        .map(|s| s.detail.cgroups[ledger.workload])
        .collect();
    let sum = |f: fn(&CgroupSample) -> f64| seconds.iter().map(f).sum::<f64>();
    let delta = |key: &str| after[key] - before[key];
    let near = |key: &str, expected: f64| {
        let got = delta(key) as f64;
        assert!(
            (got - expected).abs() <= 1.0,
            "{key}: +{got}, expected +{expected}"
        );
    };
    near("nr_periods", sum(|g| g.periods));
    near("nr_throttled", sum(|g| g.throttled_periods));
    near("throttled_usec", sum(|g| g.throttled_ns / 1e3));
    near("user_usec", sum(|g| g.user_ns / 1e3));
    near("system_usec", sum(|g| g.system_ns / 1e3));
    assert_eq!(
        after["usage_usec"],
        after["user_usec"] + after["system_usec"]
    );
    assert!(delta("nr_throttled") > 0 && delta("throttled_usec") > 0);
    assert!(after["nr_throttled"] <= after["nr_periods"]);
    assert_eq!((after["nr_bursts"], after["burst_usec"]), (0, 0));
}

#[test]
fn cpu_max_membership_and_missing_files() {
    let (outs, _) = session(
        1,
        &[
            &format!("cat {DIR}/cpu.max"),
            "cat /sys/fs/cgroup/system.slice/postgresql.service/cpu.max",
            "cat /proc/2214/cgroup",
            "cat /proc/1/cgroup",
            "cat /sys/fs/cgroup/system.slice/nginx.service/cpu.stat",
            "cat /sys/fs/cgroup/cpu.max",
            "cat /proc/99999/cgroup",
        ],
    );
    assert_eq!(outs[0], "200000 100000\n");
    assert_eq!(outs[1], "max 100000\n");
    assert_eq!(outs[2], "0::/system.slice/ledger.service\n");
    assert_eq!(outs[3], "0::/\n");
    assert_eq!(
        outs[4],
        "cat: /sys/fs/cgroup/system.slice/nginx.service/cpu.stat: No such file or directory\n"
    );
    assert_eq!(
        outs[5],
        "cat: /sys/fs/cgroup/cpu.max: No such file or directory\n"
    );
    assert_eq!(
        outs[6],
        "cat: /proc/99999/cgroup: No such file or directory\n"
    );
}

#[test]
fn root_cpu_stat_is_every_cpus_time_and_root_pressure_is_the_systems() {
    let (outs, _) = session(
        2,
        &[
            "cat /sys/fs/cgroup/cpu.stat",
            "cat /sys/fs/cgroup/cpu.pressure",
            "cat /proc/pressure/cpu",
            &format!("cat {DIR}/cpu.stat"),
        ],
    );
    let (root, ledger) = (fields(&outs[0]), fields(&outs[3]));
    assert_eq!(root.len(), 4, "no bandwidth lines in the root");
    assert!(root["usage_usec"] > ledger["usage_usec"]);
    assert_eq!(outs[1], outs[2]);
}

/// `some` and `full` lines: `avg10`, `avg60`, `avg300` with two decimals and the total stalled
/// microseconds, which are what the trace's shares add up to over the since-boot second and
/// the seconds before the cursor.
#[test]
fn cpu_pressure_totals_are_the_stalled_time_of_the_seconds() {
    let (outs, trace) = session(4, &["vmstat 1 3", &format!("cat {DIR}/cpu.pressure")]);
    let ledger = trace.info.cgroups.iter().find(|g| g.pid == 2214).unwrap();
    let total = |pick: fn(&CgroupSample) -> f64| {
        let boot = pick(&trace.since_boot.detail.cgroups[ledger.workload]);
        let mut us = boot * trace.info.uptime_s as f64 * 1e6;
        for s in &trace.samples[..2] {
            us += pick(&s.detail.cgroups[ledger.workload]) * 1e6;
        }
        us.round() as u64
    };
    let lines: Vec<&str> = outs[1].lines().collect();
    assert_eq!(lines.len(), 2);
    for (line, kind, pick) in [
        (
            lines[0],
            "some",
            (|g| g.pressure_some) as fn(&CgroupSample) -> f64,
        ),
        (lines[1], "full", |g| g.pressure_full),
    ] {
        let words: Vec<&str> = line.split(' ').collect();
        assert_eq!(words[0], kind);
        for (word, key) in words[1..4].iter().zip(["avg10=", "avg60=", "avg300="]) {
            let value = word.strip_prefix(key).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(value.split('.').nth(1).map(str::len), Some(2), "{line}");
        }
        let got: u64 = words[4].strip_prefix("total=").unwrap().parse().unwrap();
        assert_eq!(got, total(pick), "{line}");
        assert!(got > 0, "{line}");
    }
}

/// The since-boot throttling counters follow from the incident's history: on every seed the
/// group is throttled since boot, in a share of its periods between half and all of the share
/// two reads [`BANDWIDTH_HISTORY_SECONDS`] apart show (half before the onset, all of it since),
/// for the time per throttled period those reads show, and no counter is a round multiple on
/// every seed.
#[test]
fn since_boot_throttling_follows_the_incidents_history_on_every_seed() {
    /// How far the since-boot share of throttled periods may lie from the share between the
    /// reads: the counters are rounded to whole periods over days of uptime, so only rounding.
    const SHARE_TOLERANCE: f64 = 0.001;
    /// The same for the mean throttled time of a throttled period, relative.
    const TIME_TOLERANCE: f64 = 0.001;
    let stat = format!("cat {DIR}/cpu.stat");
    let covering = format!("vmstat 1 {}", BANDWIDTH_HISTORY_SECONDS + 1);
    let mut round_on_every_seed: BTreeMap<String, bool> = BTreeMap::new();
    let mut failures = Vec::new();
    for seed in 1..=20 {
        let (outs, _) = session(seed, &[&stat, &covering, &stat]);
        let (boot, after) = (fields(&outs[0]), fields(&outs[2]));
        for (key, value) in &boot {
            let round = round_on_every_seed.entry(key.clone()).or_insert(true);
            *round &= *value % 10 == 0;
        }
        let delta = |key: &str| (after[key] - boot[key]) as f64;
        let (periods, throttled) = (boot["nr_periods"], boot["nr_throttled"]);
        if throttled == 0 || throttled > periods {
            failures.push(format!(
                "seed {seed}: nr_throttled {throttled} of nr_periods {periods}"
            ));
            continue;
        }
        assert!(delta("nr_throttled") > 0.0, "seed {seed}: {}", outs[2]);
        let share_boot = throttled as f64 / periods as f64;
        let share_seconds = delta("nr_throttled") / delta("nr_periods");
        // Before the incident's onset the service ran at half its load and was throttled in
        // half as many periods; since the onset, at the rate the seconds show. So the share
        // since boot lies between the two.
        let (low, high) = (share_seconds / 2.0, share_seconds);
        if share_boot < low - SHARE_TOLERANCE || share_boot > high + SHARE_TOLERANCE {
            failures.push(format!(
                "seed {seed}: throttled in {share_boot:.4} of the periods since boot, \
                 outside [{low:.4}, {high:.4}] from {share_seconds:.4} between the reads"
            ));
        }
        let per_period_boot = boot["throttled_usec"] as f64 / throttled as f64;
        let per_period_seconds = delta("throttled_usec") / delta("nr_throttled");
        if (per_period_boot / per_period_seconds - 1.0).abs() > TIME_TOLERANCE {
            failures.push(format!(
                "seed {seed}: {per_period_boot:.0} µs per throttled period since boot, \
                 {per_period_seconds:.0} between the reads"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let round: Vec<&String> = round_on_every_seed
        .iter()
        .filter(|&(key, &round)| {
            round
                && !["nr_bursts", "burst_usec", "core_sched.force_idle_usec"]
                    .contains(&key.as_str())
        })
        .map(|(key, _)| key)
        .collect();
    assert!(round.is_empty(), "multiples of 10 on every seed: {round:?}");
}
