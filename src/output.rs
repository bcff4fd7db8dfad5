//! What rendering makes and writing reads: the files of the site, in
//! memory, and the redirects a host that answers with real status codes
//! should make. Made by render, read by write and the build cache; this
//! module knows nothing of either.

use serde::Serialize;

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
