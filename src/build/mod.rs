//! `pidsite build`: the one place that knows the order of the stages.
//! `run()` reads the site (config, registry, Markdown, templates), fetches
//! the remote targets (through the cache), plans each PID against the last
//! build's state, renders and stages the PIDs in two passes (those whose
//! pages link to other PIDs' pages wait for the index (`index.rs`) the first pass
//! completes), renders the site-wide pages from the PIDs' summaries, then
//! commits: the output swapped or changed in place, `pidsite.lock` and the
//! build state saved.

mod commit;
mod export;
mod fingerprint;
mod index;
pub(crate) mod inputs;
mod pid_job;
mod plan;
mod site;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cache::entry_store::EntryStore;
use crate::cache::{self, State};
use crate::clock;
use crate::config::SiteConfig;
use crate::error::{Error, Location, Result, Warning, WarningKind};
use crate::exclusive::OutputLock;
use crate::load::registry::Registry;
use crate::lock;
use crate::model::record::Status;
use crate::remote;
use crate::render::{PidIndex, Renderer};
use crate::write::{self, Staging};
use fingerprint::Fingerprinter;
use pid_job::PidJob;

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
    /// Size of the output (pages after minification, data, static files):
    /// every file in the output folder.
    pub bytes: u64,
    /// Of which the static files (the viewer, styles, scripts), whose size
    /// does not grow with the number of PIDs.
    pub static_bytes: u64,
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
    /// How much of GitHub Pages' limit the site takes: its size, its mean
    /// bytes per PID (everything published but the static files, which do
    /// not grow with the PIDs, divided by the PIDs: their own files and
    /// their share of the lists, sitemap, feeds, export and search index)
    /// and how many more PIDs of that mean size fit.
    pub fn capacity(&self) -> Capacity {
        let grows = self.bytes.saturating_sub(self.static_bytes);
        let per_pid = (self.pids > 0).then(|| grows / self.pids as u64);
        Capacity {
            bytes: self.bytes,
            per_pid,
            more_pids: per_pid
                .filter(|&n| n > 0)
                .map(|n| GITHUB_PAGES_LIMIT.saturating_sub(self.bytes) / n),
        }
    }

    /// A warning for a site over GitHub Pages' 1 GB limit (naming hosts
    /// that take it) or within 10% of it; `None` when it fits with room.
    pub fn size_warning(&self) -> Option<String> {
        let gb = self.bytes as f64 / 1e9;
        if self.bytes > GITHUB_PAGES_LIMIT {
            Some(format!(
                "the site is {gb:.2} GB, over GitHub Pages' 1 GB limit for a published site; \
                 host it where size is not capped, e.g. an S3 or Google Cloud Storage bucket \
                 behind a CDN, Cloudflare R2, or your own web server (Netlify and Cloudflare \
                 Pages cap the number of files instead), or make it smaller \
                 (`[manifests] copy = \"link\"`)"
            ))
        } else if self.bytes > GITHUB_PAGES_LIMIT / 10 * 9 {
            let more = self
                .capacity()
                .more_pids
                .map_or_else(String::new, |n| format!(" (about {n} more PIDs)"));
            Some(format!(
                "the site is {gb:.2} GB, within 10% of GitHub Pages' 1 GB limit for a \
                 published site{more}; see README, \"Copy or link manifests the institution \
                 serves\", to make it smaller"
            ))
        } else {
            None
        }
    }
}

