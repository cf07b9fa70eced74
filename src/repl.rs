//! The terminal edge of a practice session: rustyline on a TTY, a plain line reader on a pipe.
//! Turns lines into interview inputs and prints the interviewer's outputs (coloured on a TTY).
//!
//! This module owns the wall clock for a session (start time, elapsed time, the transcript's
//! timestamps) and the transcript file, saved atomically after every turn so a killed session
//! keeps every completed turn. The interviewer itself (`interview`) never sees a terminal or a
//! clock.
//!
//! On a TTY: persisted history (`history.txt` in the XDG data directory), tab completion and
//! hints for commands, tool commands and drill ids, multi-line answers (end a line with `\`),
//! Ctrl-C cancels the line, Ctrl-D ends the drill with the scorecard. Without a TTY on stdin:
//! one line per input, no prompts, no colours; at end of input the drill wraps up and saves.

pub mod clock;
pub mod helper;
pub mod wrap;

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use colored::{Color, Colorize};
use rustyline::Editor;
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::{FileHistory, History};

use crate::commands::{self, HomeVerb};
use crate::content::Catalog;
use crate::domain::{Drill, DrillId, Seed};
use crate::interview::{self, Input, Interview, Output, Scorecard};
use crate::term;
use crate::transcript::{self, Transcript};

use helper::ReplHelper;

#[derive(Debug, Clone)]
pub struct PracticeConfig {
    pub drill: Option<String>,
    pub seed: Option<Seed>,
    pub mode: interview::Mode,
    pub transcript: Option<PathBuf>,
    pub candidate: Option<String>,
}

/// Runs a practice session (or the home screen when no drill is given).
pub fn practice(catalog: &Catalog, config: &PracticeConfig) -> io::Result<()> {
    let interactive = io::stdin().is_terminal();
    let color = interactive && colored::control::SHOULD_COLORIZE.should_colorize();
    let data_dir = data_dir().ok();
    let mut source = if interactive {
        Source::editor(color, data_dir.as_deref())
    } else {
        Source::Pipe(io::stdin().lock())
    };
    let mut screen = Screen {
        out: io::stdout(),
        color,
        interactive,
    };
    let result = match &config.drill {
        Some(id) => run_drill(
            catalog,
            id,
            config,
            &mut source,
            &mut screen,
            data_dir.as_deref(),
        ),
        None => home(
            catalog,
            config,
            &mut source,
            &mut screen,
            data_dir.as_deref(),
        ),
    };
    source.save_history();
    result
}

/// The XDG data directory for transcripts and history.
pub fn data_dir() -> io::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "sysdrill")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no home directory to keep transcripts in; pass --transcript PATH",
            )
        })
}

/// Where lines come from.
enum Source<'a> {
    Editor {
        editor: Box<Editor<ReplHelper, FileHistory>>,
        history: Option<PathBuf>,
    },
    Pipe(io::StdinLock<'a>),
}

/// Longest line read, in bytes (a multi-line answer counts as one line): about three pages.
pub const MAX_LINE_BYTES: usize = 16 * 1024;
/// Most inputs one drill session takes before it finishes with the scorecard.
pub const MAX_INPUTS: usize = 1000;
/// Most bytes typed in one drill session before it finishes with the scorecard.
pub const MAX_SESSION_BYTES: usize = 1024 * 1024;

enum Line {
    Text(String),
    /// A line over [`MAX_LINE_BYTES`]: not kept; its length in bytes (at least).
    TooLong(usize),
    /// Ctrl-C: the line is dropped.
    Interrupted,
    /// Ctrl-D or end of input.
    Eof,
}

