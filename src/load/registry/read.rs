//! Reading registry files as written: which files, their encoding and
//! delimiter, CSV and JSON rows -> [`RawRow`]s through the site's
//! [`Mapping`], every bad row reported.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::map::{Mapping, ITEM_SEPARATOR};
use super::profile::{self, Profile};
use super::RawRow;
use crate::config::registry::{Delimiter, RegistrySettings};
use crate::error::{Error, Location, Result};

/// How to save a registry as pidsite reads it.
const SAVE_AS_UTF8: &str =
    "save the registry as UTF-8, e.g. \"CSV UTF-8\" in Excel or \"Unicode (UTF-8)\" in LibreOffice";

/// A registry's text: UTF-8, a byte order mark dropped. Any other encoding
/// is an error naming the encoding it looks like and how to save it.
pub(super) fn decode(bytes: Vec<u8>, rel: &Path) -> Result<String> {
    if looks_utf16(&bytes) {
        return Err(Error::registry(
            Location::file(rel),
            format!("expected UTF-8 text, found UTF-16 (Excel's \"Unicode Text\" saves so); {SAVE_AS_UTF8}"),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        }),
        Err(e) => Err(not_utf8(e.as_bytes(), e.utf8_error().valid_up_to(), rel)),
    }
}

/// UTF-16: a byte order mark, or a NUL in every other byte of the start
/// (the ASCII of headers).
fn looks_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let start = &bytes[..bytes.len().min(64)];
    let nuls = start.iter().filter(|&&b| b == 0).count();
    start.len() >= 4 && nuls * 3 >= start.len()
}

/// The error for a registry that is not UTF-8 (Excel's plain "CSV" on
/// Windows writes a code page such as Windows-1252): the line of the first
/// bad byte, and what it is in Windows-1252 when it is a character there.
pub(super) fn not_utf8(bytes: &[u8], valid_up_to: usize, rel: &Path) -> Error {
    let line = bytes[..valid_up_to].iter().filter(|&&b| b == b'\n').count() + 1;
    let byte = bytes[valid_up_to];
    let looks = match windows_1252(byte) {
        Some(c) => format!(
            " (\"{c}\" in Windows-1252): the file looks like Windows-1252, as Excel's plain \"CSV\" on Windows saves it"
        ),
        None => String::new(),
    };
    Error::registry(
        Location::line(rel, line),
        format!("expected UTF-8 text, found the byte 0x{byte:02X}{looks}; {SAVE_AS_UTF8}"),
    )
}

/// The character a byte of 0x80 and above is in Windows-1252.
fn windows_1252(byte: u8) -> Option<char> {
    const C1: [char; 32] = [
        '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0',
        '\u{2018}', '\u{2019}', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => Some(C1[usize::from(byte - 0x80)]).filter(|&c| c != '\0'),
        0xA0..=0xFF => Some(char::from(byte)),
        _ => None,
    }
}

/// The registry files: `[registry] file`, or else `content/registry.csv`,
/// `content/registry.json` and the `.csv`/`.tsv`/`.json` files in
/// `content/registry/`.
pub(super) fn registry_files(site_dir: &Path, settings: &RegistrySettings) -> Result<Vec<PathBuf>> {
    if let Some(file) = &settings.file {
        let rel = PathBuf::from(file.trim_start_matches("./"));
        if !site_dir.join(&rel).is_file() {
            return Err(Error::registry(
                Location::file(crate::config::CONFIG_FILE),
                format!("[registry] file: no file {} in the site", rel.display()),
            ));
        }
        return Ok(vec![rel]);
    }
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
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "csv" || e == "tsv" || e == "json")
            })
            .filter_map(|p| p.strip_prefix(site_dir).ok().map(Path::to_path_buf))
            .collect();
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// What reading one file gave: its rows, every problem found, and notes.
#[derive(Default)]
pub(super) struct Read {
    pub rows: Vec<RawRow>,
    pub errors: Vec<Error>,
    pub notes: Vec<String>,
}

impl Read {
    fn errors(errors: Vec<Error>) -> Self {
        Read {
            errors,
            ..Read::default()
        }
    }

    /// Build the file's mapping from its headers; `None` (with the
    /// problems kept) when it cannot be built.
    fn mapping(
        &mut self,
        headers: &[String],
        settings: &RegistrySettings,
        rel: &Path,
        site_dir: &Path,
    ) -> Option<Mapping> {
        match Mapping::new(headers, settings, rel, site_dir) {
            Ok((mapping, note)) => {
                self.notes.extend(note);
                Some(mapping)
            }
            Err(errors) => {
                self.errors.extend(errors);
                None
            }
        }
    }
}

