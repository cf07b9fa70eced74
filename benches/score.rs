//! Scoring throughput: one ~150-word answer against the twelve-concept "slow under load" rubric
//! (plus red flags and misconceptions), on one core. Target (SCORING.md section 4): at most 50 µs
//! per answer, at least 20,000 answers per second.
//!
//! Run: `cargo bench --bench score`. On a shared machine wall-clock numbers inflate with load;
//! see `main` for a CPU-time measurement.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group};
use sysdrill::score::{Scorer, Shown, ShownOutput};

#[path = "../tests/score/fixture.rs"]
mod fixture;

#[path = "score_answer.rs"]
mod score_answer;
use score_answer::ANSWER;

const VMSTAT: &str =
    "procs -----------memory---------- ---swap-- -----io---- -system-- -------cpu-------
 r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st gu
 1  0      0 5120344  98304 2210456    0    0     3    21  410  820  2  1 97  0  0  0
38  0      0 5119872  98304 2210512    0    0     0    64 6120 2950 17 71 12  0  0  0
41  1      0 5119100  98304 2210540    0    0     0    72 6388 3010 16 73 11  0  0  0
";

fn vmstat_shown() -> Shown {
    Shown {
        outputs: vec![ShownOutput {
            command: "vmstat 1 3".to_owned(),
            text: VMSTAT.to_owned(),
        }],
    }
}

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
    group.finish();
    c.bench_function("scorer_new", |b| b.iter(|| Scorer::new(black_box(&drill))));
}

criterion_group!(benches, bench);

/// `SCORE_LOOP=N` scores the answer N times and exits, for CPU-time measurement that a busy
/// machine cannot distort: `SCORE_LOOP=20000 perf stat -e task-clock target/release/deps/score-*`
/// (task-clock / N = CPU time per answer); add `SCORE_SHOWN=1` to ground against a vmstat output
/// as well. Otherwise the criterion benchmarks run.
fn main() {
    if let Some(n) = std::env::var("SCORE_LOOP")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        let scorer = Scorer::new(&fixture::slow_under_load());
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
