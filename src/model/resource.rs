//! [`Resource`]: a IIIF manifest, collection, canvas, range, annotation page
//! or annotation, normalised to the fields landing pages need, whatever the
//! Presentation version it was written in. Text is already chosen by language;
//! HTML is already sanitised to the IIIF subset. Built by `load::iiif`.

use serde::Serialize;

use crate::model::genre::Genre;
use crate::model::place::Place;

/// The IIIF resource types a PID may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ResourceKind {
    /// A manifest: one object.
    Manifest,
    /// A collection of manifests and collections.
    Collection,
    /// One view of an object.
    Canvas,
    /// A structural section of a manifest.
    Range,
    /// A list of annotations (v3 AnnotationPage, v2 AnnotationList).
    AnnotationPage,
    /// One annotation (W3C Web Annotation or v2 `oa:Annotation`).
    Annotation,
}

impl ResourceKind {
    /// Recognise a `type`/`@type` value of either version.
    pub fn from_type(t: &str) -> Option<Self> {
        let t = t.rsplit(':').next().unwrap_or(t);
        Some(match t {
            "Manifest" => ResourceKind::Manifest,
            "Collection" => ResourceKind::Collection,
            "Canvas" => ResourceKind::Canvas,
            "Range" => ResourceKind::Range,
            "AnnotationPage" | "AnnotationList" => ResourceKind::AnnotationPage,
            "Annotation" => ResourceKind::Annotation,
            _ => return None,
        })
    }

    /// Its key in the translation tables (`kind.manifest`…).
    pub fn key(self) -> &'static str {
        match self {
            ResourceKind::Manifest => "manifest",
            ResourceKind::Collection => "collection",
            ResourceKind::Canvas => "canvas",
            ResourceKind::Range => "range",
            ResourceKind::AnnotationPage => "annotation_page",
            ResourceKind::Annotation => "annotation",
        }
    }

    /// Human name.
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::Manifest => "Manifest",
            ResourceKind::Collection => "Collection",
            ResourceKind::Canvas => "Canvas",
            ResourceKind::Range => "Range",
            ResourceKind::AnnotationPage => "Annotation page",
            ResourceKind::Annotation => "Annotation",
        }
    }
}

/// IIIF Presentation API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PresentationVersion {
    /// 2.x (including documents with no `@context` that use `@id`/`@type`).
    V2,
    /// 3.0.
    V3,
}

impl PresentationVersion {
    /// The IIIF Presentation context URI, used as a media type profile.
    pub fn context(self) -> &'static str {
        match self {
            PresentationVersion::V2 => "http://iiif.io/api/presentation/2/context.json",
            PresentationVersion::V3 => "http://iiif.io/api/presentation/3/context.json",
        }
    }
}

/// Plain text in a language (`lang` is `None` when the manifest gave none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text {
    /// The text, with no markup.
    pub value: String,
    /// BCP 47 tag.
    pub lang: Option<String>,
}

/// HTML already reduced to the IIIF-allowed subset, safe to emit unescaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Html {
    /// Sanitised markup.
    pub html: String,
    /// The same, as plain text (for meta tags and citations).
    pub text: String,
    /// BCP 47 tag.
    pub lang: Option<String>,
}

/// A label/value pair of `metadata` or `requiredStatement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetadataEntry {
    /// The label.
    pub label: Text,
    /// The value.
    pub value: Html,
}

/// Who provides the resource (v3 `provider`, v2 `logo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provider {
    /// Name.
    pub label: Option<Text>,
    /// Home page URL.
    pub homepage: Option<String>,
    /// Logo image URL.
    pub logo: Option<String>,
}

/// A manifest or collection listed in a collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// Its IIIF id.
    pub id: String,
    /// Manifest or Collection.
    pub kind: ResourceKind,
    /// Label.
    pub label: Option<Text>,
    /// Thumbnail URL.
    pub thumbnail: Option<String>,
}

