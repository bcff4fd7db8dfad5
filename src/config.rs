//! `site.toml` -> [`SiteConfig`]: read what was written (`RawConfig`, serde,
//! unknown keys rejected), then validate into the types the rest of the code
//! uses. Errors name the file, the line and the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub mod registry;

pub use crate::citation::CitationLabels;
use crate::citation::SiteDefaults;
use crate::error::{Error, Location, Result};
use crate::model::genre::Genre;
pub use crate::model::pid::Resolvers;
pub use registry::RegistrySettings;

/// The file name of a site's settings.
pub const CONFIG_FILE: &str = "site.toml";

/// What `site.toml` says, as written. Every key but `base_url` and `title`
/// has a default.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawConfig {
    base_url: Option<String>,
    title: Option<String>,
    description: String,
    language: String,
    languages: Vec<String>,
    output_dir: String,
    publisher: String,
    logo: Option<String>,
    minify: bool,
    footer: String,
    default_resource_type: Option<String>,
    viewer: RawViewer,
    resolvers: BTreeMap<String, String>,
    citation: RawCitation,
    remote: RawRemote,
    rules: RawRules,
    markdown: RawMarkdown,
    #[serde(rename = "static")]
    static_files: RawStatic,
    registry: RegistrySettings,
    search: RawSearch,
    map: MapSettings,
    manifests: RawManifests,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            base_url: None,
            title: None,
            description: String::new(),
            language: "en".into(),
            languages: Vec::new(),
            output_dir: "public".into(),
            publisher: String::new(),
            logo: None,
            minify: true,
            footer: String::new(),
            default_resource_type: None,
            viewer: RawViewer::default(),
            resolvers: BTreeMap::new(),
            citation: RawCitation::default(),
            remote: RawRemote::default(),
            rules: Default::default(),
            markdown: RawMarkdown::default(),
            static_files: RawStatic::default(),
            registry: RegistrySettings::default(),
            search: RawSearch::default(),
            map: MapSettings::default(),
            manifests: RawManifests::default(),
        }
    }
}

/// `[manifests]`: whether the site copies the local manifests the holding
/// institution serves itself, or links to them.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawManifests {
    copy: ManifestCopy,
}

/// `[manifests] copy`: what the site publishes of a local manifest or
/// collection whose `id` is an http(s) URL outside the site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ManifestCopy {
    /// A copy with the PID written in (`manifest.json`), as for any other
    /// local document.
    #[default]
    Always,
    /// No copy: every link points at the `id`, where the institution
    /// serves it.
    Link,
}

/// `[search]`: whether the build makes the site-wide search index, the
/// search page and the browse pages (on unless `enabled = false`).
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawSearch {
    enabled: bool,
}

impl Default for RawSearch {
    fn default() -> Self {
        RawSearch { enabled: true }
    }
}

/// `[map]`: the maps of located PIDs (IIIF `navPlace`) on their landing
/// pages and the map page, and where their background tiles come from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MapSettings {
    /// Whether pages with places show a map and the site has a map page
    /// (`map/`); off, landing pages still list their places.
    pub enabled: bool,
    /// The tile URL template (`{z}`, `{x}`, `{y}`, optionally `{s}` and
    /// `{r}`); empty: markers on a blank background, no tile requests.
    pub tiles: String,
    /// The attribution the tile provider requires, shown on the map.
    pub attribution: String,
    /// Where the attribution links to (the provider's copyright page).
    pub attribution_url: String,
}

impl Default for MapSettings {
    fn default() -> Self {
        MapSettings {
            enabled: true,
            tiles: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            attribution: "© OpenStreetMap contributors".into(),
            attribution_url: "https://www.openstreetmap.org/copyright".into(),
        }
    }
}

/// `[markdown]`: whether the site trusts the raw HTML its authors write in
/// Markdown (Hugo's `markup.goldmark.renderer.unsafe`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawMarkdown {
    allow_html: bool,
}

/// `[static]`: the hidden files and folders of `static/` to publish.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawStatic {
    include: Vec<String>,
}

