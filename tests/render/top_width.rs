//! top's rows fit the screen it lays them out for: without a terminal (every command on the box
//! is captured) procps top takes 80 columns, gives the COMMAND column what the fixed columns
//! leave, 8 characters, and cuts a longer name to 7 and a `+`; `-w N` lays them out for N
//! columns, and refuses a width top refuses with top's message. Checked on every shipped
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

/// Each process's command name by its pid, as the trace records it.
fn comm_by_pid(trace: &sysdrill::model::Trace) -> BTreeMap<u32, &str> {
    trace
        .info
        .tasks
        .iter()
        .map(|t| (t.pid, t.comm.as_str()))
        .collect()
}

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
        let comm_of = comm_by_pid(trace);
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

/// `-w 80` is the screen top assumes anyway; `-w 200` leaves COMMAND 128 columns, so every
/// name is whole, while everything left of COMMAND and the summary stay as they were.
#[test]
fn top_w_lays_rows_out_for_the_width_asked() {
    const WIDE: usize = 200;
    let mut failures = Vec::new();
    every_shipped_trace(SECONDS, |id, seed, trace| {
        let comm_of = comm_by_pid(trace);
        for (default, threads) in [("top -b -n 1", false), ("top -H -b -n 1", true)] {
            let narrow = run(trace, default, 0);
            let mut fail = |what: String| failures.push(format!("{id} seed {seed}: {what}"));
            if run(trace, &format!("{default} -w {SCREEN_COLUMNS}"), 0) != narrow {
                fail(format!("`{default} -w 80` differs from `{default}`"));
            }
            let wide = run(trace, &format!("{default} -w {WIDE}"), 0);
            if narrow.lines().count() != wide.lines().count() {
                fail(format!("`{default} -w {WIDE}` has other lines"));
                continue;
            }
            let mut in_table = false;
            for (short, long) in narrow.lines().zip(wide.lines()) {
                if long.chars().count() >= WIDE {
                    fail(format!("{} columns: {long}", long.chars().count()));
                }
                if !in_table {
                    in_table = short.trim_start().starts_with("PID USER");
                    if short != long {
                        fail(format!("summary or header differs:\n  {short}\n  {long}"));
                    }
                    continue;
                }
                let (fixed, command) = long.split_at(COMMAND_COLUMN.min(long.len()));
                if !short.starts_with(fixed) {
                    fail(format!(
                        "columns before COMMAND differ:\n  {short}\n  {long}"
                    ));
                }
                if command.ends_with('+') {
                    fail(format!("a name cut on {WIDE} columns: {long}"));
                }
                let pid: Option<u32> = long.get(..7).and_then(|p| p.trim().parse().ok());
                if !threads && pid.and_then(|p| comm_of.get(&p)) != Some(&command) {
                    fail(format!(
                        "COMMAND `{command}` is not the task's name: {long}"
                    ));
                }
            }
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Widths top refuses, with top's own message and nothing else.
#[test]
fn top_refuses_a_width_outside_three_to_512_columns() {
    for (line, message) in [
        ("top -b -n 1 -w 2", "top: bad width arg '2'"),
        ("top -b -n 1 -w 513", "top: bad width arg '513'"),
        ("top -b -n 1 -w wide", "top: bad width arg 'wide'"),
        ("top -b -n 1 -w80x", "top: bad width arg '80x'"),
        ("top -H -b -n 1 --width=1", "top: bad width arg '1'"),
        ("top -b -n 1 -w=", "top: -w argument missing"),
    ] {
        match sysdrill::render::parse_command(line) {
            Ok(command) => panic!("`{line}` parsed as {command:?}"),
            Err(e) => assert_eq!(e.message, message, "{line}"),
        }
    }
    for (line, columns) in [
        ("top -b -n 1 -w 3", 3),
        ("top -bn1 -w512", 512),
        ("top -b -n 1 -w", 512),
        ("top -b -w -n 1", 512),
    ] {
        match sysdrill::render::parse_command(line) {
            Ok(sysdrill::render::ToolCommand::Top { columns: got, .. }) => {
                assert_eq!(got, columns, "{line}")
            }
            other => panic!("`{line}`: {other:?}"),
        }
    }
}
