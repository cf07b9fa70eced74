//! The kernel's boot messages: what `dmesg` shows on a box that has been up for days before
//! anything went wrong (the ring buffer still holds the boot). Derived from the machine: kernel
//! release, CPUs, memory, disks, NICs and whether it is a guest.
//!
//! Owns: the boot lines and their timestamps. Must not: describe the incident (its events come
//! from the model as they happen).

use super::trace::{LogEvent, LogKind};
use crate::domain::Machine;

/// Boot messages stamped in the first seconds after boot, in time order.
pub(crate) fn boot_messages(m: &Machine) -> Vec<LogEvent> {
    let cpus = m.cpus.max(1);
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
                "smp: Brought up 1 node, {cpus} CPU{}",
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
