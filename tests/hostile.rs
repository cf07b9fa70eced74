//! Integration tests: every file sysdrill reads may be hostile. Each test plays one attack on the
//! real binary (under a memory cap where memory is the attack, with a timeout where a hang is)
//! and checks the clear error, that the rest of the batch is still handled and that nothing
//! already saved is lost. Ends with the property that nothing printed by grade, stats, score or
//! the REPL carries a control character other than newline and tab.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use crate::common::{fixture, sysdrill};

/// A drill shipped in the binary; a concept drill, so answers need no tool output.
const DRILL: &str = "futex";
const ANSWER: &str = "A futex is a fast userspace mutex: the uncontended path is an atomic \
    compare-and-swap in user space, and only contention makes a futex syscall so the kernel \
    parks the waiter on a wait queue keyed by the address.";
/// Where memory is the attack, the binary runs with this much address space; the attacks here
/// would need from several GiB to hundreds of GiB.
const MEMORY_CAP_MIB: u64 = 1024;
const TIMEOUT: Duration = Duration::from_secs(120);

/// The binary under `ulimit -v` (the shell applies the cap, then becomes sysdrill).
fn capped() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -v {}; exec \"$0\" \"$@\"",
            MEMORY_CAP_MIB * 1024
        ))
        .arg(env!("CARGO_BIN_EXE_sysdrill"))
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        // Fewer malloc arenas: each reserves address space the cap would count.
        .env("MALLOC_ARENA_MAX", "2")
        .timeout(TIMEOUT);
    command
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(command: &mut assert_cmd::Command) -> Run {
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn transcript(candidate: &str, answer: &str) -> serde_json::Value {
    json!({
        "format_version": 1,
        "drill_id": DRILL,
        "content_hash": "0000000000000001",
        "seed": 0,
        "sysdrill_version": "0.1.0",
        "candidate": candidate,
        "started_at": "2026-01-01T00:00:00Z",
        "mode": "interview",
        "turns": [{"who": "candidate", "text": answer}],
        "final_score": {"score": 50, "band": "hire", "concepts_missed": ["fast-path"]}
    })
}

fn write_transcript(path: &Path, candidate: &str, answer: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, transcript(candidate, answer).to_string()).unwrap();
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// No control character but newline and tab (C0, DEL and C1 all count).
fn assert_no_control(text: &str, what: &str) {
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_control() && c != '\n' && c != '\t')
    {
        panic!("{what} prints U+{:04X}:\n{text}", c as u32);
    }
}

fn grade(args: &[&str], paths: &[&Path]) -> Run {
    let mut command = capped();
    command.arg("grade").args(args).args(paths);
    run(&mut command)
}

#[test]
fn a_fifo_in_a_graded_folder_is_reported_not_opened() {
    let dir = tempfile::tempdir().unwrap();
    write_transcript(&dir.path().join("a.json"), "ann", ANSWER);
    mkfifo(&dir.path().join("x.json"));
    write_transcript(&dir.path().join("z.json"), "zoe", ANSWER);
    let got = grade(&["--format", "csv"], &[dir.path()]);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(
        got.stderr
            .contains("x.json: a FIFO, not a regular file; not read"),
        "{}",
        got.stderr
    );
    assert!(
        got.stdout.contains("a.json") && got.stdout.contains("z.json"),
        "{}",
        got.stdout
    );
    assert!(
        got.stderr.contains("1 bad file(s); 2 graded"),
        "{}",
        got.stderr
    );
}

