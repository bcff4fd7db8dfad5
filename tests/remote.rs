//! Remote targets (issues 3 and 5): registry rows whose target is an http
//! URL, served by a small HTTP server on 127.0.0.1 that this file runs (no
//! test reaches outside the machine). It serves manifests of the shared
//! corpus with ETags (and answers 304 to a matching If-None-Match), and
//! endpoints that fail with 500 before answering, hang, 404, or send HTML.
//! The tests check that pages are built from remote manifests, that the
//! cache is revalidated and used offline, that errors name the URL and the
//! registry row, and that pidsite.lock records hashes and reveals changes.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use assert_cmd::Command;
use pidsite::{build, BuildOptions, BuildReport, NoProgress};
use predicates::prelude::*;

/// One request the server answered.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    if_none_match: Option<String>,
    status: u16,
}

#[derive(Default)]
struct Shared {
    files: Mutex<HashMap<String, Vec<u8>>>,
    hits: Mutex<Vec<Hit>>,
    /// How many more times `/flaky` answers 500.
    flaky_failures: AtomicU32,
}

/// A tiny HTTP/1.1 server on 127.0.0.1, one thread per connection.
struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(files: HashMap<String, Vec<u8>>, flaky_failures: u32) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            files: Mutex::new(files),
            hits: Mutex::default(),
            flaky_failures: AtomicU32::new(flaky_failures),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (shared, stop) = (shared.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let shared = shared.clone();
                        std::thread::spawn(move || answer(stream, &shared));
                    }
                }
            })
        };
        Server {
            addr,
            shared,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn hits(&self, path: &str) -> Vec<Hit> {
        let hits = self.shared.hits.lock().unwrap();
        hits.iter().filter(|h| h.path == path).cloned().collect()
    }

    fn total_hits(&self) -> usize {
        self.shared.hits.lock().unwrap().len()
    }

    fn set_file(&self, name: &str, body: Vec<u8>) {
        self.shared
            .files
            .lock()
            .unwrap()
            .insert(name.to_string(), body);
    }

    /// Stop accepting: later connections are refused.
    fn stop(&mut self) {
        if let Some(thread) = self.thread.take() {
            self.stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(self.addr); // wake the accept loop
            thread.join().unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn etag(body: &[u8]) -> String {
    format!("\"{}\"", &pidsite::cache::remote::sha256_hex(body)[..16])
}

fn answer(mut stream: TcpStream, shared: &Shared) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_string();
    let if_none_match = lines.find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("if-none-match")
            .then(|| v.trim().to_string())
    });
    let json = "application/ld+json";
    let raw = |status: u16, head: &str| {
        shared.hits.lock().unwrap().push(Hit {
            path: path.clone(),
            if_none_match: if_none_match.clone(),
            status,
        });
        let head = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n{head}\r\n");
        (&stream).write_all(head.as_bytes()).is_ok()
    };
    match path.as_str() {
        "/trickle" => {
            // A valid head, then the body one byte every 100 ms: each read
            // is quick, the whole would take 100 s.
            if raw(200, "Content-Length: 1000\r\n") {
                for _ in 0..1000 {
                    std::thread::sleep(Duration::from_millis(100));
                    if (&stream).write_all(b" ").is_err() {
                        return;
                    }
                }
            }
            return;
        }
        "/huge-length" => {
            // Says 200 MB, sends a little and waits: the client should
            // refuse from the header alone.
            if raw(200, "Content-Length: 209715200\r\n") {
                let _ = (&stream).write_all(b"{\"label\":\"");
                std::thread::sleep(Duration::from_secs(5));
            }
            return;
        }
        p if p.starts_with("/endless") => {
            // 200 MB of a JSON string, chunked (no Content-Length): only
            // the limit can stop the client.
            if raw(200, "Transfer-Encoding: chunked\r\n") {
                let chunk = vec![b'a'; 64 * 1024];
                let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                frame.extend_from_slice(&chunk);
                frame.extend_from_slice(b"\r\n");
                let _ = (&stream).write_all(b"a\r\n{\"label\":\"\r\n");
                for _ in 0..(200 * 16) {
                    if (&stream).write_all(&frame).is_err() {
                        return;
                    }
                }
                let _ = (&stream).write_all(b"2\r\n\"}\r\n0\r\n\r\n");
            }
            return;
        }
        "/to-file" => {
            raw(302, "Location: file:///etc/passwd\r\nContent-Length: 0\r\n");
            return;
        }
        "/moved" => {
            raw(301, "Location: /m/dee.json\r\nContent-Length: 0\r\n");
            return;
        }
        _ => {}
    }
    let (status, headers, body): (u16, Vec<(&str, String)>, Vec<u8>) = match path.as_str() {
        "/hang" => {
            // Never answer: the client's timeout has to give up.
            shared.hits.lock().unwrap().push(Hit {
                path,
                if_none_match,
                status: 0,
            });
            std::thread::sleep(Duration::from_secs(5));
            return;
        }
        "/missing" => (404, vec![], b"not here".to_vec()),
        "/not-iiif" => (
            200,
            vec![("Content-Type", "text/html".into())],
            b"<!doctype html><title>Sign in</title><p>Please sign in.</p>".to_vec(),
        ),
        "/flaky"
            if shared
                .flaky_failures
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok() =>
        {
            (500, vec![], b"try again".to_vec())
        }
        p => {
            let name = p.strip_prefix("/m/").unwrap_or(p.trim_start_matches('/'));
            match shared.files.lock().unwrap().get(name).cloned() {
                None => (404, vec![], b"no such file".to_vec()),
                Some(body) => {
                    let tag = etag(&body);
                    if if_none_match.as_deref() == Some(tag.as_str()) {
                        (304, vec![("ETag", tag)], Vec::new())
                    } else {
                        (
                            200,
                            vec![("ETag", tag), ("Content-Type", json.into())],
                            body,
                        )
                    }
                }
            }
        }
    };
    shared.hits.lock().unwrap().push(Hit {
        path,
        if_none_match,
        status,
    });
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    let mut response = format!("HTTP/1.1 {status} {reason}\r\nConnection: close\r\n");
    for (k, v) in headers {
        response.push_str(&format!("{k}: {v}\r\n"));
    }
    if status != 304 {
        response.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    response.push_str("\r\n");
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.write_all(&body);
}

/// Two manifests to serve and their titles: from the shared corpus, or the
/// basic fixture's when the corpus is not there.
fn manifests() -> [(Vec<u8>, String); 2] {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus");
    let files = if corpus
        .join("v3/cookbook__0029-metadata-anywhere.json")
        .is_file()
    {
        [
            corpus.join("v3/cookbook__0029-metadata-anywhere.json"),
            corpus.join("v2/mirador__001.json"),
        ]
    } else {
        let fixture = root.join("tests/fixtures/basic/content/manifests");
        [fixture.join("photo-v3.json"), fixture.join("coin-v2.json")]
    };
    files.map(|f| {
        let bytes = std::fs::read(&f).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let label = match &json["label"] {
            serde_json::Value::String(s) => s.clone(),
            map => map
                .as_object()
                .and_then(|m| m.values().next())
                .and_then(|v| v[0].as_str())
                .unwrap()
                .to_string(),
        };
        (bytes, label)
    })
}

/// A site whose registry rows are `rows` (after the header), with a short
/// timeout and `remote` added to its `[remote]` table.
fn site(rows: &[(&str, String)], remote: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        format!(
            "base_url = \"https://pids.example.org/\"\ntitle = \"Remote test\"\nminify = false\n\n[remote]\ntimeout_secs = 1\n{remote}\n"
        ),
    )
    .unwrap();
    let mut csv = String::from("pid,target\n");
    for (pid, target) in rows {
        csv.push_str(&format!("{pid},{target}\n"));
    }
    std::fs::write(dir.path().join("content/registry.csv"), csv).unwrap();
    dir
}

