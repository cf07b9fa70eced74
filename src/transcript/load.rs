//! Reading a transcript file of unknown quality: JSON (as the REPL writes it) or YAML (written by
//! hand), with a clear reason for every file that cannot be used.
//!
//! Owns: the size cap, text checks (empty, binary, not UTF-8), format detection, turning
//! parser errors into one-line reasons (truncated, not JSON/YAML, wrong or missing
//! `format_version`, newer version), and reading format 1 into a format-2 log. It must not know
//! about drills: whether the drill id exists is for the caller (`grade`), which has the catalog.
//! YAML goes through `content::yaml`, the one YAML entry point.

use std::path::Path;

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::{CardSummary, Entry, Event, FORMAT_VERSION, Transcript};
use crate::interview::MoveKind;
use crate::score::Band;

/// Files above this size are refused without being read: a transcript of a long session is a few
/// hundred KiB, so 8 MiB leaves room and still keeps a batch's memory bounded per worker.
pub const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// Why a transcript file was rejected (shown per file by `grade`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct LoadError {
    pub reason: String,
}

impl LoadError {
    /// Reasons are one line (they are printed one per file), whatever the parser said.
    fn new(reason: impl Into<String>) -> Self {
        let reason: String = reason.into();
        let reason = if reason.contains(['\n', '\r']) {
            reason
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            reason
        };
        Self { reason }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Json,
    Yaml,
}

/// Parses a transcript from its bytes; `path` decides nothing but appears in errors (and its
/// extension picks JSON or YAML; without a known extension the first character decides).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Transcript, LoadError> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::new("empty file"));
    }
    // NUL never appears in JSON or YAML text; it is the cheapest sign of a binary file.
    if let Some(at) = bytes.iter().position(|&byte| byte == 0) {
        return Err(LoadError::new(format!(
            "binary file, not JSON or YAML (NUL byte at offset {at})"
        )));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            return Err(LoadError::new(format!(
                "binary file, not JSON or YAML (invalid UTF-8 at byte {})",
                error.valid_up_to()
            )));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let syntax = syntax_of(path, text);
    // Most files are of this version: one parse. Anything else pays for reading the version
    // first, which decides the layout (and a version problem is reported as such, whatever
    // else the file holds).
    let current = match syntax {
        Syntax::Json => serde_json::from_str::<Transcript>(text).ok(),
        Syntax::Yaml => crate::content::yaml::from_str::<Transcript>(path, text).ok(),
    };
    if let Some(transcript) = current.filter(|t| t.format_version == FORMAT_VERSION) {
        return Ok(transcript);
    }
    let version: Version = match syntax {
        Syntax::Json => parse_json(text)?,
        Syntax::Yaml => parse_yaml(path, text)?,
    };
    let Some(version) = version.format_version else {
        return Err(LoadError::new(
            "not a transcript: format_version is missing",
        ));
    };
    check_version(version)?;
    if version == 1 {
        let old: FormatOne = match syntax {
            Syntax::Json => parse_json(text)?,
            Syntax::Yaml => parse_yaml(path, text)?,
        };
        return Ok(old.into_current());
    }
    match syntax {
        Syntax::Json => parse_json(text),
        Syntax::Yaml => parse_yaml(path, text),
    }
}

