//! Registries as institutions keep them (issue 18, section 1): UCLA's real
//! ARK spreadsheets (tests/fixtures/registries, unchanged) build with a
//! `[registry]` section of site.toml alone, and every bad shape of such a
//! file is an error naming the file and line, all of them in one run.

use std::path::Path;

use predicates::prelude::*;

use crate::cli::{build_fails, no_panic, pidsite};

/// The issue's snippet, word for word.
const ISSUE_SNIPPET: &str = r#"
[registry]
file = "content/ucla-export.csv"       # csv, tsv or json
delimiter = "auto"                       # or ",", ";", "\t"
multi_value_separator = "|~|"
ignore_unknown_columns = true            # listed once, as a note

[registry.columns]                       # pidsite column = the file's header (matched trimmed, case-insensitive)
pid = "Item ARK"
target = "IIIF Manifest URL"      # or a template, below
title = "Title"
type = "Object Type"

[registry.values.type]                   # map the file's values; "skip" drops the row
Work = "Manifest"
Collection = "Collection"
Page = "skip"
"#;

/// Where the manifests of UCLA's works are, for the files that hold no
/// manifest URL.
const UCLA_TEMPLATE: &str = "https://iiif.library.ucla.edu/{Item ARK|urlencode}/manifest";

/// A site whose registry is the fixture `file` (copied as
/// content/ucla-export.csv, byte for byte) with `registry` as site.toml's
/// `[registry]` section.
fn site_with(file: &str, registry: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registries");
    std::fs::create_dir_all(dir.path().join("content/iiif")).unwrap();
    std::fs::copy(
        fixtures.join(file),
        dir.path().join("content/ucla-export.csv"),
    )
    .unwrap();
    for entry in std::fs::read_dir(fixtures.join("iiif")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            dir.path()
                .join("content/iiif")
                .join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("site.toml"),
        format!(
            "base_url = \"https://example.org/\"\ntitle = \"UCLA\"\nminify = false\n{registry}"
        ),
    )
    .unwrap();
    dir
}

