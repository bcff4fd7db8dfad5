//! `pidsite check`: every warning and error a build would give about the
//! site's inputs, found without building: site.toml, the registry (syntax,
//! duplicates, loops, versions out of date order), Markdown pages, notes and
//! templates (they are parsed), the output folder a build would refuse, each
//! PID's targets (missing, not fetched, not IIIF, of another `type`, without
//! the row's canvas), and the lock. It reads them through the build's own
//! code (`build::inputs`, `load::target`), so that its words are the
//! build's. Besides, targets whose content changed since the last build
//! (`pidsite.lock`) and broken internal links in the last build's output.
//! Each problem names its file and row or line; the command exits non-zero
//! when there is any. It fetches remote targets through the build's cache (or
//! reads the cache alone, offline) but never writes the lock: only a build
//! does.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::cache::remote::{sha256_hex, Cache};
use crate::config::SiteConfig;
use crate::error::{Error, Location, Warning};
use crate::remote::Fetcher;

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What kind: `error` (what stops a build), a warning's kind (see
    /// [`crate::WarningKind::name`]: `target`, `type`, `canvas`, `stale`,
    /// `note`, `template`, `version-order`, `lock`), `changed` or `link`.
    pub kind: &'static str,
    /// The file, relative to the site where possible.
    pub file: PathBuf,
    /// The row's or line's number, when there is one.
    pub line: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.file.as_os_str().is_empty() {
            return write!(f, "{}", self.message);
        }
        let at = Location {
            path: self.file.clone(),
            line: self.line,
        };
        write!(f, "{at}: {}", self.message)
    }
}

impl From<Warning> for Problem {
    fn from(w: Warning) -> Self {
        Problem {
            kind: w.kind.name(),
            file: w.at.path,
            line: w.at.line,
            message: w.message,
        }
    }
}

/// The problems of an error that stops a build, one per input error.
fn problems_of(error: Error, out: &mut Vec<Problem>) {
    if let Error::Many(errors) = error {
        for e in errors {
            problems_of(e, out);
        }
        return;
    }
    let (file, line, message) = match error.located() {
        Ok((at, message)) => (at.path, at.line, message),
        Err(other) => (PathBuf::new(), None, other.to_string()),
    };
    out.push(Problem {
        kind: "error",
        file,
        line,
        message,
    });
}

