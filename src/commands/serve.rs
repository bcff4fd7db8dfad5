//! `pidsite serve`: a local preview. Builds the site into a folder of its
//! own, serves it over HTTP on a loopback address under the base URL's path
//! (as GitHub Pages serves a project page), rebuilds when site.toml,
//! content/, templates/ or static/ change, and tells open pages to reload.
//!
//! The live-reload script is added to HTML responses as they are sent; the
//! built files never contain it. A failed rebuild is reported and the last
//! good site keeps being served. This module never prints: it hands each
//! event to the caller (the CLI prints them).

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

use notify::Watcher;

use crate::config::SiteConfig;
use crate::error::{Error, Location, Result};
use crate::{BuildOptions, BuildReport, NoProgress};

/// The server-sent-events endpoint that open pages listen on.
pub const LIVERELOAD_PATH: &str = "/__pidsite/livereload";

/// How long the file system must be quiet before a rebuild: an editor's
/// save, or a `git checkout`, is many events in a burst.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Threads answering requests.
const WORKERS: usize = 4;

/// Live-reload streams held open at once (all fed by one thread); a client
/// beyond them gets 503 and its browser tries again.
const MAX_LIVE_RELOAD: usize = 64;

/// What `pidsite serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder (holding site.toml).
    pub site_dir: PathBuf,
    /// The folder the site is built into (it is replaced on each full build).
    pub out_dir: PathBuf,
    /// The address to listen on; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The time of every rebuild, fixed (reproducible builds, tests);
    /// `None`: now, at each rebuild.
    pub time: Option<crate::clock::BuildTime>,
}