impl Source<'_> {
    fn editor(color: bool, data_dir: Option<&Path>) -> Self {
        let config = Config::builder()
            .completion_type(CompletionType::List)
            .max_history_size(5000)
            .map(|builder| builder.history_ignore_space(true).build());
        let built = config.and_then(|config| {
            let mut editor = Editor::with_config(config)?;
            editor.set_helper(Some(ReplHelper::new(color)));
            Ok(editor)
        });
        match built {
            Ok(mut editor) => {
                let history = data_dir.map(|dir| dir.join("history.txt"));
                if let Some(path) = &history {
                    // A missing or unreadable history is not worth stopping for.
                    let _ = editor.load_history(path);
                }
                Source::Editor {
                    editor: Box::new(editor),
                    history,
                }
            }
            // No usable terminal after all: read it as a stream.
            Err(_) => Source::Pipe(io::stdin().lock()),
        }
    }

    fn set_completions(&mut self, lines: Vec<String>) {
        if let Source::Editor { editor, .. } = self
            && let Some(helper) = editor.helper_mut()
        {
            helper.set_lines(lines);
        }
    }

    fn read(&mut self, prompt: &str) -> io::Result<Line> {
        match self {
            Source::Editor { editor, history } => match editor.readline(prompt) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = editor.add_history_entry(line.as_str());
                        if let Some(path) = history.as_deref() {
                            // Appended at once so a killed session keeps its history too.
                            if let Some(dir) = path.parent() {
                                let _ = std::fs::create_dir_all(dir);
                            }
                            let _ = editor.append_history(path);
                        }
                    }
                    if line.len() > MAX_LINE_BYTES {
                        return Ok(Line::TooLong(line.len()));
                    }
                    Ok(Line::Text(helper::join_continuations(&line)))
                }
                Err(ReadlineError::Interrupted) => Ok(Line::Interrupted),
                Err(ReadlineError::Eof) => Ok(Line::Eof),
                Err(ReadlineError::Io(error)) => Err(error),
                Err(error) => Err(io::Error::other(error.to_string())),
            },
            Source::Pipe(stdin) => read_piped(stdin),
        }
    }

    fn save_history(&mut self) {
        if let Source::Editor {
            editor,
            history: Some(path),
        } = self
            && editor.history().len() > 0
        {
            let _ = editor.append_history(path);
        }
    }
}

/// One logical line from a pipe: CRLF and LF endings, invalid UTF-8 replaced, `\` continuation.
/// A line over [`MAX_LINE_BYTES`] is skipped to its end without being kept.
fn read_piped<R: BufRead>(stdin: &mut R) -> io::Result<Line> {
    let mut text = String::new();
    loop {
        let mut bytes = Vec::new();
        let budget = (MAX_LINE_BYTES + 1).saturating_sub(text.len()) as u64;
        let read = <&mut R as io::Read>::take(stdin, budget).read_until(b'\n', &mut bytes)?;
        if read == 0 {
            return Ok(if text.is_empty() {
                Line::Eof
            } else {
                Line::Text(text)
            });
        }
        if !bytes.ends_with(b"\n") && text.len() + bytes.len() > MAX_LINE_BYTES {
            let skipped = skip_line(stdin)?;
            return Ok(Line::TooLong(text.len() + bytes.len() + skipped));
        }
        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            bytes.pop();
        }
        let line = String::from_utf8_lossy(&bytes);
        if helper::continues(&line) {
            let trimmed = line.trim_end_matches([' ', '\t']);
            text.push_str(&trimmed[..trimmed.len() - 1]);
            text.push('\n');
            continue;
        }
        text.push_str(&line);
        return Ok(Line::Text(text));
    }
}

/// Reads to the end of the current line without keeping it; the bytes skipped before the
/// newline.
fn skip_line(stdin: &mut impl BufRead) -> io::Result<usize> {
    let mut skipped = 0;
    loop {
        let buffer = stdin.fill_buf()?;
        if buffer.is_empty() {
            return Ok(skipped);
        }
        match buffer.iter().position(|b| *b == b'\n') {
            Some(end) => {
                stdin.consume(end + 1);
                return Ok(skipped + end);
            }
            None => {
                let length = buffer.len();
                stdin.consume(length);
                skipped += length;
            }
        }
    }
}

fn too_long_message(bytes: usize) -> String {
    format!(
        "that line is {bytes} bytes, over the limit of {MAX_LINE_BYTES} (about three pages): \
         it was not read; split it into several answers"
    )
}

/// Prints, with or without colour. Prose is wrapped to the terminal's width at the moment it is
/// printed; tool output is printed as the tool printed it. Text from content files and from the
/// candidate passes through `term::visible` first, so it can never drive the terminal.
struct Screen {
    out: io::Stdout,
    color: bool,
    interactive: bool,
}

