//! The site-wide outputs, made in one pass over the PIDs' summaries in
//! registry order, each summary dropped after it has been added: the home
//! page and its continuation pages are written as each fills, the sitemap
//! as each 50,000 URLs fill (`pids.csv` is streamed by the build itself,
//! see `build::site`). What needs the whole
//! site keeps only its own part of each summary: the feed its newest
//! entries, Change Discovery the activities (to order them by time), the
//! redirect exports the redirects.
//!
//! A rebuild keeps a page (list pages, Markdown pages, `404.html`) whose
//! context hashes as the last build's did (the templates and the binary are
//! the same, or the build would be a full one): rendering the lists again
//! was most of a no-op rebuild, and one that keeps every page does not
//! parse the templates at all.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::browse::{self, Browse, FacetGroup};
use super::context::{BrowseContext, Download, IndexContext, ListItem, MapContext};
use super::feeds::{self, FeedEntry, KeptActivity, SitemapUrl, Sitemaps};
use super::map::{MapPage, MAP_PAGE, MAP_PER_PAGE};
use super::search::{self, SearchIndex};
use super::{exports, rules, Renderer, Sink, Summary, PER_PAGE};
use crate::error::Result;
use crate::load::pages::Page;
use crate::lock::{LockDates, LockedPage};
use crate::model::rule::Rule;
use crate::model::site_path::SitePath;
use crate::output::{export, Output, Redirect, SearchRecord};

pub use crate::output::SitePage;

/// The site-wide outputs in the making.
pub struct SiteWide<'r> {
    renderer: &'r Renderer<'r>,
    /// PIDs on the home page lists, in all.
    listed: usize,
    /// The list page being filled, and how many were written.
    page: Vec<ListItem>,
    pages_written: usize,
    /// The home page's file and the hash of its context, once rendered.
    home: Option<(String, String)>,
    /// The dates of the site's own pages in the last lock.
    dates: &'r LockDates,
    sitemaps: Sitemaps,
    feed: Vec<FeedEntry>,
    activities: Vec<KeptActivity>,
    redirects: Vec<Redirect>,
    /// The search index's input and browse groups (none when search is
    /// off).
    search: Option<SearchInput>,
    /// The bulk export files, as the home page links them, and their
    /// paths in the output.
    exports: Vec<Download>,
    export_files: Vec<String>,
    /// The located PIDs (none when the site has no maps).
    map: Option<MapPage>,
    keeper: Keeper<'r>,
}

/// Renders pages from templates, or keeps them as the last build wrote
/// them.
struct Keeper<'r> {
    /// The live output and the last build's pages (rebuilds).
    last: Option<(&'r Path, &'r HashMap<String, SitePage>)>,
    pages: SitePages,
}

/// What became of the pages rendered from templates: list pages (home page
/// and continuations), Markdown pages and `404.html`.
#[derive(Debug, Default)]
pub struct SitePages {
    /// How many list pages there are.
    pub lists: usize,
    /// Each page's file and the hash of the context it is rendered from.
    pub hashes: HashMap<String, SitePage>,
    /// The pages in the sitemap with when their contexts last changed, for
    /// `pidsite.lock` (sorted by file).
    pub dated: Vec<LockedPage>,
    /// Those kept as the last build wrote them: file and size.
    pub kept: Vec<(String, u64)>,
}

impl<'r> SiteWide<'r> {
    /// Start, with the number of PIDs that have a list item (the home page
    /// says how many pages follow it). `last` is the live output and its
    /// pages as the last build rendered them, for a rebuild; `dates` are
    /// the last lock's, which date the pages in the sitemap.
    pub fn new(
        renderer: &'r Renderer<'r>,
        listed: usize,
        last: Option<(&'r Path, &'r HashMap<String, SitePage>)>,
        dates: &'r LockDates,
        datacite: bool,
    ) -> Result<Self> {
        let (export_files, exports) = exports(renderer, datacite).into_iter().unzip();
        Ok(SiteWide {
            renderer,
            listed,
            page: Vec::with_capacity(PER_PAGE),
            pages_written: 0,
            home: None,
            dates,
            sitemaps: Sitemaps::default(),
            feed: Vec::new(),
            activities: Vec::new(),
            redirects: Vec::new(),
            search: renderer.config.search.then(SearchInput::default),
            exports,
            export_files,
            map: renderer.map.as_ref().map(|_| MapPage::default()),
            keeper: Keeper {
                last,
                pages: SitePages::default(),
            },
        })
    }

