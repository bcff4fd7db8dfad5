//! Builds one site over every IIIF file of the shared real-world corpus
//! (`../shared/corpus`, or `PIDSITE_CORPUS`) with `--strict`, and checks that
//! each file got a landing page of the type its JSON declares.

use std::path::PathBuf;

use pidsite::{build, clock::BuildTime, BuildOptions, NoProgress};

fn corpus_dir() -> PathBuf {
    std::env::var_os("PIDSITE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

/// A site with a PID (`corpus-NNN`) for each file of the corpus, in path
/// order, and the files.
fn corpus_site() -> (tempfile::TempDir, Vec<PathBuf>) {
    let corpus = corpus_dir();
    assert!(
        corpus.is_dir(),
        "the shared IIIF corpus is missing at {} (set PIDSITE_CORPUS)",
        corpus.display()
    );
    let site = tempfile::tempdir().unwrap();
    let manifests = site.path().join("content/manifests");
    std::fs::create_dir_all(&manifests).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        "base_url = \"https://example.org/corpus/\"\ntitle = \"Corpus\"\n",
    )
    .unwrap();
    let mut registry = String::from("pid,target\n");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.path().to_path_buf())
        .collect();
    files.sort();
    for (i, file) in files.iter().enumerate() {
        let name = format!("{i:03}.json");
        std::fs::copy(file, manifests.join(&name)).unwrap();
        registry.push_str(&format!("corpus-{i:03},manifests/{name}\n"));
    }
    std::fs::write(site.path().join("content/registry.csv"), registry).unwrap();
    (site, files)
}

#[test]
fn every_corpus_file_builds_strict() {
    let (site, files) = corpus_site();
    let out = site.path().join("public");
    let report = build(
        &BuildOptions {
            site_dir: site.path().to_path_buf(),
            out_dir: Some(out.clone()),
            strict: true,
            full: false,
            offline: false,
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("corpus build failed:\n{e}"));
    assert!(report.warnings.is_empty());
    let mut canvases = 0;
    for (i, file) in files.iter().enumerate() {
        let page = out.join(format!("id/corpus-{i:03}/index.html"));
        let html = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("no page for {}", file.display()));
        // Issue 6: a landing page is under 20 KB (20,480 bytes) before the
        // shared CSS and script: long lists of images and members go to
        // pages of their own. The download links of its 6 listed images
        // (issue 20, ~150 bytes each) brought Gallica's two-image manifest
        // to ~20.2 KB, under the limit still.
        assert!(
            html.len() < 20 * 1024,
            "{}: landing page of {} bytes",
            file.display(),
            html.len()
        );
        assert!(
            !html.contains("<style") && !html.contains("<script>"),
            "{}",
            file.display()
        );
        let images = std::fs::read_to_string(page.with_file_name("images/index.html")).ok();
        let own = format!("/corpus/id/corpus-{i:03}/");
        canvases += assert_canvas_links_relative(&html, images.as_deref(), &own, file);
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let declared = json
            .get("type")
            .or_else(|| json.get("@type"))
            .map(|t| t.to_string())
            .unwrap_or_default();
        let kind = [
            "Manifest",
            "Collection",
            "Canvas",
            "Range",
            "AnnotationList",
            "AnnotationPage",
            "Annotation",
        ]
        .into_iter()
        .find(|k| declared.contains(k))
        .unwrap_or_else(|| panic!("{}: no IIIF type", file.display()));
        let expected = match kind {
            "AnnotationList" | "AnnotationPage" => "Annotation page",
            k => k,
        };
        assert!(
            html.contains(&format!("data-kind=\"{expected}\""))
                || html.contains(&format!("data-kind='{expected}'"))
                || html.contains(&format!("data-kind={expected}>")),
            "{}: expected a {expected} page",
            file.display()
        );
    }
    // Each published copy is the institution's document with only the PID
    // written in: taking pidsite's additions out gives the original back.
    assert!(canvases > 1000, "only {canvases} canvas links checked");
    let (mut copies, mut pretty) = (0, 0);
    for (i, file) in files.iter().enumerate() {
        let Ok(copy) = std::fs::read(out.join(format!("id/corpus-{i:03}/manifest.json"))) else {
            continue;
        };
        let source = std::fs::read(file).unwrap();
        pretty += usize::from(assert_compact_copy(file, &source, &copy, i));
        let original: serde_json::Value = serde_json::from_slice(&source).unwrap();
        let mut copy: serde_json::Value = serde_json::from_slice(&copy)
            .unwrap_or_else(|e| panic!("{}: copy is not JSON: {e}", file.display()));
        let landing = format!("https://example.org/corpus/id/corpus-{i:03}/");
        let obj = copy.as_object_mut().unwrap();
        for key in ["homepage", "related", "metadata"] {
            let Some(list) = obj.get_mut(key).and_then(|v| v.as_array_mut()) else {
                continue;
            };
            list.retain(|v| {
                let text = v.to_string();
                !(text.contains(&landing)
                    && (text.contains("Landing page") || text.contains("Identifier")))
            });
            let restored = match (original.get(key), list.len()) {
                (None, 0) => None,
                (Some(serde_json::Value::Null), 0) => Some(serde_json::Value::Null),
                (Some(o), 1) if !o.is_array() => Some(list[0].clone()),
                _ => Some(serde_json::Value::Array(list.clone())),
            };
            match restored {
                Some(v) => obj.insert(key.to_string(), v),
                None => obj.remove(key),
            };
        }
        assert_eq!(
            copy,
            original,
            "{}: the copy changed more than the PID",
            file.display()
        );
        copies += 1;
    }
    assert!(copies > 100, "only {copies} copies checked");
    assert!(pretty > 100, "only {pretty} pretty-printed sources checked");
    eprintln!(
        "corpus: {} files, {} pages, {copies} enriched copies equal to their originals",
        files.len(),
        report.pages
    );
}

