//! The request mix, a deploy and `systemctl show` on the `catalog-deploy` fixture: one lookup
//! in fifty takes the `cache_miss` path (its own symbol in perf, the only disk reads), and at
//! drill second 12 a build ships with a heavier lookup and a smaller pool, which the per-second
//! tools show from that second on.

use sysdrill::console::Console;
use sysdrill::content::load_catalog;
use sysdrill::domain::{IncidentId, Seed};
use sysdrill::model::Trace;

use crate::common::fixture;

const DEPLOY_S: usize = 12;

/// The fixture simulated for `seconds` seconds.
fn trace(seconds: usize) -> Trace {
    let catalog = load_catalog(&[fixture("content/mix")]).expect("the fixture loads");
    let incident = &catalog.incidents[&IncidentId::from("catalog-deploy")];
    let seed = Seed(incident.default_seed);
    let concrete = sysdrill::model::variant::pick(incident, seed);
    let mut console = Console::new(&concrete, seed);
    console
        .run(&format!("vmstat 1 {}", seconds + 1))
        .expect("vmstat runs");
    console.simulation().trace().clone()
}

/// Column `name` of each data row of the first table with that column (up to a blank line).
fn column(text: &str, name: &str) -> Vec<f64> {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.split_whitespace().any(|word| word == name));
    let head: Vec<&str> = lines.next().expect("a header").split_whitespace().collect();
    let at = head.iter().position(|h| *h == name).expect("the column");
    lines
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            l.split_whitespace()
                .nth(at)
                .expect("a cell")
                .parse()
                .expect("a number")
        })
        .collect()
}

#[test]
fn vmstat_rows_change_at_the_deploy_second() {
    let t = trace(16);
    let us = column(&super::run(&t, "vmstat 1 16", 0), "us");
    // The first row is the since-boot average; row i + 1 is drill second i.
    let (before, after) = (&us[1..=DEPLOY_S], &us[DEPLOY_S + 1..]);
    assert!(before.iter().all(|&u| u < 25.0), "{us:?}");
    assert!(after.iter().all(|&u| u > 40.0), "{us:?}");
}

#[test]
fn mpstat_and_pidstat_see_the_heavier_build_from_its_second() {
    let t = trace(16);
    let usr = |start| column(&super::run(&t, "mpstat 1 1", start), "%usr");
    let before = usr(DEPLOY_S - 2)[0];
    let after = usr(DEPLOY_S + 1)[0];
    assert!(before < 25.0 && after > 40.0, "{before} {after}");
    let cpu = |start| column(&super::run(&t, "pidstat -u 1 1", start), "%CPU")[0];
    let (before, after) = (cpu(DEPLOY_S - 2), cpu(DEPLOY_S + 1));
    // The service's %CPU rises to about its quota of four CPUs. A second is one window of a
    // period's length that straddles two periods, so it may hold a little more than one
    // period's quota: the end of one period's and the start of the next's.
    assert!(
        before < 200.0 && (300.0..=450.0).contains(&after),
        "{before} {after}"
    );
}

/// The service's threads as `ps -eLf` lists them at `start`.
fn listed_threads(t: &Trace, start: usize) -> (usize, Vec<u32>) {
    let out = super::run(t, "ps -eLf", start);
    let rows: Vec<&str> = out.lines().filter(|l| l.ends_with(" catalog")).collect();
    let nlwp = rows
        .iter()
        .map(|l| l.split_whitespace().nth(5).unwrap().parse().unwrap())
        .collect();
    (rows.len(), nlwp)
}

#[test]
fn ps_and_top_count_the_new_pool() {
    let t = trace(16);
    let (before, nlwp) = listed_threads(&t, DEPLOY_S);
    assert_eq!(before, 32);
    assert!(nlwp.iter().all(|&n| n == 32), "{nlwp:?}");
    let (after, nlwp) = listed_threads(&t, DEPLOY_S + 2);
    assert_eq!(after, 16);
    assert!(nlwp.iter().all(|&n| n == 16), "{nlwp:?}");
    let total = |start| {
        let out = super::run(&t, "top -H -b -n 1", start);
        let line = out
            .lines()
            .find(|l| l.starts_with("Threads:"))
            .unwrap()
            .to_owned();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    assert_eq!(total(DEPLOY_S - 1) - total(DEPLOY_S + 1), 16);
}

#[test]
fn the_slow_path_shows_in_perf_and_is_the_only_reader() {
    let t = trace(4);
    let top = super::run(&t, "perf top", 0);
    let share = |symbol: &str| -> f64 {
        top.lines()
            .find(|l| l.trim_end().ends_with(&format!("] {symbol}")))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|p| p.trim_end_matches('%').parse().ok())
            .unwrap_or_else(|| panic!("{symbol} in\n{top}"))
    };
    // 2 % of lookups at 900 us against 98 % at 180 us: about a tenth of the fast path's share.
    let ratio = share("load_item") / share("lookup_item");
    assert!((0.06..0.14).contains(&ratio), "{ratio}");
    // Two 16 KiB reads per miss, 120 misses a second: about 3840 kB/s, no writes.
    let rkb = column(&super::run(&t, "iostat -x 1 2", 0), "rkB/s");
    assert!(
        rkb.iter().all(|&r| (1500.0..6500.0).contains(&r)),
        "{rkb:?}"
    );
}

#[test]
fn systemctl_shows_the_units_quota_as_systemd_prints_it() {
    let t = trace(1);
    assert_eq!(
        super::run(
            &t,
            "systemctl show catalog.service -p CPUQuotaPerSecUSec",
            0
        ),
        "CPUQuotaPerSecUSec=4s\n"
    );
    // Properties come in systemd's order, whatever order -p names them in.
    assert_eq!(
        super::run(
            &t,
            "systemctl show -p ActiveState,MainPID -p ControlGroup,CPUQuotaPeriodUSec catalog",
            0
        ),
        "MainPID=3120\nControlGroup=/system.slice/catalog.service\n\
         CPUQuotaPeriodUSec=infinity\nActiveState=active\n"
    );
    assert_eq!(
        super::run(&t, "systemctl show catalog --value -p MainPID", 0),
        "3120\n"
    );
    assert_eq!(
        super::run(&t, "systemctl show catalg -p MainPID", 0),
        "Unit catalg.service could not be found. (did you mean `catalog.service`?)\n"
    );
}

#[test]
fn systemctl_counts_the_tasks_the_deploy_left() {
    let t = trace(16);
    let tasks = |start| super::run(&t, "systemctl show catalog -p TasksCurrent --value", start);
    assert_eq!(tasks(DEPLOY_S), "32\n");
    assert_eq!(tasks(DEPLOY_S + 2), "16\n");
}

#[test]
fn show_runs_systemctl_on_a_coachs_incident() {
    let out = crate::common::sysdrill()
        .arg("show")
        .arg("--content")
        .arg(fixture("content/mix"))
        .args([
            "catalog-deploy",
            "systemctl show catalog -p CPUQuotaPerSecUSec,MainPID",
        ])
        .output()
        .expect("sysdrill runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "MainPID=3120\nCPUQuotaPerSecUSec=4s\n"
    );
}
