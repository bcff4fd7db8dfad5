//! Writing a PID into a IIIF manifest or collection: v3 gets a `homepage`
//! entry for the landing page and a metadata entry for the identifier; v2
//! gets a `related` entry and the same metadata entry. Everything else stays
//! as it was, in the same key order (serde_json's `preserve_order`). Pure:
//! bytes in, bytes out; `build` publishes the result as the PID's
//! `manifest.json` and `pidsite enrich` writes it for manifests hosted
//! elsewhere.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{json, Map, Value};

use crate::load::iiif::version_of;
use crate::model::resource::{PresentationVersion, ResourceKind};

/// What is written into the document.
#[derive(Debug, Clone)]
pub struct PidStamp {
    /// The PID as cited (`ark:99999/fk4x`).
    pub pid: String,
    /// The URL to cite (resolver URL, or the landing page).
    pub cite_url: String,
    /// The landing page URL.
    pub landing_url: String,
    /// Language tag of the label text (the site's language).
    pub language: String,
}

/// The label of the metadata entry pidsite adds.
pub const IDENTIFIER_LABEL: &str = "Identifier";

/// Enrich a manifest or collection; `Ok(None)` for other resource types,
/// which are published unchanged. Idempotent: a document that already
/// carries the landing page and identifier is returned as it was.
pub fn enrich(bytes: &[u8], stamp: &PidStamp) -> Result<Option<Vec<u8>>, String> {
    let value = crate::load::iiif::parse_json(bytes)?;
    enrich_parsed(&value, is_compact(bytes), stamp)
}

/// Whether a document is written on one line (its copy stays so).
pub fn is_compact(bytes: &[u8]) -> bool {
    !bytes.iter().take(4096).any(|&b| b == b'\n')
}

/// [`enrich`] for a document the build has already parsed for its page:
/// the additions are written while serialising, so the parsed tree is
/// neither cloned nor parsed again.
pub fn enrich_parsed(
    value: &Value,
    compact: bool,
    stamp: &PidStamp,
) -> Result<Option<Vec<u8>>, String> {
    let Some(obj) = value.as_object() else {
        return Ok(None);
    };
    let kind = obj
        .get("type")
        .or_else(|| obj.get("@type"))
        .and_then(Value::as_str)
        .and_then(ResourceKind::from_type);
    if !matches!(
        kind,
        Some(ResourceKind::Manifest | ResourceKind::Collection)
    ) {
        return Ok(None);
    }
    let additions = match version_of(value) {
        PresentationVersion::V3 => additions_v3(stamp),
        PresentationVersion::V2 => additions_v2(stamp),
    };
    let stamped = Stamped {
        obj,
        additions: &additions,
    };
    let out = if compact {
        serde_json::to_vec(&stamped)
    } else {
        serde_json::to_vec_pretty(&stamped)
    }
    .map_err(|e| e.to_string())?;
    Ok(Some(out))
}

fn identifier_html(stamp: &PidStamp) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        crate::load::html::escape(&stamp.cite_url),
        crate::load::html::escape(&stamp.pid)
    )
}

/// An entry appended to the array under `key` (created at the end of the
/// object, or turning a single value into an array) unless an element
/// already is the entry.
struct Addition {
    key: &'static str,
    entry: Value,
    is_present: Box<dyn Fn(&Value) -> bool>,
}

/// The document with its additions, in the original key order.
struct Stamped<'a> {
    obj: &'a Map<String, Value>,
    additions: &'a [Addition],
}

impl Serialize for Stamped<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let missing: Vec<&Addition> = self
            .additions
            .iter()
            .filter(|a| !self.obj.contains_key(a.key))
            .collect();
        let mut map = s.serialize_map(Some(self.obj.len() + missing.len()))?;
        for (key, value) in self.obj {
            match self.additions.iter().find(|a| a.key == key) {
                Some(addition) => map.serialize_entry(key, &Extended { value, addition })?,
                None => map.serialize_entry(key, value)?,
            }
        }
        for addition in missing {
            map.serialize_entry(addition.key, &[&addition.entry])?;
        }
        map.end()
    }
}

/// One value of the document with an addition appended.
struct Extended<'a> {
    value: &'a Value,
    addition: &'a Addition,
}

impl Serialize for Extended<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let entry = &self.addition.entry;
        let present = &self.addition.is_present;
        match self.value {
            Value::Array(list) if !list.iter().any(present) => {
                let mut seq = s.serialize_seq(Some(list.len() + 1))?;
                for v in list {
                    seq.serialize_element(v)?;
                }
                seq.serialize_element(entry)?;
                seq.end()
            }
            Value::Array(_) => self.value.serialize(s),
            Value::Null => [entry].serialize(s),
            other if present(other) => other.serialize(s),
            other => [other, entry].serialize(s),
        }
    }
}