/// One annotation's content, as shown on annotation pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnotationView {
    /// Text bodies (transcription, comment), sanitised; tags are apart.
    pub body: Option<Html>,
    /// The text of its tag bodies (`oa:Tag`, purpose or sole motivation
    /// `tagging`).
    pub tags: Vec<String>,
    /// Motivation (`commenting`, `tagging`, `supplementing`…), without its
    /// `oa:`/`sc:` prefix; with text bodies, the first that is not tagging.
    pub motivation: Option<String>,
    /// The (first) target split into canvas, region and manifest.
    pub target_ref: Option<TargetRef>,
}

/// What a link of a resource is for (v3 `homepage`, `seeAlso`, `rendering`;
/// v2 `related`, which plays `homepage`'s role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LinkKind {
    /// A web page about the resource (v3 `homepage`, v2 `related`).
    Homepage,
    /// Machine-readable metadata (`seeAlso`).
    SeeAlso,
    /// Another format of the resource, e.g. a PDF (`rendering`).
    Rendering,
}

impl LinkKind {
    /// Its key in the translation tables' `[link_role]`, whose text is
    /// shown beside the links ("Web page", "Metadata", "Download").
    pub fn key(self) -> &'static str {
        match self {
            LinkKind::Homepage => "homepage",
            LinkKind::SeeAlso => "see_also",
            LinkKind::Rendering => "rendering",
        }
    }
}

/// A link from the resource to a web page, metadata record or rendering.
/// Only http(s) URLs are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Its role.
    pub kind: LinkKind,
    /// The http(s) URL.
    pub url: String,
    /// Label, when the manifest gives one.
    pub label: Option<Text>,
    /// Media type (`format`), when given.
    pub format: Option<String>,
    /// Profile (`profile`/`dcterms:conformsTo`), when given.
    pub profile: Option<String>,
}

/// A canvas of a manifest (for per-canvas citation links).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CanvasRef {
    /// The canvas id.
    pub id: String,
    /// Its label.
    pub label: Option<Text>,
    /// The image it paints, whole, for downloading (none for a canvas
    /// that paints no image).
    pub image: Option<FullImage>,
    /// The canvas's own rights URI (v3 `rights` on the canvas), if any:
    /// it wins over the manifest's for that image.
    pub rights: Option<String>,
}

/// The whole image a canvas paints, as a visitor downloads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FullImage {
    /// Its URL: an Image API service's whole image at its largest size
    /// (`full/max`, or `full/full` where the service may predate `max`),
    /// else the static image painted.
    pub url: String,
    /// Its width and height in pixels, when the document says.
    pub size: Option<(u64, u64)>,
}

/// What an annotation targets: a canvas (or a region of it), and the
/// manifest it belongs to when the document says (`partOf`, v2 `within`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetRef {
    /// The target's id without fragment (a canvas, usually).
    pub source: String,
    /// `x,y,w,h` of a `#xywh=` fragment or FragmentSelector, if any.
    pub region: Option<String>,
    /// The manifest the target belongs to, when known.
    pub manifest: Option<String>,
    /// The canvas's label, when the document carries it.
    pub label: Option<Text>,
    /// The manifest's label, when the document carries it.
    pub manifest_label: Option<Text>,
}

