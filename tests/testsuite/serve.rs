//! `pidsite serve`: the preview server, over loopback.

use std::io::Read;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use ureq::http::HeaderMap;

use crate::cli::{edit, no_panic};

/// Ends the child process when the test ends, passed or failed.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A client for the preview server: redirects are not followed (the test
/// reads them), statuses are not errors, and loopback takes no proxy.
/// `timeout` bounds the whole request, body included.
fn agent(timeout: Option<Duration>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(timeout)
        .build()
        .into()
}

/// A GET over loopback: status, headers, body.
fn http_get(addr: &str, path: &str) -> (u16, HeaderMap, String) {
    let mut response = agent(Some(Duration::from_secs(30)))
        .get(format!("http://{addr}{path}"))
        .call()
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let body = response.body_mut().read_to_string().unwrap();
    let (head, _) = response.into_parts();
    (head.status.as_u16(), head.headers, body)
}

/// A header's value, or "" when the response has none.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map_or("", |v| v.to_str().expect("an ASCII header"))
}

/// The live-reload stream: its headers, and what it sends, piece by piece
/// as it arrives, read on a thread of its own (the stream stays open until
/// the server ends).
fn live_reload(addr: &str) -> (HeaderMap, Receiver<String>) {
    let response = agent(None)
        .get(format!("http://{addr}/__pidsite/livereload"))
        .header("Accept", "text/event-stream")
        .call()
        .unwrap();
    let (head, body) = response.into_parts();
    let mut reader = body.into_reader();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n @ 1..) = reader.read(&mut buf) {
            if tx
                .send(String::from_utf8_lossy(&buf[..n]).into_owned())
                .is_err()
            {
                break;
            }
        }
    });
    (head.headers, rx)
}

/// Read from a live-reload stream until `needle` arrives (or 60 s pass).
fn read_until(events: &Receiver<String>, seen: &mut String, needle: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen.contains(needle) {
        match events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(piece) => seen.push_str(&piece),
            Err(_) => return false,
        }
    }
    true
}

/// `pidsite serve` on a free port: the site answers under its base URL's
/// path, / redirects there, a missing page is the 404 page with status 404,
/// HTML gets the live-reload script (the built files do not), and a changed
/// manifest is rebuilt and announced on the live-reload stream.
#[test]
fn serve_previews_under_the_base_path_and_reloads_on_change() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let out = dir.path().join("served");
    Command::cargo_bin("pidsite")
        .unwrap()
        .args(["new", "--base-url", "https://org.github.io/repo/"])
        .arg(&site)
        .assert()
        .success();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pidsite"))
        .args(["serve", "--port", "0", "--site"])
        .arg(&site)
        .arg("--out")
        .arg(&out)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let stderr = child.0.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let url = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("no URL printed; stderr: {log:?}"));
        if let Some(at) = line.find("http://") {
            break line[at..].split(' ').next().unwrap().to_string();
        }
        log.push(line);
    };
    let rest = url.strip_prefix("http://").unwrap();
    let (addr, base) = rest.split_at(rest.find('/').unwrap());
    assert_eq!(base, "/repo/");

    let (status, head, _) = http_get(addr, "/");
    assert_eq!(status, 302);
    assert_eq!(header(&head, "location"), "/repo/", "{head:?}");

    let landing = "/repo/ark/99999/fk4r6pf34rb/";
    let (status, head, body) = http_get(addr, landing);
    assert_eq!(status, 200);
    assert!(
        header(&head, "content-type").contains("text/html"),
        "{head:?}"
    );
    assert!(body.contains("Picture of Göttingen"));
    assert!(body.contains("/__pidsite/livereload"), "script injected");
    let built = std::fs::read_to_string(out.join("ark/99999/fk4r6pf34rb/index.html")).unwrap();
    assert!(!built.contains("__pidsite"), "the built file stays clean");

    let (status, _, body) = http_get(addr, "/repo/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the site's 404 page");
    let (status, _, _) = http_get(addr, "/repo/%2e%2e/%2e%2e/etc/passwd");
    assert_eq!(status, 404);

    let (headers, events) = live_reload(addr);
    let mut seen = String::new();
    assert!(
        read_until(&events, &mut seen, "pidsite live reload"),
        "{seen}"
    );
    assert_eq!(header(&headers, "content-type"), "text/event-stream");

    edit(&site, "content/manifests/goettingen-photo.json", |t| {
        t.replace("Picture of Göttingen", "Photograph of Göttingen")
    });
    assert!(read_until(&events, &mut seen, "event: reload"), "{seen}");
    let (status, _, body) = http_get(addr, landing);
    assert_eq!(status, 200);
    assert!(
        body.contains("Photograph of Göttingen"),
        "rebuilt page served"
    );

    // A build error is printed and the last good site is still served.
    edit(&site, "site.toml", |t| format!("{t}\nunknown_key = 1\n"));
    let failed = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the failed build is reported");
        if line.contains("still serving the last good build") {
            break log.join("\n");
        }
        log.push(line);
    };
    assert!(failed.contains("site.toml:"), "{failed}");
    assert!(failed.contains("unknown field `unknown_key`"), "{failed}");
    let (status, _, body) = http_get(addr, landing);
    assert_eq!(status, 200);
    assert!(body.contains("Photograph of Göttingen"));
}