fn build_site(site: &Path, offline: bool) -> BuildReport {
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: None,
            strict: false,
            full: false,
            offline,
            time: None,
        },
        &NoProgress,
    )
    .unwrap()
}

fn page(site: &Path, landing: &str) -> String {
    std::fs::read_to_string(site.join("public").join(landing).join("index.html")).unwrap()
}

fn pidsite(site: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pidsite").unwrap();
    cmd.current_dir(site).env_remove("RUST_BACKTRACE");
    cmd
}

#[test]
fn remote_manifests_become_pages_are_revalidated_and_build_offline() {
    let [(dee, dee_title), (bodl, bodl_title)] = manifests();
    let mut server = Server::start(
        HashMap::from([("dee.json".into(), dee), ("flaky".into(), bodl)]),
        2,
    );
    let dee_url = server.url("/m/dee.json");
    let site = site(
        &[
            ("ark:/99999/fk4dee", dee_url.clone()),
            ("doi:10.5555/flaky", server.url("/flaky")),
        ],
        "retries = 2",
    );

    // First build: downloaded; /flaky answered 500 twice, then the third
    // try succeeded.
    let first = build_site(site.path(), false);
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    assert_eq!(first.remote.downloaded, 2);
    let flaky: Vec<u16> = server.hits("/flaky").iter().map(|h| h.status).collect();
    assert_eq!(flaky, [500, 500, 200]);
    // The page shows the manifest's title and links the remote URL (the
    // viewer loads it there); the site hosts no copy.
    let html = page(site.path(), "ark/99999/fk4dee");
    assert!(
        html.contains(&dee_title),
        "title {dee_title:?} not on the page"
    );
    assert!(html.contains(&dee_url), "remote URL not on the page");
    assert!(!site
        .path()
        .join("public/ark/99999/fk4dee/manifest.json")
        .exists());
    assert!(page(site.path(), "doi/10.5555/flaky").contains(&bodl_title));
    // Cached beside the incremental state.
    let cache = site.path().join(".pidsite-cache/remote");
    let cached = std::fs::read_dir(&cache).unwrap().count();
    assert_eq!(cached, 4, "a body and a metadata file per URL");

    // Second build: If-None-Match sent, 304 answered, nothing re-rendered.
    let second = build_site(site.path(), false);
    let hits = server.hits("/m/dee.json");
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert_eq!(hits[0].if_none_match, None);
    assert!(hits[1].if_none_match.is_some(), "{hits:?}");
    assert_eq!(hits[1].status, 304);
    assert_eq!(second.remote.unchanged, 2);
    assert!(second.incremental);
    assert_eq!(second.rendered, 0, "unchanged remote manifests are kept");
    assert!(second.warnings.is_empty(), "{:?}", second.warnings);

    // The server goes away: --offline builds from the cache alone...
    server.stop();
    let requests = server.total_hits();
    let offline = build_site(site.path(), true);
    assert!(offline.warnings.is_empty(), "{:?}", offline.warnings);
    assert_eq!(offline.remote.cached, 2);
    assert_eq!(server.total_hits(), requests, "offline sent a request");
    assert!(page(site.path(), "ark/99999/fk4dee").contains(&dee_title));

    // ...and online, the unreachable server's documents come from the
    // cache with a warning naming the URL and the row; the lock keeps the
    // last content the server confirmed.
    let lock = std::fs::read_to_string(site.path().join("pidsite.lock")).unwrap();
    let stale = build_site(site.path(), false);
    assert_eq!(
        std::fs::read_to_string(site.path().join("pidsite.lock")).unwrap(),
        lock
    );
    assert!(page(site.path(), "ark/99999/fk4dee").contains(&dee_title));
    let warning = stale
        .warnings
        .iter()
        .find(|w| w.message.contains(&dee_url))
        .map(ToString::to_string)
        .unwrap_or_else(|| panic!("{:?}", stale.warnings));
    assert!(warning.starts_with("content/registry.csv:2: "), "{warning}");
    assert!(warning.contains("uses the copy cached on"), "{warning}");
    // check --offline compares the cache with the lock: nothing changed.
    pidsite(site.path())
        .args(["check", "--offline"])
        .assert()
        .success()
        .stderr(predicate::str::contains("No problems found."));

    // A URL that was never fetched is a warning offline, naming URL and row.
    let never = server.url("/m/never.json");
    let registry = site.path().join("content/registry.csv");
    let mut csv = std::fs::read_to_string(&registry).unwrap();
    csv.push_str(&format!("ark:/99999/fk4never,{never}\n"));
    std::fs::write(&registry, csv).unwrap();
    let offline = build_site(site.path(), true);
    let messages: Vec<String> = offline.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with(&format!(
            "content/registry.csv:4: remote target {never}: not in the cache"
        )),
        "{messages:?}"
    );
    assert!(messages[0].contains("--offline"), "{messages:?}");
    // The page's notice says why in words, without a path of this machine.
    let notice = page(site.path(), "ark/99999/fk4never");
    assert!(
        notice.contains("not in the cache of remote documents"),
        "{notice}"
    );
    let machine = site.path().to_str().unwrap();
    assert!(
        !notice.contains(machine),
        "a local path in the page: {notice}"
    );
    assert!(!notice.contains(".pidsite-cache"), "{notice}");
    pidsite(site.path())
        .args(["check", "--offline"])
        .assert()
        .failure()
        .stdout(predicate::str::contains(format!(
            "content/registry.csv:4: remote target {never}: not in the cache"
        )));
    assert_eq!(server.total_hits(), requests, "offline sent a request");
}