/// What happened, for the caller to report.
#[derive(Debug)]
pub enum ServeEvent<'a> {
    /// The site is served at this URL (the base URL's path on the local
    /// address).
    Listening {
        /// e.g. `http://127.0.0.1:1111/repo/`
        url: String,
    },
    /// Files changed; a rebuild starts.
    Changed {
        /// The changed files (relative to the site where possible).
        paths: &'a [PathBuf],
    },
    /// A build succeeded; open pages reload.
    Built(&'a BuildReport),
    /// A build failed; the last good site is still served.
    Failed(&'a Error),
    /// Watching the files failed (changes may be missed).
    WatchError(String),
}

/// The folder `pidsite serve` builds a site into when none is given: one
/// per site under the system's temporary folder, so a restarted `serve`
/// builds incrementally and nothing piles up.
pub fn default_out_dir(site_dir: &Path) -> PathBuf {
    let abs = std::path::absolute(site_dir).unwrap_or_else(|_| site_dir.to_path_buf());
    let hash = blake3::hash(abs.to_string_lossy().as_bytes()).to_hex();
    std::env::temp_dir()
        .join(format!("pidsite-serve-{}", &hash[..12]))
        .join("public")
}

/// Build, serve and watch until the process ends. Returns only when the
/// server cannot start.
pub fn serve(options: &ServeOptions, on_event: &mut dyn FnMut(ServeEvent<'_>)) -> Result<()> {
    let site =
        std::path::absolute(&options.site_dir).map_err(|e| Error::io(&options.site_dir, e))?;
    // Fail early, with the file and line, when site.toml is missing or bad.
    let config = SiteConfig::load(&site)?;
    let server = tiny_http::Server::http(options.addr).map_err(|e| {
        Error::argument(
            Location::file(options.addr.to_string()),
            format!("cannot listen there: {e}; choose another --port (0 picks a free one)"),
        )
    })?;
    let server = Arc::new(server);
    let addr = server
        .server_addr()
        .to_ip()
        .expect("a server bound to an IP address has one");
    let shared = Arc::new(Shared {
        root: options.out_dir.clone(),
        base_path: RwLock::new(config.base_path.clone()),
        generation: Mutex::new(0),
        rebuilt: Condvar::new(),
        failure: Mutex::new(None),
        streams: Mutex::new(Vec::new()),
    });

    // Watch before the first build, so no change made after the URL is
    // printed is missed.
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(tx).map_err(|e| watch_error(&site, e))?;
    let mut watched = Vec::new();
    watch_inputs(&mut watcher, &site, &mut watched, on_event);

    rebuild(&site, options, &shared, on_event);
    {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || announce_reloads(&shared));
    }
    for _ in 0..WORKERS {
        let (server, shared) = (Arc::clone(&server), Arc::clone(&shared));
        std::thread::spawn(move || {
            while let Ok(request) = server.recv() {
                handle(&shared, request);
            }
        });
    }
    let base_path = shared
        .base_path
        .read()
        .expect("no thread panics holding the lock")
        .clone();
    on_event(ServeEvent::Listening {
        url: format!("http://{addr}{base_path}"),
    });

    loop {
        let changed = next_changes(&rx, &site, on_event);
        if changed.is_empty() {
            continue;
        }
        // A folder created since (templates/, static/) is watched from now on.
        watch_inputs(&mut watcher, &site, &mut watched, on_event);
        let paths: Vec<PathBuf> = changed
            .iter()
            .map(|p| p.strip_prefix(&site).unwrap_or(p).to_path_buf())
            .collect();
        on_event(ServeEvent::Changed { paths: &paths });
        rebuild(&site, options, &shared, on_event);
    }
}

/// What the request threads share with the build loop.
struct Shared {
    /// The built site.
    root: PathBuf,
    /// The base URL's path (`/` or `/repo/`), from the last good build.
    base_path: RwLock<String>,
    /// Counts good builds; live-reload streams wait on `rebuilt` for it to
    /// change.
    generation: Mutex<u64>,
    rebuilt: Condvar,
    /// The error of the first build, while no build has succeeded.
    failure: Mutex<Option<String>>,
    /// The open live-reload streams (at most [`MAX_LIVE_RELOAD`]).
    streams: Mutex<Vec<Box<dyn Write + Send>>>,
}

fn watch_error(site: &Path, e: notify::Error) -> Error {
    Error::io(site, std::io::Error::other(e.to_string()))
}

/// Watch the site folder (for site.toml and new folders) and each input
/// folder not yet watched.
fn watch_inputs(
    watcher: &mut notify::RecommendedWatcher,
    site: &Path,
    watched: &mut Vec<PathBuf>,
    on_event: &mut dyn FnMut(ServeEvent<'_>),
) {
    let mut wanted = vec![
        (site.to_path_buf(), notify::RecursiveMode::NonRecursive),
        (site.join("content"), notify::RecursiveMode::Recursive),
        (site.join("templates"), notify::RecursiveMode::Recursive),
        (site.join("static"), notify::RecursiveMode::Recursive),
    ];
    // The site's own CSL styles may be anywhere in it (`styles/ieee.csl`).
    if let Ok(config) = crate::config::SiteConfig::load(site) {
        for style in config.own_style_files() {
            if let Some(folder) = site.join(style).parent() {
                wanted.push((folder.to_path_buf(), notify::RecursiveMode::NonRecursive));
            }
        }
    }
    for (path, mode) in wanted {
        if watched.contains(&path) || !path.is_dir() {
            continue;
        }
        match watcher.watch(&path, mode) {
            Ok(()) => watched.push(path),
            Err(e) => on_event(ServeEvent::WatchError(format!("{}: {e}", path.display()))),
        }
    }
}

/// Wait for a change to an input, then for the file system to be quiet for
/// [`DEBOUNCE`]; returns the inputs that changed (empty when the events
/// touched none).
fn next_changes(
    rx: &Receiver<notify::Result<notify::Event>>,
    site: &Path,
    on_event: &mut dyn FnMut(ServeEvent<'_>),
) -> Vec<PathBuf> {
    let mut changed: Vec<PathBuf> = Vec::new();
    let take = |event: notify::Result<notify::Event>,
                changed: &mut Vec<PathBuf>,
                on_event: &mut dyn FnMut(ServeEvent<'_>)| match event {
        Ok(event) if is_modification(&event.kind) => {
            for path in event.paths {
                if is_input(site, &path) && !changed.contains(&path) {
                    changed.push(path);
                }
            }
        }
        Ok(_) => {}
        Err(e) => on_event(ServeEvent::WatchError(e.to_string())),
    };
    let Ok(first) = rx.recv() else {
        // The watcher is gone; nothing will change any more.
        std::thread::park();
        return changed;
    };
    take(first, &mut changed, on_event);
    // Quiet for DEBOUNCE (a timeout), or the watcher is gone.
    while let Ok(event) = rx.recv_timeout(DEBOUNCE) {
        take(event, &mut changed, on_event);
    }
    changed
}

/// Reading a file is no change; the build reads every input, and counting
/// its reads would rebuild forever.
fn is_modification(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode};
    match kind {
        notify::EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        notify::EventKind::Access(_) => false,
        _ => true,
    }
}

/// site.toml, or a file under content/, templates/ or static/ that is not
/// an editor's swap or backup file.
fn is_input(site: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(site) else {
        return false;
    };
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let scratch = name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913";
    if scratch {
        return false;
    }
    rel == Path::new(crate::config::CONFIG_FILE)
        || ["content", "templates", "static"]
            .iter()
            .any(|d| rel.starts_with(d))
        // A site's own citation style (site.toml names it).
        || rel.extension().is_some_and(|e| e == "csl")
}

/// Build into the served folder; on success, pages reload.
fn rebuild(
    site: &Path,
    serve: &ServeOptions,
    shared: &Shared,
    on_event: &mut dyn FnMut(ServeEvent<'_>),
) {
    let options = BuildOptions {
        site_dir: site.to_path_buf(),
        out_dir: Some(serve.out_dir.clone()),
        strict: false,
        full: false,
        offline: false,
        time: serve.time.clone(),
    };
    match crate::build(&options, &NoProgress) {
        Ok(report) => {
            if let Ok(config) = SiteConfig::load(site) {
                *shared
                    .base_path
                    .write()
                    .expect("no thread panics holding the lock") = config.base_path;
            }
            *shared
                .failure
                .lock()
                .expect("no thread panics holding the lock") = None;
            *shared
                .generation
                .lock()
                .expect("no thread panics holding the lock") += 1;
            shared.rebuilt.notify_all();
            on_event(ServeEvent::Built(&report));
        }
        Err(e) => {
            let never_built = *shared
                .generation
                .lock()
                .expect("no thread panics holding the lock")
                == 0;
            if never_built {
                *shared
                    .failure
                    .lock()
                    .expect("no thread panics holding the lock") = Some(e.to_string());
            }
            on_event(ServeEvent::Failed(&e));
        }
    }
}

/// A response: status, headers, body.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn text(status: u16, body: impl Into<String>) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: body.into().into_bytes(),
        }
    }

    fn redirect(status: u16, location: String) -> Self {
        Reply {
            status,
            headers: vec![
                ("Location", location.clone()),
                ("Content-Type", "text/plain; charset=utf-8".into()),
            ],
            body: format!("See {location}\n").into_bytes(),
        }
    }
}

