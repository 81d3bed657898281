//! The real extracts in `../shared/data/osm/`: counts against its README
//! (same definitions: see `OsmCounts`), robustness, and grades in Andorra.

mod common;
use arcplan::network::{summary::Summary, Network};
use arcplan::osm::reader::OsmCounts;

/// The README's table: nodes, ways, relations, highway ways, drivable ways,
/// drivable segments, bridge=yes, incline, *_link, oneway=yes, restrictions,
/// roundabout ways, maxspeed, lanes.
const README: &[(&str, [u64; 14])] = &[
    (
        "pyrosm-test.osm.pbf",
        [14222, 2653, 5, 343, 214, 1199, 8, 0, 11, 40, 0, 0, 1, 22],
    ),
    (
        "monaco.osm.pbf",
        [
            13739, 1944, 77, 866, 502, 3168, 20, 0, 19, 231, 0, 10, 14, 2,
        ],
    ),
    (
        "baltimore.osm.pbf",
        [
            51385, 7230, 167, 3844, 3172, 15938, 125, 5, 154, 965, 3, 7, 201, 533,
        ],
    ),
    (
        "helsinki.osm.pbf",
        [
            24260, 5130, 620, 2650, 969, 2284, 5, 13, 9, 480, 45, 0, 795, 589,
        ],
    ),
    (
        "andorra.osm.pbf",
        [
            235550, 11871, 262, 4611, 2450, 26621, 331, 12, 97, 738, 66, 94, 640, 727,
        ],
    ),
    (
        "malta.osm.pbf",
        [
            333684, 56021, 950, 26197, 18049, 76495, 153, 70, 313, 4984, 239, 689, 671, 1101,
        ],
    ),
    (
        "composite-12-extracts.osm.pbf",
        [
            1066555, 152105, 4267, 61983, 36558, 183309, 1213, 627, 1061, 12679, 604, 864, 6273,
            5628,
        ],
    ),
];

fn as_row(c: &OsmCounts) -> [u64; 14] {
    [
        c.nodes,
        c.ways,
        c.relations,
        c.highway_ways,
        c.drivable_ways,
        c.drivable_segments,
        c.bridge_yes,
        c.incline,
        c.link_ramps,
        c.oneway_yes,
        c.turn_restrictions,
        c.roundabout_ways,
        c.maxspeed,
        c.lanes,
    ]
}

#[test]
fn counts_agree_with_the_readme_and_every_extract_builds() {
    for (file, expected) in README {
        let Some(p) = common::shared(&format!("osm/{file}")) else {
            return;
        };
        let net = Network::from_file(&p, None, &Default::default())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(&as_row(&net.osm_counts), expected, "{file}");
        assert!(net.segments.len() > 100, "{file}");
        let c = &net.components;
        assert_eq!(c.main_nodes + c.outside_nodes, net.nodes.len());
        assert_eq!(c.main_segments + c.outside_segments, net.segments.len());
    }
}

#[test]
fn unsorted_and_clipped_files() {
    let Some(b) = common::shared("osm/baltimore.osm.pbf") else {
        return;
    };
    let net = Network::from_file(&b, None, &Default::default()).unwrap();
    assert!(
        !net.report.file_sorted,
        "baltimore is nodes, relations, then ways"
    );
    assert_eq!(net.report.restrictions_resolved, 3);
    // Census definition: node pairs of drivable ways with a node missing from the file.
    for (file, pairs, refs) in [
        ("helsinki.osm.pbf", 151, 150),
        ("pyrosm-test.osm.pbf", 280, 280),
    ] {
        let Some(p) = common::shared(&format!("osm/{file}")) else {
            return;
        };
        let net = Network::from_file(&p, None, &Default::default()).unwrap();
        assert_eq!(
            net.report.census_segments_without_coordinates, pairs,
            "{file}"
        );
        assert_eq!(net.report.dangling_refs, refs, "{file}");
    }
    let Some(m) = common::shared("osm/monaco.osm.pbf") else {
        return;
    };
    let net = Network::from_file(&m, None, &Default::default()).unwrap();
    assert_eq!(net.report.header_bbox, None);
}

#[test]
fn andorra_grades_are_plausible_for_roads() {
    let (Some(p), Some(dem)) = (
        common::shared("osm/andorra.osm.pbf"),
        common::shared("osm/dem"),
    ) else {
        return;
    };
    let net = Network::from_file(&p, Some(&dem), &Default::default()).unwrap();
    let g = Summary::of(&net).grade.expect("grades");
    assert!(
        g.p95_abs_pct > 6.0 && g.p95_abs_pct < 18.0,
        "95th percentile {}",
        g.p95_abs_pct
    );
    assert!(g.max_abs_pct <= 25.0);
    assert!(
        g.unknown.segments * 20 < net.segments.len(),
        "the tile covers Andorra: {}",
        g.unknown.segments
    );
}

#[test]
fn a_dem_that_does_not_cover_the_map_is_an_error() {
    let (Some(p), Some(dem)) = (
        common::shared("osm/helsinki.osm.pbf"),
        common::shared("osm/dem"),
    ) else {
        return;
    };
    let err = Network::from_file(&p, Some(&dem), &Default::default())
        .err()
        .expect("no tile for Helsinki");
    assert!(err.to_string().contains("N60E024.hgt"), "{err}");
}
