//! `sysdrill check`: run a drill's calibration examples, explain each failure, and list pushback
//! rules no example reaches; and the rubric audit `lint` runs (the model answer must score in
//! the top band of its own rubric, every required concept must be hit by some example).
//!
//! An example passes when its score falls in the expected inclusive range, every `must_hit`
//! concept is credited, no `must_miss` concept is, and every listed red flag and misconception
//! fires. An example with `shown` commands is scored against their outputs, run on the drill's
//! incident at the drill's seed as a session would run them, so cited numbers are checked and a
//! `misread` rule can be reached. A rule is "reached" when `score::triggered` holds for at least
//! one example's report, exactly as the interviewer would decide it. Pure: writes only to the
//! given writer.

use std::io::{self, Write};

use colored::Colorize;
use serde::Serialize;

use crate::console::Console;
use crate::domain::{Drill, Example, Incident, Seed};
use crate::score::{
    Band, CompiledForms, Evidence, Misread, ScoreReport, Scorer, Shown, ShownOutput, Status,
    triggered,
};

/// Every example of one drill, checked.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    pub drill: String,
    /// The file the drill was read from, as diagnostics print it.
    pub path: String,
    pub examples: Vec<ExampleOutcome>,
    /// Ids of pushback rules that no example triggers.
    pub unreached_rules: Vec<String>,
    /// Rubric patterns that failed to compile.
    pub skipped_patterns: Vec<String>,
}

/// One example, scored, with every rubric item's result against what the example expects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExampleOutcome {
    pub name: String,
    /// 1-based line of the example in the drill's file.
    pub line: usize,
    pub passed: bool,
    pub score: u32,
    /// The expected inclusive range.
    pub expected: (f64, f64),
    pub in_range: bool,
    pub answer: String,
    /// The commands whose outputs the answer was scored against.
    pub shown: Vec<String>,
    /// Shown commands the simulated machine refused, with its message.
    pub shown_errors: Vec<String>,
    pub concepts: Vec<ItemOutcome>,
    pub red_flags: Vec<ItemOutcome>,
    pub misconceptions: Vec<ItemOutcome>,
    /// Numbers the answer cites that disagree with the shown outputs.
    pub misreads: Vec<Misread>,
}

/// What an example says about one rubric item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// Must be credited (a concept) or fire (a red flag or misconception).
    Match,
    /// Must not be credited (`must_miss`).
    NoMatch,
    /// The example says nothing about it.
    Either,
}

/// One concept, red flag or misconception as the example's answer met it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemOutcome {
    pub id: String,
    pub expect: Expect,
    /// Credited (a concept) or fired (a red flag or misconception).
    pub matched: bool,
    pub status: Status,
    /// Points it moved the score: a concept's credit, minus a fired item's penalty.
    pub points: f64,
    /// The span that matched (or was negated, or hedged), when any did.
    pub evidence: Option<Evidence>,
    /// What the rubric looks for, when nothing of it was found (phrases quoted, regexes
    /// between slashes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub looks_for: Vec<String>,
}

impl ItemOutcome {
    /// The example expected otherwise.
    pub fn differs(&self) -> bool {
        match self.expect {
            Expect::Match => !self.matched,
            Expect::NoMatch => self.matched,
            Expect::Either => false,
        }
    }
}

impl ExampleOutcome {
    /// Items whose outcome the example expected otherwise, in rubric order.
    pub fn differing(&self) -> impl Iterator<Item = (&'static str, &ItemOutcome)> {
        self.items().filter(|(_, item)| item.differs())
    }

    fn items(&self) -> impl Iterator<Item = (&'static str, &ItemOutcome)> {
        let tag = |kind: &'static str| move |item| (kind, item);
        self.concepts
            .iter()
            .map(tag("concept"))
            .chain(self.red_flags.iter().map(tag("red flag")))
            .chain(self.misconceptions.iter().map(tag("misconception")))
    }
}

impl CheckReport {
    /// Failing examples.
    pub fn failures(&self) -> usize {
        self.examples.iter().filter(|e| !e.passed).count()
    }
}

/// Runs every example of `drill`. `incident` is the drill's incident, needed by examples with
/// `shown` commands (validation allows them on incident drills only); `path` is where the
/// drill was read from.
pub fn run_examples(drill: &Drill, incident: Option<&Incident>, path: &str) -> CheckReport {
    run_examples_with_forms(drill, incident, path, &CompiledForms::default())
}

