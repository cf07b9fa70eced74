//! The jc round trip and snapshots on the real content: `sysdrill show slow-under-load "<cmd>"
//! --seed 7` for every tool, through the built binary. The binary's output must equal what the
//! library's `Console` prints for the same incident and seed, and the jc-parsable outputs must
//! parse to the values of that console's trace.
//!
//! Needs the content catalog and the model; until both are on main these tests are ignored
//! (run them with `cargo test --test tests render::incident -- --ignored`).

use sysdrill::console::Console;
use sysdrill::domain::{IncidentId, Seed};
use sysdrill::model::Trace;

use super::jc::{
    check_free, check_iostat, check_mpstat, check_pidstat_cpu, check_pidstat_switches, check_top,
    check_uptime, check_vmstat, jc,
};
use crate::common::sysdrill;

const INCIDENT: &str = "slow-under-load";
const SEED: u64 = 7;

/// What the binary prints for one command, run alone (so it starts at second 0).
fn show(line: &str) -> String {
    let out = sysdrill()
        .args(["show", INCIDENT, line, "--seed", &SEED.to_string()])
        .output()
        .expect("sysdrill runs");
    assert!(
        out.status.success(),
        "sysdrill show {INCIDENT} {line:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The library's console for the same incident and seed, after running `line`: its output and
/// the trace it rendered from.
fn console(line: &str) -> (String, Trace) {
    let catalog = sysdrill::content::load_catalog(&[]).expect("embedded content loads");
    let incident = &catalog.incidents[&IncidentId::from(INCIDENT)];
    let seed = Seed(SEED);
    let concrete = sysdrill::model::variant::pick(incident, seed);
    let mut console = Console::new(&concrete, seed);
    let out = console.run(line).expect("the command runs");
    (out, console.simulation().trace().clone())
}

/// Runs `line` through the binary and the library, checks they agree, returns both.
fn both(line: &str) -> (String, Trace) {
    let printed = show(line);
    let (expected, trace) = console(line);
    assert_eq!(printed, expected, "binary and library disagree on {line:?}");
    (printed, trace)
}

#[test]
#[ignore = "needs the content catalog and the model on main"]
fn jc_round_trip_on_the_incident() {
    let (out, trace) = both("vmstat 1 5");
    if let Some(rows) = jc("vmstat", &out) {
        assert_eq!(rows.as_array().unwrap().len(), 5);
        check_vmstat(&trace, &rows);
    }
    let (out, trace) = both("mpstat -P ALL 1 2");
    if let Some(rows) = jc("mpstat", &out) {
        check_mpstat(&trace, &rows);
    }
    let (out, trace) = both("pidstat -u -h 1 2");
    if let Some(rows) = jc("pidstat", &out) {
        check_pidstat_cpu(&trace, &rows);
    }
    let (out, trace) = both("pidstat -w -h 1 1");
    if let Some(rows) = jc("pidstat", &out) {
        check_pidstat_switches(&trace, &rows);
    }
    let (out, trace) = both("iostat -x 1 2");
    if let Some(rows) = jc("iostat", &out) {
        check_iostat(&trace, &rows);
    }
    let (out, trace) = both("top -b -n 1");
    if let Some(frames) = jc("top", &out) {
        check_top(&trace, &frames, 0);
    }
    for (flag, divisor) in [("", 1), ("-m", 1024)] {
        let (out, trace) = both(&format!("free {flag}"));
        if let Some(rows) = jc("free", &out) {
            check_free(&trace, &rows, 0, divisor);
        }
    }
    let (out, trace) = both("uptime");
    if let Some(u) = jc("uptime", &out) {
        check_uptime(&trace, &u, 0);
    }
}

#[test]
#[ignore = "needs the content catalog and the model on main"]
fn every_tool_on_the_incident() {
    for (name, line) in [
        ("vmstat", "vmstat 1 5"),
        ("mpstat", "mpstat -P ALL 1 2"),
        ("pidstat", "pidstat 1 2"),
        ("pidstat_h", "pidstat -u -h 1 2"),
        ("iostat", "iostat -x 1 2"),
        ("top", "top -b -n 1"),
        ("free", "free -m"),
        ("uptime", "uptime"),
        ("perf_top", "perf top --stdio"),
        (
            "perf_lock_contention",
            "perf lock contention -a -b -- sleep 2",
        ),
        ("lock_stat", "cat /proc/lock_stat"),
        ("dmesg", "dmesg"),
    ] {
        let (out, _) = both(line);
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            description => format!("sysdrill show {INCIDENT} {line:?} --seed {SEED}"),
        }, {
            insta::assert_snapshot!(format!("render__incident__{name}"), out);
        });
    }
}

fn fresh_console() -> Console {
    let catalog = sysdrill::content::load_catalog(&[]).expect("embedded content loads");
    let incident = &catalog.incidents[&IncidentId::from(INCIDENT)];
    let seed = Seed(SEED);
    Console::new(&sysdrill::model::variant::pick(incident, seed), seed)
}

#[test]
#[ignore = "needs the content catalog and the model on main"]
fn the_console_moves_time_on() {
    let mut console = fresh_console();
    let first = console.run("vmstat 1 5").unwrap();
    assert_eq!(console.elapsed_s(), 4);
    let second = console.run("vmstat 1 5").unwrap();
    assert_eq!(console.elapsed_s(), 8);
    assert_ne!(first, second, "the second run shows the next seconds");
    // The second run's interval lines are samples 4..8, exactly as rendered from second 4.
    let command = sysdrill::render::parse_command("vmstat 1 5").unwrap();
    let trace = console.simulation().trace();
    assert_eq!(second, sysdrill::render::render(trace, &command, 4));
    // Snapshots take no time; errors take none either.
    console.run("free -m").unwrap();
    assert!(console.run("vmstat -q").is_err());
    assert_eq!(console.elapsed_s(), 8);
}

#[test]
#[ignore = "needs the content catalog and the model on main"]
fn perf_lock_report_reads_the_last_recording() {
    let mut console = fresh_console();
    let err = console.run("perf lock report").unwrap_err();
    assert!(err.message.contains("perf.data"), "{err}");
    let recorded = console.run("perf lock record -a -- sleep 3").unwrap();
    assert!(recorded.starts_with("[ perf record: Woken up "));
    assert_eq!(console.elapsed_s(), 3);
    let report = console.run("perf lock report").unwrap();
    assert_eq!(console.elapsed_s(), 3);
    assert!(report.starts_with("                Name   acquired"));
    // Reading the same recording twice gives the same table.
    assert_eq!(report, console.run("perf lock report").unwrap());
}
