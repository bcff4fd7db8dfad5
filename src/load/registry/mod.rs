//! The PID registry (`content/registry.csv`, `content/registry.json`, or
//! every `.csv`/`.json` file in `content/registry/`) -> [`Entry`]s. Every bad
//! row is reported at once, each naming the file, the row's line and the
//! column. This module validates; it never reads manifests.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::error::{Error, Location, Result, Warning, WarningKind};
use crate::load::pages::Page;
use crate::model::genre::Genre;
use crate::model::pid::Pid;
use crate::model::record::{version_slug, Alias, Entry, Overrides, Record, Status, Target};
use crate::model::site_path::SitePath;
use crate::output::file;

mod read;
use read::{not_utf8, read_csv, read_json, registry_files};

/// Every column the registry accepts.
pub const COLUMNS: &[&str] = &[
    "pid",
    "target",
    "type",
    "status",
    "replaced_by",
    "aliases",
    "version",
    "version_date",
    "version_note",
    "withdrawn_date",
    "withdrawn_reason",
    "canvas",
    "region",
    "title",
    "creator",
    "date",
    "publisher",
    "license",
    "resource_type",
];

/// What a PID's pages may put beside its landing page, besides version
/// folders: the long-list pages and the files of `render`.
const RESERVED_BESIDE_LANDING: &[&str] = &[
    "images",
    "members",
    "index.html",
    file::BIBTEX,
    file::RIS,
    file::CSL_JSON,
    file::DATACITE,
    file::LINKSET,
    file::MANIFEST,
];

/// The registry: PIDs in registry order, each with its versions.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// One entry per PID.
    pub entries: Vec<Entry>,
    /// The files read, site-relative.
    pub files: Vec<PathBuf>,
    /// Soft problems of the rows (versions out of date order).
    pub warnings: Vec<Warning>,
}

/// A row as written: column -> non-empty trimmed value, and where it is.
struct RawRow {
    at: Location,
    values: HashMap<String, String>,
}

/// Find and read the registry of the site in `site_dir`.
pub fn load(site_dir: &Path, config: &SiteConfig) -> Result<Registry> {
    let files = registry_files(site_dir)?;
    if files.is_empty() {
        return Err(Error::registry(
            Location::file("content/registry.csv"),
            "no registry found: expected content/registry.csv, content/registry.json or .csv/.json files in content/registry/",
        ));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for rel in &files {
        let path = site_dir.join(rel);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(rel, e))?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                errors.push(not_utf8(e.as_bytes(), e.utf8_error().valid_up_to(), rel));
                continue;
            }
        };
        let parsed = if rel.extension().is_some_and(|e| e == "json") {
            // A byte order mark (Windows editors) is not JSON.
            read_json(text.strip_prefix('\u{feff}').unwrap_or(&text), rel)
        } else {
            read_csv(&text, rel)
        };
        match parsed {
            Ok(r) => rows.extend(r),
            Err(e) => errors.push(e),
        }
    }
    if let Some(e) = Error::from_list(errors) {
        return Err(e);
    }
    let registry = validate(rows, site_dir, config)?;
    Ok(Registry { files, ..registry })
}

