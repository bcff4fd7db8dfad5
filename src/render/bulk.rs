//! The bulk export: every PID's record in files a registrar, a spreadsheet
//! or a harvester reads in one go (`export/records.csv`,
//! `export/records.jsonl`, `export/datacite.zip`). This module makes one
//! PID's [`ExportRecord`] (its CSV row, CSL-JSON item and DataCite record)
//! as its page is rendered; the build streams the records into the files.

use serde_json::Value;

use crate::output::{ExportRecord, JsonText};

/// The columns of `records.csv`, in order. Several values in one cell are
/// joined with [`SEPARATOR`] (creators with `; `, as Zotero's CSV does).
pub const COLUMNS: [&str; 18] = [
    "pid",
    "resolver_url",
    "aliases",
    "title",
    "creators",
    "date",
    "type",
    "resource_type_general",
    "iiif_type",
    "status",
    "replaced_by",
    "withdrawn_date",
    "withdrawn_reason",
    "collection",
    "rights",
    "provider",
    "landing_url",
    "manifest_url",
];

/// What joins several values in one cell of `records.csv` (aliases,
/// collections, providers): not `;`, which DOIs may contain
/// (`10.1002/(SICI)…3.0.CO;2-O`).
pub const SEPARATOR: &str = " | ";

/// One PID's facts for its row, borrowed from what its page was made of.
#[derive(Debug, Default)]
pub struct Row<'a> {
    /// The PID as cited (`ark:…`, `doi:…`).
    pub pid: String,
    /// Its resolver URL, if its scheme has one.
    pub resolver_url: Option<String>,
    /// Its aliases, as written in the registry.
    pub aliases: Vec<&'a str>,
    /// Title.
    pub title: &'a str,
    /// Creators, as cited.
    pub creators: &'a [String],
    /// Date, as cited.
    pub date: Option<&'a str>,
    /// The resource type (the registry's `resource_type` vocabulary).
    pub kind: &'a str,
    /// DataCite `resourceTypeGeneral`.
    pub type_general: &'a str,
    /// IIIF type (`Manifest`…), when its document could be read.
    pub iiif_type: Option<&'a str>,
    /// `active`, `withdrawn` or `moved`.
    pub status: &'a str,
    /// The PID it moved to.
    pub replaced_by: Option<String>,
    /// When it was withdrawn (`YYYY-MM-DD`).
    pub withdrawn_date: Option<&'a str>,
    /// Why.
    pub withdrawn_reason: Option<&'a str>,
    /// The collections its document says it is part of.
    pub collections: &'a [String],
    /// Rights or licence URI.
    pub rights: Option<&'a str>,
    /// Holding institutions or providers.
    pub providers: Vec<&'a str>,
    /// Its landing page (absolute).
    pub landing_url: &'a str,
    /// Its IIIF document (absolute), unless withdrawn.
    pub manifest_url: Option<&'a str>,
}

impl Row<'_> {
    /// The row's cells, in the order of [`COLUMNS`], each safe to open in
    /// a spreadsheet (see `inert`).
    pub fn cells(&self) -> Vec<String> {
        let text = |s: Option<&str>| s.unwrap_or_default().to_string();
        let cells = vec![
            self.pid.clone(),
            text(self.resolver_url.as_deref()),
            self.aliases.join(SEPARATOR),
            self.title.to_string(),
            self.creators.join("; "),
            text(self.date),
            self.kind.to_string(),
            self.type_general.to_string(),
            text(self.iiif_type),
            self.status.to_string(),
            text(self.replaced_by.as_deref()),
            text(self.withdrawn_date),
            text(self.withdrawn_reason),
            self.collections.join(SEPARATOR),
            text(self.rights),
            self.providers.join(SEPARATOR),
            self.landing_url.to_string(),
            text(self.manifest_url),
        ];
        cells.into_iter().map(inert).collect()
    }
}

/// A cell a spreadsheet will not run: text from a manifest that starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a
/// formula (`=HYPERLINK(…)`), so it gets a leading `'`, which spreadsheets
/// take as "text" (OWASP's advice on CSV injection).
fn inert(cell: String) -> String {
    match cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        true => format!("'{cell}"),
        false => cell,
    }
}

/// A PID's record: its row, its CSL-JSON item (what its `cite.json`
/// holds, compact) and its DataCite record with the path of its entry in
/// the zip.
pub fn record(
    row: &Row<'_>,
    csl: Option<&Value>,
    datacite: Option<(String, String)>,
) -> ExportRecord {
    ExportRecord {
        row: row.cells(),
        csl: csl.and_then(JsonText::of),
        datacite,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_has_a_cell_per_column() {
        let creators = ["Doe, Jane".to_string(), "Roe, Rick".to_string()];
        let row = Row {
            pid: "doi:10.5072/x".into(),
            aliases: vec!["old-1", "10.1002/(SICI)1;2-O"],
            creators: &creators,
            status: "active",
            ..Row::default()
        };
        let cells = row.cells();
        assert_eq!(cells.len(), COLUMNS.len());
        assert_eq!(cells[2], "old-1 | 10.1002/(SICI)1;2-O");
        assert_eq!(cells[4], "Doe, Jane; Roe, Rick");
    }

    #[test]
    fn no_cell_is_a_formula() {
        let creators = ["@SUM(A1)".to_string()];
        let row = Row {
            title: "=HYPERLINK(\"https://evil.example\")",
            creators: &creators,
            date: Some("-0500"),
            ..Row::default()
        };
        let cells = row.cells();
        assert_eq!(cells[3], "'=HYPERLINK(\"https://evil.example\")");
        assert_eq!(cells[4], "'@SUM(A1)");
        assert_eq!(cells[5], "'-0500");
        assert_eq!(cells[0], "");
    }
}
