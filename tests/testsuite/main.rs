//! The `pidsite` binary's tests, one module per command (as mdBook's
//! `tests/testsuite/`): each runs `pidsite` on a copy of a fixture site,
//! most of them broken one way per test, and checks the exit code, the
//! stderr line that names the file, the row or line and what was
//! expected, and the files written. One test binary, so that the suite
//! links once.

#[path = "../common/mod.rs"]
mod common;

mod cli;

mod bench;
mod build;
mod check;
mod cite;
mod dates;
mod install;
mod mapping;
mod mint;
mod new;
mod registry;
mod rules;
mod serve;
mod templates;
