//! pidsite: a static-site generator for persistent-identifier landing pages
//! of IIIF resources. The stages, in the order of the data: `config` and
//! `load` read the site into the `model`; `render` makes each page and file
//! in memory ([`output`]); `write` stages them and puts the finished site in
//! place; `cache` keeps what the next build reuses. [`mod@build`] is the one
//! place that knows their order; [`commands`] are the other commands.

#![warn(missing_docs)]

pub mod build;
pub mod cache;
pub mod citation;
pub mod clock;
pub mod commands;
pub mod config;
pub mod enrich;
pub mod error;
pub mod escape;
pub mod exclusive;
pub mod load;
pub mod lock;
pub mod model;
pub mod output;
pub mod remote;
pub mod render;
pub mod static_files;
pub mod write;

pub use build::{build, BuildOptions, BuildReport, NoProgress, Progress, GITHUB_PAGES_LIMIT};
pub use error::{Error, Result, Warning, WarningKind};
