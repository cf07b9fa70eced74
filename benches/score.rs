//! Scoring throughput: one ~150-word answer against the twelve-concept "slow under load" rubric
//! (plus red flags and misconceptions), on one core. Target (docs/SCORING.md section 8): at most
//! 50 µs per answer, at least 20,000 answers per second. The `score_size` group scores answers of
//! 10 KB, 1 MB and 8 MiB (and a 1 MB run-on sentence): time must grow linearly with size.
//!
//! Run: `cargo bench --bench score`. On a shared machine wall-clock numbers inflate with load;
//! see `main` for a CPU-time measurement.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group};
use fixture::vmstat_shown;
use sysdrill::content::{Catalog, load_catalog};
use sysdrill::domain::{Drill, DrillId};
use sysdrill::score::{CompiledForms, Scorer, Shown};

#[path = "../tests/score/fixture.rs"]
mod fixture;

#[path = "score_answer.rs"]
mod score_answer;
use score_answer::ANSWER;

fn bench(c: &mut Criterion) {
    let drill = fixture::slow_under_load();
    let scorer = Scorer::new(&drill);
    let words = ANSWER.split_whitespace().count();
    let shown = vmstat_shown();
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("answer_{words}_words"), |b| {
        b.iter(|| scorer.score(black_box(ANSWER), black_box(&Shown::default())))
    });
    group.bench_function(format!("answer_{words}_words_with_vmstat_shown"), |b| {
        b.iter(|| scorer.score(black_box(ANSWER), black_box(&shown)))
    });
    // The same answer against the shipped drill: its rubric refers to the domain lexicon, and
    // its ideas and claim forms bring several hundred plain phrases and role alternatives.
    let catalog = shipped_catalog();
    let shipped = shipped_drill(&catalog);
    let shipped_scorer = Scorer::with_forms(&shipped, &catalog.forms);
    group.bench_function(format!("answer_{words}_words_shipped_drill"), |b| {
        b.iter(|| shipped_scorer.score(black_box(ANSWER), black_box(&Shown::default())))
    });
    group.bench_function(
        format!("answer_{words}_words_shipped_drill_with_vmstat_shown"),
        |b| b.iter(|| shipped_scorer.score(black_box(ANSWER), black_box(&shown))),
    );
    group.finish();
    c.bench_function("scorer_new", |b| b.iter(|| Scorer::new(black_box(&drill))));
    // A drill's scorer given the loaded catalog, whose shared forms an earlier scorer of the
    // drill filled (the scorer above): every session after a run's first, every follow-up and
    // `grade` worker. Takes the drill's compiled rubric from the catalog (after checking the
    // drill is the one it was compiled from); no calibration example (those are scored on the
    // first answer's confidence).
    c.bench_function("scorer_new_shipped_drill", |b| {
        b.iter(|| Scorer::with_forms(black_box(&shipped), &catalog.forms))
    });
    // The first scorer of the drill once the catalog's regexes and word spellings are compiled
    // (as after any earlier scorer of the drill): compiles the drill's phrases, ideas, role
    // tables and word table.
    c.bench_function("scorer_compile_shipped_drill", |b| {
        b.iter(|| Scorer::compile(black_box(&shipped), &catalog.forms))
    });
    // The first scorer of the drill in a run: its regexes and its words' spellings (those of
    // its lexicon entries too) compiled from nothing, as `Scorer::new` does.
    c.bench_function("scorer_new_shipped_drill_cold", |b| {
        b.iter(|| Scorer::new(black_box(&shipped)))
    });
    // A new scorer and its first answer: the calibration examples are scored then, for the
    // answer's confidence.
    c.bench_function("scorer_new_and_first_answer_shipped_drill", |b| {
        b.iter(|| {
            Scorer::with_forms(black_box(&shipped), &catalog.forms)
                .score(black_box(ANSWER), &Shown::default())
        })
    });

    // Scoring is linear in the answer: the same prose repeated to 10 KB, 1 MB and 8 MiB, and
    // the 1 MB answer again as one run-on sentence (no sentence marks at all), the worst case
    // for scopes that run to the end of a sentence.
    let mut sizes = c.benchmark_group("score_size");
    sizes.sample_size(10);
    for (name, bytes) in [("10kb", 10_000), ("1mb", 1_000_000), ("8mib", 8 << 20)] {
        let answer = repeated(bytes);
        sizes.throughput(Throughput::Bytes(answer.len() as u64));
        sizes.bench_function(format!("answer_{name}"), |b| {
            b.iter(|| scorer.score(black_box(&answer), black_box(&shown)))
        });
    }
    let run_on: String = repeated(1_000_000)
        .chars()
        .map(|c| {
            if matches!(c, '.' | '!' | '?' | '\n') {
                ' '
            } else {
                c
            }
        })
        .collect();
    sizes.throughput(Throughput::Bytes(run_on.len() as u64));
    sizes.bench_function("answer_1mb_run_on", |b| {
        b.iter(|| scorer.score(black_box(&run_on), black_box(&shown)))
    });
    sizes.finish();
}