#[test]
fn each_failing_url_is_a_warning_naming_the_url_and_the_row() {
    let [(dee, dee_title), _] = manifests();
    // Valid JSON, but over the 1 MB limit.
    let mut huge = b"{\"label\":\"".to_vec();
    huge.resize(1024 * 1024 + 100, b'x');
    huge.extend_from_slice(b"\"}");
    let server = Server::start(
        HashMap::from([("dee.json".into(), dee), ("big.json".into(), huge)]),
        0,
    );
    let (hang, missing, html, big) = (
        server.url("/hang"),
        server.url("/missing"),
        server.url("/not-iiif"),
        server.url("/m/big.json"),
    );
    let site = site(
        &[
            ("ark:/99999/fk4dee", server.url("/m/dee.json")),
            ("doi:10.5555/hang", hang.clone()),
            ("doi:10.5555/missing", missing.clone()),
            ("doi:10.5555/html", html.clone()),
            ("doi:10.5555/big", big.clone()),
        ],
        "retries = 1\nmax_size_mb = 1",
    );
    let output = pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicate::str::contains("panicked").not())
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(output).unwrap();
    for expected in [
        format!("warning: content/registry.csv:3: remote target {hang}: no answer within 1 s"),
        format!("warning: content/registry.csv:4: remote target {missing}: HTTP 404 Not Found; the page of doi:10.5555/missing is built from the registry alone"),
        format!("warning: content/registry.csv:5: remote target {html}: the server answered 200 but the body is not JSON (text/html: expected value at line 1 column 1)"),
        format!("warning: content/registry.csv:6: remote target {big}: the document is larger than the limit of 1 MB ([remote] max_size_mb)"),
    ] {
        assert!(stderr.contains(&expected), "{expected}\nnot in:\n{stderr}");
    }
    // A timeout is retried ([remote] retries = 1); a 404 is not.
    assert_eq!(server.hits("/hang").len(), 2);
    assert_eq!(server.hits("/missing").len(), 1);
    // The other pages are built; the failing ones from the registry alone.
    assert!(page(site.path(), "ark/99999/fk4dee").contains(&dee_title));
    assert!(page(site.path(), "doi/10.5555/missing").contains("could not be read"));

    // --strict turns the warnings into a failed build.
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "content/registry.csv:4: remote target {missing}: HTTP 404"
        )));
}

