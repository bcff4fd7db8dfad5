//! Rendering: model -> [`Output`]s (`{path, bytes}`) in memory. Never touches
//! the disk; `write` knows where outputs go. One [`Renderer`] is built per
//! build (templates parsed once, citation styles loaded once when first
//! needed) and shared by every worker.

pub mod annotations;
pub mod context;
pub mod discovery;
pub mod exports;
pub mod feeds;
mod minify;
pub mod site_wide;
pub mod templates;

pub use minify::minify_cfg;

use serde::Serialize;
use serde_json::{json, Value};

use crate::citation::bibtex::bibtex;
use crate::citation::datacite::{datacite_xml, DataCiteExtra};
use crate::citation::ris::ris;
use crate::citation::styles::Styles;
use crate::citation::Citation;
use crate::clock::BuildTime;
use crate::config::{SiteConfig, ViewerKind, ViewerSource};
use crate::enrich::{enrich_parsed, Enrichable, PidStamp};
use crate::error::Result;
use crate::load::iiif::valid_region;
use crate::load::pages::{markdown, Note, Page};
use crate::lock::Dates;
use crate::model::changes::changes;
use crate::model::content_state::{canvas_state, CanvasStates};
use crate::model::genre::GenreFacts;
use crate::model::record::{Entry, Record, Status};
use crate::model::resource::{http_url, Resource, ResourceKind, Text};
use crate::model::rights::rights_name;
use crate::model::site_path::SitePath;
use crate::output::{Output, Redirect};
use context::*;
use discovery::{coins, dc_tags, linkset_context, linkset_document, signposting, Signposts};

/// The Mirador release pidsite ships and pins.
pub const MIRADOR_VERSION: &str = "4.0.0";
/// SHA-384 of `dist/mirador.min.js` in the npm package `mirador@4.0.0`.
pub const MIRADOR_SRI: &str =
    "sha384-htgTGGN+3plNExQGon3yKdiqYPAXLS8yj/jfexxUSNWOcMvTgoodTZ6jt6eQFLz9";

/// Media types of the citation downloads.
const CSL_TYPE: &str = "application/vnd.citationstyles.csl+json";
const RIS_TYPE: &str = "application/x-research-info-systems";
const BIBTEX_TYPE: &str = "application/x-bibtex";
const DATACITE_TYPE: &str = "application/vnd.datacite.datacite+xml";

/// How many PIDs each home page lists.
pub const PER_PAGE: usize = 60;

/// Images listed for citing one by one on a landing page; a manifest with
/// more gets an `images/` page listing them all. Each link carries a
/// content state (~450 bytes), and a landing page stays under 20 KB.
pub const LANDING_CANVAS_LINKS: usize = 6;

/// Members listed on a collection's landing page; a collection with more
/// gets a `members/` page listing them all (250 members made a real
/// collection's page 100 KB).
pub const LANDING_MEMBERS: usize = 24;

/// A PID's IIIF resource as loaded, or why it could not be.
pub struct Loaded {
    /// The normalised resource.
    pub resource: Option<Resource>,
    /// The document's bytes, when the site hosts a copy of it.
    pub document: Option<Vec<u8>>,
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
    #[serde(default)]
    pub redirects: Vec<Redirect>,
    /// The linkset contexts (compact JSON) of the landing page and of its
    /// version pages, for the site-wide linkset. Kept as JSON rather than
    /// as strings holding JSON, whose escapes made reading the states back
    /// a fifth of a no-op rebuild.
    #[serde(default)]
    pub linksets: Vec<Box<serde_json::value::RawValue>>,
    /// When the PID last changed (RFC 3339), for `lastmod` and the feed:
    /// its withdrawal when withdrawn, else its current version's date, else
    /// when its target's content last changed as `pidsite.lock` keeps it
    /// (none for a moved PID).
    #[serde(default)]
    pub modified: Option<String>,
    /// IIIF Change Discovery activities of the PID's IIIF resource.
    #[serde(default)]
    pub activities: Vec<feeds::Activity>,
}

/// Where the site-wide outputs go as they are made: each is written and
/// dropped before the next is rendered, so a large site never holds all of
/// them (its sitemap, linkset, redirect exports) at once.
pub type Sink<'a> = dyn FnMut(Output) -> Result<()> + 'a;

/// One landing page to render: a PID's, or one of its versions'.
struct LandingSpec<'r> {
    record: &'r Record,
    loaded: &'r Loaded,
    /// Its row's dates as `pidsite.lock` keeps them (see `lock::Dates`).
    dates: Option<Dates>,
    note: Option<&'r Note>,
    /// Where the page goes.
    path: SitePath,
    /// What its citation points at, when not the PID's resolver URL (a
    /// version's page is cited by its own URL).
    cite_url: Option<String>,
    history: Option<HistoryContext>,
}

/// Renders every kind of page.
pub struct Renderer<'a> {
    /// IIIF id -> root-relative landing URL of the PID naming it.
    /// Set between the build's two passes (see `crate::build`).
    pid_index: std::sync::OnceLock<std::collections::HashMap<String, String>>,
    /// IIIF id -> title of the PID page naming it, for the manifests that
    /// annotation pages say they annotate (set with `pid_index`).
    titles: std::sync::OnceLock<std::collections::HashMap<String, String>>,
    templates: templates::Templates,
    config: &'a SiteConfig,
    site: SiteContext,
    /// Loaded when the first PID is rendered: a rebuild that renders none
    /// does not need them.
    styles: std::sync::OnceLock<Styles>,
    time: BuildTime,
}

