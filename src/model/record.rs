//! [`Record`]: one validated registry row, and [`Entry`]: a PID with all its
//! rows (versions). Built by `load::registry`; never touches the disk.

use std::path::PathBuf;

use crate::error::Location;
use crate::model::pid::Pid;
use crate::model::site_path::SitePath;

/// What a PID's status column says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Resolves to a landing page.
    Active,
    /// Resolves to a tombstone page.
    Withdrawn,
    /// Resolves to a redirect to `replaced_by`.
    Moved,
    /// Minted and kept from being minted again, but not published yet: no
    /// page, not in `pids.csv` or the sitemap.
    Reserved,
}

impl Status {
    /// The values the registry accepts.
    pub const NAMES: &'static [&'static str] = &["active", "withdrawn", "moved", "reserved"];

    /// Parse a registry value (empty means active).
    pub fn parse(text: &str) -> Option<Status> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "active" => Some(Status::Active),
            "withdrawn" => Some(Status::Withdrawn),
            "moved" => Some(Status::Moved),
            "reserved" => Some(Status::Reserved),
            _ => None,
        }
    }

    /// Lower-case name, as in `pids.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Withdrawn => "withdrawn",
            Status::Moved => "moved",
            Status::Reserved => "reserved",
        }
    }
}

/// Where a PID's IIIF resource lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A file under `content/`: the path as written and the resolved path.
    Local {
        /// As written in the registry (relative to content/).
        written: String,
        /// Absolute or site-relative path on disk.
        path: PathBuf,
    },
    /// An http(s) URL.
    Remote(String),
}

/// A former identifier or old URL that must keep resolving.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alias {
    /// As written in the registry.
    pub written: String,
    /// Where its redirect stub is written.
    pub path: SitePath,
    /// For an old URL of this site: its path below the base path as
    /// browsers request it, percent-decoded (`islandora/object/uofm:1234/`),
    /// which the hosts' redirect rules match. The stub's own path escapes
    /// what file systems do not take (`uofm~3A1234/`), so a rule for it
    /// would never see the old URL. `None` for a former PID.
    pub request: Option<String>,
}

/// Citation fields the registry sets, which win over the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Overrides {
    /// Title.
    pub title: Option<String>,
    /// Creators, in order (`;`-separated in the registry).
    pub creators: Vec<String>,
    /// Date (ISO 8601 or free text such as "ca. 1450").
    pub date: Option<String>,
    /// Publisher or holding institution.
    pub publisher: Option<String>,
    /// Licence or rights URI.
    pub license: Option<String>,
    /// What the resource is (the `resource_type` column), e.g. a map.
    pub resource_type: Option<crate::model::genre::Genre>,
    /// Further columns the site shows on the landing page
    /// (`[registry.metadata]`): label and values, in the site's order.
    pub metadata: Vec<(String, Vec<String>)>,
}

/// One registry row, validated.
#[derive(Debug, Clone)]
pub struct Record {
    /// The identifier.
    pub pid: Pid,
    /// Registry file and row, for messages.
    pub at: Location,
    /// The resource; `None` only for withdrawn or moved PIDs.
    pub target: Option<Target>,
    /// Lifecycle status.
    pub status: Status,
    /// The PID this one moved to.
    pub replaced_by: Option<Pid>,
    /// Former identifiers and old URLs.
    pub aliases: Vec<Alias>,
    /// Version, withdrawal, canvas and type columns; none for most rows,
    /// and boxed (eight empty strings took 192 bytes a row).
    pub details: Option<Box<Details>>,
    /// Citation overrides; none for most rows, and boxed: a large
    /// registry's rows are all in memory for the whole build.
    pub overrides: Option<Box<Overrides>>,
}

/// The columns of a row that most rows leave empty (see [`Record::details`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Details {
    /// Version label (`1`, `2`, `2024-rescan`…).
    pub version: Option<String>,
    /// Date of this version.
    pub version_date: Option<String>,
    /// What changed in this version.
    pub version_note: Option<String>,
    /// Date of withdrawal.
    pub withdrawn_date: Option<String>,
    /// Why the PID was withdrawn.
    pub withdrawn_reason: Option<String>,
    /// Canvas id, for a PID naming one canvas of a manifest.
    pub canvas: Option<String>,
    /// `x,y,w,h` region of that canvas.
    pub region: Option<String>,
    /// The `type` column, if given (checked against the resource).
    pub declared_type: Option<String>,
}

/// A row without details.
static NO_DETAILS: Details = Details {
    version: None,
    version_date: None,
    version_note: None,
    withdrawn_date: None,
    withdrawn_reason: None,
    canvas: None,
    region: None,
    declared_type: None,
};

/// A row without citation overrides.
static NO_OVERRIDES: Overrides = Overrides {
    title: None,
    creators: Vec::new(),
    date: None,
    publisher: None,
    license: None,
    resource_type: None,
    metadata: Vec::new(),
};

