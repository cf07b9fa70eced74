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
//! Reachability of the top band: a calibration example that must miss concepts and must fire
//! red flags can score at most `100 * (1 - missed weight / total weight) - fired penalties`
//! (hints are never taken by examples). An expected range whose low end is above that bound
//! can never pass, and is reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use regex::RegexBuilder;

mod numa;
mod workload_ref;

use super::Diagnostic;
use super::locate::Locator;
use super::raw::*;
use crate::domain::*;
use crate::suggest::closest;

/// Regex compile limits; the scorer compiles with the same budget.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;
pub const REGEX_NEST_LIMIT: u32 = 64;

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
                RegexCheck::Compile => RegexBuilder::new(pattern)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .dfa_size_limit(REGEX_SIZE_LIMIT)
                    .nest_limit(REGEX_NEST_LIMIT)
                    .build()
                    .map(drop)
                    .map_err(|error| error.to_string()),
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

/// Size limits on an incident: the model's memory and time grow with workloads, threads and
/// locks.
fn incident_limits(c: &mut Checker<'_>, raw: &RawIncident) {
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
        .map(|w| u64::from(w.threads.min(MAX_THREADS)))
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
fn drill_limits(c: &mut Checker<'_>, raw: &RawDrill) {
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
    incident_limits(&mut c, &raw);
    c.non_empty("title", "title", &raw.title);

    let m = &raw.machine;
    c.non_empty("machine.hostname", "hostname", &m.hostname);
    if m.hostname.chars().any(char::is_whitespace) || m.hostname.len() > 64 {
        c.error_help(
            "machine.hostname",
            "hostname is not a valid host name",
            "at most 64 characters, no spaces",
        );
    }
    c.non_empty("machine.kernel", "kernel", &m.kernel);
    c.count("machine.cpus", m.cpus, 1, MAX_CPUS, "cpus");
    if !TIMER_HZ.contains(&m.hz) {
        c.error_help(
            "machine.hz",
            format!("hz {} is not a kernel timer frequency", m.hz),
            "use 100, 250, 300 or 1000 (CONFIG_HZ)",
        );
    }
    c.count("machine.memory_mib", m.memory_mib, 1, MAX_MIB, "memory_mib");
    c.count("machine.swap_mib", m.swap_mib, 0, MAX_MIB, "swap_mib");
    c.count("machine.uptime_s", m.uptime_s, 0, MAX_UPTIME_S, "uptime_s");
    let clock_s = parse_clock(&m.clock);
    if clock_s.is_none() {
        c.error_help(
            "machine.clock",
            format!("clock `{}` is not a time of day", m.clock),
            "write it as \"HH:MM:SS\", e.g. \"10:02:11\"",
        );
    }
    if !valid_date(&m.date) {
        c.error_help(
            "machine.date",
            format!("date `{}` is not MM/DD/YY", m.date),
            "sysstat banners print dates as MM/DD/YY, e.g. 03/14/25",
        );
    }

    // The smallest cpu count any variant can pick: irq cpus must exist in every variant.
    let min_cpus = raw.variants.cpus.map_or(m.cpus, |(low, _)| low.min(m.cpus));
    let mut disks = Vec::new();
    c.unique(
        m.disks
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("machine.disks[{i}].name"), d.name.as_str())),
        "disk",
    );
    for (i, d) in m.disks.iter().enumerate() {
        let at = format!("machine.disks[{i}]");
        c.non_empty(&format!("{at}.name"), "disk name", &d.name);
        c.positive(
            &format!("{at}.service_us"),
            d.service_us,
            MAX_TIME_US,
            " us",
        );
        c.count(
            &format!("{at}.parallelism"),
            d.parallelism,
            1,
            4096,
            "parallelism",
        );
        disks.push(Disk {
            name: d.name.clone(),
            service_us: d.service_us,
            parallelism: d.parallelism,
        });
    }
    let mut nics = Vec::new();
    c.unique(
        m.nics
            .iter()
            .enumerate()
            .map(|(i, n)| (format!("machine.nics[{i}].name"), n.name.as_str())),
        "nic",
    );
    for (i, n) in m.nics.iter().enumerate() {
        let at = format!("machine.nics[{i}]");
        c.non_empty(&format!("{at}.name"), "nic name", &n.name);
        c.count(
            &format!("{at}.rx_queues"),
            n.rx_queues,
            1,
            1024,
            "rx_queues",
        );
        c.count(&format!("{at}.coalesce"), n.coalesce, 1, 1024, "coalesce");
        if n.irq_cpus.is_empty() {
            c.error_help(
                &format!("{at}.irq_cpus"),
                "irq_cpus is empty",
                "name the cpus that take this nic's interrupts, e.g. [0, 1]",
            );
        }
        for (j, cpu) in n.irq_cpus.iter().enumerate() {
            // With no valid cpu count the `cpus` error says it all.
            if min_cpus >= 1 && *cpu >= min_cpus {
                c.error_help(
                    &format!("{at}.irq_cpus[{j}]"),
                    format!("irq cpu {cpu} does not exist on a machine with {min_cpus} cpus"),
                    format!("cpus are numbered 0 to {}", min_cpus.saturating_sub(1)),
                );
            }
        }
        nics.push(Nic {
            name: n.name.clone(),
            rx_queues: n.rx_queues,
            irq_cpus: n.irq_cpus.clone(),
            coalesce: n.coalesce,
        });
    }

    let numa = numa::topology(&mut c, m, raw.variants.cpus.is_some());

    let lock_ids: Vec<&str> = raw.locks.iter().map(|l| l.id.as_str()).collect();
    c.unique(
        raw.locks
            .iter()
            .enumerate()
            .map(|(i, l)| (format!("locks[{i}].id"), l.id.as_str())),
        "lock",
    );
    let mut locks = Vec::new();
    for (i, l) in raw.locks.iter().enumerate() {
        let at = format!("locks[{i}]");
        c.non_empty(&format!("{at}.id"), "lock id", &l.id);
        c.non_empty(&format!("{at}.class_name"), "class_name", &l.class_name);
        let kind = match l.kind {
            RawLockKind::Spinlock => LockKind::Spinlock,
            RawLockKind::Mutex => LockKind::Mutex,
            RawLockKind::Rwlock => LockKind::RwLock,
            RawLockKind::Rwsem => LockKind::RwSem,
            RawLockKind::Rcu => LockKind::Rcu,
            RawLockKind::Seqlock => LockKind::Seqlock,
            RawLockKind::Semaphore => LockKind::Semaphore,
        };
        if kind == LockKind::Semaphore {
            c.count(&format!("{at}.permits"), l.permits, 1, MAX_COUNT, "permits");
        } else if l.permits != 1 {
            c.error_help(
                &format!("{at}.permits"),
                format!("permits {} on a lock that is not a semaphore", l.permits),
                "only `kind: semaphore` has more than one holder; remove `permits`",
            );
        }
        c.count(&format!("{at}.shards"), l.shards, 1, 65_536, "shards");
        c.number(&format!("{at}.bounce_ns"), l.bounce_ns, 0.0, 1e6, " ns");
        locks.push(LockSpec {
            id: l.id.clone(),
            class_name: l.class_name.clone(),
            kind,
            scope: match l.scope {
                RawLockScope::Kernel => LockScope::Kernel,
                RawLockScope::User => LockScope::User,
            },
            caller: l.caller.clone(),
            permits: l.permits,
            shards: l.shards,
            bounce_ns: l.bounce_ns,
        });
    }
    let disk_names: Vec<&str> = m.disks.iter().map(|d| d.name.as_str()).collect();

    if raw.workloads.is_empty() {
        c.error_help(
            "workloads",
            "an incident needs at least one workload",
            "the first workload is the service the drill is about",
        );
    }
    c.unique(
        raw.workloads
            .iter()
            .enumerate()
            .map(|(i, w)| (format!("workloads[{i}].name"), w.name.as_str())),
        "workload",
    );
    let mut pids = BTreeSet::new();
    let mut workloads = Vec::new();
    for (i, w) in raw.workloads.iter().enumerate() {
        let at = format!("workloads[{i}]");
        c.non_empty(&format!("{at}.name"), "workload name", &w.name);
        if w.name.len() > MAX_COMM {
            c.error_help(
                &format!("{at}.name"),
                format!(
                    "process name `{}` is {} bytes; the kernel keeps at most {MAX_COMM}",
                    w.name,
                    w.name.len()
                ),
                format!(
                    "top and ps would show `{}`",
                    truncate_bytes(&w.name, MAX_COMM)
                ),
            );
        }
        c.count(&format!("{at}.pid"), w.pid, 1, MAX_PID, "pid");
        if !pids.insert(w.pid) {
            c.error_help(
                &format!("{at}.pid"),
                format!("duplicate pid {}", w.pid),
                "each workload is its own process",
            );
        }
        c.non_empty(&format!("{at}.user"), "user", &w.user);
        c.count(
            &format!("{at}.threads"),
            w.threads,
            1,
            MAX_THREADS,
            "threads",
        );
        let arrivals = match w.arrivals {
            RawArrivals::Closed { think_us } => {
                c.number(
                    &format!("{at}.arrivals.closed.think_us"),
                    think_us,
                    0.0,
                    MAX_TIME_US,
                    " us",
                );
                Arrivals::Closed { think_us }
            }
            RawArrivals::Open { rate_per_s } => {
                c.positive(
                    &format!("{at}.arrivals.open.rate_per_s"),
                    rate_per_s,
                    MAX_RATE_PER_S,
                    " requests/s",
                );
                Arrivals::Open { rate_per_s }
            }
        };
        c.count(&format!("{at}.rss_mib"), w.rss_mib, 0, MAX_MIB, "rss_mib");
        c.count(
            &format!("{at}.file_cache_mib"),
            w.file_cache_mib,
            0,
            MAX_MIB,
            "file_cache_mib",
        );
        c.non_empty(&format!("{at}.app_symbol"), "app_symbol", &w.app_symbol);
        if w.app_symbol.chars().any(char::is_whitespace) {
            c.error(&format!("{at}.app_symbol"), "app_symbol contains spaces");
        }
        let r = &w.request;
        let rq = format!("{at}.request");
        c.number(
            &format!("{rq}.compute_us"),
            r.compute_us,
            0.0,
            MAX_TIME_US,
            " us",
        );
        c.count(
            &format!("{rq}.syscalls"),
            r.syscalls,
            0,
            MAX_COUNT,
            "syscalls",
        );
        c.count(
            &format!("{rq}.page_allocs"),
            r.page_allocs,
            0,
            1_000_000,
            "page_allocs",
        );
        c.count(&format!("{rq}.packets"), r.packets, 0, MAX_COUNT, "packets");
        c.count(&format!("{rq}.wakeups"), r.wakeups, 0, MAX_COUNT, "wakeups");
        let mut critical_sections = Vec::new();
        for (j, cs) in r.critical_sections.iter().enumerate() {
            let here = format!("{rq}.critical_sections[{j}]");
            let found = c.reference(&format!("{here}.lock"), "lock", &cs.lock, &lock_ids);
            c.positive(&format!("{here}.hold_us"), cs.hold_us, MAX_TIME_US, " us");
            c.fraction(&format!("{here}.write_fraction"), cs.write_fraction);
            if found {
                critical_sections.push(CriticalSection {
                    lock: lock_ids
                        .iter()
                        .position(|id| *id == cs.lock)
                        .unwrap_or_default(),
                    hold_us: cs.hold_us,
                    write_fraction: cs.write_fraction,
                });
            }
        }
        let disk_io = r.disk_io.as_ref().and_then(|io| {
            let here = format!("{rq}.disk_io");
            let found = c.reference(&format!("{here}.disk"), "disk", &io.disk, &disk_names);
            c.count(&format!("{here}.kib"), io.kib, 1, 65_536, "kib");
            c.count(&format!("{here}.reads"), io.reads, 0, 10_000, "reads");
            c.count(&format!("{here}.writes"), io.writes, 0, 10_000, "writes");
            found.then(|| DiskIo {
                disk: disk_names
                    .iter()
                    .position(|d| *d == io.disk)
                    .unwrap_or_default(),
                reads: io.reads,
                writes: io.writes,
                kib: io.kib,
            })
        });
        if r.packets > 0 && m.nics.is_empty() {
            c.error_help(
                &format!("{rq}.packets"),
                "requests receive packets but the machine has no nic",
                "add one under `machine.nics`",
            );
        }
        workloads.push(Workload {
            name: w.name.clone(),
            pid: w.pid,
            user: w.user.clone(),
            uid: w.uid,
            threads: w.threads,
            arrivals,
            request: RequestProfile {
                compute_us: r.compute_us,
                distribution: match r.distribution {
                    RawDistribution::Exponential => Distribution::Exponential,
                    RawDistribution::Deterministic => Distribution::Deterministic,
                },
                syscalls: r.syscalls,
                critical_sections,
                page_allocs: r.page_allocs,
                disk_io,
                packets: r.packets,
                wakeups: r.wakeups,
            },
            rss_mib: w.rss_mib,
            file_cache_mib: w.file_cache_mib,
            app_symbol: w.app_symbol.clone(),
            placement: numa::placement(&mut c, &at, w.numa.as_ref(), numa.as_ref(), m.cpus),
        });
    }

    let workload_names: Vec<&str> = raw.workloads.iter().map(|w| w.name.as_str()).collect();
    let mut faults = Vec::new();
    for (i, fault) in raw.faults.iter().enumerate() {
        let at = format!("faults[{i}]");
        match fault {
            RawFault::Deadlock {
                first,
                second,
                after_s,
            } => {
                let a = c.reference(&format!("{at}.deadlock.first"), "lock", first, &lock_ids);
                let b = c.reference(&format!("{at}.deadlock.second"), "lock", second, &lock_ids);
                if first == second {
                    c.error_help(
                        &format!("{at}.deadlock.second"),
                        "a deadlock needs two different locks",
                        "name the lock each thread takes first",
                    );
                }
                // Seconds since boot, so a deadlock may have formed long before the drill
                // starts (the hung-task detector has then already reported it).
                c.count(
                    &format!("{at}.deadlock.after_s"),
                    u64::from(*after_s),
                    0,
                    MAX_UPTIME_S + 86_400,
                    "after_s",
                );
                if a && b {
                    faults.push(Fault::Deadlock {
                        first: lock_ids
                            .iter()
                            .position(|id| id == first)
                            .unwrap_or_default(),
                        second: lock_ids
                            .iter()
                            .position(|id| id == second)
                            .unwrap_or_default(),
                        after_s: *after_s,
                    });
                }
            }
            RawFault::Livelock {
                workload,
                attempt_us,
                success_probability,
            } => {
                c.positive(
                    &format!("{at}.livelock.attempt_us"),
                    *attempt_us,
                    MAX_TIME_US,
                    " us",
                );
                let here = format!("{at}.livelock.success_probability");
                if !(*success_probability > 0.0 && *success_probability <= 1.0) {
                    c.error_help(
                        &here,
                        format!(
                            "probability {} is out of range",
                            show_f64(*success_probability)
                        ),
                        "expected more than 0 and at most 1 (0 would never finish)",
                    );
                }
                faults.push(Fault::Livelock {
                    workload: workload_ref::index(
                        &mut c,
                        &format!("{at}.livelock.workload"),
                        workload.as_deref(),
                        &workload_names,
                    ),
                    attempt_us: *attempt_us,
                    success_probability: *success_probability,
                });
            }
            RawFault::MemoryPressure {
                free_mib,
                direct_reclaim_fraction,
                reclaim_us,
                major_fault_fraction,
                burst_every_s,
            } => {
                let here = format!("{at}.memory_pressure");
                if *free_mib > m.memory_mib {
                    c.error_help(
                        &format!("{here}.free_mib"),
                        format!(
                            "free_mib {free_mib} is more than the machine's memory ({} MiB)",
                            m.memory_mib
                        ),
                        "free memory under pressure is a small part of memory_mib",
                    );
                }
                c.fraction(
                    &format!("{here}.direct_reclaim_fraction"),
                    *direct_reclaim_fraction,
                );
                c.number(
                    &format!("{here}.reclaim_us"),
                    *reclaim_us,
                    0.0,
                    MAX_TIME_US,
                    " us",
                );
                c.fraction(
                    &format!("{here}.major_fault_fraction"),
                    *major_fault_fraction,
                );
                c.count(
                    &format!("{here}.burst_every_s"),
                    *burst_every_s,
                    0,
                    86_400,
                    "burst_every_s",
                );
                faults.push(Fault::MemoryPressure {
                    free_mib: *free_mib,
                    direct_reclaim_fraction: *direct_reclaim_fraction,
                    reclaim_us: *reclaim_us,
                    major_fault_fraction: *major_fault_fraction,
                    burst_every_s: *burst_every_s,
                });
            }
            RawFault::NoisyNeighbor {
                steal_pct,
                burst_every_s,
            } => {
                let here = format!("{at}.noisy_neighbor");
                c.number(&format!("{here}.steal_pct"), *steal_pct, 0.0, 100.0, " %");
                c.count(
                    &format!("{here}.burst_every_s"),
                    *burst_every_s,
                    0,
                    86_400,
                    "burst_every_s",
                );
                faults.push(Fault::NoisyNeighbor {
                    steal_pct: *steal_pct,
                    burst_every_s: *burst_every_s,
                });
            }
        }
    }

    let v = &raw.variants;
    let varied = workload_ref::index(
        &mut c,
        "variants.workload",
        v.workload.as_deref(),
        &workload_names,
    );
    if let Some((low, high)) = v.cpus {
        let (low, high) = (f64::from(low), f64::from(high));
        variant_range(&mut c, "cpus", (low, high), 1.0, f64::from(MAX_CPUS), "");
    }
    if let Some((low, high)) = v.threads {
        let (low, high) = (f64::from(low), f64::from(high));
        variant_range(
            &mut c,
            "threads",
            (low, high),
            1.0,
            f64::from(MAX_THREADS),
            "",
        );
    }
    if let Some(range) = v.rate_per_s {
        variant_range(
            &mut c,
            "rate_per_s",
            range,
            0.0,
            MAX_RATE_PER_S,
            " requests/s",
        );
        if raw
            .workloads
            .get(varied)
            .is_some_and(|w| matches!(w.arrivals, RawArrivals::Closed { .. }))
        {
            let which = match &v.workload {
                Some(name) => format!("workload `{name}`"),
                None => "the first workload".to_owned(),
            };
            c.error_help(
                "variants.rate_per_s",
                format!("`variants.rate_per_s` varies an open arrival rate but {which} is closed"),
                "use `arrivals: {open: {rate_per_s: N}}` or drop this variant",
            );
        }
    }
    if let Some(range) = v.hold_scale {
        variant_range(&mut c, "hold_scale", range, 0.0, 100.0, "");
    }

    let defaults = Costs::default();
    let k = &raw.costs;
    let mut cost = |key: &str, value: Option<f64>, default: f64, positive: bool| -> f64 {
        match value {
            Some(value) => {
                let at = format!("costs.{key}");
                if positive {
                    c.positive(&at, value, MAX_TIME_US, " us");
                } else {
                    c.number(&at, value, 0.0, MAX_TIME_US, " us");
                }
                value
            }
            None => default,
        }
    };
    let costs = Costs {
        syscall_us: cost("syscall_us", k.syscall_us, defaults.syscall_us, false),
        context_switch_us: cost(
            "context_switch_us",
            k.context_switch_us,
            defaults.context_switch_us,
            false,
        ),
        wakeup_latency_us: cost(
            "wakeup_latency_us",
            k.wakeup_latency_us,
            defaults.wakeup_latency_us,
            false,
        ),
        lock_uncontended_us: cost(
            "lock_uncontended_us",
            k.lock_uncontended_us,
            defaults.lock_uncontended_us,
            false,
        ),
        timer_tick_us: cost(
            "timer_tick_us",
            k.timer_tick_us,
            defaults.timer_tick_us,
            false,
        ),
        softirq_per_packet_us: cost(
            "softirq_per_packet_us",
            k.softirq_per_packet_us,
            defaults.softirq_per_packet_us,
            false,
        ),
        page_alloc_us: cost(
            "page_alloc_us",
            k.page_alloc_us,
            defaults.page_alloc_us,
            false,
        ),
        page_fault_us: cost(
            "page_fault_us",
            k.page_fault_us,
            defaults.page_fault_us,
            false,
        ),
        timeslice_us: cost("timeslice_us", k.timeslice_us, defaults.timeslice_us, true),
    };

    if !c.is_clean() {
        return Err(c.finish());
    }
    Ok(Incident {
        id: IncidentId(id.to_owned()),
        title: raw.title,
        narrative: raw.narrative,
        default_seed: raw.seed,
        machine: Machine {
            hostname: m.hostname.clone(),
            kernel: m.kernel.clone(),
            cpus: m.cpus,
            hz: m.hz,
            memory_mib: m.memory_mib,
            swap_mib: m.swap_mib,
            virtualized: m.virtualized,
            uptime_s: m.uptime_s,
            clock_s: clock_s.unwrap_or_default(),
            date: m.date.clone(),
            disks,
            nics,
            numa,
        },
        workloads,
        locks,
        faults,
        variants: Variants {
            workload: varied,
            cpus: v.cpus,
            threads: v.threads,
            rate_per_s: v.rate_per_s,
            hold_scale: v.hold_scale,
        },
        costs,
        content_hash,
    })
}

