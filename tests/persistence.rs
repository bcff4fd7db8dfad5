//! The persistence promise: every URL a build published keeps answering
//! after the registry changes (a new version, a withdrawal, a move, a
//! renamed manifest file, new aliases), with a page, a redirect stub or a
//! tombstone.

mod common;

use std::path::Path;

use pidsite::{build, clock::BuildTime, BuildOptions, NoProgress};

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
            // The fixture's undated PIDs are dated by the build clock: fix
            // it, so that incremental and clean site-wide files compare.
            time: Some(BuildTime::at_second(1_764_072_000)),
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
        let url = part.split("</loc>").next().unwrap();
        // Browse pages come and go with their values (a decade whose only
        // PID is withdrawn has no page), as a Hugo taxonomy term's do: they
        // are a way in, not a name anyone cites.
        if !url.contains("/browse/") {
            urls.push(url.to_string());
        }
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
    // Not every published file is text (the bulk export's zip).
    let html = String::from_utf8_lossy(&std::fs::read(file).ok()?).into_owned();
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

/// Every file under `dir`, relative to it, with its bytes.
fn files_under(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Issue 16, point 3: withdrawing a PID that had versions withdraws every
/// copy of it. UCLA Library's poster manifest (Presentation 2, then its
/// Presentation 3 twin) is published as versions 1 and 2 of an ARK; then
/// the ARK is withdrawn. Rebuilt incrementally and from clean, the PID's
/// folder holds only the tombstone, its citation files and the version
/// stubs, and no file of it names a manifest, an image or a thumbnail.
#[test]
fn a_withdrawn_pid_with_versions_leaves_only_its_tombstone() {
    let site = copy_fixture();
    let out = site.path().join("public");
    let versions = site.path().join("content/registry/versions.csv");
    let rows = |status: &str| {
        format!(
            "ark:/99999/fk4poster,manifests/ucla-poster-v2.json,graphic,1,2019-06-12,Presentation 2.{status}\n\
             ark:/99999/fk4poster,manifests/ucla-poster-v3.json,graphic,2,2024-05-20,Presentation 3.{status}\n"
        )
    };
    let registry = std::fs::read_to_string(&versions).unwrap();
    // The versions file has no status columns: add them.
    let header = "pid,target,resource_type,version,version_date,version_note";
    let with_status = format!("{header},status,withdrawn_date,withdrawn_reason");
    let body = registry.strip_prefix(header).unwrap();
    let body: String = body
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| format!("{l},,,\n"))
        .collect();
    std::fs::write(&versions, format!("{with_status}\n{body}{}", rows(",,,"))).unwrap();
    run(site.path(), &out, false);
    let folder = out.join("ark/99999/fk4poster");
    let before = files_under(&folder);
    // Published while active: the copies and the thumbnail are there.
    for f in ["manifest.json", "v1/manifest.json", "v2/manifest.json"] {
        assert!(before.contains_key(f), "{f} missing before the withdrawal");
    }
    let landing = String::from_utf8(before["index.html"].clone()).unwrap();
    assert!(landing.contains("iiif.library.ucla.edu"), "no thumbnail");

    std::fs::write(
        &versions,
        format!(
            "{with_status}\n{body}{}",
            rows(",withdrawn,2026-11-20,Rights not cleared.")
        ),
    )
    .unwrap();
    run(site.path(), &out, false);
    let incremental = files_under(&folder);
    let incremental_site = files_under(&out);
    run(site.path(), &out, true);
    let clean = files_under(&folder);
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        clean.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &incremental {
        assert!(bytes == &clean[name], "{name} differs from a clean build");
    }
    assert_eq!(
        clean.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "cite.bib",
            "cite.json",
            "cite.ris",
            "index.html",
            "linkset.json",
            "v1/index.html",
            "v2/index.html",
        ]
    );
    // Nothing names what was withdrawn: no copy, no manifest URL (the
    // site's or UCLA's), no image or thumbnail.
    for (name, bytes) in &clean {
        let text = String::from_utf8_lossy(bytes);
        for gone in [
            "manifest.json",
            "iiif.library.ucla.edu",
            "cloudfront.net",
            "\"item\"",
            "rel=\"item\"",
            "subjectOf",
            "<img",
        ] {
            assert!(!text.contains(gone), "{name} still names {gone}");
        }
    }
    let tombstone = String::from_utf8(clean["index.html"].clone()).unwrap();
    for said in [
        "2026-11-20",
        "Rights not cleared.",
        "410 Gone",
        "creativeWorkStatus",
        "ملصق لمعرض نُصب تذكارية مقارنة",
    ] {
        assert!(
            tombstone.contains(said),
            "the tombstone does not say {said}"
        );
    }
    for v in ["v1/", "v2/"] {
        assert_eq!(
            answer(&out, &format!("{BASE}ark/99999/fk4poster/{v}")),
            Some("stub")
        );
    }
    assert_eq!(
        answer(&out, &format!("{BASE}ark/99999/fk4poster/")),
        Some("tombstone")
    );

    // The site-wide outputs agree, incremental or clean.
    let site_files = files_under(&out);
    for name in [
        "sitemap.xml",
        "pids.csv",
        "linkset.json",
        "activity/page-0.json",
        "feed.xml",
        "_redirects",
    ] {
        assert!(
            incremental_site[name] == site_files[name],
            "{name} differs from a clean build"
        );
    }
    let text = |name: &str| String::from_utf8(site_files[name].clone()).unwrap();
    assert!(!text("sitemap.xml").contains("fk4poster"));
    let pids = text("pids.csv");
    let rows: Vec<&str> = pids.lines().filter(|l| l.contains("fk4poster")).collect();
    assert_eq!(
        rows,
        [
            format!("ark:99999/fk4poster,{BASE}ark/99999/fk4poster/,withdrawn"),
            format!("ark:99999/fk4poster,{BASE}ark/99999/fk4poster/v1/,withdrawn"),
            format!("ark:99999/fk4poster,{BASE}ark/99999/fk4poster/v2/,withdrawn"),
        ]
    );
    let linkset: serde_json::Value = serde_json::from_str(&text("linkset.json")).unwrap();
    let context = linkset["linkset"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["anchor"] == format!("{BASE}ark/99999/fk4poster/"))
        .expect("the tombstone is in the site-wide linkset");
    assert!(context.get("item").is_none(), "{context}");
    // Change Discovery: each copy that was announced is deleted, at the
    // withdrawal's date.
    let activities: serde_json::Value =
        serde_json::from_str(&text("activity/page-0.json")).unwrap();
    let mut deleted: Vec<&str> = activities["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"] == "Delete")
        .filter(|a| a["endTime"] == "2026-11-20T00:00:00Z")
        .map(|a| a["object"]["id"].as_str().unwrap())
        .filter(|id| id.contains("fk4poster"))
        .collect();
    deleted.sort_unstable();
    assert_eq!(
        deleted,
        [
            format!("{BASE}ark/99999/fk4poster/manifest.json"),
            format!("{BASE}ark/99999/fk4poster/v1/manifest.json"),
            format!("{BASE}ark/99999/fk4poster/v2/manifest.json"),
        ]
    );
    // Hosts that answer with status codes say 410 at every address of it.
    let redirects = text("_redirects");
    for v in ["", "v1/", "v2/"] {
        assert!(
            redirects.contains(&format!(
                "/repo/ark/99999/fk4poster/{v}index.html  /repo/ark/99999/fk4poster/index.html  410!"
            )) || v.is_empty(),
            "{redirects}"
        );
        assert!(
            redirects.contains(&format!(
                "/repo/ark/99999/fk4poster/{v}  /repo/ark/99999/fk4poster/index.html  410!"
            )),
            "{v}: {redirects}"
        );
    }
}