#[test]
fn the_lock_records_hashes_and_a_changed_remote_manifest_is_reported() {
    let [(dee, dee_title), (bodl, bodl_title)] = manifests();
    let server = Server::start(HashMap::from([("dee.json".into(), dee.clone())]), 0);
    let dee_url = server.url("/m/dee.json");
    let site = site(&[("ark:/99999/fk4dee", dee_url.clone())], "retries = 0");
    // A local target too.
    let local = site.path().join("content/manifests");
    std::fs::create_dir_all(&local).unwrap();
    std::fs::write(local.join("bodl.json"), &bodl).unwrap();
    let registry = site.path().join("content/registry.csv");
    let mut csv = std::fs::read_to_string(&registry).unwrap();
    csv.push_str("doi:10.5555/local,manifests/bodl.json\n");
    std::fs::write(&registry, csv).unwrap();

    pidsite(site.path()).arg("build").assert().success();
    let lock_path = site.path().join("pidsite.lock");
    let lock_text = std::fs::read_to_string(&lock_path).unwrap();
    let lock: pidsite::lock::Lock = toml::from_str(&lock_text).unwrap();
    let dee_sha = pidsite::cache::remote::sha256_hex(&dee);
    let remote = &lock.targets[0];
    assert_eq!(
        (remote.pid.as_str(), remote.target.as_str()),
        ("ark:99999/fk4dee", dee_url.as_str())
    );
    assert_eq!(remote.sha256, dee_sha);
    assert_eq!(remote.etag.as_deref(), Some(etag(&dee).as_str()));
    assert!(remote.fetched.as_deref().is_some_and(|d| d.ends_with('Z')));
    let local = &lock.targets[1];
    assert_eq!(local.target, "manifests/bodl.json");
    assert_eq!(local.sha256, pidsite::cache::remote::sha256_hex(&bodl));
    assert_eq!(local.etag, None);
    assert!(page(site.path(), "doi/10.5555/local").contains(&bodl_title));

    // Nothing changed: check finds nothing, a build reports nothing and
    // leaves the lock as it was.
    pidsite(site.path())
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains("No problems found."));
    pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicate::str::contains("changed since the last build").not());
    assert_eq!(std::fs::read_to_string(&lock_path).unwrap(), lock_text);

    // The remote manifest changes upstream.
    let changed = String::from_utf8(dee.clone())
        .unwrap()
        .replacen(&dee_title, "A new title from upstream", 1)
        .into_bytes();
    assert_ne!(changed, dee);
    server.set_file("dee.json", changed.clone());
    // And so does the local one.
    let bodl_path = site.path().join("content/manifests/bodl.json");
    let edited =
        String::from_utf8(bodl.clone())
            .unwrap()
            .replacen(&bodl_title, "An edited local title", 1);
    std::fs::write(&bodl_path, &edited).unwrap();

    // check: a problem of kind `changed` with the registry file and row,
    // exit 1, and the lock is not written.
    let out = pidsite(site.path())
        .args(["check", "--format", "json"])
        .assert()
        .failure()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let problems: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let changed_problems: Vec<&serde_json::Value> = problems
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "changed")
        .collect();
    assert_eq!(changed_problems.len(), 2, "{problems:#}");
    for (p, line, target) in [
        (changed_problems[0], 2, dee_url.as_str()),
        (changed_problems[1], 3, "manifests/bodl.json"),
    ] {
        assert_eq!(p["file"], "content/registry.csv");
        assert_eq!(p["line"], line);
        let message = p["message"].as_str().unwrap();
        assert!(message.contains(target), "{message}");
        assert!(
            message.contains("changed since the last build"),
            "{message}"
        );
    }
    assert_eq!(std::fs::read_to_string(&lock_path).unwrap(), lock_text);

    // build: says which manifest changed, renders it, rewrites the lock.
    pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "2 manifests changed since the last build: ark:99999/fk4dee ({dee_url}), doi:10.5555/local (manifests/bodl.json)"
        )));
    assert!(page(site.path(), "ark/99999/fk4dee").contains("A new title from upstream"));
    let lock: pidsite::lock::Lock =
        toml::from_str(&std::fs::read_to_string(&lock_path).unwrap()).unwrap();
    assert_eq!(
        lock.targets[0].sha256,
        pidsite::cache::remote::sha256_hex(&changed)
    );
    assert_eq!(
        lock.targets[1].sha256,
        pidsite::cache::remote::sha256_hex(edited.as_bytes())
    );
    pidsite(site.path()).arg("check").assert().success();

    // A lock left in a merge conflict does not stop the build: a warning,
    // then a new lock; check reports it as a problem of kind `lock`.
    let conflicted = format!(
        "<<<<<<< HEAD\n{}",
        std::fs::read_to_string(&lock_path).unwrap()
    );
    std::fs::write(&lock_path, &conflicted).unwrap();
    pidsite(site.path())
        .args(["check", "--format", "json"])
        .assert()
        .failure()
        .stdout(predicate::str::contains("\"kind\": \"lock\""));
    pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: pidsite.lock:1: "))
        .stderr(predicate::str::contains("writes a new lock"));
    let rewritten = std::fs::read_to_string(&lock_path).unwrap();
    assert!(!rewritten.contains("<<<<<<<"));

    // A target that cannot be read keeps its entry: the change is reported
    // when it can be read again.
    std::fs::remove_file(&bodl_path).unwrap();
    pidsite(site.path()).arg("build").assert().success();
    // (The home page, which lists the PID, is another page now: its
    // `[[page]]` date may change.)
    let targets = |lock: &str| lock.split("\n[[page]]").next().unwrap().to_string();
    assert_eq!(
        targets(&std::fs::read_to_string(&lock_path).unwrap()),
        targets(&rewritten)
    );
}

