//! `pidsite build`: what it writes and says, the output folder it may
//! replace, `--strict`, and the site.toml and manifest errors it reports.

use assert_cmd::Command;
use predicates::prelude::*;

use crate::cli::{build_fails, edit, no_panic, pidsite, site};

#[test]
fn build_writes_the_site_and_a_summary() {
    let site = site();
    pidsite(site.path()).arg("build").assert().success().stderr(
        predicate::str::is_match(r"Built \d+ pages and 2 redirect stubs for 9 PIDs in [0-9.]+ s")
            .unwrap(),
    );
    let out = site.path().join("public");
    assert!(out.join("index.html").is_file());
    assert!(out.join("ark/99999/fk4photo/index.html").is_file());
    assert!(out.join("pids.csv").is_file());
    // No staging folder is left behind (the cache is meant to stay).
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".pidsite") && name != ".pidsite-cache")
        .collect();
    assert!(leftovers.is_empty());
}

/// Issue 22: the summary says how big the site is, its bytes per PID and
/// how many more PIDs fit under GitHub Pages' 1 GB limit, at the site's
/// mean size per PID.
#[test]
fn build_reports_the_room_left_under_github_pages_limit() {
    let site = site();
    let output = pidsite(site.path()).arg("build").output().unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let line = stderr
        .lines()
        .find(|l| l.starts_with("Size: "))
        .unwrap_or_else(|| panic!("no size line: {stderr}"));
    // "Size: 3.0 MB, 13.7 KB a PID; about 72,900 more PIDs fit under …"
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        (words[2], words[4], words[5], words[7], words[9]),
        ("MB,", "KB", "a", "about", "more"),
        "{line}"
    );
    assert!(
        line.ends_with("more PIDs fit under GitHub Pages' 1 GB limit"),
        "{line}"
    );
    let number = |i: usize| words[i].replace(',', "").parse::<f64>().unwrap();
    let number = |i: usize| match i {
        1 => number(1),
        2 => number(3),
        _ => number(8),
    };
    let on_disk: u64 = walkdir::WalkDir::new(site.path().join("public"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().unwrap().len())
        .sum();
    assert!((number(1) * 1e6 - on_disk as f64).abs() <= 50e3, "{stderr}");
    // Each PID's share: everything but the static files (the viewer, most
    // of this small site), over the 9 PIDs.
    let more = number(3);
    let per_pid = number(2) * 1e3;
    assert!(
        per_pid > 2e3 && per_pid * 9.0 < on_disk as f64 / 2.0,
        "{line}"
    );
    let expected = (1e9 - on_disk as f64) / per_pid;
    assert!(
        (more - expected).abs() / expected < 0.01,
        "{line}: expected about {expected}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn build_is_the_default_command_and_takes_site_and_out() {
    let site = site();
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("pidsite")
        .unwrap()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("build"));
    pidsite(site.path()).assert().success();
    assert!(site.path().join("public/index.html").is_file());
    Command::cargo_bin("pidsite")
        .unwrap()
        .args(["build", "--site"])
        .arg(site.path())
        .arg("--out")
        .arg(out.path().join("site"))
        .assert()
        .success();
    assert!(out.path().join("site/index.html").is_file());
}

#[test]
fn minimal_site_toml_builds() {
    let site = site();
    std::fs::write(
        site.path().join("site.toml"),
        "base_url = \"https://example.org\"\ntitle = \"Minimal\"\n",
    )
    .unwrap();
    std::fs::remove_dir_all(site.path().join("content/pages")).unwrap();
    pidsite(site.path()).arg("build").assert().success();
    let html = std::fs::read_to_string(site.path().join("public/index.html")).unwrap();
    assert!(html.contains("Minimal"));
}

#[test]
fn site_toml_with_a_wrong_type() {
    let site = site();
    edit(site.path(), "site.toml", |t| {
        t.replace("minify = false", "minify = \"no\"")
    });
    build_fails(
        site.path(),
        &["error: site.toml:4: invalid type: string \"no\", expected a boolean"],
    );
}

#[test]
fn a_logo_that_is_not_in_static_names_the_line() {
    // Every page linked a missing image; `logo = "static/logo.svg"` (the
    // folder named twice) is the usual slip.
    let site = site();
    edit(site.path(), "site.toml", |t| {
        format!("{t}logo = \"static/logo.svg\"\n")
    });
    let line = std::fs::read_to_string(site.path().join("site.toml"))
        .unwrap()
        .lines()
        .count();
    pidsite(site.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "site.toml:{line}: key `logo`: expected a file under static/, found no static/static/logo.svg"
        )))
        .stderr(no_panic());
}

