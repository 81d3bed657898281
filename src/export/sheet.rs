//! `sheet-<vehicle>.html`: the route sheet a driver takes into the cab, one
//! printable page per vehicle (A4, no scripts, no network). A head with the
//! vehicle, depot, shift and totals, then the rows of [`super::directions`]:
//! clock time, what to do, where, distance, the load left; priority work
//! marked, refills and the way home spelled out.

use super::directions::rows;
use super::esc;
use crate::network::Network;
use crate::plan::clock::ShiftClock;
use crate::plan::shift::{hms, LegKind, VehiclePlan};
use std::fmt::Write;

/// The clock time, or the time into the shift without a parsable start.
fn at(clock: Option<&ShiftClock>, t_s: f64) -> String {
    clock.map_or_else(|| hms(t_s), |c| c.hm(t_s))
}

/// A distance as a driver reads it: metres below a kilometre, else km.
fn distance(m: f64) -> String {
    if m < 995.0 {
        format!("{:.0} m", m)
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

/// The route sheet of `v` as one HTML page; `scenario` names the plan.
pub fn route_sheet(
    scenario: &str,
    v: &VehiclePlan,
    net: &Network,
    clock: Option<&ShiftClock>,
) -> String {
    let unit = v.service.unit();
    let mut body = String::new();
    let _ = write!(
        body,
        "<header><h1>{} <small>{}</small></h1><p>{}{} · from <b>{}</b> · out {} · back {} · \
         {:.1} km {} and {:.1} km empty · {:.0} of {:.0} {unit} a load, {} refill(s)</p></header>",
        esc(&v.id),
        esc(&v.type_name),
        esc(scenario),
        clock.map_or(String::new(), |c| format!(" · {}", esc(&c.heading()))),
        esc(&v.depot),
        at(clock, v.start_s),
        at(clock, v.end_s),
        v.service_km,
        v.service.name(),
        v.deadhead_km,
        v.material_used,
        v.capacity,
        v.refills,
    );
    let _ = write!(
        body,
        "<table><thead><tr><th>#</th><th>time</th><th>do</th><th>street</th><th>distance</th>\
         <th>left ({unit})</th></tr></thead><tbody>"
    );
    for (i, r) in rows(v, net).iter().enumerate() {
        let (class, what) = match r.kind {
            LegKind::Service => match r.priority {
                Some(p) => (
                    format!("service p{}", p.min(3)),
                    format!("{} <b>(priority {p})</b>", v.service.name()),
                ),
                None => ("service".into(), v.service.name().to_string()),
            },
            LegKind::Deadhead => ("empty".into(), "drive empty".into()),
            LegKind::Refill => (
                "refill".into(),
                format!("refill at <b>{}</b>", esc(r.site.as_deref().unwrap_or("?"))),
            ),
            LegKind::Return => ("empty".into(), "back to the depot".into()),
            LegKind::Wait => ("wait".into(), "wait".into()),
        };
        let _ = write!(
            body,
            "<tr class=\"{class}\"><td>{}</td><td>{}–{}</td><td>{what}</td><td>{}</td>\
             <td>{}</td><td>{:.0}</td></tr>",
            i + 1,
            at(clock, r.start_s),
            at(clock, r.end_s),
            esc(&r.street),
            distance(r.distance_m),
            r.material_after,
        );
    }
    body.push_str("</tbody></table>");
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>{} — route sheet</title>\
         <style>{CSS}</style></head><body>{body}<footer>Times are clock times in the shift's \
         UTC offset. Empty runs list the streets in driving order. Map data © OpenStreetMap \
         contributors, ODbL.</footer></body></html>\n",
        esc(&v.id)
    )
}

const CSS: &str = "body{font:13px/1.35 system-ui,sans-serif;margin:0 auto;max-width:900px;\
padding:10px 16px;color:#111}h1{font-size:20px;margin:4px 0}h1 small{font-weight:normal;\
color:#555;font-size:14px}header p{margin:2px 0 10px}table{border-collapse:collapse;width:100%}\
th,td{border-bottom:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}\
th{background:#eee}td:nth-child(1),td:nth-child(5),td:nth-child(6){text-align:right;\
white-space:nowrap}td:nth-child(2),td:nth-child(3){white-space:nowrap}tr.empty td{color:#555;font-style:italic}\
tr.refill td{background:#eef5ff}tr.p1 td{background:#ffe9e6}tr.p2 td{background:#fff4e0}\
footer{color:#666;font-size:11px;margin-top:10px}\
@page{size:A4;margin:12mm}@media print{body{max-width:none;padding:0}th{background:#ddd}\
thead{display:table-header-group}tr{break-inside:avoid}}";
