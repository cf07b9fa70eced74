//! "Did you mean": the one rule for proposing a known name in place of a mistyped one, used by
//! content diagnostics (keys, values, ids), the command line (drill and incident ids), `grade`
//! (drill ids in transcripts) and `try` parameters.
//!
//! A candidate is close when its optimal-string-alignment distance from the given word (case
//! ignored, a transposition counting as one edit) is at most a third of its length (at least
//! one), or when the two share enough of a prefix to score 0.85 on Jaro-Winkler (`thr` for
//! `threads`). The closest by distance wins, then by Jaro-Winkler, then the first given.

/// The candidate closest to `given`, if it is close enough to be a plausible typo.
pub fn closest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given = given.to_lowercase();
    let mut best: Option<(usize, f64, &str)> = None;
    for candidate in candidates {
        let lowered = candidate.to_lowercase();
        let distance = strsim::osa_distance(&given, &lowered);
        let similarity = strsim::jaro_winkler(&given, &lowered);
        let close = distance <= (lowered.chars().count() / 3).max(1) || similarity >= 0.85;
        let better = best.is_none_or(|(d, s, _)| distance < d || (distance == d && similarity > s));
        if close && better {
            best = Some((distance, similarity, candidate));
        }
    }
    best.map(|(_, _, candidate)| candidate)
}

/// ` (did you mean `x`?)` to append to an "unknown …" message, or nothing.
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(given, candidates)
        .map(|candidate| format!(" (did you mean `{candidate}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word_and_strangers_find_nothing() {
        let names = ["threads", "pid", "slow-under-load", "futex"];
        assert_eq!(closest("thread", names), Some("threads"));
        assert_eq!(closest("THRAEDS", names), Some("threads"));
        assert_eq!(closest("slow-under-lod", names), Some("slow-under-load"));
        assert_eq!(closest("futx", names), Some("futex"));
        assert_eq!(closest("zzzzzz", names), None);
        assert_eq!(closest("completely-else", names), None);
        assert_eq!(did_you_mean("pdi", names), " (did you mean `pid`?)");
        assert_eq!(did_you_mean("nothing-like-it", names), "");
    }

    #[test]
    fn the_nearest_of_several_close_names_wins() {
        assert_eq!(closest("mutx", ["mutexes", "mutex"]), Some("mutex"));
    }
}