    /// Add one PID's summary.
    pub fn add(&mut self, summary: Summary, emit: &mut Sink<'_>) -> Result<()> {
        let r = self.renderer;
        let now = r.time.instant.as_str();
        if let Some(loc) = &summary.sitemap {
            let url = SitemapUrl {
                loc,
                lastmod: summary.modified.as_deref(),
                image: summary.item.as_ref().and_then(|i| i.thumbnail.as_deref()),
            };
            if let Some((name, xml)) = self.sitemaps.add(&url) {
                emit(Output::new(SitePath::root().file(&name), xml))?;
            }
        }
        if let (Some(item), Some(row)) = (&summary.item, summary.rows.first()) {
            self.feed.push(FeedEntry {
                title: item.title.clone(),
                pid: item.pid.clone(),
                url: row[1].clone(),
                updated: summary.modified.clone().unwrap_or_else(|| now.to_string()),
                summary: format!("{} ({})", item.kind, item.status),
            });
            if self.feed.len() >= 4 * feeds::FEED_ENTRIES {
                feeds::newest(&mut self.feed);
            }
        }
        let kept = summary.activities.iter().map(KeptActivity::new);
        self.activities.extend(kept);
        self.redirects.extend(summary.redirects);
        if let (Some(search), Some(item), Some(record)) =
            (&mut self.search, &summary.item, summary.search)
        {
            search.add(item, record);
        }
        if let (Some(map), Some(item)) = (&mut self.map, &summary.item) {
            map.add(item, &summary.places);
        }
        if let Some(item) = summary.item {
            self.page.push(item);
            if self.page.len() == PER_PAGE {
                self.write_page(emit)?;
            }
        }
        Ok(())
    }

