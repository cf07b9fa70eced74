//! Interrupt time is the CPU's, not the interrupted task's (IRQ time accounting, as on the
//! distribution kernels the incidents run): on every shipped incident for seeds 1..=10 the
//! tasks pidstat lists never add up to more user and system time than mpstat gives the CPUs
//! over the same second, and on `irq-spinlock-lockup` the thread whose CPU is stuck in a
//! softirq (the lock's holder, interrupted for good) shows no CPU at all.

use sysdrill::domain::Seed;
use sysdrill::model::{LogKind, Trace, simulate, variant};

use super::run;

/// Seeds the accounting checks run every shipped incident at.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=10;

/// The first report's rows of a sysstat tool: each row's fields by the header's column names.
/// The header's first field is the time, so names and values line up from the second on.
fn first_report(out: &str) -> Vec<Vec<(String, String)>> {
    let mut lines = out
        .lines()
        .skip_while(|l| !l.contains('%'))
        .take_while(|l| !l.trim().is_empty());
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let names: Vec<&str> = header.split_whitespace().skip(1).collect();
    lines
        .map(|l| {
            names
                .iter()
                .zip(l.split_whitespace().skip(1))
                .map(|(n, v)| ((*n).to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn field<'a>(row: &'a [(String, String)], name: &str) -> &'a str {
    row.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{name} in {row:?}"))
}

fn pct(row: &[(String, String)], name: &str) -> f64 {
    field(row, name)
        .parse()
        .unwrap_or_else(|_| panic!("{name} a number in {row:?}"))
}

/// Per CPU: (its id, %usr + %nice + %sys, %irq, %soft) in mpstat's first second.
fn cpu_rows(t: &Trace) -> Vec<(u32, f64, f64, f64)> {
    first_report(&run(t, "mpstat -P ALL 1 1", 0))
        .iter()
        .filter_map(|r| {
            let cpu = field(r, "CPU").parse().ok()?;
            let busy = pct(r, "%usr") + pct(r, "%nice") + pct(r, "%sys");
            Some((cpu, busy, pct(r, "%irq"), pct(r, "%soft")))
        })
        .collect()
}

fn every_incident(mut check: impl FnMut(&str, u64, &Trace)) {
    let catalog = sysdrill::content::load_catalog(&[]).expect("shipped content loads");
    for incident in catalog.incidents.values() {
        for seed in SEEDS {
            let v = variant::pick(incident, Seed(seed));
            check(incident.id.as_str(), seed, &simulate(&v, Seed(seed), 2));
        }
    }
}

#[test]
fn tasks_never_take_more_cpu_than_the_cpus_gave_to_tasks() {
    let mut failures = Vec::new();
    every_incident(|id, seed, t| {
        let cpu_rows = cpu_rows(t);
        let cpus: f64 = cpu_rows.iter().map(|&(_, busy, _, _)| busy).sum();
        // ksoftirqd/N is the one task softirq time is charged to (it runs the deferred work
        // as itself, and the kernel keeps its time its own), while the CPU counts it %soft.
        let rows: Vec<_> = first_report(&run(t, "pidstat 1 1", 0))
            .into_iter()
            .filter(|r| !field(r, "Command").starts_with("ksoftirqd/"))
            .collect();
        let tasks: f64 = rows
            .iter()
            .map(|r| pct(r, "%usr") + pct(r, "%system"))
            .sum();
        // Timer ticks on a working CPU: the sample moves their time from its usr/sys to %irq
        // and leaves the tasks' times as they are (a few hundredths of a CPU).
        let ticks: f64 = cpu_rows
            .iter()
            .filter(|&&(_, busy, _, _)| busy > 0.0)
            .map(|&(_, _, irq, _)| irq)
            .sum();
        // Each figure is rounded to 0.01: half of that per task and per CPU, both ways.
        let slack = ticks + 0.005 * (2 * rows.len() + cpu_rows.len()) as f64 + 0.01;
        if tasks > cpus + slack {
            failures.push(format!(
                "{id} seed {seed}: pidstat's tasks {tasks:.2} % usr+system, mpstat's CPUs \
                 {cpus:.2} % usr+nice+sys"
            ));
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_holder_under_a_stuck_softirq_is_charged_nothing() {
    let catalog = sysdrill::content::load_catalog(&[]).expect("shipped content loads");
    let incident = catalog
        .incidents
        .values()
        .find(|i| i.id.as_str() == "irq-spinlock-lockup")
        .expect("irq-spinlock-lockup ships");
    let mut failures = Vec::new();
    for seed in SEEDS {
        let v = variant::pick(incident, Seed(seed));
        let t = simulate(&v, Seed(seed), 2);
        let stuck: Vec<u32> = cpu_rows(&t)
            .iter()
            .filter(|&&(_, busy, irq, soft)| irq + soft >= 99.5 && busy <= 0.01)
            .map(|&(c, _, _, _)| c)
            .collect();
        if stuck.is_empty() {
            failures.push(format!("seed {seed}: no CPU stuck in interrupt context"));
            continue;
        }
        let named: Vec<u32> = t
            .log
            .iter()
            .filter_map(|e| match &e.kind {
                LogKind::IrqLockup { pid, .. } => Some(*pid),
                _ => None,
            })
            .collect();
        let out = run(&t, "pidstat -t 1 1", 0);
        for r in first_report(&out) {
            let Ok(tid) = field(&r, "TID").parse::<u32>() else {
                continue;
            };
            let cpu: u32 = field(&r, "CPU").parse().expect("a CPU");
            let busy = pct(&r, "%usr") + pct(&r, "%system");
            // The stuck CPU runs nothing else, so a thread last on it is its holder.
            if (stuck.contains(&cpu) || named.contains(&tid)) && busy > 0.5 {
                failures.push(format!(
                    "seed {seed}: tid {tid} on CPU {cpu} (stuck: {stuck:?}) at {busy:.2} % \
                     usr+system\n{out}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
