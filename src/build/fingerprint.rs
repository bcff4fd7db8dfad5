//! Fingerprints: what a PID's pages, and every page, are made of, hashed so
//! the plan can compare them with the last build's (see `cache::state`).

use std::hash::Hash as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::UNIX_EPOCH;

use rustc_hash::FxHashMap;

use crate::cache::entry_store::Fingerprint;
use crate::cache::state::{new_build_id, FileStamp, Hash, State};
use crate::load::target::ReadFiles;
use crate::model::record::{Entry, Record, Target};
use crate::remote::{Obtained, RemoteDocs};

/// Feeds what a registry row says into `into`: every column but where the
/// row is and how the site folder was spelled in the target's path
/// (`--site .`, an absolute path, another checkout), as neither changes a
/// page; the target counts as written, and by its content beside it. The
/// row is taken apart whole, so that a new column cannot be left out.
fn hash_record(record: &Record, into: &mut Collect) {
    let Record {
        pid,
        at: _,
        target,
        status,
        replaced_by,
        aliases,
        details,
        overrides,
    } = record;
    pid.hash(into);
    match target {
        Some(Target::Local { written, path: _ }) => (0u8, written).hash(into),
        Some(Target::Remote(url)) => (1u8, url).hash(into),
        None => 2u8.hash(into),
    }
    (status, replaced_by, aliases, details, overrides).hash(into);
}

/// The bytes `Hash` feeds a hasher, collected for BLAKE3 to hash at once:
/// an update a field cost more than the field. (The rows were hashed as
/// their `Debug` text before, ~5,800 instructions a row.)
#[derive(Default)]
struct Collect(Vec<u8>);

impl std::hash::Hasher for Collect {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    /// Never asked: the bytes go to BLAKE3.
    fn finish(&self) -> u64 {
        0
    }
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

/// Fingerprints of PIDs' own inputs, reusing the hash of an IIIF file whose
/// size and modification time have not changed since the last build. The
/// stamps are kept by path within the site folder, so that a build given
/// the folder spelled otherwise (`--site .`, then its absolute path) still
/// finds them.
pub struct Fingerprinter {
    site: PathBuf,
    previous: FxHashMap<PathBuf, FileStamp>,
    seen: Mutex<FxHashMap<PathBuf, FileStamp>>,
}

impl Fingerprinter {
    /// Start from the last build's file stamps (taken out of its state),
    /// for the files of the site folder `site`.
    pub fn new(previous: Option<&mut State>, site: &Path) -> Self {
        Fingerprinter {
            site: site.to_path_buf(),
            previous: previous
                .map(|s| std::mem::take(&mut s.files))
                .unwrap_or_default(),
            seen: Mutex::new(FxHashMap::default()),
        }
    }

