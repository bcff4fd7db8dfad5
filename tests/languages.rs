//! The interface in the site's language (issue 20, section 2): the example
//! site and the fixture sites with annotations, versions and tombstones,
//! built in each built-in language, have no English interface string left
//! on any page (landing pages, tombstones, the home page, 404, lists,
//! annotation lists and titles, version notes, link roles).
//!
//! What is English interface text is read from `i18n/en.toml`: each
//! string's words (split at its `{placeholders}` and HTML tags), for every
//! key whose translation differs. Content (manifest metadata, citations,
//! the example site's English Markdown) may hold the same words, so each
//! is counted against a build in a pseudo-language whose every string is
//! its key: a language may show an English phrase only as often as that
//! build, which has no English interface string at all, shows it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pidsite::render::i18n::BUILTINS;
use pidsite::{build, clock::BuildTime, BuildOptions, NoProgress};

/// Fixture sites whose pages show what the example site's do not: unlabelled
/// annotation pages (their titles), tags and regions, versions whose
/// images changed, tombstones, local identifiers.
const FIXTURES: &[&str] = &["basic", "hostile", "types"];

/// A copy of the example site (the repository's own; `fixture` none) or of
/// a fixture site in `language`, with the site's own `i18n/` files given as
/// (file name, text).
fn site(fixture: Option<&str>, language: &str, i18n: &[(&str, String)]) -> tempfile::TempDir {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let (from, parts): (PathBuf, &[&str]) = match fixture {
        None => (repo.clone(), &["content", "static", "templates"]),
        Some(name) => (repo.join("tests/fixtures").join(name), &[""]),
    };
    for part in parts {
        let from = from.join(part);
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(&from).unwrap();
            if rel.starts_with("public") {
                continue;
            }
            let to = dir.path().join(part).join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
    }
    let toml = match fixture {
        None => {
            std::fs::copy(repo.join("pidsite.lock"), dir.path().join("pidsite.lock")).unwrap();
            let toml = std::fs::read_to_string(repo.join("site.toml")).unwrap();
            assert!(toml.contains("language = \"en\""));
            toml.replace("language = \"en\"", &format!("language = \"{language}\""))
        }
        Some(_) => {
            let toml = std::fs::read_to_string(from.join("site.toml")).unwrap();
            assert!(!toml.contains("language"), "a fixture sets its language");
            format!("language = \"{language}\"\n{toml}")
        }
    };
    std::fs::write(dir.path().join("site.toml"), toml).unwrap();
    if !i18n.is_empty() {
        std::fs::create_dir_all(dir.path().join("i18n")).unwrap();
        for (name, text) in i18n {
            std::fs::write(dir.path().join("i18n").join(name), text).unwrap();
        }
    }
    dir
}

/// A copy of the example site in `language` (see [`site`]).
fn example_site(language: &str, i18n: &[(&str, String)]) -> tempfile::TempDir {
    site(None, language, i18n)
}

/// Build `site`; its HTML pages, by path, without their citations (see
/// [`without_citations`]).
fn pages(site: &Path) -> HashMap<String, String> {
    raw_pages(site)
        .into_iter()
        .map(|(path, html)| (path, without_citations(&html)))
        .collect()
}

