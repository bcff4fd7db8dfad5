//! `pidsite cite`: the citation a PID's page offers, in every format, for a
//! PID as a person may have it.

use std::path::PathBuf;

use predicates::prelude::*;

use crate::cli::{edit, pidsite, site};

#[test]
fn cite_prints_what_the_page_offers() {
    let site = site();
    pidsite(site.path()).arg("build").assert().success();
    let out = site.path().join("public/doi/10.5555/coin.1");
    let run = |style: &str| {
        let o = pidsite(site.path())
            .args(["cite", "https://doi.org/10.5555/COIN.1", "--style", style])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let file = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert_eq!(run("bibtex"), file("cite.bib"));
    assert_eq!(run("ris"), file("cite.ris"));
    assert_eq!(run("csl-json"), file("cite.json"));
    assert_eq!(run("datacite"), file("datacite.xml"));
    // The APA text is the one the page shows (and its copy button copies).
    let apa = run("apa");
    let page = file("index.html");
    let figure = &page[page.find("id=\"cite-apa\"").expect("an APA figure")..];
    let quote = &figure[figure.find("<blockquote").unwrap()..figure.find("</blockquote>").unwrap()];
    let mut shown = String::new();
    let mut in_tag = false;
    for c in quote.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => shown.push(c),
            _ => {}
        }
    }
    let shown = shown
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    assert_eq!(shown.trim(), apa.trim());
    pidsite(site.path())
        .args(["cite", "ark:/99999/fk4nothere"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no PID ark:99999/fk4nothere"));
    pidsite(site.path())
        .args(["cite", "ark:/99999/fk4photo", "--style", "datacite"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a DOI"));
}

#[test]
fn a_site_can_add_its_own_csl_style() {
    let site = site();
    std::fs::create_dir_all(site.path().join("styles")).unwrap();
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csl/ieee.csl"),
        site.path().join("styles/ieee.csl"),
    )
    .unwrap();
    edit(site.path(), "site.toml", |t| {
        format!(
            "{t}\n[citation]\nstyles = [\"apa\", \"styles/ieee.csl\"]\ndefault_style = \"ieee\"\n"
        )
    });
    pidsite(site.path())
        .args(["build", "--strict"])
        .assert()
        .success();
    let page =
        std::fs::read_to_string(site.path().join("public/doi/10.5555/coin.1/index.html")).unwrap();
    assert!(page.contains("data-style=\"ieee\""), "no IEEE figure");
    assert!(page.contains("IEEE Reference Guide"), "no IEEE label");
    pidsite(site.path())
        .args(["cite", "doi:10.5555/coin.1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Roman Imperial denarius"));
    // --style lists the built-in styles only, and still takes the site's
    // own, in any case.
    pidsite(site.path())
        .args(["cite", "doi:10.5555/coin.1", "--style", "IEEE"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Roman Imperial denarius"));
    // A file that is not a CSL style is an error naming it.
    std::fs::write(site.path().join("styles/ieee.csl"), "<style>oops").unwrap();
    pidsite(site.path()).arg("build").assert().code(1).stderr(
        predicate::str::contains("styles/ieee.csl").and(predicate::str::contains("not a CSL")),
    );
}

/// Issue 16: `cite` finds a PID as a person may have it (a former
/// identifier, a moved PID, a version's page id or address), says what it
/// cited instead and warns about withdrawn and unreadable PIDs on stderr,
/// and takes style names in any case; its text is the page's.
#[test]
fn cite_follows_former_and_moved_pids_and_cites_versions() {
    let site = site();
    pidsite(site.path()).arg("build").assert().success();
    let public = site.path().join("public");
    let file = |rel: &str| std::fs::read_to_string(public.join(rel)).unwrap();
    let cite = |args: &[&str]| {
        let o = pidsite(site.path())
            .arg("cite")
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        (
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    // A former identifier (in `aliases`) cites the PID.
    let (former, said) = cite(&["ark:/99999/fk4old", "--style", "bibtex"]);
    assert_eq!(former, file("ark/99999/fk4photo/cite.bib"));
    assert!(
        said.contains("note: ark:99999/fk4old is a former identifier of ark:99999/fk4photo"),
        "{said}"
    );
    // A moved PID cites the PID it moved to.
    let (moved, said) = cite(&["ark:/99999/fk4moved", "--style", "ris"]);
    assert_eq!(moved, file("doi/10.5555/coin.1/cite.ris"));
    assert!(said.contains("has moved to doi:10.5555/coin.1"), "{said}");
    // A withdrawn PID is cited as it stood, with a warning.
    let (_, said) = cite(&["ark:99999/fk4gone"]);
    assert!(
        said.contains(
            "warning: ark:99999/fk4gone was withdrawn on 2025-01-31 (Rights were not cleared.)"
        ),
        "{said}"
    );
    // Style names in any case.
    let (apa, _) = cite(&["ark:/99999/fk4photo", "--style", "apa"]);
    assert_eq!(cite(&["ark:/99999/fk4photo", "--style", "APA"]).0, apa);
    assert_eq!(cite(&["ark:/99999/fk4photo", "--style", "Apa"]).0, apa);
    assert_eq!(
        cite(&["ark:/99999/fk4photo", "--style", "BibTeX"]).0,
        file("ark/99999/fk4photo/cite.bib")
    );
    // One version: by --version, by the version page's id, by its address;
    // the citation is its page's.
    let coin = "ark/99999/fk4coin";
    assert_eq!(
        cite(&["ark:/99999/fk4coin", "--version", "1", "--style", "bibtex"]).0,
        file(&format!("{coin}/v1/cite.bib"))
    );
    assert_eq!(
        cite(&["ark:/99999/fk4coin/v1", "--style", "ris"]).0,
        file(&format!("{coin}/v1/cite.ris"))
    );
    assert_eq!(
        cite(&[
            "https://org.github.io/repo/ark/99999/fk4coin/v2/",
            "--style",
            "csl-json"
        ])
        .0,
        file(&format!("{coin}/v2/cite.json"))
    );
    assert_ne!(
        file(&format!("{coin}/v1/cite.ris")),
        file(&format!("{coin}/v2/cite.ris"))
    );
    pidsite(site.path())
        .args(["cite", "ark:/99999/fk4coin", "--version", "9"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "ark:99999/fk4coin has no version \"9\"; expected one of 1, 2",
        ));
    // A target that cannot be read: cited from the registry, with a warning.
    std::fs::write(
        site.path().join("content/manifests/coin-v2.json"),
        "{\"a\": 1}",
    )
    .unwrap();
    let (_, said) = cite(&["doi:10.5555/coin.1"]);
    assert!(
        said.contains("warning: content/manifests/coin-v2.json: ")
            && said.contains("doi:10.5555/coin.1"),
        "{said}"
    );
}

/// Issue 17: `--help` lists the styles and formats `--style` takes, and a
/// name that is none of them nor one of the site's own styles is refused
/// with that list.
#[test]
fn cite_lists_its_styles_and_refuses_an_unknown_one() {
    let site = site();
    let all = "apa, mla, chicago-author-date, chicago-notes, harvard, vancouver, bibtex, ris, csl-json, datacite";
    let help = pidsite(site.path())
        .args(["cite", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!("[possible values: {all}]")),
        "{help}"
    );
    pidsite(site.path())
        .args(["cite", "doi:10.5555/coin.1", "--style", "bibtext"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "unknown style \"bibtext\"; expected one of {all}"
        )));
}
