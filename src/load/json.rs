//! A JSON tree that borrows its strings from the document's bytes and
//! lives in an arena: what a IIIF document is read into (issues 6 and 22).
//! `serde_json::Value` allocated a `String` for every key and string, a
//! growing `Vec` or `IndexMap` for every array and object, and freed them
//! all one by one. Here a string is copied (into the arena) only when it
//! holds an escape; each array and object is gathered on a scratch stack
//! and copied once, at its final length, into the arena; and the whole tree
//! goes at once with the arena, since nothing in it needs dropping (the
//! drop alone was a quarter of loading's instructions). An object is its
//! members in document order (IIIF objects are small, so a scan beats
//! hashing). serde_json still does the parsing, so invalid JSON gets its
//! errors, with line and column, and its depth limit. This module knows
//! nothing of IIIF.

use std::fmt;

use bumpalo::Bump;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Number;

/// A JSON value; strings borrowed from the parsed bytes where they can be,
/// everything else in the arena it was parsed into.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(Number),
    /// A string (in the arena when the document escaped something in it).
    String(&'a str),
    /// An array.
    Array(&'a [Json<'a>]),
    /// An object.
    Object(Object<'a>),
}

/// An object's members in document order. A key written twice appears once,
/// at its first place with its last value, as serde_json's `preserve_order`
/// map kept it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Object<'a>(&'a [(&'a str, Json<'a>)]);

/// Parse `bytes` into `arena` (serde_json's errors, which name line and
/// column). The bytes are checked as UTF-8 once, as a whole, so that
/// serde_json does not check each string again (it did, for ~2% of a full
/// build); bytes that are not UTF-8 get serde_json's own error, with its
/// position.
pub fn from_slice<'a>(bytes: &'a [u8], arena: &'a Bump) -> serde_json::Result<Json<'a>> {
    let mut scratch = Scratch::default();
    let seed = Node {
        arena,
        scratch: &mut scratch,
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => whole(seed, serde_json::Deserializer::from_str(text)),
        Err(_) => whole(seed, serde_json::Deserializer::from_slice(bytes)),
    }
}

/// The one value `de` holds, read with `seed`, and nothing after it.
fn whole<'a, R: serde_json::de::Read<'a>>(
    seed: Node<'_, 'a>,
    mut de: serde_json::Deserializer<R>,
) -> serde_json::Result<Json<'a>> {
    let json = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(json)
}

impl<'a> Json<'a> {
    /// The member `key` of an object; none for anything else.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.as_object()?.get(key)
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&'a str> {
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
}

impl<'a> Object<'a> {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&'a Json<'a>> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Whether `key` is a member.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> + Clone {
        self.0.iter().map(|(k, _)| *k)
    }

    /// The values, in order.
    pub fn values(&self) -> impl Iterator<Item = &'a Json<'a>> {
        self.0.iter().map(|(_, v)| v)
    }
}

/// Whether some key of `members` repeats. Objects are small, so comparing
/// each key with the ones before it is cheaper than hashing; a large one
/// gets a hash set instead, so hostile input cannot make this quadratic.
fn repeats(members: &[(&str, Json)]) -> bool {
    if members.len() <= 32 {
        (1..members.len()).any(|i| members[..i].iter().any(|(k, _)| *k == members[i].0))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(members.len());
        !members.iter().all(|(k, _)| seen.insert(*k))
    }
}

