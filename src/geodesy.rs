//! Distances and bearings on the WGS84 ellipsoid for short spans (street
//! segments): the local ellipsoidal approximation with the meridional and
//! normal radii of curvature at the mean latitude. For spans under a few
//! kilometres it agrees with Karney's geodesic (`geo::Geodesic`) to better than
//! 1e-5 relative (tested), at a fraction of the cost.

const A: f64 = 6_378_137.0;
const E2: f64 = 6.694_379_990_14e-3;
/// Mean Earth radius (m), for the spatial index.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Metres per degree of longitude and latitude at latitude `lat` (degrees).
#[inline]
pub fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let s = phi.sin();
    let w = 1.0 - E2 * s * s;
    let n = A / w.sqrt();
    let m = A * (1.0 - E2) / (w * w.sqrt());
    (
        n * phi.cos() * std::f64::consts::PI / 180.0,
        m * std::f64::consts::PI / 180.0,
    )
}

/// Distance in metres between two `[lon, lat]` points.
#[inline]
pub fn distance_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (kx, ky) = metres_per_degree(0.5 * (a[1] + b[1]));
    let mut dl = b[0] - a[0];
    if dl > 180.0 {
        dl -= 360.0;
    } else if dl < -180.0 {
        dl += 360.0;
    }
    (dl * kx).hypot((b[1] - a[1]) * ky)
}

/// Initial bearing from `a` to `b`, degrees clockwise from north.
pub fn bearing_deg(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (kx, ky) = metres_per_degree(0.5 * (a[1] + b[1]));
    let dx = (b[0] - a[0]) * kx;
    let dy = (b[1] - a[1]) * ky;
    dx.atan2(dy).to_degrees().rem_euclid(360.0)
}

/// A point on a sphere of the Earth's mean radius, in metres: straight-line
/// (chord) distances between such points order like great-circle distances,
/// so one spatial index works anywhere on the globe.
#[inline]
pub fn to_xyz(p: [f64; 2]) -> [f64; 3] {
    let (lon, lat) = (p[0].to_radians(), p[1].to_radians());
    [
        EARTH_RADIUS_M * lat.cos() * lon.cos(),
        EARTH_RADIUS_M * lat.cos() * lon.sin(),
        EARTH_RADIUS_M * lat.sin(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Distance, Geodesic, Point};

    #[test]
    fn agrees_with_karney_geodesic_on_street_spans() {
        for &(lat, dlon, dlat) in &[
            (0.0, 0.01, 0.0),
            (42.5, 0.003, 0.002),
            (60.17, -0.004, 0.001),
            (-33.9, 0.0, 0.009),
            (35.9, 0.02, -0.015),
        ] {
            let a = [10.0, lat];
            let b = [10.0 + dlon, lat + dlat];
            let ours = distance_m(a, b);
            let karney = Geodesic.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]));
            assert!(
                ((ours - karney) / karney).abs() < 1e-5,
                "{ours} vs {karney}"
            );
        }
    }

    #[test]
    fn bearings() {
        assert!((bearing_deg([0.0, 0.0], [0.0, 1.0]) - 0.0).abs() < 1e-9);
        assert!((bearing_deg([0.0, 0.0], [1.0, 0.0]) - 90.0).abs() < 1e-9);
        assert!((bearing_deg([0.0, 0.0], [0.0, -1.0]) - 180.0).abs() < 1e-9);
    }
}
