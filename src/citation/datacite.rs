//! A DataCite Metadata Schema 4 record (XML) for a PID that is a DOI: what
//! an institution registers (or updates) with DataCite so that the DOI's
//! metadata matches the landing page. Required properties the registry
//! and manifest cannot give are written as the standard `(:unav)` value.
//! A withdrawn PID's record is the tombstone DataCite expects for a DOI,
//! which cannot be deleted: the mandatory properties, the withdrawal date
//! (`dateType="Withdrawn"`) and its reason, nothing that points at the
//! withdrawn content.

use std::fmt::Write;

use super::Citation;
use crate::escape::escape;
use crate::model::record::{Record, Status};
use crate::model::resource::Resource;

/// What the record needs besides the citation.
pub struct DataCiteExtra<'a> {
    /// The landing page URL (the DOI's registered URL).
    pub landing_url: &'a str,
    /// The IIIF manifest URL, if any.
    pub manifest_url: Option<&'a str>,
    /// Summary text, if any.
    pub description: Option<&'a str>,
    /// Year the digital object was published (DataCite's publicationYear):
    /// the version's date, else the year it was first published.
    pub publication_year: String,
    /// Set when the PID is withdrawn: the record is then the minimal one.
    pub withdrawn: Option<Withdrawal<'a>>,
}

/// When and why a PID was withdrawn, as the registry says.
pub struct Withdrawal<'a> {
    /// `YYYY-MM-DD` (or an RFC 3339 time), if given.
    pub date: Option<&'a str>,
    /// Why, if given.
    pub reason: Option<&'a str>,
}

impl<'a> DataCiteExtra<'a> {
    /// What a record's DataCite record needs: the summary of its resource,
    /// and the year of its version date, else of the date it was first
    /// published (`published`: `pidsite.lock`'s, or this build's for a row
    /// the lock does not have yet).
    pub fn for_record(
        landing_url: &'a str,
        manifest_url: Option<&'a str>,
        resource: Option<&'a Resource>,
        record: &'a Record,
        published: &str,
    ) -> Self {
        let year = record
            .details()
            .version_date
            .as_deref()
            .and_then(|d| d.get(..4))
            .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or_else(|| published.get(..4).unwrap_or(published));
        DataCiteExtra {
            landing_url,
            manifest_url,
            description: resource
                .and_then(|r| r.summary.as_ref())
                .map(|s| s.text.as_str()),
            publication_year: year.to_string(),
            withdrawn: (record.status == Status::Withdrawn).then_some(Withdrawal {
                date: record.details().withdrawn_date.as_deref(),
                reason: record.details().withdrawn_reason.as_deref(),
            }),
        }
    }
}

