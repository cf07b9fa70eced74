//! The NUMA tools: `numactl -H` (nodes, their CPUs, memory size and free, distances),
//! `numactl -s` (the shell's policy), `numastat` (the per-node allocation counters since boot),
//! `numastat -p PID|NAME` (a process's memory per node) and `cat /proc/PID/numa_maps` (its
//! mappings with their policy and pages per node), in numactl 2.0's and the kernel's formats.
//!
//! Time rules: all are snapshots of the latest completed second (0 s); `numastat`'s counters
//! add up the allocations of every second before it. A box of one node prints one node.

use super::argv::ToolError;
use super::span::latest;
use crate::domain::numa::format_id_list;
use crate::model::{ProcessNuma, Trace};

/// Page size `numa_maps` counts in, KiB.
const PAGE_KIB: u64 = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumaCommand {
    /// `numactl -H` / `numactl --hardware`.
    Hardware,
    /// `numactl -s` / `numactl --show`: the calling shell's policy.
    Show,
    /// `numastat` with no process: the nodes' allocation counters.
    Counters,
    /// `numastat -p PID|NAME`.
    Process(String),
    /// `cat /proc/PID/numa_maps`.
    Maps(u32),
}

const NUMACTL_USAGE: &str = "usage: numactl [--hardware | -H] [--show | -s]\n\
     (this box cannot start programs under a policy: try a placement with `try`, e.g. `try membind=0`)";
const NUMASTAT_USAGE: &str = "usage: numastat [-p <PID>|<pattern>]\n\
     (this box's numastat shows the node counters, or one process's memory with -p)";

fn printable(word: &str) -> String {
    word.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(64)
        .collect()
}

/// Parses the words after `numactl`.
pub(crate) fn parse_numactl(args: &[&str]) -> Result<NumaCommand, ToolError> {
    match args {
        ["-H"] | ["--hardware"] => Ok(NumaCommand::Hardware),
        ["-s"] | ["--show"] => Ok(NumaCommand::Show),
        [] => Err(ToolError::new(NUMACTL_USAGE)),
        [first, ..] => Err(ToolError::new(format!(
            "numactl: unsupported here: '{}'\n{NUMACTL_USAGE}",
            printable(first)
        ))),
    }
}

/// Parses the words after `numastat`.
pub(crate) fn parse_numastat(args: &[&str]) -> Result<NumaCommand, ToolError> {
    match args {
        [] => Ok(NumaCommand::Counters),
        ["-p", who] => Ok(NumaCommand::Process(printable(who))),
        ["-p"] => Err(ToolError::new(format!(
            "numastat: option requires an argument -- 'p'\n{NUMASTAT_USAGE}"
        ))),
        [first, ..] => Err(ToolError::new(format!(
            "numastat: unsupported here: '{}'\n{NUMASTAT_USAGE}",
            printable(first)
        ))),
    }
}

/// `/proc/PID/numa_maps`; `None` for any other path.
pub(crate) fn parse_maps_path(path: &str) -> Option<NumaCommand> {
    let pid = path.strip_prefix("/proc/")?.strip_suffix("/numa_maps")?;
    (!pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| pid.parse().ok().map(NumaCommand::Maps))
        .flatten()
}

pub(crate) fn render(trace: &Trace, command: &NumaCommand, start: usize) -> String {
    match command {
        NumaCommand::Hardware => hardware(trace, start),
        NumaCommand::Show => show(trace),
        NumaCommand::Counters => counters(trace, start),
        NumaCommand::Process(who) => process(trace, who),
        NumaCommand::Maps(pid) => maps(trace, *pid),
    }
}

/// Each node's free memory, KiB: the box's used memory is the workloads' resident memory on
/// the node they placed it, plus everything else (kernel, page cache, daemons) spread over the
/// nodes by size.
fn node_free_kib(trace: &Trace, start: usize) -> Vec<u64> {
    let numa = &trace.info.numa;
    let total = trace.info.mem_total_kib;
    let used = total.saturating_sub(latest(trace, start).mem.free_kib);
    let placed: u64 = numa.processes.iter().flat_map(|p| &p.node_kib).sum();
    let rest = used.saturating_sub(placed);
    numa.nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let own: u64 = numa
                .processes
                .iter()
                .filter_map(|p| p.node_kib.get(i))
                .sum();
            let share = (u128::from(rest) * u128::from(node.mem_total_kib)
                / u128::from(total.max(1))) as u64;
            node.mem_total_kib.saturating_sub(own + share)
        })
        .collect()
}

