//! Integration tests: the practice REPL, driven through a pseudo-terminal (expectrl) and through
//! piped stdin, and the transcripts it leaves on disk.
//!
//! PTY rule (rustyline drops typeahead): wait for the prompt before sending every line. Lines are
//! sent with a carriage return, as a terminal's Enter key does.

mod dialogue;
mod listening;
mod pty;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use sysdrill::interview::MoveKind;
use sysdrill::transcript::{Event, Transcript};

use crate::common::sysdrill;

/// The drill the scripted runs use (shipped content).
const DRILL: &str = "slow-under-load";

fn read_transcript(path: &Path) -> Transcript {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Answers that walk an incident drill through its phases.
const ANSWERS: &[&str] = &[
    "The symptom: throughput stopped scaling and p99 latency grew under load. Success means p99 \
     back under its target at the same request rate. My hypotheses: lock contention on a hot \
     lock, CPU oversubscription, memory pressure, or disk saturation.",
    "vmstat shows a long run queue but a lot of idle CPU and very many context switches, so \
     threads sleep instead of running: that points at a contended mutex, not CPU saturation. \
     perf lock report names the lock with the longest total wait.",
    "The waiters sleep on a futex, so the CPUs sit idle while the lock holder runs; memory and \
     disk look fine, so it is not reclaim or IO.",
    "Fix it at the cause: shard the hot lock or shorten the critical section, rather than adding \
     more threads, then verify with perf lock and p99 that the wait time dropped.",
];

#[test]
fn piped_stdin_runs_a_whole_drill_and_saves_the_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let mut script = String::from("vmstat 1 3\nperf lock report\n");
    for answer in ANSWERS {
        script.push_str(answer);
        script.push('\n');
    }
    let assert = sysdrill()
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .args(["practice", DRILL, "--seed", "7", "--transcript"])
        .arg(&path)
        .write_stdin(script)
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    // No prompts and no colour on a pipe.
    assert!(!stdout.contains("you> "), "{stdout}");
    assert!(!stdout.contains('\x1b'), "{stdout}");
    assert!(stdout.contains("procs"), "vmstat output missing:\n{stdout}");
    assert!(stdout.contains("Scorecard"), "{stdout}");

    let transcript = read_transcript(&path);
    assert_eq!(transcript.drill_id, DRILL);
    assert_eq!(transcript.seed, 7);
    assert_eq!(transcript.sysdrill_version, env!("CARGO_PKG_VERSION"));
    assert!(transcript.finished_at.is_some());
    let commands: Vec<&str> = transcript
        .log
        .iter()
        .filter_map(|e| match &e.event {
            Event::Command { line } => Some(line.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(commands, vec!["vmstat 1 3", "perf lock report"]);
    let answers = transcript
        .log
        .iter()
        .filter(|e| matches!(e.event, Event::Answer { .. }))
        .count();
    assert!(answers >= 1);
    let final_score = transcript.final_card().expect("final score");
    assert!(final_score.score <= 100);
    assert!(!final_score.concepts_hit.is_empty(), "{final_score:?}");
}

#[test]
fn piped_final_score_matches_batch_grading() {
    // `sysdrill grade` re-scores the transcript against the same rubric: same answers, same
    // shown outputs, same hint costs, so the same score.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let script = format!("vmstat 1 3\n{}\nhint\n{}\n", ANSWERS[0], ANSWERS[1]);
    sysdrill()
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .args(["practice", DRILL, "--seed", "7", "--transcript"])
        .arg(&path)
        .write_stdin(script)
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let saved = read_transcript(&path)
        .final_card()
        .expect("final score")
        .score;
    let output = sysdrill()
        .args(["grade", "--format", "json"])
        .arg(&path)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    let graded = json["rows"][0]["score"]
        .as_u64()
        .unwrap_or_else(|| panic!("no score in grade's JSON: {json:#}"));
    assert_eq!(graded, u64::from(saved), "{json:#}");
}

#[test]
fn a_killed_session_keeps_every_completed_turn() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sysdrill"))
        .env("NO_COLOR", "1")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .args(["practice", DRILL, "--seed", "3", "--transcript"])
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "vmstat 1 2").unwrap();
    writeln!(stdin, "{}", ANSWERS[0]).unwrap();
    stdin.flush().unwrap();
    // Wait until both turns are on disk, then kill without warning (SIGKILL on Unix).
    let done = pty::poll(Duration::from_secs(60), || {
        std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Transcript>(&bytes).ok())
            .filter(|t| {
                t.log
                    .iter()
                    .any(|e| matches!(e.event, Event::ToolOutput { .. }))
                    && t.log.iter().any(|e| {
                        matches!(&e.event, Event::Answer { text } if text.starts_with("The symptom"))
                    })
                    && t.log
                        .last()
                        .is_some_and(|e| matches!(e.event, Event::Move { .. }))
            })
    });
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    let transcript = done.expect("turns saved before the kill");
    let on_disk = read_transcript(&path);
    assert_eq!(on_disk.log.len(), transcript.log.len());
    assert!(on_disk.final_card().is_none(), "the session never finished");
    // No temporary files left next to it that a reader could mistake for the transcript.
    let names: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(names, vec![path]);
}

#[test]
fn pty_full_incident_drill_with_tool_commands() {
    let mut repl = pty::Repl::start(DRILL, &["--seed", "7"]);
    repl.line("vmstat 1 3");
    repl.saw("procs");
    repl.line("perf lock report");
    let mut finished = false;
    for answer in ANSWERS.iter().cycle().take(12) {
        repl.send_line(answer);
        if repl.prompt_or("Scorecard") {
            finished = true;
            break;
        }
    }
    assert!(finished, "the drill never wrapped up");
    repl.expect("transcript saved");
    let transcript = repl.transcript();
    assert!(transcript.final_card().is_some());
    assert!(
        transcript
            .log
            .iter()
            .any(|e| matches!(&e.event, Event::Command { line } if line == "vmstat 1 3"))
    );
    repl.wait_exit();
}

