//! Integration tests: content. Loading the fixtures under `tests/fixtures/content/` through the
//! public API, and `sysdrill lint` on broken fixtures (snapshots of the exact messages).

use std::path::PathBuf;

use sysdrill::content::{self, Origin};
use sysdrill::domain::*;

use crate::common::fixture;

mod check;
mod docs;
mod props;
mod schema;

fn content_fixture(name: &str) -> PathBuf {
    fixture("content").join(name)
}

#[test]
fn loads_the_documented_examples_into_domain_types() {
    let catalog =
        content::load_catalog(&[content_fixture("valid")]).unwrap_or_else(|diagnostics| {
            panic!(
                "{}",
                diagnostics.iter().map(|d| d.render()).collect::<String>()
            )
        });
    let incident = &catalog.incidents[&IncidentId::from("slow-under-load")];
    assert_eq!(incident.machine.cpus, 8);
    assert_eq!(incident.machine.hz, 250);
    assert_eq!(incident.machine.clock_s, 10 * 3600 + 2 * 60 + 11);
    assert_eq!(incident.default_seed, 7);
    let request = &incident.workloads[0].request;
    assert_eq!(request.distribution, Distribution::Exponential);
    assert_eq!(request.critical_sections[0].lock, 0);
    assert_eq!(request.disk_io.as_ref().map(|io| io.disk), Some(0));
    assert_eq!(
        incident.workloads[0].arrivals,
        Arrivals::Closed { think_us: 400.0 }
    );
    assert_eq!(incident.locks[0].kind, LockKind::Mutex);
    assert_eq!(incident.locks[0].scope, LockScope::User);
    assert_eq!(incident.machine.nics[0].coalesce, 8);
    assert!(matches!(
        incident.faults[0],
        Fault::MemoryPressure { free_mib: 220, .. }
    ));
    assert_eq!(incident.variants.cpus, Some((8, 16)));
    assert_eq!(incident.variants.rate_per_s, None);
    assert_eq!(incident.costs.context_switch_us, 1.5);
    assert_eq!(incident.costs.syscall_us, Costs::default().syscall_us);
    let bytes = std::fs::read(content_fixture("valid/incidents/slow-under-load.yaml")).unwrap();
    assert_eq!(incident.content_hash, stable_hash(&bytes));

    let drill = &catalog.drills[&DrillId::from("spin-or-mutex")];
    assert_eq!(drill.kind, DrillKind::Concept);
    assert_eq!(drill.difficulty, Difficulty::Easy);
    assert_eq!(
        drill.phases[0].stages,
        vec![Stage::Hypothesis, Stage::Interpret]
    );
    assert_eq!(drill.rubric.concepts[0].weight, 3.0);
    assert_eq!(drill.rubric.concepts[1].weight, 1.0, "weight defaults to 1");
    assert_eq!(
        drill.pushback[0].when,
        Trigger::MissingConcept("interrupt-context".into())
    );
    assert_eq!(drill.hints[0].cost, 5.0);
    assert_eq!(drill.model_answer[2].concept, None);
    assert_eq!(drill.examples[0].score, (80.0, 100.0));

    let incident_drill = &catalog.drills[&DrillId::from("slow-under-load")];
    assert_eq!(
        incident_drill.incident,
        Some(IncidentId::from("slow-under-load"))
    );
    assert_eq!(incident_drill.seed, Some(11));
    assert_eq!(
        incident_drill.pushback[1].when,
        Trigger::RedFlag("add-threads".into())
    );
    assert_eq!(incident_drill.pushback[1].max_times, 2);
    assert_eq!(
        incident_drill.pushback[2].when,
        Trigger::Rambling { words: 300 }
    );
    assert_eq!(incident_drill.pushback[3].when, Trigger::Vague);

    assert!(catalog.is_from_dirs(&DrillId::from("spin-or-mutex")));
    assert!(matches!(
        catalog.origins.incidents[&IncidentId::from("slow-under-load")],
        Origin::File(_)
    ));
}

#[test]
fn the_embedded_content_loads_and_lints_clean() {
    let catalog = content::load_catalog(&[]).unwrap_or_else(|diagnostics| {
        panic!(
            "{}",
            diagnostics.iter().map(|d| d.render()).collect::<String>()
        )
    });
    for id in catalog.drills.keys() {
        assert!(!catalog.is_from_dirs(id));
    }
    // Every drill lints clean, including the check that its model answer reaches the top band
    // of its own rubric.
    let diagnostics = content::lint(&[], &[]);
    assert!(
        diagnostics.is_empty(),
        "{}",
        diagnostics.iter().map(|d| d.render()).collect::<String>()
    );
}

