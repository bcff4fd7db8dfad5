//! `pidsite check`: it reports, in the build's words, every problem that
//! makes `build --strict` fail or stops a build.

use std::path::Path;

use predicates::prelude::*;

use crate::cli::{build_fails, edit, no_panic, pidsite, site};

#[test]
fn check_reports_registry_targets_and_broken_links_with_file_and_row() {
    let site = site();
    pidsite(site.path()).arg("build").assert().success();
    pidsite(site.path())
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains("No problems found."));

    // A target that is not IIIF, and a page the output lost.
    std::fs::write(
        site.path().join("content/manifests/coin-v2.json"),
        "{\"a\": 1}",
    )
    .unwrap();
    std::fs::remove_dir_all(site.path().join("public/doi/10.5555/coin.1")).unwrap();
    let out = pidsite(site.path())
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .stderr(no_panic())
        .get_output()
        .stdout
        .clone();
    let problems: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let problems = problems.as_array().unwrap();
    let target = problems
        .iter()
        .find(|p| p["kind"] == "target")
        .expect("target problem");
    // As the build warns: the file that cannot be read, and its PID.
    assert_eq!(target["file"], "content/manifests/coin-v2.json");
    assert!(target["message"]
        .as_str()
        .unwrap()
        .contains("the page of doi:10.5555/coin.1 is built from the registry alone"));
    let link = problems
        .iter()
        .find(|p| p["kind"] == "link")
        .expect("a broken link");
    assert!(
        link["message"]
            .as_str()
            .unwrap()
            .contains("/doi/10.5555/coin.1/"),
        "{link}"
    );
    assert!(link["line"].as_u64().is_some());

    // Registry errors come out the same way, every bad row at once.
    edit(site.path(), "content/registry.csv", |t| {
        t.replace(",withdrawn,", ",gone,")
    });
    pidsite(site.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "content/registry.csv:6: column \"status\"",
        ));
}

/// Issue 16: change the basic fixture so that a build gives a warning of
/// `kind`, and return a piece of that warning's text; `None` for the kinds
/// that are not about the site's inputs (`build --strict` cannot fail on
/// them, and `check` has nothing to read them from). The match has no
/// wildcard: a new kind does not compile until it is given a case here.
fn provoke(kind: pidsite::WarningKind, site: &Path) -> Option<&'static str> {
    use pidsite::WarningKind as K;
    let write = |rel: &str, text: &str| {
        let path = site.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    match kind {
        K::UnknownTemplate => {
            write("templates/landng.html", "{% extends \"landing.html\" %}");
            Some("templates/landng.html: template matches no built-in name")
        }
        K::NoteWithoutPid => {
            write(
                "content/notes/orphan.md",
                "+++\npid = \"ark:99999/fk4nobody\"\n+++\nA note.\n",
            );
            Some("note for ark:99999/fk4nobody which is not in the registry")
        }
        K::VersionOrder => {
            edit(site, "content/registry/versions.csv", |t| {
                t.replace("2020-05-01", "2026-01-01")
            });
            Some("content/registry/versions.csv:3: column \"version_date\"")
        }
        K::UnreadableTarget => {
            write("content/manifests/coin-v2.json", "{\"a\": 1}");
            Some("the page of doi:10.5555/coin.1 is built from the registry alone")
        }
        K::StaleRemote => {
            // A remote target served once, then never again: the next
            // build uses the copy it cached.
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}/photo.json", listener.local_addr().unwrap());
            let body = std::fs::read(site.join("content/manifests/photo-v3.json")).unwrap();
            let server = std::thread::spawn(move || {
                use std::io::{BufRead, Write};
                let (stream, _) = listener.accept().unwrap();
                let mut reader = std::io::BufReader::new(stream);
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap() > 2 {
                    line.clear();
                }
                let mut stream = reader.into_inner();
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                stream.write_all(head.as_bytes()).unwrap();
                stream.write_all(&body).unwrap();
            });
            write(
                "content/registry/remote.csv",
                &format!("pid,target\nark:/99999/fk4far,{url}\n"),
            );
            edit(site, "site.toml", |t| {
                t + "\n[remote]\nretries = 0\ntimeout_secs = 2\n"
            });
            pidsite(site).arg("build").assert().success();
            server.join().unwrap();
            Some("the page of ark:99999/fk4far uses the copy cached on")
        }
        K::TypeMismatch => {
            write(
                "content/registry/typed.csv",
                "pid,target,type\nark:/99999/fk4typed,manifests/maps-collection.json,Manifest\n",
            );
            Some("content/registry/typed.csv:2: column \"type\" says \"Manifest\"")
        }
        K::MissingCanvas => {
            write(
                "content/registry/parts.csv",
                "pid,target,canvas\nark:/99999/fk4page,manifests/photo-v3.json,https://iiif.io/api/cookbook/recipe/0008-rights/canvas/p9\n",
            );
            Some("has no canvas https://iiif.io/api/cookbook/recipe/0008-rights/canvas/p9")
        }
        K::Rule => {
            edit(site, "site.toml", |t| {
                t + "\n[[rules.entries]]\nexact = \"/doi/10.5555/coin.1/\"\nreplacement = \"https://example.org/\"\n"
            });
            Some("site.toml:6: exact rule /repo/doi/10.5555/coin.1/ left out")
        }
        K::UnreadableLock => {
            edit(site, "pidsite.lock", |t| format!("<<<<<<< HEAD\n{t}"));
            Some("pidsite.lock:1: ")
        }
        K::RawHtml => {
            write(
                "content/pages/raw.md",
                "# Raw\n\nA <span onclick=\"alert(1)\">page</span>.\n",
            );
            Some("content/pages/raw.md: raw HTML in Markdown omitted")
        }
        K::Translation => {
            // A language the site adds, with one key of its own.
            write("i18n/fy.toml", "skip_to_content = \"Nei de ynhâld\"\n");
            edit(site, "site.toml", |t| {
                t.replacen("title = ", "language = \"fy\"\ntitle = ", 1)
            });
            Some("i18n/fy.toml: no translation into `fy` for")
        }
        K::HiddenStatic => {
            write("static/.env", "SECRET=1\n");
            Some("static/.env: not published")
        }
        K::LongText => {
            let title = "long ".repeat(200);
            write(
                "content/registry/long.csv",
                &format!("pid,target,title\nark:/99999/fk4long,manifests/photo-v3.json,{title}\n"),
            );
            Some("content/registry/long.csv:2: column \"title\": 999 characters; pages show the first 500")
        }
        // About the output folder and the disk, found when the site is
        // written: the build recovers by itself, and a site's inputs
        // cannot cause them (`--strict` fails on an unwritable lock: see
        // build::strict_fails_when_the_lock_cannot_be_written).
        K::CacheReset | K::LockNotWritten | K::StateNotSaved => None,
        // `pidsite enrich`'s own.
        K::EnrichSkipped => None,
    }
}

