//! Redirect rules besides the PIDs (issue 18, section 3): site.toml's
//! `[rules]`, OBO Foundry's PURL YAML read as it is, what is left out and
//! why, and every bad entry reported with its file and line.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::cli::{build_fails, edit, no_panic, pidsite, site};

/// The shared registries (`../shared/registries`, beside the corpus).
fn registries_dir() -> PathBuf {
    let corpus = std::env::var_os("PIDSITE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let dir = corpus.join("../registries");
    assert!(
        dir.is_dir(),
        "the shared registries are missing at {} (beside PIDSITE_CORPUS)",
        dir.display()
    );
    dir
}

fn read(site: &Path, rel: &str) -> String {
    std::fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Never shadow a PID: a rule that would answer where a PID's page, a
/// version of it or one of its aliases is, is left out with a warning
/// naming site.toml's line and the PID (so `--strict` fails); the other
/// rules are written.
#[test]
fn a_rule_at_a_pids_path_is_left_out_with_a_warning() {
    let site = site();
    edit(site.path(), "site.toml", |t| {
        t + "\n[[rules.entries]]\nexact = \"/ark/99999/fk4photo/index.html\"\nreplacement = \"https://example.org/a\"\n\
             \n[[rules.entries]]\nprefix = \"/ARK/99999/fk4o\"\nreplacement = \"https://example.org/b/\"\nignore_case = true\n\
             \n[[rules.entries]]\nprefix = \"/old-site/\"\nreplacement = \"/ark/99999/fk4photo/\"\nstatus = \"permanent\"\n"
    });
    pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "site.toml:6: exact rule /repo/ark/99999/fk4photo/index.html left out: it would answer at /repo/ark/99999/fk4photo/index.html, where ark:99999/fk4photo is",
        ))
        // The prefix covers the alias ark:/99999/fk4old's redirect stub.
        .stderr(predicate::str::contains(
            "site.toml:10: prefix rule /repo/ARK/99999/fk4o left out: it would answer at /repo/ark/99999/fk4old",
        ))
        .stderr(no_panic());
    let apache = read(site.path(), "public/.htaccess");
    assert!(!apache.contains("example.org/a"), "{apache}");
    assert!(!apache.contains("example.org/b/"), "{apache}");
    // A replacement that is a path of the site gets its base path.
    assert!(
        apache.contains(
            "RedirectMatch 301 \"^/repo/old-site/(.*)$\" \"/repo/ark/99999/fk4photo/$1\""
        ),
        "{apache}"
    );
    let netlify = read(site.path(), "public/_redirects");
    assert!(netlify.contains("/repo/old-site/*  /repo/ark/99999/fk4photo/:splat  301\n"));
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("left out"));
}

/// Every bad entry, of site.toml and of each rule file, in one run, each
/// with its file and line; then a file that cannot be read.
#[test]
fn bad_rules_are_errors_naming_file_and_line() {
    let site = site();
    std::fs::create_dir_all(site.path().join("rules")).unwrap();
    std::fs::write(
        site.path().join("rules/x.yml"),
        "base_url: /obo/x\nentries:\n- exact: /a\n  replacement: ftp://example.org/a\n\
         - prefix: /b/\n  exact: /b\n  replacement: https://example.org/b\n\
         - prefix: /c/\n  replacement: https://example.org/c/\n  status: moved\n",
    )
    .unwrap();
    edit(site.path(), "site.toml", |t| {
        t + "\n[rules]\nfiles = [\"rules/x.yml\"]\n\n[[rules.entries]]\nexact = \"no-slash\"\nreplacement = \"https://example.org/\"\n\
             \n[[rules.entries]]\nprefix = \"/p/\"\n"
    });
    build_fails(
        site.path(),
        &[
            "site.toml:9: [[rules.entries]]: `exact`: expected a path starting with /, found \"no-slash\"",
            "site.toml:13: [[rules.entries]]: missing `replacement`",
            "rules/x.yml:3: entries: `replacement`: expected an http(s) URL or a path of this site",
            "rules/x.yml:5: entries: expected one of `exact` and `prefix`, found both",
            "rules/x.yml:8: entries: `status`: expected \"permanent\", \"temporary\" or \"see other\", found \"moved\"",
        ],
    );
    edit(site.path(), "site.toml", |t| {
        t.replace("rules/x.yml", "rules/missing.yml")
    });
    build_fails(
        site.path(),
        &["site.toml: [rules] files names rules/missing.yml, which cannot be read"],
    );
    // A key site.toml does not know is refused with its line, as elsewhere.
    edit(site.path(), "site.toml", |t| {
        t.replace("prefix = \"/p/\"", "prefx = \"/p/\"")
    });
    build_fails(site.path(), &["unknown field `prefx`"]);
}

