//! Incremental builds. After each build pidsite records, per PID, a
//! fingerprint of everything its pages are made from (its registry rows, its
//! IIIF file or the content hash of its remote document, its note) together
//! with the files it wrote and the summary the site-wide pages need. The
//! next build into the same output folder renders only the PIDs whose
//! fingerprint changed; everything else is kept as is.
//!
//! What every page depends on (the pidsite binary, site.toml, templates, the
//! navigation) goes into one global fingerprint: when it changes, the build
//! is a full one. Pages that link to other PIDs' pages (collections,
//! annotations) also depend on the index of IIIF ids to PID pages, recorded
//! as its own hash.
//!
//! The state lives in a cache folder beside the output, not in it (it would
//! be published); a small marker file in the output ties the two together,
//! so a state never describes an output folder it did not build.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::entry_store::{EntryRef, EntryState, EntryStore};
use crate::error::{Location, Warning};
use crate::model::record::{Entry, Target};
use crate::remote::{Obtained, RemoteDocs};
use crate::render::site_wide::SitePage;
use crate::write::MARKER;

pub use crate::entry_store::Hash;

/// What one build of one output folder was made of.
#[derive(Default, Deserialize)]
pub struct State {
    /// The id written to the output's marker file.
    pub build_id: String,
    /// Fingerprint of what every page depends on.
    pub global: Hash,
    /// Hash of the IIIF id -> PID page index.
    pub index: Hash,
    /// Per PID key (of the last build; a build saves its own from the
    /// registry, see [`State::save`]); each one's [`EntryState`] is in the
    /// store.
    pub entries: HashMap<String, EntryRef>,
    /// Files that are not any one PID's: site-wide pages and static files.
    pub site_files: Vec<String>,
    /// Each site-wide page's file (list pages, Markdown pages, 404.html),
    /// with the hash of the context it was rendered from (see
    /// `render::site_wide`; when that last changed is in `pidsite.lock`).
    #[serde(default)]
    pub site_pages: HashMap<String, SitePage>,
    /// Size and modification time of each IIIF file read, with its hash, so
    /// an untouched file is not read again to be fingerprinted.
    pub files: HashMap<PathBuf, FileStamp>,
    /// The file of the entries' states, in the cache folder.
    store: String,
    /// That file, once the state is loaded.
    #[serde(skip)]
    opened: Option<EntryStore>,
}

/// A file's size and modification time with its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    len: u64,
    modified_ns: u128,
    hash: Hash,
}

/// Where the state of builds into `out` is kept: in a `.pidsite-cache`
/// folder beside it (for the default `public/`, in the site folder), so it
/// is never published and goes with the output it describes.
pub fn state_path(out: &Path) -> PathBuf {
    cache_dir(out).join(format!("build-state-{}.json", output_name(out)))
}

/// The cache folder beside `out`.
pub fn cache_dir(out: &Path) -> PathBuf {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    parent.join(".pidsite-cache")
}

fn output_name(out: &Path) -> String {
    out.file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned())
}

impl State {
    /// The state of the last build into `out`, if it is the build `out`
    /// holds and was made from the same global inputs; otherwise `None` (a
    /// full build). An unreadable state is not an error: it only costs time.
    pub fn load(out: &Path, global: &str) -> Option<State> {
        let marker = std::fs::read_to_string(out.join(MARKER)).ok()?;
        // Read whole, then parsed: serde_json reads a slice several times
        // faster than a reader (a no-op rebuild of 1,000 PIDs spent 22 M
        // instructions reading its state through a BufReader).
        let bytes = std::fs::read(state_path(out)).ok()?;
        let mut state: State = serde_json::from_slice(&bytes).ok()?;
        if state.build_id != marker.trim() || state.global != global {
            return None;
        }
        // A store shorter than its entries say is not this state's.
        let store = EntryStore::open(&cache_dir(out).join(&state.store)).ok()?;
        let end = state.entries.values().map(|e| e.at + e.len).max();
        if end.is_some_and(|end| end > store.len()) {
            return None;
        }
        state.opened = Some(store);
        Some(state)
    }

    /// A new state, for the entries in `store` (see [`State::save`]).
    pub fn new(build_id: String, global: Hash, index: Hash) -> State {
        State {
            build_id,
            global,
            index,
            ..State::default()
        }
    }

    /// The state of one of its entries.
    pub fn entry(&self, entry: &EntryRef) -> crate::Result<EntryState> {
        let state = self.store().get(entry.at, entry.len);
        state.map_err(|e| crate::Error::Cache(Box::new(e)))
    }

