//! Nested critical sections and the deadlocks their order allows: an outer lock's hold includes
//! the inner lock's wait (contention there amplifies the outer lock's holds and waits), a
//! reversed path meets the usual one and the two block for good, with or without a date, and
//! the kernel's reports (hung tasks, lockdep) say which locks.

use super::build::*;
use super::incidents::hung_deadlock;
use sysdrill::domain::*;
use sysdrill::model::{LogKind, Sample, Simulation, Trace, simulate};
use sysdrill::render::{parse_command, render};

/// Mean hold of lock `l` over the trace, ns.
fn mean_hold(t: &Trace, l: usize) -> f64 {
    let (held, n) = t.samples.iter().fold((0u64, 0u64), |(h, n), s| {
        (h + s.locks[l].hold_total_ns, n + s.locks[l].acquired)
    });
    held as f64 / n.max(1) as f64
}

fn mean_wait(t: &Trace, l: usize) -> f64 {
    let (waited, n) = t.samples.iter().fold((0u64, 0u64), |(w, n), s| {
        (w + s.locks[l].wait_total_ns, n + s.locks[l].acquired)
    });
    waited as f64 / n.max(1) as f64
}

/// A service taking kernel mutex `outer` (2 µs of its own work) with `inner` (3 µs) inside,
/// and `batch` threads of another process holding `inner` alone for 40 µs at a time.
fn amplified(batch: u32) -> Incident {
    let mut svc = workload(16, Arrivals::Closed { think_us: 200.0 }, 20.0);
    svc.request.critical_sections = vec![CriticalSection {
        lock: 0,
        hold_us: 2.0,
        write_fraction: 1.0,
        io: None,
        nested: vec![NestedSection {
            lock: 1,
            hold_us: 3.0,
            write_fraction: 1.0,
            reverse_fraction: 0.0,
        }],
    }];
    let mut other = workload(batch.max(1), Arrivals::Closed { think_us: 60.0 }, 5.0);
    other.name = "batch".into();
    other.pid = 5000;
    other.request.critical_sections = vec![CriticalSection {
        lock: if batch == 0 { 2 } else { 1 },
        hold_us: 40.0,
        write_fraction: 1.0,
        io: None,
        nested: Vec::new(),
    }];
    let mut outer = lock("outer", LockKind::Mutex, LockScope::Kernel);
    outer.class_name = "&sb->s_umount".into();
    outer.caller = "iterate_supers+0x7b".into();
    let mut inner = lock("inner", LockKind::Mutex, LockScope::Kernel);
    inner.class_name = "&inode->i_rwsem".into();
    inner.caller = "inode_lock+0x1c".into();
    let mut spare = lock("spare", LockKind::Mutex, LockScope::Kernel);
    spare.class_name = "&spare->lock".into();
    incident(
        machine(8),
        vec![svc, other],
        vec![outer, inner, spare],
        Costs::default(),
    )
}

/// Contention on the inner lock shows in the outer lock's numbers: its mean hold grows by the
/// inner wait, and its waiters wait longer, in the counters perf lock and lock_stat print.
#[test]
fn inner_contention_amplifies_the_outer_locks_holds_and_waits() {
    let quiet = simulate(&amplified(0), Seed(3), 3);
    let busy = simulate(&amplified(6), Seed(3), 3);
    let own = 2_000.0 + 3_000.0;
    let quiet_hold = mean_hold(&quiet, 0);
    assert!(
        quiet_hold >= own * 0.8 && quiet_hold < own * 2.0,
        "uncontended outer hold {quiet_hold:.0} ns"
    );
    let busy_hold = mean_hold(&busy, 0);
    assert!(
        busy_hold > 3.0 * quiet_hold,
        "outer hold {quiet_hold:.0} -> {busy_hold:.0} ns"
    );
    // The outer hold includes the inner wait.
    assert!(busy_hold >= mean_wait(&busy, 1) + own * 0.5);
    assert!(mean_wait(&busy, 0) > 3.0 * mean_wait(&quiet, 0).max(1.0));
    let report = render(&busy, &parse_command("cat /proc/lock_stat").unwrap(), 1);
    assert!(report.contains("&sb->s_umount"), "{report}");
}

/// hung-deadlock undated: the reversed path runs from the start, and the deadlock forms when
/// a reversed request meets a usual one (seeded: the same second for the same seed). From
/// then on every thread is in D state, and the hung-task detector reports them at its checks,
/// each at least two minutes after the deadlock formed (before the drill when it formed in the
/// warm-up, which stands for the time before the drill).
#[test]
fn an_undated_abba_deadlock_forms_from_the_timing_and_is_reported_two_minutes_later() {
    let mut inc = hung_deadlock();
    inc.faults = vec![Fault::Deadlock {
        first: 0,
        second: 1,
        after_s: None,
    }];
    inc.workloads[0].request.critical_sections[0].nested[0].reverse_fraction = 0.01;
    for seed in 1..=4 {
        let stuck = |s: &Sample| s.blocked >= 31.5 && s.runnable < 0.5;
        let mut sim = Simulation::new(&inc, Seed(seed));
        sim.advance_to(30);
        let t = sim.trace();
        let seconds: Vec<f64> = t.samples.iter().map(|s| s.blocked).collect();
        let formed = t
            .samples
            .iter()
            .position(stuck)
            .unwrap_or_else(|| panic!("seed {seed}: no deadlock in 30 s: {seconds:?}"));
        assert!(
            t.samples[formed..].iter().all(stuck),
            "seed {seed}: {seconds:?}"
        );
        sim.advance_to(formed + 250);
        let up = sim.trace().info.uptime_s;
        let hung: Vec<(u64, u32)> = sim
            .trace()
            .log
            .iter()
            .filter_map(|e| match e.kind {
                LogKind::HungTask { blocked_s, .. } => Some((e.at_us / 1_000_000, blocked_s)),
                _ => None,
            })
            .collect();
        assert!(!hung.is_empty(), "seed {seed}: no hung task");
        // Every report dates the deadlock to one moment, at or before the second it showed.
        let onset: Vec<u64> = hung.iter().map(|&(at, b)| at - u64::from(b)).collect();
        assert!(
            hung.iter().all(|&(_, b)| b >= 120)
                && onset
                    .iter()
                    .all(|&o| o.abs_diff(onset[0]) <= 1 && o <= up + formed as u64),
            "seed {seed}: {hung:?}"
        );
        let again = simulate(&inc, Seed(seed), formed + 1);
        assert!(
            stuck(&again.samples[formed]),
            "seed {seed}: not reproducible"
        );
    }
}