    /// Write what is left: the last list page, the sitemap, `feed.xml`,
    /// Change Discovery under `activity/`, `robots.txt`,
    /// `.nojekyll`, the redirect exports (`_redirects`, `.htaccess`,
    /// `pidsite-redirects.map`), the Markdown pages and `404.html`. Returns
    /// what became of the pages rendered from templates.
    pub fn finish(
        mut self,
        pages: &[Page],
        rules: &[Rule],
        emit: &mut Sink<'_>,
    ) -> Result<SitePages> {
        let r = self.renderer;
        if !self.page.is_empty() || self.pages_written == 0 {
            self.write_page(emit)?;
        }
        // The site's own pages are last in the sitemap: each one's
        // `lastmod` is when its context last changed, known once rendered.
        if let Some((file, hash)) = self.home.take() {
            self.add_own_page(&r.config.url(""), file, hash, emit)?;
        }
        let map_page = match self.map.take() {
            Some(map) => self.write_map(map, emit)?,
            None => None,
        };
        if let Some(search) = self.search.take() {
            self.write_index(search.records, search.hasher, emit)?;
            self.write_browse(search.browse, map_page.as_deref(), emit)?;
        }
        for page in pages {
            let (path, ctx) = r.page_context(page);
            let loc = r.config.url(path.as_str());
            let file = path.file_name();
            let hash = self.keeper.render(r, path, "page.html", &ctx, emit)?;
            self.add_own_page(&loc, file, hash, emit)?;
        }
        self.keeper.pages.dated.sort_by(|a, b| a.file.cmp(&b.file));
        // The export files are in the sitemap for harvesters to find.
        for file in &self.export_files {
            let loc = r.config.url(file);
            let url = SitemapUrl {
                loc: &loc,
                lastmod: None,
                image: None,
            };
            if let Some((name, xml)) = self.sitemaps.add(&url) {
                emit(Output::new(SitePath::root().file(&name), xml))?;
            }
        }
        let (path, mut ctx) = r.not_found_context();
        // The 404 page runs the rules where the host has no server rules;
        // the script's address changes with them, so no browser keeps old
        // rules.
        if let Some(script) = rules::script(rules) {
            let hash = blake3::hash(script.as_bytes()).to_hex();
            ctx.redirect_rules = Some(format!(
                "{}?v={}",
                r.config.path(rules::SCRIPT),
                &hash[..12]
            ));
            emit(Output::new(SitePath::root().file(rules::SCRIPT), script))?;
        }
        self.keeper.render(r, path, "404.html", &ctx, emit)?;
        let root = SitePath::root();
        for (name, xml) in self.sitemaps.finish(|f| r.config.url(f)) {
            emit(Output::new(root.file(&name), xml))?;
        }

        let home = r.config.url("");
        let feed_url = r.config.url("feed.xml");
        let feed = feeds::atom(
            &feeds::FeedSite {
                title: &r.config.title,
                url: &home,
                self_url: &feed_url,
                author: &r.config.publisher,
                now: &r.time.instant,
            },
            &mut self.feed,
        );
        emit(Output::new(root.file("feed.xml"), feed))?;

        let activities = &mut self.activities;
        feeds::change_discovery(
            activities,
            |f| r.config.url(f),
            |file, json| {
                let (dir, name) = file
                    .split_once('/')
                    .expect("activity files are in activity/");
                emit(Output::new(SitePath::folder([dir]).file(name), json))
            },
        )?;

        let robots = format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\n",
            r.config.url("sitemap.xml")
        );
        emit(Output::new(root.file("robots.txt"), robots))?;
        emit(Output::new(root.file(".nojekyll"), Vec::new()))?;
        let redirects: Vec<&Redirect> = self.redirects.iter().collect();
        // The site's rules after the PIDs' lines: a PID's redirect wins.
        emit(Output::new(
            root.file("_redirects"),
            exports::netlify(&redirects) + &rules::netlify(rules),
        ))?;
        emit(Output::new(
            root.file(".htaccess"),
            exports::apache(&redirects) + &rules::apache(rules),
        ))?;
        emit(Output::new(
            root.file("pidsite-redirects.map"),
            exports::nginx(&redirects) + &rules::nginx(rules),
        ))?;
        self.keeper.pages.lists = self.pages_written;
        Ok(self.keeper.pages)
    }

    /// A page of the site's own (home, Markdown pages) in the sitemap,
    /// dated by when its context (`hash`) last changed, as the lock keeps it.
    fn add_own_page(
        &mut self,
        loc: &str,
        file: String,
        hash: String,
        emit: &mut Sink<'_>,
    ) -> Result<()> {
        let modified = crate::lock::instant(self.dates.page(&file, &hash));
        let url = SitemapUrl {
            loc,
            lastmod: Some(&modified),
            image: None,
        };
        self.keeper.pages.dated.push(LockedPage {
            file,
            hash,
            modified: modified.clone(),
        });
        match self.sitemaps.add(&url) {
            Some((name, xml)) => emit(Output::new(SitePath::root().file(&name), xml)),
            None => Ok(()),
        }
    }

    /// The home page (n = 1) or a continuation page (`page/n/`).
    fn write_page(&mut self, emit: &mut Sink<'_>) -> Result<()> {
        let r = self.renderer;
        let page_count = self.listed.div_ceil(PER_PAGE).max(1);
        let n = self.pages_written + 1;
        let page_path = |n: usize| {
            if n == 1 {
                SitePath::root()
            } else {
                SitePath::folder(["page", &n.to_string()])
            }
        };
        let path = page_path(n);
        let title = if n == 1 {
            r.config.title.clone()
        } else {
            format!("{} — page {n}", r.config.title)
        };
        let items: Vec<&ListItem> = self.page.iter().collect();
        let ctx = IndexContext {
            site: &r.site,
            head: r.head(title, r.config.description.clone(), &path),
            items: &items,
            total: self.listed,
            page_number: n,
            page_count,
            prev: (n > 1).then(|| r.config.path(page_path(n - 1).as_str())),
            next: (n < page_count).then(|| r.config.path(page_path(n + 1).as_str())),
            exports: &self.exports,
        };
        let file = path.file_name();
        let hash = self.keeper.render(r, path, "index.html", &ctx, emit)?;
        if n == 1 {
            self.home = Some((file, hash));
        }
        self.page.clear();
        self.pages_written = n;
        Ok(())
    }
}

