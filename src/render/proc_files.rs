//! `cat` of `/proc/meminfo`, `/proc/vmstat`, `/proc/pressure/{cpu,memory,io}`,
//! `/proc/interrupts` and `/proc/softirqs` as Linux 6.x prints them. Snapshots of the latest
//! completed second; cumulative counters are the since-boot average over the uptime (for the
//! interrupts, the model's count of each CPU's up to the drill) plus every simulated second
//! before the cursor, so two reads a few seconds apart differ by exactly what vmstat showed
//! for those seconds.
//!
//! Derivations: meminfo's `Cached + SReclaimable` is `free`'s buff/cache and `Shmem` its
//! shared column; the reclaimable slab is a twelfth of that cache (dentries and inodes).
//! Softirqs: one `TIMER`, `SCHED` and `RCU` softirq per timer interrupt, one `NET_RX` per NIC
//! interrupt, one `BLOCK` per completed disk IO on the CPU that issued it. PSI averages decay per
//! second with the kernel's 10/60/300 s windows from the since-boot share.

use super::span::latest;
use crate::model::history::{PSI_DECAY, PSI_UPDATE_S};
use crate::model::{CpuIrqs, Pressure, Sample, Trace};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcFile {
    Meminfo,
    Vmstat,
    Pressure(Resource),
    Interrupts,
    Softirqs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Cpu,
    Memory,
    Io,
}

impl ProcFile {
    pub(crate) fn from_path(path: &str) -> Option<ProcFile> {
        Some(match path {
            "/proc/meminfo" => ProcFile::Meminfo,
            "/proc/vmstat" => ProcFile::Vmstat,
            "/proc/pressure/cpu" => ProcFile::Pressure(Resource::Cpu),
            "/proc/pressure/memory" => ProcFile::Pressure(Resource::Memory),
            "/proc/pressure/io" => ProcFile::Pressure(Resource::Io),
            "/proc/interrupts" => ProcFile::Interrupts,
            "/proc/softirqs" => ProcFile::Softirqs,
            _ => return None,
        })
    }
}

pub(crate) fn render(trace: &Trace, file: ProcFile, start: usize) -> String {
    match file {
        ProcFile::Meminfo => meminfo(trace, start),
        ProcFile::Vmstat => vmstat(trace, start),
        ProcFile::Pressure(resource) => pressure(trace, resource, start),
        ProcFile::Interrupts => interrupts(trace, start),
        ProcFile::Softirqs => softirqs(trace, start),
    }
}

/// Seconds before `start`: the since-boot sample weighted by the uptime, then each sample.
pub(crate) fn history(trace: &Trace, start: usize) -> impl Iterator<Item = (&Sample, u64)> {
    let end = start.min(trace.samples.len());
    std::iter::once((&trace.since_boot, trace.info.uptime_s.max(1)))
        .chain(trace.samples[..end].iter().map(|s| (s, 1)))
}

fn cumulative(trace: &Trace, start: usize, f: impl Fn(&Sample) -> u64) -> u64 {
    history(trace, start)
        .map(|(s, w)| f(s).saturating_mul(w))
        .sum()
}

/// The memory figures meminfo and vmstat share, KiB.
struct MemFigures {
    total: u64,
    free: u64,
    available: u64,
    buffers: u64,
    cached: u64,
    swap_cached: u64,
    anon: u64,
    shmem: u64,
    slab_reclaimable: u64,
    slab_unreclaimable: u64,
    kernel_stack: u64,
    page_tables: u64,
    swap_total: u64,
    swap_free: u64,
    dirty: u64,
    committed: u64,
}

fn figures(trace: &Trace, sample: &Sample) -> MemFigures {
    let m = &sample.mem;
    let total = trace.info.mem_total_kib;
    let slab_reclaimable = m.cache_kib / 12;
    let cached = m.cache_kib - slab_reclaimable;
    let used = total.saturating_sub(m.free_kib + m.buffers_kib + m.cache_kib);
    let threads = sample.detail.threads.len().max(trace.info.tasks.len()) as u64;
    let kernel_stack = (threads * 16).min(used / 4);
    let page_tables = (trace.info.tasks.iter().map(|t| t.res_kib).sum::<u64>() / 500).min(used / 8);
    let anon_wanted: u64 = trace.info.tasks.iter().map(|t| t.res_kib).sum();
    let anon = anon_wanted.min(used.saturating_sub(kernel_stack + page_tables));
    let slab_unreclaimable = used.saturating_sub(anon + kernel_stack + page_tables);
    let swap_total = trace.info.swap_total_kib;
    MemFigures {
        total,
        free: m.free_kib,
        available: m.available_kib,
        buffers: m.buffers_kib,
        cached,
        swap_cached: if m.swap_used_kib > 0 {
            m.swap_used_kib / 50
        } else {
            0
        },
        anon,
        shmem: m.shared_kib,
        slab_reclaimable,
        slab_unreclaimable,
        kernel_stack,
        page_tables,
        swap_total,
        swap_free: swap_total.saturating_sub(m.swap_used_kib),
        // Written data waits up to the 5 s writeback interval before it goes out.
        dirty: (sample.blocks_out_kib.saturating_sub(sample.swap_out_kib) * 5).min(cached / 5),
        committed: trace.info.tasks.iter().map(|t| t.virt_kib).sum(),
    }
}

