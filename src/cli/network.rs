//! `arcplan network`: summary of a road network read from OpenStreetMap.

use crate::error::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// OpenStreetMap extract (.osm.pbf).
    pub extract: PathBuf,
}

pub fn run(_args: Args) -> Result<()> {
    Err(crate::Error::Other("not yet".into()))
}
