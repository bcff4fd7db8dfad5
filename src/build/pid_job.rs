//! One PID's job: load its targets, render its pages and files, stage them,
//! and record its state in the entry store; or copy the last build's state
//! of a PID that has not changed.

use std::path::{Path, PathBuf};

use crate::cache::entry_store::{EntryRef, EntryState, EntryStore, Fingerprint};
use crate::cache::State;
use crate::config::SiteConfig;
use crate::error::{Location, Result, Warning};
use crate::load::pages::Note;
use crate::load::registry::Registry;
use crate::load::target::{load_entry, Loaded, ReadFiles};
use crate::lock::Dates;
use crate::model::record::{Entry, Record, Status, Target};
use crate::model::resource::Resource;
use crate::remote::RemoteDocs;
use crate::render::Renderer;
use crate::write::Staging;

/// What rendering one PID needs, but the renderer (which gets the index
/// between the passes).
pub(super) struct PidJob<'a> {
    site: &'a Path,
    config: &'a SiteConfig,
    staging: &'a Staging,
    store: &'a EntryStore,
    /// The registry file, as warnings name it.
    registry_file: PathBuf,
    /// Finds the registry file's path as a state stores it in a warning
    /// (postcard: its length, then its bytes; none when the path cannot be
    /// written so, not being UTF-8).
    registry_stored: Option<memchr::memmem::Finder<'static>>,
    remote: &'a RemoteDocs,
}

/// What a PID's rendering is made with besides its rows and files: its
/// fingerprint and its dates (see `lock::LockDates::entry`).
pub(super) type Made = (Fingerprint, Vec<Option<Dates>>);

/// A PID's targets, loaded (one per version, in the order of
/// `entry.versions`), with the warnings loading found.
pub(super) struct LoadedEntry {
    loaded: Vec<Loaded>,
    warnings: Vec<Warning>,
}

impl<'a> PidJob<'a> {
    /// The job of every PID of `registry`, staging into `staging` and
    /// recording into `store`.
    pub(super) fn new(
        site: &'a Path,
        config: &'a SiteConfig,
        staging: &'a Staging,
        store: &'a EntryStore,
        registry: &Registry,
        remote: &'a RemoteDocs,
    ) -> Self {
        let registry_file = registry
            .entries
            .first()
            .map(|e| e.current().at.path.clone())
            .unwrap_or_default();
        let registry_stored = postcard::to_stdvec(&registry_file)
            .ok()
            .map(|stored| memchr::memmem::Finder::new(&stored).into_owned());
        PidJob {
            site,
            config,
            staging,
            store,
            registry_file,
            registry_stored,
            remote,
        }
    }

    /// Read every version's target, taking the files fingerprinting has
    /// read from `read`.
    pub(super) fn load(&self, entry: &Entry, mut read: ReadFiles) -> LoadedEntry {
        let (loaded, warnings) = load_entry(entry, self.site, self.config, self.remote, &mut read);
        LoadedEntry { loaded, warnings }
    }

    /// A PID's state from the last build, reused as it is (its warnings
    /// pointed at its registry row, wherever that row is now).
    pub(super) fn kept(&self, entry: &Entry, last: &State, old: EntryRef) -> Result<EntryRef> {
        let record = last.entry_raw(&old)?;
        // Copied as it is unless a warning may point into the registry (its
        // path is not in the record otherwise): most states have no warning.
        let mentions = self
            .registry_stored
            .as_ref()
            .is_none_or(|f| f.find(&record).is_some());
        let (at, len) = if mentions {
            let mut state = last.parse_entry(&record)?;
            state.warnings = relocate(&state.warnings, &self.registry_file, &entry.current().at);
            self.store.put(&state)?
        } else {
            self.store.put_raw(&record)?
        };
        Ok(EntryRef {
            at,
            len,
            rendered: false,
            ..old
        })
    }

    /// Render a PID, stage its files and record its state.
    pub(super) fn render(
        &self,
        renderer: &Renderer<'_>,
        entry: &Entry,
        note: Option<&Note>,
        loaded: LoadedEntry,
        (fingerprint, dates): Made,
    ) -> Result<EntryRef> {
        let uses_index = loaded.uses_index();
        let annotates = loaded.annotates();
        let iiif_id = loaded.iiif_id(entry);
        let (outputs, summary) = renderer.entry(entry, loaded.loaded, note, &dates)?;
        let mut bytes = 0;
        let mut files = Vec::with_capacity(outputs.len());
        for output in &outputs {
            bytes += self.staging.write(output)?;
            files.push(output.path.file_name());
        }
        let listed = summary.item.is_some();
        let (at, len) = self.store.put(&EntryState {
            files,
            bytes,
            summary,
            warnings: loaded.warnings,
        })?;
        Ok(EntryRef {
            fingerprint,
            uses_index,
            iiif_id,
            annotates,
            listed,
            at,
            len,
            rendered: true,
        })
    }
}

impl LoadedEntry {
    /// Whether any page of the PID links to other PIDs' pages (collection
    /// members, annotation targets), so it depends on the index.
    pub(super) fn uses_index(&self) -> bool {
        self.resources().any(links_to_pids)
    }

    /// The manifests the PID's annotation pages name (every version's),
    /// each once.
    pub(super) fn annotates(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for id in self.resources().flat_map(|r| r.annotated_manifests()) {
            if !out.iter().any(|o| o == id) {
                out.push(id.to_string());
            }
        }
        out
    }

    /// The IIIF id under which other pages link to this PID's page.
    pub(super) fn iiif_id(&self, entry: &Entry) -> Option<String> {
        let current = self.loaded.get(entry.current_index())?;
        indexed_id(entry.current(), current)
    }

    fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.loaded.iter().filter_map(|l| l.resource.as_ref())
    }
}

/// Whether a resource's page links to other PIDs' pages (collection
/// members, annotation targets), so it depends on the index.
fn links_to_pids(resource: &Resource) -> bool {
    !resource.members.is_empty() || !resource.annotations.is_empty()
}

/// The IIIF id under which other pages link to this PID's page: the id of
/// an active PID's whole document (a PID for one canvas is not the
/// document's page), or its URL when remote.
fn indexed_id(record: &Record, loaded: &Loaded) -> Option<String> {
    if record.status != Status::Active || record.details().canvas.is_some() {
        return None;
    }
    match record.target.as_ref()? {
        Target::Remote(url) => Some(url.clone()),
        Target::Local { .. } => loaded.document_id.clone(),
    }
}

/// A reused entry's warnings, with registry locations moved to the row the
/// PID is on now (rows above it may have been added or removed).
fn relocate(warnings: &[Warning], registry_file: &Path, row: &Location) -> Vec<Warning> {
    warnings
        .iter()
        .map(|w| {
            let mut w = w.clone();
            if w.at.path == registry_file {
                w.at = row.clone();
            }
            w
        })
        .collect()
}