/// With lockdep the kernel names the cycle: the circular-dependency report with both lock
/// classes and the unsafe scenario, and the held-locks list after the hung tasks.
#[test]
fn lockdep_reports_the_circular_dependency_and_the_locks_held() {
    let mut inc = hung_deadlock();
    inc.machine.lockdep = true;
    let t = simulate(&inc, Seed(2), 2);
    let dmesg = render(&t, &parse_command("dmesg").unwrap(), 2);
    for line in [
        "WARNING: possible circular locking dependency detected",
        "but task is already holding lock:",
        "(&ei->i_data_sem){++++}-{3:3}, at: ext4_map_blocks+0x1b4/",
        "(&journal->j_checkpoint_mutex){+.+.}-{3:3}, at: __jbd2_log_wait_for_space+0xc4/",
        " *** DEADLOCK ***",
        "Showing all locks held in the system:",
        "1 lock held by khungtaskd/",
    ] {
        assert!(dmesg.contains(line), "{line} missing from\n{dmesg}");
    }
    // Each of the cycle's two threads holds one lock, of a different class.
    let held: Vec<&str> = dmesg
        .lines()
        .filter(|l| l.contains("1 lock held by ingestd/") || l.contains("1 lock held by worker/"))
        .collect();
    assert!(held.len() >= 2, "{held:?}");
    // Without lockdep, neither.
    let plain = render(
        &simulate(&hung_deadlock(), Seed(2), 2),
        &parse_command("dmesg").unwrap(),
        2,
    );
    assert!(!plain.contains("circular locking") && !plain.contains("locks held"));
}

/// `ps -eLo pid,tid,stat,wchan:32,comm` shows the stuck threads in D with their lock's slow path
/// as the wait channel, and each cycle thread's stack names both locks' code.
#[test]
fn ps_and_proc_stacks_show_the_cycle() {
    let inc = hung_deadlock();
    let t = simulate(&inc, Seed(4), 2);
    let ps = render(
        &t,
        &parse_command("ps -eLo pid,tid,stat,wchan:32,comm").unwrap(),
        2,
    );
    let app: Vec<&str> = ps.lines().filter(|l| l.contains(" 4242 ")).collect();
    assert_eq!(app.len(), 32, "{ps}");
    assert!(app.iter().all(|l| l.contains(" D")), "{app:#?}");
    let mutex = app
        .iter()
        .filter(|l| l.contains("__mutex_lock.constprop.0"))
        .count();
    let rwsem = app
        .iter()
        .filter(|l| l.contains("rwsem_down_write_slowpath"))
        .count();
    assert!(mutex >= 1 && rwsem >= 1 && mutex + rwsem == 32, "{app:#?}");
    let stacks = render(
        &t,
        &parse_command("cat /proc/4242/task/*/stack").unwrap(),
        2,
    );
    let both = |wait: &str| {
        stacks.split("[<0>] ").collect::<String>().contains(wait)
            && stacks.contains("ext4_map_blocks+0x1b4/")
            && stacks.contains("__jbd2_log_wait_for_space+0xc4/")
    };
    assert!(both("rwsem_down_write_slowpath") && both("__mutex_lock.constprop.0"));
}

/// jc reads `ps -eLo pid,tid,stat,wchan:32,comm` of the deadlocked box: one row per thread, each
/// in D with its lock's slow path as the wait channel.
#[test]
fn jc_reads_the_deadlocked_threads_from_ps() {
    let t = simulate(&hung_deadlock(), Seed(6), 2);
    let ps = render(
        &t,
        &parse_command("ps -eLo pid,tid,stat,wchan:32,comm").unwrap(),
        2,
    );
    let Some(rows) = crate::render::jc::jc("ps", &ps) else {
        return;
    };
    let rows: Vec<_> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["pid"].as_u64() == Some(4242))
        .collect();
    assert_eq!(rows.len(), 32);
    for row in rows {
        assert!(
            row["stat"].as_str().is_some_and(|s| s.starts_with('D')),
            "{row}"
        );
        let wchan = row["wchan"].as_str().unwrap_or_default();
        assert!(
            matches!(
                wchan,
                "__mutex_lock.constprop.0" | "rwsem_down_write_slowpath"
            ),
            "{row}"
        );
    }
}
