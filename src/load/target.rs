//! A PID's IIIF resource, read: each version's target (`load_target`), a
//! local file or a remote document fetched before, parsed and normalised,
//! with the warnings found on the way. Reads only.

use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::error::{Location, Warning, WarningKind};
use crate::load;
use crate::load::enrichable::Enrichable;
use crate::model::record::{Entry, Record, Status, Target};
use crate::model::resource::Resource;
use crate::remote;

/// A PID's IIIF resource as loaded, or why it could not be.
pub struct Loaded {
    /// The normalised resource.
    pub resource: Option<Resource>,
    /// The document's bytes, when the site hosts a copy of it.
    pub document: Option<Vec<u8>>,
    /// A local manifest, collection or annotation list the site links to
    /// where the holding institution serves it rather than copying it
    /// (`[manifests] copy = "link"`): its `id`.
    pub linked: Option<String>,
    /// The document's `id`/`@id`, read when it was parsed for the page
    /// (none for remote documents).
    pub document_id: Option<String>,
    /// What the enriched copy of a manifest or collection needs, read when
    /// it was parsed for the page so it is not parsed twice (none for
    /// remote documents and other resource types).
    pub enrichable: Option<Enrichable>,
    /// The warning, when it could not be read.
    pub problem: Option<String>,
}

/// Target files read to fingerprint a PID, handed on to loading: a full
/// build reads each manifest once.
#[derive(Default)]
pub struct ReadFiles(Vec<(PathBuf, Vec<u8>)>);

impl ReadFiles {
    /// The bytes of `path`, if they were read (each path is handed out once).
    pub fn take(&mut self, path: &Path) -> Option<Vec<u8>> {
        let i = self.0.iter().position(|(p, _)| p == path)?;
        Some(self.0.swap_remove(i).1)
    }

    /// Hand on the bytes read of `path`.
    pub fn keep(&mut self, path: PathBuf, bytes: Vec<u8>) {
        self.0.push((path, bytes));
    }
}

/// Read every version's IIIF resource (one, for most PIDs), in the order
/// of `entry.versions`, taking the files fingerprinting has read from
/// `read`.
pub(crate) fn load_entry(
    entry: &Entry,
    site: &Path,
    config: &SiteConfig,
    remote: &remote::RemoteDocs,
    read: &mut ReadFiles,
) -> (Vec<Loaded>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let loaded = entry
        .versions
        .iter()
        .map(|record| {
            let (loaded, found) = load_target(record, site, config, remote, read);
            warnings.extend(found);
            loaded
        })
        .collect();
    (loaded, warnings)
}

