//! The kernel's boot messages: what `dmesg` shows on a box that has been up for days before
//! anything went wrong (the ring buffer still holds the boot). Derived from the machine: kernel
//! release, CPUs, memory, disks, NICs and whether it is a guest. And the watchdogs' reports of
//! a CPU stuck in an interrupt handler, built from a lockup the engine produced.
//!
//! Owns: the boot lines and their timestamps; the lockup reports' timing and stacks. Must not:
//! decide that anything went wrong (every report stands for an event of the model).

mod deadlock;

pub(crate) use deadlock::DeadlockReporter;

use super::engine::IrqLockup;
use super::symbols::kernel_frame;
use super::trace::{LogEvent, LogKind};
use crate::domain::{Incident, IrqContext, Machine};

/// Soft-lockup watchdog (`watchdog_thresh` 10 s): first report once a CPU has not scheduled
/// for 20 s ("stuck for 22s!"), then every 26 s while it stays stuck.
pub(crate) const SOFTLOCKUP_FIRST_S: u64 = 22;
pub(crate) const SOFTLOCKUP_REPEAT_S: u64 = 26;
/// RCU CPU stall warnings (`rcu_cpu_stall_timeout` 21 s): first, then every 3 × 21 + 3 s.
pub(crate) const RCU_STALL_S: u64 = 21;
pub(crate) const RCU_REPEAT_S: u64 = 66;
/// The NMI watchdog checks every `watchdog_thresh` seconds that the CPU's timer interrupts
/// still advance; it reports a CPU with interrupts off at the first check after that long,
/// once per lockup.
const HARDLOCKUP_S: u64 = 12;

/// The NIC driver's NAPI poll function: a guest's virtio NIC, else a ConnectX (mlx5).
pub(crate) fn nic_poll_symbol(virtualized: bool) -> &'static str {
    if virtualized {
        "virtnet_poll"
    } else {
        "mlx5e_napi_poll"
    }
}

/// What the watchdog reports need to know of an incident, gathered once.
#[derive(Debug, Clone)]
pub(crate) struct LockupReporter {
    hz: f64,
    nic_poll: &'static str,
    /// Per workload: comm and pid.
    workloads: Vec<(String, u32)>,
    /// Per lock shared with an interrupt handler: the process-context caller and the
    /// handler frame.
    locks: Vec<Option<(String, String)>>,
}

impl LockupReporter {
    pub(crate) fn new(incident: &Incident) -> Self {
        Self {
            hz: f64::from(incident.machine.hz.max(1)),
            nic_poll: nic_poll_symbol(incident.machine.virtualized),
            workloads: incident
                .workloads
                .iter()
                .map(|w| (w.name.clone(), w.pid))
                .collect(),
            locks: incident
                .locks
                .iter()
                .map(|l| {
                    l.interrupt
                        .as_ref()
                        .map(|u| (l.caller.clone(), u.handler.clone()))
                })
                .collect(),
        }
    }

    /// The reports of `lockup`, formed `formed_us` after boot, stamped before `end_s` since
    /// boot and kept by `keep(second, first)` (a ring buffer holds the first report and the
    /// recent ones). A softirq lockup gets soft-lockup reports and RCU stall warnings, both
    /// from the stuck CPU's own timer; a hard interrupt lockup, with the timer silenced, only
    /// the NMI watchdog's one report.
    pub(crate) fn reports(
        &self,
        lockup: &IrqLockup,
        formed_us: u64,
        end_s: u64,
        keep: impl Fn(u64, bool) -> bool,
    ) -> Vec<LogEvent> {
        let (Some((comm, pid)), Some(Some((caller, handler)))) = (
            self.workloads.get(lockup.workload),
            self.locks.get(lockup.lock),
        ) else {
            return Vec::new();
        };
        let pid = pid + lockup.thread;
        let irq_stack = self.irq_stack(lockup.context, handler);
        let task_stack = interrupted_task_stack(caller);
        let report = |soft_stuck_s| LogKind::IrqLockup {
            cpu: lockup.cpu,
            soft_stuck_s,
            comm: comm.clone(),
            pid,
            rip: kernel_frame("native_queued_spin_lock_slowpath"),
            irq_stack: irq_stack.clone(),
            task_stack: task_stack.clone(),
        };
        // Each CPU's watchdog timer fires at its own phase of the second.
        let phase_us = 2_000 + u64::from(lockup.cpu) * 211;
        let formed_s = formed_us / 1_000_000;
        let at = |after_s: u64| formed_us + after_s * 1_000_000 + phase_us;
        let mut out = Vec::new();
        match lockup.context {
            IrqContext::HardIrq => {
                if formed_s + HARDLOCKUP_S < end_s && keep(formed_s + HARDLOCKUP_S, true) {
                    out.push(LogEvent {
                        at_us: at(HARDLOCKUP_S),
                        kind: report(None),
                    });
                }
            }
            IrqContext::SoftIrq => {
                let mut stuck = SOFTLOCKUP_FIRST_S;
                while formed_s + stuck < end_s {
                    if keep(formed_s + stuck, stuck == SOFTLOCKUP_FIRST_S) {
                        out.push(LogEvent {
                            at_us: at(stuck),
                            kind: report(Some(stuck as u32)),
                        });
                    }
                    stuck += SOFTLOCKUP_REPEAT_S;
                }
                let mut stall = RCU_STALL_S;
                while formed_s + stall < end_s {
                    if keep(formed_s + stall, stall == RCU_STALL_S) {
                        out.push(LogEvent {
                            at_us: at(stall) - 1_000,
                            kind: LogKind::RcuStall {
                                cpu: lockup.cpu,
                                ticks: (stall as f64 * self.hz) as u64 + 1,
                            },
                        });
                    }
                    stall += RCU_REPEAT_S;
                }
            }
        }
        out.sort_by_key(|e| e.at_us);
        out
    }

