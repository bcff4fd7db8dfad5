//! CLI tests: `pidsite build` on a fixture site, and one test per kind of
//! bad input, each checking the exit code and the stderr line that names
//! the file, the row or line, and what was expected.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

/// A fresh copy of the basic fixture site to break.
fn site() -> tempfile::TempDir {
    common::copy_fixture("basic")
}

fn pidsite(site: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pidsite").unwrap();
    cmd.current_dir(site)
        .env_remove("RUST_BACKTRACE")
        .env("SOURCE_DATE_EPOCH", "1764072000");
    cmd
}

fn edit(site: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let path = site.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

/// `pidsite build` fails (exit 1), saying each of `messages`, without a
/// panic.
fn build_fails(site: &Path, messages: &[&str]) {
    let mut assert = pidsite(site).arg("build").assert().code(1);
    for message in messages {
        assert = assert.stderr(predicate::str::contains(*message));
    }
    assert.stderr(no_panic());
}

/// No bad input may end in a panic or a backtrace.
fn no_panic() -> impl Predicate<str> {
    predicate::str::contains("panicked")
        .not()
        .and(predicate::str::contains("RUST_BACKTRACE").not())
}

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
fn malformed_registry_row() {
    let site = site();
    edit(site.path(), "content/registry.csv", |t| {
        t + "extra,row,with,too,many,fields,a,b,c,d,e,f,g\n" + "short,row\n"
    });
    // Every malformed row at once, not one per build.
    build_fails(
        site.path(),
        &[
            "error: content/registry.csv:8: expected 11 fields like the header, found 13",
            "content/registry.csv:9: expected 11 fields like the header, found 2",
        ],
    );
}

#[test]
fn a_registry_saved_in_a_windows_code_page_names_the_line() {
    // Excel's plain "CSV" on Windows writes cp1252: é is the byte 0xE9.
    let site = site();
    let path = site.path().join("content/registry.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"id-caf\xe9,manifests/photo-v3.json,,,,Caf\xe9,,,,,\n");
    std::fs::write(&path, bytes).unwrap();
    build_fails(
        site.path(),
        &[
            "error: content/registry.csv:8: expected UTF-8 text, found the byte 0xE9 (save the registry as UTF-8, e.g. \"CSV UTF-8\" in Excel)",
        ],
    );
}

#[test]
fn an_alias_that_is_the_hyphen_free_form_is_redirected_once() {
    // The hyphen-free form of an ARK gets a stub of its own; listing it as
    // an alias too wrote every rule twice, and nginx refuses a `map` with a
    // key twice ("conflicting parameter"): the whole server fails to load.
    let site = site();
    edit(site.path(), "content/registry.csv", |t| {
        t + "ark:/99999/fk4-ab-cd,manifests/photo-v3.json,,,ark:99999/fk4abcd,,,,,,\n"
    });
    pidsite(site.path()).arg("build").assert().success();
    let out = site.path().join("public");
    for (file, prefix) in [
        ("pidsite-redirects.map", "    \""),
        ("_redirects", "/"),
        (".htaccess", "RedirectMatch"),
    ] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        let mut keys: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with(prefix))
            .map(|l| {
                l.split_whitespace()
                    .nth(if file == ".htaccess" { 2 } else { 0 })
                    .unwrap()
            })
            .collect();
        let count = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), count, "{file} names a path twice:\n{text}");
        assert!(text.contains("fk4abcd"), "{file}");
    }
}

#[test]
fn one_alias_claimed_by_two_pids_is_an_error_naming_both_rows() {
    // Two stubs at one path: the page pointed at whichever was written
    // last, the host rules disagreed, and nginx refused the repeated key.
    let site = site();
    edit(site.path(), "content/registry.csv", |t| {
        t + "item-a,manifests/photo-v3.json,,,ark:/99999/fk4shared,,,,,,\n"
            + "item-b,manifests/photo-v3.json,,,ark:99999/fk4-shared,,,,,,\n"
            + "ark:99999/fk4-other-id,manifests/photo-v3.json,,,,,,,,,\n"
            + "item-c,manifests/photo-v3.json,,,ark:99999/fk4otherid,,,,,,\n"
    });
    build_fails(
        site.path(),
        &[
            "content/registry.csv:9: column \"aliases\": alias \"ark:99999/fk4-shared\" is also an alias of item-a (at content/registry.csv:8)",
            "content/registry.csv:11: column \"aliases\": alias \"ark:99999/fk4otherid\" is another form of PID ark:99999/fk4-other-id (at content/registry.csv:10)",
        ],
    );
}

#[test]
fn an_alias_where_the_site_writes_its_own_files_is_an_error_naming_the_row() {
    // An old URL /about/ lost to the Markdown page without a word (while
    // the hosts' rules sent /about/ away), and /sitemap.xml failed with
    // "File exists" in the staging folder.
    let site = site();
    let rows = [
        "/about/",
        "/sitemap.xml",
        "/index.html",
        "/css/pidsite.css",
        "/page/2/",
        "/about/old/",
    ];
    edit(site.path(), "content/registry.csv", |t| {
        rows.iter().enumerate().fold(t, |t, (i, alias)| {
            t + &format!("item-{i},manifests/photo-v3.json,,,{alias},,,,,,\n")
        })
    });
    let first = std::fs::read_to_string(site.path().join("content/registry.csv"))
        .unwrap()
        .lines()
        .count()
        - rows.len()
        + 1;
    let expected = [
        "\"/about/\" would be written at about/index.html, where the page content/pages/about.md is",
        "\"/sitemap.xml\" would be written at sitemap.xml/index.html, where the site's own sitemap.xml is",
        "\"/index.html\" would be written at index.html, where the site's own index.html is",
        "\"/css/pidsite.css\" would be written at css/pidsite.css/index.html, where the static file css/pidsite.css is",
        "\"/page/2/\" would be written at page/2/index.html, where the site's own page/2/index.html is",
    ];
    let mut assert = pidsite(site.path()).arg("build").assert().code(1);
    for (i, message) in expected.iter().enumerate() {
        let line = first + i;
        assert = assert.stderr(predicate::str::contains(format!(
            "content/registry.csv:{line}: column \"aliases\": alias {message}"
        )));
    }
    // Below a page's folder is free.
    assert
        .stderr(predicate::str::contains("/about/old/").not())
        .stderr(no_panic());
    pidsite(site.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "where the page content/pages/about.md is",
        ));
}

#[test]
fn a_json_registry_and_site_toml_with_a_byte_order_mark_build() {
    // Windows editors write a UTF-8 byte order mark; the CSV reader skipped
    // it, but a JSON registry failed with "expected value at line 1".
    let site = site();
    std::fs::remove_file(site.path().join("content/registry.csv")).unwrap();
    std::fs::write(
        site.path().join("content/registry.json"),
        "\u{feff}[{\"pid\": \"ark:/99999/fk4photo\", \"target\": \"manifests/photo-v3.json\"}]\n",
    )
    .unwrap();
    edit(site.path(), "site.toml", |t| format!("\u{feff}{t}"));
    pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(no_panic());
    assert!(site
        .path()
        .join("public/ark/99999/fk4photo/index.html")
        .is_file());
}

