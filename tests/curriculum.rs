//! Integration tests: curriculum. The shipped drills are exactly the curriculum's ids, they lint
//! and calibrate cleanly, every drill carries the six kinds of calibration example, every
//! pushback rule is reached by one of them, and docs/COVERAGE.md maps every drill.
//!
//! These tests read the embedded content through the public API and the real binary; they do
//! not edit content or depend on anything outside the repository.

use std::collections::BTreeSet;
use std::path::PathBuf;

use sysdrill::content::{Catalog, load_catalog};
use sysdrill::domain::{Drill, DrillKind, Stage, Trigger};
use sysdrill::score::{FlagResult, ScoreReport, Scorer, Shown};

use crate::common::sysdrill;

/// The incident drills of the curriculum (docs/COVERAGE.md), each backed by the incident with
/// the same id. Ids never change once shipped, so this list is fixed on purpose.
const INCIDENT_IDS: [&str; 17] = [
    "slow-under-load",
    "added-threads-slower",
    "high-cpu-spinlock",
    "high-cpu-livelock",
    "p99-tail-reclaim",
    "low-cpu-high-latency",
    "hung-deadlock",
    "socket-rx-contention",
    "read-mostly-rwlock",
    "runqueue-contention",
    "noisy-neighbor-steal",
    "disk-saturation",
    "healthy-baseline",
    "cgroup-cpu-throttling",
    "irq-spinlock-lockup",
    "lock-across-fsync",
    "numa-remote-memory",
];

/// The concept drills of the curriculum.
const CONCEPT_IDS: [&str; 20] = [
    "why-locks",
    "preemption-vs-interrupts",
    "spinlock-vs-mutex",
    "futex",
    "rwlock",
    "rcu",
    "seqlock",
    "semaphore-vs-mutex",
    "monitor",
    "deadlock-vs-livelock",
    "race-lost-update",
    "interrupt-context-sleep",
    "kernel-deadlock-rules",
    "contention-collapse",
    "socket-receive-path",
    "scheduler-run-queues",
    "page-allocator",
    "what-locks-protect",
    "lock-debugging-tools",
    "why-not-rcu-everywhere",
];

/// Name prefixes of the six calibration kinds every drill must carry (see docs/COVERAGE.md).
const EXAMPLE_KINDS: [&str; 6] = ["strong", "partial", "wrong", "negated", "typo", "stuffed"];

/// Words the scorer matches exactly (SCORING.md): a typo'd example must leave them alone.
const PROTECTED: [&str; 19] = [
    "futex", "mutex", "shard", "lock", "perf", "cs", "sy", "us", "id", "wa", "si", "so", "in", "r",
    "b", "irq", "numa", "tlb", "p99",
];

fn catalog() -> Catalog {
    match load_catalog(&[]) {
        Ok(catalog) => catalog,
        Err(diagnostics) => panic!("embedded content does not load: {diagnostics:?}"),
    }
}

