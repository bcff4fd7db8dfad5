//! What machines read on a landing page: the Highwire `citation_*` and
//! Dublin Core meta tags and COinS for reference managers, the schema.org
//! JSON-LD with the object's schema type, and FAIR Signposting links (as
//! `<link>` elements, since a static host sends no `Link` headers) with
//! their RFC 9264 linkset. The page's template only writes them out.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};

use super::context::{HeadLink, Meta};
use crate::citation::Citation;
use crate::model::resource::Resource;

/// The targets a landing page signposts.
pub struct Signposts<'a> {
    /// The PID's resolver URL (`cite-as`).
    pub cite_as: &'a str,
    /// schema.org type name of the object (`VisualArtwork`…).
    pub schema_type: &'a str,
    /// Metadata records: (absolute URL, media type).
    pub described_by: Vec<(String, &'static str)>,
    /// The IIIF document: its URL and the profile of its media type
    /// (`application/ld+json`), the IIIF Presentation context when known.
    pub item: Option<(String, Option<String>)>,
    /// Licence URI.
    pub license: Option<&'a str>,
    /// Authors given as URLs (ORCID, ISNI, Wikidata…).
    pub authors: Vec<&'a str>,
    /// The page's own linkset.
    pub linkset: String,
}

/// FAIR Signposting links for a landing page.
pub fn signposting(s: &Signposts<'_>) -> Vec<HeadLink> {
    let mut links = vec![HeadLink::new("cite-as", s.cite_as, None)];
    for (url, media_type) in &s.described_by {
        links.push(HeadLink::new("describedby", url.clone(), Some(media_type)));
    }
    if let Some((url, profile)) = &s.item {
        links.push(HeadLink {
            profile: profile.clone(),
            ..HeadLink::new("item", url.clone(), Some("application/ld+json"))
        });
    }
    links.push(HeadLink::new(
        "type",
        format!("https://schema.org/{}", s.schema_type),
        None,
    ));
    links.push(HeadLink::new("type", "https://schema.org/AboutPage", None));
    if let Some(l) = s.license {
        links.push(HeadLink::new("license", l, None));
    }
    for a in &s.authors {
        links.push(HeadLink::new("author", *a, None));
    }
    links.push(HeadLink::new(
        "linkset",
        s.linkset.clone(),
        Some("application/linkset+json"),
    ));
    links
}

/// The linkset context object (RFC 9264 JSON) of one landing page: its
/// signposting links, without the link to the linkset itself.
pub fn linkset_context(anchor: &str, links: &[HeadLink]) -> Value {
    let mut ctx = Map::new();
    ctx.insert("anchor".into(), json!(anchor));
    for l in links.iter().filter(|l| l.rel != "linkset") {
        let mut target = Map::new();
        target.insert("href".into(), json!(l.href));
        if let Some(t) = &l.media_type {
            target.insert("type".into(), json!(t));
        }
        if let Some(p) = &l.profile {
            target.insert("profile".into(), json!(p));
        }
        ctx.entry(l.rel.clone())
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .expect("inserted as an array")
            .push(Value::Object(target));
    }
    Value::Object(ctx)
}

/// A linkset document of context objects.
pub fn linkset_document(contexts: impl IntoIterator<Item = Value>) -> Value {
    json!({ "linkset": contexts.into_iter().collect::<Vec<_>>() })
}

/// Dublin Core `DC.*` tags (with `<link rel="schema.DC">` in the head).
pub fn dc_tags(c: &Citation, language: &str) -> Vec<Meta> {
    let mut meta = Vec::new();
    let mut add = |name: &str, content: &str| {
        if !content.is_empty() {
            meta.push(Meta {
                name: format!("DC.{name}"),
                content: content.to_string(),
            });
        }
    };
    add("title", &c.title);
    for creator in &c.creators {
        add("creator", creator);
    }
    if let Some(d) = &c.date {
        add("date", d);
    }
    if let Some(p) = &c.publisher {
        add("publisher", p);
    }
    add("identifier", &c.url);
    add("identifier", &c.pid);
    add("type", c.genre.facts().dcmi);
    if let Some(l) = &c.license {
        add("rights", l);
    }
    add("language", language);
    meta
}

