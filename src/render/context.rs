//! The template context: the `Serialize` structs handed to Tera, which are
//! every variable a template (built-in or a site's own) can use. README's
//! "Templates" section lists them and `tests/template_context.rs` pins
//! them: a field renamed here renames a template variable, so change them
//! on purpose only. They are views made for the pages, never the model's
//! types, so that renaming a model field cannot break a site's template.
//!
//! Templates never parse JSON or compute anything; everything they show is
//! prepared here. Every `lang` is set only when it is not the site's
//! language (the page's `<html lang>`), so a template writes it as it is.

use serde::Serialize;

use crate::citation::styles::Formatted;
use crate::load::pages::Page;
use crate::model::genre::GenreFacts;
use crate::model::resource::{Html, MetadataEntry, Provider, Resource, Text};

/// What every page knows about the site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteContext {
    /// Site title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Main language.
    pub language: String,
    /// `rtl` for a language written right to left, else none (left out
    /// of the context then: a site-wide page's lock hash is of its context,
    /// and stays what it was before languages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<&'static str>,
    /// Root-relative base path (`/` or `/repo/`).
    pub base_path: String,
    /// Absolute base URL.
    pub base_url: String,
    /// Navigation links.
    pub nav: Vec<NavLink>,
    /// Footer HTML (from Markdown).
    pub footer_html: String,
    /// Logo URL, root-relative.
    pub logo: Option<String>,
    /// Publisher / institution.
    pub publisher: String,
    /// Viewer script, when pages embed a viewer.
    pub viewer: Option<ViewerAssets>,
    /// Version string appended to asset URLs so caches refresh on upgrade.
    pub asset_version: String,
    /// Whether the site has search (`[search] enabled`): the search box
    /// in the header, the search and browse pages.
    pub search: bool,
}

/// What a page with a map loads, and where its tiles come from
/// (`[map]`).
#[derive(Debug, Clone, Serialize)]
pub struct MapAssets {
    /// Leaflet's script, root-relative.
    pub leaflet: String,
    /// Leaflet's stylesheet, root-relative.
    pub stylesheet: String,
    /// pidsite's map script, root-relative.
    pub script: String,
    /// The tile URL template; empty for none.
    pub tiles: String,
    /// The tile provider's attribution.
    pub attribution: String,
    /// Where the attribution links to.
    pub attribution_url: String,
    /// The map page, root-relative.
    pub page: String,
}

/// A link in the navigation.
#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    /// Label.
    pub title: String,
    /// Root-relative URL.
    pub url: String,
}

/// Where the viewer's script is loaded from.
#[derive(Debug, Clone, Serialize)]
pub struct ViewerAssets {
    /// Viewer name (`mirador`).
    pub kind: String,
    /// Script URL.
    pub script: String,
    /// Subresource Integrity hash (CDN only).
    pub integrity: Option<String>,
}

/// Head metadata of a page.
#[derive(Debug, Clone, Serialize)]
pub struct PageHead {
    /// `<title>`.
    pub title: String,
    /// Meta description.
    pub description: String,
    /// Absolute canonical URL.
    pub canonical: String,
    /// `noindex` and friends, when set.
    pub robots: Option<String>,
}

/// The identifier as shown on a page.
#[derive(Debug, Clone, Serialize)]
pub struct PidContext {
    /// As cited (`ark:…`, `doi:…`).
    pub label: String,
    /// Scheme name (`ark`).
    pub scheme: String,
    /// Scheme label (`ARK`).
    pub scheme_label: String,
    /// The URL to cite (resolver, or the landing page for local IDs).
    pub cite_url: String,
    /// Absolute landing page URL.
    pub landing_url: String,
}

/// A `<meta name content>` pair.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    /// `name`.
    pub name: String,
    /// `content`.
    pub content: String,
}

