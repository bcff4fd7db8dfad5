//! Citations by shape: a style is rendered once per distinct citation
//! "shape" (the CSL-JSON item with its title, holder, shelfmark, URL and id
//! replaced by placeholders; every other field kept as it is) and each
//! item of that shape gets the placeholder render with its own values put
//! in. Rendering is most of a build's citation cost, and a site's items
//! come in few shapes (37 in the 1,000-PID bench site).
//!
//! A holder (`publisher`, `archive`) the substitution does not take (a
//! name with periods: "University of California, Los Angeles. Library.")
//! stays in the shape as written, as the fields not substituted do: a
//! site's holders are few, so its items still come in few shapes. Any
//! other value it does not take renders its item in full (a title or a URL
//! is the item's own, so a shape of it would serve one item).
//!
//! Why the substitution gives what a full render gives, for the values it
//! takes (any other value, or a shape that fails a check below, is rendered
//! in full):
//!
//! - Every condition the processor tests reads a substituted variable only
//!   for being present and not empty, or for being numeric: values and
//!   placeholders are non-empty and never numeric (`Numeric::from_str`).
//! - A text value ([`plain`]) starts and ends with a letter or digit, has a
//!   letter, and holds only letters, digits, single spaces and `, ; : - – —
//!   & / # % +`: no period (`strip-periods`), quote, apostrophe, bracket,
//!   markup (`<span class="nocase">`) or other whitespace. So the processor's
//!   steps that look at the ends of a pushed text (pulling punctuation into
//!   quotes, trimming a space before punctuation, dropping an affix that the
//!   text already ends with) decide the same for the value as for the
//!   placeholder, and the case folder's state after it is the same. A value
//!   ending in a digit is put in only where [`ends_safely`] says so.
//! - Case: a placeholder is `of <word> <Word> of`. It comes out unchanged
//!   only where no case applies to it (any text-case changes one of its
//!   words, except capitalize-first after other text, which changes nothing
//!   there either); it comes out as the standalone CSL title case of itself
//!   (`Of … of`: first word capitalized, stop word last) only where title
//!   case applies with the value at the start of a word, as its first word,
//!   and its last word ends under title case. The value then gets its own
//!   standalone title case: within it, title case reads only its own
//!   characters. Any other form, or a placeholder found (case-insensitively)
//!   more often than in these two forms, makes the shape rendered in full.
//! - The URL is only ever written as a link (its text and address); a shape
//!   that writes it any other way is rendered in full. The id is never
//!   written.
//! - Each shape is checked once more: a second render with other
//!   placeholders must equal the first render with those put in.
//!
//! `citations_by_shape_are_the_full_renders` (in `styles.rs`) compares this
//! with a full render for every item of the corpus and the fixtures, and
//! variants of them, in every built-in style and every interface language.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use hayagriva::citationberg::TextCase;
use hayagriva::lang::Case;
use hayagriva::types::Numeric;
use hayagriva::{ElemChild, ElemChildren};
use serde_json::{Map, Value};

/// How a field's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// As text, perhaps in title case.
    Text,
    /// As a link only.
    Link,
    /// Never.
    Hidden,
}