/// Just the version, whatever the rest of the document holds (which must be a mapping: a list
/// is not a transcript, though serde would read a struct from one).
struct Version {
    format_version: Option<u32>,
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Version;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a mapping of transcript fields")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Version, A::Error> {
                let mut format_version = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "format_version" {
                        format_version = Some(map.next_value::<u32>()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(Version { format_version })
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Reads and parses one file: only a regular file is opened (a FIFO or device is refused with
/// its kind), its size is checked before it is read, and the read stops at the cap.
pub fn load(path: &Path) -> Result<Transcript, LoadError> {
    let bytes = crate::walk::read_regular(path, MAX_BYTES)
        .map_err(|error| LoadError::new(error.to_string()))?;
    parse(path, &bytes)
}

fn too_large(len: u64) -> LoadError {
    LoadError::new(
        crate::walk::ReadError::TooLarge {
            len,
            limit: MAX_BYTES,
        }
        .to_string(),
    )
}

fn syntax_of(path: &Path, text: &str) -> Syntax {
    match path
        .extension()
        .and_then(|ext| ext.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => Syntax::Json,
        Some("yaml" | "yml") => Syntax::Yaml,
        _ => {
            if text.trim_start().starts_with(['{', '[']) {
                Syntax::Json
            } else {
                Syntax::Yaml
            }
        }
    }
}

fn check_version(version: u32) -> Result<(), LoadError> {
    if version > FORMAT_VERSION {
        return Err(newer(u64::from(version)));
    }
    if version == 0 {
        return Err(LoadError::new(format!(
            "format_version 0 is not a transcript version (this sysdrill reads 1 to {FORMAT_VERSION})"
        )));
    }
    Ok(())
}

/// A version no sysdrill has written or will write (negative, or past any real version).
fn out_of_range(version: impl std::fmt::Display) -> LoadError {
    LoadError::new(format!(
        "format_version {version} is out of range (this sysdrill reads 1 to {FORMAT_VERSION})"
    ))
}

fn newer(version: u64) -> LoadError {
    LoadError::new(format!(
        "written by a newer sysdrill (format_version {version}; this one reads up to \
         {FORMAT_VERSION}): upgrade sysdrill to grade it"
    ))
}

/// The fast path parses straight into `T`; only a failure pays for a second parse into a generic
/// value, to tell a version problem from a plain type error.
fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T, LoadError> {
    let error = match serde_json::from_str::<T>(text) {
        Ok(transcript) => return Ok(transcript),
        Err(error) => error,
    };
    match error.classify() {
        serde_json::error::Category::Eof => Err(LoadError::new(format!(
            "truncated JSON: the text ends early (line {}, column {})",
            error.line(),
            error.column()
        ))),
        serde_json::error::Category::Syntax => Err(LoadError::new(format!(
            "not valid JSON: {} at line {}, column {}",
            strip_location(&error.to_string()),
            error.line(),
            error.column()
        ))),
        serde_json::error::Category::Io => Err(LoadError::new(format!("cannot read: {error}"))),
        serde_json::error::Category::Data => {
            let value: serde_json::Value = serde_json::from_str(text)
                .map_err(|_| LoadError::new(format!("not a transcript: {error}")))?;
            diagnose_value(&value)?;
            Err(LoadError::new(format!("not a transcript: {error}")))
        }
    }
}

fn parse_yaml<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, LoadError> {
    let diagnostic = match crate::content::yaml::from_str::<T>(path, text) {
        Ok(transcript) => return Ok(transcript),
        Err(diagnostic) => diagnostic,
    };
    let located = |message: &str| {
        if diagnostic.line > 0 {
            format!(
                "{message} at line {}, column {}",
                diagnostic.line, diagnostic.col
            )
        } else {
            message.to_owned()
        }
    };
    match crate::content::yaml::from_str::<serde_json::Value>(path, text) {
        // Syntactically fine: the shape or the version is wrong.
        Ok(value) => {
            diagnose_value(&value)?;
            let mut reason = located(&format!("not a transcript: {}", diagnostic.message));
            if let Some(help) = &diagnostic.help {
                reason.push_str(&format!(" ({help})"));
            }
            Err(LoadError::new(reason))
        }
        Err(_) => Err(LoadError::new(located(&format!(
            "not valid YAML: {}",
            diagnostic.message
        )))),
    }
}

/// Explains why a syntactically valid document is not a transcript, when the reason is the
/// version or the overall shape; `Ok` means "look at the type error instead".
fn diagnose_value(value: &serde_json::Value) -> Result<(), LoadError> {
    let Some(object) = value.as_object() else {
        return Err(LoadError::new(format!(
            "not a transcript: the document is {}, not a mapping of fields",
            kind_of(value)
        )));
    };
    match object.get("format_version") {
        None => Err(LoadError::new(
            "not a transcript: format_version is missing",
        )),
        Some(version) => match (version.as_u64(), version.as_i64()) {
            (Some(version), _) if version > u64::from(u32::MAX) => Err(out_of_range(version)),
            (Some(version), _) if version > u64::from(FORMAT_VERSION) => Err(newer(version)),
            (Some(version), _) => check_version(version as u32),
            (None, Some(negative)) => Err(out_of_range(negative)),
            (None, None) => Err(LoadError::new(format!(
                "format_version must be a whole number, found {}",
                kind_of(version)
            ))),
        },
    }
}

/// Format 1: turns of `who` and `text`, with counters and a final score beside them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatOne {
    /// 1, read before.
    #[serde(rename = "format_version")]
    _format_version: IgnoredAny,
    drill_id: String,
    content_hash: String,
    seed: u64,
    sysdrill_version: String,
    #[serde(default)]
    candidate: Option<String>,
    #[serde(default)]
    started_at: String,
    #[serde(default)]
    finished_at: Option<String>,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    turns: Vec<TurnOne>,
    /// Ignored: hints are counted from the hint turns the session logged.
    #[serde(default, rename = "hints_used")]
    _hints_used: IgnoredAny,
    #[serde(default)]
    final_score: Option<FinalScoreOne>,
    /// Ignored: human scores come from `grade --human` only.
    #[serde(default, rename = "human_score")]
    _human_score: IgnoredAny,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TurnOne {
    /// `interviewer` or `candidate`.
    who: String,
    text: String,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    move_kind: Option<String>,
    #[serde(default)]
    at_s: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FinalScoreOne {
    score: u32,
    /// `lean no hire` as the REPL wrote it (snake case accepted too).
    band: String,
    #[serde(default)]
    concepts_hit: Vec<String>,
    #[serde(default)]
    concepts_missed: Vec<String>,
    #[serde(default)]
    red_flags: Vec<String>,
}

impl FormatOne {
    /// The same session as a format-2 log: a candidate turn is an answer, or a command (or
    /// `try`) with what it printed; an interviewer turn is a move, a hint or practice feedback,
    /// by its `move_kind`; the final score becomes the final scorecard.
    fn into_current(self) -> Transcript {
        let mut log = Vec::with_capacity(self.turns.len() + 1);
        let mut hints = 0;
        let mut last_at = 0.0;
        for turn in self.turns {
            let at_s = turn.at_s;
            last_at = at_s;
            let mut push = |event| log.push(Entry { at_s, event });
            if turn.who.trim().eq_ignore_ascii_case("candidate") {
                match turn.command {
                    None => push(Event::Answer { text: turn.text }),
                    Some(command) => match command.trim().strip_prefix("try ") {
                        Some(args) => {
                            push(Event::Try {
                                args: args.trim().to_owned(),
                            });
                            push(Event::WhatIf {
                                command,
                                text: turn.text,
                            });
                        }
                        None => {
                            push(Event::Command {
                                line: command.clone(),
                            });
                            push(Event::ToolOutput {
                                command,
                                text: turn.text,
                            });
                        }
                    },
                }
                continue;
            }
            let kind = turn.move_kind.as_deref().map(str::trim);
            match kind {
                Some("hint") => {
                    hints += 1;
                    push(Event::Hint {
                        number: hints,
                        text: turn.text,
                        // Format 1 did not record it; the drill's cost is what counts.
                        cost: 0.0,
                    });
                }
                Some("feedback") => push(Event::Feedback { text: turn.text }),
                _ => match kind.and_then(move_kind) {
                    Some(kind) => push(Event::Move {
                        kind,
                        text: turn.text,
                    }),
                    None => push(Event::Remark { text: turn.text }),
                },
            }
        }
        if let Some(score) = self.final_score {
            log.push(Entry {
                at_s: last_at,
                event: Event::Scorecard(CardSummary {
                    final_card: true,
                    score: score.score,
                    rubric_score: score.score,
                    band: band(&score.band).unwrap_or_else(|| Band::for_score(score.score)),
                    hints_used: hints,
                    concepts_hit: score.concepts_hit,
                    concepts_missed: score.concepts_missed,
                    red_flags: score.red_flags,
                }),
            });
        }
        Transcript {
            format_version: FORMAT_VERSION,
            drill_id: self.drill_id,
            content_hash: self.content_hash,
            seed: self.seed,
            sysdrill_version: self.sysdrill_version,
            candidate: self.candidate,
            started_at: self.started_at,
            finished_at: self.finished_at,
            mode: self.mode,
            log,
        }
    }
}

fn move_kind(name: &str) -> Option<MoveKind> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// A band as format 1 wrote it (`lean no hire`) or in snake case.
fn band(name: &str) -> Option<Band> {
    let snake = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    serde_json::from_value(serde_json::Value::String(snake)).ok()
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

/// serde_json appends " at line L column C" to its messages; the reason states it once itself.
fn strip_location(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good_json() -> String {
        serde_json::json!({
            "format_version": 1,
            "drill_id": "futex",
            "content_hash": "00000000deadbeef",
            "seed": 7,
            "sysdrill_version": "0.1.0",
            "turns": [{"who": "candidate", "text": "a futex is a mechanism"}]
        })
        .to_string()
    }

    fn reason(path: &str, bytes: &[u8]) -> String {
        parse(Path::new(path), bytes).unwrap_err().reason
    }

    #[test]
    fn parses_a_json_transcript() {
        let transcript = parse(Path::new("a.json"), good_json().as_bytes()).unwrap();
        assert_eq!(transcript.drill_id, "futex");
        assert_eq!(transcript.format_version, FORMAT_VERSION);
        assert_eq!(
            transcript.log,
            [Entry {
                at_s: 0.0,
                event: Event::Answer {
                    text: "a futex is a mechanism".into()
                }
            }]
        );
    }

    #[test]
    fn format_one_turns_become_a_log() {
        let text = serde_json::json!({
            "format_version": 1,
            "drill_id": "slow",
            "content_hash": "01",
            "seed": 7,
            "sysdrill_version": "0.1.0",
            "hints_used": 0,
            "human_score": 100,
            "turns": [
                {"who": "interviewer", "text": "What is slow?", "move_kind": "opening"},
                {"who": "candidate", "text": "procs", "command": "vmstat 1 5", "at_s": 2.5},
                {"who": "candidate", "text": "before/after", "command": "try threads=4"},
                {"who": "interviewer", "text": "Look at r.", "move_kind": "hint"},
                {"who": "Candidate", "text": "lock contention"},
                {"who": "interviewer", "text": "Points made", "move_kind": "feedback"},
                {"who": "interviewer", "text": "Hm.", "move_kind": "something_new"},
            ],
            "final_score": {"score": 40, "band": "lean no hire"}
        })
        .to_string();
        let transcript = parse(Path::new("old.json"), text.as_bytes()).unwrap();
        let events: Vec<Event> = transcript.log.into_iter().map(|e| e.event).collect();
        assert_eq!(
            events,
            [
                Event::Move {
                    kind: MoveKind::Opening,
                    text: "What is slow?".into()
                },
                Event::Command {
                    line: "vmstat 1 5".into()
                },
                Event::ToolOutput {
                    command: "vmstat 1 5".into(),
                    text: "procs".into()
                },
                Event::Try {
                    args: "threads=4".into()
                },
                Event::WhatIf {
                    command: "try threads=4".into(),
                    text: "before/after".into()
                },
                Event::Hint {
                    number: 1,
                    text: "Look at r.".into(),
                    cost: 0.0
                },
                Event::Answer {
                    text: "lock contention".into()
                },
                Event::Feedback {
                    text: "Points made".into()
                },
                Event::Remark { text: "Hm.".into() },
                Event::Scorecard(CardSummary {
                    final_card: true,
                    score: 40,
                    rubric_score: 40,
                    band: Band::LeanNoHire,
                    hints_used: 1,
                    concepts_hit: vec![],
                    concepts_missed: vec![],
                    red_flags: vec![],
                }),
            ]
        );
        assert_eq!(band("strong_hire"), Some(Band::StrongHire));
        assert_eq!(band("Hire"), Some(Band::Hire));
        assert_eq!(band("great"), None);
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let text = format!("\u{feff}{}", good_json());
        assert!(parse(Path::new("a.json"), text.as_bytes()).is_ok());
    }

    #[test]
    fn empty_and_blank_files_are_empty() {
        assert_eq!(reason("a.json", b""), "empty file");
        assert_eq!(reason("a.yaml", b" \n\t\r\n"), "empty file");
    }

    #[test]
    fn binary_files_are_named_binary() {
        assert!(reason("a.json", b"\x7fELF\x02\x01\x00\x00").starts_with("binary file"));
        assert!(reason("a.json", b"{\"a\": \"\xff\xfe\"}").contains("invalid UTF-8 at byte 7"));
    }

    #[test]
    fn truncated_json_says_truncated() {
        let text = good_json();
        let cut = &text[..text.len() / 2];
        assert!(reason("a.json", cut.as_bytes()).starts_with("truncated JSON"));
    }

    #[test]
    fn garbage_json_is_not_valid_json() {
        let got = reason("a.json", b"{\"format_version\": 1,, }");
        assert!(got.starts_with("not valid JSON"), "{got}");
        assert!(got.contains("line 1"), "{got}");
    }

    #[test]
    fn newer_versions_are_refused_with_an_upgrade_message() {
        let text = good_json().replace("\"format_version\":1", "\"format_version\":9");
        assert!(text.contains("\"format_version\":9"));
        assert!(reason("a.json", text.as_bytes()).starts_with("written by a newer sysdrill"));
        // A newer file may also carry fields this version does not know: still "newer".
        let text = text.replacen('{', "{\"future\": true,", 1);
        assert!(reason("a.json", text.as_bytes()).starts_with("written by a newer sysdrill"));
    }

    #[test]
    fn missing_and_wrong_versions_are_explained() {
        let text = good_json().replace("\"format_version\":1,", "");
        assert_eq!(
            reason("a.json", text.as_bytes()),
            "not a transcript: format_version is missing"
        );
        let text = good_json().replace("\"format_version\":1", "\"format_version\":\"one\"");
        assert!(reason("a.json", text.as_bytes()).contains("whole number"));
        let text = good_json().replace("\"format_version\":1", "\"format_version\":0");
        assert!(reason("a.json", text.as_bytes()).contains("format_version 0"));
        for (version, shown) in [("-1", "-1"), ("99999999999", "99999999999")] {
            let text = good_json().replace(
                "\"format_version\":1",
                &format!("\"format_version\":{version}"),
            );
            assert_eq!(
                reason("a.json", text.as_bytes()),
                format!(
                    "format_version {shown} is out of range (this sysdrill reads 1 to \
                     {FORMAT_VERSION})"
                )
            );
        }
    }

    #[test]
    fn a_json_list_is_not_a_transcript() {
        assert_eq!(
            reason("a.json", b"[1, 2]"),
            "not a transcript: the document is a list, not a mapping of fields"
        );
    }

    #[test]
    fn a_type_error_names_the_field() {
        let text = good_json().replace("\"seed\":7", "\"seed\":\"seven\"");
        let got = reason("a.json", text.as_bytes());
        assert!(got.starts_with("not a transcript: invalid type"), "{got}");
    }

    proptest::proptest! {
        /// Any bytes give a transcript or a one-line reason, never a panic.
        #[test]
        fn arbitrary_json_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            if let Err(error) = parse(Path::new("x.json"), &bytes) {
                proptest::prop_assert!(!error.reason.is_empty());
                proptest::prop_assert!(!error.reason.contains('\n'));
            }
        }

        /// Cutting a good transcript anywhere is reported, never accepted or panicking.
        #[test]
        fn any_cut_of_a_transcript_is_reported(cut in 1usize..200) {
            let text = good_json();
            let cut = cut.min(text.len() - 1);
            let error = parse(Path::new("x.json"), &text.as_bytes()[..cut]).unwrap_err();
            proptest::prop_assert!(error.reason.starts_with("truncated JSON"), "{}", error.reason);
        }
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let big = vec![b' '; MAX_BYTES as usize + 1];
        assert!(reason("a.json", &big).starts_with("too large"));
    }

    #[test]
    fn load_checks_the_size_from_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(10 * 1024 * 1024).unwrap();
        let got = load(&path).unwrap_err().reason;
        assert_eq!(got, "too large: 10.0 MiB (the limit is 8 MiB)");
        assert_eq!(
            load(&dir.path().join("missing.json")).unwrap_err().reason,
            "cannot read: no such file"
        );
    }
}
