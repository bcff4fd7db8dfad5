//! Site-wide files for harvesters: the sitemap (with `lastmod` and the image
//! extension; a sitemap index past 50,000 URLs), an Atom feed of new and
//! changed PIDs, and the IIIF Change Discovery API 1.0 stream (an
//! Activity Streams OrderedCollection of Create/Update/Delete pages).

use std::fmt::Write as _;

use serde::Serialize;

use crate::load::html::escape;

/// URLs per sitemap file (the protocol's limit).
pub const SITEMAP_LIMIT: usize = 50_000;

/// Activities per Change Discovery page.
pub const ACTIVITIES_PER_PAGE: usize = 1_000;

/// Entries in the Atom feed.
pub const FEED_ENTRIES: usize = 50;

pub use crate::output::{Activity, ActivityObject};

/// `2024-09-30` (or a full RFC 3339 time) as an RFC 3339 instant; `None`
/// for anything else.
pub fn instant_of_date(date: &str) -> Option<String> {
    let d = date.trim();
    if let Ok(t) = d.parse::<jiff::Timestamp>() {
        return Some(crate::clock::BuildTime::at(t).instant);
    }
    // A date alone (jiff would also take the date of a datetime: the
    // timestamp above has had its chance).
    d.parse::<jiff::civil::Date>()
        .ok()
        .map(|day| format!("{day}T00:00:00Z"))
}

/// One URL of the sitemap.
pub struct SitemapUrl<'a> {
    /// Absolute URL.
    pub loc: &'a str,
    /// Last modified (RFC 3339; written as its date).
    pub lastmod: Option<&'a str>,
    /// An image shown on the page.
    pub image: Option<&'a str>,
}

/// A `<urlset>` around URL entries.
const URLSET_START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n";

/// The sitemap file of the `<url>` entries in `xml` (which starts with
/// [`URLSET_START`], unless it has none), taken from it: closed where it
/// was filled rather than copied, which held a second copy of 50,000
/// URLs (~20 MB) at the peak of a large build.
fn urlset(xml: &mut String) -> String {
    if xml.is_empty() {
        xml.push_str(URLSET_START);
    }
    xml.push_str("</urlset>\n");
    std::mem::take(xml)
}

fn url_entry(xml: &mut String, u: &SitemapUrl<'_>) {
    let _ = write!(xml, "  <url><loc>{}</loc>", escape(u.loc));
    if let Some(m) = u.lastmod {
        let _ = write!(
            xml,
            "<lastmod>{}</lastmod>",
            escape(m.get(..10).unwrap_or(m))
        );
    }
    if let Some(i) = u.image {
        let _ = write!(
            xml,
            "<image:image><image:loc>{}</image:loc></image:image>",
            escape(i)
        );
    }
    xml.push_str("</url>\n");
}

/// The sitemap files, made as the URLs come: `sitemap.xml` alone, or past
/// [`SITEMAP_LIMIT`] URLs `sitemap.xml` as an index of `sitemap-1.xml`,
/// `sitemap-2.xml`…, each written as soon as it is full.
#[derive(Default)]
pub struct Sitemaps {
    /// The file being filled: its start and its URLs (empty before the
    /// first).
    urls: String,
    count: usize,
    /// Its latest `lastmod`.
    lastmod: Option<String>,
    /// The files written: name and latest `lastmod`.
    written: Vec<(String, Option<String>)>,
}

impl Sitemaps {
    /// Add a URL; returns a file (name, XML) when one is full.
    pub fn add(&mut self, url: &SitemapUrl<'_>) -> Option<(String, String)> {
        // A full file is written only once another URL comes: until then
        // it may be the site's only sitemap.
        let full = (self.count == SITEMAP_LIMIT).then(|| self.next_file());
        if self.urls.is_empty() {
            self.urls.push_str(URLSET_START);
        }
        url_entry(&mut self.urls, url);
        self.count += 1;
        if let Some(m) = url.lastmod {
            if self.lastmod.as_deref().is_none_or(|l| l < m) {
                self.lastmod = Some(m.to_string());
            }
        }
        full
    }

    /// The files not yet written, with `sitemap.xml` last. `url_of` makes
    /// a site file's absolute URL.
    pub fn finish(mut self, url_of: impl Fn(&str) -> String) -> Vec<(String, String)> {
        if self.written.is_empty() {
            return vec![("sitemap.xml".into(), urlset(&mut self.urls))];
        }
        let last = self.next_file();
        let mut index = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (name, lastmod) in &self.written {
            let _ = write!(index, "  <sitemap><loc>{}</loc>", escape(&url_of(name)));
            if let Some(m) = lastmod {
                let _ = write!(
                    index,
                    "<lastmod>{}</lastmod>",
                    escape(m.get(..10).unwrap_or(m))
                );
            }
            index.push_str("</sitemap>\n");
        }
        index.push_str("</sitemapindex>\n");
        vec![last, ("sitemap.xml".into(), index)]
    }