#[test]
fn a_fifo_among_content_files_is_reported_not_opened() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("drills")).unwrap();
    mkfifo(&dir.path().join("drills/x.yaml"));
    for command in [vec!["lint"], vec!["list", "--content"]] {
        let mut sysdrill = capped();
        sysdrill.args(&command).arg(dir.path());
        let got = run(&mut sysdrill);
        assert_eq!(got.code, 1, "{command:?}: {}", got.stderr);
        assert!(
            got.stderr.contains("a FIFO, not a regular file; not read"),
            "{}",
            got.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn symlinks_to_devices_are_refused_and_devices_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    write_transcript(&dir.path().join("a.json"), "ann", ANSWER);
    symlink("/dev/stdin", &dir.path().join("x.json"));
    symlink("/dev/zero", &dir.path().join("y.json"));
    let got = grade(&["--format", "csv"], &[dir.path()]);
    assert_eq!(got.code, 1, "{}", got.stderr);
    for name in ["x.json", "y.json"] {
        assert!(
            got.stderr
                .contains(&format!("{name}: a symlink to a file outside")),
            "{}",
            got.stderr
        );
    }
    assert!(got.stdout.contains("a.json"), "{}", got.stdout);
    // Named directly, a device is read as nothing and called what it is, not "too large".
    let got = grade(
        &["--format", "csv"],
        &[Path::new("/dev/zero"), &dir.path().join("a.json")],
    );
    assert!(
        got.stderr
            .contains("/dev/zero: a character device, not a regular file; not read"),
        "{}",
        got.stderr
    );
    assert!(got.stdout.contains("a.json"), "{}", got.stdout);
}

#[cfg(unix)]
#[test]
fn dev_zero_as_a_content_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("zero.yaml");
    symlink("/dev/zero", &link);
    let mut command = capped();
    command.arg("lint").arg(&link);
    let got = run(&mut command);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(
        got.stderr
            .contains("a character device, not a regular file"),
        "{}",
        got.stderr
    );
    // Inside a content folder the same link leads outside it, and is reported as such.
    let mut command = capped();
    command.arg("lint").arg(dir.path());
    let got = run(&mut command);
    assert!(
        got.stderr.contains("a symlink to a file outside"),
        "{}",
        got.stderr
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_walked_once_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(pack.join("drills")).unwrap();
    std::fs::copy(
        fixture("content/valid/drills/spin-or-mutex.yaml"),
        pack.join("drills/spin-or-mutex.yaml"),
    )
    .unwrap();
    // Three self-referencing links: without loop detection 3^16 paths.
    for name in ["a", "b", "c"] {
        symlink(&pack, &pack.join("drills").join(name));
    }
    let mut command = capped();
    command.arg("lint").arg(&pack);
    let got = run(&mut command);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert_eq!(
        got.stderr.matches("a symlink loop").count(),
        3,
        "{}",
        got.stderr
    );
    // The same folder graded: the loops are reported and the transcript is graded.
    write_transcript(&pack.join("t.json"), "ann", ANSWER);
    let got = grade(&["--format", "csv"], &[&pack]);
    assert_eq!(got.stdout.matches("t.json").count(), 1, "{}", got.stdout);
    assert!(got.stderr.contains("a symlink loop"), "{}", got.stderr);
}

#[test]
fn alias_amplification_in_a_transcript_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // 1 MiB of text and 2000 aliases to it: 2 GiB once expanded, from a 1 MiB file.
    let big = "x".repeat(1024 * 1024);
    let mut yaml = format!(
        "format_version: 1\ndrill_id: {DRILL}\ncontent_hash: '01'\nseed: 0\n\
         sysdrill_version: 0.1.0\nturns:\n  - who: candidate\n    text: &big {big}\n"
    );
    for _ in 0..2000 {
        yaml.push_str("  - {who: candidate, text: *big}\n");
    }
    std::fs::write(dir.path().join("bomb.yaml"), yaml).unwrap();
    write_transcript(&dir.path().join("good.json"), "ann", ANSWER);
    let got = grade(&["--format", "csv"], &[dir.path()]);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(
        got.stderr
            .contains("bomb.yaml: not valid YAML: aliases expand the document past 16 MiB"),
        "{}",
        got.stderr
    );
    assert!(got.stdout.contains("good.json"), "{}", got.stdout);
}

