//! Untrusted HTML from manifests, reduced to what the IIIF Presentation API
//! allows (`a b br i img p small span sub sup`, `href`/`src`/`alt`, http(s)
//! and mailto URLs) with ammonia, a maintained HTML5 sanitiser. Everything a
//! manifest says passes through here before it reaches the model. What comes
//! out is also valid HTML wherever a page puts flow content (issue 4: the Nu
//! Html Checker finds no error in it): URLs keep to the URL code points, a
//! link whose URL was removed keeps no `rel`, an image without a `src` is
//! dropped and a paragraph inside a `<span>`, `<b>`… is unwrapped.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

pub use crate::escape::escape;
use crate::model::resource::{url_code_points, Html};

/// The elements the IIIF Presentation API allows in a manifest's HTML.
const IIIF_TAGS: [&str; 10] = [
    "a", "b", "br", "i", "img", "p", "small", "span", "sub", "sup",
];

/// The URL schemes a manifest's links and images may use.
const IIIF_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

static IIIF_SUBSET: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.tags(HashSet::from(IIIF_TAGS))
        .tag_attributes(
            [
                ("a", HashSet::from(["href"])),
                ("img", HashSet::from(["src", "alt"])),
            ]
            .into_iter()
            .collect(),
        )
        .url_schemes(HashSet::from(IIIF_SCHEMES))
        // A manifest's relative URL has no sensible base on a landing page.
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("a", "href") | ("img", "src") => Some(url_code_points(value).into()),
            _ => Some(value.into()),
        })
        .strip_comments(true);
    b
});

/// Markdown's HTML with the site's own raw HTML in it, when the site allows
/// it (`[markdown] allow_html`): the manifests' elements, attributes and URL
/// schemes, plus what pulldown-cmark itself writes (headings, lists, tables
/// and their alignment, code, quotes, footnotes) and relative URLs (a page
/// links the site's own pages). Links get no `rel`: they are the site's.
static MARKDOWN: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    const MARKDOWN_TAGS: [&str; 23] = [
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "em",
        "strong",
        "del",
        "code",
        "pre",
        "blockquote",
        "hr",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
    ];
    let mut b = ammonia::Builder::empty();
    b.tags(IIIF_TAGS.into_iter().chain(MARKDOWN_TAGS).collect())
        .tag_attributes(
            [
                ("a", HashSet::from(["href", "title"])),
                ("img", HashSet::from(["src", "alt", "title"])),
                ("ol", HashSet::from(["start"])),
                ("th", HashSet::from(["style"])),
                ("td", HashSet::from(["style"])),
                ("code", HashSet::from(["class"])),
                ("sup", HashSet::from(["class"])),
                ("div", HashSet::from(["class", "id"])),
            ]
            .into_iter()
            .collect(),
        )
        .filter_style_properties(HashSet::from(["text-align"]))
        .url_schemes(HashSet::from(IIIF_SCHEMES))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("a", "href") | ("img", "src") => Some(url_code_points(value).into()),
            _ => Some(value.into()),
        })
        .strip_comments(true);
    b
});

/// The `rel` ammonia gives every link: an `<a>` whose `href` it removed
/// (`javascript:`, relative) keeps it, which HTML does not allow.
const LINK_REL: &str = "nofollow noopener noreferrer";

static NO_TAGS: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.strip_comments(true);
    b
});

/// `value` in Unicode Normalization Form C (what the W3C asks of web
/// text, and what the Nu Html Checker warns about otherwise: real manifests
/// write `a` followed by a combining diaeresis), without the code points
/// HTML forbids in a document: controls other than whitespace (C0 and C1:
/// real manifests carry a stray U+0086 where an `æ` was mis-decoded) and
/// noncharacters.
fn without_forbidden(value: &str) -> Cow<'_, str> {
    fn forbidden(c: char) -> bool {
        let n = u32::from(c);
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
            || (0xFDD0..=0xFDEF).contains(&n)
            || n & 0xFFFE == 0xFFFE
    }
    const NFC: icu_normalizer::ComposingNormalizerBorrowed<'static> =
        icu_normalizer::ComposingNormalizerBorrowed::new_nfc();
    let value = NFC.normalize(value);
    if value.chars().any(forbidden) {
        Cow::Owned(value.chars().filter(|&c| !forbidden(c)).collect())
    } else {
        value
    }
}

/// Whether a value looks like markup (IIIF says HTML values start with `<`;
/// real v2 manifests also mix tags into text, so any tag-like `<` counts).
fn looks_like_html(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
        || value.contains('&')
}

