//! The plan: each PID's fingerprint against the last build's state decides
//! whether it is kept as that build left it, rendered now (pass 1), or waits
//! for the index of pass 1 (pass 2: its pages link to other PIDs' pages).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::fingerprint::{with_dates, Fingerprinter, GlobalHasher};
use super::pid_job::PidJob;
use super::Progress;
use crate::cache::entry_store::{EntryRef, Fingerprint};
use crate::cache::State;
use crate::config::SiteConfig;
use crate::error::{Error, Result};
use crate::load::pages::{Note, Page};
use crate::load::registry::Registry;
use crate::lock::{Dates, LockDates};
use crate::model::record::Entry;
use crate::remote::RemoteDocs;
use crate::render::Renderer;

/// What every page depends on besides its own PID: site.toml, the site's
/// templates and the navigation (the pidsite binary is added by
/// [`GlobalHasher`]).
pub(super) fn global_fingerprint(site: &Path, config: &SiteConfig, pages: &[Page]) -> String {
    let mut h = GlobalHasher::new();
    h.add(
        "site.toml",
        &std::fs::read(site.join("site.toml")).unwrap_or_default(),
    );
    // The site's own CSL styles make every page's citations.
    for style in config.own_style_files() {
        h.add(style, &std::fs::read(site.join(style)).unwrap_or_default());
    }
    h.add_dir(&site.join("templates"));
    h.add_dir(&site.join("i18n"));
    let nav: Vec<_> = pages.iter().map(|p| (&p.slug, &p.title, p.order)).collect();
    h.add("nav", format!("{nav:?}").as_bytes());
    h.finish()
}

/// A PID after pass 1.
pub(super) enum Outcome {
    /// Rendered and written, or unchanged since the last build and its
    /// state copied from that build's (`rendered` false).
    Done(EntryRef),
    /// Links to other PIDs' pages: waits for pass 2. Boxed: most PIDs are
    /// `Done`, and the list holds one outcome a PID.
    Linked(Box<Pending>),
}

impl Outcome {
    /// The IIIF id other pages link to this PID's page by.
    pub(super) fn iiif_id(&self) -> Option<&str> {
        match self {
            Outcome::Done(s) => s.iiif_id.as_deref(),
            Outcome::Linked(p) => p.iiif_id.as_deref(),
        }
    }

    /// The manifests its annotation pages name.
    pub(super) fn annotates(&self) -> &[String] {
        match self {
            Outcome::Done(s) => &s.annotates,
            Outcome::Linked(p) => &p.annotates,
        }
    }
}

/// A PID waiting for pass 2.
pub(super) struct Pending {
    pub(super) fingerprint: Fingerprint,
    /// Its dates (see `lock::LockDates::entry`).
    pub(super) dates: Vec<Option<Dates>>,
    pub(super) iiif_id: Option<String>,
    /// The manifests its annotation pages name.
    pub(super) annotates: Vec<String>,
    /// Its last build's state, when its own inputs have not changed since
    /// (kept if the index has not changed either).
    pub(super) unchanged: Option<EntryRef>,
}

/// What the two passes go through: the PIDs, and what they are compared
/// with.
pub(super) struct Plan<'a> {
    pub(super) registry: &'a Registry,
    pub(super) notes: &'a HashMap<String, Note>,
    pub(super) fingerprints: &'a Fingerprinter,
    pub(super) lock_dates: &'a LockDates,
    pub(super) remote: &'a RemoteDocs,
    /// The last build's state (none for a full build).
    pub(super) last: Option<&'a State>,
    /// Set by the first error every later write would meet too (see
    /// [`halts`]): the PIDs not yet begun are then skipped, rather than
    /// each rendered and failing the same way.
    pub(super) halted: AtomicBool,
}