impl SiteWide<'_> {
    /// Write the search index, `pagefind/`, or keep it as the last build
    /// wrote it when it is made from the same records (a rebuild that
    /// changed no PID's list item or search record; Pagefind cannot update
    /// an index, and making it is most of what search costs a build).
    fn write_index(
        &mut self,
        records: Vec<(ListItem, SearchRecord)>,
        hasher: blake3::Hasher,
        emit: &mut Sink<'_>,
    ) -> Result<()> {
        let key = format!("{}/", search::FOLDER);
        let hash = hasher.finalize().to_hex().to_string();
        let live = self
            .keeper
            .last
            .filter(|(_, pages)| pages.get(&key).is_some_and(|p| p.hash == hash))
            .and_then(|(out, _)| live_files(out, search::FOLDER));
        match live {
            Some(files) => self.keeper.pages.kept.extend(files),
            None => {
                let mut index = SearchIndex::new(&self.renderer.config.language)?;
                // Each record dropped once Pagefind has its own copy.
                for (item, record) in records {
                    index.add(&item, &record)?;
                }
                for output in index.finish()? {
                    // The chunks (one fragment per PID) are named by a hash
                    // of their content, so most are in the live output
                    // already: kept there (linked, not written again) when
                    // their bytes are the same (Pagefind lengthens a
                    // colliding short hash, so a name alone is not proof).
                    let file = output.path.file_name();
                    let same = self
                        .keeper
                        .last
                        .filter(|_| search::hash_named(&file))
                        .and_then(|(out, _)| std::fs::read(out.join(&file)).ok())
                        .is_some_and(|live| live == output.bytes);
                    match same {
                        true => {
                            let size = output.bytes.len() as u64;
                            self.keeper.pages.kept.push((file, size));
                        }
                        false => emit(output)?,
                    }
                }
            }
        }
        self.keeper.pages.hashes.insert(key, SitePage { hash });
        Ok(())
    }

    /// The search page, `browse/` and each browsed facet value's pages,
    /// all in the sitemap.
    fn write_browse(
        &mut self,
        browse: Browse,
        map_page: Option<&str>,
        emit: &mut Sink<'_>,
    ) -> Result<()> {
        let r = self.renderer;
        let facets = browse.facets(|p| r.config.path(p.as_str()));
        let root = BrowseView {
            map_page,
            facets: &facets,
            facet: None,
            value: None,
            items: &[],
            total: 0,
            n: 1,
            count: 1,
            prev: None,
            next: None,
        };
        let search = SitePath::folder(["search"]);
        let title = r.strings().format(
            "search.page_title",
            None,
            &[("site", r.config.title.as_str())],
        );
        let ctx = root.context(r, title.unwrap_or_default(), &search);
        self.add_page(search, "search.html", &ctx, emit)?;
        let path = SitePath::folder(["browse"]);
        let ctx = root.context(r, r.text("browse.title"), &path);
        self.add_page(path, "browse.html", &ctx, emit)?;
        for (facet, slug, value, items) in browse.pages() {
            let (total, count) = (items.len(), items.len().div_ceil(PER_PAGE));
            for (i, chunk) in items.chunks(PER_PAGE).enumerate() {
                let n = i + 1;
                let url = |n: usize| r.config.path(browse::value_path(facet, &slug, n).as_str());
                let on_page: Vec<&ListItem> = chunk.iter().collect();
                let view = BrowseView {
                    map_page,
                    facets: &facets,
                    facet: Some(facet),
                    value: Some(&value),
                    items: &on_page,
                    total,
                    n,
                    count,
                    prev: (n > 1).then(|| url(n - 1)),
                    next: (n < count).then(|| url(n + 1)),
                };
                let path = browse::value_path(facet, &slug, n);
                let title = match n {
                    1 => value.clone(),
                    _ => {
                        let page = n.to_string();
                        let args = [("value", value.as_str()), ("page", page.as_str())];
                        (r.strings().format("browse.page_title", None, &args)).unwrap_or_default()
                    }
                };
                let ctx = view.context(r, title, &path);
                self.add_page(path, "browse.html", &ctx, emit)?;
            }
        }
        Ok(())
    }

    /// The map page (`map/`, and `map/page/N/` past [`MAP_PER_PAGE`]
    /// located PIDs), when any PID is located: returns its URL.
    fn write_map(&mut self, map: MapPage, emit: &mut Sink<'_>) -> Result<Option<String>> {
        let r = self.renderer;
        let Some(assets) = r.map.as_ref().filter(|_| !map.entries.is_empty()) else {
            return Ok(None);
        };
        let total = map.entries.len();
        let count = total.div_ceil(MAP_PER_PAGE);
        let url = |n: usize| r.config.path(map_path(n).as_str());
        for (i, entries) in map.entries.chunks(MAP_PER_PAGE).enumerate() {
            let n = i + 1;
            let path = map_path(n);
            let title = match n {
                1 => r.text("map.title"),
                _ => format!("{} — {n}", r.text("map.title")),
            };
            let ctx = MapContext {
                site: &r.site,
                head: r.head(title, r.config.description.clone(), &path),
                map: assets,
                place_count: entries.iter().map(|e| e.places.len()).sum(),
                entries,
                total,
                page_number: n,
                page_count: count,
                prev: (n > 1).then(|| url(n - 1)),
                next: (n < count).then(|| url(n + 1)),
            };
            self.add_page(path, "map.html", &ctx, emit)?;
        }
        Ok(Some(url(1)))
    }

    /// Render a page of the site's own and date it in the sitemap.
    fn add_page(
        &mut self,
        path: SitePath,
        template: &str,
        ctx: &impl Serialize,
        emit: &mut Sink<'_>,
    ) -> Result<()> {
        let r = self.renderer;
        let loc = r.config.url(path.as_str());
        let file = path.file_name();
        let hash = self.keeper.render(r, path, template, ctx, emit)?;
        self.add_own_page(&loc, file, hash, emit)
    }
}

