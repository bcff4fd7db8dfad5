//! Writing: rendered [`Output`]s go into a staging folder beside the output
//! folder (as render made them: minifying is render's), static files are
//! copied in, and only a
//! build that succeeded is moved into place. A failed build leaves the
//! previous output untouched. Knows nothing of IIIF or PIDs.
//!
//! Both kinds of build swap the whole staging folder in, in one step: a
//! reader (or a web server) sees either the previous output or the new one,
//! never a mix, also when the build is killed. An incremental build stages
//! only the files whose bytes differ from the live output. Its staging
//! folder starts as the output before the last build (the spare), brought
//! up to date; without one, it starts empty and the unchanged files are
//! hard-linked into it before the swap. Either way the output it replaces
//! is kept as the next build's spare.

mod spare;

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::{Error, Location, Result};
use crate::exclusive;
use crate::model::site_path::SitePath;
use crate::output::Output;
use crate::static_files::BUILTIN_STATIC;

/// The marker file in the output folder naming the build it holds.
pub const MARKER: &str = ".pidsite-build";

/// A build in progress: a hidden folder beside the output folder.
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
    /// Incremental: stage only what differs from the live output.
    incremental: bool,
    /// Folders already created in the staging folder, by a 128-bit hash
    /// of their path: a large site has a folder or two per PID, and their
    /// paths were ~100 bytes each of its peak memory.
    made: Mutex<HashSet<u128>>,
    /// Where the spare output is kept.
    spare: spare::Place,
    /// Incremental, started from the spare: its lag, taken.
    taken: Option<PathBuf>,
    /// Incremental: the paths this build wrote or left as holes.
    log: Mutex<Option<spare::Log>>,
    /// Files written, but the marker.
    written: AtomicUsize,
    /// Whether the marker was written.
    marker_written: AtomicBool,
}

/// A folder's path as a 128-bit key (BLAKE3's first bytes): two of a
/// site's folders sharing one is as likely as guessing a random UUID.
fn folder_key(path: &Path) -> u128 {
    let hash = blake3::hash(path.as_os_str().as_encoded_bytes());
    let bytes: [u8; 16] = hash.as_bytes()[..16].try_into().expect("16 of 32 bytes");
    u128::from_le_bytes(bytes)
}