    /// The file being filled, as `sitemap-N.xml`; starts the next.
    fn next_file(&mut self) -> (String, String) {
        let name = format!("sitemap-{}.xml", self.written.len() + 1);
        let xml = urlset(&mut self.urls);
        self.written.push((name.clone(), self.lastmod.take()));
        self.count = 0;
        (name, xml)
    }
}

/// One entry of the Atom feed.
pub struct FeedEntry {
    /// Title.
    pub title: String,
    /// The PID, as written.
    pub pid: String,
    /// Absolute landing URL.
    pub url: String,
    /// When it last changed (RFC 3339).
    pub updated: String,
    /// Its type and status, as a summary line.
    pub summary: String,
}

/// Keep only the [`FEED_ENTRIES`] newest entries, newest first.
pub fn newest(entries: &mut Vec<FeedEntry>) {
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.url.cmp(&b.url)));
    entries.truncate(FEED_ENTRIES);
}

/// The site as a feed.
pub struct FeedSite<'a> {
    /// Title.
    pub title: &'a str,
    /// Home page URL.
    pub url: &'a str,
    /// The feed's own URL.
    pub self_url: &'a str,
    /// Author (the publisher), if any.
    pub author: &'a str,
    /// When the feed was written, used when it has no entries.
    pub now: &'a str,
}

/// An Atom feed of the [`FEED_ENTRIES`] most recently changed PIDs.
pub fn atom(site: &FeedSite<'_>, entries: &mut Vec<FeedEntry>) -> String {
    newest(entries);
    let updated = entries.first().map_or(site.now, |e| &e.updated);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(x, "  <title>{}</title>", escape(site.title));
    let _ = writeln!(x, "  <id>{}</id>", escape(site.url));
    let _ = writeln!(x, "  <link href=\"{}\"/>", escape(site.url));
    let _ = writeln!(
        x,
        "  <link rel=\"self\" href=\"{}\"/>",
        escape(site.self_url)
    );
    let _ = writeln!(x, "  <updated>{}</updated>", escape(updated));
    let author = if site.author.is_empty() {
        site.title
    } else {
        site.author
    };
    let _ = writeln!(x, "  <author><name>{}</name></author>", escape(author));
    let _ = writeln!(
        x,
        "  <generator uri=\"https://github.com/pidsite/pidsite\">pidsite</generator>"
    );
    for e in entries.iter() {
        let _ = writeln!(
            x,
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{}</updated>\n    <summary>{}</summary>\n  </entry>",
            escape(&e.title),
            escape(&e.url),
            escape(&e.url),
            escape(&e.updated),
            escape(&format!("{} — {}", e.pid, e.summary))
        );
    }
    x.push_str("</feed>\n");
    x
}

/// The Change Discovery stream: `activity/all-changes.json` and its pages
/// `activity/page-0.json`…, oldest activity first, each given to `each`
/// (site-relative file, JSON) as it is made: a million PIDs' pages held
/// at once were ~250 MB. `url_of` makes a site file's absolute URL.
pub fn change_discovery<E>(
    activities: &mut [KeptActivity],
    url_of: impl Fn(&str) -> String,
    mut each: impl FnMut(String, String) -> Result<(), E>,
) -> Result<(), E> {
    activities.sort_by(|a, b| {
        a.end_time()
            .cmp(b.end_time())
            .then(a.object_id().cmp(b.object_id()))
    });
    let pages: Vec<&[KeptActivity]> = if activities.is_empty() {
        vec![&[]]
    } else {
        activities.chunks(ACTIVITIES_PER_PAGE).collect()
    };
    let page_url = |n: usize| url_of(&format!("activity/page-{n}.json"));
    let collection_url = url_of("activity/all-changes.json");
    let collection = Collection {
        context: DISCOVERY_CONTEXT,
        id: &collection_url,
        kind: "OrderedCollection",
        total_items: activities.len(),
        first: Ref::page(page_url(0)),
        last: Ref::page(page_url(pages.len() - 1)),
    };
    each(
        "activity/all-changes.json".to_string(),
        json_document(&collection),
    )?;
    for (n, chunk) in pages.iter().enumerate() {
        let page = Page {
            context: DISCOVERY_CONTEXT,
            id: page_url(n),
            kind: "OrderedCollectionPage",
            start_index: n * ACTIVITIES_PER_PAGE,
            part_of: Ref {
                id: collection_url.clone(),
                kind: "OrderedCollection",
            },
            ordered_items: chunk.iter().map(Item::of).collect(),
            prev: (n > 0).then(|| Ref::page(page_url(n - 1))),
            next: (n + 1 < pages.len()).then(|| Ref::page(page_url(n + 1))),
        };
        each(format!("activity/page-{n}.json"), json_document(&page))?;
    }
    Ok(())
}

