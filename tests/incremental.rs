//! Incremental builds: a rebuild renders only what changed, rewrites exactly
//! the affected files, and leaves an output identical to a clean build.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use pidsite::{build, clock::BuildTime, BuildOptions, BuildReport, NoProgress};

/// A copy of the basic fixture site, to change between builds.
fn site() -> tempfile::TempDir {
    common::copy_fixture("basic")
}

/// Site-wide files that list every PID (titles, dates, activities, the
/// bulk export's records).
const SITE_WIDE: &[&str] = &[
    "index.html",
    "sitemap.xml",
    "feed.xml",
    "linkset.json",
    "export/records.csv",
    "export/records.jsonl",
    "export/datacite.zip",
];

fn run(site: &Path, out: &Path, full: bool) -> BuildReport {
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: Some(out.to_path_buf()),
            strict: true,
            full,
            offline: false,
            // Undated PIDs are dated by the build clock: fix it, as a
            // reproducible build would, so that incremental and clean
            // output can be compared.
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap()
}

/// Every file of a tree: relative path -> (inode, bytes).
fn tree(root: &Path) -> BTreeMap<String, (u64, Vec<u8>)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let ino = e.metadata().unwrap().ino();
            (rel, (ino, std::fs::read(e.path()).unwrap()))
        })
        .collect()
}

/// Files whose inode changed (rewritten), appeared or disappeared.
fn touched(
    before: &BTreeMap<String, (u64, Vec<u8>)>,
    after: &BTreeMap<String, (u64, Vec<u8>)>,
) -> Vec<String> {
    let mut names: Vec<String> = before.keys().chain(after.keys()).cloned().collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| before.get(n).map(|b| b.0) != after.get(n).map(|a| a.0))
        .collect()
}

/// The output must equal a clean build's, byte for byte (the marker file
/// names the build and differs by design).
fn assert_same_as_clean(site: &Path, out: &Path) {
    let clean_dir = tempfile::tempdir().unwrap();
    let clean = clean_dir.path().join("public");
    run(site, &clean, true);
    let strip = |t: BTreeMap<String, (u64, Vec<u8>)>| -> BTreeMap<String, Vec<u8>> {
        t.into_iter()
            .filter(|(k, _)| k != ".pidsite-build")
            .map(|(k, v)| (k, v.1))
            .collect()
    };
    let (a, b) = (strip(tree(out)), strip(tree(&clean)));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs from a clean build");
    }
}

#[test]
fn nothing_changed_rewrites_nothing() {
    let site = site();
    let out = site.path().join("public");
    let first = run(site.path(), &out, false);
    assert!(!first.incremental);
    let before = tree(&out);
    let folder = |p: &Path| std::fs::metadata(p).unwrap().ino();
    let (out_folder, export_folder) = (folder(&out), folder(&out.join("export")));
    let again = run(site.path(), &out, false);
    assert!(again.incremental);
    assert_eq!(again.rendered, 0);
    assert_eq!((again.pages, again.stubs), (first.pages, first.stubs));
    assert_eq!(touched(&before, &tree(&out)), Vec::<String>::new());
    // Not even swapped: the output is the same folder, not a new one with
    // every file linked in (the export's folder, left empty in staging
    // when its streamed files were unchanged, once made every no-op
    // rebuild link and unlink the whole site).
    assert_eq!(folder(&out), out_folder, "the output folder was swapped");
    assert_eq!(folder(&out.join("export")), export_folder);
}

/// CI restores the cache into another checkout, and people type `--site .`
/// or a full path: how the site folder is spelled is not a change.
#[test]
fn another_spelling_of_the_site_folder_changes_nothing() {
    let site = site();
    let out = site.path().join("public");
    run(site.path(), &out, false);
    let before = tree(&out);
    let link_dir = tempfile::tempdir().unwrap();
    let link = link_dir.path().join("checkout");
    std::os::unix::fs::symlink(site.path(), &link).unwrap();
    for spelling in [site.path().join("."), link] {
        let again = run(&spelling, &out, false);
        assert!(again.incremental, "{}", spelling.display());
        assert_eq!(again.rendered, 0, "{}", spelling.display());
    }
    assert_eq!(touched(&before, &tree(&out)), Vec::<String>::new());
}

