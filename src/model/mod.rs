//! The model: identifiers, registry records and normalised IIIF resources,
//! validated and ready to render. Nothing here reads files or renders.

pub mod cap;
pub mod changes;
pub mod content_state;
pub mod genre;
pub mod pid;
pub mod place;
pub mod record;
pub mod resource;
pub mod rights;
pub mod rule;
pub mod site_path;
