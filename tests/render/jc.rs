//! The jc round trip (docs/FORMATS.md, "Tool outputs"): every output jc has a parser for
//! (vmstat, mpstat, pidstat -h, iostat -x, top, free, uptime) parses back to the values the
//! trace holds. Expected values are computed here from the trace's fields, independently of the
//! renderers: counts exactly, two-decimal fields within 0.005.
//!
//! Percentage columns that the renderers round with a largest-remainder pass (so a row sums to
//! exactly 100) may sit one printed unit from the exact value; those are checked within one
//! unit, and their row sums exactly.
//!
//! jc 1.26.1 is installed with pip into `target/jc-venv` the first time (once per test binary,
//! serialized by a `OnceLock`) and reused. Without python3 or PyPI the tests print why and skip on
//! a developer's machine, but fail in CI (the `CI` environment variable set), where a skipped
//! round trip would pass unseen.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;
use sysdrill::model::{CpuTime, Trace};

use super::fixture::fixture_trace;
use super::run;

fn venv() -> &'static Result<PathBuf, String> {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    VENV.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/jc-venv");
        let jc = dir.join("bin/jc");
        if jc.exists() {
            return Ok(jc);
        }
        let venv = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&dir)
            .output()
            .map_err(|e| format!("python3 not available: {e}"))?;
        if !venv.status.success() {
            return Err(format!(
                "python3 -m venv failed: {}",
                String::from_utf8_lossy(&venv.stderr)
            ));
        }
        let pip = Command::new(dir.join("bin/pip"))
            .args(["install", "--quiet", "jc==1.26.1"])
            .output()
            .map_err(|e| format!("pip not runnable: {e}"))?;
        if !pip.status.success() {
            return Err(format!(
                "pip install jc failed (PyPI unreachable?): {}",
                String::from_utf8_lossy(&pip.stderr)
            ));
        }
        Ok(jc)
    })
}

