//! IIIF Presentation 2.1 and 3 JSON -> [`Resource`]. The type and version come
//! from the JSON itself (`@context`, `type`/`@type`, `id`/`@id`), never from
//! the file name. Tolerant of what real publishers write: strings, arrays,
//! language maps and `@value` objects wherever a label may stand.

use bumpalo::Bump;

use crate::load::json::{self, Json, Object};
use crate::load::nav_place;
use crate::model::place::Place;

use crate::load::html::{sanitize, strip};
use crate::load::image_api;
use crate::model::genre::{Genre, GENRE_LABELS};
use crate::model::resource::{
    http_url, AnnotationView, CanvasRef, Html, Link, LinkKind, Member, MetadataEntry,
    PresentationVersion, Provider, Resource, ResourceKind, TargetRef, Text, MAX_ANNOTATIONS,
    MAX_CANVAS_REFS,
};

/// Parse a IIIF document. `languages` orders the preferred languages of
/// language maps. The error says what was expected.
pub fn parse(bytes: &[u8], languages: &[String]) -> Result<Resource, String> {
    from_value(&parse_json(bytes, &Bump::new())?, languages)
}

/// A document's JSON, in `arena`, or an error naming the line and column.
pub fn parse_json<'a>(bytes: &'a [u8], arena: &'a Bump) -> Result<Json<'a>, String> {
    json::from_slice(bytes, arena).map_err(|e| {
        format!(
            "not valid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        )
    })
}

/// The `id` (v3) or `@id` (v2) of a parsed IIIF document: what collection
/// pages link to their members' PID pages by.
pub fn document_id(value: &Json) -> Option<String> {
    ["id", "@id"]
        .into_iter()
        .find_map(|key| value.get(key)?.as_str().map(|s| s.trim().to_string()))
        .filter(|s| !s.is_empty())
}

/// Normalise an already parsed IIIF document.
pub fn from_value(value: &Json, languages: &[String]) -> Result<Resource, String> {
    let obj = value
        .as_object()
        .ok_or("expected a JSON object (a IIIF manifest, collection, canvas or annotation)")?;
    let version = detect_version(obj);
    let kind = kind_of(obj)?;
    let r = Reader { languages };
    let shown = canvases(obj, version);
    // A v2 AV manifest (the ixif extension) holds its recordings in
    // `mediaSequences` and one placeholder canvas "for viewers that cannot
    // show them": the placeholder gives the thumbnail, but it is no part
    // of the resource to count or cite ("1 recording" for two sides).
    let canvases = if placeholder_sequence(obj) {
        Vec::new()
    } else {
        shown.clone()
    };
    let members = if kind == ResourceKind::Collection {
        members(obj, &r)
    } else {
        Vec::new()
    };
    let (annotations, annotation_total) = annotations_of(obj, kind, &r);
    Ok(Resource {
        kind,
        version,
        id: id_of(obj),
        label: obj.get("label").and_then(|v| r.text(v)),
        summary: obj
            .get("summary")
            .or_else(|| obj.get("description"))
            .and_then(|v| r.html(v)),
        metadata: obj
            .get("metadata")
            .map(|m| items(m).filter_map(|e| r.pair(e)).collect())
            .unwrap_or_default(),
        thumbnail: thumbnail(obj, kind, &shown),
        rights: obj
            .get("rights")
            .or_else(|| obj.get("license"))
            .and_then(|v| items(v).find_map(uri_of))
            .and_then(|u| http_url(&u)),
        required_statement: required_statement(obj, &r),
        provider: providers(obj, &r),
        nav_date: obj
            .get("navDate")
            .and_then(Json::as_str)
            .map(str::to_string),
        canvas_count: canvases.len(),
        genre: genre(obj, kind, &canvases),
        paged: paged(obj),
        first_canvas: canvases.first().and_then(|c| id_of(c)),
        members,
        annotations,
        annotation_total,
        links: links(obj, &r),
        canvases: canvas_refs(&canvases, &r),
        collections: collections(obj, kind),
        part_of: obj
            .get("partOf")
            .or_else(|| obj.get("within"))
            .and_then(|p| items(p).filter(|p| is_manifest(p)).find_map(uri_of)),
        places: places(obj, &shown, &r),
    })
}

/// The places of the document (`navPlace`), its canvases', its ranges' and
/// a collection's members': a feature with no label of its own is named by
/// what holds it.
fn places(obj: &Object, canvases: &[&Object], r: &Reader) -> Vec<Place> {
    let within = |key: &str| -> Vec<&Object> {
        obj.get(key)
            .map(items)
            .into_iter()
            .flatten()
            .filter_map(Json::as_object)
            .filter(|o| {
                matches!(
                    detect_kind(o),
                    Some(ResourceKind::Range | ResourceKind::Manifest | ResourceKind::Collection)
                )
            })
            .collect()
    };
    let mut holders = vec![obj];
    holders.extend_from_slice(canvases);
    holders.extend(within("structures"));
    if detect_kind(obj) == Some(ResourceKind::Collection) {
        holders.extend(within("items"));
    }
    let text = |v: &Json| r.text(v);
    let mut out = Vec::new();
    for holder in holders {
        if let Some(nav_place) = holder.get("navPlace") {
            let label = holder.get("label").and_then(|l| r.text(l));
            nav_place::read(nav_place, label.as_ref(), &text, &mut out);
        }
    }
    out
}

/// What the document is, from its `type` or `@type`; the error names what
/// was found and what was expected.
fn kind_of(obj: &Object) -> Result<ResourceKind, String> {
    detect_kind(obj).ok_or_else(|| {
        let found = obj.get("type").or_else(|| obj.get("@type"));
        match found {
            Some(t) => format!("unknown IIIF type {t}; expected Manifest, Collection, Canvas, Range, AnnotationPage/AnnotationList or Annotation"),
            None => "no `type` or `@type`: expected a IIIF Presentation resource".to_string(),
        }
    })
}

/// The v3 `requiredStatement`, or a v2 `attribution` as one labelled
/// "Attribution".
fn required_statement(obj: &Object, r: &Reader) -> Option<MetadataEntry> {
    match obj.get("requiredStatement") {
        Some(v) => r.pair(v),
        None => obj
            .get("attribution")
            .and_then(|v| r.html(v))
            .map(|value| MetadataEntry {
                label: Text {
                    value: "Attribution".into(),
                    lang: Some("en".into()),
                },
                value,
            }),
    }
}

/// The document's own thumbnail, else the first of its canvases' (the
/// `shown` ones, an AV placeholder included), else a canvas's own image.
fn thumbnail(obj: &Object, kind: ResourceKind, shown: &[&Object]) -> Option<String> {
    obj.get("thumbnail")
        .and_then(thumbnail_of)
        .or_else(|| shown.iter().find_map(|c| canvas_thumbnail(c)))
        .or_else(|| {
            (kind == ResourceKind::Canvas)
                .then(|| canvas_thumbnail(obj))
                .flatten()
        })
}

/// An annotation's view, or an annotation page's first
/// [`MAX_ANNOTATIONS`] and how many it holds; none for other kinds.
fn annotations_of(obj: &Object, kind: ResourceKind, r: &Reader) -> (Vec<AnnotationView>, usize) {
    match kind {
        ResourceKind::Annotation => (vec![annotation(obj, r)], 1),
        ResourceKind::AnnotationPage => obj
            .get("items")
            .or_else(|| obj.get("resources"))
            .map(|v| {
                let all = items(v).filter_map(Json::as_object);
                let total = all.clone().count();
                let read = all.take(MAX_ANNOTATIONS).map(|a| annotation(a, r));
                (read.collect(), total)
            })
            .unwrap_or_default(),
        _ => (Vec::new(), 0),
    }
}

/// What the resource is: what its canvases paint, else what its catalogue
/// record says. Collections and annotations are what they are.
fn genre(obj: &Object, kind: ResourceKind, canvases: &[&Object]) -> Option<Genre> {
    match kind {
        ResourceKind::Manifest | ResourceKind::Range => {
            painted_genre(canvases.iter().copied(), obj).or_else(|| described_genre(obj))
        }
        ResourceKind::Canvas => {
            painted_genre(std::iter::once(obj), obj).or_else(|| described_genre(obj))
        }
        _ => None,
    }
}

/// The first [`MAX_CANVAS_REFS`] canvases with an id, with their labels.
fn canvas_refs(canvases: &[&Object], r: &Reader) -> Vec<CanvasRef> {
    canvases
        .iter()
        .take(MAX_CANVAS_REFS)
        .filter_map(|c| {
            Some(CanvasRef {
                id: id_of(c)?,
                label: c.get("label").and_then(|v| r.text(v)),
                image: painted_resource(c).and_then(|body| image_api::full_image(body, c)),
                rights: c
                    .get("rights")
                    .and_then(|v| items(v).find_map(uri_of))
                    .and_then(|u| http_url(&u)),
            })
        })
        .collect()
}

/// The collections a manifest or collection says it is part of: v3
/// `partOf` entries typed Collection, v2 `within` (a URI, or an object
/// typed `sc:Collection`).
fn collections(obj: &Object, kind: ResourceKind) -> Vec<String> {
    if !matches!(kind, ResourceKind::Manifest | ResourceKind::Collection) {
        return Vec::new();
    }
    let in_collection = |p: &Json| match p {
        Json::String(_) => true,
        other => other.as_object().and_then(detect_kind) == Some(ResourceKind::Collection),
    };
    obj.get("partOf")
        .or_else(|| obj.get("within"))
        .map(|p| {
            items(p)
                .filter(|p| in_collection(p))
                .filter_map(uri_of)
                .filter_map(|u| http_url(&u))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a `partOf`/`within` value may name a manifest: a URI, or an
/// object typed Manifest or untyped (a v2 search result list is `within` an
/// `sc:Layer`, a v3 page `partOf` an AnnotationCollection).
fn is_manifest(v: &Json) -> bool {
    let Json::Object(o) = v else { return true };
    o.get("type")
        .or_else(|| o.get("@type"))
        .and_then(|t| items(t).find_map(Json::as_str))
        .is_none_or(|t| t.rsplit(':').next() == Some("Manifest"))
}

/// `homepage`, v2 `related`, `seeAlso` and `rendering`, each a string, an
/// object or an array of either.
fn links(obj: &Object, r: &Reader) -> Vec<Link> {
    let mut out = Vec::new();
    for (key, kind) in [
        ("homepage", LinkKind::Homepage),
        ("related", LinkKind::Homepage),
        ("rendering", LinkKind::Rendering),
        ("seeAlso", LinkKind::SeeAlso),
    ] {
        for v in obj.get(key).map(items).into_iter().flatten() {
            let Some(url) = uri_of(v).and_then(|u| http_url(&u)) else {
                continue;
            };
            let field = |name: &str| {
                v.get(name)
                    .and_then(|f| items(f).find_map(Json::as_str))
                    .map(str::to_string)
            };
            let link = Link {
                kind,
                url,
                label: v.get("label").and_then(|l| r.text(l)),
                format: field("format").and_then(|f| media_type(&f)),
                profile: field("profile").or_else(|| field("dcterms:conformsTo")),
            };
            if !out
                .iter()
                .any(|l: &Link| l.url == link.url && l.kind == kind)
            {
                out.push(link);
            }
        }
    }
    out
}

/// The genre the painting bodies of `canvases` (v3 `items`, v2 `images`,
/// and the `mediaSequences` of the ixif extension v2 AV manifests use) say
/// when they are no images: any video makes a video, else any sound a
/// sound recording, else any 3D model a model; bodies that are all text or
/// all data make a text or a dataset. Images say nothing: they are every
/// manifest's default, which a site's default may refine (a manuscript).
fn painted_genre<'v, 'a: 'v>(
    canvases: impl Iterator<Item = &'v Object<'a>>,
    obj: &Object,
) -> Option<Genre> {
    let mut seen = Vec::new();
    let mut note = |body: &Json| {
        // A Choice (v3 `items`, v2 oa:Choice `default`/`item`) paints one of its items.
        let options: Vec<&Json> = ["items", "default", "item"]
            .into_iter()
            .filter_map(|k| body.get(k))
            .flat_map(items)
            .collect();
        for b in if options.is_empty() {
            vec![body]
        } else {
            options
        } {
            if let Some(g) = body_genre(b) {
                if !seen.contains(&g) {
                    seen.push(g);
                }
            }
        }
    };
    for canvas in canvases {
        // v3: canvas.items[] (AnnotationPage).items[] (Annotation).body
        for page in canvas.get("items").map(items).into_iter().flatten() {
            for anno in page.get("items").map(items).into_iter().flatten() {
                anno.get("body")
                    .map(items)
                    .into_iter()
                    .flatten()
                    .for_each(&mut note);
            }
        }
        // v2: canvas.images[].resource
        for anno in canvas.get("images").map(items).into_iter().flatten() {
            anno.get("resource")
                .map(items)
                .into_iter()
                .flatten()
                .for_each(&mut note);
        }
    }
    for sequence in obj.get("mediaSequences").map(items).into_iter().flatten() {
        sequence
            .get("elements")
            .map(items)
            .into_iter()
            .flatten()
            .for_each(&mut note);
    }
    let any = |g| seen.contains(&g);
    let only = |g| !seen.is_empty() && seen.iter().all(|s| *s == g);
    [Genre::Video, Genre::Audio, Genre::Model]
        .into_iter()
        .find(|g| any(*g))
        .or_else(|| [Genre::Text, Genre::Dataset].into_iter().find(|g| only(*g)))
}

/// What one painting body is, by its `type`/`@type` (v3 `Sound`, `Video`,
/// `Image`, `Text`, `Model`, `Dataset`; v2 `dctypes:Sound`, …) or else its
/// `format`'s media type.
fn body_genre(body: &Json) -> Option<Genre> {
    let by_type = body
        .get("type")
        .or_else(|| body.get("@type"))
        .and_then(|t| items(t).find_map(Json::as_str))
        .and_then(|t| {
            let t = t.rsplit(':').next().unwrap_or(t).to_ascii_lowercase();
            Some(match t.as_str() {
                "sound" | "audio" => Genre::Audio,
                "video" | "movingimage" => Genre::Video,
                "image" | "stillimage" => Genre::Image,
                "text" => Genre::Text,
                "model" => Genre::Model,
                "dataset" => Genre::Dataset,
                _ => return None,
            })
        });
    by_type.or_else(|| {
        let format = body
            .get("format")
            .and_then(|f| items(f).find_map(Json::as_str))?;
        let top = format.split('/').next()?.trim().to_ascii_lowercase();
        Some(match top.as_str() {
            "audio" => Genre::Audio,
            "video" => Genre::Video,
            "image" => Genre::Image,
            "text" => Genre::Text,
            "model" => Genre::Model,
            _ => return None,
        })
    })
}

/// The genre a catalogue record says: the value of the first metadata
/// entry whose label (in any of its languages) means type, genre, format
/// or object type and whose value names a genre; else the `Format: …` of
/// the Universal Viewer tracking service Wellcome Collection writes.
fn described_genre(obj: &Object) -> Option<Genre> {
    let from_metadata = obj
        .get("metadata")
        .map(items)
        .into_iter()
        .flatten()
        .find_map(|entry| {
            let mut labels = Vec::new();
            strings(entry.get("label")?, &mut labels);
            let typed = labels.iter().any(|l| {
                let l = l.trim().trim_end_matches(':').trim().to_lowercase();
                GENRE_LABELS.contains(&l.as_str())
            });
            if !typed {
                return None;
            }
            let mut values = Vec::new();
            strings(entry.get("value")?, &mut values);
            values
                .iter()
                .find_map(|v| Genre::from_description(&strip(v)))
        });
    from_metadata.or_else(|| {
        // v2 and v3 `service`, and v3's top-level `services`.
        let services = ["service", "services"]
            .into_iter()
            .filter_map(|k| obj.get(k))
            .flat_map(items);
        services.into_iter().find_map(|service| {
            let profile = service.get("profile").and_then(Json::as_str)?;
            if !profile.contains("tracking-extensions") {
                return None;
            }
            let mut labels = Vec::new();
            strings(service.get("label")?, &mut labels);
            labels.iter().find_map(|l| {
                let format = l.strip_prefix("Format:")?.split(',').next()?;
                Genre::from_description(format)
            })
        })
    })
}

/// Every string of a label-like value, in every language.
fn strings<'v>(v: &'v Json, out: &mut Vec<&'v str>) {
    match v {
        Json::String(s) => out.push(s),
        Json::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Json::Object(o) => match o.get("@value") {
            Some(value) => strings(value, out),
            None => o.values().for_each(|x| strings(x, out)),
        },
        _ => {}
    }
}

/// Whether the manifest is shown as a book (v3 `behavior`, v2
/// `viewingHint` of the manifest or its first sequence: `paged`).
fn paged(obj: &Object) -> bool {
    let says_paged = |o: &Object| {
        ["behavior", "viewingHint"]
            .into_iter()
            .filter_map(|k| o.get(k))
            .flat_map(items)
            .any(|h| h.as_str() == Some("paged"))
    };
    says_paged(obj)
        || obj
            .get("sequences")
            .and_then(|s| items(s).next())
            .and_then(Json::as_object)
            .is_some_and(says_paged)
}

/// `format` when it is a media type (`type/subtype`, optionally `;name=value`
/// parameters), which pages write into `type` attributes; anything else is
/// dropped, since HTML allows nothing else there.
fn media_type(format: &str) -> Option<String> {
    fn token(s: &str) -> bool {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    }
    let format = format.trim();
    let mut parts = format.split(';');
    let essence = parts.next()?.trim();
    let (kind, sub) = essence.split_once('/')?;
    let params_ok = parts.all(|p| {
        p.trim().split_once('=').is_some_and(|(name, value)| {
            token(name)
                && (token(value)
                    || (value.len() >= 2
                        && value.starts_with('"')
                        && value.ends_with('"')
                        && !value[1..value.len() - 1].contains(['"', '\\'])))
        })
    });
    (token(kind) && token(sub) && params_ok).then(|| format.to_string())
}

/// The Presentation version of a parsed document (3 when it is no object).
pub fn version_of(value: &Json) -> PresentationVersion {
    value
        .as_object()
        .map_or(PresentationVersion::V3, detect_version)
}

fn detect_version(obj: &Object) -> PresentationVersion {
    let contexts: Vec<&str> = obj
        .get("@context")
        .map(|c| items(c).filter_map(Json::as_str).collect())
        .unwrap_or_default();
    if contexts.iter().any(|c| c.contains("presentation/3")) {
        PresentationVersion::V3
    } else if contexts.iter().any(|c| c.contains("presentation/2"))
        || obj.contains_key("@id")
        || obj.contains_key("@type")
    {
        // A 2.x context, or none at all but JSON-LD keywords of the 2.x style.
        PresentationVersion::V2
    } else {
        PresentationVersion::V3
    }
}

fn detect_kind(obj: &Object) -> Option<ResourceKind> {
    let t = obj.get("type").or_else(|| obj.get("@type"))?;
    items(t)
        .filter_map(Json::as_str)
        .find_map(ResourceKind::from_type)
}

/// A value or each element of an array (a slice, so nothing is allocated).
fn items<'v, 'a>(v: &'v Json<'a>) -> std::slice::Iter<'v, Json<'a>> {
    match v {
        Json::Array(a) => a.iter(),
        Json::Null => [].iter(),
        other => std::slice::from_ref(other).iter(),
    }
}

fn id_of(obj: &Object) -> Option<String> {
    obj.get("id")
        .or_else(|| obj.get("@id"))
        .and_then(Json::as_str)
        .map(str::to_string)
}

/// A URI given as a string or as an object with `id`/`@id`.
fn uri_of(v: &Json) -> Option<String> {
    match v {
        Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Json::Object(o) => id_of(o),
        _ => None,
    }
}

fn thumbnail_of(v: &Json) -> Option<String> {
    items(v).find_map(|t| match t {
        Json::Object(o) => id_of(o)
            .and_then(|u| http_url(&u))
            .or_else(|| o.get("service").and_then(service_image)),
        other => uri_of(other).and_then(|u| http_url(&u)),
    })
}

/// A thumbnail-sized image URL from an Image API service.
fn service_image(service: &Json) -> Option<String> {
    let base = items(service).find_map(|s| s.as_object().and_then(id_of))?;
    http_url(&format!(
        "{}/full/!400,400/0/default.jpg",
        base.trim_end_matches('/')
    ))
}

fn canvases<'v, 'a>(obj: &'v Object<'a>, version: PresentationVersion) -> Vec<&'v Object<'a>> {
    let list = match version {
        PresentationVersion::V3 => obj.get("items"),
        PresentationVersion::V2 => obj
            .get("sequences")
            .and_then(|s| items(s).next())
            .and_then(|s| s.get("canvases"))
            .or_else(|| obj.get("canvases")),
    };
    list.map(|l| {
        items(l)
            .filter_map(Json::as_object)
            .filter(|c| detect_kind(c) == Some(ResourceKind::Canvas))
            .collect()
    })
    .unwrap_or_default()
}

/// Whether the manifest's sequence only stands in for `mediaSequences`
/// (ixif's `compatibilityHint: displayIfContentUnsupported`).
fn placeholder_sequence(obj: &Object) -> bool {
    obj.contains_key("mediaSequences")
        && obj
            .get("sequences")
            .and_then(|s| items(s).next())
            .and_then(|s| s.get("compatibilityHint"))
            .and_then(Json::as_str)
            == Some("displayIfContentUnsupported")
}

/// A canvas's own thumbnail, else an image from its first painting annotation.
fn canvas_thumbnail(canvas: &Object) -> Option<String> {
    if let Some(t) = canvas.get("thumbnail").and_then(thumbnail_of) {
        return Some(t);
    }
    let resource = painted_resource(canvas)?;
    if let Some(img) = resource.get("service").and_then(service_image) {
        return Some(img);
    }
    let is_image = resource
        .get("type")
        .or_else(|| resource.get("@type"))
        .and_then(Json::as_str)
        .is_some_and(|t| t.ends_with("Image"));
    is_image
        .then(|| resource.as_object().and_then(id_of))
        .flatten()
        .and_then(|u| http_url(&u))
}

/// What a canvas's first painting annotation paints (a choice's default).
fn painted_resource<'v, 'a>(canvas: &'v Object<'a>) -> Option<&'v Json<'a>> {
    // v2: images[0].resource; v3: items[0].items[0].body
    let resource = canvas
        .get("images")
        .and_then(|i| items(i).next())
        .and_then(|a| a.get("resource"))
        .or_else(|| {
            canvas
                .get("items")
                .and_then(|p| items(p).next())
                .and_then(|p| p.get("items"))
                .and_then(|a| items(a).next())
                .and_then(|a| a.get("body"))
        })?;
    match resource.get("items").or_else(|| resource.get("default")) {
        // Choice (v3 items, v2 oa:Choice default)
        Some(choice) if resource.get("service").is_none() => items(choice).next(),
        _ => items(resource).next(),
    }
}

fn members(obj: &Object, r: &Reader) -> Vec<Member> {
    let mut out = Vec::new();
    for key in ["items", "members", "collections", "manifests"] {
        for m in obj.get(key).map(items).into_iter().flatten() {
            let Some(m) = m.as_object() else { continue };
            let (Some(id), Some(kind)) = (id_of(m), detect_kind(m)) else {
                continue;
            };
            if !matches!(kind, ResourceKind::Manifest | ResourceKind::Collection) {
                continue;
            }
            out.push(Member {
                id,
                kind,
                label: m.get("label").and_then(|v| r.text(v)),
                thumbnail: m.get("thumbnail").and_then(thumbnail_of),
            });
        }
    }
    out
}

fn providers(obj: &Object, r: &Reader) -> Vec<Provider> {
    if let Some(p) = obj.get("provider") {
        return items(p)
            .filter_map(Json::as_object)
            .map(|p| Provider {
                label: p.get("label").and_then(|v| r.name(v)),
                homepage: p
                    .get("homepage")
                    .and_then(|h| items(h).find_map(uri_of))
                    .and_then(|u| http_url(&u)),
                logo: p.get("logo").and_then(thumbnail_of),
            })
            .collect();
    }
    obj.get("logo")
        .and_then(thumbnail_of)
        .map(|logo| {
            vec![Provider {
                label: None,
                homepage: None,
                logo: Some(logo),
            }]
        })
        .unwrap_or_default()
}

/// The last segment of a motivation or purpose (`oa:commenting` ->
/// `commenting`).
fn short_name(m: &str) -> &str {
    m.rsplit([':', '#', '/']).next().unwrap_or(m)
}

fn annotation(a: &Object, r: &Reader) -> AnnotationView {
    let motivations: Vec<&str> = a
        .get("motivation")
        .map(|m| items(m).filter_map(Json::as_str).map(short_name).collect())
        .unwrap_or_default();
    let only_tagging = !motivations.is_empty() && motivations.iter().all(|m| *m == "tagging");
    // A tag is a body typed Tag, or with the purpose tagging, or any text
    // body of an annotation whose only motivation is tagging (cookbook 0021).
    let is_tag = |b: &Json| {
        let typed = b
            .get("type")
            .or_else(|| b.get("@type"))
            .and_then(|t| items(t).find_map(Json::as_str))
            .is_some_and(|t| short_name(t) == "Tag");
        let purpose = b
            .get("purpose")
            .and_then(|p| items(p).find_map(Json::as_str))
            .is_some_and(|p| short_name(p) == "tagging");
        typed || purpose || only_tagging
    };
    let bodies: Vec<&Json> = a
        .get("body")
        .or_else(|| a.get("resource"))
        .map(|b| items(b).collect())
        .unwrap_or_default();
    let tags: Vec<String> = bodies
        .iter()
        .filter(|b| is_tag(b))
        .filter_map(|b| body_text(b))
        .map(|t| strip(&t))
        .filter(|t| !t.is_empty())
        .collect();
    let text: Vec<&Json> = bodies.iter().copied().filter(|b| !is_tag(b)).collect();
    let body = (!text.is_empty()).then(|| text_body(&text, r)).flatten();
    let motivation = match body {
        Some(_) => motivations
            .iter()
            .find(|m| **m != "tagging")
            .or(motivations.first()),
        None => motivations.first(),
    }
    .map(|m| m.to_string());
    let target_ref = a
        .get("target")
        .or_else(|| a.get("on"))
        .and_then(|t| items(t).find_map(|t| target_ref(t, r)));
    AnnotationView {
        body,
        tags,
        motivation,
        target_ref,
    }
}

/// A body's text: a string, or an object's `value` (v3 TextualBody),
/// `chars` (v2 `cnt:ContentAsText`) or `@value`.
fn body_text(b: &Json) -> Option<String> {
    match b {
        Json::String(s) => Some(s.to_string()),
        Json::Object(o) => o
            .get("value")
            .or_else(|| o.get("chars"))
            .or_else(|| o.get("@value"))
            .and_then(Json::as_str)
            .map(str::to_string),
        _ => None,
    }
}

/// Text bodies as one sanitised text; bodies in several languages
/// (cookbook 0346) give the site's language.
fn text_body(bodies: &[&Json], r: &Reader) -> Option<Html> {
    let langs: Vec<&str> = bodies
        .iter()
        .map(|b| {
            b.get("language")
                .or_else(|| b.get("@language"))
                .and_then(|l| items(l).find_map(Json::as_str))
                .unwrap_or("none")
        })
        .collect();
    let best = r.pick(langs.iter().copied());
    let mut lang = None;
    let parts: Vec<String> = bodies
        .iter()
        .zip(&langs)
        .filter(|(_, l)| best.as_deref().is_none_or(|b| b == **l))
        .filter_map(|(b, l)| {
            let text = body_text(b)?;
            if *l != "none" {
                lang = html_lang(l);
            }
            Some(text)
        })
        .collect();
    // A body of nothing but markup the sanitiser removes is no body.
    Some(sanitize(&parts.join(" "), lang)).filter(|h| !h.html.trim().is_empty())
}

/// An annotation target as canvas, region and (when the document says)
/// manifest, with their labels when given: a URI with `#xywh=`, or a
/// SpecificResource with `source` (v2 `full`), a FragmentSelector (also as
/// the default of a v2 `oa:Choice`) and `partOf`/`within`.
fn target_ref(t: &Json, r: &Reader) -> Option<TargetRef> {
    let label = |v: &Json| v.get("label").and_then(|l| r.text(l));
    let (uri, selector, part_of, canvas_label) = match t {
        Json::String(s) => (s.to_string(), None, None, None),
        Json::Object(o) => {
            let source = o.get("source").or_else(|| o.get("full"));
            let uri = source.and_then(uri_of).or_else(|| id_of(o))?;
            let selector = o
                .get("selector")
                .and_then(|s| items(s).next())
                .and_then(|s| {
                    s.get("value")
                        .and_then(Json::as_str)
                        .filter(|v| v.starts_with("xywh="))
                        .or_else(|| s.get("default")?.get("value")?.as_str())
                })
                .map(str::to_string);
            let part_of = [Some(t), source]
                .into_iter()
                .flatten()
                .filter_map(|v| v.get("partOf").or_else(|| v.get("within")))
                .flat_map(items)
                .find(|p| is_manifest(p));
            let canvas_label = source.and_then(label).or_else(|| label(t));
            (uri, selector, part_of, canvas_label)
        }
        _ => return None,
    };
    let (source, fragment) = match uri.split_once('#') {
        Some((s, f)) => (s.to_string(), Some(f.to_string())),
        None => (uri, None),
    };
    let region = selector
        .or(fragment)
        .and_then(|f| f.strip_prefix("xywh=").map(str::to_string))
        .map(|r| r.trim_start_matches("pixel:").to_string())
        .filter(|r| valid_region(r));
    Some(TargetRef {
        source,
        region,
        manifest: part_of.and_then(uri_of),
        label: canvas_label,
        manifest_label: part_of.and_then(label),
    })
}

/// `x,y,w,h` with non-negative numbers.
pub fn valid_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split(',').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            p.trim()
                .parse::<f64>()
                .is_ok_and(|n| n >= 0.0 && n.is_finite())
        })
}

