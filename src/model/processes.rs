//! The tasks of a server besides the incident's own: init and the systemd units, sshd with the
//! candidate's login session, and the kernel threads a 6.8 kernel starts (per-CPU ones for
//! every CPU, in the pid order the kernel creates them). They sleep through the drill; the
//! engine's tasks (the workloads, `kswapd0`, `ksoftirqd/N`) are the ones that work.
//!
//! Owns: names, pids, owners and sleep states of these tasks. Must not: give them CPU time
//! (nothing in the incident runs them).

use super::trace::{SleepState, TaskInfo};
use crate::domain::Machine;

/// pid of `ksoftirqd/cpu`: each CPU's threads take a block of eight pids.
pub(crate) fn ksoftirqd_pid(cpu: u32) -> u32 {
    14 + 8 * cpu
}

/// pid of `kswapd0`, created after every per-CPU thread.
pub(crate) fn kswapd_pid(cpus: u32) -> u32 {
    90 + 8 * cpus
}

pub(super) fn kthread(pid: u32, comm: String, state: SleepState) -> TaskInfo {
    TaskInfo {
        pid,
        comm,
        user: "root".to_owned(),
        uid: 0,
        threads: 1,
        virt_kib: 0,
        res_kib: 0,
        shr_kib: 0,
        kernel_thread: true,
        sleep_state: state,
        cpu_time_before_cs: 0,
    }
}

fn daemon(pid: u32, comm: &str, user: &str, uid: u32, kib: [u64; 3], threads: u32) -> TaskInfo {
    TaskInfo {
        pid,
        comm: comm.to_owned(),
        user: user.to_owned(),
        uid,
        threads,
        virt_kib: kib[0],
        res_kib: kib[1],
        shr_kib: kib[2],
        kernel_thread: false,
        sleep_state: SleepState::Interruptible,
        cpu_time_before_cs: 0,
    }
}

/// The user the candidate logs in as, and the uid it gets.
pub const LOGIN_USER: (&str, u32) = ("oncall", 2001);

/// Every task of the box that the engine does not run, sorted by pid. `busy_pids` are the
/// engine's tasks (skipped here); `highest_pid` the largest of them, after which the
/// candidate's login session was started. `uptime_s` dates the CPU time the daemons used.
/// khungtaskd's pid: the fourth of the kernel threads started after the per-CPU ones.
pub(crate) fn khungtaskd_pid(cpus: u32) -> u32 {
    14 + 8 * cpus + 3
}

