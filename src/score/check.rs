//! `sysdrill check`: run a drill's calibration examples and list pushback rules no example reaches.
//!
//! An example passes when its score falls in the expected inclusive range, every `must_hit`
//! concept is credited, no `must_miss` concept is, and every listed red flag fires. A rule is
//! "reached" when `score::triggered` holds for at least one example's report, exactly as the
//! interviewer would decide it. Writes only to the given writer.

use std::io::{self, Write};

use colored::Colorize;

use crate::domain::Drill;
use crate::score::{Scorer, Shown, triggered};

#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub examples: Vec<ExampleOutcome>,
    /// Ids of pushback rules that no example triggers.
    pub unreached_rules: Vec<String>,
    /// Rubric patterns that failed to compile.
    pub skipped_patterns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExampleOutcome {
    pub name: String,
    pub answer: String,
    pub expected: (f64, f64),
    pub score: u32,
    /// `must_hit` concepts that were not credited.
    pub missed: Vec<String>,
    /// `must_miss` concepts that were credited.
    pub unexpected: Vec<String>,
    /// Red flags the example lists that did not fire.
    pub silent_flags: Vec<String>,
}

impl ExampleOutcome {
    pub fn in_range(&self) -> bool {
        let score = f64::from(self.score);
        score >= self.expected.0 && score <= self.expected.1
    }

    pub fn passed(&self) -> bool {
        self.in_range()
            && self.missed.is_empty()
            && self.unexpected.is_empty()
            && self.silent_flags.is_empty()
    }
}

impl CheckReport {
    /// Failing examples.
    pub fn failures(&self) -> usize {
        self.examples.iter().filter(|e| !e.passed()).count()
    }
}

pub fn run_examples(drill: &Drill) -> CheckReport {
    let scorer = Scorer::new(drill);
    let mut reached = vec![false; drill.pushback.len()];
    let mut examples = Vec::with_capacity(drill.examples.len());
    for example in &drill.examples {
        let report = scorer.score(&example.answer, &Shown::default());
        for (slot, rule) in reached.iter_mut().zip(&drill.pushback) {
            *slot |= triggered(rule, &report);
        }
        let hit = |id: &str| report.concepts.iter().any(|c| c.id == id && c.hit);
        let fired = |id: &str| report.red_flags.iter().any(|f| f.id == id && f.fired);
        examples.push(ExampleOutcome {
            name: example.name.clone(),
            answer: example.answer.clone(),
            expected: example.score,
            score: report.score,
            missed: example
                .must_hit
                .iter()
                .filter(|id| !hit(id))
                .cloned()
                .collect(),
            unexpected: example
                .must_miss
                .iter()
                .filter(|id| hit(id))
                .cloned()
                .collect(),
            silent_flags: example
                .red_flags
                .iter()
                .filter(|id| !fired(id))
                .cloned()
                .collect(),
        });
    }
    CheckReport {
        examples,
        unreached_rules: drill
            .pushback
            .iter()
            .zip(&reached)
            .filter(|(_, reached)| !**reached)
            .map(|(rule, _)| rule.id.clone())
            .collect(),
        skipped_patterns: scorer.skipped_patterns().to_vec(),
    }
}

/// Longest stretch of an answer quoted in a failure.
const ANSWER_CHARS: usize = 160;

pub fn write_report(out: &mut impl Write, drill: &Drill, report: &CheckReport) -> io::Result<()> {
    let failures = report.failures();
    if failures == 0 {
        writeln!(
            out,
            "{} {} ({} example{})",
            "✓".green(),
            drill.id.as_str(),
            report.examples.len(),
            if report.examples.len() == 1 { "" } else { "s" }
        )?;
    } else {
        writeln!(
            out,
            "{} {}: {failures} of {} example(s) failed",
            "✗".red(),
            drill.id.as_str().bold(),
            report.examples.len()
        )?;
    }
    for example in report.examples.iter().filter(|e| !e.passed()) {
        writeln!(out, "  example {}", example.name.bold())?;
        writeln!(out, "    answer: \"{}\"", trimmed(&example.answer))?;
        let range = format!("{}..={}", example.expected.0, example.expected.1);
        if example.in_range() {
            writeln!(out, "    score {} (expected {range})", example.score)?;
        } else {
            writeln!(
                out,
                "    score {} {} (expected {range})",
                example.score.to_string().red(),
                "out of range".red()
            )?;
        }
        if !example.missed.is_empty() {
            writeln!(
                out,
                "    should hit but did not: {}",
                example.missed.join(", ")
            )?;
        }
        if !example.unexpected.is_empty() {
            writeln!(
                out,
                "    should miss but hit: {}",
                example.unexpected.join(", ")
            )?;
        }
        if !example.silent_flags.is_empty() {
            writeln!(
                out,
                "    red flags expected but not fired: {}",
                example.silent_flags.join(", ")
            )?;
        }
    }
    if !report.unreached_rules.is_empty() {
        writeln!(
            out,
            "  {} pushback rules no example triggers: {}",
            "note:".yellow(),
            report.unreached_rules.join(", ")
        )?;
    }
    for skipped in &report.skipped_patterns {
        writeln!(out, "  {} {skipped}", "warning:".yellow())?;
    }
    Ok(())
}

fn trimmed(answer: &str) -> String {
    let flat = answer.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= ANSWER_CHARS {
        flat
    } else {
        format!(
            "{}…",
            flat.chars()
                .take(ANSWER_CHARS - 1)
                .collect::<String>()
                .trim_end()
        )
    }
}