/// OBO Foundry's own PURL configurations (../shared/registries), read as
/// they are: every `exact` and `prefix` entry, the base redirect and the
/// products become a rule in each export, in the file's order; the `regex`
/// entries are not made, which one warning per file says (with their
/// lines) unless `skip_regex` is set.
#[test]
fn obo_foundry_configurations_are_read_as_they_are() {
    let registries = registries_dir();
    let site = site();
    std::fs::create_dir_all(site.path().join("rules")).unwrap();
    let names = ["uberon", "maxo", "obi", "obo"];
    let mut expected = 0;
    let mut regexes = Vec::new();
    for name in names {
        let text = std::fs::read_to_string(registries.join(format!("obofoundry-purl__{name}.yml")))
            .unwrap();
        std::fs::write(site.path().join(format!("rules/{name}.yml")), &text).unwrap();
        let count = |key: &str| text.lines().filter(|l| l.starts_with(key)).count();
        let products = text.split("\nproducts:\n").nth(1).map_or(0, |rest| {
            rest.lines().take_while(|l| l.starts_with("- ")).count()
        });
        expected += count("- exact:") + count("- prefix:") + count("base_redirect:") + products;
        regexes.push(count("- regex:"));
    }
    assert!(expected > 200, "{expected}");
    let files: Vec<String> = names.iter().map(|n| format!("\"rules/{n}.yml\"")).collect();
    edit(site.path(), "site.toml", |t| {
        format!("{t}\n[rules]\nfiles = [{}]\n", files.join(", "))
    });
    let out = pidsite(site.path())
        .arg("build")
        .assert()
        .success()
        .stderr(no_panic())
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(out).unwrap();
    for (name, n) in names.iter().zip(&regexes) {
        if *n > 0 {
            assert!(
                stderr.contains(&format!("warning: rules/{name}.yml: {n} `regex` entr")),
                "{name}: {stderr}"
            );
        }
    }
    let apache = read(site.path(), "public/.htaccess");
    let rules = apache
        .lines()
        .filter(|l| l.contains("\"(?i)^/repo/"))
        .count();
    assert_eq!(rules, expected, "{apache}");
    // uberon's first prefix entry, below its base_url, and its products
    // beside it, as OBO's translate_yaml.py writes them.
    assert!(apache.contains(
        "RedirectMatch 302 \"(?i)^/repo/obo/uberon/subsets/(.*)$\" \"https://github.com/obophenotype/uberon/releases/latest/download/$1\""
    ));
    assert!(apache.contains(
        "RedirectMatch 302 \"(?i)^/repo/obo/uberon\\.owl$\" \"https://github.com/obophenotype/uberon/releases/latest/download/uberon.owl\""
    ));
    let netlify = read(site.path(), "public/_redirects");
    assert_eq!(
        netlify
            .lines()
            .filter(|l| l.ends_with("  302") || l.ends_with("  301") || l.ends_with("  303"))
            .count(),
        expected
    );
    let nginx = read(site.path(), "public/pidsite-redirects.map");
    assert_eq!(nginx.matches("\"~*^/repo/").count(), 2 * expected);
    let script = read(site.path(), "public/redirect-rules.js");
    assert_eq!(script.matches("\"ignoreCase\":true").count(), expected);

    edit(site.path(), "site.toml", |t| t + "skip_regex = true\n");
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .success();
}
