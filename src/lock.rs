//! `pidsite.lock`: the content hash (SHA-256) of every PID's target, local
//! and remote, with the ETag, Last-Modified and fetch date of remote ones.
//! `pidsite build` compares it with what it read to report the manifests
//! that changed since the last build, then rewrites it; `pidsite check`
//! only compares. Institutions commit it, so a change to a manifest they do
//! not host shows up in a diff.
//!
//! The file is TOML, one `[[target]]` table per (PID, target), sorted, and
//! written only when its content changes, so it is stable under version
//! control. This module reads, compares and writes the lock; it fetches and
//! hashes nothing itself (the caller hands it the hashes).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Location;
use crate::model::record::{Entry, Status, Target};
use crate::remote::{Obtained, RemoteDocs};

/// The lock file's name, at the site root.
pub const LOCK_FILE: &str = "pidsite.lock";

const HEADER: &str = "\
# pidsite.lock: the content hash of every PID's target, written by `pidsite build`.
# Commit it: a diff then shows which manifests changed between builds.
# `pidsite check` reports targets that no longer match it.
";

/// A line that is empty or a comment.
fn is_blank(line: &str) -> bool {
    line.is_empty() || line.starts_with('#')
}

/// The lock: every target's hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Sorted by PID, then target.
    #[serde(default, rename = "target")]
    pub targets: Vec<LockedTarget>,
}

/// One PID's target and its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedTarget {
    /// The PID, normalised.
    pub pid: String,
    /// The target as the registry writes it (a path under content/ or a URL).
    pub target: String,
    /// SHA-256 of its content, hex.
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
        Lock::from_text(&text).map(Some).map_err(|(line, message)| {
            crate::Error::input(
                Location {
                    path: LOCK_FILE.into(),
                    line,
                },
                format!("{message}: not a pidsite lock file (a merge conflict?)"),
            )
        })
    }

    /// Read a lock's text, one `[[target]]` table at a time: parsed whole,
    /// the toml crate holds every table with its spans at once (~300 MB
    /// for 100,000 targets). A text of any other shape is parsed whole, for
    /// TOML's own error. Errors give the line (1-based) and the message.
    fn from_text(text: &str) -> Result<Lock, (Option<usize>, String)> {
        let whole = || {
            toml::from_str(text).map_err(|e: toml::de::Error| {
                let line = e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
                (line, e.message().trim().to_string())
            })
        };
        let mut targets = Vec::new();
        // The table being read: its first line's number and byte offset.
        let mut table: Option<(usize, usize)> = None;
        let mut offset = 0;
        let mut read = |table: (usize, usize), end: usize| {
            let (first, start) = table;
            let body = &text[start..end];
            toml::from_str::<LockedTarget>(body)
                .map(|t| targets.push(t))
                .map_err(|e| {
                    let line = e
                        .span()
                        .map(|s| first + body[..s.start.min(body.len())].matches('\n').count());
                    (line, e.message().trim().to_string())
                })
        };
        for (n, line) in text.split_inclusive('\n').enumerate() {
            let trimmed = line.trim();
            if trimmed == "[[target]]" {
                if let Some(t) = table {
                    read(t, offset)?;
                }
                table = Some((n + 2, offset + line.len()));
            } else if trimmed.starts_with('[') || (table.is_none() && !is_blank(trimmed)) {
                return whole();
            }
            offset += line.len();
        }
        if let Some(t) = table {
            read(t, text.len())?;
        }
        Ok(Lock { targets })
    }

    /// The file's text: the header comment, then the targets in order.
    pub fn to_text(&self) -> String {
        // Table by table, as it is read (see `from_text`).
        let mut text = format!("{HEADER}\n");
        for (i, target) in self.targets.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str("[[target]]\n");
            text.push_str(&toml::to_string(target).expect("a target always serialises"));
        }
        text
    }

    /// Write the lock into `site` when its text differs from the file's;
    /// whether it wrote.
    pub fn save(&self, site: &Path) -> std::io::Result<bool> {
        let path = site.join(LOCK_FILE);
        let text = self.to_text();
        if crate::write::file_holds(&path, text.len() as u64, text.as_bytes()) {
            return Ok(false);
        }
        let mut tmp = tempfile::NamedTempFile::new_in(site)?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(true)
    }

    fn find(&self, pid: &str, target: &str) -> Option<&LockedTarget> {
        self.targets
            .binary_search_by(|t| (t.pid.as_str(), t.target.as_str()).cmp(&(pid, target)))
            .ok()
            .map(|i| &self.targets[i])
    }
}

