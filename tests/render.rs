//! Integration tests: render. Every renderer through the public API (`parse_command` +
//! `render`) on a fixed hand-built trace: snapshots of each tool's output, the jc round trip
//! (each jc-parsable output parses back to the trace's values), and properties (no input
//! panics the parser; no valid command panics a renderer).

#[path = "render/cgroup.rs"]
mod cgroup;
#[path = "render/fixture.rs"]
mod fixture;
#[path = "render/frames.rs"]
mod frames;
#[path = "render/incident.rs"]
mod incident;
#[path = "render/inspect.rs"]
mod inspect;
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

use sysdrill::model::Trace;
use sysdrill::render::{parse_command, render};

/// Renders `line` over `trace` from second `start`.
fn run(trace: &Trace, line: &str, start: usize) -> String {
    let command = parse_command(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    render(trace, &command, start)
}
