//! `machine.numa` and each workload's `numa` placement: the nodes cover every CPU once, their
//! memory adds up to the machine's, distances read as the firmware writes them, and a
//! placement names CPUs and nodes that exist.

use super::Checker;
use crate::content::raw::{RawMachine, RawPlacement};
use crate::domain::numa::{LOCAL_DISTANCE, MAX_NUMA_NODES, parse_id_list};
use crate::domain::{MemoryPolicy, NumaNode, NumaTopology, Placement};

/// The distance two-socket servers commonly report between their nodes: the default for
/// every pair of distinct nodes when `distances` is left out.
const DEFAULT_REMOTE_DISTANCE: u32 = 21;

/// Checks `machine.numa`; `None` when it is absent. Errors are reported, and an incident
/// with errors is never built, so the topology returned then is never used.
/// `cpus_vary`: the incident varies `machine.cpus`, which a fixed node layout cannot follow.
pub(super) fn topology(
    c: &mut Checker<'_>,
    machine: &RawMachine,
    cpus_vary: bool,
) -> Option<NumaTopology> {
    let raw = machine.numa.as_ref()?;
    if cpus_vary {
        c.error_help(
            "variants.cpus",
            "`variants.cpus` cannot change a machine with `machine.numa` nodes",
            "each node lists its own CPUs; drop `variants.cpus` or `machine.numa`",
        );
    }
    let count = raw.nodes.len();
    if !(2..=MAX_NUMA_NODES).contains(&count) {
        c.error_help(
            "machine.numa.nodes",
            format!("{count} numa nodes; expected 2 to {MAX_NUMA_NODES}"),
            "a machine with one node needs no `numa` section",
        );
    }
    let mut owner: Vec<Option<usize>> = vec![None; machine.cpus as usize];
    let mut nodes = Vec::new();
    for (i, node) in raw.nodes.iter().enumerate() {
        let at = format!("machine.numa.nodes[{i}]");
        let cpus = parse_id_list(&node.cpus, machine.cpus as usize).unwrap_or_default();
        if cpus.is_empty() {
            c.error_help(
                &format!("{at}.cpus"),
                format!("`{}` is not a list of this machine's CPUs", node.cpus),
                format!(
                    "write a CPU list such as \"0-3\" or \"0,2,4\"; CPUs are numbered 0 to {}",
                    machine.cpus.saturating_sub(1)
                ),
            );
        }
        for &cpu in &cpus {
            match owner.get_mut(cpu as usize) {
                None => c.error_help(
                    &format!("{at}.cpus"),
                    format!(
                        "cpu {cpu} does not exist on a machine with {} cpus",
                        machine.cpus
                    ),
                    format!("cpus are numbered 0 to {}", machine.cpus.saturating_sub(1)),
                ),
                Some(Some(other)) => c.error_help(
                    &format!("{at}.cpus"),
                    format!("cpu {cpu} is already in node {other}"),
                    "every CPU belongs to exactly one node",
                ),
                Some(slot) => *slot = Some(i),
            }
        }
        c.count(
            &format!("{at}.memory_mib"),
            node.memory_mib,
            1,
            machine.memory_mib.max(1),
            "memory_mib",
        );
        nodes.push(NumaNode {
            cpus,
            memory_mib: node.memory_mib,
        });
    }
    let missing: Vec<u32> = (0..machine.cpus)
        .filter(|&cpu| owner.get(cpu as usize).is_some_and(Option::is_none))
        .collect();
    if !missing.is_empty() && nodes.iter().any(|n| !n.cpus.is_empty()) {
        c.error_help(
            "machine.numa.nodes",
            format!(
                "cpus {} are in no node",
                crate::domain::numa::format_id_list(&missing)
            ),
            "every CPU of the machine belongs to exactly one node",
        );
    }
    let memory: u64 = raw.nodes.iter().map(|n| n.memory_mib).sum();
    if memory != machine.memory_mib {
        c.error_help(
            "machine.numa.nodes",
            format!(
                "the nodes hold {memory} MiB but the machine has {} MiB",
                machine.memory_mib
            ),
            "the nodes' memory_mib adds up to machine.memory_mib",
        );
    }
    let distances = match &raw.distances {
        None => (0..count)
            .map(|from| {
                (0..count)
                    .map(|to| {
                        if from == to {
                            LOCAL_DISTANCE
                        } else {
                            DEFAULT_REMOTE_DISTANCE
                        }
                    })
                    .collect()
            })
            .collect(),
        Some(rows) => {
            if rows.len() != count || rows.iter().any(|row| row.len() != count) {
                c.error_help(
                    "machine.numa.distances",
                    format!("distances is not {count} rows of {count} entries"),
                    "one row per node, one entry per node in each row",
                );
            }
            for (from, row) in rows.iter().enumerate() {
                for (to, &distance) in row.iter().enumerate() {
                    let here = format!("machine.numa.distances[{from}][{to}]");
                    if from == to && distance != LOCAL_DISTANCE {
                        c.error_help(
                            &here,
                            format!("distance {distance} from node {from} to itself"),
                            format!("a node's distance to itself is {LOCAL_DISTANCE}"),
                        );
                    } else if from != to && !(LOCAL_DISTANCE + 1..=254).contains(&distance) {
                        c.error_help(
                            &here,
                            format!("distance {distance} between two nodes is out of range"),
                            "expected 11 to 254 (10 is local, 255 unreachable)",
                        );
                    }
                }
            }
            rows.clone()
        }
    };
    Some(NumaTopology { nodes, distances })
}

