//! The whole image a canvas paints, as a visitor downloads it: through the
//! image's IIIF Image API service when it has one, at the largest size that
//! version of the API names, else the static image itself. Only what the
//! manifest says is read: no `info.json` is fetched.

use crate::load::json::{Json, Object};
use crate::model::resource::{http_url, FullImage};

/// The Image API versions, which name the whole image differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ApiVersion {
    /// 1.x: `full/full/0/native.jpg`.
    V1,
    /// 2.x: `full/full/0/default.jpg`; `full/max` from 2.1.
    V2,
    /// 3.x: `full/max/0/default.jpg` (`full` is no longer a size).
    V3,
}

/// The whole image `body` (a painting annotation's body, a v2 image
/// resource, a choice already resolved to its default) paints on `canvas`.
/// Its pixel size is the image's when the document gives it, else the
/// service's, else the canvas's (which most publishers make the image's).
pub(super) fn full_image(body: &Json, canvas: &Object) -> Option<FullImage> {
    let body_obj = body.as_object()?;
    // The newest version a body's services offer (Bodleian's offer 2 and
    // 3 side by side).
    let service = body.get("service").and_then(|s| {
        items(s)
            .filter_map(Json::as_object)
            .filter_map(image_service)
            .max_by_key(|(_, version, _)| *version)
    });
    if let Some((base, version, service)) = service {
        let size = dimensions(body_obj)
            .or_else(|| dimensions(service))
            .or_else(|| dimensions(canvas));
        let limits = Limits::of(service);
        // Image API 2.0 and 2.1 share one context: a 2.x service that
        // states size limits (new in 2.1) is 2.1, where `max` is what
        // honours them (`full` past them is an error); 2.0 knows only
        // `full`, which 2.1 still requires every server to accept.
        let (size_keyword, quality) = match version {
            ApiVersion::V1 => ("full", "native"),
            ApiVersion::V2 if limits.any() => ("max", "default"),
            ApiVersion::V2 => ("full", "default"),
            ApiVersion::V3 => ("max", "default"),
        };
        let url = format!(
            "{}/full/{size_keyword}/0/{quality}.jpg",
            base.trim_end_matches('/')
        );
        if let Some(url) = http_url(&url) {
            return Some(FullImage {
                url,
                size: size.map(|s| limits.fit(s)),
            });
        }
    }
    let is_image = string_of(body_obj, &["type", "@type"]).is_some_and(|t| t.ends_with("Image"))
        || string_of(body_obj, &["format"]).is_some_and(|f| f.starts_with("image/"));
    let url = string_of(body_obj, &["id", "@id"]).and_then(http_url)?;
    is_image.then(|| FullImage {
        url,
        size: dimensions(body_obj).or_else(|| dimensions(canvas)),
    })
}

/// A service's base URL and Image API version, when it is an image
/// service (`type`, else what its `@context` or `profile` URIs name).
fn image_service<'s, 'a>(s: &'s Object<'a>) -> Option<(&'s str, ApiVersion, &'s Object<'a>)> {
    let base = string_of(s, &["id", "@id"])?;
    let by_type = match string_of(s, &["type", "@type"]) {
        Some("ImageService3") => Some(ApiVersion::V3),
        Some("ImageService2") => Some(ApiVersion::V2),
        Some("ImageService1") => Some(ApiVersion::V1),
        _ => None,
    };
    let version = by_type.or_else(|| {
        ["@context", "profile"]
            .iter()
            .filter_map(|k| s.get(k))
            .flat_map(items)
            .filter_map(Json::as_str)
            .find_map(version_of_uri)
    })?;
    Some((base, version, s))
}

/// The Image API version a context or profile URI names.
fn version_of_uri(uri: &str) -> Option<ApiVersion> {
    if uri.contains("iiif.io/api/image/3") {
        Some(ApiVersion::V3)
    } else if uri.contains("iiif.io/api/image/2") {
        Some(ApiVersion::V2)
    } else if uri.contains("iiif.io/api/image/1") || uri.contains("iiif/image-api/1") {
        Some(ApiVersion::V1)
    } else {
        None
    }
}

/// The size limits a service states (Image API 2.1 and 3: `maxWidth`,
/// `maxHeight`, `maxArea`, on the service or, in 2.1, in its profile
/// description).
#[derive(Debug, Default, Clone, Copy)]
struct Limits {
    width: Option<u64>,
    height: Option<u64>,
    area: Option<u64>,
}

impl Limits {
    fn of(service: &Object) -> Self {
        let profile = service
            .get("profile")
            .map(items)
            .into_iter()
            .flatten()
            .filter_map(Json::as_object);
        let mut limits = Limits::default();
        for o in std::iter::once(service).chain(profile) {
            limits.width = limits.width.or_else(|| number(o, "maxWidth"));
            limits.height = limits.height.or_else(|| number(o, "maxHeight"));
            limits.area = limits.area.or_else(|| number(o, "maxArea"));
        }
        limits
    }

    fn any(&self) -> bool {
        self.width.is_some() || self.height.is_some() || self.area.is_some()
    }

