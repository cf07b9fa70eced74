//! top's rows fit the screen it lays them out for: without a terminal (every command on the box
//! is captured) procps top takes 80 columns, gives the COMMAND column what the fixed columns
//! leave, 8 characters, and cuts a longer name to 7 and a `+`. Checked on every shipped
//! incident and seeds 1..=5, for processes (`top -b`) and threads (`top -H -b`).

use std::collections::BTreeMap;

use super::{every_shipped_trace, run};

const SECONDS: usize = 2;
/// The screen top -b writes for without a terminal.
const SCREEN_COLUMNS: usize = 80;
/// Where COMMAND starts in a row: the fixed columns and their separating spaces.
const COMMAND_COLUMN: usize = 71;
/// COMMAND's width on that screen.
const COMMAND_WIDTH: usize = 8;

/// `name` as top prints it in COMMAND.
fn as_top_prints(name: &str) -> String {
    if name.chars().count() > COMMAND_WIDTH {
        name.chars().take(COMMAND_WIDTH - 1).chain(['+']).collect()
    } else {
        name.to_owned()
    }
}

#[test]
fn top_rows_fit_eighty_columns_and_cut_long_names_with_a_plus() {
    let mut failures = Vec::new();
    let mut cut_names = 0usize;
    every_shipped_trace(SECONDS, |id, seed, trace| {
        let comm_of: BTreeMap<u32, &str> = trace
            .info
            .tasks
            .iter()
            .map(|t| (t.pid, t.comm.as_str()))
            .collect();
        for line in ["top -b -n 1", "top -H -b -n 1"] {
            let out = run(trace, line, 0);
            let mut in_table = false;
            for row in out.lines() {
                let mut fail = |what: String| {
                    failures.push(format!("{id} seed {seed} `{line}`: {what}\n  {row}"));
                };
                if row.chars().count() > SCREEN_COLUMNS {
                    fail(format!("{} columns", row.chars().count()));
                }
                if row.trim_start().starts_with("PID USER") {
                    in_table = true;
                    continue;
                }
                if !in_table {
                    continue;
                }
                // A row stops a column short of the screen's edge, as top keeps the last
                // column free.
                if row.chars().count() >= SCREEN_COLUMNS {
                    fail("reaches the last column".to_owned());
                }
                let command: String = row.chars().skip(COMMAND_COLUMN).collect();
                if command.chars().count() > COMMAND_WIDTH || command.is_empty() {
                    fail(format!("COMMAND `{command}`"));
                }
                // Process rows name a task whose full name the trace knows.
                let pid: Option<u32> = row.get(..7).and_then(|p| p.trim().parse().ok());
                if line == "top -b -n 1" {
                    match pid.and_then(|p| comm_of.get(&p)) {
                        Some(comm) if as_top_prints(comm) != command => fail(format!(
                            "COMMAND `{command}` for `{comm}`, top prints `{}`",
                            as_top_prints(comm)
                        )),
                        Some(comm) if comm.chars().count() > COMMAND_WIDTH => cut_names += 1,
                        Some(_) => {}
                        None => fail("no such task".to_owned()),
                    }
                }
            }
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        cut_names > 0,
        "some shipped task has a name longer than COMMAND"
    );
}
