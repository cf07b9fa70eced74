//! Raw -> domain: ids unique, references resolve, regexes compile within size limits, values sane.
//!
//! Every check reports through a [`Checker`] that locates the offending key path in the source
//! (`locate`) and keeps going, so one run shows every mistake in a file. Nothing here reads files
//! or knows about other sources except the set of known incident ids handed in.
//!
//! Limits (documented here because the coach reference and `lint` messages quote them):
//! cpus 1..=1024; hz one of 100, 250, 300, 1000; memory and swap at most 16 TiB; threads
//! 1..=100_000 per workload; pid 1..=4_194_304; comm at most 15 bytes; disk parallelism
//! 1..=4096; rx queues and coalesce 1..=1024; lock permits 1..=100_000 (1 unless a semaphore),
//! shards 1..=65_536; per-request counts (syscalls, packets, wakeups) at most 100_000, page
//! allocations 1_000_000, disk IOs 10_000; times finite and non-negative, means that divide
//! (hold, service, attempt) strictly positive, any single time at most 10^9 us; fractions and
//! probabilities 0..=1; percentages and penalties 0..=100; concept weights in (0, 1000];
//! regexes compile with a 1 MiB program and DFA limit and nest at most 64 deep.
//!
//! `incident` and `drill` run one check per section of the format (a submodule each), in the
//! order of the sections, so diagnostics keep their order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::Diagnostic;
use super::locate::Locator;
use super::raw::*;
use crate::domain::*;
use crate::score::{REGEX_NEST_LIMIT, compile_author_regex};
use crate::suggest::closest;

// One check per section of the formats, in the order the sections are checked.
mod limits;

mod costs;
mod faults;
mod locks;
mod machine;
mod variants;
mod workloads;

pub(crate) mod cgroup;
mod deploy;
mod disk_spikes;
mod interrupt;
pub(crate) mod load;
pub(crate) mod mix;
mod nesting;
mod numa;
mod sync_write;
mod workload_ref;

mod examples;
mod follow_ups;
mod hints;
mod model_answer;
mod phases;
mod pushback;
pub(crate) mod role_references;
mod rubric;

use rubric::RubricIds;

pub(crate) const MAX_CPUS: u32 = 1024;
pub(crate) const MAX_THREADS: u32 = 100_000;
pub(crate) const MAX_MIB: u64 = 16 * 1024 * 1024;
pub(crate) const MAX_PID: u32 = 4_194_304;
pub(crate) const MAX_TIME_US: f64 = 1e9;
pub(crate) const MAX_COUNT: u32 = 100_000;
pub(crate) const MAX_UPTIME_S: u64 = 100 * 365 * 86_400;
pub(crate) const MAX_COMM: usize = 15;
pub(crate) const MAX_RATE_PER_S: f64 = 1e7;
/// The kernel's timer frequencies (CONFIG_HZ).
pub(crate) const TIMER_HZ: [u32; 4] = [100, 250, 300, 1000];

/// At most this many located errors per file; the rest are counted (a generated file with a
/// million bad entries must not take a million source scans).
pub const MAX_ERRORS_PER_FILE: usize = 200;

/// How thoroughly author regexes are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegexCheck {
    /// Compile each regex under the scorer's size limits: catches patterns too big to run.
    /// `lint`, `check` and every file from a `--content` directory get this.
    Compile,
    /// Parse only (syntax and nesting). For the embedded drills, which the test suite lints
    /// with `Compile`: compiling every pattern of every drill was 70% of start-up time, and
    /// the scorer compiles the one drill it needs anyway.
    Syntax,
}

/// Collects located diagnostics for one file.
pub struct Checker<'a> {
    path: &'a Path,
    source: &'a str,
    locator: Locator,
    diagnostics: Vec<Diagnostic>,
    suppressed: usize,
    regex_check: RegexCheck,
}

impl<'a> Checker<'a> {
    pub fn new(path: &'a Path, source: &'a str) -> Self {
        Self {
            path,
            source,
            locator: Locator::new(source),
            diagnostics: Vec::new(),
            suppressed: 0,
            regex_check: RegexCheck::Compile,
        }
    }

    pub fn with_regex_check(mut self, regex_check: RegexCheck) -> Self {
        self.regex_check = regex_check;
        self
    }

