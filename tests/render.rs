//! Integration tests: render. Every renderer through the public API (`parse_command` +
//! `render`) on a fixed hand-built trace: snapshots of each tool's output, the jc round trip
//! (each jc-parsable output parses back to the trace's values), and properties (no input
//! panics the parser; no valid command panics a renderer).

#[path = "render/cgroup.rs"]
mod cgroup;
#[path = "render/cross_tool.rs"]
mod cross_tool;
#[path = "render/fixture.rs"]
mod fixture;
#[path = "render/frames.rs"]
mod frames;
#[path = "render/incident.rs"]
mod incident;
#[path = "render/inspect.rs"]
mod inspect;
#[path = "render/irq_accounting.rs"]
mod irq_accounting;
#[path = "render/irq_lockup.rs"]
mod irq_lockup;
#[path = "render/jc.rs"]
pub(crate) mod jc;
#[path = "render/mix.rs"]
mod mix;
#[path = "render/numa.rs"]
mod numa;
#[path = "render/props.rs"]
mod props;
#[path = "render/snapshots.rs"]
mod snapshots;
#[path = "render/top_width.rs"]
mod top_width;

use sysdrill::domain::Seed;
use sysdrill::model::{Trace, simulate, variant};
use sysdrill::render::{parse_command, render};

/// Seeds the whole-catalog render checks run every shipped incident at.
const CATALOG_SEEDS: std::ops::RangeInclusive<u64> = 1..=5;

/// Calls `check` with every shipped incident's id, the seed, and its trace of `seconds`
/// simulated seconds, for seeds [`CATALOG_SEEDS`].
fn every_shipped_trace(seconds: usize, mut check: impl FnMut(&str, u64, &Trace)) {
    let catalog = sysdrill::content::load_catalog(&[]).expect("shipped content loads");
    for incident in catalog.incidents.values() {
        for seed in CATALOG_SEEDS {
            let v = variant::pick(incident, Seed(seed));
            check(
                incident.id.as_str(),
                seed,
                &simulate(&v, Seed(seed), seconds),
            );
        }
    }
}

/// Renders `line` over `trace` from second `start`.
fn run(trace: &Trace, line: &str, start: usize) -> String {
    let command = parse_command(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    render(trace, &command, start)
}
