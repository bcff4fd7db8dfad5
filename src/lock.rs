//! `pidsite.lock`: the content hash (SHA-256) of every PID's target, local
//! and remote, with the ETag, Last-Modified and fetch date of remote ones,
//! and the dates of each PID: when it was first published, when its
//! target's content last changed, when it was first built withdrawn.
//! `pidsite build` compares it with what it read to report the manifests
//! that changed since the last build, then rewrites it; `pidsite check`
//! only compares. Institutions commit it, so a change to a manifest they do
//! not host shows up in a diff.
//!
//! The dates are kept here, in what the site commits, rather than in the
//! build cache: a fresh clone (every CI runner) builds the same sitemap,
//! feed, Change Discovery stream and DataCite `publicationYear` as the
//! build that first published the PID, whenever it runs. The same goes for
//! the `lastmod` of the home page and the Markdown pages (`[[page]]`).
//!
//! The file is TOML, one `[[target]]` table per (PID, target) and one
//! `[[page]]` table per page of the site's own, sorted, and written only
//! when its content changes, so it is stable under version control. This
//! module reads, compares and writes the lock; it fetches and hashes
//! nothing itself (the caller hands it the hashes).

use std::collections::HashMap;
use std::hash::{Hash as _, Hasher as _};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::clock::BuildTime;
use crate::error::Location;
use crate::model::record::{Entry, Record, Status, Target};
use crate::remote::{Fetched, Obtained, RemoteDocs};

/// The lock file's name, at the site root.
pub const LOCK_FILE: &str = "pidsite.lock";

const HEADER: &str = "\
# pidsite.lock: the content hash of every PID's target, written by `pidsite build`.
# Commit it: a diff then shows which manifests changed between builds, and the
# dates kept here (first published, last modified, withdrawn) date the sitemap,
# feed, Change Discovery and DataCite records of every later build.
# `pidsite check` reports targets that no longer match it.
";

/// A line that is empty or a comment.
fn is_blank(line: &str) -> bool {
    line.is_empty() || line.starts_with('#')
}

/// The lock: every target's hash and dates, and the dates of the site's
/// own pages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Sorted by PID, then target.
    #[serde(default, rename = "target")]
    pub targets: Vec<LockedTarget>,
    /// Sorted by file.
    #[serde(default, rename = "page")]
    pub pages: Vec<LockedPage>,
}

/// One PID's target, its content hash and its dates. A withdrawn PID
/// without a target has a table with neither, for its dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedTarget {
    /// The PID, normalised.
    pub pid: String,
    /// The target as the registry writes it (a path under content/ or a
    /// URL); empty for a withdrawn PID without one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target: String,
    /// SHA-256 of its content, hex (empty without a target).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sha256: String,
    /// A remote target's ETag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// A remote target's Last-Modified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When a remote target's current content was first fetched (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched: Option<String>,
    /// The build that first published this target under this PID (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The build in which its content last changed, when later than
    /// `published` (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// The first build that published it withdrawn (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
}

/// A page of the site's own in the sitemap (the home page, a Markdown
/// page): the hash of what it is rendered from, and when that last changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedPage {
    /// Its file in the output (`index.html`, `about/index.html`).
    pub file: String,
    /// The hash of its template and context.
    pub hash: String,
    /// The build in which that last changed (RFC 3339).
    pub modified: String,
}

impl LockedPage {
    /// Its file, hash and date in seconds (`None` without a readable date).
    fn dated(self) -> Option<(String, (String, i64))> {
        let modified = seconds(&self.modified)?;
        Some((self.file, (self.hash, modified)))
    }

    /// A table's text, as [`LockedTarget::parse`] reads one.
    fn parse(body: &str) -> Result<Self, toml::de::Error> {
        plain_table(body)
            .and_then(LockedPage::of)
            .map_or_else(|| toml::from_str(body), Ok)
    }

    /// A table read by [`plain_table`] (see [`LockedTarget::of`]).
    fn of(fields: Vec<(&str, String)>) -> Option<Self> {
        let mut fields = fields.into_iter();
        match [fields.next(), fields.next(), fields.next(), fields.next()] {
            [Some(("file", file)), Some(("hash", hash)), Some(("modified", modified)), None] => {
                Some(LockedPage {
                    file,
                    hash,
                    modified,
                })
            }
            _ => None,
        }
    }
}

/// The `key = "string"` lines of a table as pidsite writes it (TOML basic
/// strings with their escapes, or literal strings), in order; `None` for
/// anything else, which TOML itself then reads. Reading the lock through
/// the toml crate took ~16,000 instructions a table, and a build reads it
/// twice (its dates before rendering, its hashes after).
fn plain_table(body: &str) -> Option<Vec<(&str, String)>> {
    let mut fields = Vec::with_capacity(8);
    for line in body.lines() {
        let line = line.trim();
        if is_blank(line) {
            continue;
        }
        let (key, value) = line.split_once('=')?;
        let (key, value) = (key.strip_suffix(' ')?, value.strip_prefix(' ')?);
        let bare = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        if key.is_empty() || !key.bytes().all(bare) {
            return None;
        }
        fields.push((key, toml_string(value)?));
    }
    Some(fields)
}

/// A string with no quote, backslash or control character: a TOML basic
/// string holds it as it is, with nothing escaped (read, and written as the
/// toml crate writes it).
fn is_plain(text: &str) -> bool {
    !text
        .bytes()
        .any(|b| matches!(b, b'"' | b'\\' | 0..=0x1f | 0x7f))
}