/// Embedded drills have their regexes parsed, not compiled, at load (the suite lints them
/// fully); a drill from a `--content` directory is compiled under the scorer's size limit, so
/// a pattern too big to run is an error at load, not a rule the scorer silently drops.
#[test]
fn a_content_directory_regex_too_big_to_compile_is_an_error_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let drills = dir.path().join("drills");
    std::fs::create_dir(&drills).unwrap();
    let valid =
        std::fs::read_to_string(content_fixture("valid/drills/spin-or-mutex.yaml")).unwrap();
    let huge = valid.replace(
        r"regexes: ['\bshort\b.{0,30}\b(hold|critical)']",
        r"regexes: ['(?:\w{1000}){1000}']",
    );
    assert_ne!(huge, valid, "the fixture's regex line moved");
    std::fs::write(drills.join("spin-or-mutex.yaml"), huge).unwrap();
    let diagnostics = content::load_catalog(&[dir.path().to_owned()]).unwrap_err();
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message.contains("invalid regex") && d.message.contains("size limit")),
        "{diagnostics:?}"
    );
}

#[test]
fn loading_only_what_a_command_needs() {
    let all = content::load_catalog(&[]).unwrap();
    let one = content::load_needed(&[], content::Need::Drill("futex")).unwrap();
    assert_eq!(
        one.drills.keys().map(|id| id.as_str()).collect::<Vec<_>>(),
        ["futex"]
    );
    assert_eq!(
        one.drills[&DrillId::from("futex")],
        all.drills[&DrillId::from("futex")]
    );
    assert_eq!(one.incidents, all.incidents);
    let incidents = content::load_needed(&[], content::Need::Incidents).unwrap();
    assert!(incidents.drills.is_empty());
    assert_eq!(incidents.incidents, all.incidents);
    // A drill from a `--content` directory still overrides the embedded one of the same id.
    let valid = content_fixture("valid");
    let overridden = content::load_needed(
        std::slice::from_ref(&valid),
        content::Need::Drill("slow-under-load"),
    )
    .unwrap();
    let id = DrillId::from("slow-under-load");
    assert!(overridden.is_from_dirs(&id));
    assert_eq!(
        overridden.drills[&id],
        content::load_catalog(&[valid]).unwrap().drills[&id]
    );
}

#[test]
fn a_missing_content_directory_is_reported() {
    let diagnostics = content::load_catalog(&[content_fixture("no-such-dir")]).unwrap_err();
    assert_eq!(diagnostics.len(), 1);
    assert!(
        diagnostics[0].message.starts_with("cannot read"),
        "{diagnostics:?}"
    );
}

/// The checked-in JSON Schemas match what `sysdrill schema` prints. After changing a raw type,
/// regenerate them with `UPDATE_SCHEMA=1 cargo test --test tests content::schema_files`.
#[test]
fn schema_files_are_current() {
    use sysdrill::cli::SchemaKind;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| v != "0");
    let mut stale = Vec::new();
    for (kind, path) in [
        (SchemaKind::Drill, root.join("drills/drill.schema.json")),
        (SchemaKind::Lexicon, root.join("drills/lexicon.schema.json")),
        (
            SchemaKind::Incident,
            root.join("incidents/incident.schema.json"),
        ),
    ] {
        let expected = format!("{}\n", content::schema::render(Some(kind)));
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        if actual != expected {
            if update {
                std::fs::write(&path, &expected).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale JSON Schema: {stale:?}; run `UPDATE_SCHEMA=1 cargo test --test tests content::schema_files`"
    );
}

/// `sysdrill lint ARGS` run from `tests/fixtures/content`: exit code, stdout and stderr.
pub(crate) fn lint(args: &[&str]) -> String {
    let output = crate::common::sysdrill()
        .current_dir(fixture("content"))
        .arg("lint")
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

/// Snapshots are named `content__*` (without the test binary's module prefix).
pub(crate) fn snapshot(name: &str, value: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(format!("content__{name}"), value));
}

#[test]
fn lint_is_clean_on_valid_content() {
    for dir in ["valid", "coach", "check", "mix"] {
        let output = lint(&[dir]);
        assert!(output.starts_with("exit: 0\n"), "{output}");
        assert!(!output.contains("\nerror:"), "{output}");
    }
}

#[test]
fn lint_unknown_keys_and_values_suggest_the_closest() {
    snapshot(
        "lint_unknown_keys",
        lint(&[
            "broken/drills/unknown-key.yaml",
            "broken/drills/unknown-value.yaml",
            "broken/incidents/unknown-key.yaml",
        ]),
    );
}

#[test]
fn lint_bad_types_and_syntax() {
    snapshot(
        "lint_bad_types",
        lint(&[
            "broken/incidents/bad-type.yaml",
            "broken/drills/bad-syntax.yaml",
            "broken/incidents/not-utf8.yaml",
        ]),
    );
}

#[test]
fn lint_unknown_incident_suggests_a_known_one() {
    snapshot(
        "lint_unknown_incident",
        lint(&[
            "broken/incidents/slow-under-load.yaml",
            "broken/drills/unknown-incident.yaml",
        ]),
    );
}

#[test]
fn lint_rubric_mistakes_are_all_reported_in_one_run() {
    snapshot(
        "lint_rubric_mistakes",
        lint(&[
            "broken/drills/rubric-mistakes.yaml",
            "broken/drills/empty-rubric.yaml",
        ]),
    );
}

/// A synchronous write under a lock whose holder cannot sleep, to a missing device, of no
/// bytes; latency spikes that would speed a disk up, with no period.
#[test]
fn lint_blocking_io_mistakes() {
    snapshot(
        "lint_blocking_io",
        lint(&["broken/incidents/blocking-io.yaml"]),
    );
}

#[test]
fn lint_request_mix_and_deploy_mistakes() {
    snapshot(
        "lint_request_mix",
        lint(&["broken/incidents/request-mix.yaml"]),
    );
}

#[test]
fn lint_absurd_machine_values() {
    snapshot(
        "lint_absurd_machine",
        lint(&["broken/incidents/absurd-machine.yaml"]),
    );
}

#[test]
fn lint_format_versions_and_duplicate_files() {
    snapshot(
        "lint_versions_and_duplicates",
        lint(&[
            "broken/drills/newer-version.yaml",
            "broken/drills/no-version.yaml",
            "broken/duplicate-files",
        ]),
    );
}

#[test]
fn lint_of_a_whole_tree_reports_every_file_sorted() {
    let output = lint(&["broken"]);
    assert!(output.starts_with("exit: 1\n"), "{output}");
    let locations: Vec<&str> = output
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("--> "))
        .collect();
    let mut sorted = locations.clone();
    sorted.sort_by_key(|location| {
        let mut parts = location.rsplitn(3, ':');
        let col: usize = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let line: usize = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        (parts.next().unwrap_or(location).to_owned(), line, col)
    });
    assert_eq!(locations, sorted);
    for file in [
        "absurd-machine",
        "rubric-mistakes",
        "unknown-key",
        "newer-version",
        "twice",
    ] {
        assert!(output.contains(file), "{file} missing from\n{output}");
    }
}

