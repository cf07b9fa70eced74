//! The interviewer listens, in a real terminal at 80 and 120 columns: it does not ask again for
//! what was just answered, asks about the tools the candidate ran and credits them, never scores
//! command lines,
//! challenges a `try` that made things worse, asks follow-ups after the fix, processes every
//! line typed ahead, and wraps prose without breaking a word.

use super::pty::Repl;

const WIDTHS: [u16; 2] = [80, 120];

/// A session of `drill` at `width` columns.
fn session(drill: &str, seed: &str, width: u16) -> Repl {
    let mut repl = Repl::start(drill, &["--seed", seed]);
    repl.set_width(width);
    repl
}

/// The printed lines of the last output, without carriage returns or terminal control
/// sequences (rustyline redraws the prompt line with them).
fn printed_lines(output: &str) -> Vec<String> {
    let control = regex::Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").unwrap();
    control
        .replace_all(output, "")
        .split('\n')
        .map(|line| {
            let line = line.trim_end_matches('\r');
            line.rsplit('\r').next().unwrap_or(line).to_owned()
        })
        .collect()
}

/// What was printed after the echo of a typed line ending in `typed_end`, without terminal
/// control sequences.
fn reply(output: &str, typed_end: &str) -> String {
    let printed = printed_lines(output).join("\n");
    match printed.rfind(typed_end) {
        Some(at) => printed[at + typed_end.len()..].to_owned(),
        None => panic!("`{typed_end}` not echoed in:\n{printed}"),
    }
}

#[test]
fn pty_an_answered_question_is_not_asked_again_and_tools_run_are_discussed() {
    for width in WIDTHS {
        let mut repl = session("slow-under-load", "7", width);
        repl.line(
            "Restating: p99 at peak is the symptom, and success is p99 under target at the \
             same throughput.",
        );
        repl.saw("hypotheses");
        repl.line(
            "My top hypotheses: threads waiting on a contended lock, more runnable threads than \
             cores, or memory pressure.",
        );
        // The reply, after the echo of the typed line.
        let after = reply(repl.last(), "or memory pressure.").to_lowercase();
        assert!(
            !after.contains("hypothes"),
            "{width}: asked again:\n{after}"
        );
        repl.line("vmstat 1 5");
        repl.line("perf top");
        repl.line("perf lock contention -a -b");
        repl.line("it is slow somewhere");
        let after = reply(repl.last(), "slow somewhere");
        assert!(
            !after.contains("Which tool would you run"),
            "{width}: asked which tool after three were run:\n{after}"
        );
        assert!(
            after.contains("You ran") || after.contains("printed") || after.contains("output"),
            "{width}: the tools run were not discussed:\n{after}"
        );
        repl.quit();
    }
}

#[test]
fn pty_tools_run_are_credited_on_the_scorecard() {
    for width in WIDTHS {
        let mut repl = session("slow-under-load", "7", width);
        repl.line("vmstat 1 5");
        repl.saw("procs");
        repl.line("perf top");
        repl.saw("PerfTop");
        repl.line("perf lock contention -a -b");
        repl.saw("contended");
        repl.line("score");
        let card = printed_lines(repl.last()).join("\n");
        // No answer was typed: the check-stage point comes from the actions alone, and its
        // evidence names the command that earned it.
        assert!(card.contains("answers 0,"), "{width}: {card}");
        assert!(
            card.contains("[x] decisive checks"),
            "{width}: the tools run were not credited:\n{card}"
        );
        assert!(card.contains("ran `vmstat 1 5`"), "{width}: {card}");
        repl.quit();
        let log = repl.transcript().log;
        let commands = log
            .iter()
            .filter(|entry| matches!(entry.event, sysdrill::transcript::Event::Command { .. }))
            .count();
        assert_eq!(
            commands, 3,
            "{width}: every tool run is logged as an action"
        );
    }
}

#[test]
fn pty_command_lines_are_never_scored() {
    for width in WIDTHS {
        let mut repl = session("slow-under-load", "7", width);
        for line in ["gdb -p 1", "ls", "lsof -p 1"] {
            repl.line(line);
            repl.saw("command not found");
            repl.saw("not available on this box");
        }
        // Tools the box has, even with arguments it refuses, are commands too.
        repl.line("strace -p 1");
        repl.saw("add -c");
        repl.line("ps -ef");
        repl.saw("UID");
        repl.line("perf top | head -5");
        repl.saw("PerfTop");
        repl.line("grep x /proc/lock_stat");
        repl.line("score");
        // Nothing above was an answer.
        repl.saw("answers 0,");
        repl.quit();
    }
}

