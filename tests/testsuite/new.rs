//! `pidsite new`: a site that builds with `--strict`, with a GitHub Pages
//! workflow.

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

use crate::cli::{no_panic, pidsite};

#[test]
fn new_prints_commands_that_can_be_pasted_for_a_folder_with_a_space() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("pidsite")
        .unwrap()
        .current_dir(dir.path())
        .args(["new", "My PIDs/"])
        .assert()
        .success()
        .stderr(predicate::str::contains("pidsite serve --site 'My PIDs/'"))
        .stderr(predicate::str::contains("write it into 'My PIDs/public'"));
}

/// `pidsite new` writes a site that builds with --strict, whose workflow
/// deploys to GitHub Pages; a second `new` into it is refused.
#[test]
fn new_scaffolds_a_site_that_builds_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("my-pids");
    let mut cmd = Command::cargo_bin("pidsite").unwrap();
    cmd.current_dir(dir.path())
        .args(["new", "my-pids"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Created a new site in my-pids"));
    for file in [
        "site.toml",
        "content/registry.csv",
        "content/manifests/SOURCES.md",
        "content/pages/about.md",
        ".gitignore",
        ".github/workflows/pages.yml",
    ] {
        assert!(site.join(file).is_file(), "{file} missing");
    }
    let toml = std::fs::read_to_string(site.join("site.toml")).unwrap();
    assert!(toml.contains("base_url = \"https://your-org.github.io/my-pids/\""));
    let gitignore = std::fs::read_to_string(site.join(".gitignore")).unwrap();
    assert!(gitignore.contains("public/") && gitignore.contains(".pidsite-cache/"));

    pidsite(&site)
        .args(["build", "--site", ".", "--strict"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    let landing = site.join("public/ark/99999/fk4r6pf34rb/index.html");
    let page = std::fs::read_to_string(&landing).unwrap();
    assert!(page.contains("Göttingen"), "the sample manifest's label");
    assert!(page.contains("Glen Robson"), "its attribution is shown");
    assert!(
        !page.contains("__pidsite"),
        "no live-reload script in built files"
    );
    assert!(site.join("public/about/index.html").is_file());
    pidsite(&site).arg("check").assert().success();

    let workflow = std::fs::read_to_string(site.join(".github/workflows/pages.yml")).unwrap();
    // Issue 21: a release binary through the pidsite action, not a
    // compile of pidsite on every first run.
    check_pages_workflow(&workflow, "pidsite/pidsite@v1");
    assert!(!workflow.contains("cargo install") && !workflow.contains("rust-toolchain"));
    // Issue 16: a fresh runner keeps the remote manifests fetched before
    // (cached, keyed on the lock and the registry); the PIDs' dates are in
    // pidsite.lock, which the site commits (not ignored, not cached), and
    // the workflow itself commits nothing.
    let cache = workflow.find("path: .pidsite-cache/remote\n");
    let build = workflow.find("uses: pidsite/pidsite@v1");
    assert!(
        cache.is_some() && cache < build,
        "the remote cache is restored before the build: {workflow}"
    );
    assert!(workflow.contains("key: pidsite-remote-${{ hashFiles('pidsite.lock'"));
    assert!(!workflow.contains("path: .pidsite-cache\n"));
    assert!(!workflow.contains("git commit") && !workflow.contains("git push"));
    assert!(!gitignore
        .lines()
        .any(|l| l.contains("pidsite.lock") && !l.starts_with('#')));
    let lock = std::fs::read_to_string(site.join("pidsite.lock")).unwrap();
    assert!(
        lock.contains("\npublished = \"2025-11-25T12:00:00Z\"\n"),
        "{lock}"
    );

    let mut again = Command::cargo_bin("pidsite").unwrap();
    again
        .current_dir(dir.path())
        .args(["new", "my-pids"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("my-pids: the folder is not empty"))
        .stderr(no_panic());
}

/// The repository's own workflow builds the example site and deploys it.
#[test]
fn the_repository_deploys_its_example_site_to_pages() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/pages.yml");
    let workflow = std::fs::read_to_string(path).unwrap();
    check_pages_workflow(&workflow, "cargo run --release");
}

/// A GitHub Pages workflow: a build job that runs or uses `builds_with` and uploads
/// the artifact, a deploy job with the Pages permissions. Parsed as YAML by
/// python3's PyYAML where the machine has it; the structure is checked by
/// lines either way.
fn check_pages_workflow(text: &str, builds_with: &str) {
    for needle in [
        "actions/checkout@",
        "actions/configure-pages@",
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
        "pages: write",
        "id-token: write",
        "group: pages",
        "name: github-pages",
        "needs: build",
        builds_with,
    ] {
        assert!(text.contains(needle), "workflow lacks {needle:?}");
    }
    assert!(!text.contains('\t'), "YAML may not indent with tabs");
    let script = r#"
import sys, yaml
d = yaml.safe_load(sys.stdin)
on = d.get("on", d.get(True))
assert "push" in on, on
assert d["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}, d["permissions"]
assert d["concurrency"]["group"] == "pages"
build, deploy = d["jobs"]["build"], d["jobs"]["deploy"]
uses = [s.get("uses", "") for s in build["steps"]]
runs = " ".join(s.get("run", "") for s in build["steps"])
assert any(u.startswith("actions/checkout@") for u in uses), uses
assert any(u.startswith("actions/upload-pages-artifact@") for u in uses), uses
assert sys.argv[1] in runs or sys.argv[1] in uses, (runs, uses)
assert deploy["needs"] == "build"
assert deploy["environment"]["name"] == "github-pages"
assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
print("ok")
"#;
    let python = std::process::Command::new("python3")
        .args(["-c", "import yaml"])
        .output();
    if !matches!(python, Ok(ref o) if o.status.success()) {
        eprintln!("python3 with PyYAML not found: the workflow was checked by lines only");
        return;
    }
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, builds_with])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "workflow YAML: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