fn id_is(v: &Value, url: &str) -> bool {
    match v {
        Value::String(s) => s == url,
        Value::Object(o) => {
            o.get("id").or_else(|| o.get("@id")).and_then(Value::as_str) == Some(url)
        }
        _ => false,
    }
}

fn mentions(v: &Value, text: &str) -> bool {
    match v {
        Value::String(s) => s.contains(text),
        Value::Array(a) => a.iter().any(|x| mentions(x, text)),
        Value::Object(o) => o.values().any(|x| mentions(x, text)),
        _ => false,
    }
}

/// The identifier's metadata entry is there when an entry's value names the
/// URL to cite.
fn names_cite_url(cite: String) -> Box<dyn Fn(&Value) -> bool> {
    Box::new(move |v| v.get("value").is_some_and(|x| mentions(x, &cite)))
}

fn additions_v3(stamp: &PidStamp) -> [Addition; 2] {
    let landing = stamp.landing_url.clone();
    [
        Addition {
            key: "homepage",
            entry: json!({
                "id": landing,
                "type": "Text",
                "label": {stamp.language.clone(): [format!("Landing page of {}", stamp.pid)]},
                "format": "text/html",
            }),
            is_present: Box::new(move |v| id_is(v, &landing)),
        },
        Addition {
            key: "metadata",
            entry: json!({
                "label": {stamp.language.clone(): [IDENTIFIER_LABEL]},
                "value": {"none": [identifier_html(stamp)]},
            }),
            is_present: names_cite_url(stamp.cite_url.clone()),
        },
    ]
}

fn additions_v2(stamp: &PidStamp) -> [Addition; 2] {
    let landing = stamp.landing_url.clone();
    [
        Addition {
            key: "related",
            entry: json!({
                "@id": landing,
                "format": "text/html",
                "label": format!("Landing page of {}", stamp.pid),
            }),
            is_present: Box::new(move |v| id_is(v, &landing)),
        },
        Addition {
            key: "metadata",
            entry: json!({"label": IDENTIFIER_LABEL, "value": identifier_html(stamp)}),
            is_present: names_cite_url(stamp.cite_url.clone()),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> PidStamp {
        PidStamp {
            pid: "ark:99999/fk4x".into(),
            cite_url: "https://n2t.net/ark:99999/fk4x".into(),
            landing_url: "https://example.org/ark/99999/fk4x/".into(),
            language: "en".into(),
        }
    }

    fn run(doc: &str) -> Value {
        let out = enrich(doc.as_bytes(), &stamp()).unwrap().unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn v3_gets_homepage_and_metadata_and_keeps_key_order() {
        let out = run(
            r#"{"@context":"http://iiif.io/api/presentation/3/context.json","id":"m","type":"Manifest","label":{"en":["x"]},"homepage":{"id":"https://lib.org/x","type":"Text"},"items":[]}"#,
        );
        let keys: Vec<&str> = out
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["@context", "id", "type", "label", "homepage", "items", "metadata"]
        );
        assert_eq!(out["homepage"][0]["id"], "https://lib.org/x");
        assert_eq!(
            out["homepage"][1]["id"],
            "https://example.org/ark/99999/fk4x/"
        );
        assert_eq!(out["metadata"][0]["label"]["en"][0], "Identifier");
    }

    #[test]
    fn v2_gets_related_whatever_its_shape() {
        let cases = [
            (r#""related":"https://lib.org/x","#, 2),
            (
                r#""related":["https://lib.org/x",{"@id":"https://lib.org/y"}],"#,
                3,
            ),
            (r#""related":{"@id":"https://lib.org/x"},"#, 2),
            ("", 1),
        ];
        for (related, count) in cases {
            let doc = format!(r#"{{"@id":"m","@type":"sc:Manifest",{related}"label":"x"}}"#);
            let out = run(&doc);
            let list = out["related"].as_array().unwrap();
            assert_eq!(list.len(), count, "{doc}");
            assert_eq!(
                list[count - 1]["@id"],
                "https://example.org/ark/99999/fk4x/"
            );
            assert!(out["metadata"][0]["value"]
                .as_str()
                .unwrap()
                .contains("n2t.net"));
        }
    }

    #[test]
    fn enriching_twice_changes_nothing_more() {
        let doc = r#"{"id":"m","type":"Manifest","items":[]}"#;
        let once = enrich(doc.as_bytes(), &stamp()).unwrap().unwrap();
        let twice = enrich(&once, &stamp()).unwrap().unwrap();
        assert_eq!(once, twice);
    }

    #[test]
    fn other_types_are_left_alone() {
        let doc = r#"{"id":"a","type":"AnnotationPage","items":[]}"#;
        assert_eq!(enrich(doc.as_bytes(), &stamp()).unwrap(), None);
    }
}
