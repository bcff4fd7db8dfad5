//! Local files are read only from inside the site folder (issue 19): a
//! symlink in `content/` (or a symlinked folder) that resolves elsewhere on
//! the machine would publish that file as a PID's `manifest.json`. The
//! `static/` folder gets the same rule by not following symlinks at all.

use std::path::{Path, PathBuf};

/// Where `path` really is, when that is outside `site` (both resolved
/// through every symlink); `None` when it is inside, or does not exist
/// (reading it then fails on its own, with its own message).
pub fn outside_site(path: &Path, site: &Path) -> Option<PathBuf> {
    let real = path.canonicalize().ok()?;
    let site = site.canonicalize().ok()?;
    (!real.starts_with(&site)).then_some(real)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // A site reached through a symlink of its own is still itself.
        let alias = tmp.path().join("alias");
        std::os::unix::fs::symlink(&site, &alias).unwrap();
        assert_eq!(
            outside_site(&alias.join("content/manifests/a.json"), &alias),
            None
        );
    }
}
