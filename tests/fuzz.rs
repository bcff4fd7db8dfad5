//! A bounded mutation fuzzer over the inputs a site owner does not control
//! (issue 19): registries (CSV and JSON, plain, through a `[registry]`
//! mapping, and the EZID and DataCite profiles), IIIF documents, site.toml,
//! Markdown front matter and redirect rule files. Seed sites are made from the
//! real corpus (`PIDSITE_CORPUS`, skipped when absent), the registry exports in
//! `tests/fixtures/registries` and `../shared/registries`, and the basic
//! fixture; each case mutates one file of a seed site and builds it through
//! the library. Every case asserts: no panic; every HTML page tokenises without
//! a parse error and ends in `</html>`, every XML file is well-formed and every
//! JSON file parses; nothing is written outside the output folder (but the
//! lock in the site and `.pidsite-cache` beside the output); and an incremental
//! rebuild equals a clean build.
//!
//! The seed is fixed, so a failure is reproducible: the message names the
//! seed and the case, and keeps the failing site. `PIDSITE_FUZZ_SEED` and
//! `PIDSITE_FUZZ_CASES` change them (a deep run: `cargo test --release --test
//! fuzz` with `PIDSITE_FUZZ_CASES=100000`; `cargo fuzz` targets in fuzz/ for
//! coverage-guided runs).

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use pidsite::{build, clock::BuildTime, BuildOptions, BuildReport, NoProgress};

/// The default seed: a failure in CI reproduces on any machine.
const SEED: u64 = 0x1919_f022;

/// Cases per seed site before the next one starts afresh (the builds of one
/// seed site are incremental, each over the previous case's output).
const CASES_PER_SITE: usize = 8;

/// A site as files: path under the site folder -> bytes.
#[derive(Clone)]
struct Site {
    name: String,
    files: BTreeMap<String, Vec<u8>>,
}

impl Site {
    fn new(name: &str, toml: &str) -> Self {
        let mut files = BTreeMap::new();
        files.insert("site.toml".to_string(), toml.as_bytes().to_vec());
        Site {
            name: name.to_string(),
            files,
        }
    }

    fn with(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.to_string(), bytes.into());
        self
    }
}

const SITE_TOML: &str =
    "base_url = \"https://example.org/fuzz/\"\ntitle = \"Fuzz\"\nminify = false\n";

const PAGE: &str = "---\ntitle: About\norder: 1\ndescription: What this is.\n---\n# About\n\nA *site* [link](https://example.org/).\n";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The corpus folder, or `None` (the corpus seeds are skipped).
fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PIDSITE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/corpus"));
    dir.is_dir().then_some(dir)
}

/// Every `.json` file under `dir`, sorted.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.path().to_path_buf())
        .collect();
    files.sort();
    files
}

/// The basic fixture as it is.
fn basic_site() -> Site {
    let root = repo().join("tests/fixtures/basic");
    let mut site = Site::new("basic", SITE_TOML);
    for entry in walkdir::WalkDir::new(&root).into_iter().map(Result::unwrap) {
        let rel = entry.path().strip_prefix(&root).unwrap();
        if entry.file_type().is_file() && !rel.ends_with("pidsite.lock") {
            site = site.with(&rel.to_string_lossy(), read(entry.path()));
        }
    }
    site
}

/// A site of three corpus documents (from `start`, wrapping), with a page and
/// a note whose front matter names the first PID.
fn corpus_site(files: &[PathBuf], start: usize) -> Site {
    let mut site = Site::new(&format!("corpus@{start}"), SITE_TOML)
        .with("content/pages/about.md", PAGE)
        .with(
            "content/notes/first.md",
            "+++\npid = \"ark:/99999/fz0\"\n+++\nA **note** for the first PID.\n",
        );
    let mut registry = String::from("pid,target,status,replaced_by,aliases,title\n");
    for i in 0..3 {
        let file = &files[(start + i) % files.len()];
        let name = format!("manifests/{i}.json");
        site = site.with(&format!("content/{name}"), read(file));
        registry.push_str(&format!("ark:/99999/fz{i},{name},,,ark:/99999/old{i},\n"));
    }
    registry.push_str("ark:/99999/fzm,,moved,ark:/99999/fz1,,\n");
    registry.push_str("ark:/99999/fzw,,withdrawn,,,Gone\n");
    site.with("content/registry.csv", registry)
}

