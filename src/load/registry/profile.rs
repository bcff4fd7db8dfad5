//! Built-in mappings for the services that hold PIDs today (`[registry]
//! profile`): EZID's CSV batch download, DataCite's REST API JSON (`/dois`)
//! and Fabrica's "Export DOI Metadata" CSV. A profile computes pidsite's
//! columns from a row of the service's own (status, withdrawal reason,
//! citation fields, the IIIF manifest); the site's `[registry.columns]` still
//! win. tests/fixtures/registries/FORMATS.md cites where each rule comes from.

use serde_json::{Map, Value};

use super::map::ITEM_SEPARATOR;
use crate::model::genre::Genre;

/// A service whose export pidsite reads as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Profile {
    /// EZID's CSV batch download (API or "Download All").
    Ezid,
    /// DataCite's REST API `/dois` JSON, or Fabrica's CSV export.
    DataCite,
}

/// The profiles, as site.toml names them.
pub(super) const NAMES: &str = "\"ezid\", \"datacite\"";

/// EZID's default target: the identifier's own EZID page, stored when none
/// was given. It is no target.
const EZID_DEFAULT_TARGET: &str = "https://ezid.cdlib.org/id/";

impl Profile {
    /// The profile site.toml names.
    pub(super) fn named(name: &str) -> Option<Profile> {
        match name.trim().to_ascii_lowercase().as_str() {
            "ezid" => Some(Profile::Ezid),
            "datacite" => Some(Profile::DataCite),
            _ => None,
        }
    }

    /// The pidsite columns the profile computes for a CSV file with these
    /// headers (those the file does not have already).
    pub(super) fn csv_columns(self, headers: &[String]) -> Vec<&'static str> {
        let all: &[&str] = match self {
            Profile::Ezid => &[
                "pid",
                "target",
                "status",
                "withdrawn_reason",
                "title",
                "creator",
                "date",
                "publisher",
                "resource_type",
            ],
            Profile::DataCite => &["pid", "status", "creator", "date", "resource_type"],
        };
        all.iter()
            .copied()
            .filter(|c| !headers.iter().any(|h| h.trim().eq_ignore_ascii_case(c)))
            .collect()
    }

    /// The computed columns of one CSV row, `get` giving the row's value
    /// under a header ("" when there is none): (column, value) pairs, or
    /// what is wrong with the row.
    pub(super) fn csv_row(
        self,
        get: &dyn Fn(&str) -> String,
    ) -> Result<Vec<(&'static str, String)>, String> {
        match self {
            Profile::Ezid => ezid_row(get),
            Profile::DataCite => {
                let status = datacite_status(&get("state"), None)
                    .map_err(|m| format!("column \"state\": {m}"))?;
                let creator = without_code(&get("author")).unwrap_or_default();
                let date = get("publicationYear");
                let kind = resource_type(&get("resourceTypeGeneral"), &get("resourceType"));
                Ok(vec![
                    ("pid", get("doi")),
                    ("status", status.to_string()),
                    ("creator", creator),
                    ("date", date),
                    ("resource_type", kind.unwrap_or_default()),
                ])
            }
        }
    }
}