/// Check the site in `site` and, when it exists, its output folder `out`
/// (default: site.toml's `output_dir`). Remote targets are fetched through
/// the cache beside `out`; `offline` reads that cache alone. `now` dates
/// what the lock does not (as a build at that time would).
pub fn check(
    site: &Path,
    out: Option<&Path>,
    offline: bool,
    now: &crate::clock::BuildTime,
) -> Result<Vec<Problem>, Error> {
    let config = SiteConfig::load(site)?;
    let out = out.map_or_else(|| site.join(&config.output_dir), Path::to_path_buf);
    let mut problems = Vec::new();
    if let Err(e) = crate::write::check_out_dir(site, &out) {
        problems_of(e, &mut problems);
    }
    match crate::build::inputs::load(site, &config) {
        Ok(inputs) => {
            problems.extend(inputs.warnings.into_iter().map(Problem::from));
            // A build parses the templates as it renders its first page.
            if let Err(e) = inputs.templates.parsed() {
                problems_of(e, &mut problems);
            }
            let registry = inputs.registry;
            let fetcher = Fetcher::new(
                &config.remote,
                Cache::in_cache_dir(&crate::cache::cache_dir(&out)),
                offline,
            );
            let remote =
                fetcher.fetch_all(crate::build::inputs::remote_urls(&registry.entries), &|| {});
            let found: Vec<Vec<Warning>> = registry
                .entries
                .par_iter()
                .map(|entry| {
                    let read = &mut Default::default();
                    crate::load::target::load_entry(entry, site, &config, &remote, read).1
                })
                .collect();
            problems.extend(found.into_iter().flatten().map(Problem::from));
            let (previous, unreadable) = crate::build::inputs::previous_lock(site);
            problems.extend(unreadable.map(Problem::from));
            if let Some(previous) = previous {
                let read = |path: &Path| std::fs::read(path).ok().map(|b| sha256_hex(&b));
                let dates = crate::lock::LockDates::new(Some(&previous), now.second);
                let among = |wanted: &[(u64, u64)]| previous.among(wanted);
                let (_, changed) =
                    crate::lock::compare(&registry.entries, read, &remote, among, &dates, &[]);
                problems.extend(changed.into_iter().map(|c| Problem {
                    kind: "changed",
                    file: c.at.path,
                    line: c.at.line,
                    message: format!(
                        "{}: {} changed since the last build (sha256 {} in {}, {} now)",
                        c.pid,
                        c.target,
                        short(&c.was),
                        crate::lock::LOCK_FILE,
                        short(&c.now)
                    ),
                }));
            }
        }
        Err(e) => problems_of(e, &mut problems),
    }
    if out.is_dir() {
        problems.extend(broken_links(&out, &config));
    }
    Ok(problems)
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Links in the output's HTML pages to pages or files of the site that are
/// not there. Only links under the site's base path are followed; links to
/// other sites are not fetched.
fn broken_links(out: &Path, config: &SiteConfig) -> Vec<Problem> {
    let base = config.path("");
    let pages: Vec<PathBuf> = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect();
    let mut problems: Vec<Problem> = pages
        .par_iter()
        .flat_map_iter(|page| {
            let html = std::fs::read_to_string(page).unwrap_or_default();
            let rel_page = page.strip_prefix(out).unwrap_or(page).to_path_buf();
            let mut seen = HashSet::new();
            let mut found = Vec::new();
            for (line, link) in links(&html) {
                if !seen.insert(link.clone()) {
                    continue;
                }
                let Some(target) = resolve(&link, &base, out) else {
                    continue;
                };
                if !target.exists() {
                    found.push(Problem {
                        kind: "link",
                        file: out
                            .file_name()
                            .map_or_else(PathBuf::new, PathBuf::from)
                            .join(&rel_page),
                        line: Some(line),
                        message: format!("link to {link}: nothing is there"),
                    });
                }
            }
            found
        })
        .collect();
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    problems
}

/// The `href` and `src` values of a page, with their line numbers. Reads
/// quoted and unquoted values (the minifier drops quotes where it may).
fn links(html: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in html.lines().enumerate() {
        for attr in [" href=", " src="] {
            let mut rest = line;
            while let Some(i) = rest.find(attr) {
                rest = &rest[i + attr.len()..];
                let value = match rest.chars().next() {
                    Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                    _ => rest.split([' ', '>', '\t']).next().unwrap_or(""),
                };
                out.push((n + 1, decode_entities(value)));
            }
        }
    }
    out
}

fn decode_entities(value: &str) -> String {
    value
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
}

/// The file a root-relative link under the base path points at; `None` for
/// links elsewhere (other sites, mailto:, fragments, data:).
fn resolve(link: &str, base: &str, out: &Path) -> Option<PathBuf> {
    let path = link.split(['?', '#']).next()?;
    let rel = path.strip_prefix(base)?;
    if !path.starts_with('/') {
        return None;
    }
    let rel = percent_encoding::percent_decode_str(rel)
        .decode_utf8()
        .ok()?;
    let mut file = out.to_path_buf();
    for segment in rel.split('/').filter(|s| !s.is_empty()) {
        if segment == ".." {
            return Some(out.join("..")); // never inside the site: broken
        }
        file.push(segment);
    }
    if rel.is_empty() || rel.ends_with('/') {
        file.push("index.html");
    }
    Some(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_read_quoted_and_unquoted() {
        let html =
            "<a href=\"/r/a/\">x</a>\n<img src=/r/b.png alt=''><a href='/r/c/?q=1&amp;x=2#f'>";
        let mut found: Vec<(usize, String)> = links(html);
        found.sort();
        let expected = [(1, "/r/a/"), (2, "/r/b.png"), (2, "/r/c/?q=1&x=2#f")];
        assert_eq!(found, expected.map(|(n, l)| (n, l.to_string())));
    }

    #[test]
    fn only_links_under_the_base_path_resolve() {
        let out = Path::new("/o");
        assert_eq!(
            resolve("/r/a/", "/r/", out),
            Some(PathBuf::from("/o/a/index.html"))
        );
        assert_eq!(
            resolve("/r/a.css?v=1", "/r/", out),
            Some(PathBuf::from("/o/a.css"))
        );
        assert_eq!(resolve("https://x.org/r/a", "/r/", out), None);
        assert_eq!(resolve("/other/a", "/r/", out), None);
        assert_eq!(resolve("#top", "/r/", out), None);
    }
}