/// Width assumed on a terminal that does not report one.
const FALLBACK_WIDTH: usize = 80;

impl Screen {
    /// `text` made visible (escapes from content or answers shown, not interpreted), then
    /// coloured: the only escapes this prints are its own.
    fn paint(&self, text: &str, color: Color, bold: bool) -> String {
        let text = crate::term::visible(text);
        if !self.color {
            return text.into_owned();
        }
        let painted = text.color(color);
        if bold {
            painted.bold().to_string()
        } else {
            painted.to_string()
        }
    }

    /// Columns to wrap prose at; `None` on a pipe, where lines stay whole.
    fn width(&self) -> Option<usize> {
        if !self.interactive {
            return None;
        }
        let reported = terminal_size::terminal_size_of(&self.out)
            .map(|(width, _)| usize::from(width.0))
            .filter(|width| *width > 0);
        Some(reported.unwrap_or(FALLBACK_WIDTH))
    }

    /// Paragraphs reflowed and wrapped (interviewer speech, info, hints).
    fn prose(&self, text: &str) -> String {
        let text = term::visible(text);
        match self.width() {
            Some(width) => wrap::prose(&text, width),
            None => wrap::reflow(&text),
        }
    }

    /// Line by line wrapped, no reflow (help, lists, the scorecard).
    fn wrapped_lines(&self, text: &str) -> String {
        let text = term::visible(text);
        match self.width() {
            Some(width) => wrap::lines(&text, width),
            None => text.into_owned(),
        }
    }

    fn line(&mut self, text: &str) -> io::Result<()> {
        let text = self.wrapped_lines(text);
        writeln!(self.out, "{text}")
    }

    /// A line already sanitised and possibly coloured (wrapping would count escape codes).
    fn raw_line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{text}")
    }

    fn show(&mut self, output: &Output) -> io::Result<()> {
        match output {
            Output::Say { text, .. } => {
                let text = self.prose(text.trim_end());
                let painted = self.paint(&text, Color::Cyan, true);
                writeln!(self.out, "\n{painted}\n")?;
            }
            Output::Tool { text, .. } | Output::WhatIf { text, .. } => {
                self.out.write_all(term::visible(text).as_bytes())?;
                if !text.ends_with('\n') {
                    writeln!(self.out)?;
                }
            }
            Output::ToolError { message, .. } => {
                let text = self.wrapped_lines(message.trim_end());
                let painted = self.paint(&text, Color::Red, false);
                writeln!(self.out, "{painted}")?;
            }
            Output::Feedback(text) => {
                let text = self.wrapped_lines(text.trim_end());
                let painted = self.paint(&text, Color::Green, false);
                writeln!(self.out, "{painted}")?;
            }
            Output::Info(text) => {
                let text = self.wrapped_lines(&wrap::reflow(text.trim_end()));
                let painted = self.paint(&text, Color::BrightBlack, false);
                writeln!(self.out, "{painted}")?;
            }
            Output::Hint { number, text, cost } => {
                let text = self.prose(&format!(
                    "Hint {number} (costs {cost} points): {}",
                    text.trim_end()
                ));
                let painted = self.paint(&text, Color::Yellow, false);
                writeln!(self.out, "{painted}")?;
            }
            Output::Scorecard(card) => self.scorecard(card)?,
            Output::Finished => {}
        }
        self.out.flush()
    }

    fn scorecard(&mut self, card: &Scorecard) -> io::Result<()> {
        writeln!(self.out)?;
        for source_line in card.to_text().lines() {
            // Quoted output rows stay as the tool printed them; everything else wraps.
            let text = if source_line.starts_with(interview::QUOTE) {
                term::visible(source_line).into_owned()
            } else {
                self.wrapped_lines(source_line)
            };
            for line in text.lines() {
                let painted = if line.starts_with("  [x]") {
                    self.paint(line, Color::Green, false)
                } else if line.starts_with("  [ ]") || line.starts_with("  [!]") {
                    self.paint(line, Color::Red, false)
                } else if !line.starts_with(' ') {
                    self.paint(line, Color::White, true)
                } else {
                    line.to_owned()
                };
                writeln!(self.out, "{painted}")?;
            }
        }
        Ok(())
    }
}

