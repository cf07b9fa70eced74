//! Integration tests: `sysdrill grade` end to end on the shipped drills, with transcripts from
//! the synthetic generator (`sysdrill::grade::synth`) written to a temp dir at test time.
//!
//! Ordering across `--jobs`, the three formats parsed back (csv crate, serde_json, and `jq` when
//! it is installed), bad files reported with reasons and exit 1, `--out`, `--compare-human` with
//! a side CSV, and a hand-written YAML transcript.

use std::path::Path;

use sysdrill::domain::Drill;
use sysdrill::grade::synth::{self, SynthConfig};

use crate::common::{fixture, sysdrill};

/// Writes `n` synthetic transcripts over the shipped drills under `dir` (incident drills run
/// commands on the box a session builds), and their human scores to `dir/human.csv`.
fn cohort(dir: &Path, n: u64) -> std::path::PathBuf {
    let catalog = sysdrill::content::load_catalog(&[]).expect("the shipped content loads");
    let drills: Vec<&Drill> = catalog.drills.values().collect();
    let config = SynthConfig::default();
    let shown = |drill: &Drill, seed: u64, commands: &[&str]| {
        synth::session_outputs(&catalog, drill, seed, commands)
    };
    let mut human = String::from("file,score\n");
    for index in 0..n {
        let synthetic = synth::transcript(&drills, &config, index, &shown).unwrap();
        let relative = synth::relative_path(index);
        let path = dir.join(&relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            serde_json::to_vec_pretty(&synthetic.transcript).unwrap(),
        )
        .unwrap();
        if let Some(score) = synthetic.human_score {
            human.push_str(&format!("{relative},{score}\n"));
        }
    }
    let csv = dir.join("human.csv");
    std::fs::write(&csv, human).unwrap();
    csv
}

fn stdout_of(args: &[&str], dir: &Path) -> (String, i32) {
    let output = sysdrill()
        .arg("grade")
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn grade_output_is_the_same_for_one_and_eight_jobs() {
    let dir = tempfile::tempdir().unwrap();
    cohort(dir.path(), 240);
    for format in ["table", "json", "csv"] {
        let (one, code) = stdout_of(&["--format", format, "--jobs", "1", "--groups"], dir.path());
        assert_eq!(code, 0, "{one}");
        let (eight, _) = stdout_of(&["--format", format, "--jobs", "8", "--groups"], dir.path());
        assert!(
            one == eight,
            "--format {format}: --jobs 1 and --jobs 8 differ"
        );
    }
}

#[test]
fn grade_csv_parses_with_the_csv_reader() {
    let dir = tempfile::tempdir().unwrap();
    cohort(dir.path(), 50);
    let (text, code) = stdout_of(&["--format", "csv"], dir.path());
    assert_eq!(code, 0);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        sysdrill::grade::output::CSV_HEADER
    );
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let score: u32 = record[3].parse().unwrap();
        assert!(score <= 100);
        let confidence: f64 = record[5].parse().unwrap();
        assert!((0.0..=1.0).contains(&confidence));
        rows += 1;
    }
    assert_eq!(rows, 50);
}

#[test]
fn grade_json_parses_with_serde_json_and_jq() {
    let dir = tempfile::tempdir().unwrap();
    let human = cohort(dir.path(), 50);
    let human = human.to_str().unwrap();
    let (text, code) = stdout_of(
        &[
            "--format",
            "json",
            "--compare-human",
            "--human",
            human,
            "--groups",
        ],
        dir.path(),
    );
    assert_eq!(code, 0);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["rows"].as_array().unwrap().len(), 50);
    assert_eq!(value["summary"]["count"], 50);
    assert!(value["agreement"]["pairs"].as_u64().unwrap() > 0);
    assert!(!value["groups"].as_array().unwrap().is_empty());
    // The synthetic sessions ran their commands on the box a session builds: grade re-derives
    // every output exactly.
    for row in value["rows"].as_array().unwrap() {
        assert_eq!(row["tampered"], false, "{row}");
        assert_eq!(row["notes"], serde_json::json!([]), "{row}");
    }

    let jq = std::process::Command::new("jq")
        .args(["-e", ".summary.count"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    match jq {
        Err(error) => println!("skipping the jq check: jq is not installed ({error})"),
        Ok(mut child) => {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success(), "jq rejected the report");
            assert_eq!(String::from_utf8(output.stdout).unwrap().trim(), "50");
        }
    }
}

