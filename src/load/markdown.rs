//! Markdown to HTML for pages, notes and the site footer (pulldown-cmark),
//! under the site's raw-HTML rule (issue 19). Whoever edits `content/` is
//! not trusted as much as the site owner's templates: following Hugo, raw
//! HTML in Markdown is left out (and reported) unless site.toml says
//! `[markdown] allow_html = true`, and then it is sanitised as manifest HTML
//! is ([`crate::load::html::sanitize_markdown`]). A link or image to a
//! `javascript:`, `vbscript:` or `data:` URL never passes: its text stays.
//! A Markdown file without raw HTML or such links renders as it always did.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

use crate::config::RawHtml;
use crate::error::{Location, Warning, WarningKind};

/// A Markdown text rendered, and what of it was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The HTML.
    pub html: String,
    /// The first raw HTML found (shortened), when there was any: left out,
    /// or sanitised when the site allows raw HTML.
    pub raw_html: Option<String>,
    /// The links and images whose script or data URL was removed.
    pub script_urls: Vec<String>,
}

impl Rendered {
    /// What to tell the site owner about the file at `at`: raw HTML left
    /// out, links removed.
    pub fn warnings(&self, at: &Location, rule: RawHtml) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if let (Some(raw), RawHtml::Omit) = (&self.raw_html, rule) {
            warnings.push(Warning::new(
                WarningKind::RawHtml,
                at.clone(),
                format!(
                    "raw HTML in Markdown omitted ({raw:?}); a site that trusts its authors \
                     sets `[markdown] allow_html = true` in site.toml to keep it, sanitised"
                ),
            ));
        }
        for url in &self.script_urls {
            warnings.push(Warning::new(
                WarningKind::RawHtml,
                at.clone(),
                format!("link to {url:?} removed: script and data URLs are never published"),
            ));
        }
        warnings
    }
}

/// Render Markdown (tables, footnotes, strikethrough, smart punctuation) to
/// HTML under `rule`.
pub fn render(text: &str, rule: RawHtml) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut raw_html = None;
    let mut script_urls = Vec::new();
    // Whether each open link or image is dropped (they nest: an image in
    // a link), so that its end goes too.
    let mut dropped: Vec<bool> = Vec::new();
    // Inside an inline `<script>` or `<style>`, whose text is not content
    // either (ammonia drops it when the HTML is sanitised).
    let mut in_script = false;
    let text = without_html_controls(text);
    let events = Parser::new_ext(&text, options).filter(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => {
            // A comment is not content: left out without a word.
            if !is_comment(raw) && raw_html.is_none() {
                raw_html = Some(shorten(raw.trim()));
            }
            if matches!(event, Event::InlineHtml(_)) {
                let tag = raw.get(..7).unwrap_or(raw).to_ascii_lowercase();
                if tag.starts_with("<script") || tag.starts_with("<style") {
                    in_script = true;
                } else if tag.starts_with("</scrip") || tag.starts_with("</style") {
                    in_script = false;
                }
            }
            rule == RawHtml::Sanitise
        }
        Event::Text(_) if in_script => rule == RawHtml::Sanitise,
        Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
            let bad = is_script_url(dest_url);
            if bad {
                script_urls.push(shorten(dest_url));
            }
            dropped.push(bad);
            !bad
        }
        Event::End(TagEnd::Link | TagEnd::Image) => !dropped.pop().unwrap_or(false),
        _ => true,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    if rule == RawHtml::Sanitise && raw_html.is_some() {
        out = crate::load::html::sanitize_markdown(&out);
    }
    Rendered {
        html: out,
        raw_html,
        script_urls,
    }
}

/// `text` with the characters HTML forbids in a document (controls but
/// whitespace, noncharacters; a parse error in every browser, and the Nu
/// checker's) replaced by U+FFFD, as CommonMark replaces NUL: a stray
/// vertical tab pasted into a page must not make it invalid HTML.
fn without_html_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let forbidden = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\x0c' | '\r'))
            || matches!(c as u32, 0xFDD0..=0xFDEF)
            || (c as u32 & 0xFFFE) == 0xFFFE
    };
    if text.contains(forbidden) {
        text.replace(forbidden, "\u{fffd}").into()
    } else {
        text.into()
    }
}

/// Whether `raw` is one HTML comment and nothing else.
fn is_comment(raw: &str) -> bool {
    let raw = raw.trim();
    raw.strip_prefix("<!--")
        .and_then(|r| r.strip_suffix("-->"))
        .is_some_and(|inner| !inner.contains("--") && !inner.starts_with('>'))
}

/// A URL a browser would run or render inline from the link itself:
/// `javascript:`, `vbscript:`, `data:`, however spelled (browsers drop
/// leading controls and spaces and tabs and newlines anywhere, and ignore
/// case).
pub fn is_script_url(url: &str) -> bool {
    let squeezed: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|scheme| squeezed.starts_with(scheme))
}