impl Record {
    /// The version, withdrawal, canvas and type columns (all empty for most
    /// rows).
    pub fn details(&self) -> &Details {
        self.details.as_deref().unwrap_or(&NO_DETAILS)
    }

    /// The details, to be set.
    pub fn details_mut(&mut self) -> &mut Details {
        self.details.get_or_insert_with(Box::default)
    }

    /// The citation fields the row sets (all empty for most rows).
    pub fn overrides(&self) -> &Overrides {
        self.overrides.as_deref().unwrap_or(&NO_OVERRIDES)
    }
}

/// A PID with every registry row naming it. Rows differ by version; the
/// current one is the last in registry order, unless the rows' version dates
/// are out of that order: then it is the one with the newest date (see
/// [`Entry::settle_current`]).
#[derive(Debug, Clone)]
pub struct Entry {
    /// The rows, in registry order; never empty. Versions are numbered and
    /// listed in this order.
    pub versions: Vec<Record>,
    /// The index in `versions` of the current row.
    current: usize,
}

impl Entry {
    /// A PID with its first row.
    pub fn new(first: Record) -> Self {
        Entry {
            versions: vec![first],
            current: 0,
        }
    }

    /// Add a later row, which becomes the current one.
    pub fn push(&mut self, row: Record) {
        self.versions.push(row);
        self.current = self.versions.len() - 1;
    }

    /// The current row.
    pub fn current(&self) -> &Record {
        &self.versions[self.current_index()]
    }

    /// The current row, to change.
    pub fn current_mut(&mut self) -> &mut Record {
        let i = self.current_index();
        &mut self.versions[i]
    }

    /// The index of the current row in `versions`.
    pub fn current_index(&self) -> usize {
        self.current.min(self.versions.len().saturating_sub(1))
    }

    /// Choose the current row once every row is in. Rows whose
    /// `version_date`s are in the rows' order (undated rows aside) keep
    /// the last row current, as people add a new version as a new row.
    /// Otherwise the row with the newest date (the last of equal ones) is
    /// current, and the answer is the first two rows out of order: a row
    /// and a later row dated before it.
    pub fn settle_current(&mut self) -> Option<(usize, usize)> {
        let dated: Vec<(usize, jiff::Timestamp)> = self
            .versions
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((i, version_instant(r.details().version_date.as_deref()?)?)))
            .collect();
        let mut newest: Option<(usize, jiff::Timestamp)> = None;
        let mut out_of_order = None;
        for &(i, when) in &dated {
            match newest {
                Some((n, latest)) if when < latest => {
                    out_of_order.get_or_insert((n, i));
                }
                _ => newest = Some((i, when)),
            }
        }
        if out_of_order.is_some() {
            self.current = newest.map_or(self.versions.len() - 1, |(i, _)| i);
        }
        out_of_order
    }

    /// The PID.
    pub fn pid(&self) -> &Pid {
        &self.current().pid
    }

    /// The aliases of every row, each once: an alias names the PID, not a
    /// version, and keeps resolving when a new version is added.
    pub fn aliases(&self) -> Vec<&Alias> {
        let mut seen = std::collections::HashSet::new();
        self.versions
            .iter()
            .flat_map(|r| &r.aliases)
            .filter(|a| seen.insert(a.path.as_str()))
            .collect()
    }

    /// Whether the PID has several versions (each then gets a page of its
    /// own besides the PID's page, which shows the current one).
    pub fn is_versioned(&self) -> bool {
        self.versions.len() > 1
    }

    /// The folder of version `i`'s own page: `v1/`, `v2/`… under the PID's.
    pub fn version_path(&self, i: usize) -> SitePath {
        let label = self.versions[i].details().version.as_deref().unwrap_or("1");
        let slug =
            version_slug(label).expect("the registry checks that every version label has a slug");
        self.pid().landing_path().join_folder(&slug)
    }
}

/// A `version_date` as an instant: an RFC 3339 time, or a date (its
/// midnight, UTC); `None` for text the registry would have refused.
pub fn version_instant(text: &str) -> Option<jiff::Timestamp> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(t);
    }
    let date = text.parse::<jiff::civil::Date>().ok()?;
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// The folder name of a version: `v` and its label (`1` -> `v1`, `v2` stays
/// `v2`, `2024 rescan` -> `v2024-rescan`), with anything but ASCII letters,
/// digits, `-`, `_` and `.` replaced by `-`; `None` when nothing is left.
pub fn version_slug(label: &str) -> Option<String> {
    let clean: String = label
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let clean = clean.trim_matches(|c| matches!(c, '-' | '.' | '_'));
    if !clean.chars().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut chars = clean.chars();
    let has_v =
        matches!(chars.next(), Some('v' | 'V')) && chars.next().is_some_and(|c| c.is_ascii_digit());
    Some(if has_v {
        clean.to_ascii_lowercase()
    } else {
        format!("v{clean}")
    })
}
