//! IIIF Content State 1.0: a canvas (or a region of it) in a manifest,
//! written as JSON, then `encodeURIComponent`, then base64url without `=`
//! padding, for `?iiif-content=` links and `data-iiif-content` attributes.
//! Pure functions; the viewer script decodes what is written here.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What JavaScript's `encodeURIComponent` leaves as is.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5).
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(BASE64URL[index as usize]));
        }
    }
    out
}

/// Encode a content state's JSON as the specification says.
pub fn encode(json: &str) -> String {
    let mut escaped = String::with_capacity(json.len() * 2);
    for piece in utf8_percent_encode(json, URI_COMPONENT) {
        escaped.push_str(piece);
    }
    base64url(escaped.as_bytes())
}

/// The content state of a canvas, optionally a `x,y,w,h` region of it, in
/// a manifest: the target-only form the specification allows. Written
/// directly rather than through a JSON tree: a landing page has one per
/// image, and building trees for them was ~5% of a full build.
pub fn canvas_state(manifest: &str, canvas: &str, region: Option<&str>) -> String {
    let mut json = String::with_capacity(64 + manifest.len() + canvas.len());
    json.push_str("{\"id\":");
    match region {
        Some(r) => push_json_string(&format!("{canvas}#xywh={r}"), &mut json),
        None => push_json_string(canvas, &mut json),
    }
    json.push_str(",\"type\":\"Canvas\",\"partOf\":[{\"id\":");
    push_json_string(manifest, &mut json);
    json.push_str(",\"type\":\"Manifest\"}]}");
    encode(&json)
}

/// `s` as a JSON string, escaped as serde_json escapes it.
fn push_json_string(s: &str, out: &mut String) {
    // Serialising a string cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        // RFC 4648 §10, with the URL alphabet and no padding.
        let cases = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64url(input.as_bytes()), expected, "{input:?}");
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn encodes_like_the_specification_example() {
        // Content State 1.0 §6.1: JSON -> encodeURIComponent -> base64url.
        let json = r#"{"id":"https://example.org/iiif/item1/manifest","type":"Manifest"}"#;
        assert_eq!(
            encode(json),
            "JTdCJTIyaWQlMjIlM0ElMjJodHRwcyUzQSUyRiUyRmV4YW1wbGUub3JnJTJGaWlpZiUyRml0ZW0xJTJGbWFuaWZlc3QlMjIlMkMlMjJ0eXBlJTIyJTNBJTIyTWFuaWZlc3QlMjIlN0Q"
        );
    }

    #[test]
    fn canvas_state_is_the_json_of_its_tree() {
        let odd = "https://x.org/c\"1\\ é\u{1}";
        for region in [None, Some("1,2,3,4")] {
            let id = match region {
                Some(r) => format!("{odd}#xywh={r}"),
                None => odd.to_string(),
            };
            let tree = serde_json::json!({
                "id": id,
                "type": "Canvas",
                "partOf": [{"id": "https://x.org/m?a=1&b=\"", "type": "Manifest"}],
            });
            assert_eq!(
                canvas_state("https://x.org/m?a=1&b=\"", odd, region),
                encode(&tree.to_string())
            );
        }
    }

    #[test]
    fn canvas_state_names_canvas_region_and_manifest() {
        let s = canvas_state("https://x.org/m", "https://x.org/c1", Some("1,2,3,4"));
        assert!(!s.contains('='));
        assert!(!s.contains('+') && !s.contains('/'));
        assert_eq!(
            s,
            encode(
                r#"{"id":"https://x.org/c1#xywh=1,2,3,4","type":"Canvas","partOf":[{"id":"https://x.org/m","type":"Manifest"}]}"#
            )
        );
    }
}
