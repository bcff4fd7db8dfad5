//! Annotation pages and lists as people read them: what they annotate as
//! the title ("Transcription of page 1 of …", "Comments on …"),
//! transcriptions and OCR as text in reading order per canvas, comments and
//! tags as a list. Only what the annotation document carries and what the
//! renderer's index gives (the titles of the manifests it names that are
//! PIDs of the site) are used; nothing here reads another file. The words
//! are the site's language's (`[annotation_word]`, `[annotation_title]` and
//! `[words]` in the translation tables).

use super::context::{AnnotationItem, AnnotationsContext, RichText, TextContext};
use super::i18n::Strings;
use crate::model::content_state::canvas_state;
use crate::model::resource::{AnnotationView, Resource, ResourceKind, TargetRef};

/// Characters of transcribed text a landing page holds; the rest is in the
/// document, which the page links to. An OCR list of one newspaper page
/// holds ten times as much, and a page must stay under 20 KB.
pub const MAX_TEXT_BYTES: usize = 4_000;

/// Comments and tags a landing page lists at most...
pub const MAX_ITEMS: usize = 40;

/// ...and the bytes their bodies and links take at most (a link opening a
/// region in the viewer carries a content state of ~500 bytes).
const MAX_ITEM_BYTES: usize = 5_000;

/// A comment's HTML longer than this is shown as its text, cut.
const MAX_BODY_BYTES: usize = 600;

/// What one annotation is, as its page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Text of the image itself: a transcription, OCR (`painting`,
    /// `supplementing` or `transcribing` with a text body).
    Transcription,
    /// A comment, description or other text about the image.
    Comment,
    /// Tags only.
    Tag,
    /// No text: a highlight, a link, a content state.
    Other,
}

impl Role {
    /// The role of an annotation.
    pub fn of(a: &AnnotationView) -> Role {
        let motivation = a.motivation.as_deref().unwrap_or("");
        match (&a.body, a.tags.is_empty()) {
            (Some(_), _) if matches!(motivation, "painting" | "supplementing" | "transcribing") => {
                Role::Transcription
            }
            (Some(_), _) => Role::Comment,
            (None, false) => Role::Tag,
            (None, true) => Role::Other,
        }
    }
}

/// The word a list item is labelled by: the motivation as people say it
/// (never `painting`), in the site's language.
pub fn item_word(a: &AnnotationView, strings: &Strings) -> String {
    strings.text(&format!("annotation_word.{}", item_key(a)))
}

/// The key of [`item_word`]'s word.
fn item_key(a: &AnnotationView) -> &'static str {
    match Role::of(a) {
        Role::Transcription => "transcription",
        Role::Tag => "tag",
        Role::Comment => match a.motivation.as_deref() {
            Some("describing") => "description",
            Some("identifying") => "identification",
            Some("classifying") => "classification",
            Some("questioning") => "question",
            Some("replying") => "reply",
            Some("editing") => "correction",
            Some("assessing") => "assessment",
            Some("moderating") => "moderation",
            Some("linking") => "link",
            _ => "comment",
        },
        Role::Other => match a.motivation.as_deref() {
            Some("highlighting") => "highlight",
            Some("bookmarking") => "bookmark",
            Some("linking") => "link",
            Some("contentState") => "view",
            _ => "annotation",
        },
    }
}

/// The title a PID's citation takes from what it annotates: for an
/// annotation page or annotation with neither a label nor a registry
/// `title`, [`title`]; `None` for anything else (its citation's own title
/// stands). The landing page and `pidsite cite` both ask here.
pub fn citation_title(
    record: &crate::model::record::Record,
    resource: Option<&Resource>,
    strings: &Strings,
    manifest_title: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    let r = resource.filter(|r| {
        record.overrides().title.is_none()
            && r.label.is_none()
            && matches!(
                r.kind,
                ResourceKind::AnnotationPage | ResourceKind::Annotation
            )
    })?;
    Some(title(r, strings, manifest_title))
}

