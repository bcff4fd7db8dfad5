//! The spare output: the output as it was before the last incremental
//! build, kept in the cache folder with the list of files where it may
//! differ from the live output (its lag). The next incremental build
//! starts from the spare instead of an empty staging folder: it removes
//! the lagging files, writes what it changes, links back from the live
//! output the lagging files it left alone, and swaps. That costs a system
//! call or two per changed file, where completing an empty staging folder
//! costs a link per file of the site, and removing the previous output an
//! unlink per file more.
//!
//! The spare's unchanged files are hard links to the live ones, so a file
//! is never written in place in it: the old link goes first
//! ([`Staging::put`](super::Staging)).
//!
//! The lag file is written last, after the swap, and taken (renamed) when
//! a build starts: a spare without one (a build killed while using it, or
//! before its lag was written) is removed, never trusted. The lag also
//! names the live output folder it was written beside (device and inode):
//! if anything else swapped the output since (a full build, an older
//! pidsite, the folder made again by hand), the spare is not trusted.

use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::exclusive;

/// How a path is recorded in the build's log: written with this build's
/// bytes, or removed from the spare and left for the live output's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Written = b'w' as isize,
    Hole = b'h' as isize,
}

/// Where the spare and its files are, for one output folder.
pub(super) struct Place {
    /// The spare folder.
    pub(super) dir: PathBuf,
    /// Its lag: the live folder's identity, then paths.
    lag: PathBuf,
    /// A lag taken by the build that uses the spare.
    taken: PathBuf,
    /// This build's log of the paths it wrote or left as holes.
    log: PathBuf,
}

impl Place {
    /// The spare of `out`, in its cache folder.
    pub(super) fn of(out: &Path) -> Place {
        let base = exclusive::cache_dir(out).join(format!("spare-{}", exclusive::output_name(out)));
        let with = |ext: &str| {
            let mut p = base.clone().into_os_string();
            p.push(ext);
            PathBuf::from(p)
        };
        Place {
            lag: with(".lag"),
            taken: with(".lag.taken"),
            log: with(".log"),
            dir: base,
        }
    }

    /// Take the spare into `staging` (an empty folder just made, beside the
    /// output) if it is valid for the live `out`, with its lagging files
    /// removed: then the taken lag's path. Otherwise the spare is removed.
    pub(super) fn take(&self, out: &Path, staging: &Path) -> Option<PathBuf> {
        let valid = identity(out).is_some_and(|id| {
            std::fs::File::open(&self.lag).is_ok_and(|f| {
                let mut first = String::new();
                std::io::BufReader::new(f).read_line(&mut first).is_ok() && first.trim_end() == id
            })
        }) && self.dir.is_dir();
        // Taken first: killed from now on, the spare is not trusted.
        if !valid || std::fs::rename(&self.lag, &self.taken).is_err() {
            self.discard();
            return None;
        }
        // An empty folder is replaced by a rename (POSIX).
        if std::fs::rename(&self.dir, staging).is_err() {
            self.discard();
            return None;
        }
        // Files on all cores; a folder where the live output has a file
        // (a file under it may be in the same batch) after them.
        let folders = std::sync::Mutex::new(Vec::new());
        let removed = batches(&self.taken, true, |b| {
            b.par_iter().try_for_each(|(_, rel)| {
                let at = staging.join(rel);
                match at.symlink_metadata() {
                    Ok(m) if m.is_dir() => {
                        folders.lock().unwrap_or_else(|e| e.into_inner()).push(at);
                        Ok(())
                    }
                    Ok(_) => remove_file(&at),
                    Err(_) => Ok(()),
                }
            })
        })
        .and_then(|()| {
            let folders = folders.into_inner().unwrap_or_else(|e| e.into_inner());
            folders.iter().try_for_each(|f| clear(f))
        });
        if removed.is_ok() {
            return Some(self.taken.clone());
        }
        // Start from an empty staging folder after all.
        let _ = std::fs::remove_file(&self.taken);
        let _ = super::remove_tree(staging);
        let _ = std::fs::create_dir(staging);
        None
    }

