//! Golden-output tests: build copies of the fixture sites in tests/fixtures/ and
//! compare each page type with its reviewed snapshot (tests/snapshots/).
//! HTML pages are compared from `<main>` on, or whole where the head is
//! what is under test (landing page, redirect stub).

mod common;

use std::path::{Path, PathBuf};

use pidsite::{build, clock::BuildTime, BuildOptions, NoProgress};

/// Build a copy of `tests/fixtures/<name>` (a build rewrites the site's
/// `pidsite.lock`, which the repository tracks) into its `public/`.
fn build_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let site = common::copy_fixture(name);
    let public = site.path().join("public");
    build(
        &BuildOptions {
            site_dir: site.path().to_path_buf(),
            out_dir: Some(public.clone()),
            strict: true,
            full: false,
            offline: false,
            // Dates the build writes (DataCite publicationYear, lastmod,
            // feeds) come from a fixed clock, as a reproducible build's.
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap();
    (site, public)
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn main_part(html: &str) -> String {
    let start = html.find("<main").expect("page has <main>");
    let end = html.find("</main>").expect("page has </main>") + "</main>".len();
    html[start..end].to_string()
}

#[test]
fn basic_site() {
    let (_tmp, out) = build_fixture("basic");
    let s = |rel: &str| read(&out, rel);
    insta::assert_snapshot!("landing_v3", s("ark/99999/fk4photo/index.html"));
    insta::assert_snapshot!(
        "landing_v2_doi",
        main_part(&s("doi/10.5555/coin.1/index.html"))
    );
    insta::assert_snapshot!(
        "landing_collection",
        main_part(&s("hdl/20.500.99999/maps/index.html"))
    );
    insta::assert_snapshot!(
        "landing_annotation",
        main_part(&s("id/comment-1/index.html"))
    );
    insta::assert_snapshot!("tombstone", s("ark/99999/fk4gone/index.html"));
    // Standalone Range and Canvas documents: pages that open the manifest
    // they belong to at their canvas.
    insta::assert_snapshot!(
        "landing_range",
        main_part(&s("ark/99999/fk4range/index.html"))
    );
    insta::assert_snapshot!(
        "landing_canvas",
        main_part(&s("ark/99999/fk4canvas/index.html"))
    );
    // A PID with two versions: its page shows the current one with the
    // history; each version keeps a page of its own.
    insta::assert_snapshot!(
        "versioned_current",
        main_part(&s("ark/99999/fk4coin/index.html"))
    );
    insta::assert_snapshot!("version_1", s("ark/99999/fk4coin/v1/index.html"));
    insta::assert_snapshot!("version_1_cite_bib", s("ark/99999/fk4coin/v1/cite.bib"));
    assert!(out.join("ark/99999/fk4coin/v2/manifest.json").is_file());
    insta::assert_snapshot!("stub_moved", s("ark/99999/fk4moved/index.html"));
    insta::assert_snapshot!("stub_alias", s("ark/99999/fk4old/index.html"));
    insta::assert_snapshot!("index", main_part(&s("index.html")));
    insta::assert_snapshot!("page_about", main_part(&s("about/index.html")));
    insta::assert_snapshot!("not_found", main_part(&s("404.html")));
    insta::assert_snapshot!("pids_csv", s("pids.csv"));
    insta::assert_snapshot!("sitemap", s("sitemap.xml"));
    insta::assert_snapshot!("robots", s("robots.txt"));
    insta::assert_snapshot!("redirects_netlify", s("_redirects"));
    insta::assert_snapshot!("redirects_apache", s(".htaccess"));
    insta::assert_snapshot!("redirects_nginx", s("pidsite-redirects.map"));
    insta::assert_snapshot!("cite_bib", s("ark/99999/fk4photo/cite.bib"));
    insta::assert_snapshot!("cite_json", s("ark/99999/fk4photo/cite.json"));
    insta::assert_snapshot!("cite_ris", s("ark/99999/fk4photo/cite.ris"));
    insta::assert_snapshot!("linkset", s("ark/99999/fk4photo/linkset.json"));
    insta::assert_snapshot!("datacite_xml", s("doi/10.5555/coin.1/datacite.xml"));
    insta::assert_snapshot!("linkset_site", s("linkset.json"));
    insta::assert_snapshot!("feed", s("feed.xml"));
    insta::assert_snapshot!("activity_collection", s("activity/all-changes.json"));
    insta::assert_snapshot!("activity_page", s("activity/page-0.json"));
    assert!(out.join(".nojekyll").is_file());
    assert!(out.join("css/pidsite.css").is_file());
    assert!(out.join("vendor/mirador-4.0.0/mirador.min.js").is_file());
    // The site's manifest copy carries the PID (homepage + metadata) and
    // is otherwise the original, in the original key order.
    let enriched: serde_json::Value =
        serde_json::from_str(&s("ark/99999/fk4photo/manifest.json")).unwrap();
    let original: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/basic/content/manifests/photo-v3.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let (e, o) = (enriched.as_object().unwrap(), original.as_object().unwrap());
    for (key, value) in o {
        if key != "homepage" && key != "metadata" {
            assert_eq!(e.get(key), Some(value), "{key} changed");
        }
    }
    let keys: Vec<&String> = e.keys().take(o.len()).collect();
    assert_eq!(keys, o.keys().collect::<Vec<_>>(), "key order changed");
    insta::assert_snapshot!("manifest_enriched", s("ark/99999/fk4photo/manifest.json"));
    insta::assert_snapshot!(
        "manifest_enriched_v2",
        s("doi/10.5555/coin.1/manifest.json")
    );
}

#[test]
fn hostile_site() {
    let (_tmp, out) = build_fixture("hostile");
    let s = |rel: &str| main_part(&read(&out, rel));
    insta::assert_snapshot!("hostile_v3", s("ark/99999/fk4evil3/index.html"));
    insta::assert_snapshot!("hostile_v2", s("ark/99999/fk4evil2/index.html"));
    insta::assert_snapshot!("hostile_collection", s("ark/99999/fk4evilcoll/index.html"));
    insta::assert_snapshot!("hostile_annotations", s("ark/99999/fk4evilanno/index.html"));
    insta::assert_snapshot!(
        "hostile_canvas_region",
        s("ark/99999/fk4evilcanvas/index.html")
    );
}

/// Issue 18: a site's redirect rules (OBO Foundry's test2 example, read
/// from its YAML) after the PIDs' lines of each host's export, and the
/// 404 page running them before the near-miss lookup.
#[test]
fn purl_rules_site() {
    let (_tmp, out) = build_fixture("purl");
    let s = |rel: &str| read(&out, rel);
    insta::assert_snapshot!("rules_netlify", s("_redirects"));
    insta::assert_snapshot!("rules_apache", s(".htaccess"));
    insta::assert_snapshot!("rules_nginx", s("pidsite-redirects.map"));
    let script = s("redirect-rules.js");
    let data = script.lines().next().unwrap();
    insta::assert_snapshot!("rules_script_data", data);
    let page = s("404.html");
    let scripts: Vec<&str> = page
        .lines()
        .filter(|l| l.contains("<script src="))
        .collect();
    insta::assert_snapshot!("rules_404_scripts", scripts.join("\n"));
}

#[test]
fn every_internal_link_is_under_the_base_path() {
    let (_tmp, out) = build_fixture("basic");
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        for attr in ["href=\"/", "src=\"/", "url=/"] {
            for (i, _) in html.match_indices(attr) {
                let rest = &html[i + attr.len() - 1..];
                assert!(
                    rest.starts_with("/repo/"),
                    "{}: link outside the base path: {}",
                    entry.path().display(),
                    &rest[..rest.len().min(60)]
                );
            }
        }
    }
}