impl<'a> Renderer<'a> {
    /// Prepare the renderer for a build at `time`: site context set
    /// (templates are parsed and citation styles loaded on first use).
    pub fn new(
        config: &'a SiteConfig,
        templates: templates::Templates,
        pages: &[Page],
        time: BuildTime,
    ) -> Self {
        let mut nav = vec![NavLink {
            title: "Browse".into(),
            url: config.path(""),
        }];
        nav.extend(pages.iter().map(|p| NavLink {
            title: p.title.clone(),
            url: config.path(SitePath::folder([p.slug.as_str()]).as_str()),
        }));
        let viewer = (config.viewer == ViewerKind::Mirador).then(|| match config.viewer_source {
            ViewerSource::SelfHosted => ViewerAssets {
                kind: "mirador".into(),
                script: config.path(&format!("vendor/mirador-{MIRADOR_VERSION}/mirador.min.js")),
                integrity: None,
            },
            ViewerSource::Cdn => ViewerAssets {
                kind: "mirador".into(),
                script: format!(
                    "https://cdn.jsdelivr.net/npm/mirador@{MIRADOR_VERSION}/dist/mirador.min.js"
                ),
                integrity: Some(MIRADOR_SRI.into()),
            },
        });
        let site = SiteContext {
            title: config.title.clone(),
            description: config.description.clone(),
            language: config.language.clone(),
            base_path: config.base_path.clone(),
            base_url: config.base_url.clone(),
            nav,
            footer_html: markdown(&config.footer),
            logo: config
                .logo
                .as_ref()
                .map(|l| config.path(l.trim_start_matches('/'))),
            publisher: config.publisher.clone(),
            viewer,
            asset_version: env!("CARGO_PKG_VERSION").into(),
        };
        Renderer {
            pid_index: Default::default(),
            titles: Default::default(),
            templates,
            config,
            site,
            styles: std::sync::OnceLock::new(),
            time,
        }
    }

    /// When this build happens.
    pub fn time(&self) -> &BuildTime {
        &self.time
    }

    /// Set the index of IIIF ids to root-relative PID page URLs, with which
    /// collection and annotation pages link to other PIDs' pages, and the
    /// titles of the PID pages of the manifests annotation pages name, with
    /// which they are titled. Only the first call counts.
    pub fn set_pid_index(
        &self,
        index: impl IntoIterator<Item = (String, String)>,
        titles: impl IntoIterator<Item = (String, String)>,
    ) {
        let _ = self.pid_index.set(index.into_iter().collect());
        let _ = self.titles.set(titles.into_iter().collect());
    }

    /// Drop the index once no PID page is left to render (a large site's
    /// index is tens of megabytes).
    pub fn drop_pid_index(&mut self) {
        self.pid_index.take();
        self.titles.take();
    }

    /// A PID's citation, its title said by what an unlabelled annotation
    /// page or annotation annotates (see [`annotations::title`]) when the
    /// registry gives none.
    fn citation(&self, record: &Record, resource: Option<&Resource>, url: String) -> Citation {
        let mut citation =
            Citation::derive(record, resource, &self.config.citation_defaults(), url);
        let titles = self.titles.get();
        if let Some(title) = annotations::citation_title(record, resource, |id| {
            titles.and_then(|t| t.get(id)).cloned()
        }) {
            citation.title = title;
        }
        citation
    }

    /// Parse the templates and load the citation styles, each on its own
    /// thread, the first time a PID is rendered: a rebuild of one PID
    /// waits for both (~7 ms and ~4 ms), which one after the other were
    /// a quarter of it. Plain threads, not rayon's: a rayon worker waiting
    /// here could take up another PID's render, which would wait for the
    /// same initialisation on the same thread.
    fn ready(&self) -> Result<()> {
        if self.styles.get().is_none() {
            std::thread::scope(|scope| {
                scope.spawn(|| self.styles());
                self.templates.parsed()
            })?;
        }
        Ok(())
    }

    fn styles(&self) -> &Styles {
        self.styles
            .get_or_init(|| Styles::load(&self.config.citation_styles, &self.config.site_dir))
    }

    fn render(&self, name: &str, ctx: &impl Serialize) -> Result<String> {
        let parsed = self.templates.parsed()?;
        let context =
            tera::Context::from_serialize(ctx).map_err(|e| templates::template_error(name, &e))?;
        let html = parsed
            .tera
            .render(name, &context)
            .map_err(|e| templates::template_error(name, &e))?;
        if !self.config.minify || parsed.minified || !name.ends_with(".html") {
            return Ok(html);
        }
        // Templates that could not be minified as they were parsed: the
        // page is, as a whole.
        static CFG: std::sync::LazyLock<minify_html::Cfg> = std::sync::LazyLock::new(minify_cfg);
        let bytes = minify_html::minify(html.as_bytes(), &CFG);
        Ok(String::from_utf8(bytes).unwrap_or(html))
    }

    fn head(&self, title: String, description: String, path: &SitePath) -> PageHead {
        PageHead {
            title,
            description,
            canonical: self.config.url(path.as_str()),
            robots: None,
        }
    }