/// A substituted field: its CSL-JSON key, how it is written, whether a
/// value it does not take stays in the shape (a holder) rather than
/// rendering the item in full, the lower-case token unique to its
/// placeholders, and the two placeholders.
struct Field {
    key: &'static str,
    kind: Kind,
    shared: bool,
    token: [&'static str; 2],
    placeholder: [&'static str; 2],
}

const FIELDS: [Field; 6] = [
    Field {
        key: "id",
        kind: Kind::Hidden,
        shared: false,
        token: ["qzid", "vxid"],
        placeholder: ["qzid", "vxid-2"],
    },
    Field {
        key: "title",
        kind: Kind::Text,
        shared: false,
        token: ["qzti", "vxti"],
        placeholder: ["of qzti Qzxti of", "on vxti Vxyti nor vxzti on"],
    },
    Field {
        key: "publisher",
        kind: Kind::Text,
        shared: true,
        token: ["qzpu", "vxpu"],
        placeholder: ["of qzpu Qzxpu of", "on vxpu Vxypu nor vxzpu on"],
    },
    Field {
        key: "archive",
        kind: Kind::Text,
        shared: true,
        token: ["qzar", "vxar"],
        placeholder: ["of qzar Qzxar of", "on vxar Vxyar nor vxzar on"],
    },
    Field {
        key: "archive_location",
        kind: Kind::Text,
        shared: false,
        token: ["qzlo", "vxlo"],
        placeholder: ["of qzlo Qzxlo of", "on vxlo Vxylo nor vxzlo on"],
    },
    Field {
        key: "URL",
        kind: Kind::Link,
        shared: false,
        token: ["qzur", "vxur"],
        placeholder: ["https://qzur.example/of", "https://vxur.example/on/x"],
    },
];

/// Shapes kept per style: enough for any real site's variety, bounded so
/// that a site of many shapes does not grow the cache without end (what is
/// not kept is rendered in full).
const MAX_SHAPES: usize = 4096;

/// A style's render of one shape, with the first placeholders.
struct Template {
    content: ElemChildren,
    /// Per field of [`FIELDS`]: whether it is written in title case
    /// somewhere.
    titled: [bool; FIELDS.len()],
    /// Per field: what follows each of its placeholders in its text up to
    /// the next letter, run together; `None` when one is followed by no
    /// letter in its text (see [`ends_safely`]).
    tails: [Option<String>; FIELDS.len()],
}

/// Whether a value that ends in a digit can be put in where its field's
/// placeholders are followed by `tails`. The processor drops a text of no
/// letters pushed after text that already ends with it (an affix after a
/// value ending in it); after a placeholder, which ends in a letter, it
/// never does. After the value it could only if that text, pushed after
/// the value and anything between, reached back into the value: then the
/// value's last character would be in what follows it before the next
/// letter of its text. A value ending in a letter is always safe.
fn ends_safely(value: &str, tails: Option<&str>) -> bool {
    match value.chars().next_back() {
        Some(c) if !c.is_alphabetic() => tails.is_some_and(|t| !t.contains(c)),
        _ => true,
    }
}

/// What follows each occurrence of `pattern` in `text` up to the next
/// letter, appended to `tails`; `false` when no letter follows one.
fn push_tails(text: &str, pattern: &str, tails: &mut String) -> bool {
    for (at, _) in text.match_indices(pattern) {
        let after = &text[at + pattern.len()..];
        match after.find(char::is_alphabetic) {
            Some(end) => tails.push_str(&after[..end]),
            None => return false,
        }
    }
    true
}

/// One style's renders by shape; `None` for a shape rendered in full.
#[derive(Default)]
pub(super) struct Shapes {
    cache: Mutex<HashMap<String, Option<Arc<Template>>>>,
}

/// A text value the substitution takes (see the module's documentation).
fn plain(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_alphanumeric)
        && s.chars().next_back().is_some_and(char::is_alphanumeric)
        && s.chars().any(char::is_alphabetic)
        && !s.contains("  ")
        && s.chars().all(|c| {
            c.is_alphanumeric()
                || matches!(
                    c,
                    ' ' | ',' | ';' | ':' | '-' | '–' | '—' | '&' | '/' | '#' | '%' | '+'
                )
        })
        && Numeric::from_str(s).is_err()
}

/// A URL the substitution takes: anything the CSL-JSON reader keeps as
/// written (no markup).
fn plain_url(s: &str) -> bool {
    !s.is_empty() && !s.contains(['<', '>']) && Numeric::from_str(s).is_err()
}

/// CSL title case, as the processor applies `text-case="title"` to a text
/// of its own.
fn title_case(s: &str) -> String {
    Case::from(TextCase::TitleCase).transform(s)
}

impl Shapes {
    /// How many shapes are rendered once, by substitution.
    #[cfg(test)]
    pub(super) fn substituted(&self) -> usize {
        let cache = self.cache.lock().unwrap();
        cache.values().filter(|t| t.is_some()).count()
    }

