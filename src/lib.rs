//! pidsite: a static-site generator for persistent-identifier landing pages
//! of IIIF resources. This module is the one place that knows the order of
//! the stages: load (config, registry, Markdown, templates) -> fetch the
//! remote targets (through the cache) -> for each PID, in parallel: read its
//! IIIF resource, render, write -> site-wide pages -> swap the finished site
//! into place -> rewrite `pidsite.lock`.

#![warn(missing_docs)]

pub mod check;
pub mod citation;
pub mod cite;
pub mod clock;
pub mod config;
pub mod enrich;
pub mod entry_store;
pub mod error;
pub mod escape;
pub mod incremental;
mod inputs;
pub mod load;
pub mod lock;
pub mod mint;
pub mod model;
pub mod output;
pub mod remote;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod static_files;
pub mod write;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use error::{Error, Result, Warning, WarningKind};

use config::SiteConfig;
use entry_store::{EntryRef, EntryState, EntryStore};
use error::Location;
use incremental::{Fingerprinter, GlobalHasher, State};
use load::pages::Note;
use model::record::{Entry, Record, Status, Target};
use model::site_path::SitePath;
use output::Output;
use render::site_wide::SiteWide;
use render::{Loaded, Renderer};
use write::Staging;

/// What `pidsite build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site folder (holding site.toml).
    pub site_dir: PathBuf,
    /// Output folder; defaults to site.toml's `output_dir` under the site.
    pub out_dir: Option<PathBuf>,
    /// Fail (and keep the previous output) when there are warnings.
    pub strict: bool,
    /// Render every PID even when the last build's state says it is
    /// unchanged.
    pub full: bool,
    /// Read remote targets from the cache alone, without the network.
    pub offline: bool,
    /// The build's date and time, fixed: for reproducible builds (the binary
    /// sets it from `SOURCE_DATE_EPOCH`) and tests. `None`: now.
    pub time: Option<clock::BuildTime>,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// HTML pages written (landing pages, tombstones, home, Markdown, 404).
    pub pages: usize,
    /// Redirect stubs written.
    pub stubs: usize,
    /// PIDs in the registry.
    pub pids: usize,
    /// PIDs rendered by this build (the rest were unchanged).
    pub rendered: usize,
    /// Whether the build changed the previous output in place.
    pub incremental: bool,
    /// Size of the output (pages after minification, data, static files).
    pub bytes: u64,
    /// The output folder.
    pub out_dir: PathBuf,
    /// Soft problems.
    pub warnings: Vec<Warning>,
    /// Targets whose content differs from `pidsite.lock` (the last build's).
    pub changed: Vec<lock::Changed>,
    /// What fetching the remote targets came to.
    pub remote: remote::RemoteCounts,
    /// What the build says about how the registry was read (the columns
    /// `ignore_unknown_columns` left out).
    pub notes: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

/// GitHub Pages refuses to publish a site over 1 GB.
pub const GITHUB_PAGES_LIMIT: u64 = 1_000_000_000;

impl BuildReport {
    /// A note for a site too large for GitHub Pages, naming hosts that take
    /// it; `None` when it fits.
    pub fn size_note(&self) -> Option<String> {
        (self.bytes > GITHUB_PAGES_LIMIT).then(|| {
            format!(
                "the site is {:.1} GB, over GitHub Pages' 1 GB limit for a published site; \
                 host it where size is not capped, e.g. an S3 or Google Cloud Storage bucket \
                 behind a CDN, Cloudflare R2, or your own web server (Netlify and Cloudflare \
                 Pages cap the number of files instead)",
                self.bytes as f64 / 1e9
            )
        })
    }
}

