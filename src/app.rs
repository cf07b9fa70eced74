//! Dispatch: the one module that mixes content, model, IO and the clock. Each command loads what
//! it needs, calls the pure core, and writes to stdout/stderr. `anyhow` lives here only.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser};

use crate::cli::{Cli, ColorChoice, Command, ListFormat, ScoreFormat};
use crate::console::Console;
use crate::content::index::DrillSummary;
use crate::content::{self, Catalog, Diagnostic};
use crate::domain::{DrillId, IncidentId, Seed};
use crate::score::{Scorer, Shown};

/// Findings: lint errors, failing examples, bad transcripts.
const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE: u8 = 2;

/// An error that should exit with a specific code after its message is printed.
#[derive(Debug)]
struct Exit(u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

/// A usage error (unknown drill id, bad argument value): printed, exit 2.
fn usage(message: impl Into<String>) -> anyhow::Error {
    eprintln!("error: {}", message.into());
    anyhow::Error::new(Exit(EXIT_USAGE))
}

pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version are not errors.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    apply_color(cli.global.color);
    match dispatch(cli) {
        Ok(code) => code,
        Err(error) => {
            if let Some(Exit(code)) = error.downcast_ref::<Exit>() {
                return ExitCode::from(*code);
            }
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FINDINGS)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}

fn apply_color(choice: ColorChoice) {
    match choice {
        ColorChoice::Always => colored::control::set_override(true),
        ColorChoice::Never => colored::control::set_override(false),
        // colored already honours NO_COLOR / CLICOLOR(_FORCE); add the TTY check on stdout.
        ColorChoice::Auto => {
            use std::io::IsTerminal;
            let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0");
            if !forced && !io::stdout().is_terminal() {
                colored::control::set_override(false);
            }
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    let content_dirs = cli.global.content.clone();
    match cli.command {
        None => {
            let catalog = load(&content_dirs)?;
            practice(&catalog, None, None, Default::default(), None, None)
        }
        Some(Command::Practice(args)) => {
            let catalog = match &args.id {
                Some(id) => load_for_drill(&content_dirs, id)?,
                None => load(&content_dirs)?,
            };
            practice(
                &catalog,
                args.id,
                args.seed.map(Seed),
                args.mode,
                args.transcript,
                args.candidate,
            )
        }
        Some(Command::List(args)) => {
            // The embedded drills are listed from the build-time index; with `--content`
            // directories everything is loaded (and validated) as for any other command.
            let drills = match content::index::embedded() {
                Some(index) if content_dirs.is_empty() => index,
                _ => content::index::of_catalog(&load(&content_dirs)?),
            };
            list(&drills, args.tag.as_deref(), args.format)
        }
        Some(Command::Show(args)) => show(
            &load_needed(&content_dirs, content::Need::Incidents)?,
            &args.incident,
            &args.commands,
            args.seed,
        ),
        Some(Command::Score(args)) => score(
            &load_for_drill(&content_dirs, &args.drill)?,
            &args.drill,
            args.file.as_deref(),
            args.format,
        ),
        Some(Command::Lint(args)) => lint(&args.paths, &content_dirs),
        Some(Command::Check(args)) => check(&args.targets, args.format, &content_dirs),
        Some(Command::Grade(args)) => {
            let catalog = load(&content_dirs)?;
            let request = crate::grade::Request {
                paths: args.paths,
                format: args.format,
                jobs: args.jobs,
                out: args.out,
                compare_human: args.compare_human,
                human: args.human,
                groups: args.groups,
            };
            Ok(crate::grade::run(&catalog, &request)?)
        }
        Some(Command::Stats(args)) => {
            let catalog = load(&content_dirs)?;
            let dir = match args.dir {
                Some(dir) => dir,
                None => data_dir()?,
            };
            let mut out = io::stdout().lock();
            crate::progress::print_stats(&catalog, &dir, &mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Schema(args)) => {
            let mut out = io::stdout().lock();
            writeln!(out, "{}", content::schema::render(args.kind))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Completions(args)) => {
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "sysdrill", &mut io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads the catalog; content errors are printed with their locations and exit 1.
fn load(content_dirs: &[PathBuf]) -> Result<Catalog> {
    load_needed(content_dirs, content::Need::Everything)
}

/// The drill `id` and the incidents; everything when there is no such drill, so the
/// "unknown drill" message can list the ones that exist.
fn load_for_drill(content_dirs: &[PathBuf], id: &str) -> Result<Catalog> {
    let catalog = load_needed(content_dirs, content::Need::Drill(id))?;
    if catalog.drills.contains_key(&DrillId::from(id)) {
        Ok(catalog)
    } else {
        load(content_dirs)
    }
}

fn load_needed(content_dirs: &[PathBuf], need: content::Need<'_>) -> Result<Catalog> {
    match content::load_needed(content_dirs, need) {
        Ok(catalog) => Ok(catalog),
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            Err(anyhow::Error::new(Exit(EXIT_FINDINGS)))
        }
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let mut err = io::stderr().lock();
    for diagnostic in diagnostics {
        let _ = write!(err, "{}", diagnostic.render());
    }
    let _ = writeln!(err, "{}", tally(diagnostics));
}

/// "2 errors, 1 warning found"; without errors, "no errors; 1 note".
fn tally(diagnostics: &[Diagnostic]) -> String {
    use crate::content::diag::Severity;
    let counted = |severity: Severity, name: &str| {
        let n = diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count();
        (n > 0).then(|| format!("{n} {name}{}", if n == 1 { "" } else { "s" }))
    };
    let errors = counted(Severity::Error, "error");
    let others: Vec<String> = [
        counted(Severity::Warning, "warning"),
        counted(Severity::Note, "note"),
    ]
    .into_iter()
    .flatten()
    .collect();
    match errors {
        Some(errors) => {
            std::iter::once(errors)
                .chain(others)
                .collect::<Vec<_>>()
                .join(", ")
                + " found"
        }
        None => format!("no errors; {}", others.join(", ")),
    }
}

/// The XDG data directory for transcripts and history.
fn data_dir() -> Result<PathBuf> {
    Ok(crate::repl::data_dir()?)
}

fn practice(
    catalog: &Catalog,
    drill: Option<String>,
    seed: Option<Seed>,
    mode: crate::interview::Mode,
    transcript: Option<PathBuf>,
    candidate: Option<String>,
) -> Result<ExitCode> {
    if let Some(id) = &drill {
        require_drill(catalog, id)?;
    }
    let config = crate::repl::PracticeConfig {
        drill,
        seed,
        mode,
        transcript,
        candidate,
    };
    crate::repl::practice(catalog, &config)?;
    Ok(ExitCode::SUCCESS)
}

fn require_drill<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c crate::domain::Drill> {
    catalog.drills.get(&DrillId::from(id)).ok_or_else(|| {
        let ids = catalog.drills.keys().map(|id| id.as_str());
        usage(format!(
            "unknown drill `{id}`{}",
            crate::suggest::did_you_mean(id, ids)
        ))
    })
}

fn list(drills: &[DrillSummary], tag: Option<&str>, format: ListFormat) -> Result<ExitCode> {
    use colored::Colorize;
    let drills: Vec<_> = drills
        .iter()
        .filter(|drill| tag.is_none_or(|tag| drill.tags.iter().any(|t| t == tag)))
        .collect();
    let mut out = io::stdout().lock();
    match format {
        ListFormat::Json => {
            let rows: Vec<_> = drills
                .iter()
                .map(|drill| {
                    serde_json::json!({
                        "id": drill.id,
                        "title": drill.title,
                        "kind": drill.kind.name(),
                        "tags": drill.tags,
                        "difficulty": drill.difficulty.name(),
                        "incident": drill.incident,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        ListFormat::Table => {
            let id_width = drills.iter().map(|d| d.id.len()).max().unwrap_or(2).max(2);
            writeln!(
                out,
                "{}",
                format!(
                    "{:<id_width$}  {:<8}  {:<6}  {:<40}  TAGS",
                    "ID", "KIND", "LEVEL", "TITLE"
                )
                .bold()
            )?;
            for drill in &drills {
                writeln!(
                    out,
                    "{:<id_width$}  {:<8}  {:<6}  {:<40}  {}",
                    drill.id.cyan(),
                    drill.kind.name(),
                    drill.difficulty.name(),
                    truncate(&crate::term::visible_line(&drill.title), 40),
                    drill.tags.join(",")
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

fn show(
    catalog: &Catalog,
    incident: &str,
    commands: &[String],
    seed: Option<u64>,
) -> Result<ExitCode> {
    let Some(found) = catalog.incidents.get(&IncidentId::from(incident)) else {
        let ids = catalog.incidents.keys().map(|id| id.as_str());
        return Err(usage(format!(
            "unknown incident `{incident}`{}",
            crate::suggest::did_you_mean(incident, ids)
        )));
    };
    let seed = Seed(seed.unwrap_or(found.default_seed));
    let concrete = crate::model::variant::pick(found, seed);
    let mut console = Console::new(&concrete, seed);
    let mut out = io::stdout().lock();
    if commands.is_empty() {
        writeln!(
            out,
            "{}\n\n{}",
            crate::term::visible_line(&found.title),
            crate::term::visible(found.narrative.trim_end())
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = false;
    for (index, line) in commands.iter().enumerate() {
        if commands.len() > 1 {
            if index > 0 {
                writeln!(out)?;
            }
            writeln!(out, "$ {line}")?;
        }
        match console.run(line) {
            Ok(text) => out.write_all(crate::term::visible(&text).as_bytes())?,
            Err(error) => {
                failed = true;
                out.flush()?;
                eprintln!("{error}");
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

fn score(
    catalog: &Catalog,
    drill_id: &str,
    file: Option<&Path>,
    format: ScoreFormat,
) -> Result<ExitCode> {
    let drill = require_drill(catalog, drill_id)?;
    let limit = crate::transcript::load::MAX_BYTES;
    let bytes = match file {
        None => read_all(io::stdin().lock(), limit)?,
        Some(path) if path == Path::new("-") => read_all(io::stdin().lock(), limit)?,
        Some(path) => crate::walk::read_regular(path, limit).with_context(|| {
            format!(
                "cannot score {}",
                crate::term::visible_line(&path.display().to_string())
            )
        })?,
    };
    // Invalid UTF-8 is replaced (U+FFFD) rather than refused: the rest of the answer still counts.
    // Escape sequences in the answer are made visible before scoring, so no evidence quoted
    // from it can carry one to the terminal, whatever the colour setting.
    let answer = String::from_utf8_lossy(&bytes);
    let answer = crate::term::visible(&answer);
    let report = Scorer::with_forms(drill, &catalog.forms).score(&answer, &Shown::default());
    let mut out = io::stdout().lock();
    match format {
        ScoreFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        ScoreFormat::Text => {
            // The report quotes the answer and the drill: shown, never interpreted, keeping
            // only the report's own colours.
            let mut text = Vec::new();
            crate::score::report::write_text(&mut text, drill, &report)?;
            out.write_all(shown_with_own_colours(&text).as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Report text built with `colored` from untrusted parts, ready for stdout: with colours on, only
/// sysdrill's own colour sequences survive; with colours off, no escape at all does.
fn shown_with_own_colours(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    if colored::control::SHOULD_COLORIZE.should_colorize() {
        crate::term::visible_keeping_colour(&text).into_owned()
    } else {
        crate::term::visible(&text).into_owned()
    }
}

/// Reads at most `limit` bytes; more is an error naming the limit, not an answer cut short.
fn read_all(reader: impl Read, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .context("cannot read stdin")?;
    if bytes.len() as u64 > limit {
        return Err(usage(format!(
            "the answer on stdin is larger than {}; score a shorter answer",
            crate::walk::limit(limit)
        )));
    }
    Ok(bytes)
}

fn lint(paths: &[PathBuf], content_dirs: &[PathBuf]) -> Result<ExitCode> {
    let targets = if paths.is_empty() {
        content_dirs
    } else {
        paths
    };
    let diagnostics = content::lint(targets, content_dirs);
    if diagnostics.is_empty() {
        println!("no problems found");
        return Ok(ExitCode::SUCCESS);
    }
    print_diagnostics(&diagnostics);
    Ok(if diagnostics.iter().any(Diagnostic::is_error) {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// `check [ID|PATH ...]`: a target that exists on disk (or looks like a file) is content to load
/// after the `--content` directories; any other is a drill id. No targets: every drill.
fn check(targets: &[PathBuf], format: ScoreFormat, content_dirs: &[PathBuf]) -> Result<ExitCode> {
    let (paths, ids): (Vec<&PathBuf>, Vec<&PathBuf>) = targets.iter().partition(|target| {
        target.exists() || target.extension().is_some() || target.components().count() > 1
    });
    let mut dirs = content_dirs.to_vec();
    dirs.extend(paths.iter().map(|path| (*path).clone()));
    let catalog = load(&dirs)?;
    let mut selected: Vec<&crate::domain::Drill> = Vec::new();
    for id in &ids {
        selected.push(require_drill(&catalog, &id.to_string_lossy())?);
    }
    for (id, drill) in &catalog.drills {
        let from_paths = matches!(
            catalog.origins.drills.get(id),
            Some(content::Origin::File(file)) if paths.iter().any(|path| file.starts_with(path))
        );
        if (targets.is_empty() || from_paths) && !selected.iter().any(|d| d.id == *id) {
            selected.push(drill);
        }
    }
    let reports: Vec<_> = selected
        .iter()
        .map(|drill| {
            let incident = drill
                .incident
                .as_ref()
                .and_then(|id| catalog.incidents.get(id));
            let path = catalog.drill_path(&drill.id);
            crate::score::check::run_examples_with_forms(
                drill,
                incident,
                &path.display().to_string(),
                &catalog.forms,
            )
        })
        .collect();
    let failures: usize = reports.iter().map(|r| r.failures()).sum();
    let mut out = io::stdout().lock();
    match format {
        ScoreFormat::Json => crate::score::check::write_json(&mut out, &reports)?,
        ScoreFormat::Text => {
            for report in &reports {
                let mut text = Vec::new();
                crate::score::check::write_report(&mut text, report)?;
                out.write_all(shown_with_own_colours(&text).as_bytes())?;
            }
            if failures > 0 {
                writeln!(out, "{failures} example(s) failed")?;
            }
        }
    }
    Ok(if failures > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}
