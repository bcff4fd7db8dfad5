//! The bulk export (issue 20, section 4): `export/records.csv` has one row
//! per published PID (withdrawn and moved ones with their status, as
//! DataCite keeps a tombstoned DOI; reserved ones are not published), `export/records.jsonl` each cited PID's `cite.json`
//! item, `export/datacite.zip` each DOI's `datacite.xml`; the home page and
//! the sitemap link them; and a rebuild that reads only the changed
//! manifest writes the same files as a full build.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use pidsite::{build, clock::BuildTime, BuildOptions, BuildReport, NoProgress};

const BASE: &str = "https://org.github.io/repo/";

fn run(site: &Path, out: &Path, full: bool) -> BuildReport {
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: Some(out.to_path_buf()),
            strict: true,
            full,
            offline: false,
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap()
}

/// The registry's PIDs that are published (not reserved), each once (a
/// PID with versions has a row per version), with their status: from
/// `content/registry.csv` and `content/registry/*.csv`.
fn published_pids(site: &Path) -> BTreeSet<(String, String)> {
    let mut files = vec![site.join("content/registry.csv")];
    for entry in std::fs::read_dir(site.join("content/registry")).unwrap() {
        files.push(entry.unwrap().path());
    }
    let mut out = BTreeSet::new();
    for file in files {
        let mut reader = csv::Reader::from_path(&file).unwrap();
        let headers = reader.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let (pid, status) = (col("pid").unwrap(), col("status"));
        for row in reader.records() {
            let row = row.unwrap();
            let status = match status.and_then(|s| row.get(s)).unwrap_or("") {
                "" => "active",
                s => s,
            };
            if status != "reserved" {
                let label = pidsite::model::pid::Pid::parse(&row[pid]).unwrap().label();
                out.insert((label, status.to_string()));
            }
        }
    }
    out
}

/// The site's path of an absolute URL.
fn local(url: &str) -> &str {
    url.strip_prefix(BASE).unwrap()
}

#[test]
fn the_export_holds_every_published_pid() {
    let site = common::copy_fixture("basic");
    // A minted PID that is not published yet: in no export file.
    common::append(
        site.path(),
        "content/registry.csv",
        "ark:99999/fk4later,manifests/photo-v3.json,reserved,,,,,,,,\n",
    );
    let out = site.path().join("public");
    run(site.path(), &out, true);

    // records.csv: the columns, and one row per published PID, in registry
    // order, withdrawn and moved ones with their status.
    let mut reader = csv::Reader::from_path(out.join("export/records.csv")).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, pidsite::render::bulk::COLUMNS);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let exported: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r[col("pid")].to_string(), r[col("status")].to_string()))
        .collect();
    assert_eq!(exported.len(), rows.len(), "a PID has one row");
    assert_eq!(exported, published_pids(site.path()));
    assert!(rows.iter().all(|r| r[col("landing_url")].starts_with(BASE)));
    let by_pid = |label: &str| {
        rows.iter()
            .find(|r| &r[col("pid")] == label)
            .unwrap_or_else(|| panic!("no row for {label}"))
    };
    let photo = by_pid("ark:99999/fk4photo");
    assert_eq!(&photo[col("aliases")], "ark:/99999/fk4old");
    assert_eq!(&photo[col("creators")], "Doe, Jane");
    assert_eq!(&photo[col("date")], "2019");
    // The registry's `graphic` is another name of `image`.
    assert_eq!(&photo[col("type")], "image");
    assert_eq!(&photo[col("iiif_type")], "Manifest");
    assert_eq!(
        &photo[col("resolver_url")],
        "https://n2t.net/ark:99999/fk4photo"
    );
    assert!(photo[col("manifest_url")].ends_with("ark/99999/fk4photo/manifest.json"));
    let gone = by_pid("ark:99999/fk4gone");
    assert_eq!(&gone[col("withdrawn_date")], "2025-01-31");
    assert_eq!(&gone[col("withdrawn_reason")], "Rights were not cleared.");
    assert_eq!(
        &gone[col("manifest_url")],
        "",
        "a withdrawn PID's manifest is not served"
    );
    let moved = by_pid("ark:99999/fk4moved");
    assert_eq!(&moved[col("replaced_by")], "doi:10.5555/coin.1");
    assert_eq!(&moved[col("title")], "");

    // records.jsonl: one line per PID with a citation (not moved), each the
    // item of its cite.json.
    let jsonl = std::fs::read_to_string(out.join("export/records.jsonl")).unwrap();
    let cited: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| &r[col("status")] != "moved")
        .collect();
    assert_eq!(jsonl.lines().count(), cited.len());
    for (line, row) in jsonl.lines().zip(&cited) {
        let item: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = out.join(local(&row[col("landing_url")])).join("cite.json");
        let cite: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(item, cite[0], "{}", file.display());
    }

    // datacite.zip: each DOI's record, as its page offers it, valid.
    let dois: Vec<&csv::StringRecord> = cited
        .iter()
        .copied()
        .filter(|r| r[col("pid")].starts_with("doi:"))
        .collect();
    assert!(!dois.is_empty());
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(out.join("export/datacite.zip")).unwrap())
            .unwrap();
    assert_eq!(zip.len(), dois.len());
    for row in dois {
        let name = format!("{}datacite.xml", local(&row[col("landing_url")]));
        let mut xml = String::new();
        zip.by_name(&name)
            .unwrap_or_else(|_| panic!("{name} is not in the zip"))
            .read_to_string(&mut xml)
            .unwrap();
        assert_eq!(xml, std::fs::read_to_string(out.join(&name)).unwrap());
        assert_valid_datacite(&xml, &row[col("pid")]["doi:".len()..]);
    }

    // The home page links the three files, and the sitemap lists them.
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    for file in ["records.csv", "records.jsonl", "datacite.zip"] {
        assert!(
            home.contains(&format!("href=\"/repo/export/{file}\"")),
            "{home}"
        );
        assert!(sitemap.contains(&format!("<loc>{BASE}export/{file}</loc>")));
    }
}

