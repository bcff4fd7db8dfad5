//! The `pidsite` command line: parse arguments, call the library, print
//! warnings, the summary and errors, and choose the exit code.

/// `eprintln!` for a stderr that may be a closed pipe (`pidsite build 2>&1 |
/// head -1`): what cannot be said is dropped, where `eprintln!` panics.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// `print!` to stdout, whose reader may have gone (`pidsite check | head
/// -1`): Unix tools then stop writing without a word, where `println!`
/// panics ("failed printing to stdout: Broken pipe"). The command still
/// ends as it would have (its exit code, and `mint`'s appended rows, stay);
/// any other write error (a full disk) is an error.
fn out(text: std::fmt::Arguments) -> std::io::Result<()> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_fmt(text) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

// hayagriva's CSL engine and the HTML minifier allocate many small strings per
// page; mimalloc handles that with less contention than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc keeps freed pages for a second before returning them, which
/// made a 10,000-PID build's peak RSS ~165 MB for ~60 MB of live data.
/// Purging after 50 ms gives ~135 MB for ~0.6 s more system time (at 0 ms:
/// ~119 MB for ~2.3 s more). Without transparent huge pages, mimalloc
/// purges in 4 KiB pages rather than 2 MiB ones: a 100,000-PID build
/// peaks at 253-255 MB instead of 277-282 MB, a 10,000-PID one at 67-71
/// MB instead of 86-97 MB, in the same time (`bench/`). The indexes are
/// those of mimalloc 3's `mimalloc.h` (libmimalloc-sys 0.1.49 has no
/// constants for them); a test checks them against the defaults they must
/// hold.
mod allocator_options {
    pub const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    pub const ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

    pub fn set() {
        // SAFETY: plain setters of mimalloc's global options, called first
        // thing in main before any other thread exists.
        unsafe {
            libmimalloc_sys::mi_option_set(PURGE_DELAY, 50);
            libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
        }
        // mimalloc asked for huge pages for its first arena before main ran
        // (its own option is read then); the process-wide switch also
        // covers the mappings it already has. A kernel without it only
        // costs memory.
        #[cfg(target_os = "linux")]
        // SAFETY: prctl with integer arguments; no memory is passed.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_option_index_is_the_purge_delay() {
            // SAFETY: plain getters.
            let delay = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
            assert_eq!(delay, 1000, "mimalloc's default purge delay (options.c)");
        }

        #[test]
        fn the_option_index_is_allow_thp() {
            // SAFETY: plain getters. The option before it has another
            // default: page_cross_thread_max_reclaim 32.
            let get = |o| unsafe { libmimalloc_sys::mi_option_get(o) };
            assert_eq!(
                get(ALLOW_THP),
                1,
                "mimalloc's default allow_thp (options.c)"
            );
            assert_eq!(get(ALLOW_THP - 1), 32, "page_cross_thread_max_reclaim");
        }
    }
}

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};
use pidsite::clock::BuildTime;
use pidsite::{BuildOptions, Progress};

/// Exit codes, in one place.
mod exit_codes {
    /// Success.
    pub const OK: u8 = 0;
    /// The build failed: bad input, an I/O error, or warnings under --strict.
    pub const FAILED: u8 = 1;
    // 2 is clap's code for a usage error.
}

/// `pidsite --version`: the version and, when build.rs could tell, the
/// commit it was built from.
const VERSION: &str = if env!("PIDSITE_COMMIT").is_empty() {
    env!("CARGO_PKG_VERSION")
} else {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (commit ",
        env!("PIDSITE_COMMIT"),
        ")"
    )
};

/// Static sites of persistent-identifier landing pages for IIIF resources.
#[derive(Debug, Parser)]
#[command(
    name = "pidsite",
    version = VERSION,
    about,
    long_about = "pidsite turns a registry of persistent identifiers (ARK, DOI, Handle, \
URN, PURL/w3id or local IDs) and the IIIF manifests, collections and annotations they \
name into a static site: one citable landing page per PID with an IIIF viewer, \
metadata, rights and citations, tombstones for withdrawn PIDs and redirect stubs for \
every former identifier. Any static host serves the result; GitHub Pages first.\n\n\
A site is a folder with site.toml, content/registry.csv and content/manifests/ \
(templates/ and static/ are optional: the built-ins are inside the binary). With no \
command, pidsite builds the site in the current folder.",
    after_help = "Examples:
  pidsite new my-pids --base-url https://my-org.github.io/my-pids/
  pidsite serve --site my-pids           preview with live reload
  pidsite build --site my-pids --strict  write my-pids/public/
  pidsite check --site my-pids           find what would break a PID
  pidsite mint --naan 99999 --shoulder fk4 --count 5