#[test]
fn pty_red_flag_answer_gets_pushback() {
    let mut repl = pty::Repl::start(DRILL, &["--seed", "7"]);
    repl.line("The fix is to add more threads and buy a faster CPU.");
    let transcript = repl.transcript();
    let last = &transcript.log.last().unwrap().event;
    assert!(
        matches!(
            last,
            Event::Move {
                kind: MoveKind::ChallengeRedFlag,
                ..
            }
        ),
        "{:#?}",
        transcript.log
    );
    repl.quit();
}

#[test]
fn pty_ctrl_c_cancels_the_line() {
    let mut repl = pty::Repl::start(DRILL, &["--seed", "7"]);
    repl.send("this half-typed line is cancelled");
    repl.send("\x03");
    repl.prompt();
    repl.line("help");
    repl.saw("hint");
    repl.quit();
    let transcript = repl.transcript();
    assert!(
        !format!("{:?}", transcript.log).contains("half-typed"),
        "{:#?}",
        transcript.log
    );
}

#[test]
fn pty_ctrl_d_ends_the_drill_and_saves() {
    let mut repl = pty::Repl::start(DRILL, &["--seed", "7"]);
    repl.line(ANSWERS[0]);
    repl.send("\x04");
    repl.expect("Scorecard");
    repl.expect("transcript saved");
    repl.wait_exit();
    let transcript = repl.transcript();
    assert!(transcript.final_card().is_some());
    assert!(transcript.finished_at.is_some());
    assert!(
        transcript
            .log
            .iter()
            .any(|e| matches!(&e.event, Event::Answer { text } if text.starts_with("The symptom")))
    );
}

#[test]
fn pty_history_is_recalled_with_up_arrow_across_sessions() {
    let home = tempfile::tempdir().unwrap();
    let mut first = pty::Repl::start_in(home.path(), DRILL, &["--seed", "7"]);
    first.line("uptime");
    first.saw("load average");
    first.quit();
    assert!(
        home.path().join("data/sysdrill/history.txt").exists(),
        "history not persisted"
    );

    let mut second = pty::Repl::start_in(home.path(), DRILL, &["--seed", "7"]);
    // Up twice: the previous session's lines come back, newest (`quit`) first.
    second.send("\x1b[A");
    second.expect("quit");
    second.send("\x1b[A");
    second.expect("uptime");
    second.send("\r");
    second.prompt();
    second.saw("load average");
    second.quit();
}

#[test]
fn pty_tab_completes_tool_commands() {
    let mut repl = pty::Repl::start(DRILL, &["--seed", "7"]);
    repl.send("mpst");
    repl.send("\t");
    repl.expect("mpstat -P ALL 1 1");
    repl.send("\r");
    repl.prompt();
    repl.saw("%usr");
    // Subcommands complete too: `perf lock c` has one completion.
    repl.send("perf lock c");
    repl.send("\t");
    repl.expect("perf lock contention");
    repl.send("\r");
    repl.prompt();
    repl.saw("perf lock");
    repl.quit();
}

#[test]
fn pty_home_screen_lists_and_starts_drills() {
    let home = tempfile::tempdir().unwrap();
    let mut repl = pty::Repl::spawn(home.path(), &["practice"], "sysdrill> ");
    repl.expect(DRILL);
    repl.prompt();
    repl.send("start slow-under-l");
    repl.send("\t");
    repl.expect("oad");
    repl.send("\r");
    repl.expect("you> ");
    repl.send_line("quit");
    repl.expect("Scorecard");
    repl.expect("sysdrill> ");
    repl.send_line("quit");
    repl.wait_exit();
}

#[test]
fn piped_sessions_and_lines_are_bounded_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut script = "x".repeat(40 * 1024);
    script.push('\n');
    for _ in 0..1005 {
        script.push_str("time\n");
    }
    let assert = sysdrill()
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .args(["practice", DRILL, "--seed", "7", "--transcript"])
        .arg(dir.path().join("t.json"))
        .write_stdin(script)
        .timeout(Duration::from_secs(120))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout.contains("that line is 40960 bytes, over the limit"),
        "{}",
        &stdout[..stdout.len().min(2000)]
    );
    assert!(
        stdout.contains("reached its limit"),
        "no session limit message"
    );
    assert!(stdout.contains("Scorecard"));
    // The 1000th input was the last one run.
    assert_eq!(stdout.matches("simulated time on the box").count(), 1000);
}

#[test]
fn home_lists_every_command_and_suggests_drill_ids() {
    let dir = tempfile::tempdir().unwrap();
    let assert = sysdrill()
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .arg("practice")
        .write_stdin("help\nstart\nstart slow-under-lod\nstart s\nquit\n")
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for (_, command) in sysdrill::commands::HOME {
        assert!(
            stdout.contains(command.usage),
            "home help lacks `{}`:\n{stdout}",
            command.usage
        );
    }
    assert!(stdout.contains("Which drill?"), "{stdout}");
    assert!(
        stdout.contains("unknown drill `slow-under-lod`: did you mean slow-under-load?"),
        "{stdout}"
    );
    // A prefix several ids share lists them.
    assert!(stdout.contains("`s` could be"), "{stdout}");
    assert!(stdout.contains("End of input") || stdout.ends_with('\n'));
}
