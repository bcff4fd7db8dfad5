//! Errors of the library: every one names the file, and the line or row where
//! there is one, so that a web team can go straight to what needs fixing.
//! This module must not print; `main.rs` decides how errors reach the user.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input a problem was found: a file, and optionally a line
/// (site.toml, front matter) or a row (registry; the line the row starts on).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// The file, as the user named it (relative to the site when possible).
    pub path: PathBuf,
    /// 1-based line number, when known.
    pub line: Option<usize>,
}

impl Location {
    /// A whole file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location {
            path: path.into(),
            line: None,
        }
    }

    /// A line of a file.
    pub fn line(path: impl Into<PathBuf>, line: usize) -> Self {
        Location {
            path: path.into(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path.display(), line),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// A failed build or command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// site.toml, or a file it names (a logo, a `.csl` style), is wrong.
    #[error("{at}: {message}")]
    Config {
        /// File and line or row.
        at: Location,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The registry (`content/registry.csv`, `.json` or `content/registry/`) cannot be read, or a row is wrong: the location is the row's line.
    #[error("{at}: {message}")]
    Registry {
        /// File and line or row.
        at: Location,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A Markdown page or note in `content/` has bad front matter.
    #[error("{at}: {message}")]
    Page {
        /// File and line or row.
        at: Location,
        /// What was wrong and what was expected.
        message: String,
    },
    /// `pidsite.lock` cannot be read (a build turns this into a warning and writes a new lock).
    #[error("{at}: {message}")]
    Lock {
        /// File and line or row.
        at: Location,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The folder pidsite would write into cannot be used: the build's output folder (the site itself, or a folder of someone else's files), or the folder `pidsite new` is given (a file, or not empty).
    #[error("{at}: {message}")]
    OutputFolder {
        /// File and line or row.
        at: Location,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A value given on the command line is wrong (a PID that cannot be parsed, a version or style the PID does not have, a NAAN, an address to listen on); the location names the option.
    #[error("{at}: {message}")]
    Argument {
        /// File and line or row.
        at: Location,
        /// What was wrong and what was expected.
        message: String,
    },
    /// `pidsite cite` cannot cite the PID asked for: not in the registry, reserved, not a DOI for DataCite, or the CSL processor failed.
    #[error("{at}: {message}")]
    Cite {
        /// File and line or row.
        at: Location,
        /// What was wrong and what was expected.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The last build's state (in `.pidsite-cache`) cannot be read: an
    /// incremental build then starts again as a full one.
    #[error("{0}")]
    Cache(Box<Error>),
    /// A template failed to parse or render.
    #[error("template {name}: {message}")]
    Template {
        /// Template name.
        name: String,
        /// Tera's message chain.
        message: String,
    },
    /// Several input errors found in one pass (the registry reports every bad
    /// row at once rather than one per run).
    #[error("{}", join_errors(.0))]
    Many(Vec<Error>),
    /// Follows the error that stopped a build because every later write
    /// would meet it too (a full disk or quota, a read-only file system).
    #[error("the build stopped there ({skipped} more PID(s) not built) and left the output folder as it was: free space (or make the folder writable) and build again")]
    Halted {
        /// The PIDs not built after it.
        skipped: usize,
    },
    /// Ends a list of errors cut short.
    #[error("and {0} more error(s) not listed")]
    NotListed(usize),
    /// `--strict` and warnings were reported.
    #[error("{}\n{} warning(s) and --strict was given; the previous output was left in place", join_warnings(.0), .0.len())]
    Strict(Vec<Warning>),
}

/// The most errors one report lists (see [`Error::capped`]).
pub const MAX_LISTED: usize = 100;

fn join_errors(errors: &[Error]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn join_warnings(warnings: &[Warning]) -> String {
    warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// An [`Error::Config`] at a location.
    pub fn config(at: Location, message: impl Into<String>) -> Self {
        Error::Config {
            at,
            message: message.into(),
        }
    }

    /// An [`Error::Registry`] at a location.
    pub fn registry(at: Location, message: impl Into<String>) -> Self {
        Error::Registry {
            at,
            message: message.into(),
        }
    }

    /// An [`Error::Page`] at a location.
    pub fn page(at: Location, message: impl Into<String>) -> Self {
        Error::Page {
            at,
            message: message.into(),
        }
    }

    /// An [`Error::Lock`] at a location.
    pub fn lock(at: Location, message: impl Into<String>) -> Self {
        Error::Lock {
            at,
            message: message.into(),
        }
    }

    /// An [`Error::OutputFolder`] at a location.
    pub fn output_folder(at: Location, message: impl Into<String>) -> Self {
        Error::OutputFolder {
            at,
            message: message.into(),
        }
    }

    /// An [`Error::Argument`] at a location.
    pub fn argument(at: Location, message: impl Into<String>) -> Self {
        Error::Argument {
            at,
            message: message.into(),
        }
    }

    /// An [`Error::Cite`] at a location.
    pub fn cite(at: Location, message: impl Into<String>) -> Self {
        Error::Cite {
            at,
            message: message.into(),
        }
    }

    /// The location and message of an error about one place of an input
    /// (every variant with an `at`); any other error comes back as it is.
    pub fn located(self) -> std::result::Result<(Location, String), Self> {
        match self {
            Error::Config { at, message }
            | Error::Registry { at, message }
            | Error::Page { at, message }
            | Error::Lock { at, message }
            | Error::OutputFolder { at, message }
            | Error::Argument { at, message }
            | Error::Cite { at, message } => Ok((at, message)),
            other => Err(other),
        }
    }

    /// An I/O error on a path.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The first [`MAX_LISTED`] of `errors`, then the error `more` makes
    /// of how many were left out: a report stays readable when every row
    /// or every PID fails.
    pub fn capped(mut errors: Vec<Error>, more: impl FnOnce(usize) -> Error) -> Vec<Error> {
        if errors.len() > MAX_LISTED {
            let rest = errors.len() - MAX_LISTED;
            errors.truncate(MAX_LISTED);
            errors.push(more(rest));
        }
        errors
    }

    /// Collapse a list of errors: one stays itself, several become `Many`.
    pub fn from_list(errors: Vec<Error>) -> Option<Self> {
        // One broken template fails every page the same way: say it once.
        let mut seen = std::collections::HashSet::new();
        let mut errors: Vec<Error> = errors
            .into_iter()
            .filter(|e| seen.insert(e.to_string()))
            .collect();
        // A damaged cache comes first: the full build it leads to reports
        // any other error again.
        if let Some(i) = errors.iter().position(|e| matches!(e, Error::Cache(_))) {
            return Some(errors.swap_remove(i));
        }
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::Many(errors)),
        }
    }
}

/// Declares [`WarningKind`] and its list of every kind, so that the list
/// cannot miss one (the test that `check` reports every kind iterates it).
macro_rules! warning_kinds {
    ($($(#[doc = $doc:literal])* $kind:ident => $name:literal,)*) => {
        /// What a [`Warning`] is about. Every warning a build can give is one
        /// of these; `pidsite check` reports each kind that comes from the
        /// site's inputs (tests/testsuite/check.rs proves it kind by kind).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum WarningKind {
            $($(#[doc = $doc])* $kind,)*
        }

        impl WarningKind {
            /// Every kind, in the order declared.
            pub const ALL: &'static [WarningKind] = &[$(WarningKind::$kind,)*];

            /// Its short name, as `pidsite check --format json` prints it
            /// in `kind`.
            pub fn name(self) -> &'static str {
                match self {
                    $(WarningKind::$kind => $name,)*
                }
            }
        }
    };
}

warning_kinds! {
    /// A site template whose name matches no built-in one (a typo?).
    UnknownTemplate => "template",
    /// A note in content/notes/ for a PID the registry does not have.
    NoteWithoutPid => "note",
    /// Raw HTML in Markdown left out (the site does not allow it), or a
    /// link to a script or data URL removed.
    RawHtml => "raw-html",
    /// A hidden file or folder in static/ not published (`[static]
    /// include` lists those to publish).
    HiddenStatic => "static-hidden",
    /// Rows of one PID whose `version_date`s are not in the rows' order.
    VersionOrder => "version-order",
    /// A title or summary longer than its cap (see `model::cap`): the
    /// pages show it cut.
    LongText => "long-text",
    /// A target that cannot be read or is not IIIF: the page is built from
    /// the registry alone.
    UnreadableTarget => "target",
    /// A remote target that could not be fetched: the cached copy is used.
    StaleRemote => "stale",
    /// The registry's `type` differs from what the target is.
    TypeMismatch => "type",
    /// The registry's `canvas` is not in the target.
    MissingCanvas => "canvas",
    /// pidsite.lock cannot be read (a merge conflict): a new one is written.
    UnreadableLock => "lock",
    /// A redirect rule left out: it would shadow a PID, repeats an earlier
    /// one, or is of a kind pidsite does not write (OBO's `regex`).
    Rule => "rule",
    /// The last build's state in the output's cache could not be read: the
    /// build was a full one. About the output, not the inputs: build only.
    CacheReset => "cache",
    /// pidsite.lock could not be written (found before the output is
    /// replaced, so `--strict` keeps the previous one). Build only.
    LockNotWritten => "lock-write",
    /// The incremental build state could not be saved, after the site was
    /// written. Build only.
    StateNotSaved => "state",
    /// Interface strings the site's language has no translation for:
    /// English is used.
    Translation => "translation",
    /// `pidsite enrich` skipped a target (remote, or not enrichable).
    /// Enrich only.
    EnrichSkipped => "enrich",
}

/// A soft problem: the build goes on, reports it, and `--strict` fails on it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// What it is about.
    pub kind: WarningKind,
    /// Where.
    pub at: Location,
    /// What happened and what pidsite did instead.
    pub message: String,
}

impl Warning {
    /// A warning of `kind` at a location.
    pub fn new(kind: WarningKind, at: Location, message: impl Into<String>) -> Self {
        Warning {
            kind,
            at,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Result alias of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
