//! Pipeline tests with the stand-in scorer of `testing`: ordering across thread counts, the three
//! formats parsed back, bad files reported with reasons while the rest are graded, human
//! agreement and groups.

use std::path::{Path, PathBuf};

use super::testing;
use super::*;

fn write(dir: &Path, name: &str, transcript: &crate::transcript::Transcript) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_vec_pretty(transcript).unwrap()).unwrap();
    path
}

/// A folder of synthetic transcripts over two test drills, and their human scores (from a CSV
/// beside them, as a grader would keep them).
fn cohort(dir: &Path, n: u64) -> HumanScores {
    let drills = [testing::drill("alpha-drill"), testing::drill("beta-drill")];
    let refs: Vec<&Drill> = drills.iter().collect();
    let config = synth::SynthConfig::default();
    let mut csv = String::new();
    for index in 0..n {
        let synthetic = synth::transcript(&refs, &config, index, &|_, _, _| None).unwrap();
        let relative = synth::relative_path(index);
        write(dir, &relative, &synthetic.transcript);
        if let Some(score) = synthetic.human_score {
            csv.push_str(&format!("{relative},{score}\n"));
        }
    }
    let path = dir.join("human.csv");
    std::fs::write(&path, csv).unwrap();
    HumanScores::read(&path).unwrap()
}

fn grade(dir: &Path, options: &Options) -> (String, Outcome) {
    let catalog = testing::catalog(&["alpha-drill", "beta-drill"]);
    let mut out = Vec::new();
    let outcome = grade_paths(
        &catalog,
        &testing::score_part,
        &[dir.to_path_buf()],
        options,
        &mut out,
        None,
    )
    .unwrap();
    (String::from_utf8(out).unwrap(), outcome)
}

fn options(format: GradeFormat, jobs: usize) -> Options {
    Options {
        format,
        jobs: Some(jobs),
        compare_human: true,
        human: None,
        groups: true,
        out: None,
    }
}

fn with_human(mut options: Options, human: &HumanScores) -> Options {
    options.human = Some(human.clone());
    options
}

#[test]
fn output_is_identical_for_one_and_eight_jobs() {
    let dir = tempfile::tempdir().unwrap();
    // More than two chunks, so chunk boundaries are crossed.
    let human = cohort(dir.path(), 2 * CHUNK as u64 + 37);
    for format in [GradeFormat::Table, GradeFormat::Json, GradeFormat::Csv] {
        let (one, outcome) = grade(dir.path(), &with_human(options(format, 1), &human));
        let (eight, _) = grade(dir.path(), &with_human(options(format, 8), &human));
        assert_eq!(outcome.graded, 2 * CHUNK as u64 + 37);
        assert_eq!(outcome.bad, 0);
        assert!(one == eight, "{format:?} differs between --jobs 1 and 8");
    }
}