/// Sanitise a manifest value into the IIIF HTML subset.
pub fn sanitize(value: &str, lang: Option<String>) -> Html {
    let value = without_forbidden(value);
    let value = value.trim();
    let html = if looks_like_html(value) {
        let cleaned = IIIF_SUBSET.clean(value).to_string();
        let cleaned = cleaned.replace(&format!("<a rel=\"{LINK_REL}\">"), "<a>");
        unwrap_inline_paragraphs(&img_alt(&cleaned))
    } else {
        escape(value)
    };
    let text = to_text(&html);
    Html { html, text, lang }
}

/// Sanitise the HTML of a Markdown text that has raw HTML in it, for a
/// site that allows it (see [`crate::load::markdown`]).
pub fn sanitize_markdown(html: &str) -> String {
    let cleaned = MARKDOWN.clean(&without_forbidden(html)).to_string();
    img_alt(&cleaned)
}

/// Give every `<img>` an `alt` attribute (empty when the manifest gave
/// none), so screen readers skip decorative images instead of reading the
/// URL, and drop an `<img>` left without a `src` (ammonia removes a
/// `javascript:` one). Works on ammonia's output, where attribute values are
/// always double-quoted and `"` inside them is written `&quot;`.
fn img_alt(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    while let Some(i) = rest.find("<img") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = tag_end(rest) else {
            out.push_str(rest);
            return out;
        };
        let tag = &rest[..end];
        if !tag.contains(" src=\"") {
            rest = &rest[end + 1..];
            continue;
        }
        out.push_str(tag);
        if !tag.contains(" alt=\"") {
            out.push_str(" alt=\"\"");
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The end of the tag that starts `html` (the first `>` outside a quoted
/// attribute value), if it has one.
fn tag_end(html: &str) -> Option<usize> {
    let mut quoted = false;
    html.char_indices()
        .find(|&(_, c)| {
            if c == '"' {
                quoted = !quoted;
            }
            c == '>' && !quoted
        })
        .map(|(j, _)| j)
}

/// HTML allows `<p>` only where flow content is (`<span><p>` is an error, one
/// the HTML parser leaves in place): a paragraph inside `span`, `b`, `i`,
/// `small`, `sub` or `sup` loses its tags, and a `<br>` ends it instead.
/// Works on ammonia's output, whose tags are balanced and lowercase.
fn unwrap_inline_paragraphs(html: &str) -> String {
    const PHRASING: [&str; 6] = ["span", "b", "i", "small", "sub", "sup"];
    if !html.contains("<p") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    // Open elements; an unwrapped paragraph is kept as "p-" so that its end
    // tag is known.
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = tag_end(rest) else {
            break;
        };
        let tag = &rest[..=end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with("</");
        let name_start = if closing { 2 } else { 1 };
        let name = tag[name_start..]
            .split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or("");
        match (closing, name) {
            (false, "br" | "img") => out.push_str(tag),
            (false, "p") if open.iter().any(|t| PHRASING.contains(t)) => open.push("p-"),
            (false, _) => {
                open.push(name);
                out.push_str(tag);
            }
            (true, _) => {
                // Balanced input: the element closed is the last one open.
                if open.pop() == Some("p-") {
                    out.push_str("<br>");
                } else {
                    out.push_str(tag);
                }
            }
        }
    }
    out.push_str(rest);
    out
}

/// Plain text of a manifest value: tags dropped, entities decoded.
pub fn strip(value: &str) -> String {
    let value = &*without_forbidden(value);
    if looks_like_html(value) {
        let cleaned = NO_TAGS.clean(value).to_string();
        collapse_space(&unescape(&cleaned))
    } else {
        collapse_space(value)
    }
}

/// Plain text of sanitised HTML (`<br>` and `</p>` become spaces).
fn to_text(html: &str) -> String {
    let spaced = html.replace("<br>", " ").replace("</p>", " ");
    strip(&spaced)
}

fn collapse_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decode the entities html5ever's serialiser writes, plus numeric ones.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_text_around_the_five_characters() {
        assert_eq!(
            escape("Göttingen <a href='x'>&\"ü"),
            "Göttingen &lt;a href=&#39;x&#39;&gt;&amp;&quot;ü"
        );
        assert_eq!(escape(""), "");
        assert_eq!(escape("<<"), "&lt;&lt;");
    }

    #[test]
    fn escape_agrees_with_a_character_at_a_time_escape() {
        let reference = |text: &str| -> String {
            text.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c => c.to_string(),
                })
                .collect()
        };
        // Every string of up to four of these pieces, and long runs between
        // the characters (memchr's vector loop).
        let pieces = ["&", "<", ">", "\"", "'", "a", "é", "𝄞", &"x".repeat(70)];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
            texts.extend(longer);
        }
        for text in &texts {
            assert_eq!(escape(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn keeps_the_iiif_subset() {
        let h = sanitize(
            "<p>A <b>bold</b> <a href=\"https://x.org/\">link</a></p>",
            None,
        );
        assert_eq!(
            h.html,
            "<p>A <b>bold</b> <a href=\"https://x.org/\" rel=\"nofollow noopener noreferrer\">link</a></p>"
        );
        assert_eq!(h.text, "A bold link");
    }

    #[test]
    fn removes_script_handlers_and_javascript_urls() {
        let h = sanitize(
            "<script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">x</a><div style=\"x\">y</div>",
            None,
        );
        assert!(!h.html.contains("script"), "{}", h.html);
        assert!(!h.html.contains("onerror"), "{}", h.html);
        assert!(!h.html.contains("javascript"), "{}", h.html);
        assert!(!h.html.contains("div"), "{}", h.html);
    }

    #[test]
    fn images_get_an_alt() {
        let cases = [
            ("<img src=\"https://x.org/a.png\">", "<img src=\"https://x.org/a.png\" alt=\"\">"),
            (
                "<img alt=\"A > B\" src=\"https://x.org/a.png\">",
                "<img alt=\"A &gt; B\" src=\"https://x.org/a.png\">",
            ),
            (
                "<p><img src=\"https://x.org/1.png\"><img src=\"https://x.org/2.png\" alt=\"two\"></p>",
                "<p><img src=\"https://x.org/1.png\" alt=\"\"><img src=\"https://x.org/2.png\" alt=\"two\"></p>",
            ),
            // No src left: nothing to show, and HTML requires one.
            ("<img src=\"javascript:alert(1)\">", ""),
            ("<p>a<img>b</p>", "<p>ab</p>"),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize(input, None).html, expected, "{input}");
        }
    }

    #[test]
    fn link_urls_keep_to_the_url_code_points() {
        let h = sanitize(
            "<a href=\"https://x.org/Results?filter[]=a:b\">x</a><img src=\"https://x.org/i[1].png\">",
            None,
        );
        assert_eq!(
            h.html,
            "<a href=\"https://x.org/Results?filter%5B%5D=a:b\" rel=\"nofollow noopener noreferrer\">x</a><img src=\"https://x.org/i%5B1%5D.png\" alt=\"\">"
        );
    }

    #[test]
    fn links_without_a_url_keep_no_rel() {
        let h = sanitize("<p>Desc <a href=\"javascript:alert(1)\">x</a></p>", None);
        assert_eq!(h.html, "<p>Desc <a>x</a></p>");
    }

    #[test]
    fn paragraphs_inside_phrasing_elements_are_unwrapped() {
        let cases = [
            (
                "<span><p>one</p><p>two</p></span>",
                "<span>one<br>two<br></span>",
            ),
            ("<b>x <i><p>y</p></i></b>", "<b>x <i>y<br></i></b>"),
            (
                "<p>a <span>b</span></p><p>c</p>",
                "<p>a <span>b</span></p><p>c</p>",
            ),
            (
                "<a href=\"https://x.org/\"><p>flow</p></a>",
                "<a href=\"https://x.org/\" rel=\"nofollow noopener noreferrer\"><p>flow</p></a>",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(sanitize(input, None).html, expected, "{input}");
        }
    }

    #[test]
    fn forbidden_code_points_are_dropped() {
        assert_eq!(sanitize("ph\u{86}nomena\u{0}", None).html, "phnomena");
        assert_eq!(
            sanitize("<b>a\u{7f}\u{fdd0}\u{fffe}b</b>", None).html,
            "<b>ab</b>"
        );
        assert_eq!(strip("x\u{1}y\u{9f}z"), "xyz");
        assert_eq!(sanitize("a\tb", None).html, "a\tb");
    }

    #[test]
    fn text_is_in_normalization_form_c() {
        // "Gebra\u{308}uche" is "Gebräuche" spelled with a combining diaeresis.
        assert_eq!(strip("Kirchen-Gebra\u{308}uche"), "Kirchen-Gebr\u{e4}uche");
        assert_eq!(
            sanitize("<i>Gebra\u{308}uche</i>", None).html,
            "<i>Gebr\u{e4}uche</i>"
        );
        assert_eq!(sanitize("Gebra\u{308}uche", None).text, "Gebr\u{e4}uche");
    }

    #[test]
    fn plain_text_is_escaped() {
        assert_eq!(sanitize("a \"b\"", None).html, "a &quot;b&quot;");
        assert_eq!(sanitize("x < y", None).html, "x &lt; y");
    }

    #[test]
    fn strip_gives_text() {
        assert_eq!(strip("<b>Bold</b> &amp; <i>co</i>"), "Bold & co");
        assert_eq!(strip("</script><script>alert(1)</script>"), "");
        assert_eq!(strip("AT&T"), "AT&T");
    }
}