fn meminfo(trace: &Trace, start: usize) -> String {
    let sample = latest(trace, start);
    let f = figures(trace, sample);
    let active_anon = f.anon * 9 / 10;
    let active_file = f.cached * 6 / 10;
    let slab = f.slab_reclaimable + f.slab_unreclaimable;
    let direct_4k = f.total / 25 / 4 * 4;
    let rows: [(&str, Option<u64>); 54] = [
        ("MemTotal", Some(f.total)),
        ("MemFree", Some(f.free)),
        ("MemAvailable", Some(f.available)),
        ("Buffers", Some(f.buffers)),
        ("Cached", Some(f.cached)),
        ("SwapCached", Some(f.swap_cached)),
        ("Active", Some(active_anon + active_file)),
        (
            "Inactive",
            Some(f.anon - active_anon + f.cached - active_file),
        ),
        ("Active(anon)", Some(active_anon)),
        ("Inactive(anon)", Some(f.anon - active_anon)),
        ("Active(file)", Some(active_file)),
        ("Inactive(file)", Some(f.cached - active_file)),
        ("Unevictable", Some(0)),
        ("Mlocked", Some(0)),
        ("SwapTotal", Some(f.swap_total)),
        ("SwapFree", Some(f.swap_free)),
        ("Zswap", Some(0)),
        ("Zswapped", Some(0)),
        ("Dirty", Some(f.dirty)),
        ("Writeback", Some(0)),
        ("AnonPages", Some(f.anon)),
        ("Mapped", Some(f.cached / 8)),
        ("Shmem", Some(f.shmem)),
        ("KReclaimable", Some(f.slab_reclaimable)),
        ("Slab", Some(slab)),
        ("SReclaimable", Some(f.slab_reclaimable)),
        ("SUnreclaim", Some(f.slab_unreclaimable)),
        ("KernelStack", Some(f.kernel_stack)),
        ("PageTables", Some(f.page_tables)),
        ("SecPageTables", Some(0)),
        ("NFS_Unstable", Some(0)),
        ("Bounce", Some(0)),
        ("WritebackTmp", Some(0)),
        ("CommitLimit", Some(f.swap_total + f.total / 2)),
        ("Committed_AS", Some(f.committed)),
        ("VmallocTotal", Some(34_359_738_367)),
        ("VmallocUsed", Some(f.total / 300)),
        ("VmallocChunk", Some(0)),
        ("Percpu", Some(u64::from(trace.info.cpus) * 1_024)),
        ("HardwareCorrupted", Some(0)),
        ("AnonHugePages", Some(0)),
        ("ShmemHugePages", Some(0)),
        ("ShmemPmdMapped", Some(0)),
        ("FileHugePages", Some(0)),
        ("FilePmdMapped", Some(0)),
        ("Unaccepted", Some(0)),
        ("HugePages_Total", None),
        ("HugePages_Free", None),
        ("HugePages_Rsvd", None),
        ("HugePages_Surp", None),
        ("Hugepagesize", Some(2_048)),
        ("Hugetlb", Some(0)),
        ("DirectMap4k", Some(direct_4k)),
        (
            "DirectMap2M",
            Some((f.total - direct_4k) / 2_048 * 2_048 + 2_048),
        ),
    ];
    let mut out = String::new();
    for (name, value) in rows {
        let label = format!("{name}:");
        match value {
            Some(kib) => out.push_str(&format!("{label:<16}{kib:>8} kB\n")),
            None => out.push_str(&format!("{label:<16}{:>8}\n", 0)),
        }
    }
    out
}