Exit codes: 0 success, 1 failed (bad input, warnings under --strict, problems found \
by check), 2 bad arguments.

Each command has its own --help."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site into its output folder (the default command).
    #[command(
        long_about = "Build the site into its output folder (site.toml's output_dir, \
public/ by default): a landing page per PID, citation files, redirect stubs, \
tombstones, the home page, Markdown pages, 404.html, sitemap.xml, robots.txt and \
pids.csv. The site is written beside the output and swapped in only when the build \
succeeds, so a failed build leaves the previous output as it was. Builds are \
incremental: only PIDs whose registry rows, IIIF file or note changed are rendered \
again (state in .pidsite-cache/ beside the output).",
        after_help = "Examples:
  pidsite build                          the site in the current folder, into public/
  pidsite build --site my-pids --strict  fail on any warning (for CI)
  pidsite build --out /srv/www/pids      another output folder
  pidsite build --full                   render every PID again"
    )]
    Build(BuildArgs),
    /// Write each manifest/collection of the registry with its PID written
    /// in (v3 homepage + metadata, v2 related + metadata), for publishing
    /// where the originals are hosted.
    #[command(after_help = "Example:
  pidsite enrich --out enriched/         then publish enriched/ where the manifests live")]
    Enrich(EnrichArgs),
    /// Mint new NOID-style ARKs (with the NCDA check character) that no
    /// registry row uses yet, and append them to content/registry.csv as
    /// `reserved` rows.
    #[command(after_help = "Examples:
  pidsite mint --naan 99999 --shoulder fk4 --dry-run   print one test ARK
  pidsite mint --naan 12345 --shoulder x6 --count 10   reserve ten in the registry

Give a reserved row a target and clear its status to publish it.")]
    Mint(MintArgs),
    /// Check the registry (syntax, duplicates, loops, unreadable targets),
    /// targets changed since the last build (pidsite.lock) and the last
    /// build's output (broken internal links); exits 1 when anything is
    /// found.
    #[command(after_help = "Examples:
  pidsite check
  pidsite check --site my-pids --format json")]
    Check(CheckArgs),
    /// Create a new site to start from, in a new or empty folder.
    #[command(
        long_about = "Create a new site in DIR (which must not exist, or be empty; \
nothing is ever overwritten): a commented site.toml, content/registry.csv with one test \
ARK (NAAN 99999), a sample IIIF v3 manifest with its source in \
content/manifests/SOURCES.md, content/pages/about.md, a .gitignore, and \
.github/workflows/pages.yml, which builds the site with pidsite and deploys it to \
GitHub Pages on every push to main (set the repository's Settings -> Pages -> Source \
to \"GitHub Actions\").",
        after_help = "Examples:
  pidsite new my-pids
  pidsite new my-pids --base-url https://my-org.github.io/my-pids/ --title \"My PIDs\"
  pidsite new pid-site --base-url https://pid.example.org/ --templates"
    )]
    New(NewArgs),
    /// Preview the site locally: build, serve, rebuild and reload on change.
    #[command(
        long_about = "Build the site into a folder of its own (not public/), serve it \
over HTTP under the path of base_url (as GitHub Pages serves a project page; / \
redirects there), answer missing files with the site's 404.html and status 404, \
rebuild when site.toml, content/, templates/ or static/ change, and reload the open \
pages. The reload script is added to pages as they are served, never to the built \
files. A failed rebuild is printed and the last good site keeps being served. The URL \
is printed on stderr.",
        after_help = "Examples:
  pidsite serve                          http://127.0.0.1:1111/<base_url's path>
  pidsite serve --site my-pids --port 8080
  pidsite serve --port 0                 any free port (the URL is printed)"
    )]
    Serve(ServeArgs),
    /// Print one PID's citation: in a CSL style (apa, mla,
    /// chicago-author-date, chicago-notes, harvard, vancouver, or the site's
    /// own; in any case) or as bibtex, ris, csl-json or datacite (DataCite
    /// XML, for DOIs). A former identifier, old URL or moved PID is cited as
    /// the PID it leads to; a version by --version or its page's address.
    #[command(after_help = "Examples:
  pidsite cite ark:/12345/x6np1
  pidsite cite ark:/12345/x6np1 --version 2 --style APA
  pidsite cite ark:/12345/x6np1/v2
  pidsite cite https://doi.org/10.5555/abc --style bibtex > abc.bib
  pidsite cite doi:10.5555/abc --style datacite")]
    Cite(CiteArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell or
    /// elvish) to standard output.
    #[command(after_help = "Examples:
  pidsite completions bash > ~/.local/share/bash-completion/completions/pidsite
  pidsite completions zsh > ~/.zfunc/_pidsite     with fpath+=~/.zfunc in ~/.zshrc
  pidsite completions fish > ~/.config/fish/completions/pidsite.fish
  pidsite completions powershell >> $PROFILE")]
    Completions(CompletionsArgs),
    /// Print the man page pidsite(1), or write it and one page per command
    /// (pidsite-build(1)…) into a folder.
    #[command(after_help = "Examples:
  pidsite man | man -l -
  pidsite man --dir ~/.local/share/man/man1")]
    Man(ManArgs),
}

