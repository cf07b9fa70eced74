//! Every kernel frame any tool prints, for every shipped incident and seeds 1..=5, comes from
//! the one table of kernel functions (`model::symbols::kernel_function`): its name is listed
//! and, where the frame carries a size (`function+0xoff/0xsize`), the size is the table's, so a
//! function reads the same in `/proc/PID/stack`, `dmesg`, `/proc/lock_stat` and `perf lock`.

use std::collections::BTreeSet;

use sysdrill::model::symbols::kernel_function;

use super::{every_shipped_trace, run};

const SECONDS: usize = 3;

/// Every `name+0xoff` or `name+0xoff/0xsize` token of `text`: (name, offset, size if given).
fn frames(text: &str) -> Vec<(String, u64, Option<u64>)> {
    let hex = |s: &str| u64::from_str_radix(s, 16).ok();
    text.split(|c: char| c.is_whitespace() || c == '[' || c == ']' || c == '(' || c == ')')
        .filter_map(|token| {
            let (name, rest) = token.split_once("+0x")?;
            let name = name.rsplit(':').next().unwrap_or(name);
            if name.is_empty() {
                return None;
            }
            let (offset, size) = match rest.split_once("/0x") {
                Some((off, size)) => (hex(off)?, Some(hex(size)?)),
                None => (hex(rest)?, None),
            };
            Some((name.to_owned(), offset, size))
        })
        .collect()
}

#[test]
fn the_frame_parser_reads_sized_and_bare_frames() {
    let text = "[<0>] futex_wait_queue+0x5b/0x90\nRIP: 0010:native_queued_spin_lock_slowpath+0x6e/0x2c0\n  spinlock   futex_wake+0x15a\n 12.3 %  0x7f00";
    assert_eq!(
        frames(text),
        vec![
            ("futex_wait_queue".to_owned(), 0x5b, Some(0x90)),
            (
                "native_queued_spin_lock_slowpath".to_owned(),
                0x6e,
                Some(0x2c0)
            ),
            ("futex_wake".to_owned(), 0x15a, None),
        ]
    );
}

#[test]
fn every_printed_kernel_frame_is_in_the_one_table() {
    let mut failures = BTreeSet::new();
    let mut seen = 0usize;
    every_shipped_trace(SECONDS, |id, _seed, trace| {
        let mut lines = vec![
            "dmesg".to_owned(),
            "cat /proc/lock_stat".to_owned(),
            "perf lock contention -a -- sleep 1".to_owned(),
            "perf lock report".to_owned(),
        ];
        for task in &trace.info.tasks {
            lines.push(format!("cat /proc/{}/stack", task.pid));
            lines.push(format!("cat /proc/{}/task/*/stack", task.pid));
        }
        for line in &lines {
            for (name, offset, size) in frames(&run(trace, line, 0)) {
                seen += 1;
                let what = match (kernel_function(&name), size) {
                    (None, _) => Some(format!("{name} is not in the table")),
                    (Some(f), Some(size)) if f.size != size => Some(format!(
                        "{name}+0x{offset:x}/0x{size:x}: the table's size is 0x{:x}",
                        f.size
                    )),
                    (Some(f), _) if offset >= f.size => Some(format!(
                        "{name}+0x{offset:x} lies past its 0x{:x} bytes",
                        f.size
                    )),
                    _ => None,
                };
                if let Some(what) = what {
                    failures.insert(format!("{id} `{line}`: {what}"));
                }
            }
        }
    });
    assert!(
        seen > 1000,
        "only {seen} frames printed: the commands print no stacks"
    );
    let failures: Vec<String> = failures.into_iter().collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
