//! A JSON document written compact: the whitespace between its tokens
//! removed and nothing else changed (key order, repeated keys, number
//! forms and string escapes stay byte for byte). The site's copies of IIIF
//! documents are written so: institutions often pretty-print theirs, and
//! the indentation is a large part of what a site publishes (issue 22).
//! Works on the bytes, as `crate::enrich` does, so nothing is serialised
//! again; it knows nothing of IIIF.

/// `bytes` (a JSON document serde_json has accepted) without insignificant
/// whitespace: the four JSON whitespace bytes outside strings. A leading
/// byte order mark goes too (not JSON, though the loader accepts it). Bytes
/// that are not JSON are never rejected: whatever is outside a string
/// loses its whitespace, the rest is copied.
pub(crate) fn compact(bytes: &[u8]) -> Vec<u8> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    // Bytes from `start` are copied as a run when whitespace or the end
    // comes: most of a document is strings, skipped with memchr.
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => {
                out.extend_from_slice(&bytes[start..i]);
                i += 1;
                while bytes
                    .get(i)
                    .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                {
                    i += 1;
                }
                start = i;
            }
            b'"' => i = string_end(bytes, i + 1),
            _ => i += 1,
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out
}

/// Where the string whose contents start at `from` ends: just past its
/// closing quote (or at the end of `bytes`, for an unclosed one).
fn string_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(n) = memchr::memchr2(b'"', b'\\', &bytes[i..]) {
        i += n;
        if bytes[i] == b'"' {
            return i + 1;
        }
        // A backslash escapes the byte after it (`\"`, `\\`); longer
        // escapes (`\u00e9`) hold no quote or backslash.
        i += 2;
        if i >= bytes.len() {
            return bytes.len();
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::compact;
    use proptest::prelude::*;

    fn compacted(text: &str) -> String {
        String::from_utf8(compact(text.as_bytes())).unwrap()
    }

    #[test]
    fn removes_whitespace_between_tokens_only() {
        let text = "{\r\n  \"a b\": [ 1.50 , -0E+2 ,\t\"\\\" x \\\\\" ],\n  \"a b\": null\n}\n";
        assert_eq!(
            compacted(text),
            r#"{"a b":[1.50,-0E+2,"\" x \\"],"a b":null}"#
        );
    }

    #[test]
    fn keeps_escapes_and_spaces_in_strings() {
        let text = "{ \"label\" : \"\\u00e9t\\u00e9 \\/ \\\\\" }";
        assert_eq!(compacted(text), "{\"label\":\"\\u00e9t\\u00e9 \\/ \\\\\"}");
    }

    #[test]
    fn drops_a_byte_order_mark() {
        assert_eq!(compacted("\u{feff}{ \"a\" : 1 }"), r#"{"a":1}"#);
    }

    #[test]
    fn survives_bytes_that_are_not_json() {
        for bad in ["\"open", "\"\\", "{\"a\\\"", "\\"] {
            compact(bad.as_bytes());
        }
    }

    proptest! {
        /// Any JSON serde_json writes, pretty-printed, compacts to what
        /// serde_json writes compact (serde_json keeps key order here).
        #[test]
        fn compacts_pretty_json_to_serde_compact(value in json_value()) {
            let pretty = serde_json::to_vec_pretty(&value).unwrap();
            prop_assert_eq!(compact(&pretty), serde_json::to_vec(&value).unwrap());
        }

        /// Compacting never changes what the document parses to, and a
        /// second pass changes nothing.
        #[test]
        fn compact_is_idempotent(value in json_value()) {
            let once = compact(&serde_json::to_vec_pretty(&value).unwrap());
            prop_assert_eq!(compact(&once), once);
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "[ \\\\\"a-z\u{e9}\t\n/]{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::vec(("[a-z \"]{0,6}", inner), 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