    /// What a file's stamp is kept under: its path within the site folder
    /// (a file outside it, as given).
    fn key<'p>(&self, path: &'p Path) -> &'p Path {
        // A path joined onto the site folder, as nearly every target's is,
        // is cut as text: `Path::strip_prefix` compares component by
        // component, ~1,800 instructions a call and three calls a PID. What
        // the text cut could spell otherwise (a `.` or an empty component
        // next to the cut, a trailing `/`) goes the component way.
        if let (Some(path_text), Some(site_text)) = (path.to_str(), self.site.to_str()) {
            let rest = path_text
                .strip_prefix(site_text)
                .and_then(|rest| rest.strip_prefix('/'))
                .filter(|rest| {
                    !rest.is_empty() && !rest.starts_with(['/', '.']) && !rest.ends_with('/')
                });
            if let Some(rest) = rest {
                return Path::new(rest);
            }
        }
        path.strip_prefix(&self.site).unwrap_or(path)
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
        let mut bytes = Collect::default();
        for record in &entry.versions {
            hash_record(record, &mut bytes);
            match &record.target {
                Some(Target::Local { path, .. }) => {
                    self.file(path, Some(&mut read)).hash(&mut bytes)
                }
                // A remote document counts by its content (after fetching
                // or revalidating it), or by why it could not be had.
                Some(Target::Remote(url)) => remote_fingerprint(remote, url).hash(&mut bytes),
                None => {}
            }
        }
        note.unwrap_or("\0no note").hash(&mut bytes);
        (blake3::hash(&bytes.0).to_hex().to_string(), read)
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
        let key = self.key(path);
        if keep.is_none() {
            let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(stamp) = seen.get(key) {
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
        if let Some(stamp) = self.previous.get(key) {
            if stamp.len == meta.len() && stamp.modified_ns == modified_ns {
                self.remember(key, stamp.clone());
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
            hash: crate::cache::remote::sha256_hex(&bytes),
        };
        let hash = stamp.hash.clone();
        self.remember(key, stamp);
        if let Some(keep) = keep {
            keep.keep(path.to_path_buf(), bytes);
        }
        hash
    }

    fn remember(&self, key: &Path, stamp: FileStamp) {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.to_path_buf(), stamp);
    }

    /// The stamps of every file fingerprinted, for the next build.
    pub fn into_stamps(self) -> FxHashMap<PathBuf, FileStamp> {
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
pub fn with_dates(fingerprint: Hash, dates: &[Option<crate::lock::Dates>]) -> Fingerprint {
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
    Fingerprint(*h.finalize().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_hash_follows_content() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("m.json");
        std::fs::write(&f, b"{}").unwrap();
        let fp = Fingerprinter::new(None, dir.path());
        let mut read = ReadFiles::default();
        let first = fp.file(&f, Some(&mut read));
        // The bytes read go on to loading, once.
        assert_eq!(read.take(&f).as_deref(), Some(&b"{}"[..]));
        assert_eq!(read.take(&f), None);
        std::fs::write(&f, b"{ }").unwrap();
        // Within one build a file keeps the hash it was first given...
        assert_eq!(fp.content_hash(&f), Some(first.clone()));
        // ...and a new build sees the new content.
        assert_ne!(Fingerprinter::new(None, dir.path()).file(&f, None), first);
        assert_eq!(
            Fingerprinter::new(None, dir.path()).file(&dir.path().join("no"), None),
            "missing"
        );
    }

    #[test]
    fn a_pids_fingerprint_follows_its_columns_and_content_not_its_row() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        let manifest = dir.path().join("content").join("m.json");
        std::fs::write(&manifest, b"{}").unwrap();
        let fingerprint = |rows: &str, site: &Path| {
            let registry = format!("pid,target,title,status\n{rows}");
            let parsed = crate::load::registry::parse_str(&registry, site).unwrap();
            let entry = parsed
                .entries
                .iter()
                .find(|e| e.current().pid.as_str() == "ark:99999/fk4x")
                .unwrap();
            Fingerprinter::new(None, site)
                .entry(entry, None, &RemoteDocs::default())
                .0
        };
        let row = "ark:/99999/fk4x,m.json,A,active\n";
        let first = fingerprint(row, dir.path());
        // Another row above it, or another spelling of the site folder,
        // changes no page.
        let below = format!("ark:/99999/fk4a,m.json,B,active\n{row}");
        assert_eq!(fingerprint(&below, dir.path()), first);
        assert_eq!(fingerprint(row, &dir.path().join(".")), first);
        // A column, the target as written or the target's content does.
        for other in [
            "ark:/99999/fk4x,m.json,A2,active\n",
            "ark:/99999/fk4x,./m.json,A,active\n",
            "ark:/99999/fk4x,m.json,A,withdrawn\n",
        ] {
            assert_ne!(fingerprint(other, dir.path()), first, "{other}");
        }
        std::fs::write(&manifest, b"{ }").unwrap();
        assert_ne!(fingerprint(row, dir.path()), first);
    }

    #[test]
    fn a_stamp_is_kept_under_the_path_strip_prefix_gives() {
        for (site, path) in [
            ("/s/site", "/s/site/content/m.json"),
            ("/s/site", "/s/site/content//m.json"),
            ("/s/site", "/s/site//content/m.json"),
            ("/s/site", "/s/site/./content/m.json"),
            ("/s/site", "/s/site/content/./m.json"),
            ("/s/site", "/s/site/content/"),
            ("/s/site", "/s/site/"),
            ("/s/site", "/s/site"),
            ("/s/site", "/s/sites/m.json"),
            ("/s/site", "/elsewhere/m.json"),
            ("/s/site/", "/s/site/m.json"),
            ("/s/./site", "/s/./site/m.json"),
            (".", "./content/m.json"),
            (".", "content/m.json"),
            ("site", "site/.hidden/m.json"),
        ] {
            let fp = Fingerprinter::new(None, Path::new(site));
            let by_components = Path::new(path)
                .strip_prefix(site)
                .unwrap_or(Path::new(path));
            assert_eq!(fp.key(Path::new(path)), by_components, "{site} + {path}");
        }
    }

    #[test]
    fn stamps_are_found_whichever_way_the_site_folder_is_spelled() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("m")).unwrap();
        let f = dir.path().join("m").join("a.json");
        std::fs::write(&f, b"{}").unwrap();
        let first = Fingerprinter::new(None, dir.path());
        first.file(&f, None);
        let mut stamps = first.into_stamps();
        assert_eq!(stamps.keys().collect::<Vec<_>>(), [Path::new("m/a.json")]);
        // A stamp the next build trusts without reading the file: its hash
        // comes back as it was kept.
        stamps.get_mut(Path::new("m/a.json")).unwrap().hash = "kept".into();
        let mut last = State::new(String::new(), String::new(), String::new());
        last.files = stamps;
        let other = dir.path().join(".");
        let next = Fingerprinter::new(Some(&mut last), &other);
        assert_eq!(next.file(&other.join("m").join("a.json"), None), "kept");
    }
}
