//! The IIIF Change Discovery activities of one PID (Create, Update,
//! Delete), which the site-wide pass gathers into the activity streams.

use super::feeds::{instant_of_date, Activity, ActivityObject};
use super::{Loaded, Renderer};
use crate::lock::Dates;
use crate::model::record::{Entry, Record};
use crate::model::resource::ResourceKind;
use crate::model::site_path::SitePath;

/// One PID's versions as its activities need them.
struct History<'h> {
    renderer: &'h Renderer<'h>,
    entry: &'h Entry,
    loaded: &'h [Loaded],
    dates: &'h [Option<Dates>],
    /// When its target's content last changed (RFC 3339).
    modified: Option<&'h str>,
}

impl History<'_> {
    /// What an activity of version `i`'s document (published at `folder`)
    /// is about: only manifests and collections, the site's copy or the
    /// remote document.
    fn object(&self, i: usize, folder: &SitePath) -> Option<ActivityObject> {
        let r = self.loaded[i].resource.as_ref()?;
        let kind = match r.kind {
            ResourceKind::Manifest => "Manifest",
            ResourceKind::Collection => "Collection",
            _ => return None,
        };
        let config = self.renderer.config;
        let loaded = &self.loaded[i];
        let id = match &loaded.document {
            Some(_) => config.url(folder.file(crate::output::file::MANIFEST).as_str()),
            None => loaded.link(&self.entry.versions[i])?.to_string(),
        };
        Some(ActivityObject {
            id,
            kind: kind.to_string(),
            see_also: config.url(folder.as_str()),
        })
    }

    /// When version `i` was published: its registry date, else the lock's,
    /// else when the content last changed, else now.
    fn when(&self, i: usize) -> String {
        self.entry.versions[i]
            .details()
            .version_date
            .as_deref()
            .and_then(instant_of_date)
            .or_else(|| self.dates[i].map(|d| crate::lock::instant(d.published)))
            .unwrap_or_else(|| {
                self.modified
                    .unwrap_or(&self.renderer.time.instant)
                    .to_string()
            })
    }

    /// When record `r` (version `i`) was withdrawn.
    fn withdrawal(&self, r: &Record, i: usize) -> Option<String> {
        self.renderer.withdrawal(r, self.dates[i])
    }

    /// When the PID (its current record) was withdrawn.
    fn pid_withdrawal(&self) -> Option<String> {
        self.withdrawal(self.entry.current(), self.entry.current_index())
    }

    /// The activities of the site's copy (or the remote document): a Create
    /// at the first version, an Update at each later one and at the
    /// content's last change, a Delete when withdrawn.
    fn of_pid(&self, out: &mut Vec<Activity>) {
        let newest = self.entry.current_index();
        let path = self.entry.current().pid.landing_path();
        let Some(object) = self.object(newest, &path) else {
            return;
        };
        for i in 0..self.entry.versions.len() {
            out.push(Activity {
                kind: if i == 0 { "Create" } else { "Update" }.into(),
                object: object.clone(),
                end_time: self.when(i),
            });
        }
        if let Some(m) = self.modified.filter(|m| *m > self.when(newest).as_str()) {
            out.push(Activity {
                kind: "Update".into(),
                object: object.clone(),
                end_time: m.to_string(),
            });
        }
        if let Some(gone) = self.pid_withdrawal() {
            // What has no date of its own happened before the withdrawal.
            for a in out.iter_mut() {
                if a.end_time > gone {
                    a.end_time = gone.clone();
                }
            }
            out.push(Activity {
                kind: "Delete".into(),
                object,
                end_time: gone,
            });
        }
    }

    /// The activities of each version's own copy (`v1/`…): a Create, and a
    /// Delete when the PID or that version is withdrawn.
    fn of_versions(&self, out: &mut Vec<Activity>) {
        for i in 0..self.entry.versions.len() {
            let Some(object) = self.object(i, &self.entry.version_path(i)) else {
                continue;
            };
            // A withdrawn PID's versions go with it; an active PID may
            // have withdrawn one version.
            let gone = self
                .pid_withdrawal()
                .or_else(|| self.withdrawal(&self.entry.versions[i], i));
            let created = self.when(i);
            let created = match &gone {
                Some(gone) if created > *gone => gone.clone(),
                _ => created,
            };
            out.push(Activity {
                kind: "Create".into(),
                object: object.clone(),
                end_time: created,
            });
            if let Some(gone) = gone {
                out.push(Activity {
                    kind: "Delete".into(),
                    object,
                    end_time: gone,
                });
            }
        }
    }
}

impl Renderer<'_> {
    /// The Change Discovery activities of a PID's IIIF resource: for the
    /// site's copy (or the remote document) a Create at its first version,
    /// an Update at each later one and at its content's last change,
    /// a Delete when withdrawn; for each version's own copy (`v1/`…), a
    /// Create, and a Delete when the PID (or that version) is withdrawn.
    /// Only manifests and collections are announced. What the registry
    /// does not date is dated by the lock's `dates`.
    pub(super) fn activities(
        &self,
        entry: &Entry,
        loaded: &[Loaded],
        dates: &[Option<Dates>],
        modified: Option<&str>,
    ) -> Vec<Activity> {
        let history = History {
            renderer: self,
            entry,
            loaded,
            dates,
            modified,
        };
        let mut out = Vec::new();
        history.of_pid(&mut out);
        if entry.is_versioned() {
            history.of_versions(&mut out);
        }
        out
    }
}
