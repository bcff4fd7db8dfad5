//! What several integration tests share.

use std::path::{Path, PathBuf};

use pidsite::{build, BuildOptions, NoProgress};

/// A fresh copy of `tests/fixtures/<name>` in a temporary folder, to change
/// or break.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let to = dir.path().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

/// An offline build of `site` into `out`, as the CLI runs one without flags.
#[allow(dead_code)] // not every test binary builds through the library
pub fn build_into(site: &Path, out: &Path) -> pidsite::Result<pidsite::BuildReport> {
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: Some(out.to_path_buf()),
            strict: false,
            full: false,
            offline: true,
            time: None,
        },
        &NoProgress,
    )
}

/// Append `text` to the site's file `rel`.
#[allow(dead_code)] // not every test binary edits a site
pub fn append(site: &Path, rel: &str, text: &str) {
    let path = site.join(rel);
    let old = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, old + text).unwrap();
}