impl Staging {
    /// Create the staging folder beside `out`. When `incremental`, only
    /// files that differ from those in `out` are staged, and [`apply`]
    /// moves them in; otherwise [`commit`] swaps the whole folder.
    ///
    /// [`apply`]: Staging::apply
    /// [`commit`]: Staging::commit
    pub fn new(out: &Path, incremental: bool) -> Result<Self> {
        let parent = exclusive::parent_of(out);
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        // Named for the output, so that one a killed build left is known
        // as this output's (see `exclusive::OutputLock::remove_stale`).
        let dir = tempfile::Builder::new()
            .prefix(&exclusive::staging_prefix(out))
            .rand_bytes(exclusive::RANDOM_LEN)
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        let place = spare::Place::of(out);
        let (mut taken, mut log) = (None, None);
        if incremental {
            // Without a log the spare could not be kept up to date.
            log = place.open_log().ok();
            if log.is_some() {
                taken = place.take(out, dir.path());
            }
        } else {
            place.discard();
        }
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            incremental,
            made: Mutex::new(HashSet::new()),
            spare: place,
            taken,
            log: Mutex::new(log),
            written: AtomicUsize::new(0),
            marker_written: AtomicBool::new(false),
        })
    }

    /// The staging folder (for tests).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write one output. Safe to call from many threads.
    pub fn write(&self, output: &Output) -> Result<u64> {
        let file = output.path.to_file_path(self.dir.path());
        self.put(&file, &output.path.to_file_path(&self.out), &output.bytes)?;
        Ok(output.bytes.len() as u64)
    }

    /// Start writing an output too large to hold in memory (the
    /// site-wide linkset), piece by piece.
    pub fn stream(&self, path: SitePath) -> Result<Streamed<'_>> {
        let staged = path.to_file_path(self.dir.path());
        self.make_parent(&staged)?;
        if self.taken.is_some() {
            spare::clear(&staged)?;
        }
        let file = std::fs::File::create(&staged).map_err(|e| Error::io(&staged, e))?;
        Ok(Streamed {
            staging: self,
            path,
            staged,
            w: std::io::BufWriter::with_capacity(1 << 16, file),
        })
    }

    /// Stage `bytes` at `staged`, unless incremental and `live` holds them.
    fn put(&self, staged: &Path, live: &Path, bytes: &[u8]) -> Result<()> {
        if self.incremental && file_holds(live, bytes.len() as u64, bytes) {
            return Ok(());
        }
        self.make_parent(staged)?;
        // From the spare, the file there may be a link to the live one:
        // never written through.
        if self.taken.is_some() {
            spare::clear(staged)?;
        }
        write_file(staged, bytes)?;
        self.record(spare::Kind::Written, staged)
    }

    /// Note in the log (incremental builds) a path this build wrote, or
    /// left for the live output's file.
    fn record(&self, kind: spare::Kind, staged: &Path) -> Result<()> {
        let rel = staged
            .strip_prefix(self.dir.path())
            .expect("staged under the staging folder");
        if kind == spare::Kind::Written {
            if rel == Path::new(MARKER) {
                self.marker_written.store(true, Ordering::Relaxed);
            } else {
                self.written.fetch_add(1, Ordering::Relaxed);
            }
        }
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        match log.as_mut() {
            Some(log) => log
                .record(kind, rel)
                .map_err(|e| Error::io(self.spare.log_path(), e)),
            None => Ok(()),
        }
    }

    fn make_parent(&self, staged: &Path) -> Result<()> {
        if let Some(parent) = staged.parent() {
            let key = folder_key(parent);
            let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
            if !made.contains(&key) {
                if self.taken.is_some() {
                    spare::make_folders(self.dir.path(), parent)?;
                } else {
                    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                made.insert(key);
            }
        }
        Ok(())
    }

    /// Flush the log to its file; whether there is one.
    fn close_log(&self) -> Result<bool> {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner()).take();
        match log {
            Some(log) => log
                .close()
                .map(|()| true)
                .map_err(|e| Error::io(self.spare.log_path(), e)),
            None => Ok(false),
        }
    }

    /// Copy the site's `static/` folder, then every built-in static file the
    /// site does not override. Returns the files' paths under the output
    /// and their total size.
    pub fn copy_static(
        &self,
        site_static: &Path,
        include: &[String],
    ) -> Result<(Vec<String>, u64)> {
        let mut copied = Vec::new();
        let mut size = 0;
        for rel in crate::static_files::site_static(site_static, include)?.files {
            let from = site_static.join(&rel);
            let bytes = std::fs::read(&from).map_err(|e| Error::io(&from, e))?;
            self.put(&self.dir.path().join(&rel), &self.out.join(&rel), &bytes)?;
            size += bytes.len() as u64;
            copied.push(rel);
        }
        for (rel, bytes) in BUILTIN_STATIC {
            if !copied.iter().any(|c| c == rel) {
                self.put(&self.dir.path().join(rel), &self.out.join(rel), bytes)?;
                size += bytes.len() as u64;
                copied.push(rel.to_string());
            }
        }
        Ok((copied, size))
    }

    /// Incremental: complete the staging folder with the live output's
    /// files that this build left as they were (hard links, so it costs no
    /// copy; a copy where the file system has none), except `stale` ones
    /// (paths under the output, no longer made), then swap it in like
    /// [`commit`](Staging::commit). The live output is only read: killed
    /// before the swap, it is still the previous build's, whole.
    pub fn apply(self, stale: &[String]) -> Result<()> {
        self.close_log()?;
        if let Some(taken) = self.taken.clone() {
            if stale.is_empty() && self.written.load(Ordering::Relaxed) == 0 {
                // A no-op rebuild: the output stays, the marker at most is
                // renamed into it, and the staging folder is the spare again.
                if self.marker_written.load(Ordering::Relaxed) {
                    let (marker, to) = (self.dir.path().join(MARKER), self.out.join(MARKER));
                    std::fs::rename(&marker, &to).map_err(|e| Error::io(&to, e))?;
                }
                let staged = self.dir.keep();
                return self.spare.put_back(&staged, &self.out);
            }
            self.complete_spare(&taken, stale)?;
            return self.swap(Some(stale));
        }
        let staged = self.dir.path();
        // Nothing changed but perhaps the marker (a no-op rebuild): one
        // file renamed, or none, is as atomic as the swap, and skips
        // linking every file. The staging folder goes when `self` does.
        if stale.is_empty() && only_marker(staged) {
            let (marker, to) = (staged.join(MARKER), self.out.join(MARKER));
            if marker.exists() {
                std::fs::rename(&marker, &to).map_err(|e| Error::io(&to, e))?;
            }
            return Ok(());
        }
        self.complete_from_live(stale)?;
        self.swap(Some(stale))
    }

    /// Complete an empty staging folder (no spare) with every file of the
    /// live output this build did not write, except the `stale` ones: a
    /// hard link each (the first rebuild after a full build links every
    /// file of the site). Each folder of the live output is opened once and
    /// read; each of its files costs one `linkat` by name into the staged
    /// folder (which finds a file this build staged already there), each
    /// staged folder one `mkdirat`, made when a file goes into it, and the
    /// subfolders are done on all cores. Linking whole paths, each resolved
    /// from the root twice, was most of a 100,000-PID first rebuild.
    #[cfg(unix)]
    fn complete_from_live(&self, stale: &[String]) -> Result<()> {
        let stale: HashSet<&str> = stale.iter().map(String::as_str).collect();
        let open = |path: &Path| {
            rustix::fs::open(path, linking::DIR, rustix::fs::Mode::empty())
                .map_err(|e| Error::io(path, e.into()))
        };
        let root = linking::Folder::root(open(&self.out)?, open(self.dir.path())?);
        root.link(&self.out, self.dir.path(), &stale)
    }

    /// Elsewhere: the live output walked, then each file linked by its
    /// whole path.
    #[cfg(not(unix))]
    fn complete_from_live(&self, stale: &[String]) -> Result<()> {
        let staged = self.dir.path();
        let stale_set: HashSet<&Path> = stale.iter().map(Path::new).collect();
        let mut unchanged = Vec::new();
        let mut folders: HashSet<PathBuf> = HashSet::new();
        let mut last_folder: Option<PathBuf> = None;
        for entry in walkdir::WalkDir::new(&self.out) {
            let entry = entry.map_err(|e| Error::io(&self.out, e.into()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&self.out)
                .expect("walkdir yields paths under its root");
            // Stale: no longer made.
            if stale_set.contains(rel) {
                continue;
            }
            // A folder's files come together, mostly: one set lookup each.
            let folder = rel.parent().filter(|f| !f.as_os_str().is_empty());
            if let Some(folder) = folder {
                if last_folder.as_deref() != Some(folder) {
                    folders.insert(folder.to_path_buf());
                    last_folder = Some(folder.to_path_buf());
                }
            }
            unchanged.push(entry.into_path());
        }
        // `create_dir_all` takes a parent another thread is making as made.
        folders.par_iter().try_for_each(|folder| {
            let at = staged.join(folder);
            std::fs::create_dir_all(&at).map_err(|e| Error::io(&at, e))
        })?;
        unchanged.par_iter().try_for_each(|from| {
            let rel = from
                .strip_prefix(&self.out)
                .expect("collected under the output");
            link_or_copy(from, &staged.join(rel))
        })
    }

    /// Complete a staging folder that started as the spare (with its
    /// lagging files removed, see [`spare`]): remove the `stale` files, and
    /// link from the live output the lagging files this build did not
    /// write and the ones it found unchanged.
    fn complete_spare(&self, taken: &Path, stale: &[String]) -> Result<()> {
        let staged = self.dir.path();
        let stale_set: HashSet<&Path> = stale.iter().map(Path::new).collect();
        let emptied = Mutex::new(Vec::new());
        let left_empty = |at: &Path| {
            if let Some(parent) = at.parent() {
                let mut e = emptied.lock().unwrap_or_else(|e| e.into_inner());
                e.push(parent.to_path_buf());
            }
        };
        stale.par_iter().try_for_each(|rel| {
            let at = staged.join(rel);
            spare::clear(&at)?;
            left_empty(&at);
            Ok(())
        })?;
        let fill = |batch: &[(spare::Kind, &Path)]| {
            batch.par_iter().try_for_each(|(_, rel)| {
                let to = staged.join(rel);
                // Stale, or written by this build.
                if stale_set.contains(rel) || to.symlink_metadata().is_ok() {
                    return Ok(());
                }
                let from = self.out.join(rel);
                if from.symlink_metadata().is_ok_and(|m| m.is_file()) {
                    self.make_parent(&to)?;
                    link_or_copy(&from, &to)
                } else {
                    left_empty(&to);
                    Ok(())
                }
            })
        };
        spare::batches(taken, true, &fill)?;
        spare::batches(self.spare.log_path(), false, &fill)?;
        spare::prune(
            staged,
            emptied.into_inner().unwrap_or_else(|e| e.into_inner()),
        );
        Ok(())
    }

    /// Swap the staging folder into place of the output folder, for a full
    /// build: the previous output is removed.
    pub fn commit(self) -> Result<()> {
        self.swap(None)
    }

    /// Swap the staging folder into place of the output folder: in one
    /// atomic exchange where the system has one (Linux), then keep the
    /// previous output as the spare of the next incremental build (when
    /// this one is incremental: the `stale` files it removed), or remove it;
    /// elsewhere by two renames, the previous output first moved aside.
    fn swap(self, stale: Option<&[String]>) -> Result<()> {
        let staged = self.dir.keep();
        if self.out.exists() && exchange(&staged, &self.out).is_ok() {
            // `staged` now holds the previous output. Killed while removing
            // it, the next build removes the rest.
            return match stale {
                Some(stale) => self.spare.keep(&staged, &self.out, stale),
                None => remove_tree(&staged),
            };
        }
        let old = self.out.with_file_name(exclusive::old_name(&self.out));
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        if self.out.exists() {
            std::fs::rename(&self.out, &old).map_err(|e| Error::io(&self.out, e))?;
        }
        if let Err(e) = std::fs::rename(&staged, &self.out) {
            // Put the previous output back before reporting.
            if old.exists() {
                let _ = std::fs::rename(&old, &self.out);
            }
            let _ = std::fs::remove_dir_all(&staged);
            return Err(Error::io(&self.out, e));
        }
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }
}

