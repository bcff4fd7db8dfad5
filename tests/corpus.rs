//! Builds one site over every IIIF file of the shared real-world corpus
//! (`../shared/corpus`, or `PIDSITE_CORPUS`) with `--strict`, and checks that
//! each file got a landing page of the type its JSON declares.

use std::path::PathBuf;

use pidsite::{build, BuildOptions, NoProgress};

fn corpus_dir() -> PathBuf {
    std::env::var_os("PIDSITE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
}

#[test]
fn every_corpus_file_builds_strict() {
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
    let out = site.path().join("public");
    let report = build(
        &BuildOptions {
            site_dir: site.path().to_path_buf(),
            out_dir: Some(out.clone()),
            strict: true,
            full: false,
            offline: false,
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("corpus build failed:\n{e}"));
    assert!(report.warnings.is_empty());
    for (i, file) in files.iter().enumerate() {
        let page = out.join(format!("id/corpus-{i:03}/index.html"));
        let html = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("no page for {}", file.display()));
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
    eprintln!("corpus: {} files, {} pages", files.len(), report.pages);
}