/// A IIIF resource normalised for landing pages. Templates see it as
/// `resource`, without its lists of members, annotations, links and
/// canvases: those reach templates prepared (`members`, `annotations`,
/// `links`, `canvas_links`), and serialising up to 500 canvases for every
/// page that never reads them was ~3% of a build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    /// Its type.
    pub kind: ResourceKind,
    /// Presentation version.
    pub version: PresentationVersion,
    /// `id`/`@id`.
    pub id: Option<String>,
    /// Label.
    pub label: Option<Text>,
    /// Summary (v3) or description (v2).
    pub summary: Option<Html>,
    /// Descriptive metadata pairs.
    pub metadata: Vec<MetadataEntry>,
    /// Thumbnail image URL.
    pub thumbnail: Option<String>,
    /// Rights or licence URI.
    pub rights: Option<String>,
    /// Required statement / attribution.
    pub required_statement: Option<MetadataEntry>,
    /// Providers.
    pub provider: Vec<Provider>,
    /// `navDate`.
    pub nav_date: Option<String>,
    /// Number of canvases (manifests, ranges).
    pub canvas_count: usize,
    /// What it is, when the document says: from what its canvases paint
    /// (sound, video…) or its metadata ("Type: Manuscript"). `None` for
    /// images with nothing said, collections and annotations.
    pub genre: Option<Genre>,
    /// Whether it is shown as a book (`behavior`/`viewingHint` `paged`).
    pub paged: bool,
    /// The first canvas's id (for opening the viewer).
    pub first_canvas: Option<String>,
    /// Members (collections).
    #[serde(skip)]
    pub members: Vec<Member>,
    /// Annotations (annotation pages and annotations).
    #[serde(skip)]
    pub annotations: Vec<AnnotationView>,
    /// How many annotations the document holds (`annotations` keeps the
    /// first [`MAX_ANNOTATIONS`]).
    pub annotation_total: usize,
    /// Web pages, metadata records and renderings (http(s) only).
    #[serde(skip)]
    pub links: Vec<Link>,
    /// The canvases of a manifest, in order (at most [`MAX_CANVAS_REFS`]).
    #[serde(skip)]
    pub canvases: Vec<CanvasRef>,
    /// For a Manifest or Collection: the collections it says it is part
    /// of (`partOf` typed Collection, v2 `within`), http(s) only.
    #[serde(skip)]
    pub collections: Vec<String>,
    /// For a Canvas, Range or annotation document: the manifest it
    /// belongs to, if given (`partOf`, v2 `within`; a layer or annotation
    /// collection it is part of is not kept).
    pub part_of: Option<String>,
    /// Where it is (`navPlace`): its own places, then its canvases', its
    /// ranges' and, for a collection, those its members carry (at most
    /// [`crate::load::nav_place::MAX_PLACES`]).
    #[serde(skip)]
    pub places: Vec<Place>,
}

impl Resource {
    /// Whether this manifest surely has no canvas `id` (a manifest longer
    /// than [`MAX_CANVAS_REFS`] canvases is not listed whole: never said).
    pub fn lacks_canvas(&self, id: &str) -> bool {
        self.kind == ResourceKind::Manifest
            && self.canvas_count <= MAX_CANVAS_REFS
            && !self.canvases.iter().any(|c| c.id == id)
    }

