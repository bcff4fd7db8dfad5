//! Remote targets: registry rows whose target is an http(s) URL. This module
//! fetches those documents (a bounded number at once, with timeouts, retries
//! and a size limit) and keeps them in the disk cache (`cache::remote`)
//! beside the incremental build state, revalidated with `If-None-Match`/`If-Modified-Since` so an
//! unchanged document is not downloaded again; `--offline` reads the cache
//! alone. It hands back bytes and cache metadata: it never parses IIIF,
//! renders or prints, and a failed fetch is a value ([`FetchError`]) that
//! the caller turns into a warning naming the registry row.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use crate::cache::remote::{sha256_hex, Cache, CacheMeta};
use crate::config::RemoteConfig;

/// How a document was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Obtained {
    /// Downloaded now (new or changed).
    Downloaded,
    /// The server answered 304 Not Modified: the cached body is current.
    Revalidated,
    /// Read from the cache alone (`--offline`).
    Cached,
    /// The server could not be reached: the cached body (of an earlier
    /// fetch) is used; the error says why.
    Stale(FetchError),
}

/// A remote document and what the cache records of it. The body stays in
/// the cache on disk until a page needs it ([`RemoteDocs::body`]): a site of
/// many remote manifests does not hold them all in memory.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// ETag, Last-Modified, dates and hash.
    pub meta: CacheMeta,
    /// Downloaded, revalidated or read from the cache.
    pub obtained: Obtained,
    /// The body, only when it could not be written to the cache.
    unsaved: Option<Vec<u8>>,
}

/// Why a remote document could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server answered with an error status.
    #[error("HTTP {status}{}{}", if .reason.is_empty() { "" } else { " " }, .reason)]
    Status {
        /// The status code.
        status: u16,
        /// Its reason phrase.
        reason: String,
    },
    /// No answer: connection refused, DNS, TLS, timeout, broken body.
    #[error("{0}")]
    Transport(String),
    /// The body is larger than `[remote] max_size_mb`.
    #[error("the document is larger than the limit of {0} MB ([remote] max_size_mb)")]
    TooLarge(u64),
    /// `--offline` and the URL is not in the cache.
    #[error("not in the cache ({0}) and --offline was given")]
    NotCached(String),
}

impl FetchError {
    /// Whether the server may answer later (no answer, 5xx, 429): an
    /// earlier cached copy then stands in.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Transport(_) => true,
            FetchError::Status { status, .. } => *status >= 500 || *status == 429,
            FetchError::TooLarge(_) | FetchError::NotCached(_) => false,
        }
    }
}

/// Fetches remote documents through the cache.
pub struct Fetcher {
    agent: ureq::Agent,
    cache: Cache,
    offline: bool,
    settings: RemoteConfig,
}

/// What pidsite asks for: IIIF Presentation JSON-LD first.
const ACCEPT: &str = "application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\", application/ld+json, application/json;q=0.9, */*;q=0.1";