/// [`change_discovery`]'s files, for tests.
#[cfg(test)]
fn discovery_files(activities: &mut [KeptActivity]) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let url_of = |f: &str| format!("https://e.org/{f}");
    change_discovery(activities, url_of, |file, json| {
        files.push((file, json));
        Ok::<(), ()>(())
    })
    .unwrap();
    files
}

/// A Change Discovery document as pidsite writes it: compact (harvesters
/// need no layout; issue 22), ending in a newline.
fn json_document(doc: &impl Serialize) -> String {
    serde_json::to_string(doc).expect("plain structs serialise") + "\n"
}

const DISCOVERY_CONTEXT: &str = "http://iiif.io/api/discovery/1/context.json";

// The Change Discovery documents, serialised as they are declared (field
// order is the documents' key order): building them as `json!` values
// was most of the time a rebuild spent on them.

/// `{"id", "type"}`.
#[derive(Serialize)]
struct Ref {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

impl Ref {
    fn page(id: String) -> Self {
        Ref {
            id,
            kind: "OrderedCollectionPage",
        }
    }
}

#[derive(Serialize)]
struct Collection<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "totalItems")]
    total_items: usize,
    first: Ref,
    last: Ref,
}

#[derive(Serialize)]
struct Page<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "startIndex")]
    start_index: usize,
    #[serde(rename = "partOf")]
    part_of: Ref,
    #[serde(rename = "orderedItems")]
    ordered_items: Vec<Item<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<Ref>,
}

#[derive(Serialize)]
struct Item<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    object: Object<'a>,
    #[serde(rename = "endTime")]
    end_time: &'a str,
}

impl<'a> Item<'a> {
    fn of(a: &'a KeptActivity) -> Self {
        Item {
            kind: a.part(2),
            object: Object {
                id: a.object_id(),
                kind: a.part(3),
                see_also: [SeeAlso {
                    id: a.part(4),
                    kind: "Text",
                    format: "text/html",
                }],
            },
            end_time: a.end_time(),
        }
    }
}

/// A Change Discovery activity as the site-wide pass keeps it until it can
/// order them all: its five strings (end time, object id, kind, object
/// kind, landing page) in one, where each [`Activity`] held five strings
/// and their 120 bytes of headers: ~300 bytes an activity, at 100,000
/// PIDs a tenth of the site-wide pass's peak memory.
pub struct KeptActivity {
    text: Box<str>,
    /// Where each part but the last ends in `text`.
    ends: [u32; 4],
}

impl KeptActivity {
    /// `a`, kept.
    pub fn new(a: &Activity) -> Self {
        let parts = [
            &a.end_time,
            &a.object.id,
            &a.kind,
            &a.object.kind,
            &a.object.see_also,
        ];
        let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        let mut ends = [0; 4];
        for (i, part) in parts.iter().enumerate() {
            text.push_str(part);
            if let Some(end) = ends.get_mut(i) {
                *end = u32::try_from(text.len()).expect("an activity under 4 GB");
            }
        }
        KeptActivity {
            text: text.into_boxed_str(),
            ends,
        }
    }

    fn part(&self, i: usize) -> &str {
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize,
        };
        let end = self.ends.get(i).map_or(self.text.len(), |&e| e as usize);
        &self.text[start..end]
    }

    fn end_time(&self) -> &str {
        self.part(0)
    }

    fn object_id(&self) -> &str {
        self.part(1)
    }
}

#[derive(Serialize)]
struct Object<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(rename = "seeAlso")]
    see_also: [SeeAlso<'a>; 1],
}