/// The PIDs of the built site, from its pids.csv.
fn built_pids(site: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(site.join("public/pids.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}

/// `pidsite build --offline` succeeds (remote targets are warnings).
fn build_offline(site: &Path) -> String {
    let out = pidsite(site)
        .args(["build", "--offline"])
        .assert()
        .success()
        .stderr(no_panic())
        .get_output()
        .clone();
    String::from_utf8(out.stderr).unwrap()
}

/// The mapping for a UCLA file: its ARK, title and type, and the target
/// given (a header or a template).
fn ucla_mapping(target: &str) -> String {
    format!(
        "[registry]\nfile = \"content/ucla-export.csv\"\nmulti_value_separator = \"|~|\"\nignore_unknown_columns = true\n\
         [registry.columns]\npid = \"Item ARK\"\ntarget = {target:?}\ntitle = \"Title\"\ntype = \"Object Type\"\n\
         [registry.values.type]\nWork = \"Manifest\"\nPage = \"skip\"\n"
    )
}

#[test]
fn every_ucla_spreadsheet_builds_with_a_site_toml_mapping_alone() {
    // (file, target, PIDs): the rows with an Item ARK, Page rows skipped.
    for (file, target, pids) in [
        ("ucla-fester__blankline.csv", UCLA_TEMPLATE, 1),
        ("ucla-fester__capostcards.csv", UCLA_TEMPLATE, 21),
        ("ucla-fester__hathaway_iiif_ark.csv", UCLA_TEMPLATE, 25),
        (
            "ucla-fester__headers_whitespace.csv",
            "IIIF Manifest URL",
            5,
        ),
        (
            "ucla-fester__minasian_batch5_works.csv",
            "IIIF Manifest URL",
            5,
        ),
        ("ucla-fester__sinai-works.csv", "IIIF Manifest URL", 13),
    ] {
        let site = site_with(file, &ucla_mapping(target));
        let stderr = build_offline(site.path());
        assert_eq!(built_pids(site.path()).len(), pids, "{file}: {stderr}");
        // The unused columns are one note, not an error per column.
        assert_eq!(
            stderr.matches("note: content/ucla-export.csv:").count(),
            1,
            "{file}: {stderr}"
        );
        assert!(stderr.contains("--offline was given"), "{file}: {stderr}");
    }
}

#[test]
fn headers_with_padding_and_tabs_map_with_the_issue_snippet() {
    // "\tObject Type", "\t\tTitle  ", " Item ARK": matched trimmed.
    let site = site_with("ucla-fester__headers_whitespace.csv", ISSUE_SNIPPET);
    build_offline(site.path());
    assert_eq!(
        built_pids(site.path()),
        [
            "ark:21198/zz0009gsq9",
            "ark:21198/zz0009gv8j",
            "ark:21198/zz000bjdtv",
            "ark:21198/zz000bjfhp",
            "ark:21198/zz000bjfj6"
        ]
    );
    let page = std::fs::read_to_string(site.path().join("public/ark/21198/zz0009gv8j/index.html"))
        .unwrap();
    assert!(page.contains("Hathaway 1"), "the mapped title");
}

#[test]
fn hathaway_builds_from_a_target_template_with_local_copies_first() {
    // No manifest column: a template makes each target. The corpus holds
    // the collection and two works: their local copies come first.
    let registry = ucla_mapping("X").replace(
        "target = \"X\"",
        &format!("target = [\"iiif/{{Item ARK|slug}}.json\", {UCLA_TEMPLATE:?}]"),
    ) + "[registry.metadata]\n\"Place of origin\" = \"Place of origin\"\nDate = \"Date.creation\"\n";
    let site = site_with("ucla-fester__hathaway_iiif_ark.csv", &registry);
    let stderr = build_offline(site.path());
    let pids = built_pids(site.path());
    assert_eq!(pids.len(), 25, "the collection and 24 works, no Page row");
    assert_eq!(pids[0], "ark:21198/zz0009gsq9");
    assert!(
        !pids.iter().any(|p| p == "ark:21198/zz0009s7hh"),
        "a Page row"
    );
    // 22 works are remote (offline: a warning each); the three local ones
    // are not.
    assert_eq!(
        stderr.matches("--offline was given").count(),
        22,
        "{stderr}"
    );
    let page = |ark: &str| {
        std::fs::read_to_string(
            site.path()
                .join(format!("public/ark/21198/{ark}/index.html")),
        )
        .unwrap()
    };
    // Full landing pages from the IIIF: the collection lists its members,
    // the work has its viewer and manifest copy.
    let collection = page("zz0009gsq9");
    assert!(collection.contains("In this collection"), "{collection}");
    assert!(!collection.contains("built from the registry alone"));
    assert!(site
        .path()
        .join("public/ark/21198/zz000bjdtv/manifest.json")
        .is_file());
    assert!(page("zz000bjdtv").contains("viewer"));
    // A remote work is built from the registry alone.
    assert!(!site
        .path()
        .join("public/ark/21198/zz000bjfhp/manifest.json")
        .exists());
    // [registry.metadata], in site.toml's order, the multi-values split.
    let dl = collection
        .split("<dl class=\"metadata registry-metadata\">")
        .nth(1)
        .unwrap();
    assert!(
        dl.starts_with("<dt>Place of origin</dt><dd>Germany</dd><dd>Switzerland</dd><dd>Low Countries</dd><dt>Date</dt><dd>11th - 15th century</dd></dl>"),
        "{dl}"
    );
}

/// `text` written back with `delimiter` between fields (quoted as needed).
fn with_delimiter(text: &str, delimiter: u8) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_writer(Vec::new());
    for record in reader.records() {
        writer.write_record(&record.unwrap()).unwrap();
    }
    writer.into_inner().unwrap()
}

#[test]
fn semicolon_tab_bom_and_windows_line_ends_read_as_meant() {
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/registries/ucla-fester__sinai-works.csv"),
    )
    .unwrap();
    let semicolons = with_delimiter(&original, b';');
    let tabs = with_delimiter(&original, b'\t');
    let mut excel = b"\xef\xbb\xbf".to_vec();
    excel.extend(original.replace('\n', "\r\n").bytes());
    for (what, bytes) in [
        ("semicolons", semicolons),
        ("tabs", tabs),
        ("BOM and CRLF", excel),
    ] {
        let site = site_with(
            "ucla-fester__sinai-works.csv",
            &ucla_mapping("IIIF Manifest URL"),
        );
        std::fs::write(site.path().join("content/ucla-export.csv"), bytes).unwrap();
        let stderr = build_offline(site.path());
        assert_eq!(built_pids(site.path()).len(), 13, "{what}: {stderr}");
    }
}

#[test]
fn pidsite_headers_are_matched_trimmed_and_case_insensitive() {
    // `PID` and ` Target` are pidsite's own columns, without any mapping.
    let site = crate::cli::site();
    crate::cli::edit(site.path(), "content/registry.csv", |t| {
        t.replacen("pid,target", "PID, Target", 1)
    });
    pidsite(site.path()).arg("build").assert().success();
}

#[test]
fn a_file_in_utf16_names_the_encoding_and_how_to_save_it() {
    let site = site_with("ucla-fester__headers_whitespace.csv", ISSUE_SNIPPET);
    let path = site.path().join("content/ucla-export.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&path, bytes).unwrap();
    build_fails(
        site.path(),
        &["error: content/ucla-export.csv: expected UTF-8 text, found UTF-16 (Excel's \"Unicode Text\" saves so); save the registry as UTF-8, e.g. \"CSV UTF-8\" in Excel"],
    );
}

#[test]
fn an_unterminated_quote_names_the_line_where_it_opened() {
    // Line 4's rights contact loses its closing quote: the field would run
    // on to the next quote. The rows before it are still checked (line 2's
    // bad type).
    let site = site_with("ucla-fester__headers_whitespace.csv", ISSUE_SNIPPET);
    crate::cli::edit(site.path(), "content/ucla-export.csv", |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        lines[1] = lines[1].replacen(",Collection,", ",Folder,", 1);
        lines[3] = lines[3].replacen("4990\",", "4990,", 1);
        lines.join("\n") + "\n"
    });
    build_fails(
        site.path(),
        &[
            "content/ucla-export.csv:2: column \"type\" (the file's \"Object Type\"): expected Manifest, Collection, Canvas, Range, AnnotationPage or Annotation, found \"Folder\"",
            "content/ucla-export.csv:4: a quoted field opens on this line and is not closed where the field ends",
        ],
    );
    // The last quoted field of the file, open to its end.
    let site = site_with("ucla-fester__headers_whitespace.csv", ISSUE_SNIPPET);
    crate::cli::edit(site.path(), "content/ucla-export.csv", |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
        lines[5].push_str(",\"Hathaway 5");
        lines.join("\n") + "\n"
    });
    build_fails(
        site.path(),
        &["content/ucla-export.csv:6: a quoted field opens on this line and is not closed"],
    );
}

