//! pidsite: a static-site generator for persistent-identifier landing pages
//! of IIIF resources. This module is the one place that knows the order of
//! the stages: load (config, registry, Markdown, templates) -> for each PID,
//! in parallel: read its IIIF resource, render, write -> site-wide pages ->
//! swap the finished site into place.

#![warn(missing_docs)]

pub mod citation;
pub mod config;
pub mod enrich;
pub mod error;
pub mod load;
pub mod model;
pub mod render;
pub mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use error::{Error, Result, Warning};

use config::SiteConfig;
use error::Location;
use load::pages::Note;
use model::record::{Record, Status, Target};
use render::{Loaded, Renderer, Summary};
use write::Staging;

/// What `pidsite build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder (holding site.toml).
    pub site_dir: PathBuf,
    /// Output folder; defaults to site.toml's `output_dir` under the site.
    pub out_dir: Option<PathBuf>,
    /// Fail (and keep the previous output) when there are warnings.
    pub strict: bool,
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
    /// Bytes written (after minification), static files excluded.
    pub bytes: u64,
    /// The output folder.
    pub out_dir: PathBuf,
    /// Soft problems.
    pub warnings: Vec<Warning>,
    /// Wall time.
    pub elapsed: Duration,
}

/// Receives progress as PIDs are rendered (a progress bar in the CLI).
pub trait Progress: Sync {
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
    let started = Instant::now();
    let site = &options.site_dir;
    let config = SiteConfig::load(site)?;
    let out = match &options.out_dir {
        Some(o) => o.clone(),
        None => site.join(&config.output_dir),
    };
    check_out_dir(site, &out)?;
    let registry = load::registry::load(site, &config)?;
    let pages = load::pages::load_pages(site)?;
    let (tera, mut warnings) = render::templates::load(site)?;
    let mut notes: HashMap<String, Note> = HashMap::new();
    for note in load::pages::load_notes(site)? {
        let known = registry
            .entries
            .iter()
            .any(|e| e.pid().key() == note.pid.key());
        if !known {
            warnings.push(Warning {
                at: Location::file(&note.path),
                message: format!("note for {} which is not in the registry", note.pid),
            });
        }
        notes.insert(note.pid.key().to_string(), note);
    }
    let renderer = Renderer::new(&config, tera, &pages).with_pid_index(pid_index(&registry));
    let staging = Staging::new(&out, config.minify)?;

    progress.start(registry.entries.len() as u64);
    let results: Vec<Result<(Summary, u64, Option<Warning>)>> = registry
        .entries
        .par_iter()
        .map(|entry| {
            let record = entry.current();
            let (loaded, warning) = load_target(record, site, &config);
            let note = notes.get(record.pid.key());
            let (outputs, summary) = renderer.entry(entry, loaded, note)?;
            let mut bytes = 0;
            for output in &outputs {
                bytes += staging.write(output)?;
            }
            progress.advance();
            Ok((summary, bytes, warning))
        })
        .collect();
    progress.finish();

    let mut summaries = Vec::with_capacity(results.len());
    let mut bytes = 0;
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok((s, b, w)) => {
                summaries.push(s);
                bytes += b;
                warnings.extend(w);
            }
            Err(e) => errors.push(e),
        }
    }
    if let Some(e) = Error::from_list(errors) {
        return Err(e);
    }

    let items: Vec<_> = summaries.iter().filter_map(|s| s.item.clone()).collect();
    let mut sitemap = vec![config.url("")];
    sitemap.extend(pages.iter().map(|p| config.url(&format!("{}/", p.slug))));
    sitemap.extend(summaries.iter().filter_map(|s| s.sitemap.clone()));
    let rows: Vec<[String; 3]> = summaries.iter().flat_map(|s| s.rows.clone()).collect();

    let mut site_outputs = renderer.index(&items)?;
    for page in &pages {
        site_outputs.push(renderer.page(page)?);
    }
    site_outputs.push(renderer.not_found()?);
    let html_pages = site_outputs.len();
    site_outputs.extend(renderer.site_files(&sitemap, &rows)?);
    for output in &site_outputs {
        bytes += staging.write(output)?;
    }
    staging.copy_static(&site.join("static"))?;

    if options.strict && !warnings.is_empty() {
        return Err(Error::Strict(warnings));
    }
    staging.commit()?;
    Ok(BuildReport {
        pages: summaries.iter().map(|s| s.pages).sum::<usize>() + html_pages,
        stubs: summaries.iter().map(|s| s.stubs).sum(),
        pids: registry.entries.len(),
        bytes,
        out_dir: out,
        warnings,
        elapsed: started.elapsed(),
    })
}

