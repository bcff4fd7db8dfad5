//! The interface in the site's language: every string a page shows that is
//! not the content (navigation, labels, buttons, the tombstone's and the
//! 404 page's wording, month names) comes from a translation table.
//!
//! Built-in tables for English, German, French, Dutch, Spanish, Italian,
//! Swedish and Welsh are embedded (`i18n/<lang>.toml`); a site's own
//! `i18n/<lang>.toml` overrides or adds keys, and adds languages, as Hugo's
//! `i18n/` and Zola's translations do. A key the language lacks falls back
//! to English, with one warning naming the keys. Loaded once per build, so
//! rendering reads no file.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Location, Result, Warning, WarningKind};

/// The built-in translation tables, by language tag.
pub const BUILTINS: &[(&str, &str)] = &[
    ("en", include_str!("../../i18n/en.toml")),
    ("de", include_str!("../../i18n/de.toml")),
    ("fr", include_str!("../../i18n/fr.toml")),
    ("nl", include_str!("../../i18n/nl.toml")),
    ("es", include_str!("../../i18n/es.toml")),
    ("it", include_str!("../../i18n/it.toml")),
    ("sv", include_str!("../../i18n/sv.toml")),
    ("cy", include_str!("../../i18n/cy.toml")),
];

/// Languages written right to left (primary subtags): their pages get
/// `dir="rtl"`.
const RTL: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi",
];

/// The plural categories a count is written in (CLDR's names).
const CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// The interface strings of one language, English where it has none.
#[derive(Debug, Clone)]
pub struct Strings {
    /// The language (the site's `language`).
    language: String,
    /// Key to text; a counted string's forms as `key.one`, `key.other`…
    map: HashMap<String, String>,
}

/// The site's strings for `language`, and a warning when keys fall back to
/// English. A site's `i18n/<tag>.toml` (the whole tag, or its primary
/// subtag) overrides built-in keys; `i18n/en.toml` overrides the English
/// ones every language falls back to.
pub fn load(site_dir: &Path, language: &str) -> Result<(Strings, Vec<Warning>)> {
    let primary = primary(language);
    let mut english = HashMap::new();
    add_builtin(&mut english, "en");
    add_site(&mut english, site_dir, "en")?;
    let mut own = HashMap::new();
    let mut tags = vec![primary];
    if language != primary {
        tags.push(language);
    }
    let mut found = false;
    for tag in &tags {
        if *tag != "en" {
            found |= add_builtin(&mut own, tag);
            found |= add_site(&mut own, site_dir, tag)?;
        }
    }
    let mut warnings = Vec::new();
    if primary != "en" {
        let mut missing: Vec<&str> = english
            .keys()
            .filter(|k| !own.contains_key(*k) && !is_other_form(k, &own))
            .map(String::as_str)
            .collect();
        missing.sort_unstable();
        if !missing.is_empty() {
            let at = Location::file(Path::new("i18n").join(format!("{language}.toml")));
            let message = if found {
                format!(
                    "no translation into `{language}` for {}: English used",
                    list(&missing)
                )
            } else {
                format!(
                    "no translation into `{language}` (not built in, and the site has no i18n/{primary}.toml): the interface is in English"
                )
            };
            warnings.push(Warning::new(WarningKind::Translation, at, message));
        }
    }
    for (key, text) in own {
        english.insert(key, text);
    }
    Ok((
        Strings {
            language: language.to_string(),
            map: english,
        },
        warnings,
    ))
}

/// `keys` in backticks, the first twenty of them.
fn list(keys: &[&str]) -> String {
    let shown: Vec<String> = keys.iter().take(20).map(|k| format!("`{k}`")).collect();
    let more = keys.len().saturating_sub(20);
    if more > 0 {
        format!("{} and {more} more keys", shown.join(", "))
    } else {
        format!(
            "key{} {}",
            if keys.len() == 1 { "" } else { "s" },
            shown.join(", ")
        )
    }
}

/// Whether `key` is a plural form (`x.one`) of a counted string the
/// language writes with other forms: it has `x.other`, and its plural rule
/// need not have the category.
fn is_other_form(key: &str, own: &HashMap<String, String>) -> bool {
    key.rsplit_once('.').is_some_and(|(stem, form)| {
        CATEGORIES.contains(&form) && own.contains_key(&format!("{stem}.other"))
    })
}

