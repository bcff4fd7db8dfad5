//! `pidsite cite`: one PID's citation on the command line, made by the same
//! code as the landing page's (the same registry overrides, manifest
//! metadata and CSL processor), in a CSL style or an export format.

use std::path::Path;

use crate::citation::bibtex::bibtex;
use crate::citation::datacite::{datacite_xml, DataCiteExtra};
use crate::citation::ris::ris;
use crate::citation::styles::{custom_style_name, Style, Styles};
use crate::citation::Citation;
use crate::config::SiteConfig;
use crate::error::{Error, Location, Result};
use crate::model::pid::Pid;
use crate::model::record::Status;

/// Formats besides the CSL styles.
pub const FORMATS: &[&str] = &["bibtex", "ris", "csl-json", "datacite"];

/// The citation of `pid` in `format` (a CSL style name of [`Style::NAMES`]
/// or one of [`FORMATS`]; `None`: the site's default style), as text.
pub fn cite(site: &Path, pid: &str, format: Option<&str>) -> Result<String> {
    let config = SiteConfig::load(site)?;
    let registry = crate::load::registry::load(site, &config)?;
    let wanted = Pid::parse(pid).map_err(|m| Error::input(Location::file("<command line>"), m))?;
    let entry = registry
        .entries
        .iter()
        .find(|e| e.pid().key() == wanted.key())
        .ok_or_else(|| {
            Error::input(
                Location::file("content/registry.csv"),
                format!("no PID {wanted} in the registry"),
            )
        })?;
    let record = entry.current();
    if record.status == Status::Moved {
        let to = record.replaced_by.as_ref().map(ToString::to_string);
        return Err(Error::input(
            record.at.clone(),
            format!(
                "{wanted} has moved to {}; cite that PID",
                to.unwrap_or_default()
            ),
        ));
    }
    // A remote target is read as the build reads it (through the cache
    // next to the site's output folder).
    let fetcher = crate::remote::Fetcher::new(
        &config.remote,
        crate::remote::Cache::for_output(&site.join(&config.output_dir)),
        false,
    );
    let urls = match &record.target {
        Some(crate::model::record::Target::Remote(url)) => vec![url.clone()],
        _ => Vec::new(),
    };
    let remote = fetcher.fetch_all(urls, &|| {});
    let (loaded, _) = crate::load_target(record, site, &config, &remote, &mut Default::default());
    let landing_url = config.url(record.pid.landing_path().as_str());
    let cite_url = record
        .pid
        .resolver_url(&config.resolvers)
        .unwrap_or_else(|| landing_url.clone());
    let resource = loaded.resource.as_ref();
    let citation = Citation::derive(record, resource, &config, cite_url);
    let format = format.unwrap_or(&config.default_style);
    Ok(match format {
        "bibtex" => bibtex(&citation),
        "ris" => ris(&citation),
        "csl-json" => {
            let mut text = serde_json::to_string_pretty(&serde_json::json!([citation.csl_json()]))
                .expect("a serde_json::Value always serialises");
            text.push('\n');
            text
        }
        "datacite" => {
            // Published when the lock says, as on the site's datacite.xml.
            let now = crate::clock::BuildTime::now();
            let lock = crate::lock::Lock::load(site).ok().flatten();
            let read = |p: &Path| std::fs::read(p).ok().map(|b| crate::remote::sha256_hex(&b));
            let dates =
                crate::lock::LockDates::new(lock.as_ref(), now.second).entry(entry, read, &remote);
            let published = match dates.last().copied().flatten() {
                Some(d) => crate::clock::BuildTime::at_second(d.published).date,
                None => now.date,
            };
            let manifest = loaded
                .document
                .as_ref()
                .map(|_| config.url(record.pid.landing_path().file("manifest.json").as_str()));
            datacite_xml(
                &citation,
                &DataCiteExtra::for_record(
                    &landing_url,
                    manifest.as_deref(),
                    resource,
                    record,
                    &published,
                ),
            )
            .ok_or_else(|| {
                Error::input(
                    record.at.clone(),
                    format!("{wanted} is not a DOI: DataCite records are for DOIs"),
                )
            })?
        }
        style => {
            // The site's own styles by name, then any built-in style.
            let entry = config
                .citation_styles
                .iter()
                .find(|e| custom_style_name(e) == Some(style))
                .cloned()
                .or_else(|| Style::by_name(style).map(|s| s.name.to_string()));
            let Some(entry) = entry else {
                return Err(Error::input(
                    Location::file("<command line>"),
                    format!(
                        "unknown style {style:?}; expected one of {}, {}",
                        Style::NAMES.join(", "),
                        FORMATS.join(", ")
                    ),
                ));
            };
            let styles = Styles::load(&[entry], site);
            let formatted = styles
                .format_one(&citation.csl_json(), style)
                .ok_or_else(|| {
                    Error::input(
                        record.at.clone(),
                        format!("the CSL processor could not format {wanted} in {style}"),
                    )
                })?;
            format!("{}\n", formatted.text)
        }
    })
}
