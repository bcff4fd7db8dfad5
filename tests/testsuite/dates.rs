//! The dates a build writes (sitemap `lastmod`, DataCite, feed, Change
//! Discovery), kept in `pidsite.lock` across builds, lost caches and
//! renamed files.

use std::path::{Path, PathBuf};

use crate::cli::{edit, no_panic, pidsite, site};

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