/// A one-line TOML string, quoted as it is in the file.
fn toml_string(value: &str) -> Option<String> {
    if let Some(inner) = value.strip_prefix('\'') {
        let inner = inner.strip_suffix('\'')?;
        return (!inner.contains('\'')).then(|| inner.to_string());
    }
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    // Most values have nothing to unescape.
    if is_plain(inner) {
        return Some(inner.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => {
                let escaped = match chars.next()? {
                    'b' => '\u{8}',
                    't' => '\t',
                    'n' => '\n',
                    'f' => '\u{c}',
                    'r' => '\r',
                    '"' => '"',
                    '\\' => '\\',
                    'u' => hex_char(&mut chars, 4)?,
                    'U' => hex_char(&mut chars, 8)?,
                    _ => return None,
                };
                out.push(escaped);
            }
            c if c.is_control() && c != '\t' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// The character of the next `digits` hex digits.
fn hex_char(chars: &mut std::str::Chars<'_>, digits: usize) -> Option<char> {
    let hex: String = chars.by_ref().take(digits).collect();
    if hex.len() != digits {
        return None;
    }
    char::from_u32(u32::from_str_radix(&hex, 16).ok()?)
}

impl LockedTarget {
    /// A target with its content's hash, without dates or HTTP metadata.
    fn new(pid: String, target: String, sha256: String) -> Self {
        LockedTarget {
            pid,
            target,
            sha256,
            etag: None,
            last_modified: None,
            fetched: None,
            published: None,
            modified: None,
            withdrawn: None,
        }
    }

    /// A table's text (without its header): read by [`plain_table`] when
    /// pidsite wrote it, else (or when broken) by TOML, for its own error.
    fn parse(body: &str) -> Result<Self, toml::de::Error> {
        plain_table(body)
            .and_then(LockedTarget::of)
            .map_or_else(|| toml::from_str(body), Ok)
    }

    /// A table read by [`plain_table`]; `None` when a field is unknown,
    /// repeated or missing (TOML then says which).
    fn of(fields: Vec<(&str, String)>) -> Option<Self> {
        let mut t = LockedTarget::new(String::new(), String::new(), String::new());
        const KEYS: [&str; 9] = [
            "pid",
            "target",
            "sha256",
            "etag",
            "last_modified",
            "fetched",
            "published",
            "modified",
            "withdrawn",
        ];
        let mut seen = 0u16;
        for (key, value) in fields {
            let i = KEYS.iter().position(|k| *k == key)?;
            if seen & (1 << i) != 0 {
                return None;
            }
            seen |= 1 << i;
            match i {
                0 => t.pid = value,
                1 => t.target = value,
                2 => t.sha256 = value,
                3 => t.etag = Some(value),
                4 => t.last_modified = Some(value),
                5 => t.fetched = Some(value),
                6 => t.published = Some(value),
                7 => t.modified = Some(value),
                _ => t.withdrawn = Some(value),
            }
        }
        (seen & 1 != 0).then_some(t)
    }

    /// Its dates, with the content they are for: `None` for a table of an
    /// older lock, without dates (or with ones that cannot be read).
    fn dates(&self) -> Option<(u64, Dates)> {
        let published = seconds(self.published.as_deref()?)?;
        let dates = Dates {
            published,
            modified: self
                .modified
                .as_deref()
                .and_then(seconds)
                .unwrap_or(published),
            withdrawn: self.withdrawn.as_deref().and_then(seconds),
        };
        Some((short(&self.sha256), dates))
    }

    fn set_dates(&mut self, dates: Dates) {
        self.published = Some(instant(dates.published));
        self.modified = (dates.modified != dates.published).then(|| instant(dates.modified));
        self.withdrawn = dates.withdrawn.map(instant);
    }
}

/// A target whose content differs from the lock's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The PID.
    pub pid: String,
    /// The target (URL or path under content/).
    pub target: String,
    /// The registry row naming it.
    pub at: Location,
    /// The hash in the lock.
    pub was: String,
    /// The hash now.
    pub now: String,
}

impl std::fmt::Display for Changed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.pid, self.target)
    }
}

impl Lock {
    /// The lock of the site in `site`: `Ok(None)` when there is none, an
    /// error (naming the file and line) when it cannot be read.
    pub fn load(site: &Path) -> Result<Option<Lock>, crate::Error> {
        let path = site.join(LOCK_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(crate::Error::io(&path, e)),
        };
        Lock::from_text(&text)
            .map(Some)
            .map_err(|(line, message)| unreadable(line, message))
    }

    /// Read a lock's text, one `[[target]]` table at a time: parsed whole,
    /// the toml crate holds every table with its spans at once (~300 MB
    /// for 100,000 targets). A text of any other shape is parsed whole, for
    /// TOML's own error. Errors give the line (1-based) and the message.
    fn from_text(text: &str) -> Result<Lock, (Option<usize>, String)> {
        let mut lock = Lock::default();
        let read = read_tables(text.as_bytes(), |page, body, _| {
            match page {
                false => lock.targets.push(LockedTarget::parse(body)?),
                true => lock.pages.push(LockedPage::parse(body)?),
            }
            Ok(())
        });
        match read {
            Ok(()) => Ok(lock),
            Err(Stop::Table(line, message)) => Err((line, message)),
            Err(Stop::Io(e)) => Err((None, e.to_string())),
            Err(Stop::Shape) => toml::from_str(text).map_err(|e: toml::de::Error| {
                let line = e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
                (line, e.message().trim().to_string())
            }),
        }
    }

    /// The file's text: the header comment, then the targets and the pages
    /// in order.
    pub fn to_text(&self) -> String {
        let mut text = LockText::new();
        self.targets.iter().for_each(|t| text.target(t));
        self.pages.iter().for_each(|p| text.page(p));
        text.0
    }

    /// Its targets whose PID and target, as 64-bit keys, are among `wanted`
    /// (sorted).
    pub fn among(&self, wanted: &[(u64, u64)]) -> Vec<LockedTarget> {
        let targets = self.targets.iter();
        targets
            .filter(|t| wanted.binary_search(&key(&t.pid, &t.target)).is_ok())
            .cloned()
            .collect()
    }

    /// The targets of the site's lock whose PID and target, as 64-bit keys,
    /// are among `wanted` (sorted), read a table at a time without holding
    /// the file or its other tables: what the end of a build needs of the
    /// last lock (~400 bytes a target, held whole, were most of a large
    /// build's peak memory). None when the lock cannot be read, as
    /// [`Lock::load`] would give no lock; a text of another shape than
    /// pidsite writes is read whole.
    pub fn read_among(site: &Path, wanted: &[(u64, u64)]) -> Vec<LockedTarget> {
        let Ok(file) = std::fs::File::open(site.join(LOCK_FILE)) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        let read = read_tables(std::io::BufReader::new(file), |page, body, _| {
            // A page's table is read for its errors only: a broken table
            // makes the lock unreadable, pages and all.
            if page {
                LockedPage::parse(body)?;
                return Ok(());
            }
            let target = LockedTarget::parse(body)?;
            if wanted
                .binary_search(&key(&target.pid, &target.target))
                .is_ok()
            {
                found.push(target);
            }
            Ok(())
        });
        match read {
            Ok(()) => found,
            Err(Stop::Shape) => {
                let whole = Lock::load(site).ok().flatten();
                whole.map_or_else(Vec::new, |lock| lock.among(wanted))
            }
            Err(Stop::Table(..) | Stop::Io(_)) => Vec::new(),
        }
    }
}

/// The error of a lock that cannot be read, at `line`.
fn unreadable(line: Option<usize>, message: String) -> crate::Error {
    crate::Error::lock(
        Location {
            path: LOCK_FILE.into(),
            line,
        },
        format!("{message}: not a pidsite lock file (a merge conflict?)"),
    )
}

/// Why reading a lock a table at a time stopped.
enum Stop {
    /// The text is not shaped as pidsite writes it (a line opens another
    /// table, or a value comes before the first table): read it whole.
    Shape,
    /// A table is broken: the line (1-based) and TOML's message.
    Table(Option<usize>, String),
    /// The file could not be read.
    Io(std::io::Error),
}