#[derive(Debug, clap::Args)]
struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
struct ManArgs {
    /// Write pidsite.1 and a page per command into this folder (created if
    /// missing) instead of printing pidsite.1.
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// The site folder, holding site.toml, content/, templates/ and static/.
    #[arg(long, default_value = ".")]
    site: PathBuf,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// The address to listen on; keep it on loopback unless others must see
    /// the preview.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// The folder to build into [default: a folder of this site's own under
    /// the system's temporary folder; never the site's public/].
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct NewArgs {
    /// The folder to create; it must not exist or be empty.
    dir: PathBuf,
    /// The URL the site will be served at [default:
    /// https://your-org.github.io/<DIR's name>/, a GitHub project page].
    #[arg(long)]
    base_url: Option<String>,
    /// The site's title.
    #[arg(long)]
    title: Option<String>,
    /// Also write the built-in templates into templates/, to edit them.
    #[arg(long)]
    templates: bool,
}

#[derive(Debug, clap::Args)]
struct CiteArgs {
    /// The PID, in any form the registry accepts (`ark:/12345/x`,
    /// `doi:10.…`, `https://doi.org/10.…`, a local ID).
    pid: String,
    /// A CSL style (a built-in one below, or one of the site's own by
    /// name) or an export format, in any case [default: site.toml's
    /// default_style].
    #[arg(long, value_parser = StyleParser)]
    style: Option<String>,
    /// Cite one version of a PID with several: its label (`2`,
    /// `2024-rescan`) or folder (`v2`) [default: the PID itself].
    #[arg(long)]
    version: Option<String>,
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    site: PathBuf,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    site: PathBuf,
    /// The output folder to check links in (default: site.toml's output_dir).
    #[arg(long)]
    out: Option<PathBuf>,
    /// How to print the problems.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Compare remote targets from the cache alone, without the network.
    #[arg(long)]
    offline: bool,
}

#[derive(Debug, clap::Args)]
struct MintArgs {
    /// The kind of PID to mint.
    #[arg(long, value_enum, default_value_t = Scheme::Ark)]
    scheme: Scheme,
    /// Your Name Assigning Authority Number (99999 is the test NAAN).
    #[arg(long)]
    naan: String,
    /// The shoulder minted under, e.g. `fk4` (betanumeric).
    #[arg(long)]
    shoulder: String,
    /// How many ARKs.
    #[arg(long, default_value_t = 1)]
    count: usize,
    /// Random characters after the shoulder (the check character comes on top).
    #[arg(long, default_value_t = 7)]
    length: usize,
    /// Print the ARKs without changing the registry.
    #[arg(long)]
    dry_run: bool,
    /// Seed the random blades (reproducible output, for tests).
    #[arg(long, hide = true)]
    seed: Option<u64>,
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    site: PathBuf,
}

#[derive(Debug, clap::Args)]
struct EnrichArgs {
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    site: PathBuf,
    /// Where to write the enriched copies (same paths as under content/).
    #[arg(long)]
    out: PathBuf,
    /// Print only warnings and errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, clap::Args, Default)]
struct BuildArgs {
    /// The site folder, holding site.toml, content/, templates/ and static/.
    #[arg(long, default_value = ".")]
    site: PathBuf,
    /// The output folder [default: site.toml's output_dir, or public/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Treat warnings (an unreadable manifest, an unused template) as errors.
    #[arg(long)]
    strict: bool,
    /// Render every PID, even those unchanged since the last build into
    /// the same output folder.
    #[arg(long)]
    full: bool,
    /// Read remote targets from the cache (.pidsite-cache/remote beside
    /// the output) alone, without the network.
    #[arg(long)]
    offline: bool,
    /// Print only warnings and errors.
    #[arg(long, short)]
    quiet: bool,
}

/// How `pidsite check` prints its problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CheckFormat {
    /// One problem a line.
    Text,
    /// A JSON array, for machines.
    Json,
}

/// The PIDs `pidsite mint` can mint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scheme {
    /// NOID-style ARKs with the NCDA check character.
    Ark,
}

