//! The command line, stable once shipped (tests and scripts depend on it). Definitions only:
//! no logic lives here. The library owns its option types ([`Mode`], [`GradeFormat`],
//! [`SchemaKind`]) as plain enums; the clap value names for them are given here, so clap stays
//! in `cli` and `app`.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::content::schema::SchemaKind;
pub use crate::grade::GradeFormat;
pub use crate::interview::Mode;

#[derive(Debug, Parser)]
#[command(
    name = "sysdrill",
    version,
    about = "Practise Linux performance and concurrency interviews on a simulated machine",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Add a coach's drills and incidents from this directory (repeatable)
    #[arg(long, value_name = "DIR", global = true)]
    pub content: Vec<PathBuf>,

    /// When to use colours (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Practise one drill in the REPL (reads answers line by line when stdin is not a terminal)
    Practice(PracticeArgs),
    /// List the drills with their kind, tags and difficulty
    List(ListArgs),
    /// Print what tool commands show on an incident, e.g. `show slow-under-load "vmstat 1 5"`
    Show(ShowArgs),
    /// Score one free-text answer against a drill's rubric
    Score(ScoreArgs),
    /// Validate drills and incidents; every error with file:line:col
    Lint(PathsArgs),
    /// Run drills' calibration examples against their rubrics and explain each failure
    Check(CheckArgs),
    /// Grade saved transcripts (directories are walked)
    Grade(GradeArgs),
    /// Your progress: attempts, scores over time, weakest concepts, what to drill next
    Stats(StatsArgs),
    /// Print the JSON Schema of the drill, incident and lexicon formats
    Schema(SchemaArgs),
    /// Print shell completions
    Completions(CompletionsArgs),
}

impl ValueEnum for Mode {
    fn value_variants<'a>() -> &'a [Self] {
        &[Mode::Interview, Mode::Practice]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Mode::Interview => "The interviewer pushes back and keeps hints for when you ask",
            Mode::Practice => {
                "Gentler: the interviewer shows the evidence for each point as you go"
            }
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

#[derive(Debug, Args)]
pub struct PracticeArgs {
    /// Drill id (see `sysdrill list`); without it, the home screen lets you pick
    pub id: Option<String>,
    /// Seed for the simulated machine (default: the drill's own seed)
    #[arg(long)]
    pub seed: Option<u64>,
    #[arg(long, value_enum, default_value_t = Mode::Interview)]
    pub mode: Mode,
    /// Where to save the transcript (default: the XDG data directory)
    #[arg(long, value_name = "PATH")]
    pub transcript: Option<PathBuf>,
    /// Name recorded in the transcript, for graders
    #[arg(long)]
    pub candidate: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only drills with this tag
    #[arg(long)]
    pub tag: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Incident id (see `sysdrill list`)
    pub incident: String,
    /// Tool command lines, e.g. "vmstat 1 5" "perf lock report"
    pub commands: Vec<String>,
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ScoreFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Drill id
    pub drill: String,
    /// File holding the answer, or `-` for stdin (the default)
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ScoreFormat::Text)]
    pub format: ScoreFormat,
}

#[derive(Debug, Args)]
pub struct PathsArgs {
    /// Files or directories (default: the embedded content and every --content DIR)
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Drill ids, drill files or directories (default: every drill, shipped and from --content)
    #[arg(value_name = "ID|PATH")]
    pub targets: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ScoreFormat::Text)]
    pub format: ScoreFormat,
}

impl ValueEnum for GradeFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[GradeFormat::Table, GradeFormat::Json, GradeFormat::Csv]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            GradeFormat::Table => "table",
            GradeFormat::Json => "json",
            GradeFormat::Csv => "csv",
        }))
    }
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// Transcript files or directories
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = GradeFormat::Table)]
    pub format: GradeFormat,
    /// Worker threads (default: the number of CPUs)
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Write the report here instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Compare with human scores (from the transcripts or --human)
    #[arg(long)]
    pub compare_human: bool,
    /// CSV of human scores: `file,score`
    #[arg(long, value_name = "CSV")]
    pub human: Option<PathBuf>,
    /// Group answers to the same drill that earn the same concepts
    #[arg(long)]
    pub groups: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Read transcripts from this directory instead of the XDG data directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl ValueEnum for SchemaKind {
    fn value_variants<'a>() -> &'a [Self] {
        &[SchemaKind::Drill, SchemaKind::Incident, SchemaKind::Lexicon]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            SchemaKind::Drill => "drill",
            SchemaKind::Incident => "incident",
            SchemaKind::Lexicon => "lexicon",
        }))
    }
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema (default: all, as one JSON object keyed by kind)
    #[arg(value_enum)]
    pub kind: Option<SchemaKind>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}
