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
        Some(Command::Check(args)) => check(&args.paths, &content_dirs),
        Some(Command::Grade(args)) => {
            let catalog = load(&content_dirs)?;
            Ok(crate::grade::run(&catalog, &args)?)
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
    let _ = writeln!(
        err,
        "{} error{} found",
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" }
    );
}

/// The XDG data directory for transcripts and history.
fn data_dir() -> Result<PathBuf> {
    Ok(crate::repl::data_dir()?)
}

fn practice(
    catalog: &Catalog,
    drill: Option<String>,
    seed: Option<Seed>,
    mode: crate::cli::Mode,
    transcript: Option<PathBuf>,
    candidate: Option<String>,
) -> Result<ExitCode> {
    if let Some(id) = &drill {
        require_drill(catalog, id)?;
    }
    let mode = match mode {
        crate::cli::Mode::Interview => crate::interview::Mode::Interview,
        crate::cli::Mode::Practice => crate::interview::Mode::Practice,
    };
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
            did_you_mean(id, ids).unwrap_or_default()
        ))
    })
}

/// ", did you mean `x`?" for the closest candidate within a small edit distance.
fn did_you_mean<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    crate::repl::did_you_mean(given, candidates)
        .map(|candidate| format!(" (did you mean `{candidate}`?)"))
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
                    truncate(&drill.title, 40),
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
            did_you_mean(incident, ids).unwrap_or_default()
        )));
    };
    let seed = Seed(seed.unwrap_or(found.default_seed));
    let concrete = crate::model::variant::pick(found, seed);
    let mut console = Console::new(&concrete, seed);
    let mut out = io::stdout().lock();
    if commands.is_empty() {
        writeln!(out, "{}\n\n{}", found.title, found.narrative.trim_end())?;
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
            Ok(text) => out.write_all(text.as_bytes())?,
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
    let bytes = match file {
        None => read_all(io::stdin().lock())?,
        Some(path) if path == Path::new("-") => read_all(io::stdin().lock())?,
        Some(path) => {
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?
        }
    };
    // Invalid UTF-8 is replaced (U+FFFD) rather than refused: the rest of the answer still counts.
    let answer = String::from_utf8_lossy(&bytes);
    let report = Scorer::new(drill).score(&answer, &Shown::default());
    let mut out = io::stdout().lock();
    match format {
        ScoreFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        ScoreFormat::Text => crate::score::report::write_text(&mut out, drill, &report)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn read_all(mut reader: impl Read) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .context("cannot read stdin")?;
    Ok(bytes)
}

fn lint(paths: &[PathBuf], content_dirs: &[PathBuf]) -> Result<ExitCode> {
    let targets = if paths.is_empty() {
        content_dirs
    } else {
        paths
    };
    let diagnostics = content::lint(targets);
    if diagnostics.is_empty() {
        println!("no problems found");
        return Ok(ExitCode::SUCCESS);
    }
    print_diagnostics(&diagnostics);
    Ok(ExitCode::from(EXIT_FINDINGS))
}

fn check(paths: &[PathBuf], content_dirs: &[PathBuf]) -> Result<ExitCode> {
    let dirs = if paths.is_empty() {
        content_dirs
    } else {
        paths
    };
    let catalog = load(dirs)?;
    let mut out = io::stdout().lock();
    let mut failures = 0usize;
    for drill in catalog.drills.values() {
        // With explicit paths, check only the drills loaded from them.
        if !paths.is_empty() && !catalog.is_from_dirs(&drill.id) {
            continue;
        }
        let report = crate::score::check::run_examples(drill);
        failures += report.failures();
        crate::score::check::write_report(&mut out, drill, &report)?;
    }
    if failures > 0 {
        writeln!(out, "{failures} example(s) failed")?;
        Ok(ExitCode::from(EXIT_FINDINGS))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
