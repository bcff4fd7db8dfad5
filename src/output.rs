//! What rendering makes and writing reads: the files of the site, in
//! memory, the redirects a host that answers with real status codes should
//! make, and each PID's [`Summary`] for the site-wide pages (kept in the
//! build cache). Made by render, read by write and the cache; this module
//! knows nothing of either.

use serde::{Deserialize, Serialize};

use crate::model::site_path::SitePath;

/// The files of a PID's folder (and of each version's), named once: render
/// writes them, the registry keeps PIDs and aliases from landing on them,
/// `cite` links them.
pub mod file {
    /// The site's copy of the IIIF document, with the PID written in.
    pub const MANIFEST: &str = "manifest.json";
    /// BibTeX.
    pub const BIBTEX: &str = "cite.bib";
    /// RIS.
    pub const RIS: &str = "cite.ris";
    /// CSL-JSON.
    pub const CSL_JSON: &str = "cite.json";
    /// The DataCite record (DOIs only).
    pub const DATACITE: &str = "datacite.xml";
    /// The page's FAIR Signposting links (RFC 9264); also the site-wide one.
    pub const LINKSET: &str = "linkset.json";
    /// Every file above.
    pub const ALL: [&str; 6] = [MANIFEST, BIBTEX, RIS, CSL_JSON, DATACITE, LINKSET];
}

/// The site-wide bulk export files (see `render::bulk`), under `export/`.
pub mod export {
    /// The folder they are in.
    pub const FOLDER: &str = "export";
    /// One row per PID, for people and spreadsheets.
    pub const CSV: &str = "records.csv";
    /// One CSL-JSON item per line (each PID's `cite.json` item), for
    /// software.
    pub const JSONL: &str = "records.jsonl";
    /// Every DOI's DataCite XML record, zipped (sites with DOIs only).
    pub const DATACITE: &str = "datacite.zip";
    /// Each file's path in the output.
    pub const PATHS: [&str; 3] = [
        "export/records.csv",
        "export/records.jsonl",
        "export/datacite.zip",
    ];
}

/// One file of the site, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Where it goes.
    pub path: SitePath,
    /// Its bytes (HTML not yet minified).
    pub bytes: Vec<u8>,
}

impl Output {
    /// A file of `bytes` at `path`.
    pub fn new(path: SitePath, bytes: impl Into<Vec<u8>>) -> Self {
        Output {
            path,
            bytes: bytes.into(),
        }
    }
}

/// A redirect (or a 410 Gone) for hosts that answer with real status codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Redirect {
    /// Root-relative path of the stub (or the tombstone), or of the old URL
    /// an alias stands for, percent-decoded.
    pub from: String,
    /// Root-relative path it goes to (the tombstone itself for 410).
    pub to: String,
    /// 301, or 410 for a withdrawn PID.
    pub status: u16,
}

/// What the site-wide pages need to know about one PID (kept in the
/// incremental build state, so unchanged PIDs need not be read again).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Summary {
    /// Home page list item (none for moved PIDs).
    pub item: Option<ListItem>,
    /// `pids.csv` rows: PID, absolute URL, status.
    pub rows: Vec<[String; 3]>,
    /// Absolute URL for the sitemap (active PIDs only).
    pub sitemap: Option<String>,
    /// Pages written.
    pub pages: usize,
    /// Redirect stubs written.
    pub stubs: usize,
    /// What a host that can redirect for real should do (stubs: 301;
    /// tombstones: 410), for the `_redirects`, `.htaccess` and nginx exports.
    pub redirects: Vec<Redirect>,
    /// The linkset contexts (compact JSON) of the landing page and of its
    /// version pages, for the site-wide linkset.
    pub linksets: Vec<JsonText>,
    /// When the PID last changed (RFC 3339), for `lastmod` and the feed:
    /// its withdrawal when withdrawn, else its current version's date, else
    /// when its target's content last changed as `pidsite.lock` keeps it
    /// (none for a moved PID).
    pub modified: Option<String>,
    /// IIIF Change Discovery activities of the PID's IIIF resource.
    pub activities: Vec<Activity>,
    /// What the site-wide search indexes and the browse pages group by
    /// (landing pages and tombstones only). Kept only for a site with
    /// search: nothing else reads it, and it was a fifth of a PID's state,
    /// read back by every rebuild.
    pub search: Option<SearchRecord>,
    /// Its record in the bulk export files (none for a reserved PID).
    pub export: Option<ExportRecord>,
    /// Where the PID's resource is (`navPlace`), for the map page (active
    /// landing pages only).
    pub places: Vec<MapPlace>,
}

/// A place of a PID as the map page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapPlace {
    /// Its name.
    pub label: String,
    /// Latitude of its marker, in degrees.
    pub lat: f64,
    /// Longitude of its marker, in degrees.
    pub lon: f64,
}

/// One PID as the site-wide search knows it: the text it is found by and
/// the facets it is filtered and browsed by.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct SearchRecord {
    /// The text searched: title, every written form of the PID, creators,
    /// date, metadata values, summary, notes and annotation text.
    pub text: String,
    /// Facet name and value pairs (`type`, `collection`, `decade`,
    /// `provider`, `rights`, `language`, `scheme`, `status`).
    pub facets: Vec<(String, String)>,
    /// The year the resource is dated, to sort by.
    pub year: Option<String>,
    /// Its kind's key (`manifest`…): the type's browse page is named by
    /// it, not by the label, so its URL is the same in every language.
    pub kind_name: String,
}

/// One PID's record in the bulk export files (`export/`), kept with its
/// summary so that a rebuild writes them without reading its manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportRecord {
    /// Its row of `records.csv`, one cell per column of
    /// `render::bulk::COLUMNS`.
    pub row: Vec<String>,
    /// The CSL-JSON item of its `cite.json` (compact), for
    /// `records.jsonl`; none for a moved PID, which has no citation.
    pub csl: Option<JsonText>,
    /// Its DataCite XML record (DOIs only), for `datacite.zip`, with the
    /// path of its entry there (`doi/10.…/datacite.xml`, as on the site).
    pub datacite: Option<(String, String)>,
}

/// A JSON document as compact text, written into a site-wide file as it
/// is (the site-wide linkset, `records.jsonl`): made once when its PID is
/// rendered, and kept in the PID's state as text, never parsed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonText(String);

impl JsonText {
    /// `value` as compact JSON (none if it cannot be serialised, which
    /// the values given here, made of strings and maps, always can).
    pub fn of(value: &impl Serialize) -> Option<JsonText> {
        serde_json::to_string(value).ok().map(JsonText)
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }
}

/// One PID in the home page list.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ListItem {
    /// Title.
    pub title: String,
    /// PID label.
    pub pid: String,
    /// Root-relative landing URL.
    pub url: String,
    /// Thumbnail URL.
    pub thumbnail: Option<String>,
    /// Type label.
    pub kind: String,
    /// Status.
    pub status: String,
}

/// A Change Discovery activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// `Create`, `Update` or `Delete`.
    pub kind: String,
    /// What changed.
    pub object: ActivityObject,
    /// When (RFC 3339).
    pub end_time: String,
}

/// The IIIF resource an activity is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityObject {
    /// Its URL.
    pub id: String,
    /// `Manifest` or `Collection`.
    pub kind: String,
    /// The PID's landing page.
    pub see_also: String,
}

/// A site-wide page as a build rendered it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SitePage {
    /// The hash of the context it is rendered from.
    pub hash: String,
}