/// The warnings of a failed `build --strict`, as `file:line: message`.
fn strict_warnings(site: &Path) -> Vec<String> {
    let out = pidsite(site)
        .args(["build", "--strict"])
        .assert()
        .code(1)
        .stderr(no_panic())
        .get_output()
        .stderr
        .clone();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("error: ").or(Some(l)))
        .filter_map(|l| l.strip_prefix("warning: "))
        .map(str::to_string)
        .collect()
}

/// `check`'s problems: its text lines and its JSON kinds.
fn check_problems(site: &Path) -> (Vec<String>, Vec<String>) {
    let text = pidsite(site)
        .arg("check")
        .assert()
        .code(1)
        .stderr(no_panic())
        .get_output()
        .stdout
        .clone();
    let json = pidsite(site)
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let kinds = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap().to_string())
        .collect();
    let lines = String::from_utf8(text)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    (lines, kinds)
}

/// Issue 16: `check` said "No problems found" where `build --strict` then
/// failed. For every kind of warning, on a fixture site that gives it,
/// `build --strict` fails and `check` reports each of its warnings in the
/// same words, with the kind's name in `--format json`.
#[test]
fn check_reports_every_warning_that_build_strict_fails_on() {
    let clean = site();
    pidsite(clean.path())
        .args(["build", "--strict"])
        .assert()
        .success();
    let mut tried = 0;
    for &kind in pidsite::WarningKind::ALL {
        let site = site();
        let Some(expected) = provoke(kind, site.path()) else {
            continue;
        };
        tried += 1;
        let warnings = strict_warnings(site.path());
        assert!(
            warnings.iter().any(|w| w.contains(expected)),
            "{kind:?}: {expected:?} not in {warnings:#?}"
        );
        let (lines, kinds) = check_problems(site.path());
        for warning in &warnings {
            assert!(
                lines.contains(warning),
                "{kind:?}: check does not say {warning:?}; it says {lines:#?}"
            );
        }
        assert!(
            kinds.iter().any(|k| k == kind.name()),
            "{kind:?}: no problem of kind {:?} in {kinds:?}",
            kind.name()
        );
    }
    assert_eq!(tried, 13, "every kind from the site's inputs was tried");
}