/// A downloadable file linked from a page.
#[derive(Debug, Clone, Serialize)]
pub struct Download {
    /// Label.
    pub label: String,
    /// Root-relative URL.
    pub url: String,
    /// Media type.
    pub media_type: String,
}

/// What the viewer opens.
#[derive(Debug, Clone, Serialize)]
pub struct ViewerTarget {
    /// Manifest URL.
    pub manifest: String,
    /// Canvas to open first.
    pub canvas: Option<String>,
    /// IIIF Content State of that canvas (and region), base64url-encoded.
    pub content_state: Option<String>,
}

/// A member of a collection, as listed on its page.
#[derive(Debug, Clone, Serialize)]
pub struct MemberContext {
    /// Label (or id).
    pub label: String,
    /// Language of the label, when given and not the site's.
    pub lang: Option<String>,
    /// `Manifest` or `Collection`.
    pub kind: String,
    /// Thumbnail URL.
    pub thumbnail: Option<String>,
    /// The member's PID page (root-relative) if it has one, else its http(s) id.
    pub url: Option<String>,
    /// Whether `url` is a PID page of this site.
    pub has_pid: bool,
}

/// The links of one kind, in the order the document gives them (one `<dt>`
/// and its `<dd>`s): a run of links of one kind is one group.
#[derive(Debug, Clone, Serialize)]
pub struct LinkGroup {
    /// What they are ("Web page", "Metadata", "Download").
    pub role: String,
    /// The links.
    pub links: Vec<LinkContext>,
}

/// A homepage, seeAlso or rendering link.
#[derive(Debug, Clone, Serialize)]
pub struct LinkContext {
    /// Link text.
    pub text: String,
    /// Language of the text, when given and not the site's.
    pub lang: Option<String>,
    /// http(s) URL.
    pub url: String,
    /// Media type.
    pub format: Option<String>,
}

/// A link that opens one canvas of the manifest in the viewer.
#[derive(Debug, Clone, Serialize)]
pub struct CanvasLink {
    /// Canvas label.
    pub label: String,
    /// Its language, when given and not the site's.
    pub lang: Option<String>,
    /// The landing page with `?iiif-content=`, relative to the page the
    /// link is on (`?iiif-content=…` on the landing page, `../?iiif-content=…`
    /// on its `images/` page).
    pub url: String,
    /// The whole image, to download, when the canvas paints one.
    pub download: Option<ImageDownload>,
}

/// A canvas's whole image as a download link.
#[derive(Debug, Clone, Serialize)]
pub struct ImageDownload {
    /// Its URL (an Image API `full/max` or `full/full` URL, or the static
    /// image).
    pub url: String,
    /// Its width in pixels, when known.
    pub width: Option<u64>,
    /// Its height in pixels, when known.
    pub height: Option<u64>,
    /// Its rights: the canvas's own, else the page's.
    pub rights: Option<RightsContext>,
}

/// The annotations of an annotation page or annotation, as its landing
/// page shows them (see `render::annotations`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct AnnotationsContext {
    /// Transcribed text, per canvas.
    pub text: Vec<TextContext>,
    /// Whether the text was cut to fit the page.
    pub text_cut: bool,
    /// Comments, tags and other annotations, listed.
    pub items: Vec<AnnotationItem>,
    /// How many more the list leaves out.
    pub items_left: usize,
    /// Annotations in the document.
    pub total: usize,
}

/// The transcribed text of one canvas.
#[derive(Debug, Clone, Serialize)]
pub struct TextContext {
    /// What the canvas is ("page 2"), when the text spans several.
    pub heading: Option<String>,
    /// Language of the text, when not the site's.
    pub lang: Option<String>,
    /// Lines, in reading order.
    pub lines: Vec<String>,
    /// A link that opens the canvas in a viewer, when there is one.
    pub open_url: Option<String>,
}