/// [`run_examples`], compiling the rubric with what the catalog's scorers compiled already
/// (`Catalog::forms`), as `sysdrill check` over every drill does.
pub fn run_examples_with_forms(
    drill: &Drill,
    incident: Option<&Incident>,
    path: &str,
    forms: &CompiledForms,
) -> CheckReport {
    let scorer = Scorer::with_forms(drill, forms);
    let mut reached = vec![false; drill.pushback.len()];
    let mut examples = Vec::with_capacity(drill.examples.len());
    for example in &drill.examples {
        let (shown, shown_errors) = run_shown(drill, incident, &example.shown);
        let report = scorer.score(&example.answer, &shown);
        for (slot, rule) in reached.iter_mut().zip(&drill.pushback) {
            *slot |= triggered(rule, &report);
        }
        examples.push(outcome(drill, example, &report, shown_errors));
    }
    CheckReport {
        drill: drill.id.as_str().to_owned(),
        path: path.to_owned(),
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

/// Runs `commands` on a fresh console over the drill's incident, as a session at the drill's
/// seed would; a command the machine refuses is kept as an error (and shows nothing).
fn run_shown(
    drill: &Drill,
    incident: Option<&Incident>,
    commands: &[String],
) -> (Shown, Vec<String>) {
    let mut shown = Shown::default();
    let mut errors = Vec::new();
    if commands.is_empty() {
        return (shown, errors);
    }
    let Some(incident) = incident else {
        errors.push("the drill has no incident to run the shown commands on".to_owned());
        return (shown, errors);
    };
    let seed = Seed(drill.seed.unwrap_or(incident.default_seed));
    let concrete = crate::model::variant::pick(incident, seed);
    let mut console = Console::new(&concrete, seed);
    for line in commands {
        match console.run(line) {
            Ok(text) => shown.outputs.push(ShownOutput {
                command: line.clone(),
                text,
            }),
            Err(error) => errors.push(format!("{line}: {}", error.message.trim())),
        }
    }
    (shown, errors)
}

fn outcome(
    drill: &Drill,
    example: &Example,
    report: &ScoreReport,
    shown_errors: Vec<String>,
) -> ExampleOutcome {
    let rubric = &drill.rubric;
    let expect = |matched: &[String], unmatched: &[String], id: &str| {
        if matched.iter().any(|m| m == id) {
            Expect::Match
        } else if unmatched.iter().any(|m| m == id) {
            Expect::NoMatch
        } else {
            Expect::Either
        }
    };
    let concepts: Vec<ItemOutcome> = report
        .concepts
        .iter()
        .zip(&rubric.concepts)
        .map(|(result, concept)| ItemOutcome {
            id: result.id.clone(),
            expect: expect(&example.must_hit, &example.must_miss, &result.id),
            matched: result.hit,
            status: result.status,
            points: result.credit,
            evidence: result.evidence.clone(),
            looks_for: unless_found(&result.evidence, || {
                looks_for(&concept.phrases, &concept.regexes)
            }),
        })
        .collect();
    let flags = |results: &[crate::score::FlagResult],
                 patterns: &dyn Fn(usize) -> Vec<String>,
                 required: &[String]| {
        results
            .iter()
            .enumerate()
            .map(|(i, result)| ItemOutcome {
                id: result.id.clone(),
                expect: expect(required, &[], &result.id),
                matched: result.fired,
                status: result.status,
                points: if result.fired { -result.penalty } else { 0.0 },
                evidence: result.evidence.clone(),
                looks_for: unless_found(&result.evidence, || patterns(i)),
            })
            .collect::<Vec<_>>()
    };
    let red_flags = flags(
        &report.red_flags,
        &|i| {
            rubric
                .red_flags
                .get(i)
                .map(|f| looks_for(&f.phrases, &f.regexes))
                .unwrap_or_default()
        },
        &example.red_flags,
    );
    let misconceptions = flags(
        &report.misconceptions,
        &|i| {
            rubric
                .misconceptions
                .get(i)
                .map(|m| looks_for(&m.phrases, &m.regexes))
                .unwrap_or_default()
        },
        &example.misconceptions,
    );
    let score = f64::from(report.score);
    let in_range = score >= example.score.0 && score <= example.score.1;
    let mut outcome = ExampleOutcome {
        name: example.name.clone(),
        line: example.line,
        passed: false,
        score: report.score,
        expected: example.score,
        in_range,
        answer: example.answer.clone(),
        shown: example.shown.clone(),
        shown_errors,
        concepts,
        red_flags,
        misconceptions,
        misreads: report.misreads.clone(),
    };
    outcome.passed =
        in_range && outcome.shown_errors.is_empty() && outcome.differing().next().is_none();
    outcome
}

/// The patterns, when no evidence of the item was found.
fn unless_found(
    evidence: &Option<Evidence>,
    patterns: impl FnOnce() -> Vec<String>,
) -> Vec<String> {
    if evidence.is_some() {
        Vec::new()
    } else {
        patterns()
    }
}

/// Phrases as written, regexes between slashes.
fn looks_for(phrases: &[String], regexes: &[String]) -> Vec<String> {
    phrases
        .iter()
        .map(|p| format!("\"{p}\""))
        .chain(regexes.iter().map(|r| format!("/{r}/")))
        .collect()
}

/// Longest stretch of an answer or evidence sentence quoted in a failure.
const QUOTE_CHARS: usize = 160;
/// Patterns listed for an item nothing of which was found.
const PATTERNS_SHOWN: usize = 4;

/// The human report: one line per passing drill, the detail of each failing example.
pub fn write_report(out: &mut impl Write, report: &CheckReport) -> io::Result<()> {
    let failures = report.failures();
    let count = report.examples.len();
    if failures == 0 {
        writeln!(
            out,
            "{} {} ({count} example{})",
            "✓".green(),
            report.drill,
            if count == 1 { "" } else { "s" }
        )?;
    } else {
        writeln!(
            out,
            "{} {}: {failures} of {count} example(s) failed",
            "✗".red(),
            report.drill.bold(),
        )?;
    }
    for example in report.examples.iter().filter(|e| !e.passed) {
        write_failure(out, &report.path, example)?;
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

fn write_failure(out: &mut impl Write, path: &str, example: &ExampleOutcome) -> io::Result<()> {
    writeln!(
        out,
        "  example {} --> {path}:{}",
        example.name.bold(),
        example.line
    )?;
    writeln!(out, "    answer: \"{}\"", quoted(&example.answer))?;
    if !example.shown.is_empty() {
        writeln!(out, "    shown: {}", example.shown.join(" ; "))?;
    }
    for error in &example.shown_errors {
        writeln!(out, "    {} {error}", "shown command failed:".red())?;
    }
    let range = format!("{}..={}", example.expected.0, example.expected.1);
    if example.in_range {
        writeln!(out, "    score {} (expected {range})", example.score)?;
    } else {
        writeln!(
            out,
            "    score {} {} (expected {range})",
            example.score.to_string().red(),
            "out of range".red()
        )?;
        // What the score is made of, so the coach sees which item moved it.
        let credited: Vec<String> = example
            .concepts
            .iter()
            .filter(|c| c.matched)
            .map(|c| format!("{} +{:.0}", c.id, c.points))
            .collect();
        let uncredited: Vec<String> = example
            .concepts
            .iter()
            .filter(|c| !c.matched)
            .map(|c| format!("{} ({})", c.id, status_name(c.status)))
            .collect();
        let penalties: Vec<String> = example
            .red_flags
            .iter()
            .chain(&example.misconceptions)
            .filter(|f| f.matched)
            .map(|f| format!("{} {:.0}", f.id, f.points))
            .collect();
        writeln!(out, "    credited: {}", list_or_none(&credited))?;
        writeln!(out, "    not credited: {}", list_or_none(&uncredited))?;
        if !penalties.is_empty() {
            writeln!(out, "    penalties: {}", penalties.join(", "))?;
        }
    }
    for misread in &example.misreads {
        writeln!(
            out,
            "    misread: \"{}\" ({} shown {}..={})",
            misread.cited, misread.field, misread.shown_min, misread.shown_max
        )?;
    }
    for (kind, item) in example.differing() {
        let verdict = match (item.expect, kind) {
            (Expect::Match, "concept") => "should hit but did not",
            (Expect::Match, _) => "should fire but did not",
            _ => "should miss but hit",
        };
        writeln!(out, "    {kind} {}: {verdict}", item.id.bold())?;
        match &item.evidence {
            Some(evidence) => {
                let how = match (item.status, &evidence.trigger) {
                    (Status::Negated, Some(trigger)) => format!(" (negated by \"{trigger}\")"),
                    (Status::Hypothetical, Some(trigger)) => {
                        format!(" (hypothetical, from \"{trigger}\")")
                    }
                    _ => String::new(),
                };
                match &evidence.command {
                    Some(command) => writeln!(out, "      credited for running `{command}`")?,
                    None => writeln!(
                        out,
                        "      matched \"{}\"{how} in: \"{}\"",
                        evidence.matched,
                        quoted(&evidence.context)
                    )?,
                }
            }
            None => {
                let shown: Vec<&str> = item
                    .looks_for
                    .iter()
                    .take(PATTERNS_SHOWN)
                    .map(String::as_str)
                    .collect();
                let more = item.looks_for.len().saturating_sub(PATTERNS_SHOWN);
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "      nothing matched; it looks for {}{more}",
                    shown.join(", ")
                )?;
            }
        }
    }
    Ok(())
}

/// Every report as one JSON document: `{"failures": N, "drills": [...]}`.
pub fn write_json(out: &mut impl Write, reports: &[CheckReport]) -> io::Result<()> {
    #[derive(Serialize)]
    struct Document<'a> {
        failures: usize,
        drills: &'a [CheckReport],
    }
    let document = Document {
        failures: reports.iter().map(CheckReport::failures).sum(),
        drills: reports,
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Asserted => "asserted",
        Status::Negated => "negated",
        Status::Hypothetical => "hypothetical",
        Status::Missing => "missing",
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

fn quoted(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= QUOTE_CHARS {
        flat
    } else {
        format!(
            "{}…",
            flat.chars()
                .take(QUOTE_CHARS - 1)
                .collect::<String>()
                .trim_end()
        )
    }
}

/// How serious a rubric finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The drill cannot work as meant.
    Error,
    /// Worth fixing; the drill still works.
    Warning,
}

/// A problem with a drill's rubric as a whole, found by scoring rather than by reading keys.
#[derive(Debug, Clone, PartialEq)]
pub struct RubricFinding {
    pub level: Level,
    /// Where in the drill it is, as a key path (`model_answer`, `rubric.concepts[2].id`).
    pub key_path: String,
    pub message: String,
    pub help: String,
}

/// `lint`'s scoring checks of one drill: the model answer must reach the top band of its own
/// rubric (an error, naming what it misses), and a required concept no example is credited
/// with is a warning (nothing guards its phrases). Examples are scored without outputs: whether
/// a concept is credited does not depend on them.
pub fn audit(drill: &Drill) -> Vec<RubricFinding> {
    let scorer = Scorer::new(drill);
    let mut findings = Vec::new();
    if !drill.model_answer.is_empty() {
        let text: Vec<&str> = drill.model_answer.iter().map(|l| l.text.as_str()).collect();
        let report = scorer.score(&text.join("\n"), &Shown::default());
        if report.band != Band::StrongHire {
            findings.push(model_answer_finding(&report));
        }
    }
    if !drill.examples.is_empty() {
        let reports: Vec<ScoreReport> = drill
            .examples
            .iter()
            .map(|e| scorer.score(&e.answer, &Shown::default()))
            .collect();
        for (i, concept) in drill.rubric.concepts.iter().enumerate() {
            let hit = |r: &ScoreReport| r.concepts.iter().any(|c| c.id == concept.id && c.hit);
            if concept.required && !reports.iter().any(hit) {
                findings.push(RubricFinding {
                    level: Level::Warning,
                    key_path: format!("rubric.concepts[{i}].id"),
                    message: format!(
                        "no example is credited with required concept `{}`",
                        concept.id
                    ),
                    help: "add an example whose answer states it, so `check` keeps its phrases \
                           matching"
                        .to_owned(),
                });
            }
        }
    }
    findings
}

fn model_answer_finding(report: &ScoreReport) -> RubricFinding {
    let missed: Vec<String> = report
        .concepts
        .iter()
        .filter(|c| !c.hit)
        .map(|c| {
            let required = if c.required { ", required" } else { "" };
            format!(
                "`{}` ({}, weight {}{required})",
                c.id,
                status_name(c.status),
                c.weight
            )
        })
        .collect();
    let fired: Vec<String> = report
        .red_flags
        .iter()
        .chain(&report.misconceptions)
        .filter(|f| f.fired)
        .map(|f| format!("`{}` (-{})", f.id, f.penalty))
        .collect();
    let mut reasons = Vec::new();
    if !missed.is_empty() {
        reasons.push(format!("it misses {}", missed.join(", ")));
    }
    if !fired.is_empty() {
        reasons.push(format!("it fires {}", fired.join(", ")));
    }
    if report.keyword_stuffing {
        reasons.push(
            "it reads as a keyword list, so listed concepts earn half credit (write lines as \
             sentences that link evidence to conclusion: `r is 40, so threads queue`)"
                .to_owned(),
        );
    }
    if report.structure.penalty > 0.0 {
        reasons.push(format!(
            "its order of reasoning costs {:.0} points (a fix comes before any check)",
            report.structure.penalty
        ));
    }
    if !report.misreads.is_empty() {
        reasons.push(format!("it misreads {} number(s)", report.misreads.len()));
    }
    let help = if reasons.is_empty() {
        "score it with `sysdrill score` to see where the points go".to_owned()
    } else {
        reasons.join("; ")
    };
    RubricFinding {
        level: Level::Error,
        key_path: "model_answer".to_owned(),
        message: format!(
            "the model answer scores {} ({}) against its own rubric; it must reach {}",
            report.score,
            report.band.label(),
            Band::StrongHire.label()
        ),
        help,
    }
}