#[test]
fn a_canvas_the_manifest_does_not_have_is_a_warning_naming_the_row() {
    // A PID for one page of an object whose `canvas` was mistyped built a
    // viewer told to open a canvas that is not there, without a word.
    let site = site();
    std::fs::write(
        site.path().join("content/registry/parts.csv"),
        "pid,target,canvas\n\
         ark:/99999/fk4page,manifests/photo-v3.json,https://iiif.io/api/cookbook/recipe/0008-rights/canvas/p9\n\
         ark:/99999/fk4good,manifests/photo-v3.json,https://iiif.io/api/cookbook/recipe/0008-rights/canvas/p1\n",
    )
    .unwrap();
    pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: content/registry/parts.csv:2: column \"canvas\": content/manifests/photo-v3.json has no canvas https://iiif.io/api/cookbook/recipe/0008-rights/canvas/p9",
        ))
        .stderr(predicate::str::contains("canvas/p1").not());
    pidsite(site.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            // The build's own words (issue 16).
            "content/registry/parts.csv:2: column \"canvas\": content/manifests/photo-v3.json has no canvas https://iiif.io/api/cookbook/recipe/0008-rights/canvas/p9",
        ))
        .stdout(predicate::str::contains("canvas/p1").not());
}

#[test]
fn a_move_to_a_reserved_pid_is_an_error() {
    // A reserved PID has no page: the redirect led to a 404.
    let site = site();
    edit(site.path(), "content/registry.csv", |t| {
        t + "ark:99999/fk4res,,reserved,,,,,,,,\n"
            + "ark:99999/fk4away,,moved,ark:99999/fk4res,,,,,,,\n"
    });
    build_fails(
        site.path(),
        &[
            "content/registry.csv:9: column \"replaced_by\": ark:99999/fk4res is reserved and has no page; expected the move to end at an active or withdrawn PID",
        ],
    );
}

#[test]
fn bad_status_names_row_and_column() {
    let site = site();
    edit(site.path(), "content/registry.csv", |t| {
        t.replace(",withdrawn,", ",gone,")
    });
    pidsite(site.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error: content/registry.csv:6: column \"status\": expected one of active, withdrawn, moved, reserved, found \"gone\"",
        ));
}

#[test]
fn rows_after_blank_and_comment_lines_are_named_by_their_own_line() {
    // A registry grouped into batches by blank lines and `#` comments: each
    // error names the line the row is on in an editor.
    let site = site();
    edit(site.path(), "content/registry.csv", |t| {
        t + "\n# 2026 batch\n\nitem-a,manifests/photo-v3.json,gone,,,,,,,,\n"
            + "# the next row's title runs over two lines\n"
            + "item-b,manifests/photo-v3.json,,,,\"Two\nlines\",,,,,\n"
            + "item-c,manifests/photo-v3.json,lost,,,,,,,,\n"
    });
    pidsite(site.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "content/registry.csv:11: column \"status\": expected one of active, withdrawn, moved, reserved, found \"gone\"",
        ))
        .stderr(predicate::str::contains(
            "content/registry.csv:15: column \"status\": expected one of active, withdrawn, moved, reserved, found \"lost\"",
        ));
}

#[test]
fn a_version_or_withdrawal_date_that_is_not_a_date_names_row_and_column() {
    // Excel rewrites 2024-09-30 as 30/09/2024 on save; such a date was
    // ignored without a word and the build's date used in its place (the
    // sitemap's lastmod, the feed, the Change Discovery stream).
    let site = site();
    edit(site.path(), "content/registry.csv", |t| {
        t.replace(",2025-01-31,", ",31/01/2025,")
    });
    edit(site.path(), "content/registry/versions.csv", |t| {
        t.replace(",2025-02-14,", ",2025-02-30,")
    });
    build_fails(
        site.path(),
        &[
            "content/registry.csv:6: column \"withdrawn_date\": expected a date as YYYY-MM-DD (or an RFC 3339 time), found \"31/01/2025\"",
            "content/registry/versions.csv:3: column \"version_date\": expected a date as YYYY-MM-DD (or an RFC 3339 time), found \"2025-02-30\"",
        ],
    );
}

#[test]
fn two_notes_for_one_pid_name_both_files() {
    // Only one of them was shown, without a word about the other.
    let site = site();
    std::fs::write(
        site.path().join("content/notes/photo-more.md"),
        "+++\npid = \"ark:/99999/fk4photo\"\n+++\nMore about the photo.\n",
    )
    .unwrap();
    build_fails(
        site.path(),
        &[
            "content/notes/photo.md:1: front matter `pid`: a second note for ark:99999/fk4photo (the other is content/notes/photo-more.md); expected one note per PID",
        ],
    );
}

#[test]
fn a_pid_in_the_folder_of_another_pids_version_or_file_is_an_error() {
    // ARK qualifiers and hierarchical local IDs can name a folder that
    // another PID's pages use: one page silently replaced the other, or the
    // build failed on "Is a directory" in its staging folder.
    let site = site();
    edit(site.path(), "content/registry/versions.csv", |t| {
        t + "ark:/99999/fk4coin/v1,manifests/coin-v2.json,graphic,,,\n"
            + "ark:/99999/fk4coin/linkset.json,manifests/coin-v2.json,graphic,,,\n"
    });
    build_fails(
        site.path(),
        &[
            "content/registry/versions.csv:4: column \"pid\": PID ark:99999/fk4coin/v1 would have its page in the folder ark/99999/fk4coin/v1/ of ark:99999/fk4coin (at content/registry/versions.csv:3)",
            "content/registry/versions.csv:5: column \"pid\": PID ark:99999/fk4coin/linkset.json would have its page in the folder ark/99999/fk4coin/linkset.json/ of ark:99999/fk4coin (at content/registry/versions.csv:3)",
        ],
    );
}

#[test]
fn duplicate_pid() {
    let site = site();
    // The other ARK form of the same PID is a duplicate too.
    edit(site.path(), "content/registry.csv", |t| {
        t + "ark:/99999/fk4photo,manifests/coin-v2.json,,,,,,,,,\n"
    });
    build_fails(
        site.path(),
        &[
            "error: content/registry.csv:8: column \"pid\": duplicate PID ark:99999/fk4photo (first at content/registry.csv:2)",
        ],
    );
}

#[test]
fn unknown_column() {
    let site = site();
    edit(site.path(), "content/registry.csv", |t| {
        t.replacen("title,", "titel,", 1)
    });
    pidsite(site.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error: content/registry.csv:1: unknown column \"titel\"; expected columns among: pid, target"));
}