fn vmstat(trace: &Trace, start: usize) -> String {
    let sample = latest(trace, start);
    let f = figures(trace, sample);
    let pages = |kib: u64| kib / 4;
    let active_anon = f.anon * 9 / 10;
    let active_file = f.cached * 6 / 10;
    let faults = |s: &Sample| {
        s.tasks
            .iter()
            .map(|t| t.minor_faults + t.major_faults)
            .sum()
    };
    let major = |s: &Sample| s.tasks.iter().map(|t| t.major_faults).sum();
    let rows: Vec<(&str, u64)> = vec![
        ("nr_free_pages", pages(f.free)),
        ("nr_zone_inactive_anon", pages(f.anon - active_anon)),
        ("nr_zone_active_anon", pages(active_anon)),
        ("nr_zone_inactive_file", pages(f.cached - active_file)),
        ("nr_zone_active_file", pages(active_file)),
        ("nr_zone_unevictable", 0),
        ("nr_zone_write_pending", pages(f.dirty)),
        ("nr_mlock", 0),
        ("nr_inactive_anon", pages(f.anon - active_anon)),
        ("nr_active_anon", pages(active_anon)),
        ("nr_inactive_file", pages(f.cached - active_file)),
        ("nr_active_file", pages(active_file)),
        ("nr_unevictable", 0),
        ("nr_slab_reclaimable", pages(f.slab_reclaimable)),
        ("nr_slab_unreclaimable", pages(f.slab_unreclaimable)),
        ("nr_anon_pages", pages(f.anon)),
        ("nr_mapped", pages(f.cached / 8)),
        ("nr_file_pages", pages(f.cached + f.buffers + f.swap_cached)),
        ("nr_dirty", pages(f.dirty)),
        ("nr_writeback", 0),
        ("nr_shmem", pages(f.shmem)),
        ("nr_kernel_stack", f.kernel_stack),
        ("nr_page_table_pages", pages(f.page_tables)),
        ("nr_swapcached", pages(f.swap_cached)),
        ("pgpgin", cumulative(trace, start, |s| s.blocks_in_kib)),
        ("pgpgout", cumulative(trace, start, |s| s.blocks_out_kib)),
        ("pswpin", cumulative(trace, start, |s| s.swap_in_kib / 4)),
        ("pswpout", cumulative(trace, start, |s| s.swap_out_kib / 4)),
        ("pgfault", cumulative(trace, start, faults)),
        ("pgmajfault", cumulative(trace, start, major)),
    ];
    let mut out = String::new();
    for (name, value) in rows {
        out.push_str(&format!("{name} {value}\n"));
    }
    out
}

fn pressure(trace: &Trace, resource: Resource, start: usize) -> String {
    let pick = |p: &Pressure| match resource {
        // The kernel prints a `full` line for the system's CPU (since 5.13) but keeps it zero.
        Resource::Cpu => (p.cpu_some, 0.0),
        Resource::Memory => (p.memory_some, p.memory_full),
        Resource::Io => (p.io_some, p.io_full),
    };
    let avgs = trace.info.pressure_avgs.as_ref().map(|a| match resource {
        Resource::Cpu => a.cpu,
        Resource::Memory => a.memory,
        Resource::Io => a.io,
    });
    psi_lines(trace, start, avgs, |s| pick(&s.detail.pressure))
}

/// The `some` and `full` lines of a pressure file from each second's (some, full) stall
/// shares: the kernel's 10/60/300 s averages and the total stalled microseconds. `avgs` are
/// the averages at the drill's start (`None`: the since-boot shares); from there the kernel
/// updates them every 2 s since boot with the share of the 2 s just ended, so a read sees the
/// last update before it. The total is the since-boot share over the uptime plus every second
/// before the cursor.
pub(crate) fn psi_lines(
    trace: &Trace,
    start: usize,
    avgs: Option<[[f64; 3]; 2]>,
    pick: impl Fn(&Sample) -> (f64, f64),
) -> String {
    let mut lines = String::new();
    let end = start.min(trace.samples.len());
    let step = PSI_UPDATE_S as usize;
    for (line, name) in ["some", "full"].into_iter().enumerate() {
        let share = |s: &Sample| {
            let (some, full) = pick(s);
            if line == 1 { full } else { some }
        };
        let boot = share(&trace.since_boot);
        let mut avg = avgs.map_or([boot; 3], |a| a[line]);
        let mut total_us = boot * trace.info.uptime_s as f64 * 1e6;
        for (i, s) in trace.samples[..end].iter().enumerate() {
            total_us += share(s) * 1e6;
            // The second ending at `uptime + i + 1` since boot closes an update period when
            // that is a multiple of two seconds (the drill's first second stands for the one
            // before it too).
            if (trace.info.uptime_s as usize + i + 1).is_multiple_of(step) {
                let first = i + 1 - step.min(i + 1);
                let seconds = &trace.samples[first..=i];
                let x = seconds.iter().map(share).sum::<f64>() / seconds.len() as f64;
                for (a, decay) in avg.iter_mut().zip(PSI_DECAY) {
                    *a = *a * decay + x * (1.0 - decay);
                }
            }
        }
        lines.push_str(&format!(
            "{name} avg10={:.2} avg60={:.2} avg300={:.2} total={}\n",
            avg[0] * 100.0,
            avg[1] * 100.0,
            avg[2] * 100.0,
            total_us.round() as u64
        ));
    }
    lines
}