/// Receives progress as remote targets are fetched and PIDs are rendered
/// (a progress bar in the CLI).
pub trait Progress: Sync {
    /// The number of remote targets to fetch, before any PID is rendered.
    fn start_fetching(&self, _total: u64) {}
    /// One remote target fetched (or given up on).
    fn fetched(&self) {}
    /// The number of PIDs to render.
    fn start(&self, _total: u64) {}
    /// One PID done.
    fn advance(&self) {}
    /// All done.
    fn finish(&self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}

/// Build the site.
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport> {
    match build_once(options, progress) {
        // Nothing has been changed in the output yet when the last build's
        // state turns out to be damaged: build again from nothing.
        Err(Error::Cache(cause)) if !options.full => {
            let full = BuildOptions {
                full: true,
                ..options.clone()
            };
            let mut report = build_once(&full, progress)?;
            report.warnings.insert(
                0,
                Warning::new(
                    WarningKind::CacheReset,
                    Location::file(incremental::cache_dir(&report.out_dir)),
                    format!(
                        "the last build's state cannot be read ({cause}); this build was a full one"
                    ),
                ),
            );
            Ok(report)
        }
        other => other,
    }
}

fn build_once(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport> {
    let started = Instant::now();
    let site = &options.site_dir;
    let config = SiteConfig::load(site)?;
    let out = match &options.out_dir {
        Some(o) => o.clone(),
        None => site.join(&config.output_dir),
    };
    write::check_out_dir(site, &out)?;
    // The templates are read now, parsed when the first page is rendered.
    let inputs::Inputs {
        mut registry,
        pages,
        templates,
        notes,
        mut warnings,
    } = inputs::load(site, &config)?;

    // Remote targets are fetched first, a few at a time: their content
    // decides their fingerprints, and pass 1 then only reads memory.
    let fetcher = remote::Fetcher::new(
        &config.remote,
        remote::Cache::in_cache_dir(&incremental::cache_dir(&out)),
        options.offline,
    );
    let urls = inputs::remote_urls(&registry.entries);
    if !urls.is_empty() {
        progress.start_fetching(urls.len() as u64);
    }
    let remote_docs = fetcher.fetch_all(urls, &|| progress.fetched());
    let global = global_fingerprint(site, &config, &pages);
    let mut previous = (!options.full)
        .then(|| State::load(&out, &global))
        .flatten();
    let fingerprints = Fingerprinter::new(previous.as_mut());
    let time = options.time.clone().unwrap_or_else(clock::BuildTime::now);
    let renderer = Renderer::new(&config, templates, &pages, time);
    // The dates of the PIDs and pages the last build published, read
    // before any is rendered (see `lock`). A lock that cannot be read (a
    // merge conflict) must not stop the build: it is replaced by this
    // build's.
    let (lock, unreadable) = inputs::previous_lock(site);
    warnings.extend(unreadable);
    let lock_dates = lock::LockDates::new(lock.as_ref(), renderer.time().second);
    drop(lock);
    let staging = Staging::new(&out, previous.is_some())?;
    let store = EntryStore::create(&incremental::cache_dir(&out))?;
    let registry_file = registry_path(&registry);
    let job = EntryJob {
        site,
        config: &config,
        renderer: &renderer,
        staging: &staging,
        store: &store,
        registry_file: &registry_file,
        registry_json: serde_json::to_vec(&registry_file)
            .ok()
            .map(|json| memchr::memmem::Finder::new(&json).into_owned()),
        remote: &remote_docs,
    };

    // Pass 1: every PID whose pages do not link to other PIDs' pages is
    // rendered (or kept) and written; the others wait for the index of
    // IIIF ids to PID pages that pass 1 completes.
    progress.start(registry.entries.len() as u64);
    let last = previous.as_ref();
    let outcomes: Vec<Result<Outcome>> = registry
        .entries
        .par_iter()
        .map(|entry| {
            let note = notes.get(entry.pid().key());
            let (fingerprint, read) = fingerprints.entry(
                entry,
                note.map(|n| format!("{n:?}")).as_deref(),
                &remote_docs,
            );
            // Its pages show its dates: they are part of what it is made of.
            let dates = lock_dates.entry(entry, |p| fingerprints.content_hash(p), &remote_docs);
            let fingerprint = incremental::with_dates(fingerprint, &dates);
            let outcome = job.first_pass(entry, note, fingerprint, dates, read, last);
            if matches!(outcome, Ok(Outcome::Done(_))) {
                progress.advance();
            }
            outcome
        })
        .collect();
    let mut errors = Vec::new();
    let mut outcomes: Vec<Option<Outcome>> = outcomes
        .into_iter()
        .map(|o| o.map_err(|e| errors.push(e)).ok())
        .collect();
    if let Some(e) = Error::from_list(errors) {
        return Err(e);
    }
    // Unchanged PIDs take their state out of the last build's; what stays
    // there afterwards is what this build replaces or drops.
    if let Some(last) = previous.as_mut() {
        for (entry, outcome) in registry.entries.iter().zip(outcomes.iter_mut()) {
            match outcome {
                Some(Outcome::Done(r)) if !r.rendered => {
                    last.entries.remove(entry.pid().key());
                }
                // Kept only if the index has not changed either (pass 2).
                Some(Outcome::Linked(pending)) if pending.kept => {
                    pending.unchanged = last.entries.remove(entry.pid().key());
                }
                _ => {}
            }
        }
    }

    // Pass 2: the PIDs that link to others, with the complete index.
    let index: Vec<(String, String)> = registry
        .entries
        .iter()
        .zip(&outcomes)
        .filter_map(|(entry, o)| {
            let id = o.as_ref()?.iiif_id()?;
            Some((
                id.to_string(),
                config.path(entry.pid().landing_path().as_str()),
            ))
        })
        .collect();
    let titles = annotated_titles(&outcomes, &store)?;
    let index_hash = incremental::index_hash(&index, &titles);
    renderer.set_pid_index(index, titles);
    let reuse_linked = previous.as_ref().is_some_and(|p| p.index == index_hash);
    let last = previous.as_ref();
    let linked: Vec<(usize, Result<EntryRef>)> = outcomes
        .iter_mut()
        .enumerate()
        .filter_map(|(i, o)| match o.take() {
            Some(Outcome::Linked(pending)) => Some((i, pending)),
            done => {
                *o = done;
                None
            }
        })
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(i, pending)| {
            let entry = &registry.entries[i];
            let note = notes.get(entry.pid().key());
            let state =
                job.second_pass(entry, note, pending, reuse_linked.then_some(last).flatten());
            progress.advance();
            (i, state)
        })
        .collect();
    progress.finish();
    let mut renderer = renderer;
    renderer.drop_pid_index();
    let mut errors = Vec::new();
    for (i, state) in linked {
        match state {
            Ok(state) => outcomes[i] = Some(Outcome::Done(state)),
            Err(e) => errors.push(e),
        }
    }
    if let Some(e) = Error::from_list(errors) {
        return Err(e);
    }
    let refs: Vec<EntryRef> = outcomes
        .into_iter()
        .map(|o| match o {
            Some(Outcome::Done(state)) => state,
            _ => unreachable!("every PID is done after pass 2"),
        })
        .collect();

    // Site-wide pages, from the PIDs' summaries, read back one at a time.
    let mut bytes = 0;
    let mut site_files = Vec::new();
    let mut emit = |output: Output| -> Result<()> {
        bytes += staging.write(&output)?;
        site_files.push(output.path.file_name());
        Ok(())
    };
    let listed = refs.iter().filter(|r| r.listed).count();
    let last_pages = previous.as_ref().map(|p| (out.as_path(), &p.site_pages));
    let mut site_wide = SiteWide::new(&renderer, listed, last_pages, &lock_dates)?;
    let mut pid_bytes = 0;
    let mut pages_built = 0;
    let mut stubs = 0;
    // An incremental build removes the files it no longer makes.
    let mut live: HashSet<String> = HashSet::new();
    // The site-wide linkset: every landing and version page's context,
    // streamed into one document.
    let mut linkset = staging.stream(SitePath::root().file(output::file::LINKSET))?;
    linkset.write(b"{\"linkset\":[")?;
    let mut first = true;
    // Read and parsed a slice at a time on every core, used in order.
    let states = refs.chunks(256).flat_map(|chunk| {
        let parsed: Vec<Result<EntryState>> = chunk
            .par_iter()
            .map(|r| {
                let state = store.get(r.at, r.len);
                // A kept state was copied from the last build's store as it
                // was, so it is that store that is damaged.
                state.map_err(|e| match r.rendered {
                    true => e,
                    false => Error::Cache(Box::new(e)),
                })
            })
            .collect();
        parsed
    });
    for state in states {
        let state = state?;
        for context in &state.summary.linksets {
            if !first {
                linkset.write(b",")?;
            }
            first = false;
            linkset.write(context.get().as_bytes())?;
        }
        pid_bytes += state.bytes;
        pages_built += state.summary.pages;
        stubs += state.summary.stubs;
        warnings.extend(state.warnings);
        if previous.is_some() {
            live.extend(state.files);
        }
        site_wide.add(state.summary, &mut emit)?;
    }
    linkset.write(b"]}\n")?;
    let (linkset_path, linkset_bytes) = linkset.finish()?;
    let site_pages = site_wide.finish(&pages, &mut emit)?;
    let html_pages = site_pages.lists + pages.len() + 1;
    let build_id = previous
        .as_ref()
        .map_or_else(incremental::new_build_id, |p| p.build_id.clone());
    emit(Output {
        path: SitePath::root().file(write::MARKER),
        bytes: build_id.clone().into_bytes(),
    })?;
    site_files.push(linkset_path.file_name());
    // Pages kept as the last build wrote them.
    for (file, size) in site_pages.kept {
        bytes += size;
        site_files.push(file);
    }
    let (static_files, static_bytes) = staging.copy_static(&site.join("static"))?;
    site_files.extend(static_files);
    bytes += static_bytes + pid_bytes + linkset_bytes;

    if options.strict && !warnings.is_empty() {
        return Err(Error::Strict(warnings));
    }
    let pages_built = pages_built + html_pages;
    let rendered = refs.iter().filter(|r| r.rendered).count();
    let incremental = previous.is_some();
    if let Some(previous) = &previous {
        // What the last build wrote for the PIDs this one replaced or
        // dropped, and no longer makes.
        live.extend(site_files.iter().cloned());
        let mut stale: Vec<String> = previous
            .site_files
            .iter()
            .filter(|f| !live.contains(*f))
            .cloned()
            .collect();
        for old in previous.entries.values() {
            let files = previous.entry(old)?.files;
            stale.extend(files.into_iter().filter(|f| !live.contains(f)));
        }
        // The output is about to change in place: until the new state is
        // saved, the next build must not trust the old one.
        State::invalidate(&out);
        staging.apply(&stale)?;
    } else {
        staging.commit()?;
    }
    // Every target has been read or fingerprinted: compare with the lock,
    // read again only now (its dates were all the PIDs needed), and write
    // it before the build state is made, so that neither is held while
    // PIDs are rendered or with the other. One that could not be read was
    // reported above.
    let previous_lock = lock::Lock::load(site).ok().flatten();
    let (mut new_lock, changed) = lock::compare(
        &registry.entries,
        |path| fingerprints.content_hash(path),
        &remote_docs,
        previous_lock.as_ref(),
        &lock_dates,
    );
    drop(previous_lock);
    drop(lock_dates);
    new_lock.pages = site_pages.dated;
    if let Err(e) = new_lock.save(site) {
        warnings.push(Warning::new(
            WarningKind::LockNotWritten,
            Location::file(lock::LOCK_FILE),
            format!("cannot write the lock file ({e}); the next build compares with the old one"),
        ));
    }
    drop(new_lock);
    let mut state = State::new(build_id, global, index_hash);
    state.site_files = site_files;
    state.site_pages = site_pages.hashes;
    state.files = fingerprints.into_stamps();
    drop(previous);
    let keys = registry.entries.iter().map(|e| e.pid().key());
    if let Err(e) = state.save(&out, store, keys.zip(&refs)) {
        warnings.push(Warning::new(
            WarningKind::StateNotSaved,
            Location::file(incremental::state_path(&out)),
            format!(
                "cannot save the incremental build state ({e}); the next build will be a full one"
            ),
        ));
    }
    Ok(BuildReport {
        pages: pages_built,
        stubs,
        pids: registry.entries.len(),
        rendered,
        incremental,
        bytes,
        out_dir: out,
        warnings,
        changed,
        remote: remote_docs.counts(),
        notes: std::mem::take(&mut registry.notes),
        elapsed: started.elapsed(),
    })
}

/// What every page depends on besides its own PID: site.toml, the site's
/// templates and the navigation (the pidsite binary is added by
/// [`GlobalHasher`]).
fn global_fingerprint(site: &Path, config: &SiteConfig, pages: &[load::pages::Page]) -> String {
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
    let nav: Vec<_> = pages.iter().map(|p| (&p.slug, &p.title, p.order)).collect();
    h.add("nav", format!("{nav:?}").as_bytes());
    h.finish()
}

/// The registry file, as warnings name it.
fn registry_path(registry: &load::registry::Registry) -> PathBuf {
    registry
        .entries
        .first()
        .map(|e| e.current().at.path.clone())
        .unwrap_or_default()
}

/// A PID after pass 1.
enum Outcome {
    /// Rendered and written, or unchanged since the last build and its
    /// state copied from that build's (`rendered` false).
    Done(EntryRef),
    /// Links to other PIDs' pages: waits for pass 2.
    Linked(Pending),
}

/// What a PID's rendering is made with besides its rows and files: its
/// fingerprint, the IIIF id it is indexed by and its dates.
type Made = (incremental::Hash, Option<String>, Vec<Option<lock::Dates>>);

/// A PID waiting for pass 2.
struct Pending {
    fingerprint: incremental::Hash,
    /// Its dates (see `lock::LockDates::entry`).
    dates: Vec<Option<lock::Dates>>,
    iiif_id: Option<String>,
    /// The manifests its annotation pages name.
    annotates: Vec<String>,
    /// Its own inputs have not changed since the last build...
    kept: bool,
    /// ...whose state for it is then taken here after pass 1.
    unchanged: Option<EntryRef>,
}

impl Outcome {
    fn iiif_id(&self) -> Option<&str> {
        match self {
            Outcome::Done(s) => s.iiif_id.as_deref(),
            Outcome::Linked(p) => p.iiif_id.as_deref(),
        }
    }