/// `cite --style`: its help and shell completions list the built-in CSL
/// styles and the export formats, written in lower case whatever case was
/// given. Any other name is passed on as written, for the library to look
/// up among the site's own styles (which only site.toml knows): a clap
/// value enum would refuse those.
#[derive(Debug, Clone, Copy)]
struct StyleParser;

impl StyleParser {
    fn names() -> impl Iterator<Item = &'static str> {
        let styles = pidsite::citation::styles::Style::NAMES.iter();
        styles.chain(pidsite::commands::cite::FORMATS).copied()
    }
}

impl clap::builder::TypedValueParser for StyleParser {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let value = clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)?;
        let known = Self::names().find(|n| n.eq_ignore_ascii_case(&value));
        Ok(known.map_or(value, str::to_string))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Self::names().map(clap::builder::PossibleValue::new),
        ))
    }
}

/// An indicatif progress bar on stderr, shown only on a terminal.
struct Bar(Option<indicatif::ProgressBar>);

impl Progress for Bar {
    fn start_fetching(&self, total: u64) {
        if let Some(bar) = &self.0 {
            bar.set_message("remote targets fetched");
            bar.set_length(total);
        }
    }
    fn fetched(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }
    fn start(&self, total: u64) {
        if let Some(bar) = &self.0 {
            bar.set_message("PIDs");
            bar.set_position(0);
            bar.set_length(total);
        }
    }
    fn advance(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }
    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

fn main() -> ExitCode {
    allocator_options::set();
    let cli = Cli::parse();
    let result = match cli
        .command
        .unwrap_or(Command::Build(BuildArgs::default_site()))
    {
        Command::Build(args) => build(args),
        Command::Enrich(args) => enrich(args),
        Command::Mint(args) => mint(args),
        Command::Check(args) => check(args),
        Command::Cite(args) => cite(args),
        Command::New(args) => new(args),
        Command::Serve(args) => serve(args),
        Command::Completions(args) => completions(args),
        Command::Man(args) => man(args),
    };
    match result {
        Ok(()) => ExitCode::from(exit_codes::OK),
        Err(e) => {
            print_error(&*e);
            ExitCode::from(exit_codes::FAILED)
        }
    }
}

impl BuildArgs {
    fn default_site() -> Self {
        BuildArgs {
            site: PathBuf::from("."),
            ..Default::default()
        }
    }
}

/// The build's time when `SOURCE_DATE_EPOCH` fixes it (reproducible-builds.org:
/// two builds of the same inputs are then byte-identical); `None`: now. Read
/// here, as the library never reads the environment.
fn fixed_time() -> Option<BuildTime> {
    let value = std::env::var("SOURCE_DATE_EPOCH").ok()?;
    BuildTime::from_source_date_epoch(&value)
}

fn build(args: BuildArgs) -> anyhow::Result<()> {
    let options = BuildOptions {
        site_dir: args.site,
        out_dir: args.out,
        strict: args.strict,
        full: args.full,
        offline: args.offline,
        time: fixed_time(),
    };
    let bar = Bar((std::io::stderr().is_terminal() && !args.quiet).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} {elapsed}")
                .expect("the template is valid"),
        );
        bar
    }));
    let report = pidsite::build(&options, &bar)?;
    for warning in &report.warnings {
        errln!("warning: {warning}");
    }
    for note in &report.notes {
        errln!("note: {note}");
    }
    if let Some(warning) = report.size_warning() {
        errln!("warning: {warning}");
    }
    if !report.changed.is_empty() {
        let n = report.changed.len();
        let manifests = if n == 1 { "manifest" } else { "manifests" };
        let list: Vec<String> = report.changed.iter().map(ToString::to_string).collect();
        errln!(
            "{n} {manifests} changed since the last build: {}",
            list.join(", ")
        );
    }
    if !args.quiet {
        let counts = report.remote;
        if counts.total() > 0 {
            let stale = if counts.stale > 0 {
                format!(" ({} of them from an earlier copy)", counts.stale)
            } else {
                String::new()
            };
            errln!(
                "Remote targets: {} downloaded, {} unchanged (304), {} from the cache, {} failed{stale}",
                counts.downloaded,
                counts.unchanged,
                counts.cached,
                counts.failed
            );
        }
        let rendered = if report.incremental {
            format!(" ({} re-rendered, the rest unchanged)", report.rendered)
        } else {
            String::new()
        };
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        errln!(
            "Built {} and {} for {}{rendered} in {:.2} s into {}",
            count(report.pages, "page", "pages"),
            count(report.stubs, "redirect stub", "redirect stubs"),
            count(report.pids, "PID", "PIDs"),
            report.elapsed.as_secs_f64(),
            report.out_dir.display()
        );
        errln!("{}", capacity_line(report.capacity()));
    }
    Ok(())
}