/// Bad input to `serve` and `new` is one line naming the file, before any
/// port is opened or file written.
#[test]
fn serve_and_new_name_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("pidsite")
        .unwrap()
        .args(["serve", "--port", "0", "--site"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("site.toml: No such file"))
        .stderr(no_panic());
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    Command::cargo_bin("pidsite")
        .unwrap()
        .arg("new")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a-file: "))
        .stderr(no_panic());
    Command::cargo_bin("pidsite")
        .unwrap()
        .args(["new", "--base-url", "ftp://example.org/"])
        .arg(dir.path().join("site"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("site.toml:"))
        .stderr(predicate::str::contains("base_url"))
        .stderr(no_panic());
    assert!(!dir.path().join("site").exists());
}

/// The threads of a running process (Linux: its /proc/<pid>/task entries).
#[cfg(target_os = "linux")]
fn threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .count()
}

/// Live-reload streams are fed by one thread, and at most 64 are held
/// open: 200 open tabs do not start 200 threads.
#[cfg(target_os = "linux")]
#[test]
fn live_reload_streams_do_not_each_take_a_thread() {
    use std::io::{BufRead, Write};
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    Command::cargo_bin("pidsite")
        .unwrap()
        .args(["new", "--base-url", "https://example.org/"])
        .arg(&site)
        .assert()
        .success();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pidsite"))
        .args(["serve", "--port", "0", "--site"])
        .arg(&site)
        .arg("--out")
        .arg(dir.path().join("served"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let stderr = std::io::BufReader::new(child.0.stderr.take().unwrap());
    let url = stderr
        .lines()
        .map_while(Result::ok)
        .find_map(|line| Some(line[line.find("http://")?..].split(' ').next()?.to_string()))
        .expect("the URL is printed");
    let addr = url
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let before = threads(child.0.id());

    let mut statuses = Vec::new();
    let mut streams = Vec::new();
    for _ in 0..200 {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        stream
            .write_all(b"GET /__pidsite/livereload HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut head = String::new();
        let mut reader = std::io::BufReader::new(&stream);
        while !head.ends_with("\r\n\r\n") && reader.read_line(&mut head).unwrap() > 0 {}
        // A refused client hangs up, as the reply's `Connection: close` asks.
        if head.starts_with("HTTP/1.1 200") {
            streams.push(stream);
        } else {
            assert!(head.contains("Connection: close"), "{head}");
        }
        statuses.push(head.lines().next().unwrap_or_default().to_string());
    }
    let open = statuses
        .iter()
        .filter(|s| s.starts_with("HTTP/1.1 200"))
        .count();
    let busy = statuses
        .iter()
        .filter(|s| s.starts_with("HTTP/1.1 503"))
        .count();
    assert_eq!((open, busy), (64, 136), "{statuses:?}");
    // tiny_http keeps a thread per open connection (64 here) and lets an
    // idle one go after 5 s; before, every stream had a second thread.
    let bound = before + 64 + 2;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut after = threads(child.0.id());
    while after > bound && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        after = threads(child.0.id());
    }
    assert!(
        after <= bound,
        "{before} threads before, {after} with 200 clients"
    );
}
