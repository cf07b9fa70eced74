//! One REPL turn: classify the line, score the answer (alone and with the earlier answers),
//! update the dialogue memory and choose the interviewer's move. The budget is well under 1 ms. Measured twice: a turn of a
//! running session, and the first answer of a session, whose regexes start with cold caches.

use criterion::{BatchSize, Criterion, criterion_group};

use std::collections::BTreeSet;

use sysdrill::content::{Catalog, load_catalog};
use sysdrill::domain::Drill;
use sysdrill::domain::{DrillId, Seed};
use sysdrill::grade::synth::{self, SynthConfig};
use sysdrill::interview::{Input, Interview, Mode};
use sysdrill::transcript::Event;

const DRILL: &str = "slow-under-load";

const FIRST: &str = "Throughput flattened and p99 grew under load; success is p99 back under \
    target. I suspect lock contention, oversubscription, memory pressure or disk saturation.";
const SECOND: &str = "vmstat shows r well above the CPU count but lots of idle and a high cs \
    rate, so threads sleep rather than run: a contended mutex. perf lock report would name it; \
    rather than adding more threads I would shard the lock and check p99 again.";

/// The benchmark's session on `DRILL` with its incident, seed 7, after the first answer: the
/// state every measured second turn starts from.
fn session_after_first_answer(catalog: &Catalog) -> Interview {
    let drill = &catalog.drills[&DrillId::from(DRILL)];
    let incident = drill
        .incident
        .as_ref()
        .and_then(|id| catalog.incidents.get(id));
    let mut session =
        Interview::with_forms(drill, incident, Seed(7), Mode::Interview, &catalog.forms);
    session.start();
    session.handle(Input::Answer(FIRST.to_owned()));
    session
}

fn turn(c: &mut Criterion) {
    let catalog = load_catalog(&[]).expect("embedded content loads");
    let drill = &catalog.drills[&DrillId::from(DRILL)];
    let session = session_after_first_answer(&catalog);
    c.bench_function("interview/turn (classify + score + memory + move)", |b| {
        // By reference, so dropping the cloned session (its simulation and trace) stays out of
        // the measured turn. Clones share the session's scorer, as a running session's later
        // turns do.
        b.iter_batched_ref(
            || session.clone(),
            |session| session.handle(Input::classify(SECOND).expect("a line")),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("interview/classify a line", |b| {
        b.iter(|| {
            (
                Input::classify(SECOND),
                Input::classify("ps -eLo pid,tid,stat,wchan:32,comm | grep ingest"),
                Input::classify("perf lock contention -a -b"),
            )
        })
    });
    c.bench_function("interview/a command the box lacks", |b| {
        b.iter_batched_ref(
            || session.clone(),
            |session| session.handle(Input::classify("strace -p 1").expect("a line")),
            BatchSize::SmallInput,
        )
    });
    // Answers the scorer has never seen, so the regexes' lazy DFAs meet new input every turn
    // (a repeated answer is served from states cached on its first run).
    let unseen = unseen_answers(drill, 4096);
    let mut next = 0usize;
    c.bench_function("interview/turn, unseen answers", |b| {
        b.iter_batched_ref(
            || session.clone(),
            |session| {
                next = (next + 1) % unseen.len();
                session.handle(Input::Answer(unseen[next].clone()))
            },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("interview/first turn (cold regex caches)", |b| {
        // A scorer compiled from nothing each time: its regexes' lazy DFAs start empty and its
        // calibration examples are scored for this answer's confidence, as in the first answer
        // of a run's first session.
        b.iter_batched_ref(
            || {
                let mut fresh = Interview::new(drill, None, Seed(7), Mode::Interview);
                fresh.start();
                fresh
            },
            |session| session.handle(Input::Answer(SECOND.to_owned())),
            BatchSize::SmallInput,
        )
    });
    // The first answer of a session after the run's first: the catalog's scorers compiled the
    // regexes and spellings and scored the drill's calibration examples already, so this turn
    // pays only for warming the new scorer's caches.
    c.bench_function("interview/first turn of a later session", |b| {
        b.iter_batched_ref(
            || {
                let mut later =
                    Interview::with_forms(drill, None, Seed(7), Mode::Interview, &catalog.forms);
                later.start();
                later
            },
            |session| session.handle(Input::Answer(SECOND.to_owned())),
            BatchSize::SmallInput,
        )
    });
    // A session after the run's first: its scorers take the drill's rubric as the catalog's
    // first scorer of the drill compiled it.
    c.bench_function("interview/new session (compile rubric)", |b| {
        b.iter(|| Interview::with_forms(drill, None, Seed(7), Mode::Interview, &catalog.forms))
    });
}

/// Distinct candidate answers to `drill`, from the synthetic transcript generator.
fn unseen_answers(drill: &Drill, count: usize) -> Vec<String> {
    let config = SynthConfig::default();
    let mut answers = BTreeSet::new();
    for index in 0..(count as u64 * 4) {
        let Some(synthetic) = synth::transcript(&[drill], &config, index, &|_, _, _| None) else {
            continue;
        };
        for entry in synthetic.transcript.log {
            if let Event::Answer { text } = entry.event
                && text.len() > 80
            {
                answers.insert(text);
            }
        }
        if answers.len() >= count {
            break;
        }
    }
    answers.into_iter().collect()
}

criterion_group!(benches, turn);

/// `TURN_LOOP=N` plays the benchmark's second turn N times on clones of one running session and
/// exits, for an instruction count that a busy machine cannot distort:
/// `TURN_LOOP=200 valgrind --tool=callgrind target/release/deps/interview-*` minus the same with
/// `TURN_LOOP=0`, divided by N (cloning the session is counted too). `SESSION_NEW=N` also starts
/// N more sessions of the drill with the catalog's forms, as a run's later sessions do (the cost
/// of `new session`: subtract a run with `SESSION_NEW=0`). Otherwise the criterion benchmarks
/// run.
fn main() {
    if let Some(n) = std::env::var("TURN_LOOP")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        let catalog = load_catalog(&[]).expect("embedded content loads");
        let session = session_after_first_answer(&catalog);
        let sessions = std::env::var("SESSION_NEW")
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        let drill = &catalog.drills[&DrillId::from(DRILL)];
        for _ in 0..sessions {
            std::hint::black_box(Interview::with_forms(
                drill,
                None,
                Seed(7),
                Mode::Interview,
                &catalog.forms,
            ));
        }
        let replies: usize = (0..n)
            .map(|_| {
                let mut turn = session.clone();
                turn.handle(Input::classify(SECOND).expect("a line")).len()
            })
            .sum();
        println!("played {n} turns ({replies} replies)");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