#[test]
fn alias_amplification_in_a_drill_is_refused_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("drills")).unwrap();
    let drill =
        std::fs::read_to_string(fixture("content/valid/drills/spin-or-mutex.yaml")).unwrap();
    // Half a MiB anchored in a comment-free key, then 4000 aliases to it in the tags.
    let big = "y".repeat(512 * 1024);
    let tags: String = std::iter::repeat_n("*big", 4000)
        .collect::<Vec<_>>()
        .join(", ");
    let drill = drill.replacen(
        "tags: [locks, spinlock]",
        &format!("tags: [&big {big}, {tags}]"),
        1,
    );
    std::fs::write(dir.path().join("drills/bomb.yaml"), drill).unwrap();
    std::fs::copy(
        fixture("content/valid/drills/spin-or-mutex.yaml"),
        dir.path().join("drills/spin-or-mutex.yaml"),
    )
    .unwrap();
    let mut command = capped();
    command.arg("lint").arg(dir.path());
    let got = run(&mut command);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(
        got.stderr
            .contains("aliases expand the document past 16 MiB"),
        "{}",
        got.stderr
    );
    assert!(
        got.stderr.contains("bomb.yaml:5:"),
        "{}",
        &got.stderr[..got.stderr.len().min(2000)]
    );
    // The quoted line is cut to a window, not half a MiB.
    assert!(
        got.stderr.len() < 4096,
        "{} bytes of diagnostics",
        got.stderr.len()
    );
    assert!(got.stderr.contains("1 error found"), "{}", got.stderr);
}

#[test]
fn a_huge_incident_is_refused_before_it_is_simulated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("incidents")).unwrap();
    let text =
        std::fs::read_to_string(fixture("content/valid/incidents/slow-under-load.yaml")).unwrap();
    let mut incident: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let workloads = incident["workloads"].as_sequence().unwrap().clone();
    let mut many = Vec::new();
    for i in 0..301 {
        let mut workload = workloads[0].clone();
        workload["name"] = format!("w{i}").into();
        workload["pid"] = (1000 + i).into();
        workload["threads"] = 100_000.into();
        many.push(workload);
    }
    incident["workloads"] = serde_yaml::Value::Sequence(many);
    std::fs::write(
        dir.path().join("incidents/huge.yaml"),
        serde_yaml::to_string(&incident).unwrap(),
    )
    .unwrap();
    let mut command = capped();
    command
        .args(["show", "huge", "vmstat 1 5", "--content"])
        .arg(dir.path());
    let got = run(&mut command);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(
        got.stderr
            .contains("301 workloads; an incident has at most 64"),
        "{}",
        got.stderr
    );
    assert!(
        got.stderr
            .contains("30100000 threads over all workloads; the limit is 100000"),
        "{}",
        got.stderr
    );
    assert!(got.stderr.contains("huge.yaml:"), "{}", got.stderr);
}

#[test]
fn oversized_inputs_are_refused_by_size() {
    let dir = tempfile::tempdir().unwrap();
    // score: 9 MiB on stdin.
    let mut command = capped();
    command
        .args(["score", DRILL])
        .write_stdin(vec![b'a'; 9 * 1024 * 1024]);
    let got = run(&mut command);
    assert_eq!(got.code, 2, "{}", got.stderr);
    assert!(got.stderr.contains("larger than 8 MiB"), "{}", got.stderr);
    // stats: a 200 MiB file is skipped by its size, the rest is read.
    let stats = dir.path().join("stats");
    write_transcript(&stats.join("a.json"), "ann", ANSWER);
    let big = std::fs::File::create(stats.join("big.json")).unwrap();
    big.set_len(200 * 1024 * 1024).unwrap();
    let mut command = capped();
    command.arg("stats").arg("--dir").arg(&stats);
    let got = run(&mut command);
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(
        got.stdout
            .contains("big.json: too large: 200.0 MiB (the limit is 8 MiB)"),
        "{}",
        got.stdout
    );
    assert!(got.stdout.contains(DRILL), "{}", got.stdout);
    // A content file over its cap.
    let content = dir.path().join("content/drills");
    std::fs::create_dir_all(&content).unwrap();
    let big = std::fs::File::create(content.join("big.yaml")).unwrap();
    big.set_len(2 * 1024 * 1024).unwrap();
    let mut command = capped();
    command.arg("lint").arg(&content);
    let got = run(&mut command);
    assert!(
        got.stderr
            .contains("too large: 2.0 MiB (the limit is 1 MiB)"),
        "{}",
        got.stderr
    );
}

