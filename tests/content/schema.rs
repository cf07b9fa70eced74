//! The JSON Schemas checked by a real JSON Schema validator: every shipped and fixture file
//! conforms, and files that break a range, an enum or a pattern `lint` enforces are rejected
//! by the schema as well, so an editor flags them while the coach types.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::fixture;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator(schema: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join(schema)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft202012::new(&schema).unwrap()
}

/// A YAML file as the JSON value an editor's schema check sees.
fn as_json(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap()
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

#[test]
fn shipped_and_fixture_files_conform() {
    let kinds = [
        (
            "drills/drill.schema.json",
            vec![root().join("drills"), fixture("content/valid/drills")],
        ),
        (
            "incidents/incident.schema.json",
            vec![root().join("incidents"), fixture("content/valid/incidents")],
        ),
        ("drills/lexicon.schema.json", vec![root().join("drills")]),
    ];
    for (schema, dirs) in kinds {
        let validator = validator(schema);
        let mut checked = 0;
        for dir in dirs {
            for file in yaml_files(&dir) {
                // drills/ holds the drills and the lexicon, each with its own schema.
                let is_lexicon = file.file_stem().is_some_and(|stem| stem == "lexicon");
                if is_lexicon != schema.ends_with("lexicon.schema.json") {
                    continue;
                }
                let value = as_json(&std::fs::read_to_string(&file).unwrap());
                let found = errors(&validator, &value);
                assert!(found.is_empty(), "{}: {found:#?}", file.display());
                checked += 1;
            }
        }
        assert!(checked > 0, "{schema}: no files checked");
    }
}

/// Each edit breaks one rule `lint` enforces; the schema must reject the result, and `lint`
/// must too (the two agree on what a valid file is).
#[test]
fn schema_rejects_what_lint_rejects() {
    let drill =
        std::fs::read_to_string(fixture("content/valid/drills/spin-or-mutex.yaml")).unwrap();
    let incident =
        std::fs::read_to_string(fixture("content/valid/incidents/slow-under-load.yaml")).unwrap();
    let cases: &[(&str, &str, &str, &str)] = &[
        ("drill", "weight: 3", "weight: 0", "a concept weight of 0"),
        (
            "drill",
            "score: [80, 100]",
            "score: [110, 150]",
            "a score range above 100",
        ),
        (
            "drill",
            "penalty: 15",
            "penalty: 150",
            "a penalty above 100",
        ),
        ("drill", "cost: 5", "cost: -1", "a negative hint cost"),
        ("drill", "max_times: 1", "max_times: 0", "max_times of 0"),
        (
            "drill",
            "title: Spinlock or mutex?",
            "title: \"  \"",
            "a blank title",
        ),
        (
            "drill",
            "format_version: 1",
            "format_version: 2",
            "a newer format",
        ),
        (
            "drill",
            "difficulty: easy",
            "difficulty: trivial",
            "an unknown difficulty",
        ),
        (
            "drill",
            "stages: [hypothesis, interpret]",
            "stages: []",
            "a phase without stages",
        ),
        ("incident", "cpus: 8 ", "cpus: 0 ", "no CPUs"),
        (
            "incident",
            "hz: 250",
            "hz: 200",
            "a timer frequency the kernel has not",
        ),
        (
            "incident",
            "clock: \"10:02:11\"",
            "clock: \"25:02:11\"",
            "an hour past 23",
        ),
        (
            "incident",
            "date: 03/14/25",
            "date: 2025-03-14",
            "an ISO date",
        ),
        (
            "incident",
            "name: worker",
            "name: a-name-longer-than-15",
            "a comm over 15 bytes",
        ),
        ("incident", "hold_us: 18", "hold_us: 0", "a zero hold time"),
        (
            "incident",
            "write_fraction: 1.0",
            "write_fraction: 1.5",
            "a fraction above 1",
        ),
        (
            "incident",
            "cpus: [8, 16]",
            "cpus: [0, 16]",
            "a variant range from 0 CPUs",
        ),
        (
            "incident",
            "hold_scale: [0.8, 1.25]",
            "hold_scale: [0, 1.25]",
            "a zero hold scale",
        ),
        (
            "incident",
            "parallelism: 8",
            "parallelism: 0",
            "a disk serving nothing",
        ),
        (
            "incident",
            "irq_cpus: [0, 1, 2, 3, 4, 5, 6, 7]",
            "irq_cpus: []",
            "a NIC without IRQ CPUs",
        ),
    ];
    let drills = validator("drills/drill.schema.json");
    let incidents = validator("incidents/incident.schema.json");
    for (kind, from, to, what) in cases {
        let (base, validator, file) = match *kind {
            "drill" => (&drill, &drills, "drills/spin-or-mutex.yaml"),
            _ => (&incident, &incidents, "incidents/slow-under-load.yaml"),
        };
        assert!(
            base.contains(from),
            "{what}: `{from}` is not in the fixture"
        );
        let broken = base.replacen(from, to, 1);
        assert!(
            !validator.is_valid(&as_json(&broken)),
            "the schema accepts {what}"
        );
        let path = Path::new(file);
        let lint_rejects = match *kind {
            "drill" => sysdrill::content::load_drill(path, broken.as_bytes()).is_err(),
            _ => sysdrill::content::load_incident(path, broken.as_bytes()).is_err(),
        };
        assert!(lint_rejects, "lint accepts {what}");
    }
}
