//! `arcplan network`: read an extract (and a DEM) and summarise the road network.

use crate::error::{Error, Result};
use crate::network::{geojson, summary::Summary, Network};
use crate::osm::{reader::IngestOptions, RoadClass};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// OpenStreetMap extract (.osm.pbf).
    pub extract: PathBuf,
    /// Directory of SRTM .hgt tiles, for grades.
    #[arg(long)]
    pub dem: Option<PathBuf>,
    /// Write the segments with their attributes as GeoJSON here.
    #[arg(long)]
    pub geojson: Option<PathBuf>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Road classes to keep, comma-separated `highway` values (default: all of
    /// motorway … residential, living_street, service, road and the `*_link`s).
    #[arg(long, value_delimiter = ',', value_parser = parse_class)]
    pub classes: Vec<RoadClass>,
}

fn parse_class(s: &str) -> std::result::Result<RoadClass, String> {
    RoadClass::from_tag(s.trim()).ok_or_else(|| {
        let known: Vec<&str> = RoadClass::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown road class `{s}` (known: {})", known.join(", "))
    })
}

pub fn run(args: Args) -> Result<()> {
    let mut options = IngestOptions::default();
    if !args.classes.is_empty() {
        options.classes = args.classes.clone();
    }
    let net = Network::from_file(&args.extract, args.dem.as_deref(), &options)?;
    let summary = Summary::of(&net);
    if let Some(out) = &args.geojson {
        let text = serde_json::to_vec(&geojson::segments(&net))
            .map_err(|e| Error::Other(e.to_string()))?;
        crate::util::write_atomic(out, &text)?;
    }
    if args.json {
        let text =
            serde_json::to_string_pretty(&summary).map_err(|e| Error::Other(e.to_string()))?;
        super::say!("{text}");
    } else {
        let name = args
            .extract
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        super::say!("{}", summary.text(&name).trim_end());
    }
    Ok(())
}
