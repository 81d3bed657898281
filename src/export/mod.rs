//! Plan outputs besides `plan.json`: GeoJSON legs for GIS, a printable CSV
//! itinerary, a GPX track and a printable route sheet per vehicle, and the
//! HTML report.

pub mod bundle;
pub mod csv;
pub mod directions;
pub mod geojson;
pub mod gpx;
pub mod report;
pub mod sheet;

use crate::network::Network;
use crate::plan::shift::Leg;

/// `[lon, lat]` points of a leg's links, in driving order.
pub fn leg_coords(net: &Network, leg: &Leg) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::new();
    for s in &leg.steps {
        let c = net.coords(s.segment);
        let pts: Box<dyn Iterator<Item = &[f64; 2]>> = if s.dir == 0 {
            Box::new(c.iter())
        } else {
            Box::new(c.iter().rev())
        };
        for p in pts {
            if out.last() != Some(p) {
                out.push(*p);
            }
        }
    }
    out
}

/// Escapes text for HTML.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A vehicle's id as it appears in its files' names (`itinerary-<stem>.csv`,
/// `track-<stem>.gpx`, `sheet-<stem>.html`): ASCII letters, digits and `-`,
/// anything else `_`.
pub fn file_stem(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