/// An EZID row: `_status` `public`/`reserved`/`unavailable | reason`, the
/// `_mapped*` citation columns first, then the preferred profile's.
fn ezid_row(get: &dyn Fn(&str) -> String) -> Result<Vec<(&'static str, String)>, String> {
    let written = get("_status");
    let (status, reason) = match written.split_once('|') {
        Some((s, reason)) => (s.trim().to_string(), reason.trim().to_string()),
        None => (written.trim().to_string(), String::new()),
    };
    let status = match status.as_str() {
        "" | "public" => "active",
        "reserved" => "reserved",
        "unavailable" => "withdrawn",
        _ => {
            return Err(format!(
                "column \"_status\": expected EZID's public, reserved or unavailable (with \" | reason\"), found {written:?}"
            ))
        }
    };
    let target = get("_target");
    let target = if target.starts_with(EZID_DEFAULT_TARGET) {
        String::new()
    } else {
        target
    };
    let first = |columns: &[&str]| {
        columns
            .iter()
            .find_map(|c| without_code(&get(c)))
            .unwrap_or_default()
    };
    let creator = [
        "_mappedCreator",
        "erc.who",
        "datacite.creator",
        "dc.creator",
    ]
    .iter()
    .map(|c| get(c))
    .find(|v| without_code(v).is_some())
    .map(|v| {
        v.split(';')
            .filter_map(without_code)
            .map(|n| n.trim_end_matches(',').to_string())
            .collect::<Vec<_>>()
            .join(ITEM_SEPARATOR)
    })
    .unwrap_or_default();
    let kind = first(&["_mappedType", "datacite.resourcetype", "dc.type"]);
    let (general, specific) = kind.split_once('/').unwrap_or((&kind, ""));
    Ok(vec![
        ("pid", get("_id")),
        ("target", target),
        ("status", status.to_string()),
        ("withdrawn_reason", reason),
        (
            "title",
            first(&["_mappedTitle", "erc.what", "datacite.title", "dc.title"]),
        ),
        ("creator", creator),
        (
            "date",
            first(&[
                "_mappedDate",
                "erc.when",
                "datacite.publicationyear",
                "dc.date",
            ]),
        ),
        (
            "publisher",
            first(&["_mappedPublisher", "datacite.publisher", "dc.publisher"]),
        ),
        (
            "resource_type",
            resource_type(general, specific).unwrap_or_default(),
        ),
    ])
}

/// A value without ERC's codes for missing values (`(:unkn)`, `(:unav)`,
/// `(:tba)`…): a code alone is no value, a code with a description keeps
/// the description (`(:unkn) anonymous scribe` -> `anonymous scribe`).
fn without_code(value: &str) -> Option<String> {
    let value = value.trim();
    let rest = match value.strip_prefix("(:") {
        Some(rest) => rest.split_once(')').map_or(value, |(_, r)| r.trim()),
        None => value,
    };
    Some(rest.to_string()).filter(|r| !r.is_empty())
}

/// pidsite's resource type for a DataCite/DCMI general type and a specific
/// one (`Text`/`Manuscript`, `Image`/`Poster`, `StillImage`): the specific
/// one when pidsite knows it, else the general one; none when neither says.
fn resource_type(general: &str, specific: &str) -> Option<String> {
    let general = match general.trim().to_ascii_lowercase().as_str() {
        "stillimage" => "image".to_string(),
        "sound" => "audio".to_string(),
        "audiovisual" | "movingimage" => "video".to_string(),
        other => other.to_string(),
    };
    Genre::from_name(specific)
        .or_else(|| Genre::from_description(specific))
        .or_else(|| Genre::from_name(&general))
        .map(|g| g.facts().name.to_string())
}

/// pidsite's status for a DataCite `state` (and the `reason` given when a
/// DOI was hidden): findable -> active, draft -> reserved (it does not
/// resolve), registered with a reason -> withdrawn, registered -> active
/// (it resolves; DataCite only stopped listing it).
fn datacite_status(state: &str, reason: Option<&str>) -> Result<&'static str, String> {
    match state.trim() {
        "" | "findable" => Ok("active"),
        "draft" => Ok("reserved"),
        "registered" if reason.is_some_and(|r| !r.trim().is_empty()) => Ok("withdrawn"),
        "registered" => Ok("active"),
        other => Err(format!(
            "expected DataCite's findable, registered or draft, found {other:?}"
        )),
    }
}