/// The title of an annotation page or annotation with no label of its own:
/// what its annotations are, and what they annotate. `manifest_title` gives
/// the title of a manifest by its IIIF id when it is a PID of the site.
pub fn title(
    r: &Resource,
    strings: &Strings,
    manifest_title: impl Fn(&str) -> Option<String>,
) -> String {
    let single = r.kind == ResourceKind::Annotation;
    let roles: Vec<Role> = r.annotations.iter().map(Role::of).collect();
    if roles.is_empty() {
        return strings.text("annotation_title.empty");
    }
    let all = |role: Role| roles.iter().all(|r| *r == role);
    let what = if all(Role::Transcription) {
        "transcription"
    } else if all(Role::Comment) {
        if single {
            "comment"
        } else {
            "comments"
        }
    } else if all(Role::Tag) {
        if single {
            "tag"
        } else {
            "tags"
        }
    } else if roles.iter().all(|r| matches!(r, Role::Comment | Role::Tag)) {
        "comments_and_tags"
    } else if single && all(Role::Other) {
        r.annotations.first().map_or("annotation", item_key)
    } else if single {
        "annotation"
    } else {
        "annotations"
    };
    let targets: Vec<&TargetRef> = r
        .annotations
        .iter()
        .filter_map(|a| a.target_ref.as_ref())
        .collect();
    let manifest = r.annotated_manifests().into_iter().find_map(|id| {
        manifest_title(id).or_else(|| {
            targets
                .iter()
                .filter(|t| t.manifest.as_deref().map(str::trim) == Some(id))
                .find_map(|t| t.manifest_label.as_ref().map(|l| l.value.clone()))
        })
    });
    let mut canvases: Vec<&str> = targets.iter().map(|t| t.source.as_str()).collect();
    canvases.sort_unstable();
    canvases.dedup();
    let canvas = match canvases.as_slice() {
        [one] => targets
            .iter()
            .filter(|t| t.source == *one)
            .find_map(|t| t.label.as_ref())
            .map(|l| canvas_name(&l.value, strings)),
        _ => None,
    };
    let subject = match (canvas, manifest) {
        (Some(c), Some(m)) => {
            strings.fill("words.canvas_of", None, &[("canvas", &c), ("manifest", &m)])
        }
        (None, Some(m)) => m,
        (Some(c), None) => c,
        (None, None) => match canvases.len() {
            0 | 1 => strings.text("words.an_image"),
            n => strings.fill("words.images", Some(n as u64), &[]),
        },
    };
    strings.fill(
        &format!("annotation_title.{what}"),
        None,
        &[("subject", &subject)],
    )
}

/// A canvas label as running text says it: a bare number (`2`, `[1]`) is
/// a page number ("page 2"); anything else (`f. 1r`, `Front cover`) as it
/// is.
pub fn canvas_name(label: &str, strings: &Strings) -> String {
    page_number(label).map_or_else(
        || label.trim().to_string(),
        |n| strings.fill("words.page", None, &[("n", n)]),
    )
}

/// A canvas label as a heading over its text says it: as
/// [`canvas_name`], with the heading's word for a page.
fn canvas_heading(label: &str, strings: &Strings) -> String {
    page_number(label).map_or_else(
        || label.trim().to_string(),
        |n| strings.fill("words.page_heading", None, &[("n", n)]),
    )
}

/// The page number a label is, when it is a bare number (`2`, `[1]`).
fn page_number(label: &str) -> Option<&str> {
    let inner = label.trim().trim_start_matches('[').trim_end_matches(']');
    (!inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit())).then_some(inner)
}

/// The transcribed text of one canvas, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanvasText<'r> {
    /// Its label, when the document carries it.
    pub label: Option<&'r str>,
    /// The language of its text, when given.
    pub lang: Option<&'r str>,
    /// One string per line.
    pub lines: Vec<String>,
    /// The annotation that opens it, for a link to the viewer.
    pub first: &'r AnnotationView,
}

