//! `[registry]` in site.toml, as written: how to read a registry that is not
//! in pidsite's own shape (which file, its delimiter, which of its headers
//! is which pidsite column, how its values map). Deserialised here; checked
//! against the file's headers when the file is read
//! (`load/registry/map.rs`), since only the file says which headers there
//! are.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The `[registry]` table of site.toml. Every key is optional: without it
/// the registry is `content/registry.csv` (or `.json`, or the files in
/// `content/registry/`) with pidsite's own column names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrySettings {
    /// The registry file, relative to the site (`.csv`, `.tsv` or `.json`).
    pub file: Option<String>,
    /// The field delimiter of a CSV file: `auto` (the default: the one of
    /// `,` `;` TAB `|` the header line has most of), or the character.
    pub delimiter: Delimiter,
    /// What joins several values in one cell (UCLA's `|~|`); such values
    /// become the list columns' (`creator`, `aliases`) items and the
    /// metadata's values.
    pub multi_value_separator: Option<String>,
    /// Columns the mapping does not use are listed once, as a note, instead
    /// of being an error.
    pub ignore_unknown_columns: bool,
    /// pidsite column -> the file's header (matched trimmed and
    /// case-insensitive), or a template over the row (`{Header|filter}`),
    /// or, for `target`, a list of them (the first that gives a file under
    /// content/ that exists, or a URL).
    pub columns: BTreeMap<String, ColumnSource>,
    /// pidsite column -> (the file's value -> pidsite's value); the value
    /// `"skip"` drops the row.
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// Label -> the file's header: shown on the landing page, in this order.
    pub metadata: Metadata,
    /// A built-in mapping for a service's export (`ezid`, `datacite`):
    /// it computes pidsite's columns; `columns` still win.
    pub profile: Option<String>,
}

/// Where a pidsite column's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ColumnSource {
    /// A header, or a template (it holds `{`).
    One(String),
    /// Templates tried in order (`target` only).
    FirstOf(Vec<String>),
}

/// The field delimiter of a CSV file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Delimiter {
    /// Sniffed from the header line (TAB for a `.tsv` file).
    #[default]
    Auto,
    /// This byte.
    Byte(u8),
}

impl<'de> Deserialize<'de> for Delimiter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "auto" => Ok(Delimiter::Auto),
            "," | ";" | "\t" | "|" => Ok(Delimiter::Byte(text.as_bytes()[0])),
            "tab" | "\\t" => Ok(Delimiter::Byte(b'\t')),
            _ => Err(serde::de::Error::custom(format!(
                "[registry] delimiter: expected \"auto\", \",\", \";\", \"\\t\" or \"|\", found {text:?}"
            ))),
        }
    }
}

/// `[registry.metadata]`: (label, header) pairs in the order site.toml
/// gives them (a map would sort them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = Metadata;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of label = \"the file's header\"")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Metadata, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    pairs.push(pair);
                }
                Ok(Metadata(pairs))
            }
        }
        d.deserialize_map(Pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Site {
        registry: RegistrySettings,
    }

    #[test]
    fn the_issue_snippet_reads_and_metadata_keeps_its_order() {
        let site: Site = toml::from_str(
            r#"
[registry]
file = "content/ucla-export.csv"
delimiter = "auto"
multi_value_separator = "|~|"
ignore_unknown_columns = true

[registry.columns]
pid = "Item ARK"
target = ["iiif/{Item ARK|slug}.json", "https://iiif.example.edu/{Item ARK|urlencode}/manifest"]
title = "Title"

[registry.values.type]
Work = "Manifest"
Page = "skip"

[registry.metadata]
"Place of origin" = "Place of origin"
Date = "Date.creation"
Access = "Rights.servicesContact"
"#,
        )
        .unwrap();
        let r = site.registry;
        assert_eq!(r.delimiter, Delimiter::Auto);
        assert_eq!(r.columns["pid"], ColumnSource::One("Item ARK".to_string()));
        assert!(matches!(&r.columns["target"], ColumnSource::FirstOf(v) if v.len() == 2));
        assert_eq!(r.values["type"]["Page"], "skip");
        let labels: Vec<&str> = r.metadata.0.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["Place of origin", "Date", "Access"]);
    }

    #[test]
    fn a_bad_delimiter_names_the_choices() {
        let err = toml::from_str::<Site>("[registry]\ndelimiter = \"::\"\n")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("expected \"auto\""), "{err}");
    }
}
