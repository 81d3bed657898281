//! `changes.json`: what a re-plan changed against the plan it started from —
//! which vehicles' remaining routes changed, which services moved between
//! vehicles, which are new or dropped, and each priority class's completion.

use crate::plan::shift::{hms, LegKind, Plan};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Moved {
    pub segment: u32,
    pub pass: u8,
    pub way: i64,
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ClassChange {
    pub class: u8,
    pub deadline_s: f64,
    pub before_s: Option<f64>,
    pub after_s: Option<f64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Changes {
    pub replan_time_s: f64,
    /// Vehicles whose services after the re-plan's time differ (set or order).
    pub vehicles_changed: Vec<String>,
    /// Services done by another vehicle than planned (from running vehicles).
    pub moved: Vec<Moved>,
    /// Services taken over from vehicles that broke down.
    pub reassigned_from_down: usize,
    /// Services after the re-plan's time that were not there before (a storm
    /// upgrade's new work, or work a progress report says is not done yet),
    /// and services dropped (closed roads, cut off).
    pub added: usize,
    pub dropped: usize,
    pub classes: Vec<ClassChange>,
}

/// Service passes after `t` per vehicle, in order: `(segment, pass, way)`.
fn remaining(plan: &Plan, t: f64) -> BTreeMap<String, Vec<(u32, u8, i64)>> {
    plan.vehicles
        .iter()
        .map(|v| {
            let list = v
                .legs
                .iter()
                .filter(|l| l.kind == LegKind::Service && l.end_s > t + 1e-9)
                .filter_map(|l| {
                    let st = l.steps.first()?;
                    Some((st.segment, l.pass.unwrap_or(0), st.way))
                })
                .collect();
            (v.id.clone(), list)
        })
        .collect()
}

impl Changes {
    /// The counts a summary gives (`replan` in `--json`, a served
    /// version's summary): time, vehicles changed, services moved, taken
    /// over from vehicles down, new, dropped.
    pub fn counts(&self) -> serde_json::Value {
        serde_json::json!({
            "time_s": self.replan_time_s,
            "vehicles_changed": self.vehicles_changed.len(),
            "moved": self.moved.len(),
            "taken_over_from_vehicles_down": self.reassigned_from_down,
            "added": self.added,
            "dropped": self.dropped,
        })
    }
}

pub fn compare(old: &Plan, new: &Plan, t: f64) -> Changes {
    let before = remaining(old, t);
    let after = remaining(new, t);
    let owner = |m: &BTreeMap<String, Vec<(u32, u8, i64)>>| {
        let mut o: BTreeMap<(u32, u8), (String, i64)> = BTreeMap::new();
        for (v, list) in m {
            for &(s, p, w) in list {
                o.insert((s, p), (v.clone(), w));
            }
        }
        o
    };
    let (ob, oa) = (owner(&before), owner(&after));
    let down: BTreeSet<&str> = new
        .vehicles
        .iter()
        .filter(|v| v.down_s.is_some())
        .map(|v| v.id.as_str())
        .collect();
    let mut moved = Vec::new();
    let mut reassigned_from_down = 0;
    for (key, (from, way)) in &ob {
        if let Some((to, _)) = oa.get(key) {
            if to != from {
                if down.contains(from.as_str()) {
                    reassigned_from_down += 1;
                } else {
                    moved.push(Moved {
                        segment: key.0,
                        pass: key.1,
                        way: *way,
                        from: from.clone(),
                        to: to.clone(),
                    });
                }
            }
        }
    }
    let added = oa.keys().filter(|k| !ob.contains_key(k)).count();
    let dropped = ob.keys().filter(|k| !oa.contains_key(k)).count();
    let ids: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let vehicles_changed = ids
        .into_iter()
        .filter(|id| before.get(*id) != after.get(*id))
        .cloned()
        .collect();
    let classes = new
        .classes
        .iter()
        .map(|c| ClassChange {
            class: c.class,
            deadline_s: c.deadline_s,
            before_s: old
                .classes
                .iter()
                .find(|o| o.class == c.class)
                .and_then(|o| o.finished_s),
            after_s: c.finished_s,
        })
        .collect();
    Changes {
        replan_time_s: t,
        vehicles_changed,
        moved,
        reassigned_from_down,
        added,
        dropped,
        classes,
    }
}

/// The report's section on the re-plan.
pub fn html(c: &Changes) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let mut s = format!(
        "<section><h2>Re-plan at {}</h2><p>{} vehicle(s) changed; {} service(s) moved between running vehicles, {} taken over from vehicles down, {} new, {} dropped (closed roads).</p>",
        hms(c.replan_time_s),
        c.vehicles_changed.len(),
        c.moved.len(),
        c.reassigned_from_down,
        c.added,
        c.dropped
    );
    if !c.vehicles_changed.is_empty() {
        let names: Vec<String> = c.vehicles_changed.iter().map(|v| esc(v)).collect();
        let _ = write!(s, "<p>Changed: {}</p>", names.join(", "));
    }
    if !c.classes.is_empty() {
        s.push_str("<table><thead><tr><th>class</th><th>deadline</th><th>finished before</th><th>finished after</th></tr></thead><tbody>");
        for k in &c.classes {
            let f = |x: Option<f64>| x.map_or("—".to_string(), hms);
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                k.class,
                hms(k.deadline_s),
                f(k.before_s),
                f(k.after_s)
            );
        }
        s.push_str("</tbody></table>");
    }
    if !c.moved.is_empty() {
        s.push_str("<table><thead><tr><th>OSM way</th><th>pass</th><th>from</th><th>to</th></tr></thead><tbody>");
        for m in c.moved.iter().take(500) {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                m.way,
                m.pass,
                esc(&m.from),
                esc(&m.to)
            );
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</section>");
    s
}
