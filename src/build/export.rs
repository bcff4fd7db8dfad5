//! The bulk export files, streamed into the staging folder one PID's
//! record at a time as the site-wide step reads the PIDs' states (see
//! `render::bulk` for what a record holds): `export/records.csv`,
//! `export/records.jsonl` and, on a site with DOIs, `export/datacite.zip`.
//! The records come from the build state, so a rebuild writes the same
//! files as a full build without reading any unchanged manifest; a record
//! the last build's zip holds as it is now is copied from it compressed,
//! as the rest of the rebuild keeps what has not changed (compressing every
//! record again was most of a no-op rebuild of a site of DOIs).

use std::io::Write as _;
use std::path::Path;

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
    /// The last build's zip, in the live output (a rebuild).
    last: Option<zip::ZipArchive<std::fs::File>>,
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
    /// record of; `live` is the output a rebuild changes (its zip, if it
    /// can be read, lends the unchanged records).
    pub(super) fn start(staging: &'s Staging, datacite: bool, live: Option<&Path>) -> Result<Self> {
        let mut csv = csv::Writer::from_writer(staging.stream(path(export::CSV))?);
        csv.write_record(bulk::COLUMNS)
            .map_err(|e| error(export::CSV, e))?;
        let zip = match datacite {
            true => Some(zip::ZipWriter::new(staging.stream(path(export::DATACITE))?)),
            false => None,
        };
        let last = live
            .filter(|_| datacite)
            .and_then(|out| std::fs::File::open(path(export::DATACITE).to_file_path(out)).ok())
            .and_then(|file| zip::ZipArchive::new(file).ok());
        Ok(BulkExport {
            csv,
            jsonl: staging.stream(path(export::JSONL))?,
            zip,
            last,
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
            let copied = match self.last.as_mut() {
                Some(last) => copy_unchanged(zip, last, name, xml)?,
                None => false,
            };
            if !copied {
                // A fixed time, so that the same records make the same
                // bytes (a rebuild leaves the file alone; builds are
                // reproducible).
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .last_modified_time(zip::DateTime::default());
                zip.start_file(name.as_str(), options)
                    .map_err(|e| error(export::DATACITE, e))?;
                zip.write_all(xml.as_bytes())
                    .map_err(|e| error(export::DATACITE, e))?;
            }
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

/// Copy record `name` from the last build's zip, compressed as it is, when
/// it holds `xml` (the same length and CRC-32, deflated as this build
/// would); whether it did.
fn copy_unchanged(
    zip: &mut zip::ZipWriter<Streamed<'_>>,
    last: &mut zip::ZipArchive<std::fs::File>,
    name: &str,
    xml: &str,
) -> Result<bool> {
    let Some(file) = last
        .index_for_name(name)
        .and_then(|i| last.by_index_raw(i).ok())
    else {
        return Ok(false);
    };
    let same = file.size() == xml.len() as u64
        && file.compression() == zip::CompressionMethod::Deflated
        && file.crc32() == crc32fast::hash(xml.as_bytes());
    if same {
        zip.raw_copy_file(file)
            .map_err(|e| error(export::DATACITE, e))?;
    }
    Ok(same)
}
