//! Remote targets: registry rows whose target is an http(s) URL. This module
//! fetches those documents (a bounded number at once, with timeouts, retries
//! and a size limit) and keeps them in the disk cache (`cache::remote`)
//! beside the incremental build state, revalidated with `If-None-Match`/`If-Modified-Since` so an
//! unchanged document is not downloaded again; `--offline` reads the cache
//! alone. It hands back bytes and cache metadata: it never parses IIIF,
//! renders or prints, and a failed fetch is a value ([`FetchError`]) that
//! the caller turns into a warning naming the registry row.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use crate::cache::remote::{Cache, CacheMeta};
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
    /// `--offline` and the URL is not in the cache. Said in words: the
    /// message also reaches the page's notice, which must not show a path
    /// of the machine that built it.
    #[error("not in the cache of remote documents (no earlier build downloaded it) and --offline was given")]
    NotCached,
    /// A redirect to a URL that is not http(s), such as `file:///etc/passwd`.
    #[error("redirected to {location}: the {scheme}: scheme is refused (pidsite fetches http and https only)")]
    RefusedScheme {
        /// The redirect's `Location`.
        location: String,
        /// Its scheme.
        scheme: String,
    },
    /// A success status with a body that is not JSON (a login or error
    /// page served as 200): it must not replace a good copy.
    #[error("the server answered {status} but the body is not JSON ({detail})")]
    NotJson {
        /// The status, 200 or another success.
        status: u16,
        /// The content type and the parser's complaint.
        detail: String,
    },
}

impl FetchError {
    /// Whether the server may answer properly later (no answer, 5xx, 429,
    /// a body that is not JSON such as a login page): an earlier cached
    /// copy then stands in.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Transport(_) | FetchError::NotJson { .. } => true,
            FetchError::Status { status, .. } => *status >= 500 || *status == 429,
            FetchError::TooLarge(_) | FetchError::NotCached | FetchError::RefusedScheme { .. } => {
                false
            }
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

/// The most documents fetched at once, whatever `[remote] concurrency`
/// says: each takes a thread.
pub const MAX_CONCURRENCY: usize = 32;

/// Redirects followed for one document.
const MAX_REDIRECTS: usize = 10;

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
            // Followed by `get` itself: ureq turns a `file:` Location into
            // a path on the same host.
            .max_redirects(0)
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
    /// their own: the requests wait on the network, not the CPU; no more
    /// threads than URLs, nor than [`MAX_CONCURRENCY`]), calling `done`
    /// after each.
    pub fn fetch_all(&self, urls: Vec<String>, done: &(dyn Fn() + Sync)) -> RemoteDocs {
        if urls.is_empty() {
            return RemoteDocs::default();
        }
        let threads = workers(self.settings.concurrency, urls.len());
        let fetch = || {
            urls.into_par_iter()
                .map(|url| {
                    let result = self.fetch(&url);
                    done();
                    (url, result)
                })
                .collect()
        };
        let docs = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
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
    /// with exponential backoff, all within `[remote] deadline_secs`.
    pub fn fetch(&self, url: &str) -> Result<Fetched, FetchError> {
        let cached = self.cache.meta(url);
        if self.offline {
            return cached
                .map(|meta| Fetched {
                    meta,
                    obtained: Obtained::Cached,
                    unsaved: None,
                })
                .ok_or(FetchError::NotCached);
        }
        let deadline = Instant::now() + self.settings.deadline;
        let mut attempt = 0;
        let error = loop {
            let (error, retry_after) = match self.try_once(url, cached.as_ref(), deadline) {
                Ok(fetched) => return Ok(fetched),
                Err(Attempt::Final(e)) => break e,
                Err(Attempt::Retry(e, after)) => (e, after),
            };
            if attempt >= self.settings.retries {
                break error;
            }
            attempt += 1;
            let backoff = Duration::from_millis(250 << (attempt - 1).min(6));
            let wait = retry_after.unwrap_or(backoff);
            if Instant::now() + wait >= deadline {
                break error;
            }
            std::thread::sleep(wait);
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

    /// GET `url`, following redirects to http(s) URLs only, all before
    /// `deadline` (ureq's global timeout also bounds the body's reading).
    fn get(
        &self,
        url: &str,
        cached: Option<&CacheMeta>,
        deadline: Instant,
    ) -> Result<ureq::http::Response<ureq::Body>, Attempt> {
        let mut current = url.to_string();
        for _ in 0..=MAX_REDIRECTS {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Attempt::Final(FetchError::Transport(past_deadline(
                    &self.settings,
                ))));
            }
            let mut request = self.agent.get(&current).header("Accept", ACCEPT);
            if let Some(meta) = cached {
                if let Some(etag) = &meta.etag {
                    request = request.header("If-None-Match", etag);
                }
                if let Some(date) = &meta.last_modified {
                    request = request.header("If-Modified-Since", date);
                }
            }
            let request = request.config().timeout_global(Some(left)).build();
            let response = request.call().map_err(|e| self.failed(&e))?;
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok());
            match (response.status().as_u16(), location) {
                (301 | 302 | 303 | 307 | 308, Some(location)) => {
                    current = redirect_target(&current, location).map_err(Attempt::Final)?;
                }
                _ => return Ok(response),
            }
        }
        Err(Attempt::Final(FetchError::Transport(format!(
            "more than {MAX_REDIRECTS} redirects"
        ))))
    }

