//! The site-wide outputs, made from the PIDs' summaries read back from the
//! entry store one at a time: list pages, sitemap, feeds, exports, the
//! site-wide linkset, Markdown pages, 404, the build marker and the static
//! files.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use super::export::BulkExport;
use crate::cache::entry_store::{EntryRef, EntryState, EntryStore};
use crate::cache::state::new_build_id;
use crate::cache::State;
use crate::error::{Error, Result, Warning};
use crate::load::pages::Page;
use crate::lock::{LockDates, LockedPage};
use crate::model::rule::Rule;
use crate::model::site_path::SitePath;
use crate::output::{self, Output, SitePage};
use crate::render::site_wide;
use crate::render::Renderer;
use crate::write::{self, Staging};

/// What the site-wide step reads.
pub(super) struct SiteWide<'a> {
    pub(super) out: &'a Path,
    pub(super) site: &'a Path,
    pub(super) pages: &'a [Page],
    /// The site's redirect rules, for the server exports and the 404 page.
    pub(super) rules: &'a [Rule],
    /// Hidden files of `static/` the site publishes (`[static] include`).
    pub(super) static_include: &'a [String],
    pub(super) staging: &'a Staging,
    pub(super) store: &'a EntryStore,
    pub(super) lock_dates: &'a LockDates,
    /// The last build's state (none for a full build).
    pub(super) last: Option<&'a State>,
    /// Whether a PID has a DataCite record (a DOI, not reserved or moved),
    /// so the export zips them.
    pub(super) datacite: bool,
}

/// What the whole build staged.
pub(super) struct Built {
    /// This build's id (the last build's, for an incremental one).
    pub(super) build_id: String,
    /// HTML pages.
    pub(super) pages: usize,
    /// Redirect stubs.
    pub(super) stubs: usize,
    /// Size of the output.
    pub(super) bytes: u64,
    /// Of which the static files (the same whatever the number of PIDs).
    pub(super) static_bytes: u64,
    /// Files that are no one PID's: site-wide pages and static files.
    pub(super) site_files: Vec<String>,
    /// The site-wide pages rendered from templates, with their hashes.
    pub(super) site_pages: HashMap<String, SitePage>,
    /// Those in the sitemap, dated, for `pidsite.lock`.
    pub(super) dated: Vec<LockedPage>,
    /// Every file the PIDs made (an incremental build only: the others are
    /// stale).
    pub(super) pid_files: FxHashSet<String>,
}

