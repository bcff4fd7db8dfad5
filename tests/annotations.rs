//! Annotation pages people can read (issue 16, point 4), on the real
//! annotation lists of the shared corpus (`../shared/corpus`, or
//! `PIDSITE_CORPUS`): titles say what they annotate, OCR and
//! transcriptions read as text in reading order within a cap, comments and
//! tags are a list, and the whole document is linked.

use std::path::{Path, PathBuf};

use pidsite::{build, BuildOptions, NoProgress};

fn corpus_dir() -> PathBuf {
    std::env::var_os("PIDSITE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

fn corpus_file(path: &str) -> Vec<u8> {
    let file = corpus_dir().join(path);
    std::fs::read(&file).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the shared IIIF corpus; set PIDSITE_CORPUS)",
            file.display()
        )
    })
}

/// The first annotation page embedded in the first canvas of a corpus
/// manifest (cookbook 0021 and 0266 keep theirs there), as a document of
/// its own.
fn embedded_page(path: &str) -> Vec<u8> {
    let manifest: serde_json::Value = serde_json::from_slice(&corpus_file(path)).unwrap();
    let mut page = manifest["items"][0]["annotations"][0].clone();
    page["@context"] = manifest["@context"].clone();
    serde_json::to_vec_pretty(&page).unwrap()
}

/// A site with one PID per (pid, document).
fn site(docs: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let manifests = site.path().join("content/manifests");
    std::fs::create_dir_all(&manifests).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        "base_url = \"https://example.org/a/\"\ntitle = \"Annotations\"\n",
    )
    .unwrap();
    let mut registry = String::from("pid,target\n");
    for (pid, bytes) in docs {
        std::fs::write(manifests.join(format!("{pid}.json")), bytes).unwrap();
        registry.push_str(&format!("{pid},manifests/{pid}.json\n"));
    }
    std::fs::write(site.path().join("content/registry.csv"), registry).unwrap();
    site
}

fn build_site(site: &Path, full: bool) -> PathBuf {
    let out = site.join("public");
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: Some(out.clone()),
            strict: true,
            full,
            offline: true,
            time: None,
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("build failed:\n{e}"));
    out
}

/// A landing page (under the 20 KB budget), its attribute quotes taken out:
/// the minifier drops those it can.
fn page(out: &Path, pid: &str) -> String {
    let html = std::fs::read_to_string(out.join(format!("id/{pid}/index.html"))).unwrap();
    assert!(html.len() < 20_000, "{pid}: {} bytes", html.len());
    html.replace('"', "")
}

fn h1(html: &str) -> &str {
    let start = html.find("<h1").unwrap();
    let start = start + html[start..].find('>').unwrap() + 1;
    &html[start..start + html[start..].find("</h1>").unwrap()]
}

/// The page's text as a reader sees it: no tags, so no attribute values.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The transcription paragraphs of a page, lines as `\n`.
fn transcription(html: &str) -> String {
    html.match_indices("<p class=transcription")
        .map(|(i, _)| {
            let start = i + html[i..].find('>').unwrap() + 1;
            let end = start + html[start..].find("</p>").unwrap();
            html[start..end].replace("<br>", "\n")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const DOUGLASS: &str =
    "Address by Hon. Frederick Douglass, delivered in the Metropolitan A.M.E. Church, Washington";

fn docs() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "readux-book",
            corpus_file("v2/readux__readux-io-09359080-manifest.json"),
        ),
        (
            "readux-ocr-1",
            corpus_file("annotations/readux__readux-io-ocr-list-1.json"),
        ),
        (
            "readux-ocr-3",
            corpus_file("annotations/readux__readux-io-ocr-list-3.json"),
        ),
        (
            "readux-jay",
            corpus_file("annotations/readux__readux-io-annotations-jay-list-1.json"),
        ),
        ("sas-list", corpus_file("annotations/sas__anno_list.json")),
        (
            "sas-3targets",
            corpus_file("annotations/sas__3targets.json"),
        ),
        (
            "sas-mirador",
            corpus_file("annotations/sas__mirador-2.1.4.json"),
        ),
        (
            "mirador-21",
            corpus_file("annotations/mirador__annotationMirador21.json"),
        ),
        (
            "fixture-65",
            corpus_file("annotations/iiif-commons-parser__iiif-fixture-annotation-list.json"),
        ),
        ("tagging", embedded_page("v3/cookbook__0021-tagging.json")),
        (
            "full-canvas",
            embedded_page("v3/cookbook__0266-full-canvas-annotation.json"),
        ),
        (
            "page-0269",
            corpus_file("v3/cookbook__0269-embedded-or-referenced-annotations-annotationpage.json"),
        ),
        (
            "manifest-0306",
            corpus_file("v3/cookbook__0306-linking-annotations-to-manifests.json"),
        ),
        (
            "page-0306",
            corpus_file("v3/cookbook__0306-linking-annotations-to-manifests-annotationpage.json"),
        ),
    ]
}

