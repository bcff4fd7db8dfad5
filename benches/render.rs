//! Page rendering, citation formatting and minification throughput on the
//! example site (the repository root): `cargo bench --bench render`. A plain
//! timing loop (no extra crate): prints pages/s per landing page type and for
//! a 500-image manifest and a 500-member collection (with their list pages),
//! citations/s per style and MB/s for minification.

use std::path::PathBuf;
use std::time::Instant;

use pidsite::citation::styles::Styles;
use pidsite::load::target::Loaded;
use pidsite::model::record::Target;
use pidsite::render::Renderer;

fn per_second(runs: u32, f: &mut dyn FnMut()) -> f64 {
    f(); // warm up
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    f64::from(runs) / start.elapsed().as_secs_f64()
}

/// Each version's dates, as a build that first published it gives them.
fn dates(entry: &pidsite::model::record::Entry) -> Vec<Option<pidsite::lock::Dates>> {
    let first = pidsite::lock::Dates {
        published: 1_764_072_000,
        modified: 1_764_072_000,
        withdrawn: None,
    };
    vec![Some(first); entry.versions.len()]
}

/// Renders of one PID per second, each version given what `load` makes
/// (as the build hands it over; making it is timed with the render).
fn pages_per_second(
    renderer: &Renderer,
    entry: &pidsite::model::record::Entry,
    load: &dyn Fn() -> Loaded,
) -> f64 {
    per_second(50, &mut || {
        std::hint::black_box(
            renderer
                .entry(
                    entry,
                    entry.versions.iter().map(|_| load()).collect(),
                    None,
                    &dates(entry),
                )
                .expect("renders"),
        );
    })
}

fn main() {
    let site = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = pidsite::config::SiteConfig::load(&site).expect("site.toml loads");
    let registry = pidsite::load::registry::load(&site, &config).expect("registry loads");
    let (pages, _) = pidsite::load::pages::load_pages(&site, config.raw_html).expect("pages load");
    let templates = pidsite::render::templates::load(&site, false, "en").expect("templates load");
    let renderer = Renderer::new(&config, templates, &pages, pidsite::clock::BuildTime::now());

    println!("landing pages (render only, citations included):");
    let mut html = Vec::new();
    for entry in registry.entries.iter().take(6) {
        let Some(Target::Local { path, .. }) = &entry.current().target else {
            continue;
        };
        let bytes = std::fs::read(path).expect("target reads");
        let arena = bumpalo::Bump::new();
        let json = pidsite::load::iiif::parse_json(&bytes, &arena).ok();
        let resource = json
            .as_ref()
            .and_then(|j| pidsite::load::iiif::from_value(j, &config.languages).ok());
        let document_id = json.as_ref().and_then(pidsite::load::iiif::document_id);
        let enrichable = json
            .as_ref()
            .and_then(pidsite::load::enrichable::Enrichable::of);
        // As the build hands it over (parsed once, by loading); the clone is
        // timed with the render.
        let load = || Loaded {
            resource: resource.clone(),
            document: Some(bytes.clone()),
            linked: None,
            document_id: document_id.clone(),
            enrichable: enrichable.clone(),
            problem: None,
        };
        let rate = pages_per_second(&renderer, entry, &load);
        let (outputs, _) = renderer
            .entry(
                entry,
                entry.versions.iter().map(|_| load()).collect(),
                None,
                &dates(entry),
            )
            .expect("renders");
        html.push(outputs[0].bytes.clone());
        println!("  {:<40} {rate:>8.0} pages/s", entry.pid().to_string());
    }

    // A long manifest and a long collection (issue 6: an images/ page can
    // list 500 canvases), rendered as the first entry's resource: the
    // landing page plus its images/ or members/ page.
    println!("long lists (landing page and list page, 500 items):");
    let entry = &registry.entries[0];
    for (kind, items) in [("Manifest", 500), ("Collection", 500)] {
        let json = long_document(kind, items);
        let bytes = json.to_string().into_bytes();
        let arena = bumpalo::Bump::new();
        let parsed = pidsite::load::iiif::parse_json(&bytes, &arena).expect("parses");
        let resource = pidsite::load::iiif::from_value(&parsed, &config.languages).expect("reads");
        let load = || Loaded {
            resource: Some(resource.clone()),
            document: Some(bytes.clone()),
            linked: None,
            document_id: pidsite::load::iiif::document_id(&parsed),
            enrichable: None,
            problem: None,
        };
        let rate = pages_per_second(&renderer, entry, &load);
        println!("  {:<40} {rate:>8.0} pages/s", format!("{kind} of {items}"));
    }

    println!("citation styles (one item):");
    let item = serde_json::json!({
        "id": "bench", "type": "graphic",
        "title": "A Sunday on La Grande Jatte",
        "author": [{"family": "Seurat", "given": "Georges"}],
        "issued": {"date-parts": [[1884]]},
        "publisher": "Art Institute of Chicago",
        "URL": "https://n2t.net/ark:99999/fk4bench",
    });
    for name in pidsite::citation::styles::Style::NAMES {
        let styles = Styles::load(&[name.to_string()], std::path::Path::new("."), None);
        let rate = per_second(200, &mut || {
            std::hint::black_box(styles.format(&item));
        });
        println!("  {name:<40} {rate:>8.0} citations/s");
    }

    let cfg = pidsite::render::minify_cfg();
    let total: usize = html.iter().map(Vec::len).sum();
    let rate = per_second(50, &mut || {
        for page in &html {
            std::hint::black_box(minify_html::minify(page, &cfg));
        }
    });
    println!(
        "minify: {} pages, {:.1} kB each, {:.1} MB/s",
        html.len(),
        total as f64 / html.len() as f64 / 1000.0,
        rate * total as f64 / 1e6
    );
}

/// A IIIF 3 manifest of `items` canvases or collection of `items` manifests,
/// each labelled, half of them in another language than the site's.
fn long_document(kind: &str, items: usize) -> serde_json::Value {
    let items: Vec<serde_json::Value> = (0..items)
        .map(|i| {
            let lang = if i % 2 == 0 { "en" } else { "fr" };
            match kind {
                "Manifest" => serde_json::json!({
                    "id": format!("https://example.org/iiif/long/canvas/{i}"),
                    "type": "Canvas",
                    "label": {lang: [format!("Folio {i} & <recto>")]},
                    "width": 1000, "height": 1500
                }),
                _ => serde_json::json!({
                    "id": format!("https://example.org/iiif/m{i}/manifest"),
                    "type": "Manifest",
                    "label": {lang: [format!("Member {i} & <co>")]},
                    "thumbnail": [{"id": format!("https://example.org/iiif/m{i}/thumb.jpg"), "type": "Image"}]
                }),
            }
        })
        .collect();
    serde_json::json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": format!("https://example.org/iiif/long/{}", kind.to_lowercase()),
        "type": kind,
        "label": {"en": ["A long one"]},
        "items": items
    })
}
