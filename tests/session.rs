//! Integration tests: one session, one score. A scripted practice session of every shipped drill
//! (a command, a `try`, a hint, the model answer, answers to its follow-ups, a score request) run
//! through the real binary gives the same score on its live scorecard, in `grade` and in `stats`; the same sessions
//! written in transcript format 1 grade the same in the same batch; and what a transcript file
//! claims (outputs shown, hint counters, human scores, old scores) cannot change a grade.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use sysdrill::domain::Drill;
use sysdrill::transcript::{Event, Transcript};

use crate::common::sysdrill;

/// The drill of the forgery tests: an incident with a box.
const INCIDENT: &str = "slow-under-load";

/// A scripted session: a command and a `try` (concept drills answer both with the box's
/// refusal), half the model answer, a hint, the rest, an answer making the first point of each
/// follow-up question, a score request, quit.
fn script(drill: &Drill) -> String {
    let lines: Vec<&str> = drill
        .model_answer
        .iter()
        .map(|line| line.text.trim())
        .collect();
    let (first, rest) = lines.split_at(lines.len() / 2);
    // `threads` is a knob of every incident (a NUMA box's CPUs are fixed by its nodes).
    let mut script = String::from("vmstat 1 3\ntry threads=16 vmstat 1 2\n");
    for part in [first.join(" "), "hint".to_owned(), rest.join(" ")] {
        if !part.is_empty() {
            script.push_str(&part.replace('\n', " "));
            script.push('\n');
        }
    }
    let follow_up_points: Vec<&str> = drill
        .follow_ups
        .iter()
        .filter_map(|follow_up| follow_up.concepts.first())
        .filter_map(|concept| concept.phrases.first())
        .map(String::as_str)
        .collect();
    if !follow_up_points.is_empty() {
        script.push_str(&format!(
            "After the change I would check {}.\n",
            follow_up_points.join(", and ")
        ));
    }
    script.push_str("score\nquit\n");
    script
}

/// Runs a piped practice session with the data directory in `home/data`, saving the transcript
/// to `path`; returns the final scorecard's score as printed.
fn practice(home: &Path, drill: &str, script: &str, path: &Path) -> u32 {
    practice_card(home, drill, script, path).0
}

/// As [`practice`], with the final scorecard as printed.
fn practice_card(home: &Path, drill: &str, script: &str, path: &Path) -> (u32, String) {
    let output = sysdrill()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .args(["practice", drill, "--seed", "5", "--transcript"])
        .arg(path)
        .write_stdin(script.to_owned())
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{drill}: {stdout}");
    let card = stdout
        .rsplit_once("Scorecard:")
        .unwrap_or_else(|| panic!("{drill}: no final scorecard in\n{stdout}"))
        .1;
    let score = card
        .split_once("score ")
        .and_then(|(_, rest)| rest.split_once("/100"))
        .and_then(|(number, _)| number.trim().parse().ok());
    let score = score.unwrap_or_else(|| panic!("{drill}: no score on the scorecard\n{card}"));
    (score, card.to_owned())
}

fn load(path: &Path) -> Transcript {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The same session in transcript format 1, as the REPL used to write it: turns of `who` and
/// `text`, a command turn per command or `try`, `hints_used` and `final_score` beside them.
fn format_one(transcript: &Transcript) -> Value {
    let mut turns = Vec::new();
    let mut hints = 0;
    let mut command: Option<String> = None;
    for entry in &transcript.log {
        let turn = match &entry.event {
            Event::Answer { text } => json!({"who": "candidate", "text": text.trim()}),
            Event::Command { line } => {
                command = Some(line.clone());
                continue;
            }
            Event::Try { args } => {
                command = Some(format!("try {args}"));
                continue;
            }
            Event::ToolOutput { text, .. } | Event::WhatIf { text, .. } => {
                json!({"who": "candidate", "text": text, "command": command.take()})
            }
            // The old recorder kept errors of commands only, not of a `try`.
            Event::ToolError { message, .. } => match command.take() {
                Some(line) if !line.starts_with("try ") => {
                    json!({"who": "candidate", "text": message, "command": line})
                }
                _ => continue,
            },
            Event::Move { kind, text } => {
                json!({"who": "interviewer", "text": text, "move_kind": kind})
            }
            Event::Hint { text, .. } => {
                hints += 1;
                json!({"who": "interviewer", "text": text, "move_kind": "hint"})
            }
            Event::Feedback { text } => {
                json!({"who": "interviewer", "text": text, "move_kind": "feedback"})
            }
            _ => continue,
        };
        turns.push(turn);
    }
    let card = transcript.final_card().expect("a finished session");
    json!({
        "format_version": 1,
        "drill_id": transcript.drill_id,
        "content_hash": transcript.content_hash,
        "seed": transcript.seed,
        "sysdrill_version": transcript.sysdrill_version,
        "started_at": transcript.started_at,
        "mode": transcript.mode,
        "turns": turns,
        "hints_used": hints,
        "final_score": {
            "score": card.score,
            // Format 1 saved the band as its label ("lean no hire").
            "band": card.band.label(),
            "concepts_hit": card.concepts_hit,
            "concepts_missed": card.concepts_missed,
        },
    })
}

/// `grade --format json` over `paths`: the report.
fn grade_json(paths: &[&Path], extra: &[&str]) -> Value {
    let output = sysdrill()
        .args(["grade", "--format", "json"])
        .args(extra)
        .args(paths)
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// file name → row of a grade report.
fn rows_by_name(report: &Value) -> std::collections::BTreeMap<String, Value> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let file = Path::new(row["file"].as_str().unwrap());
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let folder = file
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy();
            (format!("{folder}/{name}"), row.clone())
        })
        .collect()
}

