//! The file's columns -> pidsite's: which header (matched trimmed and
//! case-insensitive) or template over the row gives each pidsite column, how
//! values map (`"skip"` drops a row), how multi-values split, and which
//! columns are shown as extra metadata. Built once per file from its headers
//! and `[registry]` in site.toml; then turns each row into a [`RawRow`].
//! Knows nothing of what a valid value is: `mod.rs` checks that.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{RawRow, COLUMNS};
use crate::config::registry::{ColumnSource, RegistrySettings};
use crate::error::{Error, Location};

/// What splits a JSON array's items in a cell until the mapping splits
/// them again (a control character no registry value holds).
pub(super) const ITEM_SEPARATOR: &str = "\u{1f}";

/// The value of the values map that drops a row.
const SKIP: &str = "skip";

/// The columns whose value is a list (`;`-separated in pidsite's own shape).
const LIST_COLUMNS: &[&str] = &["aliases", "creator"];

/// How one file's rows become [`RawRow`]s.
pub(super) struct Mapping {
    /// pidsite column -> where its value comes from.
    columns: Vec<(&'static str, Source)>,
    /// pidsite column -> (lower-cased file value -> pidsite value).
    values: HashMap<&'static str, HashMap<String, String>>,
    /// Label -> field index, shown on the landing page in this order.
    metadata: Vec<(String, usize)>,
    separator: Option<String>,
    /// pidsite column -> the file's header, for messages.
    names: Arc<HashMap<&'static str, String>>,
    /// The site folder: a list of target templates takes the first local
    /// file that exists.
    site_dir: PathBuf,
}

enum Source {
    Field(usize),
    /// Templates tried in order (one, except for a `target` list).
    Templates(Vec<Template>),
}

/// `https://x.org/{Item ARK|urlencode}/manifest`: text and fields.
struct Template {
    written: String,
    parts: Vec<Part>,
}

enum Part {
    Text(String),
    Field(usize, Vec<Filter>),
}

#[derive(Clone, Copy)]
enum Filter {
    /// Percent-encode all but letters, digits and `-._~` (`ark%3A%2F…`).
    UrlEncode,
    /// Runs of other characters than letters and digits -> `-`
    /// (`ark:/21198/zz0009gsq9` -> `ark-21198-zz0009gsq9`).
    Slug,
    Lower,
    Upper,
}

const FILTERS: &str = "urlencode, slug, lower, upper";

impl Filter {
    fn parse(name: &str) -> Option<Filter> {
        match name.trim() {
            "urlencode" => Some(Filter::UrlEncode),
            "slug" => Some(Filter::Slug),
            "lower" => Some(Filter::Lower),
            "upper" => Some(Filter::Upper),
            _ => None,
        }
    }

    fn apply(self, text: &str) -> String {
        match self {
            Filter::UrlEncode => {
                percent_encoding::utf8_percent_encode(text, URL_ENCODE).to_string()
            }
            Filter::Slug => text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("-"),
            Filter::Lower => text.to_lowercase(),
            Filter::Upper => text.to_uppercase(),
        }
    }
}

/// RFC 3986's unreserved characters stay; everything else is encoded.
const URL_ENCODE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The file's headers, trimmed, found case-insensitively.
struct Headers<'h> {
    written: &'h [String],
    by_name: HashMap<String, usize>,
    used: Vec<bool>,
}

impl<'h> Headers<'h> {
    fn new(written: &'h [String]) -> Self {
        let mut by_name = HashMap::new();
        for (i, h) in written.iter().enumerate().rev() {
            by_name.insert(h.trim().to_lowercase(), i);
        }
        Headers {
            written,
            by_name,
            used: vec![false; written.len()],
        }
    }

    fn find(&mut self, name: &str) -> Option<usize> {
        let i = *self.by_name.get(&name.trim().to_lowercase())?;
        self.used[i] = true;
        Some(i)
    }

    /// The same header twice (case aside), if the mapping uses it.
    fn twice(&self) -> Option<&str> {
        self.written.iter().enumerate().find_map(|(i, h)| {
            let first = self.by_name[&h.trim().to_lowercase()];
            (first != i && self.used[first]).then_some(h.as_str())
        })
    }

