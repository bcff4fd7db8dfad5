//! The templates as the last build parsed them, kept beside its state: a
//! rebuild is only made when the global fingerprint (site.toml, templates,
//! translations, the binary) is the last build's, so its templates are the
//! ones that build parsed, and reading back their syntax trees spares
//! parsing them again (Tera's parser was a quarter of the instructions of
//! a rebuild of one PID among 1,000). The file starts with the global
//! fingerprint it was made under; under any other it is not read.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::exclusive::{cache_dir, output_name};

/// Where the parsed templates of builds into `out` are kept.
pub fn path(out: &Path) -> PathBuf {
    cache_dir(out).join(format!("templates-{}.bin", output_name(out)))
}

/// The kept templates (as [`crate::render::templates::Templates::kept`]
/// wrote them) if they were kept under `global`.
pub fn load(out: &Path, global: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(path(out)).ok()?;
    let (made_under, rest) = postcard::take_from_bytes::<&str>(&bytes).ok()?;
    (made_under == global).then(|| rest.to_vec())
}

/// Keep `kept` under `global` (written aside, then renamed into place). A
/// file that cannot be written costs the next rebuild a parse, nothing
/// else: the error is not reported.
pub fn save(out: &Path, global: &str, kept: &[u8]) {
    let to = path(out);
    let write = || -> std::io::Result<()> {
        let tmp = to.with_extension("bin.tmp");
        let mut file = std::fs::File::create(&tmp)?;
        let header = postcard::to_stdvec(global).map_err(std::io::Error::other)?;
        file.write_all(&header)?;
        file.write_all(kept)?;
        drop(file);
        std::fs::rename(&tmp, &to)
    };
    let _ = write();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_templates_come_back_only_under_the_same_global_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(cache_dir(&out)).unwrap();
        assert_eq!(load(&out, "g1"), None);
        save(&out, "g1", b"asts");
        assert_eq!(load(&out, "g1").as_deref(), Some(&b"asts"[..]));
        assert_eq!(load(&out, "g2"), None);
        std::fs::write(path(&out), b"\xff\xff").unwrap();
        assert_eq!(load(&out, "g1"), None);
    }
}
