//! Citations: the citation model of a PID ([`Citation`], derived from the
//! registry's overrides, then the manifest, then site.toml), its CSL-JSON
//! form, and the formats scholars copy (CSL styles through hayagriva's CSL
//! processor, BibTeX). Knows nothing of templates or files.

pub mod bibtex;
pub mod datacite;
pub mod ris;
mod shape;
pub mod styles;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::model::genre::Genre;
use crate::model::pid::{Pid, Scheme};
use crate::model::record::{version_slug, Record};
use crate::model::resource::{Resource, ResourceKind};

/// Metadata labels (lower case, several languages) read as creators.
const CREATOR_LABELS: &[&str] = &[
    "creator",
    "author",
    "artist",
    "maker",
    "painter",
    "photographer",
    "composer",
    "scribe",
    "illustrator",
    "auteur",
    "créateur",
    "artiste",
    "verfasser",
    "autor",
    "künstler",
    "urheber",
    "autore",
    "artista",
    "creador",
    "auteur(s)",
    "author(s)",
    "creator(s)",
    "upphovsman",
    "kunstenaar",
    "maker(s)",
];

/// Metadata labels read as the publisher or holding institution.
const PUBLISHER_LABELS: &[&str] = &[
    "publisher",
    "holding institution",
    "repository",
    "institution",
    "owning institution",
    "contributing institution",
    "verlag",
    "éditeur",
    "editeur",
    "editore",
    "editorial",
    "bestandhaltende einrichtung",
    "holding library",
];

/// Metadata labels read as the date.
const DATE_LABELS: &[&str] = &[
    "date",
    "date created",
    "created",
    "date of creation",
    "datum",
    "datierung",
    "entstehungszeit",
    "data",
    "fecha",
    "dates",
    "publication date",
    "date of publication",
    "year",
    "période",
    "period",
    "date(s)",
    "datering",
];

/// Metadata labels read as the shelfmark / call number.
const SHELFMARK_LABELS: &[&str] = &[
    "shelfmark",
    "call number",
    "signatur",
    "cote",
    "shelf mark",
    "identifier",
    "segnatura",
    "signatura",
    "reference",
    "ms",
    "object number",
    "accession number",
];

/// Everything a citation of one PID says.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Citation {
    /// Stable key (ASCII) for BibTeX and CSL-JSON ids.
    pub key: String,
    /// The PID, as cited (`ark:…`, `doi:…`).
    pub pid: String,
    /// Its scheme's name (`ark`, `doi`, `handle`, `urn`, `purl`, `w3id`,
    /// `local`), as schema.org's `propertyID`.
    pub scheme: &'static str,
    /// Title.
    pub title: String,
    /// Creators as written (`Family, Given` or an institution).
    pub creators: Vec<String>,
    /// Date as written.
    pub date: Option<String>,
    /// Publisher or holding institution.
    pub publisher: Option<String>,
    /// Shelfmark or call number.
    pub shelfmark: Option<String>,
    /// What the resource is; every output's type comes from it.
    pub genre: Genre,
    /// The URL to cite: the resolver URL, or the landing page for local IDs.
    pub url: String,
    /// The DOI, for DOI PIDs.
    pub doi: Option<String>,
    /// Version label.
    pub version: Option<String>,
    /// Licence URI.
    pub license: Option<String>,
}

/// An institution's own manifest metadata labels for citation fields
/// (`[citation.labels]`), tried before the built-in ones; compared without
/// case and a trailing colon.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CitationLabels {
    /// Labels whose values are the creators (`;`-separated).
    pub creator: Vec<String>,
    /// Labels whose value is the date.
    pub date: Vec<String>,
    /// Labels whose value is the publisher or holding institution.
    pub publisher: Vec<String>,
    /// Labels whose value is the shelfmark or call number.
    pub shelfmark: Vec<String>,
}

impl CitationLabels {
    pub(crate) fn normalised(self) -> Self {
        let n = |v: Vec<String>| -> Vec<String> {
            v.iter()
                .map(|l| l.trim().trim_end_matches(':').to_lowercase())
                .collect()
        };
        CitationLabels {
            creator: n(self.creator),
            date: n(self.date),
            publisher: n(self.publisher),
            shelfmark: n(self.shelfmark),
        }
    }
}

/// What a citation takes from the site's settings (site.toml), passed in
/// so that citing needs no configuration type.
#[derive(Debug, Clone, Copy)]
pub struct SiteDefaults<'a> {
    /// The site's own metadata labels for citation fields.
    pub labels: &'a CitationLabels,
    /// Publisher or holding institution used by default (may be empty).
    pub publisher: &'a str,
    /// The resource type of a record that declares none.
    pub default_genre: Option<Genre>,
}

