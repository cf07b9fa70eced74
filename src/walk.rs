//! Finding and reading input files that may be hostile: the one directory walk behind content
//! directories (`--content`, `lint`), `grade` and `stats`, and the one way they open a file.
//!
//! The walk goes through each root depth-first in sorted name order, lazily (walkdir keeps one
//! directory listing per level), so the order is deterministic and memory does not grow with the
//! size of a batch. It follows symlinks, with walkdir's loop detection, and:
//! - yields only regular files whose name the caller accepts; a FIFO, socket or device (or a
//!   symlink to one) with an accepted name is reported, never opened, since opening a FIFO blocks
//!   and reading a device never ends;
//! - does not leave the root: a symlink whose target lies outside it is reported and not read
//!   (a file or directory named as a root is read wherever it is: that is asking for it);
//! - skips hidden entries (`.git`, editors' and saves' temporary files);
//! - stops at a depth and an entry budget, with a report saying so.
//!
//! [`read_regular`] opens without blocking, checks the opened file (not the name, which can be
//! swapped meanwhile) is a regular file no larger than the caller's cap, and reads at most that.

use std::collections::VecDeque;
use std::fmt;
use std::fs::{self, File, FileType};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// One item of the walk: a file to read, or a path that cannot be used and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File(PathBuf),
    Bad { path: PathBuf, reason: String },
}

/// How far a walk may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Directory levels below a root.
    pub max_depth: usize,
    /// Entries (files and directories, accepted or not) looked at over the whole walk: bounds a
    /// tree of symlinks that multiplies without ever looping.
    pub max_entries: usize,
}

/// Which file names the caller wants from inside directories.
pub type Accept = fn(&Path) -> bool;

/// The lazy walk over several roots.
pub struct Walk {
    roots: VecDeque<PathBuf>,
    current: Option<RootWalk>,
    accept: Accept,
    limits: Limits,
    /// Files never yielded (compared by canonical path): a report being written into the tree.
    exclude: Vec<PathBuf>,
    entries: usize,
    /// The entry budget ran out and was reported: nothing more is yielded.
    stopped: bool,
}

struct RootWalk {
    iter: walkdir::IntoIter,
    /// The root as given, for messages.
    root: PathBuf,
    canonical: PathBuf,
}

impl fmt::Debug for Walk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Walk")
            .field("roots", &self.roots)
            .field("limits", &self.limits)
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

impl Walk {
    pub fn new(roots: &[PathBuf], accept: Accept, limits: Limits) -> Self {
        Self {
            roots: roots.iter().cloned().collect(),
            current: None,
            accept,
            limits,
            exclude: Vec::new(),
            entries: 0,
            stopped: false,
        }
    }

    /// Never yields `path`: a file of the same name that resolves to the same place.
    pub fn excluding(mut self, path: &Path) -> Self {
        if let Ok(canonical) = fs::canonicalize(path) {
            self.exclude.push(canonical);
        }
        self
    }

    fn is_excluded(&self, path: &Path) -> bool {
        // Names first: only a file named like an excluded one costs a canonicalize.
        let named_alike = self
            .exclude
            .iter()
            .any(|excluded| excluded.file_name() == path.file_name());
        named_alike
            && fs::canonicalize(path).is_ok_and(|canonical| self.exclude.contains(&canonical))
    }

    fn start_root(&mut self, root: PathBuf) -> Option<Entry> {
        let metadata = match fs::metadata(&root) {
            Ok(metadata) => metadata,
            Err(error) => {
                let reason = if error.kind() == io::ErrorKind::NotFound {
                    "no such file or directory".to_owned()
                } else {
                    format!("cannot read: {}", io_reason(&error))
                };
                return Some(Entry::Bad { path: root, reason });
            }
        };
        if metadata.is_dir() {
            let canonical = fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
            let iter = walkdir::WalkDir::new(&root)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter();
            self.current = Some(RootWalk {
                iter,
                root,
                canonical,
            });
            return None;
        }
        if self.is_excluded(&root) {
            return None;
        }
        // A file named as a root is wanted whatever its name; its type still matters.
        Some(match special_kind(&metadata.file_type()) {
            None => Entry::File(root),
            Some(kind) => Entry::Bad {
                path: root,
                reason: not_regular(kind),
            },
        })
    }

