//! The hostile battery (issue 3): builds a copy of tests/fixtures/hostile, whose
//! manifests put script, event handlers, `javascript:`/`data:` URLs,
//! attribute break-outs, `</script>` and `../` paths in every field a page
//! shows, and scans every output file. Nothing a manifest says may add a
//! script, a handler, a script URL or an attribute, end the JSON-LD block
//! early, or make pidsite write outside the output folder.

mod common;

use std::path::{Path, PathBuf};

use pidsite::{build, BuildOptions, NoProgress};

/// The scripts pidsite's own templates write, by their opening tag.
const OUR_SCRIPTS: &[&str] = &[
    "<script type=\"application/ld+json\">",
    "<script src=\"/hostile/js/pidsite.js?v=",
    "<script src=\"/hostile/js/near-miss.js?v=",
    "<script type=\"module\" src=\"/hostile/js/search.js?v=",
    "<script>location.replace(",
];

/// Attribute names whose value is a URL a browser may follow or run.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "xlink:href",
    "srcset",
];

/// Build a copy of the fixture (a build rewrites the site's `pidsite.lock`,
/// which the repository tracks) into a folder of its own, where the test
/// looks for files written beside the output.
fn build_hostile() -> (tempfile::TempDir, PathBuf) {
    let site = common::copy_fixture("hostile");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(
        &BuildOptions {
            site_dir: site.path().to_path_buf(),
            out_dir: Some(out.clone()),
            strict: true,
            full: false,
            offline: false,
            time: None,
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("hostile site did not build:\n{e}"));
    (tmp, out)
}

/// One start tag: its name and its attributes (name, raw value), parsed the
/// way an HTML5 tokeniser splits them (quoted, single-quoted, unquoted).
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// Every start tag of a document, outside comments and script/style text.
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = html[i..].find("-->").map_or(bytes.len(), |e| i + e + 3);
            continue;
        }
        if !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
            j += 1;
        }
        let name = html[i + 1..j].to_ascii_lowercase();
        let mut attributes = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let start = j;
            while j < bytes.len()
                && !bytes[j].is_ascii_whitespace()
                && !matches!(bytes[j], b'=' | b'>')
            {
                j += 1;
            }
            let attr = html[start..j].to_ascii_lowercase();
            let mut value = String::new();
            if bytes.get(j) == Some(&b'=') {
                j += 1;
                match bytes.get(j) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let end = html[j + 1..]
                            .find(char::from(q))
                            .map_or(bytes.len(), |e| j + 1 + e);
                        value = html[j + 1..end.min(bytes.len())].to_string();
                        j = end + 1;
                    }
                    _ => {
                        let s = j;
                        while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>'
                        {
                            j += 1;
                        }
                        value = html[s..j].to_string();
                    }
                }
            }
            attributes.push((attr, value));
        }
        let end = j.min(bytes.len());
        out.push(Tag { name, attributes });
        // Skip raw text elements' content: it is not markup.
        i = end + 1;
        for raw in ["script", "style"] {
            if out.last().is_some_and(|t| t.name == raw) {
                let close = format!("</{raw}");
                i = html[i.min(bytes.len())..]
                    .to_ascii_lowercase()
                    .find(&close)
                    .map_or(bytes.len(), |e| i + e);
            }
        }
    }
    out
}

/// Decode the character references a browser decodes in attribute values.
fn decode(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').unwrap_or(rest.len());
        let name = &rest[1..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "colon" => Some(':'),
            _ => name
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[(end + 1).min(rest.len())..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn check_html(path: &Path, html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let lower = html.to_ascii_lowercase();
    for (i, _) in lower.match_indices("<script") {
        if !OUR_SCRIPTS.iter().any(|ours| html[i..].starts_with(ours)) {
            problems.push(format!(
                "foreign <script: {}",
                &html[i..(i + 80).min(html.len())]
            ));
        }
    }
    for tag in tags(html) {
        if matches!(
            tag.name.as_str(),
            "iframe" | "object" | "embed" | "svg" | "math" | "base" | "style" | "frame"
        ) {
            problems.push(format!("forbidden element <{}>", tag.name));
        }
        for (name, value) in &tag.attributes {
            let ok_name = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == ':');
            if !ok_name {
                problems.push(format!("broken-out attribute {name:?} on <{}>", tag.name));
            }
            if name.starts_with("on") {
                problems.push(format!("event handler {name}= on <{}>", tag.name));
            }
            if matches!(name.as_str(), "style" | "srcdoc") {
                problems.push(format!("{name}= on <{}>", tag.name));
            }
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                let url: String = decode(value)
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    if url.starts_with(scheme) {
                        problems.push(format!("{scheme} URL in {name}= on <{}>", tag.name));
                    }
                }
            }
        }
    }
    // Every JSON-LD block must run to its own end: it parses as JSON.
    let open = "<script type=\"application/ld+json\">";
    for (i, _) in html.match_indices(open) {
        let body = &html[i + open.len()..];
        let end = body.find("</script>").unwrap_or(body.len());
        let json = &body[..end];
        if let Err(e) = serde_json::from_str::<serde_json::Value>(json) {
            problems.push(format!("JSON-LD block broken ({e}): {json}"));
        }
        if json.to_ascii_lowercase().contains("<!--") || json.contains('<') {
            problems.push("`<` inside JSON-LD".into());
        }
    }
    problems
        .into_iter()
        .map(|p| format!("{}: {p}", path.display()))
        .collect()
}

