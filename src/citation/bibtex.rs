//! BibTeX for a [`Citation`]: one entry of the biblatex type of its genre
//! (`@book`, `@audio`, `@artwork`, `@misc`…), with LaTeX specials escaped
//! so that manifest text cannot break the entry.

use std::fmt::Write;

use super::Citation;

/// Render the BibTeX entry.
pub fn bibtex(c: &Citation) -> String {
    let mut fields: Vec<(&str, String)> = vec![("title", format!("{{{}}}", escape(&c.title)))];
    if !c.creators.is_empty() {
        let authors: Vec<String> = c
            .creators
            .iter()
            .map(|a| {
                // Institutions are braced so BibTeX does not split them.
                if a.contains(", ") {
                    escape(a)
                } else {
                    format!("{{{}}}", escape(a))
                }
            })
            .collect();
        fields.push(("author", authors.join(" and ")));
    }
    if let Some(year) = c.year() {
        fields.push(("year", year));
    }
    if let Some(p) = &c.publisher {
        fields.push(("publisher", escape(p)));
    }
    if let Some(s) = &c.shelfmark {
        fields.push(("note", format!("Shelfmark: {}", escape(s))));
    }
    if let Some(doi) = &c.doi {
        fields.push(("doi", escape(doi)));
    }
    if let Some(v) = &c.version {
        fields.push(("version", escape(v)));
    }
    fields.push(("url", c.url.replace(['{', '}'], "")));
    fields.push((
        "howpublished",
        format!("\\url{{{}}}", c.url.replace(['{', '}'], "")),
    ));
    let mut out = format!("@{}{{{},\n", c.genre.facts().bibtex, c.key);
    for (name, value) in fields {
        let _ = writeln!(out, "  {name:<12} = {{{value}}},");
    }
    out.push_str("}\n");
    out
}

/// Escape the characters TeX treats specially.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '%' | '&' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(ch);
            }
            '^' => out.push_str("\\^{}"),
            '~' => out.push_str("\\~{}"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_specials() {
        assert_eq!(escape("50% & {x}_1"), "50\\% \\& \\{x\\}\\_1");
    }
}
