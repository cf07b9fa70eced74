//! References to a workload by name (`variants.workload`, a livelock's `workload`): the name
//! must be one of the incident's workloads; left out, it means the first.

use super::Checker;

/// The index of the workload `name` refers to; 0 when it is left out or unknown (an unknown
/// name is reported, and an incident with errors is never built).
pub(super) fn index(
    c: &mut Checker<'_>,
    key_path: &str,
    name: Option<&str>,
    names: &[&str],
) -> usize {
    let Some(name) = name else {
        return 0;
    };
    if c.reference(key_path, "workload", name, names) {
        names.iter().position(|n| *n == name).unwrap_or_default()
    } else {
        0
    }
}