    fn annotates(&self) -> &[String] {
        match self {
            Outcome::Done(s) => &s.annotates,
            Outcome::Linked(p) => &p.annotates,
        }
    }
}

/// The titles of the PID pages of the manifests that annotation pages
/// name, by IIIF id: what those pages are titled by. Only these are read
/// (back from the store, where pass 1 put each rendered or kept PID's
/// state), so a large site's index does not hold every title. They go into
/// the index hash: an annotation page is rendered again when the title of a
/// manifest it names changes.
fn annotated_titles(
    outcomes: &[Option<Outcome>],
    store: &EntryStore,
) -> Result<Vec<(String, String)>> {
    let wanted: HashSet<&str> = outcomes
        .iter()
        .flatten()
        .flat_map(|o| o.annotates())
        .map(String::as_str)
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut titles = Vec::new();
    for outcome in outcomes.iter().flatten() {
        let Outcome::Done(done) = outcome else {
            continue;
        };
        let Some(id) = done.iiif_id.as_deref().filter(|id| wanted.contains(id)) else {
            continue;
        };
        if let Some(item) = store.get(done.at, done.len)?.summary.item {
            titles.push((id.to_string(), item.title));
        }
    }
    Ok(titles)
}

/// What rendering one PID needs.
struct EntryJob<'a> {
    site: &'a Path,
    config: &'a SiteConfig,
    renderer: &'a Renderer<'a>,
    staging: &'a Staging,
    store: &'a EntryStore,
    registry_file: &'a Path,
    /// Finds the registry file's path as a JSON string, as warnings store
    /// it (none when the path cannot be written as JSON).
    registry_json: Option<memchr::memmem::Finder<'static>>,
    remote: &'a remote::RemoteDocs,
}

