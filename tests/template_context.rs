//! The variables a site's own templates may use are a documented, stable
//! contract (issue 17): README's "Templates" section lists them, and this
//! test pins them. It builds `fixtures/basic` with site templates that
//! print Tera's whole context (`{{ __tera_context }}`) instead of a page,
//! and snapshots what a landing page, a tombstone and the home page get: a
//! renamed or added variable shows in review as a changed snapshot. It
//! also checks that README documents every variable the pages get.

mod common;

use std::collections::BTreeSet;

use pidsite::{build, clock::BuildTime, BuildOptions, NoProgress};
use serde_json::Value;

/// The templates whose context is pinned.
const TEMPLATES: &[&str] = &["landing.html", "tombstone.html", "index.html"];

/// The pages whose context is pinned (snapshot name, page): a manifest, a
/// version's page (with the history), a collection (members), an
/// annotation page (annotations), a tombstone and the home page.
const PAGES: &[(&str, &str)] = &[
    ("landing_manifest", "ark/99999/fk4photo/index.html"),
    ("landing_version", "ark/99999/fk4coin/v1/index.html"),
    ("landing_collection", "hdl/20.500.99999/maps/index.html"),
    ("landing_annotation", "id/comment-1/index.html"),
    ("tombstone", "ark/99999/fk4gone/index.html"),
    ("index", "index.html"),
];

/// The located pages of `fixtures/maps` whose context is pinned: a landing
/// page with places and the map page (`map.html`).
const MAP_PAGES: &[(&str, &str)] = &[
    ("landing_places", "ark/99999/fk4canvases/index.html"),
    ("map", "map/index.html"),
];

/// Build `fixtures/basic` with each of [`TEMPLATES`] replaced by one that
/// prints its context, and read the contexts of [`PAGES`] back; then
/// `fixtures/maps` for [`MAP_PAGES`].
fn contexts() -> Vec<(&'static str, Value)> {
    let mut out = contexts_of("basic", TEMPLATES, PAGES);
    out.extend(contexts_of(
        "maps",
        &["landing.html", "map.html"],
        MAP_PAGES,
    ));
    out
}

/// Build fixture `fixture` with each of `templates` replaced by one that
/// prints its context, and read the contexts of `pages` back.
fn contexts_of(
    fixture: &str,
    templates_printed: &[&str],
    pages: &[(&'static str, &str)],
) -> Vec<(&'static str, Value)> {
    let site = common::copy_fixture(fixture);
    let templates = site.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    for name in templates_printed {
        std::fs::write(templates.join(name), "{{ __tera_context }}").unwrap();
    }
    let public = site.path().join("public");
    build(
        &BuildOptions {
            site_dir: site.path().to_path_buf(),
            out_dir: Some(public.clone()),
            strict: true,
            full: false,
            offline: false,
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap();
    pages
        .iter()
        .map(|(name, page)| {
            let text = std::fs::read_to_string(public.join(page)).unwrap();
            // Printed through the HTML escape like any other variable.
            let json = text
                .replace("&quot;", "\"")
                .replace("&#x27;", "'")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            let mut value: Value =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}\n{json}"));
            // pidsite's own version changes with every release.
            value["site"]["asset_version"] = Value::String("[VERSION]".into());
            (*name, value)
        })
        .collect()
}

#[test]
fn the_template_context_is_pinned_and_documented() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("\n## Templates\n")
        .nth(1)
        .expect("README has a Templates section")
        .split("\n## ")
        .next()
        .unwrap();
    let mut undocumented = BTreeSet::new();
    for (name, context) in contexts() {
        insta::assert_snapshot!(
            format!("{name}_context"),
            serde_json::to_string_pretty(&context).unwrap()
        );
        let mut paths = BTreeSet::new();
        variables(&context, "", &mut paths);
        for path in paths {
            if !section.contains(&format!("`{path}`")) {
                undocumented.insert(format!("{path} (in {name})"));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "README's Templates section does not list: {undocumented:#?}"
    );
}

/// Every variable's dotted path (`resource.summary.lang`; the items of a
/// list as `resource.metadata[].label`), objects' own paths included.
fn variables(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "__tera_context" {
                    continue;
                }
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                variables(value, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                variables(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}
