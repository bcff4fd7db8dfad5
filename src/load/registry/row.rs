//! One [`RawRow`] -> a [`Record`]: each column's value checked, every bad
//! column of the row reported, each naming pidsite's column and, when the
//! site maps it, the file's header.

use std::path::{Path, PathBuf};

use super::RawRow;
use crate::config::SiteConfig;
use crate::error::Error;
use crate::load::confine::Confine;
use crate::model::genre::Genre;
use crate::model::pid::Pid;
use crate::model::record::{Alias, Details, Overrides, Record, Status, Target};
use crate::model::site_path::SitePath;

/// A row being read: its values, and the problems found so far.
struct Cells<'r> {
    row: &'r RawRow,
    errors: Vec<Error>,
}

impl Cells<'_> {
    fn get(&self, column: &str) -> Option<String> {
        self.row.values.get(column).cloned()
    }

    /// A problem with a column: `column "type" (the file's "Object Type")`.
    fn error(&mut self, column: &str, message: impl std::fmt::Display) {
        let name = match self.row.names.get(column) {
            Some(header) => format!("column {column:?} (the file's {header:?})"),
            None => format!("column {column:?}"),
        };
        self.errors.push(Error::registry(
            self.row.at.clone(),
            format!("{name}: {message}"),
        ));
    }

    /// A column's value checked by `parse`; a problem is kept and gives `None`.
    fn parsed<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> std::result::Result<T, String>,
    ) -> Option<T> {
        let value = self.get(column)?;
        match parse(&value) {
            Ok(v) => Some(v),
            Err(m) => {
                self.error(column, m);
                None
            }
        }
    }
}

/// The row's record, or every problem with it.
pub(super) fn record(
    row: &RawRow,
    site: &Confine,
    config: &SiteConfig,
) -> std::result::Result<Record, Vec<Error>> {
    let mut cells = Cells {
        row,
        errors: Vec::new(),
    };
    control_characters(&mut cells);
    if !cells.errors.is_empty() {
        // The other checks would quote the same characters back.
        return Err(cells.errors);
    }
    if cells.get("pid").is_none() {
        cells.error("pid", "expected an identifier, found an empty value");
    }
    let pid = cells.parsed("pid", Pid::parse);
    let written_status = cells.parsed("status", |s| {
        Status::parse(s)
            .ok_or_else(|| format!("expected one of {}, found {s:?}", Status::NAMES.join(", ")))
    });
    // A status that is not one says nothing about which columns it needs.
    let known_status = written_status.is_some() || cells.get("status").is_none();
    let status = written_status.unwrap_or(Status::Active);
    let target = cells.parsed("target", |t| target(t, site));
    if cells.get("target").is_none() && status == Status::Active && known_status {
        cells.error(
            "target",
            "expected a path under content/ or an http(s) URL (only withdrawn and moved PIDs may have none)",
        );
    }
    let replaced_by = cells.parsed("replaced_by", Pid::parse);
    if cells.get("replaced_by").is_none() && status == Status::Moved {
        cells.error("replaced_by", "a moved PID needs the PID it moved to");
    }
    let aliases = cells
        .parsed("aliases", |a| {
            a.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| alias(s, config))
                .collect::<std::result::Result<Vec<_>, _>>()
        })
        .unwrap_or_default();
    let region = cells.parsed("region", |r| {
        crate::load::iiif::valid_region(r)
            .then(|| r.to_string())
            .ok_or_else(|| format!("expected x,y,w,h numbers of at least 0, found {r:?}"))
    });
    let declared_type = cells.parsed("type", |t| {
        crate::model::resource::ResourceKind::from_type(t)
            .map(|_| t.to_string())
            .ok_or_else(|| format!("expected Manifest, Collection, Canvas, Range, AnnotationPage or Annotation, found {t:?}"))
    });
    // The dates that date pages (sitemap, feed, activities): a date the
    // build cannot read would be replaced by the build's own without a word.
    let [version_date, withdrawn_date] = ["version_date", "withdrawn_date"].map(|column| {
        cells.parsed(column, |d| {
            if d.parse::<jiff::Timestamp>().is_ok() || d.parse::<jiff::civil::Date>().is_ok() {
                Ok(d.to_string())
            } else {
                Err(format!(
                    "expected a date as YYYY-MM-DD (or an RFC 3339 time), found {d:?}"
                ))
            }
        })
    });
    let overrides = overrides(&mut cells);
    match (pid, cells.errors.is_empty()) {
        (Some(pid), true) => Ok(Record {
            pid,
            at: row.at.clone(),
            target,
            status,
            replaced_by,
            aliases,
            details: Some(Box::new(Details {
                version: cells.get("version"),
                version_date,
                version_note: cells.get("version_note"),
                withdrawn_date,
                withdrawn_reason: cells.get("withdrawn_reason"),
                canvas: cells.get("canvas"),
                region,
                declared_type,
            }))
            .filter(|d| **d != Details::default()),
            overrides: Some(Box::new(overrides)).filter(|o| **o != Overrides::default()),
        }),
        _ => Err(cells.errors),
    }
}