/// The transcriptions of a resource as text, per canvas in the order the
/// document first names them, cut after [`MAX_TEXT_BYTES`] (the bool says
/// whether anything was cut).
///
/// On a canvas whose transcriptions are mostly single words with regions
/// (OCR: Readux writes one annotation per word), the words are put in
/// reading order: sorted into lines by where they stand (a word joins a
/// line it overlaps by half its height, beside the words already in it),
/// lines top to bottom, words left to right, joined with spaces. Line
/// annotations (SimpleAnnotationServer's newspaper OCR) stay in the order
/// the document gives: OCR writes lines in reading order, and sorting the
/// lines of a page in columns by height would interleave its columns.
pub fn transcription(r: &Resource) -> (Vec<CanvasText<'_>>, bool) {
    let mut canvases: Vec<(&str, Vec<&AnnotationView>)> = Vec::new();
    for a in r
        .annotations
        .iter()
        .filter(|a| Role::of(a) == Role::Transcription)
    {
        let canvas = a.target_ref.as_ref().map_or("", |t| t.source.as_str());
        match canvases.iter_mut().find(|(c, _)| *c == canvas) {
            Some((_, list)) => list.push(a),
            None => canvases.push((canvas, vec![a])),
        }
    }
    let mut budget = MAX_TEXT_BYTES;
    let mut cut = false;
    let mut out = Vec::new();
    for (_, annotations) in canvases {
        if budget == 0 {
            cut = true;
            break;
        }
        let mut lines = Vec::new();
        for line in reading_order(&annotations) {
            if line.len() > budget {
                let mut end = budget;
                while !line.is_char_boundary(end) {
                    end -= 1;
                }
                let kept = line[..end]
                    .rsplit_once(' ')
                    .map_or(&line[..end], |(a, _)| a);
                if !kept.is_empty() {
                    lines.push(format!("{kept} …"));
                }
                budget = 0;
                cut = true;
                break;
            }
            budget -= line.len();
            lines.push(line);
        }
        let first = annotations[0];
        out.push(CanvasText {
            label: annotations
                .iter()
                .find_map(|a| a.target_ref.as_ref()?.label.as_ref())
                .map(|l| l.value.as_str()),
            lang: annotations
                .iter()
                .find_map(|a| a.body.as_ref()?.lang.as_deref()),
            lines,
            first,
        });
    }
    (out, cut)
}

/// A word or line annotation with where it stands.
struct Placed<'a> {
    text: &'a str,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

fn region(a: &AnnotationView) -> Option<[f64; 4]> {
    let r = a.target_ref.as_ref()?.region.as_deref()?;
    let mut n = r.split(',').map(|p| p.trim().parse::<f64>().ok());
    Some([n.next()??, n.next()??, n.next()??, n.next()??])
}

