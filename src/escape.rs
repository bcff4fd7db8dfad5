//! Escaping text for HTML and XML element content and attribute values:
//! the one function every stage that writes markup uses (loading's
//! sanitiser, citations, rendering), so it sits below all of them.

/// Escape text for HTML element content and attribute values. Runs of
/// plain text are copied whole: the five characters are ASCII, so a byte
/// scan never splits a UTF-8 sequence. The runs are found with memchr's
/// vectorised search (every page's text and URLs pass through here, and a
/// byte-at-a-time loop was ~3% of a full build).
pub fn escape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut plain = 0;
    // The next of `& < >` and the next of `" '` at or after `plain`.
    let mut next_tag = memchr::memchr3(b'&', b'<', b'>', bytes);
    let mut next_quote = memchr::memchr2(b'"', b'\'', bytes);
    loop {
        let i = match (next_tag, next_quote) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => break,
        };
        out.push_str(&text[plain..i]);
        out.push_str(match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        plain = i + 1;
        let rest = &bytes[plain..];
        if next_tag == Some(i) {
            next_tag = memchr::memchr3(b'&', b'<', b'>', rest).map(|j| plain + j);
        }
        if next_quote == Some(i) {
            next_quote = memchr::memchr2(b'"', b'\'', rest).map(|j| plain + j);
        }
    }
    out.push_str(&text[plain..]);
    out
}
