//! Each vendored crate (`vendor/hayagriva`, the CSL processor; `vendor/tera`, the
//! template engine; `vendor/pagefind`, the search index) is the crate from crates.io plus the patches its
//! `PATCHES.md` records, and nothing else: every file matches its SHA-256 in
//! its `SHA256SUMS`, no file is missing or added, the crate's version is the
//! upstream version recorded there, and every `pidsite patch N` marked in the
//! source is listed in PATCHES.md. A deliberate change is written up in
//! PATCHES.md and recorded with `bash scripts/vendor-manifest.sh CRATE`. Leaflet (`static/vendor/leaflet-…`,
//! the maps) is its npm release's files, each matching the SHA-256 recorded
//! below, and built into the binary as it is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The vendored crates, by folder name under `vendor/`.
const CRATES: [&str; 3] = ["hayagriva", "tera", "pagefind"];

fn vendored(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vendor")
        .join(name)
}

/// Files not covered by the record: the record itself, the patch notes and
/// the write-ups for upstream (none is compiled).
fn unrecorded(rel: &str) -> bool {
    rel == "SHA256SUMS" || rel == "PATCHES.md" || rel.starts_with("upstream/")
}

/// `SHA256SUMS`: the upstream version from its first line, and hash by path.
fn record(name: &str) -> (String, BTreeMap<String, String>) {
    let text = std::fs::read_to_string(vendored(name).join("SHA256SUMS")).unwrap();
    let version = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix(&format!("# {name} ")))
        .and_then(|l| l.split(' ').next())
        .expect("SHA256SUMS starts with `# CRATE VERSION …`")
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
    is_upstream_plus_recorded_patches("hayagriva");
}

#[test]
fn vendored_tera_is_upstream_plus_recorded_patches() {
    is_upstream_plus_recorded_patches("tera");
}

#[test]
fn vendored_pagefind_is_upstream_plus_recorded_patches() {
    is_upstream_plus_recorded_patches("pagefind");
}

fn is_upstream_plus_recorded_patches(name: &str) {
    let root = vendored(name);
    let (version, recorded) = record(name);
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&format!("\nversion = \"{version}\"\n")),
        "vendor/{name}/Cargo.toml is not {name} {version}, the version SHA256SUMS records"
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
        "vendor/{name} differs from {name} {version} plus the recorded patches:\n  {}\n\
         If the change is deliberate, write it up in vendor/{name}/PATCHES.md and run \
         `bash scripts/vendor-manifest.sh {name}`.",
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
    CRATES.iter().for_each(|name| patches_are_listed(name));
}

fn patches_are_listed(name: &str) {
    let root = vendored(name);
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
    assert!(
        !marked.is_empty(),
        "no `pidsite patch N` marker in vendor/{name}"
    );
    let unlisted: Vec<_> = marked.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "patches marked in vendor/{name}/src but not listed in PATCHES.md: {unlisted:?}"
    );
}

/// Leaflet, which draws the maps (issue 20), is `dist/` of the npm package
/// `leaflet@1.9.4` (tarball sha512
/// `nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==`)
/// as `npm pack leaflet@1.9.4` gives it, and only the files the maps use:
/// the script, the stylesheet, the marker images and the licence (the
/// layers control's images are left out: pidsite shows no layers control).
const LEAFLET: &[(&str, &str)] = &[
    (
        "LICENSE",
        "53e8dc25862014e4324741ca18fbe3611e11d42ef69f59f86ea8c5389647d4cb",
    ),
    (
        "images/marker-icon-2x.png",
        "00179c4c1ee830d3a108412ae0d294f55776cfeb085c60129a39aa6fc4ae2528",
    ),
    (
        "images/marker-icon.png",
        "574c3a5cca85f4114085b6841596d62f00d7c892c7b03f28cbfa301deb1dc437",
    ),
    (
        "images/marker-shadow.png",
        "264f5c640339f042dd729062cfc04c17f8ea0f29882b538e3848ed8f10edb4da",
    ),
    (
        "leaflet.css",
        "a7837102824184820dfa198d1ebcd109ff6d0ff9a2672a074b9a1b4d147d04c6",
    ),
    (
        "leaflet.js",
        "db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a",
    ),
];

#[test]
fn vendored_leaflet_is_the_npm_release_and_built_in() {
    let version = pidsite::render::LEAFLET_VERSION;
    let folder = format!("vendor/leaflet-{version}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("static")
        .join(&folder);
    let mut found = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&root).unwrap();
            found.insert(
                rel.to_str().unwrap().replace('\\', "/"),
                sha256_hex(entry.path()),
            );
        }
    }
    let recorded: BTreeMap<String, String> = LEAFLET
        .iter()
        .map(|(p, h)| (p.to_string(), h.to_string()))
        .collect();
    assert_eq!(
        found, recorded,
        "static/{folder} is not leaflet@{version}'s files as recorded in tests/vendored.rs"
    );
    // Each is in the binary as it is in static/, so every site gets it.
    for (rel, _) in LEAFLET {
        let path = format!("{folder}/{rel}");
        let builtin = pidsite::static_files::BUILTIN_STATIC
            .iter()
            .find(|(p, _)| *p == path)
            .unwrap_or_else(|| panic!("{path} is not among the built-in static files"));
        assert_eq!(
            builtin.1,
            std::fs::read(root.join(rel)).unwrap().as_slice(),
            "{path}"
        );
    }
}
