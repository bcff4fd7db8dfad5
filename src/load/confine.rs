//! Local files are read only from inside the site folder (issue 19): a
//! symlink in `content/` (or a symlinked folder) that resolves elsewhere on
//! the machine would publish that file as a PID's `manifest.json`. The
//! `static/` folder gets the same rule by not following symlinks at all.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The site folder, to check paths against: resolved once, with the
/// folders its files are in (a registry's targets are nearly all in one or
/// two), where resolving a path costs a system call per component.
pub struct Confine {
    site: PathBuf,
    /// The site resolved through every symlink.
    real: Option<PathBuf>,
    /// Folders resolved so far.
    folders: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

impl Confine {
    /// Check paths against `site`.
    pub fn new(site: &Path) -> Confine {
        Confine {
            site: site.to_path_buf(),
            real: site.canonicalize().ok(),
            folders: Mutex::new(HashMap::new()),
        }
    }

    /// The site folder, as given.
    pub fn site(&self) -> &Path {
        &self.site
    }

    /// Where `path` really is, when that is outside the site (both
    /// resolved through every symlink); `None` when it is inside, or does
    /// not exist (reading it then fails on its own, with its own message).
    pub fn outside(&self, path: &Path) -> Option<PathBuf> {
        let site = self.real.as_ref()?;
        let real = self.resolve(path)?;
        (!real.starts_with(site)).then_some(real)
    }

    /// `path` resolved: a file that is no symlink is where its folder
    /// really is.
    fn resolve(&self, path: &Path) -> Option<PathBuf> {
        let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
            return path.canonicalize().ok();
        };
        if path.symlink_metadata().ok()?.file_type().is_symlink() {
            return path.canonicalize().ok();
        }
        let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        let real = folders
            .entry(folder.to_path_buf())
            .or_insert_with(|| folder.canonicalize().ok());
        Some(real.as_ref()?.join(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outside_site(path: &Path, site: &Path) -> Option<PathBuf> {
        Confine::new(site).outside(path)
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_site_is_outside_and_one_within_is_not() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site");
        std::fs::create_dir_all(site.join("content/manifests")).unwrap();
        std::fs::write(tmp.path().join("secret.json"), "{}").unwrap();
        std::fs::write(site.join("content/manifests/a.json"), "{}").unwrap();
        let link = |to: &Path, name: &str| {
            let at = site.join("content/manifests").join(name);
            std::os::unix::fs::symlink(to, &at).unwrap();
            at
        };
        let out = link(&tmp.path().join("secret.json"), "out.json");
        let within = link(Path::new("a.json"), "b.json");
        assert_eq!(
            outside_site(&out, &site),
            Some(tmp.path().join("secret.json").canonicalize().unwrap())
        );
        assert_eq!(outside_site(&within, &site), None);
        assert_eq!(
            outside_site(&site.join("content/manifests/none.json"), &site),
            None
        );
        // One check of many (folders resolved once): a folder that is a
        // symlink out of the site takes its files with it.
        let outside = tmp.path().join("elsewhere");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("c.json"), "{}").unwrap();
        std::os::unix::fs::symlink(&outside, site.join("content/linked")).unwrap();
        let confine = Confine::new(&site);
        for _ in 0..2 {
            assert_eq!(
                confine.outside(&site.join("content/manifests/a.json")),
                None
            );
            assert_eq!(
                confine.outside(&site.join("content/linked/c.json")),
                Some(outside.canonicalize().unwrap().join("c.json"))
            );
            assert!(confine.outside(&out).is_some());
        }
        // A site reached through a symlink of its own is still itself.
        let alias = tmp.path().join("alias");
        std::os::unix::fs::symlink(&site, &alias).unwrap();
        assert_eq!(
            outside_site(&alias.join("content/manifests/a.json"), &alias),
            None
        );
    }
}
