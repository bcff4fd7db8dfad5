//! Loading: site inputs (registry, IIIF documents, Markdown) read from disk
//! and validated into the model. Loading never renders.

pub mod confine;
pub mod enrichable;
pub mod html;
pub mod iiif;
mod image_api;
pub mod json;
pub mod markdown;
pub mod nav_place;
pub mod pages;
pub mod registry;
pub mod rules;
pub mod static_clash;
pub mod target;
