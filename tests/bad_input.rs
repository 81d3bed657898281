//! Bad input: a clear one-line error naming the file, a non-zero exit, no panic.

mod common;
use arcplan::osm::pbf_writer::{NodeOut, PbfOut, WayOut};

fn fails(args: &[&str], needle: &str) {
    let (code, out, err) = common::arcplan(args);
    assert_ne!(code, 0, "{args:?} should fail; stdout: {out}");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{err} should mention {needle}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_extracts() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    std::fs::write(p("empty.osm.pbf"), b"").unwrap();
    fails(
        &["network", p("empty.osm.pbf").to_str().unwrap()],
        "empty.osm.pbf: the file is empty",
    );

    let town = std::fs::read(common::fixture("town.osm.pbf")).unwrap();
    std::fs::write(p("truncated.osm.pbf"), &town[..town.len() * 2 / 3]).unwrap();
    fails(
        &["network", p("truncated.osm.pbf").to_str().unwrap()],
        "truncated.osm.pbf",
    );

    std::fs::write(p("text.osm.pbf"), b"<?xml version='1.0'?><osm></osm>\n").unwrap();
    fails(
        &["network", p("text.osm.pbf").to_str().unwrap()],
        "text.osm.pbf: not a readable OSM PBF file",
    );

    fails(&["network", dir.path().to_str().unwrap()], "is a directory");
    fails(
        &["network", p("missing.osm.pbf").to_str().unwrap()],
        "missing.osm.pbf",
    );

    let footpaths = PbfOut {
        nodes: vec![
            NodeOut {
                id: 1,
                lon: 10.0,
                lat: 45.0,
                tags: vec![],
            },
            NodeOut {
                id: 2,
                lon: 10.001,
                lat: 45.0,
                tags: vec![],
            },
        ],
        ways: vec![WayOut {
            id: 7,
            refs: vec![1, 2],
            tags: vec![("highway".into(), "footway".into())],
        }],
        ..Default::default()
    };
    std::fs::write(p("paths.osm.pbf"), footpaths.encode()).unwrap();
    fails(
        &["network", p("paths.osm.pbf").to_str().unwrap()],
        "no drivable road",
    );
}

/// The same extract twice (two files joined end to end): refused with an id,
/// not read as a network twice as long.
#[test]
fn a_doubled_extract_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let town = std::fs::read(common::fixture("town.osm.pbf")).unwrap();
    let doubled = dir.path().join("doubled.osm.pbf");
    std::fs::write(&doubled, [town.as_slice(), town.as_slice()].concat()).unwrap();
    fails(
        &["network", doubled.to_str().unwrap()],
        "appears more than once",
    );
    fails(&["network", doubled.to_str().unwrap()], "duplicate way ids");
}

/// Sizes that would allocate gigabytes are checked against what the file
/// holds first (a header `VERTICES : 4000000000` took 5 GB and a minute;
/// `99999999999` aborted the process).
#[test]
fn huge_declared_sizes_are_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let carp = |vertices: &str| {
        format!(
            "NOMBRE : bomb\nCOMENTARIO : x\nVERTICES : {vertices}\nARISTAS_REQ : 2\nARISTAS_NOREQ : 0\n\
             VEHICULOS : 1\nCAPACIDAD : 10\nTIPO_COSTES_ARISTAS : EXPLICITOS\nCOSTE_TOTAL_REQ : 2\n\
             LISTA_ARISTAS_REQ :\n( 1, 2) coste 1 demanda 1\n( 2, 3) coste 1 demanda 1\n\
             DEPOSITO : 1\n"
        )
    };
    for v in ["4000000000", "99999999999"] {
        let f = dir.path().join(format!("bomb-{v}.dat"));
        std::fs::write(&f, carp(v)).unwrap();
        fails(
            &[
                "carp",
                "solve",
                f.to_str().unwrap(),
                "--max-iterations",
                "10",
            ],
            &format!("bomb-{v}.dat:3: declares {v} vertices"),
        );
    }
    // The same file with its real size solves.
    let f = dir.path().join("ok.dat");
    std::fs::write(&f, carp("3")).unwrap();
    let (code, out, err) = common::arcplan(&[
        "carp",
        "solve",
        f.to_str().unwrap(),
        "--max-iterations",
        "10",
    ]);
    assert_eq!(code, 0, "{out}{err}");

    // Ten million vehicles of a type.
    let text =
        common::fixture_text_anywhere("town-frost.toml").replace("count = 2", "count = 10000000");
    let f = dir.path().join("fleet.toml");
    std::fs::write(&f, text).unwrap();
    fails(
        &[
            "plan",
            f.to_str().unwrap(),
            "--out",
            dir.path().join("o").to_str().unwrap(),
        ],
        "`count` 10000000 is more vehicles than a city's fleet",
    );
}

#[test]
fn corrupt_hgt_tile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("N45E010.hgt"), vec![0u8; 1000]).unwrap();
    let fx = common::fixture("town.osm.pbf");
    fails(
        &[
            "network",
            fx.to_str().unwrap(),
            "--dem",
            dir.path().to_str().unwrap(),
        ],
        "N45E010.hgt: not an SRTM .hgt tile",
    );
    // A DEM path that is a file, not a directory.
    let file = dir.path().join("N45E010.hgt");
    fails(
        &[
            "network",
            fx.to_str().unwrap(),
            "--dem",
            file.to_str().unwrap(),
        ],
        "must be a directory",
    );
}
