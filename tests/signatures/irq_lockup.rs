//! `irq-spinlock-lockup`: what its drill says about the box holds on the model for seeds
//! 1..=20, and `try` agrees with its fix (an acquisition that masks the handler) and its red
//! flags (more threads, spreading the interrupts).

use super::facts::*;
use super::{SEEDS, incident};
use sysdrill::domain::{Incident, Seed, SpinAcquire};
use sysdrill::model::{LogKind, Trace, simulate, variant, whatif};

const ID: &str = "irq-spinlock-lockup";
/// Seconds simulated per seed.
const SECONDS: usize = 3;

/// The CPUs whose whole second went to softirq, in every sample.
fn stuck_cpus(t: &Trace) -> Vec<usize> {
    let mut stuck: Option<Vec<usize>> = None;
    for s in &t.samples {
        let soft = soft_pct(s);
        let now: Vec<usize> = (0..soft.len()).filter(|&c| soft[c] >= 99.5).collect();
        stuck = Some(match stuck {
            None => now,
            Some(before) => before.into_iter().filter(|c| now.contains(c)).collect(),
        });
    }
    stuck.unwrap_or_default()
}

fn lockup_reports(t: &Trace) -> Vec<&LogKind> {
    t.log
        .iter()
        .map(|e| &e.kind)
        .filter(|k| matches!(k, LogKind::IrqLockup { .. }))
        .collect()
}

fn throughput(t: &Trace) -> f64 {
    t.samples
        .iter()
        .map(|s| s.app.completed as f64)
        .sum::<f64>()
        / t.samples.len().max(1) as f64
}

fn changed(v: &Incident, overrides: &[whatif::Override]) -> Incident {
    whatif::apply(v, overrides).expect("valid overrides")
}

fn acquire(acquire: SpinAcquire) -> whatif::Override {
    whatif::Override::Acquire {
        lock: None,
        acquire,
    }
}

#[test]
fn drill_claims_hold_on_the_model() {
    let inc = incident(ID);
    let mut failures = Vec::new();
    for seed in SEEDS {
        let v = variant::pick(&inc, Seed(seed));
        let t = simulate(&v, Seed(seed), SECONDS);
        let mut fail = |what: &str| failures.push(format!("seed {seed}: {what}"));
        // "the console printed something about the watchdog": reported before the drill starts.
        let start_us = t.info.uptime_s * 1_000_000;
        let reports = lockup_reports(&t);
        if !t
            .log
            .iter()
            .any(|e| e.at_us < start_us && matches!(e.kind, LogKind::IrqLockup { .. }))
        {
            fail("no watchdog report before the drill");
        }
        // "a soft lockup on CPU 3, stuck for 22s and again every 26 s, with _raw_spin_lock and
        // native_queued_spin_lock_slowpath inside the <IRQ> section under mlx5e_poll_rx_cq and
        // the NAPI poll"; "the interrupted task is flowmon in mlx5_fc_query".
        let stucks: Vec<u32> = reports
            .iter()
            .filter_map(|k| match k {
                LogKind::IrqLockup {
                    cpu: 3,
                    soft_stuck_s: Some(s),
                    comm,
                    rip,
                    irq_stack,
                    task_stack,
                    ..
                } if comm == "flowmon"
                    && rip.starts_with("native_queued_spin_lock_slowpath")
                    && irq_stack[0].starts_with("_raw_spin_lock")
                    && irq_stack.iter().any(|f| f.starts_with("mlx5e_poll_rx_cq"))
                    && irq_stack.iter().any(|f| f.starts_with("mlx5e_napi_poll"))
                    && task_stack.iter().any(|f| f.starts_with("mlx5_fc_query")) =>
                {
                    Some(*s)
                }
                _ => None,
            })
            .collect();
        // (The log keeps the first report and the recent ones, as a ring buffer would.)
        if stucks.first() != Some(&22) || stucks.len() < 2 || !stucks.iter().all(|s| s % 26 == 22) {
            fail(&format!(
                "soft lockup reports on CPU 3 stuck for {stucks:?}"
            ));
        }
        // "About ten minutes ago, at a traffic peak, the console printed something about the
        // watchdog, and it keeps printing it every half minute": one lockup that never ends, not
        // freezes that pass. The first report comes 5 to 15 minutes before the drill, every
        // report counts its stuck time from the same start, and the latest before the drill is
        // under half a minute old; "nobody has rebooted the box": the uptime is older still.
        let soft_reports: Vec<(u64, u32)> = t
            .log
            .iter()
            .filter_map(|e| match e.kind {
                LogKind::IrqLockup {
                    soft_stuck_s: Some(s),
                    ..
                } => Some((e.at_us, s)),
                _ => None,
            })
            .collect();
        match soft_reports.first() {
            Some(&(first_us, first_s)) => {
                let onset_us = first_us.saturating_sub(u64::from(first_s) * 1_000_000);
                let before_drill_s = start_us.saturating_sub(first_us) / 1_000_000;
                if !(5 * 60..=15 * 60).contains(&before_drill_s) || onset_us == 0 {
                    fail(&format!(
                        "first watchdog report {before_drill_s} s before the drill"
                    ));
                }
                for &(at_us, stuck_s) in &soft_reports {
                    let since_onset_s = (at_us - onset_us) as f64 / 1e6;
                    if (since_onset_s - f64::from(stuck_s)).abs() > 1.0 {
                        fail(&format!(
                            "a report {since_onset_s:.0} s into the lockup says stuck for {stuck_s}s"
                        ));
                    }
                }
                let latest_us = soft_reports
                    .iter()
                    .map(|&(at_us, _)| at_us)
                    .filter(|&at_us| at_us < start_us)
                    .max()
                    .unwrap_or(0);
                if start_us - latest_us > 30_000_000 {
                    fail("no watchdog report in the half minute before the drill");
                }
            }
            None => fail("no soft lockup report"),
        }
        // "CPU 3 at 100 % soft and no idle while the other CPUs are fine and keep running
        // flowmon".
        if stuck_cpus(&t) != [3] {
            fail(&format!("stuck CPUs {:?}", stuck_cpus(&t)));
        }
        for (i, s) in t.samples.iter().enumerate() {
            let soft = soft_pct(s);
            let busy_others = s
                .cpus
                .iter()
                .enumerate()
                .filter(|&(c, cpu)| c != 3 && soft[c] <= 1.0 && cpu.user > 100_000_000)
                .count();
            if busy_others != s.cpus.len() - 1 {
                fail(&format!("second {i}: other CPUs not running flowmon"));
            }
            // "/proc/interrupts shows the NIC's count on CPU 3 has stopped incrementing".
            if s.detail.irqs.get(3).is_none_or(|c| c.nic != 0) {
                fail(&format!(
                    "second {i}: NIC interrupts still counted on CPU 3"
                ));
            }
            // "flowmon is still answering".
            if s.app.completed == 0 {
                fail(&format!("second {i}: flowmon completes nothing"));
            }
        }
    }
    assert!(failures.is_empty(), "{ID}:\n{}", failures.join("\n"));
}