/// The lines of one canvas's transcriptions, in reading order (see
/// [`transcription`]).
fn reading_order(annotations: &[&AnnotationView]) -> Vec<String> {
    let texts: Vec<&str> = annotations
        .iter()
        .map(|a| a.body.as_ref().map_or("", |b| b.text.trim()))
        .collect();
    let placed: Option<Vec<Placed>> = annotations
        .iter()
        .zip(&texts)
        .filter(|(_, t)| !t.is_empty())
        .map(|(a, text)| {
            let [x, y, w, h] = region(a)?;
            Some(Placed { text, x, y, w, h })
        })
        .collect();
    let words = texts
        .iter()
        .filter(|t| !t.is_empty() && !t.contains(char::is_whitespace))
        .count();
    let nonempty = texts.iter().filter(|t| !t.is_empty()).count();
    let Some(mut placed) = placed.filter(|_| words * 2 > nonempty) else {
        // Lines, or words without regions: in document order.
        return texts
            .iter()
            .flat_map(|t| t.lines())
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
    };
    placed.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    // Lines as (top, bottom, words).
    let mut lines: Vec<(f64, f64, Vec<Placed>)> = Vec::new();
    for word in placed {
        let joins = lines.last().is_some_and(|(top, bottom, words)| {
            let overlap = bottom.min(word.y + word.h) - top.max(word.y);
            let height = (bottom - top).min(word.h).max(1.0);
            overlap >= height / 2.0
                && !words.iter().any(|o| {
                    let shared = (o.x + o.w).min(word.x + word.w) - o.x.max(word.x);
                    shared > o.w.min(word.w) / 2.0
                })
        });
        match lines.last_mut() {
            Some((top, bottom, words)) if joins => {
                *top = top.min(word.y);
                *bottom = bottom.max(word.y + word.h);
                words.push(word);
            }
            _ => lines.push((word.y, word.y + word.h, vec![word])),
        }
    }
    lines
        .into_iter()
        .map(|(_, _, mut words)| {
            words.sort_by(|a, b| a.x.total_cmp(&b.x));
            words.iter().map(|w| w.text).collect::<Vec<_>>().join(" ")
        })
        .collect()
}

/// The annotations a page lists one by one (all but transcriptions), as
/// many as fit in [`MAX_ITEMS`] and the byte budget; `link_bytes` says how
/// long an item's viewer link would be. Returns them and how many more
/// there are.
pub fn listed(
    r: &Resource,
    link_bytes: impl Fn(&AnnotationView) -> usize,
) -> (Vec<&AnnotationView>, usize) {
    let mut budget = MAX_ITEM_BYTES;
    let mut out = Vec::new();
    let mut left = 0;
    for a in r
        .annotations
        .iter()
        .filter(|a| Role::of(a) != Role::Transcription)
    {
        let size = 100
            + a.body
                .as_ref()
                .map_or(0, |b| b.html.len().min(MAX_BODY_BYTES))
            + a.tags.iter().map(String::len).sum::<usize>()
            + link_bytes(a);
        if out.len() == MAX_ITEMS || size > budget {
            budget = 0;
            left += 1;
            continue;
        }
        budget -= size;
        out.push(a);
    }
    (out, left)
}

/// A comment's body as the page shows it: its HTML, or, when that is long,
/// its text cut on a word.
pub fn shown_body(body: &crate::model::resource::Html) -> crate::model::resource::Html {
    if body.html.len() <= MAX_BODY_BYTES {
        return body.clone();
    }
    let mut end = MAX_BODY_BYTES.min(body.text.len());
    while !body.text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &body.text[..end];
    let cut = cut.rsplit_once(' ').map_or(cut, |(a, _)| a);
    let text = if end < body.text.len() {
        format!("{cut} …")
    } else {
        cut.to_string()
    };
    crate::model::resource::Html {
        html: crate::load::html::escape(&text),
        text,
        lang: body.lang.clone(),
    }
}

