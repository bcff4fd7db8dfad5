//! A file in `static/` may not take the place of one the site generates
//! (issue 19: `static/index.html`, `static/sitemap.xml`, `static/.htaccess`
//! or a PID's landing page silently replaced pidsite's own). Each clash is
//! an error naming both. The built-in static files are meant to be
//! overridden and are not checked here.

use std::collections::HashMap;

use crate::error::{Error, Location, Result};
use crate::load::registry::{site_file, Registry};
use crate::output::file;

/// What a PID's folder holds besides its sub-PIDs: its page, the files of
/// `render`, and the long-list pages.
const IN_A_PID_FOLDER: [&str; 3] = ["index.html", "images", "members"];

/// Check the site's static files (`statics`, paths relative to `static/`)
/// against the site's own files (`slugs`: the Markdown pages) and every
/// PID's pages.
pub fn check(registry: &Registry, statics: &[String], slugs: &[String]) -> Result<()> {
    if statics.is_empty() {
        return Ok(());
    }
    // Every folder a PID's pages are written in: its landing page's and
    // each version's.
    let mut folders: HashMap<&str, usize> = HashMap::new();
    let versions: Vec<(String, usize)> = registry
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.is_versioned())
        .flat_map(|(i, e)| (0..e.versions.len()).map(move |v| (e.version_path(v), i)))
        .map(|(path, i)| (path.as_str().to_string(), i))
        .collect();
    let landings: Vec<(String, usize)> = registry
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.pid().landing_path().as_str().to_string(), i))
        .collect();
    for (path, i) in landings.iter().chain(&versions) {
        folders.insert(path.as_str(), *i);
    }
    let mut errors = Vec::new();
    for rel in statics {
        let what = site_file(rel, slugs, &[]).or_else(|| {
            // The folder of a PID, above the file: is the rest one of
            // the PID's own files?
            rel.match_indices('/').find_map(|(end, _)| {
                let i = *folders.get(&rel[..=end])?;
                let rest = &rel[end + 1..];
                let first = rest.split('/').next().unwrap_or(rest);
                let own = IN_A_PID_FOLDER.contains(&first) || file::ALL.contains(&rest);
                own.then(|| {
                    let entry = &registry.entries[i];
                    format!(
                        "the page of {} ({}) writes {rel}",
                        entry.pid(),
                        entry.current().at
                    )
                })
            })
        });
        // A file where a PID's folder has to be.
        let what = what.or_else(|| {
            folders.get(format!("{rel}/").as_str()).map(|&i| {
                let entry = &registry.entries[i];
                format!(
                    "the pages of {} ({}) need the folder {rel}/",
                    entry.pid(),
                    entry.current().at
                )
            })
        });
        if let Some(what) = what {
            errors.push(Error::config(
                Location::file(format!("static/{rel}")),
                format!(
                    "would replace a file the site generates: {what}; rename or remove one of them"
                ),
            ));
        }
    }
    match Error::from_list(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