#[test]
fn invalid_pid() {
    let site = site();
    edit(site.path(), "content/registry.csv", |t| {
        t.replace("doi:10.5555/coin.1,manifests", "doi:10.5555,manifests")
    });
    pidsite(site.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
        "error: content/registry.csv:3: column \"pid\": DOI \"10.5555\": expected `10.NNNN/suffix`",
    ));
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
    let dir = tempfile::tempdir().unwrap();
    pidsite(dir.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "site.toml: No such file or directory",
        ));
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
            "--strict was given; the previous output was left in place",
        ));
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

#[test]
fn broken_template_names_the_template_once() {
    let site = site();
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/landing.html"),
        "{% extends \"base.html\" %}{% block main %}{{ nope.x }}{% endblock main %}",
    )
    .unwrap();
    let assert = pidsite(site.path()).arg("build").assert().code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("template landing.html"), "{stderr}");
    assert_eq!(
        stderr.matches("error: template landing.html").count(),
        1,
        "{stderr}"
    );
}

/// Add a IIIF 3 document of `kind` with `items` as `ark:99999/fk4<name>`,
/// build, and return the PID's output folder.
fn build_with_document(
    site: &Path,
    name: &str,
    kind: &str,
    items: Vec<serde_json::Value>,
) -> std::path::PathBuf {
    let document = serde_json::json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": format!("https://example.org/iiif/{name}/{}", kind.to_lowercase()),
        "type": kind,
        "label": {"en": [format!("A long {name}")]},
        "items": items
    });
    let file = format!("content/manifests/{name}.json");
    std::fs::write(site.join(&file), document.to_string()).unwrap();
    edit(site, "content/registry.csv", |t| {
        t + &format!("ark:99999/fk4{name},manifests/{name}.json,,,,,,,,,\n")
    });
    pidsite(site).arg("build").assert().success();
    site.join(format!("public/ark/99999/fk4{name}"))
}

/// `count` members labelled `Member <i> & co`, every other one in French.
fn members(count: usize) -> Vec<serde_json::Value> {
    (1..=count)
        .map(|i| {
            let lang = if i % 2 == 0 { "fr" } else { "en" };
            serde_json::json!({
                "id": format!("https://example.org/iiif/m{i}/manifest"),
                "type": "Manifest",
                "label": {lang: [format!("Member {i} & co")]}
            })
        })
        .collect()
}

#[test]
fn a_long_manifest_lists_all_its_images_on_a_page_of_their_own() {
    let site = site();
    let canvases: Vec<serde_json::Value> = (1..=30)
        .map(|i| {
            let lang = if i % 2 == 0 { "fr" } else { "en" };
            serde_json::json!({
                "id": format!("https://example.org/iiif/book/canvas/{i}"),
                "type": "Canvas",
                "label": {lang: [format!("Folio {i} \"recto\" & verso")]},
                "width": 100, "height": 100
            })
        })
        .collect();
    let out = build_with_document(site.path(), "book", "Manifest", canvases);
    let landing = std::fs::read_to_string(out.join("index.html")).unwrap();
    let all = std::fs::read_to_string(out.join("images/index.html")).unwrap();
    let folios = |html: &str| html.matches(">Folio ").count();
    assert_eq!(
        folios(&landing),
        pidsite::render::LANDING_CANVAS_LINKS,
        "the landing page lists the first few"
    );
    assert!(
        landing.contains("/ark/99999/fk4book/images/\">all 30 images</a>"),
        "and links to all"
    );
    assert_eq!(folios(&all), 30);
    assert!(all.contains("iiif-content="), "each image opens the viewer");
    assert!(
        all.contains(">Folio 30 &quot;recto&quot; &amp; verso</a>"),
        "labels are escaped"
    );
    // The same markup on both pages (one macro): `lang` only where the
    // label's language is not the site's (`<html lang="en">`).
    for (page, listed) in [
        (&landing, pidsite::render::LANDING_CANVAS_LINKS),
        (&all, 30),
    ] {
        assert_eq!(page.matches(" lang=\"fr\">Folio ").count(), listed / 2);
        assert_eq!(page.matches("lang=\"en\"").count(), 1, "only <html>");
    }
    assert!(all.contains("<title>Images of A long book"), "{all}");
    assert!(all.contains("<a href=\"/repo/ark/99999/fk4book/\">the landing page</a>"));
}

#[test]
fn a_long_collection_lists_all_its_members_on_a_page_of_their_own() {
    let site = site();
    let out = build_with_document(site.path(), "big", "Collection", members(30));
    let landing = std::fs::read_to_string(out.join("index.html")).unwrap();
    let all = std::fs::read_to_string(out.join("members/index.html")).unwrap();
    let listed = |html: &str| html.matches(">Member ").count();
    assert_eq!(listed(&landing), pidsite::render::LANDING_MEMBERS);
    assert!(
        landing.contains("/ark/99999/fk4big/members/\">all 30 members</a>"),
        "and links to all"
    );
    assert_eq!(listed(&all), 30);
    assert!(all.contains("href=\"https://example.org/iiif/m30/manifest\""));
    assert!(
        all.contains(">Member 29 &amp; co</a>"),
        "labels are escaped"
    );
    for (page, listed) in [(&landing, pidsite::render::LANDING_MEMBERS), (&all, 30)] {
        assert_eq!(page.matches(" lang=\"fr\">Member ").count(), listed / 2);
        assert_eq!(page.matches("lang=\"en\"").count(), 1, "only <html>");
    }
    assert!(all.contains("<h1>Members of A long big</h1>"));
}

/// A site restyles members once, in its `macros.html`, and both the
/// landing page and the members page show it; its own `members.html`
/// replaces the members page alone.
#[test]
fn a_site_template_restyles_the_members_page() {
    let site = site();
    let templates = site.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let builtin = pidsite::render::templates::BUILTINS
        .iter()
        .find(|(name, _)| *name == "macros.html")
        .unwrap()
        .1;
    let start = builtin.find("{% macro member(").unwrap();
    let end = builtin.find("{%- endmacro member %}").unwrap();
    let macros = format!(
        "{}{}{}",
        &builtin[..start],
        "{% macro member(member) %}<li class=\"mine\"{% if member.lang %} lang=\"{{ member.lang }}\"{% endif %}>{{ member.label }}</li>",
        &builtin[end..]
    );
    std::fs::write(templates.join("macros.html"), macros).unwrap();
    let out = build_with_document(site.path(), "big", "Collection", members(30));
    let landing = std::fs::read_to_string(out.join("index.html")).unwrap();
    let all = std::fs::read_to_string(out.join("members/index.html")).unwrap();
    let mine = |html: &str| html.matches("<li class=\"mine\"").count();
    assert_eq!(mine(&landing), pidsite::render::LANDING_MEMBERS);
    assert_eq!(mine(&all), 30);
    assert!(all.contains("<li class=\"mine\" lang=\"fr\">Member 30 &amp; co</li>"));
    assert!(all.contains("<li class=\"mine\">Member 29 &amp; co</li>"));

    std::fs::remove_file(templates.join("macros.html")).unwrap();
    std::fs::write(
        templates.join("members.html"),
        "{% extends \"base.html\" %}{% block main %}<h1>{{ member_total }} in {{ title }}</h1>\
         {% for member in members %}<p>{{ member.label }}</p>{% endfor %}{% endblock main %}",
    )
    .unwrap();
    let out = build_with_document(site.path(), "huge", "Collection", members(30));
    let landing = std::fs::read_to_string(out.join("index.html")).unwrap();
    let all = std::fs::read_to_string(out.join("members/index.html")).unwrap();
    assert!(all.contains("<h1>30 in A long huge</h1>"), "{all}");
    assert_eq!(all.matches("<p>Member ").count(), 30);
    assert!(
        all.contains("<p>Member 30 &amp; co</p>"),
        "escaped here too"
    );
    assert!(!all.contains("<ul class=\"members\">"));
    assert_eq!(
        landing.matches(">Member ").count(),
        pidsite::render::LANDING_MEMBERS,
        "the landing page keeps the built-in list"
    );
}