#[test]
fn one_manifest_changed_rewrites_its_pages_and_the_lists() {
    let site = site();
    let out = site.path().join("public");
    run(site.path(), &out, false);
    let before = tree(&out);
    let manifest = site.path().join("content/manifests/coin-v2.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let (old_label, new_label) = ("\"label\": \"", "\"label\": \"Renamed: ");
    assert!(text.contains(old_label));
    std::fs::write(&manifest, text.replacen(old_label, new_label, 1)).unwrap();

    let report = run(site.path(), &out, false);
    assert!(report.incremental);
    // The DOI, and the ARK whose version 1 is the same manifest.
    assert_eq!(report.rendered, 2);
    let touched = touched(&before, &tree(&out));
    for file in &touched {
        // A browse page is rewritten only when it lists the renamed PID.
        let lists_it = file.starts_with("browse/")
            && std::fs::read_to_string(out.join(file)).is_ok_and(|page| page.contains("Renamed: "));
        assert!(
            file.starts_with("doi/10.5555/coin.1/")
                || file.starts_with("ark/99999/fk4coin/")
                || SITE_WIDE.contains(&file.as_str())
                || file.starts_with("activity/")
                || file.starts_with("pagefind/")
                || lists_it,
            "{file} was rewritten although it does not show the changed PID"
        );
    }
    assert!(touched.contains(&"doi/10.5555/coin.1/index.html".to_string()));
    assert!(touched.contains(&"ark/99999/fk4coin/v1/index.html".to_string()));
    assert!(
        touched.contains(&"index.html".to_string()),
        "the home page lists the title"
    );
    assert_same_as_clean(site.path(), &out);
}

#[test]
fn registry_changes_add_remove_and_relink() {
    let site = site();
    let out = site.path().join("public");
    run(site.path(), &out, false);
    let registry = site.path().join("content/registry.csv");
    let text = std::fs::read_to_string(&registry).unwrap();
    // Drop the comment PID; the others move up a row, unchanged.
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("comment-1,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&registry, &without).unwrap();
    assert!(out.join("id/comment-1/index.html").is_file());
    let report = run(site.path(), &out, false);
    assert!(report.incremental);
    assert!(!out.join("id/comment-1").exists(), "its folder is removed");
    assert_same_as_clean(site.path(), &out);

    // Put it back: its pages return.
    std::fs::write(&registry, &text).unwrap();
    run(site.path(), &out, false);
    assert!(out.join("id/comment-1/index.html").is_file());
    assert_same_as_clean(site.path(), &out);
}

#[test]
fn template_change_is_a_full_build_and_full_flag_forces_one() {
    let site = site();
    let out = site.path().join("public");
    run(site.path(), &out, false);
    std::fs::create_dir_all(site.path().join("templates")).unwrap();
    std::fs::write(
        site.path().join("templates/404.html"),
        "{% extends \"builtin/404.html\" %}",
    )
    .unwrap();
    assert!(!run(site.path(), &out, false).incremental);
    assert!(run(site.path(), &out, false).incremental);
    assert!(!run(site.path(), &out, true).incremental);
}

#[test]
fn editing_the_sites_own_csl_style_renders_every_citation_again() {
    // Every page's citation comes from the style file site.toml names; an
    // edit to it left every page with the old citation until `--full`.
    let site = site();
    let out = site.path().join("public");
    std::fs::create_dir_all(site.path().join("styles")).unwrap();
    let csl = site.path().join("styles/ieee.csl");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csl/ieee.csl"),
        &csl,
    )
    .unwrap();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    let toml = toml.replace("[citation]\n", "");
    std::fs::write(
        site.path().join("site.toml"),
        format!("{toml}\n[citation]\nstyles = [\"apa\", \"styles/ieee.csl\"]\n"),
    )
    .unwrap();
    run(site.path(), &out, false);
    let text = std::fs::read_to_string(&csl).unwrap();
    let term = "<term name=\"available at\">available</term>";
    assert!(text.contains(term));
    std::fs::write(
        &csl,
        text.replace(term, "<term name=\"available at\">obtainable</term>"),
    )
    .unwrap();
    let report = run(site.path(), &out, false);
    assert!(!report.incremental);
    assert_same_as_clean(site.path(), &out);
}

