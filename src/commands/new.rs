//! `pidsite new`: write a small working site into an empty folder: a
//! commented site.toml, a registry with one test ARK, a sample IIIF v3
//! manifest with its source noted, an About page, a .gitignore and a GitHub
//! Actions workflow that builds the site and deploys it to GitHub Pages.
//! Every file is embedded in the binary, so `pidsite new` works wherever the
//! binary is. This module writes files only under the folder it is given and
//! never overwrites anything: a folder that is not empty is refused.

use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};

/// The files of a new site: path under the site folder, contents. In
/// site.toml, `{{base_url}}` and `{{title}}` are replaced by TOML strings.
pub const FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("../../scaffold/site.toml")),
    (
        "content/registry.csv",
        include_str!("../../scaffold/registry.csv"),
    ),
    (
        "content/manifests/goettingen-photo.json",
        include_str!("../../scaffold/goettingen-photo.json"),
    ),
    (
        "content/manifests/SOURCES.md",
        include_str!("../../scaffold/SOURCES.md"),
    ),
    (
        "content/pages/about.md",
        include_str!("../../scaffold/about.md"),
    ),
    (".gitignore", include_str!("../../scaffold/gitignore")),
    (
        ".github/workflows/pages.yml",
        include_str!("../../scaffold/pages.yml"),
    ),
];

/// What `pidsite new` was asked to do.
#[derive(Debug, Clone)]
pub struct NewOptions {
    /// The folder to create (or an empty one to fill).
    pub dir: PathBuf,
    /// The site's base URL; `None` makes one from the folder's name, as a
    /// GitHub project page of that name.
    pub base_url: Option<String>,
    /// The site's title; `None` gives a placeholder.
    pub title: Option<String>,
    /// Also write the built-in templates into templates/, for editing.
    pub templates: bool,
}

/// Write a new site. Returns the files written, relative to the folder.
pub fn new_site(options: &NewOptions) -> Result<Vec<PathBuf>> {
    let dir = &options.dir;
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::output_folder(
                    Location::file(dir),
                    "the folder is not empty; `pidsite new` only writes into a new or empty folder (it never overwrites files)",
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            return Err(Error::output_folder(
                Location::file(dir),
                "this is a file, not a folder; name a new or empty folder",
            ));
        }
        Err(e) => return Err(Error::io(dir, e)),
    }
    let base_url = options
        .base_url
        .clone()
        .unwrap_or_else(|| default_base_url(dir));
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| "Example Institution — Persistent Identifiers".to_string());
    let site_toml = FILES[0]
        .1
        .replace("{{base_url}}", &toml_string(&base_url))
        .replace("{{title}}", &toml_string(&title));
    // Validate before writing anything, so a bad --base-url leaves no files.
    crate::config::SiteConfig::parse(&site_toml, Path::new("site.toml"))?;

    let mut files: Vec<(String, &[u8])> = Vec::new();
    files.push(("site.toml".into(), site_toml.as_bytes()));
    for (rel, text) in &FILES[1..] {
        files.push((rel.to_string(), text.as_bytes()));
    }
    if options.templates {
        for (name, text) in crate::render::templates::BUILTINS {
            files.push((format!("templates/{name}"), text.as_bytes()));
        }
    }
    let mut written = Vec::new();
    for (rel, bytes) in files {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        written.push(PathBuf::from(rel));
    }
    for folder in ["static", "content/notes"] {
        let path = dir.join(folder);
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
    }
    Ok(written)
}

/// `https://your-org.github.io/<folder name>/`: where GitHub serves a
/// project page of a repository named like the folder.
fn default_base_url(dir: &Path) -> String {
    let name = std::path::absolute(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches(|c| c == '-' || c == '.');
    if slug.is_empty() {
        "https://your-org.github.io/".to_string()
    } else {
        format!("https://your-org.github.io/{slug}/")
    }
}

/// A TOML basic string holding `s`.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_url_follows_the_folder_name() {
        assert_eq!(
            default_base_url(Path::new("/tmp/my pids")),
            "https://your-org.github.io/my-pids/"
        );
        assert_eq!(
            default_base_url(Path::new("/")),
            "https://your-org.github.io/"
        );
    }

    #[test]
    fn titles_with_quotes_stay_valid_toml() {
        let dir = tempfile::tempdir().unwrap();
        let options = NewOptions {
            dir: dir.path().join("site"),
            base_url: None,
            title: Some("The \"Best\" Library\\".into()),
            templates: false,
        };
        new_site(&options).unwrap();
        let config = crate::config::SiteConfig::load(&options.dir).unwrap();
        assert_eq!(config.title, "The \"Best\" Library\\");
    }

    #[test]
    fn a_bad_base_url_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let options = NewOptions {
            dir: dir.path().join("site"),
            base_url: Some("not a url".into()),
            title: None,
            templates: false,
        };
        let e = new_site(&options).unwrap_err().to_string();
        assert!(e.contains("base_url"), "{e}");
        assert!(!options.dir.exists());
    }

    #[test]
    fn the_written_out_templates_build_without_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let options = NewOptions {
            dir: dir.path().join("site"),
            base_url: Some("https://pid.example.org/".into()),
            title: None,
            templates: true,
        };
        let written = new_site(&options).unwrap();
        for name in ["landing.html", "macros.html", "members.html", "images.html"] {
            assert!(
                written.contains(&PathBuf::from("templates").join(name)),
                "{name}"
            );
        }
        let report = crate::build(
            &crate::BuildOptions {
                site_dir: options.dir.clone(),
                out_dir: None,
                strict: true,
                full: false,
                offline: false,
                time: None,
            },
            &crate::NoProgress,
        )
        .unwrap();
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        assert_eq!(report.pids, 1);
    }

    #[test]
    fn a_folder_with_files_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        let options = NewOptions {
            dir: dir.path().to_path_buf(),
            base_url: None,
            title: None,
            templates: false,
        };
        let e = new_site(&options).unwrap_err().to_string();
        assert!(e.contains("not empty"), "{e}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(),
            "mine"
        );
    }
}