/// The published site's size against GitHub Pages' limit
/// ([`BuildReport::capacity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// Every file in the output folder, in bytes.
    pub bytes: u64,
    /// The mean bytes per PID, static files left out (none without PIDs).
    pub per_pid: Option<u64>,
    /// How many more PIDs of the mean size fit under the limit (none
    /// without PIDs).
    pub more_pids: Option<u64>,
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
    match run(options, progress) {
        // Nothing has been changed in the output yet when the last build's
        // state turns out to be damaged: build again from nothing.
        Err(Error::Cache(cause)) if !options.full => {
            let full = BuildOptions {
                full: true,
                ..options.clone()
            };
            let mut report = run(&full, progress)?;
            report.warnings.insert(
                0,
                Warning::new(
                    WarningKind::CacheReset,
                    Location::file(cache::cache_dir(&report.out_dir)),
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

/// One build: load -> plan -> per-PID jobs (two passes) -> site-wide
/// pages -> commit.
fn run(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport> {
    let started = Instant::now();
    let site = &options.site_dir;
    let config = SiteConfig::load(site)?;
    let out = options
        .out_dir
        .clone()
        .unwrap_or_else(|| site.join(&config.output_dir));
    write::check_out_dir(site, &out)?;
    // Held until the new state is saved: one build of `out` at a time.
    let held = OutputLock::acquire(&out, &cache::lock_path(&out))?;
    held.remove_stale(&out)?;
    let time = options.time.clone().unwrap_or_else(clock::BuildTime::now);
    let (inputs, lock_dates, previous) = read(site, &config, &out, options.full, time.second)?;
    let inputs::Inputs {
        mut registry,
        pages,
        mut templates,
        notes,
        rules,
        mut warnings,
    } = inputs;
    let remote_docs = fetch_remote(&config, &out, options.offline, &registry, progress);
    let global = plan::global_fingerprint(site, &config, &pages);
    let mut previous = previous.filter(|p| p.made_from(&global));
    // A rebuild's templates are the last build's: read as it parsed them.
    if let Some(kept) = previous
        .as_ref()
        .and_then(|_| cache::templates::load(&out, &global))
    {
        templates.keep_from(kept);
    }
    let fingerprints = Fingerprinter::new(previous.as_mut(), site);
    let renderer = Renderer::new(&config, templates, &pages, time);
    let staging = Staging::new(&out, previous.is_some())?;
    let store = EntryStore::create(&cache::cache_dir(&out))?;
    let job = PidJob::new(site, &config, &staging, &store, &registry, &remote_docs);
    let plan = plan::Plan {
        registry: &registry,
        notes: &notes,
        fingerprints: &fingerprints,
        lock_dates: &lock_dates,
        remote: &remote_docs,
        last: previous.as_ref(),
        halted: Default::default(),
    };

    progress.start(registry.entries.len() as u64);
    let outcomes = plan.first_pass(&job, &renderer, progress)?;
    let index = index::Index::after_first_pass(&registry, &outcomes, &config, &store)?;
    let reuse_linked = previous.as_ref().is_some_and(|p| p.index == index.hash);
    let renderer = renderer.with_index(index.pages);
    let refs = plan.second_pass(&job, &renderer, outcomes, reuse_linked, progress)?;
    progress.finish();
    // A large site's index is tens of megabytes: gone before the site-wide
    // pages.
    let renderer = renderer.with_index(PidIndex::default());

    let mut built = site::SiteWide {
        out: &out,
        site,
        pages: &pages,
        rules: &rules,
        static_include: &config.static_include,
        staging: &staging,
        store: &store,
        lock_dates: &lock_dates,
        last: previous.as_ref(),
        datacite: has_datacite(&registry),
    }
    .render(&renderer, &refs, &mut warnings)?;
    let dated = std::mem::take(&mut built.dated);
    let (staged_lock, changed) = commit::stage_lock(
        site,
        &registry,
        &fingerprints,
        &remote_docs,
        lock_dates,
        dated,
        &mut warnings,
    );
    if options.strict && !warnings.is_empty() {
        return Err(Error::Strict(warnings));
    }
    let rendered = refs.iter().filter(|r| r.rendered).count();
    let incremental = previous.is_some();
    commit::output(staging, previous.as_ref(), &registry, &refs, &built)?;
    commit::lock_in_place(staged_lock, &mut warnings);
    if let Some(kept) = renderer.kept_templates() {
        cache::templates::save(&out, &global, &kept);
    }
    let mut state = State::new(built.build_id, global, index.hash);
    state.site_files = built.site_files;
    state.site_pages = built.site_pages;
    state.files = fingerprints.into_stamps();
    drop(previous);
    commit::state(state, &out, store, &registry, &refs, &mut warnings);
    drop(held);
    Ok(BuildReport {
        pages: built.pages,
        stubs: built.stubs,
        pids: registry.entries.len(),
        rendered,
        incremental,
        bytes: built.bytes,
        static_bytes: built.static_bytes,
        out_dir: out,
        warnings,
        changed,
        remote: remote_docs.counts(),
        notes: std::mem::take(&mut registry.notes),
        elapsed: started.elapsed(),
    })
}

/// What a build reads before it plans: the site's inputs on one core; the
/// dates of the PIDs and pages the last build published (its lock, read
/// before any PID is rendered, see `lock`) and the last build's state
/// (none for a `full` build), which do not depend on them, on the other:
/// a rebuild that renders little is mostly reading. A lock that cannot be
/// read (a merge conflict) does not stop the build: it is a warning, and
/// this build's lock replaces it.
fn read(
    site: &Path,
    config: &SiteConfig,
    out: &Path,
    full: bool,
    now: i64,
) -> Result<(inputs::Inputs, lock::LockDates, Option<State>)> {
    let (inputs, (lock, previous)) = rayon::join(
        // The templates are read now, parsed when the first page is rendered.
        || inputs::load(site, config),
        || {
            let (dates, unreadable) = inputs::previous_dates(site, now);
            (
                (dates, unreadable),
                (!full).then(|| State::load(out)).flatten(),
            )
        },
    );
    let mut inputs = inputs?;
    let (dates, unreadable) = lock;
    inputs.warnings.extend(unreadable);
    Ok((inputs, dates, previous))
}

/// Whether a PID of the registry gets a DataCite record: a DOI with a
/// page (active or withdrawn). Known before the site-wide pages, so the
/// home page links the zip of them only when there is one.
fn has_datacite(registry: &Registry) -> bool {
    registry.entries.iter().any(|e| {
        let r = e.current();
        r.pid.scheme() == crate::model::pid::Scheme::Doi
            && matches!(r.status, Status::Active | Status::Withdrawn)
    })
}

/// Remote targets are fetched first, a few at a time: their content decides
/// their fingerprints, and pass 1 then only reads memory.
fn fetch_remote(
    config: &SiteConfig,
    out: &Path,
    offline: bool,
    registry: &Registry,
    progress: &dyn Progress,
) -> remote::RemoteDocs {
    let fetcher = remote::Fetcher::new(
        &config.remote,
        cache::remote::Cache::in_cache_dir(&cache::cache_dir(out)),
        offline,
    );
    let urls = inputs::remote_urls(&registry.entries);
    if !urls.is_empty() {
        progress.start_fetching(urls.len() as u64);
    }
    fetcher.fetch_all(urls, &|| progress.fetched())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a_report() -> BuildReport {
        BuildReport {
            pages: 0,
            stubs: 0,
            pids: 0,
            rendered: 0,
            incremental: false,
            bytes: 0,
            static_bytes: 0,
            out_dir: PathBuf::new(),
            warnings: Vec::new(),
            changed: Vec::new(),
            remote: Default::default(),
            notes: Vec::new(),
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn a_site_over_or_near_one_gigabyte_gets_a_warning() {
        let report = |bytes| BuildReport {
            bytes,
            ..a_report()
        };
        assert_eq!(report(GITHUB_PAGES_LIMIT / 10 * 9).size_warning(), None);
        let note = report(1_500_000_000).size_warning().unwrap();
        assert!(
            note.contains("1.50 GB") && note.contains("over GitHub Pages"),
            "{note}"
        );
        let near = report(950_000_000).size_warning().unwrap();
        assert!(near.contains("within 10%"), "{near}");
    }

    #[test]
    fn capacity_counts_the_pids_that_still_fit() {
        let report = |bytes, pids| BuildReport {
            pids,
            bytes,
            ..a_report()
        };
        // 50 KB a PID, 950 MB left: 19,000 more.
        let c = report(50_000_000, 1_000).capacity();
        assert_eq!((c.per_pid, c.more_pids), (Some(50_000), Some(19_000)));
        // 4 MB of static files are not part of each PID's share.
        let with_static = BuildReport {
            static_bytes: 4_000_000,
            ..report(54_000_000, 1_000)
        };
        let c = with_static.capacity();
        assert_eq!((c.per_pid, c.more_pids), (Some(50_000), Some(18_920)));
        assert_eq!(report(1_200_000_000, 1_000).capacity().more_pids, Some(0));
        assert_eq!(report(5_000, 0).capacity().more_pids, None);
    }
}