    /// The state of one of its entries as its JSON line in the store.
    pub fn entry_raw(&self, entry: &EntryRef) -> crate::Result<Vec<u8>> {
        let line = self.store().get_raw(entry.at, entry.len);
        line.map_err(|e| crate::Error::Cache(Box::new(e)))
    }

    /// The state in a line [`State::entry_raw`] gave.
    pub fn parse_entry(&self, line: &[u8]) -> crate::Result<EntryState> {
        let state = self.store().parse(line);
        state.map_err(|e| crate::Error::Cache(Box::new(e)))
    }

    fn store(&self) -> &EntryStore {
        self.opened
            .as_ref()
            .expect("a loaded state has its store open")
    }

    /// Write the state (after the output it describes is in place), with
    /// `store` holding its entries' states. The stores of earlier builds
    /// into the same folder are deleted.
    /// `entries` are the build's PIDs (key and reference), written as they
    /// come rather than gathered into a map.
    pub fn save<'a>(
        &mut self,
        out: &Path,
        store: EntryStore,
        entries: impl Iterator<Item = (&'a str, &'a EntryRef)>,
    ) -> std::io::Result<()> {
        let path = state_path(out);
        let dir = cache_dir(out);
        let prefix = format!("entries-{}-", output_name(out));
        // A new name each build: the state written last names its store, so
        // a build stopped between the two never pairs a state with another
        // build's store.
        self.store = format!("{prefix}{}.jsonl", new_build_id());
        store.keep(&dir.join(&self.store))?;
        let tmp = path.with_extension("json.tmp");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let saved = Saved {
            build_id: &self.build_id,
            global: &self.global,
            index: &self.index,
            entries: MapOnce(std::cell::RefCell::new(Some(entries))),
            site_files: &self.site_files,
            site_pages: &self.site_pages,
            files: &self.files,
            store: &self.store,
        };
        serde_json::to_writer(&mut w, &saved)?;
        w.flush()?;
        drop(w);
        std::fs::rename(tmp, path)?;
        for old in std::fs::read_dir(&dir)?.flatten() {
            let name = old.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && name != self.store {
                let _ = std::fs::remove_file(old.path());
            }
        }
        Ok(())
    }

    /// Forget the state of `out` (before an output is changed in place).
    pub fn invalidate(out: &Path) {
        let _ = std::fs::remove_file(state_path(out));
    }
}

/// [`State`] as written.
#[derive(Serialize)]
#[serde(bound(serialize = "MapOnce<I>: Serialize"))]
struct Saved<'a, I> {
    build_id: &'a str,
    global: &'a str,
    index: &'a str,
    entries: MapOnce<I>,
    site_files: &'a [String],
    site_pages: &'a HashMap<String, SitePage>,
    files: &'a HashMap<PathBuf, FileStamp>,
    store: &'a str,
}

/// A map written from an iterator, once.
struct MapOnce<I>(std::cell::RefCell<Option<I>>);

impl<K: Serialize, V: Serialize, I: Iterator<Item = (K, V)>> Serialize for MapOnce<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let entries = self.0.borrow_mut().take();
        s.collect_map(entries.into_iter().flatten())
    }
}

/// A fresh build id: time and process, unique enough to tell builds apart.
pub fn new_build_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{now:x}-{:x}", std::process::id())
}

/// What tells one pidsite executable from another. On Unix, its file's
/// identity: device, inode, size, and modification and change times. A
/// rebuilt or reinstalled pidsite is a new file, or the same file written
/// again, which sets its change time (which no tool can set back); hashing
/// the tens of megabytes of the executable instead was ~5 ms of every build.
#[cfg(unix)]
fn exe_identity(path: &Path) -> std::io::Result<Hash> {
    use std::os::unix::fs::MetadataExt as _;
    let m = std::fs::metadata(path)?;
    let stamp = [
        m.dev() as i64,
        m.ino() as i64,
        m.size() as i64,
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
    ];
    let mut h = blake3::Hasher::new();
    for n in stamp {
        h.update(&n.to_le_bytes());
    }
    Ok(h.finalize().to_hex().to_string())
}

/// Elsewhere, the executable's content, streamed.
#[cfg(not(unix))]
fn exe_identity(path: &Path) -> std::io::Result<Hash> {
    let mut h = blake3::Hasher::new();
    h.update_reader(std::fs::File::open(path)?)?;
    Ok(h.finalize().to_hex().to_string())
}

/// Hashes the global inputs: the running pidsite itself (a new version may
/// render differently), then whatever the caller adds.
pub struct GlobalHasher(blake3::Hasher);

