//! The browse pages: a static page (paginated like the home page) per
//! resource type, collection and decade, and `browse/` listing them. They
//! are how crawlers and visitors without JavaScript reach every PID, and
//! what the search page's facets link to.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::site_path::SitePath;
use crate::output::{ListItem, SearchRecord};

/// The facets with browse pages.
pub const BROWSED: [&str; 3] = ["type", "collection", "decade"];

/// One facet's values, as the browse and search pages list them.
#[derive(Debug, Clone, Serialize)]
pub struct FacetGroup {
    /// The facet (`type`, `collection`, `decade`).
    pub name: String,
    /// Its values, sorted.
    pub values: Vec<FacetValue>,
}

/// A value of a facet and its browse page.
#[derive(Debug, Clone, Serialize)]
pub struct FacetValue {
    /// The value as the PIDs give it.
    pub value: String,
    /// Root-relative URL of its browse page.
    pub url: String,
    /// How many PIDs have it.
    pub count: usize,
}

/// The PIDs of each browsed facet value, gathered from the summaries.
#[derive(Debug, Default)]
pub struct Browse {
    /// (facet index in [`BROWSED`], slug) -> value and its PIDs, in
    /// registry order.
    groups: BTreeMap<(usize, String), (String, Vec<ListItem>)>,
}

impl Browse {
    /// Add a PID's item under each of its browsed facet values. Withdrawn
    /// PIDs are left out: the search finds them when asked.
    pub fn add(&mut self, item: &ListItem, record: &SearchRecord) {
        if item.status == "withdrawn" {
            return;
        }
        for (name, value) in &record.facets {
            let Some(i) = BROWSED.iter().position(|f| f == name) else {
                continue;
            };
            // A type is named by its key and a decade by its year, the same
            // in every language (the value shown is the language's word).
            let named = match name.as_str() {
                "type" => record.kind_name.clone(),
                "decade" => record
                    .year
                    .as_ref()
                    .map_or_else(|| value.clone(), |y| format!("{}0s", &y[..3])),
                _ => value.clone(),
            };
            let group = self
                .groups
                .entry((i, slug(&named)))
                .or_insert_with(|| (value.clone(), Vec::new()));
            group.1.push(item.clone());
        }
    }

    /// The facets and their values, with the URL of each value's page made
    /// by `url` from its site path.
    pub fn facets(&self, url: impl Fn(&SitePath) -> String) -> Vec<FacetGroup> {
        BROWSED
            .iter()
            .enumerate()
            .map(|(i, name)| FacetGroup {
                name: name.to_string(),
                values: self
                    .groups
                    .iter()
                    .filter(|((f, _), _)| *f == i)
                    .map(|((_, s), (value, items))| FacetValue {
                        value: value.clone(),
                        url: url(&value_path(name, s, 1)),
                        count: items.len(),
                    })
                    .collect(),
            })
            .filter(|g| !g.values.is_empty())
            .collect()
    }

    /// Each value's pages: facet, value, the page's path by number, and
    /// its PIDs.
    pub fn pages(self) -> impl Iterator<Item = (&'static str, String, String, Vec<ListItem>)> {
        self.groups
            .into_iter()
            .map(|((i, slug), (value, items))| (BROWSED[i], slug, value, items))
    }
}

/// The path of page `n` of a facet value's browse pages.
pub fn value_path(facet: &str, slug: &str, n: usize) -> SitePath {
    let page = n.to_string();
    let mut segments = vec!["browse", facet, slug];
    if n > 1 {
        segments.extend(["page", &page]);
    }
    SitePath::folder(segments)
}

/// A value as a path segment: lower-case letters and digits, runs of
/// anything else one hyphen.
fn slug(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "other".into()
    } else {
        out.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_path_safe() {
        assert_eq!(slug("Rijksmuseum / Prints"), "rijksmuseum-prints");
        assert_eq!(slug("1850s"), "1850s");
        assert_eq!(slug("Œuvres d'Été"), "œuvres-d-été");
        assert_eq!(slug("../"), "other");
    }
}
