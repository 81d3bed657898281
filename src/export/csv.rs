//! A printable itinerary per vehicle: one row per leg with clock times.

use crate::network::Network;
use crate::plan::shift::{hms, LegKind, VehiclePlan};

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV text; a service leg's street is its way's name (or OSM id).
pub fn itinerary(v: &VehiclePlan, net: &Network) -> String {
    let street = |seg: u32| {
        let w = net.way_of(seg);
        w.name
            .clone()
            .unwrap_or_else(|| format!("way {}", w.osm_id))
    };
    let mut out = String::from(
        "seq,kind,start,end,duration_min,distance_m,street,osm_way,priority,material_before,material_after,site\n",
    );
    for l in &v.legs {
        let (name, way) = match (l.kind, l.steps.first()) {
            (LegKind::Service, Some(s)) => (street(s.segment), s.way.to_string()),
            (_, Some(_)) => (format!("{} streets", l.steps.len()), String::new()),
            _ => (String::new(), String::new()),
        };
        let kind = serde_json::to_value(l.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{:.1},{:.0},{},{},{},{:.1},{:.1},{}\n",
            l.seq,
            kind,
            hms(l.start_s),
            hms(l.end_s),
            (l.end_s - l.start_s) / 60.0,
            l.distance_m,
            quote(&name),
            way,
            l.priority.map(|p| p.to_string()).unwrap_or_default(),
            l.material_before,
            l.material_after,
            quote(l.site.as_deref().unwrap_or("")),
        ));
    }
    out
}