pub(crate) fn system_tasks(m: &Machine, busy_pids: &[u32], highest_pid: u32) -> Vec<TaskInfo> {
    use SleepState::{Idle, Interruptible};
    let cpus = m.cpus.max(1);
    let mut tasks = vec![
        daemon(1, "systemd", "root", 0, [168_092, 13_220, 8_604], 1),
        kthread(2, "kthreadd".into(), Interruptible),
        kthread(3, "pool_workqueue_release".into(), Interruptible),
        kthread(4, "kworker/R-rcu_g".into(), Idle),
        kthread(5, "kworker/R-rcu_p".into(), Idle),
        kthread(6, "kworker/R-slub_".into(), Idle),
        kthread(7, "kworker/R-netns".into(), Idle),
        kthread(10, "kworker/R-mm_pe".into(), Idle),
        kthread(11, "rcu_tasks_kthread".into(), Idle),
        kthread(12, "rcu_preempt".into(), Idle),
    ];
    for c in 0..cpus {
        let b = ksoftirqd_pid(c);
        tasks.push(kthread(b - 1, format!("migration/{c}"), Interruptible));
        tasks.push(kthread(b + 1, format!("idle_inject/{c}"), Interruptible));
        tasks.push(kthread(b + 2, format!("cpuhp/{c}"), Interruptible));
        tasks.push(kthread(
            b + 4,
            format!("kworker/{c}:0H-events_highpri"),
            Idle,
        ));
        tasks.push(kthread(b + 5, format!("kworker/{c}:1-events"), Idle));
        tasks.push(kthread(b + 6, format!("kworker/{c}:2-mm_percpu_wq"), Idle));
    }
    let after_cpus = 14 + 8 * cpus;
    for (i, (comm, state)) in [
        ("kdevtmpfs", Interruptible),
        ("kworker/R-inet_", Idle),
        ("kauditd", Interruptible),
        ("khungtaskd", Interruptible),
        ("oom_reaper", Interruptible),
        ("kworker/R-write", Idle),
        ("kcompactd0", Interruptible),
        ("ksmd", Interruptible),
        ("khugepaged", Interruptible),
        ("kworker/R-kinte", Idle),
        ("kworker/R-kbloc", Idle),
        ("kworker/R-blkcg", Idle),
        ("irq/9-acpi", Interruptible),
        ("kworker/R-tpm_d", Idle),
        ("kworker/R-ata_s", Idle),
        ("kworker/R-md", Idle),
        ("kworker/R-md_bi", Idle),
        ("kworker/R-edac-", Idle),
        ("kworker/R-devfr", Idle),
        ("watchdogd", Interruptible),
    ]
    .into_iter()
    .enumerate()
    {
        tasks.push(kthread(after_cpus + i as u32, comm.into(), state));
    }
    let kswapd = kswapd_pid(cpus);
    for (i, comm) in [
        "kworker/R-kthro",
        "kworker/R-acpi_",
        "kworker/R-mld",
        "kworker/R-ipv6_",
        "kworker/R-kstrp",
        "kworker/R-nvme-",
        "kworker/R-nvme-",
        "kworker/R-nvme-",
        "scsi_eh_0",
        "kworker/R-scsi_",
        "kworker/R-dm_bu",
        "kworker/R-kdmfl",
        "jbd2/dm-0-8",
        "kworker/R-ext4-",
    ]
    .into_iter()
    .enumerate()
    {
        let state = if comm.starts_with("kworker") {
            Idle
        } else {
            Interruptible
        };
        tasks.push(kthread(kswapd + 20 + 9 * i as u32, comm.into(), state));
    }
    // Unbound workers come and go; a server keeps a few per CPU pair.
    let unbound = 2 * cpus;
    for i in 0..cpus.div_ceil(2) + 6 {
        tasks.push(kthread(
            kswapd + 200 + 13 * i,
            format!("kworker/u{unbound}:{i}-events_unbound"),
            Idle,
        ));
    }
    let user_base = (kswapd + 400).max(600);
    for (i, (comm, user, uid, kib, threads)) in [
        ("systemd-journal", "root", 0, [64_452, 21_704, 20_648], 1),
        ("systemd-udevd", "root", 0, [26_852, 7_192, 4_136], 1),
        ("multipathd", "root", 0, [289_240, 27_264, 8_448], 7),
        (
            "systemd-network",
            "systemd-network",
            998,
            [19_160, 9_472, 8_320],
            1,
        ),
        (
            "systemd-resolve",
            "systemd-resolve",
            991,
            [21_732, 12_800, 10_496],
            1,
        ),
        (
            "systemd-timesyn",
            "systemd-timesync",
            996,
            [91_040, 7_552, 6_656],
            2,
        ),
        ("cron", "root", 0, [7_284, 2_688, 2_432], 1),
        ("dbus-daemon", "messagebus", 101, [9_756, 5_376, 4_096], 1),
        ("rsyslogd", "syslog", 102, [222_448, 6_016, 4_608], 4),
        ("systemd-logind", "root", 0, [17_660, 8_192, 7_168], 1),
        ("polkitd", "polkitd", 990, [308_160, 7_936, 6_912], 3),
        ("agetty", "root", 0, [6_216, 2_048, 1_920], 1),
        ("unattended-upgr", "root", 0, [121_104, 23_424, 13_824], 2),
        ("snapd", "root", 0, [1_975_504, 35_712, 19_584], 14),
        ("containerd", "root", 0, [1_876_384, 47_104, 31_360], 11),
        ("sshd", "root", 0, [12_020, 8_064, 6_912], 1),
    ]
    .into_iter()
    .enumerate()
    {
        tasks.push(daemon(
            user_base + 17 * i as u32,
            comm,
            user,
            uid,
            kib,
            threads,
        ));
    }
    // The candidate's login: sshd's privileged and user halves, and the shell.
    let session = highest_pid + 24_000;
    let (user, uid) = LOGIN_USER;
    tasks.push(daemon(
        session,
        "sshd",
        "root",
        0,
        [17_208, 10_880, 9_216],
        1,
    ));
    tasks.push(daemon(
        session + 112,
        "sshd",
        user,
        uid,
        [17_368, 7_168, 5_504],
        1,
    ));
    tasks.push(daemon(
        session + 113,
        "bash",
        user,
        uid,
        [8_748, 5_376, 3_712],
        1,
    ));
    tasks.retain(|t| !busy_pids.contains(&t.pid));
    tasks.sort_by_key(|t| t.pid);
    tasks.dedup_by_key(|t| t.pid);
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::load_catalog;

    #[test]
    fn a_server_runs_a_hundred_tasks_with_a_logged_in_user_and_unique_pids() {
        let catalog = load_catalog(&[]).expect("shipped content loads");
        for inc in catalog.incidents.values() {
            let busy: Vec<u32> = inc.workloads.iter().map(|w| w.pid).collect();
            let tasks = system_tasks(&inc.machine, &busy, 5000);
            // With the engine's own: the workloads, kswapd0 and a ksoftirqd per CPU.
            let engine = busy.len() + 1 + inc.machine.cpus as usize;
            assert!(tasks.len() + engine >= 100, "{}: {}", inc.id, tasks.len());
            assert!(tasks.windows(2).all(|w| w[0].pid < w[1].pid));
            assert!(
                tasks
                    .iter()
                    .any(|t| t.comm == "bash" && t.user == LOGIN_USER.0)
            );
            assert!(tasks.iter().any(|t| t.pid == 1 && t.comm == "systemd"));
            assert!(
                tasks
                    .iter()
                    .all(|t| !busy.contains(&t.pid) && t.pid != kswapd_pid(inc.machine.cpus))
            );
        }
    }
}