    /// The next item of the directory walk in progress; `None` when it is done.
    fn next_in_root(&mut self) -> Option<Entry> {
        loop {
            let current = self.current.as_mut()?;
            let item = match current.iter.next() {
                None => {
                    self.current = None;
                    return None;
                }
                Some(item) => item,
            };
            let entry = match item {
                Ok(entry) => entry,
                Err(error) => {
                    let path = error
                        .path()
                        .map_or_else(|| current.root.clone(), Path::to_path_buf);
                    let reason = if error.loop_ancestor().is_some() {
                        "a symlink loop (it leads back to a directory that contains it); not followed"
                            .to_owned()
                    } else if let Some(io) = error.io_error() {
                        if io.kind() == io::ErrorKind::NotFound {
                            "a broken symlink (its target does not exist)".to_owned()
                        } else {
                            format!("cannot read: {}", io_reason(io))
                        }
                    } else {
                        format!("cannot read: {error}")
                    };
                    return Some(Entry::Bad { path, reason });
                }
            };
            if entry.depth() == 0 {
                continue;
            }
            if is_hidden(entry.file_name()) {
                if entry.file_type().is_dir() {
                    current.iter.skip_current_dir();
                }
                continue;
            }
            self.entries += 1;
            if self.entries > self.limits.max_entries {
                self.stopped = true;
                self.current = None;
                return Some(Entry::Bad {
                    path: entry.path().to_path_buf(),
                    reason: format!(
                        "more than {} entries in the walk; stopped here, the rest is not read",
                        self.limits.max_entries
                    ),
                });
            }
            let is_dir = entry.file_type().is_dir();
            if entry.path_is_symlink() {
                let inside = fs::canonicalize(entry.path())
                    .is_ok_and(|target| target.starts_with(&current.canonical));
                if !inside {
                    if is_dir {
                        current.iter.skip_current_dir();
                    } else if !(self.accept)(entry.path()) {
                        continue;
                    }
                    return Some(Entry::Bad {
                        path: entry.path().to_path_buf(),
                        reason: format!(
                            "a symlink to a {} outside {}; not read (name it directly to read it)",
                            if is_dir { "directory" } else { "file" },
                            crate::term::visible_line(&current.root.display().to_string())
                        ),
                    });
                }
            }
            if is_dir {
                if entry.depth() > self.limits.max_depth {
                    current.iter.skip_current_dir();
                    return Some(Entry::Bad {
                        path: entry.path().to_path_buf(),
                        reason: format!(
                            "directories nest more than {} levels; not read further",
                            self.limits.max_depth
                        ),
                    });
                }
                continue;
            }
            if !(self.accept)(entry.path()) {
                continue;
            }
            if let Some(kind) = special_kind(&entry.file_type()) {
                let link = if entry.path_is_symlink() {
                    "a symlink to "
                } else {
                    ""
                };
                return Some(Entry::Bad {
                    path: entry.path().to_path_buf(),
                    reason: format!("{link}{}", not_regular(kind)),
                });
            }
            let path = entry.into_path();
            if self.is_excluded(&path) {
                continue;
            }
            return Some(Entry::File(path));
        }
    }
}

impl Iterator for Walk {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        loop {
            if self.stopped {
                return None;
            }
            if self.current.is_some() {
                if let Some(entry) = self.next_in_root() {
                    return Some(entry);
                }
                continue;
            }
            let root = self.roots.pop_front()?;
            if let Some(entry) = self.start_root(root) {
                return Some(entry);
            }
        }
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// What a non-regular, non-directory file is, in words; `None` for a regular file or directory.
fn special_kind(file_type: &FileType) -> Option<&'static str> {
    if file_type.is_file() || file_type.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("FIFO");
        }
        if file_type.is_socket() {
            return Some("socket");
        }
        if file_type.is_char_device() {
            return Some("character device");
        }
        if file_type.is_block_device() {
            return Some("block device");
        }
    }
    Some("special file")
}

fn not_regular(kind: &str) -> String {
    format!("{} {kind}, not a regular file; not read", article(kind))
}

fn article(word: &str) -> &'static str {
    // "a FIFO" is read "a fee-foe"; only the vowel-initial kinds here take "an".
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// A FIFO, socket, device or directory: `kind` in words.
    NotRegular(&'static str),
    TooLarge {
        len: u64,
        limit: u64,
    },
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular("directory") => write!(f, "is a directory"),
            ReadError::NotRegular(kind) => f.write_str(&not_regular(kind)),
            ReadError::TooLarge { len, limit } => write!(
                f,
                "too large: {} (the limit is {})",
                size(*len),
                self::limit(*limit)
            ),
            ReadError::Io(error) if error.kind() == io::ErrorKind::NotFound => {
                write!(f, "cannot read: no such file")
            }
            ReadError::Io(error) => write!(f, "cannot read: {}", io_reason(error)),
        }
    }
}

impl std::error::Error for ReadError {}