#[test]
fn live_scorecard_grade_and_stats_agree_on_every_shipped_drill() {
    let catalog = sysdrill::content::load_catalog(&[]).expect("the shipped content loads");
    let home = tempfile::tempdir().unwrap();
    // Outside the data directory, so `stats` finds them only through its index.
    let new = home.path().join("new");
    let old = home.path().join("old");
    std::fs::create_dir_all(&new).unwrap();
    std::fs::create_dir_all(&old).unwrap();
    let mut live = std::collections::BTreeMap::new();
    let mut with_follow_up_points = 0;
    for drill in catalog.drills.values() {
        let id = drill.id.as_str();
        let path = new.join(format!("{id}.json"));
        let (score, card) = practice_card(home.path(), id, &script(drill), &path);
        // The follow-up answers earn their points, shown in how the score is made up.
        if card.contains(" for follow-ups") {
            with_follow_up_points += 1;
        }
        let transcript = load(&path);
        assert_eq!(transcript.format_version, 2);
        let card = transcript.final_card().expect("the session finished");
        assert_eq!(card.score, score, "{id}: logged and printed scorecards");
        // The card charges the hints the log shows given.
        let given = transcript
            .log
            .iter()
            .filter(|entry| matches!(entry.event, Event::Hint { .. }))
            .count();
        assert_eq!(card.hints_used, given, "{id}");
        let v1 = serde_json::to_vec_pretty(&format_one(&transcript)).unwrap();
        std::fs::write(old.join(format!("{id}.json")), v1).unwrap();
        live.insert(id.to_owned(), score);
    }

    let drills_with_follow_ups = catalog
        .drills
        .values()
        .filter(|drill| !drill.follow_ups.is_empty())
        .count();
    assert!(drills_with_follow_ups > 0);
    assert_eq!(
        with_follow_up_points, drills_with_follow_ups,
        "every drill with follow-ups credits the scripted follow-up answer"
    );

    // One batch of new and old transcripts.
    let report = grade_json(&[&new, &old], &[]);
    assert_eq!(report["bad_files"], json!([]), "{report:#}");
    let rows = rows_by_name(&report);
    assert_eq!(rows.len(), 2 * live.len());
    for (id, score) in &live {
        for folder in ["new", "old"] {
            let row = &rows[&format!("{folder}/{id}.json")];
            assert_eq!(row["score"], json!(score), "{folder}/{id}: {row:#}");
            assert_eq!(row["tampered"], json!(false), "{folder}/{id}: {row:#}");
            assert_eq!(row["notes"], json!([]), "{folder}/{id}: {row:#}");
            assert!(row["drift"].is_null(), "{folder}/{id}: {row:#}");
        }
        let drill = &catalog.drills[&sysdrill::domain::DrillId::from(id.as_str())];
        let row = &rows[&format!("new/{id}.json")];
        let incident = drill.incident.is_some();
        assert_eq!(row["tries"], json!(u32::from(incident)), "{id}: {row:#}");
    }

    // `stats` reads the same sessions through the index the REPL wrote.
    let output = sysdrill()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .arg("stats")
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    let stats = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stats}");
    let over_time = stats
        .split_once("Scores over time\n")
        .unwrap_or_else(|| panic!("{stats}"))
        .1;
    let mut seen = 0;
    for line in over_time.lines().take_while(|line| !line.trim().is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (id, score) = (words[1], words[2].parse::<u32>().unwrap());
        assert_eq!(Some(&score), live.get(id), "stats for {id}: {line}");
        seen += 1;
    }
    assert_eq!(seen, live.len(), "{stats}");
}

