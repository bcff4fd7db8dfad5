//! `pidsite enrich`: each active PID's local manifest or collection with
//! its PID written in (see [`crate::enrich`]), for the institution to
//! publish where the original is hosted.

use std::path::PathBuf;

use crate::config::SiteConfig;
use crate::enrich;
use crate::error::{Error, Location, Result, Warning, WarningKind};
use crate::load;
use crate::model::record::{Status, Target};

/// What `pidsite enrich` was asked to do.
#[derive(Debug, Clone)]
pub struct EnrichOptions {
    /// The site folder (holding site.toml).
    pub site_dir: PathBuf,
    /// Where the enriched copies go, under the target's path in content/.
    pub out_dir: PathBuf,
}

/// What `pidsite enrich` did.
#[derive(Debug, Clone, Default)]
pub struct EnrichReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Targets skipped, and why.
    pub warnings: Vec<Warning>,
}

/// Write each active PID's manifest or collection with its PID written in
/// (see [`enrich`]) to `out_dir`, at the path the target has under content/,
/// so the institution can publish it where the original is hosted.
pub fn enrich_registry(options: &EnrichOptions) -> Result<EnrichReport> {
    let site = &options.site_dir;
    let config = SiteConfig::load(site)?;
    let registry = load::registry::load(site, &config)?;
    let mut report = EnrichReport::default();
    for entry in &registry.entries {
        let record = entry.current();
        if record.status != Status::Active || record.details().canvas.is_some() {
            continue;
        }
        let Some(target) = &record.target else {
            continue;
        };
        let (written, path) = match target {
            Target::Local { written, path } => (written, path),
            Target::Remote(url) => {
                report.warnings.push(Warning::new(
                    WarningKind::EnrichSkipped,
                    record.at.clone(),
                    format!("{url} is remote: enrich only writes copies of local targets"),
                ));
                continue;
            }
        };
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let landing_url = config.url(record.pid.landing_path().as_str());
        let stamp = enrich::PidStamp {
            pid: record.pid.label(),
            cite_url: record
                .pid
                .resolver_url(&config.resolvers)
                .unwrap_or_else(|| landing_url.clone()),
            landing_url,
            language: config.language.clone(),
        };
        match enrich::enrich(&bytes, &stamp) {
            Ok(Some(enriched)) => {
                // `written` is validated by the registry: relative, no `..`.
                let rel = written.strip_prefix("content/").unwrap_or(written);
                let dest = options.out_dir.join(rel);
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                std::fs::write(&dest, enriched).map_err(|e| Error::io(&dest, e))?;
                report.written.push(dest);
            }
            Ok(None) => {}
            Err(reason) => report.warnings.push(Warning::new(
                WarningKind::EnrichSkipped,
                Location::file(path),
                reason,
            )),
        }
    }
    Ok(report)
}
