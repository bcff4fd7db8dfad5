//! Issue 16, point 1: every output names a resource as what it is. Builds
//! `fixtures/types` (the corpus's real audio, video, book, monograph,
//! manuscript and map manifests, see its SOURCES.md) and checks, per PID,
//! the type in cite.json, the JSON-LD `@type`, RIS `TY`, the BibTeX entry
//! type, the Zotero item type and the page's wording.

mod common;

use std::path::Path;

use pidsite::{build, BuildOptions, NoProgress};

fn build_site(site: &Path) -> Result<(), String> {
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: None,
            strict: true,
            full: false,
            offline: false,
            time: None,
        },
        &NoProgress,
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// What one PID's outputs say it is.
#[derive(Debug, PartialEq)]
struct Said {
    csl: String,
    schema_org: String,
    ris: String,
    bibtex: String,
    zotero: String,
    kicker: String,
    cite_one: String,
}

fn said(site: &Path, pid_path: &str) -> Said {
    let dir = site.join("public").join(pid_path);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let cite: serde_json::Value = serde_json::from_str(&read("cite.json")).unwrap();
    let item = cite.as_array().map_or(&cite, |a| &a[0]);
    let html = read("index.html");
    let between = |start: &str, end: &str| -> String {
        html.split_once(start)
            .and_then(|(_, rest)| rest.split_once(end))
            .map(|(v, _)| v.to_string())
            .unwrap_or_default()
    };
    let json_ld: serde_json::Value = serde_json::from_str(&between(
        "<script type=\"application/ld+json\">",
        "</script>",
    ))
    .unwrap();
    let ris = read("cite.ris");
    let bib = read("cite.bib");
    Said {
        csl: item["type"].as_str().unwrap().to_string(),
        schema_org: json_ld["@type"].as_str().unwrap().to_string(),
        ris: ris
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("TY  - ")
            .to_string(),
        bibtex: bib[1..bib.find('{').unwrap()].to_string(),
        zotero: between("<meta property=\"z:itemType\" content=\"", "\""),
        kicker: between("<p class=\"kicker\">", "</p>"),
        // The list's label: its summary, or (issue 22) the link to the
        // `images/` page that lists them when there are more than 6.
        cite_one: match between("<summary>", "</summary>") {
            label if label.is_empty() => {
                let link = between("<p class=\"canvases\"><a href=\"", "</a>");
                link.split_once("\">")
                    .map(|(_, l)| l.to_string())
                    .unwrap_or_default()
            }
            label => label,
        },
    }
}

fn expect(
    csl: &str,
    schema: &str,
    ris: &str,
    bib: &str,
    zotero: &str,
    kicker: &str,
    one: &str,
) -> Said {
    Said {
        csl: csl.into(),
        schema_org: schema.into(),
        ris: ris.into(),
        bibtex: bib.into(),
        zotero: zotero.into(),
        kicker: kicker.into(),
        cite_one: one.into(),
    }
}

