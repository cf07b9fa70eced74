//! Batch grading: walk transcript files, re-score them in parallel against the current rubric,
//! and report in a deterministic order; a bad file is reported and skipped.
//!
//! Flow: the walk ([`walk`]) yields files lazily in sorted order; they are taken in chunks of
//! [`CHUNK`], each chunk is loaded and scored on a local rayon pool (`--jobs`) while the calling
//! thread walks ahead and writes the previous chunk, and results come back in input order,
//! whatever the thread count. Rows are written as each chunk
//! completes and folded into the summary, groups and agreement, which keep counters rather
//! than rows, so memory stays flat as the batch grows (one chunk of transcripts in flight).
//!
//! Each transcript is graded on what its session really showed: the box outputs are re-derived
//! from its commands ([`replay`]), and the final result is `score::session`'s, the rule of the
//! live scorecard.
//!
//! Owns: the grading pipeline, `--human` CSV reading (the only source of human scores),
//! progress on a terminal stderr. It must not print anything from the workers, nor depend on
//! timing for any output.

pub mod agreement;
pub mod groups;
pub mod output;
pub mod replay;
pub mod rescore;
pub mod summary;
pub mod synth;
pub mod walk;

use std::collections::{BTreeMap, HashMap};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::content::Catalog;
use crate::domain::{Drill, DrillId};
use crate::score::session::{Part, follow_up_rubric};
use crate::score::{ScoreReport, Scorer, Shown};

use output::{BadFile, Sink, Tail};
use rescore::Row;
use walk::Entry;

/// Files per parallel chunk: large enough to keep every worker busy between the ordered
/// hand-overs, small enough that a chunk of parsed transcripts stays a few MiB.
pub const CHUNK: usize = 512;

/// Scores one answer against one drill's rubric or its follow-ups' concepts (`score::session`'s
/// parts); the real one wraps compiled [`Scorer`]s, tests may pass a stand-in.
pub type ScoreFn<'a> = dyn Fn(&Drill, Part, &str, &Shown) -> ScoreReport + Sync + 'a;

/// How the report is written (the formats are described in [`output`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GradeFormat {
    #[default]
    Table,
    Json,
    Csv,
}

/// A `grade` run as asked for on the command line.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Transcript files or directories.
    pub paths: Vec<PathBuf>,
    pub format: GradeFormat,
    /// Worker threads; `None` is the number of CPUs.
    pub jobs: Option<usize>,
    /// Write the report here instead of stdout.
    pub out: Option<PathBuf>,
    /// Compare with human scores.
    pub compare_human: bool,
    /// CSV of human scores: `file,score`.
    pub human: Option<PathBuf>,
    /// Group answers to the same drill that earn the same concepts.
    pub groups: bool,
}

/// What `grade_paths` needs besides the files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub format: GradeFormat,
    /// Worker threads; `None` is rayon's default (the number of CPUs).
    pub jobs: Option<usize>,
    pub compare_human: bool,
    /// Human scores from `--human`: the only human scores compared (a transcript's own claim
    /// is never read).
    pub human: Option<HumanScores>,
    pub groups: bool,
    /// The report file (`--out`), never graded as part of the batch.
    pub out: Option<PathBuf>,
}

/// How a batch went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    pub graded: u64,
    pub bad: u64,
}