fn all_ids() -> BTreeSet<String> {
    INCIDENT_IDS
        .iter()
        .chain(CONCEPT_IDS.iter())
        .map(|id| (*id).to_owned())
        .collect()
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn list_json_shows_exactly_the_curriculum() {
    let output = sysdrill()
        .args(["list", "--format", "json"])
        .output()
        .expect("sysdrill runs");
    assert!(output.status.success(), "list failed: {output:?}");
    let rows: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("list --format json prints JSON");
    let rows = rows.as_array().expect("a JSON array of drills");
    let mut listed = BTreeSet::new();
    for row in rows {
        let id = row["id"].as_str().expect("every row has an id").to_owned();
        let kind = row["kind"].as_str().expect("every row has a kind");
        let expected = if INCIDENT_IDS.contains(&id.as_str()) {
            "incident"
        } else {
            "concept"
        };
        assert_eq!(kind, expected, "{id} has the wrong kind");
        if kind == "incident" {
            assert_eq!(
                row["incident"].as_str(),
                Some(id.as_str()),
                "{id}'s incident"
            );
        }
        assert!(listed.insert(id.clone()), "{id} listed twice");
    }
    assert_eq!(listed, all_ids());
}

#[test]
fn drill_files_are_one_per_curriculum_row() {
    let mut stems = BTreeSet::new();
    for entry in std::fs::read_dir(manifest_dir().join("drills")).expect("drills/ exists") {
        let path = entry.expect("readable entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("yaml") {
            let text = std::fs::read_to_string(&path).expect("readable drill");
            // The domain lexicon sits beside the drills (a top-level `entries:` key).
            if text.lines().any(|line| line.starts_with("entries:")) {
                continue;
            }
            assert!(
                text.starts_with("# yaml-language-server: $schema=drill.schema.json\n"),
                "{} lacks the schema line",
                path.display()
            );
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("utf-8 stem");
            stems.insert(stem.to_owned());
        }
    }
    assert_eq!(stems, all_ids());
}

#[test]
fn lint_is_clean_on_the_shipped_content() {
    let output = sysdrill().arg("lint").output().expect("sysdrill runs");
    assert!(
        output.status.success(),
        "lint found problems:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every calibration example passes, and `sysdrill check` lists no pushback rule that no example
/// reaches (it decides "reached" with the same `score::triggered` the interviewer uses) and no
/// rubric pattern it had to skip.
#[test]
fn check_passes_and_reaches_every_pushback_rule() {
    let output = sysdrill().arg("check").output().expect("sysdrill runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "calibration examples fail:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !stdout.contains("pushback rules no example triggers"),
        "unreached pushback rules:\n{stdout}"
    );
    assert!(!stdout.contains("warning:"), "skipped patterns:\n{stdout}");
}

#[test]
fn drills_have_the_expected_shape() {
    let catalog = catalog();
    let mut missing = Vec::new();
    for id in all_ids() {
        let Some(drill) = catalog
            .drills
            .get(&sysdrill::domain::DrillId::from(id.as_str()))
        else {
            missing.push(id);
            continue;
        };
        match drill.kind {
            DrillKind::Incident => {
                assert!(
                    INCIDENT_IDS.contains(&id.as_str()),
                    "{id} should be a concept"
                );
                let incident = drill.incident.as_ref().expect("incident drills name one");
                assert_eq!(incident.as_str(), id, "{id} uses its own incident");
                assert!(
                    catalog.incidents.contains_key(incident),
                    "{id}: no incident"
                );
                // The five steps of reasoning out loud, one phase each, in order.
                let stages: Vec<Vec<Stage>> =
                    drill.phases.iter().map(|p| p.stages.clone()).collect();
                let expected: Vec<Vec<Stage>> = Stage::ALL.iter().map(|s| vec![*s]).collect();
                assert_eq!(stages, expected, "{id}: phases are not the five steps");
            }
            DrillKind::Concept => {
                assert!(
                    CONCEPT_IDS.contains(&id.as_str()),
                    "{id} should be an incident"
                );
                assert!(
                    drill.incident.is_none(),
                    "{id}: concept drill with an incident"
                );
                assert!((1..=3).contains(&drill.phases.len()), "{id}: 1-3 phases");
            }
        }
        check_rubric_wiring(drill);
    }
    assert!(missing.is_empty(), "drills missing: {missing:?}");
}

/// Every required concept, red flag and misconception has a pushback rule; every concept has a
/// model-answer line; hints are 2-3 and cost something.
fn check_rubric_wiring(drill: &Drill) {
    let id = drill.id.as_str();
    let rules: Vec<&Trigger> = drill.pushback.iter().map(|rule| &rule.when).collect();
    for concept in &drill.rubric.concepts {
        if concept.required {
            assert!(
                rules.contains(&&Trigger::MissingConcept(concept.id.clone())),
                "{id}: no pushback asks for required concept {}",
                concept.id
            );
        }
        assert!(
            drill.model_line_for(&concept.id).is_some(),
            "{id}: model answer has no line for {}",
            concept.id
        );
    }
    for flag in &drill.rubric.red_flags {
        assert!(
            rules.contains(&&Trigger::RedFlag(flag.id.clone())),
            "{id}: red flag {} has no pushback rule",
            flag.id
        );
    }
    for wrong in &drill.rubric.misconceptions {
        assert!(
            rules.contains(&&Trigger::Misconception(wrong.id.clone())),
            "{id}: misconception {} has no pushback rule",
            wrong.id
        );
    }
    for rule in &drill.pushback {
        assert!(
            (2..=3).contains(&rule.say.len()),
            "{id}: rule {} needs 2-3 phrasings",
            rule.id
        );
    }
    assert!((2..=3).contains(&drill.hints.len()), "{id}: 2-3 hints");
    assert!(
        drill.hints.iter().all(|hint| hint.cost > 0.0),
        "{id}: free hint"
    );
}

#[test]
fn every_drill_carries_the_six_example_kinds() {
    let catalog = catalog();
    for drill in catalog.drills.values() {
        assert!(
            drill.examples.len() >= 6,
            "{}: fewer than 6 examples",
            drill.id
        );
        for kind in EXAMPLE_KINDS {
            assert!(
                drill.examples.iter().any(|e| e.name.starts_with(kind)),
                "{}: no {kind} example",
                drill.id
            );
        }
    }
}

/// A typo'd example is its strong example with typos only in words of six letters or more, so
/// it tests typo tolerance and nothing else.
#[test]
fn typo_examples_only_touch_long_words() {
    let catalog = catalog();
    for drill in catalog.drills.values() {
        let strong = example(drill, "strong");
        let typo = example(drill, "typo");
        let strong_words: Vec<&str> = strong.split_whitespace().collect();
        let typo_words: Vec<&str> = typo.split_whitespace().collect();
        assert_eq!(
            strong_words.len(),
            typo_words.len(),
            "{}: word count",
            drill.id
        );
        let mut changed = 0;
        for (a, b) in strong_words.iter().zip(&typo_words) {
            if a == b {
                continue;
            }
            changed += 1;
            let bare = a.trim_matches(|c: char| !c.is_alphanumeric());
            assert!(
                bare.chars().count() >= 6,
                "{}: typo in short word {a}",
                drill.id
            );
            assert!(
                !PROTECTED.contains(&bare.to_lowercase().as_str()),
                "{}: typo in protected term {a}",
                drill.id
            );
            let limit = if bare.chars().count() >= 9 { 2 } else { 1 };
            assert!(
                strsim::osa_distance(a, b) <= limit,
                "{}: {a} -> {b} is more than a typo",
                drill.id
            );
        }
        assert!(changed >= 3, "{}: typo example has too few typos", drill.id);
    }
}

/// A keyword-stuffed example is a bare list: comma-separated fragments, no sentences.
#[test]
fn stuffed_examples_are_bare_lists() {
    let catalog = catalog();
    for drill in catalog.drills.values() {
        let stuffed = example(drill, "stuffed");
        assert!(
            !stuffed.contains(". "),
            "{}: stuffed has sentences",
            drill.id
        );
        let items: Vec<&str> = stuffed.split(',').collect();
        assert!(
            items.len() >= 4,
            "{}: stuffed lists too few terms",
            drill.id
        );
        assert!(
            items
                .iter()
                .all(|item| item.split_whitespace().count() <= 6),
            "{}: stuffed items are phrases, not buzzwords",
            drill.id
        );
    }
}

fn example<'a>(drill: &'a Drill, prefix: &str) -> &'a str {
    drill
        .examples
        .iter()
        .find(|e| e.name.starts_with(prefix))
        .map(|e| e.answer.as_str())
        .unwrap_or_else(|| panic!("{}: no {prefix} example", drill.id))
}

#[test]
fn coverage_table_maps_every_drill_once() {
    let text = std::fs::read_to_string(manifest_dir().join("docs").join("COVERAGE.md"))
        .expect("docs/COVERAGE.md exists");
    let mut seen = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("| `") else {
            continue;
        };
        let Some(end) = rest.find('`') else { continue };
        let id = &rest[..end];
        assert!(
            seen.insert(id.to_owned()),
            "{id} appears twice in COVERAGE.md"
        );
    }
    assert_eq!(seen, all_ids());
}

/// Scores `answer` on `drill` with nothing shown, as `sysdrill check` does.
fn score(drill: &Drill, answer: &str) -> ScoreReport {
    Scorer::new(drill).score(answer, &Shown::default())
}

fn drill<'a>(catalog: &'a Catalog, id: &str) -> &'a Drill {
    catalog
        .drills
        .get(&sysdrill::domain::DrillId::from(id))
        .unwrap_or_else(|| panic!("no drill {id}"))
}

/// Names of the plain-language strong examples: the reasoning of a strong answer in a
/// candidate's own words, with as little jargon as the drill allows.
const PLAIN_STRONG: &str = "strong-plain";

/// Reasoning beats vocabulary: in every drill the bare list of the right terms scores below the
/// same ideas explained in plain words.
#[test]
fn keyword_lists_score_below_plain_strong_answers() {
    let catalog = catalog();
    let mut inverted = Vec::new();
    for drill in catalog.drills.values() {
        let stuffed = score(drill, example(drill, "stuffed")).score;
        let plain = score(drill, example(drill, PLAIN_STRONG)).score;
        if stuffed >= plain {
            inverted.push(format!(
                "{}: stuffed {stuffed} >= {PLAIN_STRONG} {plain}",
                drill.id
            ));
        }
    }
    assert!(inverted.is_empty(), "{}", inverted.join("\n"));
}

