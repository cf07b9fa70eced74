//! A realistic incident drill built in code (no YAML loader needed): the "slow under load" lock
//! storm with twelve concepts, red flags, misconceptions, pushback rules and examples. Shared by
//! the score tests and the score benchmark.

#![allow(dead_code)]

use sysdrill::score::{ScoreReport, Shown, ShownOutput, Status};

use sysdrill::domain::{
    Concept, Difficulty, Drill, DrillId, DrillKind, Example, Misconception, ModelAnswerLine, Phase,
    PushbackRule, RedFlag, Rubric, Stage, Trigger,
};

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

pub fn concept(
    id: &str,
    stage: Stage,
    weight: f64,
    required: bool,
    phrases: &[&str],
    regexes: &[&str],
) -> Concept {
    Concept {
        id: id.to_owned(),
        label: id.replace('-', " "),
        weight,
        required,
        phrases: strings(phrases),
        regexes: strings(regexes),
        stage,
        lexicon: Vec::new(),
        ideas: Vec::new(),
    }
}

pub fn red_flag(id: &str, phrases: &[&str], penalty: f64) -> RedFlag {
    RedFlag {
        id: id.to_owned(),
        label: id.replace('-', " "),
        phrases: strings(phrases),
        regexes: Vec::new(),
        penalty,
        pushback: format!("Why would {} help here?", id.replace('-', " ")),
        fires_when_hypothetical: false,
        claims: Vec::new(),
        lexicon: Vec::new(),
    }
}

pub fn bare_drill(concepts: Vec<Concept>, red_flags: Vec<RedFlag>, order_penalty: f64) -> Drill {
    Drill {
        id: DrillId::from("test-drill"),
        title: "test".to_owned(),
        kind: DrillKind::Concept,
        tags: Vec::new(),
        difficulty: Difficulty::Easy,
        incident: None,
        seed: None,
        opening: "Why is it slow?".to_owned(),
        phases: vec![Phase {
            id: "all".to_owned(),
            prompt: "Go on.".to_owned(),
            stages: Stage::ALL.to_vec(),
        }],
        rubric: Rubric {
            concepts,
            red_flags,
            misconceptions: Vec::new(),
            order_penalty,
        },
        pushback: Vec::new(),
        hints: Vec::new(),
        model_answer: Vec::new(),
        examples: Vec::new(),
        follow_ups: Vec::new(),
        content_hash: 0,
        lexicon: Default::default(),
    }
}

pub const STRONG: &str = "Throughput dropped when we added threads, so my first suspects are lock \
contention or oversubscription. I would check the run queue with vmstat 1: r is about 40 on 8 CPUs, \
and sy is above 70%, so threads are spinning rather than doing useful work. Context switches are \
high too. Then perf lock report shows one hot lock, the futex hash bucket lock, with most of the \
wait time. That serial critical section caps the speedup (Amdahl). Instead of adding more threads \
I would cap the pool near the core count, shard the lock, and shorten the critical section, then \
measure again to confirm the fix.";

pub const WEAK: &str = "It is probably the network or the database. We should add more threads \
and buy a faster CPU.";

pub const LIST: &str =
    "lock contention, run queue, context switches, perf lock, hot lock, sharding";