/// The UCLA spreadsheets through a `[registry]` mapping (README, recipe 1).
fn ucla_site(path: &Path) -> Site {
    let toml = format!(
        "{SITE_TOML}[registry]\nfile = \"content/export.csv\"\ndelimiter = \"auto\"\n\
         multi_value_separator = \"|~|\"\nignore_unknown_columns = true\n\
         [registry.columns]\npid = \"Item ARK\"\n\
         target = \"https://iiif.example.edu/{{Item ARK|urlencode}}/manifest\"\n\
         title = \"Title\"\ntype = \"Object Type\"\n\
         [registry.values.type]\nWork = \"Manifest\"\nCollection = \"Collection\"\nPage = \"skip\"\n\
         [registry.metadata]\n\"Place of origin\" = \"Place of origin\"\n"
    );
    Site::new(&path.display().to_string(), &toml).with("content/export.csv", read(path))
}

/// Every seed site: the basic fixture, the registry exports with their
/// settings, the PURL rule files, and (with the corpus) corpus sites.
fn seed_sites() -> Vec<Site> {
    let fixtures = repo().join("tests/fixtures/registries");
    let shared = repo().join("../shared/registries");
    let mut sites = vec![basic_site()];
    let ezid = format!("{SITE_TOML}[registry]\nfile = \"content/ezid.csv\"\nprofile = \"ezid\"\n");
    for name in ["batch-download", "manage-download", "appended-by-hand"] {
        let path = fixtures.join(format!("ezid/{name}.csv"));
        sites.push(Site::new(name, &ezid).with("content/ezid.csv", read(&path)));
    }
    let datacite = format!("{SITE_TOML}[registry]\nprofile = \"datacite\"\n");
    sites.push(
        Site::new("datacite pages", &datacite)
            .with(
                "content/registry/dois-page-1.json",
                read(&fixtures.join("datacite/dois-page-1.json")),
            )
            .with(
                "content/registry/dois-page-2.json",
                read(&fixtures.join("datacite/dois-page-2.json")),
            ),
    );
    sites.push(Site::new("fabrica", &datacite).with(
        "content/registry/fabrica.csv",
        read(&fixtures.join("datacite/fabrica-export.csv")),
    ));
    // The spreadsheets, from the shared folder when it is there (the same
    // files, kept in the repository too).
    let mut names = BTreeSet::new();
    for dir in [&shared, &fixtures] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("ucla-fester__") && name.ends_with(".csv") && names.insert(name) {
                sites.push(ucla_site(&path));
            }
        }
    }
    // OBO Foundry PURL rules, the smaller files.
    for name in [
        "obofoundry-purl__examples-test2.yml",
        "obofoundry-purl__maxo.yml",
    ] {
        let path = shared.join(name);
        if path.is_file() {
            let toml = format!("{SITE_TOML}[rules]\nfiles = [\"rules/purl.yml\"]\n");
            sites.push(basic_site().with("rules/purl.yml", read(&path)));
            let last = sites.last_mut().unwrap();
            last.name = name.to_string();
            last.files.insert("site.toml".into(), toml.into_bytes());
        }
    }
    if let Some(corpus) = corpus_dir() {
        let files = json_files(&corpus);
        for start in (0..files.len()).step_by(3) {
            sites.push(corpus_site(&files, start));
        }
    }
    sites
}