/// Give `visit` each table of a lock's text as pidsite writes it, in
/// order, without holding the others: whether it is a page's, its body
/// (without its header line) and where that body is in the text (its
/// first byte; the body is that many bytes).
fn read_tables(
    mut reader: impl std::io::BufRead,
    mut visit: impl FnMut(bool, &str, u64) -> Result<(), toml::de::Error>,
) -> Result<(), Stop> {
    // The table being read: whether it is a page's, the number of its
    // first line, where its body starts, and its body.
    let mut table: Option<(bool, usize, u64, String)> = None;
    let mut give = |table: Option<(bool, usize, u64, String)>| match table {
        Some((page, first, at, body)) => visit(page, &body, at).map_err(|e| {
            let line = e
                .span()
                .map(|s| first + body[..s.start.min(body.len())].matches('\n').count());
            Stop::Table(line, e.message().trim().to_string())
        }),
        None => Ok(()),
    };
    let mut line = String::new();
    let (mut n, mut read) = (0, 0u64);
    loop {
        line.clear();
        let len = reader.read_line(&mut line).map_err(Stop::Io)?;
        if len == 0 {
            break;
        }
        n += 1;
        read += len as u64;
        let trimmed = line.trim();
        if trimmed == "[[target]]" || trimmed == "[[page]]" {
            give(table.take())?;
            table = Some((trimmed == "[[page]]", n + 1, read, String::new()));
        } else if trimmed.starts_with('[') || (table.is_none() && !is_blank(trimmed)) {
            return Err(Stop::Shape);
        } else if let Some((_, _, _, body)) = &mut table {
            body.push_str(&line);
        }
    }
    give(table)
}

/// A lock's text in the making: the header comment, then each table as
/// it comes, a blank line between two.
struct LockText(String, usize);

impl LockText {
    fn new() -> Self {
        LockText(format!("{HEADER}\n"), 0)
    }

    fn target(&mut self, target: &LockedTarget) {
        // Taken apart whole, so that a new field cannot be left out.
        let LockedTarget {
            pid,
            target: written,
            sha256,
            etag,
            last_modified,
            fetched,
            published,
            modified,
            withdrawn,
        } = target;
        let fields = [
            ("pid", Some(pid.as_str())),
            ("target", Some(written.as_str()).filter(|s| !s.is_empty())),
            ("sha256", Some(sha256.as_str()).filter(|s| !s.is_empty())),
            ("etag", etag.as_deref()),
            ("last_modified", last_modified.as_deref()),
            ("fetched", fetched.as_deref()),
            ("published", published.as_deref()),
            ("modified", modified.as_deref()),
            ("withdrawn", withdrawn.as_deref()),
        ];
        self.table("[[target]]\n", &fields, || toml::to_string(target));
    }

    fn page(&mut self, page: &LockedPage) {
        let LockedPage {
            file,
            hash,
            modified,
        } = page;
        let fields = [
            ("file", Some(file.as_str())),
            ("hash", Some(hash.as_str())),
            ("modified", Some(modified.as_str())),
        ];
        self.table("[[page]]\n", &fields, || toml::to_string(page));
    }

    /// Table by table, as it is read (see `from_text`). `fields` are the
    /// table's, in the order its type serialises them, `None` where serde
    /// skips one; `toml` serialises it. A value with no quote, backslash or
    /// control character is written as the toml crate writes it, a basic
    /// string (`key = "value"`), without it: serde through toml took ~4,900
    /// instructions a table. A table with any other value is toml's.
    fn table(
        &mut self,
        header: &str,
        fields: &[(&str, Option<&str>)],
        toml: impl FnOnce() -> Result<String, toml::ser::Error>,
    ) {
        if self.1 > 0 {
            self.0.push('\n');
        }
        self.1 += 1;
        self.0.push_str(header);
        if fields.iter().all(|(_, v)| v.is_none_or(is_plain)) {
            for (key, value) in fields {
                if let Some(value) = value {
                    for part in [key, " = \"", value, "\"\n"] {
                        self.0.push_str(part);
                    }
                }
            }
        } else {
            let text = toml().expect("a lock's table always serialises");
            self.0.push_str(&text);
        }
    }
}

/// A target's PID and target as 64-bit keys (see [`short`]).
fn key(pid: &str, target: &str) -> (u64, u64) {
    (short(pid), short(target))
}

/// When one registry row (a PID, or one version of it) was first
/// published, when its target's content last changed and when it was first
/// built withdrawn, in seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dates {
    /// The build that first published it.
    pub published: i64,
    /// The build in which its content last changed (`published` at first).
    pub modified: i64,
    /// The first build that published it withdrawn.
    pub withdrawn: Option<i64>,
}

impl Dates {
    /// The dates in this build, from the lock's (`before`, with the hash of
    /// the content they are for): a content first seen now is modified now,
    /// one that cannot be read keeps its dates.
    fn next(
        before: Option<(u64, Dates)>,
        content: Option<u64>,
        withdrawn: bool,
        now: i64,
    ) -> Dates {
        let mut dates = match before {
            Some((was, d)) if content.is_some_and(|c| c != was) => Dates { modified: now, ..d },
            Some((_, d)) => d,
            None => Dates {
                published: now,
                modified: now,
                withdrawn: None,
            },
        };
        dates.withdrawn = withdrawn.then(|| dates.withdrawn.unwrap_or(now));
        dates
    }
}

/// An RFC 3339 instant (or a date, as a person may write it) as seconds
/// since the Unix epoch.
fn seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(t.as_second());
    }
    let day: jiff::civil::Date = text.parse().ok()?;
    let midnight = day.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(midnight.timestamp().as_second())
}

/// Seconds since the Unix epoch as an RFC 3339 instant.
pub fn instant(second: i64) -> String {
    BuildTime::at_second(second).instant
}