#[test]
fn each_resource_is_cited_and_worded_as_what_it_is() {
    let site = common::copy_fixture("types");
    build_site(site.path()).unwrap();
    let cases = [
        // v3 painting a Sound body (cookbook 0002).
        (
            "doi/10.5555/fk4audio",
            expect(
                "song",
                "AudioObject",
                "SOUND",
                "misc",
                "audioRecording",
                "Manifest · 1 recording",
                "Cite one recording (1)",
            ),
        ),
        // v3 painting a Video body (cookbook 0003).
        (
            "ark/99999/fk4video",
            expect(
                "motion_picture",
                "VideoObject",
                "VIDEO",
                "misc",
                "videoRecording",
                "Manifest · 1 video",
                "Cite one video (1)",
            ),
        ),
        // v2 with the ixif mediaSequences of dctypes:Sound (Villanova):
        // its one canvas is a placeholder image, neither counted nor listed.
        (
            "ark/99999/fk4ixif",
            expect(
                "song",
                "AudioObject",
                "SOUND",
                "misc",
                "audioRecording",
                "Manifest",
                "",
            ),
        ),
        // behavior paged (cookbook 0009), nothing else said.
        (
            "ark/99999/fk4book",
            expect(
                "book",
                "Book",
                "BOOK",
                "book",
                "book",
                "Manifest · 5 pages",
                "Cite one page (5)",
            ),
        ),
        // Wellcome's "Format: Monograph".
        (
            "ark/99999/fk4monograph",
            expect(
                "book",
                "Book",
                "BOOK",
                "book",
                "book",
                "Manifest · 10 pages",
                "Cite one page (10)",
            ),
        ),
        // "Type: Manuscript" wins over viewingHint paged.
        (
            "ark/99999/fk4apocalypse",
            expect(
                "manuscript",
                "Manuscript",
                "MANSCPT",
                "misc",
                "manuscript",
                "Manifest · 154 pages",
                "Cite one page (154)",
            ),
        ),
        // Library of Congress "Original Format: map".
        (
            "ark/99999/fk4map",
            expect(
                "map",
                "Map",
                "MAP",
                "misc",
                "map",
                "Manifest · 55 images",
                "Cite one image (55)",
            ),
        ),
        // Images, nothing said: the default.
        (
            "ark/99999/fk4image",
            expect(
                "graphic",
                "VisualArtwork",
                "ART",
                "misc",
                "artwork",
                "Manifest · 1 image",
                "Cite one image (1)",
            ),
        ),
        // The registry's resource_type wins.
        (
            "ark/99999/fk4override",
            expect(
                "graphic",
                "Photograph",
                "ART",
                "misc",
                "artwork",
                "Manifest · 1 image",
                "Cite one image (1)",
            ),
        ),
    ];
    for (path, expected) in cases {
        assert_eq!(said(site.path(), path), expected, "{path}");
    }
    // biblatex has no fields for @audio: @misc says what it is in `type`.
    let bib =
        std::fs::read_to_string(site.path().join("public/doi/10.5555/fk4audio/cite.bib")).unwrap();
    assert!(
        bib.contains("  type         = {Sound recording},\n"),
        "{bib}"
    );
    // DataCite says the same.
    let datacite =
        std::fs::read_to_string(site.path().join("public/doi/10.5555/fk4audio/datacite.xml"))
            .unwrap();
    assert!(
        datacite
            .contains("<resourceType resourceTypeGeneral=\"Sound\">Sound recording</resourceType>"),
        "{datacite}"
    );
    // So do Dublin Core and COinS.
    let page =
        std::fs::read_to_string(site.path().join("public/ark/99999/fk4video/index.html")).unwrap();
    assert!(page.contains("<meta name=\"DC.type\" content=\"MovingImage\">"));
    assert!(page.contains("rft.type=videoRecording"));
    assert!(
        !page.to_lowercase().contains(" image"),
        "a video page speaks of no image"
    );
}

#[test]
fn the_sites_default_comes_below_the_iiif_and_above_paged() {
    let site = common::copy_fixture("types");
    let toml = site.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("default_resource_type = \"manuscript\"\n{text}"),
    )
    .unwrap();
    build_site(site.path()).unwrap();
    let csl = |path: &str| said(site.path(), path).csl;
    assert_eq!(
        csl("ark/99999/fk4image"),
        "manuscript",
        "nothing said: the site's default"
    );
    assert_eq!(
        csl("ark/99999/fk4book"),
        "manuscript",
        "the site's default over paged"
    );
    assert_eq!(
        csl("ark/99999/fk4monograph"),
        "book",
        "the IIIF over the site's default"
    );
    assert_eq!(csl("doi/10.5555/fk4audio"), "song");
    assert_eq!(
        csl("ark/99999/fk4override"),
        "graphic",
        "the registry over all"
    );
}

#[test]
fn an_unknown_resource_type_names_the_row_or_the_key() {
    let site = common::copy_fixture("types");
    let registry = site.path().join("content/registry.csv");
    let text = std::fs::read_to_string(&registry).unwrap();
    std::fs::write(&registry, text.replace(",photograph", ",painting")).unwrap();
    let err = build_site(site.path()).unwrap_err();
    assert!(err.contains("registry.csv:10"), "{err}");
    assert!(err.contains("\"resource_type\""), "{err}");
    assert!(err.contains("expected one of image, photograph"), "{err}");
    assert!(err.contains("found \"painting\""), "{err}");

    let site = common::copy_fixture("types");
    let toml = site.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}default_resource_type = \"scroll\"\n")).unwrap();
    let err = build_site(site.path()).unwrap_err();
    assert!(err.contains("site.toml:5"), "{err}");
    assert!(
        err.contains("key `default_resource_type`: expected one of image"),
        "{err}"
    );
}