/// The embedded content.
fn shipped_catalog() -> Catalog {
    load_catalog(&[]).expect("the embedded content loads")
}

/// The shipped slow-under-load drill, with the lexicon entries it refers to.
fn shipped_drill(catalog: &Catalog) -> Drill {
    catalog.drills[&DrillId::from("slow-under-load")].clone()
}

/// The benchmark answer repeated, as paragraphs, to at least `bytes` bytes.
fn repeated(bytes: usize) -> String {
    let mut answer = String::with_capacity(bytes + ANSWER.len());
    while answer.len() < bytes {
        answer.push_str(ANSWER);
        answer.push_str("\n\n");
    }
    answer
}

criterion_group!(benches, bench);

/// `SCORE_LOOP=N` scores the answer N times and exits, for CPU-time measurement that a busy
/// machine cannot distort: `SCORE_LOOP=20000 perf stat -e task-clock target/release/deps/score-*`
/// (task-clock / N = CPU time per answer); add `SCORE_SHOWN=1` to ground against a vmstat output
/// as well, and `SCORE_DRILL=shipped` to score against the shipped drill and its lexicon instead
/// of the fixture's rubric (the catalog then loads before the loop: subtract a run with
/// `SCORE_LOOP=0` and the same variables). `SCORE_NEW=N` builds N more scorers of the drill
/// after the first, sharing its compiled forms as a loaded catalog's scorers do (the cost of
/// `scorer_new_shipped_drill`: subtract a run with `SCORE_NEW=0`); with `SCORE_NEW_ANSWER=1`
/// each of them also scores the answer once; with `SCORE_COMPILE=1` each compiles the rubric
/// afresh (`scorer_compile_shipped_drill`). Otherwise the criterion benchmarks run.
fn main() {
    if let Some(n) = std::env::var("SCORE_LOOP")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        let (drill, forms) = if std::env::var("SCORE_DRILL").is_ok_and(|v| v == "shipped") {
            let catalog = shipped_catalog();
            (shipped_drill(&catalog), catalog.forms)
        } else {
            (fixture::slow_under_load(), Default::default())
        };
        let forms: std::sync::Arc<CompiledForms> = forms;
        let scorer = Scorer::with_forms(&drill, &forms);
        let more = std::env::var("SCORE_NEW")
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        // `SCORE_NEW_ANSWER=1`: each of those scorers also scores the answer once, as a later
        // session's first turn does (its confidence reads the drill's example hits, which the
        // first scorer's answer left in the catalog's forms).
        let first_answer = std::env::var_os("SCORE_NEW_ANSWER").is_some_and(|v| !v.is_empty());
        let compile = std::env::var_os("SCORE_COMPILE").is_some_and(|v| !v.is_empty());
        for _ in 0..more {
            let scorer = if compile {
                Scorer::compile(black_box(&drill), &forms)
            } else {
                Scorer::with_forms(black_box(&drill), &forms)
            };
            if first_answer {
                black_box(scorer.score(black_box(ANSWER), &Shown::default()));
            }
        }
        // `SCORE_SHOWN=1` scores against the vmstat output, so grounding runs too.
        let shown = if std::env::var_os("SCORE_SHOWN").is_some_and(|v| !v.is_empty()) {
            vmstat_shown()
        } else {
            Shown::default()
        };
        let total: u64 = (0..n)
            .map(|_| u64::from(scorer.score(black_box(ANSWER), black_box(&shown)).score))
            .sum();
        println!("scored {n} answers (checksum {total})");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