/// Collapse repeated keys as serde_json's map did: first place, last value.
/// Each key's place is looked up by hash, so a large hostile object with a
/// repeated key is not quadratic here either.
fn dedupe<'a>(members: Vec<(&'a str, Json<'a>)>) -> Vec<(&'a str, Json<'a>)> {
    let mut kept: Vec<(&'a str, Json<'a>)> = Vec::with_capacity(members.len());
    let mut place: std::collections::HashMap<&'a str, usize> =
        std::collections::HashMap::with_capacity(members.len());
    for (key, value) in members {
        match place.get(key) {
            Some(&i) => kept[i].1 = value,
            None => {
                place.insert(key, kept.len());
                kept.push((key, value));
            }
        }
    }
    kept
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
            Json::Array(a) => s.collect_seq(a.iter()),
            Json::Object(o) => {
                let mut map = s.serialize_map(Some(o.0.len()))?;
                for (k, v) in o.0 {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// The elements and members of the arrays and objects being read, the
/// inner ones above the outer: each is copied into the arena once it is
/// whole, so no array grows in the arena.
#[derive(Default)]
struct Scratch<'a> {
    elements: Vec<Json<'a>>,
    members: Vec<(&'a str, Json<'a>)>,
}

/// Reads one value into the arena.
struct Node<'s, 'a> {
    arena: &'a Bump,
    scratch: &'s mut Scratch<'a>,
}

impl<'a> DeserializeSeed<'a> for Node<'_, 'a> {
    type Value = Json<'a>;

    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<Json<'a>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for Node<'_, 'a> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json<'a>, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'a>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'a>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'a>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'a>, E> {
        // serde_json's reader yields finite numbers only; Value made the
        // rest null the same way.
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'a str) -> Result<Json<'a>, E> {
        Ok(Json::String(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'a>, E> {
        Ok(Json::String(self.arena.alloc_str(s)))
    }

    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<Json<'a>, A::Error> {
        let Node { arena, scratch } = self;
        let start = scratch.elements.len();
        while let Some(item) = seq.next_element_seed(Node {
            arena,
            scratch: &mut *scratch,
        })? {
            scratch.elements.push(item);
        }
        let items = arena.alloc_slice_fill_iter(scratch.elements.drain(start..));
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Json<'a>, A::Error> {
        let Node { arena, scratch } = self;
        let start = scratch.members.len();
        while let Some(key) = map.next_key_seed(Key { arena })? {
            let value = map.next_value_seed(Node {
                arena,
                scratch: &mut *scratch,
            })?;
            scratch.members.push((key, value));
        }
        let members: &[(&str, Json)] = if repeats(&scratch.members[start..]) {
            let members = dedupe(scratch.members.drain(start..).collect());
            arena.alloc_slice_fill_iter(members)
        } else {
            arena.alloc_slice_fill_iter(scratch.members.drain(start..))
        };
        Ok(Json::Object(Object(members)))
    }
}

/// A key, borrowed when it holds no escape, else copied into the arena.
struct Key<'a> {
    arena: &'a Bump,
}

impl<'a> DeserializeSeed<'a> for Key<'a> {
    type Value = &'a str;

    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<&'a str, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'a> Visitor<'a> for Key<'a> {
    type Value = &'a str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, s: &'a str) -> Result<&'a str, E> {
        Ok(s)
    }

    fn visit_str<E>(self, s: &str) -> Result<&'a str, E> {
        Ok(self.arena.alloc_str(s))
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
            let ours = from_slice(text.as_bytes(), &Bump::new())
                .unwrap()
                .to_string();
            let theirs = serde_json::from_str::<serde_json::Value>(text)
                .unwrap()
                .to_string();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn borrows_strings_without_escapes() {
        let bytes = br#"{"plain": "text", "esc\u0061ped": "a\nb"}"#;
        let arena = Bump::new();
        let json = from_slice(bytes, &arena).unwrap();
        let object = json.as_object().unwrap();
        let within = |s: &str| bytes.as_ptr_range().contains(&s.as_ptr());
        assert!(within(object.0[0].0) && object.0[0].0 == "plain");
        assert!(matches!(object.0[0].1, Json::String(s) if within(s) && s == "text"));
        assert!(!within(object.0[1].0) && object.0[1].0 == "escaped");
        assert_eq!(json.get("escaped").and_then(Json::as_str), Some("a\nb"));
    }

    #[test]
    fn the_tree_goes_with_its_arena() {
        // Nothing to drop node by node: the arena frees it at once (the old
        // tree's drop was a quarter of loading's instructions, issue 22).
        assert!(!std::mem::needs_drop::<Json>());
        let arena = Bump::new();
        let text = r#"{"a": [1, {"b": "c\u00e9"}, [true, null]], "d": "e"}"#;
        let json = from_slice(text.as_bytes(), &arena).unwrap();
        let a = json.get("a").map(Json::to_string);
        assert_eq!(a.as_deref(), Some(r#"[1,{"b":"cé"},[true,null]]"#));
    }

    #[test]
    fn repeated_keys_keep_first_place_and_last_value() {
        // serde_json's preserve_order map did the same.
        // 50,000 members with one key repeated: collapsed by hash, not by
        // comparing each key with all those before it.
        for n in [3, 40, 50_000] {
            let mut text = String::from("{\"k\": 0");
            for i in 1..n {
                text.push_str(&format!(", \"k{i}\": {i}"));
            }
            text.push_str(", \"k\": \"last\"}");
            let arena = Bump::new();
            let json = from_slice(text.as_bytes(), &arena).unwrap();
            let object = json.as_object().unwrap();
            assert_eq!(object.keys().count(), n, "{text}");
            assert_eq!(object.keys().next(), Some("k"));
            assert_eq!(json.get("k").and_then(Json::as_str), Some("last"));
        }
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = from_slice(b"{\n  \"a\": oops}", &Bump::new()).unwrap_err();
        assert_eq!((err.line(), err.column()), (2, 8));
        // Bytes that are not UTF-8 inside a string, on line 2.
        let err = from_slice(b"{\"a\": 1,\n \"b\": \"x\xff\"}", &Bump::new()).unwrap_err();
        assert_eq!(err.line(), 2, "{err}");
        assert!(err.to_string().contains("unicode"), "{err}");
    }
}
