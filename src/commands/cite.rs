//! `pidsite cite`: one PID's citation on the command line, made by the same
//! code as the landing page's (the same registry overrides, manifest
//! metadata and CSL processor), in a CSL style or an export format. A PID is
//! found in any form a person may have: the PID, a former identifier or old
//! URL of it (the current PID is cited), a moved PID (the PID it moved to
//! is cited), a version page's address, or its landing page's. This module
//! never prints: what the user should know besides the text (a moved or
//! withdrawn PID, a manifest that could not be read) comes back as notes and
//! warnings.

use std::path::Path;

use crate::citation::bibtex::bibtex;
use crate::citation::datacite::{datacite_xml, DataCiteExtra};
use crate::citation::ris::ris;
use crate::citation::styles::{custom_style_name, Style, Styles};
use crate::citation::Citation;
use crate::clock::BuildTime;
use crate::config::SiteConfig;
use crate::error::{Error, Location, Result};
use crate::load::target::Loaded;
use crate::model::pid::Pid;
use crate::model::record::{version_slug, Entry, Record, Status, Target};
use crate::model::site_path::SitePath;
use crate::remote::RemoteDocs;

/// Formats besides the CSL styles.
pub const FORMATS: &[&str] = &["bibtex", "ris", "csl-json", "datacite"];

/// A citation, and what the user should know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cited {
    /// The citation, ending in a newline.
    pub text: String,
    /// Which PID was cited, when it is not the one asked for (a former
    /// identifier, a moved PID).
    pub notes: Vec<String>,
    /// Why the citation may not be what the user wants: a withdrawn PID, a
    /// target that could not be read.
    pub warnings: Vec<String>,
}

/// The PID (and version) asked for, found in the registry.
struct Found {
    /// Index of the entry.
    entry: usize,
    /// The version asked for, if one was.
    version: Option<usize>,
}

/// The citation of `pid` in `format` (a CSL style name of [`Style::NAMES`]
/// or one of [`FORMATS`], in any case; `None`: the site's default style),
/// of its version `version` (a label such as `2` or `2024-rescan`) when
/// given. `now` dates what the lock does not (DataCite's
/// `publicationYear` of a PID never built), as a build at that time would.
pub fn cite(
    site: &Path,
    pid: &str,
    format: Option<&str>,
    version: Option<&str>,
    now: &BuildTime,
) -> Result<Cited> {
    let config = SiteConfig::load(site)?;
    let registry = crate::load::registry::load(site, &config)?;
    let entries = &registry.entries;
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let found = resolve(entries, &config, pid, version, &mut notes)?;
    let entry = &entries[found.entry];
    let current = entry.current();
    if current.status == Status::Reserved {
        return Err(Error::cite(
            current.at.clone(),
            format!(
                "{} is reserved: it has no page yet, and nothing to cite",
                current.pid
            ),
        ));
    }
    let index = found.version.unwrap_or_else(|| entry.current_index());
    let record = cited_record(entry, index, &mut warnings);
    // A remote target is read as the build reads it (through the cache
    // next to the site's output folder).
    let fetcher = crate::remote::Fetcher::new(
        &config.remote,
        crate::cache::remote::Cache::in_cache_dir(&crate::cache::cache_dir(
            &site.join(&config.output_dir),
        )),
        false,
    );
    let urls = match &record.target {
        Some(Target::Remote(url)) => vec![url.clone()],
        _ => Vec::new(),
    };
    let remote = fetcher.fetch_all(urls, &|| {});
    let (loaded, problems) =
        crate::load::target::load_target(&record, site, &config, &remote, &mut Default::default());
    warnings.extend(problems.iter().map(ToString::to_string));
    // A version is cited by its own page, as that page cites itself.
    let path = match found.version {
        Some(i) => entry.version_path(i),
        None => record.pid.landing_path(),
    };
    let landing_url = config.url(path.as_str());
    let cite_url = match found.version {
        Some(_) => landing_url.clone(),
        None => record
            .pid
            .resolver_url(&config.resolvers)
            .unwrap_or_else(|| landing_url.clone()),
    };
    let resource = loaded.resource.as_ref();
    let defaults = config.citation_defaults();
    let mut citation = Citation::derive(&record, resource, &defaults, cite_url);
    // An unlabelled annotation page is titled by what it annotates, as its
    // page is: the title of the site's PID whose manifest it names, found
    // by reading the registry's targets only for such a page.
    let title_of = |id: &str| {
        entries.iter().find_map(|e| {
            let row = e.current();
            let (other, _) = crate::load::target::load_target(
                row,
                site,
                &config,
                &remote,
                &mut Default::default(),
            );
            let r = other.resource.as_ref()?;
            (r.id.as_deref() == Some(id))
                .then(|| Citation::derive(row, Some(r), &defaults, String::new()).title)
        })
    };
    let (strings, _) = crate::render::i18n::load(site, &config.language)?;
    if let Some(title) =
        crate::render::annotations::citation_title(&record, resource, &strings, title_of)
    {
        citation.title = title;
    }
    // A version page's citation has a key of its own, as on the page.
    let citation = match found.version {
        Some(_) => citation.for_version_page(),
        None => citation,
    };
    let format = format.unwrap_or(&config.default_style);
    let text = match format.to_ascii_lowercase().as_str() {
        "bibtex" => bibtex(&citation),
        "ris" => ris(&citation),
        "csl-json" => {
            // The bytes of the page's cite.json (compact).
            let mut text = serde_json::json!([citation.csl_json()]).to_string();
            text.push('\n');
            text
        }
        "datacite" => {
            let page = (path.clone(), landing_url.clone());
            let inputs = (&config, site, now, &remote);
            datacite(&citation, &record, &loaded, (entry, index), page, inputs)?
        }
        _ => csl_style(&citation, &record, &config, site, format)?,
    };
    Ok(Cited {
        text,
        notes,
        warnings,
    })
}

