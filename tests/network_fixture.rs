//! The fixture town, with exact expectations derived from its design
//! (see `src/fixtures.rs`).

mod common;
use arcplan::network::{summary::Summary, Network};
use arcplan::osm::reader::RestrictionKind;

fn town(dem: bool) -> Network {
    let dem_dir = common::fixture("dem");
    Network::from_file(
        &common::fixture("town.osm.pbf"),
        dem.then_some(dem_dir.as_path()),
        &Default::default(),
    )
    .expect("the fixture town loads")
}

fn segs_of(net: &Network, way: i64) -> Vec<u32> {
    (0..net.segments.len() as u32)
        .filter(|&s| net.way_of(s).osm_id == way)
        .collect()
}

#[test]
fn committed_fixtures_are_what_the_generator_writes() {
    assert_eq!(
        std::fs::read(common::fixture("town.osm.pbf")).unwrap(),
        arcplan::fixtures::town_pbf()
    );
    assert_eq!(
        std::fs::read(common::fixture("dem/N45E010.hgt")).unwrap(),
        arcplan::fixtures::town_hgt()
    );
}

#[test]
fn town_graph_counts() {
    let net = town(false);
    assert_eq!(
        net.nodes.len(),
        31,
        "20 grid + 4 bridge ends + 2 roundabout + dead end + 3 motorway + quarry"
    );
    assert_eq!(net.segments.len(), 42);
    assert_eq!(net.num_links(), 72, "30 two-way segments and 12 one-way");
    let s = Summary::of(&net);
    assert_eq!(s.oneway.segments, 12);
    assert_eq!(s.bridge_ways, 2);
    assert_eq!(s.bridges.segments, 2);
    assert_eq!(s.ramps.segments, 2);
    assert_eq!(s.roundabout.segments, 2);
    assert_eq!(net.report.dangling_refs, 1);
    assert_eq!(net.report.ways_with_dangling_refs, 1);
    assert_eq!(net.report.access_denied_ways, 1, "the private service road");
    assert_eq!(
        net.osm_counts.drivable_ways, 27,
        "census: private road and service area excluded"
    );
    assert_eq!(net.osm_counts.highway_ways, 30);
    assert!(net
        .ways
        .iter()
        .all(|w| w.osm_id != 1027 && w.osm_id != 1028 && w.osm_id != 1029));
}

#[test]
fn one_ways_roundabout_and_motorway_directions() {
    let net = town(false);
    for s in segs_of(&net, 1017) {
        let seg = &net.segments[s as usize];
        assert!(seg.forward && !seg.backward, "Bank Street is oneway=yes");
    }
    for s in segs_of(&net, 1020) {
        let seg = &net.segments[s as usize];
        assert!(!seg.forward && seg.backward, "Summit Road is oneway=-1");
    }
    for way in [1021, 1024, 1025, 1026] {
        for s in segs_of(&net, way) {
            let seg = &net.segments[s as usize];
            assert!(seg.forward && !seg.backward, "way {way} is implied one-way");
        }
    }
    assert!(
        net.ways
            .iter()
            .find(|w| w.osm_id == 1021)
            .unwrap()
            .roundabout
    );
}

#[test]
fn only_the_motorway_end_lies_outside_the_main_component() {
    let net = town(false);
    let c = &net.components;
    assert_eq!(c.count, 2);
    assert_eq!(c.main_nodes, 30);
    assert_eq!(c.outside_nodes, 1);
    assert_eq!(c.outside_segments, 1);
    let outside: Vec<i64> = (0..net.nodes.len() as u32)
        .filter(|&n| !c.in_main(n))
        .map(|n| net.nodes[n as usize].osm_id)
        .collect();
    assert_eq!(outside, vec![503]);
}

#[test]
fn turn_restriction_resolves_to_the_northward_segment() {
    let net = town(false);
    assert_eq!(net.restrictions.len(), 1);
    let r = net.restrictions[0];
    assert_eq!(r.kind, RestrictionKind::No);
    assert_eq!(net.nodes[r.via as usize].osm_id, 121);
    assert_eq!(net.way_of(r.from).osm_id, 1003);
    let to = &net.segments[r.to as usize];
    assert_eq!(net.way_of(r.to).osm_id, 1018);
    let ends = [
        net.nodes[to.from as usize].osm_id,
        net.nodes[to.to as usize].osm_id,
    ];
    assert_eq!(
        ends,
        [121, 122],
        "a left turn from eastbound Main Street goes north"
    );
}

#[test]
fn grades_from_the_dem_and_incline_tags() {
    let net = town(true);
    let grade = |way: i64| -> Vec<f32> {
        segs_of(&net, way)
            .iter()
            .map(|&s| net.segments[s as usize].grade_pct.unwrap())
            .collect()
    };
    for way in [1005, 1009, 1012] {
        for g in grade(way) {
            assert!((g - 10.0).abs() < 0.5, "hill street {way}: {g}");
        }
    }
    assert_eq!(
        grade(1015),
        vec![15.0],
        "incline=15% overrides the DEM's 10 %"
    );
    for way in [1002, 1007] {
        for g in grade(way) {
            assert!(
                g.abs() < 0.2,
                "bridge deck {way} is level although the river dips: {g}"
            );
        }
    }
    for way in [1016, 1017, 1018, 1019, 1020, 1010, 1011, 1013, 1014, 1024] {
        for g in grade(way) {
            assert!(g.abs() < 0.5, "level street {way}: {g}");
        }
    }
    let s = Summary::of(&net);
    let g = s.grade.expect("grades known");
    assert_eq!(g.ge_8_pct.segments, 4);
    assert_eq!(g.ge_4_pct.segments, 4);
    assert_eq!(g.unknown.segments, 0);
}