/// Issue 16: what stops a build stops `check` too, with the build's words:
/// two notes for one PID, a template that does not parse, an output folder
/// the build would refuse to replace.
#[test]
fn check_reports_every_error_that_stops_a_build() {
    type Break = fn(&Path);
    let cases: [(Break, &str); 3] = [
        (
            |site| {
                std::fs::write(
                    site.join("content/notes/photo-again.md"),
                    "+++\npid = \"ark:/99999/fk4photo\"\n+++\nAgain.\n",
                )
                .unwrap()
            },
            "a second note for ark:99999/fk4photo",
        ),
        (
            |site| {
                std::fs::create_dir_all(site.join("templates")).unwrap();
                std::fs::write(site.join("templates/page.html"), "{% if %}").unwrap();
            },
            "Failed to parse 'page.html'",
        ),
        (
            |site| {
                std::fs::create_dir_all(site.join("public")).unwrap();
                std::fs::write(site.join("public/notes.txt"), "mine").unwrap();
            },
            "the output folder holds files that no pidsite build wrote",
        ),
    ];
    for (break_it, message) in cases {
        let site = site();
        break_it(site.path());
        build_fails(site.path(), &[message]);
        pidsite(site.path())
            .arg("check")
            .assert()
            .code(1)
            .stderr(no_panic())
            .stdout(predicate::str::contains(message));
    }
}

/// Which of a command's streams the reader closes.
#[derive(Clone, Copy, PartialEq)]
enum Closed {
    Stdout,
    Stderr,
}

/// Run pidsite with `args` in `site`, one of its streams a real pipe whose
/// reading end is closed before pidsite writes to it (as `| head -1` does
/// once it has its line): the exit code and what the other stream said.
fn into_a_closed_pipe(site: &Path, args: &[&str], closed: Closed) -> (Option<i32>, String) {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pidsite"))
        .args(args)
        .current_dir(site)
        .env_remove("RUST_BACKTRACE")
        .env("SOURCE_DATE_EPOCH", "1764072000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (gone, mut kept): (Box<dyn Read>, Box<dyn Read>) = match closed {
        Closed::Stdout => (
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ),
        Closed::Stderr => (
            Box::new(child.stderr.take().unwrap()),
            Box::new(child.stdout.take().unwrap()),
        ),
    };
    drop(gone);
    let mut said = String::new();
    kept.read_to_string(&mut said).unwrap();
    (child.wait().unwrap().code(), said)
}

/// Issue 19: `pidsite check | head -1` panicked with "failed printing to
/// stdout: Broken pipe" (exit 101); a command whose reader has gone ends
/// quietly, with the exit code it would have had.
#[test]
fn a_reader_that_has_gone_ends_a_command_quietly() {
    let site = site();
    std::fs::write(
        site.path().join("content/manifests/coin-v2.json"),
        "{\"a\": 1}",
    )
    .unwrap();
    for format in ["text", "json"] {
        let (code, stderr) =
            into_a_closed_pipe(site.path(), &["check", "--format", format], Closed::Stdout);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!stderr.contains("Broken pipe"), "{stderr}");
        assert_eq!(code, Some(1), "{format}: {stderr}");
        assert!(stderr.contains(" problems found"), "{stderr}");
    }
    let (code, stderr) = into_a_closed_pipe(
        site.path(),
        &["cite", "ark:/99999/fk4photo", "--style", "apa"],
        Closed::Stdout,
    );
    assert_eq!(
        (code, stderr.contains("panicked")),
        (Some(0), false),
        "{stderr}"
    );
    // A build whose messages go to a closed pipe still builds.
    let (code, _) = into_a_closed_pipe(site.path(), &["build"], Closed::Stderr);
    assert_eq!(code, Some(0));
    assert!(site.path().join("public/index.html").is_file());
}

/// Issue 17: `--format` is one of a fixed list, which clap checks and names.
#[test]
fn check_refuses_an_unknown_format_naming_the_choices() {
    let site = site();
    pidsite(site.path())
        .args(["check", "--format", "xml"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("invalid value 'xml' for '--format <FORMAT>'")
                .and(predicate::str::contains("[possible values: text, json]")),
        );
}