/// Whether the staging folder holds no file but the build marker, if that.
/// Folders may be there without files: a file written piece by piece (the
/// export, the site-wide linkset) is staged, then removed when the live one
/// holds the same bytes, and its folder stays; and the marker is not staged
/// when the live one names the same build.
fn only_marker(staged: &Path) -> bool {
    walkdir::WalkDir::new(staged)
        .min_depth(1)
        .into_iter()
        .all(|entry| {
            entry.is_ok_and(|e| {
                e.file_type().is_dir()
                    || (e.depth() == 1 && e.file_name() == MARKER && e.file_type().is_file())
            })
        })
}

/// Remove a folder and everything in it on all cores: its files, then its
/// folders deepest first (an output's files are almost all in one `ark/`
/// or `doi/` folder, so splitting by top-level folder would not share it).
fn remove_tree(root: &Path) -> Result<()> {
    let mut files = Vec::new();
    let mut folders: Vec<(usize, PathBuf)> = Vec::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1) {
        let entry = entry.map_err(|e| Error::io(root, e.into()))?;
        if entry.file_type().is_dir() {
            folders.push((entry.depth(), entry.into_path()));
        } else {
            files.push(entry.into_path());
        }
    }
    files
        .par_iter()
        .try_for_each(|f| std::fs::remove_file(f).map_err(|e| Error::io(f, e)))?;
    folders.sort_by_key(|f| std::cmp::Reverse(f.0));
    for level in folders.chunk_by(|a, b| a.0 == b.0) {
        level
            .par_iter()
            .try_for_each(|(_, d)| std::fs::remove_dir(d).map_err(|e| Error::io(d, e)))?;
    }
    std::fs::remove_dir(root).map_err(|e| Error::io(root, e))
}

