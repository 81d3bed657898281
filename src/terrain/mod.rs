//! Elevation: SRTM `.hgt` tiles ([`hgt`]) and street grades from them ([`grade`]).

pub mod grade;
pub mod hgt;

pub use hgt::Dem;