    fn list(&self) -> String {
        self.written
            .iter()
            .map(|h| format!("{h:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Mapping {
    /// The mapping of a file with these headers (trimmed), or every problem
    /// with it at once; also a note listing the columns not used when the
    /// site says to ignore them.
    pub(super) fn new(
        headers: &[String],
        settings: &RegistrySettings,
        rel: &Path,
        site_dir: &Path,
    ) -> Result<(Mapping, Option<String>), Vec<Error>> {
        let mut errors = Vec::new();
        let mut found = Headers::new(headers);
        let (columns, names) = columns(settings, &mut found, rel, &mut errors);
        let values = value_maps(settings, &mut errors);
        let mut metadata = Vec::new();
        for (label, header) in &settings.metadata.0 {
            match found.find(header) {
                Some(i) => metadata.push((label.clone(), i)),
                None => errors.push(in_site_toml(
                    ".metadata",
                    format!(
                        "{label:?} = {header:?}: {} has no such header; its headers are {}",
                        rel.display(),
                        found.list()
                    ),
                )),
            }
        }
        let at = Location::line(rel, 1);
        if !columns.iter().any(|(c, _)| *c == "pid") {
            errors.push(Error::registry(at.clone(), "missing column \"pid\" (or map one in [registry.columns] of site.toml: pid = \"the file's header\")"));
        }
        if let Some(h) = found.twice() {
            errors.push(Error::registry(
                at.clone(),
                format!("column {:?} appears twice", h.trim()),
            ));
        }
        let note = unused(&found, settings, at, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let mapping = Mapping {
            columns,
            values,
            metadata,
            separator: settings
                .multi_value_separator
                .clone()
                .filter(|s| !s.is_empty()),
            names: Arc::new(names),
            site_dir: site_dir.to_path_buf(),
        };
        Ok((mapping, note))
    }

    /// One row of fields (trimmed) -> a [`RawRow`]; `None` when the values
    /// map says to skip it.
    pub(super) fn row(&self, at: Location, fields: &[&str]) -> Option<RawRow> {
        let field = |i: usize| fields.get(i).map_or("", |f| f.trim());
        let mut values = super::Values::default();
        for (column, source) in &self.columns {
            let value = match source {
                Source::Field(i) => Some(field(*i).to_string()).filter(|v| !v.is_empty()),
                Source::Templates(list) => self.first_target(list, &field),
            };
            let Some(mut value) = value else { continue };
            if let Some(map) = self.values.get(column) {
                if let Some(to) = map.get(&value.to_lowercase()) {
                    if to.eq_ignore_ascii_case(SKIP) {
                        return None;
                    }
                    value = to.clone();
                }
            }
            if LIST_COLUMNS.contains(column) {
                value = self.items(&value).join(";");
            } else {
                value = value.replace(ITEM_SEPARATOR, "; ");
            }
            if !value.is_empty() {
                values.insert(column, value);
            }
        }
        let metadata = self
            .metadata
            .iter()
            .map(|(label, i)| (label.clone(), self.items(field(*i))))
            .filter(|(_, items)| !items.is_empty())
            .collect();
        Some(RawRow {
            at,
            values,
            metadata,
            names: Arc::clone(&self.names),
        })
    }

    /// A cell's values, split at the multi-value separator.
    fn items(&self, cell: &str) -> Vec<String> {
        let mut items: Vec<&str> = cell.split(ITEM_SEPARATOR).collect();
        if let Some(sep) = &self.separator {
            items = items.iter().flat_map(|i| i.split(sep.as_str())).collect();
        }
        items
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The first template that gives a value: a URL, or a path under
    /// content/ whose file exists; the last one's value otherwise (the
    /// check of targets then says what is missing).
    fn first_target<'f>(
        &self,
        list: &[Template],
        field: &dyn Fn(usize) -> &'f str,
    ) -> Option<String> {
        let mut last = None;
        for template in list {
            let Some(value) = template.fill(field) else {
                continue;
            };
            let remote = value.starts_with("http://") || value.starts_with("https://");
            if list.len() == 1 || remote || self.local_exists(&value) {
                return Some(value);
            }
            last = Some(value);
        }
        last
    }

    fn local_exists(&self, path: &str) -> bool {
        let rel = path.trim_start_matches("./");
        let rel = rel.strip_prefix("content/").unwrap_or(rel);
        !rel.contains("..") && self.site_dir.join("content").join(rel).is_file()
    }
}

/// An error in `[registry…]` of site.toml.
fn in_site_toml(table: &str, message: String) -> Error {
    Error::registry(
        Location::file(crate::config::CONFIG_FILE),
        format!("[registry{table}] {message}"),
    )
}

type Columns = (Vec<(&'static str, Source)>, HashMap<&'static str, String>);

/// Each pidsite column's source: `[registry.columns]`, then the headers
/// named as pidsite columns the mapping gives no other source; and the
/// file's header of each, for messages.
fn columns(
    settings: &RegistrySettings,
    found: &mut Headers<'_>,
    rel: &Path,
    errors: &mut Vec<Error>,
) -> Columns {
    let mut columns = Vec::new();
    let mut names = HashMap::new();
    for (column, source) in &settings.columns {
        let Some(column) = pidsite_column(column) else {
            errors.push(in_site_toml(
                ".columns",
                format!(
                    "{column:?} is not a pidsite column; expected one of {}",
                    COLUMNS.join(", ")
                ),
            ));
            continue;
        };
        let written: Vec<&String> = match source {
            ColumnSource::One(s) => vec![s],
            ColumnSource::FirstOf(list) if column == "target" && !list.is_empty() => {
                list.iter().collect()
            }
            ColumnSource::FirstOf(_) => {
                errors.push(in_site_toml(
                    ".columns",
                    format!("{column}: expected a header or a template (only `target` takes a list of templates)"),
                ));
                continue;
            }
        };
        let source = if written.len() == 1 && !written[0].contains('{') {
            let Some(i) = found.find(written[0]) else {
                errors.push(in_site_toml(
                    ".columns",
                    format!(
                        "{column} = {:?}: {} has no such header; its headers are {}",
                        written[0],
                        rel.display(),
                        found.list()
                    ),
                ));
                continue;
            };
            Source::Field(i)
        } else {
            let mut templates = Vec::new();
            for w in written.iter().copied() {
                match Template::parse(w, found) {
                    Ok(t) => templates.push(t),
                    Err(m) => errors.push(in_site_toml(
                        ".columns",
                        format!(
                            "{column} = {w:?}: {m}; the headers of {} are {}",
                            rel.display(),
                            found.list()
                        ),
                    )),
                }
            }
            Source::Templates(templates)
        };
        let name: Vec<&str> = written.iter().map(|w| w.as_str()).collect();
        names.insert(column, name.join(" or "));
        columns.push((column, source));
    }
    for (i, h) in found.written.iter().enumerate() {
        if let Some(column) = pidsite_column(h) {
            if !columns.iter().any(|(c, _)| *c == column) {
                found.used[i] = true;
                columns.push((column, Source::Field(i)));
                if h.trim() != column {
                    names.insert(column, h.trim().to_string());
                }
            }
        }
    }
    (columns, names)
}

/// `[registry.values.<column>]`, keys lower-cased.
fn value_maps(
    settings: &RegistrySettings,
    errors: &mut Vec<Error>,
) -> HashMap<&'static str, HashMap<String, String>> {
    let mut values = HashMap::new();
    for (column, map) in &settings.values {
        match pidsite_column(column) {
            Some(c) => {
                let map = map
                    .iter()
                    .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
                    .collect();
                values.insert(c, map);
            }
            None => errors.push(in_site_toml(
                ".values",
                format!(
                    "{column:?} is not a pidsite column; expected one of {}",
                    COLUMNS.join(", ")
                ),
            )),
        }
    }
    values
}

/// The headers the mapping does not use: a note listing them under
/// `ignore_unknown_columns`, else one error listing them all.
fn unused(
    found: &Headers<'_>,
    settings: &RegistrySettings,
    at: Location,
    errors: &mut Vec<Error>,
) -> Option<String> {
    let unused: Vec<String> = found
        .written
        .iter()
        .zip(&found.used)
        .filter(|(h, used)| !**used && !h.trim().is_empty())
        .map(|(h, _)| format!("{:?}", h.trim()))
        .collect();
    // A profile reads a service's export, whose columns it knows, most of
    // them of no use to pidsite: nothing to say.
    if unused.is_empty() || settings.profile.is_some() {
        return None;
    }
    if settings.ignore_unknown_columns {
        return Some(format!(
            "{}: {} column(s) not used (ignore_unknown_columns): {}",
            at.path.display(),
            unused.len(),
            unused.join(", ")
        ));
    }
    let what = if unused.len() == 1 {
        "column"
    } else {
        "columns"
    };
    errors.push(Error::registry(
        at,
        format!(
            "unknown {what} {}; expected columns among: {}; or map the file's headers in [registry.columns] of site.toml, show them with [registry.metadata], or set [registry] ignore_unknown_columns = true (README: Bring your registry)",
            unused.join(", "),
            COLUMNS.join(", ")
        ),
    ));
    None
}

/// pidsite's column of this name (trimmed, case-insensitive).
fn pidsite_column(name: &str) -> Option<&'static str> {
    let name = name.trim();
    COLUMNS
        .iter()
        .copied()
        .find(|c| c.eq_ignore_ascii_case(name))
}

impl Template {
    fn parse(written: &str, headers: &mut Headers<'_>) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = written;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let close = rest[open..].find('}').ok_or_else(|| {
                format!(
                    "a `{{` at byte {} is not closed",
                    written.len() - rest.len() + open
                )
            })? + open;
            let mut pieces = rest[open + 1..close].split('|');
            let header = pieces.next().unwrap_or("");
            let index = headers
                .find(header)
                .ok_or_else(|| format!("no header {:?}", header.trim()))?;
            let filters = pieces
                .map(|f| {
                    Filter::parse(f).ok_or_else(|| {
                        format!("unknown filter {:?}; expected one of {FILTERS}", f.trim())
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            parts.push(Part::Field(index, filters));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template {
            written: written.to_string(),
            parts,
        })
    }

    /// The template over a row; `None` when a field it names is empty.
    fn fill<'f>(&self, field: &dyn Fn(usize) -> &'f str) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Field(i, filters) => {
                    let value = field(*i);
                    if value.is_empty() {
                        return None;
                    }
                    let value = filters.iter().fold(value.to_string(), |v, f| f.apply(&v));
                    out.push_str(&value);
                }
            }
        }
        Some(out)
    }
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn settings(toml_text: &str) -> RegistrySettings {
        #[derive(serde::Deserialize)]
        struct Site {
            registry: RegistrySettings,
        }
        toml::from_str::<Site>(toml_text).unwrap().registry
    }

    #[test]
    fn a_template_fills_filtered_fields_and_gives_nothing_for_an_empty_one() {
        let h = headers(&["Item ARK", "Kind"]);
        let s = settings(
            "[registry.columns]\npid = \"item ark\"\ntarget = \"https://i.example.edu/{ Item ARK |urlencode}/{Item ARK|slug}.json\"\n[registry.values.type]\npage = \"skip\"\n",
        );
        let mut s = s;
        s.ignore_unknown_columns = true;
        let (m, note) = Mapping::new(&h, &s, Path::new("r.csv"), Path::new("/site")).unwrap();
        assert_eq!(
            note.unwrap(),
            "r.csv: 1 column(s) not used (ignore_unknown_columns): \"Kind\""
        );
        let row = m
            .row(
                Location::line("r.csv", 2),
                &["ark:/21198/zz0009gsq9", "Work"],
            )
            .unwrap();
        assert_eq!(
            row.values.get("target").unwrap(),
            "https://i.example.edu/ark%3A%2F21198%2Fzz0009gsq9/ark-21198-zz0009gsq9.json"
        );
        assert!(m
            .row(Location::line("r.csv", 3), &["", "Work"])
            .unwrap()
            .values
            .get("target")
            .is_none());
    }

    #[test]
    fn every_mapping_problem_is_reported_at_once() {
        let h = headers(&["Item ARK", "Title", "Extra"]);
        let s = settings(
            "[registry.columns]\npid = \"Item Ark\"\ntarget = \"{Manifest}\"\ntitel = \"Title\"\n[registry.metadata]\nPlace = \"Place of origin\"\n",
        );
        let errors = Mapping::new(&h, &s, Path::new("r.csv"), Path::new("/site"))
            .err()
            .unwrap();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 4, "{text:#?}");
        assert!(
            text[0].contains("target = \"{Manifest}\": no header \"Manifest\""),
            "{}",
            text[0]
        );
        assert!(
            text[1].contains("\"titel\" is not a pidsite column"),
            "{}",
            text[1]
        );
        assert!(
            text[2].contains("[registry.metadata] \"Place\" = \"Place of origin\""),
            "{}",
            text[2]
        );
        assert!(
            text[3].starts_with("r.csv:1: unknown column \"Extra\""),
            "{}",
            text[3]
        );
    }
}
