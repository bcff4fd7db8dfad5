//! Control characters in what pidsite does not control (issue 19): a
//! registry cell, a PID or an alias with a line break, NUL, ESC or the
//! like is refused, naming its row and column, so it can neither split a
//! `RedirectMatch` line in `.htaccess` nor make `feed.xml` and
//! `datacite.xml` not well-formed; text from a manifest that reaches XML
//! loses its control characters. Each test breaks a copy of the basic
//! fixture, whose manifests are corpus files.

mod common;
use common::{append, build_into};

use pidsite::error::Location;
use pidsite::Error;

/// Where `text` breaks XML 1.0's `Char` production (a parser refuses the
/// document there): the first such character and its offset.
fn not_xml_char(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| {
        !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    })
}

/// The registry's columns: pid,target,status,replaced_by,aliases,title,
/// creator,date,resource_type,withdrawn_date,withdrawn_reason.
const PAYLOADS: &[(&str, &str, &str)] = &[
    // (column, what it says, row after the PID)
    (
        "aliases",
        "a line break in an alias",
        "manifests/photo-v3.json,,,\"/old\npath\",,,,,,",
    ),
    (
        "aliases",
        "a percent-encoded line feed",
        "manifests/photo-v3.json,,,/pct%0aX,,,,,,",
    ),
    (
        "aliases",
        "a percent-encoded carriage return",
        "manifests/photo-v3.json,,,/pct%0D%0AX,,,,,,",
    ),
    (
        "aliases",
        "a percent-encoded C1 control",
        "manifests/photo-v3.json,,,/pct%C2%85X,,,,,,",
    ),
    ("title", "NUL", "manifests/photo-v3.json,,,,A\u{0}B,,,,,"),
    ("title", "SOH", "manifests/photo-v3.json,,,,A\u{1}B,,,,,"),
    (
        "title",
        "a vertical tab",
        "manifests/photo-v3.json,,,,A\u{b}B,,,,,",
    ),
    (
        "title",
        "ESC",
        "manifests/photo-v3.json,,,,A\u{1b}[31mB,,,,,",
    ),
    ("title", "DEL", "manifests/photo-v3.json,,,,A\u{7f}B,,,,,"),
    (
        "title",
        "a C1 control (NEL)",
        "manifests/photo-v3.json,,,,A\u{85}B,,,,,",
    ),
    (
        "title",
        "a line break in a quoted cell",
        "manifests/photo-v3.json,,,,\"A\nB\",,,,,",
    ),
    (
        "creator",
        "a form feed",
        "manifests/photo-v3.json,,,,,Doe\u{c}Jane,,,,",
    ),
    (
        "withdrawn_reason",
        "a carriage return",
        ",withdrawn,,,,,,,2020-01-01,\"gone\rback\"",
    ),
];

#[test]
fn control_characters_in_registry_cells_are_refused_naming_row_and_column() {
    let mut problems = Vec::new();
    for (n, (column, what, rest)) in PAYLOADS.iter().enumerate() {
        let site = common::copy_fixture("basic");
        let pid = format!("ark:/99999/fk4cell{n}");
        append(
            site.path(),
            "content/registry.csv",
            &format!("{pid},{rest}\n"),
        );
        let out = tempfile::tempdir().unwrap();
        let public = out.path().join("public");
        let e = match build_into(site.path(), &public) {
            Ok(_) => {
                // Say what the build let through.
                let htaccess = std::fs::read_to_string(public.join(".htaccess")).unwrap();
                let split = htaccess
                    .lines()
                    .filter(|l| l.starts_with("path") || l.starts_with("X"))
                    .count();
                let bad: Vec<String> = ["feed.xml", "ark/99999/fk4cell0/datacite.xml"]
                    .iter()
                    .filter_map(|f| std::fs::read_to_string(public.join(f)).ok().map(|t| (f, t)))
                    .filter_map(|(f, t)| not_xml_char(&t).map(|c| format!("{f}: {c:?}")))
                    .collect();
                problems.push(format!("{what} in column {column} was accepted ({split} .htaccess lines split, not XML: {bad:?})"));
                continue;
            }
            Err(Error::Many(mut list)) if list.len() == 1 => list.pop().unwrap(),
            Err(e) => e,
        };
        match e {
            Error::Registry { at, message }
                if at == Location::line("content/registry.csv", 8)
                    && message.contains(&format!("column {column:?}"))
                    && message.contains("control character") => {}
            other => problems.push(format!(
                "{what}: expected a registry error at line 8 naming column {column:?}, got {other}"
            )),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} payloads:\n{}",
        problems.len(),
        PAYLOADS.len(),
        problems.join("\n")
    );
}