#[test]
fn huge_job_counts_are_clamped_to_the_machine() {
    let dir = tempfile::tempdir().unwrap();
    write_transcript(&dir.path().join("a.json"), "ann", ANSWER);
    let got = grade(&["--format", "csv", "--jobs", "100000"], &[dir.path()]);
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(got.stdout.contains("a.json"), "{}", got.stdout);
}

/// Text with every kind of escape a hostile file could carry: CSI, OSC 52 (clipboard), OSC 8
/// (link), a bare C1 CSI, a bidi override, and an unterminated CSI at the end.
const HOSTILE: &str =
    "\u{1b}[31mred\u{1b}]52;c;aGVsbG8=\u{7}\u{1b}]8;;http://x\u{1b}\\\u{9b}2J\u{202e}\u{1b}[";

#[test]
fn escape_sequences_are_shown_not_interpreted_in_grade() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("n{HOSTILE}.json").replace(['/', '\\'], "_");
    write_transcript(
        &dir.path().join(&name),
        &format!("cand{HOSTILE}"),
        &format!("{ANSWER}{HOSTILE}"),
    );
    let mut unknown = transcript("x", ANSWER);
    unknown["drill_id"] = format!("fute{HOSTILE}").into();
    std::fs::write(dir.path().join("unknown.json"), unknown.to_string()).unwrap();
    for format in ["table", "csv"] {
        let got = grade(
            &["--format", format, "--groups", "--compare-human"],
            &[dir.path()],
        );
        assert_eq!(got.code, 1, "{}", got.stderr);
        assert_no_control(&got.stdout, &format!("grade --format {format}"));
        assert_no_control(&got.stderr, &format!("grade --format {format} (stderr)"));
        assert!(got.stdout.contains("cand^[[31mred"), "{}", got.stdout);
    }
}

#[test]
fn escape_sequences_are_shown_not_interpreted_in_stats_score_lint_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("stats");
    let mut hostile = transcript("c", ANSWER);
    hostile["drill_id"] = format!("d{HOSTILE}").into();
    hostile["final_score"]["concepts_missed"] = json!([format!("c{HOSTILE}")]);
    hostile["started_at"] = HOSTILE.into();
    std::fs::create_dir_all(&stats).unwrap();
    std::fs::write(stats.join("h.json"), hostile.to_string()).unwrap();
    std::fs::write(stats.join(format!("bad{}.json", "\u{1b}[2J")), "{").unwrap();
    let mut command = capped();
    command.arg("stats").arg("--dir").arg(&stats);
    let got = run(&mut command);
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert_no_control(&got.stdout, "stats");
    assert!(got.stdout.contains("d^[[31mred"), "{}", got.stdout);

    let mut command = capped();
    command
        .args(["score", DRILL])
        .write_stdin(format!("{ANSWER}{HOSTILE}"));
    let got = run(&mut command);
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert_no_control(&got.stdout, "score");

    // A drill pack whose title and keys carry escapes: lint and show print them visibly.
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(pack.join("drills")).unwrap();
    std::fs::create_dir_all(pack.join("incidents")).unwrap();
    let drill =
        std::fs::read_to_string(fixture("content/valid/drills/spin-or-mutex.yaml")).unwrap();
    let drill = drill.replacen(
        "title: Spinlock or mutex?",
        "title: \"Spin\\e]52;c;aGk=\\a\\e[2J\"\n\"\\e[31mkey\": 1",
        1,
    );
    std::fs::write(pack.join("drills/spin.yaml"), drill).unwrap();
    let incident =
        std::fs::read_to_string(fixture("content/valid/incidents/slow-under-load.yaml")).unwrap();
    let incident = incident.replacen(
        "title: Requests time out under load",
        "title: \"Slow\\e]52;c;aGk=\\a\"",
        1,
    );
    std::fs::write(pack.join("incidents/slow.yaml"), incident).unwrap();
    let mut command = capped();
    command.arg("lint").arg(&pack);
    let got = run(&mut command);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert_no_control(&got.stderr, "lint");
    assert!(
        got.stderr.contains("unknown key `^[[31mkey`"),
        "{}",
        got.stderr
    );
    let mut command = capped();
    command.args(["show", "slow", "--content"]).arg(&pack);
    let got = run(&mut command);
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert_no_control(&got.stdout, "show");
    assert!(got.stdout.contains("Slow^[]52;c;aGk=^G"), "{}", got.stdout);
}