    /// Every output of one PID: its page (landing or tombstone) and files,
    /// or its redirect stub; one page per version when it has several;
    /// stubs for its aliases and variant forms. `loaded` holds each
    /// version's resource and `dates` its dates (see
    /// `lock::LockDates::entry`), in the order of `entry.versions`.
    pub fn entry(
        &self,
        entry: &Entry,
        loaded: Vec<Loaded>,
        note: Option<&Note>,
        dates: &[Option<Dates>],
    ) -> Result<(Vec<Output>, Summary)> {
        let record = entry.current();
        let pid = &record.pid;
        if record.status == Status::Reserved {
            // Not published yet: nothing resolves, nothing is listed.
            return Ok((Vec::new(), Summary::default()));
        }
        self.ready()?;
        let path = pid.landing_path();
        let landing_url = self.config.url(path.as_str());
        let mut outputs = Vec::new();
        let mut summary = Summary {
            item: None,
            rows: vec![[
                pid.label(),
                landing_url.clone(),
                record.status.name().into(),
            ]],
            sitemap: None,
            pages: 0,
            stubs: 0,
            redirects: Vec::new(),
            linksets: Vec::new(),
            modified: None,
            activities: Vec::new(),
        };
        match record.status {
            Status::Moved => {
                let to = record
                    .replaced_by
                    .as_ref()
                    .expect("the registry checks that moved PIDs have replaced_by")
                    .landing_path();
                outputs.push(self.stub(&mut summary, &pid.label(), path.clone(), &to)?);
                // Version pages of earlier builds keep resolving.
                for i in (0..entry.versions.len()).filter(|_| entry.is_versioned()) {
                    outputs.push(self.stub(
                        &mut summary,
                        &pid.label(),
                        entry.version_path(i),
                        &to,
                    )?);
                }
            }
            Status::Reserved => {}
            Status::Active | Status::Withdrawn => {
                let rows = entry
                    .is_versioned()
                    .then(|| self.version_rows(entry, &loaded));
                let current = entry.current_index();
                let spec = LandingSpec {
                    record,
                    loaded: &loaded[current],
                    dates: dates[current],
                    note,
                    path: path.clone(),
                    cite_url: None,
                    history: rows.as_ref().map(|rows| {
                        HistoryContext::new(true, current, self.config.path(path.as_str()), rows)
                    }),
                };
                let (page_outputs, item, linkset) = self.landing(&spec)?;
                summary
                    .linksets
                    .extend(serde_json::value::to_raw_value(&linkset).ok());
                summary.pages += 1;
                if record.status == Status::Active {
                    summary.sitemap = Some(landing_url);
                } else {
                    let here = self.config.path(path.as_str());
                    summary.redirects.push(Redirect {
                        from: here.clone(),
                        to: here,
                        status: 410,
                    });
                }
                summary.item = Some(item);
                outputs.extend(page_outputs);
                if record.status == Status::Withdrawn {
                    // A withdrawn PID withdraws every version of it.
                    for i in (0..entry.versions.len()).filter(|_| entry.is_versioned()) {
                        outputs.push(self.withdrawn_version(entry, i, &mut summary)?);
                    }
                } else if let Some(rows) = rows {
                    let version_outputs =
                        self.version_pages(entry, &loaded, dates, note, rows, &mut summary)?;
                    outputs.extend(version_outputs);
                }
            }
        }
        // Other names of a moved PID go straight to where it moved: one hop.
        let dest = match (&record.status, &record.replaced_by) {
            (Status::Moved, Some(to)) => to.landing_path(),
            _ => path.clone(),
        };
        // Dated by the registry (the current version's date); otherwise by
        // the build in which a target of the PID last changed, as the lock
        // keeps it (none for a moved PID, which has no page of its own). A
        // withdrawn PID last changed when it was withdrawn.
        let newest = dates.iter().flatten().map(|d| d.modified).max();
        let changed = record
            .version_date
            .as_deref()
            .and_then(feeds::instant_of_date)
            .or_else(|| newest.map(crate::lock::instant));
        summary.activities = self.activities(entry, &loaded, dates, changed.as_deref());
        summary.modified = self
            .withdrawal(record, dates.get(entry.current_index()).copied().flatten())
            .or(changed);
        let aliases = entry.aliases();
        for alias in &aliases {
            outputs.push(self.stub(&mut summary, &alias.written, alias.path.clone(), &dest)?);
            // The hosts' rules answer the old URL as requested too, where
            // the stub had to be written at another (escaped) path.
            let request = alias.request.as_deref().map(|r| self.config.path(r));
            if let Some(from) = request.filter(|r| *r != self.config.path(alias.path.as_str())) {
                let to = self.config.path(dest.as_str());
                summary.redirects.push(Redirect {
                    from,
                    to,
                    status: 301,
                });
            }
            summary.rows.push([
                alias.written.clone(),
                self.config.url(alias.path.as_str()),
                "alias".into(),
            ]);
        }
        // A variant also listed as an alias has its stub already (a second
        // one would repeat its rules, which nginx refuses).
        for variant in pid
            .variant_paths()
            .into_iter()
            .filter(|v| !aliases.iter().any(|a| a.path == *v))
        {
            outputs.push(self.stub(&mut summary, &pid.label(), variant, &dest)?);
        }
        Ok((outputs, summary))
    }

    /// When a withdrawn record was withdrawn (RFC 3339): the registry's
    /// `withdrawn_date`, else the first build that published it withdrawn
    /// as `pidsite.lock` keeps it, else this build; `None` unless withdrawn.
    fn withdrawal(&self, record: &Record, dates: Option<Dates>) -> Option<String> {
        (record.status == Status::Withdrawn).then(|| {
            record
                .withdrawn_date
                .as_deref()
                .and_then(feeds::instant_of_date)
                .or_else(|| dates?.withdrawn.map(crate::lock::instant))
                .unwrap_or_else(|| self.time.instant.clone())
        })
    }

    /// The Change Discovery activities of a PID's IIIF resource: for the
    /// site's copy (or the remote document) a Create at its first version,
    /// an Update at each later one and at its content's last change,
    /// a Delete when withdrawn; for each version's own copy (`v1/`…), a
    /// Create, and a Delete when the PID (or that version) is withdrawn.
    /// Only manifests and collections are announced. What the registry
    /// does not date is dated by the lock's `dates`.
    fn activities(
        &self,
        entry: &Entry,
        loaded: &[Loaded],
        dates: &[Option<Dates>],
        modified: Option<&str>,
    ) -> Vec<feeds::Activity> {
        let current = entry.current();
        let path = current.pid.landing_path();
        let now = &self.time.instant;
        let object = |i: usize, folder: &SitePath| {
            let r = loaded[i].resource.as_ref()?;
            let kind = match r.kind {
                ResourceKind::Manifest => "Manifest",
                ResourceKind::Collection => "Collection",
                _ => return None,
            };
            let id = match (&loaded[i].document, &entry.versions[i].target) {
                (Some(_), _) => self
                    .config
                    .url(folder.file(crate::output::file::MANIFEST).as_str()),
                (None, Some(crate::model::record::Target::Remote(url))) => url.clone(),
                _ => return None,
            };
            Some(feeds::ActivityObject {
                id,
                kind: kind.to_string(),
                see_also: self.config.url(folder.as_str()),
            })
        };
        let when = |i: usize| {
            entry.versions[i]
                .version_date
                .as_deref()
                .and_then(feeds::instant_of_date)
                .or_else(|| dates[i].map(|d| crate::lock::instant(d.published)))
                .unwrap_or_else(|| modified.unwrap_or(now).to_string())
        };
        // When a record (version `i`) was withdrawn.
        let withdrawal = |r: &Record, i: usize| self.withdrawal(r, dates[i]);
        let mut out = Vec::new();
        let last = entry.versions.len() - 1;
        let newest = entry.current_index();
        if let Some(object) = object(newest, &path) {
            for i in 0..=last {
                out.push(feeds::Activity {
                    kind: if i == 0 { "Create" } else { "Update" }.into(),
                    object: object.clone(),
                    end_time: when(i),
                });
            }
            if let Some(m) = modified.filter(|m| *m > when(newest).as_str()) {
                out.push(feeds::Activity {
                    kind: "Update".into(),
                    object: object.clone(),
                    end_time: m.to_string(),
                });
            }
            if let Some(gone) = withdrawal(current, newest) {
                // What has no date of its own happened before the withdrawal.
                for a in &mut out {
                    if a.end_time > gone {
                        a.end_time = gone.clone();
                    }
                }
                out.push(feeds::Activity {
                    kind: "Delete".into(),
                    object,
                    end_time: gone,
                });
            }
        }
        if entry.is_versioned() {
            for i in 0..=last {
                let Some(object) = object(i, &entry.version_path(i)) else {
                    continue;
                };
                // A withdrawn PID's versions go with it; an active PID may
                // have withdrawn one version.
                let gone =
                    withdrawal(current, newest).or_else(|| withdrawal(&entry.versions[i], i));
                let created = when(i);
                let created = match &gone {
                    Some(gone) if created > *gone => gone.clone(),
                    _ => created,
                };
                out.push(feeds::Activity {
                    kind: "Create".into(),
                    object: object.clone(),
                    end_time: created,
                });
                if let Some(gone) = gone {
                    out.push(feeds::Activity {
                        kind: "Delete".into(),
                        object,
                        end_time: gone,
                    });
                }
            }
        }
        out
    }