#[test]
fn ocr_reads_as_text_in_reading_order_titled_by_the_sites_manifest() {
    let site = site(&docs());
    let out = build_site(site.path(), true);

    // Readux writes one annotation per word, each `sc:painting` on a region
    // of a canvas of a manifest (`within`) that is a PID of the site.
    let html = page(&out, "readux-ocr-3");
    assert_eq!(h1(&html), format!("Transcription of {DOUGLASS}"));
    let text = transcription(&html);
    // Words of a line joined in their order on the page: sorting by height
    // alone puts "9th," (y 1127) before "January" (y 1128).
    assert!(text.contains("\nTuesday, January 9th, 1894,\n"), "{text}");
    assert!(text.contains("\nThe Lessons of the Hour.\n"), "{text}");
    assert!(
        text.starts_with("ADDRESS\n-BY\nHon. Frederick Douglass,\n"),
        "{text}"
    );
    let shown = visible(&html);
    assert!(!shown.contains("painting"), "{shown}");
    assert!(
        !shown.contains("https://readux.io/iiif/v2/09359080.4757.emory.edu/canvas"),
        "a canvas URL as text: {shown}"
    );
    assert!(shown.contains("74 annotations."), "{shown}");
    assert!(html.contains(
        "All of it is in the <a href=https://example.org/a/id/readux-ocr-3/manifest.json>IIIF annotation page</a> (JSON)."
    ));
    // The list that made a 26 KB page (one row per word).
    let html = page(&out, "readux-ocr-1");
    assert_eq!(h1(&html), format!("Transcription of {DOUGLASS}"));
    assert!(
        transcription(&html).ends_with("\nPhess ok Thomas &amp; Evans."),
        "{}",
        transcription(&html)
    );

    // SimpleAnnotationServer's newspaper OCR: 735 line annotations, kept in
    // the order written (the page is in columns), cut to fit the page.
    let html = page(&out, "sas-list");
    assert_eq!(h1(&html), "Transcription of an image");
    let text = transcription(&html);
    assert!(
        text.starts_with(
            "TO THE PUBLIC.\nON the first appearance of a New Paper be-\nC y fore that august Tribunal which is ulti-\n"
        ),
        "{text}"
    );
    assert!(text.ends_with(" …"), "{text}");
    assert!(text.len() <= 4_500, "{} bytes of text", text.len());
    assert!(!text.contains("which he desires Mr. Newton will do him the favour to"));
    assert!(html.contains("735 annotations; the text shown here is the beginning."));
    assert!(html.contains("<a href=https://example.org/a/id/sas-list/manifest.json>"));

    // A v2 list with its own label keeps it; its painting text is text, its
    // tag and comment a list.
    let html = page(&out, "fixture-65");
    assert_eq!(h1(&html), "Test 65 List 1");
    assert_eq!(transcription(&html), "Top of First Page to Display");
    assert!(
        html.contains("<span class=tag-value>character</span>"),
        "{html}"
    );
}