impl GlobalHasher {
    /// Start with the pidsite executable.
    pub fn new() -> Self {
        static EXE: OnceLock<Hash> = OnceLock::new();
        let exe = EXE.get_or_init(|| {
            std::env::current_exe()
                .and_then(|path| exe_identity(&path))
                // Without it, a build is never considered unchanged.
                .unwrap_or_else(|_| new_build_id())
        });
        let mut h = blake3::Hasher::new();
        h.update(exe.as_bytes());
        GlobalHasher(h)
    }

    /// Add a named piece.
    pub fn add(&mut self, name: &str, bytes: &[u8]) {
        self.0.update(&(name.len() as u64).to_le_bytes());
        self.0.update(name.as_bytes());
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// Add every file under `dir` (path within `dir` and content), in a
    /// stable order.
    pub fn add_dir(&mut self, dir: &Path) {
        if !dir.is_dir() {
            return;
        }
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .collect();
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).unwrap_or_default();
            let name = f.strip_prefix(dir).unwrap_or(&f);
            self.add(&name.to_string_lossy(), &bytes);
        }
    }

    /// The fingerprint.
    pub fn finish(&self) -> Hash {
        self.0.finalize().to_hex().to_string()
    }
}

impl Default for GlobalHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// Target files read to fingerprint a PID, handed on to loading: a full
/// build reads each manifest once.
#[derive(Default)]
pub struct ReadFiles(Vec<(PathBuf, Vec<u8>)>);

impl ReadFiles {
    /// The bytes of `path`, if they were read (each path is handed out once).
    pub fn take(&mut self, path: &Path) -> Option<Vec<u8>> {
        let i = self.0.iter().position(|(p, _)| p == path)?;
        Some(self.0.swap_remove(i).1)
    }
}

/// Fingerprints of PIDs' own inputs, reusing the hash of an IIIF file whose
/// size and modification time have not changed since the last build.
pub struct Fingerprinter {
    previous: HashMap<PathBuf, FileStamp>,
    seen: Mutex<HashMap<PathBuf, FileStamp>>,
}

