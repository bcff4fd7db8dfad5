//! A Markdown page and note with their front matter (YAML-like `---` or TOML
//! `+++`), loaded with raw HTML omitted and allowed (sanitised); the HTML made
//! must never carry a script.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pidsite::config::RawHtml;
use pidsite::load::{markdown, pages};

fuzz_target!(|data: &[u8]| {
    let site = tempfile::tempdir().unwrap();
    for dir in ["content/pages", "content/notes"] {
        let dir = site.path().join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("fuzz.md"), data).unwrap();
    }
    for rule in [RawHtml::Omit, RawHtml::Sanitise] {
        let _ = pages::load_pages(site.path(), rule);
        let _ = pages::load_notes(site.path(), rule);
        if let Ok(text) = std::str::from_utf8(data) {
            let html = markdown::render(text, rule).html.to_ascii_lowercase();
            assert!(!html.contains("<script"), "a script got through: {html}");
        }
    }
});