#[test]
fn a_trickled_body_stops_at_the_deadline() {
    let server = Server::start(HashMap::new(), 0);
    let trickle = server.url("/trickle");
    let site = site(
        &[("doi:10.5555/trickle", trickle.clone())],
        "retries = 2\ndeadline_secs = 2",
    );
    let started = std::time::Instant::now();
    let report = build_site(site.path(), false);
    // One deadline for the document, retries included.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let warning = report.warnings[0].to_string();
    assert!(
        warning.contains(&format!(
            "remote target {trickle}: not complete within 2 s ([remote] deadline_secs)"
        )),
        "{warning}"
    );
    assert_eq!(report.remote.failed, 1);
}

#[test]
fn redirects_are_followed_to_http_only() {
    let [(dee, dee_title), _] = manifests();
    let server = Server::start(HashMap::from([("dee.json".into(), dee)]), 0);
    let to_file = server.url("/to-file");
    let site = site(
        &[
            ("ark:/99999/fk4moved", server.url("/moved")),
            ("doi:10.5555/file", to_file.clone()),
        ],
        "retries = 0",
    );
    let report = build_site(site.path(), false);
    assert!(page(site.path(), "ark/99999/fk4moved").contains(&dee_title));
    let messages: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with(&format!(
            "content/registry.csv:3: remote target {to_file}: redirected to file:///etc/passwd: the file: scheme is refused"
        )),
        "{messages:?}"
    );
    assert_eq!(server.hits("/to-file").len(), 1);
}