/// What becomes of raw HTML in Markdown (pages, notes, the footer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RawHtml {
    /// Left out, with a warning naming the file (the default).
    #[default]
    Omit,
    /// Kept, sanitised with the allow-list of manifest HTML
    /// (`[markdown] allow_html = true`).
    Sanitise,
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawRemote {
    timeout_secs: u64,
    retries: u32,
    deadline_secs: u64,
    max_size_mb: u64,
    concurrency: usize,
}

impl Default for RawRemote {
    fn default() -> Self {
        RawRemote {
            timeout_secs: 30,
            deadline_secs: 120,
            retries: 2,
            max_size_mb: 64,
            concurrency: 8,
        }
    }
}

/// How remote targets (http(s) URLs in the registry) are fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// Connect and read timeout of each request.
    pub timeout: std::time::Duration,
    /// The most one document may take, redirects and body included: a
    /// server that trickles its body cannot stall the build.
    pub deadline: std::time::Duration,
    /// Further tries after a connection error, a timeout, a 5xx or a 429.
    pub retries: u32,
    /// The largest document accepted, in bytes.
    pub max_bytes: u64,
    /// How many documents are fetched at once.
    pub concurrency: usize,
}

impl Default for RemoteConfig {
    fn default() -> Self {
        let raw = RawRemote::default();
        RemoteConfig {
            timeout: std::time::Duration::from_secs(raw.timeout_secs),
            deadline: std::time::Duration::from_secs(raw.deadline_secs),
            retries: raw.retries,
            max_bytes: raw.max_size_mb * 1024 * 1024,
            concurrency: raw.concurrency,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawViewer {
    kind: ViewerKind,
    source: ViewerSource,
}

impl Default for RawViewer {
    fn default() -> Self {
        RawViewer {
            kind: ViewerKind::Mirador,
            source: ViewerSource::SelfHosted,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawCitation {
    styles: Vec<String>,
    default_style: Option<String>,
    locale: String,
    labels: CitationLabels,
}

impl Default for RawCitation {
    fn default() -> Self {
        RawCitation {
            styles: vec!["apa".into(), "mla".into(), "chicago-author-date".into()],
            default_style: None,
            locale: "site".into(),
            labels: CitationLabels::default(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawRules {
    files: Vec<String>,
    skip_regex: bool,
    entries: Vec<toml::Spanned<RawRuleEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleEntry {
    exact: Option<String>,
    prefix: Option<String>,
    replacement: Option<String>,
    status: Option<String>,
    #[serde(default)]
    ignore_case: bool,
}

/// `[rules]`: redirect rules besides the PIDs (README "Redirect rules"),
/// checked and made into rules by `load::rules`, which reads the files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSettings {
    /// Rule files (OBO Foundry PURL YAML), relative to the site folder.
    pub files: Vec<String>,
    /// Whether the files' `regex` entries (and OBO's term-browser rule)
    /// are left out without a warning.
    pub skip_regex: bool,
    /// site.toml's own `[[rules.entries]]`, in order.
    pub entries: Vec<RuleEntry>,
}

impl RuleSettings {
    /// `[rules]` as written; `text` is site.toml's, for line numbers.
    fn from_raw(raw: RawRules, text: &str) -> Self {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let entries = raw
            .entries
            .into_iter()
            .map(|spanned| {
                let line = line_of(spanned.span().start);
                let e = spanned.into_inner();
                RuleEntry {
                    exact: e.exact,
                    prefix: e.prefix,
                    replacement: e.replacement,
                    status: e.status,
                    ignore_case: e.ignore_case,
                    line,
                }
            })
            .collect();
        RuleSettings {
            files: raw.files,
            skip_regex: raw.skip_regex,
            entries,
        }
    }
}

/// A redirect rule as written, in site.toml or in a rule file: OBO
/// Foundry's keys, and `ignore_case`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleEntry {
    /// The path it matches exactly.
    pub exact: Option<String>,
    /// The path whose start it matches.
    pub prefix: Option<String>,
    /// Where it redirects.
    pub replacement: Option<String>,
    /// `permanent`, `temporary` (the default) or `see other`.
    pub status: Option<String>,
    /// Whether letter case is ignored.
    pub ignore_case: bool,
    /// Its line in its file.
    pub line: usize,
}

/// Which IIIF viewer landing pages embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViewerKind {
    /// Mirador 4 (Apache-2.0), self-hosted from its npm package.
    Mirador,
    /// No viewer: thumbnail and manifest link only.
    None,
}

/// Where the viewer's script comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViewerSource {
    /// Copied into the site under `vendor/` (the default: nothing third-party
    /// has to stay up for a PID page to work).
    SelfHosted,
    /// A pinned jsDelivr URL with a Subresource Integrity hash.
    Cdn,
}

/// A validated site configuration.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// Absolute base URL, always ending in `/` (may carry a sub-path).
    pub base_url: String,
    /// The path part of `base_url`, starting and ending with `/`; every
    /// internal link starts with it so a project site works under its sub-path.
    pub base_path: String,
    /// Site title.
    pub title: String,
    /// One-sentence description for the home page and meta tags.
    pub description: String,
    /// The site's main language (BCP 47).
    pub language: String,
    /// Languages to prefer in IIIF language maps, in order.
    pub languages: Vec<String>,
    /// Output folder, relative to the site unless absolute.
    pub output_dir: PathBuf,
    /// Publisher or holding institution used in citations by default.
    pub publisher: String,
    /// Path of a logo under static/, shown in the header.
    pub logo: Option<String>,
    /// Minify HTML output.
    pub minify: bool,
    /// Footer text (Markdown).
    pub footer: String,
    /// What becomes of raw HTML in Markdown.
    pub raw_html: RawHtml,
    /// Hidden files and folders of `static/` published all the same
    /// (`[static] include`), as paths relative to `static/`.
    pub static_include: Vec<String>,
    /// What a manifest, canvas or range is when neither the registry nor
    /// the IIIF says (`default_resource_type`); `None`: images, or a book
    /// when the manifest is `paged`.
    pub default_genre: Option<Genre>,
    /// Embedded viewer.
    pub viewer: ViewerKind,
    /// Where the viewer's script is loaded from.
    pub viewer_source: ViewerSource,
    /// Resolver base URLs per scheme.
    pub resolvers: Resolvers,
    /// Citation styles shown on landing pages, in order (the first is shown
    /// first unless `default_style` says otherwise).
    pub citation_styles: Vec<String>,
    /// The style shown first.
    pub default_style: String,
    /// The site folder (custom CSL files are read from it).
    pub site_dir: PathBuf,
    /// The institution's own metadata labels for citation fields.
    pub citation_labels: CitationLabels,
    /// The language the citation styles' own words ("Retrieved from",
    /// "n.d.") and dates are in: the site's (`[citation] locale = "site"`),
    /// one named, or `None` for each style's own (`"style"`).
    pub citation_locale: Option<String>,
    /// Fetching remote targets.
    pub remote: RemoteConfig,
    /// Redirect rules besides the PIDs (`[rules]`).
    pub rules: RuleSettings,
    /// How to read the registry (`[registry]`): checked against the
    /// file's headers when the registry is loaded.
    pub registry: RegistrySettings,
    /// Whether the site has search and browse pages (`[search] enabled`).
    pub search: bool,
    /// Maps (`[map]`), checked: the tile URL is an http(s) template.
    pub map: MapSettings,
    /// Whether local manifests served elsewhere are copied or linked
    /// (`[manifests] copy`).
    pub manifest_copy: ManifestCopy,
}

impl SiteConfig {
    /// What citations take from the site's settings.
    pub fn citation_defaults(&self) -> SiteDefaults<'_> {
        SiteDefaults {
            labels: &self.citation_labels,
            publisher: &self.publisher,
            default_genre: self.default_genre,
        }
    }

    /// The site's own CSL style files (`styles/ieee.csl`), relative to the
    /// site, among `citation_styles` (the others are built-in names).
    pub fn own_style_files(&self) -> impl Iterator<Item = &str> {
        self.citation_styles
            .iter()
            .map(String::as_str)
            .filter(|s| crate::citation::styles::custom_style_name(s).is_some())
    }

    /// Read and validate `site.toml` in `site_dir`.
    pub fn load(site_dir: &Path) -> Result<Self> {
        let path = site_dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound && site_dir.is_dir() {
                // The usual cause: the command was run outside a site.
                Error::config(
                    Location::file(path.clone()),
                    format!(
                        "No such file or directory: {} is not a pidsite site \
                         (`pidsite new <folder>` starts one; --site names another)",
                        site_dir.display()
                    ),
                )
            } else {
                Error::io(&path, e)
            }
        })?;
        // Messages name files relative to the site, as registry errors do.
        let mut config = Self::parse(&text, Path::new(CONFIG_FILE))?;
        config.site_dir = site_dir.to_path_buf();
        if let Some(logo) = &config.logo {
            let rel = logo.trim_start_matches('/');
            if !site_dir.join("static").join(rel).is_file() {
                let line = text
                    .lines()
                    .position(|l| l.trim_start().starts_with("logo"))
                    .map(|i| i + 1);
                return Err(Error::config(
                    Location {
                        path: CONFIG_FILE.into(),
                        line,
                    },
                    format!("key `logo`: expected a file under static/, found no static/{rel}"),
                ));
            }
        }
        for style in config.own_style_files() {
            crate::citation::styles::read_csl(&site_dir.join(style)).map_err(|m| {
                Error::config(
                    Location::file(style),
                    format!("[citation] styles in site.toml names this file: {m}"),
                )
            })?;
        }
        Ok(config)
    }

    /// Parse the text of a `site.toml` (the path is for messages).
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            Error::config(
                Location {
                    path: path.to_path_buf(),
                    line,
                },
                e.message().trim().to_string(),
            )
        })?;
        Self::validate(raw, path, text)
    }