fn range_check(c: &mut Checker<'_>, key_path: &str, low: f64, high: f64) {
    if low > high {
        c.error_help(
            key_path,
            format!(
                "range starts above its end ({} > {})",
                show_f64(low),
                show_f64(high)
            ),
            "write ranges as `[low, high]`",
        );
    }
}

/// A `variants` range: ordered, each end from `min` to `max` (strictly above 0 when `min` is
/// 0). Messages name the key in full, `variants.cpus`, since `cpus` alone reads as the
/// machine's own.
fn variant_range(
    c: &mut Checker<'_>,
    key: &str,
    (low, high): (f64, f64),
    min: f64,
    max: f64,
    unit: &str,
) {
    let at = format!("variants.{key}");
    if low > high {
        c.error_help(
            &at,
            format!(
                "`{at}` range starts above its end ({} > {})",
                show_f64(low),
                show_f64(high)
            ),
            "write ranges as `[low, high]`",
        );
    }
    for (index, end, value) in [(0, "low", low), (1, "high", high)] {
        let inside = if min > 0.0 {
            value >= min && value <= max
        } else {
            value > min && value <= max
        };
        if !inside {
            let expected = if min > 0.0 {
                format!("expected {min} to {max}{unit}")
            } else {
                format!("expected more than {min} and at most {max}{unit}")
            };
            c.error_help(
                &format!("{at}[{index}]"),
                format!("`{at}` {end} end {} is out of range", show_f64(value)),
                expected,
            );
        }
    }
}

