//! `arcplan network`: read an extract (and a DEM) and summarise the road network.

use crate::error::{Error, Result};
use crate::network::{geojson, summary::Summary, Network};
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
}

pub fn run(args: Args) -> Result<()> {
    let net = Network::from_file(&args.extract, args.dem.as_deref(), &Default::default())?;
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
