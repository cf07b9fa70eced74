//! Integration tests: score. The oracle cases of docs/SCORING.md, negation and hypothetical
//! scopes, claims, the typo policy, the lexicon, property tests (monotonicity, mention credit,
//! invariance, sentence order), robustness, the text report and `check`.

#[path = "score/claims.rs"]
mod claims;
#[path = "score/coverage.rs"]
mod coverage;
#[path = "score/fixture.rs"]
mod fixture;
#[path = "score/lexicon.rs"]
mod lexicon;
#[path = "score/negation.rs"]
mod negation;
#[path = "score/oracle.rs"]
mod oracle;
#[path = "score/properties.rs"]
mod properties;
#[path = "score/reports.rs"]
mod reports;
#[path = "score/typos.rs"]
mod typos;

/// `sysdrill score DRILL -` with invalid UTF-8 on stdin: the bad bytes become U+FFFD, the rest
/// of the answer still counts, and nothing panics.
#[test]
fn score_command_replaces_invalid_utf8() {
    let mut stdin = b"It is lock contention: \xff\xfe the run queue is long, \xc3(".to_vec();
    stdin.extend_from_slice(b" vmstat r is 40 on 8 CPUs.");
    let output = crate::common::sysdrill()
        .args(["score", "added-threads-slower", "-", "--format", "json"])
        .write_stdin(stdin)
        .output()
        .expect("run sysdrill");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json report");
    let concepts = json["concepts"].as_array().cloned().unwrap_or_default();
    let hit = |id: &str| concepts.iter().any(|c| c["id"] == id && c["hit"] == true);
    assert!(hit("hyp-contention"));
    let contexts: Vec<String> = concepts
        .iter()
        .filter_map(|c| c["evidence"]["context"].as_str().map(str::to_owned))
        .collect();
    assert!(
        contexts.iter().any(|c| c.contains('\u{FFFD}')),
        "{contexts:?}"
    );
}
