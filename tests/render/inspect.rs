//! The thread-level tools and kernel files (`ps`, `top -H`, `pidstat -t|-r`, `/proc/PID/stack`,
//! `/proc/meminfo`, `/proc/vmstat`, `/proc/pressure/*`, `/proc/interrupts`, `/proc/softirqs`,
//! `sar -q|-w`, `strace -c`, `perf trace -s`, `perf sched latency`, `perf stat -a`) on real
//! incidents: snapshots, the jc round trip where jc has a parser (ps, pidstat, the /proc files
//! but pressure), and agreement with the other tools over the same seconds.

use sysdrill::console::Console;
use sysdrill::domain::*;
use sysdrill::model::{ThreadState, Trace, WaitFor};

use super::jc::jc;

/// The console after running `lines` in order on `incident` with `seed`: every output, and
/// the trace.
fn session(incident: &str, seed: u64, lines: &[&str]) -> (Vec<String>, Trace) {
    let catalog = sysdrill::content::load_catalog(&[]).expect("embedded content loads");
    let incident = &catalog.incidents[&IncidentId::from(incident)];
    let seed = Seed(seed);
    let concrete = sysdrill::model::variant::pick(incident, seed);
    let mut console = Console::new(&concrete, seed);
    let outs = lines
        .iter()
        .map(|l| console.run(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    (outs, console.simulation().trace().clone())
}

#[test]
fn snapshots_on_slow_under_load() {
    let lines = [
        ("ps_threads", "ps -eLo pid,tid,stat,wchan,comm"),
        ("ps_ef", "ps -ef"),
        ("ps_aux", "ps aux"),
        ("proc_stack", "cat /proc/4242/stack"),
        ("proc_meminfo", "cat /proc/meminfo"),
        ("proc_vmstat", "cat /proc/vmstat"),
        ("proc_pressure_cpu", "cat /proc/pressure/cpu"),
        ("proc_interrupts", "cat /proc/interrupts"),
        ("proc_softirqs", "cat /proc/softirqs"),
        ("strace_c", "timeout 2 strace -c -f -p 4242"),
        ("top_threads", "top -H -b -n 1"),
        ("pidstat_threads", "pidstat -t -h 1 1"),
        ("pidstat_threads_switches", "pidstat -w -t 1 1"),
        ("pidstat_memory", "pidstat -r 1 2"),
        ("pidstat_disk", "pidstat -d 1 2"),
        ("sar_queue", "sar -q 1 3"),
        ("sar_switches", "sar -w 1 3"),
        ("perf_trace_summary", "perf trace -s -p 4242 -- sleep 1"),
        ("perf_stat", "perf stat -a -- sleep 2"),
    ];
    for (name, line) in lines {
        // Each from a fresh console after two seconds, so snapshots do not depend on order.
        let (outs, _) = session("slow-under-load", 7, &["vmstat 1 3", line]);
        snapshot(name, line, &outs[1]);
    }
    let (outs, _) = session(
        "slow-under-load",
        7,
        &[
            "perf sched record -- sleep 1",
            "perf sched latency | head -12",
        ],
    );
    snapshot(
        "perf_sched_latency",
        "perf sched latency | head -12",
        &outs[1],
    );
    // Kernel mutex waiters in D state, with the lock's slow path and caller.
    let (outs, trace) = session("hung-deadlock", 1, &["vmstat 1 2", "ps -ef"]);
    let pid = trace
        .info
        .tasks
        .iter()
        .find(|t| !t.kernel_thread)
        .expect("a workload")
        .pid;
    assert!(outs[1].contains(&format!(" {pid} ")));
    let line = format!("cat /proc/{pid}/task/{}/stack", pid + 1);
    let (outs, _) = session("hung-deadlock", 1, &["vmstat 1 2", &line]);
    snapshot("proc_task_stack_kernel_mutex", &line, &outs[1]);
}

fn snapshot(name: &str, line: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        description => line,
    }, {
        insta::assert_snapshot!(format!("render__{name}"), text);
    });
}