/// `sysdrill grade`: exit 0 when every file graded, 1 when any was bad.
pub fn run(catalog: &Catalog, args: &Request) -> std::io::Result<ExitCode> {
    if args.jobs == Some(0) {
        eprintln!("error: --jobs must be at least 1");
        return Ok(ExitCode::from(2));
    }
    let human = match &args.human {
        Some(path) => match HumanScores::read(path) {
            Ok(scores) => Some(scores),
            Err(reason) => {
                let path = path.display().to_string();
                eprintln!("error: {}: {reason}", crate::term::visible_line(&path));
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let options = Options {
        format: args.format,
        jobs: args.jobs.map(clamp_jobs),
        // A human CSV only makes sense for comparing.
        compare_human: args.compare_human || human.is_some(),
        human,
        groups: args.groups,
        out: args.out.clone(),
    };
    if let Some(out) = &args.out
        && let Some(input) = out_overwrites_input(out, &args.paths)
    {
        eprintln!(
            "error: --out {} would overwrite the input {}; write the report elsewhere",
            crate::term::visible_line(&out.display().to_string()),
            crate::term::visible_line(&input.display().to_string())
        );
        return Ok(ExitCode::from(2));
    }
    // Each drill's rubric (and its follow-ups') is compiled once, by the first worker that
    // needs it: a batch over a few drills does not pay for compiling all of them.
    let scorers: HashMap<(DrillId, Part), OnceLock<Scorer>> = catalog
        .drills
        .keys()
        .flat_map(|id| {
            [Part::Rubric, Part::FollowUps].map(|part| ((id.clone(), part), OnceLock::new()))
        })
        .collect();
    let compile = |drill: &Drill, part: Part| match part {
        Part::Rubric => Scorer::with_forms(drill, &catalog.forms),
        Part::FollowUps => Scorer::with_forms(&follow_up_rubric(drill), &catalog.forms),
    };
    let score = |drill: &Drill, part: Part, answer: &str, shown: &Shown| {
        match scorers.get(&(drill.id.clone(), part)) {
            Some(scorer) => scorer
                .get_or_init(|| compile(drill, part))
                .score(answer, shown),
            // Every catalog drill has a slot; compile one for a drill that is somehow not there.
            None => compile(drill, part).score(answer, shown),
        }
    };
    let progress = progress_bar(&args.paths);
    let outcome = match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|error| {
                io::Error::new(error.kind(), format!("{}: {error}", path.display()))
            })?;
            let mut writer = io::BufWriter::new(file);
            let outcome = grade_paths(
                catalog,
                &score,
                &args.paths,
                &options,
                &mut writer,
                progress.as_ref(),
            )?;
            writer.flush()?;
            outcome
        }
        None => {
            let mut stdout = io::BufWriter::new(io::stdout().lock());
            let outcome = grade_paths(
                catalog,
                &score,
                &args.paths,
                &options,
                &mut stdout,
                progress.as_ref(),
            )?;
            stdout.flush()?;
            outcome
        }
    };
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if outcome.bad > 0 {
        if args.out.is_some() || args.format == GradeFormat::Csv {
            eprintln!("{} bad file(s); {} graded", outcome.bad, outcome.graded);
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The input that `--out` names, if any: a file named on the command line (the report would
/// empty it before it is read). A report inside a graded folder is fine: the walk leaves it out.
fn out_overwrites_input(out: &Path, inputs: &[PathBuf]) -> Option<PathBuf> {
    let out = out.canonicalize().ok()?;
    inputs
        .iter()
        .find(|input| input.canonicalize().is_ok_and(|input| input == out))
        .cloned()
}

/// Worker threads for `--jobs N`: at least one, at most the machine's CPUs (more only adds
/// threads waiting for a CPU; a huge N would spend minutes creating them).
pub fn clamp_jobs(jobs: usize) -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    jobs.clamp(1, cpus)
}

/// A bar on a terminal stderr (after counting the files, which only lists directories); none
/// on a pipe, so scripts and logs see nothing.
fn progress_bar(paths: &[PathBuf]) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let total = walk::walk(paths, None).count() as u64;
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} grading {pos}/{len} [{bar:30}] {per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}

enum Graded {
    Row(Box<Row>),
    Bad(BadFile),
}

/// Grades every transcript under `paths` and writes the report to `out`. Bad files are part of
/// the report (and, for CSV, printed to stderr); the caller turns `Outcome::bad` into the exit
/// code.
pub fn grade_paths(
    catalog: &Catalog,
    score: &ScoreFn<'_>,
    paths: &[PathBuf],
    options: &Options,
    out: &mut dyn Write,
    progress: Option<&indicatif::ProgressBar>,
) -> io::Result<Outcome> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = options.jobs {
        builder = builder.num_threads(jobs.max(1));
    }
    let pool = builder
        .build()
        .map_err(|error| io::Error::other(format!("cannot start worker threads: {error}")))?;
    let drill_width = catalog
        .drills
        .keys()
        .map(|id| id.as_str().len())
        .max()
        .unwrap_or(0)
        .min(32);
    let mut fold = Fold {
        sink: Sink::new(options.format, out, drill_width)?,
        options,
        progress,
        summary: summary::Summary::new(),
        groups: groups::Groups::default(),
        agreement: agreement::Agreement::default(),
        bad_files: Vec::new(),
        outcome: Outcome::default(),
    };
    // A two-stage pipeline: while the pool grades chunk k, this thread walks ahead to chunk
    // k + 1 and writes the results of chunk k - 1, in order. At most three chunks are alive.
    let replays = replay::Replays::default();
    let mut walk = walk::walk(paths, options.out.as_deref());
    let mut current: Vec<Entry> = walk.by_ref().take(CHUNK).collect();
    let mut finished: Vec<Graded> = Vec::new();
    while !current.is_empty() || !finished.is_empty() {
        let mut graded: Vec<Graded> = Vec::new();
        let mut next: Vec<Entry> = Vec::new();
        let mut written = Ok(());
        pool.in_place_scope(|scope| {
            if !current.is_empty() {
                let (current, graded, replays) = (&current, &mut graded, &replays);
                scope.spawn(move |_| {
                    *graded = current
                        .par_iter()
                        .map(|entry| grade_entry(catalog, score, replays, entry))
                        .collect();
                });
            }
            next = walk.by_ref().take(CHUNK).collect();
            written = std::mem::take(&mut finished)
                .into_iter()
                .try_for_each(|result| fold.take(result));
        });
        written?;
        finished = graded;
        current = next;
    }
    fold.finish()
}

/// The sequential half of the pipeline: results in input order into the report and summaries.
struct Fold<'a, W: Write> {
    sink: Sink<W>,
    options: &'a Options,
    progress: Option<&'a indicatif::ProgressBar>,
    summary: summary::Summary,
    groups: groups::Groups,
    agreement: agreement::Agreement,
    bad_files: Vec<BadFile>,
    outcome: Outcome,
}