#[test]
fn comments_and_tags_are_a_list_titled_by_what_they_annotate() {
    let site = site(&docs());
    let out = build_site(site.path(), true);
    let item = |html: &str| -> String {
        let start = html.find("<ul class=annotations>").expect("a list");
        let end = start + html[start..].find("</ul>").unwrap();
        html[start..end].to_string()
    };

    // Readux user annotation: a comment on a region of the site's book,
    // opened at that region on the book's page.
    let html = page(&out, "readux-jay");
    assert_eq!(h1(&html), format!("Comments on {DOUGLASS}"));
    let list = item(&html);
    assert!(list.contains("<span class=tag>Comment</span>"), "{list}");
    assert!(list.contains("<p>fdbgfdf</p>"), "{list}");
    assert!(list.contains("on a region of the image"), "{list}");
    assert!(
        list.contains("<a href=/a/id/readux-book/?iiif-content="),
        "{list}"
    );
    assert!(!visible(&html).contains("commenting"));

    // Cookbook 0306: the page's target names its manifest (`partOf`), a PID
    // of the site.
    let html = page(&out, "page-0306");
    assert_eq!(
        h1(&html),
        "Comments on Picture of Göttingen taken during the 2019 IIIF Conference"
    );
    // `pidsite cite` titles it as its page does.
    let now = pidsite::clock::BuildTime::at_second(1_764_072_000);
    let cited =
        pidsite::commands::cite::cite(site.path(), "page-0306", Some("csl-json"), None, &now)
            .unwrap();
    assert!(
        cited.text.contains(
            "\"title\":\"Comments on Picture of Göttingen taken during the 2019 IIIF Conference\""
        ),
        "{}",
        cited.text
    );
    let list = item(&html);
    assert!(
        list.contains("lang=de>Der Gänseliesel-Brunnen</div>"),
        "{list}"
    );
    assert!(
        list.contains("<a href=/a/id/manifest-0306/?iiif-content="),
        "{list}"
    );

    // Cookbook 0021: a tag, on a region.
    let html = page(&out, "tagging");
    assert_eq!(h1(&html), "Tags on an image");
    let list = item(&html);
    assert!(
        list.contains(
            "<span class=tag>Tag</span> <span class=tag-value>Gänseliesel-Brunnen</span>"
        ),
        "{list}"
    );
    assert!(list.contains("on a region of the image"), "{list}");

    // Cookbook 0266 and 0269: a comment on the whole canvas.
    for pid in ["full-canvas", "page-0269"] {
        let html = page(&out, pid);
        assert_eq!(h1(&html), "Comments on an image", "{pid}");
        let list = item(&html);
        assert!(
            list.contains("Göttinger Marktplatz mit Gänseliesel Brunnen"),
            "{list}"
        );
        assert!(list.contains("on the image"), "{list}");
    }

    // Mirador and SimpleAnnotationServer single annotations: a comment, with
    // its tag beside it.
    let html = page(&out, "sas-mirador");
    assert_eq!(h1(&html), "Comment on an image");
    let list = item(&html);
    assert!(list.contains("<p>content</p>"), "{list}");
    assert!(list.contains("<span class=tag-value>tag</span>"), "{list}");
    for pid in ["mirador-21", "sas-3targets"] {
        let html = page(&out, pid);
        assert_eq!(h1(&html), "Comment on an image", "{pid}");
        assert!(item(&html).contains("<span class=tag>Comment</span>"));
    }
}

/// An annotation page's title comes from another PID's manifest: when that
/// manifest's label changes, an incremental build titles the page anew, as
/// a clean build does.
#[test]
fn a_manifests_new_label_retitles_its_annotation_pages_incrementally() {
    let docs = vec![
        (
            "readux-book",
            corpus_file("v2/readux__readux-io-09359080-manifest.json"),
        ),
        (
            "readux-ocr-1",
            corpus_file("annotations/readux__readux-io-ocr-list-1.json"),
        ),
    ];
    let site = site(&docs);
    let out = build_site(site.path(), false);
    assert_eq!(
        h1(&page(&out, "readux-ocr-1")),
        format!("Transcription of {DOUGLASS}")
    );
    let book = site.path().join("content/manifests/readux-book.json");
    let relabelled = std::fs::read_to_string(&book)
        .unwrap()
        .replace(DOUGLASS, "The Lessons of the Hour");
    std::fs::write(&book, relabelled).unwrap();
    let out = build_site(site.path(), false);
    assert_eq!(
        h1(&page(&out, "readux-ocr-1")),
        "Transcription of The Lessons of the Hour"
    );
}