fn handle(shared: &Arc<Shared>, request: tiny_http::Request) {
    let url = request.url().to_string();
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url.as_str(), None),
    };
    if path == LIVERELOAD_PATH {
        open_stream(shared, request);
        return;
    }
    // tiny_http leaves the body out of a reply to HEAD by itself.
    let reply = if matches!(
        request.method(),
        tiny_http::Method::Get | tiny_http::Method::Head
    ) {
        answer(shared, path, query)
    } else {
        Reply::text(405, "Only GET and HEAD are served.\n")
    };
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    for (name, value) in reply.headers {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    if let Ok(header) = tiny_http::Header::from_bytes(&b"Cache-Control"[..], &b"no-store"[..]) {
        response.add_header(header);
    }
    // The client may have gone; nothing to tell it then.
    let _ = request.respond(response);
}

/// The reply to a GET of `path` (query string apart).
fn answer(shared: &Shared, path: &str, query: Option<&str>) -> Reply {
    if let Some(error) = shared
        .failure
        .lock()
        .expect("no thread panics holding the lock")
        .clone()
    {
        return build_failed_page(&error);
    }
    let base = shared
        .base_path
        .read()
        .expect("no thread panics holding the lock")
        .clone();
    let with_query = |p: String| match query {
        Some(q) => format!("{p}?{q}"),
        None => p,
    };
    // The site lives under the base URL's path, as on its host.
    if base != "/" && (path == "/" || path == base.trim_end_matches('/')) {
        return Reply::redirect(302, with_query(base));
    }
    let Some(rest) = path.strip_prefix(base.as_str()) else {
        return not_found(&shared.root);
    };
    let Some(rel) = safe_relative(rest) else {
        return not_found(&shared.root);
    };
    let mut file = shared.root.join(&rel);
    if file.is_dir() {
        if !path.ends_with('/') {
            // As GitHub Pages does, so relative links resolve alike.
            return Reply::redirect(301, with_query(format!("{path}/")));
        }
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(bytes) => file_reply(200, &file, bytes),
        Err(_) => not_found(&shared.root),
    }
}