    /// Remove the spare and its lag (a full build makes no use of it). The
    /// log is this build's, if any.
    pub(super) fn discard(&self) {
        for f in [&self.lag, &self.taken] {
            let _ = std::fs::remove_file(f);
        }
        if self.dir.symlink_metadata().is_ok() {
            let _ = super::remove_tree(&self.dir);
        }
    }

    /// Open this build's log.
    pub(super) fn open_log(&self) -> std::io::Result<Log> {
        if let Some(parent) = self.log.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = std::fs::File::create(&self.log)?;
        Ok(Log(std::io::BufWriter::new(file)))
    }

    /// The log, closed: its path.
    pub(super) fn log_path(&self) -> &Path {
        &self.log
    }

    /// After the swap, `previous` (the output before this build, now at
    /// the staging folder's path) becomes the spare, lagging at the paths
    /// this build wrote and the `stale` ones it removed. On any failure the
    /// previous output is removed instead, as without a spare.
    pub(super) fn keep(&self, previous: &Path, out: &Path, stale: &[String]) -> Result<()> {
        let kept = std::fs::rename(previous, &self.dir).is_ok()
            && self
                .write_lag(out, |w| {
                    batches(&self.log, false, |b| {
                        b.iter()
                            .filter(|(kind, _)| *kind == Kind::Written)
                            .try_for_each(|(_, rel)| put_path(w, rel))
                    })?;
                    stale.iter().try_for_each(|s| put_path(w, Path::new(s)))
                })
                .is_ok();
        let _ = std::fs::remove_file(&self.log);
        let _ = std::fs::remove_file(&self.taken);
        if kept {
            return Ok(());
        }
        self.discard();
        if previous.symlink_metadata().is_ok() {
            super::remove_tree(previous)?;
        }
        Ok(())
    }

    /// Nothing was swapped (a no-op build): `staging` goes back to being
    /// the spare, lagging where it did and at the holes this build made.
    pub(super) fn put_back(&self, staging: &Path, out: &Path) -> Result<()> {
        let back = std::fs::rename(staging, &self.dir).is_ok()
            && self
                .write_lag(out, |w| {
                    let mut all =
                        |b: &[(Kind, &Path)]| b.iter().try_for_each(|(_, rel)| put_path(w, rel));
                    batches(&self.taken, true, &mut all)?;
                    batches(&self.log, false, &mut all)
                })
                .is_ok();
        let _ = std::fs::remove_file(&self.log);
        let _ = std::fs::remove_file(&self.taken);
        if !back {
            self.discard();
        }
        Ok(())
    }

    /// Write the lag: the live folder's identity, then the paths `body`
    /// puts; in place in one rename.
    fn write_lag(
        &self,
        out: &Path,
        body: impl FnOnce(&mut dyn std::io::Write) -> Result<()>,
    ) -> Result<()> {
        let io = |e| Error::io(&self.lag, e);
        let id = identity(out).ok_or_else(|| io(std::io::ErrorKind::Unsupported.into()))?;
        let tmp = self.lag.with_extension("lag.tmp");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io)?);
        writeln!(w, "{id}").map_err(io)?;
        body(&mut w)?;
        w.flush().map_err(io)?;
        drop(w);
        std::fs::rename(&tmp, &self.lag).map_err(io)
    }
}

/// A build's log of paths (see [`Kind`]), written from many threads under
/// the staging folder's lock.
pub(super) struct Log(std::io::BufWriter<std::fs::File>);

impl Log {
    /// Record `rel`, a path under the output.
    pub(super) fn record(&mut self, kind: Kind, rel: &Path) -> std::io::Result<()> {
        self.0.write_all(&[kind as u8])?;
        self.0.write_all(rel.as_os_str().as_encoded_bytes())?;
        self.0.write_all(b"\0")
    }

