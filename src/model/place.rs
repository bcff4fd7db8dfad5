//! [`Place`]: a location a IIIF resource says it shows or comes from (the
//! `navPlace` extension, a GeoJSON Feature), reduced to what a map, a list
//! of places and schema.org need: a label and a point, line or polygon in
//! WGS 84 degrees. Built by `load::nav_place`; coordinates are finite and
//! in range by then.

use serde::Serialize;

use crate::model::resource::Text;

/// A position: longitude then latitude, as GeoJSON orders them.
pub type Position = [f64; 2];

/// What a feature's geometry is, reduced: a polygon keeps its outer ring
/// (holes are no part of a marker or a schema.org shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Shape {
    /// One position.
    Point(Position),
    /// A line through the positions.
    Line(Vec<Position>),
    /// The outer ring of a polygon.
    Polygon(Vec<Position>),
}

/// One located feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// The feature's `properties.label` (a language map), else the label
    /// of what holds the `navPlace` (a canvas, a collection's member).
    pub label: Option<Text>,
    /// Where.
    pub shape: Shape,
}

// Coordinates are finite (checked on load), so equality is total.
impl Eq for Place {}

impl Place {
    /// Where a marker stands: the point, or the mean of a line's or ring's
    /// positions (a ring's last position repeats its first and is counted
    /// once), as latitude and longitude.
    pub fn marker(&self) -> (f64, f64) {
        let positions: &[Position] = match &self.shape {
            Shape::Point(p) => std::slice::from_ref(p),
            Shape::Line(ps) => ps,
            Shape::Polygon(ring) => match ring.split_last() {
                Some((last, rest)) if !rest.is_empty() && Some(last) == rest.first() => rest,
                _ => ring,
            },
        };
        let n = positions.len().max(1) as f64;
        let (lon, lat) = positions
            .iter()
            .fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
        (lat / n, lon / n)
    }

    /// The line's or ring's positions as schema.org's `GeoShape` writes
    /// them (`"lat lon lat lon …"`); none for a point.
    pub fn geo_shape(&self) -> Option<(&'static str, String)> {
        let (kind, positions) = match &self.shape {
            Shape::Point(_) => return None,
            Shape::Line(ps) => ("line", ps),
            Shape::Polygon(ps) => ("polygon", ps),
        };
        let text = positions
            .iter()
            .map(|p| format!("{} {}", round(p[1]), round(p[0])))
            .collect::<Vec<_>>()
            .join(" ");
        Some((kind, text))
    }
}

/// Degrees to seven decimals (about a centimetre), as shown and kept:
/// more digits are noise from the source's arithmetic.
pub fn round(degrees: f64) -> f64 {
    (degrees * 1e7).round() / 1e7
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(shape: Shape) -> Place {
        Place { label: None, shape }
    }

    #[test]
    fn markers_stand_at_the_point_or_the_mean() {
        assert_eq!(
            place(Shape::Point([12.4663, 41.9031])).marker(),
            (41.9031, 12.4663)
        );
        // A closed ring counts its first corner once.
        let square = vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]];
        assert_eq!(place(Shape::Polygon(square)).marker(), (1.0, 1.0));
        assert_eq!(
            place(Shape::Line(vec![[0.0, 0.0], [4.0, 2.0]])).marker(),
            (1.0, 2.0)
        );
    }

    #[test]
    fn shapes_are_written_latitude_first() {
        let line = place(Shape::Line(vec![[1.5, 50.25], [2.0, 51.0]]));
        assert_eq!(
            line.geo_shape(),
            Some(("line", "50.25 1.5 51 2".to_string()))
        );
        assert_eq!(place(Shape::Point([1.0, 2.0])).geo_shape(), None);
    }
}
