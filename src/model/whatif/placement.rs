//! NUMA placement for `try`: `cpunodebind=1`, `physcpubind=8-15`, `membind=0`,
//! `interleave=all`, `first_touch=local`, as `numactl` would start the service. A `.NAME`
//! suffix names the workload (default: the first, the service the drill is about).

use super::{WhatIfError, bad};
use crate::domain::numa::{MAX_NUMA_NODES, parse_id_list};
use crate::domain::{Incident, MemoryPolicy};

/// The placement parameters, as `help` lists them.
pub(super) const PARAMETERS: &[&str] = &[
    "cpunodebind[.NAME]=NODES",
    "physcpubind[.NAME]=CPUS",
    "membind[.NAME]=NODES",
    "interleave[.NAME]=NODES",
    "first_touch[.NAME]=local|NODES",
];

/// `help` lines for the placement parameters.
pub(super) fn help() -> Vec<(&'static str, String)> {
    vec![
        (
            PARAMETERS[0],
            "run the threads on these nodes' CPUs (e.g. 1, 0-1, all)".to_owned(),
        ),
        (
            PARAMETERS[1],
            "run the threads on these CPUs (e.g. 8-15)".to_owned(),
        ),
        (
            PARAMETERS[2],
            "take memory only from these nodes (e.g. 0)".to_owned(),
        ),
        (
            PARAMETERS[3],
            "spread memory round-robin over these nodes (e.g. all)".to_owned(),
        ),
        (
            PARAMETERS[4],
            "default policy, memory touched where the threads run (local) or on these nodes"
                .to_owned(),
        ),
    ]
}

/// Nodes or CPUs as a candidate writes them: `all` or a list such as `0`, `0-1`, `0,2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ids {
    All,
    List(Vec<u32>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlacementOverride {
    CpuNodeBind(Ids),
    PhysCpuBind(Ids),
    MemBind(Ids),
    Interleave(Ids),
    /// `None`: where the threads run.
    FirstTouch(Option<Ids>),
}

impl PlacementOverride {
    /// The parameter as typed, for messages.
    fn parameter(&self) -> &'static str {
        match self {
            Self::CpuNodeBind(_) => "cpunodebind",
            Self::PhysCpuBind(_) => "physcpubind",
            Self::MemBind(_) => "membind",
            Self::Interleave(_) => "interleave",
            Self::FirstTouch(_) => "first_touch",
        }
    }
}

/// A placement override and the workload it names (`None`: the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub workload: Option<String>,
    pub change: PlacementOverride,
}

fn ids(name: &str, value: &str, limit: usize, what: &str) -> Result<Ids, WhatIfError> {
    if value.eq_ignore_ascii_case("all") {
        return Ok(Ids::All);
    }
    parse_id_list(value, limit).map(Ids::List).ok_or_else(|| {
        bad(
            name,
            value,
            &format!("expected `all` or a list of {what} such as 0, 0-1 or 0,2"),
        )
    })
}

/// Parses one placement parameter; `None` when `base` is not one.
pub(super) fn parse(
    base: &str,
    name: &str,
    value: &str,
    workload: Option<String>,
) -> Option<Result<Placed, WhatIfError>> {
    let change = match base {
        "cpunodebind" => {
            ids(name, value, MAX_NUMA_NODES, "nodes").map(PlacementOverride::CpuNodeBind)
        }
        "physcpubind" => ids(name, value, 1024, "CPUs").map(PlacementOverride::PhysCpuBind),
        "membind" => ids(name, value, MAX_NUMA_NODES, "nodes").map(PlacementOverride::MemBind),
        "interleave" => {
            ids(name, value, MAX_NUMA_NODES, "nodes").map(PlacementOverride::Interleave)
        }
        "first_touch" if value.eq_ignore_ascii_case("local") => {
            Ok(PlacementOverride::FirstTouch(None))
        }
        "first_touch" => ids(name, value, MAX_NUMA_NODES, "nodes")
            .map(|n| PlacementOverride::FirstTouch(Some(n))),
        _ => return None,
    };
    Some(change.map(|change| Placed { workload, change }))
}

/// Resolves `ids` against `count` (nodes or CPUs), every one of which must exist.
fn resolve(param: &str, ids: &Ids, count: usize, what: &str) -> Result<Vec<u32>, WhatIfError> {
    match ids {
        Ids::All => Ok((0..count as u32).collect()),
        Ids::List(list) => match list.iter().find(|&&id| id as usize >= count) {
            Some(missing) => Err(bad(
                param,
                &missing.to_string(),
                &format!(
                    "this box has {count} {what}, numbered 0 to {}",
                    count.saturating_sub(1)
                ),
            )),
            None => Ok(list.clone()),
        },
    }
}

