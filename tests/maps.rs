//! Maps (issue 20, section 3): `fixtures/maps` holds the corpus's IIIF
//! Cookbook recipes with `navPlace` (on a manifest, on its canvases, on a
//! collection's members), one manifest without, and a withdrawn PID with
//! places. Their landing pages list their places (and carry a map and
//! schema.org `spatialCoverage`), the map page lists every located PID, and
//! an incremental build makes the same map page as a full one.

mod common;

use std::path::Path;

use pidsite::{build, clock::BuildTime, BuildOptions, NoProgress};

fn run(site: &Path, out: &Path, full: bool) {
    build(
        &BuildOptions {
            site_dir: site.to_path_buf(),
            out_dir: Some(out.to_path_buf()),
            strict: true,
            full,
            offline: true,
            time: Some(BuildTime::at_second(1_764_072_000)),
        },
        &NoProgress,
    )
    .unwrap();
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn landing(out: &Path, name: &str) -> String {
    read(out, &format!("ark/99999/{name}/index.html"))
}

/// The list items of the places on a page: (latitude, longitude).
fn listed_places(html: &str) -> Vec<(String, String)> {
    html.match_indices("data-lat=\"")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            let lat = rest.split('"').next().unwrap().to_string();
            let lon = rest
                .split("data-lon=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string();
            (lat, lon)
        })
        .collect()
}