/// A comment, tag or other annotation in the list.
#[derive(Debug, Clone, Serialize)]
pub struct AnnotationItem {
    /// What it is ("Comment", "Tag", "Highlight").
    pub what: String,
    /// Its text, sanitised.
    pub body: Option<RichText>,
    /// Its tags.
    pub tags: Vec<String>,
    /// What it is on ("a region of page 2", "the image").
    pub on: Option<String>,
    /// A link that opens its target in a viewer, when there is one.
    pub open_url: Option<String>,
}

/// A Markdown note on a landing page.
#[derive(Debug, Clone, Serialize)]
pub struct NoteContext {
    /// Heading.
    pub title: Option<String>,
    /// HTML.
    pub html: String,
}

/// Rights shown by name.
#[derive(Debug, Clone, Serialize)]
pub struct RightsContext {
    /// The URI.
    pub uri: String,
    /// Its name (e.g. "CC BY 4.0"), when known.
    pub name: Option<String>,
}

/// A landing page (`landing.html`), and a withdrawn PID's tombstone
/// (`tombstone.html`), which gets the same variables with nothing of the
/// withdrawn content: no viewer, manifest, links, members or images.
#[derive(Debug, Serialize)]
pub struct LandingContext<'a> {
    /// Site.
    pub site: &'a SiteContext,
    /// Head.
    pub head: PageHead,
    /// The PID.
    pub pid: PidContext,
    /// Lifecycle status name.
    pub status: &'static str,
    /// The IIIF resource, when it could be read.
    pub resource: Option<ResourceView>,
    /// Type label (`Manifest`, `Collection`…), in the site's language.
    pub kind_label: String,
    /// The type's key in the translation tables (`manifest`,
    /// `annotation_page`…, `resource` when the target could not be read):
    /// `t(key="kind_text." ~ kind_name)` names it in running text.
    pub kind_name: &'static str,
    /// Title shown.
    pub title: String,
    /// The language of the title, when the resource's label gives one
    /// and it is not the site's.
    pub title_lang: Option<String>,
    /// Citations in each style.
    pub citations: Vec<CitationText>,
    /// Default style name.
    pub default_style: String,
    /// BibTeX text.
    pub bibtex: String,
    /// `citation_*` and `DC.*` meta tags.
    pub meta: Vec<Meta>,
    /// Signposting `<link>`s.
    pub head_links: Vec<HeadLink>,
    /// COinS span title.
    pub coins: String,
    /// The Zotero item type (`z:itemType`, read by Zotero's Embedded
    /// Metadata translator before `og:type` and `DC.type`).
    pub zotero_type: &'static str,
    /// What the resource is, and the words the page counts its parts in.
    pub genre: GenreView,
    /// JSON-LD, already safe inside `<script>`.
    pub json_ld: String,
    /// Manifest URL (the site's copy, or the remote URL).
    pub manifest_url: Option<String>,
    /// The IIIF Presentation context of the manifest, as a media type profile.
    pub manifest_profile: Option<String>,
    /// What the IIIF document is called ("IIIF manifest", "IIIF annotation"…).
    pub document_label: String,
    /// The IIIF drag-and-drop link (`landing?manifest=…`).
    pub iiif_drag_url: Option<String>,
    /// Viewer target.
    pub viewer: Option<ViewerTarget>,
    /// Collection members (the first [`LANDING_MEMBERS`] of a long list).
    ///
    /// [`LANDING_MEMBERS`]: crate::render::LANDING_MEMBERS
    pub members: Vec<MemberContext>,
    /// The page listing all members, when `members` holds only the first.
    pub member_page: Option<String>,
    /// Number of members in all (may exceed `members`).
    pub member_total: usize,
    /// Homepage, seeAlso and rendering links, grouped by kind.
    pub links: Vec<LinkGroup>,
    /// One citation link per canvas (manifests).
    pub canvas_links: Vec<CanvasLink>,
    /// The page listing all images, when `canvas_links` holds only the first.
    pub canvas_page: Option<String>,
    /// Number of canvases in all (may exceed `canvas_links`).
    pub canvas_total: usize,
    /// Annotations (annotation pages and annotations).
    pub annotations: Option<AnnotationsContext>,
    /// Rights.
    pub rights: Option<RightsContext>,
    /// Downloads.
    pub downloads: Vec<Download>,
    /// Note.
    pub note: Option<NoteContext>,
    /// Version label, if any.
    pub version: Option<String>,
    /// The PID's versions, when it has several.
    pub history: Option<HistoryContext>,
    /// Withdrawal date.
    pub withdrawn_date: Option<String>,
    /// Withdrawal reason.
    pub withdrawn_reason: Option<String>,
    /// The registry's own columns the site shows (`[registry.metadata]`),
    /// in the site's order.
    pub registry_metadata: Vec<RegistryField>,
    /// Why the resource could not be shown (a warning), if so.
    pub problem: Option<String>,
    /// Where the resource is (`navPlace`): the places listed, and drawn on
    /// a map when the site has maps. This and the two below are left out
    /// of a page without places, which stays as it was before maps.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<PlaceView>,
    /// The map's files and tiles, on a page with places when the site has
    /// maps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map: Option<&'a MapAssets>,
    /// The map page, on a PID's own page with places when the site has
    /// maps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map_page: Option<String>,
}

