//! Citations of real files of the shared IIIF corpus (`../shared/corpus`, or
//! `PIDSITE_CORPUS`), as the landing pages and citation files give them
//! (issue 16, point 6).

use std::path::{Path, PathBuf};

use pidsite::{build, BuildOptions, NoProgress};

fn corpus_file(path: &str) -> PathBuf {
    let corpus = std::env::var_os("PIDSITE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let file = corpus.join(path);
    assert!(
        file.is_file(),
        "{} is missing (set PIDSITE_CORPUS to the shared IIIF corpus)",
        file.display()
    );
    file
}

/// Builds a site (unminified, every built-in style) whose registry gives
/// each `(pid, corpus file)` a PID, with `extra` registry columns after
/// `pid,target`; returns the site folder and its output.
fn site(rows: &[(&str, &str, &str)], extra_columns: &str) -> (tempfile::TempDir, PathBuf) {
    let site = tempfile::tempdir().unwrap();
    let manifests = site.path().join("content/manifests");
    std::fs::create_dir_all(&manifests).unwrap();
    std::fs::write(
        site.path().join("site.toml"),
        "base_url = \"https://example.org/c/\"\ntitle = \"C\"\nminify = false\n\
         [citation]\nstyles = [\"apa\", \"mla\", \"chicago-author-date\", \"chicago-notes\", \"harvard\", \"vancouver\"]\n",
    )
    .unwrap();
    let mut registry = format!("pid,target{extra_columns}\n");
    for (i, (pid, file, extra)) in rows.iter().enumerate() {
        let name = format!("{i}.json");
        std::fs::copy(corpus_file(file), manifests.join(&name)).unwrap();
        registry.push_str(&format!("{pid},manifests/{name}{extra}\n"));
    }
    std::fs::write(site.path().join("content/registry.csv"), registry).unwrap();
    let out = site.path().join("public");
    build(
        &BuildOptions {
            site_dir: site.path().to_path_buf(),
            out_dir: Some(out.clone()),
            strict: false,
            full: true,
            offline: true,
            time: None,
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("build failed:\n{e}"));
    (site, out)
}

/// The citations a landing page shows, by style name, as text.
fn citations(page: &Path) -> Vec<(String, String)> {
    let html = std::fs::read_to_string(page).unwrap();
    html.split("<figure class=\"cite-style\" id=\"cite-")
        .skip(1)
        .filter_map(|f| {
            let (name, rest) = f.split_once('"')?;
            let quote = rest.split_once("<blockquote class=\"cite-text\">")?.1;
            let quote = quote.split_once("</blockquote>")?.0;
            Some((name.to_string(), text_of(quote)))
        })
        .collect()
}

/// Text of citation HTML: tags dropped, the few entities unescaped.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
}

#[test]
fn a_pid_standing_in_for_a_title_is_kept_as_written() {
    // Mirador's manifest has no label: the PID is the title.
    let (_site, out) = site(
        &[(
            "ark:/99999/fk4qa070",
            "v3/mirador__with_a_provider.json",
            "",
        )],
        "",
    );
    let cites = citations(&out.join("ark/99999/fk4qa070/index.html"));
    assert_eq!(cites.len(), 6, "{cites:?}");
    for (style, text) in &cites {
        if ["apa", "mla", "chicago-author-date", "chicago-notes"].contains(&style.as_str()) {
            assert!(text.starts_with("ark:99999/fk4qa070"), "{style}: {text}");
        }
        assert!(
            !text.contains("Ark:") && !text.contains("Fk4"),
            "{style}: {text}"
        );
    }
    // The CSL-JSON marks it so for every processor; the other formats keep
    // the plain PID.
    let csl = std::fs::read_to_string(out.join("ark/99999/fk4qa070/cite.json")).unwrap();
    assert!(
        csl.contains(r#""title":"<span class=\"nocase\">ark:99999/fk4qa070</span>""#),
        "{csl}"
    );
    let ris = std::fs::read_to_string(out.join("ark/99999/fk4qa070/cite.ris")).unwrap();
    assert!(ris.contains("TI  - ark:99999/fk4qa070\r\n"), "{ris}");
}

#[test]
fn the_publisher_is_the_providers_name_not_its_address() {
    // Wellcome's provider label: name, street, city, telephone, e-mail, web.
    let (_site, out) = site(
        &[("wellcome", "v3/iiif-commons-parser__wellcome-p3.json", "")],
        "",
    );
    let dir = out.join("id/wellcome");
    let csl: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("cite.json")).unwrap()).unwrap();
    assert_eq!(csl[0]["publisher"], "Wellcome Collection");
    let ris = std::fs::read_to_string(dir.join("cite.ris")).unwrap();
    assert!(ris.contains("PB  - Wellcome Collection\r\n"), "{ris}");
    let bib = std::fs::read_to_string(dir.join("cite.bib")).unwrap();
    assert!(!bib.contains("Euston"), "{bib}");
    for (style, text) in citations(&dir.join("index.html")) {
        assert!(text.contains("Wellcome Collection"), "{style}: {text}");
        assert!(
            !text.contains("Euston") && !text.contains("7611"),
            "{style}: {text}"
        );
    }
}

