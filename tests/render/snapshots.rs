//! Snapshots of every renderer's output for the fixed fixture trace.

use super::fixture::fixture_trace;
use super::run;

const COMMANDS: &[(&str, &str, usize)] = &[
    ("vmstat", "vmstat 1 5", 0),
    ("vmstat_wide", "vmstat -w 2 3", 2),
    ("mpstat", "mpstat -P ALL 1 2", 0),
    ("mpstat_since_boot", "mpstat", 0),
    ("pidstat", "pidstat 1 2", 0),
    ("pidstat_h", "pidstat -u -h 1 2", 0),
    ("pidstat_w", "pidstat -w -h 1 1", 0),
    ("iostat", "iostat -x 1 2", 0),
    ("iostat_basic", "iostat -y -z 2 2", 0),
    ("top", "top -b -n 1", 0),
    ("top_wide", "top -b -n 1 -w 132", 0),
    ("free", "free -m", 1),
    ("free_human_wide", "free -h -w", 1),
    ("uptime", "uptime", 0),
    ("perf_top", "perf top --stdio", 0),
    ("perf_lock_report", "perf lock report", 0),
    (
        "perf_lock_contention",
        "perf lock contention -a -b -- sleep 2",
        0,
    ),
    (
        "perf_lock_contention_l",
        "perf lock contention -ab -l -- sleep 2",
        0,
    ),
    ("lock_stat", "cat /proc/lock_stat", 3),
    ("dmesg", "dmesg", 60),
    ("dmesg_wall_clock", "dmesg -T", 60),
    (
        "dmesg_piped",
        "dmesg | grep -i -E 'lockup|blocked' | tail -n 2",
        60,
    ),
    ("lock_stat_grep", "grep : /proc/lock_stat | head -3", 3),
];

#[test]
fn every_tool_on_the_fixture() {
    let trace = fixture_trace(10);
    for (name, line, start) in COMMANDS {
        let mut command = sysdrill::render::parse_command(line).unwrap();
        // perf lock report reads a recording; the console supplies its window.
        if let sysdrill::render::ToolCommand::PerfLockReport { source, .. } = &mut command {
            *source = sysdrill::render::LockSource::Recorded(Some(sysdrill::render::Window {
                start: 0,
                seconds: 3,
            }));
        }
        let out = sysdrill::render::render(&trace, &command, *start);
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            description => *line,
        }, {
            insta::assert_snapshot!(format!("render__{name}"), out);
        });
    }
    // The helper path (what the other tests use) agrees with the direct one.
    assert_eq!(run(&trace, "uptime", 0), {
        let c = sysdrill::render::parse_command("uptime").unwrap();
        sysdrill::render::render(&trace, &c, 0)
    });
}