    fn validate(raw: RawConfig, path: &Path, text: &str) -> Result<Self> {
        let at = |key: &str| {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(key))
                .map(|i| i + 1);
            Location {
                path: path.to_path_buf(),
                line,
            }
        };
        let base_url = raw.base_url.ok_or_else(|| {
            Error::config(
                Location::file(path),
                "missing key `base_url`: expected the absolute URL the site is served at, e.g. \"https://org.github.io/repo/\"",
            )
        })?;
        let (base_url, base_path) =
            parse_base_url(&base_url).map_err(|m| Error::config(at("base_url"), m))?;
        let title = raw.title.filter(|t| !t.trim().is_empty()).ok_or_else(|| {
            Error::config(
                Location::file(path),
                "missing key `title`: expected the site's name, e.g. \"Example Library PIDs\"",
            )
        })?;
        let languages = languages(&raw.language, raw.languages, &at)?;
        let resolvers =
            resolvers(raw.resolvers).map_err(|m| Error::config(at("[resolvers]"), m))?;
        let (styles, default_style) =
            citation_styles(raw.citation.styles, raw.citation.default_style, &at)?;
        let citation_locale = match raw.citation.locale.trim() {
            "site" => Some(raw.language.clone()),
            "style" => None,
            "" => {
                return Err(Error::config(
                    at("locale"),
                    "[citation] locale: expected \"site\", \"style\" or a language tag such as \"de-CH\"",
                ))
            }
            tag => Some(tag.to_string()),
        };
        let default_genre = match &raw.default_resource_type {
            Some(name) => Some(Genre::from_name(name).ok_or_else(|| {
                Error::config(
                    at("default_resource_type"),
                    format!(
                        "key `default_resource_type`: expected one of {}, found {name:?}",
                        Genre::names()
                    ),
                )
            })?),
            None => None,
        };
        let remote = remote_config(&raw.remote, &at)?;
        Ok(SiteConfig {
            base_url,
            base_path,
            title: title.trim().to_string(),
            description: raw.description,
            language: raw.language,
            languages,
            output_dir: PathBuf::from(raw.output_dir),
            publisher: raw.publisher,
            logo: raw.logo,
            minify: raw.minify,
            footer: raw.footer,
            raw_html: if raw.markdown.allow_html {
                RawHtml::Sanitise
            } else {
                RawHtml::Omit
            },
            static_include: raw
                .static_files
                .include
                .iter()
                .map(|p| p.trim_matches('/').to_string())
                .collect(),
            default_genre,
            viewer: raw.viewer.kind,
            viewer_source: raw.viewer.source,
            resolvers,
            citation_styles: styles,
            default_style,
            site_dir: PathBuf::from("."),
            citation_labels: raw.citation.labels.normalised(),
            citation_locale,
            remote,
            rules: RuleSettings::from_raw(raw.rules, text),
            registry: raw.registry,
            search: raw.search.enabled,
            map: map_settings(raw.map, &at)?,
            manifest_copy: raw.manifests.copy,
        })
    }

    /// Root-relative link to a site path (`""` is the home page).
    pub fn path(&self, rel: &str) -> String {
        format!("{}{}", self.base_path, rel)
    }

    /// Absolute URL of a site path.
    pub fn url(&self, rel: &str) -> String {
        format!("{}{}", self.base_url, rel)
    }

    /// Where a local document whose `id` is `id` is linked rather than
    /// copied: its `id`, under `[manifests] copy = "link"`, when that is an
    /// http(s) URL outside the site (the holding institution serves it).
    pub fn linked_document(&self, id: &str) -> Option<String> {
        let url = crate::model::resource::http_url(id)?;
        (self.manifest_copy == ManifestCopy::Link && !url.starts_with(&self.base_url))
            .then_some(url)
    }
}