/// Issue 16, point 3: a withdrawn DOI's DataCite record is the tombstone
/// record DataCite keeps for a DOI that cannot be deleted: the mandatory
/// properties, the withdrawal date and reason, the tombstone's URL, and
/// nothing that points at the withdrawn manifest (Stanford's coin, from
/// the corpus).
#[test]
fn a_withdrawn_doi_keeps_only_the_minimal_datacite_record() {
    let site = copy_fixture();
    let out = site.path().join("public");
    let registry = site.path().join("content/registry.csv");
    edit(&registry, |t| {
        t.replace(
            "doi:10.5555/coin.1,manifests/coin-v2.json,,,,,,,graphic,,",
            "doi:10.5555/coin.1,manifests/coin-v2.json,withdrawn,,,,,,graphic,2026-11-24,Duplicate record.",
        )
    });
    run(site.path(), &out, true);
    let folder = out.join("doi/10.5555/coin.1");
    let xml = std::fs::read_to_string(folder.join("datacite.xml")).unwrap();
    let elements: Vec<&str> = xml
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('<') && !l.starts_with("</") && !l.starts_with("<?"))
        .map(|l| l[1..].split([' ', '>', '/']).next().unwrap())
        .collect();
    assert_eq!(
        elements,
        [
            "resource",
            "identifier",
            "creators",
            "creator",
            "titles",
            "title",
            "publisher",
            "publicationYear",
            "resourceType",
            "dates",
            "date",
            "alternateIdentifiers",
            "alternateIdentifier",
            "descriptions",
            "description",
        ],
        "{xml}"
    );
    assert!(xml.contains("<date dateType=\"Withdrawn\">2026-11-24</date>"));
    assert!(xml.contains(&format!(
        "<alternateIdentifier alternateIdentifierType=\"URL\">{BASE}doi/10.5555/coin.1/</alternateIdentifier>"
    )));
    assert!(xml.contains(
        "<description descriptionType=\"Other\">Withdrawn on 2026-11-24: Duplicate record.</description>"
    ));
    assert!(!xml.contains("manifest"), "{xml}");
    // The tombstone offers it with the citation files, and no manifest.
    let tombstone = std::fs::read_to_string(folder.join("index.html")).unwrap();
    assert!(tombstone.contains("datacite.xml"));
    assert!(!folder.join("manifest.json").exists());
}