fn truncate_bytes(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
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
    drill_limits(&mut c, &raw);
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

    if raw.phases.is_empty() {
        c.error_help(
            "phases",
            "a drill needs at least one phase",
            "add `- id: …, prompt: …, stages: […]`",
        );
    }
    c.unique(
        raw.phases
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("phases[{i}].id"), p.id.as_str())),
        "phase",
    );
    let mut phases = Vec::new();
    for (i, p) in raw.phases.iter().enumerate() {
        let at = format!("phases[{i}]");
        c.non_empty(&format!("{at}.id"), "phase id", &p.id);
        c.non_empty(&format!("{at}.prompt"), "prompt", &p.prompt);
        if p.stages.is_empty() {
            c.error_help(
                &format!("{at}.stages"),
                "a phase needs at least one stage",
                "stages: restate, hypothesis, check, interpret, fix",
            );
        }
        phases.push(Phase {
            id: p.id.clone(),
            prompt: p.prompt.clone(),
            stages: p.stages.iter().copied().map(stage).collect(),
        });
    }

    let rubric = &raw.rubric;
    c.number(
        "rubric.order_penalty",
        rubric.order_penalty,
        0.0,
        100.0,
        " points",
    );
    if rubric.concepts.is_empty() {
        c.error_help(
            "rubric.concepts",
            "the rubric has no concepts",
            "add at least one concept with a positive weight and phrases or regexes",
        );
    }
    c.unique(
        rubric
            .concepts
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("rubric.concepts[{i}].id"), k.id.as_str())),
        "concept",
    );
    c.unique(
        rubric
            .red_flags
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("rubric.red_flags[{i}].id"), k.id.as_str())),
        "red flag",
    );
    c.unique(
        rubric
            .misconceptions
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("rubric.misconceptions[{i}].id"), k.id.as_str())),
        "misconception",
    );
    let mut concepts = Vec::new();
    for (i, k) in rubric.concepts.iter().enumerate() {
        let at = format!("rubric.concepts[{i}]");
        c.non_empty(&format!("{at}.id"), "concept id", &k.id);
        c.non_empty(&format!("{at}.label"), "label", &k.label);
        c.positive(&format!("{at}.weight"), k.weight, 1000.0, "");
        let ideas = super::lexicon::forms(&mut c, &format!("{at}.ideas"), &k.ideas);
        matchers(
            &mut c, &at, "concept", &k.id, &k.phrases, &k.regexes, &ideas, &k.lexicon,
        );
        concepts.push(Concept {
            id: k.id.clone(),
            label: k.label.clone(),
            weight: k.weight,
            required: k.required,
            phrases: k.phrases.clone(),
            regexes: k.regexes.clone(),
            stage: stage(k.stage),
            lexicon: k.lexicon.clone(),
            ideas,
        });
    }
    let mut red_flags = Vec::new();
    for (i, f) in rubric.red_flags.iter().enumerate() {
        let at = format!("rubric.red_flags[{i}]");
        c.non_empty(&format!("{at}.id"), "red flag id", &f.id);
        c.non_empty(&format!("{at}.label"), "label", &f.label);
        c.non_empty(&format!("{at}.pushback"), "pushback", &f.pushback);
        c.number(&format!("{at}.penalty"), f.penalty, 0.0, 100.0, " points");
        let claims = super::lexicon::forms(&mut c, &format!("{at}.claims"), &f.claims);
        matchers(
            &mut c, &at, "red flag", &f.id, &f.phrases, &f.regexes, &claims, &f.lexicon,
        );
        red_flags.push(RedFlag {
            id: f.id.clone(),
            label: f.label.clone(),
            phrases: f.phrases.clone(),
            regexes: f.regexes.clone(),
            penalty: f.penalty,
            pushback: f.pushback.clone(),
            fires_when_hypothetical: f.fires_when_hypothetical,
            claims,
            lexicon: f.lexicon.clone(),
        });
    }
    let mut misconceptions = Vec::new();
    for (i, f) in rubric.misconceptions.iter().enumerate() {
        let at = format!("rubric.misconceptions[{i}]");
        c.non_empty(&format!("{at}.id"), "misconception id", &f.id);
        c.non_empty(&format!("{at}.correction"), "correction", &f.correction);
        c.number(&format!("{at}.penalty"), f.penalty, 0.0, 100.0, " points");
        let claims = super::lexicon::forms(&mut c, &format!("{at}.claims"), &f.claims);
        matchers(
            &mut c,
            &at,
            "misconception",
            &f.id,
            &f.phrases,
            &f.regexes,
            &claims,
            &f.lexicon,
        );
        misconceptions.push(Misconception {
            id: f.id.clone(),
            phrases: f.phrases.clone(),
            regexes: f.regexes.clone(),
            correction: f.correction.clone(),
            penalty: f.penalty,
            claims,
            lexicon: f.lexicon.clone(),
        });
    }
    let concept_ids: Vec<&str> = rubric.concepts.iter().map(|k| k.id.as_str()).collect();
    let flag_ids: Vec<&str> = rubric.red_flags.iter().map(|k| k.id.as_str()).collect();
    let misconception_ids: Vec<&str> = rubric
        .misconceptions
        .iter()
        .map(|k| k.id.as_str())
        .collect();

    c.unique(
        raw.pushback
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("pushback[{i}].id"), p.id.as_str())),
        "pushback rule",
    );
    let mut pushback = Vec::new();
    for (i, p) in raw.pushback.iter().enumerate() {
        let at = format!("pushback[{i}]");
        c.non_empty(&format!("{at}.id"), "pushback id", &p.id);
        let when = match &p.when {
            RawTrigger::RedFlag(id) => {
                c.reference(&format!("{at}.when.red_flag"), "red flag", id, &flag_ids);
                Trigger::RedFlag(id.clone())
            }
            RawTrigger::Misconception(id) => {
                c.reference(
                    &format!("{at}.when.misconception"),
                    "misconception",
                    id,
                    &misconception_ids,
                );
                Trigger::Misconception(id.clone())
            }
            RawTrigger::MissingConcept(id) => {
                c.reference(
                    &format!("{at}.when.missing_concept"),
                    "concept",
                    id,
                    &concept_ids,
                );
                Trigger::MissingConcept(id.clone())
            }
            RawTrigger::Vague => Trigger::Vague,
            RawTrigger::Rambling { words } => {
                c.count(
                    &format!("{at}.when.rambling.words"),
                    *words,
                    1,
                    100_000,
                    "words",
                );
                Trigger::Rambling { words: *words }
            }
            RawTrigger::Misread => Trigger::Misread,
        };
        if p.say.is_empty() {
            c.error_help(
                &format!("{at}.say"),
                "the rule has nothing to say",
                "add at least one phrasing",
            );
        }
        for (j, line) in p.say.iter().enumerate() {
            c.non_empty(&format!("{at}.say[{j}]"), "phrasing", line);
        }
        c.count(
            &format!("{at}.max_times"),
            p.max_times,
            1,
            1000,
            "max_times",
        );
        pushback.push(PushbackRule {
            id: p.id.clone(),
            when,
            say: p.say.clone(),
            max_times: p.max_times,
        });
    }

    let mut hints = Vec::new();
    for (i, h) in raw.hints.iter().enumerate() {
        c.non_empty(&format!("hints[{i}].text"), "hint", &h.text);
        c.number(&format!("hints[{i}].cost"), h.cost, 0.0, 100.0, " points");
        hints.push(Hint {
            text: h.text.clone(),
            cost: h.cost,
        });
    }
    let mut model_answer = Vec::new();
    for (i, line) in raw.model_answer.iter().enumerate() {
        if let Some(concept) = &line.concept {
            c.reference(
                &format!("model_answer[{i}].concept"),
                "concept",
                concept,
                &concept_ids,
            );
        }
        c.non_empty(
            &format!("model_answer[{i}].text"),
            "model answer line",
            &line.text,
        );
        model_answer.push(ModelAnswerLine {
            concept: line.concept.clone(),
            text: line.text.clone(),
        });
    }

    let total_weight: f64 = rubric
        .concepts
        .iter()
        .map(|k| k.weight)
        .filter(|w| w.is_finite() && *w > 0.0)
        .sum();
    c.unique(
        raw.examples
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("examples[{i}].name"), e.name.as_str())),
        "example",
    );
    let mut examples = Vec::new();
    for (i, e) in raw.examples.iter().enumerate() {
        let at = format!("examples[{i}]");
        c.non_empty(&format!("{at}.name"), "example name", &e.name);
        c.non_empty(&format!("{at}.answer"), "answer", &e.answer);
        let (low, high) = e.score;
        c.number(&format!("{at}.score[0]"), low, 0.0, 100.0, "");
        c.number(&format!("{at}.score[1]"), high, 0.0, 100.0, "");
        range_check(&mut c, &format!("{at}.score"), low, high);
        for (j, id) in e.must_hit.iter().enumerate() {
            c.reference(&format!("{at}.must_hit[{j}]"), "concept", id, &concept_ids);
        }
        for (j, id) in e.must_miss.iter().enumerate() {
            if c.reference(&format!("{at}.must_miss[{j}]"), "concept", id, &concept_ids)
                && e.must_hit.contains(id)
            {
                c.error_help(
                    &format!("{at}.must_miss[{j}]"),
                    format!("concept `{id}` is both in must_hit and must_miss"),
                    "keep it in one of the two lists",
                );
            }
        }
        for (j, id) in e.red_flags.iter().enumerate() {
            c.reference(&format!("{at}.red_flags[{j}]"), "red flag", id, &flag_ids);
        }
        for (j, id) in e.misconceptions.iter().enumerate() {
            c.reference(
                &format!("{at}.misconceptions[{j}]"),
                "misconception",
                id,
                &misconception_ids,
            );
        }
        shown_commands(&mut c, &format!("{at}.shown"), &e.shown, kind);
        // The best this example can do: every concept it may hit, no penalty it need not take.
        if total_weight > 0.0 && low.is_finite() {
            let missed: f64 = rubric
                .concepts
                .iter()
                .filter(|k| e.must_miss.contains(&k.id) && k.weight.is_finite() && k.weight > 0.0)
                .map(|k| k.weight)
                .sum();
            let penalties: f64 = rubric
                .red_flags
                .iter()
                .filter(|f| e.red_flags.contains(&f.id) && f.penalty.is_finite())
                .map(|f| f.penalty)
                .chain(
                    rubric
                        .misconceptions
                        .iter()
                        .filter(|m| e.misconceptions.contains(&m.id) && m.penalty.is_finite())
                        .map(|m| m.penalty),
                )
                .sum();
            // Scores are clamped at 0, so a range starting at 0 is always reachable.
            let best = (100.0 * (1.0 - missed / total_weight) - penalties).max(0.0);
            if best + 1e-9 < low {
                c.error_help(
                    &format!("{at}.score"),
                    format!(
                        "score range cannot be reached: this example scores at most {:.0}",
                        best.max(0.0)
                    ),
                    "its must_miss concepts and required red flags cost more than the range allows; \
                     lower the range or change the weights",
                );
            }
        }
        examples.push(Example {
            name: e.name.clone(),
            answer: e.answer.clone(),
            score: e.score,
            must_hit: e.must_hit.clone(),
            must_miss: e.must_miss.clone(),
            red_flags: e.red_flags.clone(),
            misconceptions: e.misconceptions.clone(),
            shown: e.shown.clone(),
            line: c.line_of(&at),
        });
    }

    let follow_ups = follow_ups(&mut c, &raw.follow_ups, &rubric.concepts);

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
        rubric: Rubric {
            concepts,
            red_flags,
            misconceptions,
            order_penalty: rubric.order_penalty,
        },
        pushback,
        hints,
        model_answer,
        examples,
        follow_ups,
        content_hash,
        lexicon: Lexicon::default(),
    })
}