/// `[map]` checked: a tile URL must be an http(s) URL naming `{z}`, `{x}`
/// and `{y}`, and the attribution link an http(s) URL, or a visitor's
/// browser would be sent somewhere else.
fn map_settings(map: MapSettings, at: &impl Fn(&str) -> Location) -> Result<MapSettings> {
    let tiles = map.tiles.trim();
    let places = ["{z}", "{x}", "{y}"].iter().all(|p| tiles.contains(p));
    if !tiles.is_empty() && (crate::model::resource::http_url(tiles).is_none() || !places) {
        return Err(Error::config(
            at("tiles"),
            format!(
                "[map] key `tiles`: expected an http(s) URL with {{z}}, {{x}} and {{y}}, e.g. \"https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png\", or \"\" for no tiles, found {tiles:?}"
            ),
        ));
    }
    let link = map.attribution_url.trim();
    if !link.is_empty() && crate::model::resource::http_url(link).is_none() {
        return Err(Error::config(
            at("attribution_url"),
            format!("[map] key `attribution_url`: expected an http(s) URL, found {link:?}"),
        ));
    }
    Ok(MapSettings {
        enabled: map.enabled,
        tiles: tiles.to_string(),
        attribution: map.attribution.trim().to_string(),
        attribution_url: link.to_string(),
    })
}