/// Exchange two paths in one step (`renameat2(RENAME_EXCHANGE)`, Linux 3.15
/// and most of its file systems): at no moment is either missing.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt as _;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two NUL-terminated paths that live across the call; the
    // syscall (not glibc's wrapper, missing before 2.28 and on musl) only
    // reads them.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// No atomic exchange: [`Staging::commit`] renames twice.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Refuse an output folder that a swap would destroy the site with.
pub(crate) fn check_out_dir(site: &Path, out: &Path) -> Result<()> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (site_abs, out_abs) = (abs(site), abs(out));
    let inside_inputs = ["content", "templates", "static"]
        .iter()
        .any(|d| out_abs.starts_with(site_abs.join(d)));
    if site_abs.starts_with(&out_abs) || inside_inputs {
        return Err(Error::output_folder(
            Location::file(out),
            "the output folder may not be the site folder, one of its parents, or inside content/, templates/ or static/ (it is replaced on every build)",
        ));
    }
    // The swap replaces the whole folder: never one that holds anything but
    // an earlier build's output (which carries the build marker).
    if out.exists() {
        let foreign = match std::fs::read_dir(out) {
            Ok(mut entries) => entries.next().is_some() && !out.join(MARKER).is_file(),
            Err(_) => true,
        };
        if foreign {
            return Err(Error::output_folder(
                Location::file(out),
                format!(
                    "the output folder holds files that no pidsite build wrote (it has no {}), and every build replaces it; expected a new or empty folder or an earlier build's output: move those files away or choose another output folder",
                    MARKER
                ),
            ));
        }
    }
    Ok(())
}