/// The language's primary subtag (`de` of `de-CH`), lower-cased as the
/// file names are.
fn primary(language: &str) -> &str {
    language.split(['-', '_']).next().unwrap_or(language)
}

/// Add the built-in table of `tag`; whether there is one.
fn add_builtin(map: &mut HashMap<String, String>, tag: &str) -> bool {
    let Some((_, text)) = BUILTINS.iter().find(|(t, _)| t.eq_ignore_ascii_case(tag)) else {
        return false;
    };
    let table: toml::Table = toml::from_str(text).expect("the built-in translations parse");
    flatten("", table, map);
    true
}

/// Add the site's `i18n/<tag>.toml`; whether it has one.
fn add_site(map: &mut HashMap<String, String>, site_dir: &Path, tag: &str) -> Result<bool> {
    let rel = Path::new("i18n").join(format!("{tag}.toml"));
    let path = site_dir.join(&rel);
    if !path.is_file() {
        return Ok(false);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        Error::config(
            Location::file(&rel),
            format!("not a translation table: {e}"),
        )
    })?;
    let mut own = HashMap::new();
    if let Some(key) = flatten("", table, &mut own) {
        return Err(Error::config(
            Location::file(&rel),
            format!("key `{key}`: expected text (a string)"),
        ));
    }
    map.extend(own);
    Ok(true)
}

/// Add `table`'s strings to `map`, a nested table's keys joined with `.`;
/// the first key whose value is not a string or table, if any.
fn flatten(prefix: &str, table: toml::Table, map: &mut HashMap<String, String>) -> Option<String> {
    let mut bad = None;
    for (key, value) in table {
        let key = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(s) => {
                map.insert(key, s);
            }
            toml::Value::Table(t) => {
                if let Some(b) = flatten(&key, t, map) {
                    bad.get_or_insert(b);
                }
            }
            _ => {
                bad.get_or_insert(key);
            }
        }
    }
    bad
}

impl Strings {
    /// The built-in English strings.
    pub fn english() -> Strings {
        let mut map = HashMap::new();
        add_builtin(&mut map, "en");
        Strings {
            language: "en".into(),
            map,
        }
    }

    /// `dir="rtl"` for a right-to-left language, else none.
    pub fn direction(&self) -> Option<&'static str> {
        RTL.contains(&primary(&self.language).to_ascii_lowercase().as_str())
            .then_some("rtl")
    }

    /// The text of `key`, or `None` for a key no table has.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.map.get(key).map(String::as_str)
    }

    /// The text of `key` for a count of `n`: the form of `n`'s plural
    /// category (`key.one`…), `key.other` when the language has none.
    pub fn counted(&self, key: &str, n: u64) -> Option<&str> {
        let category = plural_category(primary(&self.language), n);
        self.get(&format!("{key}.{category}"))
            .or_else(|| self.get(&format!("{key}.other")))
            .or_else(|| self.get(key))
    }

    /// `key`'s text with its `{name}` placeholders filled from `args`,
    /// counted by `n` when given.
    pub fn format(&self, key: &str, n: Option<u64>, args: &[(&str, &str)]) -> Option<String> {
        self.fill_counted(key, n, |name, out| {
            args.iter()
                .find(|(a, _)| *a == name)
                .map(|(_, v)| out.push_str(v))
                .is_some()
        })
    }

    /// `key`'s text counted by `n` when given, `{n}` filled with `n` and
    /// any other `{name}` with what `value` writes (see [`fill`]).
    fn fill_counted(
        &self,
        key: &str,
        n: Option<u64>,
        value: impl Fn(&str, &mut String) -> bool,
    ) -> Option<String> {
        let text = match n {
            Some(n) => self.counted(key, n)?,
            None => self.get(key)?,
        };
        Some(fill(text, |name, out| match (name, n) {
            ("n", Some(n)) => {
                let _ = write!(out, "{n}");
                true
            }
            _ => value(name, out),
        }))
    }

    /// The text of `key`, as [`Strings::get`]; the key itself were no
    /// table to have it (the English one has every key the code asks for).
    pub fn text(&self, key: &str) -> String {
        self.get(key).unwrap_or(key).to_string()
    }

    /// As [`Strings::format`], the key itself were no table to have it. The
    /// values are put in as they are: for plain text (a title, a template
    /// value, which the template escapes).
    pub fn fill(&self, key: &str, n: Option<u64>, args: &[(&str, &str)]) -> String {
        self.format(key, n, args).unwrap_or_else(|| key.to_string())
    }

    /// A `YYYY-MM-DD` date as the language writes it (`date_format`, with
    /// `{day}`, `{month}` the month's name, `{month_number}` and `{year}`);
    /// anything else as it is.
    pub fn date(&self, iso: &str) -> String {
        let parts: Vec<&str> = iso.split('-').collect();
        let (Some(format), [year, month, day]) = (self.get("date_format"), parts.as_slice()) else {
            return iso.to_string();
        };
        let (Ok(m), Ok(d)) = (month.parse::<u8>(), day.parse::<u8>()) else {
            return iso.to_string();
        };
        let Some(name) = self.get(&format!("month.{m}")) else {
            return iso.to_string();
        };
        fill(format, |field, out| {
            match field {
                "iso" => out.push_str(iso),
                "day" => out.push_str(&d.to_string()),
                "month" => out.push_str(name),
                "month_number" => out.push_str(&m.to_string()),
                "year" => out.push_str(year),
                _ => return false,
            }
            true
        })
    }
}

