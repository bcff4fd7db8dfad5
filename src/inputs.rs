//! What a build reads: before any PID is rendered, the registry, Markdown
//! pages, templates, notes and the last lock; then each PID's IIIF resource
//! ([`load_target`], local or fetched before); with the errors and warnings
//! found on the way. `build`, `check` and `cite` read the site through here
//! (`build` and `check` each PID's targets through [`load_entry`]), so that
//! `check` reports every warning and error of the site's inputs that a build
//! gives, in the same words. Reads only; renders and writes nothing.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::config::SiteConfig;
use crate::error::{Error, Location, Result, Warning, WarningKind};
use crate::incremental::ReadFiles;
use crate::load;
use crate::load::pages::{Note, Page};
use crate::load::registry::Registry;
use crate::lock::{Lock, LOCK_FILE};
use crate::model::record::{Entry, Record, Status, Target};
use crate::remote;
use crate::render::templates::Templates;
use crate::render::Loaded;

/// The site's inputs, read and checked.
pub(crate) struct Inputs {
    /// The registry.
    pub registry: Registry,
    /// The Markdown pages.
    pub pages: Vec<Page>,
    /// The templates, read (parsed when first used).
    pub templates: Templates,
    /// The notes, by PID key.
    pub notes: HashMap<String, Note>,
    /// Warnings about the registry, templates and notes.
    pub warnings: Vec<Warning>,
}

/// Read the site's registry, pages, templates and notes. An error is what
/// stops a build; the warnings are what it reports.
pub(crate) fn load(site: &Path, config: &SiteConfig) -> Result<Inputs> {
    let mut registry = crate::load::registry::load(site, config)?;
    let (pages, mut page_warnings) = crate::load::pages::load_pages(site, config.raw_html)?;
    let statics = crate::static_files::site_static(&site.join("static"), &config.static_include)?;
    crate::load::registry::check_site_paths(&registry, &statics.files, &pages)?;
    let mut templates = crate::render::templates::load(site, config.minify)?;
    let mut warnings = std::mem::take(&mut templates.warnings);
    warnings.extend(statics.hidden.iter().map(|rel| {
        Warning::new(
            WarningKind::HiddenStatic,
            Location::file(format!("static/{rel}")),
            "not published: hidden files stay out of the site (secrets, version control); \
             list it under `[static] include` in site.toml to publish it",
        )
    }));
    warnings.append(&mut registry.warnings);
    // The footer is Markdown too; rendered with every page, reported once.
    let footer = crate::load::markdown::render(&config.footer, config.raw_html);
    warnings.extend(
        footer
            .warnings(&Location::file(crate::config::CONFIG_FILE), config.raw_html)
            .into_iter()
            .map(|w| Warning {
                message: format!("key `footer`: {}", w.message),
                ..w
            }),
    );
    warnings.append(&mut page_warnings);
    let (found, note_warnings) = crate::load::pages::load_notes(site, config.raw_html)?;
    warnings.extend(note_warnings);
    let mut notes: HashMap<String, Note> = HashMap::new();
    for note in found {
        let known = registry
            .entries
            .iter()
            .any(|e| e.pid().key() == note.pid.key());
        if !known {
            warnings.push(Warning::new(
                WarningKind::NoteWithoutPid,
                Location::file(&note.path),
                format!("note for {} which is not in the registry", note.pid),
            ));
        }
        notes.insert(note.pid.key().to_string(), note);
    }
    Ok(Inputs {
        registry,
        pages,
        templates,
        notes,
        warnings,
    })
}

/// The last build's lock. One that cannot be read (a merge conflict) does
/// not stop a build: it is a warning, and the build writes a new lock.
pub(crate) fn previous_lock(site: &Path) -> (Option<Lock>, Option<Warning>) {
    match Lock::load(site) {
        Ok(lock) => (lock, None),
        Err(e) => {
            let (at, message) = match e {
                Error::Input { at, message } => (at, message),
                other => (Location::file(LOCK_FILE), other.to_string()),
            };
            let warning = Warning::new(
                WarningKind::UnreadableLock,
                at,
                format!("{message}; this build reports no changed manifests and writes a new lock"),
            );
            (None, Some(warning))
        }
    }
}