#[derive(Serialize)]
struct SeeAlso<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    format: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_instants() {
        assert_eq!(
            instant_of_date("2024-09-30").as_deref(),
            Some("2024-09-30T00:00:00Z")
        );
        assert_eq!(
            instant_of_date("2024-09-30T10:00:00+02:00").as_deref(),
            Some("2024-09-30T08:00:00Z")
        );
        assert_eq!(instant_of_date("c. 1880"), None);
    }

    #[test]
    fn a_large_sitemap_becomes_an_index() {
        let url_of = |f: &str| format!("https://e.org/{f}");
        let url = |i: usize| format!("https://e.org/{i}/");
        let mut sitemaps = Sitemaps::default();
        let mut files = Vec::new();
        for i in 0..SITEMAP_LIMIT {
            let loc = url(i);
            let lastmod = if i == 7 {
                "2026-01-03T00:00:00Z"
            } else {
                "2026-01-02T00:00:00Z"
            };
            files.extend(sitemaps.add(&SitemapUrl {
                loc: &loc,
                lastmod: Some(lastmod),
                image: None,
            }));
        }
        // Exactly full: nothing is written yet, it may be the only file.
        assert!(files.is_empty());
        let mut alone = Sitemaps::default();
        alone.add(&SitemapUrl {
            loc: "https://e.org/",
            lastmod: None,
            image: None,
        });
        let single = alone.finish(url_of);
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].0, "sitemap.xml");
        assert!(single[0].1.contains("<urlset"));

        let loc = url(SITEMAP_LIMIT);
        files.extend(sitemaps.add(&SitemapUrl {
            loc: &loc,
            lastmod: Some("2026-01-02T00:00:00Z"),
            image: None,
        }));
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap-1.xml");
        assert_eq!(files[0].1.matches("<url>").count(), SITEMAP_LIMIT);
        files.extend(sitemaps.finish(url_of));
        assert_eq!(files.len(), 3);
        assert_eq!(files[1].0, "sitemap-2.xml");
        assert_eq!(files[1].1.matches("<url>").count(), 1);
        let index = &files[2];
        assert_eq!(index.0, "sitemap.xml");
        assert!(index.1.contains("<sitemapindex"));
        assert!(index
            .1
            .contains("<loc>https://e.org/sitemap-1.xml</loc><lastmod>2026-01-03</lastmod>"));
        assert!(index
            .1
            .contains("<loc>https://e.org/sitemap-2.xml</loc><lastmod>2026-01-02</lastmod>"));
    }

    #[test]
    fn change_discovery_pages_oldest_first() {
        let a = |t: &str, id: &str| Activity {
            kind: "Update".into(),
            object: ActivityObject {
                id: id.into(),
                kind: "Manifest".into(),
                see_also: "https://e.org/x/".into(),
            },
            end_time: t.into(),
        };
        let (x, y) = (
            a("2026-01-02T00:00:00Z", "m2"),
            a("2025-01-01T00:00:00Z", "m1"),
        );
        let mut list = vec![KeptActivity::new(&x), KeptActivity::new(&y)];
        let files = discovery_files(&mut list);
        let page: serde_json::Value = serde_json::from_str(&files[1].1).unwrap();
        assert_eq!(page["orderedItems"][0]["object"]["id"], "m1");
        assert_eq!(page["orderedItems"][1]["endTime"], "2026-01-02T00:00:00Z");
        let coll: serde_json::Value = serde_json::from_str(&files[0].1).unwrap();
        assert_eq!(coll["totalItems"], 2);
        assert_eq!(coll["last"]["id"], "https://e.org/activity/page-0.json");
    }

    #[test]
    fn change_discovery_pages_link_each_other_in_key_order() {
        let times: Vec<String> = (0..2 * ACTIVITIES_PER_PAGE + 1)
            .map(|i| format!("2026-01-01T00:00:{:02}Z", i % 60))
            .collect();
        let activities: Vec<Activity> = times
            .iter()
            .enumerate()
            .map(|(i, t)| Activity {
                kind: "Create".into(),
                object: ActivityObject {
                    id: format!("m{i:05}"),
                    kind: "Manifest".into(),
                    see_also: format!("https://e.org/{i}/"),
                },
                end_time: t.clone(),
            })
            .collect();
        let mut list: Vec<KeptActivity> = activities.iter().map(KeptActivity::new).collect();
        let files = discovery_files(&mut list);
        assert_eq!(files.len(), 4);
        let keys = |json: &str| -> Vec<String> {
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            v.as_object().unwrap().keys().cloned().collect()
        };
        let head = [
            "@context",
            "id",
            "type",
            "startIndex",
            "partOf",
            "orderedItems",
        ];
        assert_eq!(keys(&files[1].1), [&head[..], &["next"]].concat());
        assert_eq!(keys(&files[2].1), [&head[..], &["prev", "next"]].concat());
        assert_eq!(keys(&files[3].1), [&head[..], &["prev"]].concat());
        let middle: serde_json::Value = serde_json::from_str(&files[2].1).unwrap();
        assert_eq!(middle["startIndex"], ACTIVITIES_PER_PAGE);
        assert_eq!(middle["prev"]["id"], "https://e.org/activity/page-0.json");
        assert_eq!(middle["next"]["type"], "OrderedCollectionPage");
        assert_eq!(
            middle["orderedItems"][0]["object"]["seeAlso"][0]["format"],
            "text/html"
        );
        assert!(files[2].1.ends_with("}\n"));
        let coll: serde_json::Value = serde_json::from_str(&files[0].1).unwrap();
        assert_eq!(coll["totalItems"], 2 * ACTIVITIES_PER_PAGE + 1);
        assert_eq!(coll["last"]["id"], "https://e.org/activity/page-2.json");
    }
}