#[test]
fn every_problem_of_every_phase_is_reported_in_one_run() {
    // Unmapped columns aside, a UCLA file with a bad row, a duplicate ARK,
    // a row without a target and a short row: all in one run.
    let site = site_with(
        "ucla-fester__sinai-works.csv",
        &ucla_mapping("IIIF Manifest URL"),
    );
    crate::cli::edit(site.path(), "content/ucla-export.csv", |t| {
        let lines: Vec<&str> = t.lines().collect();
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        // Line 15: line 3 again (a duplicate). Line 16: line 4 without its
        // manifest. Line 17: a short row.
        out.push(lines[2].to_string());
        out.push(
            lines[3]
                .replace(
                    "http://iiif.library.ucla.edu/ark%3A%2F21198%2Fz1321071/manifest",
                    "",
                )
                .replace("z1321071", "z1321072"),
        );
        out.push("a,b,c".to_string());
        out[4] = out[4].replacen(",Work,", ",Book,", 1);
        out.join("\n") + "\n"
    });
    build_fails(
        site.path(),
        &[
            "content/ucla-export.csv:5: column \"type\" (the file's \"Object Type\"): expected Manifest",
            "content/ucla-export.csv:15: column \"pid\": duplicate PID ark:21198/z16t1r0h (first at content/ucla-export.csv:3)",
            "content/ucla-export.csv:16: column \"target\" (the file's \"IIIF Manifest URL\"): expected a path under content/",
            "content/ucla-export.csv:17: expected 78 fields like the header, found 3",
        ],
    );
}

