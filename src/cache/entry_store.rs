//! The PIDs' build states on disk. A build writes each PID's
//! [`EntryState`] here as soon as its pages are written and keeps only a
//! small [`EntryRef`] in memory; the site-wide pages read the states back in
//! registry order, and the file stays in the cache folder as the next
//! build's record of what each PID wrote. So a build's memory grows with
//! the reference, not with every PID's summary, file list and warnings.
//!
//! Each state is one postcard record (serde's compact binary form), read
//! back on its own by its offset and length. Not JSON: reading every
//! PID's state back as JSON (~2 KB each) was a third of the instructions
//! of a rebuild that renders one PID of 10,000. The store is a cache,
//! written and read by the same binary (another binary, or a store that
//! does not decode, means a full build).

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Warning};
use crate::output::Summary;

/// A 256-bit content hash, hex-encoded.
pub type Hash = String;

/// What a PID's pages are made from, as one BLAKE3 hash: held as its 32
/// bytes (as hex, a million PIDs' fingerprints took 88 bytes each) and
/// written in the build state as hex, as before.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(pub [u8; 32]);

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&blake3::Hash::from_bytes(self.0).to_hex())
    }
}

// Its 32 bytes in the build state (a binary format), hex in a format
// meant to be read (JSON).
impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match s.is_human_readable() {
            true => s.serialize_str(&blake3::Hash::from_bytes(self.0).to_hex()),
            false => self.0.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        if !d.is_human_readable() {
            return <[u8; 32]>::deserialize(d).map(Fingerprint);
        }
        let hex = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        blake3::Hash::from_hex(hex.as_bytes())
            .map(|h| Fingerprint(*h.as_bytes()))
            .map_err(serde::de::Error::custom)
    }
}

/// What one PID's pages wrote and what the site-wide pages need of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntryState {
    /// Output files, relative to the output folder.
    pub files: Vec<String>,
    /// Bytes written.
    pub bytes: u64,
    /// What the site-wide pages need.
    pub summary: Summary,
    /// Warnings its build gave, reported again when it is reused.
    pub warnings: Vec<Warning>,
}

/// What a build keeps in memory of one PID: what decides whether it is
/// rendered again, and where its [`EntryState`] is in the store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntryRef {
    /// Fingerprint of the PID's own inputs.
    pub fingerprint: Fingerprint,
    /// Whether its pages link to other PIDs' pages (so depend on the index).
    pub uses_index: bool,
    /// The IIIF id of its target, for the index.
    pub iiif_id: Option<String>,
    /// The manifests its annotation pages say they annotate, whose titles
    /// its title is made from (see `Resource::annotated_manifests`).
    pub annotates: Vec<String>,
    /// Whether it has an item on the home page list.
    pub listed: bool,
    /// Offset of its state in the store.
    pub at: u64,
    /// Length of its state in the store.
    pub len: u64,
    /// Whether this build rendered it (not kept).
    #[serde(skip)]
    pub rendered: bool,
}

/// The file of entry states: written by workers in any order, read back by
/// offset from any thread (positional reads, which take no lock once what
/// they read has been flushed).
pub struct EntryStore {
    path: PathBuf,
    /// The file and its length, for appending.
    file: Mutex<(BufWriter<File>, u64)>,
    /// The same file, for reading.
    reader: File,
    /// How much of it is on disk (the rest is in the writer's buffer).
    flushed: AtomicU64,
    /// A new store is deleted unless [`EntryStore::keep`] is called.
    temp: Option<tempfile::TempPath>,
}

