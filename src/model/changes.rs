//! What changed between two versions of a PID, for the version history
//! table: images added or removed, metadata fields added, removed or
//! changed, title, summary and rights. The render stage says them in the
//! site's language (`[changes]` in the translation tables).

use std::collections::{HashMap, HashSet};

use crate::model::record::Record;
use crate::model::resource::{Resource, ResourceKind};
use crate::model::rights::rights_name;

/// One change from a version to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The registry row's citation details (title, creator…) changed.
    Registry,
    /// The IIIF resource is of another kind.
    Kind {
        /// What it was.
        was: ResourceKind,
        /// What it is now.
        now: ResourceKind,
    },
    /// The title changed.
    Title,
    /// Every image is new: a new imaging run.
    ImagesReplaced {
        /// Images before.
        before: usize,
        /// Images after.
        after: usize,
    },
    /// Images added.
    ImagesAdded(usize),
    /// Images removed.
    ImagesRemoved(usize),
    /// As many images under the same ids, but more or fewer canvases.
    ImageCount {
        /// Images before.
        before: usize,
        /// Images after.
        after: usize,
    },
    /// The same images in another order.
    ImagesReordered,
    /// Metadata fields added, by their labels (joined with ", ").
    MetadataAdded(String),
    /// Metadata fields removed.
    MetadataRemoved(String),
    /// Metadata fields whose values changed.
    MetadataChanged(String),
    /// The summary changed.
    Summary,
    /// The rights statement changed; each named as people know it (CC BY
    /// 4.0), `None` for none.
    Rights {
        /// The rights before.
        from: Option<String>,
        /// The rights after.
        to: Option<String>,
    },
    /// A collection has more or fewer members.
    Members {
        /// Members before.
        before: usize,
        /// Members after.
        after: usize,
    },
}

/// The changes from `before` to `after` (each a registry row and the
/// resource it names, when it could be read), most significant first.
pub fn changes(
    before: (&Record, Option<&Resource>),
    after: (&Record, Option<&Resource>),
) -> Vec<Change> {
    let mut out = Vec::new();
    if before.0.overrides() != after.0.overrides() {
        out.push(Change::Registry);
    }
    let (Some(b), Some(a)) = (before.1, after.1) else {
        return out;
    };
    if b.kind != a.kind {
        out.push(Change::Kind {
            was: b.kind,
            now: a.kind,
        });
    }
    if b.label.as_ref().map(|t| &t.value) != a.label.as_ref().map(|t| &t.value) {
        out.push(Change::Title);
    }
    out.extend(image_changes(b, a));
    out.extend(metadata_changes(b, a));
    if b.summary.as_ref().map(|s| &s.text) != a.summary.as_ref().map(|s| &s.text) {
        out.push(Change::Summary);
    }
    if b.rights != a.rights {
        let name = |r: &Option<String>| {
            r.as_deref()
                .map(|uri| rights_name(uri).unwrap_or_else(|| uri.to_string()))
        };
        out.push(Change::Rights {
            from: name(&b.rights),
            to: name(&a.rights),
        });
    }
    if b.members.len() != a.members.len() {
        out.push(Change::Members {
            before: b.members.len(),
            after: a.members.len(),
        });
    }
    out
}

/// Images added and removed, by canvas id; when every id changed (a new
/// imaging run), the images were replaced.
fn image_changes(b: &Resource, a: &Resource) -> Vec<Change> {
    let before: HashSet<&str> = b.canvases.iter().map(|c| c.id.as_str()).collect();
    let after: HashSet<&str> = a.canvases.iter().map(|c| c.id.as_str()).collect();
    let added = after.difference(&before).count();
    let removed = before.difference(&after).count();
    let mut out = Vec::new();
    if !before.is_empty() && !after.is_empty() && before.is_disjoint(&after) {
        out.push(Change::ImagesReplaced {
            before: b.canvas_count,
            after: a.canvas_count,
        });
        return out;
    }
    if added > 0 {
        out.push(Change::ImagesAdded(added));
    }
    if removed > 0 {
        out.push(Change::ImagesRemoved(removed));
    }
    if added == 0 && removed == 0 && b.canvas_count != a.canvas_count {
        out.push(Change::ImageCount {
            before: b.canvas_count,
            after: a.canvas_count,
        });
    } else if added == 0 && removed == 0 {
        let order = |r: &Resource| r.canvases.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        if order(b) != order(a) {
            out.push(Change::ImagesReordered);
        }
    }
    out
}

