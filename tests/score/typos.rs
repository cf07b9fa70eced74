//! The typo policy of docs/SCORING.md section 2 on labelled pairs: at least 95 % of typos accepted,
//! every near miss rejected.

use sysdrill::domain::Stage;
use sysdrill::score::fuzzy::is_typo_of;
use sysdrill::score::{Scorer, Shown};

use super::fixture::{bare_drill, concept};

/// (as written, intended)
const TYPOS: &[(&str, &str)] = &[
    ("contetion", "contention"),
    ("contension", "contention"),
    ("througput", "throughput"),
    ("spinlok", "spinlock"),
    ("spinlcok", "spinlock"),
    ("semaphor", "semaphore"),
    ("semafore", "semaphore"),
    ("sheduler", "scheduler"),
    ("schedular", "scheduler"),
    ("preemtion", "preemption"),
    ("premption", "preemption"),
    ("interupt", "interrupt"),
    ("interrupst", "interrupts"),
    ("sofirqs", "softirqs"),
    ("contxt", "context"),
    ("swiches", "switches"),
    ("switchs", "switches"),
    ("latnecy", "latency"),
    ("latancy", "latency"),
    ("oversubscribtion", "oversubscription"),
    ("oversubcribed", "oversubscribed"),
    ("deadlok", "deadlock"),
    ("dedlock", "deadlock"),
    ("livelok", "livelock"),
    ("starvaton", "starvation"),
    ("reclaimm", "reclaim"),
    ("reclam", "reclaim"),
    ("memroy", "memory"),
    ("memmory", "memory"),
    ("presure", "pressure"),
    ("pressue", "pressure"),
    ("thrasing", "thrashing"),
    ("contendd", "contended"),
    ("critcal", "critical"),
    ("crtical", "critical"),
    ("secton", "section"),
    ("sectoin", "section"),
    ("shardnig", "sharding"),
    ("partiton", "partition"),
    ("patition", "partition"),
    ("bottlenek", "bottleneck"),
    ("botleneck", "bottleneck"),
    ("saturaton", "saturation"),
    ("utilisation", "utilization"),
    ("utilzation", "utilization"),
    ("throtling", "throttling"),
    ("thraeds", "threads"),
    ("thredas", "threads"),
    ("runable", "runnable"),
    ("runnabel", "runnable"),
    ("wating", "waiting"),
    ("cachline", "cacheline"),
    ("cachelien", "cacheline"),
    ("coherancy", "coherency"),
    ("afinity", "affinity"),
    ("affinty", "affinity"),
    ("reshedule", "reschedule"),
    ("histogam", "histogram"),
    ("percentil", "percentile"),
    ("precentile", "percentile"),
    ("allocaton", "allocation"),
    ("allocater", "allocator"),
    ("fragmantation", "fragmentation"),
    ("writebak", "writeback"),
    ("hypervsor", "hypervisor"),
    ("neighbor", "neighbour"),
    ("behavior", "behaviour"),
    ("serialise", "serialize"),
    ("paralellism", "parallelism"),
    ("concurency", "concurrency"),
    ("concurrancy", "concurrency"),
    ("syscal", "syscall"),
    ("sycalls", "syscalls"),
    ("spinnig", "spinning"),
    ("hardriq", "hardirq"),
    ("thred", "thread"),
    ("swich", "switch"),
    ("mutexs", "mutexes"),
];

/// (as written, a different rubric word)
const NEAR_MISSES: &[(&str, &str)] = &[
    ("futex", "mutex"),
    ("mutex", "futex"),
    ("looks", "locks"),
    ("there", "three"),
    ("tread", "thread"),
    ("queue", "queues"),
    ("share", "shard"),
    ("shard", "share"),
    ("mutes", "mutex"),
    ("lack", "lock"),
    ("pref", "perf"),
    ("sy", "cs"),
    ("cs", "sy"),
    ("lick", "lock"),
    ("look", "lock"),
    ("locks", "lock"),
    ("numb", "numa"),
    ("irc", "irq"),
    ("tbl", "tlb"),
    ("p95", "p99"),
    ("p90", "p99"),
    ("is", "us"),
    ("io", "id"),
    ("so", "si"),
    ("on", "in"),
    ("b", "r"),
    ("st", "sy"),
    ("span", "spin"),
    ("stall", "steal"),
    ("snap", "swap"),
    ("desk", "disk"),
    ("rcv", "rcu"),
    ("stab", "slab"),
    ("pace", "page"),
    ("reap", "read"),
    ("cure", "core"),
    ("futes", "futex"),
    ("muted", "mutex"),
    ("content", "contention"),
    ("lately", "latency"),
    ("spinning", "spinlock"),
    ("interpret", "interrupt"),
    ("throttle", "throughput"),
    ("prompt", "preempt"),
    ("hardirq", "softirq"),
    ("recall", "reclaim"),
    ("threat", "thread"),
    ("progress", "process"),
    ("sharing", "sharding"),
    ("contest", "context"),
    ("kennel", "kernel"),
    ("looking", "locking"),
    ("vmstat", "mpstat"),
    ("iostat", "vmstat"),
    ("pidstat", "mpstat"),
    ("iowait", "await"),
    ("headlock", "deadlock"),
    ("leader", "reader"),
    ("pulling", "polling"),
    ("spanning", "spinning"),
    ("contented", "contended"),
    ("affinity", "infinity"),
    ("waiting", "writing"),
    ("sweeping", "sleeping"),
    ("1000", "100"),
    ("40ms", "400ms"),
    ("120k", "12k"),
    ("ipc", "irc"),
];

#[test]
fn labelled_sets_are_big_enough() {
    assert!(TYPOS.len() >= 50, "{}", TYPOS.len());
    assert!(NEAR_MISSES.len() >= 50, "{}", NEAR_MISSES.len());
}

#[test]
fn at_least_95_percent_of_typos_accepted() {
    let rejected: Vec<_> = TYPOS
        .iter()
        .filter(|(typo, word)| !is_typo_of(typo, word))
        .collect();
    let accepted = TYPOS.len() - rejected.len();
    assert!(
        accepted * 100 >= TYPOS.len() * 95,
        "accepted {accepted}/{}; rejected {rejected:?}",
        TYPOS.len()
    );
}

#[test]
fn every_near_miss_rejected() {
    let accepted: Vec<_> = NEAR_MISSES
        .iter()
        .filter(|(a, b)| is_typo_of(a, b))
        .collect();
    assert!(accepted.is_empty(), "near misses accepted: {accepted:?}");
}

#[test]
fn the_scorer_applies_the_policy() {
    let concepts = vec![
        concept(
            "contention",
            Stage::Hypothesis,
            1.0,
            false,
            &["lock contention"],
            &[],
        ),
        concept("futex", Stage::Check, 1.0, false, &["futex wait"], &[]),
        concept("shard", Stage::Fix, 1.0, false, &["shard the lock"], &[]),
    ];
    let scorer = Scorer::new(&bare_drill(concepts, Vec::new(), 0.0));
    let report = scorer.score(
        "Lock contetion. Mutex wait. Share the lock.",
        &Shown::default(),
    );
    let hits: Vec<(&str, bool)> = report
        .concepts
        .iter()
        .map(|c| (c.id.as_str(), c.hit))
        .collect();
    assert_eq!(
        hits,
        [("contention", true), ("futex", false), ("shard", false)]
    );
    assert!(
        report.concepts[0]
            .evidence
            .as_ref()
            .is_some_and(|e| e.fuzzy)
    );
}