#[test]
fn a_200_that_is_not_json_keeps_the_last_good_copy() {
    let [(dee, dee_title), _] = manifests();
    let server = Server::start(HashMap::from([("dee.json".into(), dee.clone())]), 0);
    let url = server.url("/m/dee.json");
    let site = site(&[("ark:/99999/fk4dee", url.clone())], "retries = 0");
    let first = build_site(site.path(), false);
    assert_eq!(first.remote.downloaded, 1);
    let lock = std::fs::read_to_string(site.path().join("pidsite.lock")).unwrap();

    // The server now answers 200 with a login page.
    server.set_file("dee.json", b"<html>Please log in".to_vec());
    let second = build_site(site.path(), false);
    assert_eq!(
        (
            second.remote.downloaded,
            second.remote.failed,
            second.remote.stale
        ),
        (0, 1, 1)
    );
    let warning = second.warnings[0].to_string();
    assert!(
        warning.contains("the server answered 200 but the body is not JSON (application/ld+json: "),
        "{warning}"
    );
    assert!(warning.contains("uses the copy cached on"), "{warning}");
    assert!(page(site.path(), "ark/99999/fk4dee").contains(&dee_title));
    assert_eq!(
        std::fs::read_to_string(site.path().join("pidsite.lock")).unwrap(),
        lock,
        "the lock keeps the good copy's hash"
    );
    let cached = pidsite::cache::remote::Cache::in_cache_dir(&site.path().join(".pidsite-cache"));
    assert_eq!(
        cached.get(&url).unwrap().1,
        dee,
        "the cache keeps the good copy"
    );
    pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "0 downloaded, 0 unchanged (304), 0 from the cache, 1 failed (1 of them from an earlier copy)",
        ));
}