/// `jc --<parser>` on `text`; `None` (with the reason printed) when jc cannot be installed.
pub fn jc(parser: &str, text: &str) -> Option<Value> {
    let jc = match venv() {
        Ok(jc) => jc,
        Err(reason) => {
            assert!(
                std::env::var_os("CI").is_none_or(|value| value.is_empty() || value == "false"),
                "the jc round trip cannot run in CI: {reason}"
            );
            eprintln!("skipping the jc round trip: {reason}");
            return None;
        }
    };
    let mut child = Command::new(jc)
        .arg(format!("--{parser}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("jc runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "jc --{parser} failed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("jc prints JSON"))
}

fn int(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not an integer in {v}"))
}

fn float(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

fn close(v: &Value, key: &str, expected: f64, tolerance: f64) {
    let got = float(v, key);
    assert!(
        (got - expected).abs() <= tolerance + 1e-9,
        "{key}: jc read {got}, the trace says {expected} (± {tolerance}) in {v}"
    );
}

/// Σ over CPUs of one field.
fn cpu_sum(cpus: &[CpuTime], f: fn(&CpuTime) -> u64) -> f64 {
    cpus.iter().map(f).sum::<u64>() as f64
}

fn cpu_total(cpus: &[CpuTime]) -> f64 {
    cpus.iter().map(CpuTime::total).sum::<u64>() as f64
}

fn hhmmss(trace: &Trace, elapsed: usize) -> (u64, u64, u64) {
    let t = (trace.info.clock_s as u64 + elapsed as u64) % 86_400;
    (t / 3600, t / 60 % 60, t % 60)
}

/// `vmstat 1 N` run at second 0: the since-boot line, then one line per sample.
pub fn check_vmstat(trace: &Trace, rows: &Value) {
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    for (i, row) in rows.iter().enumerate() {
        let s = if i == 0 {
            &trace.since_boot
        } else {
            &trace.samples[i - 1]
        };
        assert_eq!(int(row, "runnable_procs"), s.runnable.round() as u64);
        assert_eq!(
            int(row, "uninterruptible_sleeping_procs"),
            s.blocked.round() as u64
        );
        assert_eq!(int(row, "virtual_mem_used"), s.mem.swap_used_kib);
        assert_eq!(int(row, "free_mem"), s.mem.free_kib);
        assert_eq!(int(row, "buffer_mem"), s.mem.buffers_kib);
        assert_eq!(int(row, "cache_mem"), s.mem.cache_kib);
        assert_eq!(int(row, "swap_in"), s.swap_in_kib);
        assert_eq!(int(row, "swap_out"), s.swap_out_kib);
        assert_eq!(int(row, "blocks_in"), s.blocks_in_kib);
        assert_eq!(int(row, "blocks_out"), s.blocks_out_kib);
        assert_eq!(int(row, "interrupts"), s.interrupts);
        assert_eq!(int(row, "context_switches"), s.context_switches);
        let total = cpu_total(&s.cpus);
        let pct = |f: fn(&CpuTime) -> u64| cpu_sum(&s.cpus, f) / total * 100.0;
        close(row, "user_time", pct(|c| c.user + c.nice), 1.0);
        close(
            row,
            "system_time",
            pct(|c| c.system + c.irq + c.softirq),
            1.0,
        );
        close(row, "idle_time", pct(|c| c.idle), 1.0);
        close(row, "io_wait_time", pct(|c| c.iowait), 1.0);
        close(row, "stolen_time", pct(|c| c.steal), 1.0);
        let sum: u64 = [
            "user_time",
            "system_time",
            "idle_time",
            "io_wait_time",
            "stolen_time",
        ]
        .iter()
        .map(|k| int(row, k))
        .sum();
        assert_eq!(sum, 100, "{row}");
    }
}

#[test]
fn vmstat_parses_to_the_trace() {
    let trace = fixture_trace(10);
    let Some(rows) = jc("vmstat", &run(&trace, "vmstat 1 5", 0)) else {
        return;
    };
    assert_eq!(rows.as_array().unwrap().len(), 5);
    check_vmstat(&trace, &rows);
}

#[test]
fn vmstat_later_run_reads_the_next_seconds() {
    let trace = fixture_trace(10);
    let Some(rows) = jc("vmstat", &run(&trace, "vmstat 1 3", 4)) else {
        return;
    };
    let rows = rows.as_array().unwrap();
    // Since boot now includes the four seconds already seen; gauges are the latest second.
    let up = trace.info.uptime_s;
    let interrupts = (trace.since_boot.interrupts * up
        + trace.samples[..4].iter().map(|s| s.interrupts).sum::<u64>())
        / (up + 4);
    assert_eq!(int(&rows[0], "interrupts"), interrupts);
    assert_eq!(int(&rows[0], "free_mem"), trace.samples[3].mem.free_kib);
    assert_eq!(
        int(&rows[1], "context_switches"),
        trace.samples[4].context_switches
    );
    assert_eq!(
        int(&rows[2], "context_switches"),
        trace.samples[5].context_switches
    );
}

/// A jc key and the `CpuTime` field it reports.
type CpuField = (&'static str, fn(&CpuTime) -> u64);

const MPSTAT_FIELDS: [CpuField; 8] = [
    ("percent_usr", |c| c.user),
    ("percent_nice", |c| c.nice),
    ("percent_sys", |c| c.system),
    ("percent_iowait", |c| c.iowait),
    ("percent_irq", |c| c.irq),
    ("percent_soft", |c| c.softirq),
    ("percent_steal", |c| c.steal),
    ("percent_idle", |c| c.idle),
];

fn mpstat_row_sum(row: &Value) -> f64 {
    MPSTAT_FIELDS
        .iter()
        .map(|(k, _)| float(row, k))
        .sum::<f64>()
        + float(row, "percent_guest")
        + float(row, "percent_gnice")
}

/// Seconds after the drill's start that a sysstat `HH:MM:SS` stamp names (within a day).
fn elapsed_at(trace: &Trace, stamp: &str) -> usize {
    let parts: Vec<u64> = stamp.split(':').map(|p| p.parse().unwrap()).collect();
    let t = parts[0] * 3600 + parts[1] * 60 + parts[2];
    ((t + 86_400 - trace.info.clock_s as u64 % 86_400) % 86_400) as usize
}

/// `mpstat -P ALL 1 N` run at second 0: interval blocks and the `Average:` block.
pub fn check_mpstat(trace: &Trace, rows: &Value) {
    let rows = rows.as_array().unwrap();
    let cpus = trace.info.cpus as usize;
    let intervals = rows.len() / (cpus + 1) - 1;
    assert_eq!(rows.len(), (intervals + 1) * (cpus + 1));
    for row in rows {
        let average = row.get("average").and_then(Value::as_bool) == Some(true);
        let window: Vec<CpuTime> = if average {
            (0..cpus)
                .map(|c| {
                    let mut sum = CpuTime::default();
                    for s in &trace.samples[..intervals] {
                        let x = s.cpus[c];
                        sum.user += x.user;
                        sum.nice += x.nice;
                        sum.system += x.system;
                        sum.irq += x.irq;
                        sum.softirq += x.softirq;
                        sum.iowait += x.iowait;
                        sum.steal += x.steal;
                        sum.idle += x.idle;
                    }
                    sum
                })
                .collect()
        } else {
            let end = elapsed_at(trace, row["time"].as_str().unwrap());
            trace.samples[end - 1].cpus.clone()
        };
        let cpu = row["cpu"].as_str().unwrap();
        for (key, f) in MPSTAT_FIELDS {
            let expected = if cpu == "all" {
                window
                    .iter()
                    .map(|c| f(c) as f64 / c.total() as f64 * 100.0)
                    .sum::<f64>()
                    / window.len() as f64
            } else {
                let c = &window[cpu.parse::<usize>().unwrap()];
                f(c) as f64 / c.total() as f64 * 100.0
            };
            close(row, key, expected, 0.01);
        }
        assert!((mpstat_row_sum(row) - 100.0).abs() < 1e-6, "{row}");
    }
}

#[test]
fn mpstat_parses_to_the_trace() {
    let trace = fixture_trace(10);
    let Some(rows) = jc("mpstat", &run(&trace, "mpstat -P ALL 1 2", 0)) else {
        return;
    };
    assert_eq!(rows.as_array().unwrap().len(), 3 * 5);
    check_mpstat(&trace, &rows);
}

/// `pidstat -u -h 1 N` run at second 0.
pub fn check_pidstat_cpu(trace: &Trace, rows: &Value) {
    let rows = rows.as_array().unwrap();
    let mut listed = std::collections::BTreeSet::new();
    for row in rows {
        let t = int(row, "time");
        let stamp = format!("{:02}:{:02}:{:02}", t / 10_000, t / 100 % 100, t % 100);
        let second = elapsed_at(trace, &stamp) - 1;
        let i = trace
            .info
            .tasks
            .iter()
            .position(|t| t.pid as u64 == int(row, "pid"))
            .expect("a listed pid is a trace task");
        listed.insert((second, i));
        let info = &trace.info.tasks[i];
        let t = &trace.samples[second].tasks[i];
        assert_eq!(int(row, "uid"), info.uid as u64);
        let pct = |ns: u64| ns as f64 / 1e7;
        close(row, "percent_usr", pct(t.user_ns), 0.005);
        close(row, "percent_system", pct(t.system_ns), 0.005);
        close(row, "percent_guest", 0.0, 0.005);
        // The process line's wait is its main thread's (schedstat of the process's own task).
        close(row, "percent_wait", pct(t.leader.wait_ns), 0.005);
        close(row, "percent_cpu", pct(t.user_ns + t.system_ns), 0.005);
        assert_eq!(int(row, "cpu"), t.last_cpu as u64);
        let comm: String = info.comm.chars().take(15).collect();
        assert_eq!(row["command"], comm.as_str());
    }
    // Exactly the tasks that ran in each second are listed.
    let seconds: std::collections::BTreeSet<usize> = listed.iter().map(|(s, _)| *s).collect();
    for second in seconds {
        for (i, t) in trace.samples[second].tasks.iter().enumerate() {
            assert_eq!(
                listed.contains(&(second, i)),
                t.user_ns + t.system_ns > 0,
                "task {i} in second {second}"
            );
        }
    }
}

/// `pidstat -w -h 1 N` run at second `start`.
pub fn check_pidstat_switches(trace: &Trace, rows: &Value) {
    for row in rows.as_array().unwrap() {
        let t = int(row, "time");
        let stamp = format!("{:02}:{:02}:{:02}", t / 10_000, t / 100 % 100, t % 100);
        let second = elapsed_at(trace, &stamp) - 1;
        let i = trace
            .info
            .tasks
            .iter()
            .position(|t| t.pid as u64 == int(row, "pid"))
            .unwrap();
        let t = &trace.samples[second].tasks[i];
        close(row, "cswch_s", t.leader.voluntary_cs as f64, 0.005);
        close(row, "nvcswch_s", t.leader.involuntary_cs as f64, 0.005);
    }
}

#[test]
fn pidstat_parses_to_the_trace() {
    let trace = fixture_trace(10);
    let Some(rows) = jc("pidstat", &run(&trace, "pidstat -u -h 1 2", 0)) else {
        return;
    };
    assert_eq!(rows.as_array().unwrap().len(), 4);
    check_pidstat_cpu(&trace, &rows);
    let Some(rows) = jc("pidstat", &run(&trace, "pidstat -w -h 1 1", 3)) else {
        return;
    };
    assert_eq!(rows.as_array().unwrap().len(), 2);
    check_pidstat_switches(&trace, &rows);
}

/// `iostat -x 1 N` run at second 0: the since-boot report, then one per sample.
pub fn check_iostat(trace: &Trace, rows: &Value) {
    let rows = rows.as_array().unwrap();
    let per_report = 1 + trace.info.disks.len();
    assert_eq!(rows.len() % per_report, 0);
    for report in 0..rows.len() / per_report {
        let s = if report == 0 {
            &trace.since_boot
        } else {
            &trace.samples[report - 1]
        };
        let cpu = &rows[report * per_report];
        assert_eq!(cpu["type"], "cpu");
        let total = cpu_total(&s.cpus);
        let pct = |f: fn(&CpuTime) -> u64| cpu_sum(&s.cpus, f) / total * 100.0;
        close(cpu, "percent_user", pct(|c| c.user), 0.01);
        close(cpu, "percent_nice", pct(|c| c.nice), 0.01);
        close(
            cpu,
            "percent_system",
            pct(|c| c.system + c.irq + c.softirq),
            0.01,
        );
        close(cpu, "percent_iowait", pct(|c| c.iowait), 0.01);
        close(cpu, "percent_steal", pct(|c| c.steal), 0.01);
        close(cpu, "percent_idle", pct(|c| c.idle), 0.01);
        for (k, name) in trace.info.disks.iter().enumerate() {
            let dev = &rows[report * per_report + 1 + k];
            assert_eq!(dev["device"], name.as_str());
            let d = &s.disks[k];
            let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
            close(dev, "r_s", d.reads as f64, 0.005);
            close(dev, "rkb_s", d.read_kib as f64, 0.005);
            close(dev, "rrqm_s", d.read_merges as f64, 0.005);
            close(dev, "w_s", d.writes as f64, 0.005);
            close(dev, "wkb_s", d.write_kib as f64, 0.005);
            close(dev, "wrqm_s", d.write_merges as f64, 0.005);
            close(
                dev,
                "percent_rrqm",
                ratio(
                    d.read_merges as f64 * 100.0,
                    (d.read_merges + d.reads) as f64,
                ),
                0.005,
            );
            close(
                dev,
                "percent_wrqm",
                ratio(
                    d.write_merges as f64 * 100.0,
                    (d.write_merges + d.writes) as f64,
                ),
                0.005,
            );
            close(
                dev,
                "r_await",
                if d.reads > 0 { d.r_await_ms } else { 0.0 },
                0.005,
            );
            close(
                dev,
                "w_await",
                if d.writes > 0 { d.w_await_ms } else { 0.0 },
                0.005,
            );
            close(
                dev,
                "rareq_sz",
                ratio(d.read_kib as f64, d.reads as f64),
                0.005,
            );
            close(
                dev,
                "wareq_sz",
                ratio(d.write_kib as f64, d.writes as f64),
                0.005,
            );
            close(dev, "aqu_sz", d.queue_size, 0.005);
            close(dev, "percent_util", (d.util * 100.0).min(100.0), 0.005);
        }
    }
}

#[test]
fn iostat_parses_to_the_trace() {
    let trace = fixture_trace(10);
    let Some(rows) = jc("iostat", &run(&trace, "iostat -x 1 2", 0)) else {
        return;
    };
    assert_eq!(rows.as_array().unwrap().len(), 4);
    check_iostat(&trace, &rows);
}

#[test]
fn basic_iostat_parses_to_the_trace() {
    let trace = fixture_trace(10);
    let Some(rows) = jc("iostat", &run(&trace, "iostat -y 1 2", 3)) else {
        return;
    };
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for (report, s) in [(0, &trace.samples[3]), (1, &trace.samples[4])] {
        let dev = &rows[report * 2 + 1];
        let d = &s.disks[0];
        close(dev, "tps", (d.reads + d.writes) as f64, 0.005);
        close(dev, "kb_read_s", d.read_kib as f64, 0.005);
        close(dev, "kb_wrtn_s", d.write_kib as f64, 0.005);
        assert_eq!(int(dev, "kb_read"), d.read_kib);
        assert_eq!(int(dev, "kb_wrtn"), d.write_kib);
    }
}

/// `top -b -n 1` run at second `start`: one frame over sample `start`.
pub fn check_top(trace: &Trace, frames: &Value, start: usize) {
    let top = &frames[0];
    let s = &trace.samples[start];
    let (h, m, sec) = hhmmss(trace, start + 1);
    assert_eq!(top["time"], format!("{h:02}:{m:02}:{sec:02}"));
    close(top, "load_1m", s.load_avg[0], 0.005);
    close(top, "load_5m", s.load_avg[1], 0.005);
    close(top, "load_15m", s.load_avg[2], 0.005);
    assert_eq!(int(top, "tasks_total"), trace.info.tasks.len() as u64);
    let running = s.tasks.iter().filter(|t| t.running > 0).count() as u64;
    assert_eq!(int(top, "tasks_running"), running);
    assert_eq!(
        int(top, "tasks_sleeping"),
        trace.info.tasks.len() as u64 - running
    );
    let total = cpu_total(&s.cpus);
    let pct = |f: fn(&CpuTime) -> u64| cpu_sum(&s.cpus, f) / total * 100.0;
    let cpu_fields: [CpuField; 8] = [
        ("cpu_user", |c| c.user),
        ("cpu_sys", |c| c.system),
        ("cpu_nice", |c| c.nice),
        ("cpu_idle", |c| c.idle),
        ("cpu_wait", |c| c.iowait),
        ("cpu_hardware", |c| c.irq),
        ("cpu_software", |c| c.softirq),
        ("cpu_steal", |c| c.steal),
    ];
    // jc loses every field after a value glued at 100.0; the real tool glues too.
    if cpu_fields.iter().all(|(_, f)| pct(*f) < 99.95) {
        for (key, f) in cpu_fields {
            close(top, key, pct(f), 0.1);
        }
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    let mem_total = trace.info.mem_total_kib;
    close(top, "mem_total", mib(mem_total), 0.05);
    close(top, "mem_free", mib(s.mem.free_kib), 0.05);
    close(top, "mem_used", mib(mem_total - s.mem.available_kib), 0.05);
    close(
        top,
        "mem_buff_cache",
        mib(s.mem.buffers_kib + s.mem.cache_kib),
        0.05,
    );
    close(top, "mem_available", mib(s.mem.available_kib), 0.05);
    close(top, "swap_total", mib(trace.info.swap_total_kib), 0.05);
    close(top, "swap_used", mib(s.mem.swap_used_kib), 0.05);
    let processes = top["processes"].as_array().unwrap();
    assert_eq!(processes.len(), trace.info.tasks.len());
    let mut last_cpu = f64::INFINITY;
    for p in processes {
        let i = trace
            .info
            .tasks
            .iter()
            .position(|t| t.pid as u64 == int(p, "pid"))
            .unwrap();
        let info = &trace.info.tasks[i];
        let t = &s.tasks[i];
        // top cuts a user name longer than eight characters to seven and a `+`.
        let user: String = if info.user.chars().count() > 8 {
            info.user.chars().take(7).chain(['+']).collect()
        } else {
            info.user.clone()
        };
        assert_eq!(p["user"], user.as_str());
        // Plain KiB, or scaled like `2.0g` when too wide (jc reports the unit).
        for (key, kib) in [
            ("virtual_mem", info.virt_kib),
            ("resident_mem", info.res_kib),
            ("shared_mem", info.shr_kib),
        ] {
            let scale = match p[format!("{key}_unit")].as_str() {
                Some("m") => 1024f64,
                Some("g") => 1024f64.powi(2),
                Some("t") => 1024f64.powi(3),
                _ => 1.0,
            };
            let tolerance = if scale == 1.0 { 0.0 } else { 0.05 };
            close(p, key, kib as f64 / scale, tolerance);
        }
        let cpu = (t.user_ns + t.system_ns) as f64 / 1e7;
        close(p, "percent_cpu", cpu, 0.05);
        close(
            p,
            "percent_mem",
            info.res_kib as f64 / mem_total as f64 * 100.0,
            0.05,
        );
        assert!(float(p, "percent_cpu") <= last_cpu, "sorted by %CPU");
        last_cpu = float(p, "percent_cpu");
        // COMMAND gets the 8 columns an 80-column screen leaves; a longer name is cut to 7
        // and a `+`.
        let comm: String = if info.comm.chars().count() > 8 {
            info.comm.chars().take(7).chain(['+']).collect()
        } else {
            info.comm.clone()
        };
        assert_eq!(p["command"], comm.as_str());
    }
}

#[test]
fn top_parses_to_the_trace() {
    let trace = fixture_trace(10);
    let Some(frames) = jc("top", &run(&trace, "top -b -n 1", 2)) else {
        return;
    };
    check_top(&trace, &frames, 2);
}

/// `free` in KiB (divisor 1), `-m` (1024) or `-g` (1024²), run at second `start`.
pub fn check_free(trace: &Trace, rows: &Value, start: usize, divisor: u64) {
    let m = if start == 0 {
        &trace.since_boot.mem
    } else {
        &trace.samples[start - 1].mem
    };
    let total = trace.info.mem_total_kib;
    let mem = &rows[0];
    assert_eq!(mem["type"], "Mem");
    assert_eq!(int(mem, "total"), total / divisor);
    assert_eq!(int(mem, "used"), (total - m.available_kib) / divisor);
    assert_eq!(int(mem, "free"), m.free_kib / divisor);
    assert_eq!(int(mem, "shared"), m.shared_kib / divisor);
    assert_eq!(
        int(mem, "buff_cache"),
        (m.buffers_kib + m.cache_kib) / divisor
    );
    assert_eq!(int(mem, "available"), m.available_kib / divisor);
    let swap = &rows[1];
    assert_eq!(int(swap, "total"), trace.info.swap_total_kib / divisor);
    assert_eq!(int(swap, "used"), m.swap_used_kib / divisor);
}

#[test]
fn free_parses_to_the_trace() {
    let trace = fixture_trace(10);
    for (flag, divisor) in [("", 1), ("-m", 1024), ("-g", 1024 * 1024)] {
        let Some(rows) = jc("free", &run(&trace, &format!("free {flag}"), 6)) else {
            return;
        };
        check_free(&trace, &rows, 6, divisor);
    }
}

/// `uptime` run at second `start`.
pub fn check_uptime(trace: &Trace, u: &Value, start: usize) {
    let up = trace.info.uptime_s + start as u64;
    let (h, m, s) = hhmmss(trace, start);
    assert_eq!(int(u, "time_hour"), h);
    assert_eq!(int(u, "time_minute"), m);
    assert_eq!(int(u, "time_second"), s);
    assert_eq!(int(u, "uptime_days"), up / 86_400);
    assert_eq!(int(u, "uptime_hours"), up / 3600 % 24);
    assert_eq!(int(u, "uptime_minutes"), up / 60 % 60);
    let shells = trace
        .info
        .tasks
        .iter()
        .filter(|t| !t.kernel_thread && matches!(t.comm.as_str(), "bash" | "-bash" | "zsh" | "sh"))
        .count() as u64;
    assert_eq!(int(u, "users"), shells);
    let load = if start == 0 {
        trace.since_boot.load_avg
    } else {
        trace.samples[start - 1].load_avg
    };
    close(u, "load_1m", load[0], 0.005);
    close(u, "load_5m", load[1], 0.005);
    close(u, "load_15m", load[2], 0.005);
}

#[test]
fn uptime_parses_to_the_trace() {
    let mut trace = fixture_trace(10);
    for (uptime_s, start) in [(1_047_847, 5), (45 * 60, 0), (3 * 3600 + 4 * 60, 9)] {
        trace.info.uptime_s = uptime_s;
        let Some(u) = jc("uptime", &run(&trace, "uptime", start)) else {
            return;
        };
        check_uptime(&trace, &u, start);
    }
}

/// The shipped `lock-across-fsync` incident at its default seed: vmstat, iostat -x and the
/// thread table parse back to the trace; the ledger's flushing holder is the one thread in D
/// state, waiting for its writeback, and the others sleep on the futex or wait for a client.
#[test]
fn a_lock_held_across_a_flush_parses_to_the_trace() {
    use sysdrill::domain::{IncidentId, Seed};
    let catalog = sysdrill::content::load_catalog(&[]).expect("shipped content loads");
    let incident = &catalog.incidents[&IncidentId::from("lock-across-fsync")];
    let seed = Seed(incident.default_seed);
    let variant = sysdrill::model::variant::pick(incident, seed);
    let trace = sysdrill::model::simulate(&variant, seed, 4);
    let Some(rows) = jc("vmstat", &run(&trace, "vmstat 1 3", 0)) else {
        return;
    };
    check_vmstat(&trace, &rows);
    let Some(rows) = jc("iostat", &run(&trace, "iostat -x 1 3", 0)) else {
        return;
    };
    check_iostat(&trace, &rows);
    let Some(rows) = jc("ps", &run(&trace, "ps -eLo pid,tid,stat,wchan:32,comm", 0)) else {
        return;
    };
    let ledger: Vec<&Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["command"] == "ledgerd")
        .collect();
    assert_eq!(ledger.len() as u32, variant.workloads[0].threads);
    let flushing: Vec<&&Value> = ledger
        .iter()
        .filter(|row| row["stat"].as_str().is_some_and(|s| s.starts_with('D')))
        .collect();
    assert!(flushing.len() <= 1, "{flushing:?}");
    for row in &flushing {
        assert_eq!(row["wchan"], "folio_wait_bit_common", "{row}");
    }
    for row in &ledger {
        let wchan = row["wchan"].as_str().unwrap_or_default();
        assert!(
            ["futex_wait_queue", "ep_poll", "folio_wait_bit_common", "-"].contains(&wchan),
            "{row}"
        );
    }
    let on_futex = ledger
        .iter()
        .filter(|row| row["wchan"] == "futex_wait_queue")
        .count();
    assert!(
        on_futex * 2 >= ledger.len(),
        "{on_futex} of {} on the futex",
        ledger.len()
    );
}
