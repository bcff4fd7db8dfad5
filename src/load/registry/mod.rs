//! The PID registry (`content/registry.csv`, `content/registry.json`, every
//! `.csv`/`.tsv`/`.json` file in `content/registry/`, or `[registry] file`,
//! read through the site's mapping) -> [`Entry`]s. Every problem is reported
//! at once, each naming the file, the row's line and the column. This module
//! validates the rows together; `row.rs` checks each row; it never reads
//! manifests.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::error::{Error, Location, Result, Warning, WarningKind};
use crate::load::confine::Confine;
use crate::load::pages::Page;
use crate::model::pid::Pid;
use crate::model::record::{version_slug, Entry, Record, Status};
use crate::output::{export, file};

mod map;
mod profile;
mod read;
mod row;
use read::{decode, read_csv, read_json, registry_files, Read};
use row::record;

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
    /// What the build should say about how the files were read (columns
    /// left out under `ignore_unknown_columns`), once each.
    pub notes: Vec<String>,
}

/// A row as mapped: pidsite column -> non-empty trimmed value, and where
/// it is.
struct RawRow {
    at: Location,
    values: Values,
    /// `[registry.metadata]`: label -> the cell's values, in the site's order.
    metadata: Vec<(String, Vec<String>)>,
    /// pidsite column -> the file's header it comes from, where they differ
    /// (shared by the rows of a file).
    names: Arc<HashMap<&'static str, String>>,
}

/// A row's values by pidsite column, in column order. A row has a handful:
/// a sorted list is a fifth of the memory of a map, and a large registry's
/// rows are all read before they are checked.
#[derive(Default)]
struct Values(Vec<(&'static str, String)>);

impl Values {
    fn get(&self, column: &str) -> Option<&String> {
        let i = self.0.binary_search_by(|(c, _)| (*c).cmp(column)).ok()?;
        Some(&self.0[i].1)
    }

    /// Set a column's value (a later value replaces an earlier one).
    fn insert(&mut self, column: &'static str, value: String) {
        match self.0.binary_search_by(|(c, _)| (*c).cmp(column)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (column, value)),
        }
    }

    /// The columns and their values, in column order.
    fn iter(&self) -> impl Iterator<Item = (&'static str, &String)> {
        self.0.iter().map(|(c, v)| (*c, v))
    }
}

/// Find and read the registry of the site in `site_dir`. Every problem, in
/// every phase (the file's shape, its rows, duplicates, aliases, moves), is
/// reported at once, up to [`MAX_LISTED`](crate::error::MAX_LISTED).
pub fn load(site_dir: &Path, config: &SiteConfig) -> Result<Registry> {
    let settings = &config.registry;
    let files = registry_files(site_dir, settings)?;
    if files.is_empty() {
        return Err(Error::registry(
            Location::file("content/registry.csv"),
            "no registry found: expected content/registry.csv, content/registry.json, .csv/.json files in content/registry/, or [registry] file in site.toml",
        ));
    }
    let profile = match &settings.profile {
        Some(name) => Some(profile::Profile::named(name).ok_or_else(|| {
            Error::registry(
                Location::file(crate::config::CONFIG_FILE),
                format!(
                    "[registry] profile: expected one of {}, found {name:?}",
                    profile::NAMES
                ),
            )
        })?),
        None => None,
    };
    let mut read = Read::default();
    let mut making = Making::new(site_dir, config);
    for rel in &files {
        let bytes = std::fs::read(site_dir.join(rel)).map_err(|e| Error::io(rel, e))?;
        let text = match decode(bytes, rel) {
            Ok(text) => text,
            Err(e) => {
                read.errors.push(e);
                continue;
            }
        };
        let file = if rel.extension().is_some_and(|e| e == "json") {
            let file = read_json(&text, rel, settings, profile, site_dir);
            making.reserve(file.rows.len());
            file
        } else {
            making.reserve(memchr::memchr_iter(b'\n', text.as_bytes()).count());
            read_csv(&text, rel, settings, profile, site_dir, &mut |row| {
                making.push(row)
            })
        };
        file.rows.into_iter().for_each(|row| making.push(row));
        read.errors.extend(file.errors);
        read.notes.extend(file.notes);
    }
    let (registry, errors) = making.finish();
    read.errors.extend(errors);
    match Error::from_list(capped(read.errors, &files[0])) {
        Some(e) => Err(e),
        None => Ok(Registry {
            files,
            notes: read.notes,
            ..registry
        }),
    }
}

/// The first [`MAX_LISTED`](crate::error::MAX_LISTED) errors, and a line
/// counting the rest.
fn capped(errors: Vec<Error>, file: &Path) -> Vec<Error> {
    Error::capped(errors, |rest| {
        Error::registry(
            Location::file(file),
            format!("and {rest} more problem(s) not listed; fix these and build again to see them"),
        )
    })
}

/// The PIDs of the rows, grouped: one entry per PID, whose rows differ by
/// version.
struct Grouped {
    entries: Vec<Entry>,
    /// PID key -> index in `entries`.
    by_key: HashMap<String, usize>,
    /// Lower-cased landing folder -> index in `entries`.
    by_path: BTreeMap<String, usize>,
    /// Keys of PIDs with a bad row: other rows naming them are not told
    /// again that they are not in the registry.
    failed: HashSet<String>,
}

/// Rows -> entries, and every problem with them: bad rows, duplicates,
/// versions, aliases, moves and nested folders.
#[cfg(test)]
fn validate(rows: Vec<RawRow>, site_dir: &Path, config: &SiteConfig) -> (Registry, Vec<Error>) {
    let mut making = Making::new(site_dir, config);
    rows.into_iter().for_each(|row| making.push(row));
    making.finish()
}

/// How many rows are made into records at once.
const SLICE: usize = 4096;

/// Rows made into records as they are read: each row on its own first, a
/// slice at a time on every core (most of reading a registry), then in
/// order, each record going to its PID's entry. The rows read are never all
/// held at once (at 1,000,000 rows, ~280 MB beside the records), nor the
/// records beside the entries.
struct Making<'a> {
    site: Confine,
    config: &'a SiteConfig,
    /// The rows read and not yet made.
    slice: Vec<RawRow>,
    grouped: Grouped,
    /// The rows' own problems, then (see [`Making::finish`]) the grouping's:
    /// as when rows were grouped last.
    errors: Vec<Error>,
    group_errors: Vec<Error>,
    failed: HashSet<String>,
    /// Cells cut to their caps.
    long: Vec<Warning>,
}

