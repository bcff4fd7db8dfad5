//! The end of a build: the staged output put in place (swapped in whole; an
//! incremental build's completed first with the unchanged files), then
//! `pidsite.lock` and the build state saved. A lock or state that cannot be
//! written is a warning: the output is already in place.

use std::collections::HashSet;
use std::path::Path;

use super::fingerprint::Fingerprinter;
use super::site::Built;
use crate::cache::entry_store::{EntryRef, EntryStore};
use crate::cache::{self, State};
use crate::error::{Location, Result, Warning, WarningKind};
use crate::load::registry::Registry;
use crate::lock::{self, Changed, LockDates, LockedPage};
use crate::remote::RemoteDocs;
use crate::write::{self, StagedFile, Staging};

/// Put the staged output in place. An incremental build (`last`) keeps the
/// live output's unchanged files but not what the last build wrote that
/// this one no longer makes.
pub(super) fn output(
    staging: Staging,
    last: Option<&State>,
    registry: &Registry,
    refs: &[EntryRef],
    built: &Built,
) -> Result<()> {
    let Some(last) = last else {
        return staging.commit();
    };
    let stale = stale_files(last, registry, refs, built)?;
    // Killed after the swap and before the new state is saved, the next
    // build finds the new output's marker unlike the old state's build and
    // builds in full.
    staging.apply(&stale)
}

/// What the last build wrote and this one no longer makes: its site-wide
/// files that this build did not make, and the files of each PID it did
/// not keep as they were (rendered again, or gone from the registry) that
/// no PID made now. A kept PID's files are all still made: its state is
/// not read.
fn stale_files(
    last: &State,
    registry: &Registry,
    refs: &[EntryRef],
    built: &Built,
) -> Result<Vec<String>> {
    let site_files: HashSet<&String> = built.site_files.iter().collect();
    let live = |file: &String| built.pid_files.contains(file) || site_files.contains(file);
    let kept: HashSet<&str> = registry
        .entries
        .iter()
        .zip(refs)
        .filter(|(_, r)| !r.rendered)
        .map(|(entry, _)| entry.pid().key())
        .collect();
    let mut stale: Vec<String> = last
        .site_files
        .iter()
        .filter(|f| !live(f))
        .cloned()
        .collect();
    for (key, old) in &last.entries {
        if kept.contains(key.as_str()) {
            continue;
        }
        let files = last.entry(old)?.files;
        stale.extend(files.into_iter().filter(|f| !live(f)));
    }
    Ok(stale)
}

/// Every target has been read or fingerprinted: compare with the lock,
/// read again only now (its dates were all the PIDs needed; read during
/// the site-wide pass, it raised a 100,000-PID build's peak memory from
/// 232 to 264 MB to save 1% of a rebuild), and write it
/// beside the lock before the output is replaced, so that `--strict` fails
/// on a lock that cannot be written while the previous output is still
/// there; and before the build state is made, so that neither is held while
/// PIDs are rendered or with the other. One that could not be read was
/// reported when the build began. The staged lock (put in place by
/// [`lock_in_place`]) and the targets whose content changed.
pub(super) fn stage_lock(
    site: &Path,
    registry: &Registry,
    fingerprints: &Fingerprinter,
    remote: &RemoteDocs,
    lock_dates: LockDates,
    dated: Vec<LockedPage>,
    warnings: &mut Vec<Warning>,
) -> (Option<StagedFile>, Vec<Changed>) {
    let (text, changed) = lock::compare(
        &registry.entries,
        |path| fingerprints.content_hash(path),
        remote,
        |wanted| lock_dates.read_among(site, wanted),
        &lock_dates,
        &dated,
    );
    drop(lock_dates);
    drop(dated);
    let staged = write::stage_replacement(&site.join(lock::LOCK_FILE), text.as_bytes())
        .map_err(|e| warnings.push(lock_not_written(e)))
        .ok();
    (staged, changed)
}

/// Put the lock staged by [`stage_lock`] in place, after the output.
/// Renaming a file just written in the same folder fails only if the folder
/// changed since; the output is replaced by now, so it is a warning even
/// under `--strict`.
pub(super) fn lock_in_place(staged: Option<StagedFile>, warnings: &mut Vec<Warning>) {
    if let Some(Err(e)) = staged.map(StagedFile::commit) {
        warnings.push(lock_not_written(e));
    }
}

/// The warning for a lock that cannot be written.
fn lock_not_written(e: std::io::Error) -> Warning {
    Warning::new(
        WarningKind::LockNotWritten,
        Location::file(lock::LOCK_FILE),
        format!("cannot write the lock file ({e}); the next build compares with the old one"),
    )
}

/// Save the build state, with `store` holding the PIDs' states.
pub(super) fn state(
    mut state: State,
    out: &Path,
    store: EntryStore,
    registry: &Registry,
    refs: &[EntryRef],
    warnings: &mut Vec<Warning>,
) {
    let keys = registry.entries.iter().map(|e| e.pid().key());
    if let Err(e) = state.save(out, store, keys.zip(refs)) {
        warnings.push(Warning::new(
            WarningKind::StateNotSaved,
            Location::file(cache::state_path(out)),
            format!(
                "cannot save the incremental build state ({e}); the next build will be a full one"
            ),
        ));
    }
}
