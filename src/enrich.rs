//! Writing a PID into a IIIF manifest or collection: v3 gets a `homepage`
//! entry for the landing page and a metadata entry for the identifier; v2
//! gets a `related` entry and the same metadata entry. Everything else stays
//! as it was, byte for byte: the additions are spliced into the bytes. Pure:
//! bytes in, bytes out; `build` publishes the result as the PID's
//! `manifest.json` and `pidsite enrich` writes it for manifests hosted
//! elsewhere.

use serde_json::{json, Value};

use crate::load::enrichable::Enrichable;

use crate::model::resource::PresentationVersion;

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
    let arena = bumpalo::Bump::new();
    let value = crate::load::iiif::parse_json(bytes, &arena)?;
    Enrichable::of(&value)
        .map(|doc| enrich_parsed(bytes, &doc, stamp))
        .transpose()
}

/// [`enrich`] for a document the build has already parsed (`doc` is read
/// from `bytes`). The additions are spliced into the original bytes, so
/// everything else stays byte for byte as the institution wrote it (number
/// forms, escapes, spacing) and nothing is serialised again; they follow
/// the document's layout (one line, or its indentation).
pub fn enrich_parsed(bytes: &[u8], doc: &Enrichable, stamp: &PidStamp) -> Result<Vec<u8>, String> {
    let additions = match doc.version {
        PresentationVersion::V3 => additions_v3(stamp),
        PresentationVersion::V2 => additions_v2(stamp),
    };
    let members = splice::members(bytes)
        .ok_or("the document's top-level object could not be located in its bytes")?;
    let layout = splice::Layout::of(bytes);
    let mut edits = Vec::new();
    for addition in &additions {
        let current = doc.get(addition.key);
        let present = &addition.is_present;
        let already = match current {
            Some(Value::Array(list)) => list.iter().any(present),
            Some(Value::Null) | None => false,
            Some(other) => present(other),
        };
        if already {
            continue;
        }
        let entry = layout.value(&addition.entry, 2);
        // The tree keeps the last of repeated keys: so does the splice.
        let span = members
            .iter()
            .rev()
            .find(|m| m.key == addition.key.as_bytes());
        edits.push(match (current, span) {
            (Some(Value::Array(list)), Some(m)) if !list.is_empty() => {
                // After the last element, before the closing bracket's line.
                let at = splice::last_non_space(bytes, m.value.end - 1);
                (at..at, format!(",{}{entry}", layout.newline(2)))
            }
            (Some(Value::Array(_) | Value::Null), Some(m)) => (
                m.value.clone(),
                format!("[{}{entry}{}]", layout.newline(2), layout.newline(1)),
            ),
            (Some(_), Some(m)) => {
                let old = String::from_utf8_lossy(&bytes[m.value.clone()]);
                let (open, close) = (layout.newline(2), layout.newline(1));
                (
                    m.value.clone(),
                    format!("[{open}{old},{open}{entry}{close}]"),
                )
            }
            _ => {
                let at = splice::last_non_space(bytes, members.close);
                let comma = if members.is_empty() { "" } else { "," };
                let (key, open, close) = (addition.key, layout.newline(2), layout.newline(1));
                let text = format!(
                    "{comma}{close}\"{key}\":{}[{open}{entry}{close}]",
                    layout.space()
                );
                (at..at, text)
            }
        });
    }
    edits.sort_by_key(|(at, _)| at.start);
    let mut out = Vec::with_capacity(bytes.len() + 1024);
    let mut copied = 0;
    for (at, text) in edits {
        out.extend_from_slice(&bytes[copied..at.start]);
        out.extend_from_slice(text.as_bytes());
        copied = at.end;
    }
    out.extend_from_slice(&bytes[copied..]);
    Ok(out)
}

/// Locating a JSON object's members in its bytes (which serde_json has
/// already accepted as JSON), and writing additions in the document's own
/// layout.
mod splice {
    use std::ops::Range;

    use serde::Serialize;
    use serde_json::Value;