#[test]
fn unknown_columns_are_listed_at_once_and_problems_are_capped() {
    // Without ignore_unknown_columns every unused header is named in one
    // error (77 of them were one run each).
    let site = site_with(
        "ucla-fester__sinai-works.csv",
        "[registry]\nfile = \"content/ucla-export.csv\"\n[registry.columns]\npid = \"Item ARK\"\n",
    );
    pidsite(site.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "error: content/ucla-export.csv:1: unknown columns \"File Name\", \"Item Sequence\", \"Visibility\"",
        ))
        .stderr(predicate::str::contains("\"IIIF Manifest URL\"; expected columns among: pid"))
        .stderr(predicate::str::contains("set [registry] ignore_unknown_columns = true"));
    // 150 rows without a target: the first 100 and a count of the rest.
    let site = site_with(
        "ucla-fester__sinai-works.csv",
        &ucla_mapping("IIIF Manifest URL"),
    );
    crate::cli::edit(site.path(), "content/ucla-export.csv", |t| {
        let header = t.lines().next().unwrap().to_string();
        let rows: String = (0..150)
            .map(|i| {
                let mut fields = vec![String::new(); 78];
                fields[8] = format!("ark:/99999/fk4x{i}");
                fields.join(",") + "\n"
            })
            .collect();
        header + "\n" + &rows
    });
    pidsite(site.path())
        .arg("build")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "content/ucla-export.csv:101: column \"target\"",
        ))
        .stderr(predicate::str::contains("content/ucla-export.csv:102: column").not())
        .stderr(predicate::str::contains(
            "content/ucla-export.csv: and 50 more problem(s) not listed",
        ));
}

#[test]
fn a_mapping_naming_a_header_the_file_lacks_is_an_error_listing_its_headers() {
    let site = site_with(
        "ucla-fester__headers_whitespace.csv",
        &ISSUE_SNIPPET.replace("\"Item ARK\"", "\"Item ID\""),
    );
    build_fails(
        site.path(),
        &["error: site.toml: [registry.columns] pid = \"Item ID\": content/ucla-export.csv has no such header; its headers are \"Project Name\", \"Item ARK\""],
    );
}

/// A site whose registry files are the fixtures `files` (copied into
/// content/registry/) with `registry` as site.toml's `[registry]` section.
fn export_site(files: &[&str], registry: &str) -> tempfile::TempDir {
    let site = site_with("ucla-fester__headers_whitespace.csv", registry);
    std::fs::remove_file(site.path().join("content/ucla-export.csv")).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registries");
    std::fs::create_dir_all(site.path().join("content/registry")).unwrap();
    for file in files {
        let name = Path::new(file).file_name().unwrap();
        std::fs::copy(
            fixtures.join(file),
            site.path().join("content/registry").join(name),
        )
        .unwrap();
    }
    site
}

fn status_of(site: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(site.join("public/pids.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[2].to_string())
        })
        .collect()
}

#[test]
fn an_ezid_batch_download_builds_with_the_ezid_profile() {
    for file in ["ezid/batch-download.csv", "ezid/manage-download.csv"] {
        let site = export_site(&[file], "[registry]\nprofile = \"ezid\"\n");
        let stderr = build_offline(site.path());
        let statuses = status_of(site.path());
        // 16 identifiers, the two reserved ones (EZID's own page as their
        // target) without a page.
        assert_eq!(statuses.len(), 14, "{file}: {stderr}");
        let withdrawn: Vec<&str> = statuses
            .iter()
            .filter(|(_, s)| s == "withdrawn")
            .map(|(p, _)| p.as_str())
            .collect();
        assert_eq!(
            withdrawn,
            [
                "ark:21198/zz000bjfj6",
                "ark:21198/zz0025j30s",
                "doi:10.5072/FK2QM8R6P4"
            ],
            "{file}"
        );
        // `unavailable | reason`: the reason is the tombstone's.
        let tombstone =
            std::fs::read_to_string(site.path().join("public/ark/21198/zz000bjfj6/index.html"))
                .unwrap();
        assert!(
            tombstone.contains("withdrawn pending rights review"),
            "{file}"
        );
        // The mapped title and creator, ERC's "(:unkn)" code dropped.
        let page =
            std::fs::read_to_string(site.path().join("public/ark/21198/z12f8rtw/index.html"))
                .unwrap();
        assert!(
            page.contains("Sinai Arabic 249. Martyrdom of St. Catherine"),
            "{file}"
        );
        assert!(
            page.contains("anonymous scribe") && !page.contains("(:unkn)"),
            "{file}"
        );
        assert!(
            !stderr.contains("note:"),
            "a profile knows its columns: {stderr}"
        );
    }
}

