//! Properties: no string panics the command parser, no parsed command panics a renderer (on
//! traces shorter than asked for, too), and absurd counts are refused instead of allocated.

use proptest::prelude::*;
use sysdrill::render::{parse_command, render};

use super::fixture::fixture_trace;

/// Words that reach deep into the parsers: tools, flags, numbers, junk.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("vmstat".to_owned()),
        Just("mpstat".to_owned()),
        Just("pidstat".to_owned()),
        Just("iostat".to_owned()),
        Just("top".to_owned()),
        Just("free".to_owned()),
        Just("uptime".to_owned()),
        Just("perf".to_owned()),
        Just("lock".to_owned()),
        Just("contention".to_owned()),
        Just("report".to_owned()),
        Just("record".to_owned()),
        Just("sleep".to_owned()),
        Just("--".to_owned()),
        Just("|".to_owned()),
        Just("head".to_owned()),
        Just("grep".to_owned()),
        Just("'".to_owned()),
        Just("cat".to_owned()),
        Just("/proc/lock_stat".to_owned()),
        Just("dmesg".to_owned()),
        Just("sudo".to_owned()),
        Just("-P".to_owned()),
        Just("ALL".to_owned()),
        "-[a-zA-Z]{1,4}",
        "--[a-z-]{1,8}(=[0-9a-z]{0,4})?",
        "[0-9]{1,7}",
        ".{0,6}",
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 0..7).prop_map(|words| words.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parser_never_panics(s in ".{0,64}") {
        let _ = parse_command(&s);
    }

    #[test]
    fn parser_never_panics_on_tool_like_lines(s in line()) {
        let _ = parse_command(&s);
    }
}

