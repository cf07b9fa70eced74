//! The jc round trip and snapshots on the real content: `sysdrill show slow-under-load "<cmd>"
//! --seed 7` for every tool, through the built binary. The binary's output must equal what the
//! library's `Console` prints for the same incident and seed, and the jc-parsable outputs must
//! parse to the values of that console's trace.
//!
//! The binary tests need the embedded catalog to load; while it does not (drills on main name
//! incidents not yet written) they are ignored: run them with
//! `cargo test --test tests render::incident -- --ignored`. The console and jc tests on the
//! model's own traces run on an incident built here (a futex-mutex storm), independent of the
//! shipped content.

use sysdrill::console::Console;
use sysdrill::domain::*;
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

/// 8 CPUs, 64 worker threads serialised on one user mutex (futex) plus a kernel spinlock they
/// take on every wake-up: the shape of `slow-under-load`, built in code.
fn futex_storm() -> Incident {
    let lock = |id: &str, class: &str, kind, scope, caller: &str| LockSpec {
        id: id.into(),
        class_name: class.into(),
        kind,
        scope,
        caller: caller.into(),
        permits: 1,
        shards: 1,
        bounce_ns: 0.0,
        interrupt: None,
    };
    Incident {
        id: IncidentId::from("futex-storm"),
        title: "futex storm".into(),
        narrative: String::new(),
        default_seed: 7,
        machine: Machine {
            hostname: "app01".into(),
            kernel: "6.8.0-45-generic".into(),
            cpus: 8,
            hz: 250,
            memory_mib: 16_384,
            swap_mib: 2_048,
            virtualized: false,
            uptime_s: 1_047_847,
            clock_s: 36_131,
            date: "03/14/25".into(),
            disks: vec![Disk {
                name: "nvme0n1".into(),
                service_us: 90.0,
                parallelism: 8,
            }],
            nics: vec![Nic {
                name: "eth0".into(),
                rx_queues: 8,
                irq_cpus: (0..8).collect(),
                coalesce: 8,
            }],
            numa: None,
            lockdep: false,
        },
        workloads: vec![Workload {
            name: "worker".into(),
            pid: 4242,
            user: "app".into(),
            uid: 1000,
            threads: 64,
            arrivals: Arrivals::Closed { think_us: 200.0 },
            request: RequestProfile {
                compute_us: 150.0,
                distribution: Distribution::Exponential,
                syscalls: 4,
                critical_sections: vec![CriticalSection {
                    lock: 0,
                    hold_us: 20.0,
                    write_fraction: 1.0,
                    io: None,
                    nested: Vec::new(),
                }],
                page_allocs: 2,
                disk_io: Some(DiskIo {
                    disk: 0,
                    reads: 0,
                    writes: 1,
                    kib: 16,
                }),
                packets: 1,
                wakeups: 1,
            },
            rss_mib: 2_000,
            file_cache_mib: 1_000,
            app_symbol: "process_request".into(),
            cgroup: None,
            load_steps: vec![],
            paths: vec![],
            deploys: vec![],
            placement: Placement::default(),
        }],
        locks: vec![
            lock(
                "queue",
                "&hb->lock",
                LockKind::Mutex,
                LockScope::User,
                "futex_wake+0x15a",
            ),
            lock(
                "rq",
                "&rq->__lock",
                LockKind::Spinlock,
                LockScope::Kernel,
                "try_to_wake_up+0x1f4",
            ),
        ],
        faults: vec![],
        variants: Variants::default(),
        costs: Costs::default(),
        content_hash: 0,
    }
}

fn fresh_console() -> Console {
    Console::new(&futex_storm(), Seed(SEED))
}

/// Runs `line` on a fresh console over the built incident: output and trace.
fn on_model(line: &str) -> (String, Trace) {
    let mut console = fresh_console();
    let out = console.run(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    (out, console.simulation().trace().clone())
}

#[test]
fn jc_round_trip_on_the_model() {
    let (out, trace) = on_model("vmstat 1 5");
    if let Some(rows) = jc("vmstat", &out) {
        assert_eq!(rows.as_array().unwrap().len(), 5);
        check_vmstat(&trace, &rows);
    }
    let (out, trace) = on_model("mpstat -P ALL 1 2");
    if let Some(rows) = jc("mpstat", &out) {
        check_mpstat(&trace, &rows);
    }
    let (out, trace) = on_model("pidstat -u -h 1 2");
    if let Some(rows) = jc("pidstat", &out) {
        check_pidstat_cpu(&trace, &rows);
    }
    let (out, trace) = on_model("pidstat -w -h 1 1");
    if let Some(rows) = jc("pidstat", &out) {
        check_pidstat_switches(&trace, &rows);
    }
    let (out, trace) = on_model("iostat -x 1 2");
    if let Some(rows) = jc("iostat", &out) {
        check_iostat(&trace, &rows);
    }
    let (out, trace) = on_model("top -b -n 1");
    if let Some(frames) = jc("top", &out) {
        check_top(&trace, &frames, 0);
    }
    for (flag, divisor) in [("", 1), ("-m", 1024)] {
        let (out, trace) = on_model(&format!("free {flag}"));
        if let Some(rows) = jc("free", &out) {
            check_free(&trace, &rows, 0, divisor);
        }
    }
    let (out, trace) = on_model("uptime");
    if let Some(u) = jc("uptime", &out) {
        check_uptime(&trace, &u, 0);
    }
}

#[test]
fn every_tool_on_the_model() {
    for (name, line) in [
        ("vmstat", "vmstat 1 5"),
        ("mpstat", "mpstat -P ALL 1 1"),
        ("pidstat", "pidstat 1 1"),
        ("iostat", "iostat -x 1 2"),
        ("top", "top -b -n 1"),
        ("free", "free -m"),
        ("perf_top", "perf top --stdio"),
        (
            "perf_lock_contention",
            "perf lock contention -a -b -- sleep 2",
        ),
        ("lock_stat", "grep : /proc/lock_stat"),
    ] {
        let (out, _) = on_model(line);
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            description => format!("futex storm built in tests/render/incident.rs, seed {SEED}: {line}"),
        }, {
            insta::assert_snapshot!(format!("render__model__{name}"), out);
        });
    }
}

#[test]
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