/// Build `site`; its HTML pages, by path.
fn raw_pages(site: &Path) -> HashMap<String, String> {
    let out = site.join("public");
    let report = build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: Some(out.clone()),
            strict: false,
            full: true,
            offline: true,
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("build failed: {e}"));
    let translation: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.kind == pidsite::WarningKind::Translation)
        .collect();
    assert!(translation.is_empty(), "{translation:?}");
    walkdir::WalkDir::new(&out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(&out).unwrap().display().to_string();
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

/// `html` without its formatted citations (`<blockquote>`s): their words
/// are the CSL locale's (tests in `citation::styles`), which may lack a
/// term and use the English one, as CSL says a processor should.
fn without_citations(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<blockquote") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</blockquote>") {
            Some(end) => rest = &rest[start + end + "</blockquote>".len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A translation table as key → text.
fn table(text: &str) -> HashMap<String, String> {
    fn flatten(prefix: &str, table: toml::Table, map: &mut HashMap<String, String>) {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(t) => flatten(&key, t, map),
                toml::Value::String(s) => {
                    map.insert(key, s);
                }
                other => panic!("{key}: {other}"),
            }
        }
    }
    let mut map = HashMap::new();
    flatten("", toml::from_str(text).unwrap(), &mut map);
    map
}

/// The phrases of an English string: its text between placeholders and
/// tags, trimmed of spaces and punctuation, of four letters or more.
fn phrases(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut skip_to = None;
    for c in text.chars() {
        if let Some(end) = skip_to {
            if c == end {
                skip_to = None;
            }
            continue;
        }
        match c {
            '{' => skip_to = Some('}'),
            '<' => skip_to = Some('>'),
            _ => {
                current.push(c);
                continue;
            }
        }
        out.push(std::mem::take(&mut current));
    }
    out.push(current);
    out.into_iter()
        .map(|p| p.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|p| p.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .collect()
}

/// How often `phrase` occurs in `text` as whole words.
fn count_words(text: &str, phrase: &str) -> usize {
    text.match_indices(phrase)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let after = text[at + phrase.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
        .count()
}

#[test]
fn every_built_in_language_leaves_no_english_interface_string() {
    let english = table(BUILTINS[0].1);
    // The pseudo-language: every string its key, in brackets, and the
    // placeholders the English one fills (a page title's `{title}`).
    let pseudo: String = english
        .iter()
        .map(|(k, en)| {
            let fields: String = en
                .split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}'))
                .map(|(name, _)| format!(" {{{name}}}"))
                .collect();
            format!("{k:?} = {:?}\n", format!("[{k}]{fields}"))
        })
        .collect();
    let mut shown = String::new();
    for fixture in [None].into_iter().chain(FIXTURES.iter().copied().map(Some)) {
        let baseline = pages(site(fixture, "qps", &[("qps.toml", pseudo.clone())]).path());
        shown.extend(baseline.values().map(String::as_str));
        let name = fixture.unwrap_or("example");
        for (tag, text) in &BUILTINS[1..] {
            let left = english_left(
                &english,
                &table(text),
                &baseline,
                site(fixture, tag, &[]).path(),
            );
            assert!(
                left.is_empty(),
                "{name}, {tag}: English left:\n{}",
                left.join("\n")
            );
        }
    }
    assert!(shown.contains("[not_found.title]"));
    // The words pidsite writes in code (annotations, version notes, link
    // roles, identifier schemes, unlabelled images) come from the tables,
    // so the check above covers them: each is shown by its key.
    for key in [
        "[annotation_word.comment]",
        "[annotation_word.tag]",
        "[annotation_title.",
        "[words.the_image]",
        "[words.region_of]",
        "[words.image_n]",
        "[link_role.homepage]",
        "[link_role.see_also]",
        "[link_role.rendering]",
        "[changes.images_added.",
        "[changes.metadata_added]",
        "[scheme.local]",
        "[scheme.ark]",
    ] {
        assert!(shown.contains(key), "no page shows {key}: written in code?");
    }
}

/// The English phrases a build of `site` in a language whose table is `own`
/// shows more often than the pseudo-language's `baseline` build, which has
/// no English interface string at all; the pages' URLs must be the same.
fn english_left(
    english: &HashMap<String, String>,
    own: &HashMap<String, String>,
    baseline: &HashMap<String, String>,
    site: &Path,
) -> Vec<String> {
    let built = pages(site);
    // Same pages at the same URLs: a browse page is named by the type's
    // key, not by its translated label.
    let mut paths: Vec<_> = built.keys().collect();
    let mut expected: Vec<_> = baseline.keys().collect();
    paths.sort();
    expected.sort();
    assert_eq!(paths, expected, "the pages' URLs depend on the language");
    let mut left = Vec::new();
    for (key, en) in english {
        for phrase in phrases(en) {
            if own.values().any(|theirs| count_words(theirs, &phrase) > 0) {
                // A word of both languages (`BibTeX`, `IIIF`, `Status`,
                // German's `Link` and `Download`).
                continue;
            }
            for (path, html) in &built {
                let (n, base) = (
                    count_words(html, &phrase),
                    count_words(&baseline[path], &phrase),
                );
                if n > base {
                    left.push(format!(
                        "{path}: {phrase:?} ({key}) {n} times, {base} in content"
                    ));
                }
            }
        }
    }
    left.sort();
    left.dedup();
    left
}

#[test]
fn the_german_site_is_german_and_right_to_left_languages_get_dir() {
    let built = raw_pages(example_site("de", &[]).path());
    let home = &built["index.html"];
    assert!(home.contains("<html lang=\"de\">"), "no dir for German");
    assert!(home.contains("Zum Inhalt springen"));
    assert!(built["404.html"].contains("Seite nicht gefunden"));
    // A tombstone dates its withdrawal with the month's name.
    let tombstone = built
        .values()
        .find(|h| h.contains("Zurückgezogen am"))
        .expect("the example site has a withdrawn PID");
    assert!(
        [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember"
        ]
        .iter()
        .any(|m| tombstone.contains(&format!(" {m} 20"))),
        "a German date"
    );
    // The scripts' words, given by the page (pidsite.js keeps the English).
    assert!(
        home.contains(r#"defer data-i18n='{"copied":"Kopiert","#),
        "pidsite.js is given German"
    );
    assert!(
        built["404.html"].contains(r#""to_page":"Sie werden weitergeleitet zur Seite von {pid}""#)
    );
    // The citation styles' own words are German ("o. J.", not "n.d."),
    // unless the site keeps each style's own.
    let undated = "ark/12345/z1fj82dp/index.html";
    assert!(
        built[undated].contains("(o.\u{a0}J.). [Bild]"),
        "APA in German"
    );
    let own = example_site("de", &[]);
    let toml = std::fs::read_to_string(own.path().join("site.toml")).unwrap();
    std::fs::write(
        own.path().join("site.toml"),
        toml.replacen("[citation]\n", "[citation]\nlocale = \"style\"\n", 1),
    )
    .unwrap();
    let kept = raw_pages(own.path());
    assert!(
        kept[undated].contains("(n.d.). [Graphic]"),
        "APA's own English"
    );
    assert!(kept[undated].contains("Zitat kopieren"));
    // An English page carries no words for its scripts: it stays as it was.
    let english = raw_pages(example_site("en", &[]).path());
    assert!(english
        .values()
        .all(|h| !h.contains("data-i18n") && !h.contains("o.\u{a0}J.")));
    // A site adds Hebrew with its own file: right to left, and what it
    // does not translate stays English (with a warning, see i18n.rs).
    let he = pages_allowing_warnings(
        example_site("he", &[("he.toml", "[nav]\nbrowse = \"עיון\"\n".into())]).path(),
    );
    assert!(he["index.html"].contains("<html lang=\"he\" dir=\"rtl\">"));
    assert!(he["index.html"].contains("עיון"));
}

/// Build `site`, whatever it warns about; its home page.
fn pages_allowing_warnings(site: &Path) -> HashMap<String, String> {
    let out = site.join("public");
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: Some(out.clone()),
            strict: false,
            full: true,
            offline: true,
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap();
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    HashMap::from([("index.html".to_string(), home)])
}

/// Words the built-in templates write as they are: names, the same in
/// every language.
const NAMES: [&str; 5] = ["IIIF", "BibTeX", "PID", "pids", "csv"];

/// `text` with every Tera tag, expression and comment put out of the way
/// (a space each), and the contents of `<script>` and `<style>` too.
fn without_code(text: &str) -> String {
    let mut out = text.to_string();
    for (open, close) in [
        ("{#", "#}"),
        ("{{", "}}"),
        ("{%", "%}"),
        ("<script", "</script>"),
        ("<style", "</style>"),
    ] {
        while let Some(at) = out.find(open) {
            let end = out[at..]
                .find(close)
                .map_or(out.len(), |e| at + e + close.len());
            out.replace_range(at..end, " ");
        }
    }
    out
}

/// The interface text a template writes itself: its text between tags and
/// the values of the attributes people read (aria-label, title, alt,
/// placeholder), each a word of two letters or more that is not a name.
fn own_words(template: &str) -> Vec<String> {
    let text = without_code(template);
    let mut shown = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find('<') {
        shown.push_str(&rest[..at]);
        shown.push(' ');
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let tag = &rest[at..end];
        for attribute in ["aria-label=\"", "title=\"", "alt=\"", "placeholder=\""] {
            if let Some(start) = tag.find(attribute) {
                let value = &tag[start + attribute.len()..];
                shown.push_str(value.split('"').next().unwrap_or_default());
                shown.push(' ');
            }
        }
        rest = &rest[end..];
    }
    shown.push_str(rest);
    shown
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 2)
        .filter(|w| !NAMES.contains(w))
        .map(str::to_string)
        .collect()
}

/// The string literals of a script that read as text for people: with a
/// space or capitalised, holding a word of three letters or more (CSS
/// selectors, starting `.` or `[`, are not).
fn script_text(script: &str) -> Vec<String> {
    let code: String = script
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        if c != '"' && c != '\'' {
            continue;
        }
        let literal: String = chars.by_ref().take_while(|&d| d != c).collect();
        let word = literal
            .split(|c: char| !c.is_alphabetic())
            .any(|w| w.chars().count() >= 3);
        let prose = literal.contains(char::is_whitespace)
            || literal.chars().next().is_some_and(char::is_uppercase);
        if word && prose && !literal.starts_with(['.', '[']) {
            found.push(literal);
        }
    }
    found
}

/// The phrase test above finds only English that is in `en.toml`: a word
/// written into a template or the search script itself would be English
/// in every language. So every built-in template and the search page's
/// script write no interface text of their own: all of it comes from the
/// tables through `t()` (or, for the script, from the page).
#[test]
fn templates_and_the_search_script_write_no_interface_text_of_their_own() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut left = Vec::new();
    for entry in std::fs::read_dir(repo.join("templates")).unwrap() {
        let path = entry.unwrap().path();
        let words = own_words(&std::fs::read_to_string(&path).unwrap());
        if !words.is_empty() {
            left.push(format!("{}: {words:?}", path.display()));
        }
    }
    // pidsite.js is to follow when its own strings are translated.
    let script = "static/js/search.js";
    let text = script_text(&std::fs::read_to_string(repo.join(script)).unwrap());
    if !text.is_empty() {
        left.push(format!("{script}: {text:?}"));
    }
    assert!(
        left.is_empty(),
        "interface text outside the tables:\n{}",
        left.join("\n")
    );
    // The checks find what they are for: the search page and script as
    // they were before their strings went into the tables.
    let old_template =
        "<h1>Search</h1><div aria-label=\"Filters\"><li data-text=\"none\">Nothing found.</li>";
    assert_eq!(
        own_words(old_template),
        ["Search", "Filters", "Nothing", "found"]
    );
    let old_script = r#"status.textContent = n ? n + " results" : "Nothing found.";"#;
    assert_eq!(script_text(old_script), [" results", "Nothing found."]);
}