/// Per-CPU interrupt counts since boot: the model's count up to the drill, then every
/// simulated second before the cursor.
fn irq_totals(trace: &Trace, start: usize) -> Vec<CpuIrqs> {
    let cpus = trace.info.cpus as usize;
    let counted = trace.info.irq_history.len() == cpus;
    let mut out = if counted {
        trace.info.irq_history.clone()
    } else {
        vec![CpuIrqs::default(); cpus]
    };
    let seconds = history(trace, start).skip(usize::from(counted));
    for (sample, weight) in seconds {
        for (sum, cpu) in out.iter_mut().zip(&sample.detail.irqs) {
            sum.timer += cpu.timer * weight;
            sum.nic += cpu.nic * weight;
            sum.ipi += cpu.ipi * weight;
            sum.block += cpu.block * weight;
        }
    }
    out
}

fn cpu_header(indent: usize, cpus: usize) -> String {
    let mut line = " ".repeat(indent);
    for c in 0..cpus {
        line.push_str(&format!("CPU{c:<8}"));
    }
    line.truncate(line.trim_end().len());
    line.push('\n');
    line
}

fn interrupts(trace: &Trace, start: usize) -> String {
    let totals = irq_totals(trace, start);
    let mut out = cpu_header(11, totals.len());
    let row = |label: &str, counts: &mut dyn Iterator<Item = u64>, tail: &str| {
        let mut line = format!("{label:>3}: ");
        for count in counts {
            line.push_str(&format!("{count:>10} "));
        }
        line.push_str(tail);
        line.push('\n');
        line
    };
    let nic = "eth0";
    for (cpu, totals_cpu) in totals.iter().enumerate() {
        if totals_cpu.nic == 0 {
            continue;
        }
        let irq = 24 + cpu;
        out.push_str(&row(
            &irq.to_string(),
            &mut totals
                .iter()
                .enumerate()
                .map(|(c, t)| if c == cpu { t.nic } else { 0 }),
            &format!(
                " PCI-MSIX-0000:00:05.0 {:>4}-edge      {nic}-rx-{cpu}",
                cpu + 1
            ),
        ));
    }
    out.push_str(&row(
        "NMI",
        &mut totals.iter().map(|_| 0),
        "  Non-maskable interrupts",
    ));
    out.push_str(&row(
        "LOC",
        &mut totals.iter().map(|t| t.timer),
        "  Local timer interrupts",
    ));
    out.push_str(&row(
        "RES",
        &mut totals.iter().map(|t| t.ipi),
        "  Rescheduling interrupts",
    ));
    out.push_str(&row(
        "CAL",
        &mut totals.iter().map(|_| 0),
        "  Function call interrupts",
    ));
    out.push_str(&row(
        "TLB",
        &mut totals.iter().map(|_| 0),
        "  TLB shootdowns",
    ));
    out.push_str("ERR:          0\nMIS:          0\n");
    out
}

fn softirqs(trace: &Trace, start: usize) -> String {
    let totals = irq_totals(trace, start);
    let mut out = cpu_header(20, totals.len());
    let rows: [(&str, Vec<u64>); 10] = [
        ("HI", vec![0; totals.len()]),
        ("TIMER", totals.iter().map(|t| t.timer).collect()),
        ("NET_TX", vec![0; totals.len()]),
        ("NET_RX", totals.iter().map(|t| t.nic).collect()),
        ("BLOCK", totals.iter().map(|t| t.block).collect()),
        ("IRQ_POLL", vec![0; totals.len()]),
        ("TASKLET", vec![0; totals.len()]),
        ("SCHED", totals.iter().map(|t| t.timer).collect()),
        ("HRTIMER", vec![0; totals.len()]),
        ("RCU", totals.iter().map(|t| t.timer).collect()),
    ];
    for (name, counts) in rows {
        out.push_str(&format!("{:>12}:", name));
        for count in counts {
            out.push_str(&format!(" {count:>10}"));
        }
        out.push('\n');
    }
    out
}
