//! What a build reads before any PID is rendered: the registry, Markdown
//! pages, templates, notes and the last lock, with the errors and warnings
//! found on the way. `build` and `check` read the site through here (and
//! each PID's targets through `load::target`), so that `check` reports every
//! warning and error of the site's inputs that a build gives, in the same
//! words. Reads only; renders and writes nothing.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::config::SiteConfig;
use crate::error::{Error, Location, Result, Warning, WarningKind};
use crate::load::pages::{Note, Page};
use crate::load::registry::Registry;
use crate::lock::{Lock, LockDates, LOCK_FILE};
use crate::model::record::{Entry, Status, Target};
use crate::model::rule::Rule;
use crate::render::templates::Templates;

/// The site's inputs, read and checked.
pub(crate) struct Inputs {
    /// The registry.
    pub registry: Registry,
    /// The Markdown pages.
    pub pages: Vec<Page>,
    /// The templates, read (parsed when first used).
    pub templates: Templates,
    /// The notes, by PID key.
    pub notes: HashMap<String, Note>,
    /// The site's redirect rules besides its PIDs, none shadowing a PID.
    pub rules: Vec<Rule>,
    /// Warnings about the registry, templates and notes.
    pub warnings: Vec<Warning>,
}

/// Read the site's registry, pages, templates and notes. An error is what
/// stops a build; the warnings are what it reports.
pub(crate) fn load(site: &Path, config: &SiteConfig) -> Result<Inputs> {
    let mut registry = crate::load::registry::load(site, config)?;
    let (pages, mut page_warnings) = crate::load::pages::load_pages(site, config.raw_html)?;
    let statics = crate::static_files::site_static(&site.join("static"), &config.static_include)?;
    crate::load::registry::check_site_paths(&registry, &statics.files, &pages)?;
    let mut templates = crate::render::templates::load(site, config.minify, &config.language)?;
    let mut warnings = std::mem::take(&mut templates.warnings);
    warnings.extend(statics.hidden.iter().map(|rel| {
        Warning::new(
            WarningKind::HiddenStatic,
            Location::file(format!("static/{rel}")),
            "not published: hidden files stay out of the site (secrets, version control); \
             list it under `[static] include` in site.toml to publish it",
        )
    }));
    warnings.append(&mut registry.warnings);
    let (rules, mut left_out) =
        crate::load::rules::load(site, &config.rules, &config.base_path, &registry)?;
    warnings.append(&mut left_out);
    // The footer is Markdown too; rendered with every page, reported once.
    let footer = crate::load::markdown::render(&config.footer, config.raw_html);
    warnings.extend(
        footer
            .warnings(&Location::file(crate::config::CONFIG_FILE), config.raw_html)
            .into_iter()
            .map(|w| Warning {
                message: format!("key `footer`: {}", w.message),
                ..w
            }),
    );
    warnings.append(&mut page_warnings);
    let (found, note_warnings) = crate::load::pages::load_notes(site, config.raw_html)?;
    warnings.extend(note_warnings);
    let mut notes: HashMap<String, Note> = HashMap::new();
    for note in found {
        let known = registry
            .entries
            .iter()
            .any(|e| e.pid().key() == note.pid.key());
        if !known {
            warnings.push(Warning::new(
                WarningKind::NoteWithoutPid,
                Location::file(&note.path),
                format!("note for {} which is not in the registry", note.pid),
            ));
        }
        notes.insert(note.pid.key().to_string(), note);
    }
    Ok(Inputs {
        registry,
        pages,
        templates,
        notes,
        rules,
        warnings,
    })
}

/// The last build's lock. One that cannot be read (a merge conflict) does
/// not stop a build: it is a warning, and the build writes a new lock.
pub(crate) fn previous_lock(site: &Path) -> (Option<Lock>, Option<Warning>) {
    match Lock::load(site) {
        Ok(lock) => (lock, None),
        Err(e) => (None, Some(unreadable_lock(e))),
    }
}

/// The dates of the last build's lock, for a build at `now` (see
/// [`LockDates::load`]); one that cannot be read is a warning, as in
/// [`previous_lock`].
pub(crate) fn previous_dates(site: &Path, now: i64) -> (LockDates, Option<Warning>) {
    match LockDates::load(site, now) {
        Ok(dates) => (dates, None),
        Err(e) => (LockDates::new(None, now), Some(unreadable_lock(e))),
    }
}

fn unreadable_lock(e: Error) -> Warning {
    let (at, message) = e
        .located()
        .unwrap_or_else(|other| (Location::file(LOCK_FILE), other.to_string()));
    Warning::new(
        WarningKind::UnreadableLock,
        at,
        format!("{message}; this build reports no changed manifests and writes a new lock"),
    )
}

/// The URLs of every remote target a build reads (each once, in registry
/// order).
pub(crate) fn remote_urls(entries: &[Entry]) -> Vec<String> {
    let mut seen = HashSet::new();
    entries
        .iter()
        .flat_map(|e| &e.versions)
        .filter(|r| !matches!(r.status, Status::Moved | Status::Reserved))
        .filter_map(|r| match &r.target {
            Some(Target::Remote(url)) if seen.insert(url.as_str()) => Some(url.clone()),
            _ => None,
        })
        .collect()
}
