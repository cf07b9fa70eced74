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

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use colored::{Color, Colorize};
use rustyline::Editor;
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::{FileHistory, History};

use crate::content::Catalog;
use crate::domain::{Drill, DrillId, Seed};
use crate::interview::{self, Input, Interview, Output, Scorecard};
use crate::transcript::{self, Transcript};

use helper::ReplHelper;

#[derive(Debug, Clone)]
pub struct PracticeConfig {
    pub drill: Option<String>,
    pub seed: Option<Seed>,
    pub mode: crate::cli::Mode,
    pub transcript: Option<PathBuf>,
    pub candidate: Option<String>,
}

/// Runs a practice session (or the home screen when no drill is given).
pub fn practice(catalog: &Catalog, config: &PracticeConfig) -> io::Result<()> {
    let interactive = io::stdin().is_terminal();
    let color = interactive && colored::control::SHOULD_COLORIZE.should_colorize();
    let data_dir = crate::app::data_dir().ok();
    let mut source = if interactive {
        Source::editor(color, data_dir.as_deref())
    } else {
        Source::Pipe(io::stdin().lock())
    };
    let mut screen = Screen {
        out: io::stdout(),
        color,
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

/// Where lines come from.
enum Source<'a> {
    Editor {
        editor: Box<Editor<ReplHelper, FileHistory>>,
        history: Option<PathBuf>,
    },
    Pipe(io::StdinLock<'a>),
}

enum Line {
    Text(String),
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

/// The longest input line taken: a long answer is a few KiB; this keeps one pasted file from
/// being scored (and saved after every turn) as an answer.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The message for a line over [`MAX_LINE_BYTES`], or `None` when it fits.
fn too_long(line: &str) -> Option<String> {
    (line.len() > MAX_LINE_BYTES).then(|| {
        format!(
            "that line is {}; the limit is {}: it was not used (split a long answer over several lines)",
            crate::walk::size(line.len() as u64),
            crate::walk::limit(MAX_LINE_BYTES as u64)
        )
    })
}

/// One logical line from a pipe: CRLF and LF endings, invalid UTF-8 replaced, `\` continuation.
fn read_piped(stdin: &mut impl BufRead) -> io::Result<Line> {
    let mut text = String::new();
    loop {
        let mut bytes = Vec::new();
        if stdin.read_until(b'\n', &mut bytes)? == 0 {
            return Ok(if text.is_empty() {
                Line::Eof
            } else {
                Line::Text(text)
            });
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

/// Prints, with or without colour.
struct Screen {
    out: io::Stdout,
    color: bool,
}

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

    /// Prints a line built from already painted or trusted parts.
    fn line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{text}")
    }

    fn show(&mut self, output: &Output) -> io::Result<()> {
        match output {
            Output::Say { text, .. } => {
                let painted = self.paint(text.trim_end(), Color::Cyan, true);
                writeln!(self.out, "\n{painted}\n")?;
            }
            Output::Tool { text, .. } | Output::WhatIf { text, .. } => {
                // Tool output carries names from the incident file (processes, locks).
                let text = crate::term::visible(text);
                self.out.write_all(text.as_bytes())?;
                if !text.ends_with('\n') {
                    writeln!(self.out)?;
                }
            }
            Output::ToolError { message, .. } => {
                let painted = self.paint(message.trim_end(), Color::Red, false);
                writeln!(self.out, "{painted}")?;
            }
            Output::Feedback(text) => {
                let painted = self.paint(text.trim_end(), Color::Green, false);
                writeln!(self.out, "{painted}")?;
            }
            Output::Info(text) => {
                let painted = self.paint(text.trim_end(), Color::BrightBlack, false);
                writeln!(self.out, "{painted}")?;
            }
            Output::Hint { number, text, cost } => {
                let head = format!("Hint {number} (costs {cost} points):");
                let painted = self.paint(&head, Color::Yellow, true);
                writeln!(
                    self.out,
                    "{painted} {}",
                    crate::term::visible(text.trim_end())
                )?;
            }
            Output::Scorecard(card) => self.scorecard(card)?,
            Output::Finished => {}
        }
        self.out.flush()
    }

    fn scorecard(&mut self, card: &Scorecard) -> io::Result<()> {
        writeln!(self.out)?;
        for line in card.to_text().lines() {
            let painted = if line.starts_with("  [x]") {
                self.paint(line, Color::Green, false)
            } else if line.starts_with("  [ ]") || line.starts_with("  [!]") {
                self.paint(line, Color::Red, false)
            } else if !line.starts_with(' ') {
                self.paint(line, Color::White, true)
            } else {
                crate::term::visible(line).into_owned()
            };
            writeln!(self.out, "{painted}")?;
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
    screen.line(&title)?;
    write_drill_list(screen, catalog)?;
    screen.line("Type `start ID` to begin a drill, `list`, `help` or `quit`.")?;
    loop {
        source.set_completions(home_completions(catalog));
        let line = match source.read(prompt)? {
            Line::Eof => break,
            Line::Interrupted => continue,
            Line::Text(line) => line,
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            ["quit"] | ["exit"] => break,
            ["list"] => write_drill_list(screen, catalog)?,
            ["help"] | ["?"] => screen.line(
                "Commands:\n  list          the drills\n  start ID      practise one (tab completes ids)\n  \
                 quit          leave (Ctrl-D too)",
            )?,
            ["start", id] | [id] if catalog.drills.contains_key(&DrillId::from(*id)) => {
                match run_drill(catalog, id, config, source, screen, data_dir) {
                    Ok(()) => {}
                    // A drill that cannot start (its incident is missing) leaves the home
                    // screen usable.
                    Err(error) if error.kind() == io::ErrorKind::NotFound => {
                        let painted = screen.paint(&error.to_string(), Color::Red, false);
                        screen.line(&painted)?;
                    }
                    Err(error) => return Err(error),
                }
                screen.line("Back at the drill list: `start ID`, `list` or `quit`.")?;
            }
            ["start", id] => {
                let ids = catalog.drills.keys().map(DrillId::as_str);
                let hint = crate::app::did_you_mean(id, ids).unwrap_or_default();
                let message = format!("unknown drill `{id}`{hint}");
                let painted = screen.paint(&message, Color::Red, false);
                screen.line(&painted)?;
            }
            _ => screen.line("unknown command; type `help`")?,
        }
    }
    Ok(())
}

fn home_completions(catalog: &Catalog) -> Vec<String> {
    let mut lines: Vec<String> = ["list", "help", "quit", "exit"]
        .iter()
        .map(|s| (*s).to_owned())
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
    screen.line(&header)?;
    for drill in catalog.drills.values() {
        let id = format!("{:<width$}", drill.id.as_str());
        let id = screen.paint(&id, Color::Cyan, false);
        screen.line(&format!(
            "{id}  {:<8}  {:<6}  {}",
            crate::app::kind_name(drill.kind),
            crate::app::difficulty_name(drill.difficulty),
            crate::term::visible_line(&drill.title)
        ))?;
    }
    Ok(())
}

fn session_completions(drill: &Drill) -> Vec<String> {
    let mut lines: Vec<String> = interview::COMMANDS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    if drill.incident.is_some() {
        lines.extend(interview::TOOL_EXAMPLES.iter().map(|s| (*s).to_owned()));
        lines.extend(
            [
                "try threads=",
                "try shards=",
                "try cpus=",
                "try lock=",
                "try memory=",
                "try irq_spread=on",
                "try hold_scale=",
            ]
            .map(String::from),
        );
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
        let ids = catalog.drills.keys().map(DrillId::as_str);
        let hint = crate::app::did_you_mean(id, ids).unwrap_or_default();
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("unknown drill `{id}`{hint}"),
        ));
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
    let mode = match config.mode {
        crate::cli::Mode::Interview => interview::Mode::Interview,
        crate::cli::Mode::Practice => interview::Mode::Practice,
    };
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

    let mut session = Interview::new(drill, incident, seed, mode);
    let banner = format!(
        "{} ({id}), seed {seed}, {} mode. Type `help` for commands{}.",
        drill.title,
        mode.name(),
        if interactive {
            "; Ctrl-D ends the drill"
        } else {
            ""
        }
    );
    let banner = screen.paint(&banner, Color::BrightBlack, false);
    screen.line(&banner)?;
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
    while !session.is_finished() {
        let line = match source.read(prompt)? {
            Line::Eof => {
                let wall = recorder.elapsed().as_secs();
                session.set_elapsed(recorder.at_s());
                let outputs = session.wrap_up(Some(wall));
                finish_turn(&mut recorder, &session, screen, outputs)?;
                break;
            }
            Line::Interrupted => continue,
            Line::Text(line) => line,
        };
        if let Some(message) = too_long(&line) {
            let painted = screen.paint(&message, Color::Red, false);
            screen.line(&painted)?;
            continue;
        }
        let Some(mut input) = Input::classify(&line) else {
            continue;
        };
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
    let saved = format!("transcript saved: {}", recorder.path.display());
    let saved = screen.paint(&saved, Color::BrightBlack, false);
    screen.line(&saved)
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
                Line::Interrupted => unreachable!(),
            }
        }
        assert_eq!(
            lines,
            vec!["vmstat 1 3", "first \nsecond", "\u{fffd} bad", "last"]
        );
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