impl SiteWide<'_> {
    /// Render and stage the site-wide outputs from every PID's state (in
    /// `refs`, registry order), adding the PIDs' warnings to `warnings`.
    pub(super) fn render(
        &self,
        renderer: &Renderer<'_>,
        refs: &[EntryRef],
        warnings: &mut Vec<Warning>,
    ) -> Result<Built> {
        let mut bytes = 0;
        let mut site_files = Vec::new();
        let mut emit = |output: Output| -> Result<()> {
            bytes += self.staging.write(&output)?;
            site_files.push(output.path.file_name());
            Ok(())
        };
        let listed = refs.iter().filter(|r| r.listed).count();
        let last_pages = self.last.map(|p| (self.out, &p.site_pages));
        let mut site_wide =
            site_wide::SiteWide::new(renderer, listed, last_pages, self.lock_dates, self.datacite)?;
        let live = self.last.map(|_| self.out);
        let mut bulk = BulkExport::start(self.staging, self.datacite, live)?;
        let (mut pid_bytes, mut pages_built, mut stubs) = (0, 0, 0);
        // An incremental build removes the files it no longer makes.
        let mut pid_files = FxHashSet::default();
        // The site-wide linkset: every landing and version page's context,
        // streamed into one document.
        let mut linkset = self
            .staging
            .stream(SitePath::root().file(output::file::LINKSET))?;
        // `pids.csv`: every PID's URL and status, a row at a time (held
        // whole, ~100 bytes a PID).
        let mut pids =
            csv::Writer::from_writer(self.staging.stream(SitePath::root().file(PIDS_CSV))?);
        pids.write_record(["pid", "url", "status"])
            .map_err(csv_error)?;
        linkset.write(b"{\"linkset\":[")?;
        let mut first = true;
        each_state(self.store, refs, |state| {
            for row in &state.summary.rows {
                pids.write_record(row.iter()).map_err(csv_error)?;
            }
            for context in &state.summary.linksets {
                if !first {
                    linkset.write(b",")?;
                }
                first = false;
                linkset.write(context.get().as_bytes())?;
            }
            if let Some(record) = &state.summary.export {
                bulk.add(record)?;
            }
            pid_bytes += state.bytes;
            pages_built += state.summary.pages;
            stubs += state.summary.stubs;
            warnings.extend(state.warnings);
            if self.last.is_some() {
                pid_files.extend(state.files);
            }
            site_wide.add(state.summary, &mut emit)
        })?;
        linkset.write(b"]}\n")?;
        let (linkset_path, linkset_bytes) = linkset.finish()?;
        let pids = pids
            .into_inner()
            .map_err(|e| csv_error(e.into_error().into()))?;
        let (pids_path, pids_bytes) = pids.finish()?;
        let site_pages = site_wide.finish(self.pages, self.rules, &mut emit)?;
        let html_pages = site_pages.lists + self.pages.len() + 1;
        let build_id = self.last.map_or_else(new_build_id, |p| p.build_id.clone());
        emit(Output {
            path: SitePath::root().file(write::MARKER),
            bytes: build_id.clone().into_bytes(),
        })?;
        site_files.push(linkset_path.file_name());
        site_files.push(pids_path.file_name());
        for (path, size) in bulk.finish()? {
            bytes += size;
            site_files.push(path.file_name());
        }
        // Pages kept as the last build wrote them.
        for (file, size) in site_pages.kept {
            bytes += size;
            site_files.push(file);
        }
        let (static_files, static_bytes) = self
            .staging
            .copy_static(&self.site.join("static"), self.static_include)?;
        site_files.extend(static_files);
        bytes += static_bytes + pid_bytes + linkset_bytes + pids_bytes;
        Ok(Built {
            build_id,
            pages: pages_built + html_pages,
            stubs,
            bytes,
            static_bytes,
            site_files,
            site_pages: site_pages.hashes,
            dated: site_pages.dated,
            pid_files,
        })
    }
}

/// Every PID's state, in order, to `each`: read and parsed a slice at a
/// time on every core by a thread of its own, one slice ahead of `each`,
/// so that parsing the next slice overlaps the pages made from this one
/// (in a rebuild, most of the site-wide step). Stops at the first error.
fn each_state(
    store: &EntryStore,
    refs: &[EntryRef],
    mut each: impl FnMut(EntryState) -> Result<()>,
) -> Result<()> {
    std::thread::scope(|scope| {
        let (parsed, slices) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || {
            for slice in refs.chunks(256) {
                let states: Vec<Result<EntryState>> = slice
                    .par_iter()
                    .map(|r| {
                        let state = store.get(r.at, r.len);
                        // A kept state was copied from the last build's
                        // store as it was, so it is that store that is
                        // damaged.
                        state.map_err(|e| match r.rendered {
                            true => e,
                            false => Error::Cache(Box::new(e)),
                        })
                    })
                    .collect();
                // The receiver is gone when `each` failed.
                if parsed.send(states).is_err() {
                    break;
                }
            }
        });
        // Dropped on return, which stops the thread.
        for states in slices {
            for state in states {
                each(state?)?;
            }
        }
        Ok(())
    })
}

/// Every PID's URL and status, at the root of the site.
const PIDS_CSV: &str = "pids.csv";

/// An error of the `pids.csv` writer, naming the file.
fn csv_error(e: csv::Error) -> Error {
    Error::io(Path::new(PIDS_CSV), e.into())
}