#[test]
fn mint_appends_reserved_arks_that_never_repeat_and_still_build() {
    let site = site();
    let before = std::fs::read_to_string(site.path().join("content/registry.csv")).unwrap();
    let dry = pidsite(site.path())
        .args([
            "mint",
            "--naan",
            "99999",
            "--shoulder",
            "fk4",
            "--count",
            "5",
            "--dry-run",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let dry = String::from_utf8(dry).unwrap();
    assert_eq!(dry.lines().count(), 5);
    for ark in dry.lines() {
        let name = ark.strip_prefix("ark:").unwrap();
        assert!(name.starts_with("99999/fk4"), "{ark}");
        assert!(pidsite::mint::verify(name), "{ark}: bad check character");
    }
    let after_dry = std::fs::read_to_string(site.path().join("content/registry.csv")).unwrap();
    assert_eq!(before, after_dry, "--dry-run leaves the registry alone");

    // Two seeded runs with the same seed would mint the same names; the
    // second must skip what the first appended.
    let mint = |seed: &str| {
        let out = pidsite(site.path())
            .args(["mint", "--naan", "99999", "--shoulder", "fk4"])
            .args(["--count", "3", "--length", "2", "--seed", seed])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    let first = mint("7");
    let second = mint("7");
    for ark in second.lines() {
        assert!(!first.lines().any(|a| a == ark), "{ark} minted twice");
    }
    let registry = std::fs::read_to_string(site.path().join("content/registry.csv")).unwrap();
    assert_eq!(registry.matches(",reserved,").count(), 6, "{registry}");

    // Reserved ARKs build, with no page and no pids.csv row.
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .success();
    let pids = std::fs::read_to_string(site.path().join("public/pids.csv")).unwrap();
    for ark in first.lines() {
        assert!(!pids.contains(ark), "{ark} is reserved, not published");
        let path = ark.replace("ark:", "ark/");
        assert!(!site.path().join("public").join(path).exists());
    }
}

#[test]
fn mint_refuses_a_bad_naan() {
    let site = site();
    pidsite(site.path())
        .args(["mint", "--naan", "12a45", "--shoulder", "fk4", "--dry-run"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--naan").and(predicate::str::contains("betanumeric")))
        .stderr(no_panic());
}

#[test]
fn moved_chains_redirect_to_their_end_and_loops_are_errors() {
    let site = site();
    edit(site.path(), "content/registry.csv", |t| {
        t + "ark:99999/fk4older,,moved,ark:99999/fk4moved,,,,,,,\n"
    });
    pidsite(site.path()).arg("build").assert().success();
    let stub =
        std::fs::read_to_string(site.path().join("public/ark/99999/fk4older/index.html")).unwrap();
    assert!(
        stub.contains("/doi/10.5555/coin.1/"),
        "the stub skips the intermediate moved PID: {stub}"
    );

    edit(site.path(), "content/registry.csv", |t| {
        t.replace(
            "doi:10.5555/coin.1,manifests/coin-v2.json,,,",
            "doi:10.5555/coin.1,manifests/coin-v2.json,moved,ark:99999/fk4older,",
        )
    });
    build_fails(
        site.path(),
        &["moved PIDs form a loop", "content/registry.csv:"],
    );
}

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

#[test]
fn cite_prints_what_the_page_offers() {
    let site = site();
    pidsite(site.path()).arg("build").assert().success();
    let out = site.path().join("public/doi/10.5555/coin.1");
    let run = |style: &str| {
        let o = pidsite(site.path())
            .args(["cite", "https://doi.org/10.5555/COIN.1", "--style", style])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let file = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert_eq!(run("bibtex"), file("cite.bib"));
    assert_eq!(run("ris"), file("cite.ris"));
    assert_eq!(run("csl-json"), file("cite.json"));
    assert_eq!(run("datacite"), file("datacite.xml"));
    // The APA text is the one the page shows (and its copy button copies).
    let apa = run("apa");
    let page = file("index.html");
    let figure = &page[page.find("id=\"cite-apa\"").expect("an APA figure")..];
    let quote = &figure[figure.find("<blockquote").unwrap()..figure.find("</blockquote>").unwrap()];
    let mut shown = String::new();
    let mut in_tag = false;
    for c in quote.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => shown.push(c),
            _ => {}
        }
    }
    let shown = shown
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    assert_eq!(shown.trim(), apa.trim());
    pidsite(site.path())
        .args(["cite", "ark:/99999/fk4nothere"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no PID ark:99999/fk4nothere"));
    pidsite(site.path())
        .args(["cite", "ark:/99999/fk4photo", "--style", "datacite"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a DOI"));
}

#[test]
fn a_site_can_add_its_own_csl_style() {
    let site = site();
    std::fs::create_dir_all(site.path().join("styles")).unwrap();
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csl/ieee.csl"),
        site.path().join("styles/ieee.csl"),
    )
    .unwrap();
    edit(site.path(), "site.toml", |t| {
        format!(
            "{t}\n[citation]\nstyles = [\"apa\", \"styles/ieee.csl\"]\ndefault_style = \"ieee\"\n"
        )
    });
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .success();
    let page =
        std::fs::read_to_string(site.path().join("public/doi/10.5555/coin.1/index.html")).unwrap();
    assert!(page.contains("data-style=\"ieee\""), "no IEEE figure");
    assert!(page.contains("IEEE Reference Guide"), "no IEEE label");
    pidsite(site.path())
        .args(["cite", "doi:10.5555/coin.1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Roman Imperial denarius"));
    // A file that is not a CSL style is an error naming it.
    std::fs::write(site.path().join("styles/ieee.csl"), "<style>oops").unwrap();
    pidsite(site.path()).arg("build").assert().code(1).stderr(
        predicate::str::contains("styles/ieee.csl").and(predicate::str::contains("not a CSL")),
    );
}

/// `pidsite new` writes a site that builds with --strict, whose workflow
/// deploys to GitHub Pages; a second `new` into it is refused.
#[test]
fn new_prints_commands_that_can_be_pasted_for_a_folder_with_a_space() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("pidsite")
        .unwrap()
        .current_dir(dir.path())
        .args(["new", "My PIDs/"])
        .assert()
        .success()
        .stderr(predicate::str::contains("pidsite serve --site 'My PIDs/'"))
        .stderr(predicate::str::contains("write it into 'My PIDs/public'"));
}

#[test]
fn new_scaffolds_a_site_that_builds_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("my-pids");
    let mut cmd = Command::cargo_bin("pidsite").unwrap();
    cmd.current_dir(dir.path())
        .args(["new", "my-pids"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Created a new site in my-pids"));
    for file in [
        "site.toml",
        "content/registry.csv",
        "content/manifests/SOURCES.md",
        "content/pages/about.md",
        ".gitignore",
        ".github/workflows/pages.yml",
    ] {
        assert!(site.join(file).is_file(), "{file} missing");
    }
    let toml = std::fs::read_to_string(site.join("site.toml")).unwrap();
    assert!(toml.contains("base_url = \"https://your-org.github.io/my-pids/\""));
    let gitignore = std::fs::read_to_string(site.join(".gitignore")).unwrap();
    assert!(gitignore.contains("public/") && gitignore.contains(".pidsite-cache/"));

    pidsite(&site)
        .args(["build", "--site", ".", "--strict"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    let landing = site.join("public/ark/99999/fk4r6pf34rb/index.html");
    let page = std::fs::read_to_string(&landing).unwrap();
    assert!(page.contains("Göttingen"), "the sample manifest's label");
    assert!(page.contains("Glen Robson"), "its attribution is shown");
    assert!(
        !page.contains("__pidsite"),
        "no live-reload script in built files"
    );
    assert!(site.join("public/about/index.html").is_file());
    pidsite(&site).arg("check").assert().success();

    let workflow = std::fs::read_to_string(site.join(".github/workflows/pages.yml")).unwrap();
    check_pages_workflow(&workflow, "pidsite build");
    // Issue 16: a fresh runner keeps the remote manifests fetched before
    // (cached, keyed on the lock and the registry); the PIDs' dates are in
    // pidsite.lock, which the site commits (not ignored, not cached), and
    // the workflow itself commits nothing.
    let cache = workflow.find("path: .pidsite-cache/remote\n");
    let build = workflow.find("run: pidsite build");
    assert!(
        cache.is_some() && cache < build,
        "the remote cache is restored before the build: {workflow}"
    );
    assert!(workflow.contains("key: pidsite-remote-${{ hashFiles('pidsite.lock'"));
    assert!(!workflow.contains("path: .pidsite-cache\n"));
    assert!(!workflow.contains("git commit") && !workflow.contains("git push"));
    assert!(!gitignore
        .lines()
        .any(|l| l.contains("pidsite.lock") && !l.starts_with('#')));
    let lock = std::fs::read_to_string(site.join("pidsite.lock")).unwrap();
    assert!(
        lock.contains("\npublished = \"2025-11-25T12:00:00Z\"\n"),
        "{lock}"
    );

    let mut again = Command::cargo_bin("pidsite").unwrap();
    again
        .current_dir(dir.path())
        .args(["new", "my-pids"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("my-pids: the folder is not empty"))
        .stderr(no_panic());
}

/// The repository's own workflow builds the example site and deploys it.
#[test]
fn the_repository_deploys_its_example_site_to_pages() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/pages.yml");
    let workflow = std::fs::read_to_string(path).unwrap();
    check_pages_workflow(&workflow, "cargo run --release");
}

/// A GitHub Pages workflow: a build job that runs `builds_with` and uploads
/// the artifact, a deploy job with the Pages permissions. Parsed as YAML by
/// python3's PyYAML where the machine has it; the structure is checked by
/// lines either way.
fn check_pages_workflow(text: &str, builds_with: &str) {
    for needle in [
        "actions/checkout@",
        "actions/configure-pages@",
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
        "pages: write",
        "id-token: write",
        "group: pages",
        "name: github-pages",
        "needs: build",
        builds_with,
    ] {
        assert!(text.contains(needle), "workflow lacks {needle:?}");
    }
    assert!(!text.contains('\t'), "YAML may not indent with tabs");
    let script = r#"
import sys, yaml
d = yaml.safe_load(sys.stdin)
on = d.get("on", d.get(True))
assert "push" in on, on
assert d["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}, d["permissions"]
assert d["concurrency"]["group"] == "pages"
build, deploy = d["jobs"]["build"], d["jobs"]["deploy"]
uses = [s.get("uses", "") for s in build["steps"]]
runs = " ".join(s.get("run", "") for s in build["steps"])
assert any(u.startswith("actions/checkout@") for u in uses), uses
assert any(u.startswith("actions/upload-pages-artifact@") for u in uses), uses
assert sys.argv[1] in runs, runs
assert deploy["needs"] == "build"
assert deploy["environment"]["name"] == "github-pages"
assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
print("ok")
"#;
    let python = std::process::Command::new("python3")
        .args(["-c", "import yaml"])
        .output();
    if !matches!(python, Ok(ref o) if o.status.success()) {
        eprintln!("python3 with PyYAML not found: the workflow was checked by lines only");
        return;
    }
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, builds_with])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "workflow YAML: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Ends the child process when the test ends, passed or failed.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.1 GET over loopback: status, head, body.
fn http_get(addr: &str, path: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_string(), body.to_string())
}

/// Read from a live-reload stream until `needle` arrives (or 60 s pass).
fn read_until(stream: &mut std::net::TcpStream, seen: &mut String, needle: &str) -> bool {
    use std::io::Read;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut buf = [0u8; 1024];
    while !seen.contains(needle) {
        if std::time::Instant::now() > deadline {
            return false;
        }
        match stream.read(&mut buf) {
            Ok(0) => return false,
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("live-reload stream: {e}"),
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
    use std::io::{BufRead, Write};
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
    assert!(head.contains("Location: /repo/"), "{head}");

    let landing = "/repo/ark/99999/fk4r6pf34rb/";
    let (status, head, body) = http_get(addr, landing);
    assert_eq!(status, 200);
    assert!(head.contains("text/html"), "{head}");
    assert!(body.contains("Picture of Göttingen"));
    assert!(body.contains("/__pidsite/livereload"), "script injected");
    let built = std::fs::read_to_string(out.join("ark/99999/fk4r6pf34rb/index.html")).unwrap();
    assert!(!built.contains("__pidsite"), "the built file stays clean");

    let (status, _, body) = http_get(addr, "/repo/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the site's 404 page");
    let (status, _, _) = http_get(addr, "/repo/%2e%2e/%2e%2e/etc/passwd");
    assert_eq!(status, 404);

    let mut events = std::net::TcpStream::connect(addr).unwrap();
    events
        .set_read_timeout(Some(std::time::Duration::from_millis(500)))
        .unwrap();
    write!(
        events,
        "GET /__pidsite/livereload HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut seen = String::new();
    assert!(
        read_until(&mut events, &mut seen, "pidsite live reload"),
        "{seen}"
    );
    assert!(seen.contains("text/event-stream"), "{seen}");

    edit(&site, "content/manifests/goettingen-photo.json", |t| {
        t.replace("Picture of Göttingen", "Photograph of Göttingen")
    });
    assert!(
        read_until(&mut events, &mut seen, "event: reload"),
        "{seen}"
    );
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

#[test]
fn version_labels_that_cannot_be_folders_are_errors_naming_the_row() {
    let site = site();
    // "v2" and "2" would share the folder v2/; "…" has no letter or digit.
    edit(site.path(), "content/registry/versions.csv", |t| {
        t + "ark:/99999/fk4coin,manifests/coin-v2.json,graphic,v2,2026-01-01,Again.\n"
            + "ark:/99999/fk4coin,manifests/coin-v2.json,graphic,…,2026-01-02,Dots.\n"
    });
    build_fails(
        site.path(),
        &[
            "content/registry/versions.csv:4: column \"version\": version \"v2\" of ark:99999/fk4coin would share the folder v2/ with the version at content/registry/versions.csv:3",
            "content/registry/versions.csv:5: column \"version\": \"…\" is not a usable version label",
        ],
    );
}

/// The sitemap's `lastmod` of a page of the site's own (home, Markdown
/// pages) is when that page last changed, not the day of the build: a site
/// rebuilt every night must not tell search engines that its pages changed
/// every night.
#[test]
fn own_pages_are_dated_by_their_last_change_in_the_sitemap() {
    let site = site();
    let lastmod = |loc: &str| -> String {
        let xml = std::fs::read_to_string(site.path().join("public/sitemap.xml")).unwrap();
        let entry = format!("<loc>https://org.github.io/repo/{loc}</loc><lastmod>");
        let at = xml.find(&entry).unwrap_or_else(|| panic!("{loc} in {xml}")) + entry.len();
        xml[at..at + 10].to_string()
    };
    let build_on = |epoch: &str| {
        pidsite(site.path())
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["build", "--quiet"])
            .assert()
            .success();
    };
    build_on("1764072000"); // 2025-11-25
    assert_eq!(lastmod(""), "2025-11-25");
    assert_eq!(lastmod("about/"), "2025-11-25");

    // Ten days later, nothing changed.
    build_on("1764936000"); // 2025-12-05
    assert_eq!(lastmod(""), "2025-11-25");
    assert_eq!(lastmod("about/"), "2025-11-25");

    // The about page changes; the home page does not.
    edit(site.path(), "content/pages/about.md", |t| t + "\nMore.\n");
    build_on("1764936000");
    assert_eq!(lastmod("about/"), "2025-12-05");
    assert_eq!(lastmod(""), "2025-11-25");

    // A PID the home page lists is retitled: the home page changes.
    edit(site.path(), "content/registry.csv", |t| {
        t.replace(",A comment,", ",A remark,")
    });
    build_on("1764936000");
    assert_eq!(lastmod(""), "2025-12-05");
    assert_eq!(lastmod("about/"), "2025-12-05");
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
        K::UnreadableLock => {
            edit(site, "pidsite.lock", |t| format!("<<<<<<< HEAD\n{t}"));
            Some("pidsite.lock:1: ")
        }
        // About the output folder and the disk, found after the site is
        // written (the strict check is before): the build recovers by
        // itself, and a site's inputs cannot cause them.
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
    assert_eq!(tried, 8, "every kind from the site's inputs was tried");
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

/// Issue 16: rows of one PID whose version dates are out of the rows'
/// order. The PID's page showed the last row although an earlier row was
/// newer; now a warning names the file and both rows, the newest is
/// current, and v1/, v2/ keep the rows' order.
#[test]
fn versions_out_of_date_order_warn_and_the_newest_is_current() {
    let site = site();
    let coin = site.path().join("public/ark/99999/fk4coin");
    // Which version a page's manifest copy is, by its canvases (the rescan
    // added one; the copies differ in the landing page they link).
    let canvases = |json: serde_json::Value| json["sequences"][0]["canvases"].to_string();
    let read = |rel: &str| {
        canvases(serde_json::from_slice(&std::fs::read(coin.join(rel)).unwrap()).unwrap())
    };
    let page = |rel: &str| std::fs::read_to_string(coin.join(rel)).unwrap();
    // In order: the last row is current, and nothing is said.
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .success();
    assert_eq!(read("manifest.json"), read("v2/manifest.json"));

    // The first row is now dated after the second.
    edit(site.path(), "content/registry/versions.csv", |t| {
        t.replace("2020-05-01", "2026-01-01")
    });
    pidsite(site.path()).arg("build").assert().success().stderr(
        predicate::str::contains(
            "warning: content/registry/versions.csv:3: column \"version_date\": the versions of ark:99999/fk4coin are not in date order (row 3, version \"2\" of 2025-02-14 comes after row 2, version \"1\" of 2026-01-01); the newest, row 2, version \"1\" of 2026-01-01, is current",
        ),
    );
    assert_eq!(read("manifest.json"), read("v1/manifest.json"));
    assert_ne!(read("v1/manifest.json"), read("v2/manifest.json"));
    let rescan = std::fs::read(site.path().join("content/manifests/coin-v2-rescan.json")).unwrap();
    assert_eq!(
        read("v2/manifest.json"),
        canvases(serde_json::from_slice(&rescan).unwrap())
    );
    // The history table marks the first row current.
    let page = page("index.html");
    let marked = &page[..page.find("(current)").expect("a current version")];
    let link = &marked[marked.rfind("href=").unwrap()..];
    assert!(link.contains("fk4coin/v1/"), "{link}");
}

/// Issue 16: `é` written as one code point or as `e` and a combining
/// accent is one PID: two rows are a duplicate naming both, and one row in
/// either spelling has the page of the NFC spelling, found by `cite` in
/// either.
#[test]
fn two_unicode_spellings_of_a_pid_are_one_pid() {
    let nfc = "caf\u{e9}-1";
    let nfd = "cafe\u{301}-1";
    let site = site();
    std::fs::write(
        site.path().join("content/registry/nfc.csv"),
        format!("pid,target\n{nfc},manifests/photo-v3.json\n{nfd},manifests/coin-v2.json\n"),
    )
    .unwrap();
    build_fails(
        site.path(),
        &[&format!(
            "content/registry/nfc.csv:3: column \"pid\": duplicate PID {nfc} (first at content/registry/nfc.csv:2)"
        )],
    );
    std::fs::write(
        site.path().join("content/registry/nfc.csv"),
        format!("pid,target\n{nfd},manifests/photo-v3.json\n"),
    )
    .unwrap();
    pidsite(site.path()).arg("build").assert().success();
    let landing = pidsite::model::pid::Pid::parse(nfc).unwrap().landing_path();
    assert!(
        site.path()
            .join("public")
            .join(landing.as_str())
            .join("index.html")
            .is_file(),
        "no page at {}",
        landing.as_str()
    );
    let url = format!("https://org.github.io/repo/{}", landing.as_str());
    for spelling in [nfc, nfd] {
        pidsite(site.path())
            .args(["cite", spelling])
            .assert()
            .success()
            .stdout(predicate::str::contains(&url));
    }
}

/// Issue 16: `cite` finds a PID as a person may have it (a former
/// identifier, a moved PID, a version's page id or address), says what it
/// cited instead and warns about withdrawn and unreadable PIDs on stderr,
/// and takes style names in any case; its text is the page's.
#[test]
fn cite_follows_former_and_moved_pids_and_cites_versions() {
    let site = site();
    pidsite(site.path()).arg("build").assert().success();
    let public = site.path().join("public");
    let file = |rel: &str| std::fs::read_to_string(public.join(rel)).unwrap();
    let cite = |args: &[&str]| {
        let o = pidsite(site.path())
            .arg("cite")
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        (
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    // A former identifier (in `aliases`) cites the PID.
    let (former, said) = cite(&["ark:/99999/fk4old", "--style", "bibtex"]);
    assert_eq!(former, file("ark/99999/fk4photo/cite.bib"));
    assert!(
        said.contains("note: ark:99999/fk4old is a former identifier of ark:99999/fk4photo"),
        "{said}"
    );
    // A moved PID cites the PID it moved to.
    let (moved, said) = cite(&["ark:/99999/fk4moved", "--style", "ris"]);
    assert_eq!(moved, file("doi/10.5555/coin.1/cite.ris"));
    assert!(said.contains("has moved to doi:10.5555/coin.1"), "{said}");
    // A withdrawn PID is cited as it stood, with a warning.
    let (_, said) = cite(&["ark:99999/fk4gone"]);
    assert!(
        said.contains(
            "warning: ark:99999/fk4gone was withdrawn on 2025-01-31 (Rights were not cleared.)"
        ),
        "{said}"
    );
    // Style names in any case.
    let (apa, _) = cite(&["ark:/99999/fk4photo", "--style", "apa"]);
    assert_eq!(cite(&["ark:/99999/fk4photo", "--style", "APA"]).0, apa);
    assert_eq!(cite(&["ark:/99999/fk4photo", "--style", "Apa"]).0, apa);
    assert_eq!(
        cite(&["ark:/99999/fk4photo", "--style", "BibTeX"]).0,
        file("ark/99999/fk4photo/cite.bib")
    );
    // One version: by --version, by the version page's id, by its address;
    // the citation is its page's.
    let coin = "ark/99999/fk4coin";
    assert_eq!(
        cite(&["ark:/99999/fk4coin", "--version", "1", "--style", "bibtex"]).0,
        file(&format!("{coin}/v1/cite.bib"))
    );
    assert_eq!(
        cite(&["ark:/99999/fk4coin/v1", "--style", "ris"]).0,
        file(&format!("{coin}/v1/cite.ris"))
    );
    assert_eq!(
        cite(&[
            "https://org.github.io/repo/ark/99999/fk4coin/v2/",
            "--style",
            "csl-json"
        ])
        .0,
        file(&format!("{coin}/v2/cite.json"))
    );
    assert_ne!(
        file(&format!("{coin}/v1/cite.ris")),
        file(&format!("{coin}/v2/cite.ris"))
    );
    pidsite(site.path())
        .args(["cite", "ark:/99999/fk4coin", "--version", "9"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "ark:99999/fk4coin has no version \"9\"; expected one of 1, 2",
        ));
    // A target that cannot be read: cited from the registry, with a warning.
    std::fs::write(
        site.path().join("content/manifests/coin-v2.json"),
        "{\"a\": 1}",
    )
    .unwrap();
    let (_, said) = cite(&["doi:10.5555/coin.1"]);
    assert!(
        said.contains("warning: content/manifests/coin-v2.json: ")
            && said.contains("doi:10.5555/coin.1"),
        "{said}"
    );
}

/// Every file of a build's output but its build marker, by path.
fn output_files(out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.file_name() != ".pidsite-build")
        .map(|e| {
            let rel = e.path().strip_prefix(out).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Issue 16, point 2: a PID's dates (first published, last changed,
/// withdrawn) are kept in `pidsite.lock`, which the site commits, not in
/// the build cache a fresh CI runner does not have. A clean build of the
/// unchanged site a year later, on a fresh clone (the lock kept, the cache
/// and the output gone), is byte-identical; a manifest that changes then
/// is modified that day and keeps its publication year.
#[test]
fn dates_survive_a_lost_cache_and_a_build_a_year_later() {
    let site = site();
    let root = site.path();
    // A real corpus manifest (UCLA Library) under a DOI, so that it has a
    // DataCite record, and a PID withdrawn without a date.
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dates");
    std::fs::copy(
        fixture.join("ucla-hathaway-2.json"),
        root.join("content/manifests/ucla-hathaway-2.json"),
    )
    .unwrap();
    edit(root, "content/registry.csv", |t| {
        t + "doi:10.5555/hathaway.2,manifests/ucla-hathaway-2.json,,,,,,,,,\n"
            + "ark:99999/fk4gone2,manifests/photo-v3.json,withdrawn,,,,,,,,Duplicate.\n"
    });
    let out = root.join("public");
    let build_on = |epoch: &str| {
        pidsite(root)
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["build", "--quiet"])
            .assert()
            .success()
            .stderr(no_panic());
    };
    let fresh_clone = || {
        std::fs::remove_dir_all(root.join(".pidsite-cache")).unwrap();
        std::fs::remove_dir_all(&out).unwrap();
    };
    let hathaway = |out: &Path| -> String {
        let csv = std::fs::read_to_string(out.join("pids.csv")).unwrap();
        let row = csv
            .lines()
            .find(|l| l.starts_with("doi:10.5555/hathaway.2,"));
        let url = row.unwrap().split(',').nth(1).unwrap();
        url.strip_prefix("https://org.github.io/repo/")
            .unwrap()
            .to_string()
    };
    let lastmod = |loc: &str| -> String {
        let xml = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
        let entry = format!("<loc>https://org.github.io/repo/{loc}</loc><lastmod>");
        let at = xml.find(&entry).unwrap_or_else(|| panic!("{loc} in {xml}")) + entry.len();
        xml[at..at + 10].to_string()
    };

    build_on("1764072000"); // 2025-11-25
    let first = output_files(&out);
    let page = hathaway(&out);
    let datacite = |files: &std::collections::BTreeMap<String, Vec<u8>>| {
        String::from_utf8(files[&format!("{page}datacite.xml")].clone()).unwrap()
    };
    assert!(
        datacite(&first).contains("<publicationYear>2025</publicationYear>"),
        "{}",
        datacite(&first)
    );
    let lock = std::fs::read_to_string(root.join("pidsite.lock")).unwrap();
    assert!(
        lock.contains("target = \"manifests/ucla-hathaway-2.json\"")
            && lock.contains("published = \"2025-11-25T12:00:00Z\""),
        "{lock}"
    );

    // A year later, on a fresh clone: the same site, byte for byte.
    fresh_clone();
    build_on("1795608000"); // 2026-11-25
    let again = output_files(&out);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        again.keys().collect::<Vec<_>>()
    );
    for (file, bytes) in &first {
        assert!(
            again[file] == *bytes,
            "{file} changed a year later:\n{}\n---\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&again[file])
        );
    }
    // The lock is as the first build wrote it.
    assert_eq!(
        std::fs::read_to_string(root.join("pidsite.lock")).unwrap(),
        lock
    );

    // The manifest changes, and is built on another fresh clone.
    edit(root, "content/manifests/ucla-hathaway-2.json", |t| {
        t.replacen("\"Hathaway 2\"", "\"Hathaway 2, rescanned\"", 1)
    });
    fresh_clone();
    build_on("1795608000");
    let changed = output_files(&out);
    assert_eq!(lastmod(&page), "2026-11-25");
    assert_eq!(
        lastmod(""),
        "2026-11-25",
        "the home page lists its new title"
    );
    assert_eq!(lastmod("about/"), "2025-11-25");
    let photo = {
        let csv = std::fs::read_to_string(out.join("pids.csv")).unwrap();
        let row = csv.lines().find(|l| l.starts_with("ark:99999/fk4photo,"));
        let url = row.unwrap().split(',').nth(1).unwrap().to_string();
        url.strip_prefix("https://org.github.io/repo/")
            .unwrap()
            .to_string()
    };
    assert_eq!(
        lastmod(&photo),
        "2025-11-25",
        "an unchanged PID keeps its date"
    );
    assert!(
        datacite(&changed).contains("<publicationYear>2025</publicationYear>"),
        "{}",
        datacite(&changed)
    );
    let feed = String::from_utf8(changed["feed.xml"].clone()).unwrap();
    assert!(
        feed.contains("<title>Hathaway 2, rescanned</title>")
            && feed.contains("<updated>2026-11-25T12:00:00Z</updated>"),
        "{feed}"
    );
    // Change Discovery: created when first published, updated now; the PID
    // withdrawn without a date was deleted when first built withdrawn.
    let activities: Vec<(String, String, String)> = changed
        .iter()
        .filter(|(f, _)| f.starts_with("activity/page-"))
        .flat_map(|(_, b)| {
            let page: serde_json::Value = serde_json::from_slice(b).unwrap();
            page["orderedItems"].as_array().unwrap().clone()
        })
        .map(|a| {
            let field = |v: &serde_json::Value| v.as_str().unwrap().to_string();
            let object = field(&a["object"]["seeAlso"][0]["id"]);
            (field(&a["type"]), object, field(&a["endTime"]))
        })
        .collect();
    let of = |page: &str| -> Vec<(&str, &str)> {
        let url = format!("https://org.github.io/repo/{page}");
        let found = activities.iter().filter(|(_, o, _)| *o == url);
        found.map(|(k, _, t)| (k.as_str(), t.as_str())).collect()
    };
    assert_eq!(
        of(&page),
        [
            ("Create", "2025-11-25T12:00:00Z"),
            ("Update", "2026-11-25T12:00:00Z")
        ]
    );
    let gone = std::fs::read_to_string(out.join("pids.csv")).unwrap();
    let gone = gone
        .lines()
        .find(|l| l.starts_with("ark:99999/fk4gone2,"))
        .and_then(|l| l.split(',').nth(1))
        .and_then(|u| u.strip_prefix("https://org.github.io/repo/"))
        .unwrap()
        .to_string();
    assert_eq!(
        of(&gone).last(),
        Some(&("Delete", "2025-11-25T12:00:00Z")),
        "{activities:?}"
    );
    // Its tombstone says the same date, a year later, from the lock.
    let tombstone = std::fs::read_to_string(out.join(&gone).join("index.html")).unwrap();
    assert!(
        tombstone.contains("<dt>Withdrawn on</dt><dd>2025-11-25</dd>"),
        "{tombstone}"
    );
    let lock = std::fs::read_to_string(root.join("pidsite.lock")).unwrap();
    assert!(
        lock.contains("published = \"2025-11-25T12:00:00Z\"\nmodified = \"2026-11-25T12:00:00Z\""),
        "{lock}"
    );

    // An incremental build a year later still equals the clean one.
    build_on("1827144000"); // 2027-11-25
    assert!(
        output_files(&out) == changed,
        "the incremental build differs"
    );
}

/// A manifest file renamed (its registry row following it) is the same
/// PID, published when it was: the new lock table takes the old one's
/// dates, and a fresh clone built a year later dates it as before.
#[test]
fn a_renamed_manifest_keeps_its_pids_dates() {
    let site = site();
    let root = site.path();
    let out = root.join("public");
    let build_on = |epoch: &str| {
        pidsite(root)
            .env("SOURCE_DATE_EPOCH", epoch)
            .args(["build", "--quiet"])
            .assert()
            .success()
            .stderr(no_panic());
    };
    build_on("1764072000"); // 2025-11-25
    let page = "doi/10.5555/coin.1/";
    let datacite = || std::fs::read_to_string(out.join(page).join("datacite.xml")).unwrap();
    let sitemap = || std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let entry = format!("<loc>https://org.github.io/repo/{page}</loc><lastmod>2025-11-25");
    assert!(
        datacite().contains("<publicationYear>2025<"),
        "{}",
        datacite()
    );
    assert!(sitemap().contains(&entry), "{}", sitemap());

    std::fs::rename(
        root.join("content/manifests/coin-v2.json"),
        root.join("content/manifests/coin.json"),
    )
    .unwrap();
    edit(root, "content/registry.csv", |t| {
        t.replace(
            "doi:10.5555/coin.1,manifests/coin-v2.json,",
            "doi:10.5555/coin.1,manifests/coin.json,",
        )
    });
    // Other rows name coin-v2.json too: keep it for them.
    std::fs::copy(
        root.join("content/manifests/coin.json"),
        root.join("content/manifests/coin-v2.json"),
    )
    .unwrap();
    std::fs::remove_dir_all(root.join(".pidsite-cache")).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
    build_on("1795608000"); // 2026-11-25
    assert!(
        datacite().contains("<publicationYear>2025<"),
        "{}",
        datacite()
    );
    assert!(sitemap().contains(&entry), "{}", sitemap());
    let lock = std::fs::read_to_string(root.join("pidsite.lock")).unwrap();
    let table = lock
        .split("[[target]]")
        .find(|t| t.contains("pid = \"doi:10.5555/coin.1\""))
        .unwrap();
    assert!(table.contains("target = \"manifests/coin.json\""), "{lock}");
    assert!(
        table.contains("published = \"2025-11-25T12:00:00Z\""),
        "{lock}"
    );
    assert!(!table.contains("modified"), "{lock}");
}