impl<'a> Making<'a> {
    fn new(site_dir: &Path, config: &'a SiteConfig) -> Self {
        Making {
            site: Confine::new(site_dir),
            config,
            slice: Vec::with_capacity(SLICE),
            grouped: Grouped::with_capacity(0),
            errors: Vec::new(),
            group_errors: Vec::new(),
            failed: HashSet::new(),
            long: Vec::new(),
        }
    }

    /// Room for about `rows` more rows (a file's line count).
    fn reserve(&mut self, rows: usize) {
        self.grouped.entries.reserve(rows);
        self.grouped.by_key.reserve(rows);
    }

    /// A row read.
    fn push(&mut self, row: RawRow) {
        self.slice.push(row);
        if self.slice.len() == SLICE {
            self.make();
        }
    }

    /// Make the rows read so far into records.
    fn make(&mut self) {
        let slice = std::mem::replace(&mut self.slice, Vec::with_capacity(SLICE));
        let (site, config) = (&self.site, self.config);
        let made: Vec<_> = slice
            .into_par_iter()
            .map(|row| match record(&row, site, config) {
                Ok(mut r) => {
                    let capped = cap_row(&mut r);
                    Ok((r, capped))
                }
                Err(e) => {
                    let pid = row.values.get("pid").and_then(|p| Pid::parse(p).ok());
                    Err((pid.map(|p| p.key().to_string()), e))
                }
            })
            .collect();
        for made in made {
            match made {
                Ok((r, capped)) => {
                    self.long.extend(capped);
                    self.grouped.add(r, &mut self.group_errors);
                }
                Err((pid, e)) => {
                    self.failed.extend(pid);
                    self.errors.extend(e);
                }
            }
        }
    }