/// IIIF id -> landing path of every active PID whose target is a local file
/// (the document's own `id`) or a URL (the URL itself): a cheap pre-pass
/// that reads only `id`/`@id`, so collection pages can link their members
/// to the members' own PID pages.
fn pid_index(registry: &load::registry::Registry) -> Vec<(String, model::site_path::SitePath)> {
    registry
        .entries
        .par_iter()
        .filter_map(|entry| {
            let record = entry.current();
            if record.status != Status::Active || record.canvas.is_some() {
                return None;
            }
            let id = match record.target.as_ref()? {
                Target::Remote(url) => url.clone(),
                Target::Local { path, .. } => load::iiif::document_id(&std::fs::read(path).ok()?)?,
            };
            Some((id, record.pid.landing_path()))
        })
        .collect()
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
                report.warnings.push(Warning {
                    at: record.at.clone(),
                    message: format!("{url} is remote: enrich only writes copies of local targets"),
                });
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
            Err(reason) => report.warnings.push(Warning {
                at: Location::file(path),
                message: reason,
            }),
        }
    }
    Ok(report)
}

/// Refuse an output folder that a swap would destroy the site with.
fn check_out_dir(site: &Path, out: &Path) -> Result<()> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (site_abs, out_abs) = (abs(site), abs(out));
    let inside_inputs = ["content", "templates", "static"]
        .iter()
        .any(|d| out_abs.starts_with(site_abs.join(d)));
    if site_abs.starts_with(&out_abs) || inside_inputs {
        return Err(Error::input(
            Location::file(out),
            "the output folder may not be the site folder, one of its parents, or inside content/, templates/ or static/ (it is replaced on every build)",
        ));
    }
    Ok(())
}

/// Read and normalise a record's IIIF resource. A resource that cannot be
/// read is a warning: the page is still built from the registry.
fn load_target(record: &Record, site: &Path, config: &SiteConfig) -> (Loaded, Option<Warning>) {
    let none = |problem: Option<String>| Loaded {
        resource: None,
        document: None,
        problem,
    };
    if record.status == Status::Moved {
        return (none(None), None);
    }
    let Some(target) = &record.target else {
        return (none(None), None);
    };
    let (path, bytes) = match target {
        Target::Remote(url) => {
            let message = format!(
                "remote target {url} is not fetched by this version of pidsite; the page of {} is built from the registry alone",
                record.pid
            );
            return (
                none(Some(message.clone())),
                Some(Warning {
                    at: record.at.clone(),
                    message,
                }),
            );
        }
        Target::Local { path, .. } => (path, std::fs::read(path)),
    };
    let shown = path.strip_prefix(site).unwrap_or(path).to_path_buf();
    let fail = |reason: String| {
        let message = format!(
            "{reason}; the page of {} is built from the registry alone",
            record.pid
        );
        (
            none(Some(format!(
                "The IIIF resource could not be read: {reason}."
            ))),
            Some(Warning {
                at: Location::file(&shown),
                message,
            }),
        )
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read the file: {e}")),
    };
    let resource = match load::iiif::parse(&bytes, &config.languages) {
        Ok(r) => r,
        Err(reason) => return fail(reason),
    };
    let mut warning = None;
    if let Some(declared) = &record.declared_type {
        let declared = model::resource::ResourceKind::from_type(declared);
        if declared.is_some() && declared != Some(resource.kind) {
            warning = Some(Warning {
                at: record.at.clone(),
                message: format!(
                    "column \"type\" says {:?} but {} is a {}",
                    record.declared_type.as_deref().unwrap_or(""),
                    shown.display(),
                    resource.kind.label()
                ),
            });
        }
    }
    (
        Loaded {
            resource: Some(resource),
            document: Some(bytes),
            problem: None,
        },
        warning,
    )
}