/// Seconds since the Unix epoch, from the wall clock.
#[allow(clippy::disallowed_methods)] // the REPL is the edge that owns the session's wall clock
fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A monotonic start point for "seconds since the session started".
#[allow(clippy::disallowed_methods)] // as above: elapsed wall time is measured here, not in the core
fn monotonic_now() -> Instant {
    Instant::now()
}

fn home(
    catalog: &Catalog,
    config: &PracticeConfig,
    source: &mut Source<'_>,
    screen: &mut Screen,
    data_dir: Option<&Path>,
) -> io::Result<()> {
    let prompt = if matches!(source, Source::Editor { .. }) {
        "sysdrill> "
    } else {
        ""
    };
    let title = screen.paint(
        "sysdrill: practise Linux performance and concurrency interviews",
        Color::White,
        true,
    );
    screen.raw_line(&title)?;
    write_drill_list(screen, catalog)?;
    screen.line("Type `start ID` to begin a drill, `help` for every command.")?;
    loop {
        source.set_completions(home_completions(catalog));
        let line = match source.read(prompt)? {
            Line::Eof => {
                screen.line("End of input: leaving sysdrill.")?;
                break;
            }
            Line::Interrupted => continue,
            Line::TooLong(bytes) => {
                screen.line(&too_long_message(bytes))?;
                continue;
            }
            Line::Text(line) => line,
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((first, args)) = words.split_first() else {
            continue;
        };
        let verb = commands::HOME
            .iter()
            .find(|(_, command)| command.names.contains(first))
            .map(|(verb, _)| *verb);
        let wanted = match (verb, args) {
            (Some(HomeVerb::Quit), []) => break,
            (Some(HomeVerb::List), []) => {
                write_drill_list(screen, catalog)?;
                continue;
            }
            (Some(HomeVerb::Help), []) => {
                screen.line(&home_help())?;
                continue;
            }
            (Some(HomeVerb::Stats), []) => {
                write_stats(screen, catalog, data_dir)?;
                continue;
            }
            (Some(HomeVerb::Start), []) => {
                screen.line("Which drill? `start ID` with one of these:")?;
                write_drill_list(screen, catalog)?;
                continue;
            }
            (Some(HomeVerb::Start), [id]) => *id,
            // A drill id alone starts it too.
            (None, []) if catalog.drills.contains_key(&DrillId::from(*first)) => *first,
            _ => {
                screen.line(&format!(
                    "unknown command `{}`; type `help` for the commands",
                    line.trim()
                ))?;
                continue;
            }
        };
        let id = match resolve_drill(catalog, wanted) {
            Ok(id) => id,
            Err(message) => {
                let message = screen.wrapped_lines(&message);
                let painted = screen.paint(&message, Color::Red, false);
                screen.raw_line(&painted)?;
                continue;
            }
        };
        match run_drill(catalog, &id, config, source, screen, data_dir) {
            Ok(()) => {}
            // A drill that cannot start (its incident is missing) leaves the home
            // screen usable.
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let painted = screen.paint(&error.to_string(), Color::Red, false);
                screen.raw_line(&painted)?;
            }
            Err(error) => return Err(error),
        }
        screen.line("Back at the drill list: `start ID`, `list`, `help` or `quit`.")?;
    }
    Ok(())
}

/// The drill a `start` argument names: an exact id, or the only id it is a prefix of. Otherwise
/// a message with the ids it could mean ("did you mean slow-under-load?").
fn resolve_drill(catalog: &Catalog, wanted: &str) -> Result<String, String> {
    if catalog.drills.contains_key(&DrillId::from(wanted)) {
        return Ok(wanted.to_owned());
    }
    let ids: Vec<&str> = catalog.drills.keys().map(DrillId::as_str).collect();
    let prefixed: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| id.starts_with(wanted))
        .collect();
    let wanted = term::visible_line(wanted);
    match prefixed.as_slice() {
        [only] => Ok((*only).to_owned()),
        [] => Err(
            match crate::suggest::closest(&wanted, ids.iter().copied()) {
                Some(id) => format!("unknown drill `{wanted}`: did you mean {id}?"),
                None => format!("unknown drill `{wanted}`; `list` shows the drills"),
            },
        ),
        several => Err(format!(
            "`{wanted}` could be {}: which one?",
            several.join(", ")
        )),
    }
}

