//! A printable itinerary per vehicle: the route sheet's rows (see
//! [`super::directions`]) with clock times in the shift's UTC offset and
//! offsets from its start.

use super::directions::rows;
use crate::network::Network;
use crate::plan::clock::ShiftClock;
use crate::plan::shift::{hms, VehiclePlan};

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV text. `clock` is the plan's shift start (the clock columns stay
/// empty without one).
pub fn itinerary(v: &VehiclePlan, net: &Network, clock: Option<&ShiftClock>) -> String {
    let mut out = String::from(
        "row,kind,clock_start,clock_end,start,end,duration_min,distance_m,street,osm_ways,legs,priority,material_before,material_after,unit,site\n",
    );
    let unit = v.service.unit();
    for (i, r) in rows(v, net).iter().enumerate() {
        let ways: Vec<String> = r.ways.iter().map(i64::to_string).collect();
        let legs = if r.legs.0 == r.legs.1 {
            r.legs.0.to_string()
        } else {
            format!("{}-{}", r.legs.0, r.legs.1)
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{:.1},{:.0},{},{},{},{},{:.1},{:.1},{},{}\n",
            i + 1,
            r.kind.name(),
            clock.map(|c| c.hm(r.start_s)).unwrap_or_default(),
            clock.map(|c| c.hm(r.end_s)).unwrap_or_default(),
            hms(r.start_s),
            hms(r.end_s),
            (r.end_s - r.start_s) / 60.0,
            r.distance_m,
            quote(&r.street),
            ways.join(";"),
            legs,
            r.priority.map(|p| p.to_string()).unwrap_or_default(),
            r.material_before,
            r.material_after,
            unit,
            quote(r.site.as_deref().unwrap_or("")),
        ));
    }
    out
}