/// Strings that reach the parsers' edge cases: separators and quoting of
/// each format, markup, control characters, path tricks, huge numbers.
const TOKENS: &[&str] = &[
    "\"",
    ",",
    ";",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\0",
    "\x0b",
    "\x1b",
    "\u{feff}",
    "\u{202e}",
    "\u{2028}",
    "|~|",
    "{",
    "}",
    "[",
    "]",
    ":",
    "null",
    "true",
    "-1",
    "1e999",
    "18446744073709551616",
    "<script>alert(1)</script>",
    "\" onclick=\"x",
    "javascript:alert(1)",
    "data:text/html,x",
    "</title>",
    "]]>",
    "<!--",
    "&",
    "&amp;",
    "%0a",
    "%2e%2e/",
    "../",
    "/../../etc/x",
    "+++",
    "---",
    "ark:/",
    "doi:10.",
    "moved",
    "withdrawn",
    "reserved",
    "\"@context\"",
    "\"http://iiif.io/api/presentation/3/context.json\"",
    "\"label\":",
    "\"items\":[]",
    "{\"none\":[\"x\"]}",
    "\"type\":\"Collection\"",
    "#xywh=1,2,3,4",
    "{pid}",
    "{Item ARK|slug}",
    "=",
    "[registry]",
    "\"\"\"",
    "2020-13-45",
    "0000",
    "🦀",
];

/// Mutate `bytes` in place with one to three edits, some splicing `other`.
fn mutate(rng: &mut fastrand::Rng, bytes: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..rng.usize(1..=3) {
        let at = rng.usize(0..=bytes.len());
        match rng.u8(0..8) {
            0 if !bytes.is_empty() => {
                let i = rng.usize(0..bytes.len());
                bytes[i] ^= 1 << rng.u8(0..8);
            }
            1 => bytes.insert(at, rng.u8(..)),
            2 | 3 => {
                let token = TOKENS[rng.usize(0..TOKENS.len())];
                bytes.splice(at..at, token.bytes());
            }
            4 => {
                let end = (at + rng.usize(0..64)).min(bytes.len());
                bytes.drain(at..end);
            }
            5 if !bytes.is_empty() => {
                let from = rng.usize(0..bytes.len());
                let end = (from + rng.usize(1..128)).min(bytes.len());
                let piece = bytes[from..end].to_vec();
                bytes.splice(at..at, piece);
            }
            6 if !other.is_empty() => {
                let from = rng.usize(0..other.len());
                let end = (from + rng.usize(1..256)).min(other.len());
                bytes.splice(at..at, other[from..end].iter().copied());
            }
            7 => bytes.truncate(at),
            _ => {
                bytes.splice(at..at, "x".repeat(rng.usize(1..4000)).bytes());
            }
        }
    }
}

fn options(site: &Path, out: &Path, full: bool) -> BuildOptions {
    BuildOptions {
        site_dir: site.to_path_buf(),
        out_dir: Some(out.to_path_buf()),
        strict: false,
        full,
        // Remote targets fall back to the registry: no network in tests.
        offline: true,
        time: Some(BuildTime::at_second(1_764_072_000)),
    }
}

/// Every file under `root`: relative path -> bytes.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect()
}

/// Write `site` into `dir` as its only content (but the lock the builds keep).
fn write_site(site: &Site, dir: &Path) {
    for rel in tree(dir).keys() {
        if rel != "pidsite.lock" && !site.files.contains_key(rel) {
            std::fs::remove_file(dir.join(rel)).unwrap();
        }
    }
    for (rel, bytes) in &site.files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        if std::fs::read(&path).ok().as_ref() != Some(bytes) {
            std::fs::write(&path, bytes).unwrap();
        }
    }
}

/// What is wrong with one output file, if anything.
fn malformed(rel: &str, bytes: &[u8]) -> Option<String> {
    let ext = rel.rsplit('.').next().unwrap_or("");
    if !matches!(ext, "html" | "xml" | "json" | "jsonld") {
        return None;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Some(format!("not UTF-8: {e}")),
    };
    match ext {
        "html" => html_errors(text),
        "xml" => roxmltree::Document::parse(text)
            .err()
            .map(|e| format!("XML not well-formed: {e}")),
        _ => serde_json::from_str::<serde::de::IgnoredAny>(text)
            .err()
            .map(|e| format!("JSON does not parse: {e}")),
    }
}