impl Fetcher {
    /// A fetcher with the site's `[remote]` settings and cache; `offline`
    /// reads the cache alone.
    pub fn new(settings: &RemoteConfig, cache: Cache, offline: bool) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(settings.timeout))
            .timeout_recv_response(Some(settings.timeout))
            .timeout_per_read(Some(settings.timeout))
            .http_status_as_error(false)
            .user_agent(concat!("pidsite/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Fetcher {
            agent,
            cache,
            offline,
            settings: settings.clone(),
        }
    }

    /// Fetch every URL, at most `[remote] concurrency` at once (in a pool of
    /// their own: the requests wait on the network, not the CPU), calling
    /// `done` after each.
    pub fn fetch_all(&self, urls: Vec<String>, done: &(dyn Fn() + Sync)) -> RemoteDocs {
        if urls.is_empty() {
            return RemoteDocs::default();
        }
        let fetch = || {
            urls.into_par_iter()
                .map(|url| {
                    let result = self.fetch(&url);
                    done();
                    (url, result)
                })
                .collect()
        };
        let docs = match rayon::ThreadPoolBuilder::new()
            .num_threads(self.settings.concurrency)
            .build()
        {
            Ok(pool) => pool.install(fetch),
            // No pool of our own: the global one still bounds the fetches.
            Err(_) => fetch(),
        };
        RemoteDocs {
            docs,
            cache: Some(self.cache.clone()),
        }
    }

    /// Fetch one URL: from the cache alone when offline, else revalidated
    /// or downloaded, retrying connection errors, timeouts, 5xx and 429
    /// with exponential backoff.
    pub fn fetch(&self, url: &str) -> Result<Fetched, FetchError> {
        let cached = self.cache.meta(url);
        if self.offline {
            return cached
                .map(|meta| Fetched {
                    meta,
                    obtained: Obtained::Cached,
                    unsaved: None,
                })
                .ok_or_else(|| FetchError::NotCached(self.cache.dir().display().to_string()));
        }
        let mut attempt = 0;
        let error = loop {
            let (error, retry_after) = match self.try_once(url, cached.as_ref()) {
                Ok(fetched) => return Ok(fetched),
                Err(Attempt::Final(e)) => break e,
                Err(Attempt::Retry(e, after)) => (e, after),
            };
            if attempt >= self.settings.retries {
                break error;
            }
            attempt += 1;
            let backoff = Duration::from_millis(250 << (attempt - 1).min(6));
            std::thread::sleep(retry_after.unwrap_or(backoff));
        };
        // The server failed us, but an earlier copy is better than none.
        match cached {
            Some(meta) if error.is_transient() => Ok(Fetched {
                meta,
                obtained: Obtained::Stale(error),
                unsaved: None,
            }),
            _ => Err(error),
        }
    }

    fn try_once(&self, url: &str, cached: Option<&CacheMeta>) -> Result<Fetched, Attempt> {
        let mut request = self.agent.get(url).header("Accept", ACCEPT);
        if let Some(meta) = cached {
            if let Some(etag) = &meta.etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(date) = &meta.last_modified {
                request = request.header("If-Modified-Since", date);
            }
        }
        let mut response = match request.call() {
            Ok(r) => r,
            Err(e) => {
                let retry = matches!(
                    e,
                    ureq::Error::Io(_)
                        | ureq::Error::Timeout(_)
                        | ureq::Error::ConnectionFailed
                        | ureq::Error::BodyStalled
                );
                let e = FetchError::Transport(describe(&e, self.settings.timeout));
                return Err(if retry {
                    Attempt::Retry(e, None)
                } else {
                    Attempt::Final(e)
                });
            }
        };
        let status = response.status();
        let now = rfc3339(SystemTime::now());
        if status.as_u16() == 304 {
            if let Some(meta) = cached {
                let meta = CacheMeta {
                    checked: now,
                    ..meta.clone()
                };
                // Only the date changes; a failed write costs nothing.
                let _ = self.cache.put(&meta, None);
                return Ok(Fetched {
                    meta,
                    obtained: Obtained::Revalidated,
                    unsaved: None,
                });
            }
        }
        if !status.is_success() {
            let e = FetchError::Status {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
            };
            if status.is_server_error() || status.as_u16() == 429 {
                let after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(|s| Duration::from_secs(s.min(self.settings.timeout.as_secs())));
                return Err(Attempt::Retry(e, after));
            }
            return Err(Attempt::Final(e));
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (etag, last_modified) = (header("etag"), header("last-modified"));
        let bytes = match response
            .body_mut()
            .with_config()
            .limit(self.settings.max_bytes)
            .read_to_vec()
        {
            Ok(b) => b,
            Err(ureq::Error::BodyExceedsLimit(_)) => {
                return Err(Attempt::Final(FetchError::TooLarge(
                    self.settings.max_bytes / (1024 * 1024),
                )))
            }
            Err(e) => {
                return Err(Attempt::Retry(
                    FetchError::Transport(describe(&e, self.settings.timeout)),
                    None,
                ))
            }
        };
        let meta = CacheMeta {
            url: url.to_string(),
            etag,
            last_modified,
            fetched: now.clone(),
            checked: now,
            sha256: sha256_hex(&bytes),
        };
        // A cache that cannot be written only costs a download next time
        // (the body is then kept in memory for this build).
        let unsaved = self.cache.put(&meta, Some(&bytes)).err().map(|_| bytes);
        Ok(Fetched {
            meta,
            obtained: Obtained::Downloaded,
            unsaved,
        })
    }
}

/// The outcome of one failed try.
enum Attempt {
    /// Worth trying again (after the server's Retry-After, if it gave one).
    Retry(FetchError, Option<Duration>),
    /// Not worth it (404, a bad URL, too large).
    Final(FetchError),
}

/// ureq's error in words a web team can act on.
fn describe(e: &ureq::Error, timeout: Duration) -> String {
    match e {
        ureq::Error::Timeout(t) => {
            let phase = match t {
                ureq::Timeout::Resolve => "resolving the host name".to_string(),
                ureq::Timeout::Connect => "connecting".into(),
                ureq::Timeout::RecvResponse => "waiting for the response".into(),
                ureq::Timeout::RecvBody | ureq::Timeout::PerRead => "reading the body".into(),
                other => other.to_string(),
            };
            format!(
                "no answer within {} s ({phase}; [remote] timeout_secs)",
                timeout.as_secs()
            )
        }
        ureq::Error::ConnectionFailed => "the connection failed".into(),
        ureq::Error::HostNotFound => "the host name was not found".into(),
        ureq::Error::Io(io) => format!("network error: {io}"),
        other => other.to_string(),
    }
}