/// ISO 639-1 two-letter language codes, all of which the IANA language
/// subtag registry holds.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca \
ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu \
gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko \
kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl \
nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn \
so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo \
xh yi yo za zh zu";

/// A manifest's language as an HTML `lang` value (issue 4: the Nu Html
/// Checker rejects what is no BCP 47 tag). Real manifests write `English`,
/// `jp` or `en_US`: `_` becomes `-`, and a tag whose primary subtag is not
/// an ISO 639-1 code or three letters (ISO 639-2/3), or whose other subtags
/// are not 1 to 8 letters and digits, is dropped, so the text takes the
/// page's language instead of a wrong one.
fn html_lang(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-");
    let mut subtags = tag.split('-');
    let primary = subtags.next()?.to_ascii_lowercase();
    let primary_ok = primary.bytes().all(|b| b.is_ascii_lowercase())
        && match primary.len() {
            2 => ISO_639_1.split_ascii_whitespace().any(|c| c == primary),
            3 => true,
            _ => false,
        };
    let rest_ok = subtags
        .clone()
        .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
    (primary_ok && rest_ok).then(|| {
        std::iter::once(primary.as_str())
            .chain(subtags)
            .collect::<Vec<_>>()
            .join("-")
    })
}

/// Picks text out of IIIF language values by the site's languages.
struct Reader<'a> {
    languages: &'a [String],
}