/// A registry column shown on the landing page (`[registry.metadata]`).
#[derive(Debug, Clone, Serialize)]
pub struct RegistryField {
    /// The label site.toml gives it.
    pub label: String,
    /// The cell's values (split at `multi_value_separator`).
    pub values: Vec<String>,
}

/// The versions of a PID with several, as one of its pages shows them.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryContext {
    /// Whether the page is the PID's own (the current version); otherwise
    /// it is one version's page.
    pub on_pid_page: bool,
    /// The label of the version the page shows.
    pub this: String,
    /// Whether that version is the current one.
    pub this_is_current: bool,
    /// Root-relative URL of the PID's page.
    pub latest_url: String,
    /// On a version's page: the current version's citation in the default
    /// style ("cite the latest").
    pub latest_citation: Option<CitationText>,
    /// Every version, oldest first.
    pub rows: Vec<VersionRow>,
    /// The page of the version before the one shown (RFC 5829).
    pub predecessor: Option<String>,
    /// The page of the version after the one shown.
    pub successor: Option<String>,
}

impl HistoryContext {
    /// The history as the page of version `shown` (an index into `rows`)
    /// shows it.
    pub fn new(on_pid_page: bool, shown: usize, latest_url: String, rows: &[VersionRow]) -> Self {
        let mut rows = rows.to_vec();
        if !on_pid_page {
            rows[shown].shown = true;
        }
        HistoryContext {
            on_pid_page,
            this: rows[shown].label.clone(),
            this_is_current: rows[shown].current,
            latest_url,
            latest_citation: None,
            predecessor: shown.checked_sub(1).map(|i| rows[i].url.clone()),
            successor: rows.get(shown + 1).map(|r| r.url.clone()),
            rows,
        }
    }
}

/// One row of the version history table.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    /// Label (`1`, `2024-rescan`…).
    pub label: String,
    /// Root-relative URL of its page.
    pub url: String,
    /// Date.
    pub date: Option<String>,
    /// Note from the registry.
    pub note: Option<String>,
    /// What changed since the version before.
    pub changes: Vec<String>,
    /// Whether it is the current version.
    pub current: bool,
    /// Whether it is the version the page shows.
    pub shown: bool,
}

/// A redirect stub.
#[derive(Debug, Serialize)]
pub struct RedirectContext<'a> {
    /// Site.
    pub site: &'a SiteContext,
    /// Root-relative target URL.
    pub target: String,
    /// Absolute target URL.
    pub target_url: String,
    /// The target as a JavaScript string literal, safe inside `<script>`.
    pub target_js: String,
    /// What redirects (the alias or former PID), for the visible text.
    pub from: String,
}