/// The registry entry that `input` names: a page of the site by its URL
/// or path (a landing page, a version page, an old URL), a PID, a former
/// identifier of one (noted), or a version page's id (the PID and `/v2`).
fn find(
    entries: &[Entry],
    config: &SiteConfig,
    input: &str,
    notes: &mut Vec<String>,
) -> Result<Found> {
    let input = input.trim();
    let not_found = |what: String| Error::cite(Location::file("content/registry.csv"), what);
    // A page's address on the site.
    let base = config.url("");
    let rel = input
        .strip_prefix(base.as_str())
        .or_else(|| input.strip_prefix(base.trim_end_matches('/')))
        .or_else(|| {
            input
                .strip_prefix(&config.path(""))
                .filter(|_| input.starts_with('/'))
        });
    if let Some(rel) = rel {
        let rel = rel
            .trim_start_matches('/')
            .split(['?', '#'])
            .next()
            .unwrap_or("");
        let rel = match rel {
            "" => String::new(),
            r if r.ends_with('/') => r.to_string(),
            r => format!("{r}/"),
        };
        return page_at(entries, &rel, notes)
            .ok_or_else(|| not_found(format!("no PID has a page at {input}")));
    }
    let parsed = Pid::parse(input);
    if let Ok(wanted) = &parsed {
        if let Some(i) = entries.iter().position(|e| e.pid().key() == wanted.key()) {
            return Ok(Found {
                entry: i,
                version: None,
            });
        }
        // A former identifier listed in `aliases`.
        for (i, entry) in entries.iter().enumerate() {
            let former = entry.aliases().into_iter().any(|a| {
                a.request.is_none() && Pid::parse(&a.written).is_ok_and(|p| p.key() == wanted.key())
            });
            if former {
                notes.push(format!(
                    "{wanted} is a former identifier of {}: citing {}",
                    entry.pid(),
                    entry.pid()
                ));
                return Ok(Found {
                    entry: i,
                    version: None,
                });
            }
        }
    }
    // A version page's id: the PID, then the version's folder.
    if let Some((pid, folder)) = input.trim_end_matches('/').rsplit_once('/') {
        if let Ok(pid) = Pid::parse(pid) {
            if let Some(i) = entries.iter().position(|e| e.pid().key() == pid.key()) {
                let version = (0..entries[i].versions.len())
                    .filter(|_| entries[i].is_versioned())
                    .find(|&v| {
                        entries[i]
                            .version_path(v)
                            .as_str()
                            .trim_end_matches('/')
                            .rsplit('/')
                            .next()
                            .is_some_and(|f| f.eq_ignore_ascii_case(folder))
                    });
                if let Some(v) = version {
                    return Ok(Found {
                        entry: i,
                        version: Some(v),
                    });
                }
            }
        }
    }
    match parsed {
        Ok(wanted) => Err(not_found(format!("no PID {wanted} in the registry"))),
        Err(m) => Err(Error::argument(Location::file("<command line>"), m)),
    }
}

