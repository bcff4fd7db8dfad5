//! Site-wide search: what each PID is found by (`record`, kept in its
//! summary so an incremental build indexes unchanged PIDs without reading
//! them again) and the Pagefind index made from every record
//! ([`SearchIndex`]), written under `pagefind/` and fetched by the browser
//! a chunk at a time, as a query needs it.

use std::collections::BTreeMap;

use crate::citation::Citation;
use crate::error::{Error, Result};
use crate::load::pages::Note;
use crate::model::pid::Scheme;
use crate::model::record::Record;
use crate::model::resource::Resource;
use crate::model::site_path::SitePath;
use crate::output::{ListItem, Output, SearchRecord};

use super::i18n::Strings;

/// Where the index goes in the site.
pub const FOLDER: &str = "pagefind";

/// The facets the search filters by, in the order the search page shows
/// them; the first three have browse pages.
pub const FACETS: [&str; 8] = [
    "type",
    "collection",
    "decade",
    "provider",
    "rights",
    "language",
    "scheme",
    "status",
];

/// What the index knows of one landing page or tombstone.
pub(super) struct Parts<'a> {
    pub(super) record: &'a Record,
    pub(super) resource: Option<&'a Resource>,
    pub(super) citation: &'a Citation,
    pub(super) kind: &'a str,
    pub(super) kind_name: &'a str,
    pub(super) note: Option<&'a Note>,
    /// The interface strings: the status, decade and scheme facets' values
    /// are words pidsite writes, in the site's language.
    pub(super) strings: &'a Strings,
}

/// The search record of a PID's page.
pub(super) fn record(parts: &Parts<'_>, resolver: Option<String>) -> SearchRecord {
    let (record, citation) = (parts.record, parts.citation);
    let mut text: Vec<String> = vec![citation.title.clone()];
    // Every form a visitor may paste: as cited, as written, its resolver
    // URL, its aliases, and an ARK with and without `/` and hyphens.
    let pid = &record.pid;
    text.push(pid.label());
    text.push(pid.as_str().to_string());
    text.extend(resolver);
    if let Some(rest) = pid.as_str().strip_prefix("ark:") {
        let rest = rest.trim_start_matches('/');
        text.push(format!("ark:/{rest}"));
        text.push(format!("ark:{}", rest.replace('-', "")));
    }
    text.extend(record.aliases.iter().map(|a| a.written.clone()));
    text.extend(citation.creators.iter().cloned());
    text.extend(citation.date.iter().cloned());
    text.extend(citation.publisher.iter().cloned());
    text.extend(citation.shelfmark.iter().cloned());
    let mut facets: Vec<(String, String)> = Vec::new();
    add_facet(&mut facets, "type", parts.kind);
    let strings = parts.strings;
    let scheme = match pid.scheme() {
        Scheme::Local => strings.get("search.local_id").unwrap_or("Local ID"),
        other => other.label(),
    };
    add_facet(&mut facets, "scheme", scheme);
    let status = record.status.name();
    let key = format!("search.status.{status}");
    add_facet(&mut facets, "status", strings.get(&key).unwrap_or(status));
    let year = citation.date.as_deref().and_then(year_of);
    if let Some(year) = &year {
        let decade = format!("{}0", &year[..3]);
        let args = [("decade", decade.as_str())];
        let name = strings.format("search.decade", None, &args);
        add_facet(&mut facets, "decade", &name.unwrap_or(decade));
    }
    if let Some(r) = parts.resource {
        text.extend(r.summary.iter().map(|s| s.text.clone()));
        for entry in &r.metadata {
            text.push(entry.value.text.clone());
            if entry.label.value.eq_ignore_ascii_case("collection") {
                add_facet(&mut facets, "collection", &entry.value.text);
            }
        }
        for p in &r.provider {
            if let Some(label) = &p.label {
                add_facet(&mut facets, "provider", &label.value);
            }
        }
        if let Some(lang) = r.label.as_ref().and_then(|l| l.lang.as_deref()) {
            add_facet(&mut facets, "language", lang);
        }
        add_facet(
            &mut facets,
            "rights",
            r.rights.as_deref().unwrap_or_default(),
        );
        // Transcriptions and comments; tags too.
        for a in &r.annotations {
            text.extend(a.body.iter().map(|b| b.text.clone()));
            text.extend(a.tags.iter().cloned());
        }
    }
    for (label, values) in record.overrides.iter().flat_map(|o| &o.metadata) {
        text.extend(values.iter().cloned());
        if label.eq_ignore_ascii_case("collection") {
            values
                .iter()
                .for_each(|v| add_facet(&mut facets, "collection", v));
        }
    }
    if !facets.iter().any(|(n, _)| n == "provider") {
        add_facet(
            &mut facets,
            "provider",
            citation.publisher.as_deref().unwrap_or_default(),
        );
    }
    if !facets.iter().any(|(n, _)| n == "rights") {
        add_facet(
            &mut facets,
            "rights",
            citation.license.as_deref().unwrap_or_default(),
        );
    }
    if let Some(note) = parts.note {
        text.extend(note.title.iter().cloned());
        text.push(strip_tags(&note.html));
    }
    text.retain(|t| !t.trim().is_empty());
    SearchRecord {
        text: text.join("\n"),
        facets,
        year,
        kind_name: parts.kind_name.to_string(),
    }
}

