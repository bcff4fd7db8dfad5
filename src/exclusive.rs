//! One build at a time per output folder. A build holds an advisory lock
//! (`flock`) on a file in the cache folder from before it reads the last
//! build's state until the new state is saved: a second build into the same
//! output fails at once, naming the process that holds it, instead of
//! mixing two builds' files. Holding the lock is also what makes it safe to
//! remove the staging folders that killed builds left beside the output:
//! no other build of this output can be using one.

use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};

/// The start of a staging folder's name: `.pidsite-build-<output name>-`,
/// then [`RANDOM_LEN`] random characters.
pub fn staging_prefix(out: &Path) -> String {
    format!(".pidsite-build-{}-", output_name(out))
}

/// The number of random characters that end a staging folder's name.
pub const RANDOM_LEN: usize = 6;

/// The output folder's own name (`out` for a path without one).
pub fn output_name(out: &Path) -> String {
    out.file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned())
}

/// The lock on an output folder, held until dropped.
#[derive(Debug)]
pub struct OutputLock {
    /// The locked file; closing it releases the lock (also when the
    /// process is killed).
    _file: std::fs::File,
}

impl OutputLock {
    /// Take the lock on `out` (the file `lock_file`, created if missing),
    /// or fail naming the process that holds it.
    pub fn acquire(out: &Path, lock_file: &Path) -> Result<OutputLock> {
        if let Some(dir) = lock_file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock_file)
            .map_err(|e| Error::io(lock_file, e))?;
        if !try_lock(&file).map_err(|e| Error::io(lock_file, e))? {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = match holder.trim() {
                "" => "another pidsite build".to_string(),
                pid => format!("another pidsite build (process {pid})"),
            };
            return Err(Error::output_folder(
                Location::file(out),
                format!(
                    "{holder} is writing this output folder (it holds {}); wait for it to finish, or build into another folder",
                    lock_file.display()
                ),
            ));
        }
        // Say who holds it, for the message above. Only the holder writes.
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| writeln!(file, "{}", std::process::id()));
        Ok(OutputLock { _file: file })
    }

    /// Remove what killed builds of `out` left beside it: staging folders
    /// (named by [`staging_prefix`] and [`RANDOM_LEN`] random characters,
    /// so never another output's) and the previous output a swap had not
    /// yet removed. Only while the lock is held (hence `&self`): no other
    /// build of `out` is running. Returns how many were removed.
    pub fn remove_stale(&self, out: &Path) -> Result<usize> {
        let parent = parent_of(out);
        let prefix = staging_prefix(out);
        let old = old_name(out);
        let Ok(entries) = std::fs::read_dir(&parent) else {
            return Ok(0);
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let staging = name.strip_prefix(&prefix).is_some_and(|rest| {
                rest.len() == RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric())
            });
            // A symlink named so is not pidsite's: leave it.
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if (staging || name == old) && is_dir {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// The name the previous output takes while a swap replaces it (where no
/// atomic exchange is available).
pub fn old_name(out: &Path) -> String {
    format!(".pidsite-old-{}", output_name(out))
}

/// The cache folder beside `out` (for the default `public/`, in the site
/// folder): the build state, the remote cache and the spare output, never
/// published.
pub fn cache_dir(out: &Path) -> PathBuf {
    parent_of(out).join(".pidsite-cache")
}

/// The folder that holds `out`.
pub fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `flock(LOCK_EX | LOCK_NB)`: whether the lock was taken. The standard
/// library's `File::try_lock` needs Rust 1.89; the crate supports 1.85.
#[cfg(unix)]
fn try_lock(file: &std::fs::File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd as _;
    // SAFETY: flock on a file descriptor this `File` owns and keeps open.
    let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(e)
    }
}

/// Elsewhere builds are not locked.
#[cfg(not(unix))]
fn try_lock(_file: &std::fs::File) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_output_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let file = dir.path().join(".pidsite-cache/lock-public");
        let held = OutputLock::acquire(&out, &file).unwrap();
        let err = OutputLock::acquire(&out, &file).unwrap_err().to_string();
        assert!(
            err.contains(&format!("process {}", std::process::id())) && err.contains("public"),
            "{err}"
        );
        drop(held);
        OutputLock::acquire(&out, &file).unwrap();
    }

    #[test]
    fn only_this_outputs_staging_folders_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let file = dir.path().join(".pidsite-cache/lock-public");
        let names = [
            ".pidsite-build-public-Ab12Cd",
            ".pidsite-old-public",
            ".pidsite-build-public-x-Ab12Cd",
            ".pidsite-build-publicx-Ab12Cd",
            ".pidsite-build-public-Ab12",
            "public",
        ];
        for n in names {
            std::fs::create_dir_all(dir.path().join(n).join("a")).unwrap();
        }
        let lock = OutputLock::acquire(&out, &file).unwrap();
        assert_eq!(lock.remove_stale(&out).unwrap(), 2);
        for n in &names[2..] {
            assert!(dir.path().join(n).is_dir(), "{n} removed");
        }
        assert!(!dir.path().join(names[0]).exists());
        assert!(!dir.path().join(names[1]).exists());
    }
}