/// One `data[]` item of a DataCite `/dois` response -> a flat object: its
/// own `doi`, `url`, `state`, `reason`, each alternate identifier as
/// `identifier.<type>` (for target templates), and pidsite's columns.
pub(super) fn datacite_item(item: &Value) -> Result<Map<String, Value>, String> {
    let attributes = item
        .get("attributes")
        .and_then(Value::as_object)
        .ok_or("expected a DataCite DOI with \"attributes\"")?;
    let text = |key: &str| match attributes.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let list = |key: &str| {
        attributes
            .get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    let field = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let mut out = Map::new();
    for key in ["doi", "url", "state", "reason"] {
        out.insert(key.to_string(), Value::String(text(key)));
    }
    for id in list("identifiers") {
        let kind = field(id, "identifierType");
        if !kind.is_empty() {
            out.entry(format!("identifier.{kind}"))
                .or_insert(Value::String(field(id, "identifier")));
        }
    }
    let reason = text("reason");
    let status = datacite_status(&text("state"), Some(&reason))
        .map_err(|m| format!("key \"state\": {m}"))?;
    let titles = list("titles");
    let title = titles
        .iter()
        .find(|t| t.get("titleType").is_none())
        .or(titles.first())
        .map(|t| field(t, "title"))
        .unwrap_or_default();
    let creators: Vec<String> = list("creators")
        .iter()
        .filter_map(|c| {
            let (family, given) = (field(c, "familyName"), field(c, "givenName"));
            if !family.is_empty() && !given.is_empty() {
                Some(format!("{family}, {given}"))
            } else {
                without_code(&field(c, "name"))
            }
        })
        .collect();
    let date_of = |kind: &str| {
        list("dates")
            .iter()
            .find(|d| field(d, "dateType") == kind)
            .map(|d| field(d, "date"))
    };
    let publisher = match attributes.get("publisher") {
        Some(Value::Object(p)) => p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => text("publisher"),
    };
    let types = attributes.get("types");
    let kind = resource_type(
        types
            .map(|t| field(t, "resourceTypeGeneral"))
            .as_deref()
            .unwrap_or(""),
        types
            .map(|t| field(t, "resourceType"))
            .as_deref()
            .unwrap_or(""),
    );
    let license = list("rightsList")
        .iter()
        .map(|r| field(r, "rightsUri"))
        .find(|u| !u.is_empty());
    let withdrawn = status == "withdrawn";
    let computed = [
        ("pid", text("doi")),
        (
            "target",
            iiif_manifest(list("relatedIdentifiers")).unwrap_or_default(),
        ),
        ("status", status.to_string()),
        (
            "withdrawn_reason",
            if withdrawn { reason } else { String::new() },
        ),
        (
            "withdrawn_date",
            date_of("Withdrawn")
                .filter(|_| withdrawn)
                .unwrap_or_default(),
        ),
        ("title", title),
        ("creator", creators.join(ITEM_SEPARATOR)),
        (
            "date",
            date_of("Created")
                .or_else(|| date_of("Issued"))
                .unwrap_or_else(|| text("publicationYear")),
        ),
        ("publisher", publisher),
        ("resource_type", kind.unwrap_or_default()),
        ("license", license.unwrap_or_default()),
    ];
    for (column, value) in computed {
        out.insert(column.to_string(), Value::String(value));
    }
    Ok(out)
}

/// The IIIF manifest among a DOI's related identifiers: the first URL
/// that is `HasMetadata` in a IIIF scheme (as pidsite's own DataCite XML
/// writes it: `relatedMetadataScheme` "IIIF Presentation API", `schemeUri`
/// under iiif.io/api/presentation).
fn iiif_manifest(related: &[Value]) -> Option<String> {
    let field = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    related
        .iter()
        .find(|r| {
            field(r, "relatedIdentifierType").eq_ignore_ascii_case("URL")
                && field(r, "relationType") == "HasMetadata"
                && (field(r, "relatedMetadataScheme")
                    .to_ascii_lowercase()
                    .starts_with("iiif")
                    || field(r, "schemeUri").contains("iiif.io/api/presentation"))
        })
        .map(|r| field(r, "relatedIdentifier"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erc_codes_are_no_value_and_keep_a_description() {
        assert_eq!(without_code("(:unkn)"), None);
        assert_eq!(without_code("(:tba) "), None);
        assert_eq!(
            without_code("(:unkn) anonymous scribe").as_deref(),
            Some("anonymous scribe")
        );
        assert_eq!(without_code("Hathaway 1").as_deref(), Some("Hathaway 1"));
    }

    #[test]
    fn types_map_specific_first() {
        assert_eq!(
            resource_type("Text", "Manuscript").as_deref(),
            Some("manuscript")
        );
        assert_eq!(resource_type("StillImage", "").as_deref(), Some("image"));
        assert_eq!(
            resource_type("Text", "Newspaper").as_deref(),
            Some("newspaper")
        );
        assert_eq!(resource_type("", "").as_deref(), None);
    }

    #[test]
    fn datacite_states() {
        assert_eq!(datacite_status("draft", None), Ok("reserved"));
        assert_eq!(datacite_status("registered", Some("dup")), Ok("withdrawn"));
        assert_eq!(datacite_status("registered", None), Ok("active"));
        assert!(datacite_status("tombstoned", None).is_err());
    }
}