    /// A transport error as an attempt: retried when the network may be
    /// better next time.
    fn failed(&self, e: &ureq::Error) -> Attempt {
        let retry = matches!(
            e,
            ureq::Error::Io(_)
                | ureq::Error::ConnectionFailed
                | ureq::Error::BodyStalled
                | ureq::Error::Timeout(_)
        ) && !matches!(e, ureq::Error::Timeout(ureq::Timeout::Global));
        let e = FetchError::Transport(describe(e, &self.settings));
        if retry {
            Attempt::Retry(e, None)
        } else {
            Attempt::Final(e)
        }
    }

    fn try_once(
        &self,
        url: &str,
        cached: Option<&CacheMeta>,
        deadline: Instant,
    ) -> Result<Fetched, Attempt> {
        let mut response = self.get(url, cached, deadline)?;
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
        let too_large = || FetchError::TooLarge(self.settings.max_bytes / (1024 * 1024));
        // Refused before reading when the server says how large it is;
        // else the limit cuts the stream while it is read.
        let length = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
        if length.is_some_and(|n| n > self.settings.max_bytes) {
            return Err(Attempt::Final(too_large()));
        }
        let content_type = header("content-type");
        // Streamed to a file in the cache folder, counted and hashed as it
        // comes: a body sent without Content-Length (chunked, or a gzip
        // bomb) stops at the limit without being held in memory.
        let mut download = self.cache.download();
        let mut body = response
            .body_mut()
            .with_config()
            .limit(self.settings.max_bytes)
            .reader();
        if let Err(e) = std::io::copy(&mut body, &mut download) {
            return Err(match ureq::Error::from(e) {
                ureq::Error::BodyExceedsLimit(_) => Attempt::Final(too_large()),
                e => match self.failed(&e) {
                    Attempt::Final(e) => Attempt::Final(e),
                    // A broken body is worth another try, like no answer.
                    Attempt::Retry(e, _) => Attempt::Retry(e, None),
                },
            });
        }
        // A login or error page served as 200 keeps the last good copy.
        let json = download.reader().and_then(|body| {
            serde_json::from_reader::<_, serde::de::IgnoredAny>(body).map_err(std::io::Error::from)
        });
        if let Err(e) = json {
            let detail = match content_type {
                Some(t) => format!("{t}: {e}"),
                None => e.to_string(),
            };
            return Err(Attempt::Final(FetchError::NotJson {
                status: status.as_u16(),
                detail,
            }));
        }
        let meta = CacheMeta {
            url: url.to_string(),
            etag,
            last_modified,
            fetched: now.clone(),
            checked: now,
            sha256: download.sha256(),
        };
        // A cache that cannot be written only costs a download next time
        // (the body is then kept in memory for this build).
        let unsaved = self.cache.keep(&meta, download).map_err(|e| {
            Attempt::Final(FetchError::Transport(format!(
                "the downloaded body could not be kept: {e}"
            )))
        })?;
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

/// How many threads fetch `urls` documents: `concurrency`, but no more than
/// there are documents nor than [`MAX_CONCURRENCY`].
fn workers(concurrency: usize, urls: usize) -> usize {
    concurrency.min(urls).clamp(1, MAX_CONCURRENCY)
}

/// Where a redirect from `base` to `location` leads, when it is http(s).
fn redirect_target(base: &str, location: &str) -> Result<String, FetchError> {
    let joined = url::Url::parse(base)
        .and_then(|base| base.join(location))
        .map_err(|e| FetchError::Transport(format!("redirected to {location}, not a URL: {e}")))?;
    match joined.scheme() {
        "http" | "https" => Ok(joined.into()),
        scheme => Err(FetchError::RefusedScheme {
            location: location.to_string(),
            scheme: scheme.to_string(),
        }),
    }
}

fn past_deadline(settings: &RemoteConfig) -> String {
    format!(
        "not complete within {} s ([remote] deadline_secs)",
        settings.deadline.as_secs()
    )
}

/// ureq's error in words a web team can act on.
fn describe(e: &ureq::Error, settings: &RemoteConfig) -> String {
    let timeout = settings.timeout;
    match e {
        ureq::Error::Timeout(ureq::Timeout::Global) => past_deadline(settings),
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
            // No path: the message also reaches the page's notice.
            _ => Err("the cached copy changed or vanished during the build".to_string()),
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
                    Obtained::Cached => c.cached += 1,
                    // Fetching failed; the page uses an earlier copy.
                    Obtained::Stale(_) => {
                        c.failed += 1;
                        c.stale += 1;
                    }
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
    /// Not fetched now (unreachable, an error status, a body that is not
    /// JSON…), including the `stale` ones.
    pub failed: usize,
    /// Of the failed, those whose page uses the copy of an earlier fetch.
    pub stale: usize,
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
    fn no_more_fetch_threads_than_urls_nor_than_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let threads = |concurrency: usize, urls: usize| {
            let settings = RemoteConfig {
                concurrency,
                ..RemoteConfig::default()
            };
            let cache = Cache::in_cache_dir(dir.path());
            // Offline: every fetch is a quick "not in the cache".
            let fetcher = Fetcher::new(&settings, cache, true);
            let urls = (0..urls).map(|i| format!("https://example.org/{i}.json"));
            let seen = std::sync::Mutex::new(0);
            fetcher.fetch_all(urls.collect(), &|| {
                *seen.lock().unwrap() = rayon::current_num_threads();
            });
            seen.into_inner().unwrap()
        };
        assert_eq!(threads(5_000, 1), 1);
        assert_eq!(threads(8, 3), 3);
        assert_eq!(threads(8, 100), 8);
        assert_eq!(threads(100_000, 200), MAX_CONCURRENCY);
    }

    #[test]
    fn offline_without_cache_says_so_without_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::in_cache_dir(dir.path());
        let fetcher = Fetcher::new(&RemoteConfig::default(), cache, true);
        let err = fetcher.fetch("https://example.org/m.json").unwrap_err();
        assert!(matches!(err, FetchError::NotCached), "{err}");
        assert!(err.to_string().contains("--offline"), "{err}");
        assert!(!err.to_string().contains(".pidsite-cache"), "{err}");
    }
}