#[test]
fn pty_a_try_that_makes_it_worse_is_challenged() {
    for width in WIDTHS {
        let mut repl = session("high-cpu-spinlock", "3", width);
        repl.line("Switch the spinlock to a mutex so the waiters sleep instead of spinning.");
        repl.line("try lock=mutex");
        repl.saw("made it worse");
        repl.quit();
    }
}

#[test]
fn pty_follow_ups_come_after_the_fix_and_before_the_scorecard() {
    const STRONG: &str = "Requests time out at peak, so success is p99 back under target at the \
        same throughput. CPU is not maxed out, so the threads are waiting rather than computing. \
        My top hypotheses are lock contention, oversubscription and memory pressure. I'd run \
        vmstat 1, perf top and perf lock report. cs is very high and r is well above the CPU \
        count. perf lock shows one lock dominates the wait time. Fixes: cap threads near the \
        core count and shrink the critical section.";
    for width in WIDTHS {
        let mut repl = session("slow-under-load", "7", width);
        let mut seen = String::new();
        let mut finished = false;
        for _ in 0..10 {
            repl.send_line(STRONG);
            if repl.prompt_or("Scorecard") {
                finished = true;
                break;
            }
            seen.push_str(repl.last());
        }
        assert!(finished, "{width}: never wrapped up:\n{seen}");
        assert!(
            seen.contains("verify it in production") || seen.contains("limit next"),
            "{width}: no follow-up before the scorecard:\n{seen}"
        );
        repl.expect("Follow-ups");
        repl.expect("transcript saved");
        repl.wait_exit();
    }
}

#[test]
fn pty_five_lines_typed_ahead_are_all_processed_in_order() {
    for width in WIDTHS {
        let mut repl = session("slow-under-load", "7", width);
        // All five at once, without waiting for a prompt: as pasted without bracketed paste.
        repl.send("uptime\rfree -m\rvmstat 1 2\rThreads wait on the lock while CPUs idle.\rhint\r");
        repl.expect("load average");
        repl.expect("Mem:");
        repl.expect("procs");
        repl.expect("Hint 1");
        repl.prompt();
        repl.line("time");
        // vmstat 1 2 consumed a second of the box's time: it ran.
        repl.saw("simulated time on the box: 1 s");
        repl.quit();
    }
}

#[test]
fn pty_prose_wraps_to_the_terminal_without_breaking_words() {
    for width in WIDTHS {
        let mut repl = session("slow-under-load", "7", width);
        // After the resize: help, a move and a scorecard are all wrapped to the new width.
        repl.line("help");
        let mut printed = printed_lines(repl.last());
        repl.line("The symptom is p99 at peak and success is p99 under target at the same throughput while the worker threads keep up with the load.");
        printed.extend(printed_lines(repl.last()));
        repl.line("score");
        printed.extend(printed_lines(repl.last()));
        let mut words_seen = 0;
        for line in &printed {
            // The echo of a typed line is the terminal's, not ours.
            if line.starts_with("you> ") {
                continue;
            }
            assert!(
                line.chars().count() <= usize::from(width),
                "{width}: line too long ({}): {line}",
                line.chars().count()
            );
            words_seen += line.split_whitespace().count();
        }
        assert!(words_seen > 50, "{width}: too little printed: {printed:?}");
        // No word of the help text is split across lines.
        let joined = printed.join(" ");
        for word in [
            "perf lock record -a -- sleep 5",
            "hold_scale=F",
            "threads=N",
        ] {
            assert!(joined.contains(word), "{width}: `{word}` missing or broken");
        }
        let words: Vec<&str> = joined.split_whitespace().collect();
        for word in ["throughput", "simulated", "contention", "context"] {
            if joined.contains(word) {
                assert!(
                    words.iter().any(|w| w.contains(word)),
                    "{width}: {word} broken"
                );
            }
        }
        // Prefixes of long words alone on a line end would be broken words.
        for line in &printed {
            let last = line.split_whitespace().last().unwrap_or_default();
            assert!(
                !["throu", "simul", "conte", "perf lo"].contains(&last),
                "{width}: broken word at the end of: {line}"
            );
        }
        repl.quit();
    }
}