/// Issue 22: the links that open the landing page's viewer at one image
/// are relative: `?iiif-content=…` on the landing page, `../?iiif-content=…`
/// on its `images/` page; none names the page's own path (`own`; links to
/// other PIDs' pages, from annotations, do). A landing page with an
/// `images/` page has none of them: it links to that page. How many links
/// the images page (else the landing page) has.
fn assert_canvas_links_relative(
    landing: &str,
    images: Option<&str>,
    own: &str,
    file: &std::path::Path,
) -> usize {
    let hrefs = |html: &str| -> Vec<String> {
        html.split("href=")
            .skip(1)
            .map(|rest| {
                let rest = rest.trim_start_matches('"');
                rest[..rest.find(['"', '>', ' ']).unwrap()].to_string()
            })
            .filter(|h| h.contains("iiif-content="))
            .collect()
    };
    let on_landing: Vec<String> = hrefs(landing)
        .into_iter()
        .filter(|h| !h.starts_with("http"))
        .inspect(|h| assert!(!h.starts_with(own), "{}: {h}", file.display()))
        .filter(|h| !h.starts_with('/'))
        .collect();
    for h in &on_landing {
        assert!(h.starts_with("?iiif-content="), "{}: {h}", file.display());
    }
    let Some(images) = images else {
        return on_landing.len();
    };
    let on_images = hrefs(images);
    assert!(on_landing.is_empty(), "{}: {on_landing:?}", file.display());
    assert!(
        landing.contains(&format!("<a href=\"{own}images/\">")),
        "{}: no link to its images/ page",
        file.display()
    );
    assert!(!on_images.is_empty(), "{}", file.display());
    for h in &on_images {
        assert!(
            h.starts_with("../?iiif-content="),
            "{}: {h}",
            file.display()
        );
    }
    on_images.len()
}

/// Issue 22: the copy of corpus file `file` (PID `corpus-{i}`) is written
/// compact (no whitespace outside strings) and is, byte for byte once
/// parsed, the document the build wrote before: the source with the PID
/// spliced in its own layout (`pidsite::enrich::enrich`), key order
/// included. True when the source was laid out on several lines.
fn assert_compact_copy(file: &std::path::Path, source: &[u8], copy: &[u8], i: usize) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for (at, &b) in copy.iter().enumerate() {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (_, false, b'"') => in_string = !in_string,
            (false, _, b' ' | b'\t' | b'\n' | b'\r') => {
                panic!("{}: whitespace at byte {at} of the copy", file.display())
            }
            _ => {}
        }
    }
    let landing = format!("https://example.org/corpus/id/corpus-{i:03}/");
    let stamp = pidsite::enrich::PidStamp {
        pid: format!("corpus-{i:03}"),
        cite_url: landing.clone(),
        landing_url: landing,
        language: "en".into(),
    };
    let before = pidsite::enrich::enrich(source, &stamp)
        .unwrap()
        .unwrap_or_else(|| source.to_vec());
    let parsed = |bytes: &[u8]| {
        serde_json::to_string(&serde_json::from_slice::<serde_json::Value>(bytes).unwrap()).unwrap()
    };
    assert_eq!(
        parsed(copy),
        parsed(&before),
        "{}: the compact copy is not the JSON the pretty one was",
        file.display()
    );
    assert!(copy.len() <= before.len(), "{}", file.display());
    source.contains(&b'\n')
}

