//! What enriching a manifest or collection (`crate::enrich`) needs of it,
//! read when loading parses it for the page, so it is parsed once.

use serde_json::Value;

use crate::load::iiif::version_of;
use crate::load::json::Json;
use crate::model::resource::{PresentationVersion, ResourceKind};

/// What enriching needs of a parsed manifest or collection: its version and
/// the members additions go into. Loading keeps it, so a document is parsed
/// once; it owns its few values (as `serde_json::Value`s) because the tree
/// borrows the bytes and its arena, and goes once the page's model is read.
#[derive(Debug, Clone)]
pub struct Enrichable {
    /// Its IIIF Presentation version.
    pub(crate) version: PresentationVersion,
    /// `homepage`, `related` and `metadata`, those the document has.
    members: Vec<(&'static str, Value)>,
}

impl Enrichable {
    /// None for a document that is no manifest or collection.
    pub fn of(value: &Json) -> Option<Enrichable> {
        let obj = value.as_object()?;
        let kind = obj
            .get("type")
            .or_else(|| obj.get("@type"))
            .and_then(Json::as_str)
            .and_then(ResourceKind::from_type);
        if !matches!(
            kind,
            Some(ResourceKind::Manifest | ResourceKind::Collection)
        ) {
            return None;
        }
        let members = ["homepage", "related", "metadata"]
            .into_iter()
            .filter_map(|key| {
                let value = serde_json::to_value(obj.get(key)?);
                Some((key, value.expect("a JSON tree converts to a Value")))
            })
            .collect();
        Some(Enrichable {
            version: version_of(value),
            members,
        })
    }

    /// One of the members kept, by key.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.members.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}