fn hardware(trace: &Trace, start: usize) -> String {
    let numa = &trace.info.numa;
    let n = numa.nodes.len();
    let mut out = format!(
        "available: {n} nodes ({})\n",
        format_id_list(&(0..n as u32).collect::<Vec<_>>())
    );
    let free = node_free_kib(trace, start);
    for (i, node) in numa.nodes.iter().enumerate() {
        let cpus: Vec<String> = node.cpus.iter().map(u32::to_string).collect();
        out.push_str(&format!("node {i} cpus: {}\n", cpus.join(" ")));
        out.push_str(&format!(
            "node {i} size: {} MB\n",
            node.mem_total_kib / 1024
        ));
        out.push_str(&format!(
            "node {i} free: {} MB\n",
            free.get(i).copied().unwrap_or(0) / 1024
        ));
    }
    out.push_str("node distances:\nnode ");
    for i in 0..n {
        out.push_str(&format!("{i:>3} "));
    }
    out.push('\n');
    for (i, row) in numa.distances.iter().enumerate() {
        out.push_str(&format!("{i:>3}: "));
        for d in row {
            out.push_str(&format!("{d:>3} "));
        }
        out.push('\n');
    }
    out
}

/// The shell runs with the default policy on every CPU and node.
fn show(trace: &Trace) -> String {
    let numa = &trace.info.numa;
    let nodes: Vec<String> = (0..numa.nodes.len()).map(|i| i.to_string()).collect();
    let cpus: Vec<String> = (0..trace.info.cpus).map(|c| c.to_string()).collect();
    format!(
        "policy: default\npreferred node: current\nphyscpubind: {}\ncpubind: {nodes}\nnodebind: {nodes}\nmembind: {nodes}\n",
        cpus.join(" "),
        nodes = nodes.join(" ")
    )
}

/// Pages each node handed out since boot, split as the kernel counts them.
#[derive(Debug, Default, Clone, Copy)]
struct NodeCounters {
    hit: f64,
    interleave_hit: f64,
    local: f64,
    other: f64,
}

fn counters(trace: &Trace, start: usize) -> String {
    let numa = &trace.info.numa;
    let n = numa.nodes.len();
    // Booting and filling the page cache: each node's memory in use was allocated there by
    // code running there.
    let free = node_free_kib(trace, 0);
    let mut nodes: Vec<NodeCounters> = numa
        .nodes
        .iter()
        .zip(&free)
        .map(|(node, free)| {
            let pages = (node.mem_total_kib.saturating_sub(*free) / PAGE_KIB) as f64;
            NodeCounters {
                hit: pages,
                local: pages,
                ..NodeCounters::default()
            }
        })
        .collect();
    let end = start.min(trace.samples.len());
    let history = std::iter::once((&trace.since_boot, trace.info.uptime_s.max(1) as f64))
        .chain(trace.samples[..end].iter().map(|s| (s, 1.0)));
    for (sample, seconds) in history {
        for p in &numa.processes {
            let Some(pos) = trace.info.tasks.iter().position(|t| t.pid == p.pid) else {
                continue;
            };
            let allocations = sample.tasks.get(pos).map_or(0, |t| t.minor_faults) as f64 * seconds;
            let placed: u64 = p.node_kib.iter().sum();
            for (j, counters) in nodes.iter_mut().enumerate().take(n) {
                let share = match placed {
                    0 => p.cpu_share.get(j).copied().unwrap_or(0.0),
                    _ => p.node_kib.get(j).copied().unwrap_or(0) as f64 / placed as f64,
                };
                let pages = allocations * share;
                let local = p.cpu_share.get(j).copied().unwrap_or(0.0);
                counters.hit += pages;
                counters.local += pages * local;
                counters.other += pages * (1.0 - local);
                if p.policy.starts_with("interleave") {
                    counters.interleave_hit += pages;
                }
            }
        }
    }
    let mut out = format!("{:16}", "");
    for j in 0..n {
        out.push_str(&format!("{:>16}", format!("node{j}")));
    }
    out.push('\n');
    type Counter = fn(&NodeCounters) -> f64;
    let rows: [(&str, Counter); 6] = [
        ("numa_hit", |c| c.hit),
        ("numa_miss", |_| 0.0),
        ("numa_foreign", |_| 0.0),
        ("interleave_hit", |c| c.interleave_hit),
        ("local_node", |c| c.local),
        ("other_node", |c| c.other),
    ];
    for (label, value) in rows {
        out.push_str(&format!("{label:<16}"));
        for c in &nodes {
            out.push_str(&format!("{:>16}", value(c).round() as u64));
        }
        out.push('\n');
    }
    out
}

