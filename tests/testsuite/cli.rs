//! What the command modules share: a copy of the basic fixture site to
//! break, the `pidsite` binary run in it, and the checks on its stderr.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

/// A fresh copy of the basic fixture site to break.
pub fn site() -> tempfile::TempDir {
    crate::common::copy_fixture("basic")
}

/// `pidsite` run in `site`, without backtraces, on the fixed date the
/// snapshots and lock dates assume (2025-11-25).
pub fn pidsite(site: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pidsite").unwrap();
    cmd.current_dir(site)
        .env_remove("RUST_BACKTRACE")
        .env("SOURCE_DATE_EPOCH", "1764072000");
    cmd
}

/// Rewrite the file `rel` of `site` with `f`.
pub fn edit(site: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let path = site.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

/// `pidsite build` fails (exit 1), saying each of `messages`, without a
/// panic.
pub fn build_fails(site: &Path, messages: &[&str]) {
    let mut assert = pidsite(site).arg("build").assert().code(1);
    for message in messages {
        assert = assert.stderr(predicate::str::contains(*message));
    }
    assert.stderr(no_panic());
}

/// No bad input may end in a panic or a backtrace.
pub fn no_panic() -> impl Predicate<str> {
    predicate::str::contains("panicked")
        .not()
        .and(predicate::str::contains("RUST_BACKTRACE").not())
}
