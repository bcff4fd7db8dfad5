//! Site-wide search (issue 20, section 1): the Pagefind index under
//! `pagefind/`, the search page, the browse pages per type, collection and
//! decade, the `[search] enabled` switch, and an incremental build that
//! indexes every PID, not only the ones it rendered again. What a visitor
//! does with them is in tests/browser/search.test.js.

mod common;

use std::path::Path;

use pidsite::{build, clock::BuildTime, BuildOptions, NoProgress};

fn run(site: &Path, out: &Path) {
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: Some(out.to_path_buf()),
            strict: true,
            full: false,
            offline: false,
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap();
}

fn read(out: &Path, file: &str) -> String {
    std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// How many pages `pagefind-entry.json` says the index holds.
fn indexed(out: &Path) -> u64 {
    let entry: serde_json::Value =
        serde_json::from_str(&read(out, "pagefind/pagefind-entry.json")).unwrap();
    entry["languages"]["en"]["page_count"].as_u64().unwrap()
}

/// Landing pages and tombstones: the PIDs with a list item on the home page.
fn listed(out: &Path) -> u64 {
    read(out, "index.html").matches("<li class=\"card").count() as u64
}

#[test]
fn the_index_holds_every_listed_pid_and_the_browse_pages_list_them() {
    let site = common::copy_fixture("basic");
    let out = site.path().join("public");
    run(site.path(), &out);
    for file in [
        "pagefind/pagefind.js",
        "pagefind/pagefind-worker.js",
        "search/index.html",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    // Pagefind's own UI bundles are not published: the search page has its own.
    assert!(!out.join("pagefind/pagefind-ui.js").exists());
    assert_eq!(indexed(&out), listed(&out));
    // Browse pages: one per type (from the IIIF), per decade (from the
    // registry's date 2019), linked from browse/ and in the sitemap.
    let browse = read(&out, "browse/index.html");
    assert!(browse.contains("/repo/browse/type/manifest/"), "{browse}");
    assert!(browse.contains("/repo/browse/decade/2010s/"), "{browse}");
    let decade = read(&out, "browse/decade/2010s/index.html");
    assert!(decade.contains("ark:99999/fk4photo"), "{decade}");
    let sitemap = read(&out, "sitemap.xml");
    for url in ["repo/search/", "repo/browse/", "repo/browse/decade/2010s/"] {
        assert!(
            sitemap.contains(&format!("https://org.github.io/{url}<")),
            "{url}"
        );
    }
    // Every page has the search box, and its no-JS link to browse/.
    let home = read(&out, "index.html");
    assert!(home.contains("action=\"/repo/search/\""));
    assert!(home.contains("href=\"/repo/browse/\""));
}

#[test]
fn search_off_leaves_out_the_index_the_box_and_the_pages() {
    let site = common::copy_fixture("basic");
    let toml = site.path().join("site.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[search]\nenabled = false\n");
    std::fs::write(&toml, text).unwrap();
    let out = site.path().join("public");
    run(site.path(), &out);
    for file in ["pagefind", "search", "browse"] {
        assert!(!out.join(file).exists(), "{file}");
    }
    let home = read(&out, "index.html");
    assert!(!home.contains("site-search") && !home.contains("/repo/browse/"));
    assert!(!read(&out, "sitemap.xml").contains("/browse/"));
}

#[test]
fn an_incremental_build_indexes_the_pids_it_did_not_render_again() {
    let site = common::copy_fixture("basic");
    let out = site.path().join("public");
    run(site.path(), &out);
    let full = indexed(&out);
    let csv = site.path().join("content/registry.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replacen("\"Doe, Jane\"", "\"Doe, Janet\"", 1)).unwrap();
    run(site.path(), &out);
    assert_eq!(indexed(&out), full);
    assert!(out.join("browse/type/manifest/index.html").is_file());
}

/// Every file under `pagefind/` with its inode: a file written again gets a
/// new one, a file kept from the last build (linked) keeps it.
fn index_files(out: &Path) -> std::collections::BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(out.join("pagefind"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(out).unwrap().display().to_string();
            (rel, e.metadata().unwrap().ino())
        })
        .collect()
}

/// Making the index is most of what search costs a build, and Pagefind
/// cannot update one: a rebuild that changes no PID's record keeps
/// `pagefind/` as it was, and one that changes a PID's title writes the
/// entry file and that PID's chunks but keeps the other PIDs' fragments.
#[test]
fn a_rebuild_keeps_the_index_files_it_would_make_the_same() {
    let site = common::copy_fixture("basic");
    let out = site.path().join("public");
    run(site.path(), &out);
    let first = index_files(&out);
    let fragments = first.keys().filter(|f| f.contains("/fragment/")).count();
    assert!(fragments > 2, "{first:?}");
    run(site.path(), &out);
    assert_eq!(index_files(&out), first, "a rebuild with nothing changed");
    let csv = site.path().join("content/registry.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replacen("\"Doe, Jane\"", "\"Doe, Janet\"", 1)).unwrap();
    run(site.path(), &out);
    let after = index_files(&out);
    let kept = after.iter().filter(|(f, ino)| first.get(*f) == Some(*ino));
    let kept_fragments = kept.filter(|(f, _)| f.contains("/fragment/")).count();
    assert_eq!(kept_fragments, fragments - 1, "one PID's fragment is new");
    assert_ne!(
        after["pagefind/pagefind-entry.json"], first["pagefind/pagefind-entry.json"],
        "the entry file is written again"
    );
    assert!(read(&out, "pagefind/pagefind-entry.json").contains("page_count"));
}