/// The delimiter `auto` finds: the one of `,` `;` TAB `|` that the header
/// line has most of outside quotes (`,` when it has none; TAB for `.tsv`).
pub(super) fn delimiter(text: &str, rel: &Path, settings: &RegistrySettings) -> u8 {
    if let Delimiter::Byte(b) = settings.delimiter {
        return b;
    }
    if rel
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
    {
        return b'\t';
    }
    let mut counts = [(b',', 0), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
                    c.1 += 1;
                }
            }
            _ => {}
        }
    }
    // The first of the most: a comma wins a tie.
    let most = counts.iter().map(|c| c.1).max().unwrap_or(0);
    counts.iter().find(|c| c.1 == most).map_or(b',', |c| c.0)
}

/// Where a quoted field opens that is not closed where a field ends: its
/// line and the byte its row starts at. A quote left open takes in the
/// following rows up to the next quote (or the rest of the file), which
/// the CSV reader reports, if at all, far from the cause: so the field's
/// quote must close before a delimiter, a line end or the end of the file.
fn open_quote(text: &str, delimiter: u8) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let (mut line, mut row_start, mut field_start) = (1, 0, true);
    let mut open: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if open.is_some() {
            if b == b'"' && bytes.get(i + 1) == Some(&b'"') {
                i += 1;
            } else if b == b'"' {
                match bytes.get(i + 1) {
                    None | Some(b'\n' | b'\r') => {}
                    Some(&next) if next == delimiter => {}
                    Some(_) => return open,
                }
                open = None;
                field_start = false;
            } else if b == b'\n' {
                line += 1;
            }
        } else if b == b'"' && field_start {
            open = Some((line, row_start));
        } else if b == b'\n' {
            line += 1;
            row_start = i + 1;
            field_start = true;
        } else {
            field_start = b == delimiter || (field_start && b == b'\r');
        }
        i += 1;
    }
    open
}

/// A CSV (or TSV) registry's rows, through the site's mapping, each given
/// to `rows` as it is read (a large registry's rows are made into records
/// as they come, see `Making`). Blank and delimiter-only rows are skipped;
/// every bad row is reported.
pub(super) fn read_csv(
    text: &str,
    rel: &Path,
    settings: &RegistrySettings,
    profile: Option<Profile>,
    site_dir: &Path,
    rows: &mut dyn FnMut(RawRow),
) -> Read {
    let delimiter = delimiter(text, rel, settings);
    let mut read = Read::default();
    let text = match open_quote(text, delimiter) {
        Some((line, row_start)) => {
            read.errors.push(Error::registry(
                Location::line(rel, line),
                "a quoted field opens on this line and is not closed where the field ends, so it takes in the rows after it (they are not read until it is fixed); close the quote (a quote inside a quoted field is written twice: \"\")",
            ));
            &text[..row_start]
        }
        None => text,
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(text);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_string()).collect(),
        Err(e) => {
            read.errors.push(csv_error(e, rel, &mut lines));
            return read;
        }
    };
    // A profile's computed columns come after the file's own.
    let computed = profile.map_or_else(Vec::new, |p| p.csv_columns(&headers));
    let mut all = headers.clone();
    all.extend(computed.iter().map(|c| c.to_string()));
    let Some(mapping) = read.mapping(&all, settings, rel, site_dir) else {
        return read;
    };
    let mut index = HashMap::new();
    for (i, h) in headers.iter().enumerate().rev() {
        index.insert(h.to_lowercase(), i);
    }
    let width = headers.len();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                read.errors.push(csv_error(e, rel, &mut lines));
                continue;
            }
        };
        // Blank rows, and Excel's rows of delimiters alone.
        if record.iter().all(str::is_empty) {
            continue;
        }
        // The reader's own line count skips blank and comment lines between
        // rows; count the line breaks before the row's first byte instead.
        let line = record.position().map(|p| lines.of_row(p.byte()));
        let extra = record.iter().skip(width).any(|f| !f.is_empty());
        if record.len() < width || extra {
            read.errors.push(Error::registry(
                Location {
                    path: rel.to_path_buf(),
                    line,
                },
                format!(
                    "expected {width} fields like the header, found {}",
                    record.len()
                ),
            ));
            continue;
        }
        let at = Location {
            path: rel.to_path_buf(),
            line,
        };
        let mut fields: Vec<String> = record.iter().take(width).map(str::to_string).collect();
        if let Some(profile) = profile {
            let get = |h: &str| {
                index
                    .get(&h.to_lowercase())
                    .map_or(String::new(), |&i| fields[i].trim().to_string())
            };
            match profile.csv_row(&get) {
                Ok(values) => {
                    let extra: Vec<String> = computed
                        .iter()
                        .map(|c| {
                            values
                                .iter()
                                .find(|(k, _)| k == c)
                                .map_or(String::new(), |(_, v)| v.clone())
                        })
                        .collect();
                    fields.extend(extra);
                }
                Err(m) => {
                    read.errors.push(Error::registry(at, m));
                    continue;
                }
            }
        }
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        if let Some(row) = mapping.row(at, &fields) {
            rows(row);
        }
    }
    read
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