#[test]
fn parentheses_stay_balanced_in_every_style() {
    // Villanova's author is in catalogue form with a fuller name in
    // parentheses: initialising it gave "Thackara, A. M. (A. M." in APA,
    // Harvard and Vancouver.
    let (_site, out) = site(
        &[(
            "villanova",
            "v2/iiif-commons-parser__villanova-manifest.json",
            "",
        )],
        "",
    );
    let cites = citations(&out.join("id/villanova/index.html"));
    assert_eq!(cites.len(), 6);
    for (style, text) in &cites {
        assert_eq!(
            text.matches('(').count(),
            text.matches(')').count(),
            "{style}: {text}"
        );
        assert!(text.contains("Thackara"), "{style}: {text}");
    }
    let apa = &cites.iter().find(|(s, _)| s == "apa").unwrap().1;
    assert!(apa.starts_with("Thackara, A. M. (n.d.)."), "{apa}");
    let mla = &cites.iter().find(|(s, _)| s == "mla").unwrap().1;
    assert!(mla.starts_with("Thackara, Alexander Montgomery."), "{mla}");
}

#[test]
fn bibtex_uses_fields_misc_takes_and_a_key_per_version() {
    // Two versions of Wellcome's manifest: a bibliography citing the PID
    // and both versions needs three keys; biber flagged `publisher` on
    // `@misc` and biblatex dropped the holding institution. (Wellcome's
    // "Format: Monograph" makes it a book, which takes a `publisher`: the
    // registry calls it an image here, which is `@misc`.)
    let file = "v3/iiif-commons-parser__wellcome-p3.json";
    let (_site, out) = site(
        &[
            ("ark:/99999/fk4w", file, ",1,image"),
            ("ark:/99999/fk4w", file, ",2,image"),
        ],
        ",version,resource_type",
    );
    let bib = |p: &str| std::fs::read_to_string(out.join(p).join("cite.bib")).unwrap();
    let key = |b: &str| b.lines().next().unwrap().to_string();
    let (pid, v1, v2) = (
        bib("ark/99999/fk4w"),
        bib("ark/99999/fk4w/v1"),
        bib("ark/99999/fk4w/v2"),
    );
    assert_eq!(key(&pid), "@misc{ark_99999_fk4w,");
    assert_eq!(key(&v1), "@misc{ark_99999_fk4w_v1,");
    assert_eq!(key(&v2), "@misc{ark_99999_fk4w_v2,");
    for b in [&pid, &v1, &v2] {
        assert!(
            b.contains("  organization = {Wellcome Collection},\n"),
            "{b}"
        );
        assert!(!b.contains("publisher"), "{b}");
    }
    // The CSL-JSON ids follow the same keys.
    let csl = std::fs::read_to_string(out.join("ark/99999/fk4w/v1/cite.json")).unwrap();
    assert!(csl.contains("\"id\":\"ark_99999_fk4w_v1\""), "{csl}");
}