/// A URL path under the base, percent-decoded, as a relative path that
/// stays inside the site (`None` for `..`, absolute or odd paths).
fn safe_relative(rest: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let rel = PathBuf::from(decoded.as_ref());
    rel.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then_some(rel)
}

/// The site's 404 page, with status 404.
fn not_found(root: &Path) -> Reply {
    let page = root.join("404.html");
    match std::fs::read(&page) {
        Ok(bytes) => file_reply(404, &page, bytes),
        Err(_) => Reply::text(404, "Not found (and the site has no 404.html).\n"),
    }
}

fn file_reply(status: u16, file: &Path, bytes: Vec<u8>) -> Reply {
    let kind = content_type(file);
    let body = if kind.starts_with("text/html") {
        inject_livereload(&bytes)
    } else {
        bytes
    };
    let mut headers = vec![("Content-Type", kind.to_string())];
    if kind.contains("json") {
        // IIIF viewers elsewhere may fetch the manifests, as from the host.
        headers.push(("Access-Control-Allow-Origin", "*".into()));
    }
    Reply {
        status,
        headers,
        body,
    }
}

/// A page that says the first build failed, and reloads when a build
/// succeeds.
fn build_failed_page(error: &str) -> Reply {
    let escaped = error
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>Build failed</title>\
         <body><h1>The site did not build</h1><pre>{escaped}</pre>\
         <p>Fix it and save: this page reloads when the site builds.</p></body></html>"
    );
    Reply {
        status: 500,
        headers: vec![("Content-Type", "text/html; charset=utf-8".into())],
        body: inject_livereload(page.as_bytes()),
    }
}

/// The script added to served HTML: reload when the site is rebuilt.
const LIVERELOAD_SCRIPT: &str =
    "<script>(function(){var s=new EventSource(\"/__pidsite/livereload\");\
s.addEventListener(\"reload\",function(){s.close();location.reload();});})();</script>";