/// `text` with each `{name}` replaced by what `value(name, out)` writes
/// into `out` (it says whether it knew the name, and writes nothing when
/// not); an unknown name is left as written. Values are written in place,
/// not made as strings: the images pages call `t()` once per image.
fn fill(text: &str, value: impl Fn(&str, &mut String) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .filter(|&close| value(&after[..close], &mut out))
        {
            Some(close) => rest = &after[close + 1..],
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The CLDR plural category of the whole number `n` in `language` (a
/// primary subtag): the rules of the built-in languages, and `one`/`other`
/// for any other.
fn plural_category(language: &str, n: u64) -> &'static str {
    match language {
        // French (and Portuguese) count 0 as singular.
        "fr" | "pt" => {
            if n <= 1 {
                "one"
            } else {
                "other"
            }
        }
        "cy" => match n {
            0 => "zero",
            1 => "one",
            2 => "two",
            3 => "few",
            6 => "many",
            _ => "other",
        },
        "ja" | "ko" | "zh" | "th" | "vi" | "id" => "other",
        _ => {
            if n == 1 {
                "one"
            } else {
                "other"
            }
        }
    }
}

/// The template function `t(key=…, n=…, name=value…)`: `key`'s text in the
/// site's language, counted by `n`, its `{name}`s filled with the other
/// arguments (escaped: the translated text itself is HTML, as a template
/// is).
pub struct Translate(pub std::sync::Arc<Strings>);

impl tera::Function for Translate {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let key = args
            .get("key")
            .and_then(|k| k.as_str())
            .ok_or_else(|| tera::Error::msg("t(): expected key=\"…\""))?;
        let n = match args.get("n") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                tera::Error::msg(format!("t(key=\"{key}\"): n must be a whole number"))
            })?),
        };
        // The other arguments, escaped, are the values: written in place,
        // as this runs once per image listed.
        let filled = self.0.fill_counted(key, n, |name, out| {
            if name == "key" || name == "n" {
                return false;
            }
            match args.get(name) {
                None => return false,
                Some(tera::Value::String(s)) => out.push_str(&crate::load::html::escape(s)),
                // Digits, signs and `.`: nothing to escape.
                Some(tera::Value::Number(x)) => {
                    let _ = write!(out, "{x}");
                }
                Some(other) => out.push_str(&crate::load::html::escape(&other.to_string())),
            }
            true
        });
        let filled = filled.ok_or_else(|| {
            tera::Error::msg(format!(
                "t(): no translation has the key `{key}` (see i18n/en.toml)"
            ))
        })?;
        Ok(tera::Value::String(filled))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// The template function `script_strings(table=…)`: the attribute