/// Claims shared by the drills that carry the same red flag, in a candidate's own words.
const SHARED_CLAIMS: &[(&str, &str)] = &[
    ("add-threads", "If that is not enough, add more threads."),
    (
        "add-threads",
        "I'd double the worker pool so more requests run at once.",
    ),
    (
        "faster-cpu",
        "We should move it to a bigger machine with faster CPUs.",
    ),
    (
        "restart-it",
        "I'd restart the service and see if it comes back healthy.",
    ),
    ("restart-only", "Restart the service and we're done."),
    (
        "increase-timeout",
        "Raise the client timeout so requests stop failing.",
    ),
    (
        "blame-disk",
        "The disk is the bottleneck here, so upgrade it to SSDs.",
    ),
    (
        "more-threads-more-throughput",
        "More threads always means more throughput, that is the point of a pool.",
    ),
];

/// Drill-specific claims: (drill, red flag or misconception, what a candidate would say).
const DRILL_CLAIMS: &[(&str, &str, &str)] = &[
    (
        "interrupt-context-sleep",
        "stack-is-the-reason",
        "The real reason is the stack size: sleeping there would overflow the interrupt stack.",
    ),
    (
        "numa-remote-memory",
        "blames-tlb",
        "The real problem is TLB misses from small pages.",
    ),
    (
        "p99-tail-reclaim",
        "blames-thp-compaction",
        "The spikes come from transparent huge page compaction stalling the allocations.",
    ),
    (
        "page-allocator",
        "memory-partitioned-per-cpu",
        "Memory is split into a slice per CPU, and a CPU steals from its neighbours when its slice runs out.",
    ),
    (
        "page-allocator",
        "no-pcp-for-pages",
        "Per-CPU lists only exist for slab objects; pages always come from the buddy lists under the zone lock.",
    ),
    (
        "seqlock",
        "seqlock-write-heavy",
        "Seqlocks are ideal for write-heavy data.",
    ),
    (
        "socket-receive-path",
        "rx-path-lockless",
        "The receive path is completely lock-free, so there is no contention in the kernel.",
    ),
    (
        "irq-spinlock-lockup",
        "silence-watchdog",
        "Those warnings are noise, I'd raise watchdog_thresh so it stops complaining.",
    ),
    (
        "irq-spinlock-lockup",
        "spread-irqs",
        "We should spread the interrupts over all the cores so CPU 3 is not alone.",
    ),
    (
        "irq-spinlock-lockup",
        "it-is-abba",
        "Two threads took the two locks in opposite order, a classic ABBA deadlock.",
    ),
    (
        "numa-remote-memory",
        "faster-hardware",
        "We should buy a server with faster CPUs.",
    ),
    (
        "numa-remote-memory",
        "lock-fix",
        "I'd shard the lock the workers share.",
    ),
    (
        "numa-remote-memory",
        "memory-is-uniform",
        "Memory is the same speed from every core, so placement can't matter.",
    ),
    (
        "numa-remote-memory",
        "idle-cores-mean-headroom",
        "Half the cores are idle, so we have headroom.",
    ),
    (
        "added-threads-slower",
        "blames-memory-or-gc",
        "The real problem is the garbage collector thrashing with the bigger pool.",
    ),
    (
        "added-threads-slower",
        "blames-power-management",
        "Deep C-states are the problem, so I'd cap C-states and use the performance governor.",
    ),
    (
        "disk-saturation",
        "blames-network",
        "The real problem is the network: the export fills the link.",
    ),
    (
        "high-cpu-spinlock",
        "blames-interrupts",
        "The root cause is the network interrupts hammering every CPU.",
    ),
    (
        "hung-deadlock",
        "device-hang",
        "The storage device is hung, so every request waits on it.",
    ),
    (
        "low-cpu-high-latency",
        "memory-is-fine",
        "The swap usage is nothing to worry about.",
    ),
    (
        "noisy-neighbor-steal",
        "steal-is-normal",
        "Steal of 17 percent is not enough to cause these spikes.",
    ),
    (
        "noisy-neighbor-steal",
        "blames-network",
        "The culprit is packet loss between the load balancer and us.",
    ),
    (
        "p99-tail-reclaim",
        "memory-is-fine",
        "The swap usage is nothing to worry about, just cold pages.",
    ),
    (
        "p99-tail-reclaim",
        "blames-interrupts",
        "The tail is caused by network interrupts preempting requests.",
    ),
    (
        "runqueue-contention",
        "blames-allocator",
        "The overhead is dominated by glibc's allocator and its arena locks.",
    ),
    (
        "runqueue-contention",
        "blames-smt",
        "The scaling issue is hyperthreading, so I'd turn off SMT.",
    ),
    (
        "slow-under-load",
        "memory-is-fine",
        "Low free memory is nothing to worry about on a long-running process.",
    ),
    (
        "slow-under-load",
        "blames-power-or-pinning",
        "The root cause is deep c-states adding wakeup latency.",
    ),
    (
        "socket-rx-contention",
        "socket-lock-is-normal",
        "The socket lock is nothing to worry about, every receive takes it.",
    ),
    (
        "socket-rx-contention",
        "blames-netfilter",
        "Conntrack is the bottleneck here, so I'd exempt the ingest ports from tracking.",
    ),
    (
        "socket-receive-path",
        "bandwidth-is-the-contention",
        "The real contention is memory bandwidth during copy_to_user.",
    ),
    (
        "rcu",
        "readers-retry",
        "Readers retry when the generation number changed.",
    ),
    (
        "rcu",
        "freed-while-readers-run",
        "The old copy is freed immediately after the pointer swap.",
    ),
    (
        "rcu",
        "writers-lock-free",
        "Two writers cannot corrupt anything: whoever swaps last wins.",
    ),
    (
        "semaphore-vs-mutex",
        "mutex-has-no-owner",
        "A mutex has no owner, any thread may release it.",
    ),
    (
        "semaphore-vs-mutex",
        "semaphore-everywhere",
        "I use binary semaphores everywhere because they are more flexible.",
    ),
    (
        "preemption-vs-interrupts",
        "uniprocessor-needs-no-locks",
        "A uniprocessor kernel needs no locking at all.",
    ),
    (
        "seqlock",
        "seqlock-is-ticket-lock",
        "A seqlock hands out tickets and serves waiters in arrival order.",
    ),
    (
        "what-locks-protect",
        "locks-isolate-processes",
        "Kernel locks are an isolation mechanism between processes.",
    ),
    (
        "futex",
        "every-lock-is-a-syscall",
        "Every lock and unlock is a system call into the kernel.",
    ),
    (
        "lock-debugging-tools",
        "contention-shows-as-cpu",
        "Lock contention always shows up as CPU in a profile.",
    ),
    (
        "interrupt-context-sleep",
        "mutex-fine-in-irq",
        "An uncontended mutex_lock is safe in interrupt context.",
    ),
    (
        "spinlock-vs-mutex",
        "mutex-fine-in-irq",
        "An uncontended mutex is safe in interrupt context.",
    ),
    (
        "kernel-deadlock-rules",
        "trylock-instead-of-order",
        "Kernel code uses trylock whenever it needs a second lock, instead of ordering.",
    ),
    (
        "race-lost-update",
        "stale-cache-copies",
        "Each core keeps a stale copy of the counter in its own cache, so one write gets lost.",
    ),
    (
        "race-lost-update",
        "volatile-fixes-it",
        "Marking the counter volatile fixes it.",
    ),
    (
        "monitor",
        "monitor-is-a-watcher",
        "A monitor is a supervisor thread that watches the others.",
    ),
    (
        "rwlock",
        "rwlocks-always-win",
        "Read-write locks are always a win for read-mostly data.",
    ),
    (
        "added-threads-slower",
        "spin-instead",
        "Switch the mutex to a spinlock so the waiters don't sleep.",
    ),
    (
        "added-threads-slower",
        "sleepers-burn-cpu",
        "The blocked threads are burning CPU while they wait for the mutex.",
    ),
    (
        "contention-collapse",
        "linear-scaling",
        "Throughput should scale linearly with the number of threads.",
    ),
    (
        "contention-collapse",
        "more-threads-more",
        "Throughput keeps rising as you add threads, just more slowly.",
    ),
    (
        "contention-collapse",
        "only-cpu-bound",
        "This only matters for CPU-bound code.",
    ),
    (
        "deadlock-vs-livelock",
        "restart-it",
        "Just restart both services and move on.",
    ),
    (
        "deadlock-vs-livelock",
        "timeouts-fix",
        "Put a timeout on every lock acquisition.",
    ),
    (
        "deadlock-vs-livelock",
        "livelock-idle",
        "In a livelock the threads are asleep, so the CPU is idle.",
    ),
    (
        "deadlock-vs-livelock",
        "deadlock-busy",
        "A deadlock burns a lot of CPU because the threads spin.",
    ),
    (
        "lock-across-fsync",
        "bigger-disk",
        "The NVMe can't keep up, so we should add more drives and stripe the log across them.",
    ),
    (
        "lock-across-fsync",
        "util-means-saturated",
        "The drive shows almost 100% util, so the disk is saturated.",
    ),
    (
        "lock-across-fsync",
        "iowait-is-busy-cpu",
        "The wa column shows the CPUs are busy doing IO work.",
    ),
    (
        "disk-saturation",
        "reads-are-free",
        "The export only reads, and reading is harmless for everyone else.",
    ),
    (
        "disk-saturation",
        "wa-is-cpu",
        "High wa means the CPU is busy doing work.",
    ),
    (
        "futex",
        "syscall-every-lock",
        "A futex is a kernel mutex: every lock and unlock is a system call.",
    ),
    (
        "futex",
        "futex-is-lock",
        "A futex is a kernel mutex: every lock and unlock is a system call.",
    ),
    (
        "futex",
        "replace-with-spinlock",
        "I'd replace the mutex with a user-space spinlock to avoid the syscalls.",
    ),
    (
        "futex",
        "futex-kernel-only",
        "The futex lives in the kernel and user space just calls it.",
    ),
    (
        "healthy-baseline",
        "invent-contention",
        "It's lock contention, clearly.",
    ),
    (
        "healthy-baseline",
        "idle-is-bad",
        "That much idle CPU is a bad sign, something must be stuck.",
    ),
    (
        "healthy-baseline",
        "cs-bad",
        "Context switches are a problem, they mean contention.",
    ),
    (
        "high-cpu-livelock",
        "fixed-backoff",
        "Have every worker sleep for a fixed 10ms and retry.",
    ),
    (
        "high-cpu-livelock",
        "livelock-is-deadlock",
        "This is a deadlock between the workers.",
    ),
    (
        "high-cpu-livelock",
        "spin-contention-here",
        "It's spinlock contention burning the CPU.",
    ),
    (
        "high-cpu-livelock",
        "livelock-needs-lock-contention",
        "A livelock always shows up as lock contention, and perf lock is empty.",
    ),
    (
        "high-cpu-spinlock",
        "optimise-app",
        "We should optimise the application code in apply_update.",
    ),
    (
        "high-cpu-spinlock",
        "busy-means-working",
        "The CPU is at 100 percent, so the box is doing a lot of useful work.",
    ),
    (
        "high-cpu-spinlock",
        "spinlock-sleeps",
        "Threads waiting on a spinlock go to sleep until it is free.",
    ),
    (
        "hung-deadlock",
        "deadlock-busy",
        "Deadlocked threads burn CPU, so the idle graph means something else.",
    ),
    (
        "hung-deadlock",
        "it-is-livelock",
        "This is a livelock: the threads keep retrying.",
    ),
    (
        "interrupt-context-sleep",
        "mutex-in-handler",
        "Just take a mutex in the interrupt handler and wait for the device.",
    ),
    (
        "interrupt-context-sleep",
        "handler-is-thread",
        "The interrupt handler runs as its own thread, so it can wait like any other.",
    ),
    (
        "interrupt-context-sleep",
        "sleeping-is-slow-only",
        "Sleeping in a handler is only a performance issue.",
    ),
    (
        "kernel-deadlock-rules",
        "timeouts-instead",
        "We can break deadlocks by adding a timeout to every lock.",
    ),
    (
        "kernel-deadlock-rules",
        "recursive-ok",
        "Kernel spinlocks are reentrant, so taking one twice is fine.",
    ),
    (
        "kernel-deadlock-rules",
        "interrupts-irrelevant",
        "Interrupts can't cause deadlocks; only threads can.",
    ),
    (
        "lock-debugging-tools",
        "guess-and-change",
        "I'd rewrite the locking first and measure afterwards.",
    ),
    (
        "lock-debugging-tools",
        "perf-top-enough",
        "perf top shows all the lock contention you need.",
    ),
    (
        "lock-debugging-tools",
        "lockdep-perf",
        "lockdep shows which lock is slow.",
    ),
    (
        "low-cpu-high-latency",
        "low-cpu-fine",
        "Low CPU means the box is doing fine.",
    ),
    (
        "low-cpu-high-latency",
        "swap-harmless",
        "Swapping is normal and costs nothing.",
    ),
    (
        "monitor",
        "if-not-while",
        "An if around the wait is enough.",
    ),
    (
        "monitor",
        "busy-poll",
        "The consumer can just poll the buffer in a loop until something arrives.",
    ),
    (
        "monitor",
        "wait-holds-lock",
        "The waiting thread keeps holding the mutex while it sleeps.",
    ),
    (
        "monitor",
        "signal-guarantees",
        "After a signal the condition is guaranteed to be true.",
    ),
    (
        "cgroup-cpu-throttling",
        "move-vm",
        "I'd migrate the VM to a quieter host.",
    ),
    (
        "cgroup-cpu-throttling",
        "idle-means-no-cpu-problem",
        "The CPUs are half idle, so CPU is not the problem.",
    ),
    (
        "cgroup-cpu-throttling",
        "throttling-is-steal",
        "The throttling shows up as steal in vmstat.",
    ),
    (
        "noisy-neighbor-steal",
        "tune-app",
        "We should profile and optimise the search code.",
    ),
    (
        "noisy-neighbor-steal",
        "st-is-idle",
        "Steal is basically idle time, harmless.",
    ),
    (
        "noisy-neighbor-steal",
        "must-be-us",
        "It must be a bug in our code.",
    ),
    (
        "p99-tail-reclaim",
        "tune-average",
        "Let's focus on the average latency, that's what users feel.",
    ),
    (
        "p99-tail-reclaim",
        "avg-represents",
        "The average is fine, so most users are fine.",
    ),
    (
        "p99-tail-reclaim",
        "swap-is-disk",
        "High wa proves the disk is the problem.",
    ),
    (
        "page-allocator",
        "global-lock-every-alloc",
        "Take one global lock for every page allocation.",
    ),
    (
        "page-allocator",
        "pcp-locked-globally",
        "The per-CPU lists are shared, so they need a global lock.",
    ),
    (
        "page-allocator",
        "rcu-allocator",
        "The free lists are protected by RCU.",
    ),
    (
        "preemption-vs-interrupts",
        "interrupts-are-syscalls",
        "An interrupt is basically a system call from the device.",
    ),
    (
        "preemption-vs-interrupts",
        "preemption-from-hardware",
        "Preemption is a hardware interrupt.",
    ),
    (
        "preemption-vs-interrupts",
        "only-at-syscalls",
        "Preemption only happens at system calls, never in the middle of a function.",
    ),
    (
        "race-lost-update",
        "volatile-fix",
        "Just mark the counter volatile.",
    ),
    (
        "race-lost-update",
        "sleep-fix",
        "Put a short sleep between the increments.",
    ),
    (
        "race-lost-update",
        "single-instruction",
        "The increment is a single instruction, so it's atomic.",
    ),
    (
        "race-lost-update",
        "one-cpu-safe",
        "On a single core this is safe; it only happens on multicore.",
    ),
    (
        "rcu",
        "rcu-write-heavy",
        "We should use RCU for the run queue too.",
    ),
    (
        "rcu",
        "free-immediately",
        "Free the old copy right after swapping the pointer.",
    ),
    (
        "rcu",
        "readers-lock",
        "Readers take a read lock before they look at the data.",
    ),
    (
        "rcu",
        "readers-wait",
        "Readers wait for the writer to finish its update.",
    ),
    (
        "read-mostly-rwlock",
        "mutex-instead",
        "Replace the rwlock with a plain mutex.",
    ),
    (
        "read-mostly-rwlock",
        "readers-dont-contend",
        "Readers on a reader-writer lock never contend with each other.",
    ),
    (
        "read-mostly-rwlock",
        "rcu-for-writes",
        "RCU makes the writes faster.",
    ),
    (
        "read-mostly-rwlock",
        "unlocked-in-place-writes",
        "Drop the read lock and let the writer update the entries in place without a lock.",
    ),
    (
        "runqueue-contention",
        "more-workers-per-core",
        "Spawn a thread for each task.",
    ),
    (
        "runqueue-contention",
        "sy-is-useful",
        "High sy means the app is doing useful work in the kernel.",
    ),
    (
        "runqueue-contention",
        "global-rq",
        "All the CPUs share one run queue.",
    ),
    (
        "rwlock",
        "rwlock-write-heavy",
        "Use an rwlock for the hit counter too.",
    ),
    (
        "rwlock",
        "readers-free",
        "Readers cost nothing on an rwlock.",
    ),
    (
        "rwlock",
        "writers-priority",
        "Writers always get priority, so they never wait long.",
    ),
    (
        "scheduler-run-queues",
        "global-queue",
        "Linux keeps one global run queue with one lock.",
    ),
    (
        "scheduler-run-queues",
        "rcu-run-queues",
        "The run queues are protected with RCU.",
    ),
    (
        "scheduler-run-queues",
        "mutex-rq",
        "The run queue uses a mutex.",
    ),
    (
        "scheduler-run-queues",
        "no-cross-cpu",
        "Each CPU only touches its own queue.",
    ),
    (
        "semaphore-vs-mutex",
        "semaphore-as-mutex",
        "I'd replace every mutex with a semaphore, they are strictly better.",
    ),
    (
        "semaphore-vs-mutex",
        "same-thing",
        "A semaphore is the same thing as a mutex.",
    ),
    (
        "semaphore-vs-mutex",
        "semaphore-spins",
        "A semaphore busy-waits until the count goes up.",
    ),
    (
        "seqlock",
        "seqlock-large",
        "A seqlock is a good fit for a big linked list.",
    ),
    (
        "seqlock",
        "readers-block-writers",
        "Readers block the writer until they finish.",
    ),
    (
        "seqlock",
        "seqlock-rwlock",
        "A seqlock is just a read-write lock.",
    ),
    (
        "slow-under-load",
        "remove-the-lock",
        "Get rid of the lock on the queue.",
    ),
    (
        "socket-receive-path",
        "mutex-in-softirq",
        "Protect the receive queue with a mutex.",
    ),
    (
        "socket-receive-path",
        "all-in-interrupt",
        "The whole TCP stack runs in the hard interrupt handler.",
    ),
    (
        "socket-receive-path",
        "rcu-locks",
        "Routing lookups take a read lock on the table.",
    ),
    (
        "socket-rx-contention",
        "bigger-buffers-only",
        "Raise rmem_max so the socket buffer is bigger.",
    ),
    (
        "socket-rx-contention",
        "app-is-bottleneck",
        "The application is the bottleneck, decode_batch is too slow.",
    ),
    (
        "socket-rx-contention",
        "irq-everywhere",
        "Interrupts are spread evenly over all the CPUs.",
    ),
    (
        "spinlock-vs-mutex",
        "spin-long",
        "I'd hold a spinlock around the disk read.",
    ),
    (
        "spinlock-vs-mutex",
        "mutex-in-irq",
        "Taking a mutex in an interrupt handler is fine.",
    ),
    (
        "spinlock-vs-mutex",
        "always-spin",
        "Always use spinlocks, they're faster.",
    ),
    (
        "spinlock-vs-mutex",
        "spinlock-sleeps",
        "A spinlock puts the waiting thread to sleep.",
    ),
    (
        "spinlock-vs-mutex",
        "mutex-burns-cpu",
        "A mutex burns CPU while it waits.",
    ),
    (
        "what-locks-protect",
        "locks-optional",
        "Locks are optional; skip them for speed.",
    ),
    (
        "what-locks-protect",
        "kernel-single",
        "The kernel only runs one thing at a time.",
    ),
    (
        "why-locks",
        "single-cpu-no-locks",
        "On a single CPU you don't need locks.",
    ),
    (
        "why-locks",
        "avoid-locks",
        "Drop the locks for speed, they are slow.",
    ),
    (
        "why-locks",
        "locks-cause-slowness",
        "Locks make the kernel slow.",
    ),
    (
        "why-locks",
        "only-user-threads",
        "Only user threads need locks; the kernel is single threaded.",
    ),
    (
        "why-not-rcu-everywhere",
        "rcu-anyway",
        "Use RCU for the allocator anyway.",
    ),
    (
        "why-not-rcu-everywhere",
        "rcu-writes-free",
        "RCU writes are cheap too.",
    ),
    (
        "why-not-rcu-everywhere",
        "rcu-no-sync-writers",
        "RCU serialises the writers for you.",
    ),
    (
        "added-threads-slower",
        "blames-dependency",
        "The box is idle, so the bottleneck is outside the box: the downstream dependency is overloaded.",
    ),
    (
        "cgroup-cpu-throttling",
        "throttling-is-noise",
        "Some throttling is normal; the service is well under its quota on average.",
    ),
    (
        "contention-collapse",
        "lock-share-too-small",
        "The lock is only 20 percent of the work, so it isn't that much.",
    ),
    (
        "contention-collapse",
        "bound-is-parallel-over-serial",
        "The best case speedup is 0.8/0.2, so four times.",
    ),
    (
        "disk-saturation",
        "blames-cache-eviction",
        "The export's reads are evicting everyone's page cache, and that cache pollution is the root cause.",
    ),
    (
        "disk-saturation",
        "disk-dismissed",
        "The %util number is meaningless on this kind of device.",
    ),
    (
        "healthy-baseline",
        "noise-is-cause",
        "CPU0 is doing all the work, and that single core serializes request handling.",
    ),
    (
        "high-cpu-livelock",
        "blames-oversubscription",
        "This is an oversubscription problem: too many threads for eight cores.",
    ),
    (
        "high-cpu-spinlock",
        "blames-switching-overhead",
        "The system time comes from context switches between too many threads.",
    ),
    (
        "hung-deadlock",
        "blames-upstream",
        "The upstream broker has stalled and the workers are waiting on it.",
    ),
    (
        "interrupt-context-sleep",
        "softirq-can-sleep",
        "Move the blocking work to a tasklet, since tasklets can sleep.",
    ),
    (
        "irq-spinlock-lockup",
        "overload-not-lock",
        "CPU 3 just can't keep up with the packets at peak traffic.",
    ),
    (
        "kernel-deadlock-rules",
        "detectors-recover",
        "If two CPUs deadlock, the soft lockup detector breaks the lock and the system recovers.",
    ),
    (
        "lock-across-fsync",
        "drop-durability",
        "Drop the fdatasync from the append path and let the OS flush later.",
    ),
    (
        "low-cpu-high-latency",
        "reads-are-data",
        "It is a textbook IO-bound service; each lookup is a seek on sda.",
    ),
    (
        "noisy-neighbor-steal",
        "steal-from-own-load",
        "Steal is just what the hypervisor reports when our vCPUs are busy.",
    ),
    (
        "runqueue-contention",
        "blames-migration",
        "The real problem is task migration: the load balancer keeps moving threads between cores.",
    ),
    (
        "semaphore-vs-mutex",
        "roles-swapped",
        "A semaphore is an owned lock, and a mutex is just a counter with a wait queue.",
    ),
    (
        "preemption-vs-interrupts",
        "irq-off-is-a-lock",
        "Disabling interrupts makes the section fully atomic, so that is all you need.",
    ),
    (
        "rwlock",
        "short-sections-favour-rwlock",
        "An rwlock pays off best when the critical sections are very short.",
    ),
    (
        "socket-receive-path",
        "stack-in-recv",
        "The receive call polls the NIC and runs the TCP code itself.",
    ),
    (
        "slow-under-load",
        "blames-network",
        "The root cause is NIC interrupts: the kernel spends its time servicing network interrupts.",
    ),
    (
        "p99-tail-reclaim",
        "drop-caches",
        "Set up a cron job every 5 minutes that drops the page cache.",
    ),
    (
        "rcu",
        "rcu-is-refcount",
        "rcu_read_lock increments a reference count on the node.",
    ),
    (
        "rcu",
        "grace-period-timer",
        "The grace period is just a fixed delay, after which the kernel assumes readers are done.",
    ),
    (
        "rcu",
        "reader-locks-cheap",
        "Atomic reader counts are cheap enough on modern hardware.",
    ),
    (
        "scheduler-run-queues",
        "global-rq",
        "Linux keeps one global red-black tree of all runnable tasks, and every CPU picks from it.",
    ),
    (
        "scheduler-run-queues",
        "rq-lock-free",
        "Each run queue is a lock-free single-producer single-consumer ring.",
    ),
    (
        "scheduler-run-queues",
        "central-balancer",
        "CPU 0 is the balancing master: on every tick it scans all run queues and pushes tasks around.",
    ),
    (
        "spinlock-vs-mutex",
        "spin-for-contention",
        "Spinlocks are the right choice when many CPUs compete for the lock.",
    ),
    (
        "spinlock-vs-mutex",
        "mutex-always",
        "Spinlocks are mostly legacy now; use a mutex by default everywhere.",
    ),
    (
        "what-locks-protect",
        "shared-data-safe-without-locks",
        "Without locks nothing would actually break, because cache coherence keeps the data consistent.",
    ),
    (
        "read-mostly-rwlock",
        "lookup-cost-is-the-ceiling",
        "The workload is compute-bound: the per-lookup cost is the real ceiling, not the lock.",
    ),
    (
        "page-allocator",
        "lock-free-buddy",
        "The buddy allocator is lock-free: the free lists are updated with compare-and-swap.",
    ),
    (
        "page-allocator",
        "oom-before-reclaim",
        "When memory runs short the kernel goes straight to the OOM killer, since reclaim would be too slow.",
    ),
    (
        "why-locks",
        "locks-are-security",
        "Kernel locks are a security mechanism: they provide isolation between users.",
    ),
    (
        "why-not-rcu-everywhere",
        "context-not-access-pattern",
        "The constraint is context, not access pattern: the access ratio is secondary.",
    ),
    (
        "why-not-rcu-everywhere",
        "legacy-not-cost",
        "The real reason is historical: the allocator code predates RCU and nobody wants to rewrite it.",
    ),
    (
        "rcu",
        "readers-wait",
        "Readers have to wait while a writer is mid-update, so they never see half a change.",
    ),
    (
        "semaphore-vs-mutex",
        "semaphore-as-mutex",
        "I'd guard the shared data with a semaphore initialised to 1.",
    ),
    (
        "spinlock-vs-mutex",
        "mutex-in-irq",
        "I'd have the interrupt handler take the same mutex as the process-context code.",
    ),
    (
        "hung-deadlock",
        "restart-only",
        "Restart the service and we're done.",
    ),
    (
        "hung-deadlock",
        "restart-only",
        "Just reboot it, a reboot clears the hung tasks.",
    ),
    (
        "high-cpu-livelock",
        "add-threads",
        "If that is not enough, add more threads.",
    ),
    (
        "high-cpu-livelock",
        "add-threads",
        "I'd double the worker pool so more requests run at once.",
    ),
    (
        "high-cpu-livelock",
        "add-threads",
        "I'd raise the worker thread count so more commits get attempted at once.",
    ),
    (
        "scheduler-run-queues",
        "central-balancer",
        "One CPU balances all the run queues for the whole machine.",
    ),
    (
        "page-allocator",
        "global-lock-every-alloc",
        "Simplest is one global lock for every allocation.",
    ),
    (
        "contention-collapse",
        "more-threads-more",
        "Throughput keeps rising as you add threads.",
    ),
    (
        "low-cpu-high-latency",
        "blame-disk",
        "The disk is the bottleneck here, so upgrade it to SSDs.",
    ),
    (
        "low-cpu-high-latency",
        "blame-disk",
        "The problem is the disk: it is too slow for this load.",
    ),
    (
        "cgroup-cpu-throttling",
        "idle-means-no-cpu-problem",
        "The host is half idle, so CPU is not the problem.",
    ),
    (
        "kernel-deadlock-rules",
        "recursive-ok",
        "A task can just take its own lock again; the nesting is counted.",
    ),
    (
        "monitor",
        "monitor-is-a-watcher",
        "A monitor is a monitoring tool that watches the other threads.",
    ),
    (
        "numa-remote-memory",
        "lock-fix",
        "The fix is to shard the lock.",
    ),
    (
        "deadlock-vs-livelock",
        "deadlock-busy",
        "A deadlock burns a lot of CPU because the threads keep retrying.",
    ),
    (
        "race-lost-update",
        "volatile-fixes-it",
        "Once it's volatile, every access goes to memory and both increments land.",
    ),
    (
        "high-cpu-spinlock",
        "optimise-app",
        "I'd optimise the application code first.",
    ),
    (
        "p99-tail-reclaim",
        "memory-is-fine",
        "Memory is normal here, nothing to worry about.",
    ),
    (
        "slow-under-load",
        "faster-cpu",
        "We should move it to a bigger machine with faster CPUs.",
    ),
    (
        "slow-under-load",
        "faster-cpu",
        "The CPUs can't keep up, so buy a bigger machine.",
    ),
    (
        "low-cpu-high-latency",
        "low-cpu-fine",
        "Low CPU is ok, the box is coping fine.",
    ),
];

