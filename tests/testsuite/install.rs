//! What an installed pidsite carries besides building (issue 21):
//! `--version` naming the commit, shell completions and man pages made from
//! the clap definitions. scripts/install-checks.sh parses the scripts with
//! each shell and renders the pages with `man -l`; here, their content.

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;

use crate::cli::no_panic;

/// Every command `pidsite --help` lists, which completions and man pages
/// must all cover.
const COMMANDS: &[&str] = &[
    "build",
    "enrich",
    "mint",
    "check",
    "new",
    "serve",
    "cite",
    "completions",
    "man",
];

fn stdout_of(args: &[&str]) -> String {
    let output = Command::cargo_bin("pidsite")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "pidsite {args:?} failed");
    String::from_utf8(output.stdout).unwrap()
}

/// The commit `git` says this package folder is at, when it is the top of a
/// git checkout (as build.rs decides).
fn checkout_commit() -> Option<String> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        let out = Process::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let same = Path::new(&top).canonicalize().ok()? == Path::new(dir).canonicalize().ok()?;
    same.then(|| git(&["rev-parse", "--short=12", "HEAD"]))?
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let version = stdout_of(&["--version"]);
    let expected = match checkout_commit() {
        Some(commit) => format!("pidsite {} (commit {commit})\n", env!("CARGO_PKG_VERSION")),
        None => format!("pidsite {}\n", env!("CARGO_PKG_VERSION")),
    };
    assert_eq!(version, expected);
    assert_eq!(stdout_of(&["-V"]), expected, "-V says the same");
}

/// Each shell's script is generated from the same definitions as --help:
/// every command, and the options of one, are in it.
#[test]
fn completions_cover_every_command_in_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        for command in COMMANDS {
            assert!(
                script.contains(command),
                "{shell} completions lack `{command}`"
            );
        }
        // Fish names long options without their dashes (`-l strict`).
        for option in ["strict", "offline", "base-url", "style"] {
            assert!(
                script.contains(option),
                "{shell} completions lack --{option}"
            );
        }
        // `cite --style` completes the built-in styles and formats.
        assert!(script.contains("chicago-author-date"), "{shell}: styles");
    }
    // The script registers itself for `pidsite`.
    assert!(stdout_of(&["completions", "bash"]).contains("complete -F _pidsite"));
    assert!(stdout_of(&["completions", "zsh"]).starts_with("#compdef pidsite"));
}

#[test]
fn an_unknown_shell_is_refused_with_the_known_ones() {
    Command::cargo_bin("pidsite")
        .unwrap()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "possible values: bash, elvish, fish, powershell, zsh",
        ))
        .stderr(no_panic());
}

/// `pidsite man` prints pidsite(1); `--dir` writes it and a page per
/// command, each with that command's options, versioned without the commit
/// (the pages change with a release, not with every commit).
#[test]
fn man_pages_are_written_for_every_command() {
    let page = stdout_of(&["man"]);
    let title = format!(".TH pidsite 1  \"pidsite {}\"", env!("CARGO_PKG_VERSION"));
    assert!(page.contains(&title), "{page}");
    assert!(!page.contains("commit"), "no commit in the page");
    for command in COMMANDS {
        assert!(page.contains(command), "pidsite(1) lacks {command}");
    }

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    Command::cargo_bin("pidsite")
        .unwrap()
        .args(["man", "--dir"])
        .arg(&out)
        .assert()
        .success();
    let same = std::fs::read_to_string(out.join("pidsite.1")).unwrap();
    assert_eq!(same, page, "--dir writes the page `pidsite man` prints");
    for command in COMMANDS {
        let path = out.join(format!("pidsite-{command}.1"));
        assert!(path.is_file(), "{} missing", path.display());
    }
    let build = std::fs::read_to_string(out.join("pidsite-build.1")).unwrap();
    for option in ["strict", "offline", "full", "quiet"] {
        assert!(
            build.contains(&format!("\\-\\-{option}")),
            "pidsite-build(1) lacks --{option}"
        );
    }
}
