//! Ingest of a real extract into the full network (attributes, geometry,
//! components, spatial index). Run: `cargo bench --bench ingest`.
//! Uses `../shared/data/osm/composite-12-extracts.osm.pbf` (1.07 M nodes).

use arcplan::network::Network;
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;

fn ingest(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/osm");
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    for (name, dem) in [
        ("composite-12-extracts.osm.pbf", false),
        ("andorra.osm.pbf", true),
    ] {
        let p = root.join(name);
        if !p.exists() {
            eprintln!("SKIPPED: {} not found", p.display());
            continue;
        }
        let dem_dir = root.join("dem");
        g.bench_function(name, |b| {
            b.iter(|| {
                Network::from_file(&p, dem.then_some(dem_dir.as_path()), &Default::default())
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