/// Per-interval rows of a sysstat report, split into columns: lines stamped with a time whose
/// next column is a number (banner, headers and `Average:` lines skipped).
fn sysstat_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .filter(|l| l.as_bytes().first().is_some_and(u8::is_ascii_digit))
        .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|r| r.get(1).is_some_and(|v| v.parse::<f64>().is_ok()))
        .collect()
}

/// sar's cswch/s is vmstat's cs and its runq-sz and blocked vmstat's r and b, second by
/// second; perf stat's context switches are their sum; pidstat -t's process lines are plain
/// pidstat's; top -H lists every thread ps -eL lists.
#[test]
fn thread_and_sar_reports_agree_with_the_rest() {
    for (incident, seed) in [
        ("slow-under-load", 7),
        ("runqueue-contention", 2),
        ("disk-saturation", 4),
    ] {
        let (outs, _) = session(
            incident,
            seed,
            &[
                "vmstat 1 4",
                "sar -w 1 3",
                "sar -q 1 3",
                "perf stat -a -- sleep 3",
            ],
        );
        // vmstat's rows after its two header lines (the first row is the since-boot one).
        let vm = |text: &str| -> Vec<Vec<u64>> {
            text.lines()
                .skip(2)
                .map(|l| l.split_whitespace().map(|w| w.parse().unwrap()).collect())
                .collect()
        };
        // sar and vmstat from fresh consoles cover the same seconds: vmstat's first line is
        // the since-boot one, then seconds 0, 1, 2 as sar's three rows.
        let (sar_w, _) = session(incident, seed, &["sar -w 1 3"]);
        let (sar_q, _) = session(incident, seed, &["sar -q 1 3"]);
        let (vm_same, _) = session(incident, seed, &["vmstat 1 4"]);
        let seconds: Vec<Vec<u64>> = vm(&vm_same[0]).into_iter().skip(1).collect();
        let cswch: Vec<f64> = sysstat_rows(&sar_w[0])
            .iter()
            .map(|r| r[2].parse().unwrap())
            .collect();
        let cs: Vec<f64> = seconds.iter().map(|r| r[11] as f64).collect();
        assert_eq!(cswch, cs, "{incident}: sar -w cswch/s vs vmstat cs");
        let queue: Vec<(u64, u64)> = sysstat_rows(&sar_q[0])
            .iter()
            .map(|r| (r[1].parse().unwrap(), r[6].parse().unwrap()))
            .collect();
        let rb: Vec<(u64, u64)> = seconds.iter().map(|r| (r[0], r[1])).collect();
        assert_eq!(
            queue, rb,
            "{incident}: sar -q runq-sz/blocked vs vmstat r/b"
        );
        // perf stat counted seconds 9..12 of the first session; a vmstat 1 4 after the same
        // first three commands prints those seconds.
        let stat_cs: u64 = outs[3]
            .lines()
            .find(|l| l.contains("context-switches"))
            .and_then(|l| l.split_whitespace().next())
            .map(|v| v.replace(',', "").parse().unwrap())
            .unwrap();
        let (vm_stat, _) = session(
            incident,
            seed,
            &["vmstat 1 4", "sar -w 1 3", "sar -q 1 3", "vmstat 1 4"],
        );
        let during: u64 = vm(&vm_stat[3]).iter().skip(1).map(|r| r[11]).sum();
        assert_eq!(
            stat_cs, during,
            "{incident}: perf stat context-switches vs vmstat cs"
        );

        let (p, _) = session(incident, seed, &["pidstat -u -h 1 1"]);
        let (pt, _) = session(incident, seed, &["pidstat -t -h 1 1"]);
        let plain: Vec<Vec<String>> = sysstat_rows(&p[0]);
        let processes: Vec<Vec<String>> = sysstat_rows(&pt[0])
            .into_iter()
            .filter(|r| r[3] == "-")
            .collect();
        assert_eq!(plain.len(), processes.len(), "{incident}");
        for (a, b) in plain.iter().zip(&processes) {
            assert_eq!(a[2], b[2], "{incident}: pid");
            assert_eq!(a[3..], b[4..], "{incident}: pidstat -t process line");
        }

        let (t, trace) = session(incident, seed, &["vmstat 1 2", "top -H -b -n 1", "ps -eLf"]);
        // Simulated threads, plus every thread of the processes with no simulated work (init,
        // daemons, kernel threads), which sleep throughout.
        let detail = &trace.samples[1].detail.threads;
        let idle: u32 = trace
            .info
            .tasks
            .iter()
            .enumerate()
            .filter(|(index, _)| !detail.iter().any(|t| t.task == *index))
            .map(|(_, task)| task.threads.max(1))
            .sum();
        let threads = detail.len() + idle as usize;
        assert!(
            t[1].contains(&format!("Threads: {threads:3} total")),
            "{}",
            t[1]
        );
        assert_eq!(
            t[2].lines().count() - 1,
            threads,
            "{incident}: ps -eLf rows"
        );
    }
}

