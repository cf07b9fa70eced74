//! NUMA: a machine's nodes (CPUs and memory each, and how far apart they are) and where a
//! workload's threads run and its memory lives.
//!
//! A machine without a topology is one node holding every CPU and all memory, as a one-socket
//! box is; every workload's accesses are then local and nothing here changes the model.

/// The distance the firmware reports from a node to itself (ACPI SLIT): other distances are
/// relative to it, so 21 means "about 2.1 times as far".
pub const LOCAL_DISTANCE: u32 = 10;

/// The most nodes a machine may have (the kernel's usual `CONFIG_NODES_SHIFT` of 6).
pub const MAX_NUMA_NODES: usize = 64;

/// The nodes of a machine with more than one memory controller.
#[derive(Debug, Clone, PartialEq)]
pub struct NumaTopology {
    /// Two or more; every CPU of the machine is in exactly one.
    pub nodes: Vec<NumaNode>,
    /// `distances[from][to]`, the firmware's relative access cost: `LOCAL_DISTANCE` on the
    /// diagonal, larger elsewhere. Square, one row per node.
    pub distances: Vec<Vec<u32>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NumaNode {
    /// The node's CPUs, ascending.
    pub cpus: Vec<u32>,
    /// Memory attached to the node, MiB; the nodes' memory adds up to the machine's.
    pub memory_mib: u64,
}

/// Where a workload runs and where its memory is: what `numactl` would set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Placement {
    /// CPUs its threads may run on, ascending; `None` for every CPU.
    pub cpus: Option<Vec<u32>>,
    pub memory: MemoryPolicy,
    /// The share of its compute time spent waiting for memory when every access is local
    /// (0..=1): the part of the compute that remote accesses stretch.
    pub memory_stall_fraction: f64,
}

/// Which nodes a workload's pages come from.
#[derive(Debug, Clone, PartialEq)]
pub enum MemoryPolicy {
    /// The kernel's default: a page lands on the node of the thread that first touches it.
    /// `touched_on` lists the nodes its threads ran on when they touched their memory (for
    /// instance where the process started before its threads were moved); `None` means where
    /// its threads run now, so every access is local.
    FirstTouch { touched_on: Option<Vec<usize>> },
    /// `numactl --membind`: pages only from these nodes.
    Bind(Vec<usize>),
    /// `numactl --interleave`: pages round-robin over these nodes.
    Interleave(Vec<usize>),
}

impl Default for MemoryPolicy {
    fn default() -> Self {
        Self::FirstTouch { touched_on: None }
    }
}

/// Parses a Linux CPU or node list (`0-7,16-23`, `3`, `0,2`) into ascending, unique numbers.
/// `None` for anything else, an empty list or a range running backwards included; `limit`
/// bounds how many numbers a list may name, so a hostile `0-4294967295` costs nothing.
pub fn parse_id_list(text: &str, limit: usize) -> Option<Vec<u32>> {
    let mut ids = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let (low, high) = match part.split_once('-') {
            Some((low, high)) => (low.trim().parse::<u32>().ok()?, high.trim().parse().ok()?),
            None => {
                let id = part.parse::<u32>().ok()?;
                (id, id)
            }
        };
        if low > high || (high - low) as usize >= limit.saturating_sub(ids.len()) {
            return None;
        }
        ids.extend(low..=high);
    }
    ids.sort_unstable();
    ids.dedup();
    (!ids.is_empty()).then_some(ids)
}

/// Prints ascending numbers as the kernel does in `/proc` and `numa_maps` (`0-7,16-23`).
pub fn format_id_list(ids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < ids.len() {
        let start = ids[i];
        let mut end = start;
        while i + 1 < ids.len() && ids[i + 1] == end.saturating_add(1) {
            i += 1;
            end = ids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}-{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists_parse_as_the_kernel_writes_them() {
        assert_eq!(parse_id_list("0-3", 64), Some(vec![0, 1, 2, 3]));
        assert_eq!(parse_id_list("8-9,2,0", 64), Some(vec![0, 2, 8, 9]));
        assert_eq!(parse_id_list("5", 64), Some(vec![5]));
        assert_eq!(parse_id_list("3-1", 64), None);
        assert_eq!(parse_id_list("", 64), None);
        assert_eq!(parse_id_list("a", 64), None);
        assert_eq!(parse_id_list("0-4294967295", 1024), None);
        assert_eq!(parse_id_list("0-1023", 1024).map(|v| v.len()), Some(1024));
    }

    #[test]
    fn id_lists_print_as_ranges() {
        assert_eq!(format_id_list(&[0, 1, 2, 3, 8, 10, 11]), "0-3,8,10-11");
        assert_eq!(format_id_list(&[4]), "4");
        assert_eq!(format_id_list(&[]), "");
    }
}
