//! The segments as GeoJSON (RFC 7946: WGS84 lon/lat, a FeatureCollection),
//! with their attributes and the ODbL attribution.

use super::Network;
use serde_json::{json, Value};

pub const ATTRIBUTION: &str =
    "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)";

pub fn segments(net: &Network) -> Value {
    let features: Vec<Value> = (0..net.segments.len() as u32)
        .map(|i| {
            let s = &net.segments[i as usize];
            let w = net.way_of(i);
            let coords: Vec<[f64; 2]> = net
                .coords(i)
                .iter()
                .map(|c| [(c[0] * 1e7).round() / 1e7, (c[1] * 1e7).round() / 1e7])
                .collect();
            json!({
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "segment": i,
                    "osm_way_id": w.osm_id,
                    "from_osm_node": net.nodes[s.from as usize].osm_id,
                    "to_osm_node": net.nodes[s.to as usize].osm_id,
                    "class": w.class.as_str(),
                    "name": w.name,
                    "ref": w.ref_,
                    "oneway": match (s.forward, s.backward) { (true, true) => "no", (true, false) => "forward", _ => "backward" },
                    "lanes": w.lanes,
                    "width_m": w.width_m,
                    "maxspeed_kmh": w.maxspeed_kmh,
                    "bridge": w.bridge,
                    "tunnel": w.tunnel,
                    "ramp": w.ramp(),
                    "roundabout": w.roundabout,
                    "surface": w.surface,
                    "grade_pct": s.grade_pct.map(|g| (g as f64 * 10.0).round() / 10.0),
                    "length_m": (s.length_m * 10.0).round() / 10.0,
                    "main_component": net.components.in_main(s.from) && net.components.in_main(s.to),
                }
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "attribution": ATTRIBUTION,
        "features": features,
    })
}