/// ` data-i18n="{…}"` (JSON) that gives a script the strings of `table`
/// (`script`, `redirecting`) where the site's text differs from the
/// built-in English the script carries; nothing where none does, so that an
/// English page does not grow (the largest landing pages are near their
/// 20 KB budget). The strings are plain text: a script sets them as
/// `textContent`.
pub struct ScriptStrings {
    /// The site's strings.
    strings: std::sync::Arc<Strings>,
    /// The built-in English ones, which the scripts carry.
    english: Strings,
    /// The attribute of each table asked for so far: every page asks, and
    /// making it compared every string of the site (16,000 instructions a
    /// page).
    made: std::sync::Mutex<HashMap<String, String>>,
}

impl ScriptStrings {
    /// The function for a site's `strings`.
    pub fn new(strings: std::sync::Arc<Strings>) -> Self {
        ScriptStrings {
            strings,
            english: Strings::english(),
            made: Default::default(),
        }
    }

    /// The attribute for `table`.
    fn attribute(&self, table: &str) -> String {
        let prefix = format!("{table}.");
        let own: std::collections::BTreeMap<&str, &str> = self
            .strings
            .map
            .iter()
            .filter_map(|(key, text)| Some((key.strip_prefix(&prefix)?, key, text)))
            .filter(|(_, key, text)| self.english.get(key) != Some(text.as_str()))
            .map(|(leaf, _, text)| (leaf, text.as_str()))
            .collect();
        if own.is_empty() {
            return String::new();
        }
        let json = serde_json::to_string(&own).expect("strings always serialise");
        // In single quotes, which JSON's own never need escaping for.
        let json = json
            .replace('&', "&amp;")
            .replace('\'', "&#39;")
            .replace('<', "&lt;");
        format!(" data-i18n='{json}'")
    }
}