/// The fixes of the model answer: irqsave, or `_bh` against this softirq handler, leave no CPU
/// stuck and no report, and flowmon completes as much as before (it has idle CPU to spare, so
/// getting CPU 3 back frees the NIC's receive path rather than flowmon). The red flags do not: more threads leave CPU 3
/// stuck, and spreading the interrupts over every CPU lets more CPUs lock up.
#[test]
fn try_agrees_with_the_fix_and_the_red_flags() {
    let inc = incident(ID);
    let mut failures = Vec::new();
    for seed in SEEDS {
        let v = variant::pick(&inc, Seed(seed));
        let before = simulate(&v, Seed(seed), SECONDS);
        for fix in [SpinAcquire::IrqSave, SpinAcquire::Bh] {
            let after = simulate(&changed(&v, &[acquire(fix)]), Seed(seed), SECONDS);
            if !stuck_cpus(&after).is_empty() || !lockup_reports(&after).is_empty() {
                failures.push(format!("seed {seed}: {fix:?} leaves a CPU stuck"));
            }
            if throughput(&after) < 0.95 * throughput(&before) {
                failures.push(format!("seed {seed}: {fix:?} completes less"));
            }
        }
        let threads = v.workloads[0].threads;
        // The red flag as the story tells it: twice the readers, each its own thread (the
        // incident's threads doubled, as a deploy would). `try threads=` instead resizes a
        // pool in front of the same readers; see the model's limits.
        let mut doubled = v.clone();
        doubled.workloads[0].threads = threads * 2;
        let more = simulate(&doubled, Seed(seed), SECONDS);
        if stuck_cpus(&more) != [3] {
            failures.push(format!(
                "seed {seed}: more threads left {:?} stuck",
                stuck_cpus(&more)
            ));
        }
        let spread = simulate(
            &changed(&v, &[whatif::Override::IrqSpread(true)]),
            Seed(seed),
            SECONDS,
        );
        if stuck_cpus(&spread).len() < 2 {
            failures.push(format!(
                "seed {seed}: spreading the interrupts left {:?} stuck",
                stuck_cpus(&spread)
            ));
        }
    }
    assert!(failures.is_empty(), "{ID}:\n{}", failures.join("\n"));
}