/// An output being written piece by piece (see [`Staging::stream`]).
pub struct Streamed<'s> {
    staging: &'s Staging,
    path: SitePath,
    staged: PathBuf,
    w: std::io::BufWriter<std::fs::File>,
}

impl Streamed<'_> {
    /// Append bytes.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.w
            .write_all(bytes)
            .map_err(|e| Error::io(&self.staged, e))
    }

    /// Finish the file; returns where it goes and its size.
    pub fn finish(mut self) -> Result<(SitePath, u64)> {
        let io = |e| Error::io(&self.staged, e);
        self.w.flush().map_err(io)?;
        let size = self.w.get_ref().metadata().map_err(io)?.len();
        drop(self.w);
        // Incremental: an unchanged file is not staged (as in `put`).
        let live = self.path.to_file_path(&self.staging.out);
        let mut kind = spare::Kind::Written;
        if self.staging.incremental {
            let staged = std::fs::File::open(&self.staged).map_err(io)?;
            if file_holds(&live, size, staged) {
                std::fs::remove_file(&self.staged).map_err(io)?;
                kind = spare::Kind::Hole;
            }
        }
        self.staging.record(kind, &self.staged)?;
        Ok((self.path, size))
    }
}

/// What writers of formats (CSV, zip) need: the file's own errors pass
/// through, and [`Streamed::finish`] names the file in those it reports.
impl std::io::Write for Streamed<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