impl Plan<'_> {
    /// Pass 1, on every core: every PID whose pages do not link to other
    /// PIDs' pages is rendered (or kept) and staged; the others wait for the
    /// index of IIIF ids to PID pages that this pass completes.
    pub(super) fn first_pass(
        &self,
        job: &PidJob<'_>,
        renderer: &Renderer<'_>,
        progress: &dyn Progress,
    ) -> Result<Vec<Outcome>> {
        let outcomes: Vec<Option<Result<Outcome>>> = self
            .registry
            .entries
            .par_iter()
            .map(|entry| {
                let outcome = self.unless_halted(|| self.first(job, renderer, entry))?;
                if matches!(outcome, Ok(Outcome::Done(_))) {
                    progress.advance();
                }
                Some(outcome)
            })
            .collect();
        collect(outcomes)
    }

    /// `work`'s result, or `None` without doing it once the build has halted;
    /// an error that halts it sets [`Plan::halted`].
    fn unless_halted<T>(&self, work: impl FnOnce() -> Result<T>) -> Option<Result<T>> {
        if self.halted.load(Ordering::Relaxed) {
            return None;
        }
        let result = work();
        if result.as_ref().is_err_and(halts) {
            self.halted.store(true, Ordering::Relaxed);
        }
        Some(result)
    }

    /// One PID in pass 1: kept when its fingerprint is the last build's,
    /// else loaded, then rendered unless it links to other PIDs' pages.
    fn first(&self, job: &PidJob<'_>, renderer: &Renderer<'_>, entry: &Entry) -> Result<Outcome> {
        let note = self.note(entry);
        let (fingerprint, read) = self.fingerprints.entry(
            entry,
            note.map(|n| format!("{n:?}")).as_deref(),
            self.remote,
        );
        // Its pages show its dates: they are part of what it is made of.
        let dates =
            self.lock_dates
                .entry(entry, |p| self.fingerprints.content_hash(p), self.remote);
        let fingerprint = with_dates(fingerprint, &dates);
        let unchanged = self
            .last
            .and_then(|last| Some((last, last.entries.get(entry.pid().key())?)))
            .filter(|(_, state)| state.fingerprint == fingerprint);
        if let Some((last, state)) = unchanged {
            if !state.uses_index {
                return job.kept(entry, last, state.clone()).map(Outcome::Done);
            }
            return Ok(Outcome::Linked(Box::new(Pending {
                fingerprint,
                dates,
                iiif_id: state.iiif_id.clone(),
                annotates: state.annotates.clone(),
                unchanged: Some(state.clone()),
            })));
        }
        let loaded = job.load(entry, read);
        if loaded.uses_index() {
            return Ok(Outcome::Linked(Box::new(Pending {
                fingerprint,
                dates,
                iiif_id: loaded.iiif_id(entry),
                annotates: loaded.annotates(),
                unchanged: None,
            })));
        }
        job.render(renderer, entry, note, loaded, (fingerprint, dates))
            .map(Outcome::Done)
    }

    /// Pass 2, on every core: the PIDs that link to others, with the
    /// complete index in `renderer`; each kept as the last build left it
    /// when neither its inputs nor the index (`index_unchanged`) changed.
    /// Every PID's state, in registry order.
    pub(super) fn second_pass(
        &self,
        job: &PidJob<'_>,
        renderer: &Renderer<'_>,
        outcomes: Vec<Outcome>,
        index_unchanged: bool,
        progress: &dyn Progress,
    ) -> Result<Vec<EntryRef>> {
        let last = self.last.filter(|_| index_unchanged);
        let refs: Vec<Option<Result<EntryRef>>> = outcomes
            .into_par_iter()
            .zip(self.registry.entries.par_iter())
            .map(|(outcome, entry)| match outcome {
                Outcome::Done(state) => Some(Ok(state)),
                Outcome::Linked(pending) => self.unless_halted(|| {
                    let Pending {
                        fingerprint,
                        dates,
                        unchanged,
                        ..
                    } = *pending;
                    let state = match (unchanged, last) {
                        (Some(old), Some(last)) => job.kept(entry, last, old),
                        _ => {
                            let loaded = job.load(entry, Default::default());
                            let made = (fingerprint, dates);
                            job.render(renderer, entry, self.note(entry), loaded, made)
                        }
                    };
                    progress.advance();
                    state
                }),
            })
            .collect();
        collect(refs)
    }

    fn note(&self, entry: &Entry) -> Option<&Note> {
        self.notes.get(entry.pid().key())
    }
}

/// The values, or the errors of every PID (up to
/// [`MAX_LISTED`](crate::error::MAX_LISTED)) at once.
/// `None` is a PID skipped after an error that [`halts`] the build: the
/// report then says so, after the error that halted it.
fn collect<T>(results: Vec<Option<Result<T>>>) -> Result<Vec<T>> {
    let mut errors = Vec::new();
    let mut skipped = 0;
    // Collected in place, in the results' own allocation: a second list
    // of a million PIDs' states beside the first was the peak of a build.
    let values: Vec<T> = results
        .into_iter()
        .filter_map(|result| match result {
            Some(Ok(value)) => Some(value),
            Some(Err(e)) => {
                errors.push(e);
                None
            }
            None => {
                skipped += 1;
                None
            }
        })
        .collect();
    // After a halt, the PIDs that were under way when it came fail the same
    // way: the first such error stands for them all, after the others.
    let halted = errors
        .iter()
        .position(halts)
        .map(|first| errors.remove(first));
    let also = errors.iter().filter(|e| halts(e)).count();
    errors.retain(|e| !halts(e));
    let mut errors = Error::capped(errors, Error::NotListed);
    if let Some(halted) = halted {
        errors.push(halted);
        errors.push(Error::Halted {
            skipped: skipped + also,
        });
    }
    match Error::from_list(errors) {
        Some(e) => Err(e),
        None => Ok(values),
    }
}

/// Whether every later write would fail as this one did: the disk or the
/// user's quota is full, or the file system is read-only.
fn halts(e: &Error) -> bool {
    use std::io::ErrorKind::{QuotaExceeded, ReadOnlyFilesystem, StorageFull};
    matches!(e, Error::Io { source, .. }
        if matches!(source.kind(), StorageFull | QuotaExceeded | ReadOnlyFilesystem))
}
