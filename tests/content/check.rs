//! `sysdrill check` (by path and by drill id, text and JSON) and the diagnostics that point a
//! coach at the exact place to change: snapshots of the exact output.

use super::{lint, snapshot};
use crate::common::fixture;

/// `sysdrill ARGS` run from `tests/fixtures/content`: exit code, stdout and stderr.
fn run(args: &[&str]) -> String {
    let output = crate::common::sysdrill()
        .current_dir(fixture("content"))
        .args(args)
        .output()
        .unwrap();
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const DRIFTED: &str = "check/drills/drifted-calibration.yaml";

#[test]
fn check_explains_each_failing_example() {
    snapshot("check_failure_text", run(&["check", DRIFTED]));
}

#[test]
fn check_failures_as_json() {
    let output = crate::common::sysdrill()
        .current_dir(fixture("content"))
        .args(["check", DRIFTED, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["failures"], 2);
    let examples = &json["drills"][0]["examples"];
    assert_eq!(examples[1]["misreads"][0]["field"], "r");
    assert_eq!(examples[1]["shown"][0], "vmstat 1 3");
    snapshot(
        "check_failure_json",
        serde_json::to_string_pretty(&json).unwrap(),
    );
}

#[test]
fn check_takes_drill_ids_and_paths() {
    let by_id = run(&["--content", "check", "check", "drifted-calibration"]);
    let by_path = run(&["check", DRIFTED]);
    assert_eq!(by_id, by_path);

    let shipped = run(&["check", "futex"]);
    assert!(shipped.starts_with("exit: 0\n"), "{shipped}");
    assert!(shipped.contains("✓ futex ("), "{shipped}");
    assert_eq!(
        shipped.matches('✓').count(),
        1,
        "only the named drill: {shipped}"
    );

    let unknown = run(&["check", "futx"]);
    assert!(unknown.starts_with("exit: 2\n"), "{unknown}");
    assert!(unknown.contains("did you mean `futex`?"), "{unknown}");
}

/// Outputs shown to an example come from the drill's incident at the drill's seed: the misread
/// rule is reached, and the example is scored against exactly what `show` prints.
#[test]
fn examples_are_scored_against_the_outputs_they_were_shown() {
    let shown = run(&["show", "slow-under-load", "vmstat 1 3", "--seed", "3"]);
    let r_column: Vec<&str> = shown
        .lines()
        .skip(4)
        .take(3)
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(r_column.len(), 3, "{shown}");
    assert!(r_column.iter().all(|r| *r != "40"), "{shown}");
    let text = run(&["check", DRIFTED]);
    assert!(text.contains("misread: \"r is 40\""), "{text}");
    assert!(!text.contains("no example triggers: misread"), "{text}");
}

#[test]
fn lint_finds_a_misspelt_version_key_where_it_is() {
    snapshot(
        "lint_misspelt_version",
        lint(&["broken/drills/misspelt-version.yaml"]),
    );
}

#[test]
fn lint_locates_a_duplicate_key_at_the_duplicate() {
    snapshot(
        "lint_duplicate_key",
        lint(&["broken/drills/duplicate-key.yaml"]),
    );
}

#[test]
fn lint_suggests_quoting_a_value_with_a_colon() {
    snapshot(
        "lint_unquoted_colon",
        lint(&["broken/drills/unquoted-colon.yaml"]),
    );
}

#[test]
fn lint_variant_errors_name_variants() {
    snapshot(
        "lint_variants",
        lint(&["broken/incidents/bad-variants.yaml"]),
    );
}

#[test]
fn lint_scores_the_model_answer_and_warns_about_uncovered_required_concepts() {
    snapshot(
        "lint_model_answer",
        lint(&["broken/drills/weak-model-answer.yaml"]),
    );
}

#[test]
fn lint_of_a_drill_whose_incident_is_beside_it_suggests_content() {
    let alone = lint(&["coach/drills/queue-storm.yaml"]);
    snapshot("lint_sibling_incident", alone);
    // The suggested command works.
    let together = run(&[
        "--content",
        "coach",
        "lint",
        "coach/drills/queue-storm.yaml",
    ]);
    assert!(together.starts_with("exit: 0\n"), "{together}");
}

#[test]
fn lint_notes_files_that_replace_shipped_ones() {
    snapshot("lint_replaces_shipped", lint(&["valid"]));
}

#[test]
fn try_with_an_unknown_parameter_lists_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let output = crate::common::sysdrill()
        .args(["practice", "slow-under-load", "--seed", "1", "--transcript"])
        .arg(dir.path().join("t.json"))
        .write_stdin("try qps=9000\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|line| line.contains("qps"))
        .unwrap_or_default();
    snapshot("try_unknown_parameter", line.to_owned());
}

/// `shown` commands need a machine (an incident drill) and must be commands the simulated
/// shell runs; unknown misconceptions are reported like unknown red flags.
#[test]
fn example_outputs_and_misconceptions_are_validated() {
    let concept = std::fs::read_to_string(fixture("content/valid/drills/spin-or-mutex.yaml"))
        .unwrap()
        .replace(
            "    misconceptions: []       # misconceptions that must fire",
            "    misconceptions: [spinlock-sleep]\n    shown: [\"vmstat 1 5\"]",
        );
    let diagnostics = sysdrill::content::load_drill(
        std::path::Path::new("drills/spin-or-mutex.yaml"),
        concept.as_bytes(),
    )
    .unwrap_err();
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "unknown misconception `spinlock-sleep`",
            "a concept drill has no machine to show outputs from",
        ]
    );

    let incident = std::fs::read_to_string(fixture("content").join(DRIFTED))
        .unwrap()
        .replace(
            "    shown: [\"vmstat 1 3\"]\n    answer: vmstat shows cs",
            "    shown: [\"vmstat 1 3\", \"iotop -o\"]\n    answer: vmstat shows cs",
        );
    let diagnostics = sysdrill::content::load_drill(
        std::path::Path::new("drills/drifted-calibration.yaml"),
        incident.as_bytes(),
    )
    .unwrap_err();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(
        diagnostics[0].message,
        "`iotop -o` is not a command the simulated machine runs"
    );
    assert!(
        diagnostics[0]
            .source_line
            .as_deref()
            .unwrap_or_default()
            .contains("iotop")
    );
}
