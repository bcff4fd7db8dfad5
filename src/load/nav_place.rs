//! IIIF `navPlace` (the Presentation 3 navPlace extension: a GeoJSON
//! FeatureCollection on a Manifest, Collection, Canvas or Range) ->
//! [`Place`]s. Tolerant as the rest of loading is: a lone Feature stands
//! for a collection of one, and a feature whose geometry is missing (given
//! by reference only), of a kind not shown, or out of range is passed over
//! rather than failing the page.

use crate::load::json::Json;
use crate::model::place::{round, Place, Position, Shape};
use crate::model::resource::Text;

/// How many places one resource keeps: a landing page lists them all, and
/// stays small.
pub const MAX_PLACES: usize = 50;

/// Add the places of one `navPlace` value to `out` (up to
/// [`MAX_PLACES`]). `fallback` labels a feature with no
/// `properties.label`; `text` reads a language map.
pub fn read(
    nav_place: &Json,
    fallback: Option<&Text>,
    text: &dyn Fn(&Json) -> Option<Text>,
    out: &mut Vec<Place>,
) {
    let features: Vec<&Json> = match nav_place.get("features") {
        Some(Json::Array(fs)) => fs.iter().collect(),
        Some(_) => Vec::new(),
        None => vec![nav_place],
    };
    for feature in features {
        let label = feature
            .get("properties")
            .and_then(|p| p.get("label"))
            .and_then(text)
            .or_else(|| fallback.cloned());
        let mut shapes = Vec::new();
        if let Some(g) = feature.get("geometry") {
            geometry(g, &mut shapes);
        }
        for shape in shapes {
            if out.len() == MAX_PLACES {
                return;
            }
            out.push(Place {
                label: label.clone(),
                shape,
            });
        }
    }
}

/// The shapes of a GeoJSON geometry: the parts of a Multi* geometry or a
/// GeometryCollection each one.
fn geometry(g: &Json, out: &mut Vec<Shape>) {
    let coordinates = g.get("coordinates");
    let kind = g.get("type").and_then(Json::as_str).unwrap_or("");
    match kind {
        "Point" => out.extend(coordinates.and_then(position).map(Shape::Point)),
        "MultiPoint" => out.extend(
            parts(coordinates)
                .into_iter()
                .filter_map(position)
                .map(Shape::Point),
        ),
        "LineString" => out.extend(coordinates.and_then(|c| line(c, 2)).map(Shape::Line)),
        "MultiLineString" => out.extend(
            parts(coordinates)
                .into_iter()
                .filter_map(|c| line(c, 2))
                .map(Shape::Line),
        ),
        "Polygon" => out.extend(coordinates.and_then(ring).map(Shape::Polygon)),
        "MultiPolygon" => out.extend(
            parts(coordinates)
                .into_iter()
                .filter_map(ring)
                .map(Shape::Polygon),
        ),
        "GeometryCollection" => {
            for part in parts(g.get("geometries")) {
                geometry(part, out);
            }
        }
        _ => {}
    }
}

/// The members of an array; none of anything else.
fn parts<'v, 'a>(c: Option<&'v Json<'a>>) -> Vec<&'v Json<'a>> {
    match c {
        Some(Json::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    }
}

/// A polygon's outer ring (its first), of at least four positions.
fn ring(polygon: &Json) -> Option<Vec<Position>> {
    match polygon {
        Json::Array(rings) => line(rings.first()?, 4),
        _ => None,
    }
}

/// At least `min` positions, every one valid.
fn line(c: &Json, min: usize) -> Option<Vec<Position>> {
    let Json::Array(ps) = c else { return None };
    let positions: Option<Vec<Position>> = ps.iter().map(position).collect();
    positions.filter(|ps| ps.len() >= min)
}

/// `[longitude, latitude]` (an altitude after them is ignored), finite and
/// in range.
fn position(p: &Json) -> Option<Position> {
    let Json::Array(xs) = p else { return None };
    let number = |x: Option<&Json>| match x {
        Some(Json::Number(n)) => n.as_f64().filter(|f| f.is_finite()),
        _ => None,
    };
    let (lon, lat) = (number(xs.first())?, number(xs.get(1))?);
    ((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat))
        .then(|| [round(lon), round(lat)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(json: &str) -> Vec<Place> {
        let arena = bumpalo::Bump::new();
        let value = crate::load::json::from_slice(json.as_bytes(), &arena).unwrap();
        let text = |v: &Json| match v.get("en") {
            Some(Json::Array(a)) => a.first().and_then(Json::as_str).map(|s| Text {
                value: s.into(),
                lang: None,
            }),
            _ => None,
        };
        let mut out = Vec::new();
        read(&value, None, &text, &mut out);
        out
    }

    #[test]
    fn geometries_become_shapes() {
        let found = places(
            r#"{"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {"label": {"en": ["Rome"]}},
               "geometry": {"type": "Point", "coordinates": [12.4663, 41.9031, 20]}},
              {"type": "Feature", "geometry": {"type": "Polygon", "coordinates":
                [[[0, 0], [1, 0], [1, 1], [0, 0]], [[0.1, 0.1], [0.2, 0.1], [0.2, 0.2], [0.1, 0.1]]]}},
              {"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}}
            ]}"#,
        );
        assert_eq!(found.len(), 4);
        assert_eq!(found[0].label.as_ref().unwrap().value, "Rome");
        assert_eq!(found[0].shape, Shape::Point([12.4663, 41.9031]));
        assert!(matches!(&found[1].shape, Shape::Polygon(r) if r.len() == 4));
        assert_eq!(found[3].shape, Shape::Point([3.0, 4.0]));
    }

    #[test]
    fn bad_geometries_are_passed_over() {
        let found = places(
            r#"{"type": "FeatureCollection", "features": [
              {"id": "https://example.org/feature/1", "type": "Feature"},
              {"type": "Feature", "geometry": {"type": "Point", "coordinates": [200, 41]}},
              {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["12", "41"]}},
              {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}},
              {"type": "Feature", "geometry": {"type": "Circle", "coordinates": [1, 1]}},
              "nonsense"
            ]}"#,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn places_are_capped() {
        let features: Vec<String> = (0..80)
            .map(|i| {
                format!(r#"{{"type": "Feature", "geometry": {{"type": "Point", "coordinates": [{i}, 0]}}}}"#)
            })
            .collect();
        let json = format!(r#"{{"features": [{}]}}"#, features.join(","));
        assert_eq!(places(&json).len(), MAX_PLACES);
    }
}
