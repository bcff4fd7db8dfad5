//! The interface in the site's language (issue 20, section 2): the example
//! site built in each built-in language has no English interface string
//! left on any page (landing pages, tombstones, the home page, 404, lists).
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

/// A copy of the example site (the repository's own) in `language`, with
/// the site's own `i18n/` files given as (file name, text).
fn example_site(language: &str, i18n: &[(&str, String)]) -> tempfile::TempDir {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for part in ["content", "static", "templates"] {
        let from = repo.join(part);
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let to = dir
                .path()
                .join(part)
                .join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
    }
    std::fs::copy(repo.join("pidsite.lock"), dir.path().join("pidsite.lock")).unwrap();
    let toml = std::fs::read_to_string(repo.join("site.toml")).unwrap();
    assert!(toml.contains("language = \"en\""));
    let toml = toml.replace("language = \"en\"", &format!("language = \"{language}\""));
    std::fs::write(dir.path().join("site.toml"), toml).unwrap();
    if !i18n.is_empty() {
        std::fs::create_dir_all(dir.path().join("i18n")).unwrap();
        for (name, text) in i18n {
            std::fs::write(dir.path().join("i18n").join(name), text).unwrap();
        }
    }
    dir
}

/// Build `site`; its HTML pages, by path.
fn pages(site: &Path) -> HashMap<String, String> {
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
    let baseline = pages(example_site("qps", &[("qps.toml", pseudo)]).path());
    assert!(baseline["404.html"].contains("[not_found.title]"));
    for (tag, text) in &BUILTINS[1..] {
        let own = table(text);
        let built = pages(example_site(tag, &[]).path());
        // Same pages at the same URLs: a browse page is named by the type's
        // key, not by its translated label.
        let mut paths: Vec<_> = built.keys().collect();
        let mut expected: Vec<_> = baseline.keys().collect();
        paths.sort();
        expected.sort();
        assert_eq!(
            paths, expected,
            "{tag}: the pages' URLs depend on the language"
        );
        let mut left = Vec::new();
        for (key, en) in &english {
            let theirs = &own[key];
            for phrase in phrases(en) {
                if theirs.contains(&phrase) {
                    // The same word in both (`BibTeX`, `IIIF`, `Status`).
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
        assert!(left.is_empty(), "{tag}: English left:\n{}", left.join("\n"));
    }
}

#[test]
fn the_german_site_is_german_and_right_to_left_languages_get_dir() {
    let built = pages(example_site("de", &[]).path());
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