impl EntryJob<'_> {
    fn first_pass(
        &self,
        entry: &Entry,
        note: Option<&Note>,
        fingerprint: incremental::Hash,
        dates: Vec<Option<lock::Dates>>,
        mut read: incremental::ReadFiles,
        last: Option<&State>,
    ) -> Result<Outcome> {
        let unchanged = last
            .and_then(|p| p.entries.get(entry.pid().key()))
            .filter(|s| s.fingerprint == fingerprint);
        if let Some(state) = unchanged {
            if !state.uses_index {
                let last = last.expect("an unchanged PID has a last build");
                return self.kept(entry, last, state.clone()).map(Outcome::Done);
            }
            return Ok(Outcome::Linked(Pending {
                fingerprint,
                dates,
                iiif_id: state.iiif_id.clone(),
                annotates: state.annotates.clone(),
                kept: true,
                unchanged: None,
            }));
        }
        let (loaded, warnings) =
            inputs::load_entry(entry, self.site, self.config, self.remote, &mut read);
        let iiif_id = loaded
            .get(entry.current_index())
            .and_then(|l| indexed_id(entry.current(), l));
        if uses_index(&loaded) {
            return Ok(Outcome::Linked(Pending {
                fingerprint,
                dates,
                iiif_id,
                annotates: annotates(&loaded),
                kept: false,
                unchanged: None,
            }));
        }
        let made = (fingerprint, iiif_id, dates);
        self.render(entry, note, loaded, warnings, made)
            .map(Outcome::Done)
    }

    /// `last` is the last build's state when the index is unchanged since.
    fn second_pass(
        &self,
        entry: &Entry,
        note: Option<&Note>,
        pending: Pending,
        last: Option<&State>,
    ) -> Result<EntryRef> {
        if let (Some(old), Some(last)) = (pending.unchanged, last) {
            return self.kept(entry, last, old);
        }
        let mut none = incremental::ReadFiles::default();
        let (loaded, warnings) =
            inputs::load_entry(entry, self.site, self.config, self.remote, &mut none);
        let made = (pending.fingerprint, pending.iiif_id, pending.dates);
        self.render(entry, note, loaded, warnings, made)
    }

    /// A PID's state from the last build, reused as it is (its warnings
    /// pointed at its registry row, wherever that row is now).
    fn kept(&self, entry: &Entry, last: &State, old: EntryRef) -> Result<EntryRef> {
        let line = last.entry_raw(&old)?;
        // Copied as it is unless a warning may point into the registry (its
        // path is not in the line otherwise): most states have no warning.
        let mentions = self
            .registry_json
            .as_ref()
            .is_none_or(|f| f.find(&line).is_some());
        let (at, len) = if mentions {
            let mut state = last.parse_entry(&line)?;
            state.warnings =
                incremental::relocate(&state.warnings, self.registry_file, &entry.current().at);
            self.store.put(&state)?
        } else {
            self.store.put_raw(&line)?
        };
        Ok(EntryRef {
            at,
            len,
            rendered: false,
            ..old
        })
    }

    fn render(
        &self,
        entry: &Entry,
        note: Option<&Note>,
        loaded: Vec<Loaded>,
        warnings: Vec<Warning>,
        (fingerprint, iiif_id, dates): Made,
    ) -> Result<EntryRef> {
        let uses_index = uses_index(&loaded);
        let annotates = annotates(&loaded);
        let (outputs, summary) = self.renderer.entry(entry, loaded, note, &dates)?;
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
            warnings,
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

/// Whether any page of a PID links to other PIDs' pages.
fn uses_index(loaded: &[Loaded]) -> bool {
    loaded
        .iter()
        .any(|l| l.resource.as_ref().is_some_and(links_to_pids))
}

/// The manifests a PID's annotation pages name (every version's), each
/// once.
fn annotates(loaded: &[Loaded]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in loaded
        .iter()
        .filter_map(|l| l.resource.as_ref())
        .flat_map(|r| r.annotated_manifests())
    {
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    out
}

/// Whether a resource's page links to other PIDs' pages (collection
/// members, annotation targets), so it depends on the index.
fn links_to_pids(resource: &model::resource::Resource) -> bool {
    !resource.members.is_empty() || !resource.annotations.is_empty()
}

/// The IIIF id under which other pages link to this PID's page: the id of
/// an active PID's whole document (a PID for one canvas is not the
/// document's page), or its URL when remote.
fn indexed_id(record: &Record, loaded: &Loaded) -> Option<String> {
    if record.status != Status::Active || record.canvas.is_some() {
        return None;
    }
    match record.target.as_ref()? {
        Target::Remote(url) => Some(url.clone()),
        Target::Local { .. } => loaded.document_id.clone(),
    }
}

/// What `pidsite enrich` was asked to do.
#[derive(Debug, Clone)]
pub struct EnrichOptions {
    /// The site folder (holding site.toml).
    pub site_dir: PathBuf,
    /// Where the enriched copies go, under the target's path in content/.
    pub out_dir: PathBuf,
}

/// What `pidsite enrich` did.
#[derive(Debug, Clone, Default)]
pub struct EnrichReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Targets skipped, and why.
    pub warnings: Vec<Warning>,
}

/// Write each active PID's manifest or collection with its PID written in
/// (see [`enrich`]) to `out_dir`, at the path the target has under content/,
/// so the institution can publish it where the original is hosted.
pub fn enrich_registry(options: &EnrichOptions) -> Result<EnrichReport> {
    let site = &options.site_dir;
    let config = SiteConfig::load(site)?;
    let registry = load::registry::load(site, &config)?;
    let mut report = EnrichReport::default();
    for entry in &registry.entries {
        let record = entry.current();
        if record.status != Status::Active || record.canvas.is_some() {
            continue;
        }
        let Some(target) = &record.target else {
            continue;
        };
        let (written, path) = match target {
            Target::Local { written, path } => (written, path),
            Target::Remote(url) => {
                report.warnings.push(Warning::new(
                    WarningKind::EnrichSkipped,
                    record.at.clone(),
                    format!("{url} is remote: enrich only writes copies of local targets"),
                ));
                continue;
            }
        };
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let landing_url = config.url(record.pid.landing_path().as_str());
        let stamp = enrich::PidStamp {
            pid: record.pid.label(),
            cite_url: record
                .pid
                .resolver_url(&config.resolvers)
                .unwrap_or_else(|| landing_url.clone()),
            landing_url,
            language: config.language.clone(),
        };
        match enrich::enrich(&bytes, &stamp) {
            Ok(Some(enriched)) => {
                // `written` is validated by the registry: relative, no `..`.
                let rel = written.strip_prefix("content/").unwrap_or(written);
                let dest = options.out_dir.join(rel);
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                std::fs::write(&dest, enriched).map_err(|e| Error::io(&dest, e))?;
                report.written.push(dest);
            }
            Ok(None) => {}
            Err(reason) => report.warnings.push(Warning::new(
                WarningKind::EnrichSkipped,
                Location::file(path),
                reason,
            )),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_over_one_gigabyte_gets_a_hosting_note() {
        let report = |bytes| BuildReport {
            pages: 0,
            stubs: 0,
            pids: 0,
            rendered: 0,
            incremental: false,
            bytes,
            out_dir: PathBuf::new(),
            warnings: Vec::new(),
            changed: Vec::new(),
            remote: Default::default(),
            notes: Vec::new(),
            elapsed: Duration::ZERO,
        };
        assert_eq!(report(GITHUB_PAGES_LIMIT).size_note(), None);
        let note = report(1_500_000_000).size_note().unwrap();
        assert!(
            note.contains("1.5 GB") && note.contains("GitHub Pages"),
            "{note}"
        );
    }
}
