//! Rendering: model -> [`Output`]s (`{path, bytes}`) in memory. Never touches
//! the disk; `write` knows where outputs go. One [`Renderer`] is built per
//! build (templates parsed once, citation styles loaded once when first
//! needed) and shared by every worker.
//!
//! This file holds the [`Renderer`] and [`Renderer::entry`], which makes
//! every output of one PID from the parts in its submodules: `landing`
//! (a landing page or tombstone and the files beside it), `versions` (the
//! pages of a PID with several versions), `stubs` (redirect stubs),
//! `activities` (its Change Discovery activities). `context` holds what
//! templates get, `meta` what machines read on a page, `annotations` how
//! annotation pages read; `site_wide` makes the pages about every PID.
//! Submodules name this module (for the [`Renderer`]); this module names
//! none of theirs but `context`, `meta`, `annotations`, `feeds`, `minify` and
//! `templates`, which name no module above them (`tests/architecture.rs`).

mod activities;
pub mod annotations;
pub mod browse;
pub mod bulk;
mod compact;
pub mod context;
pub mod exports;
pub mod feeds;
pub mod i18n;
mod landing;
pub mod map;
pub mod meta;
mod minify;
pub mod rules;
pub mod search;
pub mod site_wide;
mod stubs;
pub mod templates;
mod versions;

pub use minify::minify_cfg;

use serde::Serialize;

use crate::citation::styles::Styles;
use crate::citation::Citation;
use crate::clock::BuildTime;
use crate::config::{SiteConfig, ViewerKind, ViewerSource};
use crate::error::Result;
use crate::load::pages::{Note, Page};
use crate::load::target::Loaded;
use crate::lock::Dates;
use crate::model::record::{Entry, Record, Status};
use crate::model::resource::Resource;
use crate::model::site_path::SitePath;
use crate::output::{Output, Redirect, Summary};
use context::*;

/// The Mirador release pidsite ships and pins.
pub const MIRADOR_VERSION: &str = "4.0.0";
/// SHA-384 of `dist/mirador.min.js` in the npm package `mirador@4.0.0`.
pub const MIRADOR_SRI: &str =
    "sha384-htgTGGN+3plNExQGon3yKdiqYPAXLS8yj/jfexxUSNWOcMvTgoodTZ6jt6eQFLz9";

/// The Leaflet release pidsite ships (`static/vendor/leaflet-…`), which
/// draws the maps.
pub const LEAFLET_VERSION: &str = "1.9.4";

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
    /// The PID's aliases as written (every row's), for its export record
    /// (a version page has none of its own).
    aliases: Vec<&'r str>,
}

/// What pages that link to other PIDs' pages need to know of them: made by
/// the build after its first pass, from every PID (see `crate::build`).
#[derive(Debug, Default)]
pub struct PidIndex {
    /// IIIF id -> root-relative landing URL of the PID naming it.
    pub pages: std::collections::HashMap<String, String>,
    /// IIIF id -> title of the PID page naming it, for the manifests that
    /// annotation pages say they annotate.
    pub titles: std::collections::HashMap<String, String>,
}

