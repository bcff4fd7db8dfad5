//! A JSON tree that borrows its strings from the document's bytes: what a
//! IIIF document is read into (issue 6). `serde_json::Value` allocated a
//! `String` for every key and string and hashed every object's keys into an
//! `IndexMap`; here a string is copied only when it holds an escape, and an
//! object is its members in document order (IIIF objects are small, so a
//! scan beats hashing). serde_json still does the parsing, so invalid JSON
//! gets its errors, with line and column. This module knows nothing of IIIF.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Number;

/// A JSON value; strings borrowed from the parsed bytes where they can be.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(Number),
    /// A string (owned when the document escaped something in it).
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object.
    Object(Object<'a>),
}

/// An object's members in document order. A key written twice appears once,
/// at its first place with its last value, as serde_json's `preserve_order`
/// map kept it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object<'a>(Vec<(Cow<'a, str>, Json<'a>)>);

/// Parse `bytes` (serde_json's errors, which name line and column). The
/// bytes are checked as UTF-8 once, as a whole, so that serde_json does not
/// check each string again (it did, for ~2% of a full build); bytes that
/// are not UTF-8 get serde_json's own error, with its position.
pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Json<'_>> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

impl<'a> Json<'a> {
    /// The member `key` of an object; none for anything else.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.as_object()?.get(key)
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members of an object.
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// A copy owning all its strings, to outlive the bytes.
    pub fn owned(&self) -> Json<'static> {
        let text = |s: &Cow<'_, str>| Cow::Owned(s.to_string());
        match self {
            Json::Null => Json::Null,
            Json::Bool(b) => Json::Bool(*b),
            Json::Number(n) => Json::Number(n.clone()),
            Json::String(s) => Json::String(text(s)),
            Json::Array(a) => Json::Array(a.iter().map(Json::owned).collect()),
            Json::Object(o) => Json::Object(Object(
                o.0.iter().map(|(k, v)| (text(k), v.owned())).collect(),
            )),
        }
    }
}

impl<'a> Object<'a> {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` is a member.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> + Clone {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    /// The values, in order.
    pub fn values(&self) -> impl Iterator<Item = &Json<'a>> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Collapse repeated keys as serde_json's map did: first place, last
    /// value. Objects are small, so comparing each key with the ones before
    /// it is cheaper than hashing; a large one gets a hash set instead, so
    /// hostile input cannot make this quadratic.
    fn dedupe(&mut self) {
        let members = &self.0;
        let repeated = if members.len() <= 32 {
            (1..members.len()).any(|i| members[..i].iter().any(|(k, _)| *k == members[i].0))
        } else {
            let mut seen = std::collections::HashSet::with_capacity(members.len());
            !members.iter().all(|(k, _)| seen.insert(k.as_ref()))
        };
        if !repeated {
            return;
        }
        let mut kept: Vec<(Cow<'a, str>, Json<'a>)> = Vec::with_capacity(members.len());
        for (key, value) in std::mem::take(&mut self.0) {
            match kept.iter_mut().find(|(k, _)| *k == key) {
                Some((_, old)) => *old = value,
                None => kept.push((key, value)),
            }
        }
        self.0 = kept;
    }
}

/// Compact JSON, as serde_json writes it (error messages quote values so).
impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(t) => s.serialize_str(t),
            Json::Array(a) => s.collect_seq(a),
            Json::Object(o) => {
                let mut map = s.serialize_map(Some(o.0.len()))?;
                for (k, v) in &o.0 {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'de>, E> {
        // serde_json's reader yields finite numbers only; Value made the
        // rest null the same way.
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let mut members = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            members.push((key, map.next_value()?));
        }
        let mut object = Object(members);
        object.dedupe();
        Ok(Json::Object(object))
    }
}

/// A key, borrowed when it holds no escape (serde's own `Cow<str>` always
/// copies).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads() {
        let cases = [
            r#"{"b": 1, "a": [true, null, -2, 1.5e3, "x\u00e9"], "c": {}}"#,
            r#"{"k": 1, "j": 2, "k": 3}"#,
            "[1, 18446744073709551615, -9223372036854775808, 0.1]",
            r#""caf\u00e9""#,
        ];
        for text in cases {
            let ours = from_slice(text.as_bytes()).unwrap().to_string();
            let theirs = serde_json::from_str::<serde_json::Value>(text)
                .unwrap()
                .to_string();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn borrows_strings_without_escapes() {
        let json = from_slice(br#"{"plain": "text", "esc\u0061ped": "a\nb"}"#).unwrap();
        let object = json.as_object().unwrap();
        assert!(matches!(object.0[0].0, Cow::Borrowed("plain")));
        assert!(matches!(object.0[0].1, Json::String(Cow::Borrowed("text"))));
        assert!(matches!(object.0[1].0, Cow::Owned(_)));
        assert_eq!(json.get("escaped").and_then(Json::as_str), Some("a\nb"));
    }

    #[test]
    fn repeated_keys_keep_first_place_and_last_value() {
        // serde_json's preserve_order map did the same.
        for n in [3, 40] {
            let mut text = String::from("{\"k\": 0");
            for i in 1..n {
                text.push_str(&format!(", \"k{i}\": {i}"));
            }
            text.push_str(", \"k\": \"last\"}");
            let json = from_slice(text.as_bytes()).unwrap();
            let object = json.as_object().unwrap();
            assert_eq!(object.keys().count(), n, "{text}");
            assert_eq!(object.keys().next(), Some("k"));
            assert_eq!(json.get("k").and_then(Json::as_str), Some("last"));
        }
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = from_slice(b"{\n  \"a\": oops}").unwrap_err();
        assert_eq!((err.line(), err.column()), (2, 8));
        // Bytes that are not UTF-8 inside a string, on line 2.
        let err = from_slice(b"{\"a\": 1,\n \"b\": \"x\xff\"}").unwrap_err();
        assert_eq!(err.line(), 2, "{err}");
        assert!(err.to_string().contains("unicode"), "{err}");
    }
}
