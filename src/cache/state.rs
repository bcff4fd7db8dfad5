//! The state of the last build into an output folder: per PID, the
//! fingerprint it was rendered from and where its [`EntryState`] is in the
//! entry store; the files that are no one PID's; the stamps of the IIIF
//! files read. Loaded before a build, saved after its output is in place.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::entry_store::{EntryRef, EntryState, EntryStore};
pub use crate::exclusive::cache_dir;
use crate::exclusive::output_name;
use crate::output::SitePage;
use crate::write::MARKER;

pub use super::entry_store::Hash;

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
    pub entries: FxHashMap<String, EntryRef>,
    /// Files that are not any one PID's: site-wide pages and static files.
    pub site_files: Vec<String>,
    /// Each site-wide page's file (list pages, Markdown pages, 404.html),
    /// with the hash of the context it was rendered from (see
    /// `render::site_wide`; when that last changed is in `pidsite.lock`).
    pub site_pages: HashMap<String, SitePage>,
    /// Size and modification time of each IIIF file read, with its hash, so
    /// an untouched file is not read again to be fingerprinted.
    pub files: FxHashMap<PathBuf, FileStamp>,
    /// The file of the entries' states, in the cache folder.
    store: String,
    /// That file, once the state is loaded.
    #[serde(skip)]
    opened: Option<EntryStore>,
}

/// A file's size and modification time with its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    /// Its size.
    pub len: u64,
    /// Its modification time, in nanoseconds since the epoch.
    pub modified_ns: u128,
    /// Its content's SHA-256 (as the lock records it).
    pub hash: Hash,
}

/// Where the state of builds into `out` is kept: in a `.pidsite-cache`
/// folder beside it (for the default `public/`, in the site folder), so it
/// is never published and goes with the output it describes.
pub fn state_path(out: &Path) -> PathBuf {
    cache_dir(out).join(format!("build-state-{}.bin", output_name(out)))
}

/// The file a build of `out` holds locked while it runs
/// ([`crate::exclusive::OutputLock`]).
pub fn lock_path(out: &Path) -> PathBuf {
    cache_dir(out).join(format!("build-{}.lock", output_name(out)))
}

impl State {
    /// The state of the last build into `out`, if it is the build `out`
    /// holds; otherwise `None` (a full build). An unreadable state is not
    /// an error: it only costs time. Read while the site's inputs are, so
    /// whether it was made from the same global inputs is asked after
    /// ([`State::made_from`]).
    pub fn load(out: &Path) -> Option<State> {
        let marker = std::fs::read_to_string(out.join(MARKER)).ok()?;
        // Read whole, then decoded (postcard, as the entry store: as JSON,
        // a 10,000-PID state was 4 MB and 5% of a one-PID rebuild).
        let bytes = std::fs::read(state_path(out)).ok()?;
        let mut state: State = postcard::from_bytes(&bytes).ok()?;
        if state.build_id != marker.trim() {
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

    /// Whether the last build was made from the same global inputs
    /// (`plan::global_fingerprint`): else every page may differ.
    pub fn made_from(&self, global: &str) -> bool {
        self.global == global
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

    /// The state of one of its entries as its record in the store.
    pub fn entry_raw(&self, entry: &EntryRef) -> crate::Result<Vec<u8>> {
        let record = self.store().get_raw(entry.at, entry.len);
        record.map_err(|e| crate::Error::Cache(Box::new(e)))
    }

    /// The state in a record [`State::entry_raw`] gave.
    pub fn parse_entry(&self, record: &[u8]) -> crate::Result<EntryState> {
        let state = self.store().parse(record);
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
        entries: impl ExactSizeIterator<Item = (&'a str, &'a EntryRef)>,
    ) -> std::io::Result<()> {
        let path = state_path(out);
        let dir = cache_dir(out);
        let prefix = format!("entries-{}-", output_name(out));
        // A new name each build: the state written last names its store, so
        // a build stopped between the two never pairs a state with another
        // build's store.
        self.store = format!("{prefix}{}.bin", new_build_id());
        store.keep(&dir.join(&self.store))?;
        let tmp = path.with_extension("bin.tmp");
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
        postcard::to_io(&saved, &mut w).map_err(std::io::Error::other)?;
        w.flush()?;
        drop(w);
        std::fs::rename(tmp, &path)?;
        // The state as JSON, which earlier versions of pidsite wrote.
        let _ = std::fs::remove_file(path.with_extension("json"));
        for old in std::fs::read_dir(&dir)?.flatten() {
            let name = old.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && name != self.store {
                let _ = std::fs::remove_file(old.path());
            }
        }
        Ok(())
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
    files: &'a FxHashMap<PathBuf, FileStamp>,
    store: &'a str,
}

/// A map written from an iterator of known length, once (empty after).
struct MapOnce<I>(std::cell::RefCell<Option<I>>);

impl<K, V, I> Serialize for MapOnce<I>
where
    K: Serialize,
    V: Serialize,
    I: ExactSizeIterator<Item = (K, V)>,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let entries = self.0.borrow_mut().take();
        // The binary format writes a map's length first.
        let mut map = s.serialize_map(Some(entries.as_ref().map_or(0, |e| e.len())))?;
        for (k, v) in entries.into_iter().flatten() {
            map.serialize_entry(&k, &v)?;
        }
        map.end()
    }
}

/// A fresh build id: time and process, unique enough to tell builds apart.
pub fn new_build_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{now:x}-{:x}", std::process::id())
}
