//! Writes the project's own fixtures into `fixtures/` (the town extract and its
//! elevation tile). Run from the repository root: `cargo run --bin make-fixtures`.

use std::path::Path;

fn main() {
    let dir = Path::new("fixtures");
    let write = |rel: &str, bytes: Vec<u8>| {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create fixtures directory");
        }
        arcplan::util::write_atomic(&p, &bytes).unwrap_or_else(|e| panic!("{e}"));
        println!("wrote {} ({} bytes)", p.display(), bytes.len());
    };
    write("town.osm.pbf", arcplan::fixtures::town_pbf());
    write("dem/N45E010.hgt", arcplan::fixtures::town_hgt());
}
