//! Where content comes from: the YAML embedded from the repository's `drills/` and `incidents/`
//! folders, and files found under `--content DIR` or `sysdrill lint PATH`. This module finds
//! files, reads their bytes and decides their kind; it never parses YAML.
//!
//! The kind rule, independent of anything inside the file but one key: the nearest enclosing
//! folder named `incidents` or `drills` decides; a file outside both is an incident when one of
//! its lines starts with `machine:` (a top-level key only incidents have), else a drill. Only
//! `*.yaml` and `*.yml` files are content; the id is the file stem. Hidden entries (`.git`,
//! `.gitkeep`) are skipped, and directory walks stop 16 levels deep. A file whose top level has
//! `entries:` is a lexicon, in whichever folder.

use std::fs;
use std::path::{Component, Path, PathBuf};

use include_dir::{Dir, include_dir};

use super::Diagnostic;

static EMBEDDED_DRILLS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/drills");
static EMBEDDED_INCIDENTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/incidents");

const MAX_DEPTH: usize = 16;

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

/// Every content file under `path` (a directory walked recursively, or a single file), with
/// read errors as diagnostics. `root` numbers the source for override order.
pub fn collect(path: &Path, root: usize, diagnostics: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
    let mut files = Vec::new();
    match fs::metadata(path) {
        Err(error) => diagnostics.push(
            Diagnostic::file(path, format!("cannot read: {}", io_reason(&error)))
                .with_help("pass a directory of drills and incidents, or a YAML file"),
        ),
        Ok(meta) if meta.is_dir() => walk(path, 0, root, &mut files, diagnostics),
        Ok(_) => {
            if content_name(path).is_some() {
                read_file(path, root, &mut files, diagnostics);
            } else {
                diagnostics.push(
                    Diagnostic::file(path, "not a YAML file")
                        .with_help("drills and incidents are `.yaml` files"),
                );
            }
        }
    }
    files
}

fn walk(
    dir: &Path,
    depth: usize,
    root: usize,
    files: &mut Vec<SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if depth > MAX_DEPTH {
        diagnostics.push(Diagnostic::file(
            dir,
            format!("directories nest more than {MAX_DEPTH} levels; not read further"),
        ));
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            diagnostics.push(Diagnostic::file(
                dir,
                format!("cannot read directory: {}", io_reason(&error)),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, depth + 1, root, files, diagnostics);
        } else if content_name(&path).is_some() {
            read_file(&path, root, files, diagnostics);
        }
    }
}

fn read_file(
    path: &Path,
    root: usize,
    files: &mut Vec<SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some((id, _)) = content_name(path) else {
        return;
    };
    match fs::read(path) {
        Ok(bytes) => {
            let kind = kind_of(path, &bytes);
            files.push(SourceFile {
                path: path.to_path_buf(),
                id,
                kind,
                bytes,
                origin: Origin::File(path.to_path_buf()),
                root,
            });
        }
        Err(error) => diagnostics.push(Diagnostic::file(
            path,
            format!("cannot read: {}", io_reason(&error)),
        )),
    }
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

/// The OS error without its "(os error 2)" suffix, lowercased.
fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" (os error") {
        Some(at) => text[..at].to_owned(),
        None => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
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
    fn invalid_utf8_is_located() {
        let error = decode(Path::new("x.yaml"), b"title: ok\nbad: \xff\xfe\n").unwrap_err();
        assert_eq!((error.line, error.col), (2, 6));
        assert!(decode(Path::new("x.yaml"), b"\xEF\xBB\xBFtitle: ok").is_ok());
    }
}