/// Sentences that mention a claim without asserting it: describing the incident, rejecting the
/// claim, or asking about it. (drill, red flag or misconception, text).
const NOT_CLAIMS: &[(&str, &str, &str)] = &[
    (
        "disk-saturation",
        "blames-cache-eviction",
        "Nothing is being evicted from the page cache; the disk is saturated by the export's reads.",
    ),
    (
        "runqueue-contention",
        "blames-migration",
        "Pinning the workers would not remove a single wake-up.",
    ),
    (
        "semaphore-vs-mutex",
        "roles-swapped",
        "A mutex has an owner; a semaphore is a counter that any thread may post.",
    ),
    (
        "rwlock",
        "short-sections-favour-rwlock",
        "An rwlock does not pay off when the read sections are very short.",
    ),
    (
        "rcu",
        "rcu-is-refcount",
        "rcu_read_lock does not increment any reference count.",
    ),
    (
        "semaphore-vs-mutex",
        "mutex-has-no-owner",
        "A binary semaphore looks like a mutex but has no owner.",
    ),
    (
        "semaphore-vs-mutex",
        "semaphore-everywhere",
        "Semaphores were once used as mutexes everywhere, which is why the mutex was added.",
    ),
    (
        "rcu",
        "writers-lock-free",
        "Readers take no lock, but writers still serialise with a spinlock.",
    ),
    (
        "p99-tail-reclaim",
        "blames-interrupts",
        "The interrupts are not the cause: the stalls line up with reclaim.",
    ),
    (
        "hung-deadlock",
        "device-hang",
        "The disk is not hung: nothing is in flight and the threads sleep in mutex_lock.",
    ),
    (
        "futex",
        "every-lock-is-a-syscall",
        "An uncontended lock and unlock never enter the kernel.",
    ),
    (
        "why-not-rcu-everywhere",
        "rcu-writes-free",
        "RCU makes reads cheap by making writes expensive.",
    ),
    (
        "preemption-vs-interrupts",
        "preemption-from-hardware",
        "Preemption is the scheduler switching tasks and interrupts are hardware events.",
    ),
    (
        "monitor",
        "wait-holds-lock",
        "A monitor is a lock together with a way to wait for a condition.",
    ),
    (
        "slow-under-load",
        "faster-cpu",
        "More cores just makes that queue longer.",
    ),
    (
        "slow-under-load",
        "add-threads",
        "Rather than adding more threads, I'd cap the pool near the core count.",
    ),
    (
        "slow-under-load",
        "add-threads",
        "Doubling the worker threads is what made it worse.",
    ),
    (
        "read-mostly-rwlock",
        "readers-dont-contend",
        "Readers don't exclude each other, but they still fight over the lock word.",
    ),
    (
        "futex",
        "futex-is-lock",
        "A futex is not a lock by itself; locks are built on it.",
    ),
    (
        "healthy-baseline",
        "invent-contention",
        "Is it lock contention? Nothing here says so.",
    ),
    (
        "high-cpu-livelock",
        "livelock-is-deadlock",
        "It is not a deadlock: a deadlock would leave the CPU idle.",
    ),
    (
        "spinlock-vs-mutex",
        "spinlock-sleeps",
        "A mutex puts the waiter to sleep; a spinlock never does.",
    ),
    (
        "why-locks",
        "single-cpu-no-locks",
        "Even on a single CPU you still need locks, because of preemption.",
    ),
    (
        "added-threads-slower",
        "blames-dependency",
        "Nothing points at a downstream dependency: the workers sleep in futex waits on one lock, not on sockets.",
    ),
    (
        "cgroup-cpu-throttling",
        "throttling-is-noise",
        "The throttling is not noise: a third of the periods are throttled, and each wait lands in the tail.",
    ),
    (
        "contention-collapse",
        "lock-share-too-small",
        "Even a lock held only 20 percent of the time caps the speedup at five times.",
    ),
    (
        "contention-collapse",
        "bound-is-parallel-over-serial",
        "The bound is 1/0.2, five times, not 0.8/0.2.",
    ),
    (
        "healthy-baseline",
        "noise-is-cause",
        "CPU0 at 3 percent is background noise and cannot explain slow requests.",
    ),
    (
        "high-cpu-livelock",
        "blames-oversubscription",
        "It is not an oversubscription problem: fewer threads would still fail the same compare-and-swap.",
    ),
    (
        "high-cpu-spinlock",
        "blames-switching-overhead",
        "The system time is not context-switch overhead; the workers spin on the bucket lock.",
    ),
    (
        "hung-deadlock",
        "blames-upstream",
        "The upstream has not stalled; the stacks show the workers asleep in the two locks' slow paths.",
    ),
    (
        "interrupt-context-sleep",
        "softirq-can-sleep",
        "Tasklets and softirqs cannot sleep either; only a workqueue can.",
    ),
    (
        "irq-spinlock-lockup",
        "overload-not-lock",
        "CPU 3 is not simply overloaded; it spins on a lock its own interrupted task holds.",
    ),
    (
        "kernel-deadlock-rules",
        "detectors-recover",
        "The soft lockup detector only reports a stuck CPU; it never breaks the lock.",
    ),
    (
        "lock-across-fsync",
        "drop-durability",
        "I would not drop the fdatasync: acknowledged entries must survive a crash.",
    ),
    (
        "low-cpu-high-latency",
        "reads-are-data",
        "It looks IO-bound, but the small reads are swap-ins, not data.",
    ),
    (
        "noisy-neighbor-steal",
        "steal-from-own-load",
        "Steal does not come from our own load: it is another guest running on our vCPUs.",
    ),
];

