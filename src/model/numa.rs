//! Where a workload's memory is, and what reaching it costs.
//!
//! Owns: the share of a workload's pages on each node (from its memory policy), the share of
//! its CPU time on each node (from its CPU placement), the remote fraction of its memory
//! accesses, and the factor by which remote accesses stretch its compute. Must not: schedule
//! anything (the engine keeps threads on their CPUs) or print anything (`render::numa`).
//!
//! # The cost of a remote access
//! The firmware's distance table (ACPI SLIT, what `numactl -H` prints) gives each node pair's
//! access cost relative to a local access, scaled so local is 10: 21 reads as 2.1 times the
//! local latency. The model takes that ratio as the remote-access factor: a request's memory
//! stall time (its `memory_stall_fraction` of the compute, measured with local memory) is
//! multiplied by the mean distance ratio over where its threads run and where its pages are,
//! and the rest of the compute is unchanged:
//!
//! `factor = 1 + stall × (Σᵢ Σⱼ cpuᵢ · memⱼ · dᵢⱼ / 10 − 1)`
//!
//! with `cpuᵢ` the share of its threads' CPUs on node i and `memⱼ` the share of its pages on
//! node j. Measured remote latencies on two-socket servers are often somewhat below the SLIT
//! ratio (1.5 to 2 times local), so 21 is at the high end of what a real box shows; bandwidth
//! limits of the interconnect and prefetching are not modelled. The instructions a request
//! retires do not change, so its cycles per instruction rise by the factor on the stretched
//! part: that is how `perf stat` shows it, with no lock contention anywhere.

use super::trace::{NodeInfo, NumaInfo, ProcessNuma};
use crate::domain::numa::{LOCAL_DISTANCE, format_id_list};
use crate::domain::{Incident, MemoryPolicy, NumaTopology, Workload};

/// Clock rate the hardware counters assume, GHz: a common base clock of two-socket servers.
pub const COUNTER_GHZ: f64 = 2.6;
/// Cycles per instruction of code whose memory is local: server code on a modern core retires
/// a little over one instruction per cycle.
pub const LOCAL_CPI: f64 = 0.8;
/// Latency of one last-level-cache miss served by local memory, nanoseconds (typical DRAM
/// latency of a server socket). With a workload's stall share it gives its miss count.
pub const LOCAL_MISS_NS: f64 = 90.0;

/// How workload `w` of a machine meets its memory.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryReach {
    /// Share of its pages on each node (sums to 1).
    pub pages: Vec<f64>,
    /// Share of its CPUs on each node (sums to 1).
    pub cpus: Vec<f64>,
    /// Share of its memory accesses that go to another node.
    pub remote_fraction: f64,
    /// What its compute costs relative to all-local memory (>= 1 when distances are).
    pub compute_factor: f64,
}

/// The node CPU `cpu` belongs to (0 without a topology or for an unknown CPU).
pub fn node_of_cpu(topology: Option<&NumaTopology>, cpu: u32) -> usize {
    topology
        .and_then(|t| t.nodes.iter().position(|n| n.cpus.contains(&cpu)))
        .unwrap_or(0)
}

/// The CPUs workload `w` may run on, ascending.
pub fn allowed_cpus(incident: &Incident, w: &Workload) -> Vec<u32> {
    match &w.placement.cpus {
        Some(cpus) => cpus
            .iter()
            .copied()
            .filter(|&c| c < incident.machine.cpus)
            .collect(),
        None => (0..incident.machine.cpus.max(1)).collect(),
    }
}

/// Where workload `w`'s memory is and what reaching it costs. Without a topology every access
/// is local and the factor is exactly 1.
pub fn reach(incident: &Incident, w: &Workload) -> MemoryReach {
    let Some(topology) = incident.machine.numa.as_ref() else {
        return MemoryReach {
            pages: vec![1.0],
            cpus: vec![1.0],
            remote_fraction: 0.0,
            compute_factor: 1.0,
        };
    };
    let n = topology.nodes.len();
    let allowed = allowed_cpus(incident, w);
    let mut cpus = vec![0.0; n];
    for &cpu in &allowed {
        cpus[node_of_cpu(Some(topology), cpu)] += 1.0;
    }
    normalise(&mut cpus);
    let spread = |nodes: &[usize]| {
        let mut shares = vec![0.0; n];
        for &node in nodes.iter().filter(|&&node| node < n) {
            shares[node] += 1.0;
        }
        shares
    };
    let mut pages = match &w.placement.memory {
        // Pages follow the threads that touched them: where they ran then, or where they run.
        MemoryPolicy::FirstTouch { touched_on: None } => cpus.clone(),
        MemoryPolicy::FirstTouch {
            touched_on: Some(nodes),
        }
        | MemoryPolicy::Bind(nodes)
        | MemoryPolicy::Interleave(nodes) => spread(nodes),
    };
    normalise(&mut pages);
    let mut remote_fraction = 0.0;
    let mut ratio = 0.0;
    for (i, &c) in cpus.iter().enumerate() {
        remote_fraction += c * (1.0 - pages[i]);
        for (j, &m) in pages.iter().enumerate() {
            let distance = topology
                .distances
                .get(i)
                .and_then(|row| row.get(j))
                .copied()
                .unwrap_or(LOCAL_DISTANCE);
            ratio += c * m * f64::from(distance) / f64::from(LOCAL_DISTANCE);
        }
    }
    let stall = w.placement.memory_stall_fraction.clamp(0.0, 1.0);
    MemoryReach {
        pages,
        cpus,
        remote_fraction: remote_fraction.clamp(0.0, 1.0),
        compute_factor: (1.0 + stall * (ratio - 1.0)).max(1.0),
    }
}