    /// The registry, once every row is read, and every problem: the rows',
    /// the grouping's, then versions, aliases, moves and nested folders.
    fn finish(mut self) -> (Registry, Vec<Error>) {
        self.make();
        let Making {
            mut grouped,
            mut errors,
            mut group_errors,
            failed,
            long,
            ..
        } = self;
        grouped.failed = failed;
        errors.append(&mut group_errors);
        let mut warnings = number_versions(&mut grouped.entries, &mut errors);
        warnings.extend(long);
        check_aliases(&grouped, &mut errors);
        check_replaced_by(&grouped, &mut errors);
        check_nesting(&grouped, &mut errors);
        let ends = resolve_moves(&grouped, &mut errors);
        let mut entries = grouped.entries;
        if errors.is_empty() {
            for (i, end) in ends {
                entries[i].current_mut().replaced_by = Some(end);
            }
        }
        let registry = Registry {
            entries,
            files: Vec::new(),
            warnings,
            notes: Vec::new(),
        };
        (registry, errors)
    }
}

/// Cut the text a row gives its page to its caps (see
/// [`crate::model::cap`]): `title`, each `creator`, `publisher`, `date`,
/// `version` to [`TITLE_CHARS`](crate::model::cap::TITLE_CHARS), notes,
/// reasons and `[registry.metadata]` values to [`SUMMARY_CHARS`](crate::model::cap::SUMMARY_CHARS),
/// with a warning per cell naming the row and the column.
fn cap_row(record: &mut Record) -> Vec<Warning> {
    use crate::model::cap::{cap, SUMMARY_CHARS, TITLE_CHARS};
    fn cell<'a>(column: &str, text: Option<&'a mut String>, max: usize) -> Option<Cell<'a>> {
        text.map(|t| (column.to_string(), t, max))
    }
    type Cell<'a> = (String, &'a mut String, usize);
    let mut cells: Vec<Cell<'_>> = Vec::new();
    if let Some(d) = record.details.as_deref_mut() {
        cells.extend(cell("version", d.version.as_mut(), TITLE_CHARS));
        cells.extend(cell("version_note", d.version_note.as_mut(), SUMMARY_CHARS));
        let reason = d.withdrawn_reason.as_mut();
        cells.extend(cell("withdrawn_reason", reason, SUMMARY_CHARS));
    }
    if let Some(o) = record.overrides.as_deref_mut() {
        cells.extend(cell("title", o.title.as_mut(), TITLE_CHARS));
        cells.extend(
            o.creators
                .iter_mut()
                .map(|c| ("creator".to_string(), c, TITLE_CHARS)),
        );
        cells.extend(cell("date", o.date.as_mut(), TITLE_CHARS));
        cells.extend(cell("publisher", o.publisher.as_mut(), TITLE_CHARS));
        // The labels are the site's own (`[registry.metadata]`).
        for (label, values) in &mut o.metadata {
            let at = format!("metadata {label:?}");
            cells.extend(values.iter_mut().map(|v| (at.clone(), v, SUMMARY_CHARS)));
        }
    }
    let at = &record.at;
    cells
        .into_iter()
        .filter_map(|(column, text, max)| {
            let chars = cap(text, max)?;
            // A column is named in quotes, a metadata label already is.
            let column = if column.starts_with("metadata ") {
                column
            } else {
                format!("column \"{column}\"")
            };
            Some(Warning::new(
                WarningKind::LongText,
                at.clone(),
                format!("{column}: {chars} characters; pages show the first {max}"),
            ))
        })
        .collect()
}

impl Grouped {
    /// No entries yet, room for `rows` of them.
    fn with_capacity(rows: usize) -> Self {
        Grouped {
            entries: Vec::with_capacity(rows),
            by_key: HashMap::with_capacity(rows),
            by_path: BTreeMap::new(),
            failed: HashSet::new(),
        }
    }