/// An HTML5 tokeniser's view of a page: its parse errors (script and style
/// read as raw text, as a browser does), and whether the last tag is
/// `</html>` (nothing swallowed the end of the page).
#[derive(Default)]
struct HtmlCheck {
    errors: std::cell::RefCell<Vec<String>>,
    last_tag: std::cell::RefCell<String>,
}

impl html5ever::tokenizer::TokenSink for HtmlCheck {
    type Handle = ();

    fn process_token(
        &self,
        token: html5ever::tokenizer::Token,
        line: u64,
    ) -> html5ever::tokenizer::TokenSinkResult<()> {
        use html5ever::tokenizer::states::RawKind;
        use html5ever::tokenizer::{TagKind, Token, TokenSinkResult};
        match token {
            Token::ParseError(e) => self.errors.borrow_mut().push(format!("line {line}: {e}")),
            Token::NullCharacterToken => self.errors.borrow_mut().push(format!("line {line}: NUL")),
            Token::TagToken(tag) => {
                let end = if tag.kind == TagKind::EndTag { "/" } else { "" };
                *self.last_tag.borrow_mut() = format!("<{end}{}>", &*tag.name);
                if tag.kind == TagKind::StartTag {
                    let raw = match &*tag.name {
                        "script" => Some(RawKind::ScriptData),
                        "style" => Some(RawKind::Rawtext),
                        "title" | "textarea" => Some(RawKind::Rcdata),
                        _ => None,
                    };
                    if let Some(kind) = raw {
                        return TokenSinkResult::RawData(kind);
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn html_errors(text: &str) -> Option<String> {
    use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};
    let tokenizer = Tokenizer::new(
        HtmlCheck::default(),
        TokenizerOpts {
            exact_errors: true,
            ..TokenizerOpts::default()
        },
    );
    let queue = BufferQueue::default();
    queue.push_back(text.into());
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let errors = tokenizer.sink.errors.take();
    let last = tokenizer.sink.last_tag.take();
    if !errors.is_empty() {
        return Some(format!("HTML parse errors: {}", errors.join("; ")));
    }
    (last != "</html>").then(|| format!("HTML ends in {last}, not </html>"))
}

/// Everything in `dir` that is not `allowed` (names of its entries).
fn strays(dir: &Path, allowed: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !allowed.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

/// One fuzzing session: the temporary folders of the current seed site.
struct Run {
    seed: u64,
    root: tempfile::TempDir,
}

impl Run {
    fn site(&self) -> PathBuf {
        self.root.path().join("site")
    }
    fn out(&self) -> PathBuf {
        self.root.path().join("public")
    }

    /// Fail with the seed and case, keeping the site to look at.
    fn fail(self, case: usize, what: &str, site: &Site, file: &str) -> ! {
        let kept = self.root.keep();
        panic!(
            "fuzz case {case} (PIDSITE_FUZZ_SEED={:#x}), seed site {}, mutated {file}: {what}\n\
             the site and its output are kept in {}",
            self.seed,
            site.name,
            kept.display()
        );
    }

    /// Build the site as written; a panic is caught and returned.
    fn build(&self, full: bool) -> Result<pidsite::Result<BuildReport>, String> {
        let opts = options(&self.site(), &self.out(), full);
        catch_unwind(AssertUnwindSafe(|| build(&opts, &NoProgress))).map_err(|p| {
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        })
    }
}

/// A clean build of the run's site, as a tree. It goes where the incremental
/// output was (moved aside meanwhile): a page may name the remote cache
/// beside its output, so a clean build elsewhere would differ by that path.
fn clean_build(run: &Run) -> BTreeMap<String, Vec<u8>> {
    let aside = run.root.path().join("incremental");
    std::fs::rename(run.out(), &aside).unwrap();
    let result = build(&options(&run.site(), &run.out(), true), &NoProgress);
    let clean = strip(tree(&run.out()));
    std::fs::remove_dir_all(run.out()).unwrap();
    std::fs::rename(&aside, run.out()).unwrap();
    result.unwrap_or_else(|e| panic!("a clean build failed where the incremental one passed: {e}"));
    clean
}

/// The marker file names the build and differs by design.
fn strip(mut t: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    t.remove(".pidsite-build");
    t
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text}: expected a number")))
}

#[test]
fn mutated_inputs_build_or_fail_cleanly() {
    let seed = env_number("PIDSITE_FUZZ_SEED").unwrap_or(SEED);
    // Debug builds are some ten times slower than release ones.
    let default_cases = if cfg!(debug_assertions) { 400 } else { 3000 };
    let cases = env_number("PIDSITE_FUZZ_CASES").map_or(default_cases, |n| n as usize);
    let mut rng = fastrand::Rng::with_seed(seed);
    let seeds = seed_sites();
    let started = std::time::Instant::now();
    let (mut built, mut refused, mut compared) = (0, 0, 0);
    let mut run: Option<Run> = None;
    let mut base = &seeds[0];
    for case in 0..cases {
        // A run: one seed site, its builds incremental over each other.
        if case % CASES_PER_SITE == 0 {
            run = Some(Run {
                seed,
                root: tempfile::tempdir().unwrap(),
            });
            base = &seeds[rng.usize(0..seeds.len())];
        }
        let current = run.take().unwrap();
        let mut site = base.clone();
        let names: Vec<String> = site.files.keys().cloned().collect();
        let file = names[rng.usize(0..names.len())].clone();
        let other = &seeds[rng.usize(0..seeds.len())];
        let other_bytes = other
            .files
            .values()
            .nth(rng.usize(0..other.files.len()))
            .unwrap();
        mutate(&mut rng, site.files.get_mut(&file).unwrap(), other_bytes);
        std::fs::create_dir_all(current.site()).unwrap();
        write_site(&site, &current.site());
        let result = match current.build(false) {
            Ok(r) => r,
            Err(panic) => current.fail(case, &format!("panicked: {panic}"), &site, &file),
        };
        let stray = strays(current.root.path(), &["site", "public", ".pidsite-cache"]);
        if !stray.is_empty() {
            current.fail(
                case,
                &format!("wrote beside the output: {stray:?}"),
                &site,
                &file,
            );
        }
        let mut expected: BTreeSet<&str> = site.files.keys().map(String::as_str).collect();
        expected.insert("pidsite.lock");
        let written: Vec<String> = tree(&current.site())
            .into_keys()
            .filter(|k| !expected.contains(k.as_str()))
            .collect();
        if !written.is_empty() {
            current.fail(
                case,
                &format!("wrote into the site: {written:?}"),
                &site,
                &file,
            );
        }
        if result.is_err() {
            refused += 1;
            run = Some(current);
            continue;
        }
        built += 1;
        let output = strip(tree(&current.out()));
        for (rel, bytes) in &output {
            if let Some(problem) = malformed(rel, bytes) {
                current.fail(case, &format!("{rel}: {problem}"), &site, &file);
            }
        }
        // An incremental rebuild (every case but a run's first) equals a
        // clean one; compared on every other build, for time.
        if case % CASES_PER_SITE != 0 && case % 2 == 1 {
            compared += 1;
            let clean = match catch_unwind(AssertUnwindSafe(|| clean_build(&current))) {
                Ok(c) => c,
                Err(_) => current.fail(case, "the clean build failed", &site, &file),
            };
            if clean != output {
                let differ: BTreeSet<&String> = clean
                    .keys()
                    .chain(output.keys())
                    .filter(|k| clean.get(*k) != output.get(*k))
                    .collect();
                current.fail(
                    case,
                    &format!("incremental output differs from a clean build in {differ:?}"),
                    &site,
                    &file,
                );
            }
        }
        run = Some(current);
    }
    eprintln!(
        "fuzz: seed {seed:#x}, {cases} cases over {} seed sites in {:.1?}: {built} built \
         (checked well-formed, {compared} compared with a clean build), {refused} refused with an error",
        seeds.len(),
        started.elapsed()
    );
    assert!(
        built > cases / 10,
        "too few cases built ({built}): the mutations are too harsh"
    );
}