/// A zip archive goes back to write each entry's sizes in its header.
impl std::io::Seek for Streamed<'_> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.w.seek(pos)
    }
}

/// Write `bytes` beside `path`, to be put in its place by
/// [`StagedFile::commit`] (a reader never sees half of it), unless the file
/// holds them already. `pidsite.lock` is saved so: staged before the output
/// is replaced, so that a lock that cannot be written fails `--strict`
/// while the previous output is still there, and left untouched by a build
/// that changes nothing. The new file keeps the mode of the one it replaces
/// (a new one gets the umask's, like any file: the temporary file's 0600
/// made the lock unreadable to the group that shares the site).
pub fn stage_replacement(path: &Path, bytes: &[u8]) -> std::io::Result<StagedFile> {
    if file_holds(path, bytes.len() as u64, bytes) {
        return Ok(StagedFile {
            tmp: None,
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let kept = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    // Named so that one left by a killed build says what it is.
    let prefix = format!(
        ".{}-",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Some(kept) = kept {
        tmp.as_file().set_permissions(kept)?;
    }
    Ok(StagedFile {
        tmp: Some(tmp),
        path: path.to_path_buf(),
    })
}

/// A file written but not yet in place ([`stage_replacement`]); dropped,
/// it is removed.
#[derive(Debug)]
pub struct StagedFile {
    /// The new bytes, beside the file; `None` when it is unchanged.
    tmp: Option<tempfile::NamedTempFile>,
    /// Where it goes.
    path: PathBuf,
}

impl StagedFile {
    /// Put the new file in place; whether it changed.
    pub fn commit(self) -> std::io::Result<bool> {
        match self.tmp {
            Some(tmp) => {
                tmp.persist(&self.path).map_err(|e| e.error)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Whether the file at `path` holds exactly the `len` bytes `other`
/// reads, compared a piece at a time (a large site's linkset or lock is
/// megabytes): false when it cannot be read.
fn file_holds(path: &Path, len: u64, mut other: impl std::io::Read) -> bool {
    use std::io::Read as _;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if file.metadata().map(|m| m.len()).ok() != Some(len) {
        return false;
    }
    let (mut a, mut b) = (vec![0; 1 << 16], vec![0; 1 << 16]);
    let mut rest = len;
    while rest > 0 {
        let n = usize::try_from(rest).map_or(a.len(), |r| r.min(a.len()));
        let read = file
            .read_exact(&mut a[..n])
            .and(other.read_exact(&mut b[..n]));
        if read.is_err() || a[..n] != b[..n] {
            return false;
        }
        rest -= n as u64;
    }
    true
}

/// Hard-link `from` at `to`: no copy. A file system without hard links
/// gets a copy; a file already at `to` (staged by this build) stays.
fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        // Staged already: this build's bytes differ.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(_) => std::fs::copy(from, to)
            .map(drop)
            .map_err(|e| Error::io(to, e)),
    }
}

/// The first rebuild's linking of the live output into the staging
/// folder, by open folders (see [`Staging::complete_from_live`]).
#[cfg(unix)]
mod linking {
    use std::collections::HashSet;
    use std::ffi::CString;
    use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
    use std::path::Path;
    use std::sync::OnceLock;

    use rayon::prelude::*;
    use rustix::fs::{AtFlags, FileType, Mode, OFlags};
    use rustix::io::Errno;

    use crate::error::{Error, Result};

    /// How folders are opened: to be read and linked in, never followed
    /// through a symlink.
    pub(super) const DIR: OFlags = OFlags::RDONLY
        .union(OFlags::DIRECTORY)
        .union(OFlags::CLOEXEC)
        .union(OFlags::NOFOLLOW);

    /// A folder of the live output, and its staged counterpart, made when
    /// a file is first linked into it (a live folder with no file to link,
    /// at any depth, is not made, as when each file's folder was made for
    /// it).
    pub(super) struct Folder<'p> {
        live: OwnedFd,
        /// The staged folder, made and opened once, by the first file or
        /// subfolder that needs it.
        staged: OnceLock<std::result::Result<OwnedFd, Errno>>,
        /// Where it is made: in the parent's staged folder, by name (none
        /// for the staging folder itself, which is given).
        parent: Option<(&'p Folder<'p>, CString)>,
        /// Its path under the output, with a trailing `/` (empty for the
        /// output itself).
        rel: String,
    }

    impl<'p> Folder<'p> {
        /// The output folder `live` and the staging folder `staged`, both
        /// open.
        pub(super) fn root(live: OwnedFd, staged: OwnedFd) -> Folder<'static> {
            Folder {
                live,
                staged: OnceLock::from(Ok(staged)),
                parent: None,
                rel: String::new(),
            }
        }

        /// Link every file of this folder and of its subfolders but the
        /// `stale` ones (paths under the output); `out` and `staging` are
        /// the two roots (for messages, and for copying a file where a
        /// link cannot be made).
        pub(super) fn link(&self, out: &Path, staging: &Path, stale: &HashSet<&str>) -> Result<()> {
            let at = |e: Errno| Error::io(&out.join(&self.rel), e.into());
            // `Dir` reads from a descriptor of its own.
            let read = rustix::fs::openat(&self.live, c".", DIR, Mode::empty()).map_err(at)?;
            let mut dir = rustix::fs::Dir::new(read).map_err(at)?;
            let mut folders = Vec::new();
            while let Some(entry) = dir.read() {
                let entry = entry.map_err(at)?;
                let name = entry.file_name();
                if name == c"." || name == c".." {
                    continue;
                }
                let kind = match entry.file_type() {
                    // A file system that does not say is asked.
                    FileType::Unknown => {
                        let stat = rustix::fs::statat(&self.live, name, AtFlags::SYMLINK_NOFOLLOW);
                        FileType::from_raw_mode(stat.map_err(at)?.st_mode)
                    }
                    kind => kind,
                };
                // Names pidsite writes are UTF-8; another is no stale path.
                let rel = format!("{}{}", self.rel, name.to_string_lossy());
                match kind {
                    FileType::Directory => folders.push((name.to_owned(), rel + "/")),
                    FileType::RegularFile if !stale.contains(rel.as_str()) => {
                        self.link_file(name, out, staging, &rel)?
                    }
                    // Stale files, and what is no file (a symlink), stay out.
                    _ => {}
                }
            }
            drop(dir);
            folders.into_par_iter().try_for_each(|(name, rel)| {
                let live = rustix::fs::openat(&self.live, &name, DIR, Mode::empty())
                    .map_err(|e| Error::io(&out.join(&rel), e.into()))?;
                let sub = Folder {
                    live,
                    staged: OnceLock::new(),
                    parent: Some((self, name)),
                    rel,
                };
                sub.link(out, staging, stale)
            })
        }

        /// One file linked by name (this build's own bytes, staged already,
        /// stay); copied where it cannot be linked.
        fn link_file(
            &self,
            name: &std::ffi::CStr,
            out: &Path,
            staging: &Path,
            rel: &str,
        ) -> Result<()> {
            let staged = self
                .staged()
                .map_err(|e| Error::io(&staging.join(&self.rel), e.into()))?;
            match rustix::fs::linkat(&self.live, name, staged, name, AtFlags::empty()) {
                Ok(()) | Err(Errno::EXIST) => Ok(()),
                Err(_) => {
                    let to = staging.join(rel);
                    std::fs::copy(out.join(rel), &to)
                        .map(drop)
                        .map_err(|e| Error::io(&to, e))
                }
            }
        }

        /// The staged folder, made (in its parent's, made first) on first
        /// use; one already there, made by this build, is used.
        fn staged(&self) -> std::result::Result<BorrowedFd<'_>, Errno> {
            let made = self.staged.get_or_init(|| {
                let (parent, name) = self.parent.as_ref().ok_or(Errno::NOENT)?;
                let parent = parent.staged()?;
                match rustix::fs::mkdirat(parent, name, Mode::from_raw_mode(0o777)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(e),
                }
                rustix::fs::openat(parent, name, DIR, Mode::empty())
            });
            match made {
                Ok(fd) => Ok(fd.as_fd()),
                Err(e) => Err(*e),
            }
        }
    }
}

/// One `write` of the whole page (a buffered writer would copy it first).
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first rebuild's linking: every live file but the stale ones,
    /// a hard link each, in folders made only where a file goes; a file
    /// this build staged keeps its bytes; a symlink is not followed.
    #[cfg(unix)]
    #[test]
    fn the_live_output_is_linked_into_the_staging_folder_by_open_folders() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tempfile::tempdir().unwrap();
        let (live, staged) = (dir.path().join("out"), dir.path().join("staged"));
        let files = [
            "index.html",
            "ark/1/a/index.html",
            "ark/1/a/cite.bib",
            "ark/1/b/index.html",
            "ark/1/b/gone.html",
            "doi/10.1/x/manifest.json",
        ];
        for f in files {
            let at = live.join(f);
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::fs::write(&at, f).unwrap();
        }
        std::fs::create_dir_all(live.join("empty/deeper")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", live.join("ark/1/link")).unwrap();
        // Written by this build already.
        std::fs::create_dir_all(staged.join("ark/1/a")).unwrap();
        std::fs::write(staged.join("ark/1/a/index.html"), "new").unwrap();
        let open = |p: &Path| rustix::fs::open(p, linking::DIR, rustix::fs::Mode::empty()).unwrap();
        let stale: HashSet<&str> = ["ark/1/b/gone.html"].into_iter().collect();
        linking::Folder::root(open(&live), open(&staged))
            .link(&live, &staged, &stale)
            .unwrap();
        let mut found: Vec<String> = walkdir::WalkDir::new(&staged)
            .min_depth(1)
            .into_iter()
            .map(|e| e.unwrap())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(&staged)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if e.file_type().is_dir() {
                    rel + "/"
                } else {
                    rel
                }
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                "ark/",
                "ark/1/",
                "ark/1/a/",
                "ark/1/a/cite.bib",
                "ark/1/a/index.html",
                "ark/1/b/",
                "ark/1/b/index.html",
                "doi/",
                "doi/10.1/",
                "doi/10.1/x/",
                "doi/10.1/x/manifest.json",
                "index.html",
            ]
        );
        assert_eq!(
            std::fs::read_to_string(staged.join("ark/1/a/index.html")).unwrap(),
            "new"
        );
        for f in ["index.html", "ark/1/a/cite.bib", "doi/10.1/x/manifest.json"] {
            let (a, b) = (
                std::fs::metadata(live.join(f)).unwrap(),
                std::fs::metadata(staged.join(f)).unwrap(),
            );
            assert_eq!(a.ino(), b.ino(), "{f} is a hard link");
        }
    }

    #[test]
    fn replacing_a_file_with_its_own_bytes_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pidsite.lock");
        let replace = |bytes: &[u8]| stage_replacement(&f, bytes).unwrap().commit().unwrap();
        assert!(replace(b"a = 1\n"));
        assert!(!replace(b"a = 1\n"));
        assert!(replace(b"a = 2\n"));
        assert_eq!(std::fs::read(&f).unwrap(), b"a = 2\n");
    }

    #[test]
    fn a_file_holds_exactly_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a");
        // Longer than one piece, so the comparison crosses pieces.
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&f, &bytes).unwrap();
        assert!(file_holds(&f, bytes.len() as u64, &bytes[..]));
        let mut other = bytes.clone();
        *other.last_mut().unwrap() ^= 1;
        assert!(!file_holds(&f, other.len() as u64, &other[..]));
        assert!(!file_holds(&f, 10, &bytes[..10]));
        assert!(!file_holds(&dir.path().join("none"), 0, &b""[..]));
    }
}