/// A string as a 64-bit key (a PID, a target, a content hash): the lock's
/// dates are looked up by key, not held as the lock's strings.
fn short(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// A lock table's row in [`LockDates`].
#[derive(Debug, Clone, Copy)]
struct Row {
    pid: u64,
    target: u64,
    content: u64,
    dates: Dates,
    /// Where its table's body is in the lock file (see [`Place`]).
    place: Place,
}

impl Row {
    /// A target's row; `None` when it has no dates.
    fn of(t: &LockedTarget, place: Place) -> Option<Row> {
        let (content, dates) = t.dates()?;
        Some(Row {
            pid: short(&t.pid),
            target: short(&t.target),
            content,
            dates,
            place,
        })
    }
}

/// Where a table's body is in the lock file, in one `u64`: its first byte
/// (40 bits, a terabyte) and its length (24 bits, 16 MB); `NONE` for a
/// table beyond that, or not read from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place(u64);

impl Place {
    const NONE: Place = Place(u64::MAX);

    fn new(at: u64, len: usize) -> Place {
        match (at < 1 << 40, len < (1 << 24) - 1) {
            (true, true) => Place(at << 24 | len as u64),
            _ => Place::NONE,
        }
    }

    /// The first byte and the length, if known.
    fn get(self) -> Option<(u64, usize)> {
        (self != Place::NONE).then_some((self.0 >> 24, (self.0 & ((1 << 24) - 1)) as usize))
    }
}

/// The lock file a [`LockDates`] was read from: its size and modification
/// time when it was read, and whether every target table of it has a row
/// with its place. Then the end of the build reads the few tables it needs
/// again where they are, rather than the whole file a second time.
#[derive(Debug, Clone)]
struct Source {
    len: u64,
    modified: std::time::SystemTime,
    complete: bool,
}

impl Source {
    fn of(file: &std::fs::File) -> Option<Source> {
        let meta = file.metadata().ok()?;
        Some(Source {
            len: meta.len(),
            modified: meta.modified().ok()?,
            complete: true,
        })
    }

    /// Whether `file` is still the file read (same size and time).
    fn is(&self, file: &std::fs::File) -> bool {
        file.metadata()
            .is_ok_and(|m| m.len() == self.len && m.modified().ok() == Some(self.modified))
    }
}

/// What a build needs of the last lock while it renders: each target's
/// dates (keyed by hashes, in a few dozen bytes a target, so that a large
/// site does not hold the lock's text while its PIDs are rendered) and the
/// pages'. One lookup gives a PID the dates of all its rows.
#[derive(Debug, Default)]
pub struct LockDates {
    /// Sorted by PID, then target.
    rows: Vec<Row>,
    /// Page file -> (hash, modified).
    pages: HashMap<String, (String, i64)>,
    /// This build's time.
    now: i64,
    /// The file the rows were read from, if they were read a table at a
    /// time (see [`LockDates::read_among`]).
    source: Option<Source>,
}

impl LockDates {
    /// The dates of `lock` (none without one), for a build at `now`.
    pub fn new(lock: Option<&Lock>, now: i64) -> Self {
        let Some(lock) = lock else {
            return LockDates::of(Vec::new(), HashMap::new(), now);
        };
        let rows = lock.targets.iter().filter_map(|t| Row::of(t, Place::NONE));
        let pages = lock.pages.iter().cloned().filter_map(LockedPage::dated);
        LockDates::of(rows.collect(), pages.collect(), now)
    }

    /// The dates of the site's lock (none without one), for a build at
    /// `now`: read a table at a time, so that the lock itself (~400 bytes
    /// a target) is never held. The error is [`Lock::load`]'s.
    pub fn load(site: &Path, now: i64) -> Result<Self, crate::Error> {
        let path = site.join(LOCK_FILE);
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(LockDates::new(None, now))
            }
            Err(e) => return Err(crate::Error::io(&path, e)),
        };
        let (mut rows, mut pages) = (Vec::new(), HashMap::new());
        let mut source = Source::of(&file);
        let read = read_tables(std::io::BufReader::new(file), |page, body, at| {
            if page {
                pages.extend(LockedPage::parse(body)?.dated());
                return Ok(());
            }
            let place = Place::new(at, body.len());
            let row = Row::of(&LockedTarget::parse(body)?, place);
            if row.is_none() || place == Place::NONE {
                source.iter_mut().for_each(|s| s.complete = false);
            }
            rows.extend(row);
            Ok(())
        });
        match read {
            Ok(()) => Ok(LockDates {
                source,
                ..LockDates::of(rows, pages, now)
            }),
            Err(Stop::Shape) => Lock::load(site).map(|lock| LockDates::new(lock.as_ref(), now)),
            Err(Stop::Table(line, message)) => Err(unreadable(line, message)),
            Err(Stop::Io(e)) => Err(crate::Error::io(&path, e)),
        }
    }

    fn of(mut rows: Vec<Row>, pages: HashMap<String, (String, i64)>, now: i64) -> Self {
        // Two rows of one target (a lock edited by hand) in the file's order.
        rows.sort_unstable_by_key(|r| (r.pid, r.target, r.place.0));
        LockDates {
            rows,
            pages,
            now,
            source: None,
        }
    }

    /// What [`Lock::read_among`] gives, from the lock these dates were
    /// read from: each wanted table read where it is, when the file is
    /// unchanged since and every target table of it has a row. Else (or if
    /// a table read there is not the one wanted) the whole file is read
    /// again, as [`Lock::read_among`] does.
    pub fn read_among(&self, site: &Path, wanted: &[(u64, u64)]) -> Vec<LockedTarget> {
        self.placed_among(site, wanted)
            .unwrap_or_else(|| Lock::read_among(site, wanted))
    }

    /// [`LockDates::read_among`] from the tables' places; `None` when they
    /// cannot be trusted.
    fn placed_among(&self, site: &Path, wanted: &[(u64, u64)]) -> Option<Vec<LockedTarget>> {
        let source = self.source.as_ref().filter(|s| s.complete)?;
        let file = std::fs::File::open(site.join(LOCK_FILE)).ok()?;
        let mut places = Vec::new();
        for &key in wanted {
            let start = self.first_from(key);
            let rows = self.rows[start..].iter();
            places.extend(
                rows.take_while(|r| (r.pid, r.target) == key)
                    .map(|r| r.place),
            );
        }
        // The file's order, as a read of the whole file finds them.
        places.sort_unstable_by_key(|p| p.0);
        let mut found = Vec::with_capacity(places.len());
        let mut body = Vec::new();
        for place in places {
            let (at, len) = place.get()?;
            body.resize(len, 0);
            crate::cache::entry_store::read_at(&file, &mut body, at).ok()?;
            let target = LockedTarget::parse(std::str::from_utf8(&body).ok()?).ok()?;
            wanted
                .binary_search(&key(&target.pid, &target.target))
                .ok()?;
            found.push(target);
        }
        // Checked after reading: a file changed meanwhile is read again.
        source.is(&file).then_some(found)
    }

    /// This build's time, in seconds.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The dates of each row of `entry` in this build (`None` for a moved
    /// or reserved row, which publishes no page of its own). `local_hash`
    /// gives the SHA-256 of a local file, as for [`compare`].
    pub fn entry(
        &self,
        entry: &Entry,
        local_hash: impl Fn(&Path) -> Option<String>,
        remote: &RemoteDocs,
    ) -> Vec<Option<Dates>> {
        let contents: Vec<Option<String>> = entry
            .versions
            .iter()
            .map(|r| content(r, &local_hash, remote))
            .collect();
        self.dated(entry, &contents)
    }

    /// The dates of a PID's rows whose contents' hashes are `contents`.
    /// A row new to the lock that replaces one of the PID's that the
    /// registry no longer names (a renamed or replaced file) takes that
    /// row's dates: a PID is published once.
    fn dated(&self, entry: &Entry, contents: &[Option<String>]) -> Vec<Option<Dates>> {
        let pid = short(&entry.pid().label());
        let start = self.first_from((pid, 0));
        // A PID has a row or a few: read them, not a binary search of the
        // rest of the lock.
        let end = start
            + self.rows[start..]
                .iter()
                .take_while(|r| r.pid == pid)
                .count();
        let before = &self.rows[start..end];
        let targets: Vec<u64> = entry.versions.iter().map(|r| short(written(r))).collect();
        let orphans = || before.iter().filter(|r| !targets.contains(&r.target));
        entry
            .versions
            .iter()
            .zip(&targets)
            .zip(contents)
            .map(|((record, target), content)| {
                if matches!(record.status, Status::Moved | Status::Reserved) {
                    return None;
                }
                let content = content.as_deref().map(short);
                let same = |r: &&Row| content == Some(r.content);
                let row = before
                    .iter()
                    .find(|r| r.target == *target)
                    .or_else(|| orphans().find(same))
                    .or_else(|| {
                        let single = entry.versions.len() == 1;
                        orphans()
                            .filter(|_| single)
                            .min_by_key(|r| r.dates.published)
                    });
                let withdrawn = record.status == Status::Withdrawn;
                let before = row.map(|r| (r.content, r.dates));
                Some(Dates::next(before, content, withdrawn, self.now))
            })
            .collect()
    }

    /// The index of the first row whose (PID, target) is not below `key`.
    /// The keys are hashes, spread evenly over the `u64`s, so a row is
    /// about where its key's share of the range puts it: guessing there
    /// reads a few rows, where a binary search of a large lock reads some
    /// twenty scattered ones, each a cache miss (done twice a PID). A few
    /// guesses at most, then a binary search of what is left.
    fn first_from(&self, key: (u64, u64)) -> usize {
        let rows = &self.rows;
        let below = |i: usize| (rows[i].pid, rows[i].target) < key;
        // The rows in lo..hi have PIDs in low..=high, and key.0 is in it.
        let (mut lo, mut hi) = (0, rows.len());
        let (mut low, mut high) = (0u64, u64::MAX);
        for _ in 0..8 {
            if hi - lo <= 16 {
                break;
            }
            let share = u128::from(key.0 - low) * (hi - lo) as u128;
            let span = u128::from(high - low) + 1;
            // In lo..hi: key.0 - low < span.
            let guess = lo + usize::try_from(share / span).unwrap_or(0);
            if below(guess) {
                (lo, low) = (guess + 1, rows[guess].pid);
            } else {
                (hi, high) = (guess, rows[guess].pid);
            }
        }
        lo + rows[lo..hi].partition_point(|r| (r.pid, r.target) < key)
    }

    /// Whether the lock has `target` of `pid` (its label) with `content`:
    /// then the end of the build needs nothing else of the lock for it.
    fn holds(&self, pid: &str, target: &str, content: &str) -> bool {
        let key = key(pid, target);
        let start = self.first_from(key);
        let content = short(content);
        self.rows[start..]
            .iter()
            .take_while(|r| (r.pid, r.target) == key)
            .any(|r| r.content == content)
    }

    /// When a page of the site's own last changed: when the lock last saw
    /// another `hash` for it, or now.
    pub fn page(&self, file: &str, hash: &str) -> i64 {
        match self.pages.get(file) {
            Some((h, modified)) if h == hash => *modified,
            _ => self.now,
        }
    }
}