fn validate(rows: Vec<RawRow>, site_dir: &Path, config: &SiteConfig) -> Result<Registry> {
    let mut errors = Vec::new();
    let mut records = Vec::new();
    for row in rows {
        match record(&row, site_dir, config) {
            Ok(r) => records.push(r),
            Err(e) => errors.push(e),
        }
    }
    // Group rows by PID; rows of one PID must differ by version.
    let mut entries: Vec<Entry> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut by_path: BTreeMap<String, (String, Location)> = BTreeMap::new();
    for r in records {
        let key = r.pid.key().to_string();
        if let Some(&i) = by_key.get(&key) {
            let entry = &mut entries[i];
            if let Some(prev) = entry.versions.iter().find(|v| v.version == r.version) {
                errors.push(Error::registry(
                    r.at.clone(),
                    format!(
                        "column \"pid\": duplicate PID {} (first at {}); give each row of one PID a distinct `version`",
                        r.pid, prev.at
                    ),
                ));
                continue;
            }
            entry.push(r);
            continue;
        }
        // Two different PIDs may not share a landing folder (e.g. local IDs
        // differing only in case on a case-insensitive disk).
        let path = r.pid.landing_path().as_str().to_lowercase();
        if let Some((other, at)) = by_path.get(&path) {
            errors.push(Error::registry(
                r.at.clone(),
                format!(
                    "column \"pid\": PID {} would share its landing page folder with {other} (at {at}) on a case-insensitive disk",
                    r.pid
                ),
            ));
            continue;
        }
        by_path.insert(path, (r.pid.to_string(), r.at.clone()));
        by_key.insert(key, entries.len());
        entries.push(Entry::new(r));
    }
    // Versions: a row without a label is numbered by its place among the
    // PID's rows; each label needs a folder of its own (`v1/`…).
    let mut warnings = Vec::new();
    for entry in entries.iter_mut().filter(|e| e.is_versioned()) {
        let out_of_order = entry.settle_current();
        let mut slugs: HashMap<String, Location> = HashMap::new();
        for (i, row) in entry.versions.iter_mut().enumerate() {
            let label = row.version.get_or_insert_with(|| (i + 1).to_string());
            match version_slug(label) {
                Some(slug) => {
                    if let Some(first) = slugs.get(&slug.to_lowercase()) {
                        errors.push(Error::registry(
                            row.at.clone(),
                            format!(
                                "column \"version\": version {label:?} of {} would share the folder {slug}/ with the version at {first}; give the versions distinct labels",
                                row.pid
                            ),
                        ));
                    }
                    slugs.insert(slug.to_lowercase(), row.at.clone());
                }
                None => errors.push(Error::registry(
                    row.at.clone(),
                    format!(
                        "column \"version\": {label:?} is not a usable version label; expected letters or digits such as 2 or 2024-rescan"
                    ),
                )),
            }
        }
        if let Some((earlier, later)) = out_of_order {
            warnings.push(version_order_warning(entry, earlier, later));
        }
    }
    // Aliases may not take another PID's place, be another form of another
    // PID (ARK hyphens, DOI case), or belong to two PIDs.
    let mut claimed: HashMap<String, (usize, Location)> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = &entry.current().at;
        for alias in entry.aliases() {
            let clash = by_path.get(&alias.path.as_str().to_lowercase());
            if let Some((other, _)) = clash {
                errors.push(Error::registry(
                    at.clone(),
                    format!(
                        "column \"aliases\": alias {:?} is the landing page of PID {other}",
                        alias.written
                    ),
                ));
                continue;
            }
            // A former PID's key (an old URL of the site is no PID).
            let key = match alias.request {
                Some(_) => None,
                None => Pid::parse(&alias.written).ok().map(|p| p.key().to_string()),
            };
            if let Some(&j) = key.as_ref().and_then(|k| by_key.get(k)) {
                if j != i {
                    let other = entries[j].current();
                    errors.push(Error::registry(
                        at.clone(),
                        format!(
                            "column \"aliases\": alias {:?} is another form of PID {} (at {})",
                            alias.written, other.pid, other.at
                        ),
                    ));
                    continue;
                }
            }
            // An old URL claims the path it is requested at: `/a%20b/` and
            // `/a b/` are one URL to the hosts, though two stub folders.
            let claim = key.unwrap_or_else(|| {
                alias
                    .request
                    .as_deref()
                    .unwrap_or(alias.path.as_str())
                    .to_lowercase()
            });
            match claimed.get(&claim) {
                Some((j, first)) if *j != i => errors.push(Error::registry(
                    at.clone(),
                    format!(
                        "column \"aliases\": alias {:?} is also an alias of {} (at {first})",
                        alias.written,
                        entries[*j].pid()
                    ),
                )),
                Some(_) => {}
                None => {
                    claimed.insert(claim, (i, at.clone()));
                }
            }
        }
    }
    for entry in &entries {
        let current = entry.current();
        if let Some(to) = &current.replaced_by {
            if !by_key.contains_key(to.key()) {
                errors.push(Error::registry(
                    current.at.clone(),
                    format!("column \"replaced_by\": {to} is not a PID in the registry"),
                ));
            }
        }
    }
    if let Some(e) = Error::from_list(errors) {
        return Err(e);
    }
    let by_path_index: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.pid().landing_path().as_str().to_lowercase(), i))
        .collect();
    let mut errors = Vec::new();
    // A PID may not have its page in a folder that another PID's pages use:
    // a version's `v1/`, the `images/` and `members/` lists, or one of the
    // files beside a landing page (a folder there cannot be written). Each
    // PID looks at the folder above its own page, once.
    for entry in &entries {
        let landing = entry.pid().landing_path();
        let inner = landing.as_str().trim_end_matches('/');
        let Some((parent, name)) = inner.rsplit_once('/') else {
            continue;
        };
        let Some(&o) = by_path_index.get(&format!("{parent}/").to_lowercase()) else {
            continue;
        };
        let owner = &entries[o];
        let taken = RESERVED_BESIDE_LANDING
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
            || (owner.is_versioned()
                && (0..owner.versions.len()).any(|v| {
                    owner
                        .version_path(v)
                        .as_str()
                        .eq_ignore_ascii_case(landing.as_str())
                }));
        if taken {
            let inside = entry.current();
            errors.push(Error::registry(
                inside.at.clone(),
                format!(
                    "column \"pid\": PID {} would have its page in the folder {} of {} (at {})",
                    inside.pid,
                    landing.as_str(),
                    owner.pid(),
                    owner.current().at
                ),
            ));
        }
    }
    // A moved PID whose replacement moved too redirects straight to the end
    // of the chain (one hop for visitors and crawlers); a loop is an error.
    let mut ends = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let current = entry.current();
        if current.status != Status::Moved {
            continue;
        }
        let mut seen = vec![current.pid.label()];
        let mut at = i;
        while let Some(next) = entries[at]
            .current()
            .replaced_by
            .as_ref()
            .filter(|_| entries[at].current().status == Status::Moved)
        {
            at = by_key[next.key()];
            let label = entries[at].current().pid.label();
            if seen.contains(&label) {
                seen.push(label);
                errors.push(Error::registry(
                    current.at.clone(),
                    format!(
                        "column \"replaced_by\": moved PIDs form a loop ({}); expected the chain to end at an active or withdrawn PID",
                        seen.join(" → ")
                    ),
                ));
                break;
            }
            seen.push(label);
        }
        // A reserved PID has no page to redirect to.
        let end = entries[at].current();
        if end.status == Status::Reserved {
            errors.push(Error::registry(
                current.at.clone(),
                format!(
                    "column \"replaced_by\": {} is reserved and has no page; expected the move to end at an active or withdrawn PID",
                    end.pid
                ),
            ));
        }
        ends.push((i, end.pid.clone()));
    }
    if let Some(e) = Error::from_list(errors) {
        return Err(e);
    }
    for (i, end) in ends {
        entries[i].current_mut().replaced_by = Some(end);
    }
    Ok(Registry {
        entries,
        files: Vec::new(),
        warnings,
    })
}

