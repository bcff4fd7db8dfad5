//! Minified templates (issue 6) make the pages the templates as written
//! make, less whitespace: a fixture site built with `minify = true` and
//! with `minify = false` gives, page by page, the same HTML once both go
//! through minify-html (which the pages went through before the templates
//! were minified), but for spaces beside block-level tags, which no browser
//! renders: minify-html keeps some (`</summary> <ol>`), the template
//! minifier drops them.

mod common;

use std::path::{Path, PathBuf};

use pidsite::{build, clock::BuildTime, BuildOptions, NoProgress};

/// Copy `tests/fixtures/<name>` into a temp dir, with `minify` set.
fn fixture(name: &str, minify: bool) -> tempfile::TempDir {
    let dir = common::copy_fixture(name);
    let toml = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("minify = false"));
    let text = text.replace("minify = false", &format!("minify = {minify}"));
    std::fs::write(&toml, text).unwrap();
    dir
}

fn run(site: &Path) -> PathBuf {
    let out = site.join("public");
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: Some(out.clone()),
            strict: true,
            full: true,
            offline: false,
            // Dates the build writes come from a fixed clock.
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("build failed: {e}"));
    out
}

/// A page through minify-html, as pidsite minified pages one by one, less
/// the spaces between a block-level tag and another tag.
fn normal(bytes: &[u8]) -> String {
    const BLOCK: &[&str] = &[
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "header",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "section",
        "summary",
        "ul",
    ];
    let html = minify_html::minify(bytes, &pidsite::render::minify_cfg());
    let html = String::from_utf8(html).unwrap();
    let name = |tag: &str| {
        let tag = tag.trim_start_matches('/');
        let end = tag.find([' ', '>']).unwrap_or(tag.len());
        BLOCK.contains(&&tag[..end])
    };
    let parts: Vec<&str> = html.split("> <").collect();
    let mut out = parts[0].to_string();
    for (before, after) in parts.iter().zip(&parts[1..]) {
        let before = &before[before.rfind('<').map_or(0, |i| i + 1)..];
        out.push_str(if name(before) || name(after) {
            "><"
        } else {
            "> <"
        });
        out.push_str(after);
    }
    out
}

/// The HTML pages of a built site, relative to it.
fn html_pages(out: &Path) -> Vec<String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().strip_prefix(out).unwrap().display().to_string())
        .collect()
}

/// Where `a` and `b` first differ, with some context.
fn first_difference(a: &str, b: &str) -> String {
    let at = a
        .bytes()
        .zip(b.bytes())
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let near = |s: &str| {
        String::from_utf8_lossy(&s.as_bytes()[at.saturating_sub(80)..(at + 80).min(s.len())])
            .into_owned()
    };
    format!("\n  minified: {}\n  written:  {}", near(a), near(b))
}

#[test]
fn minified_templates_make_the_same_pages() {
    for name in ["basic", "hostile"] {
        let (minified, written) = (fixture(name, true), fixture(name, false));
        let (minified, written) = (run(minified.path()), run(written.path()));
        let pages = html_pages(&written);
        for rel in &pages {
            let small = std::fs::read(minified.join(rel)).unwrap();
            let page = std::fs::read(written.join(rel)).unwrap();
            assert!(small.len() < page.len(), "{name}/{rel}");
            let (small, page) = (normal(&small), normal(&page));
            assert!(
                small == page,
                "{name}/{rel}:{}",
                first_difference(&small, &page)
            );
        }
        assert!(pages.len() > 5, "{name}: {} pages", pages.len());
    }
}

#[test]
fn pages_of_templates_that_cannot_be_minified_are_minified_whole() {
    // A block that lands in the built-in's <pre> (whitespace that matters):
    // the templates stay as written and each page is minified as a whole.
    let template = "{% extends \"base.html\" %}{% block main %}<pre>{% block code %}  a\n    b{% endblock code %}</pre>\n\n   <p>{{ page.title }}</p>{% endblock main %}";
    let (minified, written) = (fixture("basic", true), fixture("basic", false));
    for site in [&minified, &written] {
        std::fs::create_dir_all(site.path().join("templates")).unwrap();
        std::fs::write(site.path().join("templates/page.html"), template).unwrap();
    }
    let (minified, written) = (run(minified.path()), run(written.path()));
    let pages = html_pages(&written);
    for rel in &pages {
        let page = std::fs::read(written.join(rel)).unwrap();
        let expected = minify_html::minify(&page, &pidsite::render::minify_cfg());
        assert!(
            std::fs::read(minified.join(rel)).unwrap() == expected,
            "{rel}"
        );
    }
    assert!(pages.len() > 5, "{} pages", pages.len());
    let about = std::fs::read_to_string(minified.join("about/index.html")).unwrap();
    assert!(
        about.contains("<pre>  a\n    b</pre><p>About</p>"),
        "{about}"
    );
}