/// The NUMA facts the tools print: the nodes (one without a topology; `mem_total_kib` is the
/// box's MemTotal, split over the nodes as their sizes are) and each workload's placement.
pub fn info(incident: &Incident, cpus: u32, mem_total_kib: u64) -> NumaInfo {
    let mut info = match incident.machine.numa.as_ref() {
        None => NumaInfo::single_node(cpus, mem_total_kib),
        Some(t) => {
            let total_mib: u64 = t.nodes.iter().map(|n| n.memory_mib).sum::<u64>().max(1);
            NumaInfo {
                nodes: t
                    .nodes
                    .iter()
                    .map(|n| NodeInfo {
                        cpus: n.cpus.clone(),
                        mem_total_kib: (u128::from(mem_total_kib) * u128::from(n.memory_mib)
                            / u128::from(total_mib)) as u64,
                    })
                    .collect(),
                distances: t.distances.clone(),
                processes: Vec::new(),
            }
        }
    };
    info.processes = incident
        .workloads
        .iter()
        .map(|w| {
            let r = reach(incident, w);
            let rss_kib = w.rss_mib.saturating_mul(1024);
            ProcessNuma {
                pid: w.pid,
                policy: policy_word(&w.placement.memory),
                cpus_allowed: allowed_cpus(incident, w),
                node_kib: r
                    .pages
                    .iter()
                    .map(|share| (rss_kib as f64 * share).round() as u64)
                    .collect(),
                cpu_share: r.cpus,
                remote_fraction: r.remote_fraction,
                compute_factor: r.compute_factor,
                memory_stall_fraction: w.placement.memory_stall_fraction.clamp(0.0, 1.0),
            }
        })
        .collect();
    info
}

/// The policy as `numa_maps` names it. First touch is the kernel's default policy, whatever
/// node the pages ended up on.
fn policy_word(policy: &MemoryPolicy) -> String {
    let list =
        |nodes: &[usize]| format_id_list(&nodes.iter().map(|&n| n as u32).collect::<Vec<_>>());
    match policy {
        MemoryPolicy::FirstTouch { .. } => "default".to_owned(),
        MemoryPolicy::Bind(nodes) => format!("bind:{}", list(nodes)),
        MemoryPolicy::Interleave(nodes) => format!("interleave:{}", list(nodes)),
    }
}

/// Scales shares to sum to 1; all zero becomes an even split.
fn normalise(shares: &mut [f64]) {
    let total: f64 = shares.iter().sum();
    if total > 0.0 {
        shares.iter_mut().for_each(|s| *s /= total);
    } else if !shares.is_empty() {
        let even = 1.0 / shares.len() as f64;
        shares.iter_mut().for_each(|s| *s = even);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A two-node box of 8 CPUs whose one workload has `placement` (YAML lines under `numa:`).
    pub(crate) fn incident(placement: &str) -> Incident {
        let text = format!(
            "format_version: 1
title: t
narrative: n
machine:
  hostname: db01
  kernel: 6.8.0-45-generic
  cpus: 8
  hz: 250
  memory_mib: 2048
  uptime_s: 100
  clock: \"10:00:00\"
  date: 03/14/25
  numa:
    nodes:
      - {{cpus: \"0-3\", memory_mib: 1024}}
      - {{cpus: \"4-7\", memory_mib: 1024}}
workloads:
  - name: svc
    pid: 100
    user: svc
    uid: 100
    threads: 4
    arrivals: {{closed: {{think_us: 100}}}}
    rss_mib: 512
    file_cache_mib: 0
    app_symbol: work
    request: {{compute_us: 100}}
    numa: {placement}
"
        );
        crate::content::load_incident(std::path::Path::new("numa.yaml"), text.as_bytes())
            .unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn with(placement: &str) -> (Incident, Workload) {
        let incident = incident(placement);
        let w = incident.workloads[0].clone();
        (incident, w)
    }

    #[test]
    fn threads_on_one_node_with_memory_on_the_other_are_all_remote() {
        let (incident, w) =
            with("{cpunodebind: [1], first_touch_nodes: [0], memory_stall_fraction: 0.5}");
        let r = reach(&incident, &w);
        assert_eq!(r.pages, vec![1.0, 0.0]);
        assert_eq!(r.cpus, vec![0.0, 1.0]);
        assert!((r.remote_fraction - 1.0).abs() < 1e-12);
        assert!(
            (r.compute_factor - 1.55).abs() < 1e-12,
            "{}",
            r.compute_factor
        );
    }

    #[test]
    fn binding_memory_with_the_threads_is_local() {
        let (incident, w) = with("{cpunodebind: [1], membind: [1], memory_stall_fraction: 0.5}");
        let r = reach(&incident, &w);
        assert_eq!(r.remote_fraction, 0.0);
        assert_eq!(r.compute_factor, 1.0);
    }

    #[test]
    fn interleaving_over_both_nodes_is_half_remote() {
        let (incident, w) = with("{interleave: [0, 1], memory_stall_fraction: 0.4}");
        let r = reach(&incident, &w);
        assert!((r.remote_fraction - 0.5).abs() < 1e-12);
        assert!(
            (r.compute_factor - 1.22).abs() < 1e-12,
            "{}",
            r.compute_factor
        );
    }

    #[test]
    fn one_node_costs_nothing() {
        let mut incident = incident("{memory_stall_fraction: 0.9}");
        incident.machine.numa = None;
        let r = reach(&incident, &incident.workloads[0]);
        assert_eq!(r.compute_factor, 1.0);
        assert_eq!(r.remote_fraction, 0.0);
    }
}
