//! Escaping text for HTML and XML element content and attribute values:
//! the one function every stage that writes markup uses (loading's
//! sanitiser, citations, rendering), so it sits below all of them. What it
//! returns is always well-formed XML text: the characters XML 1.0 forbids
//! (C0 controls other than tab and line breaks, U+FFFE, U+FFFF) are
//! dropped, whatever the text came from.

/// Escape text for HTML element content and attribute values. Runs of
/// plain text are copied whole: the five characters are ASCII, so a byte
/// scan never splits a UTF-8 sequence. The runs are found with memchr's
/// vectorised search (every page's text and URLs pass through here, and a
/// byte-at-a-time loop was ~3% of a full build). Characters XML forbids
/// are dropped first (registry cells refuse them and manifest text loses
/// them when loaded, so this is the rare path: one more pass otherwise).
pub fn escape(text: &str) -> String {
    if has_forbidden(text.as_bytes()) {
        let allowed: String = text.chars().filter(|&c| !forbidden(c)).collect();
        escape_allowed(&allowed)
    } else {
        escape_allowed(text)
    }
}

/// A character XML 1.0's `Char` production leaves out (a parser refuses
/// the document at it; HTML calls it a parse error).
fn forbidden(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Whether `bytes` may hold a [`forbidden`] character: a C0 byte other
/// than tab and line breaks, or 0xEF (the lead byte of U+FFFE and U+FFFF,
/// then checked). The fold has no early exit, so it runs vectorised.
fn has_forbidden(bytes: &[u8]) -> bool {
    let control = bytes.iter().fold(false, |found, &b| {
        found | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r'))
    });
    control
        || (memchr::memchr(0xEF, bytes).is_some()
            && std::str::from_utf8(bytes).is_ok_and(|t| t.chars().any(forbidden)))
}

/// [`escape`] of text with no forbidden character.
fn escape_allowed(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escaped_text_is_plain_xml() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
        // Tab and line breaks stay; C0 controls, U+FFFE and U+FFFF go.
        assert_eq!(
            escape("A\u{0}B\u{1}C\u{b}\u{c}D\u{1b}E\u{fffe}\u{ffff}F"),
            "ABCDEF"
        );
        assert_eq!(escape("t\tn\nr\r"), "t\tn\nr\r");
        // Other text with 0xEF lead bytes, DEL and C1 (allowed in XML) stay.
        assert_eq!(
            escape("\u{f8ff}\u{fffd}\u{7f}\u{85}<"),
            "\u{f8ff}\u{fffd}\u{7f}\u{85}&lt;"
        );
    }
}