/// One finished session of the incident drill, with a command, a hint and answers; returns the
/// transcript's path and the score its scorecard showed.
fn incident_session(home: &Path) -> (PathBuf, u32) {
    let path = home.join("session.json");
    let script = "vmstat 1 5\nThe symptom is p99 latency under load; I suspect lock \
                  contention.\nhint\nvmstat shows r at 40 with lots of idle CPU and a high cs \
                  rate: threads sleep on a contended mutex.\nquit\n";
    let score = practice(home, INCIDENT, script, &path);
    (path, score)
}

fn edit(path: &Path, to: &Path, change: impl FnOnce(&mut Value)) {
    let mut value: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    change(&mut value);
    std::fs::write(to, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
}

/// Every log entry of one `event` kind.
fn entries<'a>(value: &'a mut Value, event: &str) -> Vec<&'a mut Value> {
    value["log"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .filter(|entry| entry["event"] == event)
        .collect()
}

#[test]
fn forged_outputs_are_flagged_in_every_format_and_graded_on_what_the_commands_print() {
    let home = tempfile::tempdir().unwrap();
    let (path, score) = incident_session(home.path());
    let batch = home.path().join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    std::fs::copy(&path, batch.join("a-honest.json")).unwrap();
    // Rewrite the numbers vmstat showed so that "r at 40" reads as true.
    edit(&path, &batch.join("b-forged.json"), |value| {
        for output in entries(value, "tool_output") {
            let text = output["text"].as_str().unwrap();
            let forged: String = text
                .lines()
                .map(|line| {
                    if line.trim_start().starts_with(|c: char| c.is_ascii_digit()) {
                        format!(" 40{}", &line[3..])
                    } else {
                        line.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            output["text"] = json!(forged);
        }
    });
    // An output with no command before it.
    edit(&path, &batch.join("c-invented.json"), |value| {
        let log = value["log"].as_array_mut().unwrap();
        log.insert(
            1,
            json!({"at_s": 1.0, "event": "tool_output", "command": "cat /proc/lock_stat",
                   "text": "lock_stat version 0.4\n"}),
        );
    });

    let report = grade_json(&[&batch], &[]);
    let rows = rows_by_name(&report);
    assert_eq!(report["summary"]["tampered"], json!(2), "{report:#}");
    let honest = &rows["batch/a-honest.json"];
    assert_eq!(honest["score"], json!(score));
    assert_eq!(honest["tampered"], json!(false));
    for name in ["b-forged.json", "c-invented.json"] {
        let row = &rows[&format!("batch/{name}")];
        assert_eq!(row["tampered"], json!(true), "{name}: {row:#}");
        assert_eq!(row["score"], honest["score"], "{name}: {row:#}");
        assert_eq!(row["concepts_hit"], honest["concepts_hit"], "{name}");
        assert!(
            row["notes"][0].as_str().unwrap().starts_with("tampered:"),
            "{name}: {row:#}"
        );
    }

    let output = sysdrill()
        .args(["grade", "--format", "csv"])
        .arg(&batch)
        .output()
        .unwrap();
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let column = headers.iter().position(|h| h == "tampered").unwrap();
    let flags: Vec<String> = reader
        .records()
        .map(|record| record.unwrap()[column].to_owned())
        .collect();
    assert_eq!(flags, ["false", "true", "true"]);

    let output = sysdrill().arg("grade").arg(&batch).output().unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    let flagged = table
        .lines()
        .filter(|line| {
            line.trim_start()
                .starts_with("tampered: the stored output of `vmstat 1 5`")
        })
        .count();
    assert_eq!(flagged, 1, "{table}");
    assert!(table.contains("follow no command"), "{table}");
}

#[test]
fn hint_counters_human_scores_and_old_scores_in_a_file_change_nothing() {
    let home = tempfile::tempdir().unwrap();
    let (path, score) = incident_session(home.path());
    let transcript = load(&path);
    let batch = home.path().join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    std::fs::copy(&path, batch.join("a-honest.json")).unwrap();
    // Format 2: the scorecard's own counter says no hint was used.
    edit(&path, &batch.join("b-card.json"), |value| {
        for card in entries(value, "scorecard") {
            card["hints_used"] = json!(0);
            card["score"] = json!(100);
        }
    });
    // Format 1: `hints_used` erased, a human score of its own, and an impossible old score
    // under another content hash.
    let mut old = format_one(&transcript);
    old["hints_used"] = json!(0);
    old["human_score"] = json!(100);
    old["content_hash"] = json!("0000000000000001");
    old["final_score"]["score"] = json!(4_294_967_295u64);
    std::fs::write(
        batch.join("c-old.json"),
        serde_json::to_vec_pretty(&old).unwrap(),
    )
    .unwrap();

    let report = grade_json(&[&batch], &["--compare-human"]);
    let rows = rows_by_name(&report);
    for name in ["a-honest.json", "b-card.json", "c-old.json"] {
        let row = &rows[&format!("batch/{name}")];
        assert_eq!(row["score"], json!(score), "{name}: {row:#}");
        assert_eq!(row["hints_used"], json!(1), "{name}: {row:#}");
        assert!(
            row["hint_penalty"].as_f64().unwrap() > 0.0,
            "{name}: {row:#}"
        );
        assert!(row["human_score"].is_null(), "{name}: {row:#}");
    }
    // The drifted file shows its new score, and no old score sysdrill could not have written.
    let drift = &rows["batch/c-old.json"]["drift"];
    assert!(drift["old_score"].is_null(), "{drift:#}");
    assert_eq!(drift["new_score"], json!(score));
    assert_eq!(report["agreement"]["pairs"], json!(0));
}

#[test]
fn a_transcript_of_another_version_is_graded_with_a_note() {
    let home = tempfile::tempdir().unwrap();
    let (path, _) = incident_session(home.path());
    let other = home.path().join("other.json");
    edit(&path, &other, |value| {
        value["sysdrill_version"] = json!("0.0.1");
        for output in entries(value, "tool_output") {
            output["text"] = json!("procs -----------memory----------\n 40  0 0 0\n");
        }
    });
    let report = grade_json(&[&other], &[]);
    let row = &report["rows"][0];
    assert_eq!(row["tampered"], json!(false), "{row:#}");
    let note = row["notes"][0].as_str().unwrap();
    assert!(
        note.starts_with(
            "recorded by sysdrill 0.0.1: the outputs of `vmstat 1 5` cannot be re-derived"
        ),
        "{note}"
    );
    // The answers were written against what that version printed: the stored outputs are
    // what it is graded on, and the note says they could not be verified.
    assert!(note.contains("graded on the outputs as stored"), "{note}");
}

#[test]
fn stats_notes_index_entries_that_vanished() {
    let home = tempfile::tempdir().unwrap();
    let (path, _) = incident_session(home.path());
    let index = home
        .path()
        .join("data")
        .join("sysdrill")
        .join("transcripts.index");
    let listed =
        std::fs::read_to_string(&index).unwrap_or_else(|e| panic!("{}: {e}", index.display()));
    assert_eq!(listed.lines().count(), 1, "{listed}");
    std::fs::remove_file(&path).unwrap();
    let output = sysdrill()
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .arg("stats")
        .output()
        .unwrap();
    let stats = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stats}");
    assert!(stats.contains("No practice runs yet"), "{stats}");
    assert!(
        stats
            .contains("session.json: listed in the index of saved transcripts but no longer there"),
        "{stats}"
    );
}

/// A command the box refuses shows nothing: `perf lock report` before `perf lock record` is
/// not a check made, live or in `grade`, while the same report after a record is.
#[test]
fn a_refused_command_earns_no_check() {
    let home = tempfile::tempdir().unwrap();
    let refused = home.path().join("refused.json");
    let (score, card) = practice_card(
        home.path(),
        "slow-under-load",
        "perf lock report\nquit\n",
        &refused,
    );
    assert_eq!(score, 0, "{card}");
    let ran = home.path().join("ran.json");
    let (score, card) = practice_card(
        home.path(),
        "slow-under-load",
        "perf lock record -a -- sleep 1\nperf lock report\nquit\n",
        &ran,
    );
    assert!(score > 0, "{card}");
    let report = grade_json(&[&refused, &ran], &[]);
    let rows = rows_by_name(&report);
    let scores: Vec<u64> = rows
        .values()
        .map(|row| row["score"].as_u64().unwrap())
        .collect();
    assert_eq!(scores.len(), 2, "{report}");
    assert!(
        scores.contains(&0) && scores.iter().any(|&s| s > 0),
        "{report}"
    );
}

#[test]
fn an_answer_that_never_commits_is_pressed_to_commit() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("hedged.json");
    let hedged = "Maybe it is lock contention, or perhaps memory pressure; it could possibly be \
                  the disk, I'm not sure, it might be the network.";
    practice(
        home.path(),
        "slow-under-load",
        &format!("{hedged}\nquit\n"),
        &path,
    );
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("press_commitment"), "{saved}");
    // A committed answer with the same suspects is not pressed.
    let path = home.path().join("committed.json");
    let committed = "It is lock contention on the queue mutex, not memory pressure or the disk.";
    practice(
        home.path(),
        "slow-under-load",
        &format!("{committed}\nquit\n"),
        &path,
    );
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(!saved.contains("press_commitment"), "{saved}");
}
