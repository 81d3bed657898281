//! A GPX 1.1 track per vehicle for in-cab navigation: one track segment per
//! leg, named by kind and sequence.

use super::leg_coords;
use crate::network::Network;
use crate::plan::shift::VehiclePlan;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn track(v: &VehiclePlan, net: &Network) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"arcplan\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n",
    );
    out.push_str(&format!("  <metadata><name>{}</name><copyright author=\"OpenStreetMap contributors\"><license>https://opendatacommons.org/licenses/odbl/</license></copyright></metadata>\n", esc(&v.id)));
    out.push_str(&format!("  <trk><name>{}</name>\n", esc(&v.id)));
    for l in &v.legs {
        let pts = leg_coords(net, l);
        if pts.len() < 2 {
            continue;
        }
        out.push_str("    <trkseg>\n");
        for p in pts {
            out.push_str(&format!(
                "      <trkpt lat=\"{:.7}\" lon=\"{:.7}\"/>\n",
                p[1], p[0]
            ));
        }
        out.push_str("    </trkseg>\n");
    }
    out.push_str("  </trk>\n</gpx>\n");
    out
}