    /// Inside `<IRQ>`, innermost first: the spin, the handler that took the lock, and the
    /// interrupt path that ran it over the task (for a softirq, the NAPI poll run on the way
    /// out of the interrupt).
    fn irq_stack(&self, context: IrqContext, handler: &str) -> Vec<String> {
        let mut stack = vec![kernel_frame("_raw_spin_lock"), frame(handler)];
        let path: &[&str] = match context {
            IrqContext::SoftIrq => {
                if handler.split('+').next() != Some(self.nic_poll) {
                    stack.push(frame(&format!("{}+0x7b", self.nic_poll)));
                }
                &[
                    "__napi_poll",
                    "net_rx_action",
                    "handle_softirqs",
                    "__irq_exit_rcu",
                    "irq_exit_rcu",
                    "common_interrupt",
                ]
            }
            IrqContext::HardIrq => &[
                "__handle_irq_event_percpu",
                "handle_irq_event",
                "handle_edge_irq",
                "__common_interrupt",
                "common_interrupt+0x9f",
            ],
        };
        stack.extend(path.iter().map(|f| kernel_frame(f)));
        stack
    }
}

/// The interrupted task, innermost first: the interrupt entry, then the function that took
/// the lock (still in its critical section) and the system call it runs in.
fn interrupted_task_stack(caller: &str) -> Vec<String> {
    vec![
        kernel_frame("asm_common_interrupt"),
        frame(caller),
        kernel_frame("do_syscall_64"),
        kernel_frame("entry_SYSCALL_64_after_hwframe"),
    ]
}

/// `sym+0xoff` as a stack frame (`symbols::kernel_frame`), tagged with its module when it is a
/// NIC driver's.
fn frame(site: &str) -> String {
    let symbol = site.split('+').next().unwrap_or(site);
    let at = kernel_frame(site);
    match driver_module(symbol) {
        Some(module) => format!("{at} [{module}]"),
        None => at,
    }
}

/// The module a NIC driver's function lives in, as stacks and the module list name it.
pub(crate) fn driver_module(symbol: &str) -> Option<&'static str> {
    [
        ("mlx5", "mlx5_core"),
        ("ixgbe", "ixgbe"),
        ("i40e", "i40e"),
        ("ice_", "ice"),
        ("virtnet", "virtio_net"),
        ("bnxt", "bnxt_en"),
    ]
    .into_iter()
    .find(|(prefix, _)| symbol.starts_with(prefix))
    .map(|(_, module)| module)
}