#[test]
fn escape_sequences_are_shown_not_interpreted_in_the_repl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let script = format!("{ANSWER}{HOSTILE}\nhint\n{HOSTILE}\nquit\n");
    let got = run(sysdrill()
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .args(["practice", DRILL, "--candidate", HOSTILE, "--transcript"])
        .arg(&path)
        .write_stdin(script)
        .timeout(TIMEOUT));
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert_no_control(&got.stdout, "practice");
    assert_no_control(&got.stderr, "practice (stderr)");
    // The answer is kept as typed: only its display is made safe.
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("\\u001b]52;c;"), "{saved}");
}

#[test]
fn csv_cells_that_look_like_formulas_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let formulas = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2", "@SUM(A1)"];
    for (i, candidate) in formulas.iter().enumerate() {
        write_transcript(&dir.path().join(format!("{i}.json")), candidate, ANSWER);
    }
    let got = grade(&["--format", "csv"], &[dir.path()]);
    assert_eq!(got.code, 0, "{}", got.stderr);
    let mut reader = csv::Reader::from_reader(got.stdout.as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "candidate")
        .unwrap();
    let cells: Vec<String> = reader
        .records()
        .map(|record| record.unwrap()[column].to_owned())
        .collect();
    let expected: Vec<String> = formulas.iter().map(|f| format!("'{f}")).collect();
    assert_eq!(cells, expected);
    // No negative zero in any format.
    assert!(!got.stdout.contains(",-0,"), "{}", got.stdout);
    let got = grade(&["--format", "json"], &[dir.path()]);
    assert!(!got.stdout.contains("-0.0"), "{}", got.stdout);
}

fn practice(transcript: &Path, home: &Path, input: &str) -> Run {
    run(sysdrill()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .args(["practice", DRILL, "--transcript"])
        .arg(transcript)
        .write_stdin(input.to_owned())
        .timeout(TIMEOUT))
}

#[test]
fn bad_transcript_paths_are_refused_before_the_session_starts() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.json");
    mkfifo(&fifo);
    let read_only = dir.path().join("ro.json");
    std::fs::write(&read_only, b"{}").unwrap();
    let mut permissions = std::fs::metadata(&read_only).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&read_only, permissions).unwrap();
    let cases: [(PathBuf, &str); 4] = [
        (dir.path().to_path_buf(), "it is a directory"),
        (PathBuf::from("/dev/null"), "it is a character device"),
        (fifo, "it is a FIFO"),
        (read_only.clone(), "the file is read-only"),
    ];
    for (path, reason) in cases {
        let got = practice(&path, dir.path(), &format!("{ANSWER}\n"));
        assert_eq!(got.code, 1, "{}: {}", path.display(), got.stderr);
        assert!(
            got.stderr.contains(reason),
            "{}: {}",
            path.display(),
            got.stderr
        );
        assert!(!got.stdout.contains("Type `help`"), "{}", got.stdout);
    }
    // /dev/null is still the device, the read-only file still holds what it held.
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    assert_eq!(std::fs::read(&read_only).unwrap(), b"{}");
}