/// pidstat -d charges every KiB iostat saw read and written (swap-out aside) to a process.
#[test]
fn pidstat_disk_adds_up_to_the_devices() {
    for seed in 1..=3 {
        let (p, trace) = session("disk-saturation", seed, &["pidstat -d -h 1 1"]);
        let rows = sysstat_rows(&p[0]);
        let read: f64 = rows.iter().map(|r| r[3].parse::<f64>().unwrap()).sum();
        let written: f64 = rows.iter().map(|r| r[4].parse::<f64>().unwrap()).sum();
        let s = &trace.samples[0];
        let device_read: u64 = s.disks.iter().map(|d| d.read_kib).sum();
        let device_written = s.blocks_out_kib - s.swap_out_kib;
        assert!(
            (read - device_read as f64).abs() <= 0.01 * rows.len() as f64,
            "{read} vs {device_read}"
        );
        assert!(
            (written - device_written as f64).abs() <= 0.01 * rows.len() as f64,
            "{written} vs {device_written}"
        );
    }
}

/// perf trace's futex totals per thread are the futex calls strace counts for the process.
#[test]
fn perf_trace_and_strace_count_the_same_calls() {
    let (outs, _) = session("slow-under-load", 7, &["perf trace -s -p 4242 -- sleep 2"]);
    let (strace, _) = session("slow-under-load", 7, &["timeout 2 strace -c -f -p 4242"]);
    let trace_futex: u64 = outs[0]
        .lines()
        .filter(|l| l.trim_start().starts_with("futex "))
        .map(|l| l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    let strace_futex: u64 = strace[0]
        .lines()
        .find(|l| l.ends_with(" futex"))
        .map(|l| l.split_whitespace().nth(3).unwrap().parse().unwrap())
        .unwrap();
    assert!(trace_futex > 0);
    assert_eq!(trace_futex, strace_futex);
}

/// A user-space mutex storm: threads asleep on the lock sit in `futex_wait_queue` in ps and in
/// their stacks, and strace counts their futex calls.
#[test]
fn user_lock_waiters_show_in_futex() {
    let (outs, trace) = session(
        "slow-under-load",
        7,
        &[
            "vmstat 1 3",
            "ps -eLo pid,tid,stat,wchan:32,comm",
            "cat /proc/4242/task/*/stack",
            "timeout 2 strace -c -f -p 4242",
        ],
    );
    let last = &trace.samples[1];
    let on_lock = last
        .detail
        .threads
        .iter()
        .filter(|t| matches!(t.state, ThreadState::Sleeping(WaitFor::Lock(_))))
        .count();
    let futex_rows = outs[1]
        .lines()
        .filter(|l| l.contains(" futex_wait_queue "))
        .count();
    assert!(on_lock > 0, "no thread waits on the lock");
    assert!(futex_rows >= on_lock, "{}", outs[1]);
    assert!(
        outs[2].matches("futex_wait_queue+0x").count() >= on_lock,
        "{}",
        outs[2]
    );
    let futex = outs[3]
        .lines()
        .find(|l| l.ends_with(" futex"))
        .expect("strace lists futex");
    let calls: u64 = futex.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(calls > 0, "{futex}");
}

/// ps thread states agree with vmstat's r and b in the same second: threads in R are at least
/// the rounded run queue at the end of the second is not guaranteed (vmstat averages over the
/// second), but the D threads of the main process are exactly the sample's count.
#[test]
fn ps_states_agree_with_the_task_samples() {
    for incident in ["slow-under-load", "disk-saturation", "hung-deadlock"] {
        for seed in 1..=3 {
            let (outs, trace) =
                session(incident, seed, &["vmstat 1 3", "ps -eLo pid,tid,stat,comm"]);
            let last = &trace.samples[1];
            for (index, task) in trace.info.tasks.iter().enumerate() {
                if task.kernel_thread {
                    continue;
                }
                let rows: Vec<&str> = outs[1]
                    .lines()
                    .filter(|l| l.split_whitespace().next() == Some(&task.pid.to_string()))
                    .collect();
                let d = rows
                    .iter()
                    .filter(|l| {
                        l.split_whitespace()
                            .nth(2)
                            .is_some_and(|s| s.starts_with('D'))
                    })
                    .count() as u32;
                let r = rows
                    .iter()
                    .filter(|l| {
                        l.split_whitespace()
                            .nth(2)
                            .is_some_and(|s| s.starts_with('R'))
                    })
                    .count() as u32;
                assert_eq!(rows.len() as u32, task.threads, "{incident} {seed}");
                assert_eq!(d, last.tasks[index].uninterruptible, "{incident} {seed} D");
                assert_eq!(r, last.tasks[index].running, "{incident} {seed} R");
            }
        }
    }
}

/// /proc/meminfo agrees with free; /proc/vmstat's swap and block counters move by exactly what
/// vmstat printed for the seconds in between; /proc/interrupts moves by vmstat's `in`.
#[test]
fn proc_files_agree_with_vmstat_and_free() {
    for incident in ["p99-tail-reclaim", "slow-under-load", "disk-saturation"] {
        let (outs, trace) = session(
            incident,
            3,
            &[
                "cat /proc/meminfo",
                "cat /proc/vmstat",
                "cat /proc/interrupts",
                "vmstat 1 4",
                "free",
                "cat /proc/meminfo",
                "cat /proc/vmstat",
                "cat /proc/interrupts",
            ],
        );
        let field = |text: &str, name: &str| -> u64 {
            text.lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':').or_else(|| l.split_once(' '))?;
                    (k.trim() == name).then(|| v.split_whitespace().next()?.parse().ok())?
                })
                .unwrap_or_else(|| panic!("{name} missing"))
        };
        let free_row: Vec<u64> = outs[4]
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect();
        let meminfo = &outs[5];
        assert_eq!(field(meminfo, "MemTotal"), free_row[0]);
        assert_eq!(field(meminfo, "MemFree"), free_row[2]);
        assert_eq!(field(meminfo, "Shmem"), free_row[3]);
        assert_eq!(
            field(meminfo, "Buffers") + field(meminfo, "Cached") + field(meminfo, "SReclaimable"),
            free_row[4]
        );
        assert_eq!(field(meminfo, "MemAvailable"), free_row[5]);
        let seconds = &trace.samples[..3];
        let moved = |name: &str| field(&outs[6], name) - field(&outs[1], name);
        assert_eq!(
            moved("pswpin"),
            seconds.iter().map(|s| s.swap_in_kib / 4).sum::<u64>()
        );
        assert_eq!(
            moved("pswpout"),
            seconds.iter().map(|s| s.swap_out_kib / 4).sum::<u64>()
        );
        assert_eq!(
            moved("pgpgin"),
            seconds.iter().map(|s| s.blocks_in_kib).sum::<u64>()
        );
        let irq_total = |text: &str| -> u64 {
            text.lines()
                .skip(1)
                .flat_map(|l| {
                    l.split_once(':')
                        .map(|(_, rest)| rest)
                        .unwrap_or("")
                        .split_whitespace()
                        .map_while(|w| w.parse::<u64>().ok())
                        .collect::<Vec<_>>()
                })
                .sum()
        };
        let vmstat_in: u64 = outs[3]
            .lines()
            .skip(3)
            .map(|l| {
                l.split_whitespace()
                    .nth(10)
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
            })
            .sum();
        assert_eq!(
            irq_total(&outs[7]) - irq_total(&outs[2]),
            vmstat_in,
            "{incident}"
        );
    }
}

