//! The commands besides `build` (which is [`mod@crate::build`]): each reads and
//! writes through the stages' own APIs, never through the build's
//! internals.

pub mod check;
pub mod cite;
pub mod enrich;
pub mod mint;
pub mod new;
pub mod serve;
