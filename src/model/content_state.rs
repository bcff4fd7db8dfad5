//! IIIF Content State 1.0: a canvas (or a region of it) in a manifest,
//! written as JSON, then `encodeURIComponent`, then base64url without `=`
//! padding, for `?iiif-content=` links and `data-iiif-content` attributes.
//! Pure functions; the viewer script decodes what is written here.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
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

/// base64url without padding (RFC 4648 §5).
fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The content state of a canvas, optionally a `x,y,w,h` region of it, in
/// a manifest: the target-only form the specification allows.
pub fn canvas_state(manifest: &str, canvas: &str, region: Option<&str>) -> String {
    CanvasStates::new(manifest).state(canvas, region)
}

/// Content states of the canvases of one manifest. Written directly rather
/// than through a JSON tree, and the part after the canvas's id, the same
/// for every canvas of the manifest, is escaped once: a landing page has a
/// state per image, and building them was ~5% of a full build.
pub struct CanvasStates {
    /// `,"type":"Canvas","partOf":[{"id":…,"type":"Manifest"}]}`, escaped
    /// as `encodeURIComponent` escapes it, in base64url after each of the
    /// ends a canvas's part can leave over (see [`CanvasStates::state`]).
    tails: [String; 3],
}

/// How the escaped head of every state ends: its id's closing quote.
const HEAD_END: &[u8] = b"%22";

impl CanvasStates {
    /// The states of canvases in `manifest` (its id).
    pub fn new(manifest: &str) -> CanvasStates {
        let mut json = String::with_capacity(64 + manifest.len());
        json.push_str(",\"type\":\"Canvas\",\"partOf\":[{\"id\":");
        push_json_string(manifest, &mut json);
        json.push_str(",\"type\":\"Manifest\"}]}");
        let tail: String = utf8_percent_encode(&json, URI_COMPONENT).collect();
        let after = |left: &[u8]| base64url(&[left, tail.as_bytes()].concat());
        CanvasStates {
            tails: [after(b""), after(&HEAD_END[2..]), after(&HEAD_END[1..])],
        }
    }

    /// The state of `canvas` (its id), or of a region of it.
    pub fn state(&self, canvas: &str, region: Option<&str>) -> String {
        let mut head = String::with_capacity(16 + canvas.len());
        head.push_str("{\"id\":");
        match region {
            Some(r) => push_json_string(&format!("{canvas}#xywh={r}"), &mut head),
            None => push_json_string(canvas, &mut head),
        }
        let escaped: String = utf8_percent_encode(&head, URI_COMPONENT).collect();
        // base64 writes 3 bytes as 4 characters, so the state is the
        // head's whole groups, then the rest of the head (0 to 2 bytes,
        // the end of its `%22`) and the tail, encoded once per manifest
        // for each of the three: the tail is most of a state.
        let bytes = escaped.as_bytes();
        debug_assert!(bytes.ends_with(HEAD_END));
        let whole = bytes.len() - bytes.len() % 3;
        let mut state = base64url(&bytes[..whole]);
        state.push_str(&self.tails[bytes.len() % 3]);
        state
    }
}

/// `s` as a JSON string, escaped as serde_json escapes it. Ids are URLs,
/// which almost never hold a character JSON escapes: those are copied.
fn push_json_string(s: &str, out: &mut String) {
    if s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        // Serialising a string cannot fail.
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    } else {
        out.push('"');
        out.push_str(s);
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A whole content state's JSON encoded as the specification says, in
    /// one piece: what `CanvasStates` must agree with.
    fn encode(json: &str) -> String {
        let escaped: String = utf8_percent_encode(json, URI_COMPONENT).collect();
        base64url(escaped.as_bytes())
    }

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
    fn states_of_ids_of_every_length_are_encoded_whole() {
        // The tail is encoded once for each of the three ways a canvas's
        // part can end a base64 group; ids of every length hit all three.
        let manifest = "https://x.org/m\u{e9}?a=\"1\"";
        let states = CanvasStates::new(manifest);
        for n in 0..12 {
            let id = format!("https://x.org/c{}\u{e9}\"", "1".repeat(n));
            for region in [None, Some("1,2,3,4")] {
                let canvas = match region {
                    Some(r) => format!("{id}#xywh={r}"),
                    None => id.clone(),
                };
                let tree = serde_json::json!({
                    "id": canvas,
                    "type": "Canvas",
                    "partOf": [{"id": manifest, "type": "Manifest"}],
                });
                assert_eq!(states.state(&id, region), encode(&tree.to_string()), "{id}");
            }
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