/// A remote document served from the cache because fetching it failed.
#[derive(Debug, Clone)]
pub struct Stale {
    /// Why it could not be fetched.
    pub error: String,
    /// When the cached copy was fetched (RFC 3339).
    pub cached_on: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFetched => f.write_str("was not fetched"),
            ReadError::Fetch(e) => write!(f, "cannot be fetched: {e}"),
            ReadError::Cache(e) => f.write_str(e),
        }
    }
}

/// Why a remote document has no bytes.
#[derive(Debug, Clone)]
pub enum ReadError {
    /// It was not among the URLs fetched.
    NotFetched,
    /// Fetching failed and no copy is cached.
    Fetch(String),
    /// The cached copy went missing.
    Cache(String),
}

/// Every remote document of a build, by URL.
#[derive(Debug, Default)]
pub struct RemoteDocs {
    docs: HashMap<String, Result<Fetched, FetchError>>,
    cache: Option<Cache>,
}

impl RemoteDocs {
    /// The document at `url`, or why there is none; `None` when it was not
    /// asked for.
    pub fn get(&self, url: &str) -> Option<&Result<Fetched, FetchError>> {
        self.docs.get(url)
    }

    /// The bytes of the document at `url` and, when they are an old copy
    /// because the server could not be reached, why and from when; or why
    /// there are none.
    pub fn read(&self, url: &str) -> Result<(Vec<u8>, Option<Stale>), ReadError> {
        match self.docs.get(url) {
            None => Err(ReadError::NotFetched),
            Some(Err(e)) => Err(ReadError::Fetch(e.to_string())),
            Some(Ok(fetched)) => {
                let stale = match &fetched.obtained {
                    Obtained::Stale(e) => Some(Stale {
                        error: e.to_string(),
                        cached_on: fetched.meta.fetched.clone(),
                    }),
                    _ => None,
                };
                let bytes = self.body(fetched).map_err(ReadError::Cache)?;
                Ok((bytes, stale))
            }
        }
    }

    /// The body of a fetched document, read from the cache (and checked
    /// against its hash: the cache may have changed since it was fetched).
    pub fn body(&self, fetched: &Fetched) -> Result<Vec<u8>, String> {
        if let Some(bytes) = &fetched.unsaved {
            return Ok(bytes.clone());
        }
        let cache = self.cache.as_ref().ok_or("no cache")?;
        match cache.get(&fetched.meta.url) {
            Some((meta, bytes)) if meta.sha256 == fetched.meta.sha256 => Ok(bytes),
            _ => Err(format!(
                "the cached copy in {} changed or vanished during the build",
                cache.dir().display()
            )),
        }
    }

    /// How many were downloaded, revalidated (304) and read from the cache
    /// (offline or stale), and how many failed.
    pub fn counts(&self) -> RemoteCounts {
        let mut c = RemoteCounts::default();
        for r in self.docs.values() {
            match r {
                Ok(f) => match f.obtained {
                    Obtained::Downloaded => c.downloaded += 1,
                    Obtained::Revalidated => c.unchanged += 1,
                    Obtained::Cached | Obtained::Stale(_) => c.cached += 1,
                },
                Err(_) => c.failed += 1,
            }
        }
        c
    }
}

/// What fetching the remote targets came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemoteCounts {
    /// Downloaded (new or changed).
    pub downloaded: usize,
    /// Confirmed unchanged by the server (304).
    pub unchanged: usize,
    /// Read from the cache without asking the server.
    pub cached: usize,
    /// Not available at all.
    pub failed: usize,
}

impl RemoteCounts {
    /// The number of remote documents.
    pub fn total(&self) -> usize {
        self.downloaded + self.unchanged + self.cached + self.failed
    }
}

/// A time as RFC 3339 in UTC, to the second (`2026-11-25T12:00:00Z`).
pub fn rfc3339(t: SystemTime) -> String {
    let ts = jiff::Timestamp::try_from(t).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    crate::clock::BuildTime::at(ts).instant
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn dates_are_rfc3339_utc() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_772_000_000);
        assert_eq!(rfc3339(t), "2026-02-25T06:13:20Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_825_600); // 2000-02-29 12:00
        assert_eq!(rfc3339(leap), "2000-02-29T12:00:00Z");
    }

    #[test]
    fn offline_without_cache_names_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::in_cache_dir(dir.path());
        let fetcher = Fetcher::new(&RemoteConfig::default(), cache, true);
        let err = fetcher.fetch("https://example.org/m.json").unwrap_err();
        assert!(matches!(err, FetchError::NotCached(_)), "{err}");
        assert!(err.to_string().contains("--offline"), "{err}");
    }
}