pub use crate::output::ListItem;

/// The home page (and its numbered continuation pages).
#[derive(Debug, Serialize)]
pub struct IndexContext<'a> {
    /// Site.
    pub site: &'a SiteContext,
    /// Head.
    pub head: PageHead,
    /// PIDs on this page.
    pub items: &'a [&'a ListItem],
    /// Total number of PIDs.
    pub total: usize,
    /// 1-based page number.
    pub page_number: usize,
    /// Number of pages.
    pub page_count: usize,
    /// Previous page URL.
    pub prev: Option<String>,
    /// Next page URL.
    pub next: Option<String>,
    /// The bulk export files (every PID's record), to download.
    pub exports: &'a [Download],
}

pub use super::browse::{FacetGroup, FacetValue};

/// The search page (`search.html`), the browse page (`browse/`, with
/// `facets` only) and each facet value's pages (`browse.html` both).
#[derive(Debug, Serialize)]
pub struct BrowseContext<'a> {
    /// Site.
    pub site: &'a SiteContext,
    /// Head.
    pub head: PageHead,
    /// Every browsed facet with its values and their pages.
    pub facets: &'a [FacetGroup],
    /// On a value's page: the facet (`type`, `collection`, `decade`).
    pub facet: Option<&'a str>,
    /// On a value's page: the value.
    pub value: Option<&'a str>,
    /// PIDs on this page (none on `browse/` and the search page).
    pub items: &'a [&'a ListItem],
    /// PIDs with this value, in all.
    pub total: usize,
    /// 1-based page number.
    pub page_number: usize,
    /// Number of pages.
    pub page_count: usize,
    /// Previous page URL.
    pub prev: Option<String>,
    /// Next page URL.
    pub next: Option<String>,
    /// The map page, when the site has one (left out of the context
    /// otherwise, so that a site without places hashes its browse pages as
    /// before maps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map_page: Option<String>,
}

/// The map page (`map.html`, at `map/`): every located PID and its places.
#[derive(Debug, Serialize)]
pub struct MapContext<'a> {
    /// Site.
    pub site: &'a SiteContext,
    /// Head.
    pub head: PageHead,
    /// The map's files and tiles.
    pub map: &'a MapAssets,
    /// The located PIDs on this page, in registry order.
    pub entries: &'a [MapEntry],
    /// How many places they have.
    pub place_count: usize,
    /// Located PIDs in all.
    pub total: usize,
    /// 1-based page number.
    pub page_number: usize,
    /// Number of pages.
    pub page_count: usize,
    /// Previous page URL.
    pub prev: Option<String>,
    /// Next page URL.
    pub next: Option<String>,
}

pub use crate::output::MapPlace;

/// A place as a landing page lists it (`places`).
#[derive(Debug, Clone, Serialize)]
pub struct PlaceView {
    /// Its name (the feature's label, else what holds it, else the page's
    /// title).
    pub label: String,
    /// The label's language, when not the site's.
    pub lang: Option<String>,
    /// Where its marker stands (the point, or the middle of a shape).
    pub lat: f64,
    /// Longitude of the marker.
    pub lon: f64,
    /// A line's or polygon's positions as `[[lat, lon], …]` JSON for the
    /// map to draw; none for a point.
    pub shape: Option<String>,
    /// `point`, `line` or `polygon`.
    pub kind: &'static str,
}

/// A located PID on the map page.
#[derive(Debug, Clone, Serialize)]
pub struct MapEntry {
    /// Its title.
    pub title: String,
    /// PID label.
    pub pid: String,
    /// Root-relative landing URL.
    pub url: String,
    /// Type label.
    pub kind: String,
    /// Its places.
    pub places: Vec<MapPlace>,
}

/// A Markdown page.
#[derive(Debug, Serialize)]
pub struct PageContext<'a> {
    /// Site.
    pub site: &'a SiteContext,
    /// Head.
    pub head: PageHead,
    /// The page.
    pub page: PageView,
}

