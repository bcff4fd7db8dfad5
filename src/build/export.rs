//! The bulk export files, streamed into the staging folder one PID's
//! record at a time as the site-wide step reads the PIDs' states (see
//! `render::bulk` for what a record holds): `export/records.csv`,
//! `export/records.jsonl` and, on a site with DOIs, `export/datacite.zip`.
//! The records come from the build state, so a rebuild writes the same
//! files as a full build without reading any unchanged manifest.

use std::io::Write as _;

use crate::error::{Error, Result};
use crate::model::site_path::SitePath;
use crate::output::{export, ExportRecord};
use crate::render::bulk;
use crate::write::{Staging, Streamed};

/// The three files in the making.
pub(super) struct BulkExport<'s> {
    csv: csv::Writer<Streamed<'s>>,
    jsonl: Streamed<'s>,
    /// None on a site without DOIs.
    zip: Option<zip::ZipWriter<Streamed<'s>>>,
}

/// What the files came to: each one's path in the output and size.
pub(super) type Written = Vec<(SitePath, u64)>;

fn path(name: &str) -> SitePath {
    SitePath::folder([export::FOLDER]).file(name)
}

/// An error of the CSV or zip writer, naming the file.
fn error(name: &str, e: impl Into<std::io::Error>) -> Error {
    Error::io(std::path::Path::new(&path(name).file_name()), e.into())
}

impl<'s> BulkExport<'s> {
    /// Start the files; `datacite` when the site has a DOI to zip the
    /// record of.
    pub(super) fn start(staging: &'s Staging, datacite: bool) -> Result<Self> {
        let mut csv = csv::Writer::from_writer(staging.stream(path(export::CSV))?);
        csv.write_record(bulk::COLUMNS)
            .map_err(|e| error(export::CSV, e))?;
        let zip = match datacite {
            true => Some(zip::ZipWriter::new(staging.stream(path(export::DATACITE))?)),
            false => None,
        };
        Ok(BulkExport {
            csv,
            jsonl: staging.stream(path(export::JSONL))?,
            zip,
        })
    }

    /// Add one PID's record.
    pub(super) fn add(&mut self, record: &ExportRecord) -> Result<()> {
        self.csv
            .write_record(&record.row)
            .map_err(|e| error(export::CSV, e))?;
        if let Some(csl) = &record.csl {
            self.jsonl.write(csl.get().as_bytes())?;
            self.jsonl.write(b"\n")?;
        }
        if let (Some(zip), Some((name, xml))) = (self.zip.as_mut(), &record.datacite) {
            // A fixed time, so that the same records make the same bytes
            // (a rebuild leaves the file alone; builds are reproducible).
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .last_modified_time(zip::DateTime::default());
            zip.start_file(name.as_str(), options)
                .map_err(|e| error(export::DATACITE, e))?;
            zip.write_all(xml.as_bytes())
                .map_err(|e| error(export::DATACITE, e))?;
        }
        Ok(())
    }

    /// Finish the files.
    pub(super) fn finish(self) -> Result<Written> {
        let csv = self
            .csv
            .into_inner()
            .map_err(|e| error(export::CSV, e.into_error()))?;
        let mut written = vec![csv.finish()?, self.jsonl.finish()?];
        if let Some(zip) = self.zip {
            let file = zip.finish().map_err(|e| error(export::DATACITE, e))?;
            written.push(file.finish()?);
        }
        Ok(written)
    }
}
