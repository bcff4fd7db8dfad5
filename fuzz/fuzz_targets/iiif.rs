//! A IIIF document (manifest, collection, annotation page), v2 or v3, as a
//! remote server or a careless export may send it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let languages = ["en".to_string(), "fr".to_string()];
    let _ = pidsite::load::iiif::parse(data, &languages);
});
