//! Counters an expert reads against each other, for every shipped incident and seeds 1..=20:
//! pressure stall information says what vmstat's b and wa and the system-call tables say about
//! the same sleeps. (A kernel mutex sleeper is in D state too, but not on IO: b without IO
//! sleeps leaves io pressure at zero, as the kernel's accounting does.)

use super::every_incident;
use sysdrill::model::{Sample, Syscall, ThreadState, WaitFor};

/// Whether some task slept on the disk during the second: a read or a flush that returned
/// after sleeping, a thread still asleep on one, a page read back from swap, or a CPU left
/// in iowait.
fn io_waits(s: &Sample) -> bool {
    let slept_in_call = s.detail.threads.iter().any(|th| {
        th.syscalls.iter().any(|c| {
            matches!(
                c.call,
                Syscall::Pread64 | Syscall::Fdatasync | Syscall::Fsync
            ) && c.wall_ns > c.system_ns
        })
    });
    let asleep_on_disk = s.detail.threads.iter().any(|th| {
        matches!(
            th.state,
            ThreadState::DiskSleep(WaitFor::DiskRead | WaitFor::SyncWrite(_) | WaitFor::SwapIn)
        )
    });
    let iowait = s.cpus.iter().any(|c| c.iowait > 0);
    slept_in_call || asleep_on_disk || iowait || s.swap_in_kib > 0
}

#[test]
fn io_pressure_follows_the_sleeps_on_the_disk() {
    every_incident(|t| {
        t.samples.iter().enumerate().find_map(|(i, s)| {
            let p = &s.detail.pressure;
            let waits = io_waits(s);
            if waits && p.io_some <= 0.0 {
                return Some(format!("second {i}: tasks wait on the disk, io some is 0"));
            }
            // A sleep that began in an earlier second and ended in this one shows only as b.
            if !waits && s.blocked <= 0.0 && (p.io_some > 0.0 || p.io_full > 0.0) {
                return Some(format!(
                    "second {i}: no IO wait, io some {} full {}",
                    p.io_some, p.io_full
                ));
            }
            (p.io_full > p.io_some).then(|| format!("second {i}: io full above some"))
        })
    });
}

#[test]
fn memory_pressure_follows_reclaim_and_swap_ins() {
    every_incident(|t| {
        t.samples.iter().enumerate().find_map(|(i, s)| {
            let p = &s.detail.pressure;
            let reclaiming = s.swap_in_kib + s.swap_out_kib > 0
                || s.detail
                    .threads
                    .iter()
                    .any(|th| matches!(th.state, ThreadState::DiskSleep(WaitFor::SwapIn)));
            if reclaiming && p.memory_some <= 0.0 {
                return Some(format!("second {i}: swap-ins and memory some 0"));
            }
            (p.memory_full > p.memory_some).then(|| format!("second {i}: memory full above some"))
        })
    });
}