    /// The rendered content of `item` (CSL-JSON, as the processor reads it):
    /// from the shape's render when the item's values can be put into it,
    /// else `full()` (its full render). `render` renders another CSL-JSON
    /// item (the placeholder items) in full.
    pub(super) fn content(
        &self,
        item: &Value,
        full: impl FnOnce() -> Option<ElemChildren>,
        render: impl Fn(&Value) -> Option<ElemChildren>,
    ) -> Option<ElemChildren> {
        let Some(values) = values(item) else {
            return full();
        };
        let Ok(key) = serde_json::to_string(&with_placeholders(item, &values, 0)) else {
            return full();
        };
        let known = self.cache.lock().ok().and_then(|c| c.get(&key).cloned());
        let template = match known {
            Some(t) => t,
            None => {
                let t = template(item, &values, &render).map(Arc::new);
                if let Ok(mut cache) = self.cache.lock() {
                    if cache.len() < MAX_SHAPES {
                        cache.insert(key, t.clone());
                    }
                }
                t
            }
        };
        match template.and_then(|t| fill(&t, &values)) {
            Some(content) => Some(content),
            None => full(),
        }
    }
}

/// The values of the substituted fields (`None` where absent); `None` when
/// one is there but not a value the substitution takes.
fn values(item: &Value) -> Option<[Option<&str>; FIELDS.len()]> {
    let obj = item.as_object()?;
    let mut values = [None; FIELDS.len()];
    for (value, field) in values.iter_mut().zip(&FIELDS) {
        let Some(v) = obj.get(field.key) else {
            continue;
        };
        let v = v.as_str()?;
        let ok = match field.kind {
            Kind::Text => plain(v),
            Kind::Link => plain_url(v),
            Kind::Hidden => true,
        };
        if !ok {
            // Kept as written: part of the shape, not put in.
            if field.shared {
                continue;
            }
            return None;
        }
        *value = Some(v);
    }
    Some(values)
}

/// `item` with the placeholders of set `set` (0 or 1) for its values.
fn with_placeholders(item: &Value, values: &[Option<&str>], set: usize) -> Value {
    let mut obj: Map<String, Value> = item.as_object().cloned().unwrap_or_default();
    for (value, field) in values.iter().zip(&FIELDS) {
        if value.is_some() {
            obj.insert(
                field.key.to_string(),
                Value::String(field.placeholder[set].to_string()),
            );
        }
    }
    Value::Object(obj)
}

/// Render the shape of `item` and check it (see the module's
/// documentation); `None` when the shape is to be rendered in full.
fn template(
    item: &Value,
    values: &[Option<&str>],
    render: &impl Fn(&Value) -> Option<ElemChildren>,
) -> Option<Template> {
    let content = render(&with_placeholders(item, values, 0))?;
    let mut texts = Vec::new();
    let mut links = Vec::new();
    collect(&content, &mut texts, &mut links);
    let mut titled = [false; FIELDS.len()];
    let mut tails: [Option<String>; FIELDS.len()] = Default::default();
    for (i, field) in FIELDS.iter().enumerate() {
        let token = field.token[0];
        let in_texts: usize = texts.iter().map(|t| count_lower(t, token)).sum();
        let in_links = links
            .iter()
            .filter(|(text, url)| contains_lower(text, token) || contains_lower(url, token))
            .count();
        match field.kind {
            Kind::Hidden if in_texts + in_links > 0 => return None,
            Kind::Hidden => {}
            Kind::Link => {
                let p = field.placeholder[0];
                let exact = links.iter().all(|(text, url)| {
                    !(contains_lower(text, token) || contains_lower(url, token))
                        || (*text == p && *url == p)
                });
                if in_texts > 0 || !exact {
                    return None;
                }
            }
            Kind::Text => {
                let p = field.placeholder[0];
                let title = title_case(p);
                let as_is: usize = texts.iter().map(|t| t.matches(p).count()).sum();
                let cased: usize = texts.iter().map(|t| t.matches(&*title).count()).sum();
                if in_links > 0 || as_is + cased != in_texts {
                    return None;
                }
                titled[i] = cased > 0;
                let mut tail = String::new();
                let followed = texts
                    .iter()
                    .all(|t| push_tails(t, p, &mut tail) && push_tails(t, &title, &mut tail));
                tails[i] = followed.then_some(tail);
            }
        }
    }
    let template = Template {
        content,
        titled,
        tails,
    };
    // The second check: other placeholders, put in, give their own render.
    let second: Vec<Option<&str>> = values
        .iter()
        .zip(&FIELDS)
        .map(|(v, f)| v.map(|_| f.placeholder[1]))
        .collect();
    let expected = render(&with_placeholders(item, values, 1))?;
    (fill(&template, &second)? == expected).then_some(template)
}

/// The texts (text leaves) and links (text, address) of rendered content.
fn collect<'a>(
    children: &'a ElemChildren,
    texts: &mut Vec<&'a str>,
    links: &mut Vec<(&'a str, &'a str)>,
) {
    for child in &children.0 {
        match child {
            ElemChild::Text(t) => texts.push(&t.text),
            ElemChild::Markup(m) => texts.push(m),
            ElemChild::Link { text, url } => links.push((&text.text, url)),
            ElemChild::Elem(e) => collect(&e.children, texts, links),
            ElemChild::Transparent { .. } => {}
        }
    }
}

/// How often `token` (lower case) occurs in `text`, case-insensitively.
fn count_lower(text: &str, token: &str) -> usize {
    text.to_lowercase().matches(token).count()
}

fn contains_lower(text: &str, token: &str) -> bool {
    count_lower(text, token) > 0
}