impl Fingerprinter {
    /// Start from the last build's file stamps (taken out of its state).
    pub fn new(previous: Option<&mut State>) -> Self {
        Fingerprinter {
            previous: previous
                .map(|s| std::mem::take(&mut s.files))
                .unwrap_or_default(),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The fingerprint of an entry: all its rows (where in the registry
    /// they are does not change a page), its target file's content and its
    /// note. With it come the target files it had to read, so loading them
    /// does not read them again.
    pub fn entry(
        &self,
        entry: &Entry,
        note: Option<&str>,
        remote: &RemoteDocs,
    ) -> (Hash, ReadFiles) {
        let mut read = ReadFiles::default();
        let mut h = blake3::Hasher::new();
        for record in &entry.versions {
            // Neither where the row is nor how the site folder was spelled
            // (`--site .`, an absolute path, another checkout) changes a
            // page: the target counts as written, and by its content below.
            let mut r = record.clone();
            r.at = Location::file("");
            if let Some(Target::Local { path, .. }) = &mut r.target {
                *path = PathBuf::new();
            }
            h.update(format!("{r:?}").as_bytes());
            match &record.target {
                Some(Target::Local { path, .. }) => {
                    h.update(self.file(path, Some(&mut read)).as_bytes())
                }
                // A remote document counts by its content (after fetching
                // or revalidating it), or by why it could not be had.
                Some(Target::Remote(url)) => h.update(remote_fingerprint(remote, url).as_bytes()),
                None => &mut h,
            };
        }
        h.update(note.unwrap_or("\0no note").as_bytes());
        (h.finalize().to_hex().to_string(), read)
    }

    /// The SHA-256 of a local target file, `None` when it cannot be read
    /// (cheap for a file already fingerprinted).
    pub fn content_hash(&self, path: &Path) -> Option<Hash> {
        Some(self.file(path, None)).filter(|h| h != "missing")
    }

    /// The content hash of a file ("missing" when it cannot be read: the
    /// page says so, and changes when the file appears). The bytes it had
    /// to read go into `keep`, when given.
    fn file(&self, path: &Path, keep: Option<&mut ReadFiles>) -> Hash {
        // Already fingerprinted in this build (the lock asks again, and a
        // file may be the target of several rows).
        if keep.is_none() {
            let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(stamp) = seen.get(path) {
                return stamp.hash.clone();
            }
        }
        let Ok(meta) = std::fs::metadata(path) else {
            return "missing".into();
        };
        let modified_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        if let Some(stamp) = self.previous.get(path) {
            if stamp.len == meta.len() && stamp.modified_ns == modified_ns {
                self.remember(path, stamp.clone());
                return stamp.hash.clone();
            }
        }
        let Ok(bytes) = std::fs::read(path) else {
            return "missing".into();
        };
        let stamp = FileStamp {
            len: meta.len(),
            modified_ns,
            // SHA-256 rather than BLAKE3: the lock file records this hash.
            hash: crate::remote::sha256_hex(&bytes),
        };
        let hash = stamp.hash.clone();
        self.remember(path, stamp);
        if let Some(keep) = keep {
            keep.0.push((path.to_path_buf(), bytes));
        }
        hash
    }

    fn remember(&self, path: &Path, stamp: FileStamp) {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), stamp);
    }

    /// The stamps of every file fingerprinted, for the next build.
    pub fn into_stamps(self) -> HashMap<PathBuf, FileStamp> {
        self.seen.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a remote target's pages are made of: its content hash, and whether
/// it is a stale copy (the page then carries a warning).
fn remote_fingerprint(remote: &RemoteDocs, url: &str) -> String {
    match remote.get(url) {
        Some(Ok(f)) => match &f.obtained {
            Obtained::Stale(e) => format!("stale {} {e}", f.meta.sha256),
            _ => f.meta.sha256.clone(),
        },
        Some(Err(e)) => format!("unavailable: {e}"),
        // Not fetched: never reused.
        None => new_build_id(),
    }
}

/// A PID's fingerprint with its dates (see `lock::LockDates::entry`) added:
/// a date the lock gives it differently (a lock restored from an older
/// commit) renders it again.
pub fn with_dates(fingerprint: Hash, dates: &[Option<crate::lock::Dates>]) -> Hash {
    let mut h = blake3::Hasher::new();
    h.update(fingerprint.as_bytes());
    for d in dates {
        let d = d.map_or([i64::MIN; 3], |d| {
            [d.published, d.modified, d.withdrawn.unwrap_or(i64::MIN)]
        });
        for n in d {
            h.update(&n.to_le_bytes());
        }
    }
    h.finalize().to_hex().to_string()
}

/// The hash of the IIIF id -> PID page index and of the titles of the
/// manifests annotation pages name, independent of order.
pub fn index_hash(index: &[(String, String)], titles: &[(String, String)]) -> Hash {
    let mut h = blake3::Hasher::new();
    for (part, pairs) in [(&b"pages\n"[..], index), (&b"titles\n"[..], titles)] {
        let mut sorted: Vec<_> = pairs.iter().collect();
        sorted.sort();
        h.update(part);
        for (id, value) in sorted {
            h.update(id.as_bytes());
            h.update(b"\0");
            h.update(value.as_bytes());
            h.update(b"\n");
        }
    }
    h.finalize().to_hex().to_string()
}

/// A reused entry's warnings, with registry locations moved to the row the
/// PID is on now (rows above it may have been added or removed).
pub fn relocate(warnings: &[Warning], registry_file: &Path, row: &Location) -> Vec<Warning> {
    warnings
        .iter()
        .map(|w| {
            let mut w = w.clone();
            if w.at.path == registry_file {
                w.at = row.clone();
            }
            w
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_hash_ignores_order() {
        let a = vec![("x".into(), "/a/".into()), ("y".into(), "/b/".into())];
        let b = vec![("y".into(), "/b/".into()), ("x".into(), "/a/".into())];
        assert_eq!(index_hash(&a, &[]), index_hash(&b, &[]));
        let c = vec![("y".into(), "/c/".into()), ("x".into(), "/a/".into())];
        assert_ne!(index_hash(&a, &[]), index_hash(&c, &[]));
        // A manifest's title is part of it: annotation pages are titled by it.
        let t = vec![("x".into(), "A book".into())];
        let u = vec![("x".into(), "Another book".into())];
        assert_ne!(index_hash(&a, &t), index_hash(&a, &u));
        assert_ne!(index_hash(&a, &t), index_hash(&a, &[]));
    }

    #[test]
    fn file_hash_follows_content() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("m.json");
        std::fs::write(&f, b"{}").unwrap();
        let fp = Fingerprinter::new(None);
        let mut read = ReadFiles::default();
        let first = fp.file(&f, Some(&mut read));
        // The bytes read go on to loading, once.
        assert_eq!(read.take(&f).as_deref(), Some(&b"{}"[..]));
        assert_eq!(read.take(&f), None);
        std::fs::write(&f, b"{ }").unwrap();
        // Within one build a file keeps the hash it was first given...
        assert_eq!(fp.content_hash(&f), Some(first.clone()));
        // ...and a new build sees the new content.
        assert_ne!(Fingerprinter::new(None).file(&f, None), first);
        assert_eq!(
            Fingerprinter::new(None).file(&dir.path().join("no"), None),
            "missing"
        );
    }
}