    /// The manifests an annotation page or annotation says it annotates
    /// (its own `partOf`/`within`, its targets'), each once, in the order
    /// the document names them: what its page's title is made from.
    pub fn annotated_manifests(&self) -> Vec<&str> {
        if !matches!(
            self.kind,
            ResourceKind::AnnotationPage | ResourceKind::Annotation
        ) {
            return Vec::new();
        }
        let mut out: Vec<&str> = Vec::new();
        let named = self.part_of.iter().chain(
            self.annotations
                .iter()
                .filter_map(|a| a.target_ref.as_ref()?.manifest.as_ref()),
        );
        for id in named.map(|m| m.trim()) {
            if out.len() == MAX_ANNOTATED_MANIFESTS {
                break;
            }
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }
}

/// How many annotations of a page or list are read; the rest are counted.
pub const MAX_ANNOTATIONS: usize = 2000;

/// How many manifests [`Resource::annotated_manifests`] names at most.
const MAX_ANNOTATED_MANIFESTS: usize = 8;

/// How many canvases a landing page lists for citing one by one.
pub const MAX_CANVAS_REFS: usize = 500;

/// `url` when it is an absolute http(s) URL with nothing that could end an
/// attribute or start a script; anything else (e.g. `javascript:`) is dropped.
pub fn http_url(url: &str) -> Option<String> {
    // Most URLs need nothing done (an image's, a service's: 191,000 at
    // 10,000 PIDs): http(s) and only URL code points, no apostrophe. Those
    // come out as they are, checked in one pass and copied once.
    let trimmed = url.trim();
    let b = trimmed.as_bytes();
    let http = b.len() > 8
        && (b[..7].eq_ignore_ascii_case(b"http://") || b[..8].eq_ignore_ascii_case(b"https://"));
    if http && b.iter().all(|&c| c != b'\'' && url_code_point(c)) {
        return Some(trimmed.to_string());
    }
    checked_http_url(trimmed)
}

/// [`http_url`] of any URL: spaces encoded, the scheme and characters
/// checked, and what HTML's URL attributes do not allow percent-encoded.
fn checked_http_url(url: &str) -> Option<String> {
    let url = url.trim().replace(' ', "%20");
    let lower = url.get(..8).unwrap_or(&url).to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
    let refused = |c: char| matches!(c, '"' | '\'' | '<' | '>' | '`');
    // Byte by byte when the URL is ASCII, as most are (where whitespace is
    // a control character or the space).
    let clean = if url.is_ascii() {
        !url.bytes()
            .any(|b| b.is_ascii_control() || b == b' ' || refused(char::from(b)))
    } else {
        !url.chars()
            .any(|c| c.is_whitespace() || c.is_control() || refused(c))
    };
    (scheme_ok && clean && url.len() > 8).then(|| url_code_points(&url))
}

/// `url` with every character that HTML's URL attributes do not allow
/// percent-encoded, so that the Nu Html Checker accepts it (issue 4): in
/// the path, query and fragment, ASCII other than the URL code points
/// (letters, digits, `!$&'()*+,-./:;=?@_~`, `%` before two hex digits and
/// the first `#`) becomes `%XX`. Real manifests link to search pages such
/// as `…/Results?filter[]=format:x`, which browsers fetch the same way
/// either spelled. The scheme and authority (an IPv6 host's `[…]`) are kept
/// as they are; non-ASCII characters are allowed and kept too.
pub fn url_code_points(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| {
        let after = i + 3;
        url[after..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |j| after + j)
    });
    let (head, rest) = url.split_at(start);
    let mut out = String::with_capacity(url.len() + 8);
    out.push_str(head);
    let bytes = rest.as_bytes();
    let hex = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_hexdigit);
    let mut in_fragment = false;
    // Runs of bytes kept as they are are copied whole, up to the next byte
    // to encode: a URL usually has none (this ran a character at a time,
    // searching the list of allowed ones for each, for 1.4% of a build).
    // Every byte of a non-ASCII character is kept, so a run always ends
    // at a character boundary.
    let mut kept = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let keep = match b {
            b'%' => hex(i + 1) && hex(i + 2),
            b'#' if !in_fragment => {
                in_fragment = true;
                true
            }
            b if !b.is_ascii() => true,
            b => url_code_point(b),
        };
        if !keep {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push_str(&rest[kept..i]);
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
            kept = i + 1;
        }
    }
    out.push_str(&rest[kept..]);
    out
}

