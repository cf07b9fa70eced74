//! Size limits on a whole incident or rubric, checked before anything else: the model's memory and
//! time grow with workloads, threads and locks, the scorer's with concepts and phrases.

use super::*;

/// Size limits on an incident: the model's memory and time grow with workloads, threads and
/// locks.
pub(super) fn incident(c: &mut Checker<'_>, raw: &RawIncident) {
    if raw.workloads.len() > MAX_WORKLOADS {
        c.error_help(
            "workloads",
            format!(
                "{} workloads; an incident has at most {MAX_WORKLOADS}",
                raw.workloads.len()
            ),
            "model the few services the drill is about",
        );
    }
    // A workload over its own limit is reported on its own; the total counts it at that limit.
    let threads: u64 = raw
        .workloads
        .iter()
        .map(|w| u64::from(super::deploy::largest_pool(w).min(MAX_THREADS)))
        .sum();
    if threads > MAX_TOTAL_THREADS {
        c.error_help(
            "workloads",
            format!("{threads} threads over all workloads; the limit is {MAX_TOTAL_THREADS}"),
            "a few hundred threads show any contention a thousand would",
        );
    }
    if raw.locks.len() > MAX_LOCKS {
        c.error_help(
            "locks",
            format!(
                "{} locks; an incident has at most {MAX_LOCKS}",
                raw.locks.len()
            ),
            "use `shards` for a lock split into many",
        );
    }
}

/// Size limits on a rubric: compiling and matching grow with concepts and phrases.
pub(super) fn drill(c: &mut Checker<'_>, raw: &RawDrill) {
    let rubric = &raw.rubric;
    if rubric.concepts.len() > MAX_CONCEPTS {
        c.error_help(
            "rubric.concepts",
            format!(
                "{} concepts; a rubric has at most {MAX_CONCEPTS}",
                rubric.concepts.len()
            ),
            "split the drill",
        );
    }
    let flags = rubric.red_flags.len() + rubric.misconceptions.len();
    if flags > MAX_CONCEPTS {
        c.error_help(
            "rubric.red_flags",
            format!("{flags} red flags and misconceptions; a rubric has at most {MAX_CONCEPTS}"),
            "split the drill",
        );
    }
    let phrases: usize = rubric
        .concepts
        .iter()
        .map(|x| x.phrases.len() + x.regexes.len())
        .chain(
            rubric
                .red_flags
                .iter()
                .map(|x| x.phrases.len() + x.regexes.len()),
        )
        .chain(
            rubric
                .misconceptions
                .iter()
                .map(|x| x.phrases.len() + x.regexes.len()),
        )
        .sum();
    if phrases > MAX_PHRASES {
        c.error_help(
            "rubric",
            format!("{phrases} phrases and regexes; a rubric has at most {MAX_PHRASES}"),
            "a concept needs a handful of phrasings, not every wording",
        );
    }
}
