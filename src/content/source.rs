//! Where content comes from: the YAML embedded from the repository's `drills/` and `incidents/`
//! folders, and files found under `--content DIR` or `sysdrill lint PATH`. This module finds
//! files, reads their bytes and decides their kind; it never parses YAML.
//!
//! The kind rule, independent of anything inside the file but one key: the nearest enclosing
//! folder named `incidents` or `drills` decides; a file outside both is an incident when one of
//! its lines starts with `machine:` (a top-level key only incidents have), else a drill. Only
//! `*.yaml` and `*.yml` files are content; the id is the file stem. Directories are walked by
//! [`crate::walk`]: hidden entries (`.git`, `.gitkeep`) skipped, symlinks followed inside the
//! directory only, FIFOs and devices reported, 16 levels deep at most. Files over [`MAX_BYTES`]
//! are refused before they are read. A file whose top level has
//! `entries:` is a lexicon, in whichever folder.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::walk::{Entry, Limits, Walk};

use include_dir::{Dir, include_dir};

use super::Diagnostic;

static EMBEDDED_DRILLS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/drills");
static EMBEDDED_INCIDENTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/incidents");

const MAX_DEPTH: usize = 16;
/// Entries a content walk looks at: a pack is tens of files; this bounds symlink trees.
const MAX_ENTRIES: usize = 100_000;
/// The largest content file read: the biggest shipped drill is about 25 KiB.
pub const MAX_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Drill,
    Incident,
    /// A domain lexicon: a file whose top level has `entries:`.
    Lexicon,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Drill => "drill",
            Kind::Incident => "incident",
            Kind::Lexicon => "lexicon",
        }
    }
}

/// Where a drill or incident was loaded from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// Shipped inside the binary.
    Embedded,
    /// Read from this file (under a `--content` directory or a linted path).
    File(PathBuf),
}

/// One content file, read but not parsed.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// As shown in diagnostics: `drills/x.yaml` for embedded files, the walked path otherwise.
    pub path: PathBuf,
    pub id: String,
    pub kind: Kind,
    pub bytes: Vec<u8>,
    pub origin: Origin,
    /// Files from the same root may not share an id; files from a later root override.
    pub root: usize,
    /// Whether diagnostics may quote its lines: not when it was reached through a symlink.
    pub quote: bool,
}