/// Add a facet value, once; empty values are none.
fn add_facet(facets: &mut Vec<(String, String)>, name: &str, value: &str) {
    let value = value.trim();
    let pair = (name.to_string(), value.to_string());
    if !value.is_empty() && !facets.contains(&pair) {
        facets.push(pair);
    }
}

/// The first four-digit year of a date (`1850-03-01`, `ca. 1850`,
/// `1800–1899`).
fn year_of(date: &str) -> Option<String> {
    let bytes = date.as_bytes();
    (0..bytes.len().saturating_sub(3))
        .find(|&i| {
            bytes[i..i + 4].iter().all(u8::is_ascii_digit)
                && (i == 0 || !bytes[i - 1].is_ascii_digit())
                && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit())
        })
        .map(|i| date[i..i + 4].to_string())
}

/// The text of a note's HTML: tags dropped, entities left (the search
/// matches words, which entities seldom hide).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The Pagefind index in the making: records are added as the site-wide
/// pass reads the summaries, in registry order.
pub struct SearchIndex {
    runtime: tokio::runtime::Runtime,
    index: pagefind::api::PagefindIndex,
    language: String,
}

impl SearchIndex {
    /// An empty index for a site in `language` (ISO 639-1; Pagefind stems
    /// the words of the languages it knows).
    pub fn new(language: &str) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| Error::io(std::path::Path::new(FOLDER), e))?;
        let options = pagefind::options::PagefindServiceConfig::builder()
            .keep_index_url(true)
            .force_language(language.to_string())
            .build();
        let index = pagefind::api::PagefindIndex::new(Some(options)).map_err(search_error)?;
        Ok(SearchIndex {
            runtime,
            index,
            language: language.to_string(),
        })
    }

    /// Add one PID: its list item (what a result shows) and search record.
    pub fn add(&mut self, item: &ListItem, record: &SearchRecord) -> Result<()> {
        let mut meta = BTreeMap::from([
            ("title".to_string(), item.title.clone()),
            ("pid".to_string(), item.pid.clone()),
            ("type".to_string(), item.kind.clone()),
        ]);
        if let Some(thumbnail) = &item.thumbnail {
            meta.insert("image".into(), thumbnail.clone());
        }
        let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in &record.facets {
            filters.entry(name.clone()).or_default().push(value.clone());
        }
        // Pagefind leaves a page without the sort key out of sorted
        // results: undated PIDs sort last instead (the empty query lists
        // every PID, oldest first).
        let year = record.year.clone().unwrap_or_else(|| "9999".into());
        let sort = Some(BTreeMap::from([("year".to_string(), year)]));
        let added = self.index.add_custom_record(
            item.url.clone(),
            record.text.clone(),
            self.language.clone(),
            Some(meta),
            Some(filters),
            sort,
        );
        self.runtime.block_on(added).map_err(search_error)?;
        Ok(())
    }

    /// The index files, under `pagefind/`: the loader script, its web
    /// worker and WebAssembly, the entry file and the index, filter and
    /// fragment chunks. Pagefind's own UI bundles are left out: the search
    /// page has its own, smaller one (`js/search.js`).
    pub fn finish(mut self) -> Result<Vec<Output>> {
        let files = self
            .runtime
            .block_on(self.index.get_files())
            .map_err(search_error)?;
        let mut outputs = Vec::new();
        for file in files {
            let name = file.filename.to_string_lossy().replace('\\', "/");
            let rel = name
                .rsplit_once(&format!("{FOLDER}/"))
                .map_or(name.as_str(), |(_, rel)| rel);
            if rel.contains("-ui.") || rel.starts_with("pagefind-highlight") {
                continue;
            }
            let mut parts: Vec<&str> = std::iter::once(FOLDER).chain(rel.split('/')).collect();
            let file_name = parts.pop().unwrap_or_default();
            outputs.push(Output::new(
                SitePath::folder(parts).file(file_name),
                file.contents,
            ));
        }
        Ok(outputs)
    }
}

/// Whether Pagefind names `file` (a site path under [`FOLDER`]) by a hash
/// of its content: its index, filter and fragment chunks are.
pub(super) fn hash_named(file: &str) -> bool {
    ["index/", "filter/", "fragment/"]
        .iter()
        .any(|dir| file.starts_with(&format!("{FOLDER}/{dir}")))
}

fn search_error(e: anyhow::Error) -> Error {
    Error::io(
        std::path::Path::new(FOLDER),
        std::io::Error::other(format!("search index: {e:#}")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_of_finds_the_first_four_digit_year() {
        assert_eq!(year_of("1850-03-01").as_deref(), Some("1850"));
        assert_eq!(year_of("ca. 1700–1799").as_deref(), Some("1700"));
        assert_eq!(year_of("12345"), None);
        assert_eq!(year_of("n.d."), None);
    }

    #[test]
    fn strip_tags_keeps_the_text() {
        let text = strip_tags("<p>Found in <em>1901</em></p>");
        assert_eq!(
            text.split_whitespace().collect::<Vec<_>>(),
            ["Found", "in", "1901"]
        );
    }
}