/// The page listing every member of a long collection (`members.html`),
/// at `members/` under its landing page.
#[derive(Debug, Serialize)]
pub struct MembersContext<'a> {
    /// Site.
    pub site: &'a SiteContext,
    /// Head.
    pub head: PageHead,
    /// The collection's title, as its landing page shows it.
    pub title: &'a str,
    /// Root-relative URL of the collection's landing page.
    pub landing_url: String,
    /// Every member, in order.
    pub members: &'a [MemberContext],
    /// Number of members (all of them are listed).
    pub member_total: usize,
}

/// The page listing every image of a long manifest (`images.html`), at
/// `images/` under its landing page.
#[derive(Debug, Serialize)]
pub struct ImagesContext<'a> {
    /// Site.
    pub site: &'a SiteContext,
    /// Head.
    pub head: PageHead,
    /// The manifest's title, as its landing page shows it.
    pub title: &'a str,
    /// Root-relative URL of the manifest's landing page.
    pub landing_url: String,
    /// One link per canvas, in order, each opening the landing page's
    /// viewer at it.
    pub canvas_links: &'a [CanvasLink],
    /// Number of canvases (all of them are listed).
    pub canvas_total: usize,
    /// What the manifest is (the page says "pages", "recordings"…).
    pub genre: GenreView,
    /// The manifest's licence, which the images are under unless a
    /// canvas says otherwise (`canvas_links[].download.rights`).
    pub rights: Option<RightsContext>,
}

/// The 404 page.
#[derive(Debug, Serialize)]
pub struct NotFoundContext<'a> {
    /// Site.
    pub site: &'a SiteContext,
    /// Head.
    pub head: PageHead,
    /// The URL of the site's redirect-rules script, for a site with rules
    /// (absent otherwise, so a site without rules renders as before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_rules: Option<String>,
}

/// A `<link>` in the page head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeadLink {
    /// Relation.
    pub rel: String,
    /// Absolute URL.
    pub href: String,
    /// Media type, when the target has one: a bare `type/subtype`. FAIR
    /// Signposting clients parse it as one (the reference client, PyPI
    /// `signposting`, dropped a link whose type carried `;profile=` and
    /// rejected a linkset holding one).
    #[serde(rename = "type")]
    pub media_type: Option<String>,
    /// The profile of the target's format (RFC 6906), beside its type:
    /// `profile=` in HTML and in a linkset's target object, as FAIR
    /// Signposting writes it.
    pub profile: Option<String>,
}

impl HeadLink {
    /// A link of relation `rel` to `href`, of `media_type`, with no profile.
    pub(crate) fn new(rel: &str, href: impl Into<String>, media_type: Option<&str>) -> Self {
        HeadLink {
            rel: rel.into(),
            href: href.into(),
            media_type: media_type.map(str::to_string),
            profile: None,
        }
    }
}

/// Text with markup, as a page shows it: a summary, a metadata value, an
/// annotation's body.
#[derive(Debug, Clone, Serialize)]
pub struct RichText {
    /// Markup reduced to the subset IIIF allows, safe to write unescaped.
    pub html: String,
    /// The same as plain text.
    pub text: String,
    /// Its language, when given and not the site's.
    pub lang: Option<String>,
}

impl RichText {
    /// `html` as shown on a site whose language is `language`.
    pub fn new(html: &Html, language: &str) -> Self {
        RichText {
            html: html.html.clone(),
            text: html.text.clone(),
            lang: other_language(html.lang.as_deref(), language),
        }
    }
}