/// What OpenURL keys may hold unencoded.
const KEV: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `title` of a COinS span (OpenURL 1.0 KEV, Dublin Core format).
pub fn coins(c: &Citation) -> String {
    let mut pairs: Vec<(&str, String)> = vec![
        ("ctx_ver", "Z39.88-2004".into()),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc".into()),
        ("rft.title", c.title.clone()),
    ];
    for creator in &c.creators {
        pairs.push(("rft.creator", creator.clone()));
    }
    if let Some(d) = &c.date {
        pairs.push(("rft.date", d.clone()));
    }
    if let Some(p) = &c.publisher {
        pairs.push(("rft.publisher", p.clone()));
    }
    pairs.push(("rft.identifier", c.url.clone()));
    // In the Dublin Core format Zotero takes the item type from `rft.type`
    // when it names one of its types (and writes its own COinS that way);
    // anything else makes every page a web page.
    pairs.push(("rft.type", c.genre.facts().zotero.to_string()));
    if let Some(l) = &c.license {
        pairs.push(("rft.rights", l.clone()));
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, KEV)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Highwire Press `citation_*` tags, which Google Scholar and Zotero read.
pub fn meta_tags(c: &Citation, landing_url: &str) -> Vec<Meta> {
    let mut meta = vec![Meta {
        name: "citation_title".into(),
        content: c.title.clone(),
    }];
    for creator in &c.creators {
        meta.push(Meta {
            name: "citation_author".into(),
            content: creator.clone(),
        });
    }
    // The whole date as far as it is known, in the form Google Scholar asks
    // for (`1882/04/12`, `1882`): Zotero reads it as the item's date, so a
    // year alone would lose the month and day.
    if let Some(date) = c.date_joined("/") {
        meta.push(Meta {
            name: "citation_publication_date".into(),
            content: date,
        });
    }
    if let Some(p) = &c.publisher {
        meta.push(Meta {
            name: "citation_publisher".into(),
            content: p.clone(),
        });
    }
    if let Some(doi) = &c.doi {
        meta.push(Meta {
            name: "citation_doi".into(),
            content: doi.clone(),
        });
    }
    meta.push(Meta {
        name: "citation_abstract_html_url".into(),
        content: landing_url.to_string(),
    });
    // The URL to cite (the PID's resolver URL, or the landing page for a
    // local identifier): Zotero's Embedded Metadata translator takes the
    // item's URL from here before the landing page.
    meta.push(Meta {
        name: "citation_public_url".into(),
        content: c.url.clone(),
    });
    meta
}

/// The page's schema.org description. A withdrawn resource's says so
/// (`creativeWorkStatus`) and names no image or manifest.
pub fn json_ld(
    c: &Citation,
    r: Option<&Resource>,
    landing_url: &str,
    manifest: Option<&str>,
    withdrawn: bool,
) -> String {
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": c.genre.facts().schema_org,
        "@id": landing_url,
        "url": landing_url,
        "name": c.title,
        "identifier": {
            "@type": "PropertyValue",
            "propertyID": c.scheme,
            "value": c.pid,
            "url": c.url,
        },
    });
    let obj = v.as_object_mut().expect("built as an object above");
    if let Some(s) = r.and_then(|r| r.summary.as_ref()) {
        obj.insert("description".into(), json!(s.text));
    }
    if let Some(t) = r.and_then(|r| r.thumbnail.as_ref()).filter(|_| !withdrawn) {
        obj.insert("image".into(), json!(t));
    }
    if withdrawn {
        obj.insert("creativeWorkStatus".into(), json!("Withdrawn"));
    }
    if let Some(l) = &c.license {
        obj.insert("license".into(), json!(l));
    }
    if !c.creators.is_empty() {
        let creators: Vec<Value> = c
            .creators
            .iter()
            .map(|n| json!({"@type": "Person", "name": n}))
            .collect();
        obj.insert("creator".into(), Value::Array(creators));
    }
    if let Some(d) = &c.date {
        obj.insert("dateCreated".into(), json!(d));
    }
    if let Some(p) = &c.publisher {
        obj.insert(
            "publisher".into(),
            json!({"@type": "Organization", "name": p}),
        );
    }
    if let Some(places) = r
        .filter(|_| !withdrawn)
        .and_then(|r| super::map::spatial_coverage(&r.places))
    {
        obj.insert("spatialCoverage".into(), places);
    }
    if let Some(m) = manifest {
        obj.insert(
            "subjectOf".into(),
            json!({"@type": "MediaObject", "contentUrl": m, "encodingFormat": "application/ld+json"}),
        );
    }
    script_safe(&v)
}

/// JSON that is safe inside `<script>`: no `<`, `>`, `&` or line separators
/// can end the element or confuse a parser.
pub fn script_safe(value: &Value) -> String {
    serde_json::to_string(value)
        .expect("a serde_json::Value always serialises")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_cannot_close_the_element() {
        let s = script_safe(&json!({"x": "</script><script>alert(1)</script>"}));
        assert!(!s.contains("</"), "{s}");
    }

    #[test]
    fn linkset_groups_targets_by_relation() {
        let links = signposting(&Signposts {
            cite_as: "https://doi.org/10.5555/x",
            schema_type: "Map",
            described_by: vec![(
                "https://e.org/doi/10.5555/x/cite.json".into(),
                "application/vnd.citationstyles.csl+json",
            )],
            item: Some((
                "https://e.org/doi/10.5555/x/manifest.json".into(),
                Some("http://iiif.io/api/presentation/3/context.json".into()),
            )),
            license: Some("https://creativecommons.org/licenses/by/4.0/"),
            authors: vec![],
            linkset: "https://e.org/doi/10.5555/x/linkset.json".into(),
        });
        let ctx = linkset_context("https://e.org/doi/10.5555/x/", &links);
        assert_eq!(ctx["cite-as"][0]["href"], "https://doi.org/10.5555/x");
        assert_eq!(ctx["type"].as_array().unwrap().len(), 2);
        // The type as signposting clients parse it, the profile beside it.
        assert_eq!(ctx["item"][0]["type"], "application/ld+json");
        assert_eq!(
            ctx["item"][0]["profile"],
            "http://iiif.io/api/presentation/3/context.json"
        );
        assert!(ctx.get("linkset").is_none());
    }

    #[test]
    fn coins_are_percent_encoded() {
        let c = Citation {
            key: "k".into(),
            scheme: "ark",
            pid: "ark:/99999/x".into(),
            title: "A & B".into(),
            creators: vec!["Doe, Jane".into()],
            date: None,
            publisher: None,
            shelfmark: None,
            genre: crate::model::genre::Genre::Image,
            url: "https://n2t.net/ark:/99999/x".into(),
            doi: None,
            version: None,
            license: None,
        };
        let t = coins(&c);
        assert!(t.contains("rft.title=A%20%26%20B"), "{t}");
        assert!(t.contains("rft.creator=Doe%2C%20Jane"));
        assert!(t.contains("rft.type=artwork"));
    }
}