/// The counts of one `/proc/interrupts` row (`LOC:`, `RES:`), one per CPU.
fn interrupt_row(text: &str, label: &str, cpus: usize) -> Vec<u64> {
    text.lines()
        .find(|l| l.trim_start().starts_with(label))
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .take(cpus)
                .filter_map(|x| x.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Per-CPU interrupt counters are counts of random events and of each CPU's own history: no
/// two CPUs' local timer or rescheduling counts since boot are the same number.
#[test]
fn no_two_cpus_count_the_same_interrupts() {
    let command = sysdrill::render::parse_command("cat /proc/interrupts").expect("parses");
    every_incident(|t| {
        let cpus = t.info.cpus as usize;
        let text = sysdrill::render::render(t, &command, 2);
        for label in ["LOC:", "RES:"] {
            let row = interrupt_row(&text, label, cpus);
            if row.len() != cpus {
                return Some(format!("{label} has {} counts for {cpus} CPUs", row.len()));
            }
            let mut seen = std::collections::BTreeMap::new();
            for (cpu, count) in row.iter().enumerate() {
                if *count == 0 {
                    continue;
                }
                if let Some(first) = seen.insert(*count, cpu) {
                    return Some(format!(
                        "{label} CPU{first} and CPU{cpu} both count {count}"
                    ));
                }
            }
        }
        None
    });
}

/// A thread's system calls are its own: threads of one process that ran many requests do not
/// all make the same number of reads in a second. (A thread with a few batches a second makes
/// exactly their calls, the same as its siblings.)
#[test]
fn threads_that_ran_count_their_own_system_calls() {
    every_incident(|t| {
        t.samples.iter().enumerate().find_map(|(i, s)| {
            let mut per_task: std::collections::BTreeMap<usize, Vec<u64>> = Default::default();
            for th in &s.detail.threads {
                let reads: u64 = th
                    .syscalls
                    .iter()
                    .filter(|c| c.call == Syscall::Read)
                    .map(|c| c.calls)
                    .sum();
                if reads >= 100 {
                    per_task.entry(th.task).or_default().push(reads);
                }
            }
            per_task.into_iter().find_map(|(task, counts)| {
                if counts.len() < 4 {
                    return None;
                }
                let mut same = std::collections::BTreeMap::<u64, usize>::new();
                for c in &counts {
                    *same.entry(*c).or_default() += 1;
                }
                let (count, most) = same.into_iter().max_by_key(|&(_, n)| n)?;
                (most == counts.len()).then(|| {
                    format!(
                        "second {i}: {most} of task {task}'s {} threads read {count} times",
                        counts.len()
                    )
                })
            })
        })
    });
}

/// Each thread's counts follow its own work, sampled: threads of a process that made thousands
/// of calls in a second print their own count of each call (what `perf trace -s` and `strace -c
/// -f` list per thread), not the window's count times its scale, which gives whole groups of
/// them the same table. (Among hundreds of threads a few tables may coincide by chance.)
#[test]
fn busy_threads_print_their_own_call_counts() {
    every_incident(|t| {
        t.samples.iter().enumerate().find_map(|(i, s)| {
            let mut tables = std::collections::BTreeMap::<_, Vec<u32>>::new();
            for th in &s.detail.threads {
                let table: Vec<(Syscall, u64)> =
                    th.syscalls.iter().map(|c| (c.call, c.calls)).collect();
                if table.iter().map(|&(_, n)| n).sum::<u64>() >= 1000 {
                    tables.entry((th.task, table)).or_default().push(th.tid);
                }
            }
            let busy: usize = tables.values().map(Vec::len).sum();
            let shared: Vec<&Vec<u32>> = tables.values().filter(|tids| tids.len() > 1).collect();
            let sharing: usize = shared.iter().map(|tids| tids.len()).sum();
            (busy >= 4 && sharing * 10 > busy).then(|| {
                format!("second {i}: {sharing} of {busy} busy threads share a table: {shared:?}")
            })
        })
    });
}

/// Block completions land on the CPUs that issued the IOs, each CPU its own count: the `BLOCK`
/// row of `/proc/softirqs` is never one total dealt out evenly, and it counts one completion
/// per IO the disks served, since boot and in the seconds shown.
#[test]
fn block_softirqs_are_each_cpu_s_own_completions() {
    let command = sysdrill::render::parse_command("cat /proc/softirqs").expect("parses");
    every_incident(|t| {
        let cpus = t.info.cpus as usize;
        let before = interrupt_row(&sysdrill::render::render(t, &command, 1), "BLOCK:", cpus);
        let after = interrupt_row(&sysdrill::render::render(t, &command, 2), "BLOCK:", cpus);
        if before.len() != cpus || after.len() != cpus {
            return Some(format!("BLOCK has {} counts for {cpus} CPUs", after.len()));
        }
        // Since boot: the summary second's IOs over the uptime (each CPU's a Poisson count).
        let since_boot = interrupt_row(&sysdrill::render::render(t, &command, 0), "BLOCK:", cpus);
        let boot_ios: u64 = t.since_boot.disks.iter().map(|d| d.reads + d.writes).sum();
        let expected = boot_ios as f64 * t.info.uptime_s as f64;
        let counted = since_boot.iter().sum::<u64>() as f64;
        if (counted - expected).abs() > 0.01 * expected + 1000.0 {
            return Some(format!(
                "{counted} BLOCK softirqs since boot for {expected} IOs"
            ));
        }
        let ios: u64 = t.samples[1].disks.iter().map(|d| d.reads + d.writes).sum();
        let completed: u64 = after.iter().sum::<u64>() - before.iter().sum::<u64>();
        if completed != ios {
            return Some(format!(
                "{completed} BLOCK softirqs in a second of {ios} IOs"
            ));
        }
        // (Tens of completions may coincide by chance; counts of hundreds and more do not.)
        let busy: Vec<u64> = after.iter().copied().filter(|&n| n >= 100).collect();
        let distinct: std::collections::BTreeSet<u64> = busy.iter().copied().collect();
        (busy.len() >= 2 && distinct.len() < busy.len())
            .then(|| format!("CPUs share BLOCK counts: {after:?}"))
    });
}