/// One withdrawn version of an active PID (Stanford's coin, the corpus's
/// first photographs) is withdrawn alone: its page becomes a tombstone with
/// no copy, answered 410, listed as withdrawn, its copy deleted in Change
/// Discovery; the PID and its other version stay published.
#[test]
fn one_withdrawn_version_is_withdrawn_alone() {
    let site = copy_fixture();
    let out = site.path().join("public");
    let versions = site.path().join("content/registry/versions.csv");
    edit(&versions, |t| {
        t.replace(
            "pid,target,resource_type,version,version_date,version_note",
            "pid,target,resource_type,version,version_date,version_note,status,withdrawn_date",
        )
        .replace(
            "First photographs.",
            "First photographs.,withdrawn,2025-03-01",
        )
        .replace("weight added.", "weight added.,,")
    });
    run(site.path(), &out, true);
    let coin = out.join("ark/99999/fk4coin");
    assert!(!coin.join("v1/manifest.json").exists());
    assert!(coin.join("v2/manifest.json").exists());
    assert!(coin.join("manifest.json").exists());
    assert_eq!(
        answer(&out, &format!("{BASE}ark/99999/fk4coin/v1/")),
        Some("tombstone")
    );
    assert_eq!(
        answer(&out, &format!("{BASE}ark/99999/fk4coin/v2/")),
        Some("page")
    );
    let pids = std::fs::read_to_string(out.join("pids.csv")).unwrap();
    assert!(pids.contains(&format!(
        "ark:99999/fk4coin,{BASE}ark/99999/fk4coin/v1/,withdrawn\n"
    )));
    assert!(pids.contains(&format!(
        "ark:99999/fk4coin,{BASE}ark/99999/fk4coin/v2/,version\n"
    )));
    let redirects = std::fs::read_to_string(out.join("_redirects")).unwrap();
    assert!(redirects
        .contains("/repo/ark/99999/fk4coin/v1/  /repo/ark/99999/fk4coin/v1/index.html  410!"));
    let activities = std::fs::read_to_string(out.join("activity/page-0.json")).unwrap();
    let activities: serde_json::Value = serde_json::from_str(&activities).unwrap();
    let deletes: Vec<(&str, &str)> = activities["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"] == "Delete")
        .map(|a| {
            (
                a["object"]["id"].as_str().unwrap(),
                a["endTime"].as_str().unwrap(),
            )
        })
        .filter(|(id, _)| id.contains("fk4coin"))
        .collect();
    assert_eq!(
        deletes,
        [(
            format!("{BASE}ark/99999/fk4coin/v1/manifest.json").as_str(),
            "2025-03-01T00:00:00Z"
        )]
    );
}