impl tera::Function for ScriptStrings {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let table = args
            .get("table")
            .and_then(|k| k.as_str())
            .ok_or_else(|| tera::Error::msg("script_strings(): expected table=\"…\""))?;
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(attribute) = made.get(table) {
            return Ok(tera::Value::String(attribute.clone()));
        }
        let attribute = self.attribute(table);
        made.insert(table.to_string(), attribute.clone());
        Ok(tera::Value::String(attribute))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// The template filter `local_date`: a `YYYY-MM-DD` date as the site's
/// language writes it.
pub struct LocalDate(pub std::sync::Arc<Strings>);

impl tera::Filter for LocalDate {
    fn filter(
        &self,
        value: &tera::Value,
        _: &HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        Ok(match value.as_str() {
            Some(iso) => tera::Value::String(self.0.date(iso)),
            None => value.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tera::Function as _;

    fn args(pairs: &[(&str, tera::Value)]) -> HashMap<String, tera::Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn t_fills_its_arguments_escaped() {
        let t = Translate(std::sync::Arc::new(Strings::english()));
        let call = |pairs: &[(&str, tera::Value)]| t.call(&args(pairs)).map(|v| v.to_string());
        // Numbers as written; strings escaped (the text itself is HTML).
        assert_eq!(
            call(&[
                ("key", "download.size".into()),
                ("width", 3000.into()),
                ("height", 4000.into())
            ])
            .unwrap(),
            "\"3000 × 4000 px\""
        );
        let rights = call(&[
            ("key", "download.rights".into()),
            ("uri", "https://x.org/?a=1&b=\"2\"".into()),
            ("name", "<CC BY>".into()),
        ])
        .unwrap();
        assert!(
            rights.contains(r#"href=\"https://x.org/?a=1&amp;b=&quot;2&quot;\">&lt;CC BY&gt;<"#),
            "{rights}"
        );
        // Counted by `n`, which fills `{n}`; a name no argument gives stays.
        let listed = call(&[("key", "members.first_listed".into()), ("n", 24.into())]).unwrap();
        assert!(
            listed.starts_with("\"The first 24 are listed here"),
            "{listed}"
        );
        assert!(
            listed.contains("{url}") && listed.contains("{total}"),
            "{listed}"
        );
        let half = call(&[("key", "download.size".into()), ("width", 1.into())]).unwrap();
        assert_eq!(half, "\"1 × {height} px\"");
        assert!(call(&[("key", "no.such.key".into())]).is_err());
        assert!(call(&[("n", 1.into())]).is_err());
    }

    #[test]
    fn script_strings_are_made_once_per_table() {
        let english = ScriptStrings::new(std::sync::Arc::new(Strings::english()));
        let table = args(&[("table", "script".into())]);
        // English pages carry nothing: the scripts have the English.
        assert_eq!(
            english.call(&table).unwrap(),
            tera::Value::String(String::new())
        );
        let dir = tempfile::tempdir().unwrap();
        let (french, _) = load(dir.path(), "fr").unwrap();
        let french = ScriptStrings::new(std::sync::Arc::new(french));
        let first = french.call(&table).unwrap();
        assert!(
            first.as_str().unwrap().starts_with(" data-i18n='{"),
            "{first}"
        );
        assert_eq!(french.call(&table).unwrap(), first);
        assert!(french.call(&args(&[])).is_err());
    }

    #[test]
    fn every_builtin_parses_and_has_every_english_key() {
        // A key a built-in lacks would be a warning at every build.
        let english = Strings::english();
        for (tag, text) in BUILTINS {
            let dir = tempfile::tempdir().unwrap();
            let (_, warnings) = load(dir.path(), tag).unwrap();
            assert!(warnings.is_empty(), "{tag}: {warnings:?}");
            let mut own = HashMap::new();
            flatten("", toml::from_str(text).unwrap(), &mut own);
            let extra: Vec<_> = own.keys().filter(|k| english.get(k).is_none()).collect();
            assert!(extra.is_empty(), "{tag}: keys English lacks: {extra:?}");
        }
    }

    #[test]
    fn counts_follow_the_language_plural_rule() {
        let dir = tempfile::tempdir().unwrap();
        let (en, _) = load(dir.path(), "en").unwrap();
        assert_eq!(en.format("count.image", Some(1), &[]).unwrap(), "1 image");
        assert_eq!(en.format("count.image", Some(0), &[]).unwrap(), "0 images");
        let (fr, _) = load(dir.path(), "fr").unwrap();
        assert_eq!(fr.counted("count.image", 0), fr.counted("count.image", 1));
        assert_ne!(fr.counted("count.image", 1), fr.counted("count.image", 2));
        assert_eq!(plural_category("cy", 2), "two");
        assert_eq!(plural_category("de", 1), "one");
    }

    #[test]
    fn a_site_file_overrides_and_a_missing_key_falls_back_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("i18n")).unwrap();
        std::fs::write(
            dir.path().join("i18n/xx.toml"),
            "skip_to_content = \"Springen\"\n[nav]\nbrowse = \"Stöbern\"\n",
        )
        .unwrap();
        let (strings, warnings) = load(dir.path(), "xx-YY").unwrap();
        assert_eq!(strings.get("nav.browse"), Some("Stöbern"));
        assert_eq!(strings.get("skip_to_content"), Some("Springen"));
        // English where the site gave nothing, named in one warning.
        assert_eq!(strings.get("not_found.title"), Some("Page not found"));
        assert_eq!(warnings.len(), 1);
        let w = warnings[0].to_string();
        assert!(
            w.contains("xx-YY") && w.contains("`annotation_title.annotation`"),
            "{w}"
        );
        assert!(!w.contains("`nav.browse`"), "{w}");
    }

    #[test]
    fn a_bad_site_file_names_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("i18n")).unwrap();
        std::fs::write(dir.path().join("i18n/de.toml"), "[nav]\nbrowse = 3\n").unwrap();
        let e = load(dir.path(), "de").unwrap_err().to_string();
        assert!(
            e.contains("i18n/de.toml") && e.contains("nav.browse"),
            "{e}"
        );
    }

    #[test]
    fn dates_are_written_with_month_names() {
        let dir = tempfile::tempdir().unwrap();
        let (de, _) = load(dir.path(), "de").unwrap();
        assert_eq!(de.date("2025-03-07"), "7. März 2025");
        assert_eq!(de.date("2025"), "2025");
        let (en, _) = load(dir.path(), "en").unwrap();
        assert_eq!(en.date("2025-03-07"), "2025-03-07");
    }

    #[test]
    fn right_to_left_languages_are_known() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path(), "ar").unwrap().0.direction(), Some("rtl"));
        assert_eq!(
            load(dir.path(), "he-IL").unwrap().0.direction(),
            Some("rtl")
        );
        assert_eq!(load(dir.path(), "de").unwrap().0.direction(), None);
    }
}