/// The warning for a PID whose row `later` is dated before its row
/// `earlier`: it names both rows and the version made current.
fn version_order_warning(entry: &Entry, earlier: usize, later: usize) -> Warning {
    let row = |i: usize| {
        let r = &entry.versions[i];
        let line = r.at.line.map_or_else(String::new, |l| format!("row {l}, "));
        format!(
            "{line}version {:?} of {}",
            r.version.as_deref().unwrap_or(""),
            r.version_date.as_deref().unwrap_or("")
        )
    };
    let current = entry.current_index();
    Warning::new(
        WarningKind::VersionOrder,
        entry.versions[later].at.clone(),
        format!(
            "column \"version_date\": the versions of {} are not in date order ({} comes after {}); the newest, {}, is current, and the versions keep their rows' order in v1/, v2/…",
            entry.pid(),
            row(later),
            row(earlier),
            row(current)
        ),
    )
}

fn record(row: &RawRow, site_dir: &Path, config: &SiteConfig) -> Result<Record> {
    let get = |k: &str| row.values.get(k).cloned();
    let col_err =
        |col: &str, msg: String| Error::registry(row.at.clone(), format!("column {col:?}: {msg}"));
    let pid_text = get("pid")
        .ok_or_else(|| col_err("pid", "expected an identifier, found an empty value".into()))?;
    let pid = Pid::parse(&pid_text).map_err(|m| col_err("pid", m))?;
    let status = match get("status") {
        None => Status::Active,
        Some(s) => Status::parse(&s).ok_or_else(|| {
            col_err(
                "status",
                format!("expected one of {}, found {s:?}", Status::NAMES.join(", ")),
            )
        })?,
    };
    let target = match get("target") {
        Some(t) => Some(target(&t, site_dir).map_err(|m| col_err("target", m))?),
        None if status == Status::Active => {
            return Err(col_err(
                "target",
                "expected a path under content/ or an http(s) URL (only withdrawn and moved PIDs may have none)".into(),
            ))
        }
        None => None,
    };
    let replaced_by = match get("replaced_by") {
        Some(p) => Some(Pid::parse(&p).map_err(|m| col_err("replaced_by", m))?),
        None if status == Status::Moved => {
            return Err(col_err(
                "replaced_by",
                "a moved PID needs the PID it moved to".into(),
            ))
        }
        None => None,
    };
    let aliases = get("aliases")
        .map(|a| {
            a.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| alias(s, config).map_err(|m| col_err("aliases", m)))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    let region = get("region");
    if let Some(r) = &region {
        if !crate::load::iiif::valid_region(r) {
            return Err(col_err(
                "region",
                format!("expected x,y,w,h numbers of at least 0, found {r:?}"),
            ));
        }
    }
    let resource_type = match get("resource_type") {
        Some(t) => Some(Genre::from_name(&t).ok_or_else(|| {
            col_err(
                "resource_type",
                format!("expected one of {}, found {t:?}", Genre::names()),
            )
        })?),
        None => None,
    };
    let declared_type = get("type");
    if let Some(t) = &declared_type {
        if crate::model::resource::ResourceKind::from_type(t).is_none() {
            return Err(col_err(
                "type",
                format!("expected Manifest, Collection, Canvas, Range, AnnotationPage or Annotation, found {t:?}"),
            ));
        }
    }
    // The dates that date pages (sitemap, feed, activities): a date the
    // build cannot read would be replaced by the build's own without a word.
    for col in ["version_date", "withdrawn_date"] {
        if let Some(d) = get(col) {
            if d.parse::<jiff::Timestamp>().is_err() && d.parse::<jiff::civil::Date>().is_err() {
                return Err(col_err(
                    col,
                    format!("expected a date as YYYY-MM-DD (or an RFC 3339 time), found {d:?}"),
                ));
            }
        }
    }
    let license = get("license");
    if let Some(l) = &license {
        if !(l.starts_with("http://") || l.starts_with("https://")) {
            return Err(col_err(
                "license",
                format!("expected a licence URI, found {l:?}"),
            ));
        }
    }
    Ok(Record {
        pid,
        at: row.at.clone(),
        target,
        status,
        replaced_by,
        aliases,
        version: get("version"),
        version_date: get("version_date"),
        version_note: get("version_note"),
        withdrawn_date: get("withdrawn_date"),
        withdrawn_reason: get("withdrawn_reason"),
        canvas: get("canvas"),
        region,
        declared_type,
        overrides: Some(Box::new(Overrides {
            title: get("title"),
            creators: get("creator")
                .map(|c| {
                    c.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            date: get("date"),
            publisher: get("publisher"),
            license,
            resource_type,
        }))
        .filter(|o| **o != Overrides::default()),
    })
}

fn target(text: &str, site_dir: &Path) -> std::result::Result<Target, String> {
    if text.starts_with("http://") || text.starts_with("https://") {
        return Ok(Target::Remote(text.to_string()));
    }
    // `./manifests/x.json` and `content/./manifests/x.json` name the same
    // file as `manifests/x.json`.
    let rel = text.trim_start_matches("./");
    let rel = rel.strip_prefix("content/").unwrap_or(rel);
    let path = Path::new(rel);
    if path.is_absolute()
        || rel.contains('\\')
        || path.components().any(|c| {
            !matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
    {
        return Err(format!(
            "expected a relative path under content/ (no `..`, no absolute path) or an http(s) URL, found {text:?}"
        ));
    }
    let path = site_dir.join("content").join(
        path.components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .collect::<PathBuf>(),
    );
    if let Some(real) = crate::load::confine::outside_site(&path, site_dir) {
        return Err(format!(
            "{text:?} resolves through a symbolic link to {}, outside the site folder; pidsite reads local targets only from inside it",
            real.display()
        ));
    }
    Ok(Target::Local {
        written: text.to_string(),
        path,
    })
}

/// An alias is a former PID (any scheme) or an old URL/path of this site.
fn alias(text: &str, config: &SiteConfig) -> std::result::Result<Alias, String> {
    // Old URLs of this site: absolute, root-relative under the base path, or
    // any other path starting with `/` (taken as relative to the base).
    let site_rel = text
        .strip_prefix(config.base_url.as_str())
        .or_else(|| text.strip_prefix(config.base_path.as_str()))
        .or_else(|| text.strip_prefix('/'));
    let mut request = None;
    let path = match site_rel {
        Some(rel) => {
            let rel = rel.split(['?', '#']).next().unwrap_or("");
            let segments: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
            if segments.is_empty() || segments.iter().any(|s| *s == ".." || *s == ".") {
                return Err(format!(
                    "alias {text:?}: expected a page path under the site"
                ));
            }
            let mut folder = SitePath::folder(segments[..segments.len() - 1].iter().copied());
            let last = segments[segments.len() - 1];
            let is_file = last.ends_with(".html") && !rel.ends_with('/');
            folder = if is_file {
                folder.file(&crate::model::site_path::escape_segment(last))
            } else {
                folder.join_folder(last)
            };
            let decoded = segments
                .iter()
                .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy())
                .collect::<Vec<_>>()
                .join("/");
            request = Some(if is_file { decoded } else { decoded + "/" });
            folder
        }
        None => Pid::parse(text)
            .map_err(|m| format!("alias {text:?}: {m}"))?
            .landing_path(),
    };
    Ok(Alias {
        written: text.to_string(),
        path,
        request,
    })
}

/// Files the site writes besides its PIDs' pages, other than those found
/// by pattern (see [`site_file`]).
const SITE_FILES: &[&str] = &[
    "index.html",
    "404.html",
    "sitemap.xml",
    "feed.xml",
    "robots.txt",
    "pids.csv",
    file::LINKSET,
    ".nojekyll",
    "_redirects",
    ".htaccess",
    "pidsite-redirects.map",
    ".pidsite-build",
];

/// What of the site's own is at `file` (a path in the output), if any:
/// its fixed files, list pages, sitemap parts, Change Discovery pages,
/// Markdown pages (`slugs`) and static files (`statics`).
pub(crate) fn site_file(file: &str, slugs: &[String], statics: &[String]) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let numbered = |prefix: &str, suffix: &str| {
        file.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(suffix))
            .is_some_and(digits)
    };
    if SITE_FILES.contains(&file)
        || numbered("sitemap-", ".xml")
        || numbered("page/", "/index.html")
        || numbered("activity/page-", ".json")
        || file == "activity/all-changes.json"
    {
        return Some(format!("the site's own {file}"));
    }
    if let Some(slug) = slugs.iter().find(|s| file == format!("{s}/index.html")) {
        return Some(format!("the page content/pages/{slug}.md"));
    }
    statics
        .iter()
        .find(|s| s.as_str() == file)
        .map(|s| format!("the static file {s}"))
}

/// Aliases may not be written where the site writes its own files (an old
/// URL `/about/` where a Markdown page is, `/sitemap.xml`): the stub would
/// replace the page, or could not be written at all, and the hosts'
/// redirect rules would send the site's own URL away.
/// `statics` are the site's static files as published; each one must keep
/// clear of the files the site generates too ([`crate::load::static_clash`]).
pub fn check_site_paths(registry: &Registry, statics: &[String], pages: &[Page]) -> Result<()> {
    let slugs: Vec<String> = pages
        .iter()
        .map(|p| crate::model::site_path::escape_segment(&p.slug))
        .collect();
    crate::load::static_clash::check(registry, statics, &slugs)?;
    let statics: Vec<String> = statics
        .iter()
        .cloned()
        .chain(
            crate::static_files::BUILTIN_STATIC
                .iter()
                .map(|(rel, _)| rel.to_string()),
        )
        .collect();
    let (slugs, statics) = (slugs.as_slice(), statics.as_slice());
    let mut errors = Vec::new();
    for entry in &registry.entries {
        for alias in entry.aliases() {
            let path = alias.path.as_str();
            let stub = if alias.path.is_folder() {
                format!("{path}index.html")
            } else {
                path.to_string()
            };
            // The stub itself, or a folder it needs where a file is.
            let clash = std::iter::once(stub.as_str())
                .chain(stub.match_indices('/').map(|(i, _)| &stub[..i]))
                .find_map(|f| site_file(f, slugs, statics));
            if let Some(what) = clash {
                errors.push(Error::registry(
                    entry.current().at.clone(),
                    format!(
                        "column \"aliases\": alias {:?} would be written at {stub}, where {what} is",
                        alias.written
                    ),
                ));
            }
        }
    }
    match Error::from_list(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A registry from CSV text, for unit tests elsewhere in the crate.
#[cfg(test)]
pub(crate) fn parse_str(text: &str, site_dir: &Path) -> Result<Registry> {
    let config = SiteConfig::parse(
        "base_url = \"https://example.org/\"\ntitle = \"Test\"\n",
        Path::new("site.toml"),
    )?;
    validate(
        read_csv(text, Path::new("content/registry.csv"))?,
        site_dir,
        &config,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_version_is_current_only_when_dates_are_out_of_order() {
        // Rows `target,version_date` of one PID, numbered as its versions.
        let current = |rows: &[&str]| {
            let mut text = String::from("pid,version,target,version_date\n");
            for (i, row) in rows.iter().enumerate() {
                text.push_str(&format!("a,{},{row}\n", i + 1));
            }
            let registry = parse_str(&text, Path::new("/site")).unwrap();
            (registry.entries[0].current_index(), registry.warnings.len())
        };
        // In order, or undated: the last row, without a word.
        assert_eq!(current(&["x.json,2020-01-01", "y.json,2021-01-01"]), (1, 0));
        assert_eq!(current(&["x.json,", "y.json,"]), (1, 0));
        // A new row not dated yet stays current.
        assert_eq!(current(&["x.json,2020-01-01", "y.json,"]), (1, 0));
        // Equal dates are in order: the last of them is current.
        assert_eq!(current(&["x.json,2020-01-01", "y.json,2020-01-01"]), (1, 0));
        // Out of order: the newest (a time and a date compare as instants).
        assert_eq!(
            current(&[
                "x.json,2022-01-01",
                "y.json,2021-06-01T12:00:00Z",
                "z.json,"
            ]),
            (0, 1)
        );
        assert_eq!(
            current(&[
                "x.json,2020-01-01",
                "y.json,2023-01-01",
                "z.json,2021-01-01"
            ]),
            (1, 1)
        );
    }

    #[test]
    fn two_unicode_spellings_of_a_pid_are_a_duplicate() {
        let text = "pid,target\ncaf\u{e9},x.json\ncafe\u{301},y.json\n";
        let error = parse_str(text, Path::new("/site")).unwrap_err().to_string();
        assert!(
            error.contains("content/registry.csv:3: column \"pid\": duplicate PID caf\u{e9} (first at content/registry.csv:2)"),
            "{error}"
        );
    }

    #[test]
    fn a_target_may_start_with_dot_slash() {
        // `./manifests/x.json` is how many people write a relative path; it
        // was refused with "no `..`, no absolute path", neither of which it is.
        let registry = parse_str(
            "pid,target\nitem-1,./manifests/x.json\nitem-2,content/./manifests/y.json\n",
            Path::new("/site"),
        )
        .unwrap();
        let paths: Vec<PathBuf> = registry
            .entries
            .iter()
            .map(|e| match &e.current().target {
                Some(Target::Local { path, .. }) => path.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            paths,
            [
                Path::new("/site/content/manifests/x.json"),
                Path::new("/site/content/manifests/y.json")
            ]
        );
        // `..` is still refused.
        let err = parse_str("pid,target\nitem-1,./../x.json\n", Path::new("/site")).unwrap_err();
        assert!(err.to_string().contains("no `..`"), "{err}");
    }

    #[test]
    fn a_region_the_page_would_drop_is_an_error() {
        // The landing page ignores a region with a negative or non-finite
        // number; the registry accepted it, so it vanished without a word.
        for region in ["10,20,-5,8", "1,2,NaN,4", "1,2,3,inf"] {
            let err = parse_str(
                &format!("pid,target,canvas,region\nitem-1,manifests/x.json,https://e.org/c1,\"{region}\"\n"),
                Path::new("/site"),
            )
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("content/registry.csv:2: column \"region\": expected x,y,w,h numbers of at least 0, found {region:?}")
            );
        }
        parse_str(
            "pid,target,canvas,region\nitem-1,manifests/x.json,https://e.org/c1,\"0,0,10.5,20\"\n",
            Path::new("/site"),
        )
        .unwrap();
    }

    #[test]
    fn two_spellings_of_one_old_url_are_one_alias() {
        let err = parse_str(
            "pid,target,aliases\nitem-1,manifests/x.json,/items/a%20b/\nitem-2,manifests/y.json,/items/a b/\n",
            Path::new("/site"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("alias \"/items/a b/\" is also an alias of item-1"),
            "{err}"
        );
    }
}