impl Reader<'_> {
    /// The best-language values of a label-like value, with their language
    /// when it can stand in a `lang` attribute.
    fn values(&self, v: &Json) -> Option<(Vec<String>, Option<String>)> {
        self.tagged_values(v)
            .map(|(values, lang)| (values, lang.as_deref().and_then(html_lang)))
    }

    /// [`Reader::values`] with the language as the document wrote it.
    fn tagged_values(&self, v: &Json) -> Option<(Vec<String>, Option<String>)> {
        match v {
            Json::String(s) => Some((vec![s.to_string()], None)),
            Json::Number(n) => Some((vec![n.to_string()], None)),
            Json::Object(o) if o.contains_key("@value") => {
                let value = o.get("@value").and_then(Json::as_str)?.to_string();
                let lang = o
                    .get("@language")
                    .and_then(Json::as_str)
                    .map(str::to_string);
                Some((vec![value], lang))
            }
            Json::Object(map) => {
                // v3 language map
                let key = self.pick(map.keys())?;
                let values: Vec<String> =
                    items(map.get(&key).expect("the key was picked from the map"))
                        .filter_map(|x| match x {
                            Json::String(s) => Some(s.to_string()),
                            Json::Number(n) => Some(n.to_string()),
                            _ => None,
                        })
                        .collect();
                let lang = (key != "none" && key != "@none").then_some(key);
                (!values.is_empty()).then_some((values, lang))
            }
            Json::Array(arr) => {
                // v2: strings and/or {"@value", "@language"} objects
                let tagged: Vec<(Option<String>, &Json)> = arr
                    .iter()
                    .map(|x| {
                        let lang = x
                            .get("@language")
                            .and_then(Json::as_str)
                            .map(str::to_string);
                        (lang, x)
                    })
                    .collect();
                let langs: Vec<&str> = tagged
                    .iter()
                    .map(|(l, _)| l.as_deref().unwrap_or("none"))
                    .collect();
                let best = self.pick(langs.iter().copied())?;
                let mut values = Vec::new();
                for (l, x) in &tagged {
                    if l.as_deref().unwrap_or("none") == best {
                        if let Some((vs, _)) = self.tagged_values(x) {
                            values.extend(vs);
                        }
                    }
                }
                let lang = (best != "none").then_some(best);
                (!values.is_empty()).then_some((values, lang))
            }
            _ => None,
        }
    }

    /// Choose a language key: an exact preferred language, then one with the
    /// same primary subtag, then `none`/`@none`, then the first.
    fn pick<'k>(&self, keys: impl Iterator<Item = &'k str> + Clone) -> Option<String> {
        for want in self.languages {
            if let Some(k) = keys.clone().find(|k| k.eq_ignore_ascii_case(want)) {
                return Some(k.to_string());
            }
            let primary = want.split('-').next().unwrap_or(want);
            if let Some(k) = keys.clone().find(|k| {
                k.split('-')
                    .next()
                    .is_some_and(|p| p.eq_ignore_ascii_case(primary))
            }) {
                return Some(k.to_string());
            }
        }
        if let Some(k) = keys.clone().find(|k| *k == "none" || *k == "@none") {
            return Some(k.to_string());
        }
        keys.clone().next().map(str::to_string)
    }

    fn text(&self, v: &Json) -> Option<Text> {
        let (values, lang) = self.values(v)?;
        let value = values
            .iter()
            .map(|s| strip(s))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        (!value.is_empty()).then_some(Text { value, lang })
    }

    /// A name: the first line of the first value. A provider's label in
    /// several values (Wellcome's) is its name followed by its address,
    /// telephone and e-mail, which are no part of a citation's publisher.
    fn name(&self, v: &Json) -> Option<Text> {
        let (values, lang) = self.values(v)?;
        let value = values
            .iter()
            .find_map(|s| s.lines().map(strip).find(|l| !l.is_empty()))?;
        Some(Text { value, lang })
    }

    fn html(&self, v: &Json) -> Option<Html> {
        let (values, lang) = self.values(v)?;
        let parts: Vec<Html> = values
            .iter()
            .map(|s| sanitize(s, None))
            .filter(|h| !h.html.is_empty())
            .collect();
        if parts.is_empty() {
            return None;
        }
        Some(Html {
            html: parts
                .iter()
                .map(|h| h.html.as_str())
                .collect::<Vec<_>>()
                .join("<br>"),
            text: parts
                .iter()
                .map(|h| h.text.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            lang,
        })
    }

    fn pair(&self, v: &Json) -> Option<MetadataEntry> {
        let o = v.as_object()?;
        let label = o.get("label").and_then(|l| self.text(l))?;
        let value = o.get("value").and_then(|x| self.html(x))?;
        Some(MetadataEntry { label, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn en() -> Vec<String> {
        vec!["en".to_string()]
    }

    #[test]
    fn languages_must_be_language_tags() {
        let cases = [
            ("en", Some("en")),
            ("de-DE", Some("de-DE")),
            ("en_US", Some("en-US")),
            ("FR", Some("fr")),
            ("cym", Some("cym")),
            ("zh-Hant-TW", Some("zh-Hant-TW")),
            ("English", None),
            ("jp", None),
            ("e", None),
            ("en-", None),
            ("en-toolongsubtag", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(html_lang(input).as_deref(), expected, "{input}");
        }
        let r = Reader { languages: &[] };
        let arena = Bump::new();
        let text =
            |v: serde_json::Value| r.text(&parse_json(v.to_string().as_bytes(), &arena).unwrap());
        let t = text(json!({"English": ["Front"]})).unwrap();
        assert_eq!((t.value.as_str(), t.lang), ("Front", None));
        let t = text(json!([{"@value": "巻", "@language": "jp"}])).unwrap();
        assert_eq!((t.value.as_str(), t.lang), ("巻", None));
    }

    #[test]
    fn formats_must_be_media_types() {
        let cases = [
            ("text/html", Some("text/html")),
            (" application/ld+json ", Some("application/ld+json")),
            (
                "application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\"",
                Some("application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\""),
            ),
            ("text/html; charset=utf-8", Some("text/html; charset=utf-8")),
            ("text/html\" onclick=\"alert(22)", None),
            ("text/html;x=\"a\"b\"", None),
            ("html", None),
            ("text/", None),
            ("text/html;", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(media_type(input).as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn v3_manifest() {
        let m = json!({
            "@context": "http://iiif.io/api/presentation/3/context.json",
            "id": "https://x.org/m", "type": "Manifest",
            "label": {"fr": ["Livre"], "en": ["Book"]},
            "summary": {"none": ["<p>A <script>x</script>book</p>"]},
            "metadata": [{"label": {"en": ["Date"]}, "value": {"none": ["1450"]}}],
            "rights": "http://creativecommons.org/licenses/by/4.0/",
            "requiredStatement": {"label": {"en": ["Attribution"]}, "value": {"en": ["Library"]}},
            "items": [{"id": "https://x.org/c1", "type": "Canvas", "items": [{"type": "AnnotationPage", "items": [{"type": "Annotation", "body": {"id": "https://x.org/i.jpg", "type": "Image", "service": [{"id": "https://x.org/iiif/1", "type": "ImageService3"}]}}]}]}]
        });
        let r = parse(m.to_string().as_bytes(), &en()).unwrap();
        assert_eq!(r.kind, ResourceKind::Manifest);
        assert_eq!(r.version, PresentationVersion::V3);
        assert_eq!(r.label.unwrap().value, "Book");
        assert_eq!(r.summary.unwrap().html, "<p>A book</p>");
        assert_eq!(r.metadata[0].value.text, "1450");
        assert_eq!(r.canvas_count, 1);
        assert_eq!(
            r.thumbnail.unwrap(),
            "https://x.org/iiif/1/full/!400,400/0/default.jpg"
        );
    }

    #[test]
    fn v2_without_context() {
        let m = json!({
            "@id": "https://x.org/m", "@type": "sc:Manifest",
            "label": [{"@value": "Titre", "@language": "fr"}, {"@value": "Title", "@language": "en"}],
            "attribution": "Some library",
            "license": ["https://rightsstatements.org/vocab/InC/1.0/"],
            "sequences": [{"canvases": [{"@id": "c1", "@type": "sc:Canvas"}, {"@id": "c2", "@type": "sc:Canvas"}]}]
        });
        let r = parse(m.to_string().as_bytes(), &en()).unwrap();
        assert_eq!(r.version, PresentationVersion::V2);
        let label = r.label.unwrap();
        assert_eq!(label.value, "Title");
        assert_eq!(label.lang.as_deref(), Some("en"));
        assert_eq!(r.canvas_count, 2);
        assert_eq!(r.first_canvas.as_deref(), Some("c1"));
        assert_eq!(r.required_statement.unwrap().value.text, "Some library");
        assert!(r.rights.unwrap().contains("rightsstatements"));
    }

    #[test]
    fn unknown_type_is_an_error() {
        let err = parse(br#"{"@type": "foo"}"#, &en()).unwrap_err();
        assert!(err.starts_with(r#"unknown IIIF type "foo";"#), "{err}");
        assert!(parse(b"{oops", &en()).unwrap_err().contains("line 1"));
    }
}