    /// Where version `i` of a withdrawn PID was: a stub to the PID's
    /// tombstone, the one record of what the PID was (its version history
    /// included), listed in `pids.csv` as withdrawn. Hosts that answer with
    /// real status codes answer it 410 Gone with the tombstone as the body.
    fn withdrawn_version(&self, entry: &Entry, i: usize, summary: &mut Summary) -> Result<Output> {
        let pid = entry.pid();
        let (path, tombstone) = (entry.version_path(i), pid.landing_path());
        summary.stubs += 1;
        summary.redirects.push(Redirect {
            from: self.config.path(path.as_str()),
            to: self.config.path(tombstone.as_str()),
            status: 410,
        });
        summary.rows.push([
            pid.label(),
            self.config.url(path.as_str()),
            Status::Withdrawn.name().into(),
        ]);
        self.redirect(&pid.label(), path, &tombstone)
    }

    /// The version history table of a PID with several versions.
    fn version_rows(&self, entry: &Entry, loaded: &[Loaded]) -> Vec<VersionRow> {
        let current = entry.current_index();
        entry
            .versions
            .iter()
            .enumerate()
            .map(|(i, row)| VersionRow {
                label: row.version.clone().unwrap_or_default(),
                url: self.config.path(entry.version_path(i).as_str()),
                date: row.version_date.clone(),
                note: row.version_note.clone(),
                changes: match i {
                    0 => Vec::new(),
                    _ => changes(
                        (&entry.versions[i - 1], loaded[i - 1].resource.as_ref()),
                        (row, loaded[i].resource.as_ref()),
                    ),
                },
                current: i == current,
                shown: false,
            })
            .collect()
    }

    /// Each version's own page (`v1/`, `v2/`…) of an active PID, with its own
    /// viewer, manifest copy and citations that point at it, listed in the
    /// summary.
    fn version_pages(
        &self,
        entry: &Entry,
        loaded: &[Loaded],
        dates: &[Option<Dates>],
        note: Option<&Note>,
        rows: Vec<VersionRow>,
        summary: &mut Summary,
    ) -> Result<Vec<Output>> {
        let current = entry.current();
        let pid_path = current.pid.landing_path();
        let latest_citation = {
            let cite_url = current
                .pid
                .resolver_url(&self.config.resolvers)
                .unwrap_or_else(|| self.config.url(pid_path.as_str()));
            let citation = self.citation(
                current,
                loaded
                    .get(entry.current_index())
                    .and_then(|l| l.resource.as_ref()),
                cite_url,
            );
            self.styles()
                .format_one(&citation.csl_json(), &self.config.default_style)
        };
        let mut outputs = Vec::new();
        for (i, row) in entry.versions.iter().enumerate() {
            let path = entry.version_path(i);
            if matches!(row.status, Status::Moved | Status::Reserved) {
                // Not a version with a page of its own: its address goes to
                // the PID's page.
                outputs.push(self.stub(summary, &current.pid.label(), path, &pid_path)?);
                continue;
            }
            let url = self.config.url(path.as_str());
            let mut history =
                HistoryContext::new(false, i, self.config.path(pid_path.as_str()), &rows);
            history.latest_citation = latest_citation.clone();
            let spec = LandingSpec {
                record: row,
                loaded: &loaded[i],
                dates: dates[i],
                note,
                path: path.clone(),
                cite_url: Some(url.clone()),
                history: Some(history),
            };
            let (page_outputs, _, linkset) = self.landing(&spec)?;
            outputs.extend(page_outputs);
            // Each version page is a landing page of its own: the site-wide
            // linkset lists it too.
            summary
                .linksets
                .extend(serde_json::value::to_raw_value(&linkset).ok());
            summary.pages += 1;
            // One withdrawn version of an active PID: its own tombstone.
            let status = if row.status == Status::Withdrawn {
                let here = self.config.path(path.as_str());
                summary.redirects.push(Redirect {
                    from: here.clone(),
                    to: here,
                    status: 410,
                });
                Status::Withdrawn.name()
            } else {
                "version"
            };
            summary.rows.push([current.pid.label(), url, status.into()]);
        }
        Ok(outputs)
    }

