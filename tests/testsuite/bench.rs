//! The benchmark's scripts on a built site (`bench/bytes.py`,
//! `bench/gen_hugo_full.py`): they find each PID's files from `pids.csv` and
//! its landing page's parts from the page, so a change of the output's
//! layout shows here rather than as a silently wrong benchmark. No timings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::{pidsite, site};

const BASE: &str = "https://org.github.io/repo/";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The basic fixture (active, withdrawn, moved PIDs, an alias, versions, a
/// DOI) built into `public/`; None without python3.
fn built() -> Option<(tempfile::TempDir, PathBuf)> {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 not found: the bench scripts are not checked");
        return None;
    }
    let site = site();
    pidsite(site.path())
        .args(["build", "--quiet"])
        .assert()
        .success();
    let out = site.path().join("public");
    Some((site, out))
}

fn python(script: &str, args: &[&Path]) -> String {
    let out = Command::new("python3")
        .arg(repo().join("bench").join(script))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// The rows of `pids.csv`: (status, path under the base URL).
fn pids_csv(out: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(out.join("pids.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.rsplitn(3, ',').collect();
            let path = fields[1].strip_prefix(BASE).unwrap().to_string();
            (fields[0].to_string(), path)
        })
        .collect()
}

#[test]
fn bytes_per_pid_counts_every_file_once_by_kind() {
    let Some((_site, out)) = built() else { return };
    let report = python("bytes.py", &[&out, Path::new(BASE)]);
    // "  kind   files   MB   KB/PID   share", the kind possibly in words.
    let mut files: BTreeMap<String, usize> = BTreeMap::new();
    for line in report.lines().filter(|l| l.starts_with("  ")).skip(1) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let numbers = if words.contains(&"total") { 3 } else { 4 };
        let kind = words[..words.len() - numbers].join(" ");
        let count = words[words.len() - numbers]
            .replace(',', "")
            .parse()
            .unwrap();
        files.insert(kind, count);
    }
    let on_disk = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    let total = files.remove("total").expect(&report);
    assert_eq!(total, on_disk, "{report}");
    assert_eq!(files.values().sum::<usize>(), on_disk, "{report}");

    let rows = pids_csv(&out);
    let count = |status: &[&str]| {
        rows.iter()
            .filter(|r| status.contains(&r.0.as_str()))
            .count()
    };
    // One stub per alias and moved PID; a landing page per PID that is
    // neither moved nor a version inside another PID's folder.
    assert_eq!(
        files["redirect stubs"],
        count(&["alias", "moved"]),
        "{report}"
    );
    let nested = |path: &str| {
        rows.iter()
            .any(|(s, p)| s != "alias" && p != path && path.starts_with(p.as_str()))
    };
    let landing = rows
        .iter()
        .filter(|(s, p)| (s == "active" || s == "withdrawn") && !nested(p))
        .count();
    assert_eq!(files["landing pages"], landing, "{report}");
    assert_eq!(files["cite.bib"], landing, "{report}");
    assert!(files["version pages"] > 0, "{report}");
    assert!(files.contains_key("datacite.xml"), "{report}");
    assert!(report.contains("PIDs of this mix fit"), "{report}");
}

#[test]
fn hugo_like_for_like_bundles_hold_the_pid_files_and_citations() {
    let Some((site, out)) = built() else { return };
    let hugo = site.path().join("hugo-full");
    python("gen_hugo_full.py", &[&out, Path::new(BASE), &hugo]);
    let rows = pids_csv(&out);
    let mut bundles = 0;
    for (status, path) in rows.iter().filter(|r| r.0 == "active") {
        let bundle = hugo.join("content").join(path);
        if !bundle.join("index.html").exists() {
            // Only a version inside another PID's folder has no bundle.
            assert!(
                rows.iter()
                    .any(|(_, p)| p != path && path.starts_with(p.as_str())),
                "{status} {path}"
            );
            continue;
        }
        bundles += 1;
        for name in ["cite.json", "cite.bib", "cite.ris", "linkset.json"] {
            let ours = std::fs::read(out.join(path).join(name)).unwrap();
            assert_eq!(
                std::fs::read(bundle.join(name)).unwrap(),
                ours,
                "{path}{name}"
            );
        }
        let page = std::fs::read_to_string(bundle.join("index.html")).unwrap();
        let front = page.split("\n\n").next().unwrap();
        let front: serde_json::Value = serde_json::from_str(front).unwrap();
        let jsonld: serde_json::Value =
            serde_json::from_str(front["jsonld"].as_str().unwrap()).unwrap();
        assert_eq!(jsonld["@context"], "https://schema.org", "{path}");
        let labels: Vec<&str> = front["citations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["label"].as_str().unwrap())
            .collect();
        assert!(
            labels.contains(&"APA 7") && labels.contains(&"BibTeX"),
            "{path}: {labels:?}"
        );
        assert!(front["meta"].as_array().unwrap().len() > 5, "{path}");
        assert!(
            !page.contains("cite-style"),
            "{path}: citations left in the body"
        );
    }
    assert!(bundles >= 5, "{bundles} bundles");
}