/// A JSON registry's rows: an array of objects (or `{"pids": [...]}`),
/// through the site's mapping as a CSV file's (keys are its headers).
pub(super) fn read_json(
    text: &str,
    rel: &Path,
    settings: &RegistrySettings,
    profile: Option<Profile>,
    site_dir: &Path,
) -> Read {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Read::errors(vec![Error::registry(
                Location::line(rel, e.line()),
                format!("not valid JSON: {e}"),
            )])
        }
    };
    if profile == Some(Profile::DataCite) {
        return datacite_rows(&value, rel, settings, site_dir);
    }
    let list = match &value {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => match o.get("pids") {
            Some(serde_json::Value::Array(a)) => a,
            _ => {
                return Read::errors(vec![Error::registry(
                    Location::file(rel),
                    "expected an array of PID objects, or an object with a \"pids\" array",
                )])
            }
        },
        _ => {
            return Read::errors(vec![Error::registry(
                Location::file(rel),
                "expected an array of PID objects",
            )])
        }
    };
    json_rows(list, rel, settings, site_dir)
}

/// A DataCite REST API response (`{"data": [...], "meta": …}`): each DOI
/// flattened by the profile, then read as a JSON registry's objects.
fn datacite_rows(
    value: &serde_json::Value,
    rel: &Path,
    settings: &RegistrySettings,
    site_dir: &Path,
) -> Read {
    let Some(data) = value.get("data").and_then(serde_json::Value::as_array) else {
        return Read::errors(vec![Error::registry(
            Location::file(rel),
            "expected a DataCite REST API response (an object with a \"data\" array of DOIs, as GET /dois?client-id=… answers) for [registry] profile = \"datacite\"",
        )]);
    };
    let mut errors = Vec::new();
    let mut items = Vec::new();
    for (i, item) in data.iter().enumerate() {
        match profile::datacite_item(item) {
            Ok(flat) => items.push(serde_json::Value::Object(flat)),
            Err(m) => {
                errors.push(Error::registry(
                    Location::file(format!("{}#{}", rel.display(), i + 1)),
                    m,
                ));
                // Keep the numbering of the rows after it.
                items.push(serde_json::Value::Object(serde_json::Map::new()));
            }
        }
    }
    let mut read = json_rows(&items, rel, settings, site_dir);
    read.errors.extend(errors);
    read
}

/// Objects -> rows: the keys of all objects are the file's headers.
pub(super) fn json_rows(
    list: &[serde_json::Value],
    rel: &Path,
    settings: &RegistrySettings,
    site_dir: &Path,
) -> Read {
    let mut read = Read::default();
    let at = |i: usize| Location::file(format!("{}#{}", rel.display(), i + 1));
    let mut headers: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for item in list.iter().filter_map(|v| v.as_object()) {
        for key in item.keys() {
            if !index.contains_key(key) {
                index.insert(key.clone(), headers.len());
                headers.push(key.clone());
            }
        }
    }
    let Some(mapping) = read.mapping(&headers, settings, rel, site_dir) else {
        return read;
    };
    for (i, item) in list.iter().enumerate() {
        let Some(obj) = item.as_object() else {
            read.errors.push(Error::registry(
                at(i),
                "expected an object with a \"pid\" key",
            ));
            continue;
        };
        let mut fields = vec![String::new(); headers.len()];
        let mut bad = false;
        for (k, v) in obj {
            match json_cell(v) {
                Some(text) => fields[index[k]] = text,
                None => {
                    read.errors.push(Error::registry(
                        at(i),
                        format!("key {k:?}: expected a string, a number or an array of strings"),
                    ));
                    bad = true;
                }
            }
        }
        if !bad {
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            read.rows.extend(mapping.row(at(i), &fields));
        }
    }
    read
}

/// A JSON value as a cell: an array's items joined for the mapping to
/// split again; `None` for an object or an array of other than strings.
fn json_cell(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Null => Some(String::new()),
        serde_json::Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(ITEM_SEPARATOR)),
        serde_json::Value::Object(_) => None,
    }
}