#[test]
fn an_output_changed_by_hand_is_rebuilt_in_full() {
    let site = site();
    let out = site.path().join("public");
    run(site.path(), &out, false);
    std::fs::remove_dir_all(&out).unwrap();
    let report = run(site.path(), &out, false);
    assert!(!report.incremental);
    assert!(out.join("index.html").is_file());
}

#[test]
fn a_kept_pids_warnings_follow_its_row() {
    let site = site();
    let out = site.path().join("public");
    let registry = site.path().join("content/registry.csv");
    let text = std::fs::read_to_string(&registry).unwrap();
    // A `type` column that contradicts the photo's manifest: a warning
    // on the photo's row.
    let typed: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l},type\n"),
            _ if l.starts_with("ark:/99999/fk4photo,") => format!("{l},Collection\n"),
            _ => format!("{l},\n"),
        })
        .collect();
    std::fs::write(&registry, &typed).unwrap();
    let lenient = |full: bool, to: &Path| {
        build(
            &BuildOptions {
                site_dir: site.path().to_path_buf(),
                out_dir: Some(to.to_path_buf()),
                strict: false,
                full,
                offline: false,
                time: Some(BuildTime::at_second(1_764_072_000)),
            },
            &NoProgress,
        )
        .unwrap()
        .warnings
    };
    let first = lenient(false, &out);
    let on_row = |w: &[pidsite::Warning]| -> Vec<Option<usize>> {
        w.iter()
            .filter(|w| w.message.contains("column \"type\""))
            .map(|w| w.at.line)
            .collect()
    };
    assert_eq!(on_row(&first), [Some(2)]);

    // A new row above it: the photo is kept, its warning moves with it.
    let (header, rows) = typed.split_once('\n').unwrap();
    std::fs::write(
        &registry,
        format!("{header}\nnew-1,manifests/comment.json,,,,New,,,,,,\n{rows}"),
    )
    .unwrap();
    let kept = lenient(false, &out);
    assert_eq!(on_row(&kept), [Some(3)]);
    let clean_dir = tempfile::tempdir().unwrap();
    let clean = lenient(true, &clean_dir.path().join("public"));
    assert_eq!(on_row(&kept), on_row(&clean));
}

