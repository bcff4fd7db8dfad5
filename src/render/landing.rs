//! A PID's landing page (or, withdrawn, its tombstone) and the files beside
//! it: citations (BibTeX, RIS, CSL-JSON, DataCite XML), its linkset, the
//! site's copy of its IIIF document, and the pages listing every image of a
//! long manifest or every member of a long collection. [`Renderer::landing`]
//! settles what the page is made from ([`Facts`]), then each part: the
//! viewer, the downloads and signposts, the lists, the template context.

use serde_json::{json, Value};

use super::compact::compact;
use super::context::{
    text_language, CanvasLink, Download, HeadLink, ImageDownload, ImagesContext, LandingContext,
    LinkContext, LinkGroup, ListItem, MapAssets, MemberContext, MembersContext, NoteContext,
    PageHead, PidContext, PlaceView, ResourceView, RightsContext, ViewerTarget,
};
use super::i18n::Strings;
use super::meta::{
    coins, dc_tags, json_ld, linkset_context, linkset_document, meta_tags, signposting, Signposts,
};
use super::{
    annotations, bulk, search, LandingSpec, Renderer, LANDING_CANVAS_LINKS, LANDING_MEMBERS,
};
use crate::citation::bibtex::bibtex;
use crate::citation::datacite::{datacite_xml, DataCiteExtra};
use crate::citation::ris::ris;
use crate::citation::Citation;
use crate::clock::BuildTime;
use crate::enrich::{enrich_parsed, PidStamp};
use crate::error::Result;
use crate::load::iiif::valid_region;
use crate::model::content_state::{canvas_state, CanvasStates};
use crate::model::genre::GenreFacts;
use crate::model::record::{Record, Status};
use crate::model::resource::{http_url, Resource, ResourceKind, Text};
use crate::model::rights::rights_name;
use crate::model::site_path::SitePath;
use crate::output::{file, ExportRecord, Output, SearchRecord};

/// Media types of the citation downloads.
const CSL_TYPE: &str = "application/vnd.citationstyles.csl+json";
const RIS_TYPE: &str = "application/x-research-info-systems";
const BIBTEX_TYPE: &str = "application/x-bibtex";
const DATACITE_TYPE: &str = "application/vnd.datacite.datacite+xml";

/// What every part of one landing page is made from, settled first.
struct Facts<'s> {
    /// The IIIF resource, when it could be read.
    resource: Option<&'s Resource>,
    /// The page's citation (a version page's cites the version).
    citation: Citation,
    /// Whether the page is a tombstone: a withdrawn resource is not
    /// published, linked or announced; its tombstone keeps what it was
    /// (metadata, citation), not the content.
    withdrawn: bool,
    /// Absolute URL of the page.
    landing_url: String,
    /// What the citation points at.
    cite_url: String,
    /// The document the site publishes a copy of (never a withdrawn one).
    document: Option<&'s Vec<u8>>,
    /// The IIIF document's absolute URL: the site's copy, or the remote
    /// target (none when withdrawn).
    manifest_url: Option<String>,
    /// Its kind's key in the translation tables (`manifest`…).
    kind_name: &'static str,
    /// What the resource is called (`Manifest`, `Collection`…), in the
    /// site's language.
    kind_label: String,
    /// What the IIIF document is called ("IIIF manifest"…).
    document_label: String,
    /// When it was withdrawn (`YYYY-MM-DD`), as the tombstone says.
    withdrawn_on: Option<String>,
}

/// The lists a long manifest or collection keeps short on its landing
/// page, and the pages that list them whole.
struct Lists {
    canvas_links: Vec<CanvasLink>,
    canvas_page: Option<String>,
    members: Vec<MemberContext>,
    member_page: Option<String>,
    member_total: usize,
    /// The `images/` and `members/` pages, when the lists were cut.
    pages: Vec<Output>,
}

/// The parts of a landing page made before its template context.
struct Parts {
    head_links: Vec<HeadLink>,
    downloads: Vec<Download>,
    bibtex: String,
    lists: Lists,
}

