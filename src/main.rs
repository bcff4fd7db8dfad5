//! The `pidsite` command line: parse arguments, call the library, print
//! warnings, the summary and errors, and choose the exit code.

// hayagriva's CSL engine and the HTML minifier allocate many small strings per
// page; mimalloc handles that with less contention than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pidsite::{BuildOptions, Progress};

/// Exit codes, in one place.
mod exit_codes {
    /// Success.
    pub const OK: u8 = 0;
    /// The build failed: bad input, an I/O error, or warnings under --strict.
    pub const FAILED: u8 = 1;
    // 2 is clap's code for a usage error.
}

/// Static sites of persistent-identifier landing pages for IIIF resources.
#[derive(Debug, Parser)]
#[command(name = "pidsite", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site into its output folder (the default command).
    Build(BuildArgs),
    /// Write each manifest/collection of the registry with its PID written
    /// in (v3 homepage + metadata, v2 related + metadata), for publishing
    /// where the originals are hosted.
    Enrich(EnrichArgs),
    /// Mint new NOID-style ARKs (with the NCDA check character) that no
    /// registry row uses yet, and append them to content/registry.csv as
    /// `reserved` rows.
    Mint(MintArgs),
    /// Check the registry (syntax, duplicates, loops, unreadable targets)
    /// and the last build's output (broken internal links); exits 1 when
    /// anything is wrong.
    Check(CheckArgs),
    New(NewArgs),
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
struct CheckArgs {
    /// The site folder, holding site.toml and content/.
    #[arg(long, default_value = ".")]
    site: PathBuf,
    /// The output folder to check links in (default: site.toml's output_dir).
    #[arg(long)]
    out: Option<PathBuf>,
    /// `text` (one problem a line) or `json` (an array, for machines).
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    format: String,
}

#[derive(Debug, clap::Args)]
struct MintArgs {
    /// Only `ark` is minted.
    #[arg(long, value_parser = ["ark"], default_value = "ark")]
    scheme: String,
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
    /// Print only warnings and errors.
    #[arg(long, short)]
    quiet: bool,
}

/// An indicatif progress bar on stderr, shown only on a terminal.
struct Bar(Option<indicatif::ProgressBar>);

impl Progress for Bar {
    fn start(&self, total: u64) {
        if let Some(bar) = &self.0 {
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
    let cli = Cli::parse();
    let result = match cli
        .command
        .unwrap_or(Command::Build(BuildArgs::default_site()))
    {
        Command::Build(args) => build(args),
        Command::Enrich(args) => enrich(args),
        Command::Mint(args) => mint(args),
        Command::Check(args) => check(args),
        Command::New(args) => new(args),
    };
    match result {
        Ok(()) => ExitCode::from(exit_codes::OK),
        Err(e) => {
            print_error(&e);
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

fn build(args: BuildArgs) -> anyhow::Result<()> {
    let options = BuildOptions {
        site_dir: args.site,
        out_dir: args.out,
        strict: args.strict,
        full: args.full,
    };
    let bar = Bar((std::io::stderr().is_terminal() && !args.quiet).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} PIDs {elapsed}")
                .expect("the template is valid"),
        );
        bar
    }));
    let report = pidsite::build(&options, &bar)?;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if let Some(note) = report.size_note() {
        eprintln!("note: {note}");
    }
    if !args.quiet {
        let rendered = if report.incremental {
            format!(" ({} re-rendered, the rest unchanged)", report.rendered)
        } else {
            String::new()
        };
        eprintln!(
            "Built {} pages and {} redirect stubs for {} PIDs{rendered} in {:.2} s into {}",
            report.pages,
            report.stubs,
            report.pids,
            report.elapsed.as_secs_f64(),
            report.out_dir.display()
        );
    }
    Ok(())
}

fn check(args: CheckArgs) -> anyhow::Result<()> {
    let problems = pidsite::check::check(&args.site, args.out.as_deref())?;
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&problems)?);
    } else {
        for problem in &problems {
            println!("{problem}");
        }
    }
    if problems.is_empty() {
        if args.format == "text" {
            eprintln!("No problems found.");
        }
        Ok(())
    } else {
        anyhow::bail!("{} problems found", problems.len())
    }
}

fn mint(args: MintArgs) -> anyhow::Result<()> {
    let minted = pidsite::mint::mint(&pidsite::mint::MintOptions {
        site_dir: args.site,
        naan: args.naan,
        shoulder: args.shoulder,
        count: args.count,
        blade_len: args.length,
        dry_run: args.dry_run,
        seed: args.seed,
    })?;
    for pid in &minted {
        println!("{}", pid.as_str());
    }
    if !args.dry_run {
        eprintln!(
            "Appended {} reserved ARKs to content/registry.csv; give each a target and make it active to publish it",
            minted.len()
        );
    }
    Ok(())
}

fn new(args: NewArgs) -> anyhow::Result<()> {
    let written = pidsite::scaffold::new_site(&pidsite::scaffold::NewOptions {
        dir: args.dir.clone(),
        base_url: args.base_url,
        title: args.title,
        templates: args.templates,
    })?;
    for file in &written {
        eprintln!("  {}", args.dir.join(file).display());
    }
    let dir = args.dir.display();
    eprintln!(
        "Created a new site in {dir}. Next:\n  \
         pidsite serve --site {dir}     preview it with live reload\n  \
         pidsite build --site {dir}     write it into {dir}/public\n\
         Set base_url in {dir}/site.toml to where it will be served, put your manifests in \
         content/manifests/ and your PIDs in content/registry.csv; push to GitHub and set \
         Settings -> Pages -> Source to \"GitHub Actions\" to publish."
    );
    Ok(())
}

fn enrich(args: EnrichArgs) -> anyhow::Result<()> {
    let report = pidsite::enrich_registry(&pidsite::EnrichOptions {
        site_dir: args.site,
        out_dir: args.out.clone(),
    })?;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if !args.quiet {
        eprintln!(
            "Wrote {} enriched documents into {}",
            report.written.len(),
            args.out.display()
        );
    }
    Ok(())
}

/// Print an error and its causes, one per line, with no backtrace.
fn print_error(e: &anyhow::Error) {
    let mut first = true;
    for cause in e.chain() {
        for line in cause.to_string().lines() {
            if first {
                eprintln!("error: {line}");
                first = false;
            } else if line.starts_with("warning: ") {
                eprintln!("{line}");
            } else {
                eprintln!("  {line}");
            }
        }
    }
}