fn home_help() -> String {
    let mut text = String::from("Commands:\n");
    for (_, command) in commands::HOME {
        let names = command.names[1..].join(", ");
        let aliases = if names.is_empty() {
            String::new()
        } else {
            format!(" (also {names})")
        };
        text.push_str(&format!(
            "  {:<10} {}{aliases}\n",
            command.usage, command.summary
        ));
    }
    text.push_str("Inside a drill, `help` lists the tools and the interviewer's commands.");
    text
}

fn write_stats(screen: &mut Screen, catalog: &Catalog, data_dir: Option<&Path>) -> io::Result<()> {
    let Some(dir) = data_dir else {
        return screen.line("no data directory: progress is kept only with a home directory");
    };
    let mut buffer = Vec::new();
    crate::progress::print_stats(catalog, dir, &mut buffer)?;
    screen.line(String::from_utf8_lossy(&buffer).trim_end())
}

fn home_completions(catalog: &Catalog) -> Vec<String> {
    let mut lines: Vec<String> = commands::HOME
        .iter()
        .flat_map(|(_, command)| command.names.iter())
        .filter(|name| **name != "?")
        .map(|name| (*name).to_owned())
        .collect();
    for id in catalog.drills.keys() {
        lines.push(format!("start {id}"));
    }
    lines
}

fn write_drill_list(screen: &mut Screen, catalog: &Catalog) -> io::Result<()> {
    let width = catalog
        .drills
        .keys()
        .map(|id| id.as_str().len())
        .max()
        .unwrap_or(2)
        .max(2);
    let header = format!("{:<width$}  {:<8}  {:<6}  TITLE", "ID", "KIND", "LEVEL");
    let header = screen.paint(&header, Color::White, true);
    screen.raw_line(&header)?;
    for drill in catalog.drills.values() {
        let id = format!("{:<width$}", term::visible_line(drill.id.as_str()));
        let id = screen.paint(&id, Color::Cyan, false);
        screen.raw_line(&format!(
            "{id}  {:<8}  {:<6}  {}",
            drill.kind.name(),
            drill.difficulty.name(),
            term::visible_line(&drill.title)
        ))?;
    }
    Ok(())
}

fn session_completions(drill: &Drill) -> Vec<String> {
    let mut lines: Vec<String> = commands::SESSION
        .iter()
        .filter(|(verb, _)| drill.incident.is_some() || *verb != commands::Verb::Try)
        .flat_map(|(_, command)| command.names.iter())
        .filter(|name| **name != "?")
        .map(|name| (*name).to_owned())
        .collect();
    if drill.incident.is_some() {
        lines.extend(commands::tool_examples().map(str::to_owned));
        for (syntax, _) in crate::model::whatif::parameter_help() {
            // `threads=N` completes to `try threads=`; `shards[.LOCK]=N` to `try shards=`.
            let name = syntax.split(['=', '[']).next().unwrap_or(syntax);
            lines.push(format!("try {name}="));
        }
    }
    lines
}

/// The transcript file and the wall clock of one session. The interviewer writes the log; this
/// only stamps the time and saves it.
struct Recorder {
    path: PathBuf,
    transcript: Transcript,
    started: Instant,
    /// Why the last save failed, while the file on disk is behind the session.
    unsaved: Option<String>,
}

impl Recorder {
    fn elapsed(&self) -> Duration {
        monotonic_now().saturating_duration_since(self.started)
    }

