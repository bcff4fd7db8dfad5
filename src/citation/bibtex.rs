//! BibTeX for a [`Citation`]: one entry, with LaTeX specials escaped so
//! that manifest text cannot break it, and only fields biblatex's data model
//! takes for the entry's type (biber's `--validate-datamodel` flags any
//! other, and biblatex's styles then leave it out: a `publisher` on `@misc`
//! lost the holding institution).

use std::fmt::Write;

use super::Citation;

/// The BibTeX entry type of a citation: its genre's biblatex type
/// ([`GenreFacts::bibtex`](crate::model::genre::GenreFacts)), which is
/// `@misc` for every genre whose own biblatex type takes no fields.
fn entry_type(c: &Citation) -> &'static str {
    c.genre.facts().bibtex
}

/// The fields biblatex's default data model (`blx-dm.def`,
/// `\DeclareDatamodelEntryfields`) gives an entry type, of those pidsite
/// writes, besides the ones every type takes (`doi`, `url`, `year`). `@artwork`,
/// `@audio`, `@image`, `@letter`, `@movie`, `@music` and `@video` are
/// declared with none: biblatex's own styles print them as `@misc`, and
/// biber flags even their `title` and `author`.
fn type_fields(entry_type: &str) -> &'static [&'static str] {
    const MISC: &[&str] = &[
        "author",
        "editor",
        "howpublished",
        "location",
        "note",
        "organization",
        "title",
        "type",
        "version",
    ];
    const BOOK: &[&str] = &[
        "author",
        "edition",
        "editor",
        "location",
        "note",
        "publisher",
        "title",
        "volume",
    ];
    const ONLINE: &[&str] = &[
        "author",
        "editor",
        "note",
        "organization",
        "title",
        "version",
    ];
    const DATASET: &[&str] = &[
        "author",
        "edition",
        "editor",
        "location",
        "note",
        "organization",
        "publisher",
        "title",
        "type",
        "version",
    ];
    const UNPUBLISHED: &[&str] = &[
        "author",
        "howpublished",
        "location",
        "note",
        "title",
        "type",
    ];
    const MANUAL: &[&str] = &[
        "author",
        "edition",
        "editor",
        "location",
        "note",
        "organization",
        "title",
        "type",
        "version",
    ];
    match entry_type {
        "misc" | "software" => MISC,
        "book" | "mvbook" | "inbook" | "bookinbook" => BOOK,
        "online" => ONLINE,
        "dataset" => DATASET,
        "unpublished" => UNPUBLISHED,
        "manual" => MANUAL,
        _ => &[],
    }
}

/// The field a type takes for the publisher or holding institution:
/// `publisher` where there is one (`@book`), else `organization` (`@misc`,
/// `@online`).
fn holder_field(entry_type: &str) -> Option<&'static str> {
    let fields = type_fields(entry_type);
    ["publisher", "organization"]
        .into_iter()
        .find(|f| fields.contains(f))
}

/// Render the BibTeX entry.
pub fn bibtex(c: &Citation) -> String {
    let ty = entry_type(c);
    let takes = |field: &str| type_fields(ty).contains(&field);
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
    // `@misc` says what the thing is in its `type` ("Sound recording",
    // "Map"), which biblatex's styles print after the title.
    if ty == "misc" && takes("type") {
        fields.push(("type", escape(c.genre.facts().label)));
    }
    if let (Some(p), Some(field)) = (&c.publisher, holder_field(ty)) {
        fields.push((field, escape(p)));
    }
    // What the type has no field for goes into the note, where it takes one.
    let mut note = Vec::new();
    if let Some(s) = &c.shelfmark {
        note.push(format!("Shelfmark: {}", escape(s)));
    }
    if let Some(v) = &c.version {
        if takes("version") {
            fields.push(("version", escape(v)));
        } else {
            note.push(format!("Version {}", escape(v)));
        }
    }
    if !note.is_empty() && takes("note") {
        fields.push(("note", note.join(". ")));
    }
    if let Some(doi) = &c.doi {
        fields.push(("doi", escape(doi)));
    }
    let url = c.url.replace(['{', '}'], "");
    let howpublished = format!("\\url{{{url}}}");
    fields.push(("url", url));
    if takes("howpublished") {
        fields.push(("howpublished", howpublished));
    }
    let mut out = format!("@{ty}{{{},\n", c.key);
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

    fn citation() -> Citation {
        Citation {
            key: "ark_99999_fk4x".into(),
            scheme: "ark",
            pid: "ark:/99999/fk4x".into(),
            title: "A map".into(),
            creators: vec!["Doe, Jane".into()],
            date: Some("1882".into()),
            publisher: Some("Example Library".into()),
            shelfmark: Some("MS 1".into()),
            genre: crate::model::genre::Genre::Map,
            url: "https://n2t.net/ark:/99999/fk4x".into(),
            doi: None,
            version: Some("2".into()),
            license: None,
        }
    }

    /// biber --tool --validate-datamodel: `publisher` is not a `@misc`
    /// field; the holding institution goes in `organization`.
    #[test]
    fn the_holding_institution_is_a_field_misc_takes() {
        let bib = bibtex(&citation());
        assert!(bib.starts_with("@misc{ark_99999_fk4x,\n"), "{bib}");
        assert!(bib.contains("  type         = {Map},\n"), "{bib}");
        assert!(
            bib.contains("  organization = {Example Library},\n"),
            "{bib}"
        );
        assert!(!bib.contains("publisher"), "{bib}");
        assert!(bib.contains("  version      = {2},\n"), "{bib}");
        assert!(
            bib.contains("  note         = {Shelfmark: MS 1},\n"),
            "{bib}"
        );
    }

    #[test]
    fn fields_follow_the_entry_type() {
        // A book takes a publisher, and neither organization, howpublished
        // nor version (which goes into the note).
        assert_eq!(holder_field("book"), Some("publisher"));
        assert_eq!(holder_field("misc"), Some("organization"));
        assert_eq!(holder_field("online"), Some("organization"));
        assert!(!type_fields("book").contains(&"howpublished"));
        assert!(!type_fields("book").contains(&"version"));
        // Types biblatex declares without fields take none.
        assert_eq!(holder_field("audio"), None);
    }

    #[test]
    fn escapes_specials() {
        assert_eq!(escape("50% & {x}_1"), "50\\% \\& \\{x\\}\\_1");
    }
}