/// The claims to try for `target` on drill `id`: the drill's own if it has any, else the shared
/// ones.
fn claims_for(id: &str, target: &str) -> Vec<&'static str> {
    let own: Vec<&'static str> = DRILL_CLAIMS
        .iter()
        .filter(|(d, flag, _)| *d == id && *flag == target)
        .map(|(.., text)| *text)
        .collect();
    if !own.is_empty() {
        return own;
    }
    SHARED_CLAIMS
        .iter()
        .filter(|(flag, _)| *flag == target)
        .map(|(_, text)| *text)
        .collect()
}

/// Ids of a drill's red flags and misconceptions.
fn flag_ids(drill: &Drill) -> impl Iterator<Item = &str> {
    let flags = drill.rubric.red_flags.iter().map(|f| f.id.as_str());
    flags.chain(drill.rubric.misconceptions.iter().map(|m| m.id.as_str()))
}

/// The red flag or misconception `id` of `report`, if the rubric has one.
fn flag<'a>(report: &'a ScoreReport, id: &str) -> Option<&'a FlagResult> {
    report
        .red_flags
        .iter()
        .chain(&report.misconceptions)
        .find(|f| f.id == id)
}

/// Every shipped red flag and misconception fires on at least one claim in a candidate's own
/// words, and every listed claim fires what it claims.
#[test]
fn every_red_flag_and_misconception_fires_on_a_claim() {
    let catalog = catalog();
    let mut problems = Vec::new();
    for drill in catalog.drills.values() {
        let id = drill.id.as_str();
        let scorer = Scorer::new(drill);
        for target in flag_ids(drill) {
            let mine = claims_for(id, target);
            if mine.is_empty() {
                problems.push(format!("{id}: no claim for {target}"));
            }
            for text in mine {
                let report = scorer.score(text, &Shown::default());
                if !flag(&report, target).is_some_and(|f| f.fired) {
                    problems.push(format!("{id}: {target} silent on {text:?}"));
                }
            }
        }
    }
    for (id, target, _) in DRILL_CLAIMS {
        assert!(
            flag_ids(drill(&catalog, id)).any(|flag| flag == *target),
            "{id} has no red flag or misconception {target}"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Describing, rejecting or questioning a claim does not fire it.
#[test]
fn mentions_that_do_not_assert_a_claim_stay_silent() {
    let catalog = catalog();
    let mut problems = Vec::new();
    for (id, target, text) in NOT_CLAIMS {
        let report = score(drill(&catalog, id), text);
        match flag(&report, target) {
            None => problems.push(format!("{id} has no {target}")),
            Some(f) if f.fired => problems.push(format!("{id}: {target} fired on {text:?}")),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn yaml_file(path: &std::path::Path) -> serde_yaml::Value {
    let text = std::fs::read_to_string(path).expect("readable YAML");
    serde_yaml::from_str(&text).expect("valid YAML")
}

fn strings(value: &serde_yaml::Value) -> Vec<&str> {
    value
        .as_sequence()
        .map(|items| items.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default()
}

/// The shared lexicon covers the field: at least 150 ideas, eight ways to say each on average,
/// and everyday wording for every one of them.
#[test]
fn lexicon_covers_the_field_in_jargon_and_plain_words() {
    let lexicon = yaml_file(&manifest_dir().join("drills").join("lexicon.yaml"));
    let entries = lexicon["entries"].as_sequence().expect("entries");
    assert!(entries.len() >= 150, "only {} entries", entries.len());
    let mut forms = 0;
    for entry in entries {
        let id = entry["id"].as_str().expect("every entry has an id");
        let plain = entry["plain"].as_sequence().map_or(0, Vec::len);
        assert!(plain > 0, "{id} has no plain-language form");
        forms += strings(&entry["terms"]).len() + plain + strings(&entry["regexes"]).len();
    }
    let average = forms as f64 / entries.len() as f64;
    assert!(average >= 8.0, "{average:.1} surface forms per entry");
}

/// Every rubric concept of the shipped drills names the lexicon entries it stands for, and every
/// red flag and misconception says its claim in a candidate's words.
#[test]
fn every_rubric_item_uses_the_lexicon_or_claims() {
    let mut missing = Vec::new();
    for id in all_ids() {
        let drill = yaml_file(&manifest_dir().join("drills").join(format!("{id}.yaml")));
        let rubric = &drill["rubric"];
        for concept in rubric["concepts"].as_sequence().expect("concepts") {
            if strings(&concept["lexicon"]).is_empty() {
                missing.push(format!("{id}: concept {:?}", concept["id"]));
            }
        }
        for key in ["red_flags", "misconceptions"] {
            for item in rubric[key].as_sequence().map_or(&[][..], Vec::as_slice) {
                if item["claims"].as_sequence().is_none_or(Vec::is_empty) {
                    missing.push(format!("{id}: {key} {:?}", item["id"]));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// A concept's words said inside a misbelief earn nothing: the misconception's clause holds
/// the concept's roles in the wrong arrangement ("pegged cores mean deadlock" has the words of
/// telling the two apart by CPU), and the same check said the right way round is credited.
#[test]
fn a_concept_inside_an_asserted_misconception_earns_nothing() {
    let catalog = catalog();
    let drill = drill(&catalog, "deadlock-vs-livelock");
    let concept = |report: &ScoreReport, id: &str| {
        report
            .concepts
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no concept {id}"))
            .clone()
    };
    let inverted = score(
        drill,
        "Pegged cores mean deadlock, so get a perf profile and look for the spinning lock call \
         site to find the cycle.",
    );
    assert!(
        inverted.misconceptions.iter().any(|m| m.fired),
        "{inverted:?}"
    );
    let detection = concept(&inverted, "detection");
    assert!(!detection.hit && detection.credit == 0.0, "{detection:?}");
    let right = score(
        drill,
        "Idle cores with sleeping threads mean deadlock, so dump the stacks and look for the \
         cycle of waits.",
    );
    assert!(right.misconceptions.iter().all(|m| !m.fired), "{right:?}");
    assert!(concept(&right, "detection").hit);
}