    fn at_s(&self) -> f64 {
        (self.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
    }

    /// Saves the whole transcript (the session's log so far); a failure is shown every time
    /// (the file on disk stops at the last turn that saved), and practice goes on: the next
    /// save may succeed and catch up.
    fn save(&mut self, session: &Interview, screen: &mut Screen) -> io::Result<()> {
        self.transcript.log = session.log().to_vec();
        match transcript::save(&self.path, &self.transcript) {
            Ok(()) => self.unsaved = None,
            Err(error) => {
                let message = format!(
                    "warning: the transcript was not saved to {}: {error} (entry {} of the log is not on disk)",
                    self.path.display(),
                    self.transcript.log.len()
                );
                let painted = screen.paint(&message, Color::Yellow, false);
                eprintln!("{painted}");
                self.unsaved = Some(error.to_string());
            }
        }
        Ok(())
    }
}

fn default_transcript_path(data_dir: Option<&Path>, drill: &str, seed: Seed, now: u64) -> PathBuf {
    let name = format!("{drill}-{}-{seed}.json", clock::file_stamp(now));
    match data_dir {
        Some(dir) => dir.join("transcripts").join(name),
        None => PathBuf::from(name),
    }
}

fn run_drill(
    catalog: &Catalog,
    id: &str,
    config: &PracticeConfig,
    source: &mut Source<'_>,
    screen: &mut Screen,
    data_dir: Option<&Path>,
) -> io::Result<()> {
    let Some(drill) = catalog.drills.get(&DrillId::from(id)) else {
        let message = resolve_drill(catalog, id).err().unwrap_or_default();
        return Err(io::Error::new(io::ErrorKind::NotFound, message));
    };
    let incident = drill
        .incident
        .as_ref()
        .and_then(|incident| catalog.incidents.get(incident));
    if let (Some(wanted), None) = (&drill.incident, incident) {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("drill `{id}` needs incident `{wanted}`, which is not loaded"),
        ));
    }
    let seed = config.seed.unwrap_or_else(|| {
        Seed(
            drill
                .seed
                .or(incident.map(|incident| incident.default_seed))
                .unwrap_or(0),
        )
    });
    let mode = config.mode;
    let now = epoch_now();
    let path = config
        .transcript
        .clone()
        .unwrap_or_else(|| default_transcript_path(data_dir, id, seed, now));
    // Refused before anything is practised: a session whose answers cannot be kept is not run.
    if let Err(reason) = transcript::save::check_target(&path) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "cannot save the transcript to {}: {reason}; pass --transcript PATH to a file in a writable folder",
                crate::term::visible_line(&path.display().to_string())
            ),
        ));
    }
    let mut recorder = Recorder {
        path,
        transcript: Transcript::new(
            id,
            drill.content_hash,
            seed.0,
            mode.name(),
            config.candidate.clone(),
            clock::rfc3339(now),
        ),
        started: monotonic_now(),
        unsaved: None,
    };
    let interactive = matches!(source, Source::Editor { .. });
    source.set_completions(session_completions(drill));

    let mut session = Interview::with_forms(drill, incident, seed, mode, &catalog.forms);
    let banner = format!(
        "{} ({id}), seed {seed}, {} mode. Type `help` for commands{}.",
        term::visible_line(&drill.title),
        mode.name(),
        if interactive {
            "; Ctrl-D ends the drill"
        } else {
            ""
        }
    );
    let banner = screen.wrapped_lines(&banner);
    let banner = screen.paint(&banner, Color::BrightBlack, false);
    screen.raw_line(&banner)?;
    session.set_elapsed(recorder.at_s());
    let opening = session.start();
    for output in &opening {
        screen.show(output)?;
    }
    recorder.save(&session, screen)?;
    // Saved transcripts outside the data directory are found by `stats` through its index.
    if let Some(dir) = data_dir {
        crate::progress::index::remember(dir, &recorder.path);
    }

    let prompt = if interactive { "you> " } else { "" };
    let (mut inputs, mut typed) = (0usize, 0usize);
    while !session.is_finished() {
        if inputs >= MAX_INPUTS || typed >= MAX_SESSION_BYTES {
            let message = format!(
                "This session has reached its limit ({MAX_INPUTS} inputs or {} KiB typed): \
                 finishing with the scorecard.",
                MAX_SESSION_BYTES / 1024
            );
            screen.line(&message)?;
            let wall = recorder.elapsed().as_secs();
            session.set_elapsed(recorder.at_s());
            let outputs = session.wrap_up(Some(wall));
            finish_turn(&mut recorder, &session, screen, outputs)?;
            break;
        }
        let line = match source.read(prompt)? {
            Line::Eof => {
                let what = if interactive {
                    "Ctrl-D: you ended the drill. Here is where it stands."
                } else {
                    "End of input: the drill ends here."
                };
                let what = screen.paint(what, Color::BrightBlack, false);
                screen.raw_line(&format!("\n{what}"))?;
                let wall = recorder.elapsed().as_secs();
                session.set_elapsed(recorder.at_s());
                let outputs = session.wrap_up(Some(wall));
                finish_turn(&mut recorder, &session, screen, outputs)?;
                break;
            }
            Line::Interrupted => continue,
            Line::TooLong(bytes) => {
                screen.line(&too_long_message(bytes))?;
                continue;
            }
            Line::Text(line) => line,
        };
        let Some(mut input) = Input::classify(&line) else {
            continue;
        };
        inputs += 1;
        typed += line.len();
        let wall = recorder.elapsed().as_secs();
        if let Input::Time { wall_s } = &mut input {
            *wall_s = Some(wall);
        }
        session.set_elapsed(recorder.at_s());
        let outputs = if input == Input::Quit {
            session.wrap_up(Some(wall))
        } else {
            session.handle(input)
        };
        finish_turn(&mut recorder, &session, screen, outputs)?;
    }

    recorder.transcript.finished_at = Some(clock::rfc3339(epoch_now()));
    recorder.save(&session, screen)?;
    // Again at the end, in case the first save failed (indexing twice is a no-op).
    if let Some(dir) = data_dir {
        crate::progress::index::remember(dir, &recorder.path);
    }
    if let Some(error) = &recorder.unsaved {
        let score = recorder
            .transcript
            .final_card()
            .map_or_else(|| "-".to_owned(), |card| card.score.to_string());
        return Err(io::Error::other(format!(
            "the transcript was not saved to {}: {error}; the file on disk (if any) lacks the last \
             turns and the final score ({} log entries, score {score})",
            crate::term::visible_line(&recorder.path.display().to_string()),
            recorder.transcript.log.len(),
        )));
    }
    let saved = format!(
        "transcript saved: {}",
        term::visible(&recorder.path.display().to_string())
    );
    let saved = screen.paint(&saved, Color::BrightBlack, false);
    screen.raw_line(&saved)
}

