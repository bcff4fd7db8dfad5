//! Templates: a broken one is named once; long manifests and collections
//! get pages of their own that a site's templates can restyle.

use std::path::Path;

use crate::cli::{edit, pidsite, site};

#[test]
fn broken_template_names_the_template_once() {
    let site = site();
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/landing.html"),
        "{% extends \"base.html\" %}{% block main %}{{ nope.x }}{% endblock main %}",
    )
    .unwrap();
    let assert = pidsite(site.path()).arg("build").assert().code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("template landing.html"), "{stderr}");
    assert_eq!(
        stderr.matches("error: template landing.html").count(),
        1,
        "{stderr}"
    );
}

/// Add a IIIF 3 document of `kind` with `items` as `ark:99999/fk4<name>`,
/// build, and return the PID's output folder.
fn build_with_document(
    site: &Path,
    name: &str,
    kind: &str,
    items: Vec<serde_json::Value>,
) -> std::path::PathBuf {
    let document = serde_json::json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": format!("https://example.org/iiif/{name}/{}", kind.to_lowercase()),
        "type": kind,
        "label": {"en": [format!("A long {name}")]},
        "items": items
    });
    let file = format!("content/manifests/{name}.json");
    std::fs::write(site.join(&file), document.to_string()).unwrap();
    edit(site, "content/registry.csv", |t| {
        t + &format!("ark:99999/fk4{name},manifests/{name}.json,,,,,,,,,\n")
    });
    pidsite(site).arg("build").assert().success();
    site.join(format!("public/ark/99999/fk4{name}"))
}

/// `count` members labelled `Member <i> & co`, every other one in French.
fn members(count: usize) -> Vec<serde_json::Value> {
    (1..=count)
        .map(|i| {
            let lang = if i % 2 == 0 { "fr" } else { "en" };
            serde_json::json!({
                "id": format!("https://example.org/iiif/m{i}/manifest"),
                "type": "Manifest",
                "label": {lang: [format!("Member {i} & co")]}
            })
        })
        .collect()
}

#[test]
fn a_long_manifest_lists_all_its_images_on_a_page_of_their_own() {
    let site = site();
    let canvases: Vec<serde_json::Value> = (1..=30)
        .map(|i| {
            let lang = if i % 2 == 0 { "fr" } else { "en" };
            serde_json::json!({
                "id": format!("https://example.org/iiif/book/canvas/{i}"),
                "type": "Canvas",
                "label": {lang: [format!("Folio {i} \"recto\" & verso")]},
                "width": 100, "height": 100
            })
        })
        .collect();
    let out = build_with_document(site.path(), "book", "Manifest", canvases);
    let landing = std::fs::read_to_string(out.join("index.html")).unwrap();
    let all = std::fs::read_to_string(out.join("images/index.html")).unwrap();
    let folios = |html: &str| html.matches(">Folio ").count();
    // Issue 22: the landing page links to the list rather than repeating
    // its first entries (they were most of its bytes).
    assert_eq!(folios(&landing), 0, "the landing page lists none");
    assert!(
        landing.contains("<a href=\"/repo/ark/99999/fk4book/images/\">Cite one image (30)</a>"),
        "and links to all: {landing}"
    );
    assert_eq!(folios(&all), 30);
    assert!(all.contains("iiif-content="), "each image opens the viewer");
    assert!(
        all.contains(">Folio 30 &quot;recto&quot; &amp; verso</a>"),
        "labels are escaped"
    );
    // `lang` only where the label's language is not the site's
    // (`<html lang="en">`).
    assert_eq!(all.matches(" lang=\"fr\">Folio ").count(), 15);
    assert_eq!(all.matches("lang=\"en\"").count(), 1, "only <html>");
    assert!(all.contains("<title>Images of A long book"), "{all}");
    assert!(all.contains("<a href=\"/repo/ark/99999/fk4book/\">the landing page</a>"));
}

#[test]
fn a_long_collection_lists_all_its_members_on_a_page_of_their_own() {
    let site = site();
    let out = build_with_document(site.path(), "big", "Collection", members(30));
    let landing = std::fs::read_to_string(out.join("index.html")).unwrap();
    let all = std::fs::read_to_string(out.join("members/index.html")).unwrap();
    let listed = |html: &str| html.matches(">Member ").count();
    assert_eq!(listed(&landing), pidsite::render::LANDING_MEMBERS);
    assert!(
        landing.contains("/ark/99999/fk4big/members/\">all 30 members</a>"),
        "and links to all"
    );
    assert_eq!(listed(&all), 30);
    assert!(all.contains("href=\"https://example.org/iiif/m30/manifest\""));
    assert!(
        all.contains(">Member 29 &amp; co</a>"),
        "labels are escaped"
    );
    for (page, listed) in [(&landing, pidsite::render::LANDING_MEMBERS), (&all, 30)] {
        assert_eq!(page.matches(" lang=\"fr\">Member ").count(), listed / 2);
        assert_eq!(page.matches("lang=\"en\"").count(), 1, "only <html>");
    }
    assert!(all.contains("<h1>Members of A long big</h1>"));
}

/// A site restyles members once, in its `macros.html`, and both the
/// landing page and the members page show it; its own `members.html`
/// replaces the members page alone.
#[test]
fn a_site_template_restyles_the_members_page() {
    let site = site();
    let templates = site.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let builtin = pidsite::render::templates::BUILTINS
        .iter()
        .find(|(name, _)| *name == "macros.html")
        .unwrap()
        .1;
    let start = builtin.find("{% macro member(").unwrap();
    let end = builtin.find("{%- endmacro member %}").unwrap();
    let macros = format!(
        "{}{}{}",
        &builtin[..start],
        "{% macro member(member) %}<li class=\"mine\"{% if member.lang %} lang=\"{{ member.lang }}\"{% endif %}>{{ member.label }}</li>",
        &builtin[end..]
    );
    std::fs::write(templates.join("macros.html"), macros).unwrap();
    let out = build_with_document(site.path(), "big", "Collection", members(30));
    let landing = std::fs::read_to_string(out.join("index.html")).unwrap();
    let all = std::fs::read_to_string(out.join("members/index.html")).unwrap();
    let mine = |html: &str| html.matches("<li class=\"mine\"").count();
    assert_eq!(mine(&landing), pidsite::render::LANDING_MEMBERS);
    assert_eq!(mine(&all), 30);
    assert!(all.contains("<li class=\"mine\" lang=\"fr\">Member 30 &amp; co</li>"));
    assert!(all.contains("<li class=\"mine\">Member 29 &amp; co</li>"));

    std::fs::remove_file(templates.join("macros.html")).unwrap();
    std::fs::write(
        templates.join("members.html"),
        "{% extends \"base.html\" %}{% block main %}<h1>{{ member_total }} in {{ title }}</h1>\
         {% for member in members %}<p>{{ member.label }}</p>{% endfor %}{% endblock main %}",
    )
    .unwrap();
    let out = build_with_document(site.path(), "huge", "Collection", members(30));
    let landing = std::fs::read_to_string(out.join("index.html")).unwrap();
    let all = std::fs::read_to_string(out.join("members/index.html")).unwrap();
    assert!(all.contains("<h1>30 in A long huge</h1>"), "{all}");
    assert_eq!(all.matches("<p>Member ").count(), 30);
    assert!(
        all.contains("<p>Member 30 &amp; co</p>"),
        "escaped here too"
    );
    assert!(!all.contains("<ul class=\"members\">"));
    assert_eq!(
        landing.matches(">Member ").count(),
        pidsite::render::LANDING_MEMBERS,
        "the landing page keeps the built-in list"
    );
}
