//! What builds keep between them (incremental builds). After each build pidsite records, per PID, a
//! fingerprint of everything its pages are made from (its registry rows, its
//! IIIF file or the content hash of its remote document, its note) together
//! with the files it wrote and the summary the site-wide pages need. The
//! next build into the same output folder renders only the PIDs whose
//! fingerprint changed; everything else is kept as is.
//!
//! What every page depends on (the pidsite binary, site.toml, templates, the
//! navigation) goes into one global fingerprint: when it changes, the build
//! is a full one. Pages that link to other PIDs' pages (collections,
//! annotations) also depend on the index of IIIF ids to PID pages, recorded
//! as its own hash.
//!
//! The state lives in a cache folder beside the output, not in it (it would
//! be published); a small marker file in the output ties the two together,
//! so a state never describes an output folder it did not build.
//!
//! [`state`] is the last build's state, [`entry_store`] the per-PID states
//! it points into, [`templates`] the templates it parsed, [`remote`] the
//! cache of remote documents. None of them decides anything: the build
//! (`crate::build`) compares and chooses.

pub mod entry_store;
pub mod remote;
pub mod state;
pub mod templates;

pub use state::{cache_dir, lock_path, state_path, State};