/// Follow-up questions: unique ids, a question, at least one concept each, concept ids unique
/// across the drill (rubric included), matchers as for rubric concepts.
fn follow_ups(
    c: &mut Checker<'_>,
    raw: &[crate::content::raw::RawFollowUp],
    rubric: &[crate::content::raw::RawConcept],
) -> Vec<crate::domain::FollowUp> {
    c.unique(
        raw.iter()
            .enumerate()
            .map(|(i, f)| (format!("follow_ups[{i}].id"), f.id.as_str())),
        "follow-up",
    );
    c.unique(
        raw.iter().enumerate().flat_map(|(i, f)| {
            f.concepts
                .iter()
                .enumerate()
                .map(move |(j, k)| (format!("follow_ups[{i}].concepts[{j}].id"), k.id.as_str()))
        }),
        "follow-up concept",
    );
    let mut out = Vec::new();
    for (i, follow_up) in raw.iter().enumerate() {
        let at = format!("follow_ups[{i}]");
        c.non_empty(&format!("{at}.id"), "follow-up id", &follow_up.id);
        c.non_empty(&format!("{at}.ask"), "question", &follow_up.ask);
        if follow_up.concepts.is_empty() {
            c.error(
                &format!("{at}.concepts"),
                "a follow-up needs at least one concept",
            );
        }
        let mut concepts = Vec::new();
        for (j, k) in follow_up.concepts.iter().enumerate() {
            let at = format!("{at}.concepts[{j}]");
            c.non_empty(&format!("{at}.id"), "concept id", &k.id);
            c.non_empty(&format!("{at}.label"), "label", &k.label);
            if rubric.iter().any(|concept| concept.id == k.id) {
                c.error(
                    &format!("{at}.id"),
                    format!(
                        "`{}` is already a rubric concept; follow-up concepts need their own ids",
                        k.id
                    ),
                );
            }
            matchers(c, &at, "concept", &k.id, &k.phrases, &k.regexes, &[], &[]);
            concepts.push(Concept {
                id: k.id.clone(),
                label: k.label.clone(),
                weight: 1.0,
                required: false,
                phrases: k.phrases.clone(),
                regexes: k.regexes.clone(),
                stage: Stage::Fix,
                lexicon: Vec::new(),
                ideas: Vec::new(),
            });
        }
        out.push(crate::domain::FollowUp {
            id: follow_up.id.clone(),
            ask: follow_up.ask.trim().to_owned(),
            concepts,
        });
    }
    out
}

