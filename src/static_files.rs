//! The static files of a site: those built into pidsite and those in the
//! site's `static/` folder, which writing copies into the output and loading
//! keeps PID paths clear of. Knows nothing of either stage.

use std::path::Path;

/// Static files embedded in the binary, so a site with no `static/` folder
/// still gets its stylesheet, script and viewer.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    (
        "css/pidsite.css",
        include_bytes!("../static/css/pidsite.css"),
    ),
    ("js/pidsite.js", include_bytes!("../static/js/pidsite.js")),
    (
        "js/near-miss.js",
        include_bytes!("../static/js/near-miss.js"),
    ),
    (
        "vendor/mirador-4.0.0/mirador.min.js",
        include_bytes!("../static/vendor/mirador-4.0.0/mirador.min.js"),
    ),
    (
        "vendor/mirador-4.0.0/LICENSE",
        include_bytes!("../static/vendor/mirador-4.0.0/LICENSE"),
    ),
];

/// The paths in the output of the static files: the site's `static/`
/// folder (as [`crate::write::Staging::copy_static`] copies it) and the
/// built-ins.
pub fn static_names(site_static: &Path) -> Vec<String> {
    let mut names: Vec<String> = walkdir::WalkDir::new(site_static)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(site_static).ok().map(slashed))
        .collect();
    names.extend(BUILTIN_STATIC.iter().map(|(rel, _)| rel.to_string()));
    names
}

/// A relative path with `/` separators, as the output's file lists keep it.
pub(crate) fn slashed(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
