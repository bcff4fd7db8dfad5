//! Maps of located PIDs (IIIF `navPlace`): the places a landing page lists
//! (and its map draws), what a PID's summary keeps of them for the map page
//! (so an incremental build makes the same page as a full one), the map
//! page gathered from the summaries, and the places as schema.org
//! `spatialCoverage`. The list is the data: the page's script reads the
//! coordinates from the list items, so a page carries them once, and the
//! list is there without JavaScript or tiles.

use serde_json::{json, Value};

use super::context::{text_language, MapEntry, PlaceView};
use crate::model::place::{round, Place, Shape};
use crate::model::resource::Resource;
use crate::output::{ListItem, MapPlace};

/// Where the map page goes.
pub const MAP_PAGE: &str = "map";

/// Located PIDs on each page of the map page (`map/`, `map/page/2/`…):
/// more than a browse page's 60, since the map is an overview, but few
/// enough that a page and its markers stay light (500 PIDs with a place
/// each are ~150 KB of HTML; Leaflet draws markers as elements).
pub const MAP_PER_PAGE: usize = 500;

/// The places of a resource as its landing page lists them; `title` names
/// a place with no label.
pub fn views(r: &Resource, title: &str, language: &str) -> Vec<PlaceView> {
    r.places
        .iter()
        .map(|p| {
            let (lat, lon) = p.marker();
            let (kind, shape) = match &p.shape {
                Shape::Point(_) => ("point", None),
                Shape::Line(ps) => ("line", Some(ps)),
                Shape::Polygon(ps) => ("polygon", Some(ps)),
            };
            let shape = shape.map(|ps| {
                let latlon: Vec<[f64; 2]> = ps.iter().map(|p| [p[1], p[0]]).collect();
                serde_json::to_string(&latlon).expect("numbers always serialise")
            });
            PlaceView {
                label: p.label.as_ref().map_or(title, |l| &l.value).to_string(),
                lang: text_language(p.label.as_ref(), language),
                lat: round(lat),
                lon: round(lon),
                shape,
                kind,
            }
        })
        .collect()
}

/// What a PID's summary keeps for the map page: each place's name and
/// marker.
pub fn kept(r: &Resource, title: &str) -> Vec<MapPlace> {
    r.places
        .iter()
        .map(|p| {
            let (lat, lon) = p.marker();
            MapPlace {
                label: p.label.as_ref().map_or(title, |l| &l.value).to_string(),
                lat: round(lat),
                lon: round(lon),
            }
        })
        .collect()
}

/// schema.org `spatialCoverage`: a `Place` per place, with `GeoCoordinates`
/// for a point and a `GeoShape` for a line or polygon. None without
/// places; one place is given as an object, several as an array.
pub fn spatial_coverage(places: &[Place]) -> Option<Value> {
    let mut out: Vec<Value> = places
        .iter()
        .map(|p| {
            let geo = match p.geo_shape() {
                Some((kind, positions)) => json!({"@type": "GeoShape", kind: positions}),
                None => {
                    let (latitude, longitude) = p.marker();
                    json!({"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude})
                }
            };
            let mut place = json!({"@type": "Place", "geo": geo});
            if let Some(label) = &p.label {
                place["name"] = json!(label.value);
            }
            place
        })
        .collect();
    match out.len() {
        0 => None,
        1 => out.pop(),
        _ => Some(Value::Array(out)),
    }
}

/// The map page in the making: every located PID that is listed and not
/// withdrawn, in registry order (only these, so a large site holds only
/// its located PIDs).
#[derive(Debug, Default)]
pub struct MapPage {
    /// The located PIDs.
    pub entries: Vec<MapEntry>,
}

impl MapPage {
    /// Add a PID's places.
    pub fn add(&mut self, item: &ListItem, places: &[MapPlace]) {
        if places.is_empty() || item.status == "withdrawn" {
            return;
        }
        self.entries.push(MapEntry {
            title: item.title.clone(),
            pid: item.pid.clone(),
            url: item.url.clone(),
            kind: item.kind.clone(),
            places: places.to_vec(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resource::Text;

    #[test]
    fn spatial_coverage_is_places_with_coordinates_or_shapes() {
        let point = Place {
            label: Some(Text {
                value: "Rome".into(),
                lang: None,
            }),
            shape: Shape::Point([12.4663, 41.9031]),
        };
        assert_eq!(
            spatial_coverage(std::slice::from_ref(&point)),
            Some(json!({"@type": "Place", "name": "Rome",
                "geo": {"@type": "GeoCoordinates", "latitude": 41.9031, "longitude": 12.4663}}))
        );
        let area = Place {
            label: None,
            shape: Shape::Polygon(vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]),
        };
        let both = spatial_coverage(&[point, area]).unwrap();
        assert_eq!(
            both[1],
            json!({"@type": "Place", "geo": {"@type": "GeoShape", "polygon": "0 0 0 1 1 1 0 0"}})
        );
        assert_eq!(spatial_coverage(&[]), None);
    }
}