/// The template with `values` (of [`FIELDS`], `None` where absent) in
/// place of its placeholders; `None` when a value cannot be put in.
fn fill(template: &Template, values: &[Option<&str>]) -> Option<ElemChildren> {
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut link: Option<(&str, &str)> = None;
    for (i, (value, field)) in values.iter().zip(&FIELDS).enumerate() {
        let Some(v) = value else { continue };
        let p = field.placeholder[0];
        match field.kind {
            Kind::Text => {
                if !ends_safely(v, template.tails[i].as_deref()) {
                    return None;
                }
                texts.push((p.to_string(), v.to_string()));
                if template.titled[i] {
                    texts.push((title_case(p), title_case(v)));
                }
            }
            Kind::Link => link = Some((p, v)),
            Kind::Hidden => {}
        }
    }
    Some(fill_children(&template.content, &texts, link))
}

fn fill_children(
    children: &ElemChildren,
    texts: &[(String, String)],
    link: Option<(&str, &str)>,
) -> ElemChildren {
    let mut out = children.clone();
    fill_in_place(&mut out, texts, link);
    out
}

fn fill_in_place(
    children: &mut ElemChildren,
    texts: &[(String, String)],
    link: Option<(&str, &str)>,
) {
    for child in &mut children.0 {
        match child {
            ElemChild::Text(t) => t.text = replace_all(&t.text, texts),
            ElemChild::Link { text, url } => {
                if let Some((p, v)) = link.filter(|(p, _)| text.text == *p) {
                    text.text = v.to_string();
                    if url == p {
                        *url = v.to_string();
                    }
                }
            }
            ElemChild::Elem(e) => fill_in_place(&mut e.children, texts, link),
            ElemChild::Markup(_) | ElemChild::Transparent { .. } => {}
        }
    }
}

/// `text` with every occurrence of each pattern replaced by its
/// replacement, in one pass (a replacement is never searched again).
fn replace_all(text: &str, subs: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = subs
            .iter()
            .filter_map(|(p, r)| rest.find(p.as_str()).map(|at| (at, p, r)))
            .min_by_key(|(at, p, _)| (*at, std::cmp::Reverse(p.len())));
        match next {
            Some((at, p, r)) => {
                out.push_str(&rest[..at]);
                out.push_str(r);
                rest = &rest[at + p.len()..];
            }
            None => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_could_be_transformed_are_not_substituted() {
        for ok in [
            "Object 7 — map of the world",
            "Bosch, Hieronymus",
            "2nd edition",
            "BSB-Hss Cgm 399",
        ] {
            assert!(plain(ok), "{ok}");
        }
        for not in [
            "1926.224",
            // Numeric for the processor (`is-numeric`), as a placeholder is not.
            "Takamiya MS 22",
            "St. Mary",
            "Whistler\u{2019}s Mother",
            "“Quoted”",
            "a (b) c",
            "<span class=\"nocase\">ark</span>",
            " lead",
            "two  spaces",
            "",
            "1926",
        ] {
            assert!(!plain(not), "{not}");
        }
    }

    #[test]
    fn the_placeholders_are_values_the_substitution_takes() {
        for f in &FIELDS {
            for set in 0..2 {
                let p = f.placeholder[set];
                assert!(p.to_lowercase().contains(f.token[set]), "{p}");
                match f.kind {
                    Kind::Text => assert!(plain(p), "{p}"),
                    Kind::Link => assert!(plain_url(p), "{p}"),
                    Kind::Hidden => {}
                }
            }
            // The title-case form differs from the placeholder itself.
            if f.kind == Kind::Text {
                assert_ne!(title_case(f.placeholder[0]), f.placeholder[0]);
            }
        }
    }

    #[test]
    fn a_value_ending_in_a_digit_needs_no_such_digit_before_the_next_letter() {
        let mut tails = String::new();
        assert!(push_tails(
            "(of q Q of). Retrieved",
            "of q Q of",
            &mut tails
        ));
        assert_eq!(tails, "). ");
        assert!(ends_safely("MS 22", Some(&tails)));
        assert!(!ends_safely("MS 2)", Some(&tails)));
        assert!(!ends_safely("MS 22", Some("), 2: ")));
        assert!(!ends_safely("MS 22", None));
        assert!(ends_safely("MS A", None));
        assert!(!push_tails("of q Q of. 1999", "of q Q of", &mut tails));
    }

    #[test]
    fn replacements_are_not_searched_again() {
        let subs = vec![
            ("ab".to_string(), "cd".to_string()),
            ("cd".to_string(), "x".to_string()),
        ];
        assert_eq!(replace_all("ab-cd-ab", &subs), "cd-x-cd");
    }
}
