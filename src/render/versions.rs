//! The pages of a PID with several versions: the history table every page
//! of it shows, each version's own page (`v1/`, `v2/`…), and the stubs that
//! send a withdrawn PID's version addresses to its tombstone.

use super::context::{HistoryContext, VersionRow};
use super::{LandingSpec, Loaded, Renderer, Summary};
use crate::error::Result;
use crate::load::pages::Note;
use crate::lock::Dates;
use crate::model::changes::{changes, Change};
use crate::model::record::{Entry, Status};
use crate::output::{Output, Redirect};

impl Renderer<'_> {
    /// Where version `i` of a withdrawn PID was: a stub to the PID's
    /// tombstone, the one record of what the PID was (its version history
    /// included), listed in `pids.csv` as withdrawn. Hosts that answer with
    /// real status codes answer it 410 Gone with the tombstone as the body.
    pub(super) fn withdrawn_version(
        &self,
        entry: &Entry,
        i: usize,
        summary: &mut Summary,
    ) -> Result<Output> {
        let pid = entry.pid();
        let (path, tombstone) = (entry.version_path(i), pid.landing_path());
        summary.stubs += 1;
        summary.redirects.push(Redirect {
            from: self.config.path(path.as_str()),
            to: self.config.path(tombstone.as_str()),
            status: 410,
        });
        summary.rows.push([
            pid.label(),
            self.config.url(path.as_str()),
            Status::Withdrawn.name().into(),
        ]);
        self.redirect(&pid.label(), path, &tombstone)
    }

    /// The version history table of a PID with several versions.
    pub(super) fn version_rows(&self, entry: &Entry, loaded: &[Loaded]) -> Vec<VersionRow> {
        let current = entry.current_index();
        entry
            .versions
            .iter()
            .enumerate()
            .map(|(i, row)| VersionRow {
                label: row.details().version.clone().unwrap_or_default(),
                url: self.config.path(entry.version_path(i).as_str()),
                date: row.details().version_date.clone(),
                note: row.details().version_note.clone(),
                changes: match i {
                    0 => Vec::new(),
                    _ => changes(
                        (&entry.versions[i - 1], loaded[i - 1].resource.as_ref()),
                        (row, loaded[i].resource.as_ref()),
                    )
                    .iter()
                    .map(|c| self.change_words(c))
                    .collect(),
                },
                current: i == current,
                shown: false,
            })
            .collect()
    }

    /// A change between versions as the history table says it, in the
    /// site's language.
    fn change_words(&self, change: &Change) -> String {
        let s = self.strings();
        let from_to = |key: &str, before: usize, after: usize| {
            s.fill(
                key,
                None,
                &[
                    ("before", &before.to_string()),
                    ("after", &after.to_string()),
                ],
            )
        };
        match change {
            Change::Registry => s.text("changes.registry"),
            Change::Kind { was, now } => s.fill(
                "changes.kind",
                None,
                &[
                    ("was", &s.text(&format!("kind_text.{}", was.key()))),
                    ("now", &s.text(&format!("kind_text.{}", now.key()))),
                ],
            ),
            Change::Title => s.text("changes.title"),
            Change::ImagesReplaced { before, after } => {
                from_to("changes.images_replaced", *before, *after)
            }
            Change::ImagesAdded(n) => s.fill("changes.images_added", Some(*n as u64), &[]),
            Change::ImagesRemoved(n) => s.fill("changes.images_removed", Some(*n as u64), &[]),
            Change::ImageCount { before, after } => from_to("changes.images", *before, *after),
            Change::ImagesReordered => s.text("changes.images_reordered"),
            Change::MetadataAdded(f) => s.fill("changes.metadata_added", None, &[("fields", f)]),
            Change::MetadataRemoved(f) => {
                s.fill("changes.metadata_removed", None, &[("fields", f)])
            }
            Change::MetadataChanged(f) => {
                s.fill("changes.metadata_changed", None, &[("fields", f)])
            }
            Change::Summary => s.text("changes.summary"),
            Change::Rights { from, to } => {
                let none = s.text("changes.rights_none");
                s.fill(
                    "changes.rights",
                    None,
                    &[
                        ("from", from.as_deref().unwrap_or(&none)),
                        ("to", to.as_deref().unwrap_or(&none)),
                    ],
                )
            }
            Change::Members { before, after } => from_to("changes.members", *before, *after),
        }
    }

    /// Each version's own page (`v1/`, `v2/`…) of an active PID, with its own
    /// viewer, manifest copy and citations that point at it, listed in the
    /// summary.
    pub(super) fn version_pages(
        &self,
        entry: &Entry,
        loaded: &[Loaded],
        dates: &[Option<Dates>],
        note: Option<&Note>,
        rows: Vec<VersionRow>,
        summary: &mut Summary,
    ) -> Result<Vec<Output>> {
        let current = entry.current();
        let pid_path = current.pid.landing_path();
        let latest_citation = {
            let cite_url = current
                .pid
                .resolver_url(&self.config.resolvers)
                .unwrap_or_else(|| self.config.url(pid_path.as_str()));
            let citation = self.citation(
                current,
                loaded
                    .get(entry.current_index())
                    .and_then(|l| l.resource.as_ref()),
                cite_url,
            );
            self.styles()
                .format_one(&citation.csl_json(), &self.config.default_style)
                .map(Into::into)
        };
        let mut outputs = Vec::new();
        for (i, row) in entry.versions.iter().enumerate() {
            let path = entry.version_path(i);
            if matches!(row.status, Status::Moved | Status::Reserved) {
                // Not a version with a page of its own: its address goes to
                // the PID's page.
                outputs.push(self.stub(summary, &current.pid.label(), path, &pid_path)?);
                continue;
            }
            let url = self.config.url(path.as_str());
            let mut history =
                HistoryContext::new(false, i, self.config.path(pid_path.as_str()), &rows);
            history.latest_citation = latest_citation.clone();
            let spec = LandingSpec {
                record: row,
                loaded: &loaded[i],
                dates: dates[i],
                note,
                path: path.clone(),
                cite_url: Some(url.clone()),
                history: Some(history),
                aliases: Vec::new(),
            };
            let landed = self.landing(&spec)?;
            let linkset = landed.linkset;
            outputs.extend(landed.outputs);
            // Each version page is a landing page of its own: the site-wide
            // linkset lists it too.
            summary
                .linksets
                .extend(crate::output::JsonText::of(&linkset));
            summary.pages += 1;
            // One withdrawn version of an active PID: its own tombstone.
            let status = if row.status == Status::Withdrawn {
                let here = self.config.path(path.as_str());
                summary.redirects.push(Redirect {
                    from: here.clone(),
                    to: here,
                    status: 410,
                });
                Status::Withdrawn.name()
            } else {
                "version"
            };
            summary.rows.push([current.pid.label(), url, status.into()]);
        }
        Ok(outputs)
    }
}