/// The IIIF resource as a landing page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceView {
    /// Its `id` (`@id`).
    pub id: Option<String>,
    /// Its summary (v2 `description`).
    pub summary: Option<RichText>,
    /// Its descriptive metadata, a group per label.
    pub metadata: Vec<MetadataGroup>,
    /// Thumbnail image URL.
    pub thumbnail: Option<String>,
    /// Number of canvases (manifests, ranges).
    pub canvas_count: usize,
    /// Its `navDate`.
    pub nav_date: Option<String>,
    /// Its required statement (v2 `attribution`).
    pub required_statement: Option<Statement>,
    /// Who provides it.
    pub providers: Vec<ProviderView>,
    /// The heading over the providers ("Provider", "Providers"); none
    /// when the required statement is labelled "Provider" already.
    pub provider_heading: Option<String>,
}

impl ResourceView {
    /// `r` as shown on a site whose language is `language`.
    pub fn new(r: &Resource, language: &str) -> Self {
        let required_statement = r.required_statement.as_ref().map(|s| Statement {
            label: s.label.value.clone(),
            value: RichText::new(&s.value, language),
        });
        let provider_named = required_statement
            .as_ref()
            .is_some_and(|s| s.label == "Provider");
        let provider_heading = match r.provider.len() {
            _ if provider_named => None,
            0 => None,
            1 => Some("Provider".to_string()),
            _ => Some("Providers".to_string()),
        };
        ResourceView {
            id: r.id.clone(),
            summary: r.summary.as_ref().map(|s| RichText::new(s, language)),
            metadata: MetadataGroup::runs(&r.metadata, language),
            thumbnail: r.thumbnail.clone(),
            canvas_count: r.canvas_count,
            nav_date: r.nav_date.clone(),
            required_statement,
            providers: r.provider.iter().map(ProviderView::new).collect(),
            provider_heading,
        }
    }
}

/// The values of one metadata label: one `<dt>` and its `<dd>`s. A run of
/// entries with one label is one group (HTML wants each name once in a
/// `<dl>`); the same label further on starts another.
#[derive(Debug, Clone, Serialize)]
pub struct MetadataGroup {
    /// The label.
    pub label: String,
    /// Its language, when given and not the site's.
    pub lang: Option<String>,
    /// The values, in order.
    pub values: Vec<RichText>,
}

impl MetadataGroup {
    /// `entries` grouped in runs of one label.
    fn runs(entries: &[MetadataEntry], language: &str) -> Vec<Self> {
        let mut groups: Vec<MetadataGroup> = Vec::new();
        for entry in entries {
            let value = RichText::new(&entry.value, language);
            match groups.last_mut() {
                Some(last) if last.label == entry.label.value => last.values.push(value),
                _ => groups.push(MetadataGroup {
                    label: entry.label.value.clone(),
                    lang: other_language(entry.label.lang.as_deref(), language),
                    values: vec![value],
                }),
            }
        }
        groups
    }
}

/// A required statement: a label and its value.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    /// The label ("Attribution", "Provider").
    pub label: String,
    /// The value.
    pub value: RichText,
}

/// Who provides a resource.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    /// Its name: its label, else its home page (may be empty).
    pub name: String,
    /// Its home page URL.
    pub homepage: Option<String>,
    /// Its logo image URL.
    pub logo: Option<String>,
}

impl ProviderView {
    fn new(p: &Provider) -> Self {
        ProviderView {
            name: p
                .label
                .as_ref()
                .map(|l| l.value.clone())
                .or_else(|| p.homepage.clone())
                .unwrap_or_default(),
            homepage: p.homepage.clone(),
            logo: p.logo.clone(),
        }
    }
}

/// What a resource is, as pages name it and count its parts.
#[derive(Debug, Clone, Serialize)]
pub struct GenreView {
    /// The name written in the registry's `resource_type` (`map`).
    pub name: &'static str,
    /// What people call it ("Map").
    pub label: &'static str,
    /// One of its parts (its canvases): "image", "page", "recording".
    pub part: &'static str,
    /// Several of its parts: "images", "pages".
    pub parts: &'static str,
}