/// A row's target as the registry writes it (empty without one).
fn written(record: &Record) -> &str {
    match &record.target {
        Some(Target::Local { written, .. }) => written,
        Some(Target::Remote(url)) => url,
        None => "",
    }
}

/// A remote document fetched or revalidated now (not a stale copy).
fn fresh<'a>(remote: &'a RemoteDocs, url: &str) -> Option<&'a Fetched> {
    match remote.get(url) {
        Some(Ok(f)) if !matches!(f.obtained, Obtained::Stale(_)) => Some(f),
        _ => None,
    }
}

/// The SHA-256 of a row's target as read now: `None` when it cannot be
/// read; empty for a withdrawn row without a target.
fn content(
    record: &Record,
    local_hash: impl Fn(&Path) -> Option<String>,
    remote: &RemoteDocs,
) -> Option<String> {
    match &record.target {
        Some(Target::Local { path, .. }) => local_hash(path),
        Some(Target::Remote(url)) => fresh(remote, url).map(|f| f.meta.sha256.clone()),
        None => Some(String::new()),
    }
}

/// The text of the lock of what was read now, with `pages`, and the
/// targets that changed since the last lock. `local_hash` gives the SHA-256
/// of a local file (`None` when it cannot be read); `remote` holds the
/// fetched documents; `dates` are the last lock's (see
/// [`LockDates::entry`], which gave the pages theirs). `previous` gives
/// the last lock's tables of the targets whose keys it is given (see
/// [`Lock::read_among`]): those the dates do not show unchanged, and those
/// read from the network or not readable now. A target that could not be
/// read keeps its entry from the last lock, so the next build that reads it
/// compares it with the last content seen.
pub fn compare(
    entries: &[Entry],
    local_hash: impl Fn(&Path) -> Option<String>,
    remote: &RemoteDocs,
    previous: impl FnOnce(&[(u64, u64)]) -> Vec<LockedTarget>,
    dates: &LockDates,
    pages: &[LockedPage],
) -> (String, Vec<Changed>) {
    // Each target with the registry row that named it first, sorted and
    // deduplicated rather than keyed in a map, and held as the row, the
    // content's hash and the dates (the tables are made one at a time as
    // the text is written): a large registry's lock is made at the end of
    // the build, when every PID's reference is held.
    let mut rows: Vec<Made<'_>> = Vec::with_capacity(entries.len());
    for entry in entries {
        let contents: Vec<Option<String>> = entry
            .versions
            .iter()
            .map(|r| content(r, &local_hash, remote))
            .collect();
        let dated = dates.dated(entry, &contents);
        for ((record, content), dated) in entry.versions.iter().zip(contents).zip(dated) {
            // Moved and reserved rows are not locked.
            let Some(dates) = dated else {
                continue;
            };
            if record.target.is_none() && record.status != Status::Withdrawn {
                continue;
            }
            rows.push(Made {
                record,
                content,
                dates,
            });
        }
    }
    // Stable: of two rows naming the same target, the first stays.
    rows.sort_by(|a, b| a.order(b));
    rows.dedup_by(|b, a| a.order(b).is_eq());
    let mut wanted: Vec<(u64, u64)> = rows
        .iter()
        .filter_map(|m| {
            let pid = m.record.pid.label();
            let written = written(m.record);
            let known = m
                .content
                .as_deref()
                .is_some_and(|c| dates.holds(&pid, written, c));
            (!known || m.fetched(remote).is_some()).then(|| key(&pid, written))
        })
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut before = match wanted.is_empty() {
        true => Vec::new(),
        false => previous(&wanted),
    };
    drop(wanted);
    before.sort_by(|a, b| (&a.pid, &a.target).cmp(&(&b.pid, &b.target)));
    let find = |pid: &str, target: &str| {
        before
            .binary_search_by(|t| (t.pid.as_str(), t.target.as_str()).cmp(&(pid, target)))
            .ok()
            .map(|i| &before[i])
    };
    let mut text = LockText::new();
    let mut changed = Vec::new();
    for m in rows {
        let pid = m.record.pid.label();
        let written = written(m.record);
        let before = find(&pid, written);
        let fetched = m.fetched(remote);
        let mut locked = m
            .content
            .map(|sha256| LockedTarget::new(pid.clone(), written.to_string(), sha256));
        if let (Some(locked), Some(f)) = (&mut locked, fetched) {
            // The date the current content was first seen: it stays
            // while the content does, so the lock changes only when a
            // manifest does.
            locked.fetched = Some(
                before
                    .filter(|b| b.sha256 == f.meta.sha256)
                    .and_then(|b| b.fetched.clone())
                    .unwrap_or_else(|| f.meta.fetched.clone()),
            );
            locked.etag = f.meta.etag.clone();
            locked.last_modified = f.meta.last_modified.clone();
        }
        let Some(mut locked) = locked.or_else(|| before.cloned()) else {
            continue;
        };
        locked.set_dates(m.dates);
        if let Some(before) = before.filter(|b| b.sha256 != locked.sha256) {
            changed.push(Changed {
                pid: locked.pid.clone(),
                target: locked.target.clone(),
                at: m.record.at.clone(),
                was: before.sha256.clone(),
                now: locked.sha256.clone(),
            });
        }
        text.target(&locked);
    }
    pages.iter().for_each(|p| text.page(p));
    (text.0, changed)
}

