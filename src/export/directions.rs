//! A vehicle's legs as a driver reads them: consecutive services on one
//! street merged into one row, and each empty run given as the streets it
//! takes, in order. The itinerary CSV and the report's route sheets are
//! written from these rows; `plan.json` keeps every leg.

use crate::network::Network;
use crate::plan::shift::{Leg, LegKind, VehiclePlan};

/// One row of a route sheet: one leg, or several services in a row on the
/// same street with the same priority.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub kind: LegKind,
    /// `seq` of the first and last leg the row covers.
    pub legs: (usize, usize),
    pub start_s: f64,
    pub end_s: f64,
    pub distance_m: f64,
    /// Service: the street. Deadhead and the way home: the streets driven,
    /// in order, each once per stretch (`A → B → A`). Refill: empty.
    pub street: String,
    /// OSM ways serviced (service rows), in order, each once.
    pub ways: Vec<i64>,
    pub priority: Option<u8>,
    pub material_before: f64,
    pub material_after: f64,
    pub site: Option<String>,
}

/// What a driver calls a street: its name, else its reference (`CG-2`),
/// else `unnamed <road class>`.
pub fn street_label(net: &Network, segment: u32) -> String {
    let w = net.way_of(segment);
    match (&w.name, &w.ref_) {
        (Some(n), _) => n.clone(),
        (None, Some(r)) => r.clone(),
        (None, None) => format!("unnamed {} road", w.class.as_str().replace('_', " ")),
    }
}

/// The streets of `leg` in driving order, consecutive repeats merged.
fn streets_of(net: &Network, leg: &Leg) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in &leg.steps {
        let name = street_label(net, s.segment);
        if names.last() != Some(&name) {
            names.push(name);
        }
    }
    names
}

fn row_of(net: &Network, leg: &Leg, depot: &str) -> Row {
    let street = match leg.kind {
        LegKind::Service => leg
            .steps
            .first()
            .map(|s| street_label(net, s.segment))
            .unwrap_or_default(),
        LegKind::Return if leg.steps.is_empty() => format!("already at {depot}"),
        LegKind::Deadhead | LegKind::Return => streets_of(net, leg).join(" → "),
        _ => String::new(),
    };
    let mut ways: Vec<i64> = Vec::new();
    if leg.kind == LegKind::Service {
        for s in &leg.steps {
            if !ways.contains(&s.way) {
                ways.push(s.way);
            }
        }
    }
    Row {
        kind: leg.kind,
        legs: (leg.seq, leg.seq),
        start_s: leg.start_s,
        end_s: leg.end_s,
        distance_m: leg.distance_m.max(0.0),
        street,
        ways,
        priority: leg.priority,
        material_before: leg.material_before,
        material_after: leg.material_after,
        site: leg.site.clone(),
    }
}

/// The route sheet's rows of `v`, in order; together they cover every leg
/// once.
pub fn rows(v: &VehiclePlan, net: &Network) -> Vec<Row> {
    let mut out: Vec<Row> = Vec::new();
    for leg in &v.legs {
        let row = row_of(net, leg, &v.depot);
        match out.last_mut() {
            Some(prev)
                if row.kind == LegKind::Service
                    && prev.kind == LegKind::Service
                    && prev.street == row.street
                    && prev.priority == row.priority =>
            {
                prev.legs.1 = row.legs.1;
                prev.end_s = row.end_s;
                prev.distance_m += row.distance_m;
                prev.material_after = row.material_after;
                for w in row.ways {
                    if !prev.ways.contains(&w) {
                        prev.ways.push(w);
                    }
                }
            }
            _ => out.push(row),
        }
    }
    out
}