impl Citation {
    /// Derive the citation of a record: registry overrides first, then the
    /// manifest's metadata, then the site's defaults.
    pub fn derive(
        record: &Record,
        resource: Option<&Resource>,
        config: &SiteDefaults<'_>,
        url: String,
    ) -> Self {
        let o = record.overrides();
        // The site's own labels first, then the built-in ones.
        let meta_in = |labels: &[&str]| -> Option<String> {
            resource?.metadata.iter().find_map(|m| {
                labels
                    .contains(&m.label.value.to_lowercase().trim().trim_end_matches(':'))
                    .then(|| m.value.text.clone())
                    .filter(|t| !t.is_empty())
            })
        };
        let own = config.labels;
        let meta = |own: &[String], builtin: &[&str]| -> Option<String> {
            let own: Vec<&str> = own.iter().map(String::as_str).collect();
            meta_in(&own).or_else(|| meta_in(builtin))
        };
        let title = o
            .title
            .clone()
            .or_else(|| {
                resource
                    .and_then(|r| r.label.as_ref())
                    .map(|l| l.value.clone())
            })
            .unwrap_or_else(|| record.pid.label());
        let creators = if o.creators.is_empty() {
            meta(&own.creator, CREATOR_LABELS)
                .map(|c| c.split("; ").map(str::to_string).collect())
                .unwrap_or_default()
        } else {
            o.creators.clone()
        };
        let date = o
            .date
            .clone()
            .or_else(|| meta(&own.date, DATE_LABELS))
            .or_else(|| {
                resource
                    .and_then(|r| r.nav_date.as_ref())
                    .map(|d| d.chars().take(10).collect())
            });
        let publisher = o
            .publisher
            .clone()
            .or_else(|| meta(&own.publisher, PUBLISHER_LABELS))
            .or_else(|| {
                resource?
                    .provider
                    .iter()
                    .find_map(|p| p.label.as_ref().map(|l| l.value.clone()))
            })
            .or_else(|| (!config.publisher.is_empty()).then(|| config.publisher.to_string()));
        let genre = genre_of(o.resource_type, resource, config.default_genre);
        let pid = &record.pid;
        Citation {
            key: key_of(pid),
            pid: pid.label(),
            scheme: pid.scheme().name(),
            title,
            creators,
            date,
            publisher,
            shelfmark: meta(&own.shelfmark, SHELFMARK_LABELS),
            genre,
            url,
            doi: (pid.scheme() == Scheme::Doi).then(|| pid.as_str().to_string()),
            version: record.details().version.clone(),
            license: o
                .license
                .clone()
                .or_else(|| resource.and_then(|r| r.rights.clone())),
        }
    }

    /// The citation of a version's own page (`v2/`): its key gets the
    /// version's folder name (`ark_99999_fk4coin_v2`), so that a
    /// bibliography holding two versions, or a version and its PID, has a
    /// key for each (BibTeX and CSL-JSON ids must be unique).
    pub fn for_version_page(mut self) -> Self {
        if let Some(slug) = self.version.as_deref().and_then(version_slug) {
            let slug: String = slug
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            self.key = format!("{}_{slug}", self.key);
        }
        self
    }

    /// The (start) date as year, month, day, as far as the date gives them.
    pub fn date_parts(&self) -> Option<Vec<i32>> {
        parse_date(self.date.as_deref()?).map(|d| d.start)
    }