#[test]
fn missing_site_toml() {
    // Issue 17: a folder that is not a site says how to start one.
    let dir = tempfile::tempdir().unwrap();
    pidsite(dir.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "site.toml: No such file or directory: . is not a pidsite site \
             (`pidsite new <folder>` starts one; --site names another)",
        ));
    // A folder that is not there: the I/O error's cause is printed once.
    let missing = dir.path().join("nothing-here");
    let said = pidsite(dir.path())
        .args(["build", "--site"])
        .arg(&missing)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let said = String::from_utf8(said).unwrap();
    assert_eq!(
        said.matches("No such file or directory").count(),
        1,
        "{said}"
    );
}

#[test]
fn missing_manifest_warns_and_still_builds_the_page() {
    let site = site();
    std::fs::remove_file(site.path().join("content/manifests/coin-v2.json")).unwrap();
    pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: content/manifests/coin-v2.json: cannot read the file:",
        ))
        .stderr(predicate::str::contains(
            "the page of doi:10.5555/coin.1 is built from the registry alone",
        ));
    let page =
        std::fs::read_to_string(site.path().join("public/doi/10.5555/coin.1/index.html")).unwrap();
    assert!(page.contains("doi:10.5555/coin.1"));
}

#[test]
fn unparsable_manifest_warns_with_line() {
    let site = site();
    std::fs::write(
        site.path().join("content/manifests/coin-v2.json"),
        "{\n  \"@id\": oops\n}",
    )
    .unwrap();
    pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: content/manifests/coin-v2.json: not valid JSON at line 2, column",
        ));
}

#[test]
fn strict_fails_and_leaves_the_previous_output() {
    let site = site();
    pidsite(site.path()).arg("build").assert().success();
    let index = site.path().join("public/index.html");
    let before = std::fs::read(&index).unwrap();
    std::fs::remove_file(site.path().join("content/manifests/coin-v2.json")).unwrap();
    edit(site.path(), "site.toml", |t| {
        t.replace("Fixture Library\"\npublisher", "Changed\"\npublisher")
    });
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "warning: content/manifests/coin-v2.json",
        ))
        .stderr(predicate::str::contains(
            "\nerror: 2 warning(s) and --strict was given; the previous output was left in place",
        ))
        // Issue 17: the warnings are printed as warnings, not "error: warning:".
        .stderr(predicate::str::contains("error: warning").not());
    assert_eq!(std::fs::read(&index).unwrap(), before);
}

#[test]
fn failed_build_leaves_the_previous_output() {
    let site = site();
    pidsite(site.path()).arg("build").assert().success();
    let index = site.path().join("public/index.html");
    let before = std::fs::read(&index).unwrap();
    edit(site.path(), "content/registry.csv", |t| {
        t + "not a pid,x.json,,,,,,,,,\n"
    });
    pidsite(site.path()).arg("build").assert().code(1);
    assert_eq!(std::fs::read(&index).unwrap(), before);
}

#[test]
fn output_folder_may_not_be_the_site() {
    let site = site();
    pidsite(site.path())
        .args(["build", "--out", "."])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the output folder may not be the site folder",
        ));
    assert!(site.path().join("site.toml").is_file());
}

#[test]
fn an_existing_folder_pidsite_did_not_write_is_never_replaced() {
    // `--out` at a folder of other files (a typo, a home folder, a git
    // checkout of gh-pages) must not be wiped by the swap: refuse it, name
    // it, and say what to do. An empty folder, and the output of an earlier
    // build, are fine.
    let site = site();
    let out = tempfile::tempdir().unwrap();
    let precious = out.path().join("thesis.docx");
    std::fs::write(&precious, "years of work").unwrap();
    pidsite(site.path())
        .arg("build")
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            out.path().to_string_lossy().as_ref(),
        ))
        .stderr(predicate::str::contains(
            "holds files that no pidsite build wrote",
        ))
        .stderr(no_panic());
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "years of work");

    let empty = out.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for _ in 0..2 {
        pidsite(site.path())
            .arg("build")
            .arg("--out")
            .arg(&empty)
            .assert()
            .success();
    }
    assert!(empty.join("index.html").is_file());
    // `--full` rebuilds the earlier output too.
    pidsite(site.path())
        .args(["build", "--full", "--out"])
        .arg(&empty)
        .assert()
        .success();
}