/// The tree manifests are read into (issue 6) holds what serde_json's
/// `Value` held: written out, every corpus document is the same JSON, key
/// order and numbers included.
#[test]
fn every_corpus_file_reads_as_serde_json_reads_it() {
    let files = walkdir::WalkDir::new(corpus_dir())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"));
    let mut count = 0;
    for file in files {
        let bytes = std::fs::read(file.path()).unwrap();
        let arena = bumpalo::Bump::new();
        let ours = pidsite::load::iiif::parse_json(&bytes, &arena)
            .unwrap()
            .to_string();
        let theirs = serde_json::from_slice::<serde_json::Value>(&bytes)
            .unwrap()
            .to_string();
        assert!(ours == theirs, "{}", file.path().display());
        count += 1;
    }
    assert!(count > 100, "only {count} corpus files");
}

/// Every file under `root` but the build marker: path -> bytes.
fn tree(root: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && e.file_name() != ".pidsite-build")
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Rebuilds of the real corpus (its list pages kept or made again, its
/// PIDs kept or rendered) write what a clean build writes.
#[test]
fn corpus_rebuilds_equal_clean_builds() {
    let (site, _) = corpus_site();
    let run = |out: &std::path::Path, full: bool| {
        build(
            &BuildOptions {
                site_dir: site.path().to_path_buf(),
                out_dir: Some(out.to_path_buf()),
                strict: true,
                full,
                offline: false,
                // Undated PIDs are dated by the build clock.
                time: Some(BuildTime::at_second(1_764_072_000)),
            },
            &NoProgress,
        )
        .unwrap_or_else(|e| panic!("corpus build failed:\n{e}"))
    };
    let out = site.path().join("public");
    run(&out, false);
    let first = tree(&out);
    assert!(
        out.join("page/2/index.html").is_file(),
        "several list pages"
    );
    let again = run(&out, false);
    assert!(again.incremental);
    assert_eq!(again.rendered, 0);
    assert!(
        tree(&out) == first,
        "a rebuild with nothing changed changed the output"
    );

    // A row in the middle goes: the list pages from there on change.
    let registry = site.path().join("content/registry.csv");
    let rows = std::fs::read_to_string(&registry).unwrap();
    let middle = rows
        .lines()
        .nth(rows.lines().count() / 2)
        .unwrap()
        .to_string();
    std::fs::write(&registry, rows.replace(&format!("{middle}\n"), "")).unwrap();
    assert!(run(&out, false).incremental);
    let clean = site.path().join("clean");
    run(&clean, true);
    let (rebuilt, clean) = (tree(&out), tree(&clean));
    assert_eq!(
        rebuilt.keys().collect::<Vec<_>>(),
        clean.keys().collect::<Vec<_>>()
    );
    for (file, bytes) in &rebuilt {
        assert!(bytes == &clean[file], "{file} differs from a clean build");
    }
}

/// Each image of a manifest can be downloaded whole (issue 20, section 4),
/// as the real publishers' manifests describe their images: through an
/// Image API 3 service (`full/max`), a 2.x service in a v2 or a v3
/// manifest (`full/full`, which every 2.x server accepts), a 1.1 service
/// (`native`), or the static image when there is no service; with the
/// pixel size the document gives. A video paints no image.
#[test]
fn corpus_images_download_whole() {
    let corpus = corpus_dir();
    let first = |file: &str| {
        let bytes = std::fs::read(corpus.join(file)).unwrap();
        let resource = pidsite::load::iiif::parse(&bytes, &["en".to_string()]).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        (resource.canvases[0].image.clone(), json)
    };
    // The first canvas's painted resource and its service, as each version
    // writes them.
    let v3_body = |j: &serde_json::Value| j["items"][0]["items"][0]["items"][0]["body"].clone();
    let v2_body =
        |j: &serde_json::Value| j["sequences"][0]["canvases"][0]["images"][0]["resource"].clone();
    let size = |b: &serde_json::Value| Some((b["width"].as_u64()?, b["height"].as_u64()?));
    let service_id = |b: &serde_json::Value, i: usize, key: &str| {
        let s = &b["service"];
        let s = if s.is_array() { &s[i] } else { s };
        s[key].as_str().unwrap().trim_end_matches('/').to_string()
    };
    type Body = dyn Fn(&serde_json::Value) -> serde_json::Value;
    // File, its body, which of its services and that service's id key, and
    // how the service's URL ends.
    let cases: [(&str, &Body, usize, &str, &str); 6] = [
        (
            "collections/cookbook__0032-collection-manifest-01.json",
            &v3_body,
            0,
            "id",
            "/full/max/0/default.jpg",
        ),
        // ImageService2 and ImageService3 side by side: the newer.
        (
            "v3/iiif-commons-parser__bodleian.json",
            &v3_body,
            1,
            "id",
            "/full/max/0/default.jpg",
        ),
        (
            "v3/iiif-commons-manifesto__YaleCanterburyTalesV3ProviderNoLogo.json",
            &v3_body,
            0,
            "@id",
            "/full/full/0/default.jpg",
        ),
        (
            "v2/iiif-commons-manifesto__attribution-without-label.json",
            &v2_body,
            0,
            "@id",
            "/full/full/0/default.jpg",
        ),
        (
            "v2/iiif-commons-parser__stanford-manifest.json",
            &v2_body,
            0,
            "@id",
            "/full/full/0/native.jpg",
        ),
        // A 2.x context with a 1.x compliance profile: the context decides.
        (
            "v2/iiif-commons-manifesto__aarau.json",
            &v2_body,
            0,
            "@id",
            "/full/full/0/default.jpg",
        ),
    ];
    for (file, body, service, id_key, tail) in cases {
        let (image, json) = first(file);
        let image = image.unwrap_or_else(|| panic!("{file}: no image"));
        let body = body(&json);
        assert_eq!(
            image.url,
            service_id(&body, service, id_key) + tail,
            "{file}"
        );
        assert_eq!(image.size, size(&body), "{file}");
        assert!(image.size.is_some(), "{file}");
    }
    // No service: the static image, at its own size.
    for (file, body) in [
        (
            "v3/cookbook__0001-mvm-image.json",
            v3_body(&first("v3/cookbook__0001-mvm-image.json").1),
        ),
        (
            "v2/iiif-commons-manifesto__4.json",
            v2_body(&first("v2/iiif-commons-manifesto__4.json").1),
        ),
    ] {
        let image = first(file).0.unwrap();
        let id = body
            .get("id")
            .or(body.get("@id"))
            .unwrap()
            .as_str()
            .unwrap();
        assert_eq!(image.url, id, "{file}");
        assert_eq!(image.size, size(&body), "{file}");
    }
    assert_eq!(first("v3/cookbook__0003-mvm-video.json").0, None);
}

/// Issue 22, `[manifests] copy = "link"`: every corpus manifest,
/// collection and annotation list whose `id` is an http(s) URL outside the
/// site gets no copy, and its page, linkset and Change Discovery entries
/// point at the `id`; one whose `id` is under the site's `base_url` (the
/// iiif.io documents, here) and every other document (canvases,
/// annotations) are still copied.
#[test]
fn corpus_manifests_served_elsewhere_are_linked_not_copied() {
    let (site, files) = corpus_site();
    let base = "https://iiif.io/api/";
    std::fs::write(
        site.path().join("site.toml"),
        format!("base_url = \"{base}\"\ntitle = \"Corpus\"\n[manifests]\ncopy = \"link\"\n"),
    )
    .unwrap();
    let out = site.path().join("public");
    build(
        &BuildOptions {
            site_dir: site.path().to_path_buf(),
            out_dir: Some(out.clone()),
            strict: true,
            full: false,
            offline: false,
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("corpus build failed:\n{e}"));
    let activity: String = walkdir::WalkDir::new(out.join("activity"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let (mut linked, mut copied) = (0, 0);
    for (i, file) in files.iter().enumerate() {
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let id = json
            .get("id")
            .or_else(|| json.get("@id"))
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let kind = json
            .get("type")
            .or_else(|| json.get("@type"))
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let kind = kind.rsplit(':').next().unwrap();
        let document = matches!(
            kind,
            "Manifest" | "Collection" | "AnnotationPage" | "AnnotationList"
        );
        let elsewhere = id.starts_with("http") && !id.starts_with(base);
        let folder = out.join(format!("id/corpus-{i:03}"));
        let page = std::fs::read_to_string(folder.join("index.html")).unwrap();
        let linkset = std::fs::read_to_string(folder.join("linkset.json")).unwrap();
        let copy = format!("id/corpus-{i:03}/manifest.json");
        if document && elsewhere {
            assert!(!folder.join("manifest.json").exists(), "{}", file.display());
            assert!(!page.contains(&copy), "{}: links the copy", file.display());
            assert!(!linkset.contains(&copy), "{}", file.display());
            let linkset: serde_json::Value = serde_json::from_str(&linkset).unwrap();
            assert_eq!(
                linkset["linkset"][0]["item"][0]["href"],
                id,
                "{}: the linkset's item",
                file.display()
            );
            if kind != "AnnotationPage" && kind != "AnnotationList" {
                assert!(
                    activity.contains(&format!("\"id\":\"{id}\"")),
                    "{}: Change Discovery names no {id}",
                    file.display()
                );
            }
            linked += 1;
        } else {
            assert!(folder.join("manifest.json").is_file(), "{}", file.display());
            assert!(page.contains(&copy), "{}", file.display());
            copied += 1;
        }
    }
    assert!(
        linked > 50 && copied > 50,
        "{linked} linked, {copied} copied"
    );
}