    /// The (start) date as far as it is known, its parts joined by `sep`:
    /// `1882/04/12` for Highwire, `1882-04` for DataCite.
    pub fn date_joined(&self, sep: &str) -> Option<String> {
        let parts = self.date_parts()?;
        Some(
            parts
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    if i == 0 {
                        format!("{n:04}")
                    } else {
                        format!("{n:02}")
                    }
                })
                .collect::<Vec<_>>()
                .join(sep),
        )
    }

    /// The year, if the date has one (for `citation_date` and BibTeX).
    pub fn year(&self) -> Option<String> {
        parse_date(self.date.as_deref()?).map(|d| d.start[0].to_string())
    }

    /// The title for CSL-JSON. A PID standing in for a missing title is
    /// kept as written: styles that title-case (MLA, Chicago) printed
    /// `Ark:99999/Fk4qa070`. `<span class="nocase">` is the CSL-JSON markup
    /// for it that citeproc-js, Zotero and pidsite's processor read.
    fn csl_title(&self) -> String {
        if self.title == self.pid && !self.title.contains(['<', '>']) {
            format!("<span class=\"nocase\">{}</span>", self.title)
        } else {
            self.title.clone()
        }
    }

    /// The CSL-JSON item (the input every CSL processor reads).
    pub fn csl_json(&self) -> Value {
        let mut item = Map::new();
        item.insert("id".into(), json!(self.key));
        item.insert("type".into(), json!(self.genre.facts().csl));
        item.insert("title".into(), json!(self.csl_title()));
        if !self.creators.is_empty() {
            let names: Vec<Value> = self.creators.iter().map(|c| csl_name(c)).collect();
            item.insert("author".into(), Value::Array(names));
        }
        if let Some(date) = self.date.as_deref().and_then(parse_date) {
            let mut parts = vec![json!(date.start)];
            if let Some(end) = date.end {
                parts.push(json!(end));
            }
            let mut issued = Map::new();
            issued.insert("date-parts".into(), Value::Array(parts));
            if date.circa {
                issued.insert("circa".into(), json!(true));
            }
            item.insert("issued".into(), Value::Object(issued));
        }
        // A holding institution with a shelfmark is an archive; without
        // one it is cited as the publisher (styles print both otherwise).
        match (&self.publisher, &self.shelfmark) {
            (Some(p), Some(s)) => {
                item.insert("archive".into(), json!(p));
                item.insert("archive_location".into(), json!(s));
            }
            (Some(p), None) => {
                item.insert("publisher".into(), json!(p));
            }
            (None, Some(s)) => {
                item.insert("archive_location".into(), json!(s));
            }
            (None, None) => {}
        }
        item.insert("URL".into(), json!(self.url));
        if let Some(doi) = &self.doi {
            item.insert("DOI".into(), json!(doi));
        }
        if let Some(v) = &self.version {
            item.insert("version".into(), json!(v));
        }
        Value::Object(item)
    }
}

/// What a resource is, in order of precedence: the registry's
/// `resource_type`; what the IIIF says (the media it paints, its
/// "Type"/"Genre"/"Format" metadata); the site's `default_resource_type`;
/// a book when the manifest is `paged`; else by its IIIF type (a
/// collection, annotations, or images). Collections and annotations take
/// no site default: a site of manuscripts still has collections.
pub fn genre_of(
    registry: Option<Genre>,
    resource: Option<&Resource>,
    site_default: Option<Genre>,
) -> Genre {
    let kind = resource.map(|r| r.kind);
    let by_kind = match kind {
        Some(ResourceKind::Collection) => Some(Genre::Collection),
        Some(ResourceKind::Annotation | ResourceKind::AnnotationPage) => Some(Genre::Annotation),
        _ => None,
    };
    registry
        .or_else(|| resource.and_then(|r| r.genre))
        .or(by_kind)
        .or(site_default)
        .or_else(|| resource.filter(|r| r.paged).map(|_| Genre::Book))
        .unwrap_or(Genre::Image)
}

/// An ASCII key from the PID, e.g. `ark_12345_x6np1wh8k`.
fn key_of(pid: &Pid) -> String {
    let mut key: String = pid
        .as_str()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    while key.contains("__") {
        key = key.replace("__", "_");
    }
    let key = key.trim_matches('_').to_string();
    if key.is_empty() {
        "pid".into()
    } else {
        key
    }
}

/// `Family, Given` becomes a family/given name; anything else is literal
/// (institutions, "Anonymous", names with dates in parentheses).
fn csl_name(name: &str) -> Value {
    let name = name.trim();
    match name.split_once(", ") {
        Some((family, given))
            if !given.contains(',')
                && !given.chars().any(|c| c.is_ascii_digit())
                && !family.contains(' ') =>
        {
            json!({"family": family, "given": fuller_form(given).unwrap_or(given)})
        }
        _ => json!({ "literal": name }),
    }
}

/// The fuller form of initials that library catalogues add in parentheses
/// (MARC 100 $q): `A. M. (Alexander Montgomery).` gives `Alexander
/// Montgomery`. Given as written, styles that shorten given names to
/// initials cut it into `A. M. (A. M.`, an unclosed parenthesis (APA,
/// Harvard, Vancouver; citeproc-js does the same).
fn fuller_form(given: &str) -> Option<&str> {
    let (initials, rest) = given.split_once(" (")?;
    let fuller = rest.trim_end_matches('.').strip_suffix(')')?;
    // The initials spell the fuller form's words' first letters.
    let letters = |text: &str| -> Vec<char> {
        text.split([' ', '.', '-'])
            .filter_map(|w| w.chars().next())
            .collect()
    };
    let initial = letters(initials);
    let spelt = initials
        .split_whitespace()
        .all(|w| w.trim_end_matches('.').chars().all(char::is_uppercase));
    (spelt && !initial.is_empty() && initial == letters(fuller)).then_some(fuller)
}

