//! Finding transcript files: the command-line paths in the order given, each directory walked
//! depth-first in sorted name order, lazily (one directory listing in memory at a time), so the
//! order is deterministic and memory does not grow with the size of the batch.
//!
//! Owns: which files count as transcripts (`*.json`, `*.yaml`, `*.yml`; hidden files and
//! directories skipped, including the REPL's `.tmp*` files of an atomic save in progress), and
//! reporting paths that cannot be walked. It must not open or parse files.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// One item of the walk: a file to grade, or a path that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File(PathBuf),
    Bad { path: PathBuf, reason: String },
}

/// Whether a file found inside a directory is a transcript, by extension.
pub fn is_transcript_name(name: &Path) -> bool {
    name.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| {
            ext.eq_ignore_ascii_case("json")
                || ext.eq_ignore_ascii_case("yaml")
                || ext.eq_ignore_ascii_case("yml")
        })
}

fn is_hidden(name: &OsString) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// The lazy walk over several roots.
#[derive(Debug)]
pub struct Walk {
    roots: std::collections::VecDeque<PathBuf>,
    /// Directories being listed: the remaining sorted entries of each, deepest last.
    stack: Vec<std::vec::IntoIter<PathBuf>>,
}

impl Walk {
    pub fn new(roots: &[PathBuf]) -> Self {
        Self {
            roots: roots.iter().cloned().collect(),
            stack: Vec::new(),
        }
    }

    fn open_dir(&mut self, dir: &Path) -> Option<Entry> {
        let reader = match std::fs::read_dir(dir) {
            Ok(reader) => reader,
            Err(error) => {
                return Some(Entry::Bad {
                    path: dir.to_path_buf(),
                    reason: format!("cannot list directory: {error}"),
                });
            }
        };
        let mut names = Vec::new();
        for item in reader {
            match item {
                Ok(item) => {
                    let name = item.file_name();
                    if !is_hidden(&name) {
                        names.push(name);
                    }
                }
                Err(error) => {
                    return Some(Entry::Bad {
                        path: dir.to_path_buf(),
                        reason: format!("cannot list directory: {error}"),
                    });
                }
            }
        }
        names.sort();
        let paths: Vec<PathBuf> = names.into_iter().map(|name| dir.join(name)).collect();
        self.stack.push(paths.into_iter());
        None
    }
}

impl Iterator for Walk {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        loop {
            if let Some(top) = self.stack.last_mut() {
                let Some(path) = top.next() else {
                    self.stack.pop();
                    continue;
                };
                // symlink_metadata: a symlinked directory is not followed (no cycles); a
                // symlinked file is graded like a file.
                let Ok(metadata) = std::fs::symlink_metadata(&path) else {
                    continue;
                };
                if metadata.is_dir() {
                    if let Some(bad) = self.open_dir(&path) {
                        return Some(bad);
                    }
                    continue;
                }
                if is_transcript_name(&path) {
                    return Some(Entry::File(path));
                }
                continue;
            }
            let root = self.roots.pop_front()?;
            match std::fs::metadata(&root) {
                Ok(metadata) if metadata.is_dir() => {
                    if let Some(bad) = self.open_dir(&root) {
                        return Some(bad);
                    }
                }
                // A file named on the command line is graded whatever its extension.
                Ok(_) => return Some(Entry::File(root)),
                Err(error) => {
                    let reason = if error.kind() == std::io::ErrorKind::NotFound {
                        "no such file or directory".to_owned()
                    } else {
                        format!("cannot read: {error}")
                    };
                    return Some(Entry::Bad { path: root, reason });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"{}").unwrap();
    }

    #[test]
    fn walks_sorted_depth_first_and_filters_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "b.json",
            "a.yaml",
            "notes.txt",
            "sub/z.yml",
            "sub/a.JSON",
            ".hidden/x.json",
            ".tmp123.json",
            "c/d/e.json",
        ] {
            touch(&root.join(name));
        }
        let files: Vec<String> = Walk::new(&[root.to_path_buf()])
            .map(|entry| match entry {
                Entry::File(path) => path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                Entry::Bad { path, reason } => panic!("{}: {reason}", path.display()),
            })
            .collect();
        assert_eq!(
            files,
            ["a.yaml", "b.json", "c/d/e.json", "sub/a.JSON", "sub/z.yml"]
        );
    }

    #[test]
    fn roots_keep_their_order_and_missing_ones_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let named = dir.path().join("named.txt");
        touch(&named);
        let missing = dir.path().join("nope");
        let entries: Vec<Entry> = Walk::new(&[named.clone(), missing.clone()]).collect();
        assert_eq!(
            entries,
            [
                Entry::File(named),
                Entry::Bad {
                    path: missing,
                    reason: "no such file or directory".into()
                }
            ]
        );
    }
}
