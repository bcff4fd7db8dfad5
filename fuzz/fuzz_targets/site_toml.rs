//! A `site.toml`, with every section (`[registry]` mappings included).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pidsite::config::SiteConfig::parse(text, Path::new("site.toml"));
    }
});