/// A parsed date: start (and end) as `[year, month?, day?]`.
#[derive(Debug, PartialEq)]
struct ParsedDate {
    start: Vec<i32>,
    end: Option<Vec<i32>>,
    circa: bool,
}

/// ISO dates (`1450`, `1450-03`, `1450-03-01`), ranges (`1450-1460`,
/// `1450/1460`) and approximate years (`ca. 1450`, `circa 1450`, `c1450`);
/// otherwise the first four-digit year in the text.
fn parse_date(text: &str) -> Option<ParsedDate> {
    let t = text.trim();
    let lower = t.to_lowercase();
    let circa = ["ca.", "ca ", "circa", "c.", "about", "vers", "um "]
        .iter()
        .any(|p| lower.starts_with(p))
        || lower.starts_with('c') && lower[1..].starts_with(|c: char| c.is_ascii_digit());
    let iso = |s: &str| -> Option<Vec<i32>> {
        let parts: Vec<&str> = s.split('-').collect();
        if parts.is_empty() || parts.len() > 3 || parts[0].len() != 4 {
            return None;
        }
        let nums: Option<Vec<i32>> = parts.iter().map(|p| p.parse().ok()).collect();
        let nums = nums?;
        let valid = nums.get(1).is_none_or(|m| (1..=12).contains(m))
            && nums.get(2).is_none_or(|d| (1..=31).contains(d));
        valid.then_some(nums)
    };
    let date_part = t.split('T').next().unwrap_or(t);
    if let Some(d) = iso(date_part) {
        return Some(ParsedDate {
            start: d,
            end: None,
            circa: false,
        });
    }
    for sep in ['/', '–'] {
        if let Some((a, b)) = t.split_once(sep) {
            if let (Some(a), Some(b)) = (iso(a.trim()), iso(b.trim())) {
                return Some(ParsedDate {
                    start: a,
                    end: Some(b),
                    circa,
                });
            }
        }
    }
    if let Some((a, b)) = t.split_once('-') {
        if let (Some(a), Some(b)) = (iso(a.trim()), iso(b.trim())) {
            if a.len() == 1 && b.len() == 1 {
                return Some(ParsedDate {
                    start: a,
                    end: Some(b),
                    circa,
                });
            }
        }
    }
    let years: Vec<i32> = t
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| s.len() == 4)
        .filter_map(|s| s.parse().ok())
        .collect();
    let first = *years.first()?;
    Some(ParsedDate {
        start: vec![first],
        end: None,
        circa: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1450").unwrap().start, vec![1450]);
        assert_eq!(parse_date("1450-03-01").unwrap().start, vec![1450, 3, 1]);
        let r = parse_date("1450-1460").unwrap();
        assert_eq!(r.end, Some(vec![1460]));
        assert!(parse_date("ca. 1450").unwrap().circa);
        assert_eq!(
            parse_date("15th century (1480?)").unwrap().start,
            vec![1480]
        );
        assert!(parse_date("undated").is_none());
        assert_eq!(
            parse_date("1912-01-01T00:00:00Z").unwrap().start,
            vec![1912, 1, 1]
        );
    }

    #[test]
    fn the_sites_own_labels_come_before_the_built_in_ones() {
        let manifest = serde_json::json!({
            "@context": "http://iiif.io/api/presentation/3/context.json",
            "id": "https://example.org/m", "type": "Manifest",
            "label": {"de": ["Karte"]},
            "metadata": [
                {"label": {"de": ["Kartograph"]}, "value": {"none": ["Mercator, Gerhard"]}},
                {"label": {"de": ["Datierung"]}, "value": {"none": ["1595"]}},
                {"label": {"de": ["Aufbewahrungsort"]}, "value": {"none": ["SUB Göttingen"]}},
                {"label": {"de": ["Künstler"]}, "value": {"none": ["Someone Else"]}},
            ],
            "items": [],
        });
        let langs = vec!["de".to_string()];
        let resource = crate::load::iiif::parse(manifest.to_string().as_bytes(), &langs).unwrap();
        let record = crate::load::registry::parse_str(
            "pid,target\nark:/99999/fk4m,https://example.org/m\n",
            std::path::Path::new("."),
        )
        .unwrap()
        .entries
        .remove(0)
        .versions
        .remove(0);
        let config = SiteConfig::parse(
            "base_url = \"https://e.org/\"\ntitle = \"T\"\n[citation.labels]\ncreator = [\"Kartograph\"]\npublisher = [\"Aufbewahrungsort:\"]\n",
            std::path::Path::new("site.toml"),
        )
        .unwrap();
        let c = Citation::derive(
            &record,
            Some(&resource),
            &config.citation_defaults(),
            "https://e.org/".into(),
        );
        assert_eq!(c.creators, ["Mercator, Gerhard"]);
        assert_eq!(c.publisher.as_deref(), Some("SUB Göttingen"));
        // The built-in German label still gives the date.
        assert_eq!(c.date.as_deref(), Some("1595"));
    }

    /// A manifest with `extra` fields, read as the loader reads it.
    fn manifest(extra: serde_json::Value) -> Resource {
        let mut m = serde_json::json!({
            "@context": "http://iiif.io/api/presentation/3/context.json",
            "id": "https://example.org/m", "type": "Manifest",
            "label": {"en": ["M"]}, "items": [],
        });
        m.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        crate::load::iiif::parse(m.to_string().as_bytes(), &["en".to_string()]).unwrap()
    }

    #[test]
    fn the_registry_wins_then_the_iiif_then_the_site_then_paged_then_the_kind() {
        let plain = manifest(json!({}));
        let paged = manifest(json!({"behavior": ["paged"]}));
        let typed = manifest(json!({
            "behavior": ["paged"],
            "metadata": [{"label": {"en": ["Type"]}, "value": {"en": ["Manuscript"]}}],
        }));
        let collection = crate::load::iiif::parse(
            br#"{"id": "https://e.org/c", "type": "Collection", "label": {"en": ["C"]}, "items": []}"#,
            &[],
        )
        .unwrap();
        let site = Some(Genre::Letter);
        let cases = [
            (Some(Genre::Map), Some(&typed), site, Genre::Map),
            (None, Some(&typed), site, Genre::Manuscript),
            (None, Some(&paged), site, Genre::Letter),
            (None, Some(&paged), None, Genre::Book),
            (None, Some(&plain), None, Genre::Image),
            (None, Some(&collection), site, Genre::Collection),
            (Some(Genre::Book), Some(&collection), site, Genre::Book),
            (None, None, None, Genre::Image),
        ];
        for (registry, resource, site, expected) in cases {
            assert_eq!(genre_of(registry, resource, site), expected);
        }
    }

    #[test]
    fn every_style_cites_every_genre() {
        let names: Vec<String> = styles::Style::NAMES.iter().map(|s| s.to_string()).collect();
        let styles = styles::Styles::load(&names, std::path::Path::new("."), None);
        for genre in Genre::ALL {
            let c = Citation {
                key: "k".into(),
                pid: "ark:/99999/fk4x".into(),
                scheme: "ark",
                title: "A title".into(),
                creators: vec!["Doe, Jane".into()],
                date: Some("1901".into()),
                publisher: Some("Example Library".into()),
                shelfmark: None,
                genre,
                url: "https://n2t.net/ark:/99999/fk4x".into(),
                doi: None,
                version: None,
                license: None,
            };
            let formatted = styles.format(&c.csl_json());
            assert_eq!(formatted.len(), names.len(), "{genre:?}");
            for f in formatted {
                let text = f.text.to_lowercase();
                assert!(text.contains("a title"), "{genre:?} {}: {}", f.name, f.text);
            }
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            csl_name("Bosch, Hieronymus"),
            json!({"family": "Bosch", "given": "Hieronymus"})
        );
        assert_eq!(
            csl_name("British Library"),
            json!({"literal": "British Library"})
        );
        // Villanova's catalogue form (corpus
        // v2/iiif-commons-parser__villanova-manifest.json).
        assert_eq!(
            csl_name("Thackara, A. M. (Alexander Montgomery)."),
            json!({"family": "Thackara", "given": "Alexander Montgomery"})
        );
        assert_eq!(
            csl_name("Doe, J. (the younger)"),
            json!({"family": "Doe", "given": "J. (the younger)"})
        );
        assert_eq!(
            csl_name("Dürer, Albrecht, 1471-1528"),
            json!({"literal": "Dürer, Albrecht, 1471-1528"})
        );
    }

    #[test]
    fn keys() {
        assert_eq!(
            key_of(&Pid::parse("ark:/12345/x6-np").unwrap()),
            "ark_12345_x6_np"
        );
    }
}