/// Split a base URL into its normalised form (ending in `/`) and its path.
fn parse_base_url(url: &str) -> std::result::Result<(String, String), String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("key `base_url`: expected an absolute http(s) URL, found {url:?}")
        })?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!(
            "key `base_url`: expected a host name after the scheme, found {url:?}"
        ));
    }
    if path.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!(
            "key `base_url`: expected no query, fragment or spaces, found {url:?}"
        ));
    }
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    if path.contains("//") || segments.iter().any(|s| *s == "." || *s == "..") {
        return Err(format!(
            "key `base_url`: expected a path without empty, `.` or `..` segments (no `//`), found {url:?}"
        ));
    }
    let mut path = path.to_string();
    if !path.ends_with('/') {
        path.push('/');
    }
    let scheme_len = url.len() - rest.len();
    Ok((format!("{}{}{}", &url[..scheme_len], host, path), path))
}

/// `language`, and `languages` with it first unless listed: each a BCP 47
/// tag.
fn languages(
    language: &str,
    mut languages: Vec<String>,
    at: &impl Fn(&str) -> Location,
) -> Result<Vec<String>> {
    if !is_language_tag(language) {
        return Err(Error::config(
            at("language"),
            format!("key `language`: expected a BCP 47 language tag such as \"en\" or \"fr-CA\", found {language:?}"),
        ));
    }
    if let Some(bad) = languages.iter().find(|l| !is_language_tag(l)) {
        return Err(Error::config(
            at("languages"),
            format!("key `languages`: expected BCP 47 language tags, found {bad:?}"),
        ));
    }
    if !languages.iter().any(|l| l == language) {
        languages.insert(0, language.to_string());
    }
    Ok(languages)
}