/// The URLs of every remote target a build reads (each once, in registry
/// order).
pub(crate) fn remote_urls(entries: &[Entry]) -> Vec<String> {
    let mut seen = HashSet::new();
    entries
        .iter()
        .flat_map(|e| &e.versions)
        .filter(|r| !matches!(r.status, Status::Moved | Status::Reserved))
        .filter_map(|r| match &r.target {
            Some(Target::Remote(url)) if seen.insert(url.as_str()) => Some(url.clone()),
            _ => None,
        })
        .collect()
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
    let none = |problem: Option<String>| Loaded {
        resource: None,
        document: None,
        document_id: None,
        enrichable: None,
        problem,
    };
    if matches!(record.status, Status::Moved | Status::Reserved) {
        return (none(None), Vec::new());
    }
    let Some(target) = &record.target else {
        return (none(None), Vec::new());
    };
    let mut warnings = Vec::new();
    // Where a problem is reported: the file for a local target, the
    // registry row (whose message names the URL) for a remote one.
    let (shown, at, bytes): (String, Location, std::result::Result<Vec<u8>, String>) = match target
    {
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
                remote::ReadError::NotFetched => format!("remote target {url} was not fetched"),
            });
            (url.clone(), record.at.clone(), bytes)
        }
        Target::Local { path, .. } => {
            let shown = site_relative(path, site);
            let bytes = match read.take(path) {
                Some(bytes) => Ok(bytes),
                None => std::fs::read(path).map_err(|e| format!("cannot read the file: {e}")),
            };
            (shown.clone(), Location::file(shown), bytes)
        }
    };
    let is_remote = matches!(target, Target::Remote(_));
    let mut fail = |reason: String| {
        warnings.push(Warning::new(
            WarningKind::UnreadableTarget,
            at.clone(),
            format!(
                "{reason}; the page of {} is built from the registry alone",
                record.pid
            ),
        ));
        none(Some(format!(
            "The IIIF resource could not be read: {reason}."
        )))
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(reason) => {
            let loaded = fail(reason);
            return (loaded, warnings);
        }
    };
    // Parsed once: the page's model, the id other pages link by and what
    // the enriched copy needs are all read from the one tree, which borrows
    // `bytes` and goes before they are kept.
    let parsed = load::iiif::parse_json(&bytes).and_then(|json| {
        let resource = load::iiif::from_value(&json, &config.languages)?;
        let kept = (!is_remote).then(|| {
            (
                load::iiif::document_id(&json),
                crate::enrich::Enrichable::of(&json),
            )
        });
        Ok((resource, kept.unwrap_or_default()))
    });
    let (resource, (document_id, enrichable)) = match parsed {
        Ok(r) => r,
        Err(reason) if is_remote => {
            let loaded = fail(format!(
                "remote target {shown} is not a IIIF resource pidsite can read: {reason}"
            ));
            return (loaded, warnings);
        }
        Err(reason) => {
            let loaded = fail(reason);
            return (loaded, warnings);
        }
    };
    if let Some(declared) = &record.declared_type {
        let declared = crate::model::resource::ResourceKind::from_type(declared);
        if declared.is_some() && declared != Some(resource.kind) {
            warnings.push(Warning::new(
                WarningKind::TypeMismatch,
                record.at.clone(),
                format!(
                    "column \"type\" says {:?} but {shown} is a {}",
                    record.declared_type.as_deref().unwrap_or(""),
                    resource.kind.label()
                ),
            ));
        }
    }
    // A PID for one canvas of a manifest: the canvas must be there.
    if let Some(canvas) = &record.canvas {
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
    (
        Loaded {
            resource: Some(resource),
            // A remote document is linked where it is hosted, not copied.
            document: (!is_remote).then_some(bytes),
            document_id,
            enrichable,
            problem: None,
        },
        warnings,
    )
}