/// The forms of one rubric item: at least one of them, none empty, regexes compile. (Lexicon
/// ids are resolved once the lexicon is loaded: `content::lexicon::resolve`.)
#[allow(clippy::too_many_arguments)]
fn matchers(
    c: &mut Checker<'_>,
    at: &str,
    what: &str,
    id: &str,
    phrases: &[String],
    regexes: &[String],
    plain: &[Form],
    lexicon: &[String],
) {
    if phrases.is_empty() && regexes.is_empty() && plain.is_empty() && lexicon.is_empty() {
        let key = if what == "concept" { "ideas" } else { "claims" };
        c.error_help(
            &format!("{at}.id"),
            format!("{what} `{id}` has no phrases, regexes, {key} or lexicon entries, so it can never match"),
            format!("add `{key}: [\"…\"]`, `lexicon: [ENTRY]`, `phrases: [\"…\"]` or `regexes: ['…']`"),
        );
    }
    c.phrases(&format!("{at}.phrases"), phrases);
    c.regexes(&format!("{at}.regexes"), regexes);
}

/// An example's `shown` commands: only an incident drill has a machine to run them on, and
/// each must be a command line the simulated shell understands.
fn shown_commands(c: &mut Checker<'_>, at: &str, commands: &[String], kind: DrillKind) {
    if !commands.is_empty() && kind == DrillKind::Concept {
        c.error_help(
            at,
            "a concept drill has no machine to show outputs from",
            "remove `shown`, or make it an incident drill",
        );
        return;
    }
    for (j, line) in commands.iter().enumerate() {
        if let Err(error) = crate::render::parse_command(line) {
            c.error_help(
                &format!("{at}[{j}]"),
                format!("`{line}` is not a command the simulated machine runs"),
                error.message.trim().to_owned(),
            );
        }
    }
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
