//! [`SitePath`]: a path inside the output folder, relative, `/`-separated,
//! with no `..`, no empty or dot segments and only characters every file
//! system accepts. Built only from checked segments, so nothing a manifest or
//! registry says can write outside the output folder.

use std::fmt;
use std::path::{Path, PathBuf};

/// A relative path inside the output folder. Folders end in `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct SitePath(String);

impl SitePath {
    /// The site root (`""`).
    pub fn root() -> Self {
        SitePath(String::new())
    }

    /// A folder made of the given raw segments, each escaped with
    /// [`escape_segment`].
    pub fn folder<'a>(segments: impl IntoIterator<Item = &'a str>) -> Self {
        // Room for a landing page's folder (`ark/12345/x6np1wh8k/`),
        // rather than growing it segment by segment.
        let mut path = String::with_capacity(32);
        for segment in segments {
            if segment.is_empty() {
                continue;
            }
            push_segment(&mut path, segment);
            path.push('/');
        }
        SitePath(path)
    }

    /// A file inside this folder; `name` must be a plain file name chosen by
    /// pidsite itself (e.g. `cite.bib`).
    pub fn file(&self, name: &str) -> Self {
        debug_assert!(!name.contains('/') && name != ".." && name != ".");
        SitePath(format!("{}{}", self.dir_prefix(), name))
    }

    /// A sub-folder of this folder, escaped.
    pub fn join_folder(&self, segment: &str) -> Self {
        SitePath(format!("{}{}/", self.dir_prefix(), escape_segment(segment)))
    }

    fn dir_prefix(&self) -> &str {
        if self.0.is_empty() || self.0.ends_with('/') {
            &self.0
        } else {
            // A file path: its folder is everything up to the last `/`.
            self.0.rsplit_once('/').map_or("", |(dir, _)| dir)
        }
    }

    /// The path as written in URLs (relative to the base URL).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a folder (ends in `/` or is the root).
    pub fn is_folder(&self) -> bool {
        self.0.is_empty() || self.0.ends_with('/')
    }

    /// The file this path is written to, relative to the output folder with
    /// `/` separators: a folder's `index.html`, or the file.
    pub fn file_name(&self) -> String {
        if self.is_folder() {
            format!("{}index.html", self.0)
        } else {
            self.0.clone()
        }
    }

    /// The file to write for this path: a folder's `index.html`, or the file.
    pub fn to_file_path(&self, root: &Path) -> PathBuf {
        let mut path = root.to_path_buf();
        for segment in self.0.split('/').filter(|s| !s.is_empty()) {
            path.push(segment);
        }
        if self.is_folder() {
            path.push("index.html");
        }
        path
    }
}

impl fmt::Display for SitePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Names Windows refuses for a file or folder whatever the extension.
const WINDOWS_RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Escape one path segment so that it is safe on Linux, macOS and Windows and
/// needs no percent-encoding in a URL: ASCII letters, digits, `-`, `_` and
/// `.` stay; every other byte becomes `~XX` (upper-case hex). A segment that
/// is `.`/`..`, ends in `.`, or is a reserved Windows name is escaped too.
pub fn escape_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    push_segment(&mut out, segment);
    out
}

/// [`escape_segment`] written onto the end of `out`: a landing page's
/// folder is made of several, for every PID of every build (a string
/// each, and the reserved names compared with every one, were 4% of a
/// rebuild's instructions).
fn push_segment(out: &mut String, segment: &str) {
    let safe = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    let start = out.len();
    // Most segments (ARK names, DOI parts) need no escape: copied whole.
    if segment.bytes().all(safe) {
        out.push_str(segment);
    } else {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        for byte in segment.bytes() {
            if safe(byte) {
                out.push(byte as char);
            } else {
                out.push('~');
                out.push(HEX[usize::from(byte >> 4)] as char);
                out.push(HEX[usize::from(byte & 0xf)] as char);
            }
        }
    }
    if out[start..].ends_with('.') {
        out.pop();
        out.push_str("~2E");
    }
    let escaped = &out[start..];
    let stem = escaped.split('.').next().unwrap_or("");
    // Every reserved name has 3 or 4 letters.
    let reserved = matches!(stem.len(), 3 | 4)
        && WINDOWS_RESERVED
            .iter()
            .any(|r| r.eq_ignore_ascii_case(stem));
    if escaped.starts_with('.') || reserved {
        out.insert(start, '_');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_files() {
        let p = SitePath::folder(["ark", "12345", "x6"]);
        assert_eq!(p.as_str(), "ark/12345/x6/");
        assert_eq!(p.file("cite.bib").as_str(), "ark/12345/x6/cite.bib");
        assert_eq!(
            p.to_file_path(Path::new("/o")),
            PathBuf::from("/o/ark/12345/x6/index.html")
        );
        assert_eq!(SitePath::root().file("sitemap.xml").as_str(), "sitemap.xml");
    }

    #[test]
    fn nothing_escapes_the_output_folder() {
        for hostile in [
            "..",
            ".",
            "../../etc",
            "a/../b",
            "C:",
            "con",
            "nul.txt",
            "a:b",
            "x.",
        ] {
            let p = SitePath::folder([hostile]);
            for seg in p.as_str().split('/').filter(|s| !s.is_empty()) {
                assert_ne!(seg, "..");
                assert_ne!(seg, ".");
                assert!(!seg.contains(['/', '\\', ':']), "{seg}");
                assert!(!seg.ends_with('.'), "{seg}");
            }
        }
        assert_eq!(escape_segment(".."), "_.~2E");
        assert_eq!(escape_segment("a b"), "a~20b");
        assert_eq!(escape_segment("CON"), "_CON");
    }

    /// The escape as first written, a byte at a time: the reference for
    /// the faster one.
    fn escape_slowly(segment: &str) -> String {
        let mut out = String::new();
        for byte in segment.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.') {
                out.push(byte as char);
            } else {
                out.push_str(&format!("~{byte:02X}"));
            }
        }
        if out.ends_with('.') {
            out.pop();
            out.push_str("~2E");
        }
        let stem = out.split('.').next().unwrap_or("").to_ascii_lowercase();
        if out.starts_with('.') || WINDOWS_RESERVED.contains(&stem.as_str()) {
            out.insert(0, '_');
        }
        out
    }

    #[test]
    fn escaping_agrees_with_the_byte_at_a_time_reference() {
        let parts = [
            "",
            "a",
            "B7",
            ".",
            "..",
            "x.",
            "~",
            " ",
            "/",
            "café",
            "über",
            "中",
            "CON",
            "nul",
            "Com1",
            "lpt9.txt",
            "aux.",
            ".hidden",
            "fk4-ab_cd",
            "%2F",
            "\\",
            ":",
            "?#",
        ];
        for a in parts {
            for b in parts {
                let segment = format!("{a}{b}");
                assert_eq!(
                    escape_segment(&segment),
                    escape_slowly(&segment),
                    "{segment:?}"
                );
                // A folder escapes each segment after the ones before it.
                let folder: String = ["ark", a, b, &segment]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| escape_slowly(s) + "/")
                    .collect();
                assert_eq!(SitePath::folder(["ark", a, b, &segment]).as_str(), folder);
            }
        }
    }
}