#[cfg(unix)]
#[test]
fn saving_through_a_symlink_keeps_the_link_and_the_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    std::fs::write(&real, b"").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = dir.path().join("link.json");
    symlink(&real, &link);
    let got = practice(&link, dir.path(), &format!("{ANSWER}\n"));
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o644
    );
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&real).unwrap()).unwrap();
    let finished = saved["log"].as_array().is_some_and(|log| {
        log.iter()
            .any(|e| e["event"] == "scorecard" && e["final_card"] == true)
    });
    assert!(finished, "{saved}");
    // Nothing but the two names is left in the folder (beside the data directory).
    let names = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name() != "data")
        .count();
    assert_eq!(names, 2);
}

#[cfg(unix)]
#[test]
fn a_full_disk_is_reported_at_every_failed_turn_and_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    // A file-size limit stands in for a full disk: writes past 1 KiB fail (EFBIG), and the
    // signal that would kill the process is ignored so that the write itself reports it.
    let mut script = String::new();
    for _ in 0..12 {
        script.push_str(ANSWER);
        script.push('\n');
    }
    let got = run(assert_cmd::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 2; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_sysdrill"))
        .env("NO_COLOR", "1")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .args(["practice", DRILL, "--transcript"])
        .arg(&path)
        .write_stdin(script)
        .timeout(TIMEOUT));
    assert_ne!(got.code, 0, "{}", got.stderr);
    let warnings = got
        .stderr
        .matches("the transcript was not saved to")
        .count();
    assert!(warnings >= 2, "{warnings} warnings:\n{}", got.stderr);
    assert!(
        got.stderr
            .contains("lacks the last turns and the final score"),
        "{}",
        got.stderr
    );
    assert!(!got.stdout.contains("transcript saved"), "{}", got.stdout);
    // What is on disk is the last transcript that fitted, whole; no partial file is left.
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(saved["log"].as_array().is_some_and(|log| !log.is_empty()));
    assert_eq!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains("partial")
            })
            .count(),
        0
    );
}

#[test]
fn a_report_never_overwrites_or_grades_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.json");
    write_transcript(&input, "ann", ANSWER);
    let before = std::fs::read(&input).unwrap();
    let got = grade(&["--out", input.to_str().unwrap()], &[&input]);
    assert_eq!(got.code, 2, "{}", got.stderr);
    assert!(
        got.stderr.contains("would overwrite the input"),
        "{}",
        got.stderr
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // A report inside the graded folder is left out of the walk, on the first run and after.
    let report = dir.path().join("report.json");
    for _ in 0..2 {
        let got = grade(
            &["--format", "json", "--out", report.to_str().unwrap()],
            &[dir.path()],
        );
        assert_eq!(got.code, 0, "{}", got.stderr);
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        assert_eq!(json["rows"].as_array().unwrap().len(), 1);
        assert_eq!(json["bad_files"].as_array().unwrap().len(), 0);
    }
}

#[test]
fn a_very_long_repl_line_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let script = format!("{}\n{ANSWER}\n", "word ".repeat(20_000));
    let got = practice(&path, dir.path(), &script);
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(
        got.stdout.contains("over the limit of 16384"),
        "{}",
        &got.stdout[..got.stdout.len().min(3000)]
    );
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        !saved.contains("word word word"),
        "the long line was recorded"
    );
}

