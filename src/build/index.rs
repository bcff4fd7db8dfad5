//! What pass 2 needs from pass 1: the index of IIIF ids to PID pages, with
//! which collection and annotation pages link to other PIDs' pages, and
//! the titles annotation pages are titled by. Made after pass 1, from every
//! PID's outcome, and handed to the renderer by value.

use std::collections::HashSet;

use super::plan::Outcome;
use crate::cache::entry_store::{EntryStore, Hash};
use crate::config::SiteConfig;
use crate::error::Result;
use crate::load::registry::Registry;
use crate::render::PidIndex;

/// The index, and its hash (kept in the build state: pages that link to
/// other PIDs' pages are kept only while it is unchanged).
pub(super) struct Index {
    /// What the renderer gets.
    pub(super) pages: PidIndex,
    /// The hash of it (see [`index_hash`]).
    pub(super) hash: Hash,
}

impl Index {
    /// The index of every PID indexed by an IIIF id (see `PidJob`), in
    /// registry order, with the titles of the manifests annotation pages
    /// name.
    pub(super) fn after_first_pass(
        registry: &Registry,
        outcomes: &[Outcome],
        config: &SiteConfig,
        store: &EntryStore,
    ) -> Result<Index> {
        let index: Vec<(String, String)> = registry
            .entries
            .iter()
            .zip(outcomes)
            .filter_map(|(entry, o)| {
                let id = o.iiif_id()?;
                Some((
                    id.to_string(),
                    config.path(entry.pid().landing_path().as_str()),
                ))
            })
            .collect();
        let titles = annotated_titles(outcomes, store)?;
        let hash = index_hash(&index, &titles);
        Ok(Index {
            pages: PidIndex {
                pages: index.into_iter().collect(),
                titles: titles.into_iter().collect(),
            },
            hash,
        })
    }
}

/// The titles of the PID pages of the manifests that annotation pages
/// name, by IIIF id: what those pages are titled by. Only these are read
/// (back from the store, where pass 1 put each rendered or kept PID's
/// state), so a large site's index does not hold every title. They go into
/// the index hash: an annotation page is rendered again when the title of a
/// manifest it names changes.
fn annotated_titles(outcomes: &[Outcome], store: &EntryStore) -> Result<Vec<(String, String)>> {
    let wanted: HashSet<&str> = outcomes
        .iter()
        .flat_map(|o| o.annotates())
        .map(String::as_str)
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut titles = Vec::new();
    for outcome in outcomes {
        let Outcome::Done(done) = outcome else {
            continue;
        };
        let Some(id) = done.iiif_id.as_deref().filter(|id| wanted.contains(id)) else {
            continue;
        };
        if let Some(item) = store.get(done.at, done.len)?.summary.item {
            titles.push((id.to_string(), item.title));
        }
    }
    Ok(titles)
}

/// The hash of the IIIF id -> PID page index and of the titles of the
/// manifests annotation pages name, independent of order.
fn index_hash(index: &[(String, String)], titles: &[(String, String)]) -> Hash {
    let mut h = blake3::Hasher::new();
    for (part, pairs) in [(&b"pages\n"[..], index), (&b"titles\n"[..], titles)] {
        let mut sorted: Vec<_> = pairs.iter().collect();
        sorted.sort();
        h.update(part);
        for (id, value) in sorted {
            h.update(id.as_bytes());
            h.update(b"\0");
            h.update(value.as_bytes());
            h.update(b"\n");
        }
    }
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_hash_ignores_order() {
        let a = vec![("x".into(), "/a/".into()), ("y".into(), "/b/".into())];
        let b = vec![("y".into(), "/b/".into()), ("x".into(), "/a/".into())];
        assert_eq!(index_hash(&a, &[]), index_hash(&b, &[]));
        let c = vec![("y".into(), "/c/".into()), ("x".into(), "/a/".into())];
        assert_ne!(index_hash(&a, &[]), index_hash(&c, &[]));
        // A manifest's title is part of it: annotation pages are titled by it.
        let t = vec![("x".into(), "A book".into())];
        let u = vec![("x".into(), "Another book".into())];
        assert_ne!(index_hash(&a, &t), index_hash(&a, &u));
        assert_ne!(index_hash(&a, &t), index_hash(&a, &[]));
    }
}
