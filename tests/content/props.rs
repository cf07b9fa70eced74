//! Property tests: whatever bytes a coach (or a corrupted disk) hands the loader, it returns
//! diagnostics, never panics, and every diagnostic points inside the file.

use std::path::Path;

use proptest::prelude::*;
use sysdrill::content::{self, Diagnostic};

const INCIDENT: &str = include_str!("../fixtures/content/valid/incidents/slow-under-load.yaml");
const DRILL: &str = include_str!("../fixtures/content/valid/drills/slow-under-load.yaml");
const CONCEPT_DRILL: &str = include_str!("../fixtures/content/valid/drills/spin-or-mutex.yaml");

/// Loads `bytes` as both kinds and checks every diagnostic is well-formed and renders.
fn load_both(bytes: &[u8]) {
    let lines = String::from_utf8_lossy(bytes).lines().count();
    let drill = content::load_drill(Path::new("drills/x.yaml"), bytes).err();
    let incident = content::load_incident(Path::new("incidents/x.yaml"), bytes).err();
    for diagnostics in [drill, incident].into_iter().flatten() {
        assert!(!diagnostics.is_empty());
        for diagnostic in &diagnostics {
            check(diagnostic, lines);
        }
    }
}

fn check(diagnostic: &Diagnostic, lines: usize) {
    assert!(
        diagnostic.line <= lines + 1,
        "line {} of {lines}: {diagnostic:?}",
        diagnostic.line
    );
    assert!(
        diagnostic.line == 0 || diagnostic.col >= 1,
        "{diagnostic:?}"
    );
    assert!(!diagnostic.message.is_empty());
    let rendered = diagnostic.render();
    assert!(rendered.starts_with("error: "), "{rendered}");
}

/// Text built from the characters YAML gives meaning to, so the parser goes deep.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_owned()),
        Just("  ".to_owned()),
        Just("- ".to_owned()),
        Just(": ".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just(", ".to_owned()),
        Just("# c".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("|".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("!tag ".to_owned()),
        Just("\t".to_owned()),
        Just("---\n".to_owned()),
        Just(".nan".to_owned()),
        Just("-1e999".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("format_version: 1\n".to_owned()),
        Just("machine:".to_owned()),
        Just("workloads:".to_owned()),
        Just("rubric:".to_owned()),
        Just("concepts:".to_owned()),
        "[a-z_]{1,12}",
        "[0-9]{1,6}",
    ];
    proptest::collection::vec(token, 0..80).prop_map(|tokens| tokens.concat())
}

/// One small edit of a valid file.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    Byte(usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete(at, len)),
        (any::<usize>(), yamlish()).prop_map(|(at, text)| Edit::Insert(at, text)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Byte(at, byte)),
    ]
}

fn apply(base: &str, edits: &[Edit]) -> Vec<u8> {
    let mut bytes = base.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len().max(1);
        match edit {
            Edit::Delete(at, n) => {
                let start = at % len;
                let end = (start + n).min(bytes.len());
                if start < end {
                    bytes.drain(start..end);
                }
            }
            Edit::Insert(at, text) => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, text.bytes());
            }
            Edit::DuplicateLine(at) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let i = at % lines.len();
                    let mut out: Vec<&str> = lines.clone();
                    out.insert(i, lines[i]);
                    bytes = out.join("\n").into_bytes();
                }
            }
            Edit::Byte(at, byte) => {
                if !bytes.is_empty() {
                    let i = at % bytes.len();
                    bytes[i] = *byte;
                }
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        load_both(&bytes);
    }

    #[test]
    fn yamlish_text_never_panics(text in yamlish()) {
        load_both(text.as_bytes());
        load_both(format!("format_version: 1\n{text}").as_bytes());
    }

    #[test]
    fn mutated_valid_files_never_panic(
        base in prop_oneof![Just(INCIDENT), Just(DRILL), Just(CONCEPT_DRILL)],
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        load_both(&apply(base, &edits));
    }

    #[test]
    fn huge_numbers_are_reported_not_crashed_on(
        key in prop_oneof![
            Just("cpus"), Just("hz"), Just("memory_mib"), Just("uptime_s"), Just("threads"),
            Just("think_us"), Just("hold_us"), Just("write_fraction"), Just("service_us"),
        ],
        value in prop_oneof![
            Just("1e400".to_owned()), Just("-1e400".to_owned()), Just(".nan".to_owned()),
            Just(".inf".to_owned()), Just("-.inf".to_owned()), Just("-0".to_owned()),
            Just("99999999999999999999999999".to_owned()), Just("0x7fffffff".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()), any::<f64>().prop_map(|x| format!("{x:e}")),
        ],
    ) {
        let pattern = format!("{key}: ");
        let text: String = INCIDENT
            .lines()
            .map(|line| match line.find(&pattern) {
                Some(at) => format!("{}{value}", &line[..at + pattern.len()]),
                None => line.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        load_both(text.as_bytes());
    }
}

#[test]
fn deep_nesting_is_refused_cleanly() {
    for depth in [100, 1_000] {
        load_both(
            format!(
                "format_version: 1\ntitle: {}x{}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            )
            .as_bytes(),
        );
        load_both(format!("format_version: 1\ntitle: {}\n", "{a: ".repeat(depth)).as_bytes());
        let mut nested = String::from("format_version: 1\nmachine:\n");
        for level in 0..depth.min(100) {
            nested.push_str(&" ".repeat(level + 2));
            nested.push_str("- \n");
        }
        load_both(nested.as_bytes());
    }
}

#[test]
fn alias_bombs_are_refused_cleanly() {
    let mut text = String::from("format_version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    load_both(text.as_bytes());
}

#[test]
fn many_errors_in_one_file_are_capped() {
    let cpus: Vec<String> = (0..50_000).map(|n| (n + 100).to_string()).collect();
    let text = INCIDENT.replace(
        "irq_cpus: [0, 1, 2, 3, 4, 5, 6, 7]",
        &format!("irq_cpus: [{}]", cpus.join(", ")),
    );
    let diagnostics =
        content::load_incident(Path::new("incidents/x.yaml"), text.as_bytes()).unwrap_err();
    assert_eq!(diagnostics.len(), 201);
    assert!(
        diagnostics
            .last()
            .unwrap()
            .message
            .contains("49800 more errors"),
        "{:?}",
        diagnostics.last()
    );
}
