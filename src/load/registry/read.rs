//! Reading registry files as written: which files, their encoding, CSV and
//! JSON rows -> [`RawRow`]s with pidsite's column names, every bad row reported.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{RawRow, COLUMNS};
use crate::error::{Error, Location, Result};

/// The error for a registry that is not UTF-8 (Excel's plain "CSV" on
/// Windows writes a code page such as cp1252): the line of the first bad byte.
pub(super) fn not_utf8(bytes: &[u8], valid_up_to: usize, rel: &Path) -> Error {
    let line = bytes[..valid_up_to].iter().filter(|&&b| b == b'\n').count() + 1;
    Error::registry(
        Location::line(rel, line),
        format!(
            "expected UTF-8 text, found the byte 0x{:02X} (save the registry as UTF-8, e.g. \"CSV UTF-8\" in Excel)",
            bytes[valid_up_to]
        ),
    )
}

pub(super) fn registry_files(site_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for name in ["content/registry.csv", "content/registry.json"] {
        if site_dir.join(name).is_file() {
            files.push(PathBuf::from(name));
        }
    }
    let dir = site_dir.join("content/registry");
    if dir.is_dir() {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| Error::io(&dir, e))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "json"))
            .filter_map(|p| p.strip_prefix(site_dir).ok().map(Path::to_path_buf))
            .collect();
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

pub(super) fn check_columns(columns: &[String], at: &Location) -> Result<()> {
    if let Some(bad) = columns.iter().find(|c| !COLUMNS.contains(&c.as_str())) {
        return Err(Error::registry(
            at.clone(),
            format!(
                "unknown column {bad:?}; expected columns among: {}",
                COLUMNS.join(", ")
            ),
        ));
    }
    if !columns.iter().any(|c| c == "pid") {
        return Err(Error::registry(at.clone(), "missing column \"pid\""));
    }
    let mut seen = Vec::new();
    for c in columns {
        if seen.contains(&c) {
            return Err(Error::registry(
                at.clone(),
                format!("column {c:?} appears twice"),
            ));
        }
        seen.push(c);
    }
    Ok(())
}

pub(super) fn read_csv(text: &str, rel: &Path) -> Result<Vec<RawRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(text);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(e, rel, &mut lines))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    check_columns(&headers, &Location::line(rel, 1))?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            // Report every malformed row, not only the first.
            Err(e) => {
                errors.push(csv_error(e, rel, &mut lines));
                continue;
            }
        };
        // The reader's own line count skips blank and comment lines between
        // rows; count the line breaks before the row's first byte instead.
        let line = record.position().map_or(0, |p| lines.of_row(p.byte()));
        let values = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(h, v)| (h.clone(), v.to_string()))
            .collect::<HashMap<_, _>>();
        if values.is_empty() {
            continue;
        }
        rows.push(RawRow {
            at: Location::line(rel, line),
            values,
        });
    }
    match Error::from_list(errors) {
        Some(e) => Err(e),
        None => Ok(rows),
    }
}

/// Lines of a registry text, counted forward as its rows come: counting
/// from the start for every row made loading 100,000 rows quadratic.
struct Lines<'t> {
    bytes: &'t [u8],
    /// A byte offset and the 1-based line it is on.
    at: usize,
    line: usize,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        Lines {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line of the row that starts at or after byte `offset`: the
    /// reader places a row where the previous one ended, before the blank
    /// and `#` comment lines it skipped.
    fn of_row(&mut self, offset: u64) -> usize {
        let bytes = self.bytes;
        let mut at = (offset as usize).min(bytes.len());
        loop {
            let rest = &bytes[at..];
            let skip = if rest.starts_with(b"\n") {
                1
            } else if rest.starts_with(b"\r\n") {
                2
            } else if rest.starts_with(b"#") {
                memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1)
            } else {
                break;
            };
            at += skip;
        }
        if at < self.at {
            (self.at, self.line) = (0, 1);
        }
        self.line += memchr::memchr_iter(b'\n', &bytes[self.at..at]).count();
        self.at = at;
        self.line
    }
}

fn csv_error(e: csv::Error, rel: &Path, lines: &mut Lines<'_>) -> Error {
    let line = e.position().map(|p| lines.of_row(p.byte()));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields like the header, found {len}"),
        csv::ErrorKind::Utf8 { .. } => "expected UTF-8 text".to_string(),
        _ => e.to_string(),
    };
    Error::registry(
        Location {
            path: rel.to_path_buf(),
            line,
        },
        message,
    )
}

pub(super) fn read_json(text: &str, rel: &Path) -> Result<Vec<RawRow>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::registry(
            Location::line(rel, e.line()),
            format!("not valid JSON: {e}"),
        )
    })?;
    let list = match &value {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => match o.get("pids") {
            Some(serde_json::Value::Array(a)) => a,
            _ => {
                return Err(Error::registry(
                    Location::file(rel),
                    "expected an array of PID objects, or an object with a \"pids\" array",
                ))
            }
        },
        _ => {
            return Err(Error::registry(
                Location::file(rel),
                "expected an array of PID objects",
            ))
        }
    };
    let mut rows = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let at = Location::file(format!("{}#{}", rel.display(), i + 1));
        let obj = item
            .as_object()
            .ok_or_else(|| Error::registry(at.clone(), "expected an object with a \"pid\" key"))?;
        let columns: Vec<String> = obj.keys().cloned().collect();
        check_columns(&columns, &at)?;
        let mut values = HashMap::new();
        for (k, v) in obj {
            let text = match v {
                serde_json::Value::String(s) => s.trim().to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Null => continue,
                serde_json::Value::Array(a) if matches!(k.as_str(), "aliases" | "creator") => a
                    .iter()
                    .map(|x| x.as_str().map(str::to_string).ok_or(()))
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|()| {
                        Error::registry(
                            at.clone(),
                            format!("key {k:?}: expected an array of strings"),
                        )
                    })?
                    .join(";"),
                _ => {
                    return Err(Error::registry(
                        at.clone(),
                        format!("key {k:?}: expected a string"),
                    ))
                }
            };
            if !text.is_empty() {
                values.insert(k.clone(), text);
            }
        }
        rows.push(RawRow { at, values });
    }
    Ok(rows)
}
