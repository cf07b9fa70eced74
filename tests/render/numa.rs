//! The NUMA tools on the shipped `numa-remote-memory` incident: snapshots of each output, the
//! numbers they print checked against the trace's NUMA facts, the jc round trip of
//! `/proc/PID/numa_maps`, a box of one node printing one node, and every shipped box's boot
//! log bringing up the nodes and CPUs `numactl -H` shows.

use sysdrill::domain::{IncidentId, Seed};
use sysdrill::model::{Trace, simulate, variant};

use super::jc::jc;
use super::{every_shipped_trace, run};

const INCIDENT: &str = "numa-remote-memory";
const SEED: u64 = 5;

fn trace(id: &str, seconds: usize) -> Trace {
    let catalog = sysdrill::content::load_catalog(&[]).expect("embedded content loads");
    let incident = &catalog.incidents[&IncidentId::from(id)];
    simulate(&variant::pick(incident, Seed(SEED)), Seed(SEED), seconds)
}

#[test]
fn numa_tools_snapshots() {
    let t = trace(INCIDENT, 3);
    let pid = t.info.numa.processes[0].pid;
    for (name, line) in [
        ("numactl_hardware", "numactl -H".to_owned()),
        ("numactl_show", "numactl -s".to_owned()),
        ("numastat", "numastat".to_owned()),
        ("numastat_process", format!("numastat -p {pid}")),
        ("numa_maps", format!("cat /proc/{pid}/numa_maps")),
        ("perf_stat", "perf stat -a -- sleep 2".to_owned()),
    ] {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            description => format!("{INCIDENT} seed {SEED}, after one second: {line}"),
        }, {
            insta::assert_snapshot!(format!("render__numa__{name}"), run(&t, &line, 1));
        });
    }
}

/// `numactl -H` lists each node's CPUs and size as the trace holds them, and the distances.
#[test]
fn numactl_hardware_agrees_with_the_trace() {
    let t = trace(INCIDENT, 1);
    let out = run(&t, "numactl -H", 1);
    let numa = &t.info.numa;
    assert!(out.starts_with(&format!("available: {} nodes (0-1)\n", numa.nodes.len())));
    for (i, node) in numa.nodes.iter().enumerate() {
        let cpus: Vec<String> = node.cpus.iter().map(u32::to_string).collect();
        assert!(
            out.contains(&format!("node {i} cpus: {}\n", cpus.join(" "))),
            "{out}"
        );
        assert!(out.contains(&format!(
            "node {i} size: {} MB\n",
            node.mem_total_kib / 1024
        )));
    }
    assert!(out.ends_with("  0:  10  21 \n  1:  21  10 \n"), "{out}");
    // The service's memory fills node 0: less free there than on node 1.
    let free = |node: usize| -> u64 {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("node {node} free: ")))
            .expect("a free line");
        line.split_whitespace().nth(3).unwrap().parse().unwrap()
    };
    assert!(free(0) + 80_000 < free(1), "{out}");
}

/// `numastat -p` totals the process's resident memory per node, in MB with two decimals.
#[test]
fn numastat_process_totals_match_the_placement() {
    let t = trace(INCIDENT, 1);
    let p = &t.info.numa.processes[0];
    let out = run(&t, &format!("numastat -p {}", p.pid), 1);
    let total = out
        .lines()
        .find(|l| l.starts_with("Total "))
        .expect("a Total row");
    let cells: Vec<f64> = total
        .split_whitespace()
        .skip(1)
        .map(|c| c.parse().unwrap())
        .collect();
    assert_eq!(cells.len(), 3, "{out}");
    for (node, kib) in p.node_kib.iter().enumerate() {
        assert!((cells[node] - *kib as f64 / 1024.0).abs() < 0.01, "{out}");
    }
    // By name, as numastat matches a pattern, the same table.
    let by_name = run(&t, "numastat -p pricer", 1);
    assert_eq!(by_name, out);
    assert!(run(&t, "numastat -p nosuch", 1).starts_with("Found no processes"));
}