#[test]
fn hostile_manifests_cannot_inject_anything() {
    let (tmp, out) = build_hostile();
    let mut problems = Vec::new();
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        let path = entry.path();
        if !entry.file_type().is_file() {
            continue;
        }
        // Nothing outside the output folder, even through a symlink.
        let real = path.canonicalize().unwrap();
        assert!(
            real.starts_with(out.canonicalize().unwrap()),
            "{} is outside the output folder",
            real.display()
        );
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let bytes = std::fs::read(path).unwrap();
        match ext {
            "html" => {
                pages += 1;
                problems.extend(check_html(path, &String::from_utf8(bytes).unwrap()));
            }
            "json" => {
                serde_json::from_slice::<serde_json::Value>(&bytes)
                    .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
            }
            "xml" | "csv" | "bib" | "ris" | "txt" => {
                let text = String::from_utf8(bytes).unwrap().to_ascii_lowercase();
                if text.contains("<script") {
                    problems.push(format!("{}: <script in a data file", path.display()));
                }
            }
            _ => {}
        }
    }
    assert!(pages >= 5, "only {pages} pages built");
    // The build wrote nothing beside the output folder but its own
    // incremental build state.
    let mut siblings: Vec<_> = walkdir::WalkDir::new(tmp.path())
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| !e.path().starts_with(&out)) // the output and all in it
        .map(|e| e.path().strip_prefix(tmp.path()).unwrap().to_path_buf())
        .collect();
    siblings.sort();
    // The cache beside the output: the build lock, the build state, its
    // entries' store and the templates it parsed.
    let names: Vec<String> = siblings
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert_eq!(names[0], ".pidsite-cache");
    assert_eq!(names[1], ".pidsite-cache/build-public.lock");
    assert_eq!(names[2], ".pidsite-cache/build-state-public.bin");
    assert!(
        names[3].starts_with(".pidsite-cache/entries-public-") && names[3].ends_with(".bin"),
        "{names:?}"
    );
    assert_eq!(names[4], ".pidsite-cache/templates-public.bin");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn hostile_pages_keep_their_safe_content() {
    let (_tmp, out) = build_hostile();
    let page = std::fs::read_to_string(out.join("ark/99999/fk4evil3/index.html")).unwrap();
    // Text survives, escaped; the harmless link and image stay, with alt.
    assert!(page.contains("Summary"), "summary text dropped");
    assert!(page.contains("href=\"https://example.org/\""));
    assert!(page.contains("<img src=\"https://example.org/logo.png\" alt=\"\">"));
    assert!(
        page.contains("https://example.org/ok"),
        "safe homepage link dropped"
    );
    let coll = std::fs::read_to_string(out.join("ark/99999/fk4evilcoll/index.html")).unwrap();
    // The v2 member has a PID here: the collection links to its page.
    assert!(
        coll.contains("href=\"/hostile/ark/99999/fk4evil2/\""),
        "{coll}"
    );
    // The registry's canvas and region reach the viewer as a content state.
    let part = std::fs::read_to_string(out.join("ark/99999/fk4evilcanvas/index.html")).unwrap();
    assert!(part.contains("data-iiif-content=\""), "no content state");
}

#[test]
fn the_scanner_catches_what_it_should() {
    let bad = [
        "<p><script>alert(1)</script></p>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<img src=\"x\" onerror=\"alert(1)\">",
        "<a title=\"x\" \" onclick=\"alert(1)\">x</a>",
        "<script type=\"application/ld+json\">{\"a\":\"</script><p>\"}</script>",
        "<iframe src=\"https://x.org/\"></iframe>",
        "<p style=\"x\">",
    ];
    for html in bad {
        assert!(
            !check_html(Path::new("x.html"), html).is_empty(),
            "missed: {html}"
        );
    }
    let good = "<script type=\"application/ld+json\">{\"a\":\"\\u003c/script\"}</script><a href=\"https://x.org/?a=1&amp;b=2\" title=\"javascript: a word\">javascript: as text</a><img src=\"https://x.org/i.png\" alt=\"\">";
    assert_eq!(check_html(Path::new("x.html"), good), Vec::<String>::new());
}

