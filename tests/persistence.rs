//! The persistence promise: every URL a build published keeps answering
//! after the registry changes (a new version, a withdrawal, a move, a
//! renamed manifest file, new aliases), with a page, a redirect stub or a
//! tombstone.

mod common;

use std::path::Path;

use pidsite::{build, BuildOptions, NoProgress};

const BASE: &str = "https://org.github.io/repo/";

fn copy_fixture() -> tempfile::TempDir {
    common::copy_fixture("basic")
}

fn run(site: &Path, out: &Path, full: bool) {
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: Some(out.to_path_buf()),
            strict: true,
            full,
            offline: false,
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("build failed: {e}"));
}

/// Every URL of `pids.csv` and `sitemap.xml`.
fn published(out: &Path) -> Vec<String> {
    let mut urls = Vec::new();
    let csv = std::fs::read_to_string(out.join("pids.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for row in reader.records() {
        urls.push(row.unwrap()[1].to_string());
    }
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    for part in sitemap.split("<loc>").skip(1) {
        urls.push(part.split("</loc>").next().unwrap().to_string());
    }
    urls.sort();
    urls.dedup();
    urls
}

/// What answers at `url` in `out`: "page", "stub", "tombstone", or none.
fn answer(out: &Path, url: &str) -> Option<&'static str> {
    let rel = url
        .strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{url} is not under {BASE}"));
    let mut file = out.join(rel);
    if rel.is_empty() || rel.ends_with('/') {
        file.push("index.html");
    }
    let html = std::fs::read_to_string(file).ok()?;
    Some(if html.contains("http-equiv=\"refresh\"") {
        "stub"
    } else if html.contains("noindex") && html.contains("withdrawn") {
        "tombstone"
    } else {
        "page"
    })
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

#[test]
fn every_published_url_still_answers_after_the_registry_changes() {
    let site = copy_fixture();
    let out = site.path().join("public");
    run(site.path(), &out, false);
    let first = published(&out);
    assert!(first.len() >= 8, "{first:?}");
    eprintln!(
        "persistence: {} URLs of the first build's pids.csv and sitemap",
        first.len()
    );
    for url in &first {
        assert!(
            answer(&out, url).is_some(),
            "{url} does not answer in the first build"
        );
    }

    let registry = site.path().join("content/registry.csv");
    let manifests = site.path().join("content/manifests");
    // Rename a manifest file and point its PID at the new name.
    std::fs::rename(
        manifests.join("comment.json"),
        manifests.join("comment-renamed.json"),
    )
    .unwrap();
    edit(&registry, |t| {
        t.replace("manifests/comment.json", "manifests/comment-renamed.json")
            // Withdraw the DOI.
            .replace(
                "doi:10.5555/coin.1,manifests/coin-v2.json,,,,",
                "doi:10.5555/coin.1,manifests/coin-v2.json,withdrawn,,,",
            )
            // Move the Handle to the ARK, and give the ARK another alias.
            .replace(
                "hdl:20.500.99999/maps,manifests/maps-collection.json,,,",
                "hdl:20.500.99999/maps,,moved,ark:/99999/fk4photo,",
            )
            .replace(
                ",ark:/99999/fk4old,",
                ",ark:/99999/fk4old;ark:99999/fk4older,",
            )
    });
    edit(&registry, |t| {
        t.replace(
            "doi:10.5555/coin.1,manifests/coin-v2.json,withdrawn,,,,,,graphic,,",
            "doi:10.5555/coin.1,manifests/coin-v2.json,withdrawn,,,,,,graphic,2026-11-24,Duplicate record.",
        ) + "ark:99999/fk4new,manifests/maps-collection.json,,,,,,,collection,,\n"
    });
    // A second version of a PID that had one, and a third of one that had
    // two.
    edit(&site.path().join("content/registry/versions.csv"), |t| {
        t + "ark:/99999/fk4photo,manifests/coin-v2-rescan.json,graphic,2,2026-11-25,Re-imaged.\n"
            + "ark:/99999/fk4coin,manifests/photo-v3.json,graphic,3,2026-11-25,Replaced.\n"
    });

    // Incremental and clean builds must both keep the promise.
    for full in [false, true] {
        run(site.path(), &out, full);
        for url in &first {
            assert!(
                answer(&out, url).is_some(),
                "{url} stopped answering (full build: {full})"
            );
        }
        assert_eq!(
            answer(&out, &format!("{BASE}doi/10.5555/coin.1/")),
            Some("tombstone")
        );
        assert_eq!(
            answer(&out, &format!("{BASE}hdl/20.500.99999/maps/")),
            Some("stub")
        );
        assert_eq!(
            answer(&out, &format!("{BASE}ark/99999/fk4older/")),
            Some("stub")
        );
        assert_eq!(
            answer(&out, &format!("{BASE}ark/99999/fk4new/")),
            Some("page")
        );
        for v in ["fk4photo/v1/", "fk4photo/v2/", "fk4coin/v3/"] {
            assert_eq!(answer(&out, &format!("{BASE}ark/99999/{v}")), Some("page"));
        }
    }
}
