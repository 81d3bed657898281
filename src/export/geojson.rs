//! `routes.geojson`: one feature per leg (RFC 7946: WGS 84 lon/lat), with
//! vehicle, sequence, kind, times and material, for QGIS and web maps.

use super::leg_coords;
use crate::network::Network;
use crate::plan::shift::{LegKind, Plan};
use serde_json::{json, Value};

pub fn to_geojson(
    plan: &Plan,
    net: &Network,
    refill_nodes: &dyn Fn(&str) -> Option<[f64; 2]>,
) -> Value {
    let mut features = Vec::new();
    for v in &plan.vehicles {
        let mut last: Option<[f64; 2]> = None;
        for leg in &v.legs {
            let coords = leg_coords(net, leg);
            let geometry = if leg.kind == LegKind::Refill {
                let p = leg
                    .site
                    .as_deref()
                    .and_then(refill_nodes)
                    .or(last)
                    .unwrap_or([0.0, 0.0]);
                json!({"type": "Point", "coordinates": p})
            } else if coords.len() >= 2 {
                json!({"type": "LineString", "coordinates": coords})
            } else {
                continue;
            };
            if let Some(p) = coords.last() {
                last = Some(*p);
            }
            let ways: Vec<i64> = leg.steps.iter().map(|s| s.way).collect();
            features.push(json!({
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "vehicle": v.id,
                    "seq": leg.seq,
                    "kind": leg.kind,
                    "start_s": leg.start_s,
                    "end_s": leg.end_s,
                    "distance_m": leg.distance_m,
                    "material_before": leg.material_before,
                    "material_after": leg.material_after,
                    "priority": leg.priority,
                    "osm_ways": ways,
                    "site": leg.site,
                }
            }));
        }
    }
    json!({
        "type": "FeatureCollection",
        "attribution": plan.attribution,
        "features": features,
    })
}