/// The build summary's size line: the site, its mean bytes per PID and how
/// many more PIDs fit under GitHub Pages' limit.
fn capacity_line(c: pidsite::build::Capacity) -> String {
    let mut line = format!("Size: {}", size_text(c.bytes));
    if let Some(per_pid) = c.per_pid {
        line.push_str(&format!(", {} a PID", size_text(per_pid)));
    }
    match c.more_pids {
        Some(0) => line.push_str("; over GitHub Pages' 1 GB limit"),
        Some(n) => line.push_str(&format!(
            "; about {} more PIDs fit under GitHub Pages' 1 GB limit",
            thousands(n)
        )),
        None => line.push_str(" of GitHub Pages' 1 GB limit"),
    }
    line
}

/// A size in decimal units (GitHub Pages' 1 GB is 10^9 bytes).
fn size_text(bytes: u64) -> String {
    match bytes {
        0..=999 => format!("{bytes} bytes"),
        1_000..=999_999 => format!("{:.1} KB", bytes as f64 / 1e3),
        1_000_000..=999_999_999 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.2} GB", bytes as f64 / 1e9),
    }
}

/// `n` with a comma between groups of three digits (`19,000`).
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn check(args: CheckArgs) -> anyhow::Result<()> {
    let now = fixed_time().unwrap_or_else(BuildTime::now);
    let problems =
        pidsite::commands::check::check(&args.site, args.out.as_deref(), args.offline, &now)?;
    if args.format == CheckFormat::Json {
        out(format_args!(
            "{}\n",
            serde_json::to_string_pretty(&problems)?
        ))?;
    } else {
        for problem in &problems {
            out(format_args!("{problem}\n"))?;
        }
    }
    if problems.is_empty() {
        if args.format == CheckFormat::Text {
            errln!("No problems found.");
        }
        Ok(())
    } else {
        let n = problems.len();
        anyhow::bail!("{n} {} found", if n == 1 { "problem" } else { "problems" })
    }
}

fn cite(args: CiteArgs) -> anyhow::Result<()> {
    let cited = pidsite::commands::cite::cite(
        &args.site,
        &args.pid,
        args.style.as_deref(),
        args.version.as_deref(),
        &fixed_time().unwrap_or_else(BuildTime::now),
    )?;
    for note in &cited.notes {
        errln!("note: {note}");
    }
    for warning in &cited.warnings {
        errln!("warning: {warning}");
    }
    out(format_args!("{}", cited.text))?;
    Ok(())
}

fn mint(args: MintArgs) -> anyhow::Result<()> {
    let minted = pidsite::commands::mint::mint(&pidsite::commands::mint::MintOptions {
        site_dir: args.site,
        naan: args.naan,
        shoulder: args.shoulder,
        count: args.count,
        blade_len: args.length,
        dry_run: args.dry_run,
        seed: args.seed,
    })?;
    for pid in &minted {
        out(format_args!("{}\n", pid.as_str()))?;
    }
    if !args.dry_run {
        errln!(
            "Appended {} reserved ARKs to content/registry.csv; give each a target and make it active to publish it",
            minted.len()
        );
    }
    Ok(())
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let out = args
        .out
        .unwrap_or_else(|| pidsite::commands::serve::default_out_dir(&args.site));
    let options = pidsite::commands::serve::ServeOptions {
        site_dir: args.site,
        out_dir: out,
        addr: std::net::SocketAddr::new(args.bind, args.port),
        time: fixed_time(),
    };
    pidsite::commands::serve::serve(&options, &mut |event| {
        use pidsite::commands::serve::ServeEvent;
        match event {
            ServeEvent::Listening { url } => {
                errln!("Serving {url} (rebuilds and reloads on change; Ctrl-C to stop)")
            }
            ServeEvent::Changed { paths } => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                errln!("Changed: {}", names.join(", "));
            }
            ServeEvent::Built(report) => {
                for warning in &report.warnings {
                    errln!("warning: {warning}");
                }
                errln!(
                    "Built {} pages for {} PIDs ({} rendered) in {:.2} s",
                    report.pages,
                    report.pids,
                    report.rendered,
                    report.elapsed.as_secs_f64()
                );
            }
            ServeEvent::Failed(e) => {
                print_error(e);
                errln!("  (still serving the last good build)");
            }
            ServeEvent::WatchError(message) => errln!("warning: watching files: {message}"),
        }
    })?;
    Ok(())
}

