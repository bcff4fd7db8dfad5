//! The registry's rows: one test per kind of bad row, each checking the
//! exit code and the stderr line that names the file, the row and column,
//! and what was expected; aliases, moves, versions and PID spellings.

use predicates::prelude::*;

use crate::cli::{build_fails, edit, no_panic, pidsite, site};

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
            "error: content/registry.csv:8: expected UTF-8 text, found the byte 0xE9 (\"é\" in Windows-1252): the file looks like Windows-1252, as Excel's plain \"CSV\" on Windows saves it; save the registry as UTF-8, e.g. \"CSV UTF-8\" in Excel",
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

/// Issue 19: a symlink in content/manifests/ to a JSON file elsewhere on
/// the machine was published as the PID's `manifest.json`.
#[cfg(unix)]
#[test]
fn a_target_linked_out_of_the_site_is_refused() {
    let site = site();
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("secret.json");
    std::fs::copy(site.path().join("content/manifests/photo-v3.json"), &secret).unwrap();
    std::os::unix::fs::symlink(&secret, site.path().join("content/manifests/linked.json")).unwrap();
    // A link that stays inside the site is fine.
    std::os::unix::fs::symlink(
        "photo-v3.json",
        site.path().join("content/manifests/same.json"),
    )
    .unwrap();
    edit(site.path(), "content/registry.csv", |t| {
        t + "ark:/99999/fk4linked,manifests/linked.json,,,,,,,,,\n"
            + "ark:/99999/fk4same,manifests/same.json,,,,,,,,,\n"
    });
    let shown = secret.canonicalize().unwrap();
    build_fails(
        site.path(),
        &[&format!(
            "error: content/registry.csv:8: column \"target\": \"manifests/linked.json\" resolves through a symbolic link to {}, outside the site folder",
            shown.display()
        )],
    );
    let out = site.path().join("public");
    assert!(!out.join("ark/99999/fk4linked/manifest.json").exists());
    // Without the outside link, the inside one builds.
    edit(site.path(), "content/registry.csv", |t| {
        t.replace("ark:/99999/fk4linked,manifests/linked.json,,,,,,,,,\n", "")
    });
    pidsite(site.path()).arg("build").assert().success();
    assert!(out.join("ark/99999/fk4same/manifest.json").is_file());
}
