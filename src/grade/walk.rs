//! Which files a `grade` batch reads: the command-line paths in the order given, each directory
//! walked by [`crate::walk`] (sorted, lazy, symlinks followed inside the directory only, FIFOs
//! and devices reported rather than opened). Inside directories only `*.json`, `*.yaml` and
//! `*.yml` files count; a file named on the command line is graded whatever its extension.
//!
//! Owns: the transcript name rule and the walk's budget for a batch. It must not open or parse
//! files.

use std::path::{Path, PathBuf};

pub use crate::walk::Entry;

/// Directory levels below a graded folder: cohorts are a few levels deep at most.
pub const MAX_DEPTH: usize = 32;
/// Entries looked at in one batch: far above any real cohort, far below what a tree of
/// multiplying symlinks would make the walk visit.
pub const MAX_ENTRIES: usize = 4_000_000;

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

/// The walk over a batch's paths; `exclude` (the report being written) is never yielded.
pub fn walk(roots: &[PathBuf], exclude: Option<&Path>) -> crate::walk::Walk {
    let walk = crate::walk::Walk::new(
        roots,
        is_transcript_name,
        crate::walk::Limits {
            max_depth: MAX_DEPTH,
            max_entries: MAX_ENTRIES,
        },
    );
    match exclude {
        Some(path) => walk.excluding(path),
        None => walk,
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
        let files: Vec<String> = walk(&[root.to_path_buf()], None)
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
        let entries: Vec<Entry> = walk(&[named.clone(), missing.clone()], None).collect();
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