/// Checks a workload's `numa` placement against the machine; `topology` is `None` on a
/// machine of one node.
pub(super) fn placement(
    c: &mut Checker<'_>,
    at: &str,
    raw: Option<&RawPlacement>,
    topology: Option<&NumaTopology>,
    cpus: u32,
) -> Placement {
    let nodes = topology.map_or(1, |t| t.nodes.len());
    let Some(raw) = raw else {
        return Placement::default();
    };
    let at = format!("{at}.numa");
    let node_list = |c: &mut Checker<'_>, key: &str, list: &[u32]| -> Vec<usize> {
        let here = format!("{at}.{key}");
        if list.is_empty() {
            c.error_help(&here, format!("{key} is empty"), "name at least one node");
        }
        for (j, &node) in list.iter().enumerate() {
            if node as usize >= nodes {
                c.error_help(
                    &format!("{here}[{j}]"),
                    format!("node {node} does not exist on a machine with {nodes} nodes"),
                    format!("nodes are numbered 0 to {}", nodes.saturating_sub(1)),
                );
            }
        }
        let mut list: Vec<usize> = list
            .iter()
            .map(|&n| n as usize)
            .filter(|&n| n < nodes)
            .collect();
        list.sort_unstable();
        list.dedup();
        list
    };
    let run_on = match (&raw.cpunodebind, &raw.physcpubind) {
        (Some(_), Some(_)) => {
            c.error_help(
                &format!("{at}.physcpubind"),
                "both cpunodebind and physcpubind are set",
                "give the nodes or the CPUs, not both",
            );
            None
        }
        (Some(list), None) => {
            let chosen = node_list(c, "cpunodebind", list);
            let cpus: Vec<u32> = match topology {
                Some(t) => chosen
                    .iter()
                    .flat_map(|&n| t.nodes[n].cpus.iter().copied())
                    .collect(),
                None => (0..cpus).collect(),
            };
            let mut cpus = cpus;
            cpus.sort_unstable();
            Some(cpus)
        }
        (None, Some(text)) => match parse_id_list(text, cpus as usize) {
            Some(list) if list.iter().all(|&cpu| cpu < cpus) => Some(list),
            _ => {
                c.error_help(
                    &format!("{at}.physcpubind"),
                    format!("`{text}` is not a list of this machine's CPUs"),
                    format!(
                        "write a CPU list such as \"8-15\"; CPUs are numbered 0 to {}",
                        cpus.saturating_sub(1)
                    ),
                );
                None
            }
        },
        (None, None) => None,
    };
    let policies = [
        raw.membind.is_some(),
        raw.interleave.is_some(),
        raw.first_touch_nodes.is_some(),
    ];
    if policies.iter().filter(|set| **set).count() > 1 {
        c.error_help(
            &at,
            "more than one memory policy",
            "give one of membind, interleave and first_touch_nodes",
        );
    }
    let memory = if let Some(list) = &raw.membind {
        MemoryPolicy::Bind(node_list(c, "membind", list))
    } else if let Some(list) = &raw.interleave {
        MemoryPolicy::Interleave(node_list(c, "interleave", list))
    } else if let Some(list) = &raw.first_touch_nodes {
        MemoryPolicy::FirstTouch {
            touched_on: Some(node_list(c, "first_touch_nodes", list)),
        }
    } else {
        MemoryPolicy::default()
    };
    c.fraction(
        &format!("{at}.memory_stall_fraction"),
        raw.memory_stall_fraction,
    );
    Placement {
        cpus: run_on,
        memory,
        memory_stall_fraction: raw.memory_stall_fraction,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// A two-node box of 8 CPUs with `machine` lines added under `numa:` and `workload` lines
    /// under the workload's `numa:`; the messages of every error.
    fn errors(nodes: &str, placement: &str) -> Vec<String> {
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
{nodes}
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
        match crate::content::load_incident(Path::new("numa.yaml"), text.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(diagnostics) => diagnostics.iter().map(|d| d.to_string()).collect(),
        }
    }

    const TWO_NODES: &str = "    nodes:
      - {cpus: \"0-3\", memory_mib: 1024}
      - {cpus: \"4-7\", memory_mib: 1024}";

    fn has(errors: &[String], text: &str) -> bool {
        errors.iter().any(|e| e.contains(text))
    }

    #[test]
    fn a_valid_placement_loads() {
        assert_eq!(
            errors(
                TWO_NODES,
                "{cpunodebind: [1], membind: [1], memory_stall_fraction: 0.5}"
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn nodes_cover_every_cpu_once_and_the_memory() {
        let e = errors(
            "    nodes:
      - {cpus: \"0-4\", memory_mib: 1024}
      - {cpus: \"4-6\", memory_mib: 512}",
            "{}",
        );
        assert!(has(&e, "cpu 4 is already in node 0"), "{e:?}");
        assert!(has(&e, "cpus 7 are in no node"), "{e:?}");
        assert!(
            has(&e, "the nodes hold 1536 MiB but the machine has 2048 MiB"),
            "{e:?}"
        );
        let e = errors(
            "    nodes:
      - {cpus: \"0-3\", memory_mib: 1024}
      - {cpus: \"4-9\", memory_mib: 1024}",
            "{}",
        );
        assert!(
            has(&e, "cpu 8 does not exist on a machine with 8 cpus"),
            "{e:?}"
        );
        let e = errors(
            "    nodes:
      - {cpus: \"0-3\", memory_mib: 1024}
      - {cpus: \"0-4095\", memory_mib: 1024}",
            "{}",
        );
        assert!(has(&e, "is not a list of this machine's CPUs"), "{e:?}");
    }

    #[test]
    fn distances_read_as_the_firmware_writes_them() {
        let e = errors(
            &format!("{TWO_NODES}\n    distances: [[10, 21], [9, 12]]"),
            "{}",
        );
        assert!(
            has(&e, "distance 9 between two nodes is out of range"),
            "{e:?}"
        );
        assert!(has(&e, "distance 12 from node 1 to itself"), "{e:?}");
        let e = errors(&format!("{TWO_NODES}\n    distances: [[10, 21]]"), "{}");
        assert!(has(&e, "distances is not 2 rows of 2 entries"), "{e:?}");
    }

    #[test]
    fn placements_name_nodes_and_cpus_that_exist_and_one_policy() {
        let e = errors(
            TWO_NODES,
            "{cpunodebind: [2], membind: [0], interleave: [0, 1]}",
        );
        assert!(
            has(&e, "node 2 does not exist on a machine with 2 nodes"),
            "{e:?}"
        );
        assert!(has(&e, "more than one memory policy"), "{e:?}");
        let e = errors(TWO_NODES, "{cpunodebind: [1], physcpubind: \"4-7\"}");
        assert!(has(&e, "both cpunodebind and physcpubind are set"), "{e:?}");
        let e = errors(TWO_NODES, "{physcpubind: \"6-9\"}");
        assert!(
            has(&e, "`6-9` is not a list of this machine's CPUs"),
            "{e:?}"
        );
        let e = errors(TWO_NODES, "{memory_stall_fraction: 1.5}");
        assert!(has(&e, "out of range"), "{e:?}");
    }
}