#[test]
fn without_a_dem_grades_are_unknown_except_tagged_ones() {
    let net = town(false);
    let known: Vec<i64> = (0..net.segments.len() as u32)
        .filter(|&s| net.segments[s as usize].grade_pct.is_some())
        .map(|s| net.way_of(s).osm_id)
        .collect();
    assert_eq!(known, vec![1015]);
}

#[test]
fn snapping_finds_the_nearest_segment_and_node() {
    let net = town(false);
    // 30 m north of the middle of South Street's west part.
    let lon = 0.5 * (arcplan::fixtures::lon(0.0) + arcplan::fixtures::lon(1.0));
    let lat = arcplan::fixtures::lat(0.0) + 30.0 / 111_132.0;
    let s = net.snap.snap(&net, [lon, lat]).unwrap();
    assert_eq!(net.way_of(s.segment).osm_id, 1010);
    assert!((s.distance_m - 30.0).abs() < 0.5, "{}", s.distance_m);
    assert!((s.offset_m - 164.25).abs() < 1.0, "{}", s.offset_m);
    // Near the grid corner x=4, y=3.
    let s = net
        .snap
        .snap(
            &net,
            [
                arcplan::fixtures::lon(4.0) + 0.0001,
                arcplan::fixtures::lat(3.0),
            ],
        )
        .unwrap();
    assert_eq!(net.nodes[s.node as usize].osm_id, 143);
}

#[test]
fn geojson_carries_attributes_and_attribution() {
    let net = town(true);
    let v = arcplan::network::geojson::segments(&net);
    assert_eq!(v["type"], "FeatureCollection");
    assert!(v["attribution"]
        .as_str()
        .unwrap()
        .contains("OpenStreetMap contributors"));
    let f = v["features"].as_array().unwrap();
    assert_eq!(f.len(), 42);
    let bridge = f
        .iter()
        .find(|x| x["properties"]["osm_way_id"] == 1007)
        .unwrap();
    assert_eq!(bridge["properties"]["bridge"], true);
    assert_eq!(bridge["properties"]["maxspeed_kmh"], 30.0);
    assert_eq!(bridge["geometry"]["type"], "LineString");
    let c = &bridge["geometry"]["coordinates"][0];
    assert!(
        (c[0].as_f64().unwrap() - 10.0112).abs() < 0.01
            && (c[1].as_f64().unwrap() - 45.0075).abs() < 0.01,
        "lon, lat order"
    );
}

#[test]
fn cli_network_summary_and_json() {
    let fx = common::fixture("town.osm.pbf");
    let dem = common::fixture("dem");
    let (code, out, err) = common::arcplan(&[
        "network",
        fx.to_str().unwrap(),
        "--dem",
        dem.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("31 intersections, 42 street segments"),
        "{out}"
    );
    let (code, out, _) = common::arcplan(&["network", fx.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["segments"], 42);
    assert_eq!(v["components"]["outside_nodes"], 1);
}

#[test]
fn road_classes_are_a_parameter() {
    let fx = common::fixture("town.osm.pbf");
    let (code, out, err) = common::arcplan(&[
        "network",
        fx.to_str().unwrap(),
        "--json",
        "--classes",
        "motorway,motorway_link",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["segments"], 4,
        "the motorway's two segments and the two ramps"
    );
    let (code, _, err) =
        common::arcplan(&["network", fx.to_str().unwrap(), "--classes", "footway"]);
    assert_ne!(code, 0);
    assert!(err.contains("unknown road class `footway`"), "{err}");
}

/// Writing a scenario: the extent comes from the data, and `--near` lists
/// the intersections nearest a point (nearest first, with their streets)
/// and where a yard put there joins the streets; a bad point is refused.
#[test]
fn network_gives_its_extent_and_the_intersections_near_a_point() {
    let fx = common::fixture("town.osm.pbf");
    let (code, out, err) = common::arcplan(&[
        "network",
        fx.to_str().unwrap(),
        "--json",
        "--near",
        "10.0030,45.0020",
        "--count",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let e = &v["extent"];
    let (x0, x1) = (
        e["min_lon"].as_f64().unwrap(),
        e["max_lon"].as_f64().unwrap(),
    );
    let (y0, y1) = (
        e["min_lat"].as_f64().unwrap(),
        e["max_lat"].as_f64().unwrap(),
    );
    assert!(
        x0 < 10.003 && 10.003 < x1 && y0 < 45.002 && 45.002 < y1,
        "{e}"
    );
    assert!(e["width_km"].as_f64().unwrap() > 0.1 && e["width_km"].as_f64().unwrap() < 10.0);
    let nodes = v["near"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 4);
    let d: Vec<f64> = nodes
        .iter()
        .map(|n| n["distance_m"].as_f64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    assert!(nodes
        .iter()
        .all(|n| !n["streets"].as_array().unwrap().is_empty()));
    let join = &v["near"]["yard_joins"];
    assert!(join["distance_m"].as_f64().unwrap() < 300.0, "{join}");
    // Text: one line per intersection, a snippet for the scenario.
    let (code, out, _) =
        common::arcplan(&["network", fx.to_str().unwrap(), "--near", "10.0030,45.0020"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("extent: lon ") && out.contains("1. ") && out.contains("lon = "),
        "{out}"
    );
    assert!(
        out.contains("a depot or refill site at this point joins"),
        "{out}"
    );
    for bad in ["10.0,95", "east,45", "10.0"] {
        let (code, _, err) = common::arcplan(&["network", fx.to_str().unwrap(), "--near", bad]);
        assert_ne!(code, 0, "{bad}");
        assert!(err.contains(&format!("`{bad}`")), "{bad}: {err}");
    }
}