    /// The size `max` answers for an image of `(w, h)`: scaled down, in
    /// proportion, to the limits (a `maxWidth` alone limits the height
    /// too, as the specification tells clients to infer).
    fn fit(&self, (w, h): (u64, u64)) -> (u64, u64) {
        let mut scale: f64 = 1.0;
        let max_height = self.height.or(self.width);
        if let Some(mw) = self.width {
            scale = scale.min(mw as f64 / w as f64);
        }
        if let Some(mh) = max_height {
            scale = scale.min(mh as f64 / h as f64);
        }
        if let Some(ma) = self.area {
            scale = scale.min((ma as f64 / (w as f64 * h as f64)).sqrt());
        }
        if scale >= 1.0 {
            return (w, h);
        }
        let at = |n: u64| ((n as f64 * scale).floor() as u64).max(1);
        (at(w), at(h))
    }
}

/// `width` and `height`, both positive whole numbers.
fn dimensions(o: &Object) -> Option<(u64, u64)> {
    Some((number(o, "width")?, number(o, "height")?))
}

fn number(o: &Object, key: &str) -> Option<u64> {
    match o.get(key)? {
        Json::Number(n) => n.as_u64().filter(|n| *n > 0),
        _ => None,
    }
}

/// The first of `keys` that holds a non-empty string.
fn string_of<'s>(o: &'s Object, keys: &[&str]) -> Option<&'s str> {
    keys.iter()
        .find_map(|k| o.get(k)?.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A value or each element of an array.
fn items<'v, 'a>(v: &'v Json<'a>) -> std::slice::Iter<'v, Json<'a>> {
    match v {
        Json::Array(a) => a.iter(),
        Json::Null => [].iter(),
        other => std::slice::from_ref(other).iter(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::json::from_slice;

    fn image(body: &str, canvas: &str) -> Option<FullImage> {
        let arena = bumpalo::Bump::new();
        let body = from_slice(body.as_bytes(), &arena).unwrap();
        let canvas = from_slice(canvas.as_bytes(), &arena).unwrap();
        full_image(&body, canvas.as_object().unwrap())
    }

    #[test]
    fn image_api_3_gives_max() {
        let got = image(
            r#"{"id":"https://i.org/a/full/max/0/default.jpg","type":"Image","service":[{"id":"https://i.org/a/","type":"ImageService3","profile":"level1"}]}"#,
            r#"{"width":3000,"height":4000}"#,
        )
        .unwrap();
        assert_eq!(got.url, "https://i.org/a/full/max/0/default.jpg");
        assert_eq!(got.size, Some((3000, 4000)));
    }

    #[test]
    fn image_api_2_gives_full_unless_it_states_2_1_limits() {
        let plain = r#"{"@id":"https://i.org/b.jpg","@type":"dctypes:Image","width":10,"height":20,
            "service":{"@context":"http://iiif.io/api/image/2/context.json","@id":"https://i.org/b","profile":"http://iiif.io/api/image/2/level2.json"}}"#;
        let got = image(plain, "{}").unwrap();
        assert_eq!(got.url, "https://i.org/b/full/full/0/default.jpg");
        assert_eq!(got.size, Some((10, 20)));
        let limited = r#"{"@id":"https://i.org/b.jpg","service":{"@context":"http://iiif.io/api/image/2/context.json","@id":"https://i.org/b",
            "profile":["http://iiif.io/api/image/2/level2.json",{"maxWidth":1000}]}}"#;
        let got = image(limited, r#"{"width":4000,"height":2000}"#).unwrap();
        assert_eq!(got.url, "https://i.org/b/full/max/0/default.jpg");
        assert_eq!(got.size, Some((1000, 500)));
    }

    #[test]
    fn the_newest_of_several_services() {
        let got = image(
            r#"{"id":"x","service":[{"@id":"https://i.org/e","@type":"ImageService2"},{"id":"https://i.org/e","type":"ImageService3"}]}"#,
            "{}",
        )
        .unwrap();
        assert_eq!(got.url, "https://i.org/e/full/max/0/default.jpg");
    }

    #[test]
    fn image_api_1_gives_native() {
        let got = image(
            r#"{"@id":"x","service":{"@id":"https://i.org/c","profile":"http://library.stanford.edu/iiif/image-api/1.1/compliance.html#level1"}}"#,
            "{}",
        )
        .unwrap();
        assert_eq!(got.url, "https://i.org/c/full/full/0/native.jpg");
        assert_eq!(got.size, None);
    }

    #[test]
    fn without_a_service_the_static_image() {
        let got = image(
            r#"{"id":"https://i.org/d.png","type":"Image","format":"image/png"}"#,
            r#"{"width":7,"height":9}"#,
        )
        .unwrap();
        assert_eq!(got.url, "https://i.org/d.png");
        assert_eq!(got.size, Some((7, 9)));
        assert_eq!(
            image(r#"{"id":"https://i.org/v.mp4","type":"Video"}"#, "{}"),
            None
        );
        assert_eq!(image(r#"{"id":"javascript:x","type":"Image"}"#, "{}"), None);
    }
}
