//! A caller of the library can tell what failed by the error's variant
//! (issue 17): each test breaks a copy of the basic fixture (whose
//! manifests are corpus files) one way, calls the library as a program
//! embedding pidsite would, and matches the variant, its file and its line.

mod common;
use common::{append, build_into};

use std::path::{Path, PathBuf};

use pidsite::clock::BuildTime;
use pidsite::error::Location;
use pidsite::Error;

/// Build `site` into a fresh folder beside it; the error it fails with.
fn build_error(site: &Path) -> Error {
    let out = tempfile::tempdir().unwrap();
    build_into(site, &out.path().join("public")).expect_err("the broken site built")
}

/// The one error of a list, or the error itself.
fn single(e: Error) -> Error {
    match e {
        Error::Many(mut errors) if errors.len() == 1 => errors.pop().unwrap(),
        Error::Many(errors) => panic!("expected one error, got {errors:?}"),
        e => e,
    }
}

#[test]
fn a_bad_site_toml_is_a_config_error_at_its_line() {
    let site = common::copy_fixture("basic");
    append(site.path(), "site.toml", "language = \"not a tag!\"\n");
    match build_error(site.path()) {
        Error::Config { at, message } => {
            assert_eq!(at, Location::line("site.toml", 5), "{message}");
            assert!(message.contains("key `language`"), "{message}");
        }
        other => panic!("expected Error::Config, got {other:?}"),
    }
}

#[test]
fn a_bad_registry_row_is_a_registry_error_at_its_line() {
    let site = common::copy_fixture("basic");
    // Row 8 (line 8) repeats the first row's PID.
    append(
        site.path(),
        "content/registry.csv",
        "ark:/99999/fk4photo,manifests/photo-v3.json,,,,,,,,,\n",
    );
    match single(build_error(site.path())) {
        Error::Registry { at, message } => {
            assert_eq!(at, Location::line("content/registry.csv", 8), "{message}");
            assert!(message.contains("duplicate PID"), "{message}");
        }
        other => panic!("expected Error::Registry, got {other:?}"),
    }
}

