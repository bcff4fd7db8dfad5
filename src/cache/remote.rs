//! The cache of remote documents, in the `remote/` folder of a build's
//! `.pidsite-cache`: per URL, the body and what the server said of it
//! ([`CacheMeta`]). Fetching (`crate::remote`) reads and fills it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The SHA-256 of some bytes, hex-encoded (what the lock file and the cache
/// record).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
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
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
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
