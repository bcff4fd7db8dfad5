//! Minifying the HTML templates once, as they load, so that the pages
//! rendered from them need no pass of minify-html each (issue 6: that pass
//! took ~16% of a build's CPU). Text that Tera inserts into a page is not
//! minified; it is escaped or sanitised where it is made.
//!
//! Only what cannot change what a page shows goes: whitespace beside the
//! tags of block-level elements, runs of whitespace (collapsed to one
//! character), whitespace inside tags, and quotes around plain attribute
//! values. Tera tags, HTML comments, `{% raw %}` and the content of
//! `<pre>`, `<textarea>`, `<code>`, `<script>` and `<style>` are copied as
//! they are. This module must not judge Tera syntax beyond finding where
//! each of its tags ends: the templates have already parsed.

/// How pages are minified: keeping what validators and old parsers want
/// (closing tags, html/head tags, quoted attributes, the doctype).
pub fn minify_cfg() -> minify_html::Cfg {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.minify_css = true;
    cfg.minify_js = false;
    cfg
}

/// Elements whose content is copied as it is: whitespace in it is shown
/// (`pre`, `textarea`; `code`, which stylesheets often set to `white-space:
/// pre`) or is not HTML (`script`, `style`).
const VERBATIM: &[&str] = &["pre", "textarea", "code", "script", "style"];

/// Elements laid out as blocks: whitespace beside their tags is never
/// rendered (it ends or starts a line, or sits between blocks).
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "colgroup",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "optgroup",
    "p",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements never rendered. Whitespace beside one may show (in `a <meta> b`
/// the space between the words is kept), but between two of them it can
/// go: the whitespace on their outer sides still separates the text.
const HIDDEN: &[&str] = &[
    "base", "link", "meta", "script", "style", "template", "title",
];

/// Tera statements that bring in text from another template, which would
/// have been minified without knowing that it lands in a `<pre>` or an
/// attribute value.
const PULLS_IN: &[&str] = &[
    "block", "endblock", "include", "import", "extends", "macro", "endmacro",
];

/// A piece of a template.
enum Piece<'a> {
    /// An HTML start or end tag, with its element's name in lower case
    /// (empty when the name is a Tera expression), already minified.
    Tag { name: String, text: String },
    /// A run of whitespace between other pieces.
    Space(&'a str),
    /// Anything else: a word of text, a Tera tag, a comment, verbatim
    /// content.
    Other(&'a str),
}

/// The HTML template `text` minified, or `None` when it cannot safely be:
/// when a `<pre>` (or another verbatim element) or a tag's attributes take
/// in text from another template, by a block, an include or a macro call,
/// that text would be minified without knowing that its whitespace counts.
pub fn minify_template(text: &str) -> Option<String> {
    let pieces = pieces(text)?;
    let mut out = String::with_capacity(text.len());
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Tag { text, .. } => out.push_str(text),
            Piece::Other(t) => out.push_str(t),
            Piece::Space(s) => {
                let before = element(i.checked_sub(1).map(|i| &pieces[i]));
                let after = element(pieces.get(i + 1));
                let is = |set: &[&str], n: &str| set.contains(&n);
                if is(BLOCK, before)
                    || is(BLOCK, after)
                    || (is(HIDDEN, before) && is(HIDDEN, after))
                {
                    continue;
                }
                // One character shows as the run did; a newline keeps the
                // page's source readable line by line.
                out.push(if s.contains('\n') { '\n' } else { ' ' });
            }
        }
    }
    Some(out)
}

/// The element name of a piece that is a tag, else "".
fn element<'p>(piece: Option<&'p Piece<'_>>) -> &'p str {
    match piece {
        Some(Piece::Tag { name, .. }) => name,
        _ => "",
    }
}