/// The lock of what was read now, and the targets that changed since
/// `previous`. `local_hash` gives the SHA-256 of a local file (`None` when
/// it cannot be read); `remote` holds the fetched documents. A target that
/// could not be read keeps its entry from `previous`, so the next build that
/// reads it compares it with the last content seen.
pub fn compare(
    entries: &[Entry],
    local_hash: impl Fn(&Path) -> Option<String>,
    remote: &RemoteDocs,
    previous: Option<&Lock>,
) -> (Lock, Vec<Changed>) {
    // Each target with the registry row that named it first, sorted and
    // deduplicated rather than keyed in a map: a large registry's lock is
    // made at the end of the build, when every PID's reference is held.
    let records: Vec<&crate::model::record::Record> =
        entries.iter().flat_map(|e| &e.versions).collect();
    let mut rows: Vec<(LockedTarget, usize)> = Vec::with_capacity(records.len());
    for (i, record) in records.iter().enumerate() {
        if matches!(record.status, Status::Moved | Status::Reserved) {
            continue;
        }
        let Some(target) = &record.target else {
            continue;
        };
        let pid = record.pid.label();
        let (written, locked) = match target {
            Target::Local { written, path } => (
                written.clone(),
                local_hash(path).map(|sha256| LockedTarget {
                    pid: pid.clone(),
                    target: written.clone(),
                    sha256,
                    etag: None,
                    last_modified: None,
                    fetched: None,
                }),
            ),
            Target::Remote(url) => {
                let fetched = match remote.get(url) {
                    Some(Ok(f)) if !matches!(f.obtained, Obtained::Stale(_)) => Some(f),
                    _ => None,
                };
                let locked = fetched.map(|f| {
                    let before = previous.and_then(|p| p.find(&pid, url));
                    // The date the current content was first seen: it stays
                    // while the content does, so the lock changes only when
                    // a manifest does.
                    let first_seen = before
                        .filter(|b| b.sha256 == f.meta.sha256)
                        .and_then(|b| b.fetched.clone())
                        .unwrap_or_else(|| f.meta.fetched.clone());
                    LockedTarget {
                        pid: pid.clone(),
                        target: url.clone(),
                        sha256: f.meta.sha256.clone(),
                        etag: f.meta.etag.clone(),
                        last_modified: f.meta.last_modified.clone(),
                        fetched: Some(first_seen),
                    }
                });
                (url.clone(), locked)
            }
        };
        let locked = locked.or_else(|| previous.and_then(|p| p.find(&pid, &written)).cloned());
        if let Some(locked) = locked {
            rows.push((locked, i));
        }
    }
    // Stable: of two rows naming the same target, the first stays.
    rows.sort_by(|(a, _), (b, _)| (&a.pid, &a.target).cmp(&(&b.pid, &b.target)));
    rows.dedup_by(|(b, _), (a, _)| a.pid == b.pid && a.target == b.target);
    let changed: Vec<Changed> = rows
        .iter()
        .filter_map(|(now, i)| {
            let before = previous?.find(&now.pid, &now.target)?;
            (before.sha256 != now.sha256).then(|| Changed {
                pid: now.pid.clone(),
                target: now.target.clone(),
                at: records[*i].at.clone(),
                was: before.sha256.clone(),
                now: now.sha256.clone(),
            })
        })
        .collect();
    let targets = rows.into_iter().map(|(t, _)| t).collect();
    (Lock { targets }, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(pid: &str, target: &str, sha: &str) -> LockedTarget {
        LockedTarget {
            pid: pid.into(),
            target: target.into(),
            sha256: sha.into(),
            etag: None,
            last_modified: None,
            fetched: None,
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
                    ..target("doi:10.1/b", "https://x.org/b.json", "bb")
                },
            ],
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
        assert_eq!(toml::from_str::<Lock>(&text).unwrap(), lock);
        // Written and read a table at a time, the same as TOML whole.
        let whole = toml::to_string(&lock).unwrap();
        assert_eq!(text, format!("{HEADER}\n{whole}"));
        assert_eq!(Lock::from_text(&text).unwrap(), lock);
        assert_eq!(
            lock.find("doi:10.1/b", "https://x.org/b.json")
                .unwrap()
                .sha256,
            "bb"
        );
    }

    #[test]
    fn saving_an_unchanged_lock_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let lock = Lock {
            targets: vec![target("a", "m.json", "aa")],
        };
        assert!(lock.save(dir.path()).unwrap());
        assert!(!lock.save(dir.path()).unwrap());
        assert_eq!(Lock::load(dir.path()).unwrap(), Some(lock));
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
}