#[test]
fn jc_reads_ps_and_meminfo() {
    let (outs, trace) = session(
        "slow-under-load",
        7,
        &["vmstat 1 2", "ps -ef", "cat /proc/meminfo"],
    );
    if let Some(rows) = jc("ps", &outs[1]) {
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), trace.info.tasks.len());
        for (row, task) in rows.iter().zip(&trace.info.tasks) {
            assert_eq!(row["pid"].as_u64(), Some(u64::from(task.pid)));
            assert_eq!(row["uid"].as_str(), Some(task.user.as_str()));
        }
    }
    let (more, more_trace) = session(
        "slow-under-load",
        7,
        &[
            "vmstat 1 2",
            "cat /proc/vmstat",
            "cat /proc/interrupts",
            "cat /proc/softirqs",
            "pidstat -t -h 1 1",
        ],
    );
    if let Some(v) = jc("proc-vmstat", &more[1]) {
        let s = &trace.samples[0];
        let up = trace.info.uptime_s;
        assert_eq!(
            v["pswpout"].as_u64(),
            Some(trace.since_boot.swap_out_kib / 4 * up + s.swap_out_kib / 4)
        );
        assert_eq!(v["nr_free_pages"].as_u64(), Some(s.mem.free_kib / 4));
    }
    if let Some(rows) = jc("proc-interrupts", &more[2]) {
        let loc = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["irq"] == "LOC")
            .expect("LOC row");
        for (c, count) in loc["interrupts"].as_array().unwrap().iter().enumerate() {
            let expected = trace.info.irq_history[c].timer + trace.samples[0].detail.irqs[c].timer;
            assert_eq!(count.as_u64(), Some(expected), "CPU{c}");
        }
    }
    if let Some(rows) = jc("proc-softirqs", &more[3]) {
        let timer = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["counter"] == "TIMER")
            .expect("TIMER row");
        let expected = trace.info.irq_history[0].timer + trace.samples[0].detail.irqs[0].timer;
        assert_eq!(timer["CPU0"].as_u64(), Some(expected));
    }
    if let Some(rows) = jc("pidstat", &more[4]) {
        let second = &more_trace.samples[1];
        let rows = rows.as_array().unwrap();
        for thread in second
            .detail
            .threads
            .iter()
            .filter(|t| t.user_ns + t.system_ns > 0)
        {
            let row = rows
                .iter()
                .find(|r| r["tid"] == thread.tid.to_string().as_str())
                .unwrap_or_else(|| panic!("thread {} missing", thread.tid));
            let usr = row["percent_usr"].as_f64().unwrap();
            assert!((usr - thread.user_ns as f64 / 1e7).abs() <= 0.005 + 1e-9);
            let sys = row["percent_system"].as_f64().unwrap();
            assert!((sys - thread.system_ns as f64 / 1e7).abs() <= 0.005 + 1e-9);
        }
    }
    if let Some(info) = jc("proc-meminfo", &outs[2]) {
        let m = &trace.samples[0].mem;
        assert_eq!(info["MemTotal"].as_u64(), Some(trace.info.mem_total_kib));
        assert_eq!(info["MemFree"].as_u64(), Some(m.free_kib));
        assert_eq!(info["MemAvailable"].as_u64(), Some(m.available_kib));
        assert_eq!(
            info["Cached"].as_u64().unwrap() + info["SReclaimable"].as_u64().unwrap(),
            m.cache_kib
        );
    }
}