impl<W: Write> Fold<'_, W> {
    fn take(&mut self, result: Graded) -> io::Result<()> {
        let options = self.options;
        match result {
            Graded::Row(mut row) => {
                // Human scores only feed the comparison; without it the queue of
                // disagreements stays empty.
                row.human_score = options
                    .human
                    .as_ref()
                    .filter(|_| options.compare_human)
                    .and_then(|human| human.lookup(&row.file));
                self.sink.row(&row)?;
                self.summary.add(&row);
                if options.groups {
                    self.groups.add(&row);
                }
                if let Some(human) = row.human_score.filter(|h| h.is_finite()) {
                    self.agreement.add(f64::from(row.score), human);
                }
                self.outcome.graded += 1;
            }
            Graded::Bad(bad) => {
                if options.format == GradeFormat::Csv {
                    eprintln!(
                        "error: {}: {}",
                        crate::term::visible_line(&bad.file),
                        crate::term::visible_line(&bad.reason)
                    );
                }
                self.bad_files.push(bad);
                self.outcome.bad += 1;
            }
        }
        if let Some(bar) = self.progress {
            bar.inc(1);
        }
        Ok(())
    }

    fn finish(self) -> io::Result<Outcome> {
        let tail = Tail {
            bad_files: self.bad_files,
            summary: self.summary.report(),
            agreement: self.options.compare_human.then(|| self.agreement.report()),
            groups: self.options.groups.then(|| self.groups.report()),
        };
        self.sink.finish(&tail)?;
        Ok(self.outcome)
    }
}