/// `[citation] styles` (built-in names or a site's `.csl` files; `apa`
/// when empty) and `default_style`, which must be one of them: by name
/// (a site's own style is named by its file stem) or as written.
fn citation_styles(
    mut styles: Vec<String>,
    default_style: Option<String>,
    at: &impl Fn(&str) -> Location,
) -> Result<(Vec<String>, String)> {
    use crate::citation::styles::{custom_style_name, Style};
    for style in &styles {
        if custom_style_name(style).is_none() && Style::by_name(style).is_none() {
            return Err(Error::config(
                at("styles"),
                format!(
                    "[citation] styles: unknown style {style:?}; expected one of {} or the path of a .csl file in the site",
                    Style::NAMES.join(", ")
                ),
            ));
        }
    }
    if styles.is_empty() {
        styles.push("apa".into());
    }
    let style_names: Vec<String> = styles
        .iter()
        .map(|s| custom_style_name(s).unwrap_or(s).to_string())
        .collect();
    let default_style = match default_style {
        Some(style) if style_names.contains(&style) => style,
        Some(style) if styles.contains(&style) => {
            custom_style_name(&style).unwrap_or(&style).to_string()
        }
        Some(style) => {
            return Err(Error::config(
                at("default_style"),
                format!(
                    "[citation] default_style {style:?} is not one of `styles` ({})",
                    style_names.join(", ")
                ),
            ))
        }
        None => style_names[0].clone(),
    };
    Ok((styles, default_style))
}

/// `[remote]`, whose limits must each be at least 1.
fn remote_config(remote: &RawRemote, at: &impl Fn(&str) -> Location) -> Result<RemoteConfig> {
    for (key, value) in [
        ("timeout_secs", remote.timeout_secs),
        ("deadline_secs", remote.deadline_secs),
        ("max_size_mb", remote.max_size_mb),
        ("concurrency", remote.concurrency as u64),
    ] {
        if value == 0 {
            return Err(Error::config(
                at(key),
                format!("[remote] {key}: expected a number of at least 1, found 0"),
            ));
        }
    }
    Ok(RemoteConfig {
        timeout: std::time::Duration::from_secs(remote.timeout_secs),
        deadline: std::time::Duration::from_secs(remote.deadline_secs),
        retries: remote.retries,
        max_bytes: remote.max_size_mb.saturating_mul(1024 * 1024),
        concurrency: remote.concurrency,
    })
}

fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.split('-').all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