pub fn slow_under_load() -> Drill {
    let concepts = vec![
        concept(
            "restate",
            Stage::Restate,
            1.0,
            false,
            &[
                "throughput dropped",
                "got slower",
                "slower under load",
                "latency went up",
            ],
            &[],
        ),
        concept(
            "contention",
            Stage::Hypothesis,
            3.0,
            true,
            &[
                "lock contention",
                "contended lock",
                "oversubscription",
                "too many threads",
            ],
            &[],
        ),
        concept(
            "run-queue",
            Stage::Check,
            3.0,
            true,
            &["run queue", "runnable threads"],
            &[r"\br (is|=|at|column)"],
        ),
        concept(
            "context-switches",
            Stage::Check,
            2.0,
            false,
            &[
                "context switches",
                "context switching",
                "cs column",
                "pidstat -w",
            ],
            &[],
        ),
        concept(
            "perf-lock",
            Stage::Check,
            3.0,
            true,
            &["perf lock", "lock_stat", "perf top"],
            &[],
        ),
        concept(
            "hot-lock",
            Stage::Interpret,
            3.0,
            true,
            &["hot lock", "one lock", "single lock", "futex hash bucket"],
            &[],
        ),
        concept(
            "spinning",
            Stage::Interpret,
            2.0,
            false,
            &["spinning", "system time", "burning cpu"],
            &[r"\bsy\b.{0,20}\b(high|above|over)"],
        ),
        concept(
            "serial-fraction",
            Stage::Interpret,
            2.0,
            false,
            &["amdahl", "serial fraction", "critical section"],
            &[],
        ),
        concept(
            "cap-threads",
            Stage::Fix,
            3.0,
            true,
            &[
                "cap the pool",
                "fewer threads",
                "reduce the thread count",
                "core count",
            ],
            &[],
        ),
        concept(
            "shard",
            Stage::Fix,
            2.0,
            false,
            &["shard the lock", "sharding", "lock striping", "per-cpu"],
            &[],
        ),
        concept(
            "shorten",
            Stage::Fix,
            1.0,
            false,
            &["shorten the critical section", "move work out of the lock"],
            &[],
        ),
        concept(
            "verify",
            Stage::Fix,
            1.0,
            false,
            &["measure again", "confirm the fix", "verify"],
            &[],
        ),
    ];
    let red_flags = vec![
        red_flag(
            "add-threads",
            &[
                "add more threads",
                "adding more threads",
                "increase the thread count",
            ],
            15.0,
        ),
        red_flag("faster-cpu", &["faster cpu", "bigger machine"], 10.0),
        red_flag("restart", &["restart the service"], 5.0),
    ];
    let misconceptions = vec![
        Misconception {
            id: "futex-is-lock".to_owned(),
            phrases: strings(&["a futex is a lock", "futex is a mutex"]),
            regexes: Vec::new(),
            correction:
                "A futex is a kernel wait queue keyed by an address; user space builds locks on it."
                    .to_owned(),
            penalty: 5.0,
            claims: Vec::new(),
            lexicon: Vec::new(),
        },
        Misconception {
            id: "idle-means-fine".to_owned(),
            phrases: strings(&["idle cpu means no problem"]),
            regexes: Vec::new(),
            correction: "Idle CPU with falling throughput often means threads sleep on a lock."
                .to_owned(),
            penalty: 5.0,
            claims: Vec::new(),
            lexicon: Vec::new(),
        },
    ];
    let rule = |id: &str, when: Trigger, say: &str| PushbackRule {
        id: id.to_owned(),
        when,
        say: strings(&[say]),
        max_times: 1,
    };
    let mut drill = bare_drill(concepts, red_flags, 10.0);
    drill.id = DrillId::from("slow-under-load");
    drill.kind = DrillKind::Incident;
    drill.rubric.misconceptions = misconceptions;
    drill.pushback = vec![
        rule(
            "ask-run-queue",
            Trigger::MissingConcept("run-queue".to_owned()),
            "How many threads want a CPU right now?",
        ),
        rule(
            "ask-lock",
            Trigger::MissingConcept("perf-lock".to_owned()),
            "Which tool would show you where threads wait?",
        ),
        rule(
            "vague",
            Trigger::Vague,
            "What would you run, and what number would you look at?",
        ),
        rule(
            "ramble",
            Trigger::Rambling { words: 250 },
            "Give me the one-line version.",
        ),
        rule("misread", Trigger::Misread, "Read that number again."),
        rule(
            "threads",
            Trigger::RedFlag("add-threads".to_owned()),
            "What happens to the lock with more threads?",
        ),
    ];
    drill.model_answer = vec![
        ModelAnswerLine {
            concept: Some("run-queue".to_owned()),
            text: "vmstat's r column: 40 runnable threads on 8 CPUs.".to_owned(),
        },
        ModelAnswerLine {
            concept: Some("perf-lock".to_owned()),
            text: "perf lock report names the hot lock.".to_owned(),
        },
        ModelAnswerLine {
            concept: None,
            text: "Then verify.".to_owned(),
        },
    ];
    drill.examples = vec![
        Example {
            name: "strong".to_owned(),
            answer: STRONG.to_owned(),
            score: (80.0, 100.0),
            must_hit: strings(&[
                "contention",
                "run-queue",
                "perf-lock",
                "hot-lock",
                "cap-threads",
            ]),
            must_miss: Vec::new(),
            red_flags: Vec::new(),
            ..Example::default()
        },
        Example {
            name: "weak".to_owned(),
            answer: WEAK.to_owned(),
            score: (0.0, 20.0),
            must_hit: Vec::new(),
            must_miss: strings(&["cap-threads"]),
            red_flags: strings(&["add-threads", "faster-cpu"]),
            ..Example::default()
        },
    ];
    drill
}

/// A vmstat run on the lock-storm box: r far above the CPUs, sy high, id low.
pub const VMSTAT: &str =
    "procs -----------memory---------- ---swap-- -----io---- -system-- -------cpu-------
 r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st gu
 1  0      0 5120344  98304 2210456    0    0     3    21  410  820  2  1 97  0  0  0
38  0      0 5119872  98304 2210512    0    0     0    64 6120 2950 17 71 12  0  0  0
41  1      0 5119100  98304 2210540    0    0     0    72 6388 3010 16 73 11  0  0  0
";

/// [`VMSTAT`] as what the candidate was shown.
pub fn vmstat_shown() -> Shown {
    Shown {
        outputs: vec![ShownOutput {
            command: "vmstat 1 3".to_owned(),
            text: VMSTAT.to_owned(),
        }],
    }
}

/// How concept `id` stands in `report` (missing when the rubric has no such concept).
pub fn status(report: &ScoreReport, id: &str) -> Status {
    report
        .concepts
        .iter()
        .find(|c| c.id == id)
        .map_or(Status::Missing, |c| c.status)
}