fn grade_entry(
    catalog: &Catalog,
    score: &ScoreFn<'_>,
    replays: &replay::Replays,
    entry: &Entry,
) -> Graded {
    let path = match entry {
        Entry::File(path) => path,
        Entry::Bad { path, reason } => {
            return Graded::Bad(BadFile {
                file: path.display().to_string(),
                reason: reason.clone(),
            });
        }
    };
    let file = path.display().to_string();
    let transcript = match crate::transcript::load::load(path) {
        Ok(transcript) => transcript,
        Err(error) => {
            return Graded::Bad(BadFile {
                file,
                reason: error.reason,
            });
        }
    };
    let id = DrillId(transcript.drill_id.clone());
    let Some(drill) = catalog.drills.get(&id) else {
        let mut reason = format!("unknown drill `{}`", transcript.drill_id);
        let known = catalog.drills.keys().map(DrillId::as_str);
        if let Some(suggestion) = rescore::suggest(&transcript.drill_id, known) {
            reason.push_str(&format!(" (did you mean `{suggestion}`?)"));
        }
        return Graded::Bad(BadFile { file, reason });
    };
    let verified = replay::rederive(catalog, drill, &transcript, score, replays);
    let result = crate::score::session::result(drill, &verified.log, |part, answer, shown| {
        score(drill, part, answer, shown)
    });
    Graded::Row(Box::new(rescore::row(
        file,
        &transcript,
        drill,
        verified,
        &result,
    )))
}

/// Human scores from a `file,score` CSV (header row optional). A file matches a transcript when
/// it names the same path as the report shows, or the same file on disk (relative names are
/// taken from the CSV's own folder, then from the working directory).
#[derive(Debug, Clone, Default)]
pub struct HumanScores {
    by_name: BTreeMap<String, f64>,
    by_path: BTreeMap<PathBuf, f64>,
}

impl HumanScores {
    pub fn read(path: &Path) -> Result<Self, String> {
        // A regular file of at most 64 MiB (a million graded files is about 40 MiB of CSV).
        let bytes =
            crate::walk::read_regular(path, 64 * 1024 * 1024).map_err(|error| error.to_string())?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes.as_slice());
        let base = path.parent().unwrap_or(Path::new("."));
        let mut scores = Self::default();
        for (index, record) in reader.records().enumerate() {
            let record = record.map_err(|error| error.to_string())?;
            let (Some(file), Some(value)) = (record.get(0), record.get(1)) else {
                return Err(format!(
                    "line {}: expected two columns: file,score",
                    index + 1
                ));
            };
            let value: f64 = match value.parse() {
                Ok(value) => value,
                // A header row.
                Err(_) if index == 0 => continue,
                Err(_) => {
                    return Err(format!(
                        "line {}: score `{value}` is not a number",
                        index + 1
                    ));
                }
            };
            if !value.is_finite() || !(0.0..=100.0).contains(&value) {
                return Err(format!(
                    "line {}: score {value} is outside 0-100",
                    index + 1
                ));
            }
            // `-0` reads as -0.0, which would print as `-0`; it is zero.
            let value = value + 0.0;
            scores.by_name.insert(file.to_owned(), value);
            let relative = base.join(file);
            let candidate = if relative.exists() {
                relative
            } else {
                PathBuf::from(file)
            };
            if let Ok(canonical) = candidate.canonicalize() {
                scores.by_path.insert(canonical, value);
            }
        }
        Ok(scores)
    }

    pub fn lookup(&self, file: &str) -> Option<f64> {
        if let Some(&value) = self.by_name.get(file) {
            return Some(value);
        }
        if self.by_path.is_empty() {
            return None;
        }
        let canonical = Path::new(file).canonicalize().ok()?;
        self.by_path.get(&canonical).copied()
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests;