#[test]
fn a_damaged_build_state_leads_to_a_full_build() {
    let site = site();
    let out = site.path().join("public");
    run(site.path(), &out, false);
    // Every state in the store made unreadable, the store keeping its
    // length (so offsets still point into it).
    let cache = site.path().join(".pidsite-cache");
    let stores: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("entries-") && name.ends_with(".bin")
        })
        .collect();
    assert_eq!(stores.len(), 1, "{stores:?}");
    let damaged: Vec<u8> = std::fs::read(&stores[0])
        .unwrap()
        .into_iter()
        .map(|_| 0xff)
        .collect();
    std::fs::write(&stores[0], damaged).unwrap();
    let report = build(
        &BuildOptions {
            site_dir: site.path().to_path_buf(),
            out_dir: Some(out.clone()),
            strict: false,
            full: false,
            offline: false,
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap();
    assert!(!report.incremental);
    let first = &report.warnings[0];
    assert!(
        first.message.contains("this build was a full one"),
        "{}",
        first.message
    );
    assert!(
        first.at.to_string().contains(".pidsite-cache"),
        "{}",
        first.at
    );
    assert_same_as_clean(site.path(), &out);
    // The full build's state is sound again.
    assert!(run(site.path(), &out, false).incremental);
}

#[test]
fn list_pages_are_kept_while_their_items_are_the_same() {
    // Enough PIDs for three list pages (60 a page), each titled in the
    // registry, so that retitling one changes the page that lists it.
    let site = site();
    let registry = site.path().join("content/registry.csv");
    let mut rows = std::fs::read_to_string(&registry).unwrap();
    for i in 0..150 {
        rows.push_str(&format!(
            "item-{i:03},manifests/photo-v3.json,,,,Item {i:03},,,graphic,,\n"
        ));
    }
    std::fs::write(&registry, &rows).unwrap();
    let out = site.path().join("public");
    run(site.path(), &out, false);
    assert!(out.join("page/3/index.html").is_file());

    // Nothing changed: every list page is kept.
    let before = tree(&out);
    run(site.path(), &out, false);
    assert_eq!(touched(&before, &tree(&out)), Vec::<String>::new());

    // One title on the second page changes: that page is made again, and
    // the output is a clean build's.
    std::fs::write(&registry, rows.replace("Item 100,", "Item one hundred,")).unwrap();
    let before = tree(&out);
    let report = run(site.path(), &out, false);
    assert!(report.incremental);
    let rewritten = touched(&before, &tree(&out));
    assert!(
        rewritten.contains(&"page/2/index.html".to_string()),
        "{rewritten:?}"
    );
    for page in ["index.html", "page/3/index.html"] {
        assert!(
            !rewritten.contains(&page.to_string()),
            "{page} was rewritten"
        );
    }
    assert!(std::fs::read_to_string(out.join("page/2/index.html"))
        .unwrap()
        .contains("Item one hundred"));
    assert_same_as_clean(site.path(), &out);

    // A row added: every page says how many there are, and is made again.
    let mut more = std::fs::read_to_string(&registry).unwrap();
    more.push_str("item-new,manifests/photo-v3.json,,,,Item new,,,graphic,,\n");
    std::fs::write(&registry, more).unwrap();
    let before = tree(&out);
    run(site.path(), &out, false);
    let rewritten = touched(&before, &tree(&out));
    for page in ["index.html", "page/2/index.html", "page/3/index.html"] {
        assert!(rewritten.contains(&page.to_string()), "{page} was kept");
    }
    assert_same_as_clean(site.path(), &out);
}

#[test]
fn markdown_pages_and_404_are_kept_unless_their_text_changes() {
    let site = site();
    let out = site.path().join("public");
    run(site.path(), &out, false);
    let about = site.path().join("content/pages/about.md");
    let text = std::fs::read_to_string(&about).unwrap();
    assert!(text.contains("\n\n"), "a body below the front matter");

    // The body changes (not the title, which the navigation of every page
    // shows): only that page is made again.
    std::fs::write(&about, format!("{text}\nA new closing paragraph.\n")).unwrap();
    let before = tree(&out);
    let report = run(site.path(), &out, false);
    assert!(report.incremental);
    assert_eq!(report.rendered, 0);
    let rewritten = touched(&before, &tree(&out));
    assert_eq!(rewritten, ["about/index.html"]);
    assert!(std::fs::read_to_string(out.join("about/index.html"))
        .unwrap()
        .contains("A new closing paragraph."));
    assert_same_as_clean(site.path(), &out);

    // A kept page deleted from the live output is made again.
    std::fs::remove_file(out.join("404.html")).unwrap();
    run(site.path(), &out, false);
    assert!(out.join("404.html").is_file());
    assert_same_as_clean(site.path(), &out);
}

/// Issue 22: the size `build` reports (the GitHub Pages capacity line) is
/// every file in the output folder, after a full build, a rebuild that
/// kept everything and one that rendered a PID again (the kept PIDs' and
/// list pages' files, the search index and static files included).
#[test]
fn the_reported_size_is_every_file_in_the_output() {
    let site = site();
    let out = site.path().join("public");
    let on_disk = || -> u64 { tree(&out).values().map(|(_, b)| b.len() as u64).sum() };
    let full = run(site.path(), &out, false);
    assert!(out.join("pagefind").is_dir(), "the fixture has search");
    assert_eq!(full.bytes, on_disk(), "full build");
    let kept = run(site.path(), &out, false);
    assert_eq!(
        (kept.rendered, kept.bytes),
        (0, on_disk()),
        "nothing changed"
    );
    let manifest = site.path().join("content/manifests/coin-v2.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replacen("\"label\": \"", "\"label\": \"Longer: ", 1),
    )
    .unwrap();
    let changed = run(site.path(), &out, false);
    assert!(changed.incremental && changed.rendered > 0);
    assert_eq!(changed.bytes, on_disk(), "one manifest changed");
    assert!(changed.bytes > full.bytes);
    let capacity = changed.capacity();
    let grows = changed.bytes - changed.static_bytes;
    assert!(changed.static_bytes > 0 && grows > 0);
    assert_eq!(capacity.per_pid, Some(grows / changed.pids as u64));
}

/// The output before the last incremental build, kept beside the state.
fn spare(site: &Path) -> std::path::PathBuf {
    site.join(".pidsite-cache/spare-public")
}