/// Renders every kind of page.
pub struct Renderer<'a> {
    /// Other PIDs' pages, empty until the build's second pass (see
    /// [`Renderer::with_index`]).
    index: PidIndex,
    templates: templates::Templates,
    config: &'a SiteConfig,
    site: SiteContext,
    /// What pages with a map load (none when the site has no maps).
    map: Option<MapAssets>,
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
        let strings = templates.strings();
        let mut nav = vec![NavLink {
            title: strings.get("nav.browse").unwrap_or("Browse").into(),
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
            dir: strings.direction(),
            base_path: config.base_path.clone(),
            base_url: config.base_url.clone(),
            nav,
            footer_html: crate::load::markdown::render(&config.footer, config.raw_html).html,
            logo: config
                .logo
                .as_ref()
                .map(|l| config.path(l.trim_start_matches('/'))),
            publisher: config.publisher.clone(),
            viewer,
            asset_version: env!("CARGO_PKG_VERSION").into(),
            search: config.search,
        };
        let map = config.map.enabled.then(|| MapAssets {
            leaflet: config.path(&format!("vendor/leaflet-{LEAFLET_VERSION}/leaflet.js")),
            stylesheet: config.path(&format!("vendor/leaflet-{LEAFLET_VERSION}/leaflet.css")),
            script: config.path("js/map.js"),
            tiles: config.map.tiles.clone(),
            attribution: config.map.attribution.clone(),
            attribution_url: config.map.attribution_url.clone(),
            page: config.path(SitePath::folder([map::MAP_PAGE]).as_str()),
        });
        Renderer {
            map,
            index: PidIndex::default(),
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

    /// The renderer with `index`, with which collection and annotation
    /// pages link to other PIDs' pages and annotation pages are titled
    /// (an empty one drops the last: a large site's is tens of megabytes).
    pub fn with_index(self, index: PidIndex) -> Self {
        Renderer { index, ..self }
    }

    /// The root-relative URL of the PID page naming IIIF id `id`, once
    /// the index is set (see [`Renderer::with_index`]).
    fn pid_page(&self, id: &str) -> Option<&str> {
        self.index.pages.get(id).map(String::as_str)
    }

    /// A PID's citation, its title said by what an unlabelled annotation
    /// page or annotation annotates (see [`annotations::title`]) when the
    /// registry gives none.
    fn citation(&self, record: &Record, resource: Option<&Resource>, url: String) -> Citation {
        let mut citation =
            Citation::derive(record, resource, &self.config.citation_defaults(), url);
        if let Some(title) = annotations::citation_title(record, resource, self.strings(), |id| {
            self.index.titles.get(id).cloned()
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

    /// The templates' syntax trees, for the next build, if this one parsed
    /// them (see [`templates::Templates::kept`]).
    pub fn kept_templates(&self) -> Option<Vec<u8>> {
        self.templates.kept()
    }

    fn styles(&self) -> &Styles {
        self.styles.get_or_init(|| {
            Styles::load(
                &self.config.citation_styles,
                &self.config.site_dir,
                self.config.citation_locale.as_deref(),
            )
        })
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

    /// The interface strings in the site's language.
    fn strings(&self) -> &i18n::Strings {
        self.templates.strings()
    }

    /// The text of translation `key` (the key itself were no table to
    /// have it: the English one has every key the code asks for).
    fn text(&self, key: &str) -> String {
        self.strings().get(key).unwrap_or(key).to_string()
    }

    /// What the IIIF document of a resource of kind `kind_name` is called:
    /// "IIIF manifest".
    fn document_label(&self, kind_name: &str) -> String {
        let kind = self.text(&format!("kind_text.{kind_name}"));
        (self
            .strings()
            .format("document.label", None, &[("kind", &kind)]))
        .unwrap_or_else(|| format!("IIIF {kind}"))
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
            rows: vec![[
                pid.label(),
                landing_url.clone(),
                record.status.name().into(),
            ]],
            ..Summary::default()
        };
        match record.status {
            Status::Moved => {
                let to = record
                    .replaced_by
                    .as_ref()
                    .expect("the registry checks that moved PIDs have replaced_by")
                    .landing_path();
                outputs.push(self.stub(&mut summary, &pid.label(), path.clone(), &to)?);
                summary.export = Some(self.moved_record(entry, &landing_url));
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
                    aliases: entry.aliases().iter().map(|a| a.written.as_str()).collect(),
                };
                let landed = self.landing(&spec)?;
                let (page_outputs, item) = (landed.outputs, landed.item);
                summary.search = self.config.search.then_some(landed.search);
                summary
                    .linksets
                    .extend(crate::output::JsonText::of(&landed.linkset));
                summary.export = Some(landed.export);
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
                if let (Some(r), Status::Active) = (&loaded[current].resource, record.status) {
                    summary.places = map::kept(r, &item.title);
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
            .details()
            .version_date
            .as_deref()
            .and_then(feeds::instant_of_date)
            .or_else(|| newest.map(crate::lock::instant));
        summary.activities = self.activities(entry, &loaded, dates, changed.as_deref());
        summary.modified = self
            .withdrawal(record, dates.get(entry.current_index()).copied().flatten())
            .or(changed);
        outputs.extend(self.other_names(entry, &dest, &mut summary)?);
        Ok((outputs, summary))
    }

    /// A moved PID's export record: its names, its status and where it
    /// moved (nothing to cite: it has no page of its own).
    fn moved_record(&self, entry: &Entry, landing_url: &str) -> crate::output::ExportRecord {
        let record = entry.current();
        let row = bulk::Row {
            pid: record.pid.label(),
            resolver_url: record.pid.resolver_url(&self.config.resolvers),
            aliases: entry.aliases().iter().map(|a| a.written.as_str()).collect(),
            status: record.status.name(),
            replaced_by: record.replaced_by.as_ref().map(|p| p.label()),
            landing_url,
            ..bulk::Row::default()
        };
        bulk::record(&row, None, None)
    }

    /// The redirect stubs of a PID's other names, to `dest`: its aliases
    /// (with their rows in `pids.csv`) and variant forms.
    fn other_names(
        &self,
        entry: &Entry,
        dest: &SitePath,
        summary: &mut Summary,
    ) -> Result<Vec<Output>> {
        let pid = &entry.current().pid;
        let mut outputs = Vec::new();
        let aliases = entry.aliases();
        for alias in &aliases {
            outputs.push(self.stub(summary, &alias.written, alias.path.clone(), dest)?);
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
            outputs.push(self.stub(summary, &pid.label(), variant, dest)?);
        }
        Ok(outputs)
    }

    /// When a withdrawn record was withdrawn (RFC 3339): the registry's
    /// `withdrawn_date`, else the first build that published it withdrawn
    /// as `pidsite.lock` keeps it, else this build; `None` unless withdrawn.
    fn withdrawal(&self, record: &Record, dates: Option<Dates>) -> Option<String> {
        (record.status == Status::Withdrawn).then(|| {
            record
                .details()
                .withdrawn_date
                .as_deref()
                .and_then(feeds::instant_of_date)
                .or_else(|| dates?.withdrawn.map(crate::lock::instant))
                .unwrap_or_else(|| self.time.instant.clone())
        })
    }

    /// A Markdown page at `/<slug>/`: where it goes and what `page.html`
    /// renders it from.
    fn page_context<'p>(&'p self, page: &'p Page) -> (SitePath, PageContext<'p>) {
        let path = SitePath::folder([page.slug.as_str()]);
        let ctx = PageContext {
            site: &self.site,
            head: self.head(page.title.clone(), page.description.clone(), &path),
            page: page.into(),
        };
        (path, ctx)
    }

    /// `404.html`: where it goes and what it is rendered from.
    fn not_found_context(&self) -> (SitePath, NotFoundContext<'_>) {
        let path = SitePath::root().file("404.html");
        let mut head = self.head(self.text("not_found.title"), String::new(), &path);
        head.robots = Some("noindex".into());
        let ctx = NotFoundContext {
            site: &self.site,
            head,
            redirect_rules: None,
        };
        (path, ctx)
    }
}