/// Raw HTML and script URLs an author (or whoever edits `content/`) may
/// put in Markdown (issue 19): one per family the probe tried.
const MARKDOWN_PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "Text <script>alert(1)</script> inline.",
    "<img src=x onerror=alert(1)>",
    "A <a href=\"#\" onclick=\"alert(1)\">link</a> with a handler.",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<svg onload=alert(1)>",
    "<object data=\"https://evil.example/x.swf\"></object>",
    "<embed src=\"https://evil.example/x.swf\">",
    "<form action=\"https://evil.example/\"><input name=p></form>",
    "<style>body{display:none}</style>",
    "<base href=\"https://evil.example/\">",
    "<div style=\"position:fixed;inset:0\">cover</div>",
    "<details open ontoggle=alert(1)>x</details>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<p title=\"x\" onmouseover=\"alert(1)\">hover</p>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
];

/// A copy of the hostile fixture with each Markdown payload on a page of its
/// own (`p01`…), all of them in a note and in the footer, and `extra`
/// added to site.toml; built, and the output folder.
fn build_hostile_markdown(extra: &str, footer: bool) -> (tempfile::TempDir, PathBuf) {
    let site = common::copy_fixture("hostile");
    let pages = site.path().join("content/pages");
    std::fs::create_dir_all(&pages).unwrap();
    for (i, payload) in MARKDOWN_PAYLOADS.iter().enumerate() {
        let page = format!("---\ntitle: Payload {}\n---\n{payload}\n", i + 1);
        std::fs::write(pages.join(format!("p{:02}.md", i + 1)), page).unwrap();
    }
    let notes = site.path().join("content/notes");
    std::fs::create_dir_all(&notes).unwrap();
    let all = MARKDOWN_PAYLOADS.join("\n\n");
    std::fs::write(
        notes.join("evil.md"),
        format!("---\npid: ark:/99999/fk4evil3\n---\n{all}\n"),
    )
    .unwrap();
    let toml = site.path().join("site.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    if footer {
        text.push_str(&format!("footer = {:?}\n", MARKDOWN_PAYLOADS.join(" ")));
    }
    text.push_str(extra);
    std::fs::write(&toml, text).unwrap();
    let out = site.path().join("public");
    build(
        &BuildOptions {
            site_dir: site.path().to_path_buf(),
            out_dir: Some(out.clone()),
            strict: false,
            full: false,
            offline: false,
            time: None,
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("hostile Markdown site did not build:\n{e}"));
    (site, out)
}

/// The payloads whose page lets something through, by number.
fn escaped_payloads(out: &Path) -> Vec<String> {
    (1..=MARKDOWN_PAYLOADS.len())
        .filter_map(|i| {
            let path = out.join(format!("p{i:02}/index.html"));
            let html = std::fs::read_to_string(&path).unwrap();
            let mut problems = check_html(&path, &html);
            // A form, a frame or an object posting to or loading from
            // elsewhere: the scanner allows the home page's search form.
            if html.contains("evil.example") {
                problems.push("evil.example is on the page".into());
            }
            (!problems.is_empty()).then(|| format!("p{i:02}: {}", problems.join("; ")))
        })
        .collect()
}

#[test]
fn raw_html_in_markdown_is_omitted_by_default() {
    // Issue 19: before, all 25 reached the pages.
    let (_site, out) = build_hostile_markdown("", false);
    let escaped = escaped_payloads(&out);
    assert!(
        escaped.is_empty(),
        "{} of {} payloads escaped:\n{}",
        escaped.len(),
        MARKDOWN_PAYLOADS.len(),
        escaped.join("\n")
    );
    // The text around the omitted HTML stays.
    let page = std::fs::read_to_string(out.join("p02/index.html")).unwrap();
    assert!(
        page.contains("Text  inline."),
        "text around raw HTML dropped"
    );
}

#[test]
fn raw_html_allowed_in_markdown_is_sanitised() {
    let (_site, out) = build_hostile_markdown("[markdown]\nallow_html = true\n", false);
    let escaped = escaped_payloads(&out);
    assert!(
        escaped.is_empty(),
        "{} of {} payloads escaped:\n{}",
        escaped.len(),
        MARKDOWN_PAYLOADS.len(),
        escaped.join("\n")
    );
    // What the manifests' allow-list keeps stays: a link, text.
    let page = std::fs::read_to_string(out.join("p04/index.html")).unwrap();
    assert!(page.contains("<a href=\"#\">link</a>"), "{page}");
}

#[test]
fn notes_and_the_footer_cannot_inject_anything() {
    for extra in ["", "[markdown]\nallow_html = true\n"] {
        let (_site, out) = build_hostile_markdown(extra, true);
        let mut problems = Vec::new();
        for page in ["ark/99999/fk4evil3/index.html", "index.html"] {
            let path = out.join(page);
            problems.extend(check_html(&path, &std::fs::read_to_string(&path).unwrap()));
        }
        assert!(problems.is_empty(), "{extra}: {}", problems.join("\n"));
    }
}