/// A process's mappings as the tools group them, KiB per node.
struct Regions {
    heap: Vec<u64>,
    stack: Vec<u64>,
    /// Anonymous memory outside heap and stacks (the allocator's arenas).
    private: Vec<u64>,
}

/// Splits the resident memory: a small brk heap, a stack per thread (16 KiB touched each),
/// the rest in anonymous arenas; each placed over the nodes as the process's memory is.
fn regions(p: &ProcessNuma, threads: u32) -> Regions {
    let total: u64 = p.node_kib.iter().sum();
    let heap_total = (total / 256).min(64 * 1024);
    let stack_total = (u64::from(threads) * 16).min(total.saturating_sub(heap_total));
    let split = |amount: u64| -> Vec<u64> {
        p.node_kib
            .iter()
            .map(|&kib| (u128::from(amount) * u128::from(kib) / u128::from(total.max(1))) as u64)
            .collect()
    };
    let heap = split(heap_total);
    let stack = split(stack_total);
    let private = p
        .node_kib
        .iter()
        .zip(heap.iter().zip(&stack))
        .map(|(&all, (&h, &s))| all.saturating_sub(h + s))
        .collect();
    Regions {
        heap,
        stack,
        private,
    }
}

fn find_process<'t>(trace: &'t Trace, who: &str) -> Option<(&'t ProcessNuma, usize)> {
    let numa = &trace.info.numa;
    let task = match who.parse::<u32>() {
        Ok(pid) => trace.info.tasks.iter().position(|t| t.pid == pid)?,
        Err(_) => trace
            .info
            .tasks
            .iter()
            .position(|t| !t.kernel_thread && t.comm.contains(who))?,
    };
    let pid = trace.info.tasks[task].pid;
    numa.processes
        .iter()
        .find(|p| p.pid == pid)
        .map(|p| (p, task))
}

fn process(trace: &Trace, who: &str) -> String {
    let Some((p, task)) = find_process(trace, who) else {
        return match who.parse::<u32>() {
            Ok(_) => format!("Can't read /proc/{who}/numa_maps: No such file or directory\n"),
            Err(_) => format!("Found no processes containing pattern: \"{who}\"\n"),
        };
    };
    let info = &trace.info.tasks[task];
    let r = regions(p, info.threads);
    let n = p.node_kib.len();
    let mb = |kib: u64| format!("{:.2}", kib as f64 / 1024.0);
    let mut out = format!(
        "\nPer-node process memory usage (in MBs) for PID {} ({})\n",
        p.pid, info.comm
    );
    out.push_str(&format!("{:18}", ""));
    for j in 0..n {
        if j > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{:>15}", format!("Node {j}")));
    }
    out.push_str(&format!(" {:>15}\n", "Total"));
    let dashes = format!("{:-<15}", "");
    out.push_str(&format!("{:18}", ""));
    out.push_str(&vec![dashes.clone(); n + 1].join(" "));
    out.push('\n');
    let zero = vec![0; n];
    let row = |label: &str, kib: &[u64]| {
        let mut line = format!("{label:<18}");
        let cells: Vec<String> = kib
            .iter()
            .map(|&k| format!("{:>15}", mb(k)))
            .chain(std::iter::once(format!(
                "{:>15}",
                mb(kib.iter().sum::<u64>())
            )))
            .collect();
        line.push_str(&cells.join(" "));
        line.push('\n');
        line
    };
    out.push_str(&row("Huge", &zero));
    out.push_str(&row("Heap", &r.heap));
    out.push_str(&row("Stack", &r.stack));
    out.push_str(&row("Private", &r.private));
    out.push_str(&format!("{:-<16}  ", ""));
    out.push_str(&vec![dashes; n + 1].join(" "));
    out.push('\n');
    out.push_str(&row("Total", &p.node_kib));
    out
}