/// Split a template into pieces; `None` when a verbatim element or a tag
/// takes in another template's text.
fn pieces(text: &str) -> Option<Vec<Piece<'_>>> {
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let len = if is_tera_tag(rest) {
            let mut len = tera_tag_len(rest);
            if is_statement(&rest[..len], "raw") {
                len = rest.find("endraw").map_or(rest.len(), |e| {
                    rest[e..].find("%}").map_or(rest.len(), |c| e + c + 2)
                });
            }
            pieces.push(Piece::Other(&rest[..len]));
            len
        } else if rest.starts_with("<!--") {
            let len = rest.find("-->").map_or(rest.len(), |e| e + 3);
            pieces.push(Piece::Other(&rest[..len]));
            len
        } else if let Some(name) = tag_name(rest) {
            let len = tag_len(rest);
            if pulls_in(&rest[..len]) {
                return None;
            }
            let verbatim = !rest.starts_with("</") && VERBATIM.contains(&name.as_str());
            let end_tag = format!("</{name}");
            pieces.push(Piece::Tag {
                text: minify_tag(&rest[..len]),
                name,
            });
            let mut len = len;
            if verbatim {
                // The content, up to the end tag, as it is.
                let content = &rest[len..];
                let end = find_ascii_ci(content, &end_tag).unwrap_or(content.len());
                if pulls_in(&content[..end]) {
                    return None;
                }
                pieces.push(Piece::Other(&content[..end]));
                len += end;
            }
            len
        } else if rest.starts_with(|c: char| c.is_ascii_whitespace()) {
            let len = rest
                .find(|c: char| !c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            pieces.push(Piece::Space(&rest[..len]));
            len
        } else {
            // A word: up to whitespace or what may start a tag.
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let len = rest[first..]
                .find(|c: char| c.is_ascii_whitespace() || c == '<' || c == '{')
                .map_or(rest.len(), |e| first + e);
            pieces.push(Piece::Other(&rest[..len]));
            len
        };
        i += len;
    }
    Some(pieces)
}

fn is_tera_tag(s: &str) -> bool {
    s.starts_with("{{") || s.starts_with("{%") || s.starts_with("{#")
}

/// Length of the Tera tag at the start of `s`, strings in it skipped.
fn tera_tag_len(s: &str) -> usize {
    let close = match &s[..2] {
        "{{" => "}}",
        "{%" => "%}",
        _ => "#}",
    };
    let b = s.as_bytes();
    let mut i = 2;
    while i < b.len() {
        // Bytes, not `&s[i..]`: `i` steps through multi-byte characters.
        if b[i..].starts_with(close.as_bytes()) {
            return i + 2;
        }
        if close != "#}" && matches!(b[i], b'"' | b'\'' | b'`') {
            i += s[i + 1..].find(b[i] as char).map_or(s.len(), |e| e + 1);
        }
        i += 1;
    }
    s.len()
}

/// Whether the Tera tag `tag` is the statement `keyword`.
fn is_statement(tag: &str, keyword: &str) -> bool {
    statement_keyword(tag) == Some(keyword)
}

/// The first word of a Tera statement (`{% block x %}` gives `block`).
fn statement_keyword(tag: &str) -> Option<&str> {
    let inner = tag.strip_prefix("{%")?.trim_start_matches('-').trim_start();
    inner
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
}

/// Whether `content` has a Tera tag that brings in another template's text.
fn pulls_in(content: &str) -> bool {
    let mut rest = content;
    while let Some(at) = rest.find('{') {
        rest = &rest[at..];
        if !is_tera_tag(rest) {
            rest = &rest[1..];
            continue;
        }
        let tag = &rest[..tera_tag_len(rest)];
        let calls = !tag.starts_with("{#") && (tag.contains("::") || tag.contains("super("));
        if calls || statement_keyword(tag).is_some_and(|k| PULLS_IN.contains(&k)) {
            return true;
        }
        rest = &rest[tag.len()..];
    }
    false
}