fn finish_turn(
    recorder: &mut Recorder,
    session: &Interview,
    screen: &mut Screen,
    mut outputs: Vec<Output>,
) -> io::Result<()> {
    let wall = recorder.elapsed().as_secs();
    for output in &mut outputs {
        if let Output::Scorecard(card) = output
            && card.final_card
            && card.wall_s.is_none()
        {
            card.wall_s = Some(wall);
        }
    }
    recorder.save(session, screen)?;
    for output in &outputs {
        screen.show(output)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piped_lines_handle_crlf_invalid_utf8_and_continuations() {
        let input: &[u8] = b"vmstat 1 3\r\nfirst \\\nsecond\n\xff bad\nlast";
        let mut reader = io::BufReader::new(input);
        let mut lines = Vec::new();
        loop {
            match read_piped(&mut reader).unwrap() {
                Line::Text(text) => lines.push(text),
                Line::Eof => break,
                Line::Interrupted | Line::TooLong(_) => unreachable!(),
            }
        }
        assert_eq!(
            lines,
            vec!["vmstat 1 3", "first \nsecond", "\u{fffd} bad", "last"]
        );
    }

    #[test]
    fn piped_lines_over_the_limit_are_skipped_not_kept() {
        let mut input = b"vmstat 1\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES * 3));
        input.extend(b"\nlast\n");
        let mut reader = io::BufReader::with_capacity(64, &input[..]);
        assert!(matches!(read_piped(&mut reader).unwrap(), Line::Text(t) if t == "vmstat 1"));
        assert!(matches!(
            read_piped(&mut reader).unwrap(),
            Line::TooLong(n) if n == MAX_LINE_BYTES * 3
        ));
        assert!(matches!(read_piped(&mut reader).unwrap(), Line::Text(t) if t == "last"));
        assert!(matches!(read_piped(&mut reader).unwrap(), Line::Eof));
    }

    #[test]
    fn default_transcript_names_sort_by_time() {
        let path = default_transcript_path(Some(Path::new("/d")), "slow", Seed(7), 1_764_270_275);
        assert_eq!(
            path,
            PathBuf::from("/d/transcripts/slow-20251127T190435Z-7.json")
        );
    }
}
