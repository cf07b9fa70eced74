//! A small driver for the REPL under a pseudo-terminal: spawns the real binary with a private
//! HOME and XDG data directory, waits for the prompt before every line, and reads the transcript.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::session::OsSession;
use expectrl::{Expect, Regex};
use sysdrill::transcript::Transcript;

/// Generous: debug builds on a shared two-core machine.
const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Repl {
    session: OsSession,
    prompt: String,
    transcript: PathBuf,
    /// Output between the last line sent and the prompt that followed it.
    last: String,
    _home: Option<tempfile::TempDir>,
}

impl Repl {
    /// A drill session in a fresh private home.
    pub fn start(drill: &str, extra: &[&str]) -> Self {
        let home = tempfile::tempdir().unwrap();
        let mut repl = Self::start_in(home.path(), drill, extra);
        repl._home = Some(home);
        repl
    }

    /// A drill session in `home` (kept by the caller, e.g. to test persisted history).
    pub fn start_in(home: &Path, drill: &str, extra: &[&str]) -> Self {
        let transcript = home.join(format!("{drill}-{}.json", unique()));
        let mut args = vec!["practice".to_owned(), drill.to_owned()];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args.push("--transcript".to_owned());
        args.push(transcript.display().to_string());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut repl = Self::spawn(home, &args, "you> ");
        repl.transcript = transcript;
        repl.prompt();
        repl
    }

    pub fn spawn(home: &Path, args: &[&str], prompt: &str) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sysdrill"));
        command
            .args(args)
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .env("TERM", "xterm")
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"));
        let mut session = OsSession::spawn(command).expect("spawn under a pty");
        session.set_expect_timeout(Some(TIMEOUT));
        Self {
            session,
            prompt: prompt.to_owned(),
            transcript: PathBuf::new(),
            last: String::new(),
            _home: None,
        }
    }

    /// Resizes the terminal; the next output is wrapped to the new width.
    pub fn set_width(&mut self, cols: u16) {
        self.session
            .get_process_mut()
            .set_window_size(cols, 40)
            .expect("resize the pty");
    }

    /// Everything printed between the last line sent and the prompt that followed it.
    pub fn last(&self) -> &str {
        &self.last
    }

    pub fn send(&mut self, text: &str) {
        self.session.send(text).unwrap();
    }

    /// Sends a line with Enter, without waiting.
    pub fn send_line(&mut self, text: &str) {
        self.session.send(format!("{text}\r")).unwrap();
    }

    /// Sends a line and waits for the next prompt.
    pub fn line(&mut self, text: &str) {
        self.send_line(text);
        self.prompt();
    }

    /// Waits for a fresh prompt: one that starts a new line. rustyline redraws the prompt
    /// in place (after a carriage return) on every keystroke, so a bare match on the prompt text
    /// would stop at the echo of the line being typed.
    pub fn prompt(&mut self) {
        let pattern = fresh_prompt(&self.prompt);
        let found = self
            .session
            .expect(Regex(pattern.as_str()))
            .unwrap_or_else(|e| panic!("no prompt `{}`: {e}", self.prompt));
        self.last = String::from_utf8_lossy(found.before()).into_owned();
    }

    /// The output of the last line contained `text`.
    pub fn saw(&mut self, text: &str) {
        assert!(
            self.last.contains(text),
            "expected `{text}` in:\n{}",
            self.last
        );
    }

    pub fn expect(&mut self, text: &str) {
        self.session
            .expect(text)
            .unwrap_or_else(|e| panic!("never saw `{text}`: {e}"));
    }

    /// Waits for the prompt or `text`, whichever comes first; true for `text`.
    pub fn prompt_or(&mut self, text: &str) -> bool {
        let pattern = format!("{}|{}", fresh_prompt(&self.prompt), regex_escape(text));
        let found = self
            .session
            .expect(Regex(pattern.as_str()))
            .unwrap_or_else(|e| panic!("neither prompt nor `{text}`: {e}"));
        self.last = String::from_utf8_lossy(found.before()).into_owned();
        let matched = found
            .get(0)
            .map(|m| String::from_utf8_lossy(m).into_owned());
        matched.is_some_and(|m| m.ends_with(text) && !m.ends_with(&self.prompt))
    }

    pub fn quit(&mut self) {
        self.send_line("quit");
        self.expect("transcript saved");
        self.wait_exit();
    }

    pub fn wait_exit(&mut self) {
        let process = self.session.get_process_mut();
        let exited = poll(TIMEOUT, || {
            (!process.is_alive().unwrap_or(false)).then_some(())
        });
        if exited.is_none() {
            let _ = process.exit(true);
            panic!("the REPL did not exit");
        }
    }

    pub fn transcript(&self) -> Transcript {
        let bytes = std::fs::read(&self.transcript)
            .unwrap_or_else(|e| panic!("{}: {e}", self.transcript.display()));
        serde_json::from_slice(&bytes).unwrap()
    }
}

impl Drop for Repl {
    fn drop(&mut self) {
        let process = self.session.get_process_mut();
        if process.is_alive().unwrap_or(false) {
            let _ = process.exit(true);
        }
    }
}

/// The prompt at the start of a line, after any terminal control sequences.
fn fresh_prompt(prompt: &str) -> String {
    format!(r"\n(?:\x1b\[[0-9;?]*[A-Za-z]|\r)*{}", regex_escape(prompt))
}

/// `regex::escape`: note `\>` is an end-of-word assertion in regex ≥ 1.10, not a literal `>`.
fn regex_escape(text: &str) -> String {
    regex::escape(text)
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Calls `check` every 20 ms until it returns something or `timeout` passes.
#[allow(clippy::disallowed_methods)] // a test's give-up deadline, not a timing assertion
pub fn poll<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if start.elapsed() > timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