/// The embedded drills and incidents, sorted by path.
pub fn embedded() -> Vec<SourceFile> {
    let mut files = Vec::new();
    for (dir, folder, kind) in [
        (&EMBEDDED_DRILLS, "drills", Kind::Drill),
        (&EMBEDDED_INCIDENTS, "incidents", Kind::Incident),
    ] {
        for file in dir.files() {
            let Some((id, _)) = content_name(file.path()) else {
                continue;
            };
            files.push(SourceFile {
                path: Path::new(folder).join(file.path()),
                id,
                kind: if is_lexicon(file.contents()) {
                    Kind::Lexicon
                } else {
                    kind
                },
                bytes: file.contents().to_vec(),
                origin: Origin::Embedded,
                root: 0,
                quote: true,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// `x.yaml` / `x.yml` -> id `x`; anything else is not content.
fn content_name(path: &Path) -> Option<(String, &str)> {
    let name = path.file_name()?.to_str()?;
    if name.starts_with('.') {
        return None;
    }
    let extension = path.extension()?.to_str()?;
    if extension != "yaml" && extension != "yml" {
        return None;
    }
    Some((path.file_stem()?.to_string_lossy().into_owned(), extension))
}

/// Every content file under `path` (a directory walked with [`crate::walk`], or a single file),
/// with unreadable, special and oversized files as diagnostics. `root` numbers the source for
/// override order.
pub fn collect(path: &Path, root: usize, diagnostics: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
    let mut files = Vec::new();
    let is_dir = fs::metadata(path).is_ok_and(|meta| meta.is_dir());
    if !is_dir && path.exists() && content_name(path).is_none() {
        diagnostics.push(
            Diagnostic::file(path, "not a YAML file")
                .with_help("drills and incidents are `.yaml` files"),
        );
        return files;
    }
    let limits = Limits {
        max_depth: MAX_DEPTH,
        max_entries: MAX_ENTRIES,
    };
    for entry in Walk::new(&[path.to_path_buf()], is_content, limits) {
        match entry {
            Entry::File(file) => read_file(&file, path, root, &mut files, diagnostics),
            Entry::Bad { path: bad, reason } => {
                let mut diagnostic = Diagnostic::file(&bad, reason);
                if bad == path && !path.exists() {
                    diagnostic.message = "cannot read: no such file or directory".to_owned();
                    diagnostic = diagnostic
                        .with_help("pass a directory of drills and incidents, or a YAML file");
                }
                diagnostics.push(diagnostic);
            }
        }
    }
    files
}

fn is_content(path: &Path) -> bool {
    content_name(path).is_some()
}

fn read_file(
    path: &Path,
    given: &Path,
    root: usize,
    files: &mut Vec<SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some((id, _)) = content_name(path) else {
        return;
    };
    match crate::walk::read_regular(path, MAX_BYTES) {
        Ok(bytes) => {
            let kind = kind_of(path, &bytes);
            files.push(SourceFile {
                path: path.to_path_buf(),
                id,
                kind,
                bytes,
                origin: Origin::File(path.to_path_buf()),
                root,
                quote: !through_symlink(given, path),
            });
        }
        Err(error) => diagnostics.push(Diagnostic::file(path, error.to_string())),
    }
}

/// Whether `path` (found under `given`) is reached through a symlink: the given path itself, a
/// folder on the way, or the file.
fn through_symlink(given: &Path, path: &Path) -> bool {
    let mut here = PathBuf::new();
    for component in path.components() {
        here.push(component);
        let below_given = here.starts_with(given) || given.starts_with(&here);
        if below_given && fs::symlink_metadata(&here).is_ok_and(|meta| meta.is_symlink()) {
            return true;
        }
    }
    false
}

/// Diagnostics about files read through a symlink keep their location but lose the quoted
/// line and any value quoted in the message (`unknown key `…``): the target may be any file (a
/// key, a password file), and lint must not print it.
pub fn redact(files: &[SourceFile], diagnostics: &mut [Diagnostic]) {
    let hidden: Vec<&Path> = files
        .iter()
        .filter(|file| !file.quote)
        .map(|file| file.path.as_path())
        .collect();
    if hidden.is_empty() {
        return;
    }
    for diagnostic in diagnostics {
        if hidden.contains(&diagnostic.path.as_path()) {
            diagnostic.source_line = None;
            diagnostic.message = without_quoted(&diagnostic.message);
        }
    }
}

/// `text` with every `` `quoted` `` part replaced by `` `…` ``.
fn without_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // Odd parts sit between a pair of backticks (an unpaired last one is kept as text).
        let closed = i % 2 == 1 && text.split('`').count() > i + 1;
        out.push_str(if closed { "…" } else { part });
    }
    out
}

/// A lexicon has a top-level `entries:` key, which neither drills nor incidents have; it is a
/// lexicon wherever it sits.
fn is_lexicon(bytes: &[u8]) -> bool {
    bytes
        .split(|b| *b == b'\n')
        .any(|line| line.starts_with(b"entries:"))
}

/// The kind rule documented at the top of this module.
pub fn kind_of(path: &Path, bytes: &[u8]) -> Kind {
    if is_lexicon(bytes) {
        return Kind::Lexicon;
    }
    let folders = path
        .parent()
        .map(|p| p.components().rev())
        .into_iter()
        .flatten();
    for component in folders {
        if let Component::Normal(name) = component {
            match name.to_str() {
                Some("incidents") => return Kind::Incident,
                Some("drills") => return Kind::Drill,
                _ => {}
            }
        }
    }
    let has_machine = bytes
        .split(|b| *b == b'\n')
        .any(|line| line.starts_with(b"machine:"));
    if has_machine {
        Kind::Incident
    } else {
        Kind::Drill
    }
}

/// Decodes UTF-8 (dropping a byte-order mark); invalid bytes become a located diagnostic.
pub fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        // The prefix is valid UTF-8 by construction.
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        let line = prefix.matches('\n').count() + 1;
        let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let lossy = String::from_utf8_lossy(bytes);
        Diagnostic::at(path, &lossy, line, col, "the file is not valid UTF-8")
            .with_help("save it as UTF-8")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_follows_the_nearest_named_folder_then_the_machine_key() {
        assert_eq!(
            kind_of(Path::new("c/incidents/x.yaml"), b"title: x"),
            Kind::Incident
        );
        assert_eq!(
            kind_of(Path::new("incidents/drills/x.yaml"), b"machine:"),
            Kind::Drill
        );
        assert_eq!(
            kind_of(Path::new("c/x.yaml"), b"title: x\nmachine:\n  cpus: 1"),
            Kind::Incident
        );
        assert_eq!(
            kind_of(Path::new("c/x.yaml"), b"title: x\n  machine: 1"),
            Kind::Drill
        );
        assert_eq!(
            kind_of(
                Path::new("drills/lexicon.yaml"),
                b"format_version: 1\nentries:\n"
            ),
            Kind::Lexicon
        );
    }

    #[test]
    fn only_yaml_files_are_content() {
        assert_eq!(
            content_name(Path::new("a/b.yaml")).map(|n| n.0),
            Some("b".to_owned())
        );
        assert!(content_name(Path::new("a/b.yml")).is_some());
        assert!(content_name(Path::new("drill.schema.json")).is_none());
        assert!(content_name(Path::new(".hidden.yaml")).is_none());
    }

    #[test]
    fn quoted_values_are_dropped_from_redacted_messages() {
        assert_eq!(
            without_quoted("unknown key `TOP-SECRET` in `a.b`"),
            "unknown key `…` in `…`"
        );
        assert_eq!(without_quoted("odd ` tick"), "odd ` tick");
    }

    #[test]
    fn invalid_utf8_is_located() {
        let error = decode(Path::new("x.yaml"), b"title: ok\nbad: \xff\xfe\n").unwrap_err();
        assert_eq!((error.line, error.col), (2, 6));
        assert!(decode(Path::new("x.yaml"), b"\xEF\xBB\xBFtitle: ok").is_ok());
    }
}