#[test]
fn check_on_an_ezid_file_appended_by_hand_reports_what_a_rewrite_would_catch() {
    let site = export_site(
        &["ezid/appended-by-hand.csv"],
        "[registry]\nprofile = \"ezid\"\n",
    );
    pidsite(site.path())
        .args(["check", "--offline"])
        .assert()
        .code(1)
        .stderr(no_panic())
        .stderr(predicate::str::contains("3 problems found"))
        .stdout(predicate::str::contains(
            "content/registry/appended-by-hand.csv:18: column \"pid\": duplicate PID ark:21198/zz0025j30s (first at content/registry/appended-by-hand.csv:11)",
        ))
        .stdout(predicate::str::contains(
            "content/registry/appended-by-hand.csv:19: column \"_status\": expected EZID's public, reserved or unavailable (with \" | reason\"), found \"withdrawn\"",
        ))
        .stdout(predicate::str::contains(
            "content/registry/appended-by-hand.csv:20: column \"target\": expected a path under content/ or an http(s) URL",
        ));
}

/// The DataCite profile's target: the IIIF related identifier, else a
/// local copy or UCLA's manifest by the record's ARK, else the DOI's URL.
const DATACITE: &str = "[registry]\nprofile = \"datacite\"\n[registry.columns]\ntarget = [\"{target}\", \"iiif/{identifier.ARK|slug}.json\", \"https://b1dbe4a0-443c-479f-bf0a-25c352df0d8f.iiif.library.ucla.edu/{identifier.ARK|urlencode}/manifest\", \"{url}\"]\n";

#[test]
fn datacite_api_pages_build_with_the_datacite_profile() {
    let site = export_site(
        &["datacite/dois-page-1.json", "datacite/dois-page-2.json"],
        DATACITE,
    );
    let stderr = build_offline(site.path());
    let statuses = status_of(site.path());
    // 12 DOIs over two pages; the draft is reserved (no page).
    assert_eq!(statuses.len(), 11, "{stderr}");
    assert!(!statuses.iter().any(|(p, _)| p == "doi:10.5072/h4tw-3a7b"));
    // Registered with a reason: withdrawn; registered alone still resolves.
    assert!(statuses.contains(&("doi:10.5072/ph98-n022".into(), "withdrawn".into())));
    assert!(statuses.contains(&("doi:10.5072/ph98-n023".into(), "active".into())));
    // No IIIF related identifier: the ARK in `identifiers` finds the local
    // copy of Hathaway 2, a full page with its manifest.
    assert!(
        site.path()
            .join("public/doi/10.5072/h4tw-9f3e/manifest.json")
            .is_file(),
        "{stderr}"
    );
    // The manifest URL registered as the DOI's URL is its target.
    assert!(
        stderr.contains("zz000bjfkq/manifest: not in the cache"),
        "{stderr}"
    );
}

#[test]
fn a_datacite_state_pidsite_does_not_know_names_the_doi() {
    let site = export_site(&["datacite/dois-page-2.json"], DATACITE);
    crate::cli::edit(site.path(), "content/registry/dois-page-2.json", |t| {
        t.replacen("\"state\":\"findable\"", "\"state\":\"tombstoned\"", 1)
    });
    build_fails(
        site.path(),
        &["content/registry/dois-page-2.json#1: key \"state\": expected DataCite's findable, registered or draft, found \"tombstoned\""],
    );
}

#[test]
fn a_fabrica_export_builds_with_a_target_template() {
    let site = export_site(
        &["datacite/fabrica-export.csv"],
        "[registry]\nprofile = \"datacite\"\n[registry.columns]\ntarget = \"{url}\"\n",
    );
    let stderr = build_offline(site.path());
    assert_eq!(status_of(site.path()).len(), 11, "{stderr}");
    let page = std::fs::read_to_string(site.path().join("public/doi/10.5072/h4tw-4c8d/index.html"))
        .unwrap();
    assert!(page.contains("<title>Hathaway 4"), "the export's title");
}
