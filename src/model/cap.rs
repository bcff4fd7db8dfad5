//! Caps on text a page repeats: a title is written in the page's `<title>`,
//! its heading, its meta tags, JSON-LD, COinS and every citation, and a
//! summary in the meta description and JSON-LD, so a 200,000-character
//! label made a 2.8 MB page. Longer text is cut at a character boundary and
//! ends with `…`; the loaders warn, naming the row or file. Names (a
//! creator, a publisher, a metadata label) are capped as titles are, longer
//! text (a note, a metadata value) as summaries.

/// The most characters of a title (a registry `title` or a IIIF label).
pub const TITLE_CHARS: usize = 500;

/// The most characters of a summary's plain text (the meta description and
/// JSON-LD's `description`; the page shows the summary's markup whole).
pub const SUMMARY_CHARS: usize = 2000;

/// Cut `text` to `max` characters, the last one `…`; its length in
/// characters when it was cut.
pub fn cap(text: &mut String, max: usize) -> Option<usize> {
    // Bytes bound characters from above: most text is short, and counts
    // nothing.
    if text.len() <= max {
        return None;
    }
    let (cut, _) = text.char_indices().nth(max - 1)?;
    // Exactly `max` characters: kept whole.
    text[cut..].chars().nth(1)?;
    let chars = max + text[cut..].chars().count() - 1;
    text.truncate(cut);
    text.push('…');
    Some(chars)
}

/// Cut the plain text of an HTML value to `max` characters, as [`cap`]
/// does; when it is cut, its markup becomes that text, escaped (markup
/// cannot be cut safely at a character), so the page shows no more than
/// `max` characters of it either. Its length in characters when it was cut.
pub fn cap_html(value: &mut crate::model::resource::Html, max: usize) -> Option<usize> {
    let chars = cap(&mut value.text, max)?;
    value.html = crate::escape::escape(&value.text);
    Some(chars)
}

#[cfg(test)]
mod tests {
    use super::cap;

    #[test]
    fn text_is_cut_to_its_cap_at_a_character() {
        let mut short = "é".repeat(10);
        assert_eq!(cap(&mut short, 10), None);
        assert_eq!(short, "é".repeat(10));
        let mut long = "é".repeat(11);
        assert_eq!(cap(&mut long, 10), Some(11));
        assert_eq!(long, format!("{}…", "é".repeat(9)));
        assert_eq!(long.chars().count(), 10);
    }
}