    /// Every diagnostic reported, plus a count of those over the limit.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        if self.suppressed > 0 {
            self.diagnostics.push(Diagnostic::file(
                self.path,
                format!(
                    "{} more errors in this file not shown (first {MAX_ERRORS_PER_FILE} only)",
                    self.suppressed
                ),
            ));
        }
        self.diagnostics
    }

    /// The 1-based line `key_path` (or its nearest located parent) starts on.
    pub fn line_of(&self, key_path: &str) -> usize {
        self.locator.locate(key_path).line
    }

    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty() && self.suppressed == 0
    }

    /// Reports `message` at the value of `key_path` (or its nearest located parent).
    pub fn report(&mut self, key_path: &str, message: impl Into<String>, help: Option<String>) {
        if self.diagnostics.len() >= MAX_ERRORS_PER_FILE {
            self.suppressed += 1;
            return;
        }
        let location = self.locator.locate(key_path);
        self.diagnostics.push(
            Diagnostic::at(self.path, self.source, location.line, location.col, message)
                .with_optional_help(help),
        );
    }

    fn error(&mut self, key_path: &str, message: impl Into<String>) {
        self.report(key_path, message, None);
    }

    fn error_help(&mut self, key_path: &str, message: impl Into<String>, help: impl Into<String>) {
        self.report(key_path, message, Some(help.into()));
    }

    fn non_empty(&mut self, key_path: &str, what: &str, value: &str) {
        if value.trim().is_empty() {
            self.error(key_path, format!("{what} is empty"));
        }
    }

    /// A finite number within `low..=high`.
    fn number(&mut self, key_path: &str, value: f64, low: f64, high: f64, unit: &str) {
        let name = key_name(key_path);
        if value.is_nan() {
            self.error_help(
                key_path,
                format!("{name} is not a number (nan)"),
                format!("write a number from {low} to {high}{unit}"),
            );
        } else if !value.is_finite() || value < low || value > high {
            self.error_help(
                key_path,
                format!("{name} {} is out of range", show_f64(value)),
                format!("expected {low} to {high}{unit}"),
            );
        }
    }

    /// A finite number strictly above 0 and at most `high`.
    fn positive(&mut self, key_path: &str, value: f64, high: f64, unit: &str) {
        let name = key_name(key_path);
        if value.is_nan() {
            self.error_help(
                key_path,
                format!("{name} is not a number (nan)"),
                "write a positive number",
            );
        } else if !(value > 0.0 && value <= high) {
            self.error_help(
                key_path,
                format!("{name} {} is out of range", show_f64(value)),
                format!("expected more than 0 and at most {high}{unit}"),
            );
        }
    }

    fn count<T: PartialOrd + std::fmt::Display + Copy>(
        &mut self,
        key_path: &str,
        value: T,
        low: T,
        high: T,
        what: &str,
    ) {
        if value < low || value > high {
            self.error_help(
                key_path,
                format!("{what} {value} is out of range"),
                format!("expected {low} to {high}"),
            );
        }
    }

    fn fraction(&mut self, key_path: &str, value: f64) {
        self.number(key_path, value, 0.0, 1.0, "");
    }

    /// Reports each id that appears more than once (at its second and later occurrences).
    pub(super) fn unique<'s>(
        &mut self,
        ids: impl IntoIterator<Item = (String, &'s str)>,
        what: &str,
    ) {
        let mut seen = BTreeSet::new();
        for (key_path, id) in ids {
            if !seen.insert(id.to_owned()) {
                self.error_help(
                    &key_path,
                    format!("duplicate {what} id `{id}`"),
                    format!("each {what} needs its own id"),
                );
            }
        }
    }

    /// Reports a reference to an id that does not exist, with the closest existing one.
    fn reference(&mut self, key_path: &str, what: &str, id: &str, known: &[&str]) -> bool {
        if known.contains(&id) {
            return true;
        }
        let mut known: Vec<&str> = known.to_vec();
        known.sort_unstable();
        known.dedup();
        let help = match closest(id, known.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None if known.is_empty() => format!("there is no {what} to refer to"),
            None => format!(
                "known {what}s: {}",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.error_help(key_path, format!("unknown {what} `{id}`"), help);
        false
    }

    pub(super) fn regexes(&mut self, key_path: &str, patterns: &[String]) {
        for (i, pattern) in patterns.iter().enumerate() {
            let here = format!("{key_path}[{i}]");
            if pattern.is_empty() {
                self.error(&here, "empty regex matches everything");
                continue;
            }
            let checked = match self.regex_check {
                // Compiled exactly as the scorer will compile it.
                RegexCheck::Compile => compile_author_regex(pattern).map(drop),
                RegexCheck::Syntax => regex_syntax::ParserBuilder::new()
                    .nest_limit(REGEX_NEST_LIMIT)
                    .build()
                    .parse(pattern)
                    .map(drop)
                    .map_err(|error| error.to_string()),
            };
            if let Err(shown) = checked {
                let detail = shown
                    .lines()
                    .rev()
                    .find(|line| line.starts_with("error: "))
                    .map(|line| line.trim_start_matches("error: ").to_owned())
                    .unwrap_or_else(|| shown.lines().last().unwrap_or_default().to_owned());
                self.error_help(
                    &here,
                    format!("invalid regex: {detail}"),
                    "regexes use Rust `regex` syntax: https://docs.rs/regex/#syntax",
                );
            }
        }
    }

    pub(super) fn phrases(&mut self, key_path: &str, phrases: &[String]) {
        for (i, phrase) in phrases.iter().enumerate() {
            if phrase.trim().is_empty() {
                self.error(&format!("{key_path}[{i}]"), "empty phrase");
            }
        }
    }
}

/// The last key of a key path, without indices: `a.b[2].score[0]` -> `score`.
fn key_name(key_path: &str) -> &str {
    let last = key_path.rsplit('.').next().unwrap_or(key_path);
    last.split('[').next().unwrap_or(last)
}

fn show_f64(value: f64) -> String {
    if value.is_infinite() {
        if value > 0.0 { "infinity" } else { "-infinity" }.to_owned()
    } else {
        format!("{value}")
    }
}

/// Parses `HH:MM:SS` into seconds after midnight.
pub fn parse_clock(text: &str) -> Option<u32> {
    let mut parts = text.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || [h, m, s].iter().any(|p| p.len() != 2) {
        return None;
    }
    let (h, m, s): (u32, u32, u32) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    (h < 24 && m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

pub(crate) fn valid_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('/').collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let month: u32 = parts[0].parse().unwrap_or(0);
    let day: u32 = parts[1].parse().unwrap_or(0);
    let year: u32 = 2000 + parts[2].parse::<u32>().unwrap_or(0);
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Most workloads in one incident: the shipped ones have two; each is simulated per thread.
pub const MAX_WORKLOADS: usize = 64;
/// Most threads over all workloads of an incident: the simulation keeps state per thread.
pub const MAX_TOTAL_THREADS: u64 = 100_000;
/// Most locks in one incident.
pub const MAX_LOCKS: usize = 256;
/// Most concepts, and most red flags plus misconceptions, in one rubric.
pub const MAX_CONCEPTS: usize = 100;
/// Most phrases and regexes over a whole rubric: the shipped rubrics have a few hundred.
pub const MAX_PHRASES: usize = 5_000;

/// Builds an [`Incident`], or returns every problem found.
pub fn incident(
    id: &str,
    raw: RawIncident,
    path: &Path,
    source: &str,
    content_hash: u64,
) -> Result<Incident, Vec<Diagnostic>> {
    let mut c = Checker::new(path, source);
    // Checking is linear in the file; the limits protect the simulation, which never sees an
    // incident with errors.
    limits::incident(&mut c, &raw);
    c.non_empty("title", "title", &raw.title);

    let machine = machine::machine(&mut c, &raw);
    let lock_ids: Vec<&str> = raw.locks.iter().map(|l| l.id.as_str()).collect();
    let locks = locks::locks(&mut c, &raw);
    let workloads = workloads::workloads(&mut c, &raw, &lock_ids, machine.numa.as_ref());
    let faults = faults::faults(&mut c, &raw, &lock_ids);
    nesting::order(&mut c, &workloads, &faults, &locks);
    let variants = variants::variants(&mut c, &raw);
    let costs = costs::costs(&mut c, &raw);

    if !c.is_clean() {
        return Err(c.finish());
    }
    Ok(Incident {
        id: IncidentId(id.to_owned()),
        title: raw.title,
        narrative: raw.narrative,
        default_seed: raw.seed,
        machine,
        workloads,
        locks,
        faults,
        variants,
        costs,
        content_hash,
    })
}

fn stage(raw: RawStage) -> Stage {
    match raw {
        RawStage::Restate => Stage::Restate,
        RawStage::Hypothesis => Stage::Hypothesis,
        RawStage::Check => Stage::Check,
        RawStage::Interpret => Stage::Interpret,
        RawStage::Fix => Stage::Fix,
    }
}

/// Builds a [`Drill`], or returns every problem found. `incidents` are the incident ids a drill
/// may name.
pub fn drill(
    id: &str,
    raw: RawDrill,
    path: &Path,
    source: &str,
    content_hash: u64,
    incidents: &[&str],
    regex_check: RegexCheck,
) -> Result<Drill, Vec<Diagnostic>> {
    let mut c = Checker::new(path, source).with_regex_check(regex_check);
    limits::drill(&mut c, &raw);
    if !c.is_clean() {
        // Over a limit: compiling every phrase of a huge rubric would cost what the limit saves.
        return Err(c.finish());
    }
    c.non_empty("title", "title", &raw.title);
    c.non_empty("opening", "opening", &raw.opening);
    let kind = match raw.kind {
        RawDrillKind::Incident => DrillKind::Incident,
        RawDrillKind::Concept => DrillKind::Concept,
    };
    match (&raw.incident, kind) {
        (Some(incident), DrillKind::Incident) => {
            c.reference("incident", "incident", incident, incidents);
        }
        (None, DrillKind::Incident) => c.error_help(
            "kind",
            "an incident drill needs an `incident`",
            "add `incident: ID` naming a file under incidents/",
        ),
        (Some(_), DrillKind::Concept) => c.error_help(
            "incident",
            "a concept drill has no incident",
            "set `kind: incident`, or remove `incident`",
        ),
        (None, DrillKind::Concept) => {}
    }
    if raw.seed.is_some() && kind == DrillKind::Concept {
        c.error_help("seed", "a concept drill has no seed", "remove `seed`");
    }
    for (i, tag) in raw.tags.iter().enumerate() {
        c.non_empty(&format!("tags[{i}]"), "tag", tag);
    }

    let phases = phases::phases(&mut c, &raw);
    let rubric = rubric::rubric(&mut c, &raw);
    let ids = RubricIds::of(&raw.rubric);
    let pushback = pushback::pushback(&mut c, &raw, &ids);
    let hints = hints::hints(&mut c, &raw);
    let model_answer = model_answer::model_answer(&mut c, &raw, &ids);
    let examples = examples::examples(&mut c, &raw, &ids, kind);
    let follow_ups = follow_ups::follow_ups(&mut c, &raw.follow_ups, &raw.rubric.concepts);

    if !c.is_clean() {
        return Err(c.finish());
    }
    Ok(Drill {
        id: DrillId(id.to_owned()),
        title: raw.title,
        kind,
        tags: raw.tags,
        difficulty: match raw.difficulty {
            RawDifficulty::Easy => Difficulty::Easy,
            RawDifficulty::Medium => Difficulty::Medium,
            RawDifficulty::Hard => Difficulty::Hard,
        },
        incident: raw.incident.map(IncidentId),
        seed: raw.seed,
        opening: raw.opening,
        phases,
        rubric,
        pushback,
        hints,
        model_answer,
        examples,
        follow_ups,
        content_hash,
        lexicon: Lexicon::default(),
    })
}

/// Drill ids and incident ids are file stems: lowercase words joined by `-` or `_`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Counts per id, for duplicate detection across files.
pub fn duplicates<'a>(ids: impl IntoIterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut counts = BTreeMap::new();
    for id in ids {
        *counts.entry(id).or_insert(0) += 1;
    }
    counts.retain(|_, n| *n > 1);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_parses_only_real_times() {
        assert_eq!(parse_clock("10:02:11"), Some(36_131));
        assert_eq!(parse_clock("00:00:00"), Some(0));
        assert_eq!(parse_clock("23:59:59"), Some(86_399));
        for bad in [
            "24:00:00",
            "1:02:03",
            "10:60:00",
            "10:02",
            "10:02:11:00",
            "aa:bb:cc",
            "",
        ] {
            assert_eq!(parse_clock(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_are_sysstat_style() {
        assert!(valid_date("03/14/25"));
        assert!(!valid_date("2025-03-14"));
        assert!(!valid_date("13/01/25"));
        assert!(!valid_date("02/31/25"));
        assert!(!valid_date("04/31/25"));
        assert!(!valid_date("02/29/25"));
        assert!(valid_date("02/29/24"));
        assert!(valid_date("12/31/25"));
    }

    #[test]
    fn ids_are_lowercase_stems() {
        assert!(valid_id("slow-under-load"));
        assert!(valid_id("a1_b"));
        assert!(!valid_id("Slow"));
        assert!(!valid_id("-x"));
        assert!(!valid_id(""));
    }
}
