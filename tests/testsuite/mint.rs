//! `pidsite mint`: reserved ARKs appended to the registry.

use predicates::prelude::*;

use crate::cli::{no_panic, pidsite, site};

#[test]
fn mint_appends_reserved_arks_that_never_repeat_and_still_build() {
    let site = site();
    let before = std::fs::read_to_string(site.path().join("content/registry.csv")).unwrap();
    let dry = pidsite(site.path())
        .args([
            "mint",
            "--naan",
            "99999",
            "--shoulder",
            "fk4",
            "--count",
            "5",
            "--dry-run",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let dry = String::from_utf8(dry).unwrap();
    assert_eq!(dry.lines().count(), 5);
    for ark in dry.lines() {
        let name = ark.strip_prefix("ark:").unwrap();
        assert!(name.starts_with("99999/fk4"), "{ark}");
        assert!(
            pidsite::commands::mint::verify(name),
            "{ark}: bad check character"
        );
    }
    let after_dry = std::fs::read_to_string(site.path().join("content/registry.csv")).unwrap();
    assert_eq!(before, after_dry, "--dry-run leaves the registry alone");

    // Two seeded runs with the same seed would mint the same names; the
    // second must skip what the first appended.
    let mint = |seed: &str| {
        let out = pidsite(site.path())
            .args(["mint", "--naan", "99999", "--shoulder", "fk4"])
            .args(["--count", "3", "--length", "2", "--seed", seed])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    let first = mint("7");
    let second = mint("7");
    for ark in second.lines() {
        assert!(!first.lines().any(|a| a == ark), "{ark} minted twice");
    }
    let registry = std::fs::read_to_string(site.path().join("content/registry.csv")).unwrap();
    assert_eq!(registry.matches(",reserved,").count(), 6, "{registry}");

    // Reserved ARKs build, with no page and no pids.csv row.
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .success();
    let pids = std::fs::read_to_string(site.path().join("public/pids.csv")).unwrap();
    for ark in first.lines() {
        assert!(!pids.contains(ark), "{ark} is reserved, not published");
        let path = ark.replace("ark:", "ark/");
        assert!(!site.path().join("public").join(path).exists());
    }
}

#[test]
fn mint_refuses_a_bad_naan() {
    let site = site();
    pidsite(site.path())
        .args(["mint", "--naan", "12a45", "--shoulder", "fk4", "--dry-run"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--naan").and(predicate::str::contains("betanumeric")))
        .stderr(no_panic());
}

/// Issue 17: only ARKs are minted, and clap says so.
#[test]
fn mint_refuses_another_scheme_naming_the_choices() {
    let site = site();
    pidsite(site.path())
        .args([
            "mint",
            "--scheme",
            "doi",
            "--naan",
            "99999",
            "--shoulder",
            "fk4",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("[possible values: ark]"));
}