/// A manifest is not the site's to fix: a label with control characters
/// (and a noncharacter) still makes well-formed XML and HTML. The loader's
/// sanitiser drops them (this passed before issue 19; it guards that), and
/// `escape` drops what XML forbids from any text (its unit test).
#[test]
fn control_characters_in_a_manifest_label_are_dropped_from_markup() {
    let site = common::copy_fixture("basic");
    let manifest = site.path().join("content/manifests/coin-v2.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replacen(
        "\"Roman Imperial denarius\"",
        "\"Roman\\u0000 Imperial\\u0001 \\u000b\\u000c\\u001bdenarius\\ufffe\"",
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build_into(site.path(), &public).unwrap();
    let mut problems = Vec::new();
    for file in [
        "feed.xml",
        "doi/10.5555/coin.1/datacite.xml",
        "doi/10.5555/coin.1/index.html",
        "index.html",
        "sitemap.xml",
    ] {
        let text = std::fs::read_to_string(public.join(file)).unwrap();
        assert!(
            text.contains("Roman Imperial denarius") || !file.ends_with("datacite.xml"),
            "{file} lost the label:\n{text}"
        );
        if let Some(c) = not_xml_char(&text) {
            problems.push(format!("{file}: {c:?}"));
        }
    }
    assert!(problems.is_empty(), "not well-formed: {problems:?}");
}

/// A 200,000-character label (or registry title) was written whole in the
/// page's title, heading, meta tags, JSON-LD and every citation: a 2.8 MB
/// page. Titles are cut to 500 characters, with a warning naming the file
/// or the row.
#[test]
fn a_very_long_label_or_title_is_cut_with_a_warning() {
    use pidsite::model::cap::TITLE_CHARS;
    let site = common::copy_fixture("basic");
    let manifest = site.path().join("content/manifests/coin-v2.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let long = "denarius ".repeat(200_000 / 9);
    std::fs::write(
        &manifest,
        text.replacen("Roman Imperial denarius", &long, 1),
    )
    .unwrap();
    append(
        site.path(),
        "content/registry.csv",
        &format!("ark:/99999/fk4long,manifests/photo-v3.json,,,,{long},,,,,\n"),
    );
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let report = build_into(site.path(), &public).unwrap();
    for page in [
        "doi/10.5555/coin.1/index.html",
        "ark/99999/fk4long/index.html",
    ] {
        let html = std::fs::read_to_string(public.join(page)).unwrap();
        assert!(html.len() < 100_000, "{page} is {} bytes", html.len());
        let cut = format!("{}…", &long[..TITLE_CHARS - 1]);
        assert!(html.contains(&cut), "{page} lost the cut title");
    }
    let long_text: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.kind == pidsite::error::WarningKind::LongText)
        .map(|w| (w.at.clone(), w.message.clone()))
        .collect();
    // The label's warning comes once per row naming the manifest.
    assert!(long_text.len() >= 2, "{long_text:?}");
    assert!(
        long_text
            .iter()
            .any(|(at, m)| at.path.ends_with("coin-v2.json") && m.contains("label")),
        "{long_text:?}"
    );
    assert!(
        long_text.contains(&(
            Location::line("content/registry.csv", 8),
            format!(
                "column \"title\": {} characters; pages show the first {TITLE_CHARS}",
                long.trim().chars().count()
            )
        )),
        "{long_text:?}"
    );
}

/// Creators, publishers, metadata and the required statement were shown
/// whole: a 200,000-character creator or publisher (a registry cell or a
/// manifest's metadata) was repeated in the page's meta tags, JSON-LD and
/// every citation. Names are cut to 500 characters, longer text to 2,000,
/// with a warning naming the row and column or the manifest and field.
#[test]
fn a_very_long_creator_or_publisher_is_cut_with_a_warning() {
    use pidsite::model::cap::{SUMMARY_CHARS, TITLE_CHARS};
    let site = common::copy_fixture("basic");
    let long = "Mercator ".repeat(200_000 / 9);
    let chars = long.trim().chars().count();
    // The manifest: creator and publisher in its metadata, and a long
    // attribution (its requiredStatement).
    let manifest = site.path().join("content/manifests/coin-v2.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let extra = format!(
        "\"metadata\": [\n    {{\"label\": \"Creator\", \"value\": \"{long}\"}},\n    {{\"label\": \"Publisher\", \"value\": \"{long}\"}},"
    );
    let text = text.replacen("\"metadata\": [", &extra, 1).replacen(
        "Provided by the Stanford University Libraries",
        &long,
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    // The registry: a creator and a publisher column.
    let registry = site.path().join("content/registry.csv");
    let rows = std::fs::read_to_string(&registry).unwrap();
    let mut lines: Vec<String> = rows.lines().map(|l| format!("{l},")).collect();
    lines[0] = format!("{}publisher", lines[0]);
    lines.push(format!(
        "ark:/99999/fk4long,manifests/photo-v3.json,,,,,\"{long}; Doe, Jane\",,,,,{long}"
    ));
    std::fs::write(&registry, lines.join("\n") + "\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let report = build_into(site.path(), &public).unwrap();
    for page in [
        "doi/10.5555/coin.1/index.html",
        "ark/99999/fk4long/index.html",
    ] {
        let html = std::fs::read_to_string(public.join(page)).unwrap();
        assert!(html.len() < 100_000, "{page} is {} bytes", html.len());
    }
    let long_text: Vec<(Location, String)> = report
        .warnings
        .iter()
        .filter(|w| w.kind == pidsite::error::WarningKind::LongText)
        .map(|w| (w.at.clone(), w.message.clone()))
        .collect();
    let row = Location::line("content/registry.csv", 8);
    for (column, max) in [("creator", TITLE_CHARS), ("publisher", TITLE_CHARS)] {
        let message =
            format!("column \"{column}\": {chars} characters; pages show the first {max}");
        assert!(
            long_text.contains(&(row.clone(), message)),
            "{column}: {long_text:?}"
        );
    }
    for field in [
        "value of metadata entry 1",
        "value of metadata entry 2",
        "requiredStatement's value",
    ] {
        let message = format!(
            "the {field} of content/manifests/coin-v2.json has {chars} characters; pages show its first {SUMMARY_CHARS}"
        );
        assert!(
            long_text
                .iter()
                .any(|(at, m)| at.path.ends_with("coin-v2.json") && *m == message),
            "{field}: {long_text:?}"
        );
    }
}