impl From<GenreFacts> for GenreView {
    fn from(facts: GenreFacts) -> Self {
        GenreView {
            name: facts.name,
            label: facts.label,
            part: facts.part,
            parts: facts.parts,
        }
    }
}

/// A citation formatted in one style.
#[derive(Debug, Clone, Serialize)]
pub struct CitationText {
    /// The style's name (`apa`).
    pub name: String,
    /// The style's label ("APA").
    pub label: String,
    /// The citation as HTML, escaped (italics as `<i>`).
    pub html: String,
    /// The same as plain text.
    pub text: String,
}

impl From<Formatted> for CitationText {
    fn from(f: Formatted) -> Self {
        CitationText {
            name: f.name,
            label: f.label,
            html: f.html,
            text: f.text,
        }
    }
}

/// A Markdown page of the site (`content/pages/`). Its fields serialise in
/// the order the loaded page's did: the hash of a site page's context dates
/// it in `pidsite.lock` and the sitemap.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    /// Its slug (the file stem; the page is at `/<slug>/`).
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Its position in the navigation (lower first; then by title).
    pub order: i64,
    /// Its meta description.
    pub description: String,
    /// Its HTML.
    pub html: String,
}

impl From<&Page> for PageView {
    fn from(p: &Page) -> Self {
        PageView {
            slug: p.slug.clone(),
            title: p.title.clone(),
            order: p.order,
            description: p.description.clone(),
            html: p.html.clone(),
        }
    }
}

/// A text's language, when it is given and not the site's `language`.
pub fn other_language(lang: Option<&str>, language: &str) -> Option<String> {
    lang.filter(|l| *l != language).map(str::to_string)
}

/// The language of `text`, when it is given and not the site's.
pub fn text_language(text: Option<&Text>, language: &str) -> Option<String> {
    other_language(text.and_then(|t| t.lang.as_deref()), language)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(text: &str, lang: Option<&str>) -> Html {
        Html {
            html: text.into(),
            text: text.into(),
            lang: lang.map(str::to_string),
        }
    }

    fn entry(label: &str, value: &str) -> MetadataEntry {
        MetadataEntry {
            label: Text {
                value: label.into(),
                lang: Some("de".into()),
            },
            value: html(value, Some("en")),
        }
    }

    #[test]
    fn metadata_groups_runs_of_one_label_only() {
        let entries = [
            entry("Author", "A"),
            entry("Author", "B"),
            entry("Date", "1900"),
            entry("Author", "C"),
        ];
        let groups = MetadataGroup::runs(&entries, "en");
        let shape: Vec<(&str, usize)> = groups
            .iter()
            .map(|g| (g.label.as_str(), g.values.len()))
            .collect();
        assert_eq!(shape, [("Author", 2), ("Date", 1), ("Author", 1)]);
        // The site's language is not repeated; another one is given.
        assert_eq!(groups[0].lang.as_deref(), Some("de"));
        assert_eq!(groups[0].values[0].lang, None);
    }

    #[test]
    fn providers_are_headed_unless_the_statement_names_them() {
        let provider = Provider {
            label: None,
            homepage: Some("https://example.org/".into()),
            logo: None,
        };
        let manifest = r#"{"@context": "http://iiif.io/api/presentation/3/context.json",
            "id": "https://example.org/m", "type": "Manifest", "items": []}"#;
        let mut r = crate::load::iiif::parse(manifest.as_bytes(), &[]).unwrap();
        r.provider = vec![provider.clone()];
        assert_eq!(
            ResourceView::new(&r, "en").provider_heading.as_deref(),
            Some("Provider")
        );
        r.provider.push(provider);
        let view = ResourceView::new(&r, "en");
        assert_eq!(view.provider_heading.as_deref(), Some("Providers"));
        assert_eq!(view.providers[0].name, "https://example.org/");
        r.required_statement = Some(entry("Provider", "Someone"));
        assert_eq!(ResourceView::new(&r, "en").provider_heading, None);
    }
}