/// The path of page `n` of the map page.
fn map_path(n: usize) -> SitePath {
    match n {
        1 => SitePath::folder([MAP_PAGE]),
        _ => SitePath::folder([MAP_PAGE, "page", &n.to_string()]),
    }
}

/// What a browse page shows, before the site's head is added.
struct BrowseView<'a> {
    map_page: Option<&'a str>,
    facets: &'a [FacetGroup],
    facet: Option<&'a str>,
    value: Option<&'a str>,
    items: &'a [&'a ListItem],
    total: usize,
    n: usize,
    count: usize,
    prev: Option<String>,
    next: Option<String>,
}

impl<'a> BrowseView<'a> {
    fn context(&self, r: &'a Renderer<'_>, title: String, path: &SitePath) -> BrowseContext<'a> {
        BrowseContext {
            site: &r.site,
            head: r.head(title, r.config.description.clone(), path),
            facets: self.facets,
            facet: self.facet,
            value: self.value,
            items: self.items,
            total: self.total,
            page_number: self.n,
            page_count: self.count,
            prev: self.prev.clone(),
            next: self.next.clone(),
            map_page: self.map_page.map(str::to_string),
        }
    }
}

impl Keeper<'_> {
    /// Render `template` with `ctx` to `path`, unless the last build
    /// rendered the same context there and the live output still holds it.
    /// The context is what the page is made from: the same context,
    /// templates and binary make the same page. Returns the context's hash.
    fn render(
        &mut self,
        renderer: &Renderer<'_>,
        path: SitePath,
        template: &str,
        ctx: &impl Serialize,
        emit: &mut Sink<'_>,
    ) -> Result<String> {
        let file = path.file_name();
        let mut hasher = blake3::Hasher::new();
        hasher.update(template.as_bytes());
        hasher.update(b"\0");
        // A context that cannot serialise fails to render below.
        hash_json(&mut hasher, ctx);
        let hash = hasher.finalize().to_hex().to_string();
        let same = self
            .last
            .and_then(|(out, pages)| Some((out, pages.get(&file)?)))
            .filter(|(_, page)| page.hash == hash);
        let live = same
            .and_then(|(out, _)| std::fs::metadata(out.join(&file)).ok())
            .filter(|m| m.is_file());
        match live {
            Some(live) => self.pages.kept.push((file.clone(), live.len())),
            None => emit(Output::new(path, renderer.render(template, ctx)?))?,
        }
        self.pages
            .hashes
            .insert(file, SitePage { hash: hash.clone() });
        Ok(hash)
    }
}