/// What the DataCite Metadata Schema 4 requires of a record (there is no
/// schema validator in the tests' reach: this checks the mandatory
/// properties, in the kernel-4 namespace, and the DOI).
fn assert_valid_datacite(xml: &str, doi: &str) {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "resource");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://datacite.org/schema/kernel-4")
    );
    let child = |name: &str| {
        root.children()
            .find(|n| n.tag_name().name() == name)
            .unwrap_or_else(|| panic!("no {name} in\n{xml}"))
    };
    let identifier = child("identifier");
    assert_eq!(identifier.attribute("identifierType"), Some("DOI"));
    // DOIs are case-insensitive; DataCite keeps them upper-cased.
    assert_eq!(
        identifier.text().map(str::to_uppercase),
        Some(doi.to_uppercase())
    );
    for (list, item) in [("creators", "creator"), ("titles", "title")] {
        assert!(
            child(list).children().any(|n| n.tag_name().name() == item),
            "no {item} in\n{xml}"
        );
    }
    assert!(!child("publisher").text().unwrap_or("").is_empty());
    let year = child("publicationYear").text().unwrap_or("");
    assert!(year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()));
    assert!(child("resourceType")
        .attribute("resourceTypeGeneral")
        .is_some());
}

/// A site without DOIs has no zip, and its home page offers none.
#[test]
fn a_site_without_dois_has_no_datacite_zip() {
    let site = common::copy_fixture("basic");
    let registry = site.path().join("content/registry.csv");
    let rows = std::fs::read_to_string(&registry).unwrap();
    let rows: String = rows
        .lines()
        .filter(|l| !l.contains("doi:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&registry, rows).unwrap();
    let out = site.path().join("public");
    run(site.path(), &out, true);
    assert!(out.join("export/records.csv").is_file());
    assert!(!out.join("export/datacite.zip").exists());
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!home.contains("datacite.zip"));
    assert!(home.contains("export/records.jsonl"));
}

/// A rebuild after one manifest changed renders its PIDs alone (the others'
/// records come from the build state, their manifests unread) and writes
/// the export files a full build writes: in the zip, the changed DOI's
/// record compressed anew, the unchanged one's copied from the last zip.
#[test]
fn a_rebuild_exports_what_a_full_build_exports() {
    let site = common::copy_fixture("basic");
    common::append(
        site.path(),
        "content/registry.csv",
        "doi:10.5555/photo.2,manifests/photo-v3.json,,,,,,,,,\n",
    );
    let out = site.path().join("public");
    run(site.path(), &out, true);
    let before = std::fs::read(out.join("export/records.csv")).unwrap();
    let manifest = site.path().join("content/manifests/photo-v3.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let label = "\"Picture of Göttingen";
    assert!(text.contains(label));
    std::fs::write(
        &manifest,
        text.replacen(label, "\"Rescanned: Picture of Göttingen", 1),
    )
    .unwrap();

    let report = run(site.path(), &out, false);
    assert!(report.incremental);
    assert_eq!(
        report.rendered, 2,
        "only the changed manifest's PIDs are rendered"
    );
    let clean = site.path().join("clean");
    run(site.path(), &clean, true);
    for file in pidsite::output::export::PATHS {
        let (rebuilt, full) = (
            std::fs::read(out.join(file)).unwrap(),
            std::fs::read(clean.join(file)).unwrap(),
        );
        assert!(rebuilt == full, "{file} differs from a full build's");
    }
    let after = std::fs::read(out.join("export/records.csv")).unwrap();
    assert_ne!(before, after);
    assert!(String::from_utf8(after).unwrap().contains("Rescanned: "));
}