/// Issue 19: `static/.env` and `static/.git/` were published (and with
/// `.nojekyll` GitHub Pages serves dotfiles).
#[test]
fn hidden_static_files_stay_out_unless_listed() {
    let site = site();
    let write = |rel: &str| {
        let path = site.path().join("static").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "SECRET=1\n").unwrap();
    };
    for rel in [
        ".env",
        ".git/config",
        ".well-known/security.txt",
        "css/extra.css",
    ] {
        write(rel);
    }
    pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: static/.env: not published: hidden files stay out of the site",
        ))
        .stderr(predicate::str::contains(
            "static/.well-known: not published",
        ))
        // Version control is left out without a word.
        .stderr(predicate::str::contains(".git").not());
    let out = site.path().join("public");
    assert!(out.join("css/extra.css").is_file());
    assert!(!out.join(".env").exists());
    assert!(!out.join(".git").exists());
    assert!(!out.join(".well-known").exists());
    // Listed, it is published.
    edit(site.path(), "site.toml", |t| {
        t + "\n[static]\ninclude = [\".well-known\"]\n"
    });
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("static/.env: not published"))
        .stderr(predicate::str::contains(".well-known").not());
    std::fs::remove_file(site.path().join("static/.env")).unwrap();
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .success();
    assert!(out.join(".well-known/security.txt").is_file());
    assert!(!out.join(".env").exists());
}

/// Issue 19: a file in `static/` named like one the site generates
/// replaced it without a word.
#[test]
fn a_static_file_named_like_a_generated_one_is_an_error() {
    for (rel, names) in [
        ("index.html", "the site's own index.html"),
        ("sitemap.xml", "the site's own sitemap.xml"),
        (".htaccess", "the site's own .htaccess"),
        ("_redirects", "the site's own _redirects"),
        ("about/index.html", "the page content/pages/about.md"),
        (
            "ark/99999/fk4photo/index.html",
            "the page of ark:99999/fk4photo (content/registry.csv:2) writes ark/99999/fk4photo/index.html",
        ),
        (
            "doi/10.5555/coin.1/cite.bib",
            "the page of doi:10.5555/coin.1 (content/registry.csv:3) writes doi/10.5555/coin.1/cite.bib",
        ),
        (
            "ark/99999/fk4photo",
            "the pages of ark:99999/fk4photo (content/registry.csv:2) need the folder ark/99999/fk4photo/",
        ),
    ] {
        let site = site();
        if rel == ".htaccess" {
            edit(site.path(), "site.toml", |t| {
                t + "\n[static]\ninclude = [\".htaccess\"]\n"
            });
        }
        let path = site.path().join("static").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "mine\n").unwrap();
        build_fails(
            site.path(),
            &[&format!(
                "error: static/{rel}: would replace a file the site generates: {names}; rename or remove one of them"
            )],
        );
    }
}

/// Makes a folder unwritable (even for root, with `chattr +i`) and
/// writable again when dropped.
#[cfg(unix)]
struct Unwritable(std::path::PathBuf);

#[cfg(unix)]
impl Unwritable {
    /// `None` where neither works (the test then has nothing to prove).
    fn new(dir: &std::path::Path) -> Option<Self> {
        use std::os::unix::fs::PermissionsExt;
        let guard = Unwritable(dir.to_path_buf());
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        if guard.writable() {
            let _ = std::process::Command::new("chattr")
                .arg("+i")
                .arg(dir)
                .status();
        }
        (!guard.writable()).then_some(guard)
    }

    fn writable(&self) -> bool {
        let probe = self.0.join(".probe");
        let ok = std::fs::write(&probe, "").is_ok();
        let _ = std::fs::remove_file(probe);
        ok
    }
}

#[cfg(unix)]
impl Drop for Unwritable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