/// A file's size as a person reads it: `10.0 MiB`, `12 KiB`, `80 bytes`.
pub fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// A limit, which is a whole number of MiB or KiB: `8 MiB`, `64 KiB`.
pub fn limit(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads the regular file at `path`, refusing anything else and anything above `limit` bytes.
/// The open does not block (a FIFO swapped in after the walk looked is still refused) and the
/// read stops at `limit + 1` bytes in case the file grows meanwhile.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_nonblocking(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if metadata.is_dir() {
        return Err(ReadError::NotRegular("directory"));
    }
    if let Some(kind) = special_kind(&metadata.file_type()) {
        return Err(ReadError::NotRegular(kind));
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            len: metadata.len(),
            limit,
        });
    }
    let capacity = usize::try_from(metadata.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            len: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one
        // (regular files ignore the flag). O_NOCTTY: a terminal device never becomes ours.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// The OS error without its "(os error 2)" suffix, starting lowercase.
pub fn io_reason(error: &io::Error) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_depth: 8,
        max_entries: 1000,
    };

    fn json(path: &Path) -> bool {
        path.extension().is_some_and(|ext| ext == "json")
    }

    fn touch(path: &Path) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, b"{}").unwrap();
    }

    fn walk(root: &Path) -> Vec<String> {
        Walk::new(&[root.to_path_buf()], json, LIMITS)
            .map(|entry| match entry {
                Entry::File(path) => path.strip_prefix(root).unwrap().display().to_string(),
                Entry::Bad { path, reason } => format!(
                    "{}: {reason}",
                    path.strip_prefix(root).unwrap_or(&path).display()
                ),
            })
            .collect()
    }

    #[test]
    fn sorted_depth_first_hidden_skipped() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.json",
            "a.json",
            "x.txt",
            "c/d.json",
            ".h/x.json",
            ".t.json",
        ] {
            touch(&dir.path().join(name));
        }
        assert_eq!(walk(dir.path()), ["a.json", "b.json", "c/d.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_inside_are_followed_outside_and_loops_are_reported() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        touch(&outside.path().join("secret.json"));
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("real/a.json"));
        symlink(root.join("real"), root.join("alias")).unwrap();
        symlink(root, root.join("real/up")).unwrap();
        symlink(outside.path().join("secret.json"), root.join("s.json")).unwrap();
        symlink("/dev/zero", root.join("z.json")).unwrap();
        let got = walk(root);
        assert_eq!(got[0], "alias/a.json");
        assert!(got[1].starts_with("alias/up: a symlink loop"), "{got:?}");
        assert_eq!(got[2], "real/a.json");
        assert!(got[3].starts_with("real/up: a symlink loop"), "{got:?}");
        assert!(
            got[4].starts_with("s.json: a symlink to a file outside"),
            "{got:?}"
        );
        assert!(
            got[5].starts_with("z.json: a symlink to a file outside"),
            "{got:?}"
        );
        assert_eq!(got.len(), 6);
    }

    #[test]
    fn the_entry_budget_stops_the_walk_with_a_report() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            touch(&dir.path().join(format!("{i}.json")));
        }
        let limits = Limits {
            max_depth: 8,
            max_entries: 3,
        };
        let got: Vec<Entry> = Walk::new(&[dir.path().to_path_buf()], json, limits).collect();
        assert_eq!(got.len(), 4);
        assert!(matches!(&got[3], Entry::Bad { reason, .. } if reason.contains("more than 3")));
    }

    #[test]
    fn depth_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("1/2/3/deep.json"));
        let limits = Limits {
            max_depth: 2,
            max_entries: 100,
        };
        let got: Vec<Entry> = Walk::new(&[dir.path().to_path_buf()], json, limits).collect();
        assert!(
            matches!(&got[..], [Entry::Bad { reason, .. }] if reason.contains("more than 2 levels")),
            "{got:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_before_reading() {
        let error = read_regular(Path::new("/dev/zero"), 1024).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a character device, not a regular file; not read"
        );
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            read_regular(dir.path(), 1024).unwrap_err().to_string(),
            "is a directory"
        );
        let big = dir.path().join("big");
        fs::File::create(&big)
            .unwrap()
            .set_len(10 * 1024 * 1024)
            .unwrap();
        assert_eq!(
            read_regular(&big, 8 * 1024 * 1024).unwrap_err().to_string(),
            "too large: 10.0 MiB (the limit is 8 MiB)"
        );
    }

    #[test]
    fn excluded_files_are_not_yielded() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("a.json"));
        touch(&dir.path().join("report.json"));
        let got: Vec<Entry> = Walk::new(&[dir.path().to_path_buf()], json, LIMITS)
            .excluding(&dir.path().join("report.json"))
            .collect();
        assert_eq!(got, [Entry::File(dir.path().join("a.json"))]);
    }
}
