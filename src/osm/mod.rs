//! OpenStreetMap input: tag interpretation ([`tags`]), the parallel PBF reader
//! ([`reader`]) and a small PBF writer ([`pbf_writer`]) for the fixtures the
//! project generates itself.

pub mod pbf_writer;
pub mod reader;
pub mod tags;

pub use reader::{read_extract, RawExtract};
pub use tags::RoadClass;