impl EntryStore {
    /// A new, empty store in `dir` (deleted when dropped unless kept).
    pub fn create(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let temp = tempfile::Builder::new()
            .prefix(".entries-")
            .suffix(".bin")
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, e))?;
        let (file, temp) = temp.into_parts();
        let reader = file.try_clone().map_err(|e| Error::io(&temp, e))?;
        Ok(EntryStore {
            path: temp.to_path_buf(),
            file: Mutex::new((BufWriter::with_capacity(1 << 16, file), 0)),
            reader,
            flushed: AtomicU64::new(0),
            temp: Some(temp),
        })
    }

    /// An existing store, to read the states of a previous build.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(EntryStore {
            path: path.to_path_buf(),
            reader: file.try_clone()?,
            file: Mutex::new((BufWriter::new(file), len)),
            flushed: AtomicU64::new(len),
            temp: None,
        })
    }

    /// Its length in bytes.
    pub fn len(&self) -> u64 {
        self.lock().1
    }

    /// Whether it holds no state.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Add a state; returns its offset and length.
    pub fn put(&self, state: &EntryState) -> Result<(u64, u64)> {
        let record = postcard::to_stdvec(state).map_err(|e| self.error(e))?;
        self.put_raw(&record)
    }

    /// The state at `at` (as [`EntryStore::put`] returned it).
    pub fn get(&self, at: u64, len: u64) -> Result<EntryState> {
        self.parse(&self.get_raw(at, len)?)
    }

    /// A state from its record, as [`EntryStore::get_raw`] gave it.
    pub fn parse(&self, record: &[u8]) -> Result<EntryState> {
        postcard::from_bytes(record).map_err(|e| self.error(e))
    }

    /// A record that cannot be written or read back, naming the store.
    fn error(&self, e: postcard::Error) -> Error {
        Error::io(
            &self.path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    }

    /// The state at `at` as its record, to be copied as it is.
    pub fn get_raw(&self, at: u64, len: u64) -> Result<Vec<u8>> {
        let io = |e: std::io::Error| Error::io(&self.path, e);
        let mut record = vec![0; usize::try_from(len).map_err(|e| io(std::io::Error::other(e)))?];
        if at + len > self.flushed.load(Ordering::Acquire) {
            let mut file = self.lock();
            file.0.flush().map_err(io)?;
            self.flushed.store(file.1, Ordering::Release);
        }
        read_at(&self.reader, &mut record, at).map_err(io)?;
        Ok(record)
    }

    /// Add a state's record as [`EntryStore::get_raw`] gave it.
    pub fn put_raw(&self, record: &[u8]) -> Result<(u64, u64)> {
        let mut file = self.lock();
        let at = file.1;
        file.0
            .write_all(record)
            .map_err(|e| Error::io(&self.path, e))?;
        file.1 += record.len() as u64;
        Ok((at, record.len() as u64))
    }

    /// Keep a new store as `path` (in the folder it was created in).
    pub fn keep(mut self, path: &Path) -> std::io::Result<()> {
        self.lock().0.flush()?;
        match self.temp.take() {
            Some(temp) => temp.persist(path).map_err(|e| e.error),
            None => Ok(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (BufWriter<File>, u64)> {
        self.file.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Fill `buf` from `file` at offset `at`, without moving a shared cursor.
#[cfg(unix)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
pub(crate) fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match std::os::windows::fs::FileExt::seek_read(file, &mut buf[done..], at + done as u64)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => done += n,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(file: &str) -> EntryState {
        EntryState {
            files: vec![file.into()],
            bytes: 3,
            summary: Summary::default(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn states_come_back_by_offset_between_writes() {
        let dir = tempfile::tempdir().unwrap();
        let store = EntryStore::create(dir.path()).unwrap();
        let (a, la) = store.put(&state("a/index.html")).unwrap();
        let (b, lb) = store.put(&state("b/index.html")).unwrap();
        assert_eq!(store.get(b, lb).unwrap().files, ["b/index.html"]);
        let (c, lc) = store.put(&state("c/index.html")).unwrap();
        assert_eq!(store.get(a, la).unwrap().files, ["a/index.html"]);
        assert_eq!(store.get(c, lc).unwrap().files, ["c/index.html"]);
        let kept = dir.path().join("entries.bin");
        store.keep(&kept).unwrap();
        let again = EntryStore::open(&kept).unwrap();
        assert_eq!(again.get(b, lb).unwrap().files, ["b/index.html"]);
        assert_eq!(again.len(), la + lb + lc);
    }

    #[test]
    fn a_damaged_record_is_an_error_naming_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = EntryStore::create(dir.path()).unwrap();
        let (at, len) = store.put(&state("a/index.html")).unwrap();
        let mut record = store.get_raw(at, len).unwrap();
        assert_eq!(store.parse(&record).unwrap().files, ["a/index.html"]);
        record.truncate(record.len() / 2);
        let error = store.parse(&record).unwrap_err().to_string();
        assert!(error.contains(".entries-"), "{error}");
        // Not a panic, nor an allocation of the length a broken record
        // claims: an error.
        assert!(store.parse(&[0xff; 12]).is_err());
    }

    #[test]
    fn a_store_not_kept_is_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = EntryStore::create(dir.path()).unwrap();
        store.put(&state("a")).unwrap();
        drop(store);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