    /// Add a row to its PID's entry, or start one; rows of one PID must
    /// differ by version, and two PIDs may not share a landing folder.
    fn add(&mut self, r: Record, errors: &mut Vec<Error>) {
        let key = r.pid.key();
        if let Some(&i) = self.by_key.get(key) {
            let entry = &mut self.entries[i];
            if let Some(prev) = entry
                .versions
                .iter()
                .find(|v| v.details().version == r.details().version)
            {
                errors.push(Error::registry(
                    r.at.clone(),
                    format!(
                        "column \"pid\": duplicate PID {} (first at {}); give each row of one PID a distinct `version`",
                        r.pid, prev.at
                    ),
                ));
                return;
            }
            entry.push(r);
            return;
        }
        // Two different PIDs may not share a landing folder (e.g. local IDs
        // differing only in case on a case-insensitive disk).
        let path = r.pid.landing_path().as_str().to_lowercase();
        if let Some(&o) = self.by_path.get(&path) {
            let first = &self.entries[o].versions[0];
            errors.push(Error::registry(
                r.at.clone(),
                format!(
                    "column \"pid\": PID {} would share its landing page folder with {} (at {}) on a case-insensitive disk",
                    r.pid, first.pid, first.at
                ),
            ));
            return;
        }
        self.by_path.insert(path, self.entries.len());
        self.by_key.insert(key.to_string(), self.entries.len());
        self.entries.push(Entry::new(r));
    }
}

