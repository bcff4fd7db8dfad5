//! The vendored CSL processor (`vendor/hayagriva`) is hayagriva from crates.io
//! plus the patches `vendor/hayagriva/PATCHES.md` records, and nothing else:
//! every file matches its SHA-256 in `vendor/hayagriva/SHA256SUMS`, no file is
//! missing or added, the crate's version is the upstream version recorded
//! there, and every `pidsite patch N` marked in the source is listed in
//! PATCHES.md. A deliberate change is written up in PATCHES.md and recorded
//! with `bash scripts/vendor-manifest.sh`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn vendored() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor/hayagriva")
}

/// Files not covered by the record: the record itself, the patch notes and
/// the write-ups for upstream (none is compiled).
fn unrecorded(rel: &str) -> bool {
    rel == "SHA256SUMS" || rel == "PATCHES.md" || rel.starts_with("upstream/")
}

/// `SHA256SUMS`: the upstream version from its first line, and hash by path.
fn record() -> (String, BTreeMap<String, String>) {
    let text = std::fs::read_to_string(vendored().join("SHA256SUMS")).unwrap();
    let version = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# hayagriva "))
        .and_then(|l| l.split(' ').next())
        .expect("SHA256SUMS starts with `# hayagriva VERSION …`")
        .to_string();
    let hashes = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (hash, path) = l.split_once("  ").expect("`HASH  PATH` lines");
            (path.to_string(), hash.to_string())
        })
        .collect();
    (version, hashes)
}

fn sha256_hex(path: &Path) -> String {
    let digest = Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn vendored_hayagriva_is_upstream_plus_recorded_patches() {
    let root = vendored();
    let (version, recorded) = record();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&format!("\nversion = \"{version}\"\n")),
        "vendor/hayagriva/Cargo.toml is not hayagriva {version}, the version SHA256SUMS records"
    );

    let mut found = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&root).unwrap();
        let rel = rel.to_str().unwrap().replace('\\', "/");
        if !unrecorded(&rel) {
            found.insert(rel, sha256_hex(entry.path()));
        }
    }

    let mut drift = Vec::new();
    for (path, hash) in &recorded {
        match found.get(path) {
            None => drift.push(format!("missing: {path}")),
            Some(h) if h != hash => drift.push(format!("changed: {path}")),
            Some(_) => {}
        }
    }
    for path in found.keys().filter(|p| !recorded.contains_key(*p)) {
        drift.push(format!("added: {path}"));
    }
    assert!(
        drift.is_empty(),
        "vendor/hayagriva differs from hayagriva {version} plus the recorded patches:\n  {}\n\
         If the change is deliberate, write it up in vendor/hayagriva/PATCHES.md and run \
         `bash scripts/vendor-manifest.sh`.",
        drift.join("\n  ")
    );
}

/// The numbers `N` of every `pidsite patch N` in `text`.
fn patch_numbers(text: &str) -> BTreeSet<u32> {
    text.match_indices("pidsite patch ")
        .filter_map(|(at, m)| {
            let rest = &text[at + m.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

#[test]
fn every_patch_marked_in_the_source_is_listed_in_patches_md() {
    let root = vendored();
    let notes = std::fs::read_to_string(root.join("PATCHES.md")).unwrap();
    // A listed patch is a list item `N. **…`, in either section.
    let listed: BTreeSet<u32> = notes
        .lines()
        .filter_map(|l| {
            let (n, rest) = l.split_once(". **")?;
            let _ = rest;
            n.trim().parse().ok()
        })
        .collect();
    let mut marked = BTreeSet::new();
    for entry in walkdir::WalkDir::new(root.join("src")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            marked.extend(patch_numbers(
                &std::fs::read_to_string(entry.path()).unwrap(),
            ));
        }
    }
    assert!(!marked.is_empty(), "no `pidsite patch N` marker found");
    let unlisted: Vec<_> = marked.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "patches marked in vendor/hayagriva/src but not listed in PATCHES.md: {unlisted:?}"
    );
}