/// Folders with nothing in them, under `root`.
fn empty_folders(root: &Path) -> Vec<String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_dir())
        .filter(|e| std::fs::read_dir(e.path()).unwrap().next().is_none())
        .map(|e| e.path().display().to_string())
        .collect()
}

/// Incremental builds start from the spare (the output before the last
/// build, brought up to date) instead of linking every file: across
/// builds that add, remove and change PIDs and go back again, each output
/// is a clean build's, with no folder left empty, and a file of the live
/// output is never written through its link in the spare.
#[test]
fn builds_from_the_spare_equal_clean_builds() {
    let site = site();
    let out = site.path().join("public");
    let registry = site.path().join("content/registry.csv");
    let manifest = site.path().join("content/manifests/coin-v2.json");
    let (reg_a, man_a) = (
        std::fs::read_to_string(&registry).unwrap(),
        std::fs::read_to_string(&manifest).unwrap(),
    );
    let reg_b: String = reg_a
        .lines()
        .filter(|l| !l.starts_with("comment-1,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let man_c = man_a.replacen("\"label\": \"", "\"label\": \"Renamed: ", 1);
    assert_ne!(man_a, man_c);
    let versions = [
        (&reg_a, &man_a),
        (&reg_b, &man_a),
        (&reg_a, &man_a),
        (&reg_b, &man_c),
        (&reg_a, &man_c),
        (&reg_a, &man_a),
        (&reg_b, &man_a),
    ];
    let mut from_spare = 0;
    for (i, (reg, man)) in versions.iter().enumerate() {
        std::fs::write(&registry, reg).unwrap();
        std::fs::write(&manifest, man).unwrap();
        let had_spare = spare(site.path()).is_dir();
        let before = if i > 0 { tree(&out) } else { BTreeMap::new() };
        let report = run(site.path(), &out, false);
        assert_eq!(report.incremental, i > 0, "build {i}");
        from_spare += usize::from(had_spare);
        assert_same_as_clean(site.path(), &out);
        assert_eq!(empty_folders(&out), Vec::<String>::new(), "build {i}");
        // A file the build left as it was is the same file (inode and
        // bytes) as before.
        let after = tree(&out);
        for (name, (ino, bytes)) in &before {
            if after.get(name).is_some_and(|a| a.0 == *ino) {
                assert!(&after[name].1 == bytes, "{name} was written through");
            }
        }
        if i > 0 {
            assert!(spare(site.path()).is_dir(), "build {i} kept no spare");
        }
    }
    assert!(
        from_spare >= 5,
        "only {from_spare} builds started from the spare"
    );
}

/// A spare whose list of lagging files is gone (a build killed while it
/// used it) is never trusted: the next build starts empty, and is right.
#[test]
fn a_spare_without_its_lag_is_not_used() {
    let site = site();
    let out = site.path().join("public");
    let manifest = site.path().join("content/manifests/coin-v2.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    run(site.path(), &out, false);
    std::fs::write(
        &manifest,
        text.replacen("\"label\": \"", "\"label\": \"Renamed: ", 1),
    )
    .unwrap();
    run(site.path(), &out, false);
    assert!(spare(site.path()).is_dir());
    // The spare lags at the coin's pages; a build that trusted it without
    // its lag would publish them as they were before the rename.
    std::fs::remove_file(site.path().join(".pidsite-cache/spare-public.lag")).unwrap();
    std::fs::write(&manifest, &text).unwrap();
    run(site.path(), &out, false);
    assert_same_as_clean(site.path(), &out);
    std::fs::write(
        &manifest,
        text.replacen("\"label\": \"", "\"label\": \"Again: ", 1),
    )
    .unwrap();
    run(site.path(), &out, false);
    assert_same_as_clean(site.path(), &out);
}

/// A full build has no use for the spare: it goes.
#[test]
fn a_full_build_removes_the_spare() {
    let site = site();
    let out = site.path().join("public");
    run(site.path(), &out, false);
    common::append(
        site.path(),
        "content/registry.csv",
        "extra-1,manifests/comment.json,,,,Extra,,,,,\n",
    );
    run(site.path(), &out, false);
    assert!(spare(site.path()).is_dir());
    run(site.path(), &out, true);
    assert!(!spare(site.path()).exists());
    assert!(!site.path().join(".pidsite-cache/spare-public.lag").exists());
}