    /// A top-level member: its key's raw bytes and its value's byte range.
    pub struct Member<'a> {
        pub key: &'a [u8],
        pub value: Range<usize>,
    }

    /// The members of the top-level object, and where its `}` is.
    pub struct Members<'a> {
        list: Vec<Member<'a>>,
        pub close: usize,
    }

    impl<'a> std::ops::Deref for Members<'a> {
        type Target = [Member<'a>];
        fn deref(&self) -> &[Member<'a>] {
            &self.list
        }
    }

    pub fn members(bytes: &[u8]) -> Option<Members<'_>> {
        let mut i = skip_space(bytes, 0);
        if bytes.get(i) != Some(&b'{') {
            return None;
        }
        i += 1;
        let mut list = Vec::new();
        loop {
            i = skip_space(bytes, i);
            match bytes.get(i)? {
                b'}' => return Some(Members { list, close: i }),
                b',' => i += 1,
                b'"' => {
                    let key_end = string_end(bytes, i)?;
                    let colon = skip_space(bytes, key_end);
                    if bytes.get(colon) != Some(&b':') {
                        return None;
                    }
                    let start = skip_space(bytes, colon + 1);
                    let end = value_end(bytes, start)?;
                    list.push(Member {
                        key: &bytes[i + 1..key_end - 1],
                        value: start..end,
                    });
                    i = end;
                }
                _ => return None,
            }
        }
    }

    /// Just past the string that starts at `i`. Strings are most of a
    /// manifest's bytes, so this jumps to the next quote or backslash.
    fn string_end(bytes: &[u8], i: usize) -> Option<usize> {
        let mut j = i + 1;
        loop {
            let k = j + memchr::memchr2(b'\\', b'"', bytes.get(j..)?)?;
            match bytes[k] {
                b'"' => return Some(k + 1),
                _ => j = k + 2,
            }
        }
    }

    /// Just past the value that starts at `i`.
    fn value_end(bytes: &[u8], i: usize) -> Option<usize> {
        match bytes.get(i)? {
            b'"' => string_end(bytes, i),
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut j = i;
                loop {
                    match bytes.get(j)? {
                        b'"' => {
                            j = string_end(bytes, j)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(j + 1);
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
            }
            _ => Some(
                (i..bytes.len())
                    .find(|&j| {
                        matches!(bytes[j], b',' | b'}' | b']') || bytes[j].is_ascii_whitespace()
                    })
                    .unwrap_or(bytes.len()),
            ),
        }
    }

    fn skip_space(bytes: &[u8], mut i: usize) -> usize {
        // A byte-order mark may open the document.
        if i == 0 && bytes.starts_with(b"\xEF\xBB\xBF") {
            i = 3;
        }
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    }

    /// Just past the last non-space byte before `end`.
    pub fn last_non_space(bytes: &[u8], end: usize) -> usize {
        (0..end)
            .rev()
            .find(|&j| !bytes[j].is_ascii_whitespace())
            .map_or(0, |j| j + 1)
    }

    /// One line, or lines indented by a unit (found on the second line).
    pub struct Layout {
        newline: Option<(&'static str, String)>,
    }

    impl Layout {
        pub fn of(bytes: &[u8]) -> Layout {
            let head = &bytes[..bytes.len().min(4096)];
            let Some(nl) = head.iter().position(|&b| b == b'\n') else {
                return Layout { newline: None };
            };
            let eol = if nl > 0 && head[nl - 1] == b'\r' {
                "\r\n"
            } else {
                "\n"
            };
            let unit: String = head[nl + 1..]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .map(|&b| b as char)
                .collect();
            Layout {
                newline: Some((eol, unit)),
            }
        }

        /// A line break and the indentation of `depth` (nothing on one line).
        pub fn newline(&self, depth: usize) -> String {
            self.newline
                .as_ref()
                .map_or_else(String::new, |(eol, unit)| {
                    format!("{eol}{}", unit.repeat(depth))
                })
        }

        /// After a member's colon.
        pub fn space(&self) -> &'static str {
            if self.newline.is_some() {
                " "
            } else {
                ""
            }
        }

        /// `value` written at `depth`.
        pub fn value(&self, value: &Value, depth: usize) -> String {
            let Some((_, unit)) = &self.newline else {
                return value.to_string();
            };
            let mut out = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
            let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
            value
                .serialize(&mut ser)
                .expect("a serde_json::Value always serialises");
            String::from_utf8(out)
                .expect("serde_json writes UTF-8")
                .replace('\n', &self.newline(depth))
        }
    }
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
    fn the_rest_of_the_document_stays_byte_for_byte() {
        // Number forms, escapes and spacing are the institution's; only the
        // additions are new, written in the document's layout.
        let doc = r#"{"id": "m", "type": "Manifest", "height": 1.50, "label": {"en": ["caf\u00e9"]}, "metadata": []}"#;
        let out = String::from_utf8(enrich(doc.as_bytes(), &stamp()).unwrap().unwrap()).unwrap();
        assert!(out.starts_with(r#"{"id": "m", "type": "Manifest", "height": 1.50, "label": {"en": ["caf\u00e9"]}, "metadata": [{"#), "{out}");
        assert!(out.ends_with(r#"}}],"homepage":[{"id":"https://example.org/ark/99999/fk4x/","type":"Text","label":{"en":["Landing page of ark:99999/fk4x"]},"format":"text/html"}]}"#), "{out}");

        let pretty = "{\r\n    \"id\": \"m\",\r\n    \"type\": \"Manifest\",\r\n    \"metadata\": null\r\n}\r\n";
        let out = String::from_utf8(enrich(pretty.as_bytes(), &stamp()).unwrap().unwrap()).unwrap();
        assert!(
            out.contains("\"metadata\": [\r\n        {\r\n            \"label\""),
            "{out}"
        );
        assert!(
            out.contains("\"type\": \"Manifest\",\r\n    \"metadata\""),
            "{out}"
        );
        assert!(out.ends_with("    ]\r\n}\r\n"), "{out}");
        serde_json::from_str::<Value>(&out).unwrap();
    }

    #[test]
    fn other_types_are_left_alone() {
        let doc = r#"{"id":"a","type":"AnnotationPage","items":[]}"#;
        assert_eq!(enrich(doc.as_bytes(), &stamp()).unwrap(), None);
    }
}
