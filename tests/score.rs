//! Integration tests: score. The oracle cases of SCORING.md section 5, the typo policy, property
//! tests (monotonicity, invariance, sentence order), robustness, the text report and `check`.

#[path = "score/fixture.rs"]
mod fixture;
#[path = "score/oracle.rs"]
mod oracle;
#[path = "score/properties.rs"]
mod properties;
#[path = "score/reports.rs"]
mod reports;
#[path = "score/typos.rs"]
mod typos;