#[test]
fn grade_reports_bad_files_and_grades_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    cohort(&root.join("good"), 3);
    std::fs::write(root.join("empty.json"), b"").unwrap();
    std::fs::write(root.join("binary.json"), [0u8, 159, 146, 150, 1, 2, 3]).unwrap();
    let good = std::fs::read_to_string(root.join("good").join(synth::relative_path(0))).unwrap();
    std::fs::write(root.join("truncated.json"), &good[..good.len() / 2]).unwrap();
    // 10 MB, sparse: created at test time, never committed.
    std::fs::File::create(root.join("huge.json"))
        .unwrap()
        .set_len(10_000_000)
        .unwrap();

    let (text, code) = stdout_of(&["--format", "json"], root);
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["rows"].as_array().unwrap().len(), 3);
    let bad: Vec<(String, String)> = value["bad_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bad| {
            let file = Path::new(bad["file"].as_str().unwrap());
            (
                file.file_name().unwrap().to_string_lossy().into_owned(),
                bad["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let names: Vec<&str> = bad.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["binary.json", "empty.json", "huge.json", "truncated.json"]
    );
    assert!(bad[0].1.starts_with("binary file"), "{}", bad[0].1);
    assert_eq!(bad[1].1, "empty file");
    assert!(bad[2].1.starts_with("too large: 9.5 MiB"), "{}", bad[2].1);
    assert!(bad[3].1.starts_with("truncated JSON"), "{}", bad[3].1);

    // The table names them too, and CSV sends them to stderr.
    let (table, code) = stdout_of(&[], root);
    assert_eq!(code, 1);
    assert!(table.contains("Bad files (4):"), "{table}");
    let output = sysdrill()
        .args(["grade", "--format", "csv"])
        .arg(root)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("empty.json: empty file"), "{stderr}");
}

#[test]
fn grade_writes_to_out_and_compares_with_a_human_csv() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let data = root.join("data");
    cohort(&data, 20);
    // Human scores for every file, named relative to the CSV's folder.
    let mut csv = String::from("file,score\n");
    for index in 0..20 {
        csv.push_str(&format!(
            "data/{},{}\n",
            synth::relative_path(index),
            index * 5
        ));
    }
    let human = root.join("human.csv");
    std::fs::write(&human, csv).unwrap();
    let out = root.join("report.json");
    let output = sysdrill()
        .args(["grade", "--format", "json", "--compare-human", "--human"])
        .arg(&human)
        .arg("--out")
        .arg(&out)
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(value["agreement"]["pairs"], 20);
    let rows = value["rows"].as_array().unwrap();
    assert_eq!(rows[3]["human_score"], 15.0);
    assert!(
        !value["summary"]["review_disagreements"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn grade_reads_a_hand_written_yaml_transcript() {
    let (text, code) = stdout_of(&["--format", "json"], &fixture("grade/yaml"));
    assert_eq!(code, 0, "{text}");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let row = &value["rows"][0];
    assert_eq!(row["drill"], "futex");
    assert_eq!(row["candidate"], "hand-written");
    // The recorded hash is not the drill's: drift against the saved score.
    assert_eq!(row["drift"]["old_score"], 55);
    // A format-1 file's own human score is not a human grade.
    assert_eq!(row["human_score"], serde_json::Value::Null);
    assert_eq!(row["hints_used"], 0);
    // The same answer in format 2, with a hint the log shows given.
    let row = &value["rows"][1];
    assert_eq!(row["candidate"], "hand-written-v2");
    assert_eq!(row["hints_used"], 1);
    assert_eq!(row["drift"]["old_score"], 70);
    assert_eq!(row["concepts_hit"], value["rows"][0]["concepts_hit"]);
    assert!(row["hint_penalty"].as_f64().unwrap() > 0.0, "{row}");
    assert!(!row["concepts_hit"].as_array().unwrap().is_empty(), "{row}");
}

#[test]
fn grade_names_an_unknown_drill_with_a_suggestion() {
    let (text, code) = stdout_of(&["--format", "json"], &fixture("grade/unknown-drill.json"));
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["bad_files"][0]["reason"],
        "unknown drill `futx` (did you mean `futex`?)"
    );
}