/// The bulk export files (see `render::bulk`), root-relative, in the
/// order the home page lists them; the DataCite zip only on a site with
/// DOIs.
fn exports(r: &Renderer<'_>, datacite: bool) -> Vec<(String, Download)> {
    let files = [
        ("export.csv", export::CSV, "text/csv"),
        ("export.jsonl", export::JSONL, "application/jsonl"),
        ("export.datacite", export::DATACITE, "application/zip"),
    ];
    files
        .into_iter()
        .filter(|(_, name, _)| datacite || *name != export::DATACITE)
        .map(|(key, name, media_type)| {
            let file = SitePath::folder([export::FOLDER]).file(name).file_name();
            let download = Download {
                label: r.text(key),
                url: r.config.path(&file),
                media_type: media_type.into(),
            };
            (file, download)
        })
        .collect()
}

/// What the search index is made from, gathered in registry order, and
/// its hash.
#[derive(Default)]
struct SearchInput {
    records: Vec<(ListItem, SearchRecord)>,
    hasher: blake3::Hasher,
    browse: Browse,
}

impl SearchInput {
    fn add(&mut self, item: &ListItem, record: SearchRecord) {
        hash_json(&mut self.hasher, &(item, &record));
        self.browse.add(item, &record);
        self.records.push((item.clone(), record));
    }
}

/// Add `value`'s JSON to `hasher`, through a buffer: serde_json writes a
/// token at a time, and an update of the hasher costs as much as hashing
/// dozens of bytes (the list pages' contexts were 5% of a 10,000-PID
/// rebuild's instructions). Writing to a hasher cannot fail.
fn hash_json(hasher: &mut blake3::Hasher, value: &impl Serialize) {
    let mut into = std::io::BufWriter::with_capacity(8192, hasher);
    let _ = serde_json::to_writer(&mut into, value);
    let _ = std::io::Write::flush(&mut into);
}

/// The files under `folder` of the live output `out`, as (file, size),
/// or none when it has no Pagefind entry file (gone, or never made).
fn live_files(out: &Path, folder: &str) -> Option<Vec<(String, u64)>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(out.join(folder)) {
        let entry = entry.ok()?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(out).ok()?;
            let parts: Vec<_> = rel.iter().map(|c| c.to_string_lossy()).collect();
            files.push((parts.join("/"), entry.metadata().ok()?.len()));
        }
    }
    let entry = format!("{folder}/pagefind-entry.json");
    files.iter().any(|(f, _)| *f == entry).then_some(files)
}