#[test]
fn a_content_length_over_the_limit_is_refused_before_reading() {
    let server = Server::start(HashMap::new(), 0);
    let huge = server.url("/huge-length");
    // The per-read timeout (5 s) is longer than the server's wait: reading
    // would stall until the server hangs up.
    let site = site(
        &[("doi:10.5555/huge", huge.clone())],
        "retries = 0\nmax_size_mb = 64",
    );
    let toml = site.path().join("site.toml");
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("timeout_secs = 1", "timeout_secs = 10");
    std::fs::write(&toml, text).unwrap();
    let started = std::time::Instant::now();
    let report = build_site(site.path(), false);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let warning = report.warnings[0].to_string();
    assert!(
        warning.contains(&format!(
            "remote target {huge}: the document is larger than the limit of 64 MB"
        )),
        "{warning}"
    );
}

/// Runs `pidsite build` in `site` and waits for it, returning its exit
/// status and peak resident memory in MB (`wait4`'s `ru_maxrss`).
// wait4 reaps the child, not std's `wait`, which would leave no usage.
#[allow(clippy::zombie_processes)]
fn peak_rss_of_build(site: &Path) -> (i32, u64) {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_pidsite"))
        .arg("build")
        .current_dir(site)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills; `pid` is our child,
    // not yet waited for (std never waits for a child it is not asked to).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    (libc::WEXITSTATUS(status), usage.ru_maxrss as u64 / 1024)
}

#[test]
fn bodies_without_content_length_are_streamed_not_held_in_memory() {
    let server = Server::start(HashMap::new(), 0);
    let [(dee, _), _] = manifests();
    server.set_file("dee.json", dee.clone());
    let url = server.url("/m/dee.json");
    let mut rows: Vec<(String, String)> = (0..8)
        .map(|i| {
            (
                format!("doi:10.5555/endless{i}"),
                server.url(&format!("/endless?{i}")),
            )
        })
        .collect();
    rows.push(("ark:/99999/fk4dee".into(), url.clone()));
    let rows: Vec<(&str, String)> = rows.iter().map(|(p, u)| (p.as_str(), u.clone())).collect();
    let site = site(&rows, "retries = 0\nmax_size_mb = 40\nconcurrency = 8");
    let toml = site.path().join("site.toml");
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("timeout_secs = 1", "timeout_secs = 20");
    std::fs::write(&toml, text).unwrap();
    // Eight bodies cut at 40 MB each: held in memory they would take over
    // 320 MB; streamed to the cache, a few buffers.
    let (code, peak_mb) = peak_rss_of_build(site.path());
    assert_eq!(code, 0);
    assert!(peak_mb < 120, "peak RSS {peak_mb} MB");
    // Each refused at the limit, and no partial download left behind.
    let report = build_site(site.path(), false);
    let messages: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 8, "{messages:?}");
    assert!(
        messages
            .iter()
            .all(|m| m.contains("the document is larger than the limit of 40 MB")),
        "{messages:?}"
    );
    let cache = pidsite::cache::remote::Cache::in_cache_dir(&site.path().join(".pidsite-cache"));
    assert_eq!(
        cache.get(&url).unwrap().1,
        dee,
        "a streamed body is cached whole"
    );
    let files = std::fs::read_dir(cache.dir()).unwrap().count();
    assert_eq!(files, 2, "only the good document's body and metadata");
}