/// Columns whose value becomes a URL or a path (a redirect line, a folder
/// name, a link): a control character is refused in them percent-encoded
/// too, since `/a%0aB` is decoded to a raw line feed, and TAB as well.
const URL_COLUMNS: &[&str] = &["pid", "replaced_by", "aliases", "target"];

/// Refuse control characters in every cell of the row: a line break in an
/// alias splits a `RedirectMatch` line in `.htaccess` (Apache then answers
/// 500 for every page) and a row of `pids.csv`; C0 controls other than the
/// whitespace make `feed.xml` and `datacite.xml` not well-formed; ESC and
/// the C1 controls reach terminals and readers' screens. TAB passes in text
/// columns (harmless in every output), not in [`URL_COLUMNS`].
fn control_characters(cells: &mut Cells<'_>) {
    let row = cells.row;
    for (column, value) in row.values.iter() {
        let url = URL_COLUMNS.contains(&column);
        let raw = value.chars().find(|&c| is_refused(c, url)).map(|c| (c, ""));
        // Only when the raw value passes: one error per cell.
        let encoded = || {
            let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
            let c = decoded.chars().find(|&c| is_refused(c, true));
            c.map(|c| (c, "percent-encoded "))
        };
        if let Some((c, how)) = raw.or_else(|| url.then(encoded).flatten()) {
            cells.error(column, refused(c, how));
        }
    }
    for (label, items) in &row.metadata {
        let mut chars = items.iter().flat_map(|i| i.chars());
        if let Some(c) = chars.find(|&c| is_refused(c, false)) {
            let message = format!("metadata {label:?}: {}", refused(c, ""));
            cells.errors.push(Error::registry(row.at.clone(), message));
        }
    }
}

/// The message for a refused control character.
fn refused(c: char, how: &str) -> String {
    format!(
        "{how}control character U+{:04X} ({}); registry cells may not hold control characters (line breaks, NUL, ESC, DEL, C1): remove it from the export",
        u32::from(c),
        control_name(c)
    )
}

/// A C0 control (TAB only where `url`), DEL or a C1 control.
fn is_refused(c: char, url: bool) -> bool {
    c.is_control() && (url || c != '\t')
}

/// The usual name of a control character, for the error.
fn control_name(c: char) -> &'static str {
    match c {
        '\0' => "NUL",
        '\t' => "tab",
        '\n' => "line feed",
        '\r' => "carriage return",
        '\u{b}' => "vertical tab",
        '\u{c}' => "form feed",
        '\u{1b}' => "escape",
        '\u{7f}' => "delete",
        '\u{85}' => "next line",
        '\u{80}'..='\u{9f}' => "C1 control",
        _ => "C0 control",
    }
}

/// The citation fields the row sets, and its extra metadata.
fn overrides(cells: &mut Cells<'_>) -> Overrides {
    let resource_type = cells.parsed("resource_type", |t| {
        Genre::from_name(t)
            .ok_or_else(|| format!("expected one of {}, found {t:?}", Genre::names()))
    });
    let license = cells.parsed("license", |l| {
        if l.starts_with("http://") || l.starts_with("https://") {
            Ok(l.to_string())
        } else {
            Err(format!("expected a licence URI, found {l:?}"))
        }
    });
    Overrides {
        title: cells.get("title"),
        creators: cells
            .get("creator")
            .map(|c| {
                c.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        date: cells.get("date"),
        publisher: cells.get("publisher"),
        license,
        resource_type,
        metadata: cells.row.metadata.clone(),
    }
}

fn target(text: &str, site: &Confine) -> std::result::Result<Target, String> {
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
    let path = site.site().join("content").join(
        path.components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .collect::<PathBuf>(),
    );
    if let Some(real) = site.outside(&path) {
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