/// `html` with the live-reload script before `</body>`, or at the end when
/// the minifier left the optional end tag out.
pub fn inject_livereload(html: &[u8]) -> Vec<u8> {
    let at = find_last_ascii_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + LIVERELOAD_SCRIPT.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(LIVERELOAD_SCRIPT.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The Content-Type of a built file, by its extension.
fn content_type(file: &Path) -> &'static str {
    let ext = file
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "jsonld" => "application/ld+json",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "bib" | "ris" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Open a server-sent-events stream for `request`, which
/// [`announce_reloads`] then feeds; 503 when [`MAX_LIVE_RELOAD`] are open.
fn open_stream(shared: &Shared, request: tiny_http::Request) {
    let mut streams = shared
        .streams
        .lock()
        .expect("no thread panics holding the lock");
    if streams.len() >= MAX_LIVE_RELOAD {
        drop(streams);
        // Written by hand: tiny_http drops a reply's `Connection` header,
        // and the client must hang up, or its connection keeps a thread.
        let body = format!("At most {MAX_LIVE_RELOAD} live-reload streams are served at once.\n");
        let reply = format!(
            "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut writer = request.into_writer();
        let _ = writer
            .write_all(reply.as_bytes())
            .and_then(|()| writer.flush());
        return;
    }
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 1000\n: pidsite live reload\n\n";
    let mut writer = request.into_writer();
    if writer.write_all(head.as_bytes()).is_ok() && writer.flush().is_ok() {
        streams.push(writer);
    }
}

/// Send `reload` on every open stream after each good build (one thread
/// for all: a thread per stream let 1,000 tabs start 1,000 threads); a
/// comment every 15 s finds clients that have gone.
fn announce_reloads(shared: &Shared) {
    let mut seen = *shared
        .generation
        .lock()
        .expect("no thread panics holding the lock");
    loop {
        let generation = shared
            .generation
            .lock()
            .expect("no thread panics holding the lock");
        let (generation, _) = shared
            .rebuilt
            .wait_timeout_while(generation, Duration::from_secs(15), |g| *g == seen)
            .expect("no thread panics holding the lock");
        let message = if *generation != seen {
            seen = *generation;
            format!("event: reload\ndata: {seen}\n\n")
        } else {
            ": ping\n\n".to_string()
        };
        drop(generation);
        shared
            .streams
            .lock()
            .expect("no thread panics holding the lock")
            .retain_mut(|w| w.write_all(message.as_bytes()).is_ok() && w.flush().is_ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_body_end_or_at_the_end() {
        let page = inject_livereload(b"<html><body><p>x</p></body></html>");
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with("<html><body><p>x</p><script>"));
        assert!(page.ends_with("</script></body></html>"));
        let minified = String::from_utf8(inject_livereload(b"<p>x")).unwrap();
        assert!(minified.starts_with("<p>x<script>"));
        assert!(minified.contains(LIVERELOAD_PATH));
    }

    #[test]
    fn paths_stay_inside_the_site() {
        assert_eq!(
            safe_relative("ark/99999/x/index.html"),
            Some(PathBuf::from("ark/99999/x/index.html"))
        );
        assert_eq!(safe_relative("caf%C3%A9/"), Some(PathBuf::from("café/")));
        for bad in [
            "../etc/passwd",
            "a/../../b",
            "%2e%2e/x",
            "/etc/passwd",
            "a%00b",
            "a\\b",
        ] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_inputs_trigger_a_rebuild() {
        let site = Path::new("/s");
        assert!(is_input(site, Path::new("/s/site.toml")));
        assert!(is_input(site, Path::new("/s/content/manifests/a.json")));
        assert!(is_input(site, Path::new("/s/templates/base.html")));
        assert!(is_input(site, Path::new("/s/static/css/x.css")));
        assert!(!is_input(site, Path::new("/s/public/index.html")));
        assert!(!is_input(site, Path::new("/s/README.md")));
        assert!(!is_input(site, Path::new("/s/content/.#registry.csv")));
        assert!(!is_input(site, Path::new("/s/content/registry.csv~")));
        assert!(!is_input(site, Path::new("/other/site.toml")));
        assert!(is_input(site, Path::new("/s/styles/ieee.csl")));
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{AccessKind, AccessMode, CreateKind};
        use notify::EventKind;
        assert!(!is_modification(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_modification(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_modification(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_modification(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(
            content_type(Path::new("a/index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("manifest.json")), "application/json");
        assert_eq!(
            content_type(Path::new("cite.bib")),
            "text/plain; charset=utf-8"
        );
    }
}