#[test]
fn landing_pages_with_nav_place_list_their_places_with_a_map() {
    let site = common::copy_fixture("maps");
    let out = site.path().join("out");
    run(site.path(), &out, true);

    // navPlace on two canvases (cookbook 0240): both listed, labelled by
    // their features, on a map, with a link to the map page.
    let page = landing(&out, "fk4canvases");
    assert_eq!(
        listed_places(&page),
        [
            ("34.0776376".into(), "-118.4745559".into()),
            ("38.8920717".into(), "-77.0199025".into())
        ]
    );
    assert!(
        page.contains(">Current Location of Painting</span>"),
        "{page}"
    );
    assert!(page.contains("class=\"map\" data-map=\"place-list\""));
    assert!(page.contains("vendor/leaflet-1.9.4/leaflet.js"));
    assert!(page.contains("js/map.js"));
    assert!(page.contains("<a href=\"/repo/map/\">"));
    // The JSON-LD says where, as schema.org Places.
    assert!(page.contains(
        r#"{"@type":"Place","geo":{"@type":"GeoCoordinates","latitude":38.8920717,"longitude":-77.0199025},"name":"Current Location of Painting"}"#
    ));

    // On the manifest itself (cookbook 0154).
    let page = landing(&out, "fk4geo");
    assert_eq!(listed_places(&page).len(), 1);
    assert!(page.contains(r#""spatialCoverage":{"@type":"Place""#));

    // A collection lists the places its members carry (cookbook 0318).
    let page = landing(&out, "fk4rome");
    assert_eq!(listed_places(&page).len(), 5);
    assert!(page.contains("The Colosseum"));

    // A page without navPlace has none of it, not even the script.
    let page = landing(&out, "fk4plain");
    for absent in [
        "place-list",
        "leaflet",
        "map.js",
        "spatialCoverage",
        "data-map",
    ] {
        assert!(!page.contains(absent), "fk4plain has {absent}");
    }
    // A tombstone publishes no content: no places.
    let page = landing(&out, "fk4gone");
    assert!(!page.contains("place-list") && !page.contains("spatialCoverage"));
}

#[test]
fn the_map_page_lists_every_located_pid() {
    let site = common::copy_fixture("maps");
    let out = site.path().join("out");
    run(site.path(), &out, true);
    let map = read(&out, "map/index.html");
    for located in ["fk4geo", "fk4canvases", "fk4rome"] {
        assert!(
            map.contains(&format!("<a href=\"/repo/ark/99999/{located}/\">")),
            "{located} is not on the map page"
        );
    }
    // Not the PID without places, nor the withdrawn one.
    assert!(!map.contains("fk4plain") && !map.contains("fk4gone"));
    assert_eq!(listed_places(&map).len(), 1 + 2 + 5);
    assert!(map.contains("3 identifiers with a location"));
    assert!(map.contains("data-tiles=\"https://tile.openstreetmap.org/{z}/{x}/{y}.png\""));
    // Reachable: in the sitemap and from the browse page.
    assert!(read(&out, "sitemap.xml").contains("<loc>https://org.github.io/repo/map/</loc>"));
    assert!(read(&out, "browse/index.html").contains("<a href=\"/repo/map/\">"));
    // Leaflet ships with its licence.
    assert!(read(&out, "vendor/leaflet-1.9.4/LICENSE").contains("BSD 2-Clause"));
    assert!(out
        .join("vendor/leaflet-1.9.4/images/marker-icon.png")
        .is_file());
}

#[test]
fn an_incremental_build_makes_the_same_map_page_as_a_full_one() {
    let site = common::copy_fixture("maps");
    let out = site.path().join("out");
    run(site.path(), &out, true);
    // Change one located manifest's place; the others are kept from the
    // last build, their places read back from their summaries.
    let geo = site
        .path()
        .join("content/manifests/cookbook-0154-geo-extension.json");
    let text = std::fs::read_to_string(&geo).unwrap();
    std::fs::write(
        &geo,
        text.replace("The Laoco\u{f6}n Bronze", "The Getty Villa"),
    )
    .unwrap();
    run(site.path(), &out, false);
    let incremental = read(&out, "map/index.html");
    assert!(incremental.contains("The Getty Villa"));
    assert!(
        incremental.contains("The Colosseum"),
        "a kept PID's places are lost"
    );

    let clean = site.path().join("clean");
    run(site.path(), &clean, true);
    assert_eq!(incremental, read(&clean, "map/index.html"));
}

#[test]
fn shapes_are_drawn_and_described() {
    let site = common::copy_fixture("maps");
    let geo = site
        .path()
        .join("content/manifests/cookbook-0154-geo-extension.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&geo).unwrap()).unwrap();
    manifest["navPlace"]["features"][0]["geometry"] = serde_json::json!({
        "type": "Polygon",
        "coordinates": [[[12.0, 41.0], [13.0, 41.0], [13.0, 42.0], [12.0, 41.0]]]
    });
    let changed = manifest.to_string();
    std::fs::write(&geo, changed).unwrap();
    let out = site.path().join("out");
    run(site.path(), &out, true);
    let page = landing(&out, "fk4geo");
    // The marker stands in the middle; the map draws the outline.
    assert_eq!(
        listed_places(&page),
        [("41.3333333".into(), "12.6666667".into())]
    );
    assert!(
        page.contains(r#"data-polygon="[[41.0,12.0],[41.0,13.0],[42.0,13.0],[41.0,12.0]]""#),
        "{page}"
    );
    assert!(page.contains(r#""geo":{"@type":"GeoShape","polygon":"41 12 41 13 42 13 41 12"}"#));
}

#[test]
fn maps_can_be_turned_off_and_tiles_left_out() {
    let site = common::copy_fixture("maps");
    common::append(site.path(), "site.toml", "\n[map]\ntiles = \"\"\n");
    let out = site.path().join("out");
    run(site.path(), &out, true);
    let page = landing(&out, "fk4geo");
    assert!(
        page.contains("data-tiles=\"\""),
        "no tiles: markers on a blank map"
    );

    let site = common::copy_fixture("maps");
    common::append(site.path(), "site.toml", "\n[map]\nenabled = false\n");
    let out = site.path().join("out");
    run(site.path(), &out, true);
    let page = landing(&out, "fk4geo");
    // The places are still listed, without a map.
    assert_eq!(listed_places(&page).len(), 1);
    assert!(!page.contains("data-map") && !page.contains("leaflet"));
    assert!(!out.join("map/index.html").exists());
    assert!(!read(&out, "browse/index.html").contains("/repo/map/"));
}

#[test]
fn a_tile_url_that_is_not_a_template_is_an_error_naming_the_key() {
    let site = common::copy_fixture("maps");
    common::append(
        site.path(),
        "site.toml",
        "\n[map]\ntiles = \"javascript:alert(1)\"\n",
    );
    let err = common::build_into(site.path(), &site.path().join("out"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("site.toml:7"), "{err}");
    assert!(err.contains("[map] key `tiles`"), "{err}");
}

#[test]
fn past_500_located_pids_the_map_page_continues() {
    let site = common::copy_fixture("maps");
    let rows: String = (0..500)
        .map(|i| format!("ark:/99999/fk4more{i},manifests/cookbook-0154-geo-extension.json,,,\n"))
        .collect();
    common::append(site.path(), "content/registry.csv", &rows);
    let out = site.path().join("out");
    common::build_into(site.path(), &out).unwrap();
    // 3 located PIDs of the fixture, then 500 more: 500 on the first page.
    let first = read(&out, "map/index.html");
    let second = read(&out, "map/page/2/index.html");
    assert!(first.contains("503 identifiers with a location"));
    assert_eq!(first.matches("<ul class=\"place-list\">").count(), 500);
    assert_eq!(second.matches("<ul class=\"place-list\">").count(), 3);
    assert!(first.contains(r#"<a href="/repo/map/page/2/" rel="next">"#));
    assert!(second.contains(r#"<a href="/repo/map/" rel="prev">"#));
    assert!(second.contains("fk4more499/"));
}
