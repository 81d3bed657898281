//! Street grades from a DEM. A 90 m grid makes per-node grades noise (with raw
//! node-to-node differences, Andorra's 95th percentile is 33 %), so a
//! segment's grade is the least-squares slope of the elevation profile sampled
//! every [`STEP_M`] along its way, over a window of at least [`WINDOW_M`]
//! centred on the segment (cut at the way's ends), clamped to ±[`MAX_GRADE`] %.
//! Bridges and tunnels take the straight grade between the ends of their way,
//! since the DEM shows the valley or the hill, not the deck.

use super::Dem;
use crate::geodesy::distance_m;

/// Sampling step along a way (m).
pub const STEP_M: f64 = 15.0;
/// Smoothing window (m): a little over two 3″ cells.
pub const WINDOW_M: f64 = 200.0;
/// Plausible road grades (%).
pub const MAX_GRADE: f64 = 25.0;

/// Elevation profile of a polyline: distance along it and elevation.
pub struct Profile {
    pub s: Vec<f64>,
    pub z: Vec<f64>,
}

/// Samples `dem` along `line` every [`STEP_M`] and at every vertex. Points
/// without elevation are left out.
pub fn profile(dem: &Dem, line: &[[f64; 2]]) -> Profile {
    let mut s = Vec::new();
    let mut z = Vec::new();
    let mut along = 0.0;
    for w in line.windows(2) {
        let d = distance_m(w[0], w[1]);
        let steps = (d / STEP_M).ceil().max(1.0) as usize;
        for k in 0..steps {
            let t = k as f64 / steps as f64;
            let p = [
                w[0][0] + t * (w[1][0] - w[0][0]),
                w[0][1] + t * (w[1][1] - w[0][1]),
            ];
            if let Some(e) = dem.elevation(p) {
                s.push(along + t * d);
                z.push(e);
            }
        }
        along += d;
    }
    if let Some(&last) = line.last() {
        if let Some(e) = dem.elevation(last) {
            s.push(along);
            z.push(e);
        }
    }
    Profile { s, z }
}

impl Profile {
    /// Least-squares slope (%) of the samples within `[a, b]`; `None` with fewer
    /// than two samples spanning at least 10 m.
    pub fn slope(&self, a: f64, b: f64) -> Option<f64> {
        let (mut n, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (&x, &y) in self.s.iter().zip(&self.z) {
            if x < a - 1e-9 || x > b + 1e-9 {
                continue;
            }
            n += 1.0;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            lo = lo.min(x);
            hi = hi.max(x);
        }
        if n < 2.0 || hi - lo < 10.0 {
            return None;
        }
        let den = n * sxx - sx * sx;
        (den.abs() > 1e-12).then(|| 100.0 * (n * sxy - sx * sy) / den)
    }

    /// Grade (%) of the stretch `[a, b]` of a way of length `len`.
    pub fn grade(&self, a: f64, b: f64, len: f64) -> Option<f64> {
        let mid = 0.5 * (a + b);
        let half = 0.5 * WINDOW_M.max(b - a);
        self.slope((mid - half).max(0.0), (mid + half).min(len))
            .or_else(|| self.slope(0.0, len))
            .map(|g| g.clamp(-MAX_GRADE, MAX_GRADE))
    }

    /// The straight grade between the two ends (for bridges and tunnels).
    pub fn end_to_end(&self, len: f64) -> Option<f64> {
        if self.s.len() < 2 || len < 1.0 {
            return None;
        }
        let (first, last) = (self.z[0], self.z[self.z.len() - 1]);
        let span = self.s[self.s.len() - 1] - self.s[0];
        (span > 1.0).then(|| (100.0 * (last - first) / span).clamp(-MAX_GRADE, MAX_GRADE))
    }
}