/// Applies one placement override to `incident`.
pub(super) fn apply(incident: &mut Incident, placed: &Placed) -> Result<(), WhatIfError> {
    let nodes = incident.machine.node_count();
    let cpus = incident.machine.cpus as usize;
    let index = match &placed.workload {
        None => 0,
        Some(name) => incident
            .workloads
            .iter()
            .position(|w| &w.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = incident.workloads.iter().map(|w| w.name.as_str()).collect();
                bad(
                    &format!("{}.{name}", placed.change.parameter()),
                    name,
                    &format!(
                        "no workload of that name; the box runs {}",
                        known.join(", ")
                    ),
                )
            })?,
    };
    let node_cpus = |list: &[u32]| -> Vec<u32> {
        let mut out: Vec<u32> = match incident.machine.numa.as_ref() {
            Some(t) => list
                .iter()
                .flat_map(|&n| t.nodes[n as usize].cpus.iter().copied())
                .collect(),
            None => (0..cpus as u32).collect(),
        };
        out.sort_unstable();
        out
    };
    let as_nodes = |list: Vec<u32>| list.into_iter().map(|n| n as usize).collect::<Vec<_>>();
    let (cpu_list, memory) = match &placed.change {
        PlacementOverride::CpuNodeBind(ids) => (
            Some(node_cpus(&resolve("cpunodebind", ids, nodes, "nodes")?)),
            None,
        ),
        PlacementOverride::PhysCpuBind(ids) => {
            (Some(resolve("physcpubind", ids, cpus, "CPUs")?), None)
        }
        PlacementOverride::MemBind(ids) => (
            None,
            Some(MemoryPolicy::Bind(as_nodes(resolve(
                "membind", ids, nodes, "nodes",
            )?))),
        ),
        PlacementOverride::Interleave(ids) => (
            None,
            Some(MemoryPolicy::Interleave(as_nodes(resolve(
                "interleave",
                ids,
                nodes,
                "nodes",
            )?))),
        ),
        PlacementOverride::FirstTouch(None) => {
            (None, Some(MemoryPolicy::FirstTouch { touched_on: None }))
        }
        PlacementOverride::FirstTouch(Some(ids)) => (
            None,
            Some(MemoryPolicy::FirstTouch {
                touched_on: Some(as_nodes(resolve("first_touch", ids, nodes, "nodes")?)),
            }),
        ),
    };
    let Some(w) = incident.workloads.get_mut(index) else {
        return Ok(());
    };
    if let Some(list) = cpu_list {
        // Every CPU is no pinning at all, as numactl leaves it.
        w.placement.cpus = (list.len() < cpus).then_some(list);
    }
    if let Some(memory) = memory {
        w.placement.memory = memory;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Override;
    use super::*;

    fn incident() -> Incident {
        crate::model::numa::tests::incident("{cpunodebind: [1], first_touch_nodes: [0]}")
    }

    #[test]
    fn placement_parameters_parse_as_numactl_options() {
        let parsed = |text: &str| match Override::parse(text) {
            Ok(Override::Placement(placed)) => placed,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(
            parsed("membind=0").change,
            PlacementOverride::MemBind(Ids::List(vec![0]))
        );
        assert_eq!(
            parsed("interleave=all").change,
            PlacementOverride::Interleave(Ids::All)
        );
        assert_eq!(
            parsed("first_touch=local").change,
            PlacementOverride::FirstTouch(None)
        );
        let named = parsed("cpunodebind.svc=0-1");
        assert_eq!(named.workload.as_deref(), Some("svc"));
        assert_eq!(
            named.change,
            PlacementOverride::CpuNodeBind(Ids::List(vec![0, 1]))
        );
        let error = Override::parse("membind=zero").unwrap_err().to_string();
        assert!(
            error.contains("expected `all` or a list of nodes"),
            "{error}"
        );
    }

    #[test]
    fn placement_changes_the_named_workload() {
        let base = incident();
        let bound = super::super::apply(&base, &[Override::parse("membind=1").unwrap()]).unwrap();
        assert_eq!(
            bound.workloads[0].placement.memory,
            MemoryPolicy::Bind(vec![1])
        );
        let moved =
            super::super::apply(&base, &[Override::parse("cpunodebind=0").unwrap()]).unwrap();
        assert_eq!(moved.workloads[0].placement.cpus, Some(vec![0, 1, 2, 3]));
        // Every CPU is no pinning, as numactl leaves it.
        let all =
            super::super::apply(&base, &[Override::parse("cpunodebind=all").unwrap()]).unwrap();
        assert_eq!(all.workloads[0].placement.cpus, None);
    }

    #[test]
    fn placement_errors_name_what_exists() {
        let base = incident();
        let apply = |text: &str| {
            super::super::apply(&base, &[Override::parse(text).unwrap()])
                .unwrap_err()
                .to_string()
        };
        assert!(apply("membind=2").contains("this box has 2 nodes, numbered 0 to 1"));
        assert!(apply("physcpubind=8").contains("this box has 8 CPUs, numbered 0 to 7"));
        assert!(apply("membind.nosuch=0").contains("no workload of that name; the box runs svc"));
        assert!(apply("cpus=16").contains("fixed by its NUMA nodes"));
    }
}