/// jc parses `/proc/PID/numa_maps` back to the policy and the pages the trace puts on each node.
#[test]
fn numa_maps_jc_round_trip() {
    let t = trace(INCIDENT, 1);
    let p = &t.info.numa.processes[0];
    let out = run(&t, &format!("cat /proc/{}/numa_maps", p.pid), 1);
    let Some(rows) = jc("proc-pid-numa-maps", &out) else {
        return;
    };
    let rows = rows.as_array().expect("an array of mappings");
    assert_eq!(rows.len(), out.lines().count());
    for row in rows {
        assert_eq!(row["policy"], p.policy.as_str());
    }
    for (node, kib) in p.node_kib.iter().enumerate() {
        // The anonymous mappings (no file) hold the resident memory, a page per 4 KiB, less
        // what each mapping's rounding down to whole pages drops.
        let pages: u64 = rows
            .iter()
            .filter(|r| r.get("file").is_none())
            .filter_map(|r| r.get(format!("N{node}")).and_then(|v| v.as_u64()))
            .sum();
        let expected = kib / 4;
        assert!(
            pages <= expected && expected - pages <= rows.len() as u64,
            "node {node}: {pages} pages, expected {expected}"
        );
    }
}

/// perf stat's hardware counters follow the remote factor: instructions per cycle at the local
/// rate divided by it, and every LLC miss of the service remote.
#[test]
fn perf_stat_counters_follow_the_remote_factor() {
    let t = trace(INCIDENT, 3);
    let out = run(&t, "perf stat -a -- sleep 2", 1);
    let count = |name: &str| -> f64 {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("{name} in {out}"));
        line.split_whitespace()
            .next()
            .unwrap()
            .replace(',', "")
            .parse()
            .unwrap()
    };
    let ipc = count("instructions") / count("cycles");
    let factor = t.info.numa.processes[0].compute_factor;
    assert!(factor > 1.5, "factor {factor}");
    // Nearly all busy time is the service's, so IPC is close to the local rate over the factor.
    let local = 1.0 / sysdrill::model::numa::LOCAL_CPI;
    assert!(
        ipc < local / factor * 1.05 && ipc > local / factor * 0.9,
        "ipc {ipc}"
    );
    assert!(count("node-load-misses") >= 0.99 * count("LLC-load-misses"));
}

/// A box of one node: numactl -H shows one node with every CPU, numa_maps one node, and
/// perf stat no hardware counters (as before NUMA was modelled).
#[test]
fn one_node_boxes_print_one_node() {
    let t = trace("slow-under-load", 2);
    let out = run(&t, "numactl -H", 1);
    assert!(out.starts_with("available: 1 nodes (0)\n"), "{out}");
    assert!(
        out.ends_with("node distances:\nnode   0 \n  0:  10 \n"),
        "{out}"
    );
    let pid = t.info.numa.processes[0].pid;
    let maps = run(&t, &format!("cat /proc/{pid}/numa_maps"), 1);
    assert!(!maps.contains("N1="), "{maps}");
    assert!(
        maps.lines()
            .all(|l| l.split_whitespace().nth(1) == Some("default"))
    );
    assert!(!run(&t, "perf stat -a -- sleep 1", 1).contains("cycles"));
    assert!(run(&t, "cat /proc/1/numa_maps", 1).contains("No such file or directory"));
}

/// The boot log's `smp: Brought up N nodes, C CPUs` names the nodes and CPUs `numactl -H`
/// lists, on every shipped incident.
#[test]
fn boot_log_brings_up_the_nodes_numactl_shows() {
    let mut failures = Vec::new();
    every_shipped_trace(1, |id, seed, t| {
        let numactl = run(t, "numactl -H", 1);
        let nodes = numactl
            .lines()
            .filter(|l| l.starts_with("node ") && l.contains(" cpus:"))
            .count();
        let cpus: usize = numactl
            .lines()
            .filter_map(|l| l.split_once(" cpus:"))
            .map(|(_, list)| list.split_whitespace().count())
            .sum();
        let expected = format!(
            "smp: Brought up {nodes} node{}, {cpus} CPU{}",
            if nodes == 1 { "" } else { "s" },
            if cpus == 1 { "" } else { "s" }
        );
        let dmesg = run(t, "dmesg", 1);
        let brought_up: Vec<&str> = dmesg
            .lines()
            .filter_map(|l| l.split_once("] ").map(|(_, text)| text))
            .filter(|text| text.starts_with("smp: Brought up"))
            .collect();
        if brought_up != [expected.as_str()] {
            failures.push(format!(
                "{id} seed {seed}: numactl has {nodes} nodes and {cpus} CPUs, dmesg {brought_up:?}"
            ));
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