    /// Flush it to its file.
    pub(super) fn close(mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Call `f` with the paths of a log or lag (a lag's paths are all
/// [`Kind::Written`]) a batch at a time: a log may name every file of a
/// large site.
pub(super) fn batches(
    file: &Path,
    is_lag: bool,
    mut f: impl FnMut(&[(Kind, &Path)]) -> Result<()>,
) -> Result<()> {
    let io = |e| Error::io(file, e);
    let mut r = std::io::BufReader::new(std::fs::File::open(file).map_err(io)?);
    if is_lag {
        r.read_line(&mut String::new()).map_err(io)?;
    }
    let mut batch: Vec<Vec<u8>> = Vec::with_capacity(BATCH);
    let mut run = |batch: &mut Vec<Vec<u8>>| -> Result<()> {
        let paths = batch
            .iter()
            .map(|rec| match rec.split_first() {
                _ if is_lag => Ok((Kind::Written, path_of(rec))),
                Some((b'h', rel)) => Ok((Kind::Hole, path_of(rel))),
                Some((b'w', rel)) => Ok((Kind::Written, path_of(rel))),
                _ => Err(io(std::io::ErrorKind::InvalidData.into())),
            })
            .collect::<Result<Vec<_>>>()?;
        f(&paths)?;
        batch.clear();
        Ok(())
    };
    loop {
        let mut rec = Vec::new();
        if r.read_until(b'\0', &mut rec).map_err(io)? == 0 {
            break;
        }
        if rec.pop() != Some(b'\0') {
            return Err(io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        batch.push(rec);
        if batch.len() == BATCH {
            run(&mut batch)?;
        }
    }
    run(&mut batch)
}

/// Paths read at a time.
const BATCH: usize = 4096;

/// Write a lag's path.
fn put_path(w: &mut dyn std::io::Write, rel: &Path) -> Result<()> {
    w.write_all(rel.as_os_str().as_encoded_bytes())
        .and_then(|()| w.write_all(b"\0"))
        .map_err(|e| Error::io(rel, e))
}

#[cfg(unix)]
fn path_of(bytes: &[u8]) -> &Path {
    use std::os::unix::ffi::OsStrExt as _;
    Path::new(std::ffi::OsStr::from_bytes(bytes))
}

/// No spare is ever kept without a folder identity ([`identity`]).
#[cfg(not(unix))]
fn path_of(_bytes: &[u8]) -> &Path {
    Path::new("")
}

/// The live output folder's device and inode: a swap gives it new ones.
#[cfg(unix)]
fn identity(out: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt as _;
    let m = std::fs::metadata(out).ok()?;
    Some(format!("{} {}", m.dev(), m.ino()))
}

/// Elsewhere no spare is kept: incremental builds link every file.
#[cfg(not(unix))]
fn identity(_out: &Path) -> Option<String> {
    None
}

/// Make `path` free for a new file: remove what is there, a file (perhaps
/// a link to the live output's) or a folder a previous output had there.
pub(super) fn clear(path: &Path) -> Result<()> {
    match path.symlink_metadata() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Ok(m) if m.is_dir() => super::remove_tree(path),
        _ => remove_file(path),
    }
}

/// Remove a file; one already gone is no error.
fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// Make the folders of `parent` under `root`, removing any file that
/// stands where a folder must be (a previous output's).
pub(super) fn make_folders(root: &Path, parent: &Path) -> Result<()> {
    if std::fs::create_dir_all(parent).is_ok() {
        return Ok(());
    }
    let rel = parent.strip_prefix(root).unwrap_or(parent);
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        if at.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(&at).map_err(|e| Error::io(&at, e))?;
        }
    }
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))
}

/// Remove the folders that removing files left empty, deepest first, up to
/// `root`.
pub(super) fn prune(root: &Path, mut emptied: Vec<PathBuf>) {
    emptied.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    emptied.dedup();
    for dir in emptied {
        let mut at = dir.as_path();
        while at != root && at.starts_with(root) {
            if std::fs::remove_dir(at).is_err() {
                break;
            }
            match at.parent() {
                Some(p) => at = p,
                None => break,
            }
        }
    }
}