#[test]
fn a_registry_with_an_unknown_column_is_a_registry_error() {
    let site = common::copy_fixture("basic");
    let config = pidsite::config::SiteConfig::load(site.path()).unwrap();
    let csv = site.path().join("content/registry.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replacen("pid,", "pid,colour,", 1)).unwrap();
    let e = pidsite::load::registry::load(site.path(), &config).unwrap_err();
    assert!(
        matches!(single(e), Error::Registry { ref at, .. } if at.path == Path::new("content/registry.csv")),
    );
}

#[test]
fn bad_front_matter_is_a_page_error_at_its_line() {
    let site = common::copy_fixture("basic");
    std::fs::write(
        site.path().join("content/pages/broken.md"),
        "---\ntitle: Broken\ncolour: red\n---\nText.\n",
    )
    .unwrap();
    match build_error(site.path()) {
        Error::Page { at, message } => {
            assert_eq!(
                at,
                Location::line("content/pages/broken.md", 3),
                "{message}"
            );
            assert!(message.contains("unknown key `colour`"), "{message}");
        }
        other => panic!("expected Error::Page, got {other:?}"),
    }
}

#[test]
fn a_conflicted_lock_is_a_lock_error_at_its_line() {
    let site = common::copy_fixture("basic");
    let lock = site.path().join("pidsite.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(&lock, format!("<<<<<<< HEAD\n{text}")).unwrap();
    match pidsite::lock::Lock::load(site.path()) {
        Err(Error::Lock { at, .. }) => assert_eq!(at, Location::line("pidsite.lock", 1)),
        other => panic!("expected Error::Lock, got {other:?}"),
    }
}

#[test]
fn building_into_the_site_itself_is_an_output_folder_error() {
    let site = common::copy_fixture("basic");
    let e = build_into(site.path(), &site.path().join("content/public")).unwrap_err();
    assert!(
        matches!(e, Error::OutputFolder { ref at, .. } if at.path.ends_with("content/public")),
        "{e:?}"
    );
}

#[test]
fn new_into_a_folder_with_files_is_an_output_folder_error() {
    let site = common::copy_fixture("basic");
    let e = pidsite::commands::new::new_site(&pidsite::commands::new::NewOptions {
        dir: site.path().to_path_buf(),
        base_url: None,
        title: None,
        templates: false,
    })
    .unwrap_err();
    assert!(matches!(e, Error::OutputFolder { .. }), "{e:?}");
}

#[test]
fn a_bad_mint_option_is_an_argument_error_naming_it() {
    let site = common::copy_fixture("basic");
    let e = pidsite::commands::mint::mint(&pidsite::commands::mint::MintOptions {
        site_dir: site.path().to_path_buf(),
        naan: "99999".into(),
        shoulder: "fk4".into(),
        count: 1,
        blade_len: 1,
        dry_run: true,
        seed: Some(1),
    })
    .unwrap_err();
    match e {
        Error::Argument { at, .. } => assert_eq!(at, Location::file("--length")),
        other => panic!("expected Error::Argument, got {other:?}"),
    }
}

#[test]
fn citing_a_version_of_a_pid_without_versions_is_an_argument_error() {
    let site = common::copy_fixture("basic");
    let now = BuildTime::at_second(0);
    let e =
        pidsite::commands::cite::cite(site.path(), "ark:/99999/fk4photo", None, Some("2"), &now)
            .unwrap_err();
    assert!(matches!(e, Error::Argument { .. }), "{e:?}");
}

#[test]
fn citing_what_the_registry_cannot_cite_is_a_cite_error() {
    let site = common::copy_fixture("basic");
    let now = BuildTime::at_second(0);
    let e = pidsite::commands::cite::cite(site.path(), "ark:/99999/fk4none", None, None, &now)
        .unwrap_err();
    assert!(matches!(e, Error::Cite { .. }), "{e:?}");
    // DataCite XML is for DOIs only.
    let e = pidsite::commands::cite::cite(
        site.path(),
        "ark:/99999/fk4photo",
        Some("datacite"),
        None,
        &now,
    )
    .unwrap_err();
    match e {
        Error::Cite { at, message } => {
            assert_eq!(at, Location::line("content/registry.csv", 2));
            assert!(message.contains("is not a DOI"), "{message}");
        }
        other => panic!("expected Error::Cite, got {other:?}"),
    }
}

#[test]
fn a_template_that_does_not_parse_is_a_template_error() {
    let site = common::copy_fixture("basic");
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(site.path().join("templates/landing.html"), "{% if %}").unwrap();
    // Tera parses the templates as one set: the error is the set's, and
    // its message names the file.
    match build_error(site.path()) {
        Error::Template { message, .. } => {
            assert!(
                message.contains("Failed to parse 'landing.html'"),
                "{message}"
            )
        }
        other => panic!("expected Error::Template, got {other:?}"),
    }
}

#[test]
fn a_missing_site_folder_is_an_io_error_on_site_toml() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-such-site");
    match build_error(&missing) {
        Error::Io { path, source } => {
            assert_eq!(path, missing.join("site.toml"));
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Error::Io, got {other:?}"),
    }
}

/// Issue 22: a template that fails differently on every PID gave one line
/// per PID (100,000 on a large site): the first hundred are listed and a
/// last line counts the rest.
#[test]
fn errors_of_many_pids_are_listed_up_to_a_hundred() {
    let site = common::copy_fixture("basic");
    let rows: String = (0..150)
        .map(|i| format!("ark:/99999/fk4many{i},manifests/photo-v3.json,,,,Photo {i},,,,,\n"))
        .collect();
    common::append(site.path(), "content/registry.csv", &rows);
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/landing.html"),
        r#"{{ throw(message="no page for " ~ pid.label) }}"#,
    )
    .unwrap();
    match build_error(site.path()) {
        Error::Many(errors) => {
            assert_eq!(errors.len(), 101, "{errors:?}");
            assert!(errors[..100]
                .iter()
                .all(|e| e.to_string().contains("no page for")));
            match &errors[100] {
                Error::NotListed(rest) => assert!(*rest >= 50, "{rest}"),
                other => panic!("expected Error::NotListed, got {other:?}"),
            }
        }
        other => panic!("expected Error::Many, got {other:?}"),
    }
}
