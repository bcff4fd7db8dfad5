//! The cache of remote documents, in the `remote/` folder of a build's
//! `.pidsite-cache`: per URL, the body and what the server said of it
//! ([`CacheMeta`]). Fetching (`crate::remote`) reads and fills it.

use std::io::{Read, Seek as _, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The SHA-256 of some bytes, hex-encoded (what the lock file and the cache
/// record).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// What the cache knows of one URL (its `<key>.json` file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheMeta {
    /// The URL fetched.
    pub url: String,
    /// The server's `ETag`, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// The server's `Last-Modified`, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// When the body was downloaded (RFC 3339, UTC).
    pub fetched: String,
    /// When the server last confirmed it (a download or a 304).
    pub checked: String,
    /// SHA-256 of the body, hex.
    pub sha256: String,
}

/// The cache of remote documents: per URL, `<sha256 of the URL>.body` and
/// `<sha256 of the URL>.json` ([`CacheMeta`]).
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache of builds whose `.pidsite-cache` folder (the one that
    /// holds their incremental state, `cache::cache_dir`) is
    /// `cache_dir`: its `remote/` folder.
    pub fn in_cache_dir(cache_dir: &Path) -> Self {
        Cache {
            dir: cache_dir.join("remote"),
        }
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn files(&self, url: &str) -> (PathBuf, PathBuf) {
        let key = sha256_hex(url.as_bytes());
        (
            self.dir.join(format!("{key}.body")),
            self.dir.join(format!("{key}.json")),
        )
    }

    /// The cached body of `url` and its metadata; `None` when it is not
    /// there, unreadable, or does not match its recorded hash.
    pub fn get(&self, url: &str) -> Option<(CacheMeta, Vec<u8>)> {
        let (body, meta) = self.files(url);
        let meta: CacheMeta = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
        let bytes = std::fs::read(body).ok()?;
        (meta.url == url && meta.sha256 == sha256_hex(&bytes)).then_some((meta, bytes))
    }

    /// What the cache records of `url`, when its body is there intact.
    pub fn meta(&self, url: &str) -> Option<CacheMeta> {
        self.get(url).map(|(meta, _)| meta)
    }

    /// Store a body and its metadata (the body first, each through a
    /// temporary file, so a reader never sees half a file).
    pub fn put(&self, meta: &CacheMeta, bytes: Option<&[u8]>) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let (body, meta_path) = self.files(&meta.url);
        if let Some(bytes) = bytes {
            write_atomic(&self.dir, &body, bytes)?;
        }
        let json = serde_json::to_vec_pretty(meta).expect("CacheMeta always serialises");
        write_atomic(&self.dir, &meta_path, &json)
    }

    /// Somewhere to download a body to: a temporary file in the cache
    /// folder (in memory when the folder cannot be written).
    pub fn download(&self) -> Download {
        let file = std::fs::create_dir_all(&self.dir)
            .and_then(|()| tempfile::NamedTempFile::new_in(&self.dir));
        Download {
            spool: match file {
                Ok(tmp) => Spool::File(tmp),
                Err(_) => Spool::Memory(Vec::new()),
            },
            hasher: Sha256::new(),
            len: 0,
        }
    }

    /// Make a download the cached body of `meta.url` (a rename, then the
    /// metadata). `Ok(None)` when it is stored; when it cannot be, its bytes
    /// (`Ok(Some)`: the build then keeps them in memory), or why they are
    /// lost.
    pub fn keep(&self, meta: &CacheMeta, download: Download) -> std::io::Result<Option<Vec<u8>>> {
        let (body, _) = self.files(&meta.url);
        let tmp = match download.spool {
            Spool::Memory(bytes) => return Ok(self.put(meta, Some(&bytes)).err().map(|_| bytes)),
            Spool::File(tmp) => tmp,
        };
        let unsaved = |mut file: std::fs::File| {
            let mut bytes = Vec::new();
            file.rewind()?;
            file.read_to_end(&mut bytes)?;
            Ok(Some(bytes))
        };
        match tmp.persist(&body) {
            Ok(file) => match self.put(meta, None) {
                Ok(()) => Ok(None),
                Err(_) => unsaved(file),
            },
            Err(e) => unsaved(e.file.reopen()?),
        }
    }
}

/// A body being downloaded: written to a temporary file in the cache folder
/// as it arrives, hashed on the way, so a large document never sits in
/// memory; it replaces the cached copy only when [`Cache::keep`] is called
/// (a body found wrong is dropped and the temporary file with it). When the
/// cache folder cannot be written the body is kept in memory instead.
pub struct Download {
    spool: Spool,
    hasher: Sha256,
    len: u64,
}

enum Spool {
    File(tempfile::NamedTempFile),
    Memory(Vec<u8>),
}

impl Download {
    /// The number of bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The SHA-256 of the bytes written, hex.
    pub fn sha256(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }

    /// The bytes written, read back from the start (from the file when
    /// there is one: buffered, not loaded whole).
    pub fn reader(&mut self) -> std::io::Result<Box<dyn Read + '_>> {
        match &mut self.spool {
            Spool::File(tmp) => {
                tmp.as_file_mut().flush()?;
                let mut file = tmp.reopen()?;
                file.rewind()?;
                Ok(Box::new(std::io::BufReader::new(file)))
            }
            Spool::Memory(bytes) => Ok(Box::new(bytes.as_slice())),
        }
    }
}

impl Write for Download {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = match &mut self.spool {
            Spool::File(tmp) => tmp.write(buf)?,
            Spool::Memory(bytes) => bytes.write(buf)?,
        };
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.spool {
            Spool::File(tmp) => tmp.flush(),
            Spool::Memory(_) => Ok(()),
        }
    }
}

/// Lower-case hex, two digits a byte (a `format!` per byte was 32 of them
/// for every file hashed).
fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(digest.len() * 2);
    for &b in digest {
        hex.push(char::from(DIGITS[usize::from(b >> 4)]));
        hex.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    hex
}

fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_hex() {
        // The SHA-256 of "abc" (FIPS 180-2, appendix B.1), in lower case.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex(&[0x00, 0x0f, 0xf0, 0xff]), "000ff0ff");
    }

    #[test]
    fn cache_round_trips_and_rejects_a_tampered_body() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache {
            dir: dir.path().join("remote"),
        };
        let url = "https://example.org/m.json";
        assert!(cache.get(url).is_none());
        let meta = CacheMeta {
            url: url.into(),
            etag: Some("\"x\"".into()),
            last_modified: None,
            fetched: "2026-01-01T00:00:00Z".into(),
            checked: "2026-01-01T00:00:00Z".into(),
            sha256: sha256_hex(b"{}"),
        };
        cache.put(&meta, Some(b"{}")).unwrap();
        assert_eq!(cache.get(url), Some((meta, b"{}".to_vec())));
        std::fs::write(cache.files(url).0, b"{ }").unwrap();
        assert!(cache.get(url).is_none());
    }
}