/// An ASCII URL code point kept as it is: a letter, a digit or one of
/// `!$&'()*+,-./:;=?@_~`.
fn url_code_point(b: u8) -> bool {
    matches!(b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'!' | b'$' | b'&'..=b'/' | b':' | b';' | b'=' | b'?' | b'@' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn plain_urls_come_out_as_the_checked_path_makes_them(
            scheme in "(?i)https?://|ftp://|http:/|",
            rest in "[a-zA-Z0-9:/?#\\[\\]@!$&'()*+,;=._~%<>\" `{}|^-]{0,40}",
            pad in "[ \t]{0,2}",
        ) {
            let url = format!("{pad}{scheme}{rest}{pad}");
            prop_assert_eq!(http_url(&url), checked_http_url(&url), "{}", url);
        }

        #[test]
        fn urls_of_code_points_only_come_out_as_written(
            scheme in "[hH][tT][tT][pP][sS]?://",
            // Past the 8 bytes a URL needs to be kept at all.
            rest in "[a-zA-Z0-9:/?@!$&()*+,;=._~-]{2,40}'?",
        ) {
            let url = format!("{scheme}{rest}");
            let checked = checked_http_url(&url);
            prop_assert_eq!(http_url(&url), checked.clone(), "{}", url);
            prop_assert_eq!(checked.is_some(), !url.contains('\''), "{}", url);
        }
    }

    #[test]
    fn urls_keep_to_the_url_code_points() {
        let cases = [
            ("https://x.org/a/b?c=d#e", "https://x.org/a/b?c=d#e"),
            (
                "https://x.org/Results?filter[]=format:Transcribed",
                "https://x.org/Results?filter%5B%5D=format:Transcribed",
            ),
            (
                "https://dfg-viewer.de/show/?set[mets]=https://x.org/m.xml",
                "https://dfg-viewer.de/show/?set%5Bmets%5D=https://x.org/m.xml",
            ),
            (
                "https://x.org/a{b}|c\\d^e",
                "https://x.org/a%7Bb%7D%7Cc%5Cd%5Ee",
            ),
            ("https://x.org/100%/%41", "https://x.org/100%25/%41"),
            ("https://x.org/a#b#c", "https://x.org/a#b%23c"),
            ("https://[::1]:8080/a[1]", "https://[::1]:8080/a%5B1%5D"),
            ("https://x.org/Göttingen", "https://x.org/Göttingen"),
            ("https://x.org", "https://x.org"),
        ];
        for (input, expected) in cases {
            assert_eq!(url_code_points(input), expected, "{input}");
            // Idempotent: an encoded URL is left as it is.
            assert_eq!(url_code_points(expected), expected, "{expected}");
        }
        assert_eq!(
            http_url(" https://x.org/a b[1] ").as_deref(),
            Some("https://x.org/a%20b%5B1%5D")
        );
        // What could end an attribute or hide in it drops the URL, ASCII
        // or not.
        for bad in [
            "\"", "'", "<", ">", "`", "\t", "\u{b}", "\u{7f}", "\u{85}", "\u{a0}", "\u{3000}",
        ] {
            assert_eq!(http_url(&format!("https://x.org/a{bad}b")), None, "{bad:?}");
            assert_eq!(http_url(&format!("https://x.org/ä{bad}b")), None, "{bad:?}");
        }
    }

    /// `url_code_points` as it was, a character at a time (issue 22 made it
    /// copy runs of bytes): the reference the faster one must agree with.
    fn url_code_points_by_char(url: &str) -> String {
        use std::fmt::Write as _;
        let start = url.find("://").map_or(0, |i| {
            let after = i + 3;
            url[after..]
                .find(['/', '?', '#'])
                .map_or(url.len(), |j| after + j)
        });
        let (head, rest) = url.split_at(start);
        let mut out = head.to_string();
        let bytes = rest.as_bytes();
        let mut in_fragment = false;
        for (i, c) in rest.char_indices() {
            let keep = match c {
                '%' => {
                    bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                        && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
                }
                '#' if !in_fragment => {
                    in_fragment = true;
                    true
                }
                c if !c.is_ascii() => true,
                c => c.is_ascii_alphanumeric() || "!$&'()*+,-./:;=?@_~".contains(c),
            };
            if keep {
                out.push(c);
            } else {
                let _ = write!(out, "%{:02X}", u32::from(c));
            }
        }
        out
    }

    #[test]
    fn url_code_points_agree_with_the_character_at_a_time_reference() {
        // Every ASCII character, alone and among others, in the path, the
        // query and the fragment; with non-ASCII text around it.
        for b in 0u8..128 {
            let c = char::from(b);
            for url in [
                format!("https://x.org/{c}"),
                format!("https://x.org/a{c}b?q={c}#f{c}g"),
                format!("https://x.org/ä{c}ö%4{c}%{c}1##{c}"),
                format!("https://x.org{c}/{c}{c}"),
            ] {
                assert_eq!(
                    url_code_points(&url),
                    url_code_points_by_char(&url),
                    "{url:?}"
                );
            }
        }
    }
}