/// The element name of the start or end tag at the start of `s`, in lower
/// case: empty for a name made by Tera (`<{{ tag }}`). `None` when `s` does
/// not start with a tag (`a < b` is text).
fn tag_name(s: &str) -> Option<String> {
    let name = s.strip_prefix("</").or_else(|| s.strip_prefix('<'))?;
    if name.starts_with('{') {
        return Some(String::new());
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = name
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .unwrap_or(name.len());
    Some(name[..end].to_ascii_lowercase())
}

/// Length of the tag at the start of `s`: up to the `>` that is not in a
/// quoted value or a Tera tag.
fn tag_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'>' => return i + 1,
            b'"' | b'\'' => i += quoted_len(&s[i..]),
            b'{' if is_tera_tag(&s[i..]) => i += tera_tag_len(&s[i..]),
            _ => i += 1,
        }
    }
    s.len()
}

/// Length of the quoted value at the start of `s`, quotes included; Tera
/// tags in it (which may hold the quote character) are skipped.
fn quoted_len(s: &str) -> usize {
    let quote = s.as_bytes()[0];
    let mut i = 1;
    while i < s.len() {
        if s.as_bytes()[i] == quote {
            return i + 1;
        }
        // `{` is one byte, so `i` is then at a character boundary.
        if s.as_bytes()[i] == b'{' && is_tera_tag(&s[i..]) {
            i += tera_tag_len(&s[i..]);
        } else {
            i += 1;
        }
    }
    s.len()
}

/// A tag with its whitespace collapsed, none before `>`, and plain
/// attribute values unquoted.
fn minify_tag(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len());
    let b = tag.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &tag[i..];
        if is_tera_tag(rest) {
            let len = tera_tag_len(rest);
            out.push_str(&rest[..len]);
            i += len;
        } else if matches!(b[i], b'"' | b'\'') {
            let len = quoted_len(rest);
            let closed = len >= 2 && b[i + len - 1] == b[i];
            let value = if closed { &rest[1..len - 1] } else { "" };
            let then = rest.as_bytes().get(len).copied();
            // Unquoted, a value ends at whitespace or `>`; anything else
            // after it (a Tera tag, `/`) would join it.
            if out.ends_with('=')
                && plain(value)
                && matches!(then, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | 0x0c))
            {
                out.push_str(value);
            } else {
                out.push_str(&rest[..len]);
            }
            i += len;
        } else if b[i].is_ascii_whitespace() {
            let len = rest
                .find(|c: char| !c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            if !rest[len..].starts_with('>') {
                out.push(' ');
            }
            i += len;
        } else {
            let len = rest.chars().next().map_or(1, char::len_utf8);
            out.push_str(&rest[..len]);
            i += len;
        }
    }
    out
}

/// Whether an attribute value may go without quotes: characters that mean
/// nothing to the tokeniser or to Tera, and no final `/` (in `href=/>` a
/// reader could take it for a self-closing slash).
fn plain(value: &str) -> bool {
    !value.is_empty()
        && !value.ends_with('/')
        && value
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.:/#?,;+%@!~*".contains(&c))
}

