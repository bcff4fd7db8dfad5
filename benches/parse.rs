//! Parse throughput on the largest corpus manifest (3.8 MB, thousands of
//! canvases): `cargo bench --bench parse`. A plain timing loop (no extra
//! crate); prints MB/s for the JSON tree alone (and the serde_json::Value
//! it replaced), the full normalisation, loading and enrichment.
//! `PIDSITE_BENCH_FILE` picks another file.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let path = std::env::var_os("PIDSITE_BENCH_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/corpus/v2/iiif-commons-manifesto__book-of-remembrance.json")
        });
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("skipped: {} is missing", path.display());
        return;
    };
    let languages = vec!["en".to_string()];
    let mb = bytes.len() as f64 / 1_000_000.0;
    let stamp = pidsite::enrich::PidStamp {
        pid: "ark:99999/fk4bench".into(),
        cite_url: "https://n2t.net/ark:99999/fk4bench".into(),
        landing_url: "https://example.org/ark/99999/fk4bench/".into(),
        language: "en".into(),
    };
    println!("{} ({mb:.2} MB)", path.display());
    let time = |name: &str, f: &dyn Fn()| {
        f(); // warm up
        let runs = 20;
        let start = Instant::now();
        for _ in 0..runs {
            f();
        }
        let secs = start.elapsed().as_secs_f64() / f64::from(runs);
        println!(
            "{name:<28} {:>8.2} ms  {:>8.1} MB/s",
            secs * 1000.0,
            mb / secs
        );
    };
    time("JSON tree", &|| {
        let arena = bumpalo::Bump::new();
        let json = pidsite::load::iiif::parse_json(&bytes, &arena).expect("the manifest parses");
        std::hint::black_box(json);
    });
    // What the tree replaced (issue 6), for comparison.
    time("serde_json::Value tree", &|| {
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("the manifest parses");
        std::hint::black_box(value);
    });
    time("parse + normalise", &|| {
        let r = pidsite::load::iiif::parse(&bytes, &languages).expect("the manifest parses");
        std::hint::black_box(r);
    });
    // What loading reads from the one tree for a hosted manifest.
    time("load (model, id, enrichable)", &|| {
        let arena = bumpalo::Bump::new();
        let json = pidsite::load::iiif::parse_json(&bytes, &arena).expect("the manifest parses");
        let r = pidsite::load::iiif::from_value(&json, &languages).expect("it is IIIF");
        let id = pidsite::load::iiif::document_id(&json);
        let e = pidsite::load::enrichable::Enrichable::of(&json);
        std::hint::black_box((r, id, e));
    });
    time("enrich (parse + write)", &|| {
        std::hint::black_box(pidsite::enrich::enrich(&bytes, &stamp).expect("enriches"));
    });
}