/// Issue 19: `build --strict` exited 0 when pidsite.lock could not be
/// written (the warning came after the strict check).
#[cfg(unix)]
#[test]
fn strict_fails_when_the_lock_cannot_be_written() {
    let site = site();
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().join("public");
    let out_arg = out.to_str().unwrap();
    pidsite(site.path())
        .args(["build", "--out", out_arg])
        .assert()
        .success();
    let index = out.join("index.html");
    let before = std::fs::read(&index).unwrap();
    // A new PID: the lock has to change, and so does the home page.
    edit(site.path(), "content/registry.csv", |t| {
        t + "ark:/99999/fk4new,manifests/photo-v3.json,,,,New,,,,,\n"
    });
    let Some(_guard) = Unwritable::new(site.path()) else {
        eprintln!("cannot make a folder unwritable here: nothing to test");
        return;
    };
    pidsite(site.path())
        .args(["build", "--strict", "--out", out_arg])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "warning: pidsite.lock: cannot write the lock file (",
        ))
        .stderr(predicate::str::contains(
            "--strict was given; the previous output was left in place",
        ));
    assert_eq!(std::fs::read(&index).unwrap(), before);
    // Without --strict it is a warning, and the site is built.
    pidsite(site.path())
        .args(["build", "--out", out_arg])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: pidsite.lock: cannot write the lock file (",
        ));
    assert!(out.join("ark/99999/fk4new/index.html").is_file());
}

/// Issue 19: every build rewrote pidsite.lock with mode 0600 (its
/// temporary file's), so the group sharing a site could no longer read it.
#[cfg(unix)]
#[test]
fn the_lock_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let site = site();
    let lock = site.path().join("pidsite.lock");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    pidsite(site.path()).arg("build").assert().success();
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o664)).unwrap();
    let written = std::fs::read(&lock).unwrap();
    edit(site.path(), "content/registry.csv", |t| {
        t + "ark:/99999/fk4new,manifests/photo-v3.json,,,,New,,,,,\n"
    });
    pidsite(site.path()).arg("build").assert().success();
    assert_ne!(
        std::fs::read(&lock).unwrap(),
        written,
        "the lock was rewritten"
    );
    assert_eq!(mode(&lock), 0o664);
    // A new lock gets the umask's mode, as any new file.
    std::fs::remove_file(&lock).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("pidsite");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 022 && exec '{}' build --quiet",
            bin.display()
        ))
        .current_dir(site.path())
        .env("SOURCE_DATE_EPOCH", "1764072000")
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(mode(&lock), 0o644);
}

/// A full disk fails every later write too: the build stops at the first
/// "no space left" error, names it once (not once per PID still to come)
/// and leaves the last output as it was. The disk is a 6 MB tmpfs mounted
/// in a user namespace of its own (`unshare`), so no root is needed.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_stops_the_build_at_its_first_error() {
    let probe = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "true"])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: this machine cannot mount a tmpfs in a user namespace (unshare)");
        return;
    }
    let site = site();
    let rows: String = (0..400)
        .map(|i| format!("ark:/99999/fk4many{i},manifests/photo-v3.json,,,,Photo {i},,,,,\n"))
        .collect();
    std::fs::write(site.path().join("more-rows.csv"), rows).unwrap();
    let disk = tempfile::tempdir().unwrap();
    let kept = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("pidsite");
    // The first build fits; the second, with 400 more PIDs, cannot.
    let script = r#"
        set -u
        mount -t tmpfs -o size=6m tmpfs "$DISK" || exit 90
        "$BIN" build --quiet --out "$DISK/public" || exit 91
        cp -a "$DISK/public" "$KEPT/public"
        cat more-rows.csv >> content/registry.csv
        "$BIN" build --quiet --out "$DISK/public" 2> "$KEPT/stderr"
        echo $? > "$KEPT/code"
        diff -r "$KEPT/public" "$DISK/public" > "$KEPT/diff" 2>&1 || exit 92
    "#;
    let status = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .current_dir(site.path())
        .env("DISK", disk.path())
        .env("KEPT", kept.path())
        .env("BIN", &bin)
        .env("SOURCE_DATE_EPOCH", "1764072000")
        .status()
        .unwrap();
    let read = |name: &str| std::fs::read_to_string(kept.path().join(name)).unwrap_or_default();
    assert!(
        status.success(),
        "{status}: {}{}",
        read("stderr"),
        read("diff")
    );
    assert_eq!(read("code").trim(), "1");
    let stderr = read("stderr");
    assert_eq!(
        stderr.matches("No space left on device").count(),
        1,
        "{stderr}"
    );
    assert!(
        predicate::str::is_match(
            r"the build stopped there \(\d+ more PID\(s\) not built\) and left the output folder as it was"
        )
        .unwrap()
        .eval(&stderr),
        "{stderr}"
    );
    assert!(stderr.lines().count() <= 3, "{stderr}");
    assert!(no_panic().eval(&stderr), "{stderr}");
}
