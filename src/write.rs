//! Writing: rendered [`Output`]s go into a staging folder beside the output
//! folder (HTML minified on the way), static files are copied in, and only a
//! build that succeeded is swapped into place. A failed build leaves the
//! previous output untouched. Knows nothing of IIIF or PIDs.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::render::Output;

/// Static files embedded in the binary, so a site with no `static/` folder
/// still gets its stylesheet, script and viewer.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    (
        "css/pidsite.css",
        include_bytes!("../static/css/pidsite.css"),
    ),
    ("js/pidsite.js", include_bytes!("../static/js/pidsite.js")),
    (
        "vendor/mirador-4.0.0/mirador.min.js",
        include_bytes!("../static/vendor/mirador-4.0.0/mirador.min.js"),
    ),
    (
        "vendor/mirador-4.0.0/LICENSE",
        include_bytes!("../static/vendor/mirador-4.0.0/LICENSE"),
    ),
];

/// A build in progress: a hidden folder beside the output folder.
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
    minify: bool,
    cfg: minify_html::Cfg,
}

impl Staging {
    /// Create the staging folder beside `out`.
    pub fn new(out: &Path, minify: bool) -> Result<Self> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let dir = tempfile::Builder::new()
            .prefix(".pidsite-build-")
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        let mut cfg = minify_html::Cfg::new();
        // Keep what validators and old parsers want: closing tags, html/head
        // tags, quoted attributes, the doctype.
        cfg.keep_closing_tags = true;
        cfg.keep_html_and_head_opening_tags = true;
        cfg.minify_css = true;
        cfg.minify_js = false;
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            minify,
            cfg,
        })
    }

    /// The staging folder (for tests).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write one output, minifying HTML. Safe to call from many threads.
    pub fn write(&self, output: &Output) -> Result<u64> {
        let file = output.path.to_file_path(self.dir.path());
        let is_html = file.extension().is_some_and(|e| e == "html");
        let bytes = if is_html && self.minify {
            minify_html::minify(&output.bytes, &self.cfg)
        } else {
            output.bytes.clone()
        };
        write_file(&file, &bytes)?;
        Ok(bytes.len() as u64)
    }

    /// Copy the site's `static/` folder, then every built-in static file the
    /// site does not override. Returns the number of files copied.
    pub fn copy_static(&self, site_static: &Path) -> Result<usize> {
        let mut count = 0;
        if site_static.is_dir() {
            for entry in walkdir::WalkDir::new(site_static) {
                let entry = entry.map_err(|e| Error::Io {
                    path: site_static.to_path_buf(),
                    source: e.into(),
                })?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(site_static)
                    .expect("walkdir yields paths under its root");
                let to = self.dir.path().join(rel);
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                std::fs::copy(entry.path(), &to).map_err(|e| Error::io(entry.path(), e))?;
                count += 1;
            }
        }
        for (rel, bytes) in BUILTIN_STATIC {
            let to = self.dir.path().join(rel);
            if !to.exists() {
                write_file(&to, bytes)?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// Swap the staging folder into place of the output folder.
    pub fn commit(self) -> Result<()> {
        let staged = self.dir.keep();
        let old = self.out.with_file_name(format!(
            ".pidsite-old-{}",
            self.out
                .file_name()
                .map_or("out".into(), |n| n.to_string_lossy())
        ));
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        if self.out.exists() {
            std::fs::rename(&self.out, &old).map_err(|e| Error::io(&self.out, e))?;
        }
        if let Err(e) = std::fs::rename(&staged, &self.out) {
            // Put the previous output back before reporting.
            if old.exists() {
                let _ = std::fs::rename(&old, &self.out);
            }
            let _ = std::fs::remove_dir_all(&staged);
            return Err(Error::io(&self.out, e));
        }
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    w.write_all(bytes).map_err(|e| Error::io(path, e))?;
    w.flush().map_err(|e| Error::io(path, e))
}