/// A landing page (or tombstone) rendered: its files, and what the
/// site-wide pages take from it.
pub(super) struct Landed {
    /// The page and the files beside it.
    pub(super) outputs: Vec<Output>,
    /// Its item in the home page lists.
    pub(super) item: ListItem,
    /// Its linkset context, for the site-wide linkset.
    pub(super) linkset: Value,
    /// Its record in the bulk export.
    pub(super) export: ExportRecord,
    /// Its record in the site-wide search and the browse pages.
    pub(super) search: SearchRecord,
}

impl Renderer<'_> {
    /// A landing page (or tombstone) and its files; with the list item,
    /// the page's linkset context and its export record for the site-wide
    /// pages.
    pub(super) fn landing(&self, spec: &LandingSpec<'_>) -> Result<Landed> {
        let facts = self.facts(spec);
        let search = search::record(
            &search::Parts {
                record: spec.record,
                resource: facts.resource,
                citation: &facts.citation,
                kind: &facts.kind_label,
                kind_name: facts.kind_name,
                note: spec.note,
                strings: self.strings(),
            },
            spec.record.pid.resolver_url(&self.config.resolvers),
        );
        let path = &spec.path;
        let datacite = self.datacite(spec, &facts);
        let head_links = self.signposts(path, &facts, datacite.is_some());
        let linkset = linkset_context(&facts.landing_url, &head_links);
        let mut parts = Parts {
            downloads: self.downloads(path, &facts, datacite.is_some()),
            head_links,
            bibtex: bibtex(&facts.citation),
            lists: self.lists(path, &facts)?,
        };
        let csl = facts.citation.csl_json();
        let bib = parts.bibtex.clone();
        let extra_pages = std::mem::take(&mut parts.lists.pages);
        let ctx = self.landing_context(spec, &facts, parts);
        let template = if facts.withdrawn {
            "tombstone.html"
        } else {
            "landing.html"
        };
        let mut outputs = vec![
            Output::new(path.clone(), self.render(template, &ctx)?),
            Output::new(path.file(file::BIBTEX), bib),
            Output::new(path.file(file::RIS), ris(&facts.citation)),
            Output::new(
                path.file(file::LINKSET),
                json_file(&linkset_document([linkset.clone()])),
            ),
            Output::new(path.file(file::CSL_JSON), json_file(&json!([csl]))),
        ];
        outputs.extend(extra_pages);
        outputs.extend(self.document_copy(spec, &facts));
        let item = ListItem {
            title: facts.citation.title.clone(),
            pid: spec.record.pid.label(),
            url: self.config.path(path.as_str()),
            thumbnail: facts
                .resource
                .filter(|_| !facts.withdrawn)
                .and_then(|r| r.thumbnail.clone()),
            kind: facts.kind_label.clone(),
            status: spec.record.status.name().to_string(),
        };
        let datacite = datacite.map(|xml| (path.file(file::DATACITE), xml));
        let export = bulk::record(
            &self.export_row(spec, &facts),
            Some(&csl),
            datacite
                .as_ref()
                .map(|(at, xml)| (at.file_name(), xml.clone())),
        );
        if let Some((at, xml)) = datacite {
            outputs.push(Output::new(at, xml));
        }
        Ok(Landed {
            outputs,
            item,
            linkset,
            export,
            search,
        })
    }

    /// The page's row in `export/records.csv`.
    fn export_row<'s>(&self, spec: &'s LandingSpec<'s>, facts: &'s Facts<'s>) -> bulk::Row<'s> {
        let (record, resource, citation) = (spec.record, facts.resource, &facts.citation);
        let genre = citation.genre.facts();
        let mut providers: Vec<&str> = resource
            .into_iter()
            .flat_map(|r| &r.provider)
            .filter_map(|p| p.label.as_ref().map(|l| l.value.as_str()))
            .collect();
        if providers.is_empty() {
            providers.extend(citation.publisher.as_deref());
        }
        bulk::Row {
            pid: record.pid.label(),
            resolver_url: record.pid.resolver_url(&self.config.resolvers),
            aliases: spec.aliases.clone(),
            title: &citation.title,
            creators: &citation.creators,
            date: citation.date.as_deref(),
            kind: genre.name,
            type_general: genre.datacite,
            iiif_type: resource.map(|r| r.kind.label()),
            status: record.status.name(),
            replaced_by: None,
            withdrawn_date: facts.withdrawn_on.as_deref(),
            withdrawn_reason: record.details().withdrawn_reason.as_deref(),
            collections: resource.map_or(&[], |r| &r.collections),
            rights: citation.license.as_deref(),
            providers,
            landing_url: &facts.landing_url,
            manifest_url: facts.manifest_url.as_deref(),
        }
    }

    /// What the page is made from: its citation, its URLs, and what of the
    /// IIIF document it publishes.
    fn facts<'s>(&self, spec: &'s LandingSpec<'s>) -> Facts<'s> {
        let (record, loaded, path) = (spec.record, spec.loaded, &spec.path);
        let landing_url = self.config.url(path.as_str());
        let cite_url = spec.cite_url.clone().unwrap_or_else(|| {
            record
                .pid
                .resolver_url(&self.config.resolvers)
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
        let withdrawn = record.status == Status::Withdrawn;
        let kind_name = resource.map_or("resource", |r| r.kind.key());
        let document = loaded.document.as_ref().filter(|_| !withdrawn);
        let manifest_url = if withdrawn {
            None
        } else if document.is_some() {
            Some(self.config.url(path.file(file::MANIFEST).as_str()))
        } else {
            loaded.link(record).map(str::to_string)
        };
        Facts {
            resource,
            citation,
            withdrawn,
            landing_url,
            cite_url,
            document,
            manifest_url,
            kind_name,
            kind_label: self.text(&format!("kind.{kind_name}")),
            document_label: self.document_label(kind_name),
            // The registry's date, else the build that first published it
            // withdrawn, as the feed and Change Discovery date it.
            withdrawn_on: self
                .withdrawal(record, spec.dates)
                .map(|instant| instant.chars().take(10).collect()),
        }
    }

    /// What the viewer opens: the manifest or collection (at the record's
    /// canvas and region), or the manifest a canvas, range or annotation
    /// belongs to. None on a tombstone or a site without a viewer.
    fn viewer(&self, spec: &LandingSpec<'_>, facts: &Facts<'_>) -> Option<ViewerTarget> {
        let record = spec.record;
        // The site's copy root-relative (so it works on any host the site
        // is previewed on), or the remote URL.
        let viewer_manifest = match facts.document {
            Some(_) => Some(self.config.path(spec.path.file(file::MANIFEST).as_str())),
            None => facts.manifest_url.clone(),
        };
        let region = record
            .details()
            .region
            .as_deref()
            .filter(|r| valid_region(r));
        match (facts.resource, &viewer_manifest, &self.site.viewer) {
            (Some(r), Some(m), Some(_)) if !facts.withdrawn => match r.kind {
                ResourceKind::Manifest | ResourceKind::Collection => Some(ViewerTarget {
                    manifest: m.clone(),
                    canvas: record.details().canvas.clone(),
                    content_state: match (&facts.manifest_url, &record.details().canvas) {
                        (Some(abs), Some(c)) => Some(canvas_state(abs, c, region)),
                        _ => None,
                    },
                }),
                // A canvas, range or annotation opens the manifest it
                // belongs to, when the document names it.
                _ => self.part_viewer(r, record),
            },
            (Some(r), None, Some(_)) if !facts.withdrawn => self.part_viewer(r, record),
            _ => None,
        }
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
        let region = record
            .details()
            .region
            .clone()
            .filter(|r| valid_region(r))
            .or(region);
        Some(ViewerTarget {
            content_state: Some(canvas_state(&manifest, &canvas, region.as_deref())),
            manifest,
            canvas: Some(canvas),
        })
    }

    /// The page's DataCite XML, when the PID is a DOI.
    fn datacite(&self, spec: &LandingSpec<'_>, facts: &Facts<'_>) -> Option<String> {
        // Without a version date, published in the year the lock says it
        // first was, whenever the site is built again.
        let published = spec.dates.map(|d| BuildTime::at_second(d.published).date);
        let mut extra = DataCiteExtra::for_record(
            &facts.landing_url,
            facts.manifest_url.as_deref(),
            facts.resource,
            spec.record,
            published.as_deref().unwrap_or(&self.time.date),
        );
        // Withdrawn on the date the tombstone says, also where the
        // registry gives none.
        if let Some(w) = extra.withdrawn.as_mut() {
            w.date = facts.withdrawn_on.as_deref();
        }
        datacite_xml(&facts.citation, &extra)
    }

    /// The files a visitor can download from the page, in the order the
    /// page lists them.
    fn downloads(&self, path: &SitePath, facts: &Facts<'_>, datacite: bool) -> Vec<Download> {
        let download = |label: &str, name: &str, media_type: &str| Download {
            label: label.into(),
            url: self.config.path(path.file(name).as_str()),
            media_type: media_type.into(),
        };
        let mut downloads = vec![
            download("BibTeX", file::BIBTEX, BIBTEX_TYPE),
            download("CSL-JSON", file::CSL_JSON, CSL_TYPE),
        ];
        if let Some(m) = &facts.manifest_url {
            downloads.push(Download {
                label: facts.document_label.clone(),
                url: m.clone(),
                media_type: "application/ld+json".into(),
            });
        }
        downloads.push(download("RIS", file::RIS, RIS_TYPE));
        if datacite {
            downloads.push(download("DataCite XML", file::DATACITE, DATACITE_TYPE));
        }
        downloads
    }

    /// The page's FAIR Signposting links.
    fn signposts(&self, path: &SitePath, facts: &Facts<'_>, datacite: bool) -> Vec<HeadLink> {
        let abs = |name: &str| self.config.url(path.file(name).as_str());
        let mut described_by = vec![
            (abs(file::CSL_JSON), CSL_TYPE),
            (abs(file::RIS), RIS_TYPE),
            (abs(file::BIBTEX), BIBTEX_TYPE),
        ];
        if datacite {
            described_by.push((abs(file::DATACITE), DATACITE_TYPE));
        }
        let citation = &facts.citation;
        signposting(&Signposts {
            cite_as: &facts.cite_url,
            schema_type: citation.genre.facts().schema_org,
            described_by,
            item: facts.manifest_url.as_ref().map(|m| {
                let profile = facts.resource.map(|r| r.version.context().to_string());
                (m.clone(), profile)
            }),
            license: citation.license.as_deref(),
            authors: citation
                .creators
                .iter()
                .filter(|c| http_url(c).is_some())
                .map(String::as_str)
                .collect(),
            linkset: abs(file::LINKSET),
        })
    }

    /// A manifest's canvas links and a collection's members: the first few
    /// on the landing page (which stays small), all of them on a page of
    /// their own.
    fn lists(&self, path: &SitePath, facts: &Facts<'_>) -> Result<Lists> {
        let shown = facts.resource.filter(|_| !facts.withdrawn);
        let mut canvas_links = match (shown, &facts.manifest_url) {
            (Some(r), Some(m)) if r.kind == ResourceKind::Manifest => {
                self.canvas_links(r, m, facts.citation.license.as_deref())
            }
            _ => Vec::new(),
        };
        let (title, genre) = (&facts.citation.title, facts.citation.genre.facts());
        let mut pages = Vec::new();
        let mut canvas_page = None;
        if canvas_links.len() > LANDING_CANVAS_LINKS {
            let page_path = path.join_folder("images");
            let rights = facts.citation.license.as_deref();
            // From `images/`, the landing page is `../`; the links are
            // most of that page's bytes, so they stay relative (issue 22).
            for link in &mut canvas_links {
                link.url.insert_str(0, "../");
            }
            let list = (&page_path, canvas_links.as_slice(), rights);
            pages.push(self.canvas_page(title, genre, path, list)?);
            canvas_page = Some(self.config.path(page_path.as_str()));
            canvas_links.truncate(LANDING_CANVAS_LINKS);
            for link in &mut canvas_links {
                link.url.replace_range(..3, "");
            }
        }
        let mut members = shown.map(|r| self.members(r)).unwrap_or_default();
        let member_total = members.len();
        let mut member_page = None;
        if members.len() > LANDING_MEMBERS {
            let page_path = path.join_folder("members");
            pages.push(self.member_page(title, path, &page_path, &members)?);
            member_page = Some(self.config.path(page_path.as_str()));
            members.truncate(LANDING_MEMBERS);
        }
        Ok(Lists {
            canvas_links,
            canvas_page,
            members,
            member_page,
            member_total,
            pages,
        })
    }

    /// One link per canvas of a manifest, opening the landing page's viewer
    /// at it, with its whole image to download and the canvas's own rights
    /// where they are not `rights` (the page's licence).
    fn canvas_links(&self, r: &Resource, manifest: &str, rights: Option<&str>) -> Vec<CanvasLink> {
        let states = CanvasStates::new(manifest);
        r.canvases
            .iter()
            .enumerate()
            .map(|(i, c)| CanvasLink {
                label: c.label.as_ref().map_or_else(
                    || {
                        self.strings()
                            .fill("words.image_n", None, &[("n", &(i + 1).to_string())])
                    },
                    |l| l.value.clone(),
                ),
                lang: self.other_language(c.label.as_ref()),
                // Relative: the landing page itself, at the image.
                url: format!("?iiif-content={}", states.state(&c.id, None)),
                download: c.image.as_ref().map(|image| ImageDownload {
                    url: image.url.clone(),
                    width: image.size.map(|s| s.0),
                    height: image.size.map(|s| s.1),
                    // The page's licence is said once, under the list.
                    rights: c
                        .rights
                        .as_deref()
                        .filter(|own| Some(*own) != rights)
                        .map(rights_context),
                }),
            })
            .collect()
    }

    /// Collection members, linked to their own PID pages where they have one.
    fn members(&self, r: &Resource) -> Vec<MemberContext> {
        r.members
            .iter()
            .map(|m| {
                let pid_page = self.pid_page(m.id.trim()).map(str::to_string);
                MemberContext {
                    label: m
                        .label
                        .as_ref()
                        .map_or_else(|| m.id.clone(), |l| l.value.clone()),
                    lang: self.other_language(m.label.as_ref()),
                    kind: self.text(&format!("kind.{}", m.kind.key())),
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
        text_language(label, &self.config.language)
    }

    /// The template context of the landing page (or tombstone).
    fn landing_context<'s>(
        &'s self,
        spec: &'s LandingSpec<'s>,
        facts: &'s Facts<'s>,
        parts: Parts,
    ) -> LandingContext<'s> {
        let (record, resource, citation) = (spec.record, facts.resource, &facts.citation);
        let pid = &record.pid;
        let withdrawn = facts.withdrawn;
        let language = self.config.language.as_str();
        let viewer = self.viewer(spec, facts);
        let mut meta = meta_tags(citation, &facts.landing_url);
        meta.extend(dc_tags(citation, &self.config.language));
        let (places, map, map_page) = self.located(spec, facts);
        let Lists {
            canvas_links,
            canvas_page,
            members,
            member_page,
            member_total,
            ..
        } = parts.lists;
        LandingContext {
            site: &self.site,
            pid: PidContext {
                label: pid.label(),
                scheme: pid.scheme().name().into(),
                scheme_label: self.text(&format!("scheme.{}", pid.scheme().name())),
                cite_url: facts.cite_url.clone(),
                landing_url: facts.landing_url.clone(),
            },
            status: record.status.name(),
            resource: resource.map(|r| ResourceView::new(r, language)),
            kind_name: facts.kind_name,
            kind_label: facts.kind_label.clone(),
            title: citation.title.clone(),
            title_lang: text_language(resource.and_then(|r| r.label.as_ref()), language),
            citations: (self.styles().format(&citation.csl_json()))
                .into_iter()
                .map(Into::into)
                .collect(),
            default_style: self.config.default_style.clone(),
            bibtex: parts.bibtex,
            meta,
            head_links: parts.head_links,
            coins: coins(citation),
            zotero_type: citation.genre.facts().zotero,
            genre: citation.genre.facts().into(),
            json_ld: json_ld(
                citation,
                resource,
                &facts.landing_url,
                facts.manifest_url.as_deref(),
                withdrawn,
            ),
            manifest_profile: resource.map(|r| r.version.context().to_string()),
            document_label: facts.document_label.clone(),
            iiif_drag_url: self.drag_url(facts, viewer.as_ref()),
            members,
            member_page,
            member_total,
            links: resource
                .filter(|_| !withdrawn)
                .map(|r| links(r, language, self.strings()))
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
                .map(|r| annotations::view(r, language, self.strings(), |id| self.pid_page(id))),
            manifest_url: facts.manifest_url.clone(),
            viewer,
            rights: citation.license.as_deref().map(rights_context),
            downloads: parts.downloads,
            note: spec.note.map(|n| NoteContext {
                title: n.title.clone(),
                html: n.html.clone(),
            }),
            version: record.details().version.clone(),
            history: spec.history.clone(),
            withdrawn_date: facts.withdrawn_on.clone(),
            withdrawn_reason: record.details().withdrawn_reason.clone(),
            registry_metadata: record
                .overrides()
                .metadata
                .iter()
                .map(|(label, values)| super::context::RegistryField {
                    label: label.clone(),
                    values: values.clone(),
                })
                .collect(),
            problem: spec.loaded.problem.clone(),
            places,
            map,
            map_page,
            head: self.landing_head(spec, facts),
        }
    }

    /// The page's places, and the map's files and the map page's URL when
    /// it has places and the site has maps (the map page only on an
    /// active PID's own page: it lists the PID's current places).
    fn located<'s>(
        &'s self,
        spec: &LandingSpec<'_>,
        facts: &Facts<'_>,
    ) -> (Vec<PlaceView>, Option<&'s MapAssets>, Option<String>) {
        let Some(r) = facts
            .resource
            .filter(|r| !facts.withdrawn && !r.places.is_empty())
        else {
            return (Vec::new(), None, None);
        };
        let places = super::map::views(r, &facts.citation.title, &self.config.language);
        let map = self.map.as_ref();
        let own_page = spec.record.status == Status::Active && spec.cite_url.is_none();
        let map_page = map.filter(|_| own_page).map(|m| m.page.clone());
        (places, map, map_page)
    }

    /// The page's head: its summary (cut short) as its description, and
    /// a tombstone kept out of search engines.
    fn landing_head(&self, spec: &LandingSpec<'_>, facts: &Facts<'_>) -> PageHead {
        let title = &facts.citation.title;
        let description = facts
            .resource
            .and_then(|r| r.summary.as_ref())
            .map(|s| truncate(&s.text, 300))
            .unwrap_or_else(|| {
                format!(
                    "{title} — persistent identifier {}",
                    spec.record.pid.label()
                )
            });
        let mut head = self.head(title.clone(), description, &spec.path);
        if facts.withdrawn {
            head.robots = Some("noindex".into());
        }
        head
    }

    /// The IIIF drag-and-drop link: the page opening the viewer at its
    /// content state, or with its manifest.
    fn drag_url(&self, facts: &Facts<'_>, viewer: Option<&ViewerTarget>) -> Option<String> {
        let landing_url = &facts.landing_url;
        match viewer.and_then(|v| v.content_state.as_ref()) {
            Some(state) => Some(format!("{landing_url}?iiif-content={state}")),
            None => facts
                .manifest_url
                .as_ref()
                .filter(|_| viewer.is_some())
                .map(|m| {
                    let encoded = percent_encoding::utf8_percent_encode(
                        m,
                        percent_encoding::NON_ALPHANUMERIC,
                    );
                    format!("{landing_url}?manifest={encoded}")
                }),
        }
    }

    /// The site's copy of the IIIF document, written compact and carrying
    /// the PID (a document that is not a manifest or collection is
    /// published as it is, compact).
    fn document_copy(&self, spec: &LandingSpec<'_>, facts: &Facts<'_>) -> Option<Output> {
        // Compacted first, so the additions follow its one-line layout.
        let doc = compact(facts.document?);
        let stamp = PidStamp {
            pid: spec.record.pid.label(),
            cite_url: facts.cite_url.clone(),
            landing_url: facts.landing_url.clone(),
            language: self.config.language.clone(),
        };
        let enriched = spec
            .loaded
            .enrichable
            .as_ref()
            .map(|e| enrich_parsed(&doc, e, &stamp));
        let bytes = match enriched {
            Some(Ok(enriched)) => enriched,
            _ => doc,
        };
        Some(Output::new(spec.path.file(file::MANIFEST), bytes))
    }

    /// The page listing every image of a long manifest, each with the link
    /// that opens the landing page's viewer at it (`images.html`).
    fn canvas_page(
        &self,
        title: &str,
        genre: GenreFacts,
        landing: &SitePath,
        (path, links, rights): (&SitePath, &[CanvasLink], Option<&str>),
    ) -> Result<Output> {
        let ctx = ImagesContext {
            site: &self.site,
            head: self.head(
                self.strings()
                    .format(
                        &format!("images.title.{}", genre.part),
                        None,
                        &[("title", title)],
                    )
                    .unwrap_or_else(|| format!("{} of {title}", capitalised(genre.parts))),
                String::new(),
                path,
            ),
            title,
            landing_url: self.config.path(landing.as_str()),
            canvas_links: links,
            canvas_total: links.len(),
            genre: genre.into(),
            rights: rights.map(rights_context),
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
            head: self.head(
                self.strings()
                    .fill("members.title", None, &[("title", title)]),
                String::new(),
                path,
            ),
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
}

/// A JSON file of pidsite's own (linkset, CSL-JSON): compact, as the
/// machines that read them need no layout, ending in a newline.
fn json_file(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).expect("a serde_json::Value always serialises");
    bytes.push(b'\n');
    bytes
}

/// A resource's links, labelled for the page and grouped in runs of one
/// kind, on a site whose language is `language` (`strings` its words).
fn links(r: &Resource, language: &str, strings: &Strings) -> Vec<LinkGroup> {
    let mut groups: Vec<LinkGroup> = Vec::new();
    for l in &r.links {
        let link = LinkContext {
            text: l
                .label
                .as_ref()
                .map_or_else(|| l.url.clone(), |t| t.value.clone()),
            lang: text_language(l.label.as_ref(), language),
            url: l.url.clone(),
            format: l.format.clone(),
        };
        let role = strings.text(&format!("link_role.{}", l.kind.key()));
        match groups.last_mut() {
            Some(last) if last.role == role => last.links.push(link),
            _ => groups.push(LinkGroup {
                role,
                links: vec![link],
            }),
        }
    }
    groups
}

/// `text` cut at a word to at most `max` characters, with an ellipsis.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// `word` with its first letter upper case ("pages" -> "Pages").
fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A rights URI with its name, when known.
fn rights_context(uri: &str) -> RightsContext {
    RightsContext {
        uri: uri.to_string(),
        name: rights_name(uri),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_words() {
        assert_eq!(truncate("one two three", 9), "one two…");
    }
}