    /// A landing page (or tombstone) and its files; with the list item and
    /// the page's linkset context for the site-wide pages.
    fn landing(&self, spec: &LandingSpec<'_>) -> Result<(Vec<Output>, ListItem, Value)> {
        let (record, loaded, note, path) = (spec.record, spec.loaded, spec.note, &spec.path);
        let pid = &record.pid;
        let landing_url = self.config.url(path.as_str());
        let cite_url = spec.cite_url.clone().unwrap_or_else(|| {
            pid.resolver_url(&self.config.resolvers)
                .unwrap_or_else(|| landing_url.clone())
        });
        let resource = loaded.resource.as_ref();
        let citation = self.citation(record, resource, cite_url.clone());
        let on_version_page = spec.history.as_ref().is_some_and(|h| !h.on_pid_page);
        let citation = if on_version_page {
            citation.for_version_page()
        } else {
            citation
        };
        let csl = citation.csl_json();
        let withdrawn = record.status == Status::Withdrawn;
        // A withdrawn resource is not published, linked or announced: its
        // tombstone keeps what it was (metadata, citation), not the
        // content. `document` is what the site publishes.
        let document = loaded.document.as_ref().filter(|_| !withdrawn);
        let manifest_url = if withdrawn {
            None
        } else if document.is_some() {
            Some(
                self.config
                    .url(path.file(crate::output::file::MANIFEST).as_str()),
            )
        } else {
            match &record.target {
                Some(crate::model::record::Target::Remote(url)) => Some(url.clone()),
                _ => None,
            }
        };
        // The viewer's manifest: the site's copy root-relative (so it works
        // on any host the site is previewed on), or the remote URL.
        let viewer_manifest = match document {
            Some(_) => Some(
                self.config
                    .path(path.file(crate::output::file::MANIFEST).as_str()),
            ),
            None => manifest_url.clone(),
        };
        let region = record.region.as_deref().filter(|r| valid_region(r));
        let viewer = match (resource, &viewer_manifest, &self.site.viewer) {
            (Some(r), Some(m), Some(_)) if !withdrawn => match r.kind {
                ResourceKind::Manifest | ResourceKind::Collection => Some(ViewerTarget {
                    manifest: m.clone(),
                    canvas: record.canvas.clone(),
                    content_state: match (&manifest_url, &record.canvas) {
                        (Some(abs), Some(c)) => Some(canvas_state(abs, c, region)),
                        _ => None,
                    },
                }),
                // A canvas, range or annotation opens the manifest it
                // belongs to, when the document names it.
                _ => self.part_viewer(r, record),
            },
            (Some(r), None, Some(_)) if !withdrawn => self.part_viewer(r, record),
            _ => None,
        };
        let description = resource
            .and_then(|r| r.summary.as_ref())
            .map(|s| truncate(&s.text, 300))
            .unwrap_or_else(|| {
                format!("{} — persistent identifier {}", citation.title, pid.label())
            });
        let mut head = self.head(citation.title.clone(), description, path);
        if withdrawn {
            head.robots = Some("noindex".into());
        }
        let kind_label = resource.map_or("Resource", |r| r.kind.label()).to_string();
        let rights = citation.license.as_ref().map(|uri| RightsContext {
            uri: uri.clone(),
            name: rights_name(uri),
        });
        let mut downloads = vec![
            Download {
                label: "BibTeX".into(),
                url: self
                    .config
                    .path(path.file(crate::output::file::BIBTEX).as_str()),
                media_type: BIBTEX_TYPE.into(),
            },
            Download {
                label: "CSL-JSON".into(),
                url: self
                    .config
                    .path(path.file(crate::output::file::CSL_JSON).as_str()),
                media_type: CSL_TYPE.into(),
            },
        ];
        if let Some(m) = &manifest_url {
            downloads.push(Download {
                label: format!("IIIF {}", kind_label.to_lowercase()),
                url: m.clone(),
                media_type: "application/ld+json".into(),
            });
        }
        downloads.push(Download {
            label: "RIS".into(),
            url: self
                .config
                .path(path.file(crate::output::file::RIS).as_str()),
            media_type: RIS_TYPE.into(),
        });
        // Without a version date, published in the year the lock says it
        // first was, whenever the site is built again.
        let published = spec.dates.map(|d| BuildTime::at_second(d.published).date);
        let withdrawn_on = self
            .withdrawal(record, spec.dates)
            .map(|instant| instant.chars().take(10).collect::<String>());
        let mut extra = DataCiteExtra::for_record(
            &landing_url,
            manifest_url.as_deref(),
            resource,
            record,
            published.as_deref().unwrap_or(&self.time.date),
        );
        // Withdrawn on the date the tombstone says, also where the
        // registry gives none.
        if let Some(w) = extra.withdrawn.as_mut() {
            w.date = withdrawn_on.as_deref();
        }
        let datacite = datacite_xml(&citation, &extra);
        if datacite.is_some() {
            downloads.push(Download {
                label: "DataCite XML".into(),
                url: self
                    .config
                    .path(path.file(crate::output::file::DATACITE).as_str()),
                media_type: DATACITE_TYPE.into(),
            });
        }
        let abs = |name: &str| self.config.url(path.file(name).as_str());
        let mut described_by = vec![
            (abs(crate::output::file::CSL_JSON), CSL_TYPE),
            (abs(crate::output::file::RIS), RIS_TYPE),
            (abs(crate::output::file::BIBTEX), BIBTEX_TYPE),
        ];
        if datacite.is_some() {
            described_by.push((abs(crate::output::file::DATACITE), DATACITE_TYPE));
        }
        let head_links = signposting(&Signposts {
            cite_as: &cite_url,
            schema_type: citation.genre.facts().schema_org,
            described_by,
            item: manifest_url
                .as_ref()
                .map(|m| (m.clone(), resource.map(|r| r.version.context().to_string()))),
            license: citation.license.as_deref(),
            authors: citation
                .creators
                .iter()
                .filter(|c| http_url(c).is_some())
                .map(String::as_str)
                .collect(),
            linkset: abs(crate::output::file::LINKSET),
        });
        let linkset = linkset_context(&landing_url, &head_links);
        let mut meta = meta_tags(&citation, &landing_url);
        meta.extend(dc_tags(&citation, &self.config.language));
        let bib = bibtex(&citation);
        let cite_url_for_stamp = cite_url.clone();
        let canvas_links: Vec<CanvasLink> = match (resource, &manifest_url) {
            (Some(r), Some(m)) if r.kind == ResourceKind::Manifest && !withdrawn => {
                let states = CanvasStates::new(m);
                let page = self.config.path(path.as_str());
                r.canvases
                    .iter()
                    .enumerate()
                    .map(|(i, c)| CanvasLink {
                        label: c
                            .label
                            .as_ref()
                            .map_or_else(|| format!("Image {}", i + 1), |l| l.value.clone()),
                        lang: self.other_language(c.label.as_ref()),
                        url: format!("{page}?iiif-content={}", states.state(&c.id, None)),
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        // Long manifests list their first images on the landing page (which
        // stays small) and all of them on a page of their own.
        let mut canvas_links = canvas_links;
        let mut canvas_page = None;
        let mut extra = Vec::new();
        if canvas_links.len() > LANDING_CANVAS_LINKS {
            let page_path = path.join_folder("images");
            extra.push(self.canvas_page(
                &citation.title,
                citation.genre.facts(),
                path,
                &page_path,
                &canvas_links,
            )?);
            canvas_page = Some(self.config.path(page_path.as_str()));
            canvas_links.truncate(LANDING_CANVAS_LINKS);
        }
        // Long collections likewise.
        let mut members = resource
            .filter(|_| !withdrawn)
            .map(|r| self.members(r))
            .unwrap_or_default();
        let member_total = members.len();
        let mut member_page = None;
        if members.len() > LANDING_MEMBERS {
            let page_path = path.join_folder("members");
            extra.push(self.member_page(&citation.title, path, &page_path, &members)?);
            member_page = Some(self.config.path(page_path.as_str()));
            members.truncate(LANDING_MEMBERS);
        }
        let ctx = LandingContext {
            site: &self.site,
            pid: PidContext {
                label: pid.label(),
                scheme: pid.scheme().name().into(),
                scheme_label: pid.scheme().label().into(),
                cite_url,
                landing_url: landing_url.clone(),
            },
            status: record.status.name(),
            resource,
            kind_label: kind_label.clone(),
            title: citation.title.clone(),
            citations: self.styles().format(&csl),
            default_style: self.config.default_style.clone(),
            bibtex: bib.clone(),
            meta,
            head_links,
            coins: coins(&citation),
            zotero_type: citation.genre.facts().zotero,
            genre: citation.genre.facts(),
            json_ld: json_ld(
                &citation,
                resource,
                &landing_url,
                manifest_url.as_deref(),
                withdrawn,
            ),
            manifest_profile: resource.map(|r| r.version.context().to_string()),
            document_label: format!("IIIF {}", kind_label.to_lowercase()),
            iiif_drag_url: match viewer.as_ref().and_then(|v| v.content_state.as_ref()) {
                Some(state) => Some(format!("{landing_url}?iiif-content={state}")),
                None => manifest_url.as_ref().filter(|_| viewer.is_some()).map(|m| {
                    let encoded = percent_encoding::utf8_percent_encode(
                        m,
                        percent_encoding::NON_ALPHANUMERIC,
                    );
                    format!("{landing_url}?manifest={encoded}")
                }),
            },
            members,
            member_page,
            member_total,
            links: resource
                .filter(|_| !withdrawn)
                .map(links)
                .unwrap_or_default(),
            canvas_links,
            canvas_page,
            canvas_total: resource.map_or(0, |r| r.canvas_count),
            annotations: resource
                .filter(|r| {
                    !withdrawn
                        && matches!(
                            r.kind,
                            ResourceKind::AnnotationPage | ResourceKind::Annotation
                        )
                })
                .map(|r| self.annotations(r)),
            manifest_url,
            viewer,
            rights,
            downloads,
            note: note.map(|n| NoteContext {
                title: n.title.clone(),
                html: n.html.clone(),
            }),
            version: record.version.clone(),
            history: spec.history.clone(),
            // The registry's date, else the build that first published
            // it withdrawn, as the feed and Change Discovery date it.
            withdrawn_date: withdrawn_on,
            withdrawn_reason: record.withdrawn_reason.clone(),
            registry_metadata: record
                .overrides()
                .metadata
                .iter()
                .map(|(label, values)| context::RegistryField {
                    label: label.clone(),
                    values: values.clone(),
                })
                .collect(),
            problem: loaded.problem.clone(),
            citation: &citation,
            head,
        };
        let template = if withdrawn {
            "tombstone.html"
        } else {
            "landing.html"
        };
        let html = self.render(template, &ctx)?;
        let mut outputs = vec![
            Output::new(path.clone(), html),
            Output::new(path.file(crate::output::file::BIBTEX), bib),
            Output::new(path.file(crate::output::file::RIS), ris(&citation)),
            Output::new(
                path.file(crate::output::file::LINKSET),
                json_file(&linkset_document([linkset.clone()])),
            ),
            Output::new(
                path.file(crate::output::file::CSL_JSON),
                json_file(&json!([csl])),
            ),
        ];
        outputs.extend(extra);
        if let Some(doc) = document {
            // The site's copy carries the PID (a document that is not a
            // manifest or collection is published as it is).
            let stamp = PidStamp {
                pid: pid.label(),
                cite_url: cite_url_for_stamp,
                landing_url: landing_url.clone(),
                language: self.config.language.clone(),
            };
            let enriched = loaded
                .enrichable
                .as_ref()
                .map(|e| enrich_parsed(doc, e, &stamp));
            let bytes = match enriched {
                Some(Ok(enriched)) => enriched,
                _ => doc.clone(),
            };
            outputs.push(Output::new(path.file(crate::output::file::MANIFEST), bytes));
        }
        let item = ListItem {
            title: citation.title.clone(),
            pid: pid.label(),
            url: self.config.path(path.as_str()),
            thumbnail: resource
                .filter(|_| !withdrawn)
                .and_then(|r| r.thumbnail.clone()),
            kind: kind_label,
            status: record.status.name().to_string(),
        };
        if let Some(xml) = datacite {
            outputs.push(Output::new(path.file(crate::output::file::DATACITE), xml));
        }
        Ok((outputs, item, linkset))
    }

    /// The viewer for a canvas, range or annotation whose document names the
    /// manifest it belongs to: opened at that canvas (and region).
    fn part_viewer(&self, r: &Resource, record: &Record) -> Option<ViewerTarget> {
        let (manifest, canvas, region) = match r.kind {
            ResourceKind::Canvas => (r.part_of.clone()?, r.id.clone()?, None),
            ResourceKind::Range => (r.part_of.clone()?, r.canvases.first()?.id.clone(), None),
            ResourceKind::Annotation | ResourceKind::AnnotationPage => {
                let t = r.annotations.iter().find_map(|a| {
                    let t = a.target_ref.as_ref()?;
                    Some((t.manifest.clone()?, t.source.clone(), t.region.clone()))
                })?;
                (t.0, t.1, t.2)
            }
            _ => return None,
        };
        let manifest = http_url(&manifest)?;
        let region = record.region.clone().filter(|r| valid_region(r)).or(region);
        Some(ViewerTarget {
            content_state: Some(canvas_state(&manifest, &canvas, region.as_deref())),
            manifest,
            canvas: Some(canvas),
        })
    }

    /// Collection members, linked to their own PID pages where they have one.
    fn members(&self, r: &Resource) -> Vec<MemberContext> {
        r.members
            .iter()
            .map(|m| {
                let pid_page = self
                    .pid_index
                    .get()
                    .and_then(|i| i.get(m.id.trim()))
                    .cloned();
                MemberContext {
                    label: m
                        .label
                        .as_ref()
                        .map_or_else(|| m.id.clone(), |l| l.value.clone()),
                    lang: self.other_language(m.label.as_ref()),
                    kind: m.kind.label().to_string(),
                    thumbnail: m.thumbnail.clone(),
                    has_pid: pid_page.is_some(),
                    url: pid_page.or_else(|| http_url(&m.id)),
                }
            })
            .collect()
    }

    /// The language of a label, for its `lang` attribute: only when it is
    /// not the site's (the page's `<html lang>`). Members and images are
    /// listed by the hundred, so this is settled here rather than by one more
    /// comparison per item in the template.
    fn other_language(&self, label: Option<&Text>) -> Option<String> {
        label
            .and_then(|l| l.lang.as_ref())
            .filter(|l| **l != self.config.language)
            .cloned()
    }

    /// The annotations of an annotation page or annotation: transcriptions
    /// as text in reading order, the others as a list, each with a link that
    /// opens its target on the target manifest's PID page when the site has
    /// one (see [`annotations`]).
    fn annotations(&self, r: &Resource) -> AnnotationsContext {
        // A link opening a target (at its region) on the target manifest's
        // PID page.
        let open = |t: &crate::model::resource::TargetRef, region: Option<&str>| {
            let manifest = t.manifest.as_deref()?;
            let page = self.pid_index.get()?.get(manifest.trim())?;
            let state = canvas_state(manifest, &t.source, region);
            Some(format!("{page}?iiif-content={state}"))
        };
        let open_at = |a: &crate::model::resource::AnnotationView| {
            let t = a.target_ref.as_ref()?;
            open(t, t.region.as_deref())
        };
        let (texts, text_cut) = annotations::transcription(r);
        let several = texts.len() > 1;
        let text = texts
            .into_iter()
            .enumerate()
            .map(|(i, t)| TextContext {
                heading: several.then(|| {
                    t.label
                        .map_or_else(|| format!("Image {}", i + 1), annotations::canvas_name)
                }),
                lang: t
                    .lang
                    .filter(|l| *l != self.config.language)
                    .map(str::to_string),
                lines: t.lines,
                // The whole canvas, as a heading opens it.
                open_url: several
                    .then(|| t.first.target_ref.as_ref().and_then(|tr| open(tr, None)))
                    .flatten(),
            })
            .collect();
        let (listed, items_left) = annotations::listed(r, |a| open_at(a).map_or(0, |u| u.len()));
        let items = listed
            .into_iter()
            .map(|a| {
                let on = a.target_ref.as_ref().map(|t| {
                    let canvas = t.label.as_ref().map_or_else(
                        || "the image".to_string(),
                        |l| annotations::canvas_name(&l.value),
                    );
                    match &t.region {
                        Some(_) => format!("a region of {canvas}"),
                        None => canvas,
                    }
                });
                AnnotationItem {
                    what: annotations::item_word(a),
                    body: a.body.as_ref().map(annotations::shown_body),
                    tags: a.tags.clone(),
                    on,
                    open_url: open_at(a),
                }
            })
            .collect();
        AnnotationsContext {
            text,
            text_cut,
            items,
            items_left,
            total: r.annotation_total,
        }
    }

    /// A redirect stub, counted and listed in the summary.
    fn stub(
        &self,
        summary: &mut Summary,
        from: &str,
        path: SitePath,
        target: &SitePath,
    ) -> Result<Output> {
        summary.stubs += 1;
        summary.redirects.push(Redirect {
            from: self.config.path(path.as_str()),
            to: self.config.path(target.as_str()),
            status: 301,
        });
        self.redirect(from, path, target)
    }

    /// A redirect stub at `path` sending visitors to `target`, carrying the
    /// query string and fragment along.
    pub fn redirect(&self, from: &str, path: SitePath, target: &SitePath) -> Result<Output> {
        let target_path = self.config.path(target.as_str());
        let ctx = RedirectContext {
            site: &self.site,
            target_js: script_safe(&Value::String(target_path.clone())),
            target_url: self.config.url(target.as_str()),
            target: target_path,
            from: from.to_string(),
        };
        Ok(Output::new(path, self.render("redirect.html", &ctx)?))
    }

    /// A Markdown page at `/<slug>/`: where it goes and what `page.html`
    /// renders it from.
    fn page_context<'p>(&'p self, page: &'p Page) -> (SitePath, PageContext<'p>) {
        let path = SitePath::folder([page.slug.as_str()]);
        let ctx = PageContext {
            site: &self.site,
            head: self.head(page.title.clone(), page.description.clone(), &path),
            page,
        };
        (path, ctx)
    }

    /// The page listing every image of a long manifest, each with the link
    /// that opens the landing page's viewer at it (`images.html`).
    fn canvas_page(
        &self,
        title: &str,
        genre: GenreFacts,
        landing: &SitePath,
        path: &SitePath,
        links: &[CanvasLink],
    ) -> Result<Output> {
        let ctx = ImagesContext {
            site: &self.site,
            head: self.head(
                format!("{} of {title}", capitalised(genre.parts)),
                String::new(),
                path,
            ),
            title,
            landing_url: self.config.path(landing.as_str()),
            canvas_links: links,
            canvas_total: links.len(),
            genre,
        };
        Ok(Output::new(path.clone(), self.render("images.html", &ctx)?))
    }

    /// The page listing every member of a long collection, linked to its
    /// PID page where it has one (`members.html`).
    fn member_page(
        &self,
        title: &str,
        landing: &SitePath,
        path: &SitePath,
        members: &[MemberContext],
    ) -> Result<Output> {
        let ctx = MembersContext {
            site: &self.site,
            head: self.head(format!("Members of {title}"), String::new(), path),
            title,
            landing_url: self.config.path(landing.as_str()),
            members,
            member_total: members.len(),
        };
        Ok(Output::new(
            path.clone(),
            self.render("members.html", &ctx)?,
        ))
    }

    /// `404.html`: where it goes and what it is rendered from.
    fn not_found_context(&self) -> (SitePath, NotFoundContext<'_>) {
        let path = SitePath::root().file("404.html");
        let mut head = self.head("Page not found".into(), String::new(), &path);
        head.robots = Some("noindex".into());
        let ctx = NotFoundContext {
            site: &self.site,
            head,
        };
        (path, ctx)
    }
}

/// A JSON file: pretty-printed, ending in a newline.
fn json_file(value: &Value) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(value).expect("a serde_json::Value always serialises");
    bytes.push(b'\n');
    bytes
}

/// A resource's links, labelled for the page.
fn links(r: &Resource) -> Vec<LinkContext> {
    r.links
        .iter()
        .map(|l| LinkContext {
            role: l.kind.label().to_string(),
            text: l
                .label
                .as_ref()
                .map_or_else(|| l.url.clone(), |t| t.value.clone()),
            lang: l.label.as_ref().and_then(|t| t.lang.clone()),
            url: l.url.clone(),
            format: l.format.clone(),
        })
        .collect()
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// JSON that is safe inside `<script>`: no `<`, `>`, `&` or line separators
/// can end the element or confuse a parser.
fn script_safe(value: &Value) -> String {
    serde_json::to_string(value)
        .expect("a serde_json::Value always serialises")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Highwire Press `citation_*` tags, which Google Scholar and Zotero read.
fn meta_tags(c: &Citation, landing_url: &str) -> Vec<Meta> {
    let mut meta = vec![Meta {
        name: "citation_title".into(),
        content: c.title.clone(),
    }];
    for creator in &c.creators {
        meta.push(Meta {
            name: "citation_author".into(),
            content: creator.clone(),
        });
    }
    // The whole date as far as it is known, in the form Google Scholar asks
    // for (`1882/04/12`, `1882`): Zotero reads it as the item's date, so a
    // year alone would lose the month and day.
    if let Some(date) = c.date_joined("/") {
        meta.push(Meta {
            name: "citation_publication_date".into(),
            content: date,
        });
    }
    if let Some(p) = &c.publisher {
        meta.push(Meta {
            name: "citation_publisher".into(),
            content: p.clone(),
        });
    }
    if let Some(doi) = &c.doi {
        meta.push(Meta {
            name: "citation_doi".into(),
            content: doi.clone(),
        });
    }
    meta.push(Meta {
        name: "citation_abstract_html_url".into(),
        content: landing_url.to_string(),
    });
    // The URL to cite (the PID's resolver URL, or the landing page for a
    // local identifier): Zotero's Embedded Metadata translator takes the
    // item's URL from here before the landing page.
    meta.push(Meta {
        name: "citation_public_url".into(),
        content: c.url.clone(),
    });
    meta
}

/// `word` with its first letter upper case ("pages" -> "Pages").
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The page's schema.org description. A withdrawn resource's says so
/// (`creativeWorkStatus`) and names no image or manifest.
fn json_ld(
    c: &Citation,
    r: Option<&Resource>,
    landing_url: &str,
    manifest: Option<&str>,
    withdrawn: bool,
) -> String {
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": c.genre.facts().schema_org,
        "@id": landing_url,
        "url": landing_url,
        "name": c.title,
        "identifier": {
            "@type": "PropertyValue",
            "propertyID": c.scheme,
            "value": c.pid,
            "url": c.url,
        },
    });
    let obj = v.as_object_mut().expect("built as an object above");
    if let Some(s) = r.and_then(|r| r.summary.as_ref()) {
        obj.insert("description".into(), json!(s.text));
    }
    if let Some(t) = r.and_then(|r| r.thumbnail.as_ref()).filter(|_| !withdrawn) {
        obj.insert("image".into(), json!(t));
    }
    if withdrawn {
        obj.insert("creativeWorkStatus".into(), json!("Withdrawn"));
    }
    if let Some(l) = &c.license {
        obj.insert("license".into(), json!(l));
    }
    if !c.creators.is_empty() {
        let creators: Vec<Value> = c
            .creators
            .iter()
            .map(|n| json!({"@type": "Person", "name": n}))
            .collect();
        obj.insert("creator".into(), Value::Array(creators));
    }
    if let Some(d) = &c.date {
        obj.insert("dateCreated".into(), json!(d));
    }
    if let Some(p) = &c.publisher {
        obj.insert(
            "publisher".into(),
            json!({"@type": "Organization", "name": p}),
        );
    }
    if let Some(m) = manifest {
        obj.insert(
            "subjectOf".into(),
            json!({"@type": "MediaObject", "contentUrl": m, "encodingFormat": "application/ld+json"}),
        );
    }
    script_safe(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_cannot_close_the_element() {
        let s = script_safe(&json!({"x": "</script><script>alert(1)</script>"}));
        assert!(!s.contains("</"), "{s}");
    }

    #[test]
    fn truncates_on_words() {
        assert_eq!(truncate("one two three", 9), "one two…");
    }
}