/// A path as messages show it: relative to the site folder.
fn site_relative(path: &Path, site: &Path) -> String {
    path.strip_prefix(site)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Read and normalise a record's IIIF resource: a local file, or a remote
/// document fetched before pass 1. A resource that cannot be read is a
/// warning: the page is still built from the registry.
pub(crate) fn load_target(
    record: &Record,
    site: &Path,
    config: &SiteConfig,
    remote: &remote::RemoteDocs,
    read: &mut ReadFiles,
) -> (Loaded, Vec<Warning>) {
    if matches!(record.status, Status::Moved | Status::Reserved) {
        return (Loaded::none(None), Vec::new());
    }
    let Some(target) = &record.target else {
        return (Loaded::none(None), Vec::new());
    };
    let mut warnings = Vec::new();
    let source = Source::read(record, target, site, remote, read, &mut warnings);
    let mut fail = |reason: String| {
        warnings.push(Warning::new(
            WarningKind::UnreadableTarget,
            source.at.clone(),
            format!(
                "{reason}; the page of {} is built from the registry alone",
                record.pid
            ),
        ));
        Loaded::none(Some(format!(
            "The IIIF resource could not be read: {reason}."
        )))
    };
    let bytes = match source.bytes {
        Ok(b) => b,
        Err(reason) => return (fail(reason), warnings),
    };
    let (resource, (document_id, enrichable)) = match parse(&bytes, config, source.is_remote) {
        Ok(r) => r,
        Err(reason) if source.is_remote => {
            let loaded = fail(format!(
                "remote target {} is not a IIIF resource pidsite can read: {reason}",
                source.shown
            ));
            return (loaded, warnings);
        }
        Err(reason) => return (fail(reason), warnings),
    };
    check_row(record, &resource, &source.shown, &mut warnings);
    let mut resource = resource;
    cap_texts(&mut resource, &source.at, &source.shown, &mut warnings);
    // A manifest, collection or annotation list the institution serves is
    // linked there when the site says so; the ids of canvases, ranges and
    // single annotations need not resolve to the document.
    let linked = document_id
        .as_deref()
        .filter(|_| {
            use crate::model::resource::ResourceKind as K;
            matches!(
                resource.kind,
                K::Manifest | K::Collection | K::AnnotationPage
            )
        })
        .and_then(|id| config.linked_document(id));
    (
        Loaded {
            resource: Some(resource),
            // A remote document is linked where it is hosted, not copied.
            document: (!source.is_remote && linked.is_none()).then_some(bytes),
            linked,
            document_id,
            enrichable,
            problem: None,
        },
        warnings,
    )
}

impl Loaded {
    /// Where the document is linked when the site has no copy of it: a
    /// remote target's URL, or a linked local manifest's `id`.
    pub fn link<'a>(&'a self, record: &'a Record) -> Option<&'a str> {
        match &record.target {
            Some(Target::Remote(url)) => Some(url),
            _ => self.linked.as_deref(),
        }
    }

    /// No resource (none to read, or `problem` says why it could not be).
    fn none(problem: Option<String>) -> Loaded {
        Loaded {
            resource: None,
            document: None,
            linked: None,
            document_id: None,
            enrichable: None,
            problem,
        }
    }
}

/// A target's bytes, or why they could not be had, with where a problem
/// is reported: the file for a local target, the registry row (whose
/// message names the URL) for a remote one.
struct Source {
    /// The target as messages name it.
    shown: String,
    at: Location,
    bytes: std::result::Result<Vec<u8>, String>,
    is_remote: bool,
}

impl Source {
    fn read(
        record: &Record,
        target: &Target,
        site: &Path,
        remote: &remote::RemoteDocs,
        read: &mut ReadFiles,
        warnings: &mut Vec<Warning>,
    ) -> Source {
        match target {
            Target::Remote(url) => {
                let bytes = remote.read(url).map(|(bytes, stale)| {
                    if let Some(stale) = stale {
                        warnings.push(Warning::new(
                            WarningKind::StaleRemote,
                            record.at.clone(),
                            format!(
                                "remote target {url} could not be fetched ({}); the page of {} uses the copy cached on {}",
                                stale.error, record.pid, stale.cached_on
                            ),
                        ));
                    }
                    bytes
                });
                let bytes = bytes.map_err(|e| match e {
                    remote::ReadError::Fetch(e) | remote::ReadError::Cache(e) => {
                        format!("remote target {url}: {e}")
                    }
                    remote::ReadError::NotFetched => {
                        format!("remote target {url} was not fetched")
                    }
                });
                Source {
                    shown: url.clone(),
                    at: record.at.clone(),
                    bytes,
                    is_remote: true,
                }
            }
            Target::Local { path, .. } => {
                let shown = site_relative(path, site);
                let bytes = match read.take(path) {
                    Some(bytes) => Ok(bytes),
                    None => std::fs::read(path).map_err(|e| format!("cannot read the file: {e}")),
                };
                Source {
                    at: Location::file(&shown),
                    shown,
                    bytes,
                    is_remote: false,
                }
            }
        }
    }
}

/// What a local document keeps besides its model: the id other pages link
/// by and what its enriched copy needs.
type Kept = (Option<String>, Option<Enrichable>);

/// The page's model, and the id other pages link by and what the enriched
/// copy needs (local documents only). Parsed once: all are read from the
/// one tree, which borrows `bytes` and goes, with its arena, before they
/// are kept.
fn parse(bytes: &[u8], config: &SiteConfig, is_remote: bool) -> Result<(Resource, Kept), String> {
    let arena = bumpalo::Bump::new();
    let json = load::iiif::parse_json(bytes, &arena)?;
    let resource = load::iiif::from_value(&json, &config.languages)?;
    let kept = (!is_remote).then(|| (load::iiif::document_id(&json), Enrichable::of(&json)));
    Ok((resource, kept.unwrap_or_default()))
}

/// What the registry row says that the resource must agree with: its
/// `type`, and the canvas a PID for one canvas names.
fn check_row(record: &Record, resource: &Resource, shown: &str, warnings: &mut Vec<Warning>) {
    if let Some(declared) = &record.details().declared_type {
        let declared = crate::model::resource::ResourceKind::from_type(declared);
        if declared.is_some() && declared != Some(resource.kind) {
            warnings.push(Warning::new(
                WarningKind::TypeMismatch,
                record.at.clone(),
                format!(
                    "column \"type\" says {:?} but {shown} is a {}",
                    record.details().declared_type.as_deref().unwrap_or(""),
                    resource.kind.label()
                ),
            ));
        }
    }
    // A PID for one canvas of a manifest: the canvas must be there.
    if let Some(canvas) = &record.details().canvas {
        if resource.lacks_canvas(canvas) {
            warnings.push(Warning::new(
                WarningKind::MissingCanvas,
                record.at.clone(),
                format!(
                    "column \"canvas\": {shown} has no canvas {canvas}; the viewer of {} cannot open it",
                    record.pid
                ),
            ));
        }
    }
}

/// Cut the text a page shows of the resource to its caps (see
/// [`crate::model::cap`]): titles and names (label, metadata and
/// requiredStatement labels, providers) to
/// [`TITLE_CHARS`](crate::model::cap::TITLE_CHARS), summary, values and
/// the labels of links, members and canvases to
/// [`SUMMARY_CHARS`](crate::model::cap::SUMMARY_CHARS); each cut is a
/// warning naming the document and the field.
fn cap_texts(resource: &mut Resource, at: &Location, shown: &str, warnings: &mut Vec<Warning>) {
    use crate::model::cap::{cap, cap_html, SUMMARY_CHARS, TITLE_CHARS};
    let mut cut = |what: &dyn Fn() -> String, chars: Option<usize>, max: usize| {
        if let Some(chars) = chars {
            warnings.push(Warning::new(
                WarningKind::LongText,
                at.clone(),
                format!(
                    "the {} of {shown} has {chars} characters; pages show its first {max}",
                    what()
                ),
            ));
        }
    };
    let label = |text: &mut Option<crate::model::resource::Text>| {
        text.as_mut().and_then(|t| cap(&mut t.value, TITLE_CHARS))
    };
    cut(&|| "label".into(), label(&mut resource.label), TITLE_CHARS);
    let summary = resource
        .summary
        .as_mut()
        .and_then(|s| cap(&mut s.text, SUMMARY_CHARS));
    cut(&|| "summary".into(), summary, SUMMARY_CHARS);
    for (i, entry) in resource.metadata.iter_mut().enumerate() {
        let n = i + 1;
        let chars = cap(&mut entry.label.value, TITLE_CHARS);
        cut(
            &|| format!("label of metadata entry {n}"),
            chars,
            TITLE_CHARS,
        );
        let chars = cap_html(&mut entry.value, SUMMARY_CHARS);
        cut(
            &|| format!("value of metadata entry {n}"),
            chars,
            SUMMARY_CHARS,
        );
    }
    if let Some(entry) = &mut resource.required_statement {
        let chars = cap(&mut entry.label.value, TITLE_CHARS);
        cut(&|| "requiredStatement's label".into(), chars, TITLE_CHARS);
        let chars = cap_html(&mut entry.value, SUMMARY_CHARS);
        cut(&|| "requiredStatement's value".into(), chars, SUMMARY_CHARS);
    }
    // A provider's name may be the citations' publisher: a name. Links,
    // members and canvases are each listed once, and real collections
    // have member labels of several hundred characters: longer text.
    let long = SUMMARY_CHARS;
    let named = resource
        .provider
        .iter_mut()
        .map(|p| ("provider", &mut p.label, TITLE_CHARS))
        .chain(
            resource
                .links
                .iter_mut()
                .map(|l| ("link", &mut l.label, long)),
        )
        .chain(
            resource
                .members
                .iter_mut()
                .map(|m| ("member", &mut m.label, long)),
        )
        .chain(
            resource
                .canvases
                .iter_mut()
                .map(|c| ("canvas", &mut c.label, long)),
        );
    let mut counts = std::collections::HashMap::<&str, usize>::new();
    for (kind, text, max) in named {
        let n = counts.entry(kind).or_default();
        *n += 1;
        let n = *n;
        let chars = text.as_mut().and_then(|t| cap(&mut t.value, max));
        cut(&|| format!("label of {kind} {n}"), chars, max);
    }
}