/// At most 60 characters of `text`, for a message.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_html_forbids_are_replaced() {
        // Found by tests/fuzz.rs: a vertical tab in a page's text reached the
        // page, a parse error for every HTML parser.
        for rule in [RawHtml::Omit, RawHtml::Sanitise] {
            let text = "A *site* [link](https:/\x0b/example.org/), \x1b[0m, \u{85}, \u{fdd0} \u{fffe}.\tTab.\n";
            let html = render(text, rule).html;
            assert!(
                !html.contains(['\x0b', '\x1b', '\u{85}', '\u{fdd0}', '\u{fffe}']),
                "{html:?}"
            );
            // In the link's URL, percent-encoded.
            assert_eq!(html.matches('\u{fffd}').count(), 4, "{html:?}");
            assert!(html.contains("https:/%EF%BF%BD/example.org/"), "{html:?}");
            assert!(
                html.contains("<em>site</em>") && html.contains('\t'),
                "{html:?}"
            );
        }
    }

    #[test]
    fn markdown_without_raw_html_renders_as_before() {
        let text = "# Title\n\nSome *text* with [a link](https://x.org/ \"t\") and \
                    ![an image](img.png), `code`, ~~gone~~ and a note.[^1]\n\n\
                    | a | b |\n|:--|--:|\n| 1 | 2 |\n\n[^1]: The note.\n";
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_SMART_PUNCTUATION;
        let mut plain = String::new();
        html::push_html(&mut plain, Parser::new_ext(text, options));
        for rule in [RawHtml::Omit, RawHtml::Sanitise] {
            let r = render(text, rule);
            assert_eq!(r.html, plain);
            assert_eq!((r.raw_html, r.script_urls.len()), (None, 0));
        }
    }

    #[test]
    fn raw_html_is_omitted_and_reported() {
        let r = render(
            "Hi <span onclick=\"x()\">there</span>.\n\n<script>alert(1)</script>\n",
            RawHtml::Omit,
        );
        assert_eq!(r.html, "<p>Hi there.</p>\n");
        let script = render("a <script>alert(1)</script> b", RawHtml::Omit);
        assert_eq!(script.html, "<p>a  b</p>\n");
        assert_eq!(r.raw_html.as_deref(), Some("<span onclick=\"x()\">"));
        let w = r.warnings(&Location::file("content/pages/a.md"), RawHtml::Omit);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].to_string().starts_with(
                "content/pages/a.md: raw HTML in Markdown omitted (\"<span onclick=\\\"x()\\\">\")"
            ),
            "{}",
            w[0]
        );
    }

    #[test]
    fn allowed_raw_html_is_sanitised_and_markdown_kept() {
        let r = render(
            "Hi <b onclick=\"x()\">there</b> [a](/about/).\n\n<iframe src=\"https://x.org/\"></iframe>\n\n| a |\n|:-:|\n| <i>1</i> |\n",
            RawHtml::Sanitise,
        );
        assert!(r.html.contains("<b>there</b>"), "{}", r.html);
        assert!(r.html.contains("<a href=\"/about/\">a</a>"), "{}", r.html);
        assert!(
            r.html
                .contains("<td style=\"text-align:center\"><i>1</i></td>"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("iframe") && !r.html.contains("onclick"));
        assert!(r
            .warnings(&Location::file("a.md"), RawHtml::Sanitise)
            .is_empty());
    }

    #[test]
    fn script_urls_never_pass() {
        for rule in [RawHtml::Omit, RawHtml::Sanitise] {
            for text in [
                "[x](javascript:alert(1))",
                "[x](JaVaScRiPt:alert(1))",
                "[x](&#106;avascript:alert(1))",
                "[x](&#x09;javascript:alert(1))",
                "![x](data:image/svg+xml;base64,AAAA)",
                "[x](vbscript:msgbox(1))",
                "<javascript:alert(1)>",
                "[x][r]\n\n[r]: javascript:alert(1)",
                "[![x](javascript:a)](https://x.org/)",
            ] {
                let r = render(text, rule);
                let urls = r.html.split(['"', '\'']).skip(1).step_by(2);
                for url in urls {
                    assert!(!is_script_url(url), "{text}: {}", r.html);
                }
                assert!(!r.html.contains("=\"javascript"), "{text}: {}", r.html);
                assert_eq!(r.script_urls.len(), 1, "{text}");
            }
        }
        // The text of a removed link stays; other links stay.
        let r = render("[x](javascript:a) [y](https://x.org/)", RawHtml::Omit);
        assert_eq!(r.html, "<p>x <a href=\"https://x.org/\">y</a></p>\n");
    }

    #[test]
    fn comments_are_left_out_without_a_word() {
        let r = render("a\n\n<!-- to do -->\n\nb <!-- x --> c\n", RawHtml::Omit);
        assert_eq!(r.html, "<p>a</p>\n<p>b  c</p>\n");
        assert_eq!(r.raw_html, None);
        // A comment with something after it is raw HTML.
        let r = render("<!-- x --><script>a</script>\n", RawHtml::Omit);
        assert!(r.raw_html.is_some());
        assert!(!r.html.contains("script"));
    }
}