#[test]
fn irq_cpus_must_exist_in_every_variant() {
    let path = content_fixture("valid/incidents/slow-under-load.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("cpus: [8, 16]", "cpus: [4, 16]");
    let diagnostics = content::load_incident(&path, text.as_bytes()).unwrap_err();
    let messages: Vec<String> = diagnostics.iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        messages,
        (4..8)
            .map(|cpu| format!("irq cpu {cpu} does not exist on a machine with 4 cpus"))
            .collect::<Vec<_>>()
    );
    let line = text.lines().position(|l| l.contains("irq_cpus")).unwrap() + 1;
    assert!(diagnostics.iter().all(|d| d.line == line));
}

/// A lock order with a cycle across two workloads, a mutex nested in a spinlock, a lock taken
/// inside itself, a section both nesting and flushing, and a deadlock no reversed path forms.
#[test]
fn lint_lock_order_mistakes() {
    snapshot(
        "lint_lock_order",
        lint(&["broken/incidents/lock-order.yaml"]),
    );
}

/// A mix of more paths than a request may have, and deploys whose pool passes the limit on
/// threads over all workloads, are refused before the model sizes anything by them.
#[test]
fn request_mixes_and_deploy_pools_are_bounded() {
    let source =
        std::fs::read_to_string(content_fixture("mix/incidents/catalog-deploy.yaml")).unwrap();
    let many_paths: String = (0..17)
        .map(|i| format!("        - {{name: path{i}, fraction: 0.01}}\n"))
        .collect();
    let start = source.find("        - name: cache_miss").unwrap();
    let end = source.find("    cgroup:").unwrap();
    let crowded = format!("{}{many_paths}{}", &source[..start], &source[end..]);
    let huge_pool = source.replace("threads: 16 ", "threads: 100000 ").replace(
        "workloads:\n",
        "workloads:\n  - {name: other, pid: 9000, user: app, uid: 1000, threads: 10, arrivals: {open: {rate_per_s: 1}}, rss_mib: 10, file_cache_mib: 10, app_symbol: main, request: {compute_us: 10}}\n",
    );
    for (text, expected) in [
        (crowded, "17 paths; a request has at most 16"),
        (huge_pool, "threads over all workloads"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("incidents")).unwrap();
        std::fs::write(dir.path().join("incidents/catalog-deploy.yaml"), text).unwrap();
        let errors = content::load_catalog(&[dir.path().to_owned()]).unwrap_err();
        assert!(
            errors.iter().any(|d| d.message.contains(expected)),
            "{}",
            errors.iter().map(|d| d.render()).collect::<String>()
        );
    }
}