/// `N0=12 N1=3` for the nodes holding pages.
fn node_pages(kib: &[u64]) -> String {
    kib.iter()
        .enumerate()
        .filter(|(_, k)| **k >= PAGE_KIB)
        .map(|(j, k)| format!("N{j}={}", k / PAGE_KIB))
        .collect::<Vec<_>>()
        .join(" ")
}

fn maps(trace: &Trace, pid: u32) -> String {
    let Some((p, task)) = find_process(trace, &pid.to_string()) else {
        return format!("cat: /proc/{pid}/numa_maps: No such file or directory\n");
    };
    let info = &trace.info.tasks[task];
    let r = regions(p, info.threads);
    let policy = &p.policy;
    // Addresses as a randomised layout puts them, fixed per pid so every reading agrees.
    let base = crate::domain::stable_hash(&pid.to_le_bytes());
    let exe_at = 0x5500_0000_0000 + (base & 0xff_ffff) * 0x1000;
    let mmap_at = 0x7f00_0000_0000 + ((base >> 24) & 0xff_ffff) * 0x1000;
    let stack_at = 0x7ffc_0000_0000 + ((base >> 48) & 0xffff) * 0x1000;
    let exe = format!("/usr/local/bin/{}", info.comm);
    let libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
    let anon = |kib: &[u64]| {
        let pages: u64 = kib.iter().map(|k| k / PAGE_KIB).sum();
        format!("anon={pages} dirty={pages} {}", node_pages(kib))
    };
    let page = PAGE_KIB;
    let mut lines = vec![
        format!(
            "{exe_at:x} {policy} file={exe} mapped=412 active=0 N0=412 kernelpagesize_kB={page}"
        ),
        format!(
            "{:x} {policy} file={exe} anon=9 dirty=9 active=0 N0=9 kernelpagesize_kB={page}",
            exe_at + 0x1_9c000
        ),
        format!(
            "{:x} {policy} heap {} kernelpagesize_kB={page}",
            exe_at + 0x2_1000_0000,
            anon(&r.heap)
        ),
    ];
    // The allocator's arenas: one mapping of at most 64 MiB per thread, as glibc grows them;
    // printed as one line per node-sized piece is noise, so a single summary line each.
    let arenas = u64::from(info.threads.clamp(1, 8));
    for a in 0..arenas {
        let piece: Vec<u64> = r
            .private
            .iter()
            .map(|k| k / arenas + if a == 0 { k % arenas } else { 0 })
            .collect();
        lines.push(format!(
            "{:x} {policy} {} kernelpagesize_kB={page}",
            mmap_at + a * 0x400_0000,
            anon(&piece)
        ));
    }
    lines.push(format!(
        "{:x} {policy} file={libc} mapped=160 mapmax={} N0=160 kernelpagesize_kB={page}",
        mmap_at + 0x1_0000_0000,
        trace.info.tasks.len().max(2)
    ));
    lines.push(format!(
        "{:x} {policy} file={libc} anon=11 dirty=11 N0=11 kernelpagesize_kB={page}",
        mmap_at + 0x1_0021_6000
    ));
    lines.push(format!(
        "{stack_at:x} {policy} stack {} kernelpagesize_kB={page}",
        anon(&r.stack)
    ));
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numa_maps_paths_name_a_pid() {
        assert_eq!(
            parse_maps_path("/proc/4242/numa_maps"),
            Some(NumaCommand::Maps(4242))
        );
        assert_eq!(parse_maps_path("/proc//numa_maps"), None);
        assert_eq!(parse_maps_path("/proc/self/numa_maps"), None);
        assert_eq!(parse_maps_path("/proc/99999999999/numa_maps"), None);
    }

    #[test]
    fn options_parse_as_numactl_and_numastat_take_them() {
        assert_eq!(parse_numactl(&["-H"]), Ok(NumaCommand::Hardware));
        assert_eq!(parse_numactl(&["--hardware"]), Ok(NumaCommand::Hardware));
        assert!(parse_numactl(&["--membind=0", "ls"]).is_err());
        assert_eq!(parse_numastat(&[]), Ok(NumaCommand::Counters));
        assert_eq!(
            parse_numastat(&["-p", "4242"]),
            Ok(NumaCommand::Process("4242".into()))
        );
        assert!(parse_numastat(&["-p"]).is_err());
    }
}