mod props {
    use proptest::prelude::*;
    use sysdrill::render::{parse_command, render};

    use super::super::fixture::fixture_trace;

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("ps".to_owned()),
            Just("-eLo".to_owned()),
            Just("pid,tid,stat,wchan,comm".to_owned()),
            Just("aux".to_owned()),
            Just("strace".to_owned()),
            Just("timeout".to_owned()),
            Just("sar".to_owned()),
            Just("perf".to_owned()),
            Just("trace".to_owned()),
            Just("sched".to_owned()),
            Just("stat".to_owned()),
            Just("latency".to_owned()),
            Just("record".to_owned()),
            Just("sleep".to_owned()),
            Just("--".to_owned()),
            Just("cat".to_owned()),
            Just("/proc/4242/task/*/stack".to_owned()),
            Just("/proc/pressure/io".to_owned()),
            Just("top".to_owned()),
            Just("-H".to_owned()),
            Just("pidstat".to_owned()),
            Just("-t".to_owned()),
            Just("-p".to_owned()),
            "-[a-zA-Z]{1,4}",
            "[0-9]{1,7}",
            ".{0,6}",
        ]
    }

    /// Valid commands of these tools, with varied numbers.
    fn valid() -> impl Strategy<Value = String> {
        let n = || 1u32..4;
        prop_oneof![
            Just("ps -eLo pid,tid,stat,wchan,comm".to_owned()),
            Just("ps -eLf".to_owned()),
            Just("ps aux".to_owned()),
            (0u32..5000).prop_map(|p| format!("cat /proc/{p}/task/*/stack")),
            (0u32..5000).prop_map(|p| format!("cat /proc/{p}/stack")),
            prop_oneof![
                Just("/proc/meminfo"),
                Just("/proc/vmstat"),
                Just("/proc/pressure/cpu"),
                Just("/proc/pressure/memory"),
                Just("/proc/interrupts"),
                Just("/proc/softirqs"),
            ]
            .prop_map(|f| format!("cat {f}")),
            (n(), n()).prop_map(|(i, c)| format!("sar -q {i} {c}")),
            (n(), n()).prop_map(|(i, c)| format!("sar -w {i} {c}")),
            (n(), 0u32..5000).prop_map(|(s, p)| format!("timeout {s} strace -c -f -p {p}")),
            (n(), 0u32..5000).prop_map(|(s, p)| format!("perf trace -s -p {p} -- sleep {s}")),
            n().prop_map(|s| format!("perf stat -a -- sleep {s}")),
            n().prop_map(|s| format!("perf sched record -- sleep {s}")),
            Just("perf sched latency".to_owned()),
            (n(), n()).prop_map(|(f, d)| format!("top -H -b -n {f} -d {d}")),
            (n(), n()).prop_map(|(i, c)| format!("pidstat -t {i} {c}")),
            (n(), n()).prop_map(|(i, c)| format!("pidstat -r -h {i} {c}")),
            (n(), n()).prop_map(|(i, c)| format!("pidstat -d {i} {c}")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn parser_never_panics(words in prop::collection::vec(word(), 0..7)) {
            let _ = parse_command(&words.join(" "));
        }

        #[test]
        fn renderers_never_panic(line in valid(), seconds in 0u64..4, start in 0usize..6) {
            let command = parse_command(&line).unwrap();
            let trace = fixture_trace(seconds);
            let _ = render(&trace, &command, start);
        }
    }
}