/// Versions: a row without a label is numbered by its place among the
/// PID's rows; each label needs a folder of its own (`v1/`…). Warns of
/// versions out of date order.
fn number_versions(entries: &mut [Entry], errors: &mut Vec<Error>) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for entry in entries.iter_mut().filter(|e| e.is_versioned()) {
        let out_of_order = entry.settle_current();
        let mut slugs: HashMap<String, Location> = HashMap::new();
        for (i, row) in entry.versions.iter_mut().enumerate() {
            let label = row
                .details
                .get_or_insert_with(Box::default)
                .version
                .get_or_insert_with(|| (i + 1).to_string());
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
    warnings
}

/// Aliases may not take another PID's place, be another form of another
/// PID (ARK hyphens, DOI case), or belong to two PIDs.
fn check_aliases(grouped: &Grouped, errors: &mut Vec<Error>) {
    let Grouped {
        entries,
        by_key,
        by_path,
        ..
    } = grouped;
    let mut claimed: HashMap<String, (usize, Location)> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = &entry.current().at;
        for alias in entry.aliases() {
            let clash = by_path.get(&alias.path.as_str().to_lowercase());
            if let Some(&o) = clash {
                let other = &entries[o].versions[0].pid;
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
}

/// A move's `replaced_by` must be a PID of the registry.
fn check_replaced_by(grouped: &Grouped, errors: &mut Vec<Error>) {
    for entry in &grouped.entries {
        let current = entry.current();
        if let Some(to) = &current.replaced_by {
            let key = to.key();
            if !grouped.by_key.contains_key(key) && !grouped.failed.contains(key) {
                errors.push(Error::registry(
                    current.at.clone(),
                    format!("column \"replaced_by\": {to} is not a PID in the registry"),
                ));
            }
        }
    }
}

/// A PID may not have its page in a folder that another PID's pages use:
/// a version's `v1/`, the `images/` and `members/` lists, or one of the
/// files beside a landing page (a folder there cannot be written). Each
/// PID looks at the folder above its own page, once, in the landing
/// folders the rows were grouped by.
fn check_nesting(grouped: &Grouped, errors: &mut Vec<Error>) {
    let Grouped {
        entries, by_path, ..
    } = grouped;
    for entry in entries {
        let landing = entry.pid().landing_path();
        let inner = landing.as_str().trim_end_matches('/');
        let Some((parent, name)) = inner.rsplit_once('/') else {
            continue;
        };
        let Some(&o) = by_path.get(&format!("{parent}/").to_lowercase()) else {
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
}

/// A moved PID whose replacement moved too redirects straight to the end
/// of the chain (one hop for visitors and crawlers): each moved entry and
/// the end of its chain. A loop, or an end that is reserved, is an error.
fn resolve_moves(grouped: &Grouped, errors: &mut Vec<Error>) -> Vec<(usize, Pid)> {
    let entries = &grouped.entries;
    let resolved = move_ends(grouped);
    let mut ends = Vec::new();
    for (i, end) in resolved.iter().enumerate() {
        let current = entries[i].current();
        match *end {
            MoveEnd::NotMoved => {}
            MoveEnd::Loop(ref cycle) => errors.push(Error::registry(
                current.at.clone(),
                format!(
                    "column \"replaced_by\": moved PIDs form a loop ({cycle}) that {} is in or leads into; expected the chain to end at an active or withdrawn PID",
                    current.pid
                ),
            )),
            MoveEnd::At(at) => {
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
        }
    }
    ends
}

/// Where an entry's chain of moves ends.
#[derive(Clone)]
enum MoveEnd {
    /// Not a moved PID.
    NotMoved,
    /// The first entry of the chain that is not moved, or the last one
    /// before a PID not in the registry (reported by check_replaced_by).
    At(usize),
    /// The chain runs into a loop, written once for all its entries.
    Loop(Arc<str>),
}

/// Each entry's [`MoveEnd`], in linear time: every chain is walked once,
/// and a walk stops at an entry already resolved (following each chain
/// from each of its entries made a chain of 4,000 moves take 25 s).
fn move_ends(grouped: &Grouped) -> Vec<MoveEnd> {
    let entries = &grouped.entries;
    let moved = |i: usize| entries[i].current().status == Status::Moved;
    let next = |i: usize| {
        let to = entries[i].current().replaced_by.as_ref()?;
        grouped.by_key.get(to.key()).copied()
    };
    let mut ends: Vec<Option<MoveEnd>> = vec![None; entries.len()];
    // The entries of the walk in progress, and each one's place in it.
    let mut path = Vec::new();
    let mut on_path: HashMap<usize, usize> = HashMap::new();
    for start in 0..entries.len() {
        if ends[start].is_some() {
            continue;
        }
        if !moved(start) {
            ends[start] = Some(MoveEnd::NotMoved);
            continue;
        }
        let mut at = start;
        let end = loop {
            if let Some(end) = &ends[at] {
                break match end {
                    MoveEnd::NotMoved => MoveEnd::At(at),
                    known => known.clone(),
                };
            }
            if let Some(&from) = on_path.get(&at) {
                break MoveEnd::Loop(loop_text(entries, &path[from..]));
            }
            if !moved(at) {
                break MoveEnd::At(at);
            }
            on_path.insert(at, path.len());
            path.push(at);
            match next(at) {
                Some(n) => at = n,
                None => break MoveEnd::At(at),
            }
        };
        for i in path.drain(..) {
            ends[i] = Some(end.clone());
        }
        on_path.clear();
    }
    ends.into_iter()
        .map(|e| e.expect("every entry is resolved by the walk that starts at it"))
        .collect()
}

/// A loop of moves as `a → b → a`; a long one names its first PIDs and
/// counts the rest (every entry leading into it shares this text).
fn loop_text(entries: &[Entry], cycle: &[usize]) -> Arc<str> {
    const SHOWN: usize = 8;
    let label = |i: &usize| entries[*i].current().pid.label();
    let mut names: Vec<String> = cycle.iter().take(SHOWN).map(label).collect();
    if cycle.len() > SHOWN {
        names.push(format!("… {} more", cycle.len() - SHOWN));
    }
    names.push(label(&cycle[0]));
    names.join(" → ").into()
}

/// The warning for a PID whose row `later` is dated before its row
/// `earlier`: it names both rows and the version made current.
fn version_order_warning(entry: &Entry, earlier: usize, later: usize) -> Warning {
    let row = |i: usize| {
        let r = &entry.versions[i];
        let line = r.at.line.map_or_else(String::new, |l| format!("row {l}, "));
        format!(
            "{line}version {:?} of {}",
            r.details().version.as_deref().unwrap_or(""),
            r.details().version_date.as_deref().unwrap_or("")
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
    export::PATHS[0],
    export::PATHS[1],
    export::PATHS[2],
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
    let mut rows = Vec::new();
    let read = read_csv(
        text,
        Path::new("content/registry.csv"),
        &config.registry,
        None,
        site_dir,
        &mut |row| rows.push(row),
    );
    let (registry, errors) = validate(rows, site_dir, &config);
    match Error::from_list(read.errors.into_iter().chain(errors).collect()) {
        Some(e) => Err(e),
        None => Ok(registry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::Target;

    #[test]
    fn clashes_between_rows_name_the_first_row_after_every_bad_row() {
        // Rows are grouped as they are made; the grouping's errors still
        // follow every row's own, and name the first row of the PID.
        let text = "pid,target,aliases\nItem-1,a.json,\nitem-1,b.json,\nItem-1,c.json,\n\
                    other,d.json,Item-1\n,e.json,\n";
        let e = parse_str(text, Path::new("/site")).unwrap_err().to_string();
        let lines: Vec<&str> = e.lines().map(str::trim).collect();
        assert_eq!(lines.len(), 4, "{e}");
        assert!(lines[0].starts_with("content/registry.csv:6:"), "{e}");
        assert!(
            lines[1].starts_with("content/registry.csv:3:")
                && lines[1].ends_with(
                    "PID item-1 would share its landing page folder with Item-1 \
                     (at content/registry.csv:2) on a case-insensitive disk"
                ),
            "{e}"
        );
        assert!(
            lines[2].starts_with("content/registry.csv:4:")
                && lines[2].contains("duplicate PID Item-1 (first at content/registry.csv:2)"),
            "{e}"
        );
        assert!(
            lines[3].starts_with("content/registry.csv:5:")
                && lines[3].contains("is the landing page of PID Item-1"),
            "{e}"
        );
    }

    #[test]
    fn chains_of_moves_end_where_the_last_move_goes_and_loops_are_named() {
        // 2,000 moves in one chain, written last to first (each row's
        // replacement is resolved before it is read), a branch joining it
        // halfway, and a move to a PID not in the registry.
        let mut text = String::from("pid,status,replaced_by,target\n");
        for i in (0..2000).rev() {
            text.push_str(&format!("m{i},moved,m{},\n", i + 1));
        }
        text.push_str("m2000,active,,x.json\nbranch,moved,m1000,\n");
        let registry = parse_str(&text, Path::new("/site")).unwrap();
        let end = |pid: &str| {
            let entry = registry
                .entries
                .iter()
                .find(|e| e.pid().label() == pid)
                .unwrap();
            entry.current().replaced_by.as_ref().map(Pid::label)
        };
        for pid in ["m0", "m1", "m999", "m1999", "branch"] {
            assert_eq!(end(pid).as_deref(), Some("m2000"), "{pid}");
        }
        assert_eq!(end("m2000"), None);

        // A loop of three with two moves leading into it: one error each,
        // all naming the same loop.
        let text =
            "pid,status,replaced_by\nt0,moved,t1\nt1,moved,a\na,moved,b\nb,moved,c\nc,moved,a\n";
        let e = parse_str(text, Path::new("/site")).unwrap_err().to_string();
        assert_eq!(
            e.matches("moved PIDs form a loop (a → b → c → a)").count(),
            5,
            "{e}"
        );
        assert!(e.contains("that t0 is in or leads into"), "{e}");
        // A long loop is named by its first PIDs.
        let mut text = String::from("pid,status,replaced_by\n");
        for i in 0..20 {
            text.push_str(&format!("l{i},moved,l{}\n", (i + 1) % 20));
        }
        let e = parse_str(&text, Path::new("/site"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("(l0 → l1 → l2 → l3 → l4 → l5 → l6 → l7 → … 12 more → l0)"),
            "{e}"
        );
        // A chain that ends at a reserved PID.
        let text = "pid,status,replaced_by\nr0,moved,r1\nr1,moved,r2\nr2,reserved,\n";
        let e = parse_str(text, Path::new("/site")).unwrap_err().to_string();
        assert_eq!(
            e.matches("r2 is reserved and has no page").count(),
            2,
            "{e}"
        );
    }

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
