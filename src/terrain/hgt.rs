//! SRTM `.hgt` tiles: big-endian i16, 1201² (3″) or 3601² (1″) samples, row 0
//! at the north edge, void = -32768, one tile per 1°×1° cell named by its
//! south-west corner (`N42E001.hgt`). Tiles are loaded from a directory for the
//! cells a network needs; sampling is bilinear, voids left out.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const VOID: i16 = -32768;

pub struct Tile {
    size: usize,
    data: Vec<i16>,
}

impl Tile {
    /// Reads one tile; its size must be one of the two SRTM sizes.
    pub fn read(path: &Path) -> Result<Tile> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let size = match bytes.len() {
            2_884_802 => 1201,
            25_934_402 => 3601,
            n => {
                return Err(Error::invalid(
                    path,
                    format!("not an SRTM .hgt tile: {n} bytes (expected 2884802 for 3\" or 25934402 for 1\")"),
                ))
            }
        };
        let data = bytes
            .chunks_exact(2)
            .map(|c| i16::from_be_bytes([c[0], c[1]]))
            .collect();
        Ok(Tile { size, data })
    }

    #[inline]
    fn at(&self, row: usize, col: usize) -> Option<f64> {
        let v = self.data[row * self.size + col];
        (v != VOID).then_some(v as f64)
    }

    /// Bilinear elevation at fractional position within the tile (0..1 from the
    /// west and from the north edge).
    fn sample(&self, fx: f64, fy: f64) -> Option<f64> {
        let n = (self.size - 1) as f64;
        let x = (fx * n).clamp(0.0, n);
        let y = (fy * n).clamp(0.0, n);
        let (c0, r0) = (x.floor() as usize, y.floor() as usize);
        let (c1, r1) = ((c0 + 1).min(self.size - 1), (r0 + 1).min(self.size - 1));
        let (tx, ty) = (x - c0 as f64, y - r0 as f64);
        let corners = [
            (self.at(r0, c0), (1.0 - tx) * (1.0 - ty)),
            (self.at(r0, c1), tx * (1.0 - ty)),
            (self.at(r1, c0), (1.0 - tx) * ty),
            (self.at(r1, c1), tx * ty),
        ];
        let (mut sum, mut w) = (0.0, 0.0);
        for (v, wt) in corners {
            if let Some(v) = v {
                sum += v * wt;
                w += wt;
            }
        }
        (w > 1e-9).then(|| sum / w)
    }
}

/// The tile name of the 1° cell whose south-west corner is `(lon, lat)`.
pub fn tile_name(lon: i32, lat: i32) -> String {
    format!(
        "{}{:02}{}{:03}.hgt",
        if lat >= 0 { 'N' } else { 'S' },
        lat.abs(),
        if lon >= 0 { 'E' } else { 'W' },
        lon.abs()
    )
}

/// Elevation model over the tiles found in a directory.
pub struct Dem {
    pub dir: PathBuf,
    tiles: HashMap<(i32, i32), Tile>,
}

impl Dem {
    /// Opens `dir` and loads the tiles covering `cells` (1° cells by south-west
    /// corner) that exist there. A corrupt tile is an error; a missing one only
    /// leaves its cell without elevation.
    pub fn load(dir: &Path, cells: &[(i32, i32)]) -> Result<Dem> {
        let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
        if !meta.is_dir() {
            return Err(Error::invalid(
                dir,
                "the DEM must be a directory of SRTM .hgt tiles",
            ));
        }
        let mut tiles = HashMap::new();
        for &(lon, lat) in cells {
            let p = dir.join(tile_name(lon, lat));
            if p.is_file() {
                tiles.insert((lon, lat), Tile::read(&p)?);
            }
        }
        Ok(Dem {
            dir: dir.to_path_buf(),
            tiles,
        })
    }

    pub fn tile_count(&self) -> usize {
        self.tiles.len()
    }

    /// Elevation in metres at `[lon, lat]`, `None` outside the loaded tiles or in voids.
    pub fn elevation(&self, p: [f64; 2]) -> Option<f64> {
        let (lon0, lat0) = (p[0].floor(), p[1].floor());
        let tile = self.tiles.get(&(lon0 as i32, lat0 as i32))?;
        tile.sample(p[0] - lon0, 1.0 - (p[1] - lat0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_names() {
        assert_eq!(tile_name(1, 42), "N42E001.hgt");
        assert_eq!(tile_name(-77, 39), "N39W077.hgt");
        assert_eq!(tile_name(18, -34), "S34E018.hgt");
    }

    #[test]
    fn bilinear_and_voids() {
        let mut data = vec![0i16; 1201 * 1201];
        data[0] = 100;
        data[1] = 200;
        data[1201] = 300;
        data[1202] = VOID;
        let t = Tile { size: 1201, data };
        let h = 0.5 / 1200.0;
        // Centre of the first cell: three valid corners, renormalised.
        assert!((t.sample(h, h).unwrap() - 200.0).abs() < 1e-9);
        assert!((t.sample(0.0, 0.0).unwrap() - 100.0).abs() < 1e-9);
    }
}
