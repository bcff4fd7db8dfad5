//! Records the git commit pidsite is built from, for `pidsite --version`,
//! as `PIDSITE_COMMIT` (empty when it cannot be known). In order:
//! - the `PIDSITE_COMMIT` environment variable, for packagers who know it;
//! - `git rev-parse HEAD`, when the package folder is the top of a git
//!   checkout (not a crate unpacked inside some other repository);
//! - the `git.sha1` that `cargo package` writes into `.cargo_vcs_info.json`,
//!   for a build from a crate tarball;
//! - otherwise nothing: the version alone.
//!
//! No date or time goes in, so two builds of one commit stay identical.
//! Cargo reruns this script, and so recompiles the crate, only when the
//! checkout's HEAD moves: it watches HEAD, HEAD's reflog and the branch's
//! ref file, never the whole refs folder, which every other branch's commit
//! (another worktree's, say) would touch.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PIDSITE_COMMIT");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = std::env::var("PIDSITE_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.trim().to_string())
        .or_else(|| from_git(&manifest_dir))
        .or_else(|| from_vcs_info(&manifest_dir))
        .unwrap_or_default();
    println!("cargo:rustc-env=PIDSITE_COMMIT={commit}");
    // On Linux the binary is linked at a fixed address (not as a
    // position-independent executable). As a PIE it carries some 88,000
    // relative relocations over 10 MB of read-only data (vtables, string
    // tables of its dependencies) that the loader applies at every start,
    // copying each of those pages: 30-80 ms per run, half of a no-op
    // rebuild of 1,000 PIDs. Fixed, those pages are read from the page
    // cache as they are. The libraries it loads are still placed at
    // random; only the executable's own address is fixed.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}

/// `git` run in `dir`, its trimmed stdout when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// HEAD's commit, when `dir` is the top of a git work tree; and the files
/// that change when HEAD moves, for cargo to watch.
fn from_git(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), dir) {
        return None;
    }
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    // `--git-path` resolves each file in a linked worktree too (HEAD and
    // its log are the worktree's own, refs and packed-refs the shared ones).
    let mut watch = vec!["HEAD".to_string(), "logs/HEAD".to_string()];
    // A detached HEAD holds the commit itself; on a branch, its ref moves.
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch.push(branch);
    }
    watch.push("packed-refs".to_string());
    for name in watch {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", &name]) {
            let path = dir.join(path);
            // A file that does not exist would make cargo rerun this
            // script on every build.
            if path.is_file() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(commit)
}

/// The commit `cargo package` recorded in the crate tarball.
fn from_vcs_info(dir: &Path) -> Option<String> {
    let path = dir.join(".cargo_vcs_info.json");
    if path.is_file() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let text = std::fs::read_to_string(path).ok()?;
    // {"git": {"sha1": "<40 hex>"}, "path_in_vcs": ""}: read without a JSON
    // crate, which a build script would have to build first.
    let after = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let start = after.find('"')? + 1;
    let len = after[start..].find('"')?;
    let sha = &after[start..start + len];
    sha.chars()
        .all(|c| c.is_ascii_hexdigit())
        .then(|| sha.chars().take(12).collect::<String>())
        .filter(|s| !s.is_empty())
}