/// Byte offset of `needle` (ASCII) in `haystack`, ignoring ASCII case.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        let cases = [
            // Whitespace beside block tags goes; between inline ones it
            // collapses to one character.
            (
                "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n",
                "<ul><li>a</li><li>b</li></ul>",
            ),
            (
                "<p>See\n    <a href=\"x\">x</a>   and <b>y</b>\n</p>",
                "<p>See\n<a href=x>x</a> and <b>y</b></p>",
            ),
            // Between two hidden elements it goes; beside one, it stays.
            (
                "<meta charset=\"utf-8\">\n<link rel=\"a\" href=\"b\">\n",
                "<meta charset=utf-8><link rel=a href=b>\n",
            ),
            (
                "a\n<script src=\"x.js\"></script>\nb",
                "a\n<script src=x.js></script>\nb",
            ),
            // Tera statements are not tags: whitespace beside them collapses.
            (
                "<div>\n  {% if a %}\n  <span>x</span>\n  {% endif %}\n</div>",
                "<div>{% if a %}\n<span>x</span>\n{% endif %}</div>",
            ),
            // Tera tags, comments and verbatim content are kept.
            (
                "<p>{{  a  |  default(value=\"x  >\")  }}</p>",
                "<p>{{  a  |  default(value=\"x  >\")  }}</p>",
            ),
            (
                "<!--  keep  -->  {#  note  #}",
                "<!--  keep  --> {#  note  #}",
            ),
            (
                "<pre>\n  a\n    b\n</pre>\n<p>x</p>",
                "<pre>\n  a\n    b\n</pre><p>x</p>",
            ),
            (
                "<script>\n  let a =  1;\n</script>",
                "<script>\n  let a =  1;\n</script>",
            ),
            (
                "{% raw %}<p>\n  {{ x }}\n</p>{% endraw %}",
                "{% raw %}<p>\n  {{ x }}\n</p>{% endraw %}",
            ),
            // Attribute values: plain ones lose their quotes; values with
            // spaces, Tera or a final slash keep them, as does a value
            // that something other than whitespace or `>` follows.
            (
                "<a  class=\"x y\"\n   href=\"/\" >",
                "<a class=\"x y\" href=\"/\">",
            ),
            (
                "<a href=\"{{ u }}\" id=\"top\">",
                "<a href=\"{{ u }}\" id=top>",
            ),
            (
                "<li class=\"a\"{% if b %} hidden{% endif %}>",
                "<li class=\"a\"{% if b %} hidden{% endif %}>",
            ),
            ("<img src=\"a.png\" />", "<img src=a.png />"),
            (
                "<p title=\"{{ t | replace(from='\"', to='') }}\">x</p>",
                "<p title=\"{{ t | replace(from='\"', to='') }}\">x</p>",
            ),
            // A tag named by Tera is kept whole; `<` before a space is text.
            ("<{{ t }} title=\"a  b\">  x", "<{{ t }} title=\"a  b\"> x"),
            ("a < b  and  c", "a < b and c"),
            ("<p>café  au  lait</p>", "<p>café au lait</p>"),
            // Characters of several bytes in values, Tera tags and comments.
            (
                "<p title=\"Café {{ x }} é\">é {# é #}</p>",
                "<p title=\"Café {{ x }} é\">é {# é #}</p>",
            ),
            (
                "<a title=\"é\" href=\"{{ \"é\" }}\">",
                "<a title=\"é\" href=\"{{ \"é\" }}\">",
            ),
        ];
        for (template, want) in cases {
            assert_eq!(
                minify_template(template).as_deref(),
                Some(want),
                "{template:?}"
            );
        }
    }

    proptest::proptest! {
        // Site templates are input: no text, however broken, panics. Made
        // of the pieces the minifier looks for, several bytes long or not.
        #[test]
        fn no_template_panics(
            text in "(<|</|>|\\{|\\}|%|#|\"|'|=|-| |\n|a|p|é|·|pre|raw|endraw|!--|::)*"
        ) {
            let _ = minify_template(&text);
        }
    }

    #[test]
    fn a_verbatim_element_or_tag_that_takes_in_other_templates_is_not_minified() {
        for template in [
            "<pre>{% block code %}{% endblock %}</pre>",
            "<pre>{{ m::listing() }}</pre>",
            "<textarea>{% include \"partials/x.html\" %}</textarea>",
            "<pre>{{ super() }}</pre>",
            "<a title=\"{{ m::tip() }}\">",
            "<body class=\"{% block body_class %}{% endblock %}\">",
            "{% block a %}<pre>{% endblock %}",
        ] {
            assert_eq!(minify_template(template), None, "{template:?}");
        }
        // Values and statements of its own are fine.
        assert!(minify_template("<pre>{% if a %}{{ a }}{% endif %}</pre>").is_some());
    }
}