#[cfg(unix)]
#[test]
fn lint_never_quotes_a_symlinked_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "TOPSECRET-LINE: [unclosed\n").unwrap();
    let link = dir.path().join("key.yaml");
    symlink(&secret, &link);
    let mut command = capped();
    command.arg("lint").arg(&link);
    let got = run(&mut command);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(got.stderr.contains("key.yaml"), "{}", got.stderr);
    assert!(!got.stderr.contains("TOPSECRET"), "{}", got.stderr);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(6))]

    /// Whatever a transcript holds, nothing grade, stats, score or the REPL prints carries a
    /// control character other than newline and tab (colour is off, so none is sysdrill's own).
    #[test]
    fn printed_text_never_carries_control_characters(
        noise in proptest::collection::vec(proptest::char::range('\u{0}', '\u{a0}'), 1..24),
    ) {
        let noise: String = noise.into_iter().filter(|&c| c != '\0').collect();
        let dir = tempfile::tempdir().unwrap();
        let graded = dir.path().join("graded");
        write_transcript(&graded.join("t.json"), &noise, &format!("{ANSWER}{noise}"));
        let mut odd = transcript(&noise, ANSWER);
        odd["drill_id"] = noise.clone().into();
        std::fs::write(graded.join("odd.json"), odd.to_string()).unwrap();
        for format in ["table", "csv"] {
            let got = grade(&["--format", format], &[&graded]);
            assert_no_control(&got.stdout, "grade");
            assert_no_control(&got.stderr, "grade (stderr)");
        }
        let mut command = capped();
        command.arg("stats").arg("--dir").arg(&graded);
        let got = run(&mut command);
        assert_no_control(&got.stdout, "stats");
        let mut command = capped();
        command.args(["score", DRILL]).write_stdin(format!("{ANSWER}{noise}"));
        let got = run(&mut command);
        assert_no_control(&got.stdout, "score");
        let line = noise.replace(['\n', '\r'], " ");
        let got = practice(&dir.path().join("p.json"), dir.path(), &format!("{line}\n{ANSWER}{line}\n"));
        assert_no_control(&got.stdout, "practice");
        assert_no_control(&got.stderr, "practice (stderr)");
    }
}

#[test]
fn a_partial_file_left_by_a_killed_session_is_removed_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    // What a session killed in the middle of a save leaves (no process has this pid).
    let stale = dir.path().join(".t.json.4294967295.sysdrill-partial");
    std::fs::write(&stale, b"{\"format_version\": 1, \"turns\": [").unwrap();
    let got = practice(&path, dir.path(), &format!("{ANSWER}\n"));
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(!stale.exists());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "data")
        .collect();
    assert_eq!(names, ["t.json"]);
}

#[test]
fn a_file_name_cannot_forge_lines_of_the_report() {
    let dir = tempfile::tempdir().unwrap();
    write_transcript(&dir.path().join("a.json"), "ann", ANSWER);
    std::fs::write(dir.path().join("x\n  forged.json: graded fine.json"), "{").unwrap();
    let got = grade(&[], &[dir.path()]);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(
        got.stdout.contains("x   forged.json: graded fine.json: "),
        "{}",
        got.stdout
    );
    assert!(
        !got.stdout
            .lines()
            .any(|line| line.starts_with("  forged.json")),
        "{}",
        got.stdout
    );
}

#[test]
fn hostile_titles_are_shown_not_interpreted_in_list_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack");
    std::fs::create_dir_all(pack.join("drills")).unwrap();
    let drill =
        std::fs::read_to_string(fixture("content/valid/drills/spin-or-mutex.yaml")).unwrap();
    let drill = drill.replacen(
        "title: Spinlock or mutex?",
        "title: \"Spin\\e]52;c;aGk=\\a\\e[2J\"",
        1,
    );
    std::fs::write(pack.join("drills/spin.yaml"), drill).unwrap();
    for args in [vec!["list", "--content"], vec!["check"]] {
        let mut command = capped();
        command.args(&args).arg(&pack);
        let got = run(&mut command);
        assert_no_control(&got.stdout, &format!("{args:?}"));
        assert_no_control(&got.stderr, &format!("{args:?} (stderr)"));
    }
    let mut command = capped();
    command.args(["list", "--content"]).arg(&pack);
    let got = run(&mut command);
    assert!(
        got.stdout.contains("Spin^[]52;c;aGk=^G^[[2J"),
        "{}",
        got.stdout
    );
}