/// Metadata fields added, removed or changed, named by their labels.
fn metadata_changes(b: &Resource, a: &Resource) -> Vec<Change> {
    let fields = |r: &Resource| -> HashMap<String, (String, String)> {
        let mut map = HashMap::new();
        for m in &r.metadata {
            let entry = map
                .entry(m.label.value.to_lowercase())
                .or_insert_with(|| (m.label.value.clone(), String::new()));
            entry.1.push_str(&m.value.text);
            entry.1.push('\n');
        }
        map
    };
    let (before, after) = (fields(b), fields(a));
    let names = |pick: &dyn Fn(&String) -> bool, from: &HashMap<String, (String, String)>| {
        let mut names: Vec<&str> = from
            .iter()
            .filter(|(k, _)| pick(k))
            .map(|(_, (label, _))| label.as_str())
            .collect();
        names.sort_unstable();
        names.join(", ")
    };
    let added = names(&|k| !before.contains_key(k), &after);
    let removed = names(&|k| !after.contains_key(k), &before);
    let changed = names(
        &|k| before.get(k).is_some_and(|(_, v)| after[k].1 != *v),
        &after,
    );
    [
        (added, Change::MetadataAdded as fn(String) -> Change),
        (removed, Change::MetadataRemoved),
        (changed, Change::MetadataChanged),
    ]
    .into_iter()
    .filter(|(list, _)| !list.is_empty())
    .map(|(list, change)| change(list))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::iiif::parse;

    fn manifest(canvases: &[&str], meta: &[(&str, &str)], rights: Option<&str>) -> Resource {
        let items: Vec<_> = canvases
            .iter()
            .map(|id| serde_json::json!({"id": id, "type": "Canvas", "label": {"none": [id]}}))
            .collect();
        let metadata: Vec<_> = meta
            .iter()
            .map(|(l, v)| serde_json::json!({"label": {"en": [l]}, "value": {"en": [v]}}))
            .collect();
        let mut doc = serde_json::json!({
            "@context": "http://iiif.io/api/presentation/3/context.json",
            "id": "https://example.org/m", "type": "Manifest",
            "label": {"en": ["A"]}, "items": items, "metadata": metadata,
        });
        if let Some(r) = rights {
            doc["rights"] = r.into();
        }
        parse(doc.to_string().as_bytes(), &["en".to_string()]).unwrap()
    }

    fn row() -> Record {
        crate::load::registry::parse_str(
            "pid,target\nark:/99999/fk4x,https://example.org/m\n",
            std::path::Path::new("."),
        )
        .unwrap()
        .entries
        .remove(0)
        .versions
        .remove(0)
    }

    #[test]
    fn names_images_added_and_metadata_changed() {
        let r = row();
        let b = manifest(
            &["c1", "c2"],
            &[("Date", "1880"), ("Shelfmark", "A 1")],
            None,
        );
        let a = manifest(
            &["c1", "c2", "c3"],
            &[("Date", "1882"), ("Creator", "X")],
            Some("http://creativecommons.org/licenses/by/4.0/"),
        );
        let c = changes((&r, Some(&b)), (&r, Some(&a)));
        assert_eq!(
            c,
            [
                Change::ImagesAdded(1),
                Change::MetadataAdded("Creator".into()),
                Change::MetadataRemoved("Shelfmark".into()),
                Change::MetadataChanged("Date".into()),
                Change::Rights {
                    from: None,
                    to: Some("CC BY 4.0".into())
                },
            ]
        );
    }

    #[test]
    fn a_new_imaging_run_replaces_the_images() {
        let r = row();
        let b = manifest(&["c1", "c2"], &[], None);
        let a = manifest(&["n1", "n2", "n3"], &[], None);
        assert_eq!(
            changes((&r, Some(&b)), (&r, Some(&a))),
            [Change::ImagesReplaced {
                before: 2,
                after: 3
            }]
        );
        assert!(changes((&r, Some(&b)), (&r, Some(&b))).is_empty());
    }
}
