//! `machine:` the host's name, kernel, cpus, timer frequency, memory, uptime, clock and date,
//! its disks and its nics.

use super::*;

/// The machine, with every problem of the section reported. Irq cpus must exist in every
/// variant, so the smallest cpu count `variants.cpus` can pick is checked too.
pub(super) fn machine(c: &mut Checker<'_>, raw: &RawIncident) -> Machine {
    let m = &raw.machine;
    c.non_empty("machine.hostname", "hostname", &m.hostname);
    if m.hostname.chars().any(char::is_whitespace) || m.hostname.len() > 64 {
        c.error_help(
            "machine.hostname",
            "hostname is not a valid host name",
            "at most 64 characters, no spaces",
        );
    }
    c.non_empty("machine.kernel", "kernel", &m.kernel);
    c.count("machine.cpus", m.cpus, 1, MAX_CPUS, "cpus");
    if !TIMER_HZ.contains(&m.hz) {
        c.error_help(
            "machine.hz",
            format!("hz {} is not a kernel timer frequency", m.hz),
            "use 100, 250, 300 or 1000 (CONFIG_HZ)",
        );
    }
    c.count("machine.memory_mib", m.memory_mib, 1, MAX_MIB, "memory_mib");
    c.count("machine.swap_mib", m.swap_mib, 0, MAX_MIB, "swap_mib");
    c.count("machine.uptime_s", m.uptime_s, 0, MAX_UPTIME_S, "uptime_s");
    let clock_s = parse_clock(&m.clock);
    if clock_s.is_none() {
        c.error_help(
            "machine.clock",
            format!("clock `{}` is not a time of day", m.clock),
            "write it as \"HH:MM:SS\", e.g. \"10:02:11\"",
        );
    }
    if !valid_date(&m.date) {
        c.error_help(
            "machine.date",
            format!("date `{}` is not MM/DD/YY", m.date),
            "sysstat banners print dates as MM/DD/YY, e.g. 03/14/25",
        );
    }

    // The smallest cpu count any variant can pick: irq cpus must exist in every variant.
    let min_cpus = raw.variants.cpus.map_or(m.cpus, |(low, _)| low.min(m.cpus));
    let mut disks = Vec::new();
    c.unique(
        m.disks
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("machine.disks[{i}].name"), d.name.as_str())),
        "disk",
    );
    for (i, d) in m.disks.iter().enumerate() {
        let at = format!("machine.disks[{i}]");
        c.non_empty(&format!("{at}.name"), "disk name", &d.name);
        c.positive(
            &format!("{at}.service_us"),
            d.service_us,
            MAX_TIME_US,
            " us",
        );
        c.count(
            &format!("{at}.parallelism"),
            d.parallelism,
            1,
            4096,
            "parallelism",
        );
        disks.push(Disk {
            name: d.name.clone(),
            service_us: d.service_us,
            parallelism: d.parallelism,
        });
    }
    let mut nics = Vec::new();
    c.unique(
        m.nics
            .iter()
            .enumerate()
            .map(|(i, n)| (format!("machine.nics[{i}].name"), n.name.as_str())),
        "nic",
    );
    for (i, n) in m.nics.iter().enumerate() {
        let at = format!("machine.nics[{i}]");
        c.non_empty(&format!("{at}.name"), "nic name", &n.name);
        c.count(
            &format!("{at}.rx_queues"),
            n.rx_queues,
            1,
            1024,
            "rx_queues",
        );
        c.count(&format!("{at}.coalesce"), n.coalesce, 1, 1024, "coalesce");
        if n.irq_cpus.is_empty() {
            c.error_help(
                &format!("{at}.irq_cpus"),
                "irq_cpus is empty",
                "name the cpus that take this nic's interrupts, e.g. [0, 1]",
            );
        }
        for (j, cpu) in n.irq_cpus.iter().enumerate() {
            // With no valid cpu count the `cpus` error says it all.
            if min_cpus >= 1 && *cpu >= min_cpus {
                c.error_help(
                    &format!("{at}.irq_cpus[{j}]"),
                    format!("irq cpu {cpu} does not exist on a machine with {min_cpus} cpus"),
                    format!("cpus are numbered 0 to {}", min_cpus.saturating_sub(1)),
                );
            }
        }
        nics.push(Nic {
            name: n.name.clone(),
            rx_queues: n.rx_queues,
            irq_cpus: n.irq_cpus.clone(),
            coalesce: n.coalesce,
        });
    }
    let numa = super::numa::topology(c, m, raw.variants.cpus.is_some());
    Machine {
        hostname: m.hostname.clone(),
        kernel: m.kernel.clone(),
        cpus: m.cpus,
        hz: m.hz,
        memory_mib: m.memory_mib,
        swap_mib: m.swap_mib,
        virtualized: m.virtualized,
        uptime_s: m.uptime_s,
        clock_s: clock_s.unwrap_or_default(),
        date: m.date.clone(),
        disks,
        nics,
        numa,
        lockdep: m.lockdep,
    }
}