/// Valid command lines with varied numbers and flags.
fn valid() -> impl Strategy<Value = String> {
    let n = || 1u32..4;
    prop_oneof![
        (n(), n(), any::<bool>())
            .prop_map(|(i, c, w)| format!("vmstat {}{i} {c}", if w { "-w " } else { "" })),
        (n(), n()).prop_map(|(i, c)| format!("mpstat -P ALL {i} {c}")),
        (0u32..6).prop_map(|cpu| format!("mpstat -P {cpu} 1 1")),
        (n(), n(), any::<bool>(), any::<bool>()).prop_map(|(i, c, w, h)| format!(
            "pidstat {} {} {i} {c}",
            if w { "-w" } else { "-u" },
            if h { "-h" } else { "" }
        )),
        (
            n(),
            n(),
            prop_oneof![Just("-x"), Just("-xyz"), Just("-y"), Just("")]
        )
            .prop_map(|(i, c, f)| format!("iostat {f} {i} {c}")),
        (n(), n()).prop_map(|(f, d)| format!("top -b -n {f} -d {d}")),
        prop_oneof![Just("-m"), Just("-g"), Just("-h -w"), Just("-b"), Just("")]
            .prop_map(|f| format!("free {f}")),
        Just("uptime".to_owned()),
        (n(), 0usize..30).prop_map(|(d, e)| format!("perf top --stdio -d {d} -E {e}")),
        (n(), 0usize..5, any::<bool>()).prop_map(|(s, e, l)| format!(
            "perf lock contention -a -b {} -E {e} -- sleep {s}",
            if l { "-l" } else { "" }
        )),
        n().prop_map(|s| format!("perf lock record -a -- sleep {s}")),
        Just("cat /proc/lock_stat".to_owned()),
        prop_oneof![Just("dmesg"), Just("dmesg -T")].prop_map(str::to_owned),
        (0usize..5).prop_map(|n| format!("dmesg | grep -i lock | tail -{n}")),
        (0usize..5).prop_map(|n| format!("vmstat 1 3 | head -n {n} | wc -l")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_start_renders_without_panicking(s in valid(), start in any::<usize>()) {
        let command = parse_command(&s).map_err(|e| TestCaseError::fail(format!("{s}: {e}")))?;
        let _ = render(&fixture_trace(2), &command, start);
    }

    #[test]
    fn valid_commands_render_without_panicking(s in valid(), held in 0u64..8, start in 0usize..10) {
        let command = parse_command(&s).map_err(|e| TestCaseError::fail(format!("{s}: {e}")))?;
        let trace = fixture_trace(held);
        let out = render(&trace, &command, start);
        prop_assert!(!out.contains("NaN"), "{}", out);
    }

    #[test]
    fn renderers_never_panic(s in line(), held in 0u64..6, start in 0usize..8) {
        if let Ok(command) = parse_command(&s) {
            // Keep the work small: skip requests for long stretches.
            prop_assume!(command.seconds() <= 30);
            let trace = fixture_trace(held);
            let _ = render(&trace, &command, start);
        }
    }
}

#[test]
fn every_tool_renders_on_an_empty_trace() {
    let mut trace = fixture_trace(0);
    trace.info.tasks.clear();
    trace.info.disks.clear();
    trace.info.locks.clear();
    trace.info.symbols.clear();
    trace.since_boot = Default::default();
    trace.log.clear();
    for line in [
        "vmstat 1 3",
        "vmstat -w",
        "mpstat -P ALL 1 2",
        "pidstat 1 2",
        "pidstat -w -h",
        "iostat -x 1 2",
        "top -b -n 2",
        "free -h",
        "uptime",
        "perf top",
        "perf lock contention -a -b -l",
        "perf lock record -a -- sleep 1",
        "cat /proc/lock_stat",
        "dmesg",
    ] {
        let command = parse_command(line).unwrap();
        let out = render(&trace, &command, 0);
        assert!(
            !out.contains("NaN") && !out.contains("inf"),
            "{line}: {out}"
        );
    }
}

#[test]
fn absurd_counts_are_refused() {
    for line in [
        "vmstat 1 100000",
        "mpstat 3600 2",
        "top -b -n 100000",
        "perf lock record -- sleep 99999",
        "perf top -d 100000",
    ] {
        let err = parse_command(line).unwrap_err();
        assert!(err.message.contains("at most"), "{line}: {err}");
    }
    assert!(parse_command("vmstat 1 1000").is_ok());
}

#[test]
fn errors_read_like_a_shell() {
    let err = |line: &str| parse_command(line).unwrap_err().message;
    assert_eq!(err("htop"), "bash: htop: command not found");
    assert_eq!(
        err("vmstat -q"),
        "vmstat: invalid option -- 'q'\n\nUsage:\n vmstat [options] [delay [count]]"
    );
    assert_eq!(err("vmstat 1 x"), "vmstat: failed to parse argument: 'x'");
    assert_eq!(
        err("mpstat -P ALL x"),
        "Usage: mpstat [ options ] [ <interval> [ <count> ] ]"
    );
    assert_eq!(
        err("free -q"),
        "free: invalid option -- 'q'\n\nUsage:\n free [options]"
    );
    assert_eq!(
        err("perf kmem"),
        "perf: 'kmem' is not a perf-command. See 'perf --help'."
    );
    // procps-ng 4.0.4's top prints the one line for a bad count or delay, no usage block;
    // with -H as without.
    assert_eq!(err("top -b -n x"), "top: bad iterations argument 'x'");
    assert_eq!(err("top -b -n 0"), "top: bad iterations argument '0'");
    assert_eq!(err("top -bn1 -d x"), "top: bad delay interval 'x'");
    assert_eq!(err("top -H -b -n x"), "top: bad iterations argument 'x'");
}

#[test]
fn pipes_filter_the_tool_output() {
    let trace = fixture_trace(10);
    let run = |line: &str, start| render(&trace, &parse_command(line).unwrap(), start);
    assert_eq!(run("vmstat 1 5 | wc -l", 0), "7\n");
    assert_eq!(
        run("vmstat 1 5 | tail -1", 0),
        run("vmstat 1 5", 0).lines().last().unwrap().to_owned() + "\n"
    );
    assert_eq!(
        parse_command("vmstat 1 5 | head").unwrap().seconds(),
        parse_command("vmstat 1 5").unwrap().seconds()
    );
    let classes = run("grep : /proc/lock_stat", 3);
    assert_eq!(classes.lines().count(), 4, "{classes}");
    assert!(classes.lines().all(|l| l.contains(':')));
    let err = |line: &str| parse_command(line).unwrap_err().message;
    assert!(err("dmesg | sort").contains("only head, tail, grep and wc -l"));
    assert!(err("dmesg > /tmp/x").contains("not available"));
    assert!(err("grep x /etc/passwd").contains("Permission denied"));
    assert_eq!(
        err("dmesg |"),
        "bash: syntax error near unexpected token `|'"
    );
}