fn resolvers(mut raw: BTreeMap<String, String>) -> std::result::Result<Resolvers, String> {
    let mut take = |key: &str, default: &str| -> std::result::Result<String, String> {
        let mut value = raw.remove(key).unwrap_or_else(|| default.to_string());
        if !(value.starts_with("https://") || value.starts_with("http://")) {
            return Err(format!(
                "resolver `{key}`: expected an http(s) URL, found {value:?}"
            ));
        }
        if !value.ends_with('/') {
            value.push('/');
        }
        Ok(value)
    };
    let resolvers = Resolvers {
        ark: take("ark", "https://n2t.net/")?,
        doi: take("doi", "https://doi.org/")?,
        handle: take("handle", "https://hdl.handle.net/")?,
        urn: take("urn", "https://nbn-resolving.org/")?,
    };
    if let Some(key) = raw.keys().next() {
        return Err(format!(
            "unknown resolver `{key}`: expected one of ark, doi, handle, urn"
        ));
    }
    Ok(resolvers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SiteConfig> {
        SiteConfig::parse(text, Path::new("site.toml"))
    }

    #[test]
    fn links_only_documents_served_outside_the_site() {
        let head = "base_url = \"https://org.github.io/repo\"\ntitle = \"T\"\n";
        let always = parse(head).unwrap();
        assert_eq!(always.manifest_copy, ManifestCopy::Always);
        assert_eq!(always.linked_document("https://lib.example/m.json"), None);
        let link = parse(&format!("{head}[manifests]\ncopy = \"link\"\n")).unwrap();
        assert_eq!(
            link.linked_document("https://lib.example/m.json")
                .as_deref(),
            Some("https://lib.example/m.json")
        );
        for kept in [
            "https://org.github.io/repo/m.json",
            "urn:uuid:4f1b",
            "manifest.json",
            "",
        ] {
            assert_eq!(link.linked_document(kept), None, "{kept}");
        }
        let err = parse(&format!("{head}[manifests]\ncopy = \"never\"\n")).unwrap_err();
        assert!(err.to_string().contains("site.toml:4"), "{err}");
        assert!(err.to_string().contains("always"), "{err}");
    }

    #[test]
    fn minimal_config_builds_with_defaults() {
        let config = parse("base_url = \"https://org.github.io/repo\"\ntitle = \"T\"\n").unwrap();
        assert_eq!(config.base_url, "https://org.github.io/repo/");
        assert_eq!(config.base_path, "/repo/");
        assert_eq!(config.output_dir, PathBuf::from("public"));
        assert_eq!(config.path("ark/1/"), "/repo/ark/1/");
        assert_eq!(config.viewer, ViewerKind::Mirador);
        assert_eq!(config.default_style, "apa");
    }

    #[test]
    fn root_base_url() {
        let config = parse("base_url = \"https://pids.example.org\"\ntitle = \"T\"").unwrap();
        assert_eq!(config.base_url, "https://pids.example.org/");
        assert_eq!(config.base_path, "/");
    }

    #[test]
    fn wrong_type_names_line_and_key() {
        let err =
            parse("base_url = \"https://x.org/\"\ntitle = \"T\"\nminify = \"yes\"\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("site.toml:3: "), "{text}");
        assert!(text.contains("boolean"), "{text}");
    }

    #[test]
    fn unknown_key_is_an_error() {
        let err =
            parse("base_url = \"https://x.org/\"\ntitle = \"T\"\ntitel = \"x\"\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("site.toml:3: "), "{text}");
        assert!(text.contains("titel"), "{text}");
    }

    #[test]
    fn remote_settings_have_defaults_and_are_checked() {
        let config = parse("base_url = \"https://x.org/\"\ntitle = \"T\"\n").unwrap();
        assert_eq!(config.remote, RemoteConfig::default());
        assert_eq!(config.remote.timeout.as_secs(), 30);
        assert_eq!(config.remote.retries, 2);
        let config = parse(
            "base_url = \"https://x.org/\"\ntitle = \"T\"\n[remote]\ntimeout_secs = 2\nretries = 0\n",
        )
        .unwrap();
        assert_eq!(config.remote.timeout.as_secs(), 2);
        assert_eq!(config.remote.retries, 0);
        let err =
            parse("base_url = \"https://x.org/\"\ntitle = \"T\"\n[remote]\ntimeout_secs = 0\n")
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "site.toml:4: [remote] timeout_secs: expected a number of at least 1, found 0"
        );
    }

    #[test]
    fn missing_base_url() {
        let err = parse("title = \"T\"\n").unwrap_err();
        assert!(err.to_string().contains("missing key `base_url`"));
    }

    #[test]
    fn bad_base_url() {
        let err = parse("base_url = \"org.github.io\"\ntitle = \"T\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "site.toml:1: key `base_url`: expected an absolute http(s) URL, found \"org.github.io\""
        );
    }

    #[test]
    fn base_url_with_an_empty_or_dot_path_segment_is_an_error() {
        // `https://org.github.io//repo/` made every link `//repo/…`, which a
        // browser reads as the host `repo`.
        for url in [
            "https://org.github.io//repo/",
            "https://org.github.io/repo//",
            "https://org.github.io/a/../repo/",
            "https://org.github.io/./repo",
        ] {
            let err = parse(&format!("base_url = \"{url}\"\ntitle = \"T\"\n")).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("site.toml:1: key `base_url`: expected a path without empty, `.` or `..` segments (no `//`), found {url:?}")
            );
        }
    }
}