/// A target of the lock being made: the registry row naming it first, the
/// SHA-256 of its content as read now (`None`: unreadable) and its dates.
struct Made<'a> {
    record: &'a Record,
    content: Option<String>,
    dates: Dates,
}

impl Made<'_> {
    /// The lock's order: by PID label, then target, as strings.
    fn order(&self, other: &Made<'_>) -> std::cmp::Ordering {
        fn label<'a>(record: &'a Record) -> impl Iterator<Item = u8> + 'a {
            let (prefix, written) = record.pid.label_parts();
            prefix.bytes().chain(written.bytes())
        }
        label(self.record)
            .cmp(label(other.record))
            .then_with(|| written(self.record).cmp(written(other.record)))
    }

    /// Its remote document, fetched or revalidated now.
    fn fetched<'r>(&self, remote: &'r RemoteDocs) -> Option<&'r Fetched> {
        match &self.record.target {
            Some(Target::Remote(url)) => fresh(remote, url),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(pid: &str, target: &str, sha: &str) -> LockedTarget {
        LockedTarget::new(pid.into(), target.into(), sha.into())
    }

    #[test]
    fn tables_are_written_as_the_toml_crate_writes_them() {
        let values = [
            "ark:/99999/fk4x",
            "manifests/a b.json",
            "https://example.org/m?x=1&y=%20#z",
            "Ünïcödé ✓ 日本",
            "it's",
            "'''",
            "say \"hi\"",
            "W/\"e\"",
            "back\\slash",
            "tab\there",
            "line\nbreak",
            "bell\u{7}\u{7f}",
            "",
            "2026-01-01T00:00:00Z",
        ];
        let base = LockedTarget {
            etag: Some("\"e\"".into()),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
            fetched: Some("2026-01-01T00:00:00Z".into()),
            published: Some("2025-01-01T00:00:00Z".into()),
            modified: Some("2025-06-01T00:00:00Z".into()),
            withdrawn: Some("2025-07-01T00:00:00Z".into()),
            ..target("ark:/1/a", "manifests/a.json", "aa")
        };
        let mut targets = vec![base.clone(), target("ark:/1/b", "", "")];
        for value in values {
            for field in 0..9 {
                let mut t = base.clone();
                let v = value.to_string();
                match field {
                    0 => t.pid = v,
                    1 => t.target = v,
                    2 => t.sha256 = v,
                    3 => t.etag = Some(v),
                    4 => t.last_modified = Some(v),
                    5 => t.fetched = Some(v),
                    6 => t.published = Some(v),
                    7 => t.modified = Some(v),
                    _ => t.withdrawn = Some(v),
                }
                targets.push(t);
            }
        }
        for t in &targets {
            let mut text = LockText::new();
            text.target(t);
            let toml = toml::to_string(t).unwrap();
            assert_eq!(text.0, format!("{HEADER}\n[[target]]\n{toml}"), "{t:?}");
        }
        for value in values {
            let page = LockedPage {
                file: value.into(),
                hash: value.into(),
                modified: value.into(),
            };
            let mut text = LockText::new();
            text.page(&page);
            let toml = toml::to_string(&page).unwrap();
            assert_eq!(text.0, format!("{HEADER}\n[[page]]\n{toml}"), "{page:?}");
        }
    }

    #[test]
    fn the_text_is_sorted_tables_that_read_back() {
        let lock = Lock {
            targets: vec![
                target("ark:/1/a", "manifests/a.json", "aa"),
                LockedTarget {
                    etag: Some("\"e\"".into()),
                    fetched: Some("2026-01-01T00:00:00Z".into()),
                    published: Some("2025-01-01T00:00:00Z".into()),
                    ..target("doi:10.1/b", "https://x.org/b.json", "bb")
                },
                // A withdrawn PID without a target: only its dates.
                LockedTarget {
                    published: Some("2025-01-01T00:00:00Z".into()),
                    withdrawn: Some("2026-01-01T00:00:00Z".into()),
                    ..target("doi:10.1/c", "", "")
                },
            ],
            pages: vec![LockedPage {
                file: "index.html".into(),
                hash: "cc".into(),
                modified: "2026-01-01T00:00:00Z".into(),
            }],
        };
        let text = lock.to_text();
        assert!(text.starts_with("# pidsite.lock"), "{text}");
        assert!(
            text.contains(
                "[[target]]\npid = \"ark:/1/a\"\ntarget = \"manifests/a.json\"\nsha256 = \"aa\"\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("etag = '\"e\"'") || text.contains("etag = \"\\\"e\\\"\""),
            "{text}"
        );
        assert!(!text.contains("last_modified"), "{text}");
        assert!(
            text.contains("[[target]]\npid = \"doi:10.1/c\"\npublished = "),
            "{text}"
        );
        assert!(
            text.contains("\n[[page]]\nfile = \"index.html\"\n"),
            "{text}"
        );
        assert_eq!(toml::from_str::<Lock>(&text).unwrap(), lock);
        // Written and read a table at a time, the same as TOML whole.
        let whole = toml::to_string(&lock).unwrap();
        assert_eq!(text, format!("{HEADER}\n{whole}"));
        assert_eq!(Lock::from_text(&text).unwrap(), lock);
        let wanted = [key("doi:10.1/b", "https://x.org/b.json")];
        let among = lock.among(&wanted);
        assert_eq!(among, vec![lock.targets[1].clone()]);

        // From the file, a table at a time: the same targets; none when a
        // table is broken (the lock is unreadable); a text of another
        // shape is read whole.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(LOCK_FILE);
        std::fs::write(&file, &text).unwrap();
        assert_eq!(Lock::read_among(dir.path(), &wanted), among);
        let mut all: Vec<_> = lock
            .targets
            .iter()
            .map(|t| key(&t.pid, &t.target))
            .collect();
        all.sort_unstable();
        assert_eq!(Lock::read_among(dir.path(), &all).len(), 3);
        std::fs::write(&file, text.replace("hash = \"cc\"", "hash = cc")).unwrap();
        assert!(Lock::read_among(dir.path(), &wanted).is_empty());
        std::fs::write(&file, format!("[meta]\nv = 1\n{text}")).unwrap();
        assert_eq!(Lock::read_among(dir.path(), &wanted), among);
        std::fs::write(&file, toml::to_string(&lock).unwrap()).unwrap();
        assert_eq!(Lock::read_among(dir.path(), &wanted), among);
        std::fs::remove_file(&file).unwrap();
        assert!(Lock::read_among(dir.path(), &wanted).is_empty());
    }

    #[test]
    fn the_tables_wanted_at_the_end_are_read_where_the_dates_found_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(LOCK_FILE);
        let dated = |pid: &str, path: &str, sha: &str, at: i64| {
            let mut t = target(pid, path, sha);
            t.set_dates(Dates {
                published: at,
                modified: at + 60,
                withdrawn: None,
            });
            t
        };
        let mut lock = Lock::default();
        for i in 0..40 {
            // Values with escapes and of every length, so that no place
            // is a guess.
            let path = format!("manifests/\"{}\".json", "é".repeat(i % 7));
            let at = 1_700_000_000 + i as i64;
            lock.targets
                .push(dated(&format!("ark:/1/b{i:03}"), &path, "ab", at));
        }
        lock.pages.push(LockedPage {
            file: "index.html".into(),
            hash: "h".into(),
            modified: instant(1_700_000_000),
        });
        std::fs::write(&file, lock.to_text()).unwrap();
        let keys: Vec<(u64, u64)> = lock
            .targets
            .iter()
            .map(|t| key(&t.pid, &t.target))
            .collect();
        let sorted = |mut k: Vec<(u64, u64)>| {
            k.sort_unstable();
            k
        };
        let dates = LockDates::load(dir.path(), 0).unwrap();
        for wanted in [
            sorted(vec![keys[7]]),
            sorted(keys.clone()),
            sorted(vec![
                keys[0],
                keys[39],
                key("ark:/1/none", "manifests/n.json"),
            ]),
            Vec::new(),
        ] {
            let whole = Lock::read_among(dir.path(), &wanted);
            assert_eq!(dates.placed_among(dir.path(), &wanted), Some(whole.clone()));
            assert_eq!(dates.read_among(dir.path(), &wanted), whole);
        }
        // A lock changed since its dates were read is read again whole.
        let wanted = sorted(vec![keys[3]]);
        lock.targets[3].sha256 = "cd".into();
        std::fs::write(&file, lock.to_text()).unwrap();
        assert_eq!(dates.placed_among(dir.path(), &wanted), None);
        let now = dates.read_among(dir.path(), &wanted);
        assert_eq!(now, vec![lock.targets[3].clone()]);
        // So is one with a table that has no dates (read, but not placed).
        lock.targets
            .push(target("ark:/1/c", "manifests/c.json", "ef"));
        std::fs::write(&file, lock.to_text()).unwrap();
        let dates = LockDates::load(dir.path(), 0).unwrap();
        assert_eq!(dates.placed_among(dir.path(), &wanted), None);
        assert_eq!(dates.read_among(dir.path(), &wanted), now);
    }

    #[test]
    fn a_broken_lock_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), "[[target]]\npid = 1\n").unwrap();
        let err = Lock::load(dir.path()).unwrap_err().to_string();
        assert!(err.starts_with("pidsite.lock:2: "), "{err}");
    }

    #[test]
    fn a_merge_conflict_names_its_line() {
        let two = Lock {
            targets: vec![target("a", "a.json", "aa"), target("b", "b.json", "bb")],
            pages: Vec::new(),
        };
        let text = two.to_text().replace(
            "sha256 = \"bb\"\n",
            "<<<<<<< HEAD\nsha256 = \"bb\"\n=======\nsha256 = \"cc\"\n>>>>>>> other\n",
        );
        let line = text.lines().position(|l| l.starts_with("<<<")).unwrap() + 1;
        let (at, _) = Lock::from_text(&text).unwrap_err();
        assert_eq!(at, Some(line), "{text}");
        // Another shape of TOML is read whole, with TOML's own error.
        let (at, message) = Lock::from_text("x = 1\n[other]\ny = [\n").unwrap_err();
        assert_eq!(at, Some(3), "{message}");
    }

    #[test]
    fn a_row_is_found_where_a_binary_search_finds_it() {
        let dates = Dates {
            published: 0,
            modified: 0,
            withdrawn: None,
        };
        let mut rng = fastrand::Rng::with_seed(22);
        for n in [0, 1, 2, 17, 100, 5_000] {
            // Hashes, some PIDs with several targets, and the range's ends.
            let mut keys: Vec<(u64, u64)> = (0..n)
                .flat_map(|_| {
                    let pid = rng.u64(..);
                    let targets = 1 + usize::from(rng.u8(..) < 40) * 2;
                    (0..targets).map(move |t| (pid, t as u64))
                })
                .take(n)
                .collect();
            if n > 2 {
                keys.extend([(0, 0), (u64::MAX, u64::MAX)]);
            }
            let rows = keys.into_iter().map(|(pid, target)| Row {
                pid,
                target,
                content: 0,
                dates,
                place: Place::NONE,
            });
            let rows = rows.collect();
            let lock = LockDates::of(rows, HashMap::new(), 0);
            let keys = lock.rows.iter().map(|r| (r.pid, r.target));
            let keys: Vec<(u64, u64)> = keys
                .chain((0..200).map(|_| (rng.u64(..), rng.u64(..))))
                .chain([(0, 0), (0, 5), (u64::MAX, 0), (u64::MAX, u64::MAX)])
                .collect();
            for key in keys {
                let want = lock.rows.partition_point(|r| (r.pid, r.target) < key);
                assert_eq!(lock.first_from(key), want, "{n} rows, {key:?}");
            }
        }
    }

    #[test]
    fn dates_move_only_with_the_content() {
        let d = |published, modified, withdrawn| Dates {
            published,
            modified,
            withdrawn,
        };
        let was = Some((7, d(100, 200, None)));
        // First seen: published and modified now.
        assert_eq!(Dates::next(None, Some(7), false, 900), d(900, 900, None));
        // The same content keeps its dates, whenever the build.
        assert_eq!(Dates::next(was, Some(7), false, 900), d(100, 200, None));
        // New content: modified now, published as it was.
        assert_eq!(Dates::next(was, Some(8), false, 900), d(100, 900, None));
        // Unreadable: as it was.
        assert_eq!(Dates::next(was, None, false, 900), d(100, 200, None));
        // Withdrawn: the first build that saw it so, then that build.
        let gone = Dates::next(was, Some(7), true, 900);
        assert_eq!(gone, d(100, 200, Some(900)));
        assert_eq!(Dates::next(Some((7, gone)), Some(7), true, 1000), gone);
        // Active again: no longer withdrawn.
        assert_eq!(
            Dates::next(Some((7, gone)), Some(7), false, 1000),
            d(100, 200, None)
        );
    }

    #[test]
    fn a_tables_dates_read_back_as_written() {
        let mut t = target("a", "a.json", "aa");
        assert_eq!(t.dates(), None, "an older lock's table has no dates");
        let dates = Dates {
            published: 1_764_072_000,
            modified: 1_795_608_000,
            withdrawn: None,
        };
        t.set_dates(dates);
        assert_eq!(t.published.as_deref(), Some("2025-11-25T12:00:00Z"));
        assert_eq!(t.dates(), Some((short("aa"), dates)));
        // Modified only when it differs from published.
        t.set_dates(Dates {
            modified: dates.published,
            ..dates
        });
        assert_eq!(t.modified, None);
        // A date alone, as a person may write it.
        t.published = Some("2024-09-30".into());
        assert_eq!(t.dates().map(|(_, d)| d.published), Some(1_727_654_400));
    }

    /// The dates read a table at a time from the file are those of the
    /// lock read whole, for a lock as pidsite writes it and for one of
    /// another shape; a broken lock gives [`Lock::load`]'s error.
    #[test]
    fn dates_read_from_the_file_are_the_whole_locks() {
        let dated = |pid: &str, published: &str, modified: Option<&str>| LockedTarget {
            published: Some(published.into()),
            modified: modified.map(Into::into),
            ..target(pid, &format!("{pid}.json"), pid)
        };
        let lock = Lock {
            targets: vec![
                dated("b", "2025-01-01T00:00:00Z", Some("2026-01-01T00:00:00Z")),
                dated("a", "2024-09-30", None),
                target("c", "c.json", "cc"),
            ],
            pages: vec![LockedPage {
                file: "index.html".into(),
                hash: "h".into(),
                modified: "2025-11-25T12:00:00Z".into(),
            }],
        };
        let dir = tempfile::tempdir().unwrap();
        // The dates, not where the tables were in the file.
        let dates = |d: LockDates| {
            let rows: Vec<_> = d
                .rows
                .iter()
                .map(|r| (r.pid, r.target, r.content, r.dates))
                .collect();
            format!("{rows:?} {:?} {}", d.pages, d.now)
        };
        let whole = dates(LockDates::new(Some(&lock), 7));
        let read = |text: &str| {
            std::fs::write(dir.path().join(LOCK_FILE), text).unwrap();
            LockDates::load(dir.path(), 7).map(dates)
        };
        assert_eq!(read(&lock.to_text()).unwrap(), whole);
        // Inline tables: TOML, not pidsite's shape; read whole.
        let inline = toml::to_string(&lock).unwrap();
        let inline = format!(
            "target = {}\n",
            toml::Value::try_from(&lock.targets).unwrap()
        ) + &inline[inline.find("[[page]]").unwrap()..];
        assert_eq!(read(&inline).unwrap(), whole, "{inline}");
        let broken = lock.to_text().replace("sha256 = \"cc\"", "sha256 = cc");
        let error = read(&broken).unwrap_err().to_string();
        assert_eq!(error, Lock::load(dir.path()).unwrap_err().to_string());
        assert!(error.starts_with("pidsite.lock:"), "{error}");
        std::fs::remove_file(dir.path().join(LOCK_FILE)).unwrap();
        let none = format!("{:?}", LockDates::new(None, 7));
        assert_eq!(
            LockDates::load(dir.path(), 7)
                .map(|d| format!("{d:?}"))
                .unwrap(),
            none
        );
    }

    #[test]
    fn a_page_keeps_its_date_while_its_hash_does() {
        let lock = Lock {
            targets: Vec::new(),
            pages: vec![LockedPage {
                file: "index.html".into(),
                hash: "h".into(),
                modified: "2025-11-25T12:00:00Z".into(),
            }],
        };
        let dates = LockDates::new(Some(&lock), 2_000_000_000);
        assert_eq!(dates.page("index.html", "h"), 1_764_072_000);
        assert_eq!(dates.page("index.html", "other"), 2_000_000_000);
        assert_eq!(dates.page("about/index.html", "h"), 2_000_000_000);
    }

    #[test]
    fn tables_as_pidsite_writes_them_read_as_toml_reads_them() {
        let odd = LockedTarget {
            etag: Some("W/\"5f3a-1c2b\"".into()),
            last_modified: Some("Tue, 03 Nov 2026 09:12:01 GMT".into()),
            published: Some("2025-01-01T00:00:00Z".into()),
            modified: Some("2026-01-01T00:00:00Z".into()),
            ..target("ark:/1/é\\x\"y\u{7f}", "https://x.org/a b\tc'd.json", "aa")
        };
        let lock = Lock {
            targets: vec![target("a", "a.json", "aa"), odd, target("c", "", "")],
            pages: vec![LockedPage {
                file: "über/index.html".into(),
                hash: "h".into(),
                modified: "2026-01-01T00:00:00Z".into(),
            }],
        };
        let text = lock.to_text();
        assert_eq!(toml::from_str::<Lock>(&text).unwrap(), lock, "{text}");
        assert_eq!(Lock::from_text(&text).unwrap(), lock, "{text}");
        // Each table took the quick way.
        for table in text.split("[[target]]\n").skip(1) {
            let table = table.split("[[page]]").next().unwrap();
            let fields = plain_table(table).unwrap_or_else(|| panic!("{table}"));
            assert!(LockedTarget::of(fields).is_some(), "{table}");
        }
        // What it does not know goes to TOML: the same lock, or its error.
        let other = text.replace("sha256 = \"aa\"\n", "sha256 = \"\"\"aa\"\"\"\n");
        assert_eq!(Lock::from_text(&other).unwrap(), lock);
        let unknown = text.replacen("sha256 = ", "sha = ", 1);
        let (_, message) = Lock::from_text(&unknown).unwrap_err();
        assert!(message.contains("unknown field `sha`"), "{message}");
        let twice = text.replacen("sha256 = \"aa\"\n", "sha256 = \"aa\"\nsha256 = \"bb\"\n", 1);
        assert!(Lock::from_text(&twice).is_err());
    }
}