/// The annotations of an annotation page or annotation as its landing page
/// shows them: transcriptions as text in reading order, the others as a
/// list, each with a link that opens its target on the target manifest's
/// PID page when the site has one (`pid_page` gives a IIIF id's page).
/// `language` is the site's: a text's own language is given only when
/// it differs.
pub fn view<'i>(
    r: &Resource,
    language: &str,
    strings: &Strings,
    pid_page: impl Fn(&str) -> Option<&'i str>,
) -> AnnotationsContext {
    // A link opening a target (at its region) on the target manifest's
    // PID page.
    let open = |t: &TargetRef, region: Option<&str>| {
        let manifest = t.manifest.as_deref()?;
        let page = pid_page(manifest.trim())?;
        let state = canvas_state(manifest, &t.source, region);
        Some(format!("{page}?iiif-content={state}"))
    };
    let open_at = |a: &AnnotationView| {
        let t = a.target_ref.as_ref()?;
        open(t, t.region.as_deref())
    };
    let (texts, text_cut) = transcription(r);
    let several = texts.len() > 1;
    let text = texts
        .into_iter()
        .enumerate()
        .map(|(i, t)| TextContext {
            heading: several.then(|| {
                t.label.map_or_else(
                    || strings.fill("words.image_n", None, &[("n", &(i + 1).to_string())]),
                    |l| canvas_heading(l, strings),
                )
            }),
            lang: t.lang.filter(|l| *l != language).map(str::to_string),
            lines: t.lines,
            // The whole canvas, as a heading opens it.
            open_url: several
                .then(|| t.first.target_ref.as_ref().and_then(|tr| open(tr, None)))
                .flatten(),
        })
        .collect();
    let (listed, items_left) = listed(r, |a| open_at(a).map_or(0, |u| u.len()));
    let items = listed
        .into_iter()
        .map(|a| AnnotationItem {
            what: item_word(a, strings),
            body: a
                .body
                .as_ref()
                .map(|b| RichText::new(&shown_body(b), language)),
            tags: a.tags.clone(),
            on: a.target_ref.as_ref().map(|t| target_words(t, strings)),
            open_url: open_at(a),
        })
        .collect();
    AnnotationsContext {
        text,
        text_cut,
        items,
        items_left,
        total: r.annotation_total,
    }
}

/// What an annotation is on, in words: "a region of page 2", "the image".
fn target_words(t: &TargetRef, strings: &Strings) -> String {
    let canvas = t.label.as_ref().map_or_else(
        || strings.text("words.the_image"),
        |l| canvas_name(&l.value, strings),
    );
    match &t.region {
        Some(_) => strings.fill("words.region_of", None, &[("canvas", &canvas)]),
        None => canvas,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resource::Html;

    fn word(text: &str, region: &str) -> AnnotationView {
        AnnotationView {
            body: Some(Html {
                html: text.into(),
                text: text.into(),
                lang: None,
            }),
            tags: Vec::new(),
            motivation: Some("painting".into()),
            target_ref: Some(TargetRef {
                source: "c1".into(),
                region: (!region.is_empty()).then(|| region.into()),
                manifest: None,
                label: None,
                manifest_label: None,
            }),
        }
    }

    #[test]
    fn words_are_read_by_line_then_left_to_right() {
        // Readux OCR list 3: "9th," stands a pixel higher than "January".
        let words = [
            word("9th,", "1204,1127,120,78"),
            word("Tuesday,", "525,1125,300,78"),
            word("January", "875,1128,280,76"),
            word("1894,", "1365,1128,150,77"),
            // The next line, and a word overlapping it in height but standing
            // under "Tuesday,": a line of its own.
            word("The", "369,1414,90,80"),
            word("Hour.", "1423,1416,150,79"),
            word("x", "525,1150,40,60"),
        ];
        let refs: Vec<&AnnotationView> = words.iter().collect();
        assert_eq!(
            reading_order(&refs),
            ["Tuesday, January 9th, 1894,", "x", "The Hour."]
        );
        // Lines, or words without regions, keep the document's order.
        let lines = [
            word("ON the first appearance", "197,1800,1060,155"),
            word("C y fore that august", "197,1854,1060,70"),
            word("TO THE PUBLIC.", "417,1680,616,54"),
        ];
        let refs: Vec<&AnnotationView> = lines.iter().collect();
        assert_eq!(
            reading_order(&refs),
            [
                "ON the first appearance",
                "C y fore that august",
                "TO THE PUBLIC."
            ]
        );
    }

    #[test]
    fn canvas_labels_that_are_numbers_are_pages() {
        let en = Strings::english();
        assert_eq!(canvas_name("2", &en), "page 2");
        assert_eq!(canvas_name("[1]", &en), "page 1");
        assert_eq!(canvas_name("f. 1r", &en), "f. 1r");
        assert_eq!(canvas_name("Test 65 Canvas: 1", &en), "Test 65 Canvas: 1");
    }
}