/// Render the XML record; `None` when the citation has no DOI.
pub fn datacite_xml(c: &Citation, extra: &DataCiteExtra<'_>) -> Option<String> {
    let doi = c.doi.as_ref()?;
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <resource xmlns=\"http://datacite.org/schema/kernel-4\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://datacite.org/schema/kernel-4 https://schema.datacite.org/meta/kernel-4.5/metadata.xsd\">\n",
    );
    let _ = writeln!(
        x,
        "  <identifier identifierType=\"DOI\">{}</identifier>",
        escape(&doi.to_uppercase())
    );
    x.push_str("  <creators>\n");
    if c.creators.is_empty() {
        x.push_str("    <creator><creatorName>(:unav)</creatorName></creator>\n");
    }
    for name in &c.creators {
        // "Family, Given" is a person; anything else an organisation.
        match name.split_once(", ") {
            Some((family, given)) => {
                let _ = writeln!(
                    x,
                    "    <creator><creatorName nameType=\"Personal\">{}</creatorName><givenName>{}</givenName><familyName>{}</familyName></creator>",
                    escape(name),
                    escape(given),
                    escape(family)
                );
            }
            None => {
                let _ = writeln!(
                    x,
                    "    <creator><creatorName nameType=\"Organizational\">{}</creatorName></creator>",
                    escape(name)
                );
            }
        }
    }
    x.push_str("  </creators>\n");
    let _ = writeln!(
        x,
        "  <titles>\n    <title>{}</title>\n  </titles>",
        escape(&c.title)
    );
    let _ = writeln!(
        x,
        "  <publisher>{}</publisher>",
        escape(c.publisher.as_deref().unwrap_or("(:unav)"))
    );
    let _ = writeln!(
        x,
        "  <publicationYear>{}</publicationYear>",
        escape(&extra.publication_year)
    );
    let _ = writeln!(
        x,
        "  <resourceType resourceTypeGeneral=\"{}\">{}</resourceType>",
        c.genre.facts().datacite,
        escape(c.genre.facts().label)
    );
    if let Some(w) = &extra.withdrawn {
        withdrawn_tail(&mut x, w, extra.landing_url);
        return Some(x);
    }
    if let Some(date) = c.date_joined("-") {
        let _ = writeln!(
            x,
            "  <dates>\n    <date dateType=\"Created\">{date}</date>\n  </dates>"
        );
    }
    let _ = writeln!(
        x,
        "  <alternateIdentifiers>\n    <alternateIdentifier alternateIdentifierType=\"URL\">{}</alternateIdentifier>\n  </alternateIdentifiers>",
        escape(extra.landing_url)
    );
    if let Some(m) = extra.manifest_url {
        let _ = writeln!(
            x,
            "  <relatedIdentifiers>\n    <relatedIdentifier relatedIdentifierType=\"URL\" relationType=\"HasMetadata\" relatedMetadataScheme=\"IIIF Presentation API\" schemeURI=\"https://iiif.io/api/presentation/\">{}</relatedIdentifier>\n  </relatedIdentifiers>",
            escape(m)
        );
    }
    if let Some(v) = &c.version {
        let _ = writeln!(x, "  <version>{}</version>", escape(v));
    }
    if let Some(l) = &c.license {
        let _ = writeln!(
            x,
            "  <rightsList>\n    <rights rightsURI=\"{}\"/>\n  </rightsList>",
            escape(l)
        );
    }
    if let Some(d) = extra.description.filter(|d| !d.is_empty()) {
        let _ = writeln!(
            x,
            "  <descriptions>\n    <description descriptionType=\"Abstract\">{}</description>\n  </descriptions>",
            escape(d)
        );
    }
    x.push_str("</resource>\n");
    Some(x)
}

/// The end of a withdrawn DOI's record, after its mandatory properties: the
/// withdrawal date, the tombstone's URL (the DOI's registered URL stays
/// the same address, which now serves the tombstone) and the reason.
fn withdrawn_tail(x: &mut String, w: &Withdrawal<'_>, tombstone_url: &str) {
    // DataCite dates are W3CDTF: the day of an RFC 3339 time.
    if let Some(date) = w.date.map(|d| d.get(..10).unwrap_or(d)) {
        let _ = writeln!(
            x,
            "  <dates>\n    <date dateType=\"Withdrawn\">{}</date>\n  </dates>",
            escape(date)
        );
    }
    let _ = writeln!(
        x,
        "  <alternateIdentifiers>\n    <alternateIdentifier alternateIdentifierType=\"URL\">{}</alternateIdentifier>\n  </alternateIdentifiers>",
        escape(tombstone_url)
    );
    let mut text = String::from("Withdrawn");
    if let Some(date) = w.date {
        let _ = write!(text, " on {}", date.get(..10).unwrap_or(date));
    }
    match w.reason {
        Some(reason) => {
            let _ = write!(text, ": {reason}");
        }
        None => text.push('.'),
    }
    let _ = writeln!(
        x,
        "  <descriptions>\n    <description descriptionType=\"Other\">{}</description>\n  </descriptions>",
        escape(&text)
    );
    x.push_str("</resource>\n");
}
