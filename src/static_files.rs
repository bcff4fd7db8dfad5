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
    ("js/search.js", include_bytes!("../static/js/search.js")),
    (
        "js/near-miss.js",
        include_bytes!("../static/js/near-miss.js"),
    ),
    ("js/map.js", include_bytes!("../static/js/map.js")),
    (
        "vendor/mirador-4.0.0/mirador.min.js",
        include_bytes!("../static/vendor/mirador-4.0.0/mirador.min.js"),
    ),
    (
        "vendor/mirador-4.0.0/LICENSE",
        include_bytes!("../static/vendor/mirador-4.0.0/LICENSE"),
    ),
    (
        "vendor/leaflet-1.9.4/leaflet.js",
        include_bytes!("../static/vendor/leaflet-1.9.4/leaflet.js"),
    ),
    (
        "vendor/leaflet-1.9.4/leaflet.css",
        include_bytes!("../static/vendor/leaflet-1.9.4/leaflet.css"),
    ),
    (
        "vendor/leaflet-1.9.4/images/marker-icon.png",
        include_bytes!("../static/vendor/leaflet-1.9.4/images/marker-icon.png"),
    ),
    (
        "vendor/leaflet-1.9.4/images/marker-icon-2x.png",
        include_bytes!("../static/vendor/leaflet-1.9.4/images/marker-icon-2x.png"),
    ),
    (
        "vendor/leaflet-1.9.4/images/marker-shadow.png",
        include_bytes!("../static/vendor/leaflet-1.9.4/images/marker-shadow.png"),
    ),
    (
        "vendor/leaflet-1.9.4/LICENSE",
        include_bytes!("../static/vendor/leaflet-1.9.4/LICENSE"),
    ),
];

/// The site's `static/` folder as published: its files (relative to it,
/// `/`-separated, in walking order) and the hidden files and folders left
/// out (issue 19: `static/.env` and `static/.git/` were copied, and with
/// `.nojekyll` GitHub Pages serves them). A file or folder whose name starts
/// with `.` is published only when `include` (`[static] include`) names it
/// or a folder above it; the folders of version control and the Finder's
/// `.DS_Store` are left out without a word, other hidden names are listed
/// in `hidden` (only the topmost of a hidden folder) for a warning.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SiteStatic {
    /// The files to copy.
    pub files: Vec<String>,
    /// The hidden files and folders left out, to warn about.
    pub hidden: Vec<String>,
}

/// Hidden names left out without a word: version control's, the Finder's,
/// and `.nojekyll`, which the site writes itself.
const QUIET: &[&str] = &[
    ".git",
    ".gitignore",
    ".gitkeep",
    ".gitattributes",
    ".svn",
    ".hg",
    ".hgignore",
    ".bzr",
    ".DS_Store",
    ".nojekyll",
];

/// List `site_static` (a missing folder is empty). Symlinks are not
/// followed, so nothing outside the folder is listed.
pub fn site_static(site_static: &Path, include: &[String]) -> crate::error::Result<SiteStatic> {
    let mut listing = SiteStatic::default();
    if !site_static.is_dir() {
        return Ok(listing);
    }
    let mut hidden = Vec::new();
    let walk = walkdir::WalkDir::new(site_static)
        .into_iter()
        .filter_entry(|e| {
            let Ok(rel) = e.path().strip_prefix(site_static) else {
                return true;
            };
            let rel = slashed(rel);
            let is_hidden = rel.split('/').any(|part| part.starts_with('.'));
            let on_the_way = || {
                e.file_type().is_dir() && include.iter().any(|i| i.starts_with(&format!("{rel}/")))
            };
            if !is_hidden || e.depth() == 0 || included(&rel, include) || on_the_way() {
                return true;
            }
            if !QUIET.contains(&e.file_name().to_string_lossy().as_ref()) {
                hidden.push(rel);
            }
            false
        });
    for entry in walk {
        let entry = entry.map_err(|e| crate::error::Error::Io {
            path: site_static.to_path_buf(),
            source: e.into(),
        })?;
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(site_static)
                .expect("walkdir yields paths under its root");
            listing.files.push(slashed(rel));
        }
    }
    listing.hidden = hidden;
    Ok(listing)
}

/// Whether `rel` is named by `include` or is inside a folder it names.
fn included(rel: &str, include: &[String]) -> bool {
    include
        .iter()
        .any(|i| rel == i || rel.starts_with(&format!("{i}/")))
}

/// A relative path with `/` separators, as the output's file lists keep it.
pub(crate) fn slashed(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_files_are_left_out_unless_included() {
        let dir = tempfile::tempdir().unwrap();
        for rel in [
            "css/site.css",
            ".env",
            ".git/config",
            ".DS_Store",
            "img/.gitkeep",
            ".well-known/security.txt",
            ".well-known/other.txt",
            "img/.hidden/x.png",
            ".keep/a.txt",
        ] {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let mut listing = site_static(dir.path(), &[]).unwrap();
        listing.files.sort();
        listing.hidden.sort();
        assert_eq!(listing.files, ["css/site.css"]);
        assert_eq!(
            listing.hidden,
            [".env", ".keep", ".well-known", "img/.hidden"]
        );
        let include = [".well-known/security.txt".to_string(), ".keep".to_string()];
        let mut listing = site_static(dir.path(), &include).unwrap();
        listing.files.sort();
        assert_eq!(
            listing.files,
            [".keep/a.txt", ".well-known/security.txt", "css/site.css"]
        );
        // A file beside the one named, in a hidden folder, stays out.
        assert!(listing
            .hidden
            .contains(&".well-known/other.txt".to_string()));
    }
}
