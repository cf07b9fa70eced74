//! Saving a transcript so that "saved" is true: the target is checked before a session starts,
//! every save is atomic, and a save that fails says so.
//!
//! The target: a regular file (its symlinks followed, its permissions kept) or a new path in a
//! writable directory. A directory, FIFO, socket or device is refused, so `--transcript
//! /dev/null` never replaces the device with a file.
//!
//! Each save writes the whole transcript to a partial file beside the target, flushes it to disk
//! and renames it over the target, so a reader or a crash sees the old transcript or the new one,
//! never half of one. The partial file is hidden and named after the target and the writing
//! process (`.t.json.<pid>.sysdrill-partial`); a process killed mid-save leaves one behind, and the
//! next check of a target in that directory removes those whose process is gone.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::Transcript;

const PARTIAL_SUFFIX: &str = ".sysdrill-partial";

/// Checks that a transcript can be saved at `path` before anything is practised, creating its
/// directory if needed, and clears partial files that crashed sessions left beside it. The
/// error says why in words.
pub fn check_target(path: &Path) -> Result<(), String> {
    let target = resolve(path)?;
    let dir = parent_of(&target);
    fs::create_dir_all(dir).map_err(|error| {
        format!(
            "cannot create the folder {}: {}",
            dir.display(),
            crate::walk::io_reason(&error)
        )
    })?;
    remove_stale_partials(dir);
    if let Ok(metadata) = fs::metadata(&target) {
        if metadata.permissions().readonly() {
            return Err("the file is read-only".to_owned());
        }
        fs::OpenOptions::new()
            .append(true)
            .open(&target)
            .map_err(|error| format!("cannot write it: {}", crate::walk::io_reason(&error)))?;
    }
    // The save writes a partial file in the folder and renames it: try exactly that.
    let partial = partial_path(&target);
    write_partial(&partial, b"", None).map_err(|error| {
        format!(
            "cannot write in {}: {}",
            dir.display(),
            crate::walk::io_reason(&error)
        )
    })?;
    let _ = fs::remove_file(&partial);
    Ok(())
}

/// Writes the transcript atomically (see the module doc). On error nothing at `path` changed.
pub fn save(path: &Path, transcript: &Transcript) -> io::Result<()> {
    let target = resolve(path).map_err(io::Error::other)?;
    let dir = parent_of(&target);
    fs::create_dir_all(dir)?;
    let permissions = fs::metadata(&target).ok().map(|meta| meta.permissions());
    let mut bytes = serde_json::to_vec_pretty(transcript).map_err(io::Error::other)?;
    bytes.push(b'\n');
    let partial = partial_path(&target);
    let written =
        write_partial(&partial, &bytes, permissions).and_then(|()| fs::rename(&partial, &target));
    if let Err(error) = written {
        let _ = fs::remove_file(&partial);
        return Err(error);
    }
    // The rename is durable once the folder is flushed; a folder that cannot be opened for that
    // (some filesystems) still has the renamed file.
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Where the bytes go: `path`, or the file its symlinks lead to; refused when that is not a
/// regular file.
fn resolve(path: &Path) -> Result<PathBuf, String> {
    let link = fs::symlink_metadata(path);
    let target = match &link {
        Ok(meta) if meta.is_symlink() => match fs::canonicalize(path) {
            Ok(target) => target,
            Err(_) => return Err("it is a symlink to a file that does not exist".to_owned()),
        },
        _ => path.to_path_buf(),
    };
    match fs::metadata(&target) {
        Ok(meta) if meta.is_dir() => Err("it is a directory".to_owned()),
        Ok(meta) if !meta.is_file() => Err(format!(
            "it is {}; a transcript is a regular file",
            kind_of(&meta.file_type())
        )),
        _ => Ok(target),
    }
}

fn kind_of(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    let _ = file_type;
    "a special file"
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// `.t.json.<pid>.sysdrill-partial` beside `t.json`.
fn partial_path(target: &Path) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(target.file_name().unwrap_or_default());
    name.push(format!(".{}{PARTIAL_SUFFIX}", std::process::id()));
    parent_of(target).join(name)
}

fn write_partial(
    partial: &Path,
    bytes: &[u8],
    permissions: Option<fs::Permissions>,
) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A new transcript is the candidate's own: not readable by others.
        options.mode(0o600);
    }
    let mut file = options.open(partial)?;
    file.write_all(bytes)?;
    if let Some(permissions) = permissions {
        file.set_permissions(permissions)?;
    }
    file.sync_all()
}

/// Removes the partial files in `dir` whose writing process no longer runs (on systems where
/// that can be told from `/proc`; elsewhere only this process's own are reused).
fn remove_stale_partials(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = partial_pid(&name.to_string_lossy()) else {
            continue;
        };
        if !process_runs(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The pid in `.t.json.<pid>.sysdrill-partial`.
fn partial_pid(name: &str) -> Option<u32> {
    let stem = name.strip_prefix('.')?.strip_suffix(PARTIAL_SUFFIX)?;
    stem.rsplit('.').next()?.parse().ok()
}

fn process_runs(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        // Cannot tell: keep the file.
        return true;
    }
    proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Entry, Event};

    fn transcript() -> Transcript {
        Transcript::new(
            "d",
            0xabc,
            7,
            "interview",
            None,
            "2026-01-01T00:00:00Z".into(),
        )
    }

    #[test]
    fn save_round_trips_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        let mut transcript = transcript();
        save(&path, &transcript).unwrap();
        transcript.log.push(Entry {
            at_s: 1.5,
            event: Event::Answer {
                text: "an answer".into(),
            },
        });
        save(&path, &transcript).unwrap();
        let back: Transcript = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(back, transcript);
        assert_eq!(back.content_hash, "0000000000000abc");
        // Only the transcript is left in the folder: no stray partial files.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_permissions_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        fs::write(&real, b"{}").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        check_target(&link).unwrap();
        save(&link, &transcript()).unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        let mode = fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert!(fs::read_to_string(&real).unwrap().contains("\"drill_id\""));
    }

    #[cfg(unix)]
    #[test]
    fn devices_directories_and_fifos_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(check_target(dir.path()).unwrap_err(), "it is a directory");
        assert_eq!(
            check_target(Path::new("/dev/null")).unwrap_err(),
            "it is a character device; a transcript is a regular file"
        );
        assert!(save(Path::new("/dev/null"), &transcript()).is_err());
    }

    #[test]
    fn partial_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // No process runs with a pid this large (Linux caps pids at 2^22).
        let stale = dir.path().join(".t.json.4294967295.sysdrill-partial");
        fs::write(&stale, b"{\"half").unwrap();
        let mine = partial_path(&dir.path().join("t.json"));
        assert_eq!(
            partial_pid(&mine.file_name().unwrap().to_string_lossy()),
            Some(std::process::id())
        );
        check_target(&dir.path().join("t.json")).unwrap();
        assert!(!stale.exists() || !Path::new("/proc/self").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