fn new(args: NewArgs) -> anyhow::Result<()> {
    let written = pidsite::commands::new::new_site(&pidsite::commands::new::NewOptions {
        dir: args.dir.clone(),
        base_url: args.base_url,
        title: args.title,
        templates: args.templates,
    })?;
    for file in &written {
        errln!("  {}", args.dir.join(file).display());
    }
    // As a shell would need them, so that the commands can be pasted.
    let dir = shell_word(&args.dir.display().to_string());
    let public = shell_word(&args.dir.join("public").display().to_string());
    let toml = shell_word(&args.dir.join("site.toml").display().to_string());
    errln!(
        "Created a new site in {dir}. Next:\n  \
         pidsite serve --site {dir}     preview it with live reload\n  \
         pidsite build --site {dir}     write it into {public}\n\
         Set base_url in {toml} to where it will be served, put your manifests in \
         content/manifests/ and your PIDs in content/registry.csv; push to GitHub and set \
         Settings -> Pages -> Source to \"GitHub Actions\" to publish."
    );
    Ok(())
}

/// `text` as one shell word: as it is when that is safe, else single-quoted.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./+:@%,=".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The command line as clap defines it, for completions and man pages: with
/// the bare version, so that what is generated changes with a release, not
/// with every commit.
fn cli_definition() -> clap::Command {
    Cli::command().version(env!("CARGO_PKG_VERSION"))
}

fn completions(args: CompletionsArgs) -> anyhow::Result<()> {
    // Into memory first: clap_complete panics on a write error, and stdout
    // may be a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli_definition(), "pidsite", &mut script);
    out(format_args!("{}", String::from_utf8_lossy(&script)))?;
    Ok(())
}

fn man(args: ManArgs) -> anyhow::Result<()> {
    use anyhow::Context as _;
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(cli_definition(), &dir)
                .with_context(|| format!("writing the man pages into {}", dir.display()))?;
            errln!("Wrote the man pages into {}", dir.display());
        }
        None => {
            // As generate_to does: `pidsite help` gets no page to refer to.
            let cmd = cli_definition().disable_help_subcommand(true);
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut page)?;
            out(format_args!("{}", String::from_utf8_lossy(&page)))?;
        }
    }
    Ok(())
}

fn enrich(args: EnrichArgs) -> anyhow::Result<()> {
    let report =
        pidsite::commands::enrich::enrich_registry(&pidsite::commands::enrich::EnrichOptions {
            site_dir: args.site,
            out_dir: args.out.clone(),
        })?;
    for warning in &report.warnings {
        errln!("warning: {warning}");
    }
    if !args.quiet {
        let n = report.written.len();
        errln!(
            "Wrote {n} enriched {} into {}",
            if n == 1 { "document" } else { "documents" },
            args.out.display()
        );
    }
    Ok(())
}

/// Print an error and its causes, one per line, with no backtrace. The
/// warnings that failed a `--strict` build come first as themselves, then
/// the error; a cause the line before already ends with (an I/O error's
/// message holds its cause) is not printed again.
fn print_error(e: &(dyn std::error::Error + 'static)) {
    let mut first = true;
    let mut last = String::new();
    let chain = std::iter::successors(Some(e), |e| e.source());
    for cause in chain {
        let text = cause.to_string();
        if !first && last.ends_with(&text) {
            continue;
        }
        for line in text.lines() {
            if line.starts_with("warning: ") {
                errln!("{line}");
            } else if first {
                errln!("error: {line}");
                first = false;
            } else {
                errln!("  {line}");
            }
        }
        last = text;
    }
}