/// The entry (and version) whose page, version page or old URL is at the
/// site path `rel` (ending in `/`).
fn page_at(entries: &[Entry], rel: &str, notes: &mut Vec<String>) -> Option<Found> {
    let same = |path: &str| path.eq_ignore_ascii_case(rel);
    for (i, entry) in entries.iter().enumerate() {
        if same(entry.pid().landing_path().as_str()) {
            return Some(Found {
                entry: i,
                version: None,
            });
        }
        if entry.is_versioned() {
            if let Some(v) =
                (0..entry.versions.len()).find(|&v| same(entry.version_path(v).as_str()))
            {
                return Some(Found {
                    entry: i,
                    version: Some(v),
                });
            }
        }
        if let Some(alias) = entry.aliases().into_iter().find(|a| same(a.path.as_str())) {
            notes.push(format!(
                "{} is an old address of {}: citing {}",
                alias.written,
                entry.pid(),
                entry.pid()
            ));
            return Some(Found {
                entry: i,
                version: None,
            });
        }
    }
    None
}

/// The index of the version `label` of a PID: its label (`2`, `2024
/// rescan`) or its folder (`v2`, `v2024-rescan`), in any case.
fn version_index(entry: &Entry, label: &str) -> Result<usize> {
    let pid = entry.pid();
    let at = || Location::file("<command line>");
    if !entry.is_versioned() {
        return Err(Error::argument(
            at(),
            format!("{pid} has one version only: cite it without --version"),
        ));
    }
    let wanted = version_slug(label).map(|s| s.to_ascii_lowercase());
    entry
        .versions
        .iter()
        .position(|r| {
            let own = r.details().version.as_deref().unwrap_or("");
            own.eq_ignore_ascii_case(label.trim())
                || wanted.is_some() && version_slug(own).map(|s| s.to_ascii_lowercase()) == wanted
        })
        .ok_or_else(|| {
            let labels: Vec<&str> = entry
                .versions
                .iter()
                .filter_map(|r| r.details().version.as_deref())
                .collect();
            Error::argument(
                at(),
                format!(
                    "{pid} has no version {label:?}; expected one of {}",
                    labels.join(", ")
                ),
            )
        })
}

