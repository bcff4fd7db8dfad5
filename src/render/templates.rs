//! Tera templates: the built-ins are embedded in the binary; a site's own
//! `templates/` folder overrides any of them by file name, and can extend a
//! built-in as `builtin/<name>` to change one block.

use std::path::Path;

use tera::Tera;

use crate::error::Location;
use crate::error::{Error, Result, Warning};

/// The built-in templates, by name.
pub const BUILTINS: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("landing.html", include_str!("../../templates/landing.html")),
    (
        "tombstone.html",
        include_str!("../../templates/tombstone.html"),
    ),
    (
        "redirect.html",
        include_str!("../../templates/redirect.html"),
    ),
    ("index.html", include_str!("../../templates/index.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("404.html", include_str!("../../templates/404.html")),
];

/// Load the site's templates over the built-ins. Warns about site templates
/// that match no built-in name and are not used by another template.
pub fn load(site_dir: &Path) -> Result<(Tera, Vec<Warning>)> {
    let mut builtins = Tera::default();
    builtins.autoescape_on(vec![".html", ".xml"]);
    let mut all: Vec<(String, &str)> = Vec::new();
    for (name, text) in BUILTINS {
        all.push((name.to_string(), text));
        all.push((format!("builtin/{name}"), text));
    }
    builtins
        .add_raw_templates(all.iter().map(|(n, t)| (n.as_str(), *t)))
        .map_err(|e| template_error("built-in templates", &e))?;

    // Site templates are added over the built-ins: a site file replaces the
    // built-in of the same name, and may extend any built-in (`base.html`,
    // or `builtin/<name>` to change one block of the original).
    let mut tera = builtins;
    let mut warnings = Vec::new();
    let dir = site_dir.join("templates");
    if dir.is_dir() {
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::Io {
                path: dir.clone(),
                source: e.into(),
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .expect("walkdir yields paths under its root")
                .to_string_lossy()
                .replace('\\', "/");
            if rel.starts_with('.') {
                continue;
            }
            let known = BUILTINS.iter().any(|(n, _)| *n == rel);
            if !known && !rel.starts_with("partials/") {
                warnings.push(Warning {
                    at: Location::file(Path::new("templates").join(&rel)),
                    message: format!(
                        "template matches no built-in name (expected one of {}, or a file under partials/); is it a typo?",
                        BUILTINS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
            files.push((entry.path().to_path_buf(), Some(rel)));
        }
        tera.add_template_files(files.iter().map(|(p, n)| (p.as_path(), n.as_deref())))
            .map_err(|e| template_error("templates/", &e))?;
    }
    // Tera's default also escapes `/` (as `&#x2F;`), which is needless in
    // HTML and makes every URL unreadable in the page source.
    tera.set_escape_fn(escape_html);
    Ok((tera, warnings))
}

/// Escape text for element content and quoted attribute values.
fn escape_html(text: &str) -> String {
    crate::load::html::escape(text)
}

/// A template error with Tera's whole cause chain.
pub fn template_error(name: &str, e: &tera::Error) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Error::Template {
        name: name.to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses() {
        let dir = tempfile::tempdir().unwrap();
        let (tera, warnings) = load(dir.path()).unwrap();
        assert!(warnings.is_empty());
        for (name, _) in BUILTINS {
            assert!(tera.get_template_names().any(|n| n == *name), "{name}");
        }
    }

    #[test]
    fn a_site_template_overrides_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/page.html"), "MINE").unwrap();
        std::fs::write(dir.path().join("templates/pgae.html"), "typo").unwrap();
        let (tera, warnings) = load(dir.path()).unwrap();
        let out = tera.render("page.html", &tera::Context::new()).unwrap();
        assert_eq!(out, "MINE");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].to_string().contains("pgae.html"));
    }
}