#[test]
fn json_report_parses_and_rows_are_in_walk_order() {
    let dir = tempfile::tempdir().unwrap();
    let human = cohort(dir.path(), 40);
    let (json, _) = grade(
        dir.path(),
        &with_human(options(GradeFormat::Json, 4), &human),
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = value["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 40);
    let files: Vec<&str> = rows.iter().map(|r| r["file"].as_str().unwrap()).collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert_eq!(value["summary"]["count"], 40);
    assert!(value["agreement"]["qwk"].is_number());
    assert!(value["groups"].as_array().unwrap().len() > 1);
    assert_eq!(value["bad_files"].as_array().unwrap().len(), 0);
    // The mean agrees with the rows.
    let mean = rows
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .sum::<f64>()
        / 40.0;
    assert!((value["summary"]["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
}

#[test]
fn csv_report_parses_with_the_csv_reader() {
    let dir = tempfile::tempdir().unwrap();
    cohort(dir.path(), 25);
    let (csv_text, _) = grade(dir.path(), &options(GradeFormat::Csv, 2));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers, output::CSV_HEADER);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 25);
    for record in &records {
        assert_eq!(record.len(), output::CSV_HEADER.len());
        let score: u32 = record[3].parse().unwrap();
        assert!(score <= 100);
    }
}

#[test]
fn bad_files_are_reported_and_the_rest_graded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let drill = testing::drill("alpha-drill");
    let mut good = testing::transcript("alpha-drill", drill.content_hash);
    good.log.push(testing::answer("alpha and gamma"));
    write(root, "a-good.json", &good);
    std::fs::write(root.join("b-empty.json"), b"").unwrap();
    std::fs::write(
        root.join("c-binary.json"),
        [0x7f, b'E', b'L', b'F', 0, 1, 2],
    )
    .unwrap();
    let text = serde_json::to_string(&good).unwrap();
    std::fs::write(root.join("d-truncated.json"), &text[..text.len() / 2]).unwrap();
    std::fs::File::create(root.join("e-huge.json"))
        .unwrap()
        .set_len(10 * 1024 * 1024)
        .unwrap();
    let mut unknown = good.clone();
    unknown.drill_id = "alpha-dril".into();
    write(root, "f-unknown.json", &unknown);
    let mut newer = good.clone();
    newer.format_version = 99;
    write(root, "g-newer.json", &newer);
    write(root, "h-good.json", &good);

    let (json, outcome) = grade(root, &options(GradeFormat::Json, 2));
    assert_eq!(outcome, Outcome { graded: 2, bad: 6 });
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let bad: Vec<(String, String)> = value["bad_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let file = b["file"].as_str().unwrap();
            let name = Path::new(file).file_name().unwrap().to_string_lossy();
            (name.into_owned(), b["reason"].as_str().unwrap().to_owned())
        })
        .collect();
    let expect = [
        ("b-empty.json", "empty file"),
        ("c-binary.json", "binary file"),
        ("d-truncated.json", "truncated JSON"),
        ("e-huge.json", "too large: 10.0 MiB"),
        (
            "f-unknown.json",
            "unknown drill `alpha-dril` (did you mean `alpha-drill`?)",
        ),
        ("g-newer.json", "written by a newer sysdrill"),
    ];
    assert_eq!(bad.len(), expect.len());
    for ((file, reason), (want_file, want_reason)) in bad.iter().zip(expect) {
        assert_eq!(file, want_file);
        assert!(reason.starts_with(want_reason), "{file}: {reason}");
    }
    let rows = value["rows"].as_array().unwrap();
    assert_eq!(rows[0]["score"], 75);
    assert_eq!(rows[0]["concepts_missed"], serde_json::json!(["beta"]));
}

#[test]
fn human_csv_overrides_and_feeds_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let drill = testing::drill("alpha-drill");
    let answers = [
        "alpha beta gamma",
        "it is alpha",
        "nothing useful",
        "alpha gamma",
    ];
    for (i, answer) in answers.iter().enumerate() {
        let mut transcript = testing::transcript("alpha-drill", drill.content_hash);
        transcript.log.push(testing::answer(answer));
        write(root, &format!("t{i}.json"), &transcript);
    }
    // Engine scores: 100, 25, 0, 75. Humans agree except on t1 (names relative to the CSV).
    let csv_path = root.join("human.csv");
    std::fs::write(
        &csv_path,
        "file,score\nt0.json,100\nt1.json,100\nt2.json,0\nt3.json,75\n",
    )
    .unwrap();
    let mut options = options(GradeFormat::Json, 1);
    options.human = Some(HumanScores::read(&csv_path).unwrap());
    let (json, outcome) = grade(root, &options);
    assert_eq!(outcome.graded, 4);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let agreement = &value["agreement"];
    assert_eq!(agreement["pairs"], 4);
    assert_eq!(agreement["exact"], 0.75);
    assert_eq!(agreement["adjacent"], 0.75);
    let direct =
        agreement::quadratic_weighted_kappa(&[4, 1, 0, 3], &[4, 4, 0, 3], Some((0, 4))).unwrap();
    assert!((agreement["qwk"].as_f64().unwrap() - direct).abs() < 1e-12);
    let queue = value["summary"]["review_disagreements"].as_array().unwrap();
    assert!(queue[0]["file"].as_str().unwrap().ends_with("t1.json"));
    assert_eq!(queue[0]["difference"], 75.0);
}

#[test]
fn human_csv_errors_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.csv");
    std::fs::write(&path, "file,score\na.json,high\n").unwrap();
    assert_eq!(
        HumanScores::read(&path).unwrap_err(),
        "line 2: score `high` is not a number"
    );
    std::fs::write(&path, "a.json,140\n").unwrap();
    assert!(
        HumanScores::read(&path)
            .unwrap_err()
            .contains("outside 0-100")
    );
}

#[test]
fn table_report_is_aligned_and_summarised() {
    let dir = tempfile::tempdir().unwrap();
    let human = cohort(dir.path(), 12);
    let (table, _) = grade(
        dir.path(),
        &with_human(options(GradeFormat::Table, 2), &human),
    );
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("SCORE  BAND"));
    // Every row line puts FILE at the same column as the header.
    let column = lines[0].find("FILE").unwrap();
    for line in lines[1..].iter().take(24).step_by(2) {
        assert!(line[column..].contains(".json"), "{line}");
    }
    assert!(table.contains("\nSummary\n"));
    assert!(table.contains("most missed:"));
    assert!(table.contains("Agreement with human scores (12 pairs)"));
    assert!(table.contains("Groups (same drill"));
}

#[test]
fn groups_collect_same_concept_sets() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let drill = testing::drill("alpha-drill");
    for (i, answer) in ["alpha beta", "beta, then alpha", "gamma"]
        .iter()
        .enumerate()
    {
        let mut transcript = testing::transcript("alpha-drill", drill.content_hash);
        transcript.log.push(testing::answer(answer));
        write(root, &format!("t{i}.json"), &transcript);
    }
    let (json, _) = grade(root, &options(GradeFormat::Json, 1));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let groups = value["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["count"], 2);
    assert_eq!(
        groups[0]["concepts_hit"],
        serde_json::json!(["alpha", "beta"])
    );
}
