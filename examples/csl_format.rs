//! Format CSL-JSON items with pidsite's CSL processor, for the comparison
//! with citeproc-js in tests/citeproc/ (run by tests/citeproc/run.sh).
//!
//! usage: csl_format ITEMS.json STYLE.csl...   (prints {"style": ["text", …]})

use std::path::Path;

use pidsite::citation::styles::Styles;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let items_path = args
        .next()
        .ok_or("usage: csl_format ITEMS.json STYLE.csl...")?;
    let styles: Vec<String> = args.collect();
    let items: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&items_path)?)?;
    let loaded = Styles::load(&styles, Path::new("."), None);
    let mut out = serde_json::Map::new();
    for item in &items {
        for f in loaded.format(item) {
            out.entry(f.name)
                .or_insert_with(|| serde_json::Value::Array(Vec::new()))
                .as_array_mut()
                .ok_or("not an array")?
                .push(f.text.into());
        }
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