/// Boot messages stamped in the first seconds after boot, in time order.
pub(crate) fn boot_messages(m: &Machine) -> Vec<LogEvent> {
    let cpus = m.cpus.max(1);
    let nodes = m.node_count();
    let total_kib = m.memory_mib.saturating_mul(1024);
    // The kernel reserves about 1.6 % for itself and its page tables at this size.
    let available_kib = total_kib - total_kib / 64;
    let abi = m.kernel.split('-').nth(1).unwrap_or("1");
    let mut lines: Vec<(u64, String)> = vec![
        (
            0,
            format!(
                "Linux version {} (buildd@lcy02-amd64-049) (x86_64-linux-gnu-gcc-13 (Ubuntu \
                 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #{abi}-Ubuntu \
                 SMP PREEMPT_DYNAMIC",
                m.kernel
            ),
        ),
        (
            0,
            format!(
                "Command line: BOOT_IMAGE=/vmlinuz-{} root=/dev/mapper/ubuntu--vg-ubuntu--lv ro",
                m.kernel
            ),
        ),
        (
            0,
            if m.virtualized {
                "DMI: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-debian-1.16.3-2 04/01/2014"
                    .to_owned()
            } else {
                "DMI: Dell Inc. PowerEdge R650/0PYXKY, BIOS 1.13.2 12/13/2023".to_owned()
            },
        ),
        (
            if m.virtualized { 0 } else { 4_112 },
            if m.virtualized {
                "Hypervisor detected: KVM".to_owned()
            } else {
                "tsc: Detected 2900.000 MHz processor".to_owned()
            },
        ),
        (
            18_377,
            format!("smpboot: Allowing {cpus} CPUs, 0 hotplug CPUs"),
        ),
        (
            61_204,
            format!(
                "Memory: {available_kib}K/{total_kib}K available ({}K kernel code, {}K rwdata, \
                 {}K rodata, 4956K init, 4844K bss, {}K reserved, 0K cma-reserved)",
                20_480,
                8_352,
                14_212,
                total_kib - available_kib
            ),
        ),
        (
            104_988,
            format!(
                "smp: Brought up {nodes} node{}, {cpus} CPU{}",
                if nodes == 1 { "" } else { "s" },
                if cpus == 1 { "" } else { "s" }
            ),
        ),
        (
            1_208_436,
            "Freeing unused kernel image (initmem) memory: 4956K".to_owned(),
        ),
        (1_214_071, "Run /init as init process".to_owned()),
    ];
    let mut at = 1_402_118;
    for (i, disk) in m.disks.iter().enumerate() {
        let line = if disk.name.starts_with("nvme") {
            format!("nvme nvme{i}: {} I/O queues.", cpus.min(64))
        } else {
            format!(
                "sd {i}:0:0:0: [{}] Attached SCSI disk",
                disk.name.trim_end_matches(|c: char| c.is_ascii_digit())
            )
        };
        lines.push((at, line));
        at += 3_517;
    }
    for nic in &m.nics {
        let line = if m.virtualized {
            format!("virtio_net virtio1 {}: renamed from eth0", nic.name)
        } else {
            format!(
                "mlx5_core 0000:3b:00.0 {}: Link up, {} RX queues",
                nic.name, nic.rx_queues
            )
        };
        lines.push((at + 48_911, line));
        at += 9_204;
    }
    lines.extend([
        (
            3_118_540,
            "EXT4-fs (dm-0): mounted filesystem with ordered data mode. Quota mode: none."
                .to_owned(),
        ),
        (
            3_502_377,
            "systemd[1]: systemd 255.4-1ubuntu8 running in system mode".to_owned(),
        ),
        (
            3_688_019,
            "systemd[1]: Hostname set to <".to_owned() + &m.hostname + ">.",
        ),
        (
            5_911_062,
            "EXT4-fs (dm-0): re-mounted. Quota mode: none.".to_owned(),
        ),
        (
            8_204_775,
            "audit: type=1400 audit(0.0:2): apparmor=\"STATUS\" operation=\"profile_load\" \
             profile=\"unconfined\" name=\"/usr/sbin/sshd\" pid=812 comm=\"apparmor_parser\""
                .to_owned(),
        ),
    ]);
    lines.sort_by_key(|l| l.0);
    lines
        .into_iter()
        .map(|(at_us, text)| LogEvent {
            at_us,
            kind: LogKind::Text(text),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::load_catalog;

    #[test]
    fn every_box_logs_its_boot_in_time_order_with_its_own_facts() {
        let catalog = load_catalog(&[]).expect("shipped content loads");
        for inc in catalog.incidents.values() {
            let log = boot_messages(&inc.machine);
            assert!(log.windows(2).all(|w| w[0].at_us <= w[1].at_us));
            let text: Vec<&str> = log
                .iter()
                .filter_map(|e| match &e.kind {
                    LogKind::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect();
            let cpus = format!("Allowing {} CPUs", inc.machine.cpus);
            assert!(text.iter().any(|t| t.contains(&cpus)), "{}", inc.id);
            assert!(text.iter().any(|t| t.contains(&inc.machine.kernel)));
            assert!(text.iter().any(|t| t.contains(&inc.machine.hostname)));
        }
    }
}