/// The PID asked for, or its replacement when it has moved (the end of a
/// chain of moves), with the version asked for.
fn resolve(
    entries: &[Entry],
    config: &SiteConfig,
    pid: &str,
    version: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<Found> {
    let mut found = find(entries, config, pid, notes)?;
    // A moved PID: its replacement (the end of a chain of moves).
    if entries[found.entry].current().status == Status::Moved {
        let from = entries[found.entry].pid().clone();
        let to = entries[found.entry]
            .current()
            .replaced_by
            .clone()
            .expect("the registry checks that a moved PID has replaced_by");
        let Some(i) = entries.iter().position(|e| e.pid().key() == to.key()) else {
            return Err(Error::registry(
                entries[found.entry].current().at.clone(),
                format!("{from} has moved to {to}, which is not in the registry"),
            ));
        };
        notes.push(format!("{from} has moved to {to}: citing {to}"));
        found = Found {
            entry: i,
            version: None,
        };
    }
    let entry = &entries[found.entry];
    if let Some(label) = version {
        found.version = Some(version_index(entry, label)?);
    }
    Ok(found)
}

/// The DataCite record of the version `index` of `entry`: published when
/// the lock says, as on the site's datacite.xml; `path` and `landing_url`
/// are the cited page's.
fn datacite(
    citation: &Citation,
    record: &Record,
    loaded: &Loaded,
    (entry, index): (&Entry, usize),
    (path, landing_url): (SitePath, String),
    (config, site, now, remote): (&SiteConfig, &Path, &BuildTime, &RemoteDocs),
) -> Result<String> {
    let resource = loaded.resource.as_ref();
    // Published when the lock says, as on the site's datacite.xml.
    let lock = crate::lock::Lock::load(site).ok().flatten();
    let read = |p: &Path| {
        std::fs::read(p)
            .ok()
            .map(|b| crate::cache::remote::sha256_hex(&b))
    };
    let dates = crate::lock::LockDates::new(lock.as_ref(), now.second).entry(entry, read, remote);
    // The version cited (the current one unless one was asked for).
    let published = match dates.get(index).copied().flatten() {
        Some(d) => BuildTime::at_second(d.published).date,
        None => now.date.clone(),
    };
    let manifest = match &loaded.document {
        Some(_) => Some(config.url(path.file(crate::output::file::MANIFEST).as_str())),
        None => loaded.linked.clone(),
    };
    let xml = datacite_xml(
        citation,
        &DataCiteExtra::for_record(
            &landing_url,
            manifest.as_deref(),
            resource,
            record,
            &published,
        ),
    )
    .ok_or_else(|| {
        Error::cite(
            record.at.clone(),
            format!("{} is not a DOI: DataCite records are for DOIs", record.pid),
        )
    })?;
    Ok(xml)
}

/// The row cited: the version's, withdrawn with the PID when the PID is
/// (a withdrawn PID withdraws every version of it), with a warning then.
fn cited_record(entry: &Entry, index: usize, warnings: &mut Vec<String>) -> Record {
    let current = entry.current();
    let record = match &entry.versions[index] {
        row if current.status == Status::Withdrawn => {
            let mut record = Record {
                status: Status::Withdrawn,
                ..row.clone()
            };
            let details = record.details_mut();
            details.withdrawn_date = current.details().withdrawn_date.clone();
            details.withdrawn_reason = current.details().withdrawn_reason.clone();
            record
        }
        row => row.clone(),
    };
    if record.status == Status::Withdrawn {
        let mut why = String::new();
        if let Some(date) = &record.details().withdrawn_date {
            why.push_str(&format!(" on {date}"));
        }
        if let Some(reason) = &record.details().withdrawn_reason {
            why.push_str(&format!(" ({reason})"));
        }
        warnings.push(format!(
            "{} was withdrawn{why}: its address answers with a tombstone page; this is its citation as it stood",
            record.pid
        ));
    }
    record
}

/// The citation formatted in a CSL style: the site's own styles by name,
/// then any built-in style; a name is matched whatever its case (APA, Apa,
/// apa).
fn csl_style(
    citation: &Citation,
    record: &Record,
    config: &SiteConfig,
    site: &Path,
    format: &str,
) -> Result<String> {
    let entry = config
        .citation_styles
        .iter()
        .find(|e| custom_style_name(e).is_some_and(|n| n.eq_ignore_ascii_case(format)))
        .cloned()
        .or_else(|| Style::by_name(&format.to_ascii_lowercase()).map(|s| s.name.to_string()));
    let Some(entry) = entry else {
        return Err(Error::argument(
            Location::file("<command line>"),
            format!(
                "unknown style {format:?}; expected one of {}, {}",
                Style::NAMES.join(", "),
                FORMATS.join(", ")
            ),
        ));
    };
    let name = custom_style_name(&entry).unwrap_or(&entry).to_string();
    let styles = Styles::load(&[entry], site, config.citation_locale.as_deref());
    let formatted = styles
        .format_one(&citation.csl_json(), &name)
        .ok_or_else(|| {
            Error::cite(
                record.at.clone(),
                format!(
                    "the CSL processor could not format {} in {name}",
                    record.pid
                ),
            )
        })?;
    Ok(format!("{}\n", formatted.text))
}
